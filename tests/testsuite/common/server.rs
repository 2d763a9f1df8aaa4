//! A small real HTTP server for tests: serves a directory on a free loopback port, under
//! a URL prefix (`/` or `/repo/` like a GitHub project site), with `index.html` for
//! folders and the site's `404.html` (status 404) for anything else; and `served_fixture`,
//! a fixture site built for such a server.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

/// The fixture `case` built for, and served by, a static server under `base` (`/`, or a
/// project-site prefix like `/repo/`). Keep the `Site`: its temp dir holds what is served.
pub fn served_fixture(case: &str, base: &str) -> (super::Site, StaticServer) {
    let site = super::Site::fixture(case);
    let server = StaticServer::start(&site.public(), base);
    site.build_ok(&["--base-url", &server.url(base)]);
    (site, server)
}

pub struct StaticServer {
    pub port: u16,
}

impl StaticServer {
    pub fn start(root: &Path, prefix: &str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let root = root.to_path_buf();
        let pre = prefix.to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, pre) = (root.clone(), pre.clone());
                std::thread::spawn(move || handle(stream, &root, &pre));
            }
        });
        StaticServer { port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}

fn handle(mut stream: TcpStream, root: &Path, prefix: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let file = path
        .strip_prefix(prefix)
        .and_then(|rest| resolve(root, &super::percent_decode(rest)));
    let (status, body, ctype) = match file {
        Some(f) => (
            "200 OK",
            std::fs::read(&f).unwrap_or_default(),
            content_type(&f),
        ),
        None => (
            "404 Not Found",
            std::fs::read(root.join("404.html")).unwrap_or_default(),
            "text/html; charset=utf-8",
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn resolve(root: &Path, rest: &str) -> Option<PathBuf> {
    if rest.split('/').any(|s| s == "..") {
        return None;
    }
    let mut f = root.join(rest);
    if f.is_dir() {
        f = f.join("index.html");
    }
    f.is_file().then_some(f)
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "text/javascript",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "gz" => "application/gzip",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}
