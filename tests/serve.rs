//! `cheatgen serve` for real: the server on a free loopback port, the watcher, the
//! incremental rebuild and the live-reload events.

mod common;

use common::browser::wait_for;
use common::http::get;
use common::{Served, Site};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

fn page_contains(site: &Site, rel: &str, text: &str) -> bool {
    std::fs::read_to_string(site.public().join(rel)).is_ok_and(|s| s.contains(text))
}

#[test]
fn serves_pages_assets_and_404_safely() {
    let site = Site::fixture("crosslinks");
    std::fs::write(site.root().join("secret.txt"), "top secret").unwrap();
    let served = Served::start(&site);
    let p = served.port;

    let home = get(p, "/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        home.text().contains("/__cheatgen/livereload.js"),
        "live reload injected when served"
    );
    assert!(
        !std::fs::read_to_string(site.public().join("index.html"))
            .unwrap()
            .contains("livereload"),
        "never on disk"
    );
    let page = get(p, "/git/basics/");
    assert_eq!(page.status, 200);
    let css = home
        .text()
        .split("href=\"")
        .find(|s| s.starts_with("/assets/style."))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let css_res = get(p, &css);
    assert_eq!(
        (css_res.status, css_res.header("content-type")),
        (200, Some("text/css"))
    );
    assert_eq!(
        get(p, "/search/meta.json").header("content-type"),
        Some("application/json")
    );
    assert_eq!(get(p, "/files/card.txt").text(), "plain text\n");
    assert_eq!(
        get(p, "/git/basics").status / 100,
        3,
        "folder without slash redirects"
    );

    let missing = get(p, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("<html"), "the site's 404 page");
    for bad in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/git/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/assets/",
    ] {
        let r = get(p, bad);
        assert_eq!(r.status, 404, "{bad}");
        assert!(!r.text().contains("top secret"), "{bad}");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(site.root(), site.public().join("escape")).unwrap();
        let r = get(p, "/escape/secret.txt");
        assert_eq!(r.status, 404);
        assert!(!r.text().contains("top secret"));
    }
}

#[test]
fn edits_deletes_new_notes_and_atomic_saves_are_picked_up() {
    let site = Site::fixture("crosslinks");
    let served = Served::start(&site);
    let note = site.root().join("content/git/rebase.md");

    let text = std::fs::read_to_string(&note)
        .unwrap()
        .replace("# Abort", "# Abort now");
    std::fs::write(&note, text).unwrap();
    assert!(
        wait_for(WAIT, || page_contains(
            &site,
            "git/rebase/index.html",
            "Abort now"
        )
        .then_some(()))
        .is_some(),
        "edit: {}",
        served.log()
    );

    site.write("content/new-note.md", "# Brand new\n");
    assert!(
        wait_for(WAIT, || page_contains(
            &site,
            "new-note/index.html",
            "Brand new"
        )
        .then_some(()))
        .is_some(),
        "new note"
    );
    assert_eq!(get(served.port, "/new-note/").status, 200);

    // An editor's atomic save: write a temp file, rename it over the note.
    let tmp = site.root().join("content/.new-note.md.swp");
    std::fs::write(&tmp, "# Renamed over\n").unwrap();
    std::fs::rename(&tmp, site.root().join("content/new-note.md")).unwrap();
    assert!(
        wait_for(WAIT, || page_contains(
            &site,
            "new-note/index.html",
            "Renamed over"
        )
        .then_some(()))
        .is_some(),
        "atomic save"
    );

    std::fs::remove_file(site.root().join("content/new-note.md")).unwrap();
    assert!(
        wait_for(WAIT, || (!site.public().join("new-note").exists())
            .then_some(()))
        .is_some(),
        "delete"
    );
    assert_eq!(get(served.port, "/new-note/").status, 404);
    assert!(
        served.log().contains("rebuilt 1 sheet in"),
        "{}",
        served.log()
    );
}

