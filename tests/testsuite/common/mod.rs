//! Shared helpers for integration tests: fixture sites in temp dirs, running the real
//! binary, parsing output HTML, and the output link checker.

use assert_cmd::Command;
use scraper::{Html, Selector};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A copy of `tests/fixtures/<case>` in a temp dir (tests may modify it freely).
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn fixture(case: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture_dir(case), dir.path());
        Site { dir }
    }

    pub fn empty() -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        Site { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("cheatgen").unwrap();
        cmd.current_dir(self.root()).args(args);
        cmd
    }

    /// Runs `cheatgen build <args>`; returns (exit code, stderr).
    pub fn build(&self, args: &[&str]) -> (i32, String) {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let out = self.cmd(&all).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn build_ok(&self, args: &[&str]) -> String {
        let (code, stderr) = self.build(args);
        assert_eq!(code, 0, "build failed:\n{stderr}");
        stderr
    }

    pub fn page(&self, rel: &str) -> Html {
        let text = std::fs::read_to_string(self.public().join(rel))
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        Html::parse_document(&text)
    }

    /// Every output file and its bytes.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(&self.public())
    }
}

/// `tests/fixtures/<case>` itself, for tests that only read it.
pub fn fixture_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case)
}

pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn copy_dir(src: &Path, dst: &Path) {
    for e in walkdir::WalkDir::new(src)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        let rel = e.path().strip_prefix(src).unwrap();
        let target = dst.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

pub fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

/// Visible text of the page body.
pub fn body_text(doc: &Html) -> String {
    doc.select(&sel("body")).flat_map(|b| b.text()).collect()
}

/// The output link checker: every `href`/`src`/`srcset` in every HTML file of `public`
/// that points inside the site must start with `base_path` and resolve to an existing
/// file, and a `#fragment` must name an id on the target page. Returns the problems.
pub fn check_links(public: &Path, base_path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut pages: BTreeMap<PathBuf, Html> = BTreeMap::new();
    for e in walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if e.path().extension().is_some_and(|x| x == "html") {
            let text = std::fs::read_to_string(e.path()).unwrap();
            pages.insert(e.path().to_path_buf(), Html::parse_document(&text));
        }
    }
    let attrs = [
        ("a", "href"),
        ("link", "href"),
        ("img", "src"),
        ("script", "src"),
        ("img", "srcset"),
        ("source", "srcset"),
    ];
    for (path, doc) in &pages {
        let from = path.strip_prefix(public).unwrap().display().to_string();
        for (tag, attr) in attrs {
            for el in doc.select(&sel(&format!("{tag}[{attr}]"))) {
                let raw = el.value().attr(attr).unwrap();
                let urls: Vec<&str> = if attr == "srcset" {
                    raw.split(',')
                        .filter_map(|c| c.split_whitespace().next())
                        .collect()
                } else {
                    vec![raw]
                };
                for url in urls {
                    if let Some(p) = check_url(public, base_path, path, url, &pages) {
                        problems.push(format!("{from}: {tag} {attr}={url:?}: {p}"));
                    }
                }
            }
        }
    }
    problems
}

fn check_url(
    public: &Path,
    base_path: &str,
    page: &Path,
    url: &str,
    pages: &BTreeMap<PathBuf, Html>,
) -> Option<String> {
    if url.starts_with("data:")
        || url.starts_with("mailto:")
        || url.contains("://")
        || url.starts_with("//")
    {
        return None;
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    let target = if path.is_empty() {
        page.to_path_buf()
    } else {
        let Some(rest) = path.strip_prefix(base_path) else {
            return Some(format!("does not start with the base path {base_path}"));
        };
        let rest = percent_decode(rest);
        let mut file = public.join(&rest);
        if rest.is_empty() || rest.ends_with('/') {
            file = file.join("index.html");
        }
        if !file.is_file() {
            return Some(format!("no file {}", file.display()));
        }
        file
    };
    if let Some(frag) = fragment.filter(|f| !f.is_empty()) {
        let doc = pages.get(&target)?;
        let found = doc
            .select(&sel("[id]"))
            .any(|e| e.value().attr("id") == Some(frag));
        if !found {
            return Some(format!("no element with id {frag:?}"));
        }
    }
    None
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub mod browser;
pub mod dialect;
pub mod http;
pub mod server;

/// A running `cheatgen serve` on a free loopback port; killed on drop.
pub struct Served {
    pub child: std::process::Child,
    pub port: u16,
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Served {
    pub fn start(site: &Site) -> Served {
        Served::start_with_env(site, &[])
    }

    /// [`Served::start`] with extra environment variables for the server process.
    pub fn start_with_env(site: &Site, env: &[(&str, &str)]) -> Served {
        use std::io::BufRead;
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cheatgen"))
            .args(["serve", "--port", "0"])
            .envs(env.iter().copied())
            .current_dir(site.root())
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(rest) = line.strip_prefix("serving http://127.0.0.1:") {
                    let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
                    let _ = tx.send(port);
                }
                log2.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let port = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("serve did not start");
        Served { child, port, log }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log has `n` lines starting with `rebuilt` (or a timeout).
    pub fn wait_rebuilds(&self, n: usize, timeout: std::time::Duration) -> bool {
        browser::wait_for(timeout, || {
            (self
                .log()
                .lines()
                .filter(|l| l.starts_with("rebuilt"))
                .count()
                >= n)
                .then_some(())
        })
        .is_some()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
