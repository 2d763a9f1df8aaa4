//! The composite action (`action.yml`): its bash steps run here as a GitHub runner would
//! run them (`bash --noprofile --norc -eo pipefail`, `${{ }}` expressions substituted into
//! `env`, `GITHUB_OUTPUT`/`GITHUB_PATH` files), against the fake release of this version.

use super::release_server::REPO;
use super::{cheatgen, real_release, stderr, VERSION};
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn action() -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(Path::new(REPO).join("action.yml")).unwrap())
        .unwrap()
}

fn step<'a>(action: &'a Value, id: &str) -> &'a Value {
    action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no step {id}"))
}

/// `text` with every `${{ expr }}` replaced from `exprs`; an unknown expression fails the
/// test (the action grew one this runner does not model).
fn substitute(text: &str, exprs: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}").unwrap() + start;
        let expr = rest[start + 3..end].trim();
        let value = exprs
            .get(expr)
            .unwrap_or_else(|| panic!("expression {expr:?} not modelled"));
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out + rest
}

struct Runner {
    exprs: BTreeMap<String, String>,
    env: Vec<(String, String)>,
    temp: tempfile::TempDir,
}

impl Runner {
    /// Runs the `run` step `id`; returns its stdout and records its outputs as
    /// `steps.<id>.outputs.<name>` expressions.
    fn run(&mut self, action: &Value, id: &str) -> String {
        let step = step(action, id);
        assert_eq!(step["shell"].as_str(), Some("bash"), "{id}");
        let outputs = self.temp.path().join(format!("output-{id}"));
        std::fs::write(&outputs, "").unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
            .arg(step["run"].as_str().unwrap())
            .env("GITHUB_OUTPUT", &outputs)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        if let Some(env) = step["env"].as_mapping() {
            for (k, v) in env {
                cmd.env(
                    k.as_str().unwrap(),
                    substitute(v.as_str().unwrap(), &self.exprs),
                );
            }
        }
        if let Some(dir) = step["working-directory"].as_str() {
            cmd.current_dir(substitute(dir, &self.exprs));
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "step {id} failed:\n{}", stderr(&out));
        for line in std::fs::read_to_string(&outputs).unwrap().lines() {
            let (k, v) = line.split_once('=').unwrap();
            self.exprs
                .insert(format!("steps.{id}.outputs.{k}"), v.to_string());
        }
        String::from_utf8(out.stdout).unwrap()
    }
}

#[test]
fn action_installs_the_release_and_builds_the_site() {
    let (server, _) = real_release();
    let action = action();
    let temp = tempfile::tempdir().unwrap();
    let tool_cache = temp.path().join("toolcache");
    let site = temp.path().join("site");
    let init = Command::new(cheatgen())
        .args(["init", "--ci", "none", "--title", "Demo"])
        .arg(&site)
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", stderr(&init));
    let base_url = "https://user.github.io/demo";
    let exprs = [
        ("inputs.version", ""),
        ("inputs.args", "build"),
        ("inputs.base-url", base_url),
        ("inputs.working-directory", site.to_str().unwrap()),
        // configure-pages is skipped when base-url is given, so `a || b` is `a`.
        ("inputs.base-url || steps.pages.outputs.base_url", base_url),
    ];
    let github_path = temp.path().join("github-path");
    std::fs::write(&github_path, "").unwrap();
    let mut runner = Runner {
        exprs: exprs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        env: vec![
            ("GITHUB_ACTION_PATH".into(), REPO.into()),
            ("GITHUB_PATH".into(), github_path.display().to_string()),
            ("RUNNER_TOOL_CACHE".into(), tool_cache.display().to_string()),
            ("RUNNER_ARCH".into(), "X64".into()),
            ("HOME".into(), temp.path().display().to_string()),
            ("CHEATGEN_DOWNLOAD_URL".into(), server.releases_url()),
        ],
        temp,
    };

    // No version input: the action's own Cargo.toml names it.
    runner.run(&action, "version");
    let install_dir = tool_cache.join(format!("cheatgen/{VERSION}/X64"));
    assert_eq!(runner.exprs["steps.version.outputs.version"], VERSION);
    assert_eq!(
        runner.exprs["steps.version.outputs.dir"],
        install_dir.display().to_string()
    );
    runner.run(&action, "install");
    assert!(install_dir.join("cheatgen").is_file());
    runner.run(&action, "path");
    let on_path = std::fs::read_to_string(&github_path).unwrap();
    assert_eq!(on_path.trim(), install_dir.display().to_string());

    // Only the installed binary is on PATH for the build step.
    let system_path: Vec<PathBuf> = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .filter(|p| !p.join("cheatgen").exists())
        .collect();
    let path = std::env::join_paths(std::iter::once(install_dir.clone()).chain(system_path));
    runner
        .env
        .push(("PATH".into(), path.unwrap().to_string_lossy().into_owned()));
    let log = runner.run(&action, "run");
    assert!(
        log.contains("cheatgen build --base-url https://user.github.io/demo/"),
        "{log}"
    );
    assert_eq!(
        runner.exprs["steps.run.outputs.base-url"],
        "https://user.github.io/demo/"
    );
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(home.contains("href=\"/demo/"), "built for the subpath");

    // A --base-url in args wins over the input (and is not passed twice).
    runner
        .exprs
        .insert("inputs.args".into(), "build --base-url /other/".into());
    let log = runner.run(&action, "run");
    assert!(log.contains("cheatgen build --base-url /other/\n"), "{log}");
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(
        home.contains("href=\"/other/"),
        "built for the args' base URL"
    );
}

