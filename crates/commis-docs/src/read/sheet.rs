//! Spreadsheets (.xlsx, .xlsm, .xlsb, .xls, .ods) through calamine: every sheet,
//! cached values of formulas, dates as ISO 8601, merged ranges.

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{Cell, CellKind, Document, Format, MergedRange, Place, Table, format_number};
use crate::zipx;
use calamine::{Data, Dimensions, Ods, Reader, WorkbookProperties, Xls, Xlsb, Xlsx};
use std::collections::HashMap;
use std::io::{Cursor, Read, Seek};

pub(crate) fn read(format: Format, bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let label = match format {
        Format::Xls => "Excel 97-2003",
        Format::Xlsb => "Excel binary",
        Format::Ods => "OpenDocument spreadsheet",
        _ => "Excel",
    };
    if format != Format::Xls {
        zipx::precheck(bytes, limits, label)?;
    }
    let mut doc = Document::new(format);
    let cursor = Cursor::new(bytes);
    match format {
        Format::Xls => {
            let reader = ZeroTail {
                data: bytes,
                pos: 0,
            };
            let mut wb: Xls<_> = Xls::new(reader).map_err(|e| map_err(label, e))?;
            apply_props(wb.workbook_properties().ok(), &mut doc);
            let merges = |wb: &mut Xls<ZeroTail<'_>>, name: &str| {
                wb.merge_cells_by_sheet_name(name).unwrap_or_default()
            };
            read_workbook(&mut wb, limits, &mut doc, merges, |wb, n| {
                dense(wb, n, label)
            })?;
        }
        Format::Xlsb => {
            check_xlsb_workbook(bytes, limits)?;
            let mut wb: Xlsb<_> = Xlsb::new(cursor).map_err(|e| map_err(label, e))?;
            apply_props(wb.workbook_properties().ok(), &mut doc);
            let cells = |wb: &mut Xlsb<Cursor<&[u8]>>, name: &str| {
                let mut reader = wb
                    .worksheet_cells_reader(name)
                    .map_err(|e| map_err(label, e))?;
                collect_cells(|| reader.next_cell(), label, limits)
            };
            read_workbook(&mut wb, limits, &mut doc, |_, _| Vec::new(), cells)?;
        }
        Format::Ods => {
            if ods_encrypted(bytes) {
                return Err(DocError::Encrypted);
            }
            let (spans, area) = ods_merges(bytes, limits);
            // calamine lays every ODS sheet out densely; a crafted one declares
            // billions of cells with a few bytes of repeat attributes.
            if area > limits.max_cells {
                return Err(DocError::TooLarge {
                    limit: format!(
                        "a sheet spans {area} cells, above the {} cell limit",
                        limits.max_cells
                    ),
                });
            }
            let mut wb: Ods<_> = Ods::new(cursor).map_err(|e| map_err(label, e))?;
            apply_props(wb.workbook_properties().ok(), &mut doc);
            // calamine does not report ODS spans: they come from content.xml above.
            read_workbook(
                &mut wb,
                limits,
                &mut doc,
                |_, name| spans.get(name).cloned().unwrap_or_default(),
                |wb, n| dense(wb, n, label),
            )?;
        }
        _ => {
            let mut wb: Xlsx<_> = Xlsx::new(cursor).map_err(|e| map_err(label, e))?;
            apply_props(wb.workbook_properties().ok(), &mut doc);
            let merges = |wb: &mut Xlsx<Cursor<&[u8]>>, name: &str| {
                wb.merge_cells_by_sheet_name(name).unwrap_or_default()
            };
            let cells = |wb: &mut Xlsx<Cursor<&[u8]>>, name: &str| {
                let mut reader = match wb.worksheet_cells_reader(name) {
                    Ok(r) => r,
                    // Chart sheets and the like hold no cells.
                    Err(calamine::XlsxError::NotAWorksheet(_)) => {
                        return Ok(SheetCells::Sparse(Vec::new(), false));
                    }
                    Err(e) => return Err(map_err(label, e)),
                };
                collect_cells(|| reader.next_cell(), label, limits)
            };
            read_workbook(&mut wb, limits, &mut doc, merges, cells)?;
        }
    }
    Ok(doc)
}

