//! CSV encodings and sniffing, HTML, mail, RTF, JSON, Markdown and images; bank
//! statements (module `bank`).

#[path = "bank/statements.rs"]
mod bank;
use crate::common;
use commis_docs::{BlockKind, CellKind, DocError, Format, Limits, read_bytes};
use common::*;

fn read(name: &str, data: &[u8]) -> commis_docs::Document {
    read_bytes(name, data, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn csv_encodings_are_detected_utf8_bom_utf16_and_latin1() {
    let expect_last = [
        ("office/csvkit/test_utf8.csv", "foo", "ʤ"),
        ("office/csvkit/test_utf8_bom.csv", "foo", "ʤ"),
        ("office/csvkit/test_utf16_big.csv", "a", "ʤ"),
        ("office/csvkit/test_utf16_little.csv", "a", "ʤ"),
        ("office/csvkit/test_latin1.csv", "a", "©"),
    ];
    for (rel, first, last) in expect_last {
        let doc = read_fixture(rel);
        assert_eq!(doc.format, Format::Csv, "{rel}");
        let rows = table_strings(&doc.tables[0]);
        assert_eq!(rows[0][0], first, "{rel}: header without BOM");
        assert_eq!(rows[1], vec!["1", "2", "3"], "{rel}");
        assert_eq!(rows.last().unwrap().last().unwrap(), last, "{rel}");
    }
}

#[test]
fn semicolon_csv_with_decimal_comma_reads_french_amounts_as_numbers() {
    let data =
        "Client;Montant;Date\nDupont;1 234,56;2024-01-31\nMartin;-12,50;2024-02-01\nCode;00123;x\n"
            .as_bytes();
    let doc = read("factures.csv", data);
    assert_eq!(doc.metadata.delimiter.as_deref(), Some(";"));
    assert_eq!(doc.metadata.decimal_comma, Some(true));
    let rows = &doc.tables[0].rows;
    assert_eq!(rows[1][1].number, Some(1234.56));
    assert_eq!(rows[1][1].text, "1 234,56");
    assert_eq!(rows[2][1].number, Some(-12.5));
    // Leading zeros are identifiers, not numbers.
    assert_eq!(rows[3][1].kind, CellKind::Text);
}

#[test]
fn windows_1252_csv_without_extension_is_sniffed_as_csv() {
    let data = b"nom;prix\nCaf\xe9;3,50\nTh\xe9;2,80\n";
    let doc = read("", data);
    assert_eq!(doc.format, Format::Csv);
    assert_eq!(doc.tables[0].rows[1][0].text, "Café");
    assert_eq!(doc.metadata.encoding.as_deref(), Some("windows-1252"));
}

#[test]
fn tab_separated_values_are_read_as_tsv() {
    let doc = read("data.tsv", b"a\tb\n1\t2\n");
    assert_eq!(doc.format, Format::Tsv);
    assert_eq!(
        table_strings(&doc.tables[0]),
        vec![vec!["a", "b"], vec!["1", "2"]]
    );
}

#[test]
fn ragged_and_nul_csv_files_give_warnings_not_errors() {
    let doc = read_fixture("office/csvkit/bad.csv");
    assert!(
        doc.warnings.iter().any(|w| w.contains("fields")),
        "{:?}",
        doc.warnings
    );
    let doc = read_fixture("office/csvkit/null_byte.csv");
    assert!(
        doc.warnings.iter().any(|w| w.contains("NUL")),
        "{:?}",
        doc.warnings
    );
    let doc = read_fixture("office/csvkit/mac_newlines.csv");
    assert!(doc.tables[0].rows.len() > 1);
}

#[test]
fn html_gives_text_not_tags_with_headings_lists_and_tables() {
    let html = "<!DOCTYPE html><html><head><title>Devis</title><style>p{color:red}</style>\
        <script>var x = '<p>no</p>';</script></head><body><h1>Devis n&deg; 12</h1>\
        <p>Total&nbsp;: 1&#160;234,56 &euro; &amp; taxes</p><ul><li>Un</li><li>Deux</li></ul>\
        <table><tr><th>Article</th><th>Prix</th></tr><tr><td>Chaise</td><td>40</td></tr></table></body></html>";
    let doc = read("devis.html", html.as_bytes());
    assert_eq!(doc.format, Format::Html);
    assert_eq!(doc.title.as_deref(), Some("Devis"));
    let text = doc.plain_text();
    assert!(text.contains("# Devis n° 12"), "{text}");
    assert!(text.contains("Total : 1 234,56 € & taxes"), "{text}");
    assert!(!text.contains("color") && !text.contains("var x"), "{text}");
    assert!(
        doc.blocks
            .iter()
            .any(|b| b.kind == BlockKind::ListItem { level: 0 } && b.text == "Deux")
    );
    assert_eq!(
        table_strings(&doc.tables[0]),
        vec![vec!["Article", "Prix"], vec!["Chaise", "40"]]
    );
}

#[test]
fn eml_gives_headers_body_and_attachment_list() {
    let mail = "From: =?utf-8?Q?Ren=C3=A9e?= <renee@example.com>\r\n\
To: compta@example.com\r\n\
Subject: =?utf-8?B?RmFjdHVyZSBkZSBqYW52aWVy?=\r\n\
Date: Mon, 5 Feb 2024 10:00:00 +0100\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\
\r\n\
--XYZ\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Bonjour,=0D=0AVoici la facture de 1 234,56 =E2=82=AC.\r\n\
--XYZ\r\n\
Content-Type: application/pdf; name=\"facture.pdf\"\r\n\
Content-Disposition: attachment; filename=\"facture.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--XYZ--\r\n";
    let doc = read("message.eml", mail.as_bytes());
    assert_eq!(doc.format, Format::Eml);
    assert_eq!(doc.metadata.subject.as_deref(), Some("Facture de janvier"));
    assert_eq!(
        doc.metadata.from.as_deref(),
        Some("Renée <renee@example.com>")
    );
    assert!(doc.plain_text().contains("Voici la facture de 1 234,56 €."));
    assert_eq!(doc.attachments.len(), 1);
    assert_eq!(doc.attachments[0].name, "facture.pdf");
    assert_eq!(doc.attachments[0].size, Some(9));
}

#[test]
fn rtf_text_decodes_code_page_and_unicode_escapes() {
    let rtf = br"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\info{\title Note de frais}}\f0 Caf\'e9 cr\u232?me\par Total 12,50 \'80\par}";
    let doc = read("note.rtf", rtf);
    assert_eq!(doc.format, Format::Rtf);
    assert_eq!(doc.title.as_deref(), Some("Note de frais"));
    let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(texts, vec!["Café crème", "Total 12,50 €"]);
}

#[test]
fn json_scalars_become_fields_and_record_arrays_a_table() {
    let doc = read(
        "x.json",
        br#"{"client": {"nom": "Dupont", "total": 12.5}, "lignes": [1, 2]}"#,
    );
    assert_eq!(doc.format, Format::Json);
    let fields: Vec<String> = doc
        .blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Field { path } => format!("{path}={}", b.text),
            _ => String::new(),
        })
        .collect();
    assert!(
        fields.contains(&"$.client.nom=Dupont".to_string()),
        "{fields:?}"
    );
    assert!(fields.contains(&"$.lignes[1]=2".to_string()));
    let doc = read("y.json", br#"[{"a": 1, "b": "x"}, {"a": 2}]"#);
    assert_eq!(
        table_strings(&doc.tables[0]),
        vec![vec!["a", "b"], vec!["1", "x"], vec!["2"]]
    );
}

#[test]
fn markdown_headings_and_lists_are_structured() {
    let doc = read(
        "notes.md",
        "# Réunion\n\nIntro text\nsecond line\n\n## Actions\n- Envoyer le devis\n  - relancer\n"
            .as_bytes(),
    );
    assert_eq!(doc.format, Format::Markdown);
    assert_eq!(doc.title.as_deref(), Some("Réunion"));
    assert_eq!(doc.blocks[1].text, "Intro text\nsecond line");
    assert_eq!(doc.blocks[3].kind, BlockKind::ListItem { level: 0 });
    assert_eq!(doc.blocks[4].kind, BlockKind::ListItem { level: 1 });
}

#[test]
fn plain_text_in_latin1_is_decoded() {
    let doc = read("lisezmoi", b"D\xe9j\xe0 vu\n");
    assert_eq!(doc.format, Format::Txt);
    assert_eq!(doc.blocks[0].text, "Déjà vu");
}

#[test]
fn png_dimensions_are_read_and_the_missing_ocr_is_said_clearly() {
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend_from_slice(&640u32.to_be_bytes());
    png.extend_from_slice(&480u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    let doc = read("scan.png", &png);
    assert_eq!(doc.format, Format::Png);
    assert_eq!(
        (doc.metadata.width, doc.metadata.height),
        (Some(640), Some(480))
    );
    assert!(doc.warnings.iter().any(|w| w.contains("OCR")));
    assert!(doc.blocks.is_empty());
}

#[test]
fn jpeg_dimensions_are_read() {
    // SOI, APP0 (len 16), SOF0 with height 100 and width 200.
    let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    jpg.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    jpg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 100, 0x00, 200, 0x03]);
    jpg.extend_from_slice(&[0; 12]);
    let doc = read("photo.jpg", &jpg);
    assert_eq!(
        (doc.metadata.width, doc.metadata.height),
        (Some(200), Some(100))
    );
}

