//! Output-path safety against hostile or unlucky notes (issue 10, items 2, 4, 7): bad slugs
//! and folder names never write outside the output directory, symlinks out of `content/` or
//! into the output are not followed, and very long names still build. The output directory
//! is nested one level deeper (`out/public`) so "outside the output" can be checked.

use crate::common::{check_links, snapshot, Site};
use std::path::PathBuf;

const OUT: &str = "out/public";

fn out(site: &Site) -> PathBuf {
    site.root().join(OUT)
}

fn build_nested(site: &Site) -> (i32, String) {
    site.build(&["-o", OUT])
}

/// `cheatgen check`: exit code and the diagnostics (on stdout).
fn check(site: &Site) -> (i32, String) {
    let o = site.cmd(&["check"]).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// Every file under the site root except the output, the sources, and cheatgen's own
/// bookkeeping beside the output (`.public.cheatgen-lock`, `.public.cheatgen-manifest`)
/// and its build cache (`.cheatgen-cache/build.bin`, `last-build.bin`): what a build must
/// never create.
fn files_outside_output(site: &Site) -> Vec<String> {
    snapshot(site.root())
        .into_keys()
        .filter(|p| {
            !p.starts_with(OUT)
                && !p.starts_with("content/")
                && p != ".cheatgen-cache/build.bin"
                && p != ".cheatgen-cache/last-build.bin"
                && !is_output_bookkeeping(p.strip_prefix("out/").unwrap_or(p))
        })
        .collect()
}

/// The lock and manifest that live beside the output folder (never staging leftovers:
/// a finished build removes those, so finding one is a failure).
fn is_output_bookkeeping(name: &str) -> bool {
    name == ".public.cheatgen-lock" || name == ".public.cheatgen-manifest"
}

#[test]
fn bad_slugs_are_errors_at_the_slug_line_and_the_rest_builds() {
    let site = Site::empty();
    site.write("content/up.md", "---\nslug: \"..\"\n---\n# Up\n\nup body\n");
    site.write(
        "content/trav.md",
        "---\ntitle: T\nslug: \"a/../../b\"\n---\n# T\n",
    );
    site.write("content/back.md", "---\nslug: '..\\..\\x'\n---\n# B\n");
    // (A NUL escape becomes U+FFFD before any slug is made; other control characters are
    // the slug stage's to refuse.)
    site.write("content/ctl.md", "---\nslug: \"a\\u0001b\"\n---\n# C\n");
    site.write("content/none.md", "---\nslug: \"!!!\"\n---\n# N\n");
    site.write("content/good.md", "# Good\n\nfine\n");

    let (code, stderr) = build_nested(&site);
    assert_eq!(code, 1, "{stderr}");
    for expected in [
        "content/up.md:2:7: error: front matter `slug: \"..\"`",
        "content/trav.md:3:7: error: front matter `slug: \"a/../../b\"`",
        "content/back.md:2:7: error:",
        "content/ctl.md:2:7: error:",
        "content/none.md:2:7: error:",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(files_outside_output(&site), Vec::<String>::new());
    assert!(!site.root().join("out/index.html").exists());
    // Each note falls back to its file name's URL; the rest of the site is there.
    for page in ["up", "trav", "back", "ctl", "none", "good"] {
        assert!(out(&site).join(page).join("index.html").is_file(), "{page}");
    }
    assert!(check_links(&out(&site), "/").is_empty());

    let (code, stderr) = check(&site);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("content/up.md:2:7: error:"),
        "check must report it too:\n{stderr}"
    );
}

#[test]
fn dot_slug_keeps_the_home_page_and_builds_are_identical() {
    let site = Site::empty();
    site.write("content/index.md", "Welcome home, reader.\n");
    site.write(
        "content/dot.md",
        "---\nslug: .\n---\n# Dot sheet\n\ndot body\n",
    );
    site.write("content/other.md", "# Other\n\nother body\n");
    // A name with no URL-safe characters once took the home page's URL too.
    site.write("content/🚀.md", "# Rocket\n\nrocket body\n");
    let (code, stderr) = build_nested(&site);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("content/dot.md:2:7: error:"), "{stderr}");
    let first = snapshot(&out(&site));
    let home = String::from_utf8_lossy(&first["index.html"]).into_owned();
    assert!(home.contains("Welcome home, reader."), "{home}");
    assert!(!home.contains("dot body"), "{home}");
    assert!(!home.contains("rocket body"), "{home}");
    assert!(out(&site).join("dot/index.html").is_file());
    let rocket = first
        .iter()
        .filter(|(path, _)| path.ends_with("/index.html"))
        .find(|(_, bytes)| String::from_utf8_lossy(bytes).contains("rocket body"))
        .map(|(path, _)| path.clone());
    assert!(
        rocket
            .as_deref()
            .is_some_and(|p| p.starts_with('_') && p.ends_with("/index.html")),
        "{rocket:?}"
    );

    std::fs::remove_dir_all(out(&site)).unwrap();
    let (code, _) = build_nested(&site);
    assert_eq!(code, 1);
    assert_eq!(snapshot(&out(&site)), first);
}

