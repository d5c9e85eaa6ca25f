//! Workbook behaviours a caller relies on, checked by reading our files back with calamine.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use commis_office::{OfficeError, SheetSpec, SpreadsheetSpec, add_sheet, build_spreadsheet};
use std::io::Cursor;

fn spec(json: &str) -> SpreadsheetSpec {
    serde_json::from_str(json).unwrap()
}

fn read(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

#[test]
fn unsupported_function_is_refused_naming_cell_and_function() {
    let s = spec(
        r#"{"sheets":[{"name":"Data","columns":[{"header":"A"},{"header":"B"}],
            "rows":[[1,"=XLOOKUP(1,A2:A3,A2:A3)"]]}]}"#,
    );
    match build_spreadsheet(&s) {
        Err(OfficeError::UnsupportedFormula { cell, function, .. }) => {
            assert_eq!(cell, "Data!B2");
            assert_eq!(function, "XLOOKUP");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_formula_evaluating_to_an_error_is_refused_instead_of_cached() {
    let s = spec(
        r#"{"sheets":[{"name":"Notes de frais","columns":[{"header":"A"},{"header":"B"}],
            "rows":[[1,"=A2/0"]]}]}"#,
    );
    let err = build_spreadsheet(&s).unwrap_err().to_string();
    assert!(
        err.contains("'Notes de frais'!B2") && err.contains("#DIV/0!"),
        "{err}"
    );
}

#[test]
fn french_input_becomes_numbers_dates_and_en_us_formulas() {
    let s = spec(
        r#"{"locale":"fr","sheets":[{"name":"F","columns":[
            {"header":"Date","kind":"date"},{"header":"Montant","kind":"currency"},
            {"header":"TVA","kind":"percent"},{"header":"TTC","kind":"currency"}],
            "rows":[["31/01/2024","1 234,50 €","20 %","=ROUND(B2*(1+C2);2)"]]}]}"#,
    );
    let mut book = read(build_spreadsheet(&s).unwrap());
    let values = book.worksheet_range("F").unwrap();
    let formulas = book.worksheet_formula("F").unwrap();
    assert_eq!(values.get_value((1, 1)), Some(&Data::Float(1234.5)));
    assert_eq!(values.get_value((1, 2)), Some(&Data::Float(0.2)));
    assert_eq!(values.get_value((1, 3)), Some(&Data::Float(1481.4)));
    assert_eq!(
        formulas.get_value((1, 3)).map(String::as_str),
        Some("ROUND(B2*(1+C2),2)")
    );
    match values.get_value((1, 0)) {
        Some(Data::DateTime(d)) => assert_eq!(d.as_f64(), 45322.0),
        other => panic!("{other:?}"),
    }
}

#[test]
fn add_sheet_keeps_existing_sheets_and_computes_cross_sheet_formulas() {
    let original = build_spreadsheet(&spec(
        r#"{"sheets":[{"name":"Ventes","columns":[{"header":"Client"},{"header":"Montant","kind":"number"}],
            "rows":[["A",10],["B",32.5]],"totals":{"columns":["Montant"]}}]}"#,
    ))
    .unwrap();
    let new_sheet: SheetSpec = serde_json::from_str(
        r#"{"name":"Bilan","columns":[{"header":"Indicateur"},{"header":"Valeur","kind":"number"}],
            "rows":[["Total des ventes","=Ventes!B4"],["Ventes de A","=SUMIF(Ventes!A2:A3,\"A\",Ventes!B2:B3)"]]}"#,
    )
    .unwrap();
    let mut book = read(add_sheet(&original, &new_sheet).unwrap());
    assert_eq!(book.sheet_names(), vec!["Ventes", "Bilan"]);
    let bilan = book.worksheet_range("Bilan").unwrap();
    assert_eq!(bilan.get_value((1, 1)), Some(&Data::Float(42.5)));
    assert_eq!(bilan.get_value((2, 1)), Some(&Data::Float(10.0)));
}

