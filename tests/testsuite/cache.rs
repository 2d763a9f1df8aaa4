//! The persisted build cache `.cheatgen-cache/` (issue 11 item 5, issue 15's highlight
//! cache), through the real binary on small generated sites: reuse proven by the
//! `--timings` cache line (never by time), output byte-identical with, without and after
//! a cache, every kind of untrustworthy cache ignored with one warning, and the cache
//! folder never written through a symlink.

use crate::common::{self, snapshot, Site};
use std::path::{Path, PathBuf};

const CACHE_FILE: &str = ".cheatgen-cache/build.bin";

/// Three notes with code blocks; one has an unknown fence language (a cached warning).
fn site() -> Site {
    let site = Site::empty();
    site.write("cheatgen.toml", "title = \"Cache\"\n");
    site.write(
        "content/python.md",
        "# Python\n\n## Print\n\n```python\nprint('hi')\n```\n\n## Loop\n\n```python\nfor i in range(3):\n    pass\n```\n",
    );
    site.write(
        "content/shell/bash.md",
        "# Bash\n\n## Echo\n\n```bash\necho hi\n```\n\n## Weird\n\n```pyhton\nx = 1\n```\n\nSee [Python](../python.md).\n",
    );
    site.write(
        "content/rust.md",
        "---\ntitle: Rust\ntags: [lang]\nextra_field: {a: [1, 2]}\n---\n## Main\n\n```rust\nfn main() {}\n```\n",
    );
    site
}

/// `build --timings` (plus `args`); returns stderr, asserting exit 0.
fn build(site: &Site, args: &[&str]) -> String {
    let mut all = vec!["--timings"];
    all.extend_from_slice(args);
    site.build_ok(&all)
}

/// The `timing: cache: …` line.
fn cache_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("timing: cache: "))
        .unwrap_or_else(|| panic!("no cache line in:\n{stderr}"))
}

fn fresh_build(site: &Site) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::remove_dir_all(site.public()).ok();
    let stderr = build(site, &["--no-cache"]);
    assert!(cache_line(&stderr).ends_with("(not used)"), "{stderr}");
    site.snapshot()
}

fn cache_warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with(CACHE_FILE) || l.starts_with(".cheatgen-cache:"))
        .collect()
}

#[test]
fn second_build_reuses_every_note_and_block_with_identical_output() {
    let site = site();
    let first = build(&site, &[]);
    assert!(
        cache_line(&first).starts_with(
            "timing: cache: 3 notes rendered, 0 from cache; 4 code blocks highlighted"
        ),
        "{first}"
    );
    assert!(site.root().join(CACHE_FILE).is_file());
    let with_cache_written = site.snapshot();

    // Only the cache can help: the output folder is gone.
    std::fs::remove_dir_all(site.public()).unwrap();
    let second = build(&site, &[]);
    assert!(
        cache_line(&second).starts_with(
            "timing: cache: 0 notes rendered, 3 from cache; 0 code blocks highlighted"
        ),
        "{second}"
    );
    assert!(
        cache_line(&second).contains("3 notes, 4 highlights loaded"),
        "{second}"
    );
    // The cached note's diagnostic is reported again, at its position.
    assert!(
        second.contains("content/shell/bash.md:11:4: warning: unknown fence language"),
        "{second}"
    );
    assert!(cache_warnings(&second).is_empty(), "{second}");
    assert_eq!(site.snapshot(), with_cache_written);
    assert_eq!(fresh_build(&site), with_cache_written);
}