/// Reads an XLS file and then zeros, up to two of the largest sectors past its end,
/// while reporting the real length when asked.
///
/// calamine 0.38 sizes its compound-file sector table from the length of the file,
/// header included, so a damaged sector chain can ask for a sector past the data; it
/// then slices backwards and panics. With zeros there, that sector reads as empty
/// data and the damage shows up as an ordinary parse error.
struct ZeroTail<'a> {
    data: &'a [u8],
    pos: u64,
}

/// The largest compound-file sector, and the largest header before the first sector.
const CFB_TAIL: u64 = 2 * 4096;

impl Read for ZeroTail<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let len = self.data.len() as u64;
        let end = (self.pos + out.len() as u64).min(len + CFB_TAIL);
        if end <= self.pos {
            return Ok(0);
        }
        let n = (end - self.pos) as usize;
        // Positions are below len + CFB_TAIL here, so they fit in usize.
        let start = self.pos as usize;
        let real = self.data.get(start..).unwrap_or_default();
        let copied = real.len().min(n);
        out[..copied].copy_from_slice(&real[..copied]);
        out[copied..n].fill(0);
        self.pos = end;
        Ok(n)
    }
}

impl Seek for ZeroTail<'_> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let (base, delta) = match to {
            std::io::SeekFrom::Start(n) => (0, i128::from(n)),
            std::io::SeekFrom::End(d) => (self.data.len() as u64, i128::from(d)),
            std::io::SeekFrom::Current(d) => (self.pos, i128::from(d)),
        };
        let pos = i128::from(base) + delta;
        self.pos = u64::try_from(pos).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}

/// calamine 0.38 indexes the records of `xl/workbook.bin` (the sheet list and the
/// external sheet table) without checking their lengths, and looks each sheet's
/// relationship up without checking it exists: a damaged file makes it panic. Those
/// records are checked here first, the way calamine reads them, so such a file is a
/// plain "corrupt" error. Anything else is left to calamine.
fn check_xlsb_workbook(bytes: &[u8], limits: &Limits) -> Result<(), DocError> {
    let damaged = |what: &str| {
        DocError::corrupt(
            "Excel binary",
            format!("xl/workbook.bin is damaged ({what}); open and re-save it in Excel"),
        )
    };
    let mut pkg = zipx::Package::open(bytes, limits, "Excel binary")?;
    let Some(workbook) = pkg.read("xl/workbook.bin")? else {
        return Ok(());
    };
    let rels = pkg.read("xl/_rels/workbook.bin.rels")?.unwrap_or_default();
    let ids = relationship_ids(&rels);
    let mut records = XlsbRecords {
        data: &workbook,
        pos: 0,
    };
    // calamine reuses one buffer: its length is what slices past a record reach.
    let mut buf_len;
    loop {
        let Some((typ, body)) = records.next() else {
            return Ok(());
        };
        buf_len = body.len();
        match typ {
            0x0099 if body.is_empty() => return Err(damaged("empty workbook properties")),
            0x009C => {
                let Some(rel_len) = body.get(8..12).map(le_u32) else {
                    return Err(damaged("short sheet record"));
                };
                if rel_len != u32::MAX {
                    let end = 12 + rel_len as usize * 2;
                    let Some(relid) = body.get(12..end) else {
                        return Err(damaged("short sheet record"));
                    };
                    let relid = encoding_rs::UTF_16LE.decode(relid).0;
                    if !ids.iter().any(|id| *id == relid) {
                        return Err(damaged("a sheet without a relationship"));
                    }
                }
            }
            // The end of the sheet list: calamine does not clear its buffer here.
            0x0090 => break,
            _ => {}
        }
    }
    loop {
        let Some((typ, body)) = records.next() else {
            return Ok(());
        };
        buf_len = buf_len.max(body.len());
        match typ {
            0x016A => {
                let Some(count) = body.get(..4).map(le_u32) else {
                    return Err(damaged("short external sheet table"));
                };
                let full = (buf_len - 4) / 12;
                if (buf_len - 4) % 12 != 0 && count as usize > full {
                    return Err(damaged("truncated external sheet table"));
                }
            }
            0x009D | 0x0225 | 0x018D | 0x0180 | 0x009A | 0x0252 | 0x0229 | 0x009B | 0x0084 => {
                return Ok(());
            }
            _ => {}
        }
    }
}

