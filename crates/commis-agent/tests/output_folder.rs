//! In the default ask mode, creating the deliverables the plan announced (in the output
//! folder) needs no approval; writing anywhere else still does.

use std::sync::Arc;

use commis_agent::engine::{Engine, Planner, RunRequest, StopHandle};
use commis_agent::interact::NonInteractive;
use commis_core::{AccessMode, Grant, Policy, PolicyMode, RunStatus};

#[tokio::test]
async fn deliverables_in_the_output_folder_are_created_without_asking_in_ask_mode() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(
        work.join("facture.txt"),
        "FACTURE F-1\nFacturé à : SARL Dupont\nTotal TTC : 120,00 €",
    )
    .unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let req = RunRequest {
        grants: vec![Grant {
            path: work.canonicalize().unwrap(),
            mode: AccessMode::ReadWrite,
        }],
        brief: "Fais un catalogue des fichiers".into(),
        policy: Policy::new(PolicyMode::Ask),
        planner: Planner::Offline,
        stop: StopHandle::default(),
        options: serde_json::json!({}),
    };
    // Nobody to ask: anything that needed asking would be refused.
    let summary = engine
        .run(req, Arc::new(NonInteractive { accept_plan: true }))
        .await
        .unwrap();
    assert_eq!(summary.status, RunStatus::Done, "{summary:?}");
    assert!(
        summary
            .created
            .contains(&"Livrables/catalogue.xlsx".to_string())
    );
    let approvals = engine.store.approvals(&summary.run_id).unwrap();
    assert!(
        approvals
            .iter()
            .all(|a| a.by.as_deref() == Some("output folder")),
        "{approvals:?}"
    );

    // A tool call outside the output folder, in ask mode with nobody to ask, is refused.
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    let err = engine
        .call_tool(
            grant,
            "write_file",
            serde_json::json!({"path": "ailleurs.txt", "content": "x"}),
            Policy::new(PolicyMode::Ask),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");
}