#[test]
fn a_folder_named_space_dot_dot_is_not_a_way_out() {
    let site = Site::empty();
    site.write("content/ ../esc.md", "# Escape\n");
    site.write("content/ ../ ../deeper.md", "# Deeper\n");
    site.write("content/ ../pic.png", "png");
    site.write("content/ ..md", "# Dot file\n");
    site.write("content/good.md", "# Good\n");
    let (code, stderr) = build_nested(&site);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("content/ ../esc.md:1:1: error: folder name \" ..\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/ ../ ../deeper.md:1:1: error:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/ ..md:1:1: error: file name \" .\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/ ../pic.png: warning: not copied"),
        "{stderr}"
    );
    assert_eq!(files_outside_output(&site), Vec::<String>::new());
    assert!(!site.root().join("out/esc").exists());
    assert!(!site.root().join("esc").exists());
    let built = snapshot(&out(&site));
    assert!(built.contains_key("good/index.html"));
    assert!(
        built
            .keys()
            .all(|p| !p.split('/').any(|s| s.trim() == "..")),
        "{:?}",
        built.keys()
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_content_are_skipped_with_a_warning() {
    use std::os::unix::fs::symlink;
    let site = Site::empty();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "top secret").unwrap();
    std::fs::write(outside.path().join("note.md"), "# Outside note\n").unwrap();
    std::fs::create_dir(outside.path().join("dir")).unwrap();
    std::fs::write(outside.path().join("dir/inner.txt"), "inner").unwrap();
    let content = site.root().join("content");
    symlink(
        outside.path().join("secret.txt"),
        content.join("secret.txt"),
    )
    .unwrap();
    symlink(outside.path().join("note.md"), content.join("outside.md")).unwrap();
    symlink(outside.path().join("dir"), content.join("ext-dir")).unwrap();
    // Links that stay inside content/ keep working; a loop stays a reported error.
    site.write("content/real/pic.png", "png");
    site.write("content/real/sheet.md", "# Real\n\n![p](pic.png)\n");
    symlink(content.join("real/pic.png"), content.join("alias.png")).unwrap();
    symlink(content.join("real"), content.join("mirror")).unwrap();
    symlink(&content, content.join("real/loop")).unwrap();

    let (_, stderr) = build_nested(&site);
    for name in ["secret.txt", "outside.md", "ext-dir"] {
        assert!(
            stderr.contains(&format!("content/{name}: warning: symlink to")),
            "{name}:\n{stderr}"
        );
    }
    assert!(stderr.contains("leads outside content/"), "{stderr}");
    assert!(stderr.contains("symlink loop"), "{stderr}");
    let built = snapshot(&out(&site));
    assert!(!built.contains_key("secret.txt"));
    assert!(!built.contains_key("ext-dir/inner.txt"));
    assert!(!built.contains_key("outside/index.html"));
    assert!(
        built
            .values()
            .all(|b| !String::from_utf8_lossy(b).contains("top secret")),
        "the secret was published"
    );
    assert_eq!(built["alias.png"], b"png");
    assert!(built.contains_key("real/sheet/index.html"));
    assert!(built.contains_key("mirror/sheet/index.html"));

    // The switch publishes external targets.
    site.write(
        "cheatgen.toml",
        "[build]\nfollow_external_symlinks = true\n",
    );
    let (_, stderr) = build_nested(&site);
    assert!(!stderr.contains("leads outside content/"), "{stderr}");
    let built = snapshot(&out(&site));
    assert_eq!(built["secret.txt"], b"top secret");
    assert_eq!(built["ext-dir/inner.txt"], b"inner");
}

