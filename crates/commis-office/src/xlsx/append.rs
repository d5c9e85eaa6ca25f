//! Adding rows or a sheet to an existing workbook.
//!
//! The workbook is read back with calamine (values and formulas) and written again with the
//! same builder, so every formula is re-evaluated and its cached value stays true. What is NOT
//! carried over: cell styles and number formats (re-derived from the values: dates stay dates,
//! numbers get a plain number format, currency symbols are lost), column widths (recomputed),
//! charts, images, conditional formats, Excel tables, merged cells, comments, defined names and
//! hidden state. A totals row written by commis (label plus SUM/AVERAGE/COUNT/MIN/MAX of the
//! column above) is recognised and kept at the bottom, its ranges extended over the new rows.

use super::{
    CellValue, ColumnKind, ColumnSpec, SheetSpec, SpreadsheetSpec, TotalFunction, TotalsSpec,
    build_spreadsheet, formula::col_letters,
};
use crate::OfficeError;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use std::io::Cursor;

/// Appends `rows` at the bottom of sheet `sheet` of an existing .xlsx and returns the new bytes.
///
/// See the module documentation for what a rewrite loses (styles, charts...).
pub fn append_rows(
    existing: &[u8],
    sheet: &str,
    rows: &[Vec<CellValue>],
) -> Result<Vec<u8>, OfficeError> {
    let mut spec = read_back(existing)?;
    let target = spec
        .sheets
        .iter_mut()
        .find(|s| s.name.eq_ignore_ascii_case(sheet))
        .ok_or_else(|| {
            OfficeError::InvalidSpec(format!("the workbook has no sheet named '{sheet}'"))
        })?;
    let width = target.columns.len();
    for row in rows {
        if row.len() > width {
            return Err(OfficeError::InvalidSpec(format!(
                "an appended row has {} values but sheet '{sheet}' has {width} columns",
                row.len()
            )));
        }
    }
    target.rows.extend(rows.iter().cloned());
    build_spreadsheet(&spec)
}

/// Adds a new sheet (last tab) to an existing .xlsx and returns the new bytes.
///
/// See the module documentation for what a rewrite loses (styles, charts...).
pub fn add_sheet(existing: &[u8], sheet: &SheetSpec) -> Result<Vec<u8>, OfficeError> {
    let mut spec = read_back(existing)?;
    spec.sheets.push(sheet.clone());
    build_spreadsheet(&spec)
}

/// The most cells a sheet's bounding box may span when a workbook is read back: the rewrite
/// holds every cell of the box in memory (an xlsx of a few bytes can name cells A1 and
/// XFD1048576, a box of 17 billion cells).
const MAX_BOX_CELLS: u64 = 4_000_000;
/// The most cells with a value a sheet may hold when read back.
const MAX_USED_CELLS: u64 = 1_000_000;

/// Streams a sheet's cells once, without building its range, and refuses a sheet whose
/// used cells or bounding box are too large to rewrite.
fn check_extent<RS: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    name: &str,
) -> Result<(), OfficeError> {
    let read_err =
        |e: calamine::XlsxError| OfficeError::ReadWorkbook(format!("sheet '{name}': {e}"));
    let mut cells = book.worksheet_cells_reader(name).map_err(read_err)?;
    let (mut used, mut max_row, mut max_col) = (0u64, 0u64, 0u64);
    let (mut min_row, mut min_col) = (u64::MAX, u64::MAX);
    while let Some(cell) = cells.next_cell().map_err(read_err)? {
        let (r, c) = cell.get_position();
        let (r, c) = (u64::from(r), u64::from(c));
        used += 1;
        min_row = min_row.min(r);
        min_col = min_col.min(c);
        max_row = max_row.max(r);
        max_col = max_col.max(c);
        let boxed = (max_row - min_row + 1).saturating_mul(max_col - min_col + 1);
        if used > MAX_USED_CELLS || boxed > MAX_BOX_CELLS {
            return Err(OfficeError::ReadWorkbook(format!(
                "sheet '{name}' is too large to rewrite (cells up to row {} and column {}); commis appends only to workbooks of at most {MAX_BOX_CELLS} cells",
                max_row + 1,
                col_letters(max_col as u32)
            )));
        }
    }
    Ok(())
}

