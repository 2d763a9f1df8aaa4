//! GitHub Pages hosting and `cheatgen init`: scaffold → build, the workflow, subpath
//! base URLs end to end (links, CSS, search index, 404 page, sitemap, feed), and the
//! crate packaging the embedded theme.

use crate::common;
use crate::common::server::StaticServer;
use crate::common::{check_links, sel, Site};
use serde_json::Value;
use std::collections::{BTreeSet, VecDeque};

fn init(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut cmd = assert_cmd::Command::cargo_bin("cheatgen").unwrap();
    cmd.arg("init").arg(dir).args(args).output().unwrap()
}

#[test]
fn init_scaffolds_a_site_that_builds_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my-notes");
    let out = init(&dir, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "cheatgen.toml",
        ".gitignore",
        "README.md",
        ".github/workflows/pages.yml",
        "content/git.md",
        "content/shell.md",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    assert!(std::fs::read_to_string(dir.join(".gitignore"))
        .unwrap()
        .contains("/public/"));
    let build = assert_cmd::Command::cargo_bin("cheatgen")
        .unwrap()
        .current_dir(&dir)
        .args(["build", "--strict"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert_eq!(build.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("0 warnings"), "{stderr}");
    assert!(stderr.contains("2 sheets"), "both note shapes: {stderr}");
    let home = std::fs::read_to_string(dir.join("public/index.html")).unwrap();
    assert!(
        home.contains("<title>My notes</title>"),
        "title from the folder name"
    );
    // After a build, git sees only the scaffold: the output and the lock and manifest
    // beside it are ignored.
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git")
            .current_dir(&dir)
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    git(&["init", "-q"]);
    let untracked = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!untracked.contains("cheatgen-"), "{untracked}");
    assert!(!untracked.contains("public/"), "{untracked}");

    // The workflow parses and deploys with the official actions and permissions.
    let yaml: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(dir.join(".github/workflows/pages.yml")).unwrap(),
    )
    .unwrap();
    let deploy = &yaml["jobs"]["deploy"];
    assert_eq!(deploy["permissions"]["pages"].as_str(), Some("write"));
    assert_eq!(deploy["permissions"]["id-token"].as_str(), Some("write"));
    assert_eq!(deploy["needs"].as_str(), Some("build"));
    assert_eq!(yaml["concurrency"]["group"].as_str(), Some("pages"));
    let uses: Vec<String> = ["build", "deploy"]
        .iter()
        .flat_map(|j| yaml["jobs"][*j]["steps"].as_sequence().unwrap().clone())
        .filter_map(|s| s["uses"].as_str().map(str::to_string))
        .collect();
    for action in [
        "actions/checkout@",
        // actions/configure-pages runs inside the cheatgen action (action.yml).
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
    ] {
        assert!(
            uses.iter().any(|u| u.starts_with(action)),
            "{action} in {uses:?}"
        );
    }
    // How the build step gets cheatgen (the action, pinned versions): `distribution`.
}

#[test]
fn init_never_overwrites_without_force_and_keeps_notes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    assert!(init(&dir, &["--title", "Mine"]).status.success());
    std::fs::write(dir.join("cheatgen.toml"), "title = \"edited\"\n").unwrap();
    std::fs::write(dir.join("content/mine.md"), "# Mine\n").unwrap();
    let before = common::snapshot(&dir);
    let out = init(&dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cheatgen.toml")
            && err.contains("nothing was changed")
            && err.contains("--force"),
        "{err}"
    );
    assert_eq!(before, common::snapshot(&dir), "nothing changed");

    std::fs::remove_file(dir.join("content/git.md")).unwrap();
    let out = init(&dir, &["--force"]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(dir.join("cheatgen.toml"))
        .unwrap()
        .contains("title ="));
    assert!(
        !dir.join("content/git.md").exists(),
        "a content/ with notes is never touched"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("content/mine.md")).unwrap(),
        "# Mine\n"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("kept your notes"));
    let bad = init(&tmp.path().join("x"), &["--base-url", "ftp://nope"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Every URL the site itself references: HTML links, CSS `url()`s and search results.
fn all_css_and_search_urls(public: &std::path::Path) -> Vec<String> {
    let mut urls = Vec::new();
    for e in walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "css") {
            let css = std::fs::read_to_string(p).unwrap();
            for part in css.split("url(").skip(1) {
                let u = part
                    .split(')')
                    .next()
                    .unwrap()
                    .trim_matches(['"', '\'', ' ']);
                if !u.starts_with("data:") {
                    urls.push(u.to_string());
                }
            }
        }
        if p.parent().is_some_and(|d| d.ends_with("search/d")) {
            let raw = cheatgen::search::format::gunzip(&std::fs::read(p).unwrap()).unwrap();
            let docs: Value = serde_json::from_slice(&raw).unwrap();
            urls.extend(
                docs.as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["u"].as_str().unwrap().to_string()),
            );
        }
    }
    urls
}

