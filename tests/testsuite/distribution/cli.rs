//! What the binary says about distribution: the workflow `init` writes (the action at this
//! binary's major version, Pages permissions only where needed), `init --ci none`,
//! `--version` with the commit, and completions/man page as the release archives carry them.

use super::release_server::REPO;
use super::{cheatgen, stderr, VERSION};
use serde_yaml::Value;
use std::path::Path;
use std::process::Command;

fn init(dir: &Path, args: &[&str]) {
    let out = Command::new(cheatgen())
        .arg("init")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `pages`/`id-token` permissions granted in a `permissions` block (a mapping or the
/// `write-all` shorthand).
fn grants_write(permissions: &Value, scope: &str) -> bool {
    permissions.as_str() == Some("write-all") || permissions[scope].as_str() == Some("write")
}

#[test]
fn init_workflow_uses_the_action_at_the_binary_major_version() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &[]);
    let text = std::fs::read_to_string(tmp.path().join(".github/workflows/pages.yml")).unwrap();
    let yaml: Value = serde_yaml::from_str(&text).unwrap();

    let repo = env!("CARGO_PKG_REPOSITORY").trim_start_matches("https://github.com/");
    let action = format!("{repo}@v{}", env!("CARGO_PKG_VERSION_MAJOR"));
    let jobs = yaml["jobs"].as_mapping().unwrap();
    let steps: Vec<&Value> = jobs
        .values()
        .flat_map(|j| j["steps"].as_sequence().unwrap())
        .collect();
    let ours: Vec<&&Value> = steps
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.contains("cheatgen")))
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0]["uses"].as_str(), Some(action.as_str()));
    assert_eq!(
        ours[0]["with"]["version"].as_str(),
        Some(VERSION),
        "pinned to this exact release"
    );
    assert!(
        !steps.iter().any(|s| s["run"]
            .as_str()
            .is_some_and(|r| r.contains("cargo install"))),
        "no compiling on every deploy"
    );
    assert!(
        text.contains(&format!(
            "# - run: cargo install --locked --git {} cheatgen",
            env!("CARGO_PKG_REPOSITORY")
        )),
        "the build-from-source alternative is there, commented"
    );

    // Deploy rights only on the deploy job; the build job may read Pages (configure-pages).
    assert!(
        !grants_write(&yaml["permissions"], "pages")
            && !grants_write(&yaml["permissions"], "id-token")
    );
    for (name, job) in jobs {
        let deploy = name.as_str() == Some("deploy");
        for scope in ["pages", "id-token"] {
            assert_eq!(
                grants_write(&job["permissions"], scope),
                deploy,
                "{scope}: write on job {name:?}"
            );
        }
    }
    assert_eq!(
        yaml["jobs"]["build"]["permissions"]["pages"].as_str(),
        Some("read")
    );
    assert_eq!(
        yaml["jobs"]["build"]["permissions"]["contents"].as_str(),
        Some("read")
    );
}

#[test]
fn init_ci_none_writes_no_workflow() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &["--ci", "none"]);
    assert!(tmp.path().join("cheatgen.toml").is_file());
    assert!(!tmp.path().join(".github").exists());
    let readme = std::fs::read_to_string(tmp.path().join("README.md")).unwrap();
    assert!(!readme.contains("GitHub Pages"), "{readme}");

    let bad = Command::new(cheatgen())
        .args(["init", "--ci", "netlify"])
        .arg(tmp.path().join("other"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("possible values: pages, none"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn version_names_the_commit_of_a_checkout() {
    let out = Command::new(cheatgen()).arg("--version").output().unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(REPO)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"]);
    let in_checkout =
        top.is_some_and(|t| std::fs::canonicalize(t).ok() == std::fs::canonicalize(REPO).ok());
    if in_checkout {
        let hash = git(&["rev-parse", "--short=12", "HEAD"]).unwrap();
        let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap();
        assert_eq!(line, format!("cheatgen {VERSION} ({hash} {date})\n"));
    } else {
        assert_eq!(line, format!("cheatgen {VERSION}\n"));
    }
}

#[test]
fn completions_and_man_page_come_from_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("sh")
        .arg(Path::new(REPO).join("scripts/extras.sh"))
        .arg(cheatgen())
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let read = |f: &str| std::fs::read_to_string(tmp.path().join(f)).unwrap();
    let bash = read("completions/cheatgen.bash");
    assert!(
        bash.contains("_cheatgen()") && bash.contains("complete -F _cheatgen"),
        "{bash}"
    );
    assert!(read("completions/_cheatgen").starts_with("#compdef cheatgen"));
    assert!(read("completions/cheatgen.fish").contains("complete -c cheatgen"));
    assert!(read("completions/_cheatgen.ps1").contains("Register-ArgumentCompleter"));
    for sub in ["build", "serve", "check", "query", "init", "completions"] {
        assert!(bash.contains(sub), "{sub} in the bash completions");
    }
    assert!(
        bash.contains("--base-url") && bash.contains("pages none"),
        "flags and values complete"
    );
    let man = read("man/cheatgen.1");
    assert!(man.contains(".TH cheatgen 1"), "{man}");
    assert!(man.contains(".SH SUBCOMMANDS"), "{man}");
    // Every page cheatgen(1) refers to is there, with the command's options.
    let referred: Vec<&str> = man
        .split("cheatgen\\-")
        .skip(1)
        .filter_map(|rest| rest.split_once("(1)").map(|(name, _)| name))
        .collect();
    assert_eq!(
        referred,
        [
            "build",
            "check",
            "query",
            "serve",
            "init",
            "completions",
            "man"
        ]
    );
    for command in referred {
        let page = read(&format!("man/cheatgen-{command}.1"));
        assert!(
            page.contains(&format!(".TH cheatgen-{command} 1")),
            "{page}"
        );
        assert!(page.contains(&format!("cheatgen {VERSION}")), "{page}");
    }
    assert!(read("man/cheatgen-build.1").contains("\\-\\-base\\-url"));
}

#[test]
fn man_and_completions_reject_unknown_names() {
    let run = |args: &[&str]| Command::new(cheatgen()).args(args).output().unwrap();
    let out = run(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("no command \"nope\" (commands: build, check, query, serve, init"),
        "{}",
        stderr(&out)
    );
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("possible values: bash, elvish, fish, powershell, zsh"),
        "{}",
        stderr(&out)
    );
}
