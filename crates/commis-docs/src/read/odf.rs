//! OpenDocument text (.odt) and presentations (.odp); spreadsheets go through calamine.

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{BlockKind, Cell, Document, Format, MergedRange, Place, Table};
use crate::xml::{self, Element, Node};
use crate::zipx::Package;

/// Most columns a repeated ODF cell may expand to: a styled empty row can claim
/// 16384 repetitions, which are padding, not data.
const MAX_REPEAT: usize = 1_000;

/// Cells kept per table: repetition attributes could otherwise expand a small file
/// into billions of cells.
const MAX_TABLE_CELLS: usize = 500_000;

pub(crate) fn read(format: Format, bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let label = if format == Format::Odp {
        "OpenDocument presentation"
    } else {
        "OpenDocument text"
    };
    let mut pkg = Package::open(bytes, limits, label)?;
    let mut doc = Document::new(format);
    if let Some(manifest) = pkg.read_string("META-INF/manifest.xml")?
        && manifest.contains("encryption-data")
    {
        return Err(DocError::Encrypted);
    }
    let content = pkg
        .read_string("content.xml")?
        .ok_or_else(|| DocError::corrupt(label, "content.xml is missing"))?;
    let root = xml::parse(&content, limits.max_depth)
        .map_err(|e| DocError::corrupt(label, format!("content.xml: {e}")))?;
    if let Some(meta) = pkg.read_string("meta.xml")? {
        match xml::parse(&meta, limits.max_depth) {
            Ok(meta) => read_meta(&meta, &mut doc),
            Err(e) => doc.warnings.push(format!("skipped damaged meta.xml: {e}")),
        }
    }
    let Some(body) = root.child("body") else {
        return Err(DocError::corrupt(label, "content.xml has no office:body"));
    };
    if let Some(text) = body.child("text") {
        walk_text(text, &Place::default(), 0, &mut doc);
    } else if let Some(pres) = body.child("presentation") {
        let pages: Vec<&Element> = pres.children_named("page").collect();
        doc.metadata.slides = Some(pages.len() as u32);
        for (i, page) in pages.iter().enumerate() {
            let n = (i + 1) as u32;
            if n > limits.max_pages {
                doc.warnings.push(format!(
                    "only the first {} slides were read (limit max_pages)",
                    limits.max_pages
                ));
                break;
            }
            let place = Place::slide(n);
            for frame in page.elements() {
                draw_shape(frame, &place, &mut doc);
            }
            if let Some(notes) = page.child("notes") {
                for frame in notes.elements() {
                    if frame.attr("class") == Some("notes")
                        && let Some(tb) = frame.child("text-box")
                    {
                        let t = block_text_lines(tb).join("\n");
                        doc.push_block(
                            BlockKind::Note,
                            t,
                            Place {
                                part: Some("notes".into()),
                                ..place.clone()
                            },
                        );
                    }
                }
            }
        }
    } else {
        doc.warnings
            .push("the document body holds no text or slides".to_string());
    }
    if doc.title.is_none() {
        doc.title = doc
            .blocks
            .iter()
            .find(|b| matches!(b.kind, BlockKind::Title | BlockKind::Heading { level: 1 }))
            .map(|b| b.text.clone());
    }
    Ok(doc)
}

fn read_meta(meta: &Element, doc: &mut Document) {
    let Some(m) = meta.child("meta") else { return };
    let get = |name: &str| {
        m.child(name)
            .map(|e| e.text().trim().to_string())
            .filter(|s| !s.is_empty())
    };
    doc.title = get("title");
    doc.metadata.author = get("initial-creator").or_else(|| get("creator"));
    doc.metadata.subject = get("subject");
    doc.metadata.created = get("creation-date");
    doc.metadata.modified = get("date");
    doc.metadata.producer = get("generator");
    if let Some(stats) = m.child("document-statistic")
        && let Some(pages) = stats.attr("page-count").and_then(|p| p.parse().ok())
    {
        doc.metadata.pages = Some(pages);
    }
}

