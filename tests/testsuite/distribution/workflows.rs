//! The repository's own CI: its workflows keep deploy rights on deploy jobs only and give
//! `actions/configure-pages` the read right it needs; the browser tests find Chrome in the
//! same order as ci.yml.

use super::release_server::REPO;
use crate::common::browser::find_browser;
use serde_yaml::Value;
use std::ffi::OsString;
use std::path::Path;

fn workflows() -> Vec<(String, Value)> {
    let dir = Path::new(REPO).join(".github/workflows");
    let mut all: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .map(|p| {
            let yaml = serde_yaml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), yaml)
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

#[test]
fn repository_workflows_scope_pages_rights_to_the_jobs_that_need_them() {
    let all = workflows();
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ci.yml", "pages.yml", "release.yml"]);
    for (file, yaml) in &all {
        let top = &yaml["permissions"];
        assert_eq!(
            top["contents"].as_str(),
            Some("read"),
            "{file}: read-only default"
        );
        for (name, job) in yaml["jobs"].as_mapping().unwrap() {
            let name = name.as_str().unwrap();
            let perms = &job["permissions"];
            let deploys = job["steps"].as_sequence().into_iter().flatten().any(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/deploy-pages@"))
            });
            for scope in ["pages", "id-token"] {
                let write = perms[scope].as_str() == Some("write");
                assert_eq!(write, deploys, "{file}: job {name}: {scope}: write");
            }
            let configures = job["steps"].as_sequence().into_iter().flatten().any(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/configure-pages@"))
            });
            if configures {
                assert_eq!(
                    perms["pages"].as_str(),
                    Some("read"),
                    "{file}: job {name} runs configure-pages"
                );
            }
        }
    }
}

#[test]
fn release_matrix_builds_the_five_targets_and_checksums() {
    let all = workflows();
    let release = &all.iter().find(|(n, _)| n == "release.yml").unwrap().1;
    let targets: Vec<&str> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
    let text =
        std::fs::read_to_string(Path::new(REPO).join(".github/workflows/release.yml")).unwrap();
    for needle in [
        "scripts/package.sh",
        "sha256sum cheatgen-* > SHA256SUMS",
        "scripts/extras.sh",
        "cargo publish",
    ] {
        assert!(text.contains(needle), "release.yml: {needle}");
    }
}

/// A PATH of temp dirs holding fake browsers named `names` (in dir order).
fn fake_path(tmp: &Path, names: &[&str]) -> OsString {
    let dirs: Vec<std::path::PathBuf> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let dir = tmp.join(format!("d{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            super::make_executable(&dir.join(name), "#!/bin/sh\n");
            dir
        })
        .collect();
    std::env::join_paths(dirs).unwrap()
}

#[test]
fn browser_tests_find_chrome_in_the_ci_order() {
    let tmp = tempfile::tempdir().unwrap();
    let all = fake_path(
        tmp.path(),
        &["chromium-browser", "chromium", "google-chrome"],
    );
    let found = find_browser(None, Some(all.clone())).unwrap();
    assert!(found.ends_with("d2/google-chrome"), "{found:?}");
    let two = fake_path(&tmp.path().join("b"), &["chromium-browser", "chromium"]);
    assert!(find_browser(None, Some(two.clone()))
        .unwrap()
        .ends_with("d1/chromium"));
    let one = fake_path(&tmp.path().join("c"), &["chromium-browser"]);
    assert!(find_browser(None, Some(one))
        .unwrap()
        .ends_with("d0/chromium-browser"));

    // $CHROME wins, and must exist; nothing found is an error that says what was tried.
    let chrome = tmp.path().join("d0/chromium-browser");
    assert_eq!(
        find_browser(Some(chrome.clone().into()), Some(all)).unwrap(),
        chrome
    );
    let err = find_browser(Some("/nonexistent/chrome".into()), Some(two)).unwrap_err();
    assert!(err.contains("/nonexistent/chrome"), "{err}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let err = find_browser(None, Some(empty.into())).unwrap_err();
    assert!(
        err.contains("google-chrome") && err.contains("CHROME"),
        "{err}"
    );
}
