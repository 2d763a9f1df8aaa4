//! Unit tests of the output session: publish, carry-over, incremental writes, ownership.

use super::*;

fn plan(files: &[(&str, &str)]) -> OutputPlan {
    files
        .iter()
        .map(|(p, b)| (p.to_string(), OutputFile::Bytes(b.as_bytes().to_vec())))
        .collect()
}

fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    let out = dir.path().join("public");
    (dir, out)
}

#[test]
fn publish_writes_changed_links_unchanged_and_drops_stale() {
    let (dir, out) = site();
    let mut s = OutputSession::open(&out, dir.path(), false).unwrap();
    let first = s
        .publish(&plan(&[("a/index.html", "A"), ("b.txt", "B")]))
        .unwrap();
    assert_eq!(first.written, 2);
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(out.join("b.txt")).unwrap().ino()
    };
    let second = s.publish(&plan(&[("b.txt", "B"), ("c.txt", "C")])).unwrap();
    assert_eq!(
        second,
        WriteStats {
            written: 1,
            unchanged: 1,
            removed: 1,
            changed: vec!["a/index.html".into(), "c.txt".into()],
        }
    );
    assert!(!out.join("a").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let now = std::fs::metadata(out.join("b.txt")).unwrap().ino();
        assert_eq!(
            now, inode,
            "an unchanged file is hard-linked, not rewritten"
        );
    }
    // Nothing but the site, its lock and its manifest is left beside it.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".public.cheatgen-lock",
            ".public.cheatgen-manifest",
            "content",
            "public"
        ]
    );
    assert!(!out.join(LEGACY_MANIFEST).exists());
}

#[test]
fn a_users_files_in_our_folder_are_kept() {
    let (dir, out) = site();
    let mut s = OutputSession::open(&out, dir.path(), false).unwrap();
    s.publish(&plan(&[("index.html", "1")])).unwrap();
    std::fs::write(out.join("CNAME"), "example.org").unwrap();
    std::fs::create_dir_all(out.join("empty")).unwrap();
    s.publish(&plan(&[("index.html", "2")])).unwrap();
    assert_eq!(std::fs::read(out.join("CNAME")).unwrap(), b"example.org");
    assert!(out.join("empty").is_dir());
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"2");
}

#[test]
fn foreign_folders_are_refused_and_replaced_only_when_forced() {
    let (dir, out) = site();
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "x").unwrap();
    assert!(matches!(
        OutputSession::open(&out, dir.path(), false),
        Err(Error::OutputNotOurs { .. })
    ));
    assert!(
        !dir.path().join(".public.cheatgen-lock").exists(),
        "a refused folder gets nothing written beside it"
    );
    let mut s = OutputSession::open(&out, dir.path(), true).unwrap();
    let stats = s.publish(&plan(&[("index.html", "1")])).unwrap();
    assert_eq!(stats.removed, 1);
    assert!(!out.join("mine.txt").exists());
}

#[test]
fn a_site_of_the_previous_version_stays_ours() {
    let (dir, out) = site();
    std::fs::create_dir_all(out.join("old")).unwrap();
    std::fs::write(out.join("old/index.html"), "old").unwrap();
    std::fs::write(out.join("index.html"), "home").unwrap();
    std::fs::write(out.join("index.html.cheatgen-tmp"), "half").unwrap();
    std::fs::write(
        out.join(LEGACY_MANIFEST),
        "aa  index.html\nbb  old/index.html\n",
    )
    .unwrap();
    let mut s = OutputSession::open(&out, dir.path(), false).unwrap();
    s.publish(&plan(&[("index.html", "new")])).unwrap();
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        1,
        "only index.html is left: no legacy manifest, stale page or temp file"
    );
}

