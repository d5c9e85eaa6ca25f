//! The offline planner against the demo folder's ground truth (examples/demo-pme.expected.json):
//! document types, clients and invoice fields. Figures are printed for docs/QUALITY.md.

use std::sync::Arc;

use commis_agent::engine::{Engine, Planner, RunRequest, StopHandle};
use commis_agent::interact::NonInteractive;
use commis_agent::offline::analysis::Analysis;
use commis_core::{AccessMode, Grant, Policy, PolicyMode};
use serde_json::Value;

#[path = "demo_quality/brief_corpus.rs"]
mod brief_corpus;

fn repo() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn key(s: &str) -> String {
    commis_skills::entities::normalize_company(s)
}

/// Two client names are the same client when their canonical keys match or one contains
/// the other ("Mairie de St-Aubin" / "Mairie de Saint-Aubin" differ only by the abbreviation).
fn same_client(a: &str, b: &str) -> bool {
    let (a, b) = (key(a).replace("saint", "st"), key(b).replace("saint", "st"));
    a == b || a.contains(&b) || b.contains(&a)
}

async fn analysis() -> Analysis {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let req = RunRequest {
        grants: vec![Grant {
            path: repo().join("examples/demo-pme").canonicalize().unwrap(),
            mode: AccessMode::ReadOnly,
        }],
        brief: "Classe ces fichiers par client et crée un tableau récapitulatif des montants"
            .into(),
        policy: Policy::new(PolicyMode::ReadOnly),
        planner: Planner::Offline,
        stop: StopHandle::default(),
        options: serde_json::json!({}),
    };
    let summary = engine
        .run(req, Arc::new(NonInteractive { accept_plan: false }))
        .await
        .unwrap();
    let (plan, _) = engine.store.plan(&summary.run_id).unwrap().unwrap();
    Analysis::from_context(&plan.context).unwrap()
}

#[tokio::test]
async fn document_types_and_clients_of_the_demo_are_right_at_least_95_percent_of_the_time() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/demo-pme.expected.json")).unwrap(),
    )
    .unwrap();
    let analysis = analysis().await;
    let mut types_ok = 0;
    let mut clients_ok = 0;
    let mut misses = Vec::new();
    let files = expected["files"].as_array().unwrap();
    for e in files {
        let path = e["path"].as_str().unwrap();
        let got = analysis
            .files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} not surveyed"));
        let want_type = match e["type"].as_str().unwrap() {
            "meeting_minutes" => "meeting_notes",
            t => t,
        };
        if got.kind == want_type {
            types_ok += 1;
        } else {
            misses.push(format!("type {path}: {} (want {want_type})", got.kind));
        }
        // A client shown as "to check" (low confidence) counts as not decided.
        let decided = got
            .client
            .as_deref()
            .filter(|_| got.client_confidence >= commis_agent::offline::CONFIDENT);
        let ok = match (e["client"].as_str(), decided) {
            (None, None) => true,
            (Some(want), Some(have)) => same_client(want, have),
            _ => false,
        };
        if ok {
            clients_ok += 1;
        } else {
            misses.push(format!(
                "client {path}: {decided:?} (want {:?}, confidence {:.2})",
                e["client"], got.client_confidence
            ));
        }
    }
    let n = files.len();
    let types = types_ok as f64 / n as f64;
    let clients = clients_ok as f64 / n as f64;
    println!(
        "demo: types {types_ok}/{n} ({:.1} %), clients {clients_ok}/{n} ({:.1} %)",
        types * 100.0,
        clients * 100.0
    );
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(types >= 0.95, "types {types:.3}: {misses:#?}");
    assert!(clients >= 0.95, "clients {clients:.3}: {misses:#?}");
}

