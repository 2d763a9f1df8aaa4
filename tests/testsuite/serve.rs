//! `cheatgen serve` for real: the server on a free loopback port, the watcher, the
//! incremental rebuild and the live-reload events.

use crate::common;
use crate::common::browser::wait_for;
use crate::common::http::{get, request};
use crate::common::{Served, Site};
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
    let too_long = "/a".repeat(3000);
    for bad in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/git/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/assets/",
        &too_long,
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
        served.log().contains("rebuilt 1 note in"),
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
    let clean_snapshot = common::snapshot(&out);
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
        "GET /__cheatgen/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n\r\n",
        served.port
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
    let css = include_str!("../../themes/default/static/style.css");
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

/// Opens a live-reload stream and reads its response head.
fn open_events(port: u16) -> std::net::TcpStream {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /__cheatgen/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "stream head");
        head.push(byte[0]);
    }
    assert!(String::from_utf8_lossy(&head).starts_with("HTTP/1.1 200"));
    s
}

/// Reads until the server closes `s` (true) or nothing happens before `deadline`.
fn closed_by_server(mut s: &std::net::TcpStream, deadline: std::time::Instant) -> bool {
    use std::io::Read;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        s.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn answers_only_to_loopback_host_names() {
    let site = Site::fixture("crosslinks");
    let served = Served::start(&site);
    let p = served.port;
    let ask = |target: &str, host: &str| {
        request(
            p,
            &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
    };
    for host in [
        format!("localhost:{p}"),
        format!("127.0.0.1:{p}"),
        format!("[::1]:{p}"),
        format!("notes.localhost:{p}"),
    ] {
        assert_eq!(ask("/", &host).status, 200, "{host}");
    }
    let other_port = if p == u16::MAX { p - 1 } else { p + 1 };
    for host in [
        format!("evil.example:{p}"),
        format!("localhost.evil.example:{p}"),
        format!("127.0.0.1:{other_port}"),
        "localhost".to_string(),
    ] {
        for target in ["/", "/git/basics/", "/__cheatgen/events", "/no/such/"] {
            let r = ask(target, &host);
            assert_eq!(r.status, 403, "{host} {target}");
            assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
            assert!(r.text().starts_with("Blocked request"), "{}", r.text());
            assert!(!r.text().contains("<html"), "no page for {host}");
        }
    }
    let absolute = request(
        p,
        &format!("GET http://evil.example:{p}/ HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(absolute.status, 403, "absolute-form target names the host");
    let no_host = request(p, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(no_host.status, 400);
    let two_hosts = request(
        p,
        &format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nHost: evil.example:{p}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(two_hosts.status, 400);
}

#[test]
fn idle_and_slow_connections_are_closed_but_live_reload_stays() {
    use std::io::Write;
    let site = Site::fixture("crosslinks");
    let served = Served::start_with_env(&site, &[("CHEATGEN_SERVE_TIMEOUT_MS", "1000")]);
    let p = served.port;
    let mut events = open_events(p);
    let started = std::time::Instant::now();
    let idle: Vec<std::net::TcpStream> = (0..3000)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", p)).unwrap())
        .collect();
    // A head that never ends, and a keep-alive connection left idle after a response.
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
    write!(slow, "GET / HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n").unwrap();
    let mut kept = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
    write!(
        kept,
        "GET /files/card.txt HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n"
    )
    .unwrap();
    assert_eq!(get(p, "/").status, 200, "answers while 3,000 sit idle");
    eprintln!("3,000 connections opened in {:?}", started.elapsed());

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let open = idle.iter().position(|s| !closed_by_server(s, deadline));
    assert_eq!(open, None, "every idle connection closed by the server");
    eprintln!("all closed after {:?}", started.elapsed());
    assert!(closed_by_server(&slow, deadline), "slow head closed");
    assert!(closed_by_server(&kept, deadline), "idle keep-alive closed");
    assert_eq!(get(p, "/").status, 200, "still serving");

    // The live-reload stream outlived the timeout and still delivers.
    let note = site.root().join("content/git/basics.md");
    let text = std::fs::read_to_string(&note).unwrap();
    std::fs::write(&note, text.replace("### Commit", "### Commit it")).unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !seen.contains("event: reload") {
        assert!(std::time::Instant::now() < deadline, "no reload: {seen}");
        use std::io::Read;
        let n = events.read(&mut buf).expect("reload event on the stream");
        assert!(n > 0, "stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

#[test]
fn a_range_request_for_a_page_gets_the_whole_page() {
    let site = Site::fixture("crosslinks");
    let served = Served::start(&site);
    let p = served.port;
    let with_range = |method: &str, target: &str, range: &str| {
        request(
            p,
            &format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nRange: {range}\r\nConnection: close\r\n\r\n"),
        )
    };
    let whole = get(p, "/git/basics/");
    for range in ["bytes=0-9", "bytes=-20", "bytes=99999999-"] {
        let r = with_range("GET", "/git/basics/", range);
        assert_eq!(r.status, 200, "{range}");
        assert_eq!(r.header("content-range"), None);
        assert_eq!(r.body, whole.body, "{range}: the whole page");
        assert!(r.text().contains("/__cheatgen/livereload.js"));
        assert!(r.text().trim_end().ends_with("</html>"));
        assert_eq!(
            r.header("content-length"),
            Some(r.body.len().to_string().as_str())
        );
    }
    assert_eq!(
        whole.header("accept-ranges"),
        None,
        "no ranges offered on pages"
    );
    let head = with_range("HEAD", "/git/basics/", "bytes=0-9");
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(whole.body.len().to_string().as_str()),
        "HEAD says the length GET sends"
    );
    // Other files keep byte ranges.
    let card = with_range("GET", "/files/card.txt", "bytes=0-4");
    assert_eq!((card.status, card.text().as_str()), (206, "plain"));
    assert_eq!(card.header("content-range"), Some("bytes 0-4/11"));
}

#[cfg(unix)]
#[test]
fn sigterm_and_sigint_stop_the_server_while_live_reload_is_open() {
    use std::io::Read;
    for signal in ["TERM", "INT"] {
        let site = Site::fixture("crosslinks");
        let mut served = Served::start(&site);
        let mut events = open_events(served.port);
        let _idle = std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap();
        let started = std::time::Instant::now();
        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), served.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = wait_for(Duration::from_secs(10), || served.child.try_wait().unwrap());
        let took = started.elapsed();
        eprintln!("SIG{signal}: exited in {} ms", took.as_millis());
        let status =
            status.unwrap_or_else(|| panic!("SIG{signal}: still running\n{}", served.log()));
        assert_eq!(status.code(), Some(0), "SIG{signal}\n{}", served.log());
        assert!(took < Duration::from_secs(5), "SIG{signal}: {took:?}");
        let mut rest = Vec::new();
        events
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        assert!(events.read_to_end(&mut rest).is_ok(), "stream ended");
    }
}