/// Reads a workbook into a spec: first row as headers, formulas as "=..." strings.
fn read_back(bytes: &[u8]) -> Result<SpreadsheetSpec, OfficeError> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| OfficeError::ReadWorkbook(e.to_string()))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        check_extent(&mut book, &name)?;
        let values = book
            .worksheet_range(&name)
            .map_err(|e| OfficeError::ReadWorkbook(format!("sheet '{name}': {e}")))?;
        let formulas = book
            .worksheet_formula(&name)
            .map_err(|e| OfficeError::ReadWorkbook(format!("sheet '{name}': {e}")))?;
        let (end_row, end_col) = match (values.end(), formulas.end()) {
            (Some(a), Some(b)) => (a.0.max(b.0), a.1.max(b.1)),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => {
                continue;
            }
        };
        let cell = |r: u32, c: u32| -> CellValue {
            if let Some(f) = formulas.get_value((r, c))
                && !f.is_empty()
            {
                return CellValue::Text(format!("={f}"));
            }
            match values.get_value((r, c)).cloned() {
                Some(Data::Int(i)) => CellValue::Number(i as f64),
                Some(Data::Float(f)) => CellValue::Number(f),
                Some(Data::String(s)) => CellValue::Text(s),
                Some(Data::Bool(b)) => CellValue::Bool(b),
                Some(Data::DateTime(d)) => CellValue::Number(d.as_f64()),
                Some(Data::DateTimeIso(s)) | Some(Data::DurationIso(s)) => CellValue::Text(s),
                _ => CellValue::Null,
            }
        };
        let columns: Vec<ColumnSpec> = (0..=end_col)
            .map(|c| {
                let header = match cell(0, c) {
                    CellValue::Text(t) => t,
                    CellValue::Number(n) => n.to_string(),
                    _ => col_letters(c),
                };
                let mut kind = ColumnKind::Text;
                let mut all_numeric = end_row > 0;
                for r in 1..=end_row {
                    match values.get_value((r, c)) {
                        Some(Data::DateTime(_)) => kind = ColumnKind::Date,
                        Some(Data::Int(_)) | Some(Data::Float(_)) | Some(Data::Empty) | None => {}
                        _ => all_numeric = false,
                    }
                }
                if kind == ColumnKind::Text && all_numeric {
                    kind = ColumnKind::Number;
                }
                ColumnSpec {
                    header,
                    kind,
                    width: None,
                }
            })
            .collect();
        let mut rows: Vec<Vec<CellValue>> = (1..=end_row)
            .map(|r| (0..=end_col).map(|c| cell(r, c)).collect())
            .collect();
        let totals = detect_totals(&rows, &columns);
        if totals.is_some() {
            rows.pop();
        }
        sheets.push(SheetSpec {
            name,
            columns,
            rows,
            totals,
            table: false,
            freeze_header: true,
            conditional: Vec::new(),
            charts: Vec::new(),
        });
    }
    if sheets.is_empty() {
        return Err(OfficeError::ReadWorkbook(
            "it has no sheet with data".into(),
        ));
    }
    // The Sources sheet is data like any other here: it is rewritten as a plain sheet.
    Ok(SpreadsheetSpec {
        sheets,
        sources: Vec::new(),
        locale: Default::default(),
        currency: "EUR".into(),
    })
}

/// Recognises a last row of the form [label, =SUM(X2:Xn), ...] covering every row above it.
fn detect_totals(rows: &[Vec<CellValue>], columns: &[ColumnSpec]) -> Option<TotalsSpec> {
    let last = rows.last()?;
    let data_end = rows.len(); // 1-based row number of the last data row above the totals.
    let label = match last.first()? {
        CellValue::Text(t) if !t.starts_with('=') => t.clone(),
        _ => return None,
    };
    let mut function = None;
    let mut cols = Vec::new();
    for (c, v) in last.iter().enumerate().skip(1) {
        match v {
            CellValue::Null => {}
            CellValue::Text(f) if f.starts_with('=') => {
                let letters = col_letters(c as u32);
                let found = ["SUM", "AVERAGE", "COUNT", "MIN", "MAX"]
                    .into_iter()
                    .find(|name| *f == format!("={name}({letters}2:{letters}{data_end})"))?;
                let func = match found {
                    "SUM" => TotalFunction::Sum,
                    "AVERAGE" => TotalFunction::Average,
                    "COUNT" => TotalFunction::Count,
                    "MIN" => TotalFunction::Min,
                    _ => TotalFunction::Max,
                };
                if function.is_some_and(|f| f != func) {
                    return None;
                }
                function = Some(func);
                cols.push(columns[c].header.clone());
            }
            _ => return None,
        }
    }
    Some(TotalsSpec {
        label: Some(label),
        columns: cols,
        function: function?,
    })
}