fn le_u32(b: &[u8]) -> u32 {
    b.iter()
        .take(4)
        .enumerate()
        .fold(0, |acc, (i, byte)| acc | u32::from(*byte) << (8 * i))
}

/// The `Id`s of the `Relationship` elements that also have a `Target`, as calamine
/// keeps them.
fn relationship_ids(xml: &[u8]) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut ids = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.name().as_ref() == "Relationship" => {
                let mut id = None;
                let mut target = false;
                for attr in e.attributes().flatten() {
                    match attr.key.as_ref() {
                        "Id" => id = Some(attr.value.to_string()),
                        "Target" => target = true,
                        _ => {}
                    }
                }
                if let (Some(id), true) = (id, target) {
                    ids.push(id);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    ids
}

/// The records of an XLSB part: (type, body), as calamine's record reader splits them.
struct XlsbRecords<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> XlsbRecords<'a> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn next(&mut self) -> Option<(u16, &'a [u8])> {
        let b = self.byte()?;
        let typ = if b & 0x80 != 0 {
            u16::from(b & 0x7F) + (u16::from(self.byte()? & 0x7F) << 7)
        } else {
            u16::from(b)
        };
        let mut b = self.byte()?;
        let mut len = usize::from(b & 0x7F);
        for i in 1..4 {
            if b & 0x80 == 0 {
                break;
            }
            b = self.byte()?;
            len += usize::from(b & 0x7F) << (7 * i);
        }
        let body = self.data.get(self.pos..self.pos.checked_add(len)?)?;
        self.pos += len;
        Some((typ, body))
    }
}

fn ods_encrypted(bytes: &[u8]) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    let Ok(f) = zip.by_name("META-INF/manifest.xml") else {
        return false;
    };
    let mut s = String::new();
    let _ = std::io::Read::read_to_string(&mut std::io::Read::take(f, 1024 * 1024), &mut s);
    s.contains("encryption-data")
}

fn map_err(label: &str, e: impl std::fmt::Display) -> DocError {
    let msg = e.to_string();
    if msg.to_lowercase().contains("password") || msg.to_lowercase().contains("encrypt") {
        DocError::Encrypted
    } else {
        DocError::corrupt(label, msg)
    }
}

fn apply_props(props: Option<WorkbookProperties>, doc: &mut Document) {
    let Some(p) = props else { return };
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    doc.title = clean(p.title);
    doc.metadata.author = clean(p.creator);
    doc.metadata.subject = clean(p.subject);
    doc.metadata.keywords = clean(p.keywords);
    doc.metadata.created = clean(p.created);
    doc.metadata.modified = clean(p.modified);
}

/// A sheet's cells as a reader gives them: a dense range (XLS, ODS: calamine
/// lays them out while opening the file) or the used cells one by one (XLSX, XLSB),
/// with whether some were left unread (limit `max_cells`).
enum SheetCells {
    Dense(calamine::Range<Data>),
    Sparse(Vec<((u32, u32), Data)>, bool),
}

/// The whole range of a sheet, for readers that only have it dense.
fn dense<RS, R>(wb: &mut R, name: &str, label: &str) -> Result<SheetCells, DocError>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    wb.worksheet_range(name)
        .map(SheetCells::Dense)
        .map_err(|e| map_err(label, e))
}

