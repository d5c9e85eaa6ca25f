//! Damaged, encrypted and hostile inputs: a typed error or a warning, never a panic,
//! never unbounded memory.

use crate::common;
use commis_docs::{DocError, Format, Limits, PARSER_FAILURE, read_bytes};
use common::*;

fn no_parser_failure(name: &str, result: &Result<commis_docs::Document, DocError>) {
    if let Err(DocError::Corrupt { reason, .. }) = result {
        assert_ne!(reason, PARSER_FAILURE, "{name}: a parser panicked");
    }
}

#[test]
fn every_damaged_or_protected_fixture_gives_a_typed_error_or_a_warning() {
    let cases = [
        "invoices/facturx/corruptedV2PDF.pdf",
        "office/calamine/pass_protected.xlsx",
        "office/calamine/pass_protected.ods",
        "office/python-pptx/missing_rels_item.pptx",
        "office/csvkit/bad.csv",
        "office/csvkit/null_byte.csv",
        "office/calamine/too_small.xls",
        "office/calamine/issue_666_panic.xlsb",
        "office/calamine/malformed_format.xls",
    ];
    for rel in cases {
        let result = commis_docs::read_path(&fixture(rel), &Limits::default());
        no_parser_failure(rel, &result);
        if let Err(e) = &result {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "{rel}: one line: {msg}");
        }
    }
    assert_eq!(
        commis_docs::read_path(
            &fixture("office/calamine/pass_protected.xlsx"),
            &Limits::default()
        )
        .unwrap_err(),
        DocError::Encrypted
    );
}

#[test]
fn zip_bomb_is_refused_by_the_decompression_limit() {
    let zeros = vec![0u8; 20 * 1024 * 1024];
    let bomb = make_zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", &zeros),
    ]);
    assert!(bomb.len() < 100 * 1024, "the bomb is small on disk");
    let limits = Limits {
        max_decompressed_bytes: 8 * 1024 * 1024,
        ..Limits::default()
    };
    let err = read_bytes("bomb.docx", &bomb, &limits).unwrap_err();
    assert!(matches!(err, DocError::TooLarge { .. }), "{err}");
    // The ratio check catches it even when the total would fit.
    let limits = Limits {
        max_ratio: 100,
        ..Limits::default()
    };
    let err = read_bytes("bomb.docx", &bomb, &limits).unwrap_err();
    assert!(matches!(err, DocError::TooLarge { .. }), "{err}");
    // A spreadsheet bomb is checked before calamine unzips it.
    let sheet_bomb = make_zip(&[
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/worksheets/sheet1.xml", &zeros),
    ]);
    let err = read_bytes("bomb.xlsx", &sheet_bomb, &limits).unwrap_err();
    assert!(matches!(err, DocError::TooLarge { .. }), "{err}");
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let limits = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    let data = bytes("invoices/facturx/EN16931_Einfach.pdf");
    assert!(matches!(
        read_bytes("a.pdf", &data, &limits),
        Err(DocError::TooLarge { .. })
    ));
}

#[test]
fn truncated_zip_packages_are_corrupt_not_panics() {
    for rel in [
        "office/python-docx/test.docx",
        "office/python-pptx/test.pptx",
        "office/csvkit/test.xlsx",
        "office/odfdo/example.odt",
    ] {
        let data = bytes(rel);
        for cut in [4, 30, 200, data.len() / 3, data.len() - 10] {
            let result = read_bytes(rel, &data[..cut], &Limits::default());
            no_parser_failure(rel, &result);
            assert!(
                result.is_err()
                    || result
                        .as_ref()
                        .is_ok_and(|d| !d.warnings.is_empty() || d.text_len() > 0),
                "{rel} cut {cut}"
            );
        }
    }
}

#[test]
fn random_bytes_are_unsupported_or_corrupt() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for len in [1usize, 7, 64, 4096, 100_000] {
        let data: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let result = read_bytes("noise.bin", &data, &Limits::default());
        no_parser_failure("noise", &result);
    }
    assert!(matches!(
        read_bytes("empty.pdf", b"", &Limits::default()),
        Err(DocError::Unsupported { .. })
    ));
}

