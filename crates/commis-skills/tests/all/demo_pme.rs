//! Document types and clients on the demo folder (examples/demo-pme) against its ground truth.
//! PDF and DOCX text comes from tests/fixtures/derived/demo-pme (see PROVENANCE.md there).

use std::path::Path;

use commis_skills::classify::{DocKind, doc_type_for_owner};
use commis_skills::{DocInput, assign_clients, normalize_company};
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Windows-1252 fallback for the demo's legacy-encoded files.
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => bytes
            .iter()
            .map(|&b| match b {
                0x80 => '€',
                0x85 => '…',
                0x8C => 'Œ',
                0x92 => '’',
                0x96 => '–',
                0x97 => '—',
                0x9C => 'œ',
                b => b as char,
            })
            .collect(),
    }
}

fn text_of(rel: &str) -> String {
    let ext = rel.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        // Scans and photos: the text OCR gives (see tests/fixtures/derived/PROVENANCE.md).
        "pdf" | "docx" | "jpg" => {
            std::fs::read_to_string(format!("{ROOT}/tests/fixtures/derived/demo-pme/{rel}.txt"))
                .unwrap_or_default()
        }
        "txt" | "md" | "eml" | "csv" => {
            decode(&std::fs::read(format!("{ROOT}/examples/demo-pme/{rel}")).unwrap())
        }
        _ => String::new(),
    }
}

fn expected_kind(t: &str) -> Option<DocKind> {
    Some(match t {
        "invoice" => DocKind::Invoice,
        "supplier_invoice" => DocKind::SupplierInvoice,
        "quote" => DocKind::Quote,
        "credit_note" => DocKind::CreditNote,
        "client_note" => DocKind::ClientNote,
        "email" => DocKind::Email,
        "meeting_transcript" => DocKind::MeetingTranscript,
        "meeting_minutes" => DocKind::MeetingNotes,
        "data_export" => DocKind::DataExport,
        "bank_statement" => DocKind::BankStatement,
        "spreadsheet" => DocKind::Spreadsheet,
        "image" => DocKind::Image,
        _ => return None,
    })
}

fn load() -> Option<(Value, Vec<DocInput>)> {
    let path = format!("{ROOT}/examples/demo-pme.expected.json");
    if !Path::new(&path).exists() {
        return None;
    }
    let exp: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let docs = exp["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let rel = f["path"].as_str().unwrap().to_string();
            DocInput {
                file_name: rel.rsplit('/').next().unwrap().to_string(),
                text: text_of(&rel),
                id: rel,
                kind: None,
            }
        })
        .collect();
    Some((exp, docs))
}

#[test]
fn demo_document_types_are_at_least_95_percent_right() {
    let Some((exp, docs)) = load() else {
        eprintln!("demo folder absent: skipped");
        return;
    };
    let own = exp["own_company"]["name"].as_str();
    let mut ok = 0;
    let mut misses = vec![];
    for (f, d) in exp["files"].as_array().unwrap().iter().zip(&docs) {
        let want = expected_kind(f["type"].as_str().unwrap());
        let got = doc_type_for_owner(&d.file_name, &d.text, own);
        if want == Some(got.kind) {
            ok += 1;
        } else {
            misses.push(format!(
                "{}: got {:?} ({}), expected {:?}",
                d.id, got.kind, got.reason, want
            ));
        }
    }
    let rate = ok as f64 / docs.len() as f64;
    println!("demo types: {ok}/{} ({:.1}%)", docs.len(), 100.0 * rate);
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(rate >= 0.95, "{misses:#?}");
}

