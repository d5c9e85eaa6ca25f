//! Office documents against the values their upstream projects publish: csvkit's
//! converted CSVs, calamine's test values, python-docx/pptx and odfdo samples.

use crate::common;
use commis_docs::{BlockKind, CellKind, Format, MergedRange};
use common::*;

/// csvkit's expected CSV, parsed; numbers are normalized ("40.0" -> "40") and
/// midnight datetimes to dates, so only the values are compared.
fn csvkit_expected(rel: &str) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes(rel)).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    rdr.records()
        .map(|r| {
            let mut row: Vec<String> = r.unwrap().iter().map(normalize).collect();
            while row.last().is_some_and(|s| s.is_empty()) {
                row.pop();
            }
            row
        })
        .collect()
}

fn normalize(v: &str) -> String {
    let v = v.trim_end_matches("T00:00:00");
    match v {
        "True" => return "TRUE".into(),
        "False" => return "FALSE".into(),
        _ => {}
    }
    if let Ok(f) = v.parse::<f64>()
        && v.contains('.')
    {
        return commis_docs::Cell::number(f).text;
    }
    v.to_string()
}

fn compare_with_csvkit(doc: &commis_docs::Document, sheet: usize, expected_rel: &str) {
    let mut expected = csvkit_expected(expected_rel);
    // csvkit names header cells that are blank ("h"); the sheet has none there.
    if let Some(h) = expected.first_mut()
        && h.last().is_some_and(|s| s.len() == 1)
    {
        h.pop();
    }
    let got: Vec<Vec<String>> = table_strings(&doc.tables[sheet])
        .into_iter()
        .map(|r| r.into_iter().map(|c| normalize(&c)).collect())
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn xlsx_cells_match_csvkit_conversion() {
    let doc = read_fixture("office/csvkit/test.xlsx");
    assert_eq!(doc.format, Format::Xlsx);
    compare_with_csvkit(&doc, 0, "office/csvkit/testxlsx_converted.csv");
}

#[test]
fn xls_cells_match_csvkit_conversion() {
    let doc = read_fixture("office/csvkit/test.xls");
    assert_eq!(doc.format, Format::Xls);
    compare_with_csvkit(&doc, 0, "office/csvkit/testxls_converted.csv");
}

#[test]
fn every_sheet_of_a_workbook_is_read_in_order_with_unicode_names() {
    let doc = read_fixture("office/csvkit/sheets.xlsx");
    assert_eq!(doc.metadata.sheet_names, vec!["not this one", "data", "ʤ"]);
    compare_with_csvkit(&doc, 1, "office/csvkit/testxlsx_converted.csv");
    assert_eq!(
        table_strings(&doc.tables[2]),
        vec![vec!["a", "b", "c"], vec!["1", "2", "3"]]
    );
}

#[test]
fn spreadsheet_dates_and_durations_read_as_iso_including_1904_workbooks() {
    for rel in [
        "office/calamine/date.xlsx",
        "office/calamine/date_1904.xlsx",
    ] {
        let doc = read_fixture(rel);
        let rows = &doc.tables[0].rows;
        assert_eq!(rows[0][0].text, "2021-01-01", "{rel}");
        assert_eq!(rows[0][0].kind, CellKind::Date);
        assert_eq!(rows[1][0].text, "2021-01-02", "{rel}");
        assert_eq!(rows[2][0].kind, CellKind::Duration);
        assert_eq!(rows[2][0].text, "255:10:10", "{rel}");
        assert_eq!(rows[0][1].number, Some(15.0));
    }
    let ods = read_fixture("office/calamine/date.ods");
    assert_eq!(ods.tables[0].rows[0][0].text, "2021-01-01");
    assert_eq!(ods.tables[0].rows[1][0].text, "2021-01-01T10:10:10");
}

#[test]
fn spreadsheet_error_values_keep_their_excel_spelling() {
    let doc = read_fixture("office/calamine/errors.xlsx");
    let col: Vec<String> = doc.tables[0]
        .rows
        .iter()
        .map(|r| r[0].text.clone())
        .collect();
    assert_eq!(
        col,
        [
            "#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A"
        ]
    );
    assert!(
        doc.tables[0]
            .rows
            .iter()
            .all(|r| r[0].kind == CellKind::Error)
    );
}

#[test]
fn merged_ranges_are_reported_as_calamine_publishes_them() {
    let doc = read_fixture("office/calamine/merge_cells.xlsx");
    assert_eq!(
        doc.tables[0].merged,
        vec![
            MergedRange {
                first_row: 0,
                first_col: 0,
                last_row: 0,
                last_col: 1
            },
            MergedRange {
                first_row: 1,
                first_col: 0,
                last_row: 3,
                last_col: 0
            },
            MergedRange {
                first_row: 1,
                first_col: 1,
                last_row: 3,
                last_col: 3
            },
        ]
    );
}

#[test]
fn special_characters_in_cells_survive() {
    let doc = read_fixture("office/calamine/issues.xlsx");
    let sheet = doc
        .tables
        .iter()
        .find(|t| t.place.sheet.as_deref() == Some("spc_chrs"))
        .unwrap();
    let col: Vec<String> = sheet.rows.iter().map(|r| r[0].text.clone()).collect();
    assert!(col.contains(&"àâéêèçöïî«»".to_string()), "{col:?}");
    assert!(col.contains(&"☺".to_string()));
    assert_eq!(
        read_fixture("office/calamine/encoded_entities.xlsx").tables[0].rows[0][0].text,
        "&"
    );
}

#[test]
fn password_protected_workbooks_are_typed_errors() {
    for rel in [
        "office/calamine/pass_protected.xlsx",
        "office/calamine/pass_protected.ods",
    ] {
        let err =
            commis_docs::read_path(&fixture(rel), &commis_docs::Limits::default()).unwrap_err();
        assert_eq!(err, commis_docs::DocError::Encrypted, "{rel}");
    }
}

#[test]
fn docx_comments_are_read_with_their_author() {
    let doc = read_fixture("office/python-docx/comments-rich-para.docx");
    let comments: Vec<&str> = doc
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Comment)
        .map(|b| b.text.as_str())
        .collect();
    assert!(
        comments
            .iter()
            .any(|c| c.starts_with("Steve Canny: Text with hyperlink")),
        "{comments:?}"
    );
    assert!(doc.plain_text().contains("Some text worthy of note."));
}

