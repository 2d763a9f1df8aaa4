//! Distribution: `install.sh` and the GitHub Action's steps run against a fake release on a
//! real loopback server (good archive, latest, corrupted, missing, unknown platform,
//! Windows zip, Rosetta), the workflow `init` writes, the repository's workflows, the
//! browser lookup, `--version`, completions and man pages.

mod action;
mod cli;
mod release_server;
mod workflows;

use release_server::{host_target, stand_in_binary, Pack, ReleaseServer, REPO};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn cheatgen() -> PathBuf {
    assert_cmd::cargo::cargo_bin("cheatgen")
}

/// The release of this very version, packed from the real binary (slow to pack, so one
/// per test binary).
fn real_release() -> &'static (ReleaseServer, Vec<PathBuf>) {
    static RELEASE: OnceLock<(ReleaseServer, Vec<PathBuf>)> = OnceLock::new();
    RELEASE.get_or_init(|| {
        let server = ReleaseServer::start();
        let archives = server.publish(VERSION, &[&host_target()], &cheatgen(), Pack::Real);
        (server, archives)
    })
}

/// Runs `install.sh ARGS` with HOME in `home` (so nothing outside the temp dir is ever
/// touched), releases from `server`, and `fake_uname` (os, machine) if given.
fn install_sh(
    server: &ReleaseServer,
    home: &Path,
    env: &[(&str, &str)],
    args: &[&str],
    fake_uname: Option<(&str, &str)>,
) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg(Path::new(REPO).join("install.sh"))
        .args(args)
        .env("HOME", home)
        .env("CHEATGEN_DOWNLOAD_URL", server.releases_url())
        .env_remove("CHEATGEN_VERSION")
        .env_remove("CHEATGEN_INSTALL")
        .envs(env.iter().copied());
    if let Some((os, machine)) = fake_uname {
        let bin = home.join("fake-uname");
        std::fs::create_dir_all(&bin).unwrap();
        let script =
            format!("#!/bin/sh\ncase \"$1\" in -s) echo '{os}' ;; -m) echo '{machine}' ;; esac\n");
        make_executable(&bin.join("uname"), &script);
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", bin.display()));
    }
    cmd.output().unwrap()
}

