//! Unit tests of the output session: publish, carry-over, incremental writes, ownership.

use super::*;
use std::path::Path;

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

// The streaming sink (`sink.rs`).

#[cfg(unix)]
fn inode(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(p).unwrap().ino()
}

/// Names beside the output folder that look like a staging tree.
fn staging_trees(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("cheatgen-staging"))
        .collect()
}

fn put(sink: &StagedSink, rel: &str, bytes: &str) {
    sink.put(rel, &OutputFile::Bytes(bytes.as_bytes().to_vec()))
        .unwrap();
}

#[cfg(unix)]
#[test]
fn a_sink_with_nothing_changed_stages_nothing_and_leaves_the_live_tree() {
    let (dir, out) = site();
    let mut s = OutputSession::open(&out, dir.path(), false).unwrap();
    s.publish(&plan(&[("a/index.html", "A"), ("b.txt", "B")]))
        .unwrap();
    let (folder, page) = (inode(&out), inode(&out.join("b.txt")));
    let sink = s.staged_sink().unwrap();
    put(&sink, "b.txt", "B");
    put(&sink, "a/index.html", "A");
    assert!(staging_trees(dir.path()).is_empty(), "no staging tree yet");
    let stats = sink.commit().unwrap();
    assert_eq!(
        stats,
        WriteStats {
            unchanged: 2,
            ..WriteStats::default()
        }
    );
    assert_eq!((inode(&out), inode(&out.join("b.txt"))), (folder, page));
    assert!(staging_trees(dir.path()).is_empty());
    // Fewer files than the live site is a change: the stale one goes.
    let sink = s.staged_sink().unwrap();
    put(&sink, "b.txt", "B");
    assert_eq!(sink.commit().unwrap().changed, ["a/index.html"]);
    assert!(!out.join("a").exists());
    assert_eq!(inode(&out.join("b.txt")), page);
}

#[cfg(unix)]
#[test]
fn the_first_difference_stages_and_links_the_files_seen_before_it() {
    let (dir, out) = site();
    let mut s = OutputSession::open(&out, dir.path(), false).unwrap();
    s.publish(&plan(&[("a.txt", "A"), ("b.txt", "B"), ("c.txt", "C")]))
        .unwrap();
    let before = [inode(&out.join("a.txt")), inode(&out.join("c.txt"))];
    let sink = s.staged_sink().unwrap();
    put(&sink, "a.txt", "A");
    assert!(staging_trees(dir.path()).is_empty());
    put(&sink, "b.txt", "B, changed");
    assert_eq!(staging_trees(dir.path()).len(), 1, "staged from here on");
    put(&sink, "c.txt", "C");
    let stats = sink.commit().unwrap();
    assert_eq!((stats.written, stats.unchanged), (1, 2));
    assert_eq!(stats.changed, ["b.txt"]);
    assert_eq!(
        [inode(&out.join("a.txt")), inode(&out.join("c.txt"))],
        before,
        "unchanged files, before and after the first difference, are hard-linked"
    );
    assert_eq!(std::fs::read(out.join("b.txt")).unwrap(), b"B, changed");
    assert!(staging_trees(dir.path()).is_empty());
}

#[test]
fn a_later_put_of_a_path_replaces_the_earlier_one() {
    let (dir, out) = site();
    let mut s = OutputSession::open(&out, dir.path(), false).unwrap();
    s.publish(&plan(&[("a.txt", "A"), ("b.txt", "B")])).unwrap();
    // Over the live site: first equal to the live file (only recorded), then different.
    let sink = s.staged_sink().unwrap();
    put(&sink, "a.txt", "A");
    put(&sink, "a.txt", "A2");
    put(&sink, "b.txt", "B");
    put(&sink, "b.txt", "B3");
    let stats = sink.commit().unwrap();
    assert_eq!(stats.changed, ["a.txt", "b.txt"]);
    assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"A2");
    assert_eq!(std::fs::read(out.join("b.txt")).unwrap(), b"B3");
    let manifest = std::fs::read_to_string(dir.path().join(".public.cheatgen-manifest")).unwrap();
    assert_eq!(
        Manifest::parse(&manifest).hash("a.txt"),
        Some(blake3::hash(b"A2").to_hex().as_str())
    );
}

#[test]
fn a_sink_dropped_uncommitted_leaves_the_live_site_and_no_staging_tree() {
    let (dir, out) = site();
    let mut s = OutputSession::open(&out, dir.path(), false).unwrap();
    s.publish(&plan(&[("a.txt", "A"), ("b.txt", "B")])).unwrap();
    let sink = s.staged_sink().unwrap();
    put(&sink, "a.txt", "A, new");
    put(&sink, "c.txt", "C");
    assert_eq!(staging_trees(dir.path()).len(), 1);
    // A bad path fails the put (the caller then drops the sink).
    assert!(sink
        .put("../escape.txt", &OutputFile::Bytes(b"x".to_vec()))
        .is_err());
    drop(sink);
    assert!(staging_trees(dir.path()).is_empty());
    assert!(!dir.path().join("escape.txt").exists());
    assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"A");
    assert!(!out.join("c.txt").exists());
    // The session is still usable, and its manifest still that of the live site.
    let sink = s.staged_sink().unwrap();
    put(&sink, "a.txt", "A");
    put(&sink, "b.txt", "B");
    assert_eq!(sink.commit().unwrap().unchanged, 2);
}