#[test]
fn action_declares_its_inputs_and_wires_the_steps() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for (input, default) in [
        ("version", ""),
        ("args", "build"),
        ("base-url", ""),
        ("working-directory", "."),
    ] {
        assert_eq!(
            action["inputs"][input]["default"].as_str(),
            Some(default),
            "{input}"
        );
    }
    let uses = |id: &str| step(&action, id)["uses"].as_str().unwrap().to_string();
    assert!(uses("cache").starts_with("actions/cache@"));
    assert!(uses("pages").starts_with("actions/configure-pages@"));
    assert_eq!(
        step(&action, "pages")["if"].as_str(),
        Some("inputs.base-url == '' && startsWith(inputs.args, 'build') && !contains(inputs.args, '--base-url')"),
        "the Pages URL is looked up only when it is needed"
    );
    assert_eq!(
        step(&action, "install")["if"].as_str(),
        Some("steps.cache.outputs.cache-hit != 'true'"),
        "a cached binary is not downloaded again"
    );
    assert!(step(&action, "install")["run"]
        .as_str()
        .unwrap()
        .contains("$INSTALL_SCRIPT"));
}

#[test]
fn action_hands_windows_paths_to_path_and_cache_and_unix_paths_to_bash() {
    let temp = tempfile::tempdir().unwrap();
    // Git for Windows' cygpath, as far as this step uses it.
    let bin = temp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    super::make_executable(
        &bin.join("cygpath"),
        "#!/bin/sh\ncase \"$1\" in -w) echo \"C:$2\" | tr / '\\\\' ;; -u) echo \"/c$2\" ;; esac\n",
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut runner = Runner {
        exprs: [("inputs.version".to_string(), "v1.2.3".to_string())].into(),
        env: vec![
            ("GITHUB_ACTION_PATH".into(), "/a/_actions/cheatgen".into()),
            ("RUNNER_TOOL_CACHE".into(), "/hostedtoolcache".into()),
            ("RUNNER_ARCH".into(), "X64".into()),
            ("PATH".into(), path),
        ],
        temp,
    };
    runner.run(&action(), "version");
    let out = |k: &str| runner.exprs[&format!("steps.version.outputs.{k}")].clone();
    assert_eq!(out("version"), "1.2.3", "a leading v is dropped");
    assert_eq!(out("dir"), "C:\\hostedtoolcache\\cheatgen\\1.2.3\\X64");
    assert_eq!(out("install-dir"), "/c/hostedtoolcache/cheatgen/1.2.3/X64");
    assert_eq!(out("script"), "/c/a/_actions/cheatgen/install.sh");
}