fn make_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout_of(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        program.display(),
        stderr(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn install_sh_installs_the_archive_for_this_platform_and_the_binary_runs() {
    let (server, archives) = real_release();
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("bin");
    let dest_str = dest.to_str().unwrap();
    let out = install_sh(
        server,
        tmp.path(),
        &[("CHEATGEN_INSTALL", dest_str)],
        &["--version", VERSION],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("installed cheatgen {VERSION}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stdout_of(&dest.join("cheatgen"), &["--version"]),
        stdout_of(&cheatgen(), &["--version"]),
        "the installed binary is the released one and runs"
    );
    // The archive carries what the issue lists, under one top-level folder.
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(&archives[0])
        .output()
        .unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    let top = format!("cheatgen-{VERSION}-{}/", host_target());
    for f in [
        "cheatgen",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "man/cheatgen.1",
        "man/cheatgen-build.1",
        "completions/_cheatgen",
        "completions/cheatgen.bash",
        "completions/cheatgen.fish",
        "completions/_cheatgen.ps1",
    ] {
        assert!(
            listing.lines().any(|l| l == format!("{top}{f}")),
            "{f} missing from:\n{listing}"
        );
    }
}

#[test]
fn install_sh_defaults_to_the_latest_release_and_local_bin() {
    let server = ReleaseServer::start();
    let tmp = tempfile::tempdir().unwrap();
    for v in ["0.3.0", "0.4.0"] {
        server.publish(
            v,
            &[&host_target()],
            &stand_in_binary(tmp.path(), v),
            Pack::StandIn,
        );
    }
    server.set_latest("0.4.0");
    let out = install_sh(&server, tmp.path(), &[], &[], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let installed = tmp.path().join(".local/bin/cheatgen");
    assert_eq!(
        stdout_of(&installed, &["--version"]),
        "cheatgen 0.4.0 (stand-in)\n"
    );
    assert!(
        stderr(&out).contains("is not on your PATH"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn install_sh_refuses_a_corrupted_archive() {
    let server = ReleaseServer::start();
    let tmp = tempfile::tempdir().unwrap();
    server.publish(
        "0.5.0",
        &[&host_target()],
        &stand_in_binary(tmp.path(), "0.5.0"),
        Pack::Corrupt,
    );
    let dest = tmp.path().join("bin");
    let out = install_sh(
        &server,
        tmp.path(),
        &[("CHEATGEN_INSTALL", dest.to_str().unwrap())],
        &["--version", "0.5.0"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: checksum mismatch for cheatgen-0.5.0-{}.tar.gz",
            host_target()
        )) && err.contains("nothing was installed"),
        "{err}"
    );
    assert!(!dest.join("cheatgen").exists(), "nothing installed");
}

#[test]
fn install_sh_names_what_is_missing() {
    let server = ReleaseServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("bin");
    let dest_env = [("CHEATGEN_INSTALL", dest.to_str().unwrap())];
    let out = install_sh(
        &server,
        tmp.path(),
        &dest_env,
        &["--version", "9.9.9"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let want = format!(
        "could not download {}/download/v9.9.9/cheatgen-9.9.9-{}.tar.gz",
        server.releases_url(),
        host_target()
    );
    assert!(stderr(&out).contains(&want), "{}", stderr(&out));

    // A release whose SHA256SUMS lacks this platform's archive is not trusted either.
    server.publish(
        "0.6.0",
        &["x86_64-pc-windows-msvc"],
        &stand_in_binary(tmp.path(), "0.6.0"),
        Pack::StandIn,
    );
    let other = format!("cheatgen-0.6.0-{}.tar.gz", host_target());
    let out = install_sh(
        &server,
        tmp.path(),
        &dest_env,
        &["--version", "0.6.0"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "could not download {}/download/v0.6.0/{other}",
            server.releases_url()
        )),
        "{}",
        stderr(&out)
    );
    assert!(!dest.join("cheatgen").exists());
}

#[test]
fn install_sh_reports_an_unknown_platform() {
    let server = ReleaseServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("bin");
    for (os, machine) in [
        ("FreeBSD", "amd64"),
        ("Linux", "riscv64"),
        ("MINGW64_NT-10.0-22631", "aarch64"),
    ] {
        let out = install_sh(
            &server,
            tmp.path(),
            &[("CHEATGEN_INSTALL", dest.to_str().unwrap())],
            &["--version", "0.1.0"],
            Some((os, machine)),
        );
        assert_eq!(out.status.code(), Some(1), "{os} {machine}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "error: no prebuilt cheatgen for this platform ({os} {machine})"
            )) && err.contains("cargo install --locked cheatgen")
                && !err.contains("downloading"),
            "{err}"
        );
    }
    assert!(!dest.exists(), "nothing installed");
}

#[test]
fn install_sh_prefers_the_native_build_under_rosetta() {
    let server = ReleaseServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let targets = ["x86_64-apple-darwin", "aarch64-apple-darwin"];
    let binary = stand_in_binary(tmp.path(), "0.8.0");
    server.publish("0.8.0", &targets, &binary, Pack::StandIn);
    let dest = tmp.path().join("bin");
    let dest_env = [("CHEATGEN_INSTALL", dest.to_str().unwrap())];
    let darwin = Some(("Darwin", "x86_64"));
    let plain = install_sh(
        &server,
        tmp.path(),
        &dest_env,
        &["--version", "0.8.0"],
        darwin,
    );
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert!(stderr(&plain).contains("cheatgen-0.8.0-x86_64-apple-darwin.tar.gz"));
    // install_sh puts its fake uname first on PATH; a fake sysctl beside it says "translated".
    make_executable(&tmp.path().join("fake-uname/sysctl"), "#!/bin/sh\necho 1\n");
    let rosetta = install_sh(
        &server,
        tmp.path(),
        &dest_env,
        &["--version", "0.8.0"],
        darwin,
    );
    assert_eq!(rosetta.status.code(), Some(0), "{}", stderr(&rosetta));
    assert!(
        stderr(&rosetta).contains("cheatgen-0.8.0-aarch64-apple-darwin.tar.gz"),
        "{}",
        stderr(&rosetta)
    );
}

#[test]
fn install_sh_installs_the_windows_zip_under_git_bash() {
    let server = ReleaseServer::start();
    let tmp = tempfile::tempdir().unwrap();
    server.publish(
        "0.7.0",
        &["x86_64-pc-windows-msvc"],
        &stand_in_binary(tmp.path(), "0.7.0"),
        Pack::StandIn,
    );
    let dest = tmp.path().join("bin");
    let out = install_sh(
        &server,
        tmp.path(),
        &[("CHEATGEN_INSTALL", dest.to_str().unwrap())],
        &["--version", "v0.7.0"],
        Some(("MINGW64_NT-10.0-20348", "x86_64")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout_of(&dest.join("cheatgen.exe"), &["--version"]),
        "cheatgen 0.7.0 (stand-in)\n"
    );
}

#[test]
fn install_sh_and_binstall_download_from_the_cargo_repository() {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let script = std::fs::read_to_string(Path::new(REPO).join("install.sh")).unwrap();
    assert!(
        script.contains(&format!("RELEASES_URL=\"{repository}/releases\"")),
        "install.sh must default to {repository}/releases"
    );
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(Path::new(REPO).join("Cargo.toml")).unwrap())
            .unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    assert_eq!(
        binstall["pkg-url"].as_str(),
        Some("{ repo }/releases/download/v{ version }/{ name }-{ version }-{ target }{ archive-suffix }")
    );
    assert_eq!(
        binstall["bin-dir"].as_str(),
        Some("{ name }-{ version }-{ target }/{ bin }{ binary-ext }")
    );
}