#[test]
fn docx_tables_headers_and_footers_are_read() {
    let doc = read_fixture("office/python-docx/blk-paras-and-tables.docx");
    assert!(!doc.tables.is_empty());
    let doc = read_fixture("office/python-docx/hdr-header-footer.docx");
    let header = doc
        .blocks
        .iter()
        .find(|b| b.place.part.as_deref() == Some("header"))
        .unwrap();
    assert_eq!(header.text, "Header for section-1");
    assert!(
        doc.blocks
            .iter()
            .any(|b| b.place.part.as_deref() == Some("footer"))
    );
    let t = read_fixture("office/python-docx/tbl-2x2-table.docx");
    assert_eq!(t.tables[0].rows.len(), 2);
}

#[test]
fn docx_headings_and_list_items_are_recognised() {
    let doc = read_fixture("office/python-docx/par-known-paragraphs.docx");
    let text = doc.plain_text();
    assert!(!text.trim().is_empty());
    let doc = read_fixture("office/python-docx/num-having-numbering-part.docx");
    assert_eq!(doc.format, Format::Docx);
}

#[test]
fn docx_tracked_changes_keep_insertions_and_drop_deletions() {
    let document = r#"<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Facture été</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Montant : </w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>999,00 €</w:delText></w:r></w:del><w:ins w:id="2" w:author="B"><w:r><w:t>1 234,56 €</w:t></w:r></w:ins></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>point</w:t></w:r></w:p>
</w:body></w:document>"#
        .as_bytes();
    let styles = br#"<?xml version="1.0"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>"#;
    let bytes = make_zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", document),
        ("word/styles.xml", styles),
    ]);
    let doc = commis_docs::read_bytes("", &bytes, &commis_docs::Limits::default()).unwrap();
    assert_eq!(doc.format, Format::Docx);
    assert_eq!(doc.blocks[0].kind, BlockKind::Heading { level: 1 });
    assert_eq!(doc.blocks[0].text, "Facture été");
    assert_eq!(doc.blocks[1].text, "Montant : 1 234,56 €");
    assert_eq!(doc.blocks[2].kind, BlockKind::ListItem { level: 1 });
}

#[test]
fn pptx_speaker_notes_are_read_with_their_slide() {
    let doc = read_fixture("office/python-pptx/sld-notes.pptx");
    let note = doc
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Note)
        .unwrap();
    assert_eq!(note.text, "Notes");
    assert_eq!(note.place.slide, Some(1));
}

#[test]
fn pptx_tables_and_titles_are_read_per_slide() {
    let doc = read_fixture("office/python-pptx/tbl-cell.pptx");
    let last = doc
        .tables
        .iter()
        .find(|t| t.place.slide == Some(3))
        .unwrap();
    assert_eq!(
        table_strings(last),
        vec![
            vec!["a", "b", "c"],
            vec!["d", "e", "f"],
            vec!["g", "h", "i"]
        ]
    );
    let doc = read_fixture("office/python-pptx/test_slides.pptx");
    assert!(doc.metadata.slides.unwrap_or(0) > 0);
}

