//! Invoice fields against the expected values published with real invoices: invoice2data's
//! JSON for text invoices (text derived with pdftotext), and our CII ground truth for Factur-X.

use std::path::Path;

#[path = "payments/quality.rs"]
mod payments;

use commis_skills::{InvoiceFields, extract_invoice, from_cii_xml, normalize_company};
use serde_json::Value;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");

const INVOICE2DATA: &[&str] = &[
    "AmazonWebServices",
    "AzureInterior",
    "FlipkartInvoice",
    "NetpresseInvoice",
    "Orlen",
    "QualityHosting",
    "SammyMaystoneLinesTest",
    "coolblue1",
    "coolblue2",
    "free_fiber",
    "oyo",
    "saeco",
];

const FACTURX: &[&str] = &[
    "103767-Invoice-2026-03-24-1",
    "EN16931_Einfach",
    "Facture_F20180027",
    "MustangBeispiel20221026",
    "zugferd_invoice",
];

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn num(v: &Value) -> Option<i64> {
    let f = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    Some((f * 100.0).round() as i64)
}

/// The issuer matches when the keys are equal, or the expected name starts with the name the
/// document shows ("Sammy Maystone" for "Sammy Maystone - For Lines testing").
fn issuer_matches(got: Option<&str>, expected: &str) -> bool {
    let Some(g) = got else { return false };
    let (g, e) = (normalize_company(g), normalize_company(expected));
    !g.is_empty() && (g == e || e.starts_with(&format!("{g} ")))
}

/// Invoice numbers compare without a leading '#' and spaces (Flipkart's "#BLR_...").
fn number_matches(got: Option<&str>, expected: &str) -> bool {
    let clean = |s: &str| s.trim_start_matches('#').trim().to_string();
    got.is_some_and(|g| clean(g) == clean(expected))
}

struct Score {
    ok: usize,
    total: usize,
    misses: Vec<String>,
}

impl Score {
    fn check(&mut self, doc: &str, field: &str, ok: bool, got: String, expected: String) {
        self.total += 1;
        if ok {
            self.ok += 1;
        } else {
            self.misses
                .push(format!("{doc}.{field}: got {got}, expected {expected}"));
        }
    }
}

fn score_text_invoice(name: &str, f: &InvoiceFields, exp: &Value, s: &mut Score) {
    let cents = |a: &Option<commis_skills::Amount>| a.as_ref().map(|a| a.cents());
    if let Some(e) = exp.get("issuer").and_then(Value::as_str) {
        s.check(
            name,
            "issuer",
            issuer_matches(f.issuer.as_deref(), e),
            format!("{:?}", f.issuer),
            e.into(),
        );
    }
    if let Some(e) = exp.get("invoice_number").and_then(Value::as_str) {
        s.check(
            name,
            "invoice_number",
            number_matches(f.number.as_deref(), e),
            format!("{:?}", f.number),
            e.into(),
        );
    }
    if let Some(e) = exp.get("date").and_then(Value::as_str) {
        s.check(
            name,
            "date",
            f.date.as_deref() == Some(e),
            format!("{:?}", f.date),
            e.into(),
        );
    }
    if let Some(e) = exp.get("date_due").and_then(Value::as_str) {
        s.check(
            name,
            "date_due",
            f.due_date.as_deref() == Some(e),
            format!("{:?}", f.due_date),
            e.into(),
        );
    }
    if let Some(e) = exp.get("currency").and_then(Value::as_str) {
        s.check(
            name,
            "currency",
            f.currency.as_deref() == Some(e),
            format!("{:?}", f.currency),
            e.into(),
        );
    }
    for (key, got) in [
        ("amount", cents(&f.total)),
        ("amount_untaxed", cents(&f.net)),
        ("amount_tax", cents(&f.vat)),
    ] {
        if let Some(e) = exp.get(key).and_then(num) {
            s.check(name, key, got == Some(e), format!("{got:?}"), e.to_string());
        }
    }
}