/// Collects the non-empty cells a sparse reader yields, at most `max_cells` of them.
fn collect_cells<'a, E: std::fmt::Display>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<calamine::DataRef<'a>>>, E>,
    label: &str,
    limits: &Limits,
) -> Result<SheetCells, DocError> {
    let mut cells = Vec::new();
    while let Some(cell) = next().map_err(|e| map_err(label, e))? {
        if cells.len() as u64 >= limits.max_cells {
            return Ok(SheetCells::Sparse(cells, true));
        }
        let value = Data::from(cell.get_value().clone());
        if value != Data::Empty {
            cells.push((cell.get_position(), value));
        }
    }
    Ok(SheetCells::Sparse(cells, false))
}

/// A used range above this many cells is laid out ragged when less than one cell in
/// sixteen holds a value.
const SCATTERED_AREA: u64 = 1 << 18;

/// Lays sparse cells out as rows from the top-left used cell. When the used range
/// spans at most `max_cells` and is not mostly empty, rows are rectangular as in the
/// file; beyond that (a stray cell at XFD1048576, cells scattered over a million rows,
/// a crafted file), each row stops at its last used cell (empty rows are empty) and
/// rows stop once `max_cells` cells (empty rows counting as one) were laid out.
fn lay_out(
    mut cells: Vec<((u32, u32), Data)>,
    limits: &Limits,
    name: &str,
    warnings: &mut Vec<String>,
) -> ((u32, u32), Vec<Vec<Cell>>) {
    if cells.is_empty() {
        return ((0, 0), Vec::new());
    }
    cells.sort_by_key(|(pos, _)| *pos);
    let r0 = cells.iter().map(|(p, _)| p.0).min().unwrap_or(0);
    let c0 = cells.iter().map(|(p, _)| p.1).min().unwrap_or(0);
    let r1 = cells.iter().map(|(p, _)| p.0).max().unwrap_or(0);
    let c1 = cells.iter().map(|(p, _)| p.1).max().unwrap_or(0);
    let height = u64::from(r1 - r0) + 1;
    let width = u64::from(c1 - c0) + 1;
    let area = height.saturating_mul(width);
    // A large range that is almost all empty (cells scattered down to row 1,000,000)
    // is not laid out as a grid: its empty cells would cost more than the sheet.
    let scattered = area > SCATTERED_AREA && (cells.len() as u64).saturating_mul(16) < area;
    let rectangular = area <= limits.max_cells && !scattered;
    if !rectangular {
        warnings.push(format!(
            "sheet {name} spans {}:{} ({} cells); its rows are read up to their last used cell",
            a1(r0, c0),
            a1(r1, c1),
            height.saturating_mul(width)
        ));
    }
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut laid: u64 = 0;
    let mut dropped = 0usize;
    for ((r, c), value) in cells {
        let (r, c) = ((r - r0) as usize, (c - c0) as usize);
        while rows.len() <= r {
            if laid >= limits.max_cells {
                break;
            }
            rows.push(if rectangular {
                vec![Cell::empty(); width as usize]
            } else {
                Vec::new()
            });
            laid += if rectangular { width } else { 1 };
        }
        let Some(row) = rows.get_mut(r) else {
            dropped += 1;
            continue;
        };
        if row.len() <= c {
            let grow = (c + 1 - row.len()) as u64;
            if laid + grow > limits.max_cells {
                dropped += 1;
                continue;
            }
            laid += grow;
            row.resize(c + 1, Cell::empty());
        }
        row[c] = convert(&value);
    }
    if dropped > 0 {
        warnings.push(format!(
            "sheet {name} truncated: {dropped} cells past the {} cell limit were not read (limit max_cells)",
            limits.max_cells
        ));
    }
    ((r0, c0), rows)
}