#[cfg(unix)]
#[test]
fn a_link_to_the_output_is_never_followed() {
    use std::os::unix::fs::symlink;
    let site = Site::empty();
    site.write("content/a.md", "# A\n");
    site.write("content/pics/p.png", "png");
    let content = site.root().join("content");
    symlink("../out/public", content.join("pub")).unwrap();
    symlink("../out", content.join("around")).unwrap();
    for config in ["", "[build]\nfollow_external_symlinks = true\n"] {
        site.write("cheatgen.toml", config);
        let mut sizes = Vec::new();
        for _ in 0..3 {
            let (code, stderr) = build_nested(&site);
            assert_eq!(code, 0, "{stderr}");
            for name in ["pub", "around"] {
                assert!(
                    stderr.contains(&format!("content/{name}: warning: symlink to")),
                    "{stderr}"
                );
            }
            assert!(stderr.contains("into the output directory"), "{stderr}");
            sizes.push(snapshot(&out(&site)).len());
        }
        assert!(sizes.windows(2).all(|w| w[0] == w[1]), "{sizes:?}");
        assert!(!snapshot(&out(&site)).keys().any(|k| k.starts_with("pub/")));
    }
}

#[test]
fn very_long_tags_categories_slugs_and_file_names_build() {
    let site = Site::empty();
    let long = "t".repeat(300);
    let long_cat = format!("Category {}", "c".repeat(300));
    let long_slug = "s".repeat(300);
    site.write(
        "content/tagged.md",
        format!("---\ntags: [{long}, short]\ncategory: {long_cat}\n---\n# Tagged\n"),
    );
    site.write(
        "content/slugged.md",
        format!("---\nslug: {long_slug}\n---\n# Slugged\n"),
    );
    // 255 bytes on disk; 381 bytes once lower-cased ('Ⱥ' is 2 bytes, 'ⱥ' is 3).
    let grows = "Ⱥ".repeat(126);
    site.write(&format!("content/{grows}.md"), "# Grows\n");
    let long_dir = "D".repeat(250);
    site.write(&format!("content/{long_dir}/inner.md"), "# Inner\n");
    let (code, stderr) = build_nested(&site);
    assert_eq!(code, 0, "{stderr}");
    let built = snapshot(&out(&site));
    for path in built.keys() {
        for seg in path.split('/') {
            assert!(seg.len() <= 100, "{seg}");
        }
    }
    let sheets = built
        .keys()
        .filter(|k| k.ends_with("/index.html"))
        .collect::<Vec<_>>();
    assert!(
        sheets.iter().any(|k| k.starts_with("tags/ttt")),
        "{sheets:?}"
    );
    assert!(sheets
        .iter()
        .any(|k| k.starts_with("categories/category-ccc")));
    assert!(sheets.iter().any(|k| k.starts_with("sss")), "{sheets:?}");
    assert!(sheets.iter().any(|k| k.starts_with("ⱥⱥⱥ")), "{sheets:?}");
    assert!(sheets
        .iter()
        .any(|k| k.starts_with("ddd") && k.contains("/inner/")));
    assert!(check_links(&out(&site), "/").is_empty());

    // Stable: a second build changes nothing.
    let (code, _) = build_nested(&site);
    assert_eq!(code, 0);
    assert_eq!(snapshot(&out(&site)), built);
}

#[cfg(unix)]
#[test]
fn a_symlinked_content_folder_with_inner_links_still_builds() {
    use std::os::unix::fs::symlink;
    // The usual way to publish an Obsidian vault: content/ is a link to it.
    let vault = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(vault.path().join("notes")).unwrap();
    std::fs::write(vault.path().join("notes/git.md"), "# Git\n\ngit body\n").unwrap();
    std::fs::write(vault.path().join("notes/pic.png"), "png").unwrap();
    symlink("git.md", vault.path().join("notes/git-alias.md")).unwrap();
    symlink("notes", vault.path().join("linked")).unwrap();
    let site = Site::empty();
    std::fs::remove_dir(site.root().join("content")).unwrap();
    symlink(vault.path(), site.root().join("content")).unwrap();
    let (code, stderr) = build_nested(&site);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains(": warning:"), "{stderr}");
    let built = snapshot(&out(&site));
    for page in [
        "notes/git/index.html",
        "notes/git-alias/index.html",
        "linked/git/index.html",
        "linked/pic.png",
    ] {
        assert!(built.contains_key(page), "{page}: {:?}", built.keys());
    }
}
