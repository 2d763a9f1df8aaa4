//! The output directory never costs a user a file: forged manifests, dangerous `--output`
//! targets, builds killed mid-write, a full disk, concurrent builds, and the manifest kept
//! out of the published site. Every test runs the real binary on a fixture site.

use crate::common;
use crate::common::{check_links, snapshot, Site};
use std::collections::BTreeMap;
use std::path::Path;

type Tree = BTreeMap<String, Vec<u8>>;

/// Names in the site root that a killed build could have left (staging and old trees).
fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("cheatgen-staging") || n.contains("cheatgen-old"))
        .collect()
}

fn tmp_files(tree: &Tree) -> Vec<&String> {
    tree.keys()
        .filter(|k| k.ends_with(".cheatgen-tmp"))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Item 1: forged manifests

/// A site built before, with a manifest inside `public/` (where earlier versions kept it)
/// that lists `entry`; a file outside the output that the entry aims at.
fn site_with_forged_manifest(entry: impl Fn(&Path) -> String) -> (Site, std::path::PathBuf) {
    let site = Site::fixture("tidy");
    let victim = site.root().join("keep-me.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::create_dir_all(site.public()).unwrap();
    std::fs::write(site.public().join("index.html"), "old").unwrap();
    let manifest = format!("{}  {}\n", "0".repeat(64), entry(site.root()));
    std::fs::write(site.public().join(".cheatgen-manifest"), manifest).unwrap();
    (site, victim)
}

/// A manifest entry, made from the site root.
type EntryFor = Box<dyn Fn(&Path) -> String>;

#[test]
fn forged_manifest_entries_never_delete_outside_files() {
    let cases: Vec<(&str, EntryFor)> = vec![
        ("relative", Box::new(|_| "../keep-me.txt".to_string())),
        (
            "absolute",
            Box::new(|root| root.join("keep-me.txt").to_string_lossy().into_owned()),
        ),
        (
            "normalised-looking",
            Box::new(|_| "sub/../../keep-me.txt".to_string()),
        ),
    ];
    for (name, entry) in cases {
        let (site, victim) = site_with_forged_manifest(entry);
        let (code, stderr) = site.build(&[]);
        assert_eq!(
            code, 2,
            "{name}: an untrusted manifest is refused:\n{stderr}"
        );
        assert!(stderr.contains("untrusted manifest"), "{name}: {stderr}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious", "{name}");
        // Forced: the folder is replaced as a foreign one; outside files still survive.
        let (code, stderr) = site.build(&["--force"]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(
            stderr.contains("warning: untrusted manifest"),
            "{name}: {stderr}"
        );
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious", "{name}");
        assert!(site.public().join("tool/index.html").is_file(), "{name}");
    }
}

#[cfg(unix)]
#[test]
fn a_manifest_entry_under_a_symlinked_folder_is_untrusted() {
    let site = Site::fixture("tidy");
    let elsewhere = site.root().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("x.txt"), "precious").unwrap();
    std::fs::create_dir_all(site.public()).unwrap();
    std::os::unix::fs::symlink(&elsewhere, site.public().join("link")).unwrap();
    std::fs::write(
        site.public().join(".cheatgen-manifest"),
        format!("{}  link/x.txt\n", "0".repeat(64)),
    )
    .unwrap();
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("symlink"), "{stderr}");
    let (code, stderr) = site.build(&["--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning: untrusted manifest"), "{stderr}");
    assert_eq!(std::fs::read(elsewhere.join("x.txt")).unwrap(), b"precious");
}

// ---------------------------------------------------------------------------------------
// Item 3 (+ item 13): output guards on canonical paths

#[test]
fn dangerous_output_directories_are_refused_even_with_force() {
    let site = Site::fixture("tidy");
    let notes = || common::snapshot(&site.root().join("content"));
    let before = notes();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("diary.txt"), "dear diary").unwrap();
    let home_str = home.path().to_str().unwrap().to_string();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("content", vec!["-o", "content", "--force"]),
        ("inside content", vec!["-o", "content/out", "--force"]),
        ("the site root", vec!["-o", ".", "--force"]),
        ("a parent of the root", vec!["-o", "..", "--force"]),
        ("a dotted parent", vec!["-o", "public/../..", "--force"]),
        ("the home directory", vec!["-o", &home_str, "--force"]),
        ("/", vec!["-o", "/", "--force"]),
    ];
    for (name, args) in cases {
        let mut all = vec!["build"];
        all.extend(args);
        let out = site.cmd(&all).env("HOME", home.path()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains("refusing"), "{name}: {stderr}");
        assert_eq!(notes(), before, "{name}: notes intact");
    }
    assert_eq!(
        std::fs::read(home.path().join("diary.txt")).unwrap(),
        b"dear diary"
    );
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn a_symlinked_content_folder_is_protected_where_it_really_is() {
    let site = Site::empty();
    let vault = tempfile::tempdir().unwrap();
    std::fs::write(vault.path().join("note.md"), "# Note\n\n## A\n\nx\n").unwrap();
    std::fs::remove_dir(site.root().join("content")).unwrap();
    std::os::unix::fs::symlink(vault.path(), site.root().join("content")).unwrap();
    let vault_str = vault.path().to_str().unwrap();
    let vault_out = vault.path().join("out");
    for args in [
        vec!["-o", "content", "--force"],
        vec!["-o", vault_str, "--force"],
        vec!["-o", vault_out.to_str().unwrap(), "--force"],
    ] {
        let (code, stderr) = site.build(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            vault.path().join("note.md").is_file(),
            "{args:?}: the note survives"
        );
    }
    site.build_ok(&[]);
    assert!(site.public().join("note/index.html").is_file());
}