#[test]
fn a_build_with_nothing_changed_does_not_rewrite_the_cache() {
    use std::os::unix::fs::MetadataExt;
    let site = site();
    build(&site, &[]);
    let file = site.root().join(CACHE_FILE);
    let stamp = |p: &Path| {
        let m = std::fs::metadata(p).unwrap();
        (m.ino(), m.modified().unwrap())
    };
    let before = stamp(&file);
    build(&site, &[]);
    assert_eq!(stamp(&file), before, "the cache file was replaced");
    // A removed note is a change: the cache no longer holds it.
    std::fs::remove_file(site.root().join("content/rust.md")).unwrap();
    build(&site, &[]);
    assert_ne!(stamp(&file), before);
    std::fs::remove_dir_all(site.public()).unwrap();
    let stderr = build(&site, &[]);
    assert!(
        cache_line(&stderr).contains("(2 notes, 3 highlights loaded)"),
        "{stderr}"
    );
}

#[test]
fn editing_one_block_re_renders_one_note_and_re_highlights_one_block() {
    let site = site();
    build(&site, &[]);
    site.write(
        "content/python.md",
        "# Python\n\n## Print\n\n```python\nprint('bye')\n```\n\n## Loop\n\n```python\nfor i in range(3):\n    pass\n```\n",
    );
    let stderr = build(&site, &[]);
    assert!(
        cache_line(&stderr).starts_with("timing: cache: 1 notes rendered, 2 from cache; 1 code blocks highlighted, 1 from cache"),
        "{stderr}"
    );
    let incremental = site.snapshot();
    assert!(String::from_utf8_lossy(&incremental["python/index.html"]).contains("bye"));
    assert_eq!(fresh_build(&site), incremental);
    // The cache now holds the edited note: the next build renders nothing.
    std::fs::remove_dir_all(site.public()).unwrap();
    let again = build(&site, &[]);
    assert!(
        cache_line(&again).starts_with("timing: cache: 0 notes rendered, 3 from cache"),
        "{again}"
    );
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let site = site();
    let stderr = build(&site, &["--no-cache"]);
    assert!(cache_line(&stderr).ends_with("(not used)"), "{stderr}");
    assert!(!site.root().join(".cheatgen-cache").exists());
    // A corrupt cache is not even looked at.
    site.write(CACHE_FILE, "garbage");
    let stderr = build(&site, &["--no-cache"]);
    assert!(cache_warnings(&stderr).is_empty(), "{stderr}");
    assert_eq!(
        std::fs::read(site.root().join(CACHE_FILE)).unwrap(),
        b"garbage"
    );
}

