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

#[tokio::test]
async fn a_model_built_deck_can_show_a_picture_from_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    // A 1x1 PNG.
    let png: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44,
        0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0, 0x05, 0, 0x01, 0xff, 0x89,
        0x99, 0x3d, 0x1d, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    std::fs::write(work.join("logo.png"), png).unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    let input = serde_json::json!({
        "path": "deck.pptx",
        "title": "Logo",
        "slides": [{"layout": "title", "title": "Logo"}, {"layout": "image", "title": "Notre logo", "path": "logo.png", "notes": "le logo"}]
    });
    engine
        .call_tool(
            grant,
            "create_presentation",
            input,
            Policy::yes([]),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    let deck = std::fs::read(work.join("deck.pptx")).unwrap();
    assert!(
        deck.windows(b"ppt/media/".len())
            .any(|w| w == b"ppt/media/"),
        "the picture is embedded"
    );
}

#[tokio::test]
async fn a_paused_run_waits_at_the_next_step_and_goes_on_when_resumed() {
    use commis_core::EventKind;
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(
        work.join("facture.txt"),
        "FACTURE F-1\nTotal TTC : 120,00 €",
    )
    .unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let stop = StopHandle::default();
    stop.pause();
    let req = RunRequest {
        grants: vec![Grant {
            path: work.canonicalize().unwrap(),
            mode: AccessMode::ReadWrite,
        }],
        brief: "Fais un catalogue des fichiers".into(),
        policy: Policy::yes([]),
        planner: Planner::Offline,
        stop: stop.clone(),
        options: serde_json::json!({}),
    };
    let run = engine.create_run(&req).unwrap();
    let id = run.id.clone();
    let engine2 = engine.clone();
    let task = tokio::spawn(async move {
        engine2
            .drive(run, req, Arc::new(NonInteractive { accept_plan: true }))
            .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let events = engine.store.events(&id, 0).unwrap();
    assert!(events.iter().any(|e| e.kind == EventKind::RunPaused));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.kind, EventKind::StepStarted { .. })),
        "no step starts while paused"
    );
    assert!(!task.is_finished());
    stop.unpause();
    let summary = task.await.unwrap().unwrap();
    assert_eq!(summary.status, RunStatus::Done);
    let events = engine.store.events(&id, 0).unwrap();
    assert!(events.iter().any(|e| e.kind == EventKind::RunResumed));
}

#[tokio::test]
async fn rows_appended_to_an_existing_workbook_are_a_modification_that_undo_reverts() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    let create = serde_json::json!({
        "path": "suivi.xlsx",
        "sheets": [{"name": "Factures", "columns": [{"header": "Client", "kind": "text"}, {"header": "TTC", "kind": "currency"}],
                    "rows": [["Dupont", 120.0]], "totals": {"columns": ["TTC"], "function": "sum"}}]
    });
    let yes = || Arc::new(NonInteractive { accept_plan: true });
    engine
        .call_tool(
            grant.clone(),
            "create_spreadsheet",
            create,
            Policy::yes([]),
            yes(),
        )
        .await
        .unwrap();
    let before = std::fs::read(work.join("suivi.xlsx")).unwrap();
    // Read-only refuses it; --yes (modifications pass) allows it.
    let append = serde_json::json!({"path": "suivi.xlsx", "rows": [["Lefèvre", 80.0]]});
    assert!(
        engine
            .call_tool(
                grant.clone(),
                "append_to_spreadsheet",
                append.clone(),
                Policy::new(PolicyMode::ReadOnly),
                yes()
            )
            .await
            .is_err()
    );
    let out = engine
        .call_tool(
            grant.clone(),
            "append_to_spreadsheet",
            append,
            Policy::yes([]),
            yes(),
        )
        .await
        .unwrap();
    assert_eq!(out["change"]["op"], "modify", "{out}");
    let doc =
        commis_docs::read_path(&work.join("suivi.xlsx"), &commis_docs::Limits::default()).unwrap();
    let text = doc.plain_text();
    assert!(
        text.contains("Lefèvre") && text.contains("200"),
        "the totals row grew: {text}"
    );
    engine.undo(out["run_id"].as_str().unwrap(), false).unwrap();
    assert_eq!(std::fs::read(work.join("suivi.xlsx")).unwrap(), before);
}

