//! Escape attempts through every model-facing tool that takes a path, the way a model (or an
//! MCP client) would call them: none reads or changes anything outside the granted folder.

use std::path::Path;
use std::sync::Arc;

use commis_agent::engine::Engine;
use commis_agent::interact::NonInteractive;
use commis_core::{AccessMode, ActionKind, Grant, Policy};
use serde_json::{Value, json};

const SECRET: &str = "TOP SECRET: the outside file";

/// Paths that try to leave the folder, by every trick we know.
fn attempts(outside: &Path) -> Vec<String> {
    let o = outside.display().to_string();
    vec![
        "../outside/secret.txt".into(),
        "../../etc/passwd".into(),
        "a/../../outside/secret.txt".into(),
        "./../outside/secret.txt".into(),
        format!("{o}/secret.txt"),
        "/etc/passwd".into(),
        "link-to-secret".into(),
        "link-to-outside/secret.txt".into(),
        "link-to-outside/new.txt".into(),
        "inner/../link-to-outside/secret.txt".into(),
        "..\\outside\\secret.txt".into(),
        "C:\\Windows\\win.ini".into(),
        "\\\\server\\share\\x".into(),
        "．．/outside/secret.txt".into(),
        "..\u{2215}outside\u{2215}secret.txt".into(),
        "..%2foutside%2fsecret.txt".into(),
        "secret.txt\u{0}".into(),
        "".into(),
        "~/secret.txt".into(),
        "LINK-TO-OUTSIDE/secret.txt".into(),
        "hardlink-to-secret".into(),
        "..".into(),
        "../".into(),
        "inner/../../outside".into(),
        "/proc/self/root/etc/passwd".into(),
        "link-to-root/etc/passwd".into(),
        "link-chain/secret.txt".into(),
        ".. /outside/secret.txt".into(),
        "inner/./../../outside/secret.txt".into(),
        format!("{o}/../outside/secret.txt"),
    ]
}

fn calls(path: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("read_document", json!({"path": path})),
        ("list_files", json!({"path": path})),
        ("search_text", json!({"query": "SECRET", "path": path})),
        (
            "write_file",
            json!({"path": path, "content": "pwned", "overwrite": true}),
        ),
        ("make_dir", json!({"path": path})),
        ("copy_file", json!({"from": path, "to": "stolen.txt"})),
        ("copy_file", json!({"from": "inside.txt", "to": path})),
        ("move_file", json!({"from": path, "to": "stolen.txt"})),
        ("move_file", json!({"from": "inside.txt", "to": path})),
        ("delete_file", json!({"path": path})),
        (
            "apply_changes",
            json!({"changes": [{"from": "inside.txt", "to": path}]}),
        ),
        (
            "apply_changes",
            json!({"changes": [{"from": path, "to": "stolen.txt"}]}),
        ),
        (
            "create_document",
            json!({"path": path, "title": "x", "blocks": []}),
        ),
    ]
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let ft = std::fs::symlink_metadata(entry.path()).unwrap().file_type();
        if ft.is_file() {
            out.push((
                entry.file_name().to_string_lossy().into(),
                std::fs::read(entry.path()).unwrap(),
            ));
        } else if ft.is_dir() {
            out.push((entry.file_name().to_string_lossy().into(), Vec::new()));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn no_tool_call_reads_or_changes_anything_outside_the_granted_folder() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    let work = dir.path().join("work");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(work.join("inner")).unwrap();
    std::fs::write(outside.join("secret.txt"), SECRET).unwrap();
    std::fs::write(work.join("inside.txt"), "inside").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), work.join("link-to-secret")).unwrap();
    std::os::unix::fs::symlink(&outside, work.join("link-to-outside")).unwrap();
    std::os::unix::fs::symlink("/", work.join("link-to-root")).unwrap();
    std::os::unix::fs::symlink("link-to-outside", work.join("link-chain")).unwrap();
    std::fs::hard_link(outside.join("secret.txt"), work.join("hardlink-to-secret")).unwrap();
    let before_outside = snapshot(&outside);

    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    // Everything allowed by policy: only confinement stands in the way.
    let policy = Policy::yes([ActionKind::Move, ActionKind::Delete]);
    let mut tried = 0;
    let mut leaked = Vec::new();
    for path in attempts(&outside) {
        for (tool, input) in calls(&path) {
            tried += 1;
            let result = engine
                .call_tool(
                    grant.clone(),
                    tool,
                    input.clone(),
                    policy.clone(),
                    Arc::new(NonInteractive { accept_plan: true }),
                )
                .await;
            if let Ok(v) = &result {
                let text = v.to_string();
                if text.contains("TOP SECRET") || text.contains("root:") {
                    leaked.push(format!("{tool} {input} leaked: {text}"));
                }
            }
            assert_eq!(
                snapshot(&outside),
                before_outside,
                "{tool} {input} changed the outside folder"
            );
            // Odd but legal names ("..%2f…") are ordinary files inside the folder; what must
            // never happen is the secret's content arriving inside.
            if let Ok(bytes) = std::fs::read(work.join("stolen.txt")) {
                assert!(
                    !String::from_utf8_lossy(&bytes).contains("TOP SECRET"),
                    "{tool} {input} copied the secret in"
                );
                std::fs::remove_file(work.join("stolen.txt")).unwrap();
            }
        }
    }
    assert!(leaked.is_empty(), "{leaked:#?}");
    assert!(tried >= 30 * 13, "{tried} attempts");
    assert_eq!(
        std::fs::read_to_string(outside.join("secret.txt")).unwrap(),
        SECRET
    );
    println!("tool-level escape attempts: {tried}, succeeded: 0");
}