#[test]
fn an_output_that_is_a_file_is_a_usage_error() {
    let site = Site::fixture("tidy");
    site.write("out.txt", "not a folder");
    let (code, stderr) = site.build(&["-o", "out.txt"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("it is a file, not a directory"), "{stderr}");
    assert_eq!(
        std::fs::read(site.root().join("out.txt")).unwrap(),
        b"not a folder"
    );
}

// ---------------------------------------------------------------------------------------
// Item 5: whole-site atomic builds

/// Content of the "new" site: one note edited, one edited without changing its length (its
/// page keeps its size: only the bytes tell the versions apart), one added (links stay
/// valid).
fn make_new_version(site: &Site) {
    let basics = site.root().join("content/git/basics.md");
    let text = std::fs::read_to_string(&basics).unwrap();
    assert!(text.contains("--soft"));
    std::fs::write(basics, text.replace("--soft", "--hard")).unwrap();
    let rebase = site.root().join("content/git/rebase.md");
    let mut text = std::fs::read_to_string(&rebase).unwrap();
    text.push_str("\n## Added in the new version\n\n`git rebase --abort`\n");
    std::fs::write(rebase, text).unwrap();
    site.write(
        "content/python/added.md",
        "# Added\n\n## Card\n\nSee [venv](venv.md).\n",
    );
}

/// The crosslinks fixture with a fixed title (the default is the temp folder's name, which
/// would make two copies differ).
fn crosslinks() -> Site {
    let site = Site::fixture("crosslinks");
    site.write("cheatgen.toml", "title = \"Crash test\"\n");
    site
}

/// Asserts two trees are equal without printing megabytes of bytes.
fn assert_same_tree(actual: &Tree, expected: &Tree, what: &str) {
    if actual != expected {
        let differ: Vec<&String> = actual
            .keys()
            .chain(expected.keys())
            .filter(|k| actual.get(*k) != expected.get(*k))
            .collect();
        panic!("{what}: files differ: {differ:?}");
    }
}

/// (old tree, new tree) of the crosslinks fixture, built clean into other folders.
fn reference_trees() -> (Tree, Tree) {
    let site = crosslinks();
    let old = tempfile::tempdir().unwrap();
    site.build_ok(&["-o", old.path().join("o").to_str().unwrap()]);
    make_new_version(&site);
    site.build_ok(&["-o", old.path().join("n").to_str().unwrap()]);
    (
        snapshot(&old.path().join("o")),
        snapshot(&old.path().join("n")),
    )
}

/// Runs `cheatgen build` with the abort hook; returns whether the process was killed.
fn build_killed_after(site: &Site, steps: usize) -> bool {
    let out = site
        .cmd(&["build", "-q"])
        .env("CHEATGEN_TEST_ABORT_AFTER", steps.to_string())
        .output()
        .unwrap();
    out.status.code().is_none()
}

#[test]
fn a_build_killed_during_its_write_phase_leaves_the_old_or_the_new_site() {
    let (old_tree, new_tree) = reference_trees();
    assert_ne!(old_tree, new_tree);
    let files = new_tree.len();
    // Steps: one per staged file, then manifest saved (files+1), swapped (files+2),
    // manifest trimmed (files+3), old tree removed (files+4).
    for steps in [
        1,
        files / 2,
        files,
        files + 1,
        files + 2,
        files + 3,
        files + 4,
    ] {
        let site = crosslinks();
        site.build_ok(&[]);
        assert_same_tree(&site.snapshot(), &old_tree, "the old build");
        make_new_version(&site);
        assert!(build_killed_after(&site, steps), "killed after {steps}");
        let after = site.snapshot();
        let expected = if steps <= files + 1 {
            &old_tree
        } else {
            &new_tree
        };
        let which = if steps <= files + 1 { "old" } else { "new" };
        assert_same_tree(
            &after,
            expected,
            &format!("killed after {steps} of {files} files: not exactly the {which} site"),
        );
        assert_eq!(check_links(&site.public(), "/"), Vec::<String>::new());
        // The next build needs no --force, and cleans what the killed one left.
        site.build_ok(&[]);
        assert_same_tree(
            &site.snapshot(),
            &new_tree,
            &format!("rebuilt after {steps}"),
        );
        assert_eq!(leftovers(site.root()), Vec::<String>::new());
    }
}

#[test]
fn killing_the_first_build_leaves_no_half_site() {
    let (_, new_tree) = reference_trees();
    for steps in [1, new_tree.len() / 2, new_tree.len() + 1] {
        let site = crosslinks();
        make_new_version(&site);
        assert!(build_killed_after(&site, steps));
        assert!(!site.public().exists(), "after {steps}: no half site");
        site.build_ok(&[]);
        assert_same_tree(&site.snapshot(), &new_tree, "the next build");
        assert_eq!(leftovers(site.root()), Vec::<String>::new());
    }
}

#[test]
fn a_full_disk_fails_cleanly_and_keeps_the_old_site() {
    let (old_tree, new_tree) = reference_trees();
    let site = crosslinks();
    site.build_ok(&[]);
    make_new_version(&site);
    let out = site
        .cmd(&["build"])
        .env("CHEATGEN_TEST_WRITE_ERROR_AFTER", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains("nothing was changed in public/"),
        "{stderr}"
    );
    let after = site.snapshot();
    assert_same_tree(&after, &old_tree, "the old site after a full disk");
    assert!(tmp_files(&after).is_empty());
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
    site.build_ok(&[]);
    assert_same_tree(&site.snapshot(), &new_tree, "the build after a full disk");
}

/// `build` stages pages as they are rendered (`src/output/sink.rs`): a page that fails to
/// render after others (and the search index) were staged leaves the live site exactly as
/// it was, and no staging tree.
#[test]
fn a_page_failing_mid_stream_leaves_the_old_site_and_no_staging_tree() {
    use std::os::unix::fs::MetadataExt;
    let site = crosslinks();
    site.build_ok(&[]);
    let before = site.snapshot();
    let folder = std::fs::metadata(site.public()).unwrap().ino();
    make_new_version(&site);
    // Renders for every sheet but one: Tera fails on the undefined variable there.
    let sheet = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/sheet.html"),
    )
    .unwrap();
    let failing = sheet.replacen(
        "{% block title %}",
        "{% block title %}{% if page.title == \"Added\" %}{{ no_such_value }}{% endif %}",
        1,
    );
    assert_ne!(failing, sheet);
    site.write("themes/default/templates/sheet.html", failing);
    let out = site.cmd(&["build"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("no_such_value"), "{stderr}");
    assert_same_tree(
        &site.snapshot(),
        &before,
        "the old site after a failed render",
    );
    assert_eq!(std::fs::metadata(site.public()).unwrap().ino(), folder);
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// Item 6: the build lock

#[test]
fn a_build_while_serve_writes_the_site_is_refused_with_the_holders_pid() {
    let site = Site::fixture("tidy");
    let served = common::Served::start(&site);
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "another cheatgen is writing public/ (pid {})",
            served.child.id()
        )),
        "{stderr}"
    );
    // Another output folder is free.
    site.build_ok(&["-o", "elsewhere"]);
}