#[test]
fn check_reads_the_cache_but_never_writes_it() {
    let site = site();
    let out = site.cmd(&["check"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!site.root().join(".cheatgen-cache").exists());
    // It reads it: a corrupt one is reported (and ignored).
    site.write(CACHE_FILE, "garbage");
    let out = site.cmd(&["check"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(cache_warnings(&stderr).len(), 1, "{stderr}");
    assert_eq!(
        std::fs::read(site.root().join(CACHE_FILE)).unwrap(),
        b"garbage"
    );
}

/// Builds once, corrupts the cache with `spoil`, and checks the next build: exit 0, one
/// warning naming `reason`, nothing reused, output identical to a clean build, and a good
/// cache written again.
fn spoiled_cache_is_ignored(spoil: impl FnOnce(&Site, Vec<u8>) -> Vec<u8>, reason: &str) {
    let site = site();
    build(&site, &[]);
    let clean = site.snapshot();
    let path = site.root().join(CACHE_FILE);
    let spoiled = spoil(&site, std::fs::read(&path).unwrap());
    std::fs::write(&path, spoiled).unwrap();
    std::fs::remove_dir_all(site.public()).unwrap();
    let stderr = build(&site, &[]);
    let warnings = cache_warnings(&stderr);
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].starts_with(".cheatgen-cache/build.bin: warning: ignored (")
            && warnings[0].contains(reason)
            && warnings[0].ends_with("building without it"),
        "{stderr}"
    );
    assert!(
        cache_line(&stderr).starts_with("timing: cache: 3 notes rendered, 0 from cache"),
        "{stderr}"
    );
    assert!(
        cache_line(&stderr).ends_with("(nothing loaded)"),
        "{stderr}"
    );
    assert_eq!(site.snapshot(), clean);
    std::fs::remove_dir_all(site.public()).unwrap();
    let healed = build(&site, &[]);
    assert!(
        cache_line(&healed).starts_with("timing: cache: 0 notes rendered, 3 from cache"),
        "{healed}"
    );
}

/// The header's version field replaced by `version`.
fn with_version(file: &[u8], version: &str) -> Vec<u8> {
    let len = u16::from_le_bytes([file[12], file[13]]) as usize;
    let mut out = file[..12].to_vec();
    out.extend_from_slice(&(version.len() as u16).to_le_bytes());
    out.extend_from_slice(version.as_bytes());
    out.extend_from_slice(&file[14 + len..]);
    out
}

#[test]
fn cache_warnings_do_not_fail_a_strict_build() {
    let site = Site::empty();
    site.write("content/a.md", "# A\n\n```python\nx = 1\n```\n");
    site.write(CACHE_FILE, "garbage");
    let (code, stderr) = site.build(&["--strict"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(cache_warnings(&stderr).len(), 1, "{stderr}");
}

#[test]
fn a_cache_from_an_older_cheatgen_is_ignored() {
    spoiled_cache_is_ignored(
        |_, file| {
            let len = u16::from_le_bytes([file[12], file[13]]) as usize;
            let current = String::from_utf8(file[14..14 + len].to_vec()).unwrap();
            assert!(current.starts_with(env!("CARGO_PKG_VERSION")), "{current}");
            with_version(&file, "0.0.1, build 000000000000")
        },
        "written by cheatgen 0.0.1, build 000000000000, this is 0.",
    );
}

#[test]
fn a_cache_from_another_site_is_ignored() {
    spoiled_cache_is_ignored(
        |_, _| {
            // Same notes, another config that changes rendering.
            let other = site();
            other.write(
                "cheatgen.toml",
                "title = \"Cache\"\n[markdown]\nunsafe_html = true\n",
            );
            build(&other, &[]);
            std::fs::read(other.root().join(CACHE_FILE)).unwrap()
        },
        "written for another config, theme or site",
    );
}

#[test]
fn a_cache_truncated_mid_file_is_ignored() {
    spoiled_cache_is_ignored(|_, file| file[..file.len() / 2].to_vec(), "truncated");
}

#[test]
fn a_cache_with_a_flipped_byte_is_ignored() {
    spoiled_cache_is_ignored(
        |_, mut file| {
            let at = file.len() - 10;
            file[at] ^= 0x20;
            file
        },
        "checksum mismatch",
    );
}

#[test]
fn a_file_that_is_not_a_cache_is_ignored() {
    spoiled_cache_is_ignored(
        |_, _| b"#!/bin/sh\necho not a cache\n".to_vec(),
        "not a cheatgen cache file",
    );
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .collect()
}

#[test]
fn a_symlinked_cache_folder_is_never_written_through() {
    let site = site();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), site.root().join(".cheatgen-cache")).unwrap();
    let stderr = build(&site, &[]);
    let warnings = cache_warnings(&stderr);
    assert_eq!(
        warnings,
        [".cheatgen-cache: warning: is a symlink; cheatgen does not follow it (the cache is not used)"],
        "{stderr}"
    );
    assert!(
        files_under(outside.path()).is_empty(),
        "written through the symlink"
    );
    assert!(cache_line(&stderr).ends_with("(not used)"), "{stderr}");
    // A cache file planted behind the link is not read either.
    std::fs::remove_dir_all(site.public()).unwrap();
    let elsewhere = site.root().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::remove_file(site.root().join(".cheatgen-cache")).unwrap();
    build(&site, &[]);
    std::fs::rename(site.root().join(".cheatgen-cache"), &elsewhere).unwrap();
    let elsewhere = elsewhere.join(".cheatgen-cache");
    std::os::unix::fs::symlink(&elsewhere, site.root().join(".cheatgen-cache")).unwrap();
    let before = snapshot(&elsewhere);
    let stderr = build(&site, &[]);
    assert!(
        cache_line(&stderr).starts_with("timing: cache: 3 notes rendered"),
        "{stderr}"
    );
    assert_eq!(snapshot(&elsewhere), before);
}

#[test]
fn a_cache_path_that_is_a_file_is_left_alone() {
    let site = site();
    site.write(".cheatgen-cache", "mine");
    let stderr = build(&site, &[]);
    assert_eq!(
        cache_warnings(&stderr),
        [".cheatgen-cache: warning: is not a folder (the cache is not used)"],
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(site.root().join(".cheatgen-cache")).unwrap(),
        b"mine"
    );
}

#[test]
fn an_unwritable_cache_folder_is_a_warning_not_a_failed_build() {
    let site = site();
    std::fs::create_dir(site.root().join(".cheatgen-cache")).unwrap();
    // A folder where the cache file should be: the rename fails.
    std::fs::create_dir(site.root().join(CACHE_FILE)).unwrap();
    let stderr = build(&site, &[]);
    let warnings = cache_warnings(&stderr);
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].contains("ignored (not a regular file)"),
        "{stderr}"
    );
    assert!(warnings[1].contains("warning: not saved: "), "{stderr}");
    assert!(site.public().join("index.html").is_file());
    // No temp file is left behind.
    let left = files_under(&site.root().join(".cheatgen-cache"));
    assert!(
        !left.iter().any(|p| p.to_string_lossy().contains(".tmp-")),
        "{left:?}"
    );
}