fn draw_shape(shape: &Element, place: &Place, doc: &mut Document) {
    match shape.name.as_str() {
        "frame" | "custom-shape" | "rect" => {
            let is_title = shape.attr("class") == Some("title");
            for inner in shape.elements() {
                match inner.name.as_str() {
                    "text-box" => {
                        if is_title {
                            let t = block_text_lines(inner).join(" ");
                            doc.push_block(BlockKind::Title, t, place.clone());
                        } else {
                            walk_text(inner, place, 0, doc);
                        }
                    }
                    "table" => {
                        let t = odf_table(inner, place, &mut doc.warnings);
                        doc.push_table_in_flow(t);
                    }
                    "p" | "list" | "h" => walk_text(shape, place, 0, doc),
                    _ => {}
                }
            }
            if shape.name == "custom-shape" || shape.name == "rect" {
                walk_text(shape, place, 0, doc);
            }
        }
        "g" => {
            for s in shape.elements() {
                draw_shape(s, place, doc);
            }
        }
        _ => {}
    }
}

/// Walks block-level ODF text: headings, paragraphs, lists, tables, sections.
fn walk_text(container: &Element, place: &Place, list_level: u8, doc: &mut Document) {
    for el in container.elements() {
        match el.name.as_str() {
            "h" => {
                let level = el
                    .attr("outline-level")
                    .and_then(|l| l.parse::<u8>().ok())
                    .unwrap_or(1)
                    .max(1);
                let t = inline_text(el, doc);
                doc.push_block(BlockKind::Heading { level }, t, place.clone());
            }
            "p" => {
                let t = inline_text(el, doc);
                let kind = if list_level > 0 {
                    BlockKind::ListItem {
                        level: list_level - 1,
                    }
                } else {
                    BlockKind::Paragraph
                };
                doc.push_block(kind, t, place.clone());
                inline_extras(el, place, doc);
            }
            "list" => {
                for item in el.elements() {
                    if item.name == "list-item" || item.name == "list-header" {
                        walk_text(item, place, list_level + 1, doc);
                    }
                }
            }
            "table" => {
                let t = odf_table(el, place, &mut doc.warnings);
                doc.push_table_in_flow(t);
            }
            "section" | "index-body" | "table-of-content" | "alphabetical-index"
            | "illustration-index" | "bibliography" | "user-index" | "object-index"
            | "table-index" | "change-start" => {
                walk_text(el, place, list_level, doc);
            }
            _ => {}
        }
    }
}

/// Comments and notes inside a paragraph become their own blocks.
fn inline_extras(p: &Element, place: &Place, doc: &mut Document) {
    for el in p.elements() {
        match el.name.as_str() {
            "annotation" => {
                let author = el.child("creator").map(|c| c.text());
                let body: Vec<String> = el.children_named("p").map(inline_text_plain).collect();
                let mut t = body.join("\n");
                if let Some(a) = author.filter(|a| !a.is_empty()) {
                    t = format!("{a}: {t}");
                }
                doc.push_block(
                    BlockKind::Comment,
                    t,
                    Place {
                        part: Some("comments".into()),
                        ..place.clone()
                    },
                );
            }
            "note" => {
                if let Some(body) = el.child("note-body") {
                    let t = block_text_lines(body).join("\n");
                    doc.push_block(
                        BlockKind::Note,
                        t,
                        Place {
                            part: Some("notes".into()),
                            ..place.clone()
                        },
                    );
                }
            }
            "span" | "a" | "meta" => inline_extras(el, place, doc),
            _ => {}
        }
    }
}

fn inline_text(el: &Element, _doc: &Document) -> String {
    inline_text_plain(el).trim_end().to_string()
}

/// Paragraph text: spaces, tabs and line breaks expanded; deletions, notes and
/// comments left out (they become their own blocks).
fn inline_text_plain(el: &Element) -> String {
    let mut out = String::new();
    push_inline(el, &mut out);
    out
}