#[test]
fn deeply_nested_xml_is_refused_not_recursed() {
    let mut xml = String::from("<?xml version=\"1.0\"?><w:document xmlns:w=\"w\"><w:body>");
    for _ in 0..5000 {
        xml.push_str("<w:sdt><w:sdtContent>");
    }
    xml.push_str("</w:body></w:document>");
    let data = make_zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", xml.as_bytes()),
    ]);
    let err = read_bytes("deep.docx", &data, &Limits::default()).unwrap_err();
    assert!(matches!(err, DocError::Corrupt { .. }), "{err}");
}

#[test]
fn text_limit_truncates_with_a_warning() {
    let limits = Limits {
        max_text_chars: 50,
        ..Limits::default()
    };
    let doc = commis_docs::read_path(&fixture("office/odfdo/dormeur_notes.odt"), &limits).unwrap();
    assert!(doc.text_len() <= 50);
    assert!(doc.warnings.iter().any(|w| w.contains("max_text_chars")));
}

/// Deterministic "fuzz smoke": every fixture, mutated a few ways, must come back as
/// a document or a typed error, never a panic.
#[test]
fn fuzz_smoke_mutated_fixtures_never_panic() {
    let mut files = Vec::new();
    for dir in [
        "office/calamine",
        "office/csvkit",
        "office/odfdo",
        "office/python-docx",
        "office/python-pptx",
        "invoices/facturx",
        "invoices/invoice2data",
    ] {
        for entry in std::fs::read_dir(fixture(dir)).unwrap() {
            let path = entry.unwrap().path();
            if std::fs::metadata(&path).unwrap().len() <= 400_000 {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut runs = 0;
    let mut contained = 0;
    for path in &files {
        let original = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for round in 0..8 {
            let mut data = original.clone();
            if data.is_empty() {
                continue;
            }
            match round % 4 {
                0 => {
                    // Flip a handful of bytes after the magic number.
                    for _ in 0..8 {
                        let i = (next() as usize) % data.len();
                        data[i] ^= (next() as u8) | 1;
                    }
                }
                1 => data.truncate((next() as usize) % data.len()),
                2 => {
                    let i = (next() as usize) % data.len();
                    let n = ((next() as usize) % 64).min(data.len() - i);
                    for b in &mut data[i..i + n] {
                        *b = 0xFF;
                    }
                }
                _ => {
                    let i = (next() as usize) % data.len();
                    let chunk: Vec<u8> = data[i..].iter().take(200).copied().collect();
                    data.splice(i..i, chunk);
                }
            }
            let result = read_bytes(&name, &data, &Limits::default());
            // calamine (spreadsheets) has known panics on truncated files; read_bytes
            // contains them as a Corrupt error. Our own parsers must not panic at all.
            let third_party = matches!(
                commis_docs::detect_format(&name, &data),
                Ok(Format::Xls | Format::Xlsx | Format::Xlsm | Format::Xlsb | Format::Ods)
            );
            if third_party {
                if let Err(DocError::Corrupt { reason, .. }) = &result
                    && reason == PARSER_FAILURE
                {
                    contained += 1;
                }
            } else {
                no_parser_failure(&format!("{name} round {round}"), &result);
            }
            runs += 1;
        }
    }
    assert!(runs > 600, "{runs} mutated inputs");
    println!("{runs} mutated inputs, {contained} calamine panics contained as Corrupt errors");
}

#[test]
fn odt_table_repetition_attributes_cannot_explode_memory() {
    let mut cells = String::new();
    for _ in 0..2000 {
        cells.push_str(r#"<table:table-cell table:number-columns-repeated="100000"><text:p>x</text:p></table:table-cell>"#);
    }
    let content = format!(
        r#"<?xml version="1.0"?><office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:text><table:table><table:table-row table:number-rows-repeated="1000000">{cells}</table:table-row></table:table></office:text></office:body></office:document-content>"#
    );
    let data = make_zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content.as_bytes()),
    ]);
    let doc = read_bytes("big.odt", &data, &Limits::default()).unwrap();
    let total: usize = doc
        .tables
        .iter()
        .map(|t| t.rows.iter().map(Vec::len).sum::<usize>())
        .sum();
    assert!(total <= 1_000_000, "{total} cells kept");
}

#[test]
fn oversized_csv_is_read_up_to_the_limit_with_a_warning() {
    let mut csv = String::from("id;montant\n");
    for i in 0..1000 {
        csv.push_str(&format!("{i};{i},50\n"));
    }
    let limits = Limits {
        max_bytes: 2000,
        ..Limits::default()
    };
    let doc = read_bytes("big.csv", csv.as_bytes(), &limits).unwrap();
    let rows = &doc.tables[0].rows;
    assert!(rows.len() > 100 && rows.len() < 1001, "{} rows", rows.len());
    assert_eq!(rows.last().unwrap().len(), 2, "cut at a line end");
    assert!(
        doc.warnings.iter().any(|w| w.contains("max_bytes")),
        "{:?}",
        doc.warnings
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, &csv).unwrap();
    let doc = commis_docs::read_path(&path, &limits).unwrap();
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.contains(&format!("of {} bytes", csv.len()))),
        "{:?}",
        doc.warnings
    );
}