#[test]
fn invalid_sheet_names_and_unknown_columns_are_explained() {
    let bad_name = spec(r#"{"sheets":[{"name":"a/b","columns":[{"header":"A"}]}]}"#);
    assert!(
        build_spreadsheet(&bad_name)
            .unwrap_err()
            .to_string()
            .contains("a/b")
    );
    let bad_col = spec(
        r#"{"sheets":[{"name":"S","columns":[{"header":"A"}],"rows":[[1]],"totals":{"columns":["Nope"]}}]}"#,
    );
    let err = build_spreadsheet(&bad_col).unwrap_err().to_string();
    assert!(err.contains("Nope") && err.contains("columns: A"), "{err}");
}

#[test]
fn long_chains_of_forward_references_evaluate_without_overflowing_the_stack() {
    // B2 = B3 + 1, B3 = B4 + 1, ... : each formula needs the one below it first.
    let n = 15_000;
    let rows: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let r = i + 2;
            if i + 1 == n {
                serde_json::json!([i, 1])
            } else {
                serde_json::json!([i, format!("=B{}+1", r + 1)])
            }
        })
        .collect();
    let json = serde_json::json!({"sheets": [{"name": "S",
        "columns": [{"header": "i"}, {"header": "v"}], "rows": rows}]});
    let s: SpreadsheetSpec = serde_json::from_value(json).unwrap();
    // Run on a small-stack thread, as a tokio blocking task would.
    let bytes = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || build_spreadsheet(&s))
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    let mut book = read(bytes);
    let values = book.worksheet_range("S").unwrap();
    assert_eq!(values.get_value((1, 1)), Some(&Data::Float(n as f64)));
}

#[test]
fn a_chain_longer_than_the_evaluator_allows_is_refused_cleanly() {
    let n = 25_000;
    let rows: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            if i + 1 == n {
                serde_json::json!([1])
            } else {
                serde_json::json!([format!("=A{}+1", i + 3)])
            }
        })
        .collect();
    let json =
        serde_json::json!({"sheets": [{"name": "S", "columns": [{"header": "v"}], "rows": rows}]});
    let s: SpreadsheetSpec = serde_json::from_value(json).unwrap();
    let err = build_spreadsheet(&s).unwrap_err().to_string();
    assert!(err.contains("too deep"), "{err}");
}

/// Rewrites one member of a zip (a package made by us) with `f`.
fn patch_member(bytes: &[u8], member: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut file = zin.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        if name == member {
            content = f(&String::from_utf8(content).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn appending_to_a_workbook_whose_cells_span_the_whole_grid_is_refused_not_allocated() {
    let small = build_spreadsheet(&spec(
        r#"{"sheets":[{"name":"Data","columns":[{"header":"A"}],"rows":[[1]]}]}"#,
    ))
    .unwrap();
    // The 1.4 KB shape that once took every entry point down: a value in A2 and one in
    // XFD1048576, a bounding box of 17 billion cells.
    let hostile = patch_member(&small, "xl/worksheets/sheet1.xml", |xml| {
        xml.replace(
            "</sheetData>",
            r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#,
        )
    });
    let rows = vec![vec![commis_office::CellValue::Number(2.0)]];
    match commis_office::append_rows(&hostile, "Data", &rows) {
        Err(OfficeError::ReadWorkbook(why)) => {
            assert!(why.contains("too large"), "{why}");
            assert!(why.contains("XFD"), "{why}");
        }
        other => panic!("{:?}", other.map(|b| b.len())),
    }
    // The same workbook without the far cell still takes the row.
    let fine = commis_office::append_rows(&small, "Data", &rows).unwrap();
    let mut book = read(fine);
    let values = book.worksheet_range("Data").unwrap();
    assert_eq!(values.get_value((2, 0)), Some(&Data::Float(2.0)));
}
