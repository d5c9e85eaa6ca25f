//! Word (.docx) and PowerPoint (.pptx): zip packages of XML parts.

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{BlockKind, Cell, Document, Format, MergedRange, Place, Table};
use crate::xml::{self, Element};
use crate::zipx::Package;
use std::collections::HashMap;

fn parse_part(
    pkg: &mut Package<'_>,
    name: &str,
    limits: &Limits,
    format: &str,
) -> Result<Option<Element>, DocError> {
    match pkg.read_string(name)? {
        None => Ok(None),
        Some(s) => xml::parse(&s, limits.max_depth)
            .map(Some)
            .map_err(|e| DocError::corrupt(format, format!("{name}: {e}"))),
    }
}

/// Like `parse_part`, but a damaged optional part is a warning, not a failure.
fn parse_optional(
    pkg: &mut Package<'_>,
    name: &str,
    limits: &Limits,
    doc: &mut Document,
) -> Result<Option<Element>, DocError> {
    match parse_part(pkg, name, limits, doc.format.name()) {
        Ok(e) => Ok(e),
        Err(DocError::Corrupt { reason, .. }) => {
            doc.warnings
                .push(format!("skipped a damaged part: {reason}"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Title, author and dates from docProps/core.xml.
pub(super) fn core_properties(
    pkg: &mut Package<'_>,
    limits: &Limits,
    doc: &mut Document,
) -> Result<(), DocError> {
    let Some(core) = parse_optional(pkg, "docProps/core.xml", limits, doc)? else {
        return Ok(());
    };
    let get = |name: &str| {
        core.child(name)
            .map(|e| e.text().trim().to_string())
            .filter(|s| !s.is_empty())
    };
    doc.title = get("title");
    doc.metadata.author = get("creator");
    doc.metadata.subject = get("subject");
    doc.metadata.keywords = get("keywords");
    doc.metadata.created = get("created");
    doc.metadata.modified = get("modified");
    Ok(())
}

/// Relationship id -> target part path, resolved against the part's folder.
fn relationships(
    pkg: &mut Package<'_>,
    part: &str,
    limits: &Limits,
    doc: &mut Document,
) -> Result<HashMap<String, String>, DocError> {
    let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
    let rels_name = if dir.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{dir}/_rels/{file}.rels")
    };
    let mut map = HashMap::new();
    if let Some(rels) = parse_optional(pkg, &rels_name, limits, doc)? {
        for r in rels.children_named("Relationship") {
            if r.attr("TargetMode") == Some("External") {
                continue;
            }
            if let (Some(id), Some(target)) = (r.attr("Id"), r.attr("Target")) {
                map.insert(id.to_string(), resolve_target(dir, target));
            }
        }
    }
    Ok(map)
}

fn resolve_target(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

// ---------------------------------------------------------------- DOCX

struct DocxStyles {
    /// styleId -> heading level (0 = Title).
    headings: HashMap<String, u8>,
    lists: HashMap<String, bool>,
}

fn docx_styles(styles: Option<&Element>) -> DocxStyles {
    let mut headings = HashMap::new();
    let mut lists = HashMap::new();
    if let Some(styles) = styles {
        for s in styles.children_named("style") {
            let Some(id) = s.attr("styleId") else {
                continue;
            };
            let name = s
                .child("name")
                .and_then(|n| n.attr("val"))
                .unwrap_or(id)
                .to_ascii_lowercase();
            let outline = s
                .path(&["pPr", "outlineLvl"])
                .and_then(|o| o.attr("val"))
                .and_then(|v| v.parse::<u8>().ok());
            if name == "title" {
                headings.insert(id.to_string(), 0);
            } else if let Some(n) = name
                .strip_prefix("heading")
                .map(str::trim)
                .and_then(|n| n.parse::<u8>().ok())
            {
                headings.insert(id.to_string(), n);
            } else if let Some(o) = outline.filter(|o| *o < 9) {
                headings.insert(id.to_string(), o + 1);
            }
            if name.starts_with("list") {
                lists.insert(id.to_string(), true);
            }
        }
    }
    DocxStyles { headings, lists }
}

pub(crate) fn read_docx(bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let mut pkg = Package::open(bytes, limits, "Word")?;
    let mut doc = Document::new(Format::Docx);
    let main = parse_part(&mut pkg, "word/document.xml", limits, "Word")?
        .ok_or_else(|| DocError::corrupt("Word", "word/document.xml is missing"))?;
    core_properties(&mut pkg, limits, &mut doc)?;
    let styles_xml = parse_optional(&mut pkg, "word/styles.xml", limits, &mut doc)?;
    let styles = docx_styles(styles_xml.as_ref());
    let rels = relationships(&mut pkg, "word/document.xml", limits, &mut doc)?;

    let body_place = Place::default();
    let mut headers: Vec<String> = rels
        .values()
        .filter(|t| t.starts_with("word/header"))
        .cloned()
        .collect();
    headers.sort();
    for h in &headers {
        if let Some(part) = parse_optional(&mut pkg, h, limits, &mut doc)? {
            let place = Place {
                part: Some("header".into()),
                ..Place::default()
            };
            docx_container(&part, &styles, &place, &mut doc);
        }
    }
    if let Some(body) = main.child("body") {
        docx_container(body, &styles, &body_place, &mut doc);
    }
    for (part_name, label, kind) in [
        ("word/footnotes.xml", "footnotes", BlockKind::Note),
        ("word/endnotes.xml", "endnotes", BlockKind::Note),
    ] {
        if let Some(part) = parse_optional(&mut pkg, part_name, limits, &mut doc)? {
            for note in part.elements() {
                // Separator pseudo-notes carry no text of their own.
                if note.attr("type").is_some_and(|t| t != "normal") {
                    continue;
                }
                let text = paragraphs_text(note);
                doc.push_block(
                    kind.clone(),
                    text,
                    Place {
                        part: Some(label.into()),
                        ..Place::default()
                    },
                );
            }
        }
    }
    if let Some(comments) = parse_optional(&mut pkg, "word/comments.xml", limits, &mut doc)? {
        for c in comments.children_named("comment") {
            let text = paragraphs_text(c);
            let text = match c.attr("author") {
                Some(a) if !a.is_empty() => format!("{a}: {text}"),
                _ => text,
            };
            doc.push_block(
                BlockKind::Comment,
                text,
                Place {
                    part: Some("comments".into()),
                    ..Place::default()
                },
            );
        }
    }
    let mut footers: Vec<String> = rels
        .values()
        .filter(|t| t.starts_with("word/footer"))
        .cloned()
        .collect();
    footers.sort();
    for f in &footers {
        if let Some(part) = parse_optional(&mut pkg, f, limits, &mut doc)? {
            let place = Place {
                part: Some("footer".into()),
                ..Place::default()
            };
            docx_container(&part, &styles, &place, &mut doc);
        }
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

/// Walks a body, cell, header or footer: paragraphs and tables in order.
fn docx_container(container: &Element, styles: &DocxStyles, place: &Place, doc: &mut Document) {
    for el in container.elements() {
        match el.name.as_str() {
            "p" => docx_paragraph(el, styles, place, doc),
            "tbl" => {
                let table = docx_table(el, place);
                doc.push_table_in_flow(table);
            }
            "sdt" => {
                if let Some(content) = el.child("sdtContent") {
                    docx_container(content, styles, place, doc);
                }
            }
            "customXml" | "ins" | "smartTag" => docx_container(el, styles, place, doc),
            _ => {}
        }
    }
}

fn docx_paragraph(p: &Element, styles: &DocxStyles, place: &Place, doc: &mut Document) {
    let mut text = String::new();
    run_text(p, &mut text);
    let ppr = p.child("pPr");
    let style = ppr
        .and_then(|x| x.child("pStyle"))
        .and_then(|s| s.attr("val"));
    let outline = ppr
        .and_then(|x| x.child("outlineLvl"))
        .and_then(|o| o.attr("val"))
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|o| *o < 9);
    let num = ppr.and_then(|x| x.child("numPr"));
    let kind = if let Some(level) = style.and_then(|s| styles.headings.get(s)) {
        if *level == 0 {
            BlockKind::Title
        } else {
            BlockKind::Heading { level: *level }
        }
    } else if let Some(o) = outline {
        BlockKind::Heading { level: o + 1 }
    } else if let Some(num) = num {
        let level = num
            .child("ilvl")
            .and_then(|l| l.attr("val"))
            .and_then(|v| v.parse::<u8>().ok())
            .unwrap_or(0);
        BlockKind::ListItem { level }
    } else if style.is_some_and(|s| styles.lists.contains_key(s)) {
        BlockKind::ListItem { level: 0 }
    } else {
        BlockKind::Paragraph
    };
    doc.push_block(kind, text.trim_end().to_string(), place.clone());
}

/// Text of runs, with tracked insertions kept and deletions dropped.
fn run_text(el: &Element, out: &mut String) {
    for child in el.elements() {
        match child.name.as_str() {
            "t" => out.push_str(&child.text()),
            "tab" | "ptab" => out.push('\t'),
            "br" | "cr" => out.push('\n'),
            "noBreakHyphen" => out.push('-'),
            "softHyphen" => {}
            "del" | "delText" | "instrText" | "pPr" | "rPr" | "moveFrom" | "commentReference" => {}
            "AlternateContent" => {
                if let Some(choice) = child.child("Choice") {
                    run_text(choice, out);
                }
            }
            "txbxContent" => {
                let t = paragraphs_text(child);
                if !t.is_empty() {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(&t);
                }
            }
            _ => run_text(child, out),
        }
    }
}

/// Paragraphs below an element, one per line.
fn paragraphs_text(el: &Element) -> String {
    let mut lines = Vec::new();
    collect_paragraphs(el, &mut lines);
    lines.join("\n")
}

fn collect_paragraphs(el: &Element, lines: &mut Vec<String>) {
    for child in el.elements() {
        if child.name == "p" {
            let mut t = String::new();
            run_text(child, &mut t);
            let t = t.trim_end().to_string();
            if !t.is_empty() {
                lines.push(t);
            }
        } else if child.name != "del" {
            collect_paragraphs(child, lines);
        }
    }
}

fn docx_table(tbl: &Element, place: &Place) -> Table {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut merged = Vec::new();
    // Column -> (first row, col span) of an open vertical merge.
    let mut open_vmerge: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut vmerge_rows: HashMap<usize, usize> = HashMap::new();
    for (r, tr) in tbl.children_named("tr").enumerate() {
        let mut row = Vec::new();
        let mut col = 0usize;
        for tc in tr.elements().filter(|e| e.name == "tc" || e.name == "sdt") {
            let tc = if tc.name == "sdt" {
                tc.find("tc").unwrap_or(tc)
            } else {
                tc
            };
            let tcpr = tc.child("tcPr");
            let span = tcpr
                .and_then(|p| p.child("gridSpan"))
                .and_then(|g| g.attr("val"))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, 64);
            let vmerge = tcpr.and_then(|p| p.child("vMerge"));
            let text = paragraphs_text(tc);
            match vmerge {
                Some(v) if v.attr("val") == Some("restart") => {
                    close_vmerge(&mut open_vmerge, &mut vmerge_rows, col, &mut merged);
                    open_vmerge.insert(col, (r, span));
                    vmerge_rows.insert(col, r);
                    row.push(Cell::text(text));
                }
                Some(_) => {
                    vmerge_rows.insert(col, r);
                    row.push(Cell::empty());
                }
                None => {
                    close_vmerge(&mut open_vmerge, &mut vmerge_rows, col, &mut merged);
                    row.push(Cell::text(text));
                }
            }
            if span > 1 && vmerge.is_none() {
                merged.push(MergedRange {
                    first_row: r as u32,
                    first_col: col as u32,
                    last_row: r as u32,
                    last_col: (col + span - 1) as u32,
                });
            }
            for _ in 1..span {
                row.push(Cell::empty());
            }
            col += span;
        }
        rows.push(row);
    }
    let cols: Vec<usize> = open_vmerge.keys().copied().collect();
    for c in cols {
        close_vmerge(&mut open_vmerge, &mut vmerge_rows, c, &mut merged);
    }
    merged.sort_by_key(|m| (m.first_row, m.first_col));
    Table {
        place: place.clone(),
        origin: None,
        rows,
        merged,
    }
}

fn close_vmerge(
    open: &mut HashMap<usize, (usize, usize)>,
    last_rows: &mut HashMap<usize, usize>,
    col: usize,
    merged: &mut Vec<MergedRange>,
) {
    if let Some((first, span)) = open.remove(&col) {
        let last = last_rows.remove(&col).unwrap_or(first);
        if last > first || span > 1 {
            merged.push(MergedRange {
                first_row: first as u32,
                first_col: col as u32,
                last_row: last as u32,
                last_col: (col + span - 1) as u32,
            });
        }
    }
}

// ---------------------------------------------------------------- PPTX

pub(crate) fn read_pptx(bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let mut pkg = Package::open(bytes, limits, "PowerPoint")?;
    let mut doc = Document::new(Format::Pptx);
    let pres = parse_part(&mut pkg, "ppt/presentation.xml", limits, "PowerPoint")?
        .ok_or_else(|| DocError::corrupt("PowerPoint", "ppt/presentation.xml is missing"))?;
    core_properties(&mut pkg, limits, &mut doc)?;
    let rels = relationships(&mut pkg, "ppt/presentation.xml", limits, &mut doc)?;
    let mut slides: Vec<String> = Vec::new();
    if let Some(list) = pres.child("sldIdLst") {
        for s in list.children_named("sldId") {
            let target = s
                .attrs
                .iter()
                .find(|(k, _)| k.ends_with(":id"))
                .map(|(_, v)| v.clone());
            match target.and_then(|id| rels.get(&id).cloned()) {
                Some(t) => slides.push(t),
                None => doc
                    .warnings
                    .push("a slide listed in the presentation has no relationship; skipped".into()),
            }
        }
    }
    doc.metadata.slides = Some(slides.len() as u32);
    for (i, part) in slides.iter().enumerate() {
        let n = (i + 1) as u32;
        if n > limits.max_pages {
            doc.warnings.push(format!(
                "only the first {} slides were read (limit max_pages)",
                limits.max_pages
            ));
            break;
        }
        let Some(slide) = parse_optional(&mut pkg, part, limits, &mut doc)? else {
            doc.warnings.push(format!(
                "slide {n} ({part}) is missing from the package; skipped"
            ));
            continue;
        };
        let place = Place::slide(n);
        if let Some(tree) = slide.find("spTree") {
            pptx_shapes(tree, &place, &mut doc);
        }
        let slide_rels = relationships(&mut pkg, part, limits, &mut doc)?;
        let mut notes: Vec<&String> = slide_rels
            .values()
            .filter(|t| t.contains("notesSlide"))
            .collect();
        notes.sort();
        if let Some(notes_part) = notes.first()
            && let Some(notes) = parse_optional(&mut pkg, notes_part, limits, &mut doc)?
            && let Some(tree) = notes.find("spTree")
        {
            for sp in tree.children_named("sp") {
                let ph = sp.find("ph").and_then(|p| p.attr("type"));
                if ph == Some("body") {
                    let text = drawing_paragraphs(sp).join("\n");
                    doc.push_block(
                        BlockKind::Note,
                        text,
                        Place {
                            part: Some("notes".into()),
                            ..place.clone()
                        },
                    );
                }
            }
        }
    }
    if doc.title.is_none() {
        doc.title = doc
            .blocks
            .iter()
            .find(|b| b.kind == BlockKind::Title)
            .map(|b| b.text.clone());
    }
    Ok(doc)
}

fn pptx_shapes(tree: &Element, place: &Place, doc: &mut Document) {
    for shape in tree.elements() {
        match shape.name.as_str() {
            "sp" => {
                let ph = shape.find("nvPr").and_then(|n| n.child("ph"));
                let ph_type = ph.and_then(|p| p.attr("type"));
                let is_title = matches!(ph_type, Some("title" | "ctrTitle"));
                let Some(body) = shape.child("txBody") else {
                    continue;
                };
                for p in body.children_named("p") {
                    let text = drawing_paragraph_text(p);
                    let level = p
                        .child("pPr")
                        .and_then(|pp| pp.attr("lvl"))
                        .and_then(|l| l.parse::<u8>().ok())
                        .unwrap_or(0);
                    let kind = if is_title {
                        BlockKind::Title
                    } else if level > 0
                        || ph_type == Some("body")
                        || ph.is_some_and(|p| p.attr("idx").is_some() && ph_type.is_none())
                    {
                        BlockKind::ListItem { level }
                    } else {
                        BlockKind::Paragraph
                    };
                    doc.push_block(kind, text, place.clone());
                }
            }
            "grpSp" => pptx_shapes(shape, place, doc),
            "graphicFrame" => {
                if let Some(tbl) = shape.find("tbl") {
                    doc.push_table_in_flow(drawing_table(tbl, place));
                }
            }
            "AlternateContent" => {
                if let Some(choice) = shape.child("Choice") {
                    pptx_shapes(choice, place, doc);
                }
            }
            _ => {}
        }
    }
}

fn drawing_paragraph_text(p: &Element) -> String {
    let mut out = String::new();
    for r in p.elements() {
        match r.name.as_str() {
            "r" | "fld" => {
                if let Some(t) = r.child("t") {
                    out.push_str(&t.text());
                }
            }
            "br" => out.push('\n'),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

fn drawing_paragraphs(el: &Element) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(body) = el.find("txBody") {
        for p in body.children_named("p") {
            let t = drawing_paragraph_text(p);
            if !t.is_empty() {
                out.push(t);
            }
        }
    }
    out
}

fn drawing_table(tbl: &Element, place: &Place) -> Table {
    let mut rows = Vec::new();
    let mut merged = Vec::new();
    for (r, tr) in tbl.children_named("tr").enumerate() {
        let mut row = Vec::new();
        for (c, tc) in tr.children_named("tc").enumerate() {
            let covered = tc.attr("hMerge").is_some() || tc.attr("vMerge").is_some();
            if covered {
                row.push(Cell::empty());
                continue;
            }
            let text = drawing_paragraphs(tc).join("\n");
            let span = |n: &str| {
                tc.attr(n)
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(1)
                    .max(1)
            };
            let (gs, rs) = (span("gridSpan"), span("rowSpan"));
            if gs > 1 || rs > 1 {
                merged.push(MergedRange {
                    first_row: r as u32,
                    first_col: c as u32,
                    last_row: r as u32 + rs - 1,
                    last_col: c as u32 + gs - 1,
                });
            }
            row.push(Cell::text(text));
        }
        rows.push(row);
    }
    Table {
        place: place.clone(),
        origin: None,
        rows,
        merged,
    }
}