/// Found by the `read_bytes` fuzz target: an XLSB whose sheet list names a
/// relationship the package does not define (or whose records are cut short) made
/// calamine panic; it is a typed "corrupt" error naming the damaged part.
#[test]
fn xlsb_sheet_list_with_missing_relationship_or_short_records_is_corrupt() {
    let rels = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    // BrtBundleSh (type 0x9C): state, tab id, relationship id "rId9", name "S1";
    // then BrtEndBundleShs (0x90).
    let mut sheet = vec![0x9C, 0x01, 28];
    sheet.extend_from_slice(&[0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0]);
    sheet.extend("rId9".encode_utf16().flat_map(u16::to_le_bytes));
    sheet.extend_from_slice(&[2, 0, 0, 0]);
    sheet.extend("S1".encode_utf16().flat_map(u16::to_le_bytes));
    sheet.extend_from_slice(&[0x90, 0x01, 0]);
    // The same record cut to 10 bytes, and an empty BrtWbProp (0x99).
    let short = [0x9C, 0x01, 10, 0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0x90, 0x01, 0];
    let empty_props = [0x99, 0x01, 0, 0x90, 0x01, 0];
    for (case, workbook) in [
        ("missing relationship", &sheet[..]),
        ("short record", &short[..]),
        ("empty properties", &empty_props[..]),
    ] {
        let data = make_zip(&[
            ("xl/workbook.bin", workbook),
            ("xl/_rels/workbook.bin.rels", rels),
        ]);
        let err = commis_docs::read_bytes("book.xlsb", &data, &Limits::default()).unwrap_err();
        let DocError::Corrupt { reason, .. } = &err else {
            panic!("{case}: expected a corrupt error, got {err:?}");
        };
        assert!(reason.contains("xl/workbook.bin"), "{case}: {reason}");
    }
    // The fixture with a valid sheet list still reads.
    let doc = commis_docs::read_path(
        &fixture("office/calamine/any_sheets.xlsb"),
        &Limits::default(),
    );
    assert!(doc.is_ok(), "{doc:?}");
}

/// Inputs on which a fuzz target crashed (`tests/regressions/`, named after the
/// damage): each is now a document or a typed error, and no parser panics on it.
/// Those named `abort-*` made the process abort (a huge allocation); they must come
/// back at all, a contained panic in a dependency built with overflow checks (as in
/// tests, not in a release) being acceptable.
#[test]
fn inputs_that_crashed_the_fuzzers_are_typed_errors_now() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions"));
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let result = commis_docs::read_bytes("", &data, &Limits::default());
        let aborted_before = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("abort-"));
        if !aborted_before {
            no_parser_failure(&path.display().to_string(), &result);
        }
        seen += 1;
    }
    assert!(seen >= 2, "the regression inputs are missing");
}

#[path = "common/corpus.rs"]
mod corpus;

