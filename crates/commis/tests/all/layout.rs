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

/// The front ends' sources, with all whitespace removed (so a call split over lines is
/// still one string).
fn sources_without_spaces(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources_without_spaces(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            out.push((path.display().to_string(), squeezed));
        }
    }
}

/// The section of a manifest that lists a crate's (non-dev) dependencies.
fn dependencies_section(manifest: &str) -> String {
    let mut keep = false;
    let mut out = String::new();
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            keep = trimmed == "[dependencies]"
                || (trimmed.starts_with("[target.") && trimmed.ends_with(".dependencies]"));
        } else if keep {
            out.push_str(trimmed);
            out.push('\n');
        }
    }
    out
}

#[test]
fn front_ends_reach_the_engine_only_through_its_public_api() {
    // The store and the offline planner are the engine's own: the CLI, the web server
    // and the MCP server go through `Engine`'s builder and query methods.
    let forbidden = [
        "commis_store",
        "commis_agent::offline",
        "offline::brief",
        "engine.store",
        "engine().store",
    ];
    let mut offences = Vec::new();
    for front_end in ["commis", "commis-server", "commis-mcp"] {
        let dir = repo().join("crates").join(front_end);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        if dependencies_section(&manifest)
            .lines()
            .any(|l| l.starts_with("commis-store"))
        {
            offences.push(format!("{front_end}/Cargo.toml depends on commis-store"));
        }
        let mut files = Vec::new();
        sources_without_spaces(&dir.join("src"), &mut files);
        assert!(!files.is_empty(), "no sources found in {}", dir.display());
        for (path, text) in files {
            for f in forbidden {
                // A whole name: `engine.store` but not `engine.stored_run`.
                let whole = text.match_indices(f).any(|(at, _)| {
                    !text[at + f.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if whole {
                    offences.push(format!("{path} uses {f}"));
                }
            }
        }
    }
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}