fn read_workbook<RS, R, F, G>(
    wb: &mut R,
    limits: &Limits,
    doc: &mut Document,
    mut merges: F,
    mut sheet_cells: G,
) -> Result<(), DocError>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
    F: FnMut(&mut R, &str) -> Vec<Dimensions>,
    G: FnMut(&mut R, &str) -> Result<SheetCells, DocError>,
{
    let names = wb.sheet_names();
    let hidden: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible != calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    doc.metadata.sheets = Some(names.len() as u32);
    doc.metadata.sheet_names = names.clone();
    let mut cells_left = limits.max_text_chars;
    for name in names {
        let sheet = match sheet_cells(wb, &name) {
            Ok(r) => r,
            Err(err) => {
                if err == DocError::Encrypted {
                    return Err(err);
                }
                doc.warnings.push(format!(
                    "sheet {name} could not be read and was skipped: {err}"
                ));
                continue;
            }
        };
        let ((r0, c0), rows) = match sheet {
            SheetCells::Sparse(cells, cut) => {
                if cut {
                    doc.warnings.push(format!(
                        "sheet {name} truncated after {} cells (limit max_cells)",
                        limits.max_cells
                    ));
                }
                lay_out(cells, limits, &name, &mut doc.warnings)
            }
            SheetCells::Dense(range) => {
                let start = range.start().unwrap_or((0, 0));
                // A damaged file can declare a range far taller than the cells it
                // holds: reserve only a little up front.
                let mut rows = Vec::with_capacity(range.height().min(1024));
                for row in range.rows() {
                    if cells_left == 0 {
                        doc.warnings
                            .push(format!("sheet {name} truncated (limit max_text_chars)"));
                        break;
                    }
                    let cells: Vec<Cell> = row.iter().map(convert).collect();
                    cells_left = cells_left.saturating_sub(cells.len());
                    rows.push(cells);
                }
                (start, rows)
            }
        };
        let merged = merges(wb, &name)
            .into_iter()
            .filter(|d| d.start.0 >= r0 && d.start.1 >= c0)
            .map(|d| MergedRange {
                first_row: d.start.0 - r0,
                first_col: d.start.1 - c0,
                last_row: d.end.0.saturating_sub(r0),
                last_col: d.end.1.saturating_sub(c0),
            })
            .collect();
        let mut place = Place::sheet(&name);
        if hidden.contains(&name) {
            // Hidden sheets often hold lookup data or old figures: say so.
            place.part = Some("hidden sheet".to_string());
        }
        doc.tables.push(Table {
            place,
            origin: Some(a1(r0, c0)),
            rows,
            merged,
        });
    }
    Ok(())
}

/// "A1"-style name of a 0-based cell position.
pub(crate) fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

fn convert(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::empty(),
        Data::Int(i) => Cell::number(*i as f64),
        Data::Float(f) => Cell::number(*f),
        Data::String(s) => Cell::text(s.clone()),
        Data::Bool(b) => Cell {
            kind: CellKind::Bool,
            text: if *b { "TRUE".into() } else { "FALSE".into() },
            number: None,
        },
        Data::DateTime(dt) => {
            let value = dt.as_f64();
            if dt.is_duration() {
                Cell {
                    kind: CellKind::Duration,
                    text: duration_text(value),
                    number: Some(value),
                }
            } else {
                let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
                let text = if (h, mi, s) == (0, 0, 0) {
                    format!("{y:04}-{mo:02}-{d:02}")
                } else if (0.0..1.0).contains(&value) {
                    format!("{h:02}:{mi:02}:{s:02}")
                } else {
                    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
                };
                Cell {
                    kind: CellKind::Date,
                    text,
                    number: Some(value),
                }
            }
        }
        Data::DateTimeIso(s) => Cell {
            kind: CellKind::Date,
            text: s.clone(),
            number: None,
        },
        Data::DurationIso(s) => Cell {
            kind: CellKind::Duration,
            text: s.clone(),
            number: None,
        },
        Data::Error(e) => Cell {
            kind: CellKind::Error,
            text: e.to_string(),
            number: None,
        },
    }
}