/// The generated hostile corpus, read in this process: every file is a typed error or
/// a document, bounded by the readers' own limits (files that only a worker process
/// can contain are left to the `commis` binary's tests).
#[test]
fn the_generated_hostile_corpus_gives_typed_errors_or_bounded_documents() {
    let fixtures = fixture("");
    for file in corpus::corpus(&fixtures) {
        if file.worker_only {
            continue;
        }
        let result = read_bytes(file.name, &file.bytes, &Limits::default());
        no_parser_failure(file.name, &result);
        match &result {
            Ok(doc) => {
                let text: usize = doc.blocks.iter().map(|b| b.text.len()).sum();
                let cells: usize = doc
                    .tables
                    .iter()
                    .map(|t| t.rows.iter().map(Vec::len).sum::<usize>() + t.rows.len())
                    .sum();
                assert!(
                    cells <= Limits::default().max_cells as usize * 2,
                    "{}: {cells} cells laid out",
                    file.name
                );
                assert!(text <= 40_000_000, "{}: {text} bytes of text", file.name);
            }
            Err(e) => assert!(!e.to_string().contains('\n'), "{}: {e}", file.name),
        }
    }
}

#[test]
fn a_sheet_spanning_a1_to_xfd1048576_is_read_sparsely_with_a_warning() {
    let bytes = corpus::xlsx_with_cells(&[(0, 0), (1_048_575, 16_383)]);
    let doc = read_bytes("range.xlsx", &bytes, &Limits::default()).unwrap();
    let table = &doc.tables[0];
    assert_eq!(table.rows[0][0].text, "1");
    assert_eq!(table.rows.last().unwrap().last().unwrap().text, "1");
    assert!(table.rows[1].is_empty(), "empty rows stay empty");
    assert!(
        doc.warnings.iter().any(|w| w.contains("A1:XFD1048576")),
        "{:?}",
        doc.warnings
    );
}

#[test]
fn cells_scattered_down_a_million_rows_are_not_laid_out_as_a_grid() {
    // One value every 200 rows in the last column: a 1,000,000-cell range with 5,000
    // values. As a grid its empty cells cost seconds to carry back from the worker.
    let cells: Vec<(u32, u32)> = (0..5_000).map(|r| (r * 200, 16_383)).collect();
    let bytes = corpus::xlsx_with_cells(&cells);
    let doc = read_bytes("scattered.xlsx", &bytes, &Limits::default()).unwrap();
    let table = &doc.tables[0];
    assert_eq!(table.origin.as_deref(), Some("XFD1"));
    assert_eq!(
        table.rows.len(),
        999_801,
        "rows keep their place in the sheet"
    );
    let laid: usize = table.rows.iter().map(Vec::len).sum();
    assert_eq!(laid, 5_000, "only the used cells are laid out");
    assert_eq!(table.rows[200][0].text, "1");
    assert!(table.rows[1].is_empty(), "rows between values stay empty");
    assert!(
        doc.warnings.iter().any(|w| w.contains("XFD1:XFD999801")),
        "{:?}",
        doc.warnings
    );
    // A small dense sheet stays a grid with its empty cells in place.
    let grid = corpus::xlsx_with_cells(&[(0, 0), (3, 3)]);
    let doc = read_bytes("grid.xlsx", &grid, &Limits::default()).unwrap();
    let rows = &doc.tables[0].rows;
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.len() == 4), "{rows:?}");
}

#[test]
fn bombs_are_refused_by_the_limits_inside_the_readers() {
    let fixtures = fixture("");
    let corpus = corpus::corpus(&fixtures);
    let get = |name: &str| {
        let f = corpus.iter().find(|f| f.name == name).unwrap();
        read_bytes(f.name, &f.bytes, &Limits::default())
    };
    for name in ["range.ods", "deflate-bomb.docx", "zip-bomb.xlsx"] {
        assert!(
            matches!(get(name), Err(DocError::TooLarge { .. })),
            "{name}: {:?}",
            get(name).map(|d| d.warnings)
        );
    }
    let csv = get("giant-line.csv").unwrap();
    assert!(
        csv.warnings.iter().any(|w| w.contains("max_line_bytes")),
        "{:?}",
        csv.warnings
    );
    // The 64 MiB content stream is over the per-stream limit: no page text, no blow-up.
    match get("stream-bomb.pdf") {
        Ok(doc) => assert!(doc.blocks.is_empty(), "{:?}", doc.warnings),
        Err(e) => assert!(
            matches!(e, DocError::TooLarge { .. } | DocError::Corrupt { .. }),
            "{e}"
        ),
    }
    let flood = get("glyph-flood.pdf").unwrap();
    assert!(
        flood
            .warnings
            .iter()
            .any(|w| w.contains("max_glyphs_per_page")),
        "{:?}",
        flood.warnings
    );
}