#[test]
fn a_burst_of_writes_ends_identical_to_a_clean_build() {
    let site = Site::fixture("crosslinks");
    let served = Served::start(&site);
    for i in 0..300 {
        site.write(
            &format!("content/burst/n{}.md", i % 60),
            format!("# Note {i}\n\nSee [[Git basics#Commit]].\n"),
        );
    }
    std::fs::remove_file(site.root().join("content/burst/n7.md")).unwrap();
    // Wait for quiet: the last note's final text is on disk and no rebuild follows.
    assert!(
        wait_for(Duration::from_secs(20), || page_contains(
            &site,
            "burst/n59/index.html",
            "Note 299"
        )
        .then_some(()))
        .is_some(),
        "{}",
        served.log()
    );
    std::thread::sleep(Duration::from_millis(800));
    let rebuilds = served
        .log()
        .lines()
        .filter(|l| l.starts_with("rebuilt"))
        .count();
    assert!(
        rebuilds <= 10,
        "a burst gives a few rebuilds, not a storm: {rebuilds}"
    );
    assert_eq!(get(served.port, "/").status, 200, "still alive");

    let served_snapshot = site.snapshot();
    let base = format!("http://127.0.0.1:{}/", served.port);
    drop(served);
    let clean = tempfile::tempdir().unwrap();
    let out = clean.path().join("out");
    site.build_ok(&["--base-url", &base, "-o", out.to_str().unwrap()]);
    let mut clean_snapshot = common::snapshot(&out);
    let mut served_snapshot = served_snapshot;
    served_snapshot.remove(".cheatgen-manifest");
    clean_snapshot.remove(".cheatgen-manifest");
    assert_eq!(
        served_snapshot.keys().collect::<Vec<_>>(),
        clean_snapshot.keys().collect::<Vec<_>>()
    );
    assert!(
        served_snapshot == clean_snapshot,
        "served output differs from a clean build"
    );
}

#[test]
fn events_endpoint_sends_reload_and_errors() {
    use std::io::{BufRead, BufReader, Write};
    let site = Site::fixture("crosslinks");
    let served = Served::start(&site);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    write!(
        stream,
        "GET /__cheatgen/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = stream.try_clone().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    let note = site.root().join("content/git/basics.md");
    let good = std::fs::read_to_string(&note).unwrap();
    std::fs::write(&note, good.replace("### Commit", "### Commit it")).unwrap();
    let next_event = |name: &str| -> Option<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut seen = false;
        while std::time::Instant::now() < deadline {
            let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
                continue;
            };
            if line == format!("event: {name}") {
                seen = true;
            } else if seen && line.starts_with("data:") {
                return Some(line);
            }
        }
        None
    };
    let data = next_event("reload").expect("reload event");
    assert!(data.contains("git/basics/index.html"), "{data}");

    std::fs::write(&note, "---\ntitle: [broken\n---\n# x\n").unwrap();
    let data = next_event("build-error").expect("error event");
    assert!(data.contains("content/git/basics.md:"), "{data}");
    assert!(
        page_contains(&site, "git/basics/index.html", "Commit it"),
        "last good page kept"
    );
    std::fs::write(&note, good).unwrap();
    assert!(next_event("ok").is_some(), "error cleared");
}

#[test]
fn a_themes_folder_created_while_serving_is_watched() {
    let site = Site::fixture("crosslinks");
    let served = Served::start(&site);
    let css = include_str!("../themes/default/static/style.css");
    site.write(
        "themes/default/static/style.css",
        format!("{css}\n/* one */\n"),
    );
    assert!(served.wait_rebuilds(1, WAIT), "{}", served.log());
    std::thread::sleep(Duration::from_millis(300));
    site.write(
        "themes/default/static/style.css",
        format!("{css}\n/* two */\n"),
    );
    let found = wait_for(WAIT, || {
        let assets = std::fs::read_dir(site.public().join("assets")).ok()?;
        assets
            .filter_map(|e| e.ok())
            .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("/* two */")))
            .then_some(())
    });
    assert!(found.is_some(), "second edit picked up: {}", served.log());
}