fn duration_text(days: f64) -> String {
    let total = (days * 86_400.0).round();
    if !total.is_finite() {
        return format_number(days);
    }
    let total = total as i64;
    let sign = if total < 0 { "-" } else { "" };
    let t = total.abs();
    format!("{sign}{}:{:02}:{:02}", t / 3600, (t / 60) % 60, t % 60)
}

/// Spanned cells of every ODS sheet, in absolute sheet coordinates, and the
/// largest area (rows × columns up to the last cell with content) of a sheet.
fn ods_merges(bytes: &[u8], limits: &Limits) -> (HashMap<String, Vec<Dimensions>>, u64) {
    let mut out = HashMap::new();
    let mut largest: u64 = 0;
    let Ok(mut pkg) = zipx::Package::open(bytes, limits, "OpenDocument spreadsheet") else {
        return (out, largest);
    };
    let Ok(Some(content)) = pkg.read_string("content.xml") else {
        return (out, largest);
    };
    let Ok(root) = crate::xml::parse(&content, limits.max_depth) else {
        return (out, largest);
    };
    let Some(sheets) = root.path(&["body", "spreadsheet"]) else {
        return (out, largest);
    };
    for table in sheets.children_named("table") {
        let name = table.attr("name").unwrap_or_default().to_string();
        let mut merges = Vec::new();
        let mut row: u32 = 0;
        let (mut last_row, mut last_col): (u64, u64) = (0, 0);
        let mut rows = Vec::new();
        collect_ods_rows(table, &mut rows);
        for tr in rows {
            let repeat = tr
                .attr("number-rows-repeated")
                .and_then(|r| r.parse::<u32>().ok())
                .unwrap_or(1)
                .max(1);
            let mut col: u32 = 0;
            for tc in tr.elements() {
                if tc.name != "table-cell" && tc.name != "covered-table-cell" {
                    continue;
                }
                let n = tc
                    .attr("number-columns-repeated")
                    .and_then(|r| r.parse::<u32>().ok())
                    .unwrap_or(1)
                    .max(1);
                let span = |a: &str| {
                    tc.attr(a)
                        .and_then(|v| v.parse::<u32>().ok())
                        .unwrap_or(1)
                        .max(1)
                };
                let (cs, rs) = (span("number-columns-spanned"), span("number-rows-spanned"));
                let has_content = tc.attr("value-type").is_some() || tc.elements().next().is_some();
                if has_content {
                    last_col = last_col.max(u64::from(col) + u64::from(n));
                    last_row = last_row.max(u64::from(row) + u64::from(repeat));
                }
                if tc.name == "table-cell" && (cs > 1 || rs > 1) {
                    merges.push(Dimensions {
                        start: (row, col),
                        end: (row.saturating_add(rs - 1), col.saturating_add(cs - 1)),
                    });
                }
                col = col.saturating_add(n);
            }
            row = row.saturating_add(repeat);
        }
        largest = largest.max(last_row.saturating_mul(last_col));
        out.insert(name, merges);
    }
    (out, largest)
}

fn collect_ods_rows<'a>(el: &'a crate::xml::Element, out: &mut Vec<&'a crate::xml::Element>) {
    for child in el.elements() {
        match child.name.as_str() {
            "table-row" => out.push(child),
            "table-header-rows" | "table-rows" | "table-row-group" => collect_ods_rows(child, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_positions_use_spreadsheet_names() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(9, 25), "Z10");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(0, 16_383), "XFD1");
    }

    #[test]
    fn durations_print_as_hours_minutes_seconds() {
        assert_eq!(
            duration_text(10.0 + 10.0 / 24.0 + 10.0 / 1440.0 + 10.0 / 86_400.0),
            "250:10:10"
        );
        assert_eq!(duration_text(-0.5), "-12:00:00");
    }
}
