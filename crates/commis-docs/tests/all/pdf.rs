//! PDF text fidelity and Factur-X/ZUGFeRD invoice data, against the expected values
//! published with the fixtures.

use crate::common;
use commis_docs::{BlockKind, DocError, Format, Limits};
use common::*;

const FACTURX: [&str; 5] = [
    "103767-Invoice-2026-03-24-1",
    "EN16931_Einfach",
    "Facture_F20180027",
    "MustangBeispiel20221026",
    "zugferd_invoice",
];

#[test]
fn facturx_invoice_fields_match_the_expected_json_for_all_five_invoices() {
    for name in FACTURX {
        let doc = read_fixture(&format!("invoices/facturx/{name}.pdf"));
        let expected: serde_json::Value =
            serde_json::from_slice(&bytes(&format!("invoices/facturx/{name}.expected.json")))
                .unwrap();
        let e = |k: &str| expected[k].as_str().map(str::to_string);
        let inv = doc
            .invoice
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no invoice data"));
        assert_eq!(inv.invoice_number, e("invoice_number"), "{name} number");
        assert_eq!(inv.type_code, e("type_code"), "{name} type");
        assert_eq!(inv.issue_date, e("issue_date"), "{name} date");
        assert_eq!(inv.seller_name, e("seller"), "{name} seller");
        let ids = [inv.seller_vat_id.clone(), inv.seller_tax_id.clone()];
        assert!(
            ids.contains(&e("seller_vat_or_tax_id")),
            "{name} vat/tax id: {ids:?}"
        );
        assert_eq!(inv.buyer_name, e("buyer"), "{name} buyer");
        assert_eq!(inv.currency, e("currency"), "{name} currency");
        assert_eq!(inv.line_total, e("line_total"), "{name} line total");
        assert_eq!(inv.net_total, e("tax_basis_total"), "{name} net");
        assert_eq!(inv.tax_total, e("tax_total"), "{name} tax");
        assert_eq!(inv.grand_total, e("grand_total"), "{name} grand total");
        assert_eq!(inv.due_amount, e("due_payable"), "{name} due");
        assert!(!inv.lines.is_empty(), "{name}: line items");
        let raw =
            String::from_utf8(bytes(&format!("invoices/facturx/{name}.embedded.xml"))).unwrap();
        assert_eq!(
            inv.raw_xml.trim(),
            raw.trim(),
            "{name}: raw XML kept as stored"
        );
        assert!(doc.attachments.iter().any(|a| a.name == inv.xml_name));
    }
}

#[test]
fn facturx_visual_text_keeps_german_accents_and_decimal_comma_amounts() {
    let doc = read_fixture("invoices/facturx/EN16931_Einfach.pdf");
    let text = doc.plain_text();
    for needle in [
        "Lieferantenstraße 20",
        "München",
        "Käufer",
        "Bruttosumme  529,87",
        "Steuerbetrag  56,87",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert_eq!(doc.metadata.pages, Some(2));
    assert!(
        doc.blocks
            .iter()
            .all(|b| b.kind == BlockKind::Line && b.place.page.is_some())
    );
}

#[test]
fn french_invoice_reads_euro_amounts_accents_and_invoice_number() {
    let doc = read_fixture("invoices/invoice2data/free_fiber.pdf");
    let text = doc.plain_text();
    for needle in [
        "Facture n°562044387 du 02 Juillet 2015",
        "Somme à payer  29.99",
        "29.99 € TTC",
        "Abonnements, forfaits et options  24.99  5.00  29.99",
        "prélèvement",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn pdf_lines_come_in_reading_order_top_to_bottom() {
    let doc = read_fixture("invoices/facturx/MustangBeispiel20221026.pdf");
    let text = doc.plain_text();
    let pos = |s: &str| text.find(s).unwrap_or_else(|| panic!("missing {s:?}"));
    assert!(pos("Rechnung RE1001") < pos("Positionen netto  804,35 €"));
    assert!(pos("Positionen netto  804,35 €") < pos("Endsumme  963,12 €"));
}

fn amount_forms(amount: f64) -> Vec<String> {
    let cents = (amount * 100.0).round() as i64;
    let (int, frac) = (cents / 100, cents % 100);
    let grouped = |sep: &str| {
        let s = int.to_string();
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push_str(sep);
            }
            out.push(ch);
        }
        out
    };
    vec![
        format!("{int}.{frac:02}"),
        format!("{int},{frac:02}"),
        format!("{}.{frac:02}", grouped(",")),
        format!("{},{frac:02}", grouped(".")),
        format!("{},{frac:02}", grouped(" ")),
        format!("{}", grouped(",")),
        format!("{int}"),
    ]
}

#[test]
fn invoice2data_pdfs_contain_their_published_number_amount_and_year() {
    let dir = fixture("invoices/invoice2data");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("pdf") {
            continue;
        }
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path.with_extension("json")).unwrap()).unwrap();
        let exp = if json.is_array() { &json[0] } else { &json };
        let doc = commis_docs::read_path(&path, &Limits::default()).unwrap();
        assert_eq!(doc.format, Format::Pdf);
        // Compare without spaces: layouts split numbers across runs differently.
        let text: String = doc
            .plain_text()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let number = exp["invoice_number"]
            .as_str()
            .unwrap()
            .trim_start_matches('#');
        assert!(text.contains(number), "{name}: invoice number {number}");
        if let Some(amount) = exp["amount"].as_f64() {
            let forms = amount_forms(amount);
            assert!(
                forms.iter().any(|f| text.contains(&f.replace(' ', ""))),
                "{name}: amount {amount} not found in any of {forms:?}"
            );
        }
        let year = &exp["date"].as_str().unwrap()[..4];
        let short_year = &year[2..];
        assert!(
            text.contains(year) || text.contains(&format!(".{short_year}")),
            "{name}: year {year}"
        );
        checked += 1;
    }
    assert_eq!(checked, 11);
}