#[test]
fn incremental_writes_only_changes_and_only_the_paths_asked() {
    let (dir, out) = site();
    let mut s = OutputSession::open(&out, dir.path(), false).unwrap();
    s.publish(&plan(&[("a.html", "A"), ("search/x.json", "X")]))
        .unwrap();
    // Only the paths named are looked at: `search/x.json` is not, so it stays, and
    // `c.html` (named, not in the plan, never written) is no error.
    let only: std::collections::BTreeSet<String> =
        ["a.html", "b.html", "c.html"].map(String::from).into();
    let stats = s
        .write_incremental(&plan(&[("a.html", "A"), ("b.html", "B")]), Some(&only))
        .unwrap();
    assert_eq!(stats.changed, ["b.html"]);
    assert!(out.join("search/x.json").is_file());
    let manifest = std::fs::read_to_string(dir.path().join(".public.cheatgen-manifest")).unwrap();
    assert_eq!(Manifest::parse(&manifest).entries.len(), 3);
    let stats = s
        .write_incremental(&plan(&[("b.html", "B2")]), None)
        .unwrap();
    assert_eq!(stats.changed, ["a.html", "b.html", "search/x.json"]);
    assert!(!out.join("search").exists());
    let manifest = std::fs::read_to_string(dir.path().join(".public.cheatgen-manifest")).unwrap();
    assert_eq!(Manifest::parse(&manifest).entries.len(), 1);
}

#[test]
fn stale_staging_folders_are_cleaned_and_nothing_else() {
    let (dir, out) = site();
    let stale = dir.path().join(".public.cheatgen-staging-99999");
    std::fs::create_dir_all(stale.join("x")).unwrap();
    let lookalike = dir.path().join(".public.cheatgen-staging-mine");
    std::fs::create_dir_all(&lookalike).unwrap();
    let other = dir.path().join(".other.cheatgen-staging-1");
    std::fs::create_dir_all(&other).unwrap();
    let _s = OutputSession::open(&out, dir.path(), false).unwrap();
    assert!(!stale.exists());
    assert!(lookalike.exists() && other.exists());
}

#[test]
fn an_interrupted_fallback_swap_is_repaired() {
    let (dir, out) = site();
    let aside = dir.path().join(".public.cheatgen-old-4242");
    std::fs::create_dir_all(&aside).unwrap();
    std::fs::write(aside.join("index.html"), "old").unwrap();
    std::fs::write(
        dir.path().join(".public.cheatgen-manifest"),
        "aa  index.html\n",
    )
    .unwrap();
    let _s = OutputSession::open(&out, dir.path(), false).unwrap();
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"old");
    assert!(!aside.exists());
}

#[cfg(unix)]
#[test]
fn incremental_writes_never_go_through_a_symlinked_folder() {
    let (dir, out) = site();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("x.html"), "precious").unwrap();
    let mut s = OutputSession::open(&out, dir.path(), false).unwrap();
    s.publish(&plan(&[("a/x.html", "A"), ("b/x.html", "B")]))
        .unwrap();
    // Someone swaps the page folders for symlinks to a folder outside the output.
    for name in ["a", "b"] {
        std::fs::remove_dir_all(out.join(name)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join(name)).unwrap();
    }
    // A changed page under `a/` is not written through the link...
    let err = s
        .write_incremental(&plan(&[("a/x.html", "A2"), ("b/x.html", "B")]), None)
        .unwrap_err();
    assert!(err.to_string().contains("symlink"), "{err}");
    // ...and a stale page under `b/` is not removed through it.
    s.write_incremental(&plan(&[("c.html", "C")]), None)
        .unwrap();
    assert_eq!(
        std::fs::read(elsewhere.join("x.html")).unwrap(),
        b"precious"
    );
    // A whole-site publish replaces the links themselves, never what they point to.
    s.publish(&plan(&[("a/x.html", "A3")])).unwrap();
    assert_eq!(
        std::fs::read(elsewhere.join("x.html")).unwrap(),
        b"precious"
    );
    assert!(!std::fs::symlink_metadata(out.join("a"))
        .unwrap()
        .file_type()
        .is_symlink());
}
