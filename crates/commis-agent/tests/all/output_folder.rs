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