#[test]
fn concurrent_builds_never_mix_two_sites() {
    let site = crosslinks();
    for i in 0..150 {
        site.write(
            &format!("content/bulk/n{i}.md"),
            format!(
                "# Note {i}\n\n## Card\n\n```sh\necho {i}\n```\n\nSee [venv](../python/venv.md).\n"
            ),
        );
    }
    let refs = tempfile::tempdir().unwrap();
    let urls = ["https://a.example/", "https://b.example/docs/"];
    let reference: Vec<Tree> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| {
            let out = refs.path().join(i.to_string());
            site.build_ok(&["--base-url", url, "-o", out.to_str().unwrap()]);
            snapshot(&out)
        })
        .collect();
    for round in 0..3 {
        let children: Vec<_> = urls
            .iter()
            .map(|url| spawn_build(&site, &["-q", "--base-url", url]))
            .collect();
        let outputs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let codes: Vec<i32> = outputs
            .iter()
            .map(|o| o.status.code().unwrap_or(-1))
            .collect();
        assert!(
            codes.contains(&0),
            "round {round}: one build succeeds: {codes:?}"
        );
        for (o, code) in outputs.iter().zip(&codes) {
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(
                *code == 0
                    || (*code == 2 && stderr.contains("another cheatgen is writing public/ (pid ")),
                "round {round}: {code}: {stderr}"
            );
        }
        let after = site.snapshot();
        assert!(
            reference.contains(&after),
            "round {round}: the site is the complete output of one base URL"
        );
    }
}