fn score_facturx(name: &str, f: &InvoiceFields, exp: &Value, s: &mut Score) {
    let text = |k: &str| {
        exp.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    s.check(
        name,
        "invoice_number",
        f.number.as_deref() == Some(&text("invoice_number")),
        format!("{:?}", f.number),
        text("invoice_number"),
    );
    s.check(
        name,
        "issue_date",
        f.date.as_deref() == Some(&text("issue_date")),
        format!("{:?}", f.date),
        text("issue_date"),
    );
    s.check(
        name,
        "seller",
        f.issuer.as_deref() == Some(&text("seller")),
        format!("{:?}", f.issuer),
        text("seller"),
    );
    s.check(
        name,
        "buyer",
        f.client.as_deref() == Some(&text("buyer")),
        format!("{:?}", f.client),
        text("buyer"),
    );
    s.check(
        name,
        "currency",
        f.currency.as_deref() == Some(&text("currency")),
        format!("{:?}", f.currency),
        text("currency"),
    );
    s.check(
        name,
        "seller_vat_or_tax_id",
        f.issuer_vat_id.as_deref() == Some(&text("seller_vat_or_tax_id")),
        format!("{:?}", f.issuer_vat_id),
        text("seller_vat_or_tax_id"),
    );
    for (key, got) in [
        ("tax_basis_total", &f.net),
        ("tax_total", &f.vat),
        ("grand_total", &f.total),
    ] {
        let got = got.as_ref().map(|a| a.to_decimal_string());
        s.check(
            name,
            key,
            got.as_deref() == Some(&text(key)),
            format!("{got:?}"),
            text(key),
        );
    }
    let due = f
        .amount_due
        .as_ref()
        .or(f.total.as_ref())
        .map(|a| a.to_decimal_string());
    s.check(
        name,
        "due_payable",
        due.as_deref() == Some(&text("due_payable")),
        format!("{due:?}"),
        text("due_payable"),
    );
}

fn text_path(name: &str) -> String {
    let derived = format!("{FIX}/derived/invoice2data/{name}.txt");
    if Path::new(&derived).exists() {
        derived
    } else {
        format!("{FIX}/invoices/invoice2data/{name}.txt")
    }
}

#[test]
fn facturx_xml_fields_are_all_exact() {
    let mut s = Score {
        ok: 0,
        total: 0,
        misses: vec![],
    };
    for name in FACTURX {
        let xml = read(&format!("{FIX}/invoices/facturx/{name}.embedded.xml"));
        let exp: Value = serde_json::from_str(&read(&format!(
            "{FIX}/invoices/facturx/{name}.expected.json"
        )))
        .unwrap();
        let f = from_cii_xml(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        score_facturx(name, &f, &exp, &mut s);
    }
    println!("Factur-X: {}/{} fields exact", s.ok, s.total);
    assert!(s.misses.is_empty(), "Factur-X misses: {:#?}", s.misses);
}

#[test]
fn text_invoice_fields_reach_the_accuracy_floor() {
    let mut s = Score {
        ok: 0,
        total: 0,
        misses: vec![],
    };
    for name in INVOICE2DATA {
        let text = read(&text_path(name));
        let exp: Value =
            serde_json::from_str(&read(&format!("{FIX}/invoices/invoice2data/{name}.json")))
                .unwrap();
        let exp = exp.get(0).cloned().unwrap_or(exp);
        let f = extract_invoice(&text);
        score_text_invoice(name, &f, &exp, &mut s);
    }
    let text_ok = s.ok;
    let text_total = s.total;
    for name in FACTURX {
        let f = from_cii_xml(&read(&format!(
            "{FIX}/invoices/facturx/{name}.embedded.xml"
        )))
        .unwrap();
        let exp: Value = serde_json::from_str(&read(&format!(
            "{FIX}/invoices/facturx/{name}.expected.json"
        )))
        .unwrap();
        score_facturx(name, &f, &exp, &mut s);
    }
    let rate = s.ok as f64 / s.total as f64;
    println!(
        "invoice fields exact: text {text_ok}/{text_total} ({:.1}%), all incl. Factur-X {}/{} ({:.1}%)",
        100.0 * text_ok as f64 / text_total as f64,
        s.ok,
        s.total,
        100.0 * rate
    );
    for m in &s.misses {
        println!("  miss: {m}");
    }
    assert!(
        rate >= 0.90,
        "accuracy {rate:.3} below 0.90; misses: {:#?}",
        s.misses
    );
    assert!(
        text_ok as f64 / text_total as f64 >= 0.85,
        "text-only accuracy fell: {:#?}",
        s.misses
    );
}
