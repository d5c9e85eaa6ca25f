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

#[tokio::test]
async fn match_payments_reads_invoices_and_a_bank_export_and_says_who_still_owes() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let invoice = |number: &str, client: &str, total: &str, date: &str| {
        format!(
            "ATELIER LEMOINE SARL\nFACTURE N° {number}\nDate : {date}\nÉchéance : {date}\nFacturé à : {client}\nTotal HT : {total} €\nTVA 20 % : 0,00 €\nTotal TTC : {total} €\n"
        )
    };
    std::fs::write(
        work.join("f1.txt"),
        invoice("F-2026-014", "SARL Dupont", "1 440,00", "02/02/2026"),
    )
    .unwrap();
    std::fs::write(
        work.join("f2.txt"),
        invoice("F-2026-015", "Garage Petit SAS", "800,00", "05/02/2026"),
    )
    .unwrap();
    std::fs::write(
        work.join("releve.csv"),
        "Date opération;Date valeur;libellé;Débit;Crédit;\r\n\
         02/03/2026;02/03/2026;VIR SEPA DUPONT FACTURE F-2026-014;;1440,00;\r\n\
         03/03/2026;03/03/2026;VIR GARAGE PETIT ACOMPTE F-2026-015;;300,00;\r\n\
         04/03/2026;04/03/2026;PRLV FREE MOBILE;-19,99;;\r\n",
    )
    .unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadOnly,
    };
    let out = engine
        .call_tool(
            grant,
            "match_payments",
            serde_json::json!({"invoices": ["f1.txt", "f2.txt"], "statements": ["releve.csv"],
                               "business": "Atelier Lemoine", "as_of": "2026-04-01", "french": true}),
            Policy::new(PolicyMode::ReadOnly),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    let matches = out["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 2, "{out}");
    assert_eq!(matches[0]["invoice"], "f1.txt");
    assert_eq!(matches[0]["reason"], "numéro de facture dans le libellé");
    let unpaid = out["unpaid"].as_array().unwrap();
    assert_eq!(unpaid.len(), 1, "{out}");
    assert_eq!(unpaid[0]["file"], "f2.txt");
    assert_eq!(unpaid[0]["remaining_cents"], 50_000);
    assert_eq!(unpaid[0]["state"], "partial");
    assert_eq!(unpaid[0]["days_overdue"], 55);
    assert_eq!(out["ageing"][0]["d31_60"], 50_000);
    assert_eq!(out["ageing"][0]["currency"], "EUR");
}

#[tokio::test]
async fn real_invoices_are_typed_with_xml_parties_their_currency_and_no_label_as_a_name() {
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/invoices");
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let mut files = Vec::new();
    for sub in ["facturx", "invoice2data"] {
        for entry in std::fs::read_dir(fixtures.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".pdf") && name != "corruptedV2PDF.pdf" {
                std::fs::copy(&path, work.join(&name)).unwrap();
                files.push(name);
            }
        }
    }
    files.sort();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadOnly,
    };
    let out = engine
        .call_tool(
            grant,
            "vat_by_period",
            serde_json::json!({"invoices": files}),
            Policy::new(PolicyMode::ReadOnly),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    let invoices = out["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), files.len());
    let by_file = |f: &str| invoices.iter().find(|i| i["file"] == f).unwrap().clone();
    // Parties from the XML when there is one.
    assert_eq!(by_file("Facture_F20180027.pdf")["buyer"], "LE CLIENT");
    assert_eq!(by_file("Facture_F20180027.pdf")["source"], "factur-x");
    assert_eq!(
        by_file("MustangBeispiel20221026.pdf")["buyer"],
        "Beispiel AG"
    );
    // Currencies kept, never turned into euros.
    assert_eq!(by_file("AmazonWebServices.pdf")["currency"], "USD");
    assert_eq!(by_file("FlipkartInvoice.pdf")["currency"], "INR");
    assert_eq!(by_file("coolblue1.pdf")["currency"], "EUR");
    // No label, amount or sentence as a party name.
    for inv in invoices {
        for key in ["counterpart", "buyer"] {
            if let Some(name) = inv[key].as_str()
                && inv["source"] == "text"
            {
                assert!(
                    commis_skills::entities::looks_like_party_name(name)
                        || inv["counterpart_to_check"] == true,
                    "{}: {key} {name}",
                    inv["file"]
                );
            }
        }
    }
}

#[tokio::test]
async fn consolidate_tables_aligns_monthly_exports_and_sums_them_with_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(work.join("Exports")).unwrap();
    // Three months, columns in another order or spelling, two separators, French amounts.
    let files = [
        (
            "Exports/ventes_2024-01.csv",
            "Date;Catégorie;Client;Montant HT\n05/01/2024;Pose;Dupont;1 200,00 €\n12/01/2024;Fabrication;Martin;800\n20/01/2024;Pose;Petit;300,50\n",
        ),
        (
            "Exports/ventes_2024-02.csv",
            "Client;Montants HT;Date;Categorie\nDupont;2 000;03/02/2024;Fabrication\nMartin;150,25;10/02/2024;Pose\n",
        ),
        (
            "Exports/ventes mars 2024.csv",
            "Date,Catégorie,Client,Montant HT\n01/03/2024,Pose,Lefèvre,99.75\n",
        ),
    ];
    for (p, text) in files {
        std::fs::write(work.join(p), text).unwrap();
    }
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|(p, _)| std::fs::read(work.join(p)).unwrap())
        .collect();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    let call = |args: serde_json::Value| {
        engine.call_tool(
            grant.clone(),
            "consolidate_tables",
            args,
            Policy::yes([]),
            Arc::new(NonInteractive { accept_plan: true }),
        )
    };
    let paths: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
    // One file is not a consolidation.
    assert!(
        call(serde_json::json!({"paths": [paths[0]]}))
            .await
            .is_err()
    );
    let out = call(serde_json::json!({"paths": paths, "category": "Catégorie"}))
        .await
        .unwrap();
    assert_eq!(out["output"], "Exports/consolidation.xlsx", "{out}");
    assert_eq!(out["rows"], 6, "{out}");
    assert_eq!(
        out["periods"],
        serde_json::json!(["2024-01", "2024-02", "2024-03"])
    );
    assert_eq!(
        out["categories"],
        serde_json::json!(["Fabrication", "Pose"])
    );
    assert_eq!(out["value"], "Montant HT");
    assert_eq!(out["total"], 4550.5);
    for ((p, _), b) in files.iter().zip(&before) {
        assert_eq!(&std::fs::read(work.join(p)).unwrap(), b, "{p} untouched");
    }

    let Some(py) = openpyxl_python() else { return };
    // The summary's formulas as our writer cached them and, when LibreOffice is installed, as
    // LibreOffice recalculates them.
    let script = r#"
