//! The shape of the integration tests (ARCHITECTURE.md, "Tests"): one test binary. A test
//! file beside `tests/testsuite/` would link the whole library into a binary of its own,
//! and a file inside it that no `mod` declares is never compiled, so its tests would
//! silently not run. All tests share one process, so none may change its environment or
//! current directory.

use std::path::{Path, PathBuf};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

#[test]
fn every_integration_test_is_in_the_one_test_binary() {
    // Cargo makes a test binary of every `tests/*.rs` and every `tests/*/main.rs`.
    let mut binaries: Vec<String> = std::fs::read_dir(tests_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs") || p.join("main.rs").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    binaries.sort();
    assert_eq!(
        binaries,
        ["testsuite"],
        "each area is a module of tests/testsuite/main.rs, not a test binary of its own"
    );
}

#[test]
fn every_file_of_the_test_binary_is_a_declared_module() {
    let root = tests_dir().join("testsuite");
    let undeclared: Vec<String> = walkdir::WalkDir::new(&root)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs") && *p != root.join("main.rs"))
        .filter(|p| !declared(&root, p))
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(
        undeclared.is_empty(),
        "no `mod` declares these files, so their tests never run: {undeclared:?}"
    );
    assert!(
        !declared(&root, &root.join("no_such_area.rs")),
        "the check itself"
    );
}

/// Whether the module file `file` (`dir/name.rs` or `dir/name/mod.rs`) is declared with
/// `mod name;` in its parent module: `main.rs` at the root, else `dir.rs` or `dir/mod.rs`.
fn declared(root: &Path, file: &Path) -> bool {
    let (name, dir) = if file.file_name().is_some_and(|n| n == "mod.rs") {
        let module = file.parent().unwrap();
        (module.file_name().unwrap(), module.parent().unwrap())
    } else {
        (file.file_stem().unwrap(), file.parent().unwrap())
    };
    let parents = if dir == root {
        vec![root.join("main.rs")]
    } else {
        vec![dir.with_extension("rs"), dir.join("mod.rs")]
    };
    let declaration = format!("mod {};", name.to_string_lossy());
    parents.iter().any(|parent| {
        std::fs::read_to_string(parent).is_ok_and(|text| {
            text.lines().any(|line| {
                let line = line.trim();
                let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
                line.strip_prefix("pub ").unwrap_or(line) == declaration
            })
        })
    })
}

#[test]
fn no_test_changes_the_process_environment_or_directory() {
    let root = tests_dir().join("testsuite");
    let calls = ["set_var", "remove_var", "set_current_dir"];
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(&root) {
        let path = entry.unwrap().into_path();
        // This file names the calls; every other one must not.
        if path.extension().is_none_or(|x| x != "rs") || path.ends_with("layout.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            if let Some(call) = calls.iter().find(|c| line.contains(*c)) {
                let rel = path.strip_prefix(&root).unwrap().display();
                found.push(format!("{rel}:{}: {call}", n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "every test shares this process: pass variables and folders to the child `Command` \
         instead: {found:?}"
    );
}