#[test]
fn pptx_with_a_missing_part_still_reads_what_is_there() {
    let doc = read_fixture("office/python-pptx/missing_rels_item.pptx");
    assert!(doc.plain_text().contains("Presentation Title Text"));
}

#[test]
fn odt_keeps_accents_headings_notes_and_annotations() {
    let doc = read_fixture("office/odfdo/example.odt");
    assert!(
        doc.blocks
            .iter()
            .any(|b| b.text == "This is the last paragraph with diacritical signs: éè")
    );
    assert!(
        doc.blocks
            .iter()
            .any(|b| b.kind == BlockKind::Heading { level: 2 } && b.text == "Level 2 Title")
    );
    assert!(doc.blocks.iter().any(|b| b.kind == BlockKind::Comment));
    let poem = read_fixture("office/odfdo/dormeur_notes.odt");
    let text = poem.plain_text();
    assert!(text.contains("C'est un trou de verdure où chante une rivière,"));
    assert!(text.contains("Pâle dans son lit vert où la lumière pleut."));
    assert!(
        poem.blocks
            .iter()
            .any(|b| b.kind == BlockKind::Note && b.text == "End note")
    );
}

#[test]
fn odt_tracked_changes_do_not_show_deleted_text() {
    let doc = read_fixture("office/odfdo/tracked_changes.odt");
    let text = doc.plain_text();
    assert!(text.contains("Bonjour"), "{text}");
    assert!(text.contains("ça va"), "{text}");
}

#[test]
fn odp_slides_and_titles_are_read() {
    let doc = read_fixture("office/odfdo/example.odp");
    assert_eq!(doc.metadata.slides, Some(2));
    assert!(
        doc.blocks
            .iter()
            .any(|b| b.place.slide == Some(2) && b.text == "This is the second page")
    );
}

#[test]
fn ods_tables_expand_spans_without_blowing_up_repeats() {
    let doc = read_fixture("office/odfdo/simple_table.ods");
    assert!(!doc.tables.is_empty());
    assert!(
        doc.tables
            .iter()
            .all(|t| t.rows.iter().all(|r| r.len() < 2000))
    );
}

#[test]
fn ods_spanned_cells_are_reported_as_merged_ranges() {
    let doc = read_fixture("office/odfdo/spanned_cells.ods");
    let t = &doc.tables[0];
    assert_eq!(t.origin.as_deref(), Some("B3"));
    assert_eq!(t.rows[0][0].text, "foo");
    assert_eq!(
        t.merged,
        vec![
            MergedRange {
                first_row: 0,
                first_col: 0,
                last_row: 2,
                last_col: 1
            },
            MergedRange {
                first_row: 0,
                first_col: 5,
                last_row: 0,
                last_col: 8
            },
            MergedRange {
                first_row: 1,
                first_col: 3,
                last_row: 3,
                last_col: 3
            },
        ]
    );
}

#[test]
fn plain_text_groups_sheets_and_slides_with_labels_and_tab_separated_rows() {
    let text = read_fixture("office/csvkit/sheets.xlsx").plain_text();
    let data = text.find("--- sheet data ---").expect("sheet label");
    let last = text.find("--- sheet ʤ ---").expect("unicode sheet label");
    assert!(data < last);
    assert!(
        text.contains("Chicago Reader\t1971-01-01\t40\tTRUE\t1\t1971-01-01T04:14:00\n"),
        "{text}"
    );
    let text = read_fixture("office/python-pptx/tbl-cell.pptx").plain_text();
    assert!(
        text.contains("--- slide 3 ---\na\tb\tc\nd\te\tf\ng\th\ti\n"),
        "{text}"
    );
}

#[test]
fn json_output_is_one_object_with_format_blocks_and_tables() {
    let doc = read_fixture("office/python-docx/comments-rich-para.docx");
    let value: serde_json::Value = serde_json::from_str(&doc.to_json()).unwrap();
    assert_eq!(value["format"], "docx");
    assert_eq!(value["blocks"][0]["kind"]["type"], "paragraph");
    assert!(
        value["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["kind"]["type"] == "comment")
    );
    assert!(value["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn hidden_sheets_are_read_and_marked_hidden() {
    let doc = read_fixture("office/calamine/any_sheets.xlsx");
    let part = |name: &str| {
        doc.tables
            .iter()
            .find(|t| t.place.sheet.as_deref() == Some(name))
            .and_then(|t| t.place.part.clone())
    };
    assert_eq!(part("Visible"), None);
    assert_eq!(part("Hidden").as_deref(), Some("hidden sheet"));
    assert_eq!(part("VeryHidden").as_deref(), Some("hidden sheet"));
}