#[test]
fn demo_clients_are_at_least_95_percent_right() {
    let Some((exp, docs)) = load() else {
        eprintln!("demo folder absent: skipped");
        return;
    };
    let got = assign_clients(&docs, None);
    let mut ok = 0;
    let mut misses = vec![];
    let mut review = 0;
    let mut exact_names = 0;
    for (f, a) in exp["files"].as_array().unwrap().iter().zip(&got) {
        let want = f["client"].as_str().map(normalize_company);
        let have = a.client.as_deref().map(normalize_company);
        if a.needs_review {
            review += 1;
            println!(
                "  review: {} -> {:?} ({:.2}): {}",
                a.id, a.client, a.confidence, a.reason
            );
        }
        if a.client.as_deref() == f["client"].as_str() {
            exact_names += 1;
        }
        if want == have {
            ok += 1;
        } else {
            misses.push(format!(
                "{}: got {:?} ({:.2}, {}), expected {:?}",
                a.id, a.client, a.confidence, a.reason, want
            ));
        }
    }
    let rate = ok as f64 / docs.len() as f64;
    println!(
        "demo clients (own company detected): {ok}/{} ({:.1}%), {review} flagged for review",
        docs.len(),
        100.0 * rate
    );
    for m in &misses {
        println!("  miss: {m}");
    }
    println!(
        "demo clients shown with the canonical spelling: {exact_names}/{}",
        docs.len()
    );
    assert!(rate >= 0.95, "{misses:#?}");
    assert!(
        exact_names as f64 >= 0.95 * docs.len() as f64,
        "display names: {exact_names}/{}",
        docs.len()
    );
}

#[test]
fn demo_invoice_fields_are_at_least_90_percent_exact() {
    let Some((exp, docs)) = load() else {
        eprintln!("demo folder absent: skipped");
        return;
    };
    let (mut ok, mut total) = (0, 0);
    let mut misses = vec![];
    for (f, d) in exp["files"].as_array().unwrap().iter().zip(&docs) {
        let Some(fields) = f.get("fields").filter(|v| v.is_object()) else {
            continue;
        };
        if d.text.trim().is_empty() {
            continue;
        }
        let got = commis_skills::extract_invoice(&d.text);
        let cents = |a: &Option<commis_skills::Amount>| a.as_ref().map(|a| a.cents());
        let want_cents = |k: &str| {
            fields
                .get(k)
                .and_then(Value::as_f64)
                .map(|v| (v * 100.0).round() as i64)
        };
        let checks: Vec<(&str, bool, String)> = vec![
            (
                "issuer",
                fields["issuer"].as_str().map(normalize_company)
                    == got.issuer.as_deref().map(normalize_company),
                format!("{:?}", got.issuer),
            ),
            (
                "client",
                fields["client"].as_str().map(normalize_company)
                    == got.client.as_deref().map(normalize_company),
                format!("{:?}", got.client),
            ),
            (
                "number",
                fields["number"].as_str() == got.number.as_deref(),
                format!("{:?}", got.number),
            ),
            (
                "date",
                fields["date"].as_str() == got.date.as_deref(),
                format!("{:?}", got.date),
            ),
            (
                "due_date",
                fields["due_date"].as_str() == got.due_date.as_deref(),
                format!("{:?}", got.due_date),
            ),
            (
                "net",
                want_cents("net").map(i64::abs) == cents(&got.net).map(i64::abs),
                format!("{:?}", cents(&got.net)),
            ),
            (
                "vat",
                want_cents("vat").map(i64::abs) == cents(&got.vat).map(i64::abs),
                format!("{:?}", cents(&got.vat)),
            ),
            (
                "total",
                want_cents("total").map(i64::abs) == cents(&got.total).map(i64::abs),
                format!("{:?}", cents(&got.total)),
            ),
            (
                "currency",
                fields["currency"].as_str() == got.currency.as_deref(),
                format!("{:?}", got.currency),
            ),
        ];
        for (name, good, have) in checks {
            if fields.get(name).is_none_or(Value::is_null) {
                continue;
            }
            total += 1;
            if good {
                ok += 1;
            } else {
                misses.push(format!(
                    "{}.{name}: got {have}, expected {}",
                    d.id, fields[name]
                ));
            }
        }
    }
    let rate = ok as f64 / total as f64;
    println!(
        "demo invoice fields exact: {ok}/{total} ({:.1}%)",
        100.0 * rate
    );
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(rate >= 0.9, "{misses:#?}");
}