/// The Python with openpyxl (COMMIS_PYTHON or <repo>/.venv); `None` (skipped locally, a
/// failure in CI) when it is missing.
fn openpyxl_python() -> Option<std::path::PathBuf> {
    let candidate = std::env::var_os("COMMIS_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python")
        });
    let ok = std::process::Command::new(&candidate)
        .args(["-c", "import openpyxl"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        let msg = "python with openpyxl is not installed; run scripts/test-deps-office.sh";
        assert!(std::env::var_os("CI").is_none(), "{msg}");
        eprintln!("SKIPPED: {msg}");
    }
    ok.then_some(candidate)
}

#[tokio::test]
async fn clean_table_writes_a_cleaned_workbook_with_its_journal_and_keeps_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    // An old Excel export: Windows-1252, semicolons, a title line, messy cells.
    let csv = "Export clients 2024;;;;\r\n\
               Client;Date;Montant;Téléphone;E-mail\r\n\
               \u{20}\u{20}DUPONT SARL ;05/03/2024;1 234,56 €;01.23.45.67.89;Contact@Dupont.FR\r\n\
               Martin SAS;31/12/2024;(12,50);+33 6 12 34 56 78;martin@exemple\r\n\
               Boulangerie Petit;15/01/2024;45;0612345678;petit@exemple.fr\r\n\
               Martin SAS;31/12/2024;(12,50);+33 6 12 34 56 78;martin@exemple\r\n\
               =HYPERLINK(\"http://x\");01/02/2024;3;0612345678;a@b.fr\r\n";
    let bytes = windows_1252(csv);
    std::fs::write(work.join("clients_export_2024.csv"), &bytes).unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    let out = engine
        .call_tool(
            grant,
            "clean_table",
            serde_json::json!({"path": "clients_export_2024.csv"}),
            Policy::yes([]),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    assert_eq!(out["output"], "clients_export_2024_cleaned.xlsx", "{out}");
    assert_eq!(
        std::fs::read(work.join("clients_export_2024.csv")).unwrap(),
        bytes,
        "the original is untouched"
    );
    let xlsx = std::fs::read(work.join("clients_export_2024_cleaned.xlsx")).unwrap();
    let doc = commis_docs::read_bytes("c.xlsx", &xlsx, &commis_docs::Limits::default()).unwrap();
    let sheet = |name: &str| {
        doc.tables
            .iter()
            .find(|t| t.place.sheet.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no sheet {name}"))
    };
    let data = sheet("Data");
    let row = |r: usize| -> Vec<String> { data.rows[r].iter().map(|c| c.text.clone()).collect() };
    assert_eq!(row(0), ["Client", "Date", "Montant", "Téléphone", "E-mail"]);
    assert_eq!(row(1)[0], "Dupont SARL");
    assert_eq!(row(1)[1], "2024-03-05");
    assert_eq!(data.rows[1][2].number, Some(1234.56));
    assert_eq!(data.rows[2][2].number, Some(-12.5));
    assert_eq!(row(1)[3], "01 23 45 67 89");
    assert_eq!(row(1)[4], "contact@dupont.fr");
    assert_eq!(
        data.rows.len(),
        5,
        "header + 4 rows: the exact duplicate is gone"
    );
    assert!(
        row(4)[0].starts_with("'="),
        "data text never becomes a formula: {:?}",
        row(4)
    );
    let journal = sheet("Corrections log");
    assert!(journal.rows.len() > 8, "{:?}", journal.rows);
    assert!(journal.rows.iter().any(|r| r[2].text == "Montant"
        && r[3].text == "1 234,56 €"
        && r[5].text == "amount read as a number"));
    let review = sheet("To check");
    assert!(
        review
            .rows
            .iter()
            .any(|r| r[3].text == "martin@exemple" && r[4].text == "invalid e-mail")
    );

    if let Some(py) = openpyxl_python() {
        let script = "import sys, json, openpyxl\n\
                      wb = openpyxl.load_workbook(sys.argv[1])\n\
                      ws = wb['Data']\n\
                      print(json.dumps({'sheets': wb.sheetnames, 'b2': str(ws['B2'].value), 'c2': ws['C2'].value, 'log': wb['Corrections log'].max_row}))";
        let o = std::process::Command::new(py)
            .arg("-c")
            .arg(script)
            .arg(work.join("clients_export_2024_cleaned.xlsx"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            v["sheets"],
            serde_json::json!(["Data", "Corrections log", "To check"])
        );
        assert!(v["b2"].as_str().unwrap().starts_with("2024-03-05"), "{v}");
        assert_eq!(v["c2"], 1234.56);
        assert!(v["log"].as_u64().unwrap() > 8);
    }
}

/// Windows-1252 bytes of a text made only of Latin-1 characters and the euro sign.
fn windows_1252(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '€' => 0x80,
            c if (c as u32) < 256 => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}
