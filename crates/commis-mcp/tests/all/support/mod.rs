//! What the MCP tests share: finding the external tools they need, and skipping loudly.
// Each test binary uses part of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether a missing tool must fail the test (CI) or only skip it (a developer's machine).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Skips the test with a notice, or fails it in CI where the tool must be installed.
pub fn missing(what: &str) {
    let message = format!("{what}; install it with scripts/test-deps-mcp.sh");
    if in_ci() {
        panic!("{message} (CI is set, so this test may not be skipped)");
    }
    eprintln!("SKIPPED: {message}");
}

/// The Python that has the official `mcp` package: `COMMIS_MCP_PYTHON`, or the venv the
/// install script makes in this crate.
pub fn python_with_mcp() -> Option<PathBuf> {
    let candidate = std::env::var_os("COMMIS_MCP_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let venv = crate_dir().join(".venv");
            if cfg!(windows) {
                venv.join("Scripts").join("python.exe")
            } else {
                venv.join("bin").join("python")
            }
        });
    let ok = std::process::Command::new(&candidate)
        .args(["-c", "import mcp"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(candidate)
}

/// The `mcp-server-memory` launcher that the install script puts in this crate's
/// tests/npm/node_modules, when node can run it.
pub fn memory_server() -> Option<PathBuf> {
    let script = crate_dir()
        .join("tests/npm/node_modules/@modelcontextprotocol/server-memory/dist/index.js");
    let node_ok = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    (node_ok && script.is_file()).then_some(script)
}

/// The `mcp_stdio` example, built by `cargo test` next to the test binaries; built on
/// demand when only one test target was asked for.
pub fn mcp_stdio_example() -> PathBuf {
    let exe_name = format!("mcp_stdio{}", std::env::consts::EXE_SUFFIX);
    let deps = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .expect("test binary has a folder");
    let example = deps
        .parent()
        .expect("target profile folder")
        .join("examples")
        .join(&exe_name);
    if !example.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "commis-mcp", "--example", "mcp_stdio"])
            .status()
            .expect("run cargo build for the mcp_stdio example");
        assert!(status.success(), "building the mcp_stdio example failed");
    }
    assert!(
        example.is_file(),
        "no mcp_stdio example at {}",
        example.display()
    );
    example
}
