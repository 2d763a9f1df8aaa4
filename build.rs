//! Build script: rebuild when the embedded default theme changes (include_dir cannot tell
//! cargo itself), and record the commit the binary is built from for `--version`.
//!
//! The commit comes from `git` when the crate root is the top of a git checkout (a clone,
//! `cargo install --git`), else from `.cargo_vcs_info.json` (a crates.io package), else it
//! is left out: a tarball build still compiles and prints just the version.
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let commit = git_commit(Path::new(&manifest_dir)).or_else(|| packaged_commit(&manifest_dir));
    let suffix = match commit {
        Some((hash, Some(date))) => format!(" ({hash} {date})"),
        Some((hash, None)) => format!(" ({hash})"),
        None => String::new(),
    };
    println!("cargo:rustc-env=CHEATGEN_COMMIT_SUFFIX={suffix}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Short hash and commit date, only when the crate root is the checkout's top level (a
/// crate vendored inside another repository must not report that repository's commit).
fn git_commit(dir: &Path) -> Option<(String, Option<String>)> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    // Rebuild when HEAD moves: HEAD itself (checkout) and the branch it points to (commit).
    for name in ["HEAD", "packed-refs"] {
        watch(dir, name);
    }
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch(dir, &branch);
    }
    let hash = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    let date = git(dir, &["log", "-1", "--format=%cs", "HEAD"]);
    Some((hash, date))
}

fn watch(dir: &Path, git_path: &str) {
    if let Some(path) = git(
        dir,
        &[
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            git_path,
        ],
    ) {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

/// `cargo package` records the commit in `.cargo_vcs_info.json` (`{"git": {"sha1": …}}`).
fn packaged_commit(manifest_dir: &str) -> Option<(String, Option<String>)> {
    let text =
        std::fs::read_to_string(Path::new(manifest_dir).join(".cargo_vcs_info.json")).ok()?;
    let start = text.find("\"sha1\"")? + "\"sha1\"".len();
    let hash: String = text[start..]
        .chars()
        .skip_while(|c| !c.is_ascii_hexdigit())
        .take_while(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    (hash.len() == 12).then_some((hash, None))
}