#[test]
fn project_site_under_a_subpath_works_end_to_end() {
    let site = Site::fixture("crosslinks");
    site.write(
        "content/dated.md",
        "---\ntitle: Dated\nupdated: 2026-03-04\ndescription: Has a date\n---\n# Card\n",
    );
    site.write(
        "cheatgen.toml",
        "title = \"Notes\"\ncname = \"notes.example.org\"\n",
    );
    // No trailing slash: normalised.
    site.build_ok(&["--strict", "--base-url", "https://user.github.io/repo"]);
    let public = site.public();
    assert_eq!(check_links(&public, "/repo/"), Vec::<String>::new());
    let extra = all_css_and_search_urls(&public);
    assert!(extra.iter().any(|u| u.contains('#')), "search URLs checked");
    for u in &extra {
        assert!(u.starts_with("/repo/") || u.starts_with("http"), "{u}");
    }

    // Sitemap: every sheet, absolute.
    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    for p in ["git/basics/", "git/rebase/", "python/venv/", "dated/"] {
        assert!(
            sitemap.contains(&format!("<loc>https://user.github.io/repo/{p}</loc>")),
            "{p}: {sitemap}"
        );
    }
    assert!(sitemap.contains("<lastmod>2026-03-04</lastmod>"));
    let robots = std::fs::read_to_string(public.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://user.github.io/repo/sitemap.xml"));
    assert_eq!(
        std::fs::read_to_string(public.join("CNAME")).unwrap(),
        "notes.example.org\n"
    );
    assert!(public.join(".nojekyll").is_file());
    let feed = std::fs::read_to_string(public.join("atom.xml")).unwrap();
    assert!(
        feed.contains("<link href=\"https://user.github.io/repo/dated/\"/>")
            && feed.contains("<updated>2026-03-04T00:00:00Z</updated>"),
        "{feed}"
    );
    assert_eq!(feed.matches("<entry>").count(), 1, "only dated sheets");

    let page = site.page("git/basics/index.html");
    let attr = |s: &str, a: &str| {
        page.select(&sel(s))
            .next()
            .and_then(|e| e.value().attr(a).map(str::to_string))
    };
    assert_eq!(
        attr("link[rel=canonical]", "href").as_deref(),
        Some("https://user.github.io/repo/git/basics/")
    );
    assert_eq!(
        attr("meta[property='og:url']", "content").as_deref(),
        Some("https://user.github.io/repo/git/basics/")
    );
    assert_eq!(
        attr("meta[property='og:title']", "content").as_deref(),
        Some("Git basics")
    );
    assert_eq!(
        attr("link[type='application/atom+xml']", "href").as_deref(),
        Some("/repo/atom.xml")
    );

    // Served like GitHub Pages serves a project site: crawl every link from the home page.
    let server = StaticServer::start(&public, "/repo/");
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["/repo/".to_string()]);
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let res = common::http::get(server.port, &path);
        assert_eq!(res.status, 200, "{path}");
        if res
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/html"))
        {
            let doc = scraper::Html::parse_document(&res.text());
            for (tag, a) in [
                ("a", "href"),
                ("link", "href"),
                ("script", "src"),
                ("img", "src"),
            ] {
                for el in doc.select(&sel(&format!("{tag}[{a}]"))) {
                    let u = el
                        .value()
                        .attr(a)
                        .unwrap()
                        .split('#')
                        .next()
                        .unwrap()
                        .to_string();
                    if u.starts_with('/') && !seen.contains(&u) {
                        queue.push_back(u);
                    }
                }
            }
        }
    }
    assert!(seen.len() > 15, "crawled {} URLs", seen.len());

    // The 404 page works from a nested missing path: all its links resolve.
    let missing = common::http::get(server.port, "/repo/deep/er/missing/page/");
    assert_eq!(missing.status, 404);
    let doc = scraper::Html::parse_document(&missing.text());
    let mut checked = 0;
    for (tag, a) in [("a", "href"), ("link", "href"), ("script", "src")] {
        for el in doc.select(&sel(&format!("{tag}[{a}]"))) {
            let u = el.value().attr(a).unwrap();
            if u.starts_with("http") || u.starts_with('#') || u.starts_with("data:") {
                continue;
            }
            assert!(u.starts_with("/repo/"), "{u}");
            assert_eq!(common::http::get(server.port, u).status, 200, "{u}");
            checked += 1;
        }
    }
    assert!(checked >= 4);
}

#[test]
fn relative_base_path_works_too() {
    let site = Site::fixture("crosslinks");
    site.build_ok(&["--base-url", "/repo"]);
    assert_eq!(check_links(&site.public(), "/repo/"), Vec::<String>::new());
    assert!(
        !site.public().join("sitemap.xml").exists(),
        "no absolute URLs, no sitemap"
    );
    assert!(std::fs::read_to_string(site.public().join("robots.txt"))
        .unwrap()
        .starts_with("User-agent: *"));
}

#[test]
fn package_includes_the_embedded_theme() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "themes/default/templates/base.html",
        "themes/default/static/search.js",
        "src/cli/init/files/pages.yml",
        "src/serve/livereload.js",
        "README.md",
        "Cargo.toml",
    ] {
        assert!(list.lines().any(|l| l == f), "{f} missing from the package");
    }
    assert!(
        !list
            .lines()
            .any(|l| l.starts_with("public/") || l.starts_with("bench/corpus")),
        "no build output"
    );
}