/// Diagnostics carry the path as given (`--root`): a note cached by a build run from the
/// site folder is re-rendered when run from elsewhere, so its warning shows the right path.
#[test]
fn cached_diagnostics_follow_the_root_as_given() {
    let site = site();
    build(&site, &[]);
    let parent = site.root().parent().unwrap();
    let name = site.root().file_name().unwrap().to_str().unwrap();
    std::fs::remove_dir_all(site.public()).unwrap();
    let out = assert_cmd::Command::cargo_bin("cheatgen")
        .unwrap()
        .current_dir(parent)
        .args(["build", "--timings", "--root", name])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{name}/content/shell/bash.md:11:4: warning: unknown fence language"
        )),
        "{stderr}"
    );
    assert!(
        cache_line(&stderr).starts_with("timing: cache: 3 notes rendered, 0 from cache"),
        "{stderr}"
    );
}

#[test]
fn serve_shares_the_cache_with_build() {
    let site = site();
    let served = common::Served::start(&site);
    let file = site.root().join(CACHE_FILE);
    // Saved after serve's first build, although serve builds for its own base URL.
    assert!(
        common::browser::wait_for(std::time::Duration::from_secs(30), || file
            .is_file()
            .then_some(()))
        .is_some(),
        "{}",
        served.log()
    );
    let saved = std::fs::read(&file).unwrap();
    // An edit while serving reaches the cache within a few seconds.
    site.write(
        "content/rust.md",
        "## Main\n\n```rust\nfn main() { edited() }\n```\n",
    );
    assert!(
        served.wait_rebuilds(1, std::time::Duration::from_secs(30)),
        "{}",
        served.log()
    );
    assert!(
        common::browser::wait_for(std::time::Duration::from_secs(30), || {
            (std::fs::read(&file).ok()? != saved).then_some(())
        })
        .is_some(),
        "{}",
        served.log()
    );
    drop(served);
    std::fs::remove_dir_all(site.public()).unwrap();
    let stderr = build(&site, &[]);
    assert!(
        cache_line(&stderr).starts_with("timing: cache: 0 notes rendered, 3 from cache"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(
        &std::fs::read(site.public().join("rust/index.html")).unwrap()
    )
    .contains("edited"));
}

#[test]
fn init_ignores_the_cache_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("cheatgen")
        .unwrap()
        .args(["init", "--ci", "none"])
        .arg(dir.path().join("site"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ignore = std::fs::read_to_string(dir.path().join("site/.gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "/.cheatgen-cache/"), "{ignore}");
}

/// Every fixture site (callouts, tables, wikilinks, front matter intros, bad input, …):
/// a build from the cache equals a build without it, byte for byte, diagnostics included.
#[test]
fn fixture_sites_build_identically_from_the_cache() {
    for case in [
        "dialect",
        "look",
        "crosslinks",
        "messy",
        "bad-input",
        "links",
    ] {
        let site = Site::fixture(case);
        let (code, uncached) = site.build(&["--no-cache"]);
        let clean = site.snapshot();
        site.build(&[]);
        std::fs::remove_dir_all(site.public()).unwrap();
        let (cached_code, cached) = site.build(&["--timings"]);
        let line = cache_line(&cached);
        assert!(
            line.starts_with("timing: cache: 0 notes rendered") && !line.contains(" 0 from cache;"),
            "{case}: {cached}"
        );
        assert_eq!(cached_code, code, "{case}");
        let diagnostics = |stderr: &str| -> Vec<String> {
            stderr
                .lines()
                .filter(|l| l.contains(": warning: ") || l.contains(": error: "))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(diagnostics(&cached), diagnostics(&uncached), "{case}");
        assert_eq!(site.snapshot(), clean, "{case}");
    }
}

#[test]
fn an_output_folder_overlapping_the_cache_folder_turns_the_cache_off() {
    let site = site();
    let stderr = build(&site, &["-o", ".cheatgen-cache/site"]);
    assert_eq!(
        cache_warnings(&stderr),
        [".cheatgen-cache/build.bin: warning: the output folder .cheatgen-cache/site overlaps the cache folder; the cache is not used"],
        "{stderr}"
    );
    assert!(!site.root().join(CACHE_FILE).exists());
    assert!(site
        .root()
        .join(".cheatgen-cache/site/index.html")
        .is_file());
}

/// A build with nothing changed since the last one runs no stage and publishes nothing,
/// yet reports the same diagnostics; any change to the notes, or to the output it left,
/// means a real build again.
#[test]
fn nothing_changed_runs_no_stage_and_any_change_rebuilds() {
    let site = Site::fixture("crosslinks");
    site.write(
        "content/broken.md",
        "# Broken\n\nSee [nowhere](missing.md).\n",
    );
    let first = build(&site, &[]);
    let published = site.snapshot();
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
    let page = site.public().join("broken/index.html");
    let (dir_inode, page_inode) = (inode(&site.public()), inode(&page));

    let again = build(&site, &[]);
    assert!(again.contains("timing: nothing changed"), "{again}");
    assert!(
        !again.contains("timing: render notes"),
        "no stage runs: {again}"
    );
    let diagnostics = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.contains("warning:") || l.contains("error:"))
            .map(String::from)
            .collect()
    };
    assert_eq!(diagnostics(&again), diagnostics(&first));
    assert!(diagnostics(&again).iter().any(|d| d.contains("missing.md")));
    assert_eq!(
        (inode(&site.public()), inode(&page)),
        (dir_inode, page_inode)
    );
    assert_eq!(site.snapshot(), published);

    // The output changed behind cheatgen's back: a real build puts it right.
    std::fs::remove_file(&page).unwrap();
    let repaired = build(&site, &[]);
    assert!(!repaired.contains("timing: nothing changed"), "{repaired}");
    assert_eq!(site.snapshot(), published);

    // A note changed: a real build.
    site.write("content/broken.md", "# Broken\n\nFixed now.\n");
    let edited = build(&site, &[]);
    assert!(!edited.contains("timing: nothing changed"), "{edited}");
    assert!(
        !diagnostics(&edited)
            .iter()
            .any(|d| d.contains("missing.md")),
        "{edited}"
    );

    // `--no-cache` never takes the shortcut.
    let uncached = build(&site, &["--no-cache"]);
    assert!(!uncached.contains("timing: nothing changed"), "{uncached}");
}