import json, os, subprocess, sys, tempfile, openpyxl
path = sys.argv[1]
def summary(p):
    wb = openpyxl.load_workbook(p, data_only=True)
    return [list(r) for r in wb['Summary'].iter_rows(values_only=True)]
formulas = openpyxl.load_workbook(path)['Summary']
out = {"sheets": openpyxl.load_workbook(path).sheetnames, "cached": summary(path),
       "b2": formulas['B2'].value, "charts": len(formulas._charts)}
soffice = next((os.path.join(d, 'soffice') for d in os.environ.get('PATH', '').split(':')
                if os.path.isfile(os.path.join(d, 'soffice'))), None)
if soffice:
    work = tempfile.mkdtemp()
    subprocess.run([soffice, '--headless', f'-env:UserInstallation=file://{work}/profile',
                    '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', work, path],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    out["libreoffice"] = summary(os.path.join(work, os.path.basename(path)))
print(json.dumps(out))
"#;
    let o = std::process::Command::new(py)
        .arg("-c")
        .arg(script)
        .arg(work.join("Exports/consolidation.xlsx"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sheets"], serde_json::json!(["Summary", "Consolidated"]));
    assert!(
        v["b2"].as_str().unwrap().starts_with("=SUMIFS("),
        "live formulas: {}",
        v["b2"]
    );
    assert_eq!(v["charts"], 1);
    let want = serde_json::json!([
        ["Period", "Fabrication", "Pose", "Total"],
        ["2024-01", 800, 1500.5, 2300.5],
        ["2024-02", 2000, 150.25, 2150.25],
        ["2024-03", 0, 99.75, 99.75],
        ["Total", 2800, 1750.5, 4550.5]
    ]);
    let same = |got: &serde_json::Value| {
        let got = got.as_array().unwrap();
        assert_eq!(got.len(), 5, "{got:?}");
        for (g, w) in got.iter().zip(want.as_array().unwrap()) {
            for (a, b) in g.as_array().unwrap().iter().zip(w.as_array().unwrap()) {
                match (a.as_f64(), b.as_f64()) {
                    (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{got:?}"),
                    _ => assert_eq!(a, b, "{got:?}"),
                }
            }
        }
    };
    same(&v["cached"]);
    match v.get("libreoffice") {
        Some(lo) => same(lo),
        None => assert!(
            std::env::var_os("CI").is_none(),
            "LibreOffice is needed in CI for the recalculation check"
        ),
    }
}

#[tokio::test]
async fn summarize_survey_writes_counts_means_and_nps_as_formulas_that_recalculate() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/surveys/sudzilla-conference-en/responses.csv");
    std::fs::copy(&source, work.join("feedback.csv")).unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    let out = engine
        .call_tool(
            grant,
            "summarize_survey",
            serde_json::json!({"path": "feedback.csv"}),
            Policy::yes([]),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    assert_eq!(out["output"], "feedback_summary.xlsx", "{out}");
    assert_eq!(out["survey"]["respondents"], 39);
    let Some(py) = openpyxl_python() else { return };
    let script = r#"
import json, os, subprocess, sys, tempfile, openpyxl
path = sys.argv[1]
def read(p):
    wb = openpyxl.load_workbook(p, data_only=True)
    return {name: [list(r) for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}
f = openpyxl.load_workbook(path)
out = {"cached": read(path), "nps_formula": [r[2] for r in f['Summary'].iter_rows(values_only=True) if r[1] == 'NPS'],
       "charts": len(f['NPS']._charts)}
soffice = next((os.path.join(d, 'soffice') for d in os.environ.get('PATH', '').split(':')
                if os.path.isfile(os.path.join(d, 'soffice'))), None)
if soffice:
    work = tempfile.mkdtemp()
    subprocess.run([soffice, '--headless', f'-env:UserInstallation=file://{work}/profile',
                    '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', work, path],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    out["libreoffice"] = read(os.path.join(work, os.path.basename(path)))
print(json.dumps(out, default=str))
"#;
    let o = std::process::Command::new(py)
        .arg("-c")
        .arg(script)
        .arg(work.join("feedback_summary.xlsx"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["nps_formula"][0]
            .as_str()
            .unwrap()
            .starts_with("=IF(COUNT("),
        "the NPS is a live formula: {}",
        v["nps_formula"]
    );
    assert_eq!(v["charts"], 1);
    let check = |book: &serde_json::Value, who: &str| {
        let summary = book["Summary"].as_array().unwrap();
        let row = |label: &str| {
            summary
                .iter()
                .find(|r| r[1] == label)
                .unwrap_or_else(|| panic!("{who}: no {label} row"))
                .clone()
        };
        assert_eq!(row("NPS")[2].as_f64(), Some(-35.9), "{who}");
        assert_eq!(row("Promoters (9–10)")[2].as_f64(), Some(8.0), "{who}");
        assert_eq!(row("Detractors (0–6)")[2].as_f64(), Some(22.0), "{who}");
        let nps = book["NPS"].as_array().unwrap();
        assert_eq!(nps[1][1].as_f64(), Some(8.0), "{who}: {nps:?}");
        assert_eq!(nps[3][1].as_f64(), Some(22.0), "{who}: {nps:?}");
        let comments = book["Comments"].as_array().unwrap();
        assert!(comments.len() > 2, "{who}: themes with quotes");
    };
    check(&v["cached"], "cached");
    match v.get("libreoffice") {
        Some(lo) => check(lo, "LibreOffice"),
        None => assert!(
            std::env::var_os("CI").is_none(),
            "LibreOffice is needed in CI for the recalculation check"
        ),
    }
}

/// The demo folder's ground truth written by scripts/make-demo.py.
fn demo_truth() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/demo-pme.expected.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Copies a folder (files and sub-folders).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

fn close(a: &serde_json::Value, b: f64, what: &str) {
    let x = a
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {a}"));
    assert!((x - b).abs() < 0.005, "{what}: {x} ≠ {b}");
}

/// The money deliverables of an offline run on the demo folder, checked against the
/// generator's ground truth (examples/demo-pme.expected.json, "money"): the unpaid table,
/// the ageing, the VAT per month, the revenue per month and the quotes not invoiced, as our
/// writer cached them and as LibreOffice recalculates every formula; and one reminder
/// letter per late client naming it and its amounts, firm past 60 days.
#[tokio::test]
async fn money_briefs_on_the_demo_give_the_unpaid_ageing_vat_revenue_quotes_and_letters_of_the_ground_truth()
 {
    let truth = demo_truth();
    let money = &truth["money"];
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-pme");
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("demo-pme");
    copy_dir(&demo, &work);
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let req = RunRequest {
        grants: vec![Grant {
            path: work.canonicalize().unwrap(),
            mode: AccessMode::ReadWrite,
        }],
        brief: "Fais le tableau des impayés, les relances pour les retards, la TVA collectée et déductible par mois, le chiffre d'affaires par mois et les devis non facturés".into(),
        policy: Policy::new(PolicyMode::Ask),
        planner: Planner::Offline,
        stop: StopHandle::default(),
        options: serde_json::json!({}),
    };
    let summary = engine
        .run(req, Arc::new(NonInteractive { accept_plan: true }))
        .await
        .unwrap();
    assert_eq!(summary.status, RunStatus::Done, "{summary:?}");
    let (plan, _) = engine.store.plan(&summary.run_id).unwrap().unwrap();
    let kinds: Vec<&str> = plan
        .steps
        .iter()
        .filter_map(|s| s.kind.as_deref())
        .collect();
    assert_eq!(
        kinds,
        [
            "money_unpaid",
            "money_reminders",
            "money_vat",
            "money_revenue",
            "money_quotes"
        ],
        "only the money deliverables asked for"
    );
    // The plan says which files are read.
    let unpaid_step = &plan.steps[0];
    assert!(
        unpaid_step.reads[0].contains("export_banque_avril-juin.csv")
            && unpaid_step.reads[0].contains("export_banque_mars.csv"),
        "{:?}",
        unpaid_step.reads
    );
    for f in [
        "Livrables/impayes.xlsx",
        "Livrables/tva.xlsx",
        "Livrables/chiffre-affaires.xlsx",
        "Livrables/devis.xlsx",
    ] {
        assert!(
            summary.created.contains(&f.to_string()),
            "{f}: {:?}",
            summary.created
        );
    }
    // Nothing of the user's files changed: every file of the demo is still byte-identical.
    for e in truth["files"].as_array().unwrap() {
        let p = e["path"].as_str().unwrap();
        assert_eq!(
            std::fs::read(work.join(p)).unwrap(),
            std::fs::read(demo.join(p)).unwrap(),
            "{p}"
        );
    }

    let Some(py) = openpyxl_python() else { return };
    let script = r#"
import json, os, subprocess, sys, tempfile, zipfile, re, openpyxl, docx
out_dir = sys.argv[1]
def read(p):
    wb = openpyxl.load_workbook(p, data_only=True)
    return {n: [list(r) for r in wb[n].iter_rows(values_only=True)] for n in wb.sheetnames}
books = ["impayes.xlsx", "tva.xlsx", "chiffre-affaires.xlsx", "devis.xlsx"]
out = {"cached": {b: read(os.path.join(out_dir, b)) for b in books}}
out["formulas"] = {b: sum(1 for ws in openpyxl.load_workbook(os.path.join(out_dir, b)).worksheets
                          for row in ws.iter_rows() for c in row
                          if isinstance(c.value, str) and c.value.startswith("="))
                   for b in books}
out["charts"] = len(openpyxl.load_workbook(os.path.join(out_dir, "chiffre-affaires.xlsx"))["CA par mois"]._charts)
letters = {}
rdir = os.path.join(out_dir, "relances")
for n in sorted(os.listdir(rdir)):
    d = docx.Document(os.path.join(rdir, n))
    text = "\n".join(p.text for p in d.paragraphs)
    for t in d.tables:
        for r in t.rows:
            text += "\n" + " | ".join(c.text for c in r.cells)
    letters[n] = text
out["letters"] = letters
soffice = next((os.path.join(d, 'soffice') for d in os.environ.get('PATH', '').split(':')
                if os.path.isfile(os.path.join(d, 'soffice'))), None)
if soffice:
    work = tempfile.mkdtemp()
    subprocess.run([soffice, '--headless', f'-env:UserInstallation=file://{work}/profile',
                    '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', work]
                   + [os.path.join(out_dir, b) for b in books],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    out["libreoffice"] = {b: read(os.path.join(work, b)) for b in books}
print(json.dumps(out, default=str))
"#;
    let o = std::process::Command::new(py)
        .arg("-c")
        .arg(script)
        .arg(work.join("Livrables"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for (book, n) in v["formulas"].as_object().unwrap() {
        assert!(n.as_u64().unwrap() >= 4, "{book}: live formulas, got {n}");
    }
    assert_eq!(v["charts"], 1);

    let check = |books: &serde_json::Value, who: &str| {
        // Unpaid: the invoices, clients, due dates, days overdue and amounts of the truth.
        let rows = books["impayes.xlsx"]["Impayés"].as_array().unwrap();
        let want = money["unpaid"].as_array().unwrap();
        let data: Vec<&serde_json::Value> = rows[1..]
            .iter()
            .filter(|r| r[0].as_str().is_some_and(|s| s.starts_with('F')))
            .collect();
        assert_eq!(data.len(), want.len(), "{who}: {rows:?}");
        for (r, w) in data.iter().zip(want) {
            assert_eq!(r[0], w["number"], "{who}");
            assert_eq!(r[1], w["client"], "{who}");
            assert!(
                r[2].as_str()
                    .unwrap()
                    .starts_with(w["due_date"].as_str().unwrap()),
                "{who}: {r:?}"
            );
            close(&r[3], w["days_overdue"].as_f64().unwrap(), who);
            close(&r[5], w["total"].as_f64().unwrap(), who);
            close(&r[6], w["paid"].as_f64().unwrap(), who);
            close(
                &r[7],
                w["remaining"].as_f64().unwrap(),
                &format!("{who} amount due"),
            );
        }
        // Ageing: the bucket sums of the truth, in order.
        let age = books["impayes.xlsx"]["Ancienneté"].as_array().unwrap();
        for (i, k) in ["0-30", "31-60", "61-90", ">90"].iter().enumerate() {
            close(
                &age[i + 1][1],
                money["ageing_eur"][k].as_f64().unwrap(),
                &format!("{who} ageing {k}"),
            );
        }
        // VAT per month: collected on sales, deductible on purchases, per rate.
        let vat = books["tva.xlsx"]["TVA"].as_array().unwrap();
        for w in money["vat_by_month"].as_array().unwrap() {
            let rate = format!("{} %", w["rate_bp"].as_i64().unwrap() / 100);
            let row = vat
                .iter()
                .find(|r| r[0] == w["month"] && r[2].as_str() == Some(rate.as_str()))
                .unwrap_or_else(|| panic!("{who}: no VAT row {w}: {vat:?}"));
            let (b, x) = if w["direction"] == "sale" {
                (3, 4)
            } else {
                (5, 6)
            };
            close(
                &row[b],
                w["base"].as_f64().unwrap(),
                &format!("{who} VAT base {w}"),
            );
            close(
                &row[x],
                w["vat"].as_f64().unwrap(),
                &format!("{who} VAT {w}"),
            );
        }
        // Revenue per month (net, credit notes deducted).
        let rev = books["chiffre-affaires.xlsx"]["CA par mois"]
            .as_array()
            .unwrap();
        for (m, amount) in money["revenue_net_by_month"].as_object().unwrap() {
            let row = rev.iter().find(|r| r[0] == *m).unwrap();
            close(
                row.as_array().unwrap().last().unwrap(),
                amount.as_f64().unwrap(),
                &format!("{who} revenue {m}"),
            );
        }
        // Quotes not invoiced, and each quote's invoices.
        let pending: Vec<&str> = books["devis.xlsx"]["Devis non facturés"]
            .as_array()
            .unwrap()[1..]
            .iter()
            .filter_map(|r| r[0].as_str())
            .filter(|s| s.starts_with('D'))
            .collect();
        let want: Vec<&str> = money["quotes_not_invoiced"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q.as_str().unwrap())
            .collect();
        assert_eq!(pending, want, "{who}");
        let all = books["devis.xlsx"]["Devis"].as_array().unwrap();
        for q in money["quotes"].as_array().unwrap() {
            let row = all.iter().find(|r| r[0] == q["number"]).unwrap();
            let by: Vec<&str> = q["invoiced_by"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            assert_eq!(
                row[8].as_str().unwrap_or(""),
                by.join(", "),
                "{who}: {row:?}"
            );
            close(
                &row[4],
                q["total"].as_f64().unwrap(),
                &format!("{who} quote total"),
            );
            let status = if by.is_empty() {
                "non facturé"
            } else {
                "facturé en partie"
            };
            assert_eq!(row[7], status, "{who}: {row:?}");
        }
    };
    check(&v["cached"], "cached");
    match v.get("libreoffice") {
        Some(lo) => check(lo, "LibreOffice"),
        None => assert!(
            std::env::var_os("CI").is_none(),
            "LibreOffice is needed in CI for the recalculation check"
        ),
    }
    // One letter per late client, naming it and its amounts due; firm past 60 days.
    let letters = v["letters"].as_object().unwrap();
    let late: std::collections::BTreeSet<&str> = money["unpaid"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["days_overdue"].as_i64().unwrap() > 0)
        .map(|u| u["client"].as_str().unwrap())
        .collect();
    assert_eq!(letters.len(), late.len(), "{:?}", letters.keys());
    for u in money["unpaid"].as_array().unwrap() {
        let client = u["client"].as_str().unwrap();
        let (_, text) = letters
            .iter()
            .find(|(_, t)| t.as_str().unwrap().contains(client))
            .unwrap_or_else(|| panic!("no letter names {client}"));
        let text = text.as_str().unwrap();
        assert!(text.contains(u["number"].as_str().unwrap()), "{text}");
        let cents = (u["remaining"].as_f64().unwrap() * 100.0).round() as i64;
        let amount = format!("{},{:02} €", cents / 100 % 1000, cents % 100);
        assert!(text.contains(&amount), "{client}: {amount} in {text}");
        assert!(
            text.contains("Atelier Lemoine"),
            "the business's name: {text}"
        );
        let firm = u["days_overdue"].as_i64().unwrap() > 60;
        assert_eq!(
            text.contains("Relance de paiement"),
            firm,
            "{client}: {text}"
        );
    }
}

/// Payment matching on the demo folder against the generator's ground truth: every bank line
/// that pays a document of the folder is matched to it (recall), and no line is matched to
/// a document it does not pay (precision). Printed for docs/QUALITY.md.
#[tokio::test]
async fn match_payments_on_the_demo_finds_the_payments_of_the_ground_truth() {
    let truth = demo_truth();
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-pme");
    let dir = tempfile::tempdir().unwrap();
    let invoices: Vec<String> = truth["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            matches!(
                f["type"].as_str(),
                Some("invoice" | "credit_note" | "supplier_invoice")
            ) && f["duplicate_of"].is_null()
        })
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: demo.canonicalize().unwrap(),
        mode: AccessMode::ReadOnly,
    };
    let out = engine
        .call_tool(
            grant,
            "match_payments",
            serde_json::json!({"invoices": invoices, "statements": truth["money"]["statements"],
                               "business": "Atelier Lemoine", "french": true}),
            Policy::new(PolicyMode::ReadOnly),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    assert_eq!(out["as_of"], truth["money"]["as_of"]);
    let key =
        |date: &str, amount: f64, number: &str| format!("{date} {:.2} {number}", amount.abs());
    let want: std::collections::BTreeSet<String> = truth["money"]["bank_matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            key(
                m["date"].as_str().unwrap(),
                m["amount"].as_f64().unwrap(),
                m["number"].as_str().unwrap(),
            )
        })
        .collect();
    let got: std::collections::BTreeSet<String> = out["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let payment = m["payment"].as_str().unwrap();
            let date = payment.split(' ').next().unwrap();
            key(
                date,
                m["amount"].as_f64().unwrap(),
                m["number"].as_str().unwrap_or("?"),
            )
        })
        .collect();
    let right = want.intersection(&got).count();
    println!(
        "demo payment matching: precision {right}/{} recall {right}/{}, lines to check {}",
        got.len(),
        want.len(),
        out["to_check"].as_array().unwrap().len()
    );
    assert_eq!(got, want, "{out}");
    // The credit note is deducted from the invoice the client paid « moins avoir ».
    assert_eq!(
        out["credit_notes_applied"].as_array().unwrap().len(),
        1,
        "{out}"
    );
}

/// The `money_deliverables` tool a model calls: read-only on the files it is given, it
/// writes the workbooks and letters asked for, and links a quote to the invoice citing it.
#[tokio::test]
async fn money_deliverables_tool_writes_the_unpaid_workbook_quotes_and_letters_it_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let doc = |kind: &str, number: &str, client: &str, total: &str, date: &str, extra: &str| {
        format!(
            "ATELIER LEMOINE SARL\n{kind} N° {number}\nDate : {date}\nÉchéance : {date}\nFacturé à : {client}\n{extra}\nTotal HT : {total} €\nTVA 20 % : 0,00 €\nTotal TTC : {total} €\n"
        )
    };
    let files = [
        (
            "f1.txt",
            doc(
                "FACTURE",
                "F-2026-014",
                "SARL Dupont",
                "1 440,00",
                "02/01/2026",
                "",
            ),
        ),
        (
            "f2.txt",
            doc(
                "FACTURE",
                "F-2026-015",
                "Garage Petit SAS",
                "800,00",
                "05/02/2026",
                "Acompte sur devis D-2026-003",
            ),
        ),
        (
            "d1.txt",
            doc(
                "DEVIS",
                "D-2026-003",
                "Garage Petit SAS",
                "2 000,00",
                "20/01/2026",
                "",
            ),
        ),
        (
            "d2.txt",
            doc(
                "DEVIS",
                "D-2026-004",
                "SARL Dupont",
                "3 000,00",
                "25/01/2026",
                "",
            ),
        ),
    ];
    for (p, t) in &files {
        std::fs::write(work.join(p), t).unwrap();
    }
    std::fs::write(
        work.join("releve.csv"),
        "Date opération;Date valeur;libellé;Débit;Crédit;\r\n\
         03/03/2026;03/03/2026;VIR GARAGE PETIT ACOMPTE F-2026-015;;300,00;\r\n\
         04/04/2026;04/04/2026;PRLV FREE MOBILE;-19,99;;\r\n",
    )
    .unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    let out = engine
        .call_tool(
            grant,
            "money_deliverables",
            serde_json::json!({"deliverables": ["unpaid", "quotes", "reminders"],
                               "invoices": ["f1.txt", "f2.txt"], "statements": ["releve.csv"],
                               "quotes": ["d1.txt", "d2.txt"], "business": "Atelier Lemoine",
                               "business_details": ["SIRET 812 345 678 00019"],
                               "output_dir": "Argent"}),
            Policy::yes([]),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    assert_eq!(out["as_of"], "2026-04-04", "{out}");
    let written: Vec<&str> = out["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        written,
        [
            "Argent/unpaid.xlsx",
            "Argent/reminders/reminder-sarl-dupont.docx",
            "Argent/reminders/reminder-garage-petit-sas.docx",
            "Argent/quotes.xlsx"
        ],
        "{out}"
    );
    for w in &written {
        assert!(work.join(w).is_file(), "{w}");
    }
    // F-2026-014 unpaid (92 days: firm), F-2026-015 partly paid (58 days).
    let unpaid = out["report"]["unpaid"].as_array().unwrap();
    assert_eq!(unpaid.len(), 2, "{out}");
    assert_eq!(unpaid[0]["number"], "F-2026-014");
    assert_eq!(unpaid[0]["days_overdue"], 92);
    assert_eq!(unpaid[1]["remaining_cents"], 50_000);
    assert_eq!(out["report"]["ageing"][0]["over_90"], 144_000);
    // The quote cited by the deposit invoice is linked to it; the other is not invoiced.
    let quotes = out["quotes"].as_array().unwrap();
    let q = |n: &str| quotes.iter().find(|q| q["number"] == n).unwrap().clone();
    assert_eq!(
        q("D-2026-003")["invoiced_by"],
        serde_json::json!(["F-2026-015"])
    );
    assert_eq!(q("D-2026-003")["invoiced_cents"], 80_000);
    assert_eq!(q("D-2026-004")["invoiced_by"], serde_json::json!([]));
    // The originals are untouched.
    for (p, t) in &files {
        assert_eq!(&std::fs::read_to_string(work.join(p)).unwrap(), t);
    }
}

/// A table-job brief run by the offline planner: the plan names the tables it reads and
/// the step writes its workbook into the output folder, the originals left as they were.
async fn run_table_brief(files: &[(&str, Vec<u8>)], brief: &str) -> (Vec<String>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    for (name, bytes) in files {
        std::fs::write(work.join(name), bytes).unwrap();
    }
    std::fs::write(work.join("notes.txt"), "Réunion du 3 mars avec Dupont.").unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let req = RunRequest {
        grants: vec![Grant {
            path: work.canonicalize().unwrap(),
            mode: AccessMode::ReadWrite,
        }],
        brief: brief.into(),
        policy: Policy::new(PolicyMode::Ask),
        planner: Planner::Offline,
        stop: StopHandle::default(),
        options: serde_json::json!({}),
    };
    let summary = engine
        .run(req, Arc::new(NonInteractive { accept_plan: true }))
        .await
        .unwrap();
    assert_eq!(summary.status, RunStatus::Done, "{brief}: {summary:?}");
    for (name, bytes) in files {
        assert_eq!(
            &std::fs::read(work.join(name)).unwrap(),
            bytes,
            "{name} changed"
        );
    }
    let first = summary.created.first().cloned().unwrap_or_default();
    let out = std::fs::read(work.join(&first)).unwrap_or_default();
    (summary.created, out)
}

#[tokio::test]
async fn table_briefs_run_offline_on_the_tables_they_name() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // Cleaning: the export named by its words; the other table is not read.
    let dirty =
        "Société;Date;Montant\n  dupont sarl ;05/03/2024;1 234,50 €\nMARTIN SA;2024-03-06;12\n"
            .as_bytes()
            .to_vec();
    let (created, book) = run_table_brief(
        &[
            ("clients_export.csv", dirty),
            ("stock.csv", b"Article;Qte\nvis;3\n".to_vec()),
        ],
        "Nettoie l'export clients",
    )
    .await;
    assert_eq!(created, ["Livrables/clients_export_nettoye.xlsx"]);
    let cells = workbook_text(&book);
    assert!(cells.contains("dupont sarl\t2024-03-05\t1234.5"), "{cells}");
    assert!(cells.contains("Journal des corrections"), "{cells}");
    // A cell whose text stays the same (« 12 » now a number) is not listed as changed.
    assert!(!cells.contains("Montant\t12\t12\t"), "{cells}");
    assert!(cells.contains("Montant\t1 234,50 €\t1234.5"), "{cells}");

    // Consolidating two monthly exports of one shape.
    let (created, book) = run_table_brief(
        &[
            (
                "ventes_2024-01.csv",
                b"Produit;Montant\nCafe;10\nThe;5\n".to_vec(),
            ),
            (
                "ventes_2024-02.csv",
                b"Produit;Montant\nCafe;7\nThe;1\n".to_vec(),
            ),
        ],
        "Consolide les exports CSV en un seul tableau",
    )
    .await;
    assert_eq!(created, ["Livrables/consolidation.xlsx"]);
    let cells = workbook_text(&book);
    assert!(cells.contains("ventes_2024-02.csv"), "{cells}");

    // A survey: the one file of responses in the folder.
    let responses =
        std::fs::read(repo.join("tests/fixtures/surveys/publicodes-2024-fr/responses.csv"))
            .unwrap();
    let (created, _) = run_table_brief(
        &[("reponses_questionnaire.csv", responses)],
        "Synthétise les réponses au questionnaire",
    )
    .await;
    assert_eq!(created, ["Livrables/reponses_questionnaire_synthese.xlsx"]);
}

/// Every cell of every sheet, and the sheet names, as one text.
fn workbook_text(bytes: &[u8]) -> String {
    let doc = commis_docs::read_bytes("book.xlsx", bytes, &commis_docs::Limits::default())
        .expect("a workbook");
    format!(
        "{}\n{}",
        doc.metadata.sheet_names.join("\n"),
        doc.plain_text()
    )
}

/// Runs `summarize_survey` with a segment, a report and a deck on a real survey export, then
/// checks with openpyxl, LibreOffice, python-docx and python-pptx: every cross-tab cell (cached
/// and recalculated) equals the figure recomputed here from the CSV, the report states the NPS
/// and quotes the comments as written, the deck has charts, its NPS slide shows the NPS, and
/// no text of the deck or report overflows once rendered.
async fn survey_deliverables_check(fixture: &str, segment: &str, nps: &str, quotes: bool) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/surveys")
        .join(fixture)
        .join("responses.csv");
    std::fs::copy(&source, work.join("survey.csv")).unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let grant = Grant {
        path: work.canonicalize().unwrap(),
        mode: AccessMode::ReadWrite,
    };
    let call = |input: serde_json::Value| {
        engine.call_tool(
            grant.clone(),
            "summarize_survey",
            input,
            Policy::yes([]),
            Arc::new(NonInteractive { accept_plan: true }),
        )
    };
    // An unknown segment is an error that names the columns, and nothing is written.
    let err = call(serde_json::json!({"path": "survey.csv", "segment": "no such column"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no such column") && err.contains("columns"),
        "{err}"
    );
    assert!(!work.join("survey_summary.xlsx").exists());
    let out = call(
        serde_json::json!({"path": "survey.csv", "segment": segment, "report": true, "deck": true}),
    )
    .await
    .unwrap();
    assert_eq!(out["report"], "survey_summary.docx", "{out}");
    assert_eq!(out["deck"], "survey_summary.pptx", "{out}");
    let seg_header = out["cross_tab"]["segment"].as_str().unwrap().to_string();
    let Some(py) = openpyxl_python() else { return };
    let script = r#"
import csv, json, os, subprocess, sys, tempfile, openpyxl, docx, pptx
book, report, deck, source, segment = sys.argv[1:6]
with open(source, encoding='utf-8-sig', newline='') as f:
    rows = list(csv.reader(f))
header = [h.strip() for h in rows[0]]
data = [r for r in rows[1:] if any(c.strip() for c in r)]
YES = {'oui', 'yes', 'true', 'vrai', 'x'}
NO = {'non', 'no', 'false', 'faux'}
def shown(col):
    vals = [r[col].strip() for r in data if col < len(r) and r[col].strip()]
    yn = bool(vals) and all(v.lower() in YES | NO for v in vals)
    return [(('Yes' if r[col].strip().lower() in YES else 'No') if yn and r[col].strip() else r[col].strip())
            if col < len(r) else '' for r in data]
seg = shown(header.index(segment))
def expected(question, label, group):
    # Text the workbook protects from being read as a formula starts with an apostrophe.
    if question[:2] in ("'=", "'+", "'@"):
        question = question[1:]
    ans = shown(header.index(question))
    members = [a for a, s in zip(ans, seg) if s.lower() == group.lower()]
    if label == 'Respondents':
        return len([s for s in seg if s.lower() == group.lower()])
    nums = [int(a) for a in members if a.lstrip('-').isdigit()]
    if label == 'Answers':
        return len(nums)
    if label == 'Mean':
        return round(sum(nums) / len(nums), 2) if nums else None
    if label == 'NPS':
        return round((sum(n >= 9 for n in nums) - sum(n <= 6 for n in nums)) * 100 / len(nums), 1) if nums else None
    return sum(a.lower() == label.lower() for a in members)
def cross(path):
    ws = openpyxl.load_workbook(path, data_only=True)['Cross-tabs']
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    groups = grid[0][2:]
    got, want, question = [], [], None
    for r in grid[1:]:
        question = r[0] if r[0] else question
        q = segment if r[1] == 'Respondents' else question
        for g, v in zip(groups, r[2:]):
            got.append([q, r[1], g, None if v in ('', None) else v])
            want.append([q, r[1], g, expected(q, r[1], g)])
    return {"got": got, "want": want}
f = openpyxl.load_workbook(book)
out = {"cached": cross(book), "formula": f['Cross-tabs']['C3'].value}
soffice = next((os.path.join(d, 'soffice') for d in os.environ.get('PATH', '').split(':')
                if os.path.isfile(os.path.join(d, 'soffice'))), None)
if soffice:
    work = tempfile.mkdtemp()
    subprocess.run([soffice, '--headless', f'-env:UserInstallation=file://{work}/profile',
                    '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', work, book],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    out["libreoffice"] = cross(os.path.join(work, os.path.basename(book)))
d = docx.Document(report)
texts = [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]
out["report"] = texts
cells = {c.strip() for r in data for c in r}
out["report_quotes"] = [t[1:-1] for t in texts if t.startswith('“') and t.endswith('”') and t[1:-1] in cells]
p = pptx.Presentation(deck)
out["charts"] = sum(1 for s in p.slides for sh in s.shapes if sh.has_chart)
out["slides"] = [[sh.text_frame.text for sh in s.shapes if sh.has_text_frame] for s in p.slides]
print(json.dumps(out, default=str, ensure_ascii=False))
"#;
    let o = std::process::Command::new(&py)
        .arg("-c")
        .arg(script)
        .arg(work.join("survey_summary.xlsx"))
        .arg(work.join("survey_summary.docx"))
        .arg(work.join("survey_summary.pptx"))
        .arg(&source)
        .arg(&seg_header)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["formula"]
            .as_str()
            .unwrap_or("")
            .starts_with("=COUNTIFS("),
        "live cross-tab formulas: {}",
        v["formula"]
    );
    let same = |book: &serde_json::Value, who: &str| {
        let (got, want) = (
            book["got"].as_array().unwrap(),
            book["want"].as_array().unwrap(),
        );
        assert!(got.len() > 10, "{who}: {got:?}");
        for (g, w) in got.iter().zip(want) {
            match (g[3].as_f64(), w[3].as_f64()) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{who}: {g} vs {w}"),
                _ => assert_eq!(g, w, "{who}"),
            }
        }
    };
    same(&v["cached"], "cached");
    match v.get("libreoffice") {
        Some(lo) => same(lo, "LibreOffice"),
        None => assert!(
            std::env::var_os("CI").is_none(),
            "LibreOffice is needed in CI for the recalculation check"
        ),
    }
    let report: Vec<&str> = v["report"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        report
            .iter()
            .any(|t| t.starts_with(&format!("NPS: {nps} "))),
        "{report:?}"
    );
    assert!(
        report.iter().any(|t| t.starts_with("By ")),
        "cross-tab part"
    );
    if quotes {
        assert!(
            !v["report_quotes"].as_array().unwrap().is_empty(),
            "verbatim quotes: {report:?}"
        );
    }
    assert!(v["charts"].as_u64().unwrap() >= 2, "{}", v["charts"]);
    let slides = v["slides"].as_array().unwrap();
    let nps_slide = slides
        .iter()
        .find(|s| {
            s[0].as_str()
                .unwrap_or("")
                .starts_with("Recommendation (NPS)")
        })
        .unwrap_or_else(|| panic!("no NPS slide: {slides:?}"));
    assert!(
        nps_slide.as_array().unwrap().iter().any(|t| t == nps),
        "{nps_slide}"
    );
    // Rendered by LibreOffice, no word of the deck or the report overflows.
    if std::env::var_os("CI").is_some() || which_soffice() {
        let rendered = std::process::Command::new(&py)
            .arg(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../commis/tests/demo_run/overflow.py"),
            )
            .arg(work.join("survey_summary.pptx"))
            .arg(work.join("survey_summary.docx"))
            .output()
            .unwrap();
        assert!(
            rendered.status.success(),
            "{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let layout: serde_json::Value = serde_json::from_slice(&rendered.stdout).unwrap();
        assert!(
            !layout["control-overflow.pptx"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        for name in ["survey_summary.pptx", "survey_summary.docx"] {
            let problems = layout[name].as_array().unwrap();
            assert!(problems.is_empty(), "{name}: {problems:?}");
        }
    }
}

fn which_soffice() -> bool {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .any(|d| std::path::Path::new(d).join("soffice").is_file())
}

#[tokio::test]
async fn survey_publicodes_cross_tab_report_and_deck_read_back_with_the_published_nps() {
    survey_deliverables_check("publicodes-2024-fr", "développeur", "27.8", false).await;
}

#[tokio::test]
async fn survey_sudzilla_cross_tab_report_and_deck_read_back_with_the_benchmark_nps() {
    survey_deliverables_check("sudzilla-conference-en", "breakfast", "-35.9", true).await;
}