#[test]
fn detection_uses_content_not_the_extension() {
    let xlsx = bytes("office/csvkit/test.xlsx");
    assert_eq!(read("renamed.pdf", &xlsx).format, Format::Xlsx);
    let pdf = bytes("invoices/facturx/EN16931_Einfach.pdf");
    assert_eq!(read("facture.txt", &pdf).format, Format::Pdf);
    let err = read_bytes(
        "archive.csv",
        b"\x1f\x8b\x08\x00\x00\x00",
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, DocError::Unsupported { .. }));
}

#[test]
fn standalone_cii_xml_invoice_is_parsed_into_fields() {
    let xml = bytes("invoices/facturx/EN16931_Einfach.embedded.xml");
    let doc = read("factur-x.xml", &xml);
    assert_eq!(doc.format, Format::Xml);
    let inv = doc.invoice.as_ref().expect("invoice fields");
    assert_eq!(inv.invoice_number.as_deref(), Some("471102"));
    assert_eq!(inv.grand_total.as_deref(), Some("529.87"));
    assert!(doc.blocks.iter().any(|b| b.text == "Lieferant GmbH"));
}

#[test]
fn jpeg_exif_date_is_read_as_iso() {
    let mut tiff = b"II*\x00\x08\x00\x00\x00".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0132u16.to_le_bytes()); // DateTime
    tiff.extend_from_slice(&2u16.to_le_bytes()); // ASCII
    tiff.extend_from_slice(&20u32.to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(b"2024:03:15 09:30:00\x00");
    let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE1];
    jpg.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    jpg.extend_from_slice(b"Exif\x00\x00");
    jpg.extend_from_slice(&tiff);
    jpg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 30, 0x00, 40, 0x03]);
    jpg.extend_from_slice(&[0; 12]);
    jpg.extend_from_slice(&[0xFF, 0xD9]);
    let doc = read("photo.jpg", &jpg);
    assert_eq!(doc.metadata.created.as_deref(), Some("2024-03-15T09:30:00"));
    assert_eq!(
        (doc.metadata.width, doc.metadata.height),
        (Some(40), Some(30))
    );
}

#[test]
fn large_json_without_extension_is_detected_from_its_start() {
    let mut json = String::from("[");
    for i in 0..20_000 {
        json.push_str(&format!("{{\"id\": {i}, \"label\": \"ligne {i}\"}},"));
    }
    json.push_str("{\"id\": -1}]");
    assert!(json.len() > 64 * 1024);
    let doc = read("export", json.as_bytes());
    assert_eq!(doc.format, Format::Json);
    assert_eq!(doc.tables[0].rows.len(), 20_002);
}
