//! Tables found in the text layout of real invoice PDFs: the line items come out as
//! rows of cells, in place, and prose never does.

use crate::common;
use commis_docs::{BlockKind, Document, Limits, Table};
use common::*;

fn texts(table: &Table) -> Vec<Vec<&str>> {
    table
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.as_str()).collect())
        .collect()
}

/// The table holding a row whose first cell is `first`.
fn table_with_row<'a>(doc: &'a Document, first: &str) -> &'a Table {
    doc.tables
        .iter()
        .find(|t| t.rows.iter().any(|r| r[0].text == first))
        .unwrap_or_else(|| panic!("no table with a row starting {first:?}: {:#?}", doc.tables))
}

fn demo(name: &str) -> Document {
    let path = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/demo-pme/"
    ))
    .join(name);
    commis_docs::read_path(&path, &Limits::default()).unwrap()
}

#[test]
fn facturx_line_items_become_a_table_with_one_column_per_field() {
    let doc = read_fixture("invoices/facturx/MustangBeispiel20221026.pdf");
    let table = table_with_row(&doc, "1");
    assert_eq!(table.place.page, Some(1));
    let rows = texts(table);
    assert_eq!(
        rows,
        vec![
            vec![
                "1",
                "AWE12M",
                "Suite_Enterprise year monthly",
                "1,00",
                "Stk.",
                "84,95",
                "84,95"
            ],
            vec![
                "2",
                "BWP12J",
                "Suite_Plus year yearly",
                "1,00",
                "Stk.",
                "719,40",
                "719,40"
            ],
        ]
    );

    let doc = read_fixture("invoices/facturx/zugferd_invoice.pdf");
    let rows = texts(table_with_row(&doc, "1 Superdrachen"));
    assert_eq!(
        rows[0],
        vec!["Pos. Artikelbeschreibung", "Menge", "Preis", "Betrag"]
    );
    assert_eq!(rows.len(), 8, "header and seven items: {rows:?}");
    assert_eq!(rows[2], vec!["2 Turbo Flyer", "5", "40,00", "200,00"]);
}

#[test]
fn invoice2data_line_items_and_totals_keep_amounts_in_their_columns() {
    let doc = read_fixture("invoices/invoice2data/free_fiber.pdf");
    let rows = texts(table_with_row(&doc, "Abonnements, forfaits et options"));
    assert_eq!(
        rows[0],
        vec!["", "Montant EUR HT", "Montant TVA", "Montant EUR TTC"]
    );
    assert!(rows.contains(&vec![
        "Abonnements, forfaits et options",
        "24.99",
        "5.00",
        "29.99"
    ]));
    assert!(rows.contains(&vec!["Total facture", "24.99", "5.00", "29.99"]));

    let doc = read_fixture("invoices/invoice2data/coolblue1.pdf");
    let rows = texts(table_with_row(&doc, "Apple iPad Air Wifi 16 GB Zilver"));
    assert!(rows.iter().all(|r| r.len() == 5), "{rows:?}");
    assert!(rows.contains(&vec![
        "Nintendo 3DS XL Wit + Blauw",
        "1",
        "€ 189,00",
        "21%",
        "€ 189,00"
    ]));
}

#[test]
fn demo_invoices_line_items_are_a_table_under_their_french_header() {
    for name in [
        "facture lefevre mars.pdf",
        "FACTURE dupont final(2).pdf",
        "DEVIS-2024-015 Mairie St Aubin.pdf",
        "F2024-038.pdf",
    ] {
        let doc = demo(name);
        let table = table_with_row(&doc, "Désignation");
        assert_eq!(
            texts(table)[0],
            vec!["Désignation", "Qté", "Unité", "P.U. HT", "Montant"],
            "{name}"
        );
    }
    let doc = demo("facture lefevre mars.pdf");
    let rows = texts(table_with_row(&doc, "Désignation"));
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[3],
        vec![
            "Plan de travail chêne 3 m",
            "1",
            "u",
            "890,00 €",
            "890,00 €"
        ]
    );
}

#[test]
fn a_table_sits_in_the_text_flow_and_its_rows_are_not_repeated_as_lines() {
    let doc = demo("facture lefevre mars.pdf");
    let at = |pred: &dyn Fn(&BlockKind, &str) -> bool| {
        doc.blocks
            .iter()
            .position(|b| pred(&b.kind, &b.text))
            .unwrap()
    };
    let subject = at(&|_, t| t.starts_with("Objet :"));
    let marker = at(&|k, _| matches!(k, BlockKind::Table { index: 0 }));
    let total = at(&|_, t| t.starts_with("Total HT"));
    assert!(
        subject < marker && marker < total,
        "{subject} {marker} {total}"
    );
    assert_eq!(doc.blocks[marker].place.page, Some(1));
    assert!(
        !doc.blocks
            .iter()
            .any(|b| b.text.contains("Plan de travail"))
    );
    // The plain text reads the row as the page shows it, once.
    let text = doc.plain_text();
    let row = "Plan de travail chêne 3 m  1  u  890,00 €  890,00 €\n";
    assert_eq!(text.matches(row).count(), 1, "{text}");
}

#[test]
fn prose_and_label_value_lines_yield_no_table() {
    // A paragraph, a two-column address block, and three-part lines whose parts do
    // not line up from one line to the next.
    let content = b"BT /F1 11 Tf 72 760 Td (Madame, Monsieur, nous vous remercions de votre commande du 3 mars) Tj \
        0 -14 Td (et vous prions de trouver ci-joint la facture correspondante, payable sous trente jours.) Tj \
        0 -14 Td (Nous restons a votre disposition pour toute question.) Tj ET \
        BT /F1 11 Tf 72 700 Td (Atelier Lemoine) Tj 300 0 Td (Mairie de Saint-Aubin) Tj ET \
        BT /F1 11 Tf 72 686 Td (18 rue des Artisans) Tj 300 0 Td (Place de la Mairie) Tj ET \
        BT /F1 11 Tf 72 660 Td (Date : 16/04/2024) Tj 120 0 Td (Ref. client : MSA-12 / dossier 2024) Tj 250 0 Td (Page 1) Tj ET \
        BT /F1 11 Tf 72 646 Td (Echeance : 16/05/2024 a reception) Tj 250 0 Td (TVA) Tj 120 0 Td (FR27 812345678) Tj ET";
    let doc =
        commis_docs::read_bytes("lettre.pdf", &make_pdf(content), &Limits::default()).unwrap();
    assert!(doc.tables.is_empty(), "{:#?}", doc.tables);
    assert!(
        doc.plain_text()
            .contains("et vous prions de trouver ci-joint")
    );
    assert!(
        doc.plain_text()
            .contains("Atelier Lemoine  Mairie de Saint-Aubin")
    );

    let doc = read_fixture("invoices/invoice2data/AmazonWebServices.pdf");
    assert!(doc.tables.is_empty(), "{:#?}", doc.tables);
}

/// A one-page PDF with Helvetica (WinAnsi) as /F1 and the given content stream.
fn make_pdf(content: &[u8]) -> Vec<u8> {
    use lopdf::{Object, Stream, dictionary};
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
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
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
