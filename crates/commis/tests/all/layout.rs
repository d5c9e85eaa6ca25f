//! Checks on the workspace's shape that CI must keep: each crate links its integration
//! tests into one binary (`tests/all/main.rs`, one module per concern), because every test
//! binary links the whole dependency graph again.

use crate::common::repo;

/// The integration-test targets cargo discovers in a crate: `tests/*.rs` and
/// `tests/*/main.rs`.
fn test_targets(crate_dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(crate_dir.join("tests")) else {
        return Vec::new();
    };
    let mut targets = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_file() && name.ends_with(".rs") {
            targets.push(name);
        } else if path.join("main.rs").is_file() {
            targets.push(format!("{name}/main.rs"));
        }
    }
    targets.sort();
    targets
}

#[test]
fn every_crate_has_at_most_one_integration_test_binary() {
    let crates = repo().join("crates");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap().flatten() {
        let dir = entry.path();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        assert!(
            !manifest.contains("[[test]]") && !manifest.contains("autotests"),
            "{}: declare no test targets by hand; add a module to tests/all/main.rs",
            dir.display()
        );
        let targets = test_targets(&dir);
        if targets.len() > 1 || targets.iter().any(|t| t != "all/main.rs") {
            offenders.push(format!("{}: {targets:?}", dir.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "integration tests go in tests/all/ as modules of tests/all/main.rs:\n{}",
        offenders.join("\n")
    );
}