#[test]
fn corrupt_pdf_gives_a_warning_or_typed_error_never_a_panic() {
    match commis_docs::read_path(
        &fixture("invoices/facturx/corruptedV2PDF.pdf"),
        &Limits::default(),
    ) {
        Ok(doc) => assert!(!doc.warnings.is_empty(), "a damaged PDF must say so"),
        Err(e) => assert!(matches!(e, DocError::Corrupt { .. })),
    }
}

#[test]
fn truncated_pdf_is_reported_as_corrupt_or_partial() {
    let data = bytes("invoices/facturx/EN16931_Einfach.pdf");
    for cut in [10, 100, 1000, data.len() / 2] {
        match commis_docs::read_bytes("x.pdf", &data[..cut], &Limits::default()) {
            Ok(_) => {}
            Err(e) => assert!(matches!(e, DocError::Corrupt { .. }), "cut {cut}: {e}"),
        }
    }
}

#[test]
fn page_limit_truncates_with_a_warning() {
    let limits = Limits {
        max_pages: 1,
        ..Limits::default()
    };
    let doc =
        commis_docs::read_path(&fixture("invoices/facturx/EN16931_Einfach.pdf"), &limits).unwrap();
    assert!(doc.blocks.iter().all(|b| b.place.page == Some(1)));
    assert!(doc.warnings.iter().any(|w| w.contains("max_pages")));
}

#[test]
fn embedded_ubl_invoice_matches_the_published_fields() {
    let doc = read_fixture("invoices/invoice2data/AzureInterior.pdf");
    let json: serde_json::Value =
        serde_json::from_slice(&bytes("invoices/invoice2data/AzureInterior.json")).unwrap();
    let exp = &json[0];
    let inv = doc.invoice.as_ref().expect("UBL invoice data");
    assert_eq!(
        inv.invoice_number.as_deref(),
        exp["invoice_number"].as_str()
    );
    assert_eq!(inv.issue_date.as_deref(), exp["date"].as_str());
    assert_eq!(inv.currency.as_deref(), exp["currency"].as_str());
    let total: f64 = inv.grand_total.as_deref().unwrap().parse().unwrap();
    assert_eq!(total, exp["amount"].as_f64().unwrap());
    assert!(
        inv.lines
            .iter()
            .any(|l| l.name.as_deref() == Some("Office Chair")
                && l.net_amount.as_deref() == Some("70.00"))
    );
}

/// Builds a one-page PDF with Helvetica (WinAnsi) and the given content stream.
fn make_pdf(content: &[u8], rotate: i64) -> Vec<u8> {
    make_pdf_with(content, rotate, None)
}

fn make_pdf_with(content: &[u8], rotate: i64, user_password: Option<&str>) -> Vec<u8> {
    use lopdf::{Object, Stream, dictionary};
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Rotate" => rotate,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    if let Some(password) = user_password {
        let id = Object::String(
            b"0123456789abcdef".to_vec(),
            lopdf::StringFormat::Hexadecimal,
        );
        doc.trailer.set("ID", vec![id.clone(), id]);
        let version = lopdf::EncryptionVersion::V2 {
            document: &doc,
            owner_password: "owner",
            user_password: password,
            key_length: 128,
            permissions: lopdf::Permissions::default(),
        };
        let state = lopdf::EncryptionState::try_from(version).unwrap();
        doc.encrypt(&state).unwrap();
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn winansi_accents_euro_sign_and_kerned_words_are_decoded() {
    let content = b"BT /F1 12 Tf 72 700 Td (Caf\\351 cr\\350me) Tj 0 -20 Td [(Total)-1000(1 234,56 \\200)] TJ ET";
    let doc = commis_docs::read_bytes("t.pdf", &make_pdf(content, 0), &Limits::default()).unwrap();
    let lines: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(lines, vec!["Café crème", "Total 1 234,56 €"]);
}

#[test]
fn rotated_pages_are_read_in_display_order() {
    // Text drawn upwards on a page shown rotated 90 degrees clockwise.
    let content =
        b"BT /F1 12 Tf 0 1 -1 0 80 100 Tm (first line) Tj 0 1 -1 0 100 100 Tm (second line) Tj ET";
    let doc = commis_docs::read_bytes("r.pdf", &make_pdf(content, 90), &Limits::default()).unwrap();
    let lines: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(lines, vec!["first line", "second line"]);
}

#[test]
fn password_protected_pdf_is_an_encrypted_error() {
    let content = b"BT /F1 12 Tf 72 700 Td (secret salary) Tj ET";
    let locked = make_pdf_with(content, 0, Some("secret"));
    let err = commis_docs::read_bytes("locked.pdf", &locked, &Limits::default()).unwrap_err();
    assert_eq!(err, DocError::Encrypted);
    // Encrypted with an empty user password (owner restrictions only): readable.
    let open = make_pdf_with(content, 0, Some(""));
    let doc = commis_docs::read_bytes("open.pdf", &open, &Limits::default()).unwrap();
    assert_eq!(doc.blocks[0].text, "secret salary");
}