/// Starts `cheatgen build <args>` without waiting for it.
fn spawn_build(site: &Site, args: &[&str]) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("cheatgen"))
        .arg("build")
        .args(args)
        .current_dir(site.root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// Item 12 (part): the manifest is neither published nor served

#[test]
fn the_manifest_is_not_in_the_site_nor_served() {
    let site = Site::fixture("tidy");
    site.build_ok(&[]);
    let tree = site.snapshot();
    assert!(
        tree.keys().all(|k| !k.contains("cheatgen")),
        "{:?}",
        tree.keys()
    );
    assert!(site.root().join(".public.cheatgen-manifest").is_file());
    std::fs::remove_dir_all(site.public()).unwrap();
    let served = common::Served::start(&site);
    assert!(site.public().join("tool/index.html").is_file());
    assert_eq!(
        common::http::get(served.port, "/.cheatgen-manifest").status,
        404
    );
    assert_eq!(common::http::get(served.port, "/tool/").status, 200);
    // A rebuild by `serve` keeps the manifest outside too.
    site.write("content/more.md", "# More\n\n## Card\n\ntext\n");
    assert!(
        served.wait_rebuilds(1, std::time::Duration::from_secs(60)),
        "{}",
        served.log()
    );
    assert!(site.public().join("more/index.html").is_file());
    drop(served);
    let tree = site.snapshot();
    assert!(
        tree.keys().all(|k| !k.contains("cheatgen")),
        "{:?}",
        tree.keys()
    );
    // The folder `serve` wrote is cheatgen's: the next build needs no --force.
    site.build_ok(&[]);
}

// ---------------------------------------------------------------------------------------
// A rebuild with nothing changed publishes nothing

#[test]
fn a_rebuild_with_nothing_changed_leaves_the_live_site_alone() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::fixture("tidy");
    site.build_ok(&[]);
    let inode = |p: &Path| std::fs::metadata(p).unwrap().ino();
    let dir_before = inode(&site.public());
    let before = snapshot(&site.public());
    site.build_ok(&[]);
    // No staging tree was swapped in: the output folder is the same folder.
    assert_eq!(inode(&site.public()), dir_before);
    assert_eq!(snapshot(&site.public()), before);
    assert!(leftovers(site.root()).is_empty());
    // A file changed behind cheatgen's back (same size) is not trusted blindly either:
    // a size change forces the full publish, which restores it.
    let page = site.public().join("index.html");
    std::fs::write(&page, "tampered").unwrap();
    site.build_ok(&[]);
    assert_eq!(snapshot(&site.public()), before);
    assert_ne!(inode(&site.public()), dir_before);
}