fn push_inline(el: &Element, out: &mut String) {
    for n in &el.children {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Elem(e) => match e.name.as_str() {
                "s" => {
                    let c = e
                        .attr("c")
                        .and_then(|c| c.parse::<usize>().ok())
                        .unwrap_or(1)
                        .min(MAX_REPEAT);
                    out.push_str(&" ".repeat(c));
                }
                "tab" => out.push('\t'),
                "line-break" => out.push('\n'),
                "annotation" | "annotation-end" | "note" | "tracked-changes" | "change" => {}
                _ => push_inline(e, out),
            },
        }
    }
}

fn block_text_lines(el: &Element) -> Vec<String> {
    let mut lines = Vec::new();
    for child in el.elements() {
        match child.name.as_str() {
            "p" | "h" => {
                let t = inline_text_plain(child).trim_end().to_string();
                if !t.is_empty() {
                    lines.push(t);
                }
            }
            "list" | "list-item" | "list-header" | "section" => {
                lines.extend(block_text_lines(child))
            }
            _ => {}
        }
    }
    lines
}

fn odf_table(table: &Element, place: &Place, warnings: &mut Vec<String>) -> Table {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut merged = Vec::new();
    let mut cells = 0usize;
    let mut row_elems = Vec::new();
    collect_rows(table, &mut row_elems);
    for tr in row_elems {
        let repeat = tr
            .attr("number-rows-repeated")
            .and_then(|r| r.parse::<usize>().ok())
            .unwrap_or(1);
        let mut row = Vec::new();
        for tc in tr.elements() {
            if tc.name != "table-cell" && tc.name != "covered-table-cell" {
                continue;
            }
            let n = tc
                .attr("number-columns-repeated")
                .and_then(|r| r.parse::<usize>().ok())
                .unwrap_or(1)
                .min(MAX_REPEAT);
            let cell = if tc.name == "covered-table-cell" {
                Cell::empty()
            } else {
                let text = block_text_lines(tc).join("\n");
                match tc.attr("value-type") {
                    Some("float" | "percentage" | "currency") => {
                        let num = tc.attr("value").and_then(|v| v.parse::<f64>().ok());
                        Cell {
                            kind: crate::model::CellKind::Number,
                            text,
                            number: num,
                        }
                    }
                    _ => Cell::text(text),
                }
            };
            let span = |a: &str| {
                tc.attr(a)
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(1)
                    .max(1)
            };
            let (cs, rs) = (span("number-columns-spanned"), span("number-rows-spanned"));
            if cs > 1 || rs > 1 {
                let r = rows.len() as u32;
                let c = row.len() as u32;
                merged.push(MergedRange {
                    first_row: r,
                    first_col: c,
                    last_row: r + rs - 1,
                    last_col: c + cs - 1,
                });
            }
            for _ in 0..n.min(MAX_TABLE_CELLS.saturating_sub(cells + row.len())) {
                row.push(cell.clone());
            }
        }
        while row.last().is_some_and(|c| c.text.is_empty()) {
            row.pop();
        }
        let repeat = if row.is_empty() {
            1
        } else {
            repeat.min(MAX_REPEAT)
        };
        for _ in 0..repeat {
            if cells + row.len() > MAX_TABLE_CELLS {
                break;
            }
            cells += row.len();
            rows.push(row.clone());
        }
    }
    while rows.last().is_some_and(|r| r.is_empty()) {
        rows.pop();
    }
    if cells >= MAX_TABLE_CELLS / 2
        && rows.iter().map(Vec::len).sum::<usize>() >= MAX_TABLE_CELLS / 2
    {
        warnings.push(format!("a table was cut at about {MAX_TABLE_CELLS} cells"));
    }
    let mut place = place.clone();
    if place.sheet.is_none()
        && let Some(name) = table.attr("name")
        && place.page.is_none()
        && place.slide.is_none()
    {
        place.part = Some(format!("table {name}"));
    }
    Table {
        place,
        origin: None,
        rows,
        merged,
    }
}

fn collect_rows<'a>(el: &'a Element, out: &mut Vec<&'a Element>) {
    for child in el.elements() {
        match child.name.as_str() {
            "table-row" => out.push(child),
            "table-header-rows" | "table-rows" | "table-row-group" => collect_rows(child, out),
            _ => {}
        }
    }
}
