//! `run_command` through the agent: a command that is not approved does not run; an approved
//! one runs in the sandbox and its changes are journaled, so undo restores them.

use std::sync::Arc;

use commis_agent::engine::Engine;
use commis_agent::interact::NonInteractive;
use commis_core::{AccessMode, ActionKind, Grant, Policy};
use serde_json::json;

fn sandbox_usable() -> bool {
    match commis_sandbox::probe() {
        Ok(c) if c.usable => true,
        other => {
            assert!(
                std::env::var_os("COMMIS_REQUIRE_SANDBOX").is_none(),
                "COMMIS_REQUIRE_SANDBOX is set but the sandbox is unusable: {other:?}"
            );
            eprintln!("SKIPPED: this machine cannot sandbox commands ({other:?})");
            false
        }
    }
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf, Engine, Grant) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("keep.txt"), "précieux").unwrap();
    std::fs::write(work.join("edit.txt"), "avant").unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    (dir, work, engine, grant)
}

const SCRIPT: &str = "echo fait > made.txt; rm keep.txt; echo après > edit.txt";

#[tokio::test]
async fn a_command_that_is_not_approved_does_not_run() {
    let (_dir, work, engine, grant) = setup();
    // --yes without --allow exec, nobody to ask: refused before anything starts.
    let err = engine
        .call_tool(
            grant,
            "run_command",
            json!({"argv": ["sh", "-c", SCRIPT]}),
            Policy::yes([]),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");
    assert!(!work.join("made.txt").exists());
    assert_eq!(
        std::fs::read_to_string(work.join("keep.txt")).unwrap(),
        "précieux"
    );
}

#[tokio::test]
async fn an_approved_command_runs_sandboxed_and_undo_restores_what_it_changed() {
    if !sandbox_usable() {
        return;
    }
    let (_dir, work, engine, grant) = setup();
    let out = engine
        .call_tool(
            grant,
            "run_command",
            json!({"argv": ["sh", "-c", SCRIPT]}),
            Policy::yes([ActionKind::Exec]),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    assert_eq!(out["exit_code"], 0, "{out}");
    assert_eq!(
        out["changed"], 3,
        "created, deleted and modified files are journaled: {out}"
    );
    assert!(work.join("made.txt").exists());
    assert!(!work.join("keep.txt").exists());
    let run_id = out["run_id"].as_str().unwrap().to_string();
    engine.undo(&run_id, false).unwrap();
    assert!(!work.join("made.txt").exists());
    assert_eq!(
        std::fs::read_to_string(work.join("keep.txt")).unwrap(),
        "précieux"
    );
    assert_eq!(
        std::fs::read_to_string(work.join("edit.txt")).unwrap(),
        "avant"
    );
}

#[tokio::test]
async fn an_allowlisted_command_runs_without_asking() {
    if !sandbox_usable() {
        return;
    }
    let (dir, work, _, grant) = setup();
    let engine = Engine::builder(&dir.path().join("state"))
        .exec_allow(vec!["sh -c *".into()])
        .open()
        .unwrap();
    let out = engine
        .call_tool(
            grant,
            "run_command",
            json!({"argv": ["sh", "-c", "echo ok > allowed.txt"]}),
            Policy::yes([]),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    assert_eq!(out["exit_code"], 0);
    assert!(work.join("allowed.txt").exists());
}