#[tokio::test]
async fn invoice_fields_of_the_demo_match_the_ground_truth_for_at_least_90_percent_of_fields() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/demo-pme.expected.json")).unwrap(),
    )
    .unwrap();
    let analysis = analysis().await;
    let mut ok = 0;
    let mut total = 0;
    let mut misses = Vec::new();
    for e in expected["files"].as_array().unwrap() {
        let Some(fields) = e.get("fields").filter(|f| f.is_object()) else {
            continue;
        };
        let path = e["path"].as_str().unwrap();
        let got = analysis.files.iter().find(|f| f.path == path).unwrap();
        let inv = got.invoice.clone().unwrap_or_default();
        let money = |v: &Value| v.as_f64();
        let checks: Vec<(&str, bool)> = vec![
            ("number", fields["number"].as_str() == inv.number.as_deref()),
            ("date", fields["date"].as_str() == inv.date.as_deref()),
            (
                "net",
                money(&fields["net"])
                    .zip(inv.net)
                    .is_some_and(|(a, b)| (a.abs() - b.abs()).abs() < 0.005),
            ),
            (
                "vat",
                money(&fields["vat"])
                    .zip(inv.vat)
                    .is_some_and(|(a, b)| (a.abs() - b.abs()).abs() < 0.005),
            ),
            (
                "total",
                money(&fields["total"])
                    .zip(inv.total)
                    .is_some_and(|(a, b)| (a.abs() - b.abs()).abs() < 0.005),
            ),
            (
                "client",
                fields["client"]
                    .as_str()
                    .zip(inv.client.as_deref())
                    .is_some_and(|(a, b)| same_client(a, b)),
            ),
        ];
        for (name, good) in checks {
            total += 1;
            if good {
                ok += 1;
            } else {
                misses.push(format!(
                    "{path} {name}: want {} got {:?}",
                    fields[name],
                    match name {
                        "number" => format!("{:?}", inv.number),
                        "date" => format!("{:?}", inv.date),
                        "net" => format!("{:?}", inv.net),
                        "vat" => format!("{:?}", inv.vat),
                        "total" => format!("{:?}", inv.total),
                        _ => format!("{:?}", inv.client),
                    }
                ));
            }
        }
    }
    let share = ok as f64 / total as f64;
    println!("demo invoice fields: {ok}/{total} ({:.1} %)", share * 100.0);
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(share >= 0.9, "{misses:#?}");
}

/// The demo's scans (two image-only PDFs and a phone photo turned a quarter) have no text
/// layer: their invoices reach the ledger and its totals only through OCR, with the right
/// totals and without doubt.
#[tokio::test]
async fn the_scans_totals_reach_the_ledger_through_ocr() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/demo-pme.expected.json")).unwrap(),
    )
    .unwrap();
    let analysis = analysis().await;
    let ledger = commis_agent::offline::analysis::ledger(&analysis, None);
    let mut scans = 0;
    for e in expected["files"].as_array().unwrap() {
        let path = e["path"].as_str().unwrap();
        if !path.starts_with("Scans/") {
            continue;
        }
        scans += 1;
        let fact = analysis.files.iter().find(|f| f.path == path).unwrap();
        assert!(fact.ocr.is_some(), "{path} was not read by OCR: {fact:?}");
        let inv = fact.invoice.as_ref().expect("invoice fields");
        assert_eq!(inv.amounts_to_check, None, "{path}");
        let entry = ledger
            .iter()
            .find(|l| l.file == path)
            .expect("in the ledger");
        let want = (e["fields"]["total"].as_f64().unwrap() * 100.0).round() as i64;
        assert_eq!(entry.total_cents, Some(want), "{path}: {entry:?}");
        assert!(!entry.amounts_to_check(), "{path}");
        assert_eq!(
            inv.number.as_deref(),
            e["fields"]["number"].as_str(),
            "{path}"
        );
    }
    assert_eq!(scans, 3);
    // The totals count them: the sum of every entry in euros includes the scans.
    let all: i64 = commis_skills::money::totals_by_currency(&ledger)
        .iter()
        .filter(|t| t.currency.as_deref() == Some("EUR"))
        .map(|t| t.count as i64)
        .sum();
    assert!(all >= 3, "{all}");
}
