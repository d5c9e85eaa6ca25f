//! Previews of a run's files for the results screen: a workbook's sheets as tables, a
//! deck as an outline of its slides, a report or any other document as headings,
//! paragraphs and tables. Files are read through commis-workspace with the run's grants
//! (so confinement holds here too) and parsed by commis-docs.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use commis_agent::engine::Engine;
use commis_agent::messages::{Msg, doc_error, workspace_error};
use commis_core::Run;
use commis_docs::{BlockKind, Format, Limits, Table};
use commis_workspace::Workspace;
use serde_json::{Value, json};

use crate::api::ApiError;

/// Bigger files are not previewed; the user opens them in their office suite.
const MAX_PREVIEW_BYTES: u64 = 25 * 1024 * 1024;
const MAX_ROWS: usize = 200;
const MAX_COLS: usize = 30;
const MAX_BLOCKS: usize = 1_500;

fn table_rows(table: &Table) -> (Vec<Vec<String>>, bool) {
    let truncated = table.rows.len() > MAX_ROWS || table.rows.iter().any(|r| r.len() > MAX_COLS);
    let rows = table
        .rows
        .iter()
        .take(MAX_ROWS)
        .map(|r| r.iter().take(MAX_COLS).map(|c| c.text.clone()).collect())
        .collect();
    (rows, truncated)
}

/// The run's language: its brief's.
fn lang_of(run: &Run) -> commis_core::Lang {
    Engine::brief_lang(&run.brief)
}

/// Reads a file of the run through the workspace, so the run's confinement applies.
pub(crate) fn read_run_file(engine: &Engine, run: &Run, path: &str) -> Result<Vec<u8>, ApiError> {
    let journal = engine.journal();
    let workspace = Workspace::open(
        run.grants.clone(),
        run.id.clone(),
        journal,
        engine.blobs.clone(),
    )
    .map_err(|e| ApiError(StatusCode::CONFLICT, workspace_error(&e, lang_of(run))))?;
    workspace.read(path, MAX_PREVIEW_BYTES).map_err(|e| {
        ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            workspace_error(&e, lang_of(run)),
        )
    })
}

/// Reads `path` (relative to the run's folder) and shapes it for the page.
pub(crate) fn preview(engine: &Engine, run: &Run, path: &str) -> Result<Value, ApiError> {
    let bytes = read_run_file(engine, run, path)?;
    let name = path.rsplit('/').next().unwrap_or(path);
    let doc = commis_docs::read_guarded(name, &bytes, &Limits::default()).map_err(|e| {
        let lang = lang_of(run);
        ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            Msg::NoPreview.fill(lang, &[("path", path), ("reason", &doc_error(&e, lang))]),
        )
    })?;
    let format = doc.format;
    let mut out = json!({
        "path": path,
        "format": format.name(),
        "title": doc.title,
        "warnings": doc.warnings,
    });
    match format {
        Format::Xlsx
        | Format::Xlsm
        | Format::Xlsb
        | Format::Xls
        | Format::Ods
        | Format::Csv
        | Format::Tsv => {
            let sheets: Vec<Value> = doc
                .tables
                .iter()
                .map(|t| {
                    let (rows, truncated) = table_rows(t);
                    json!({
                        "name": t.place.sheet.clone().or(t.origin.clone()).unwrap_or_default(),
                        "rows": rows,
                        "truncated": truncated,
                    })
                })
                .collect();
            out["sheets"] = Value::Array(sheets);
        }
        Format::Pptx | Format::Odp => {
            let mut slides: BTreeMap<u32, (Vec<String>, Vec<String>)> = BTreeMap::new();
            for block in &doc.blocks {
                let n = block.place.slide.unwrap_or(0);
                let entry = slides.entry(n).or_default();
                match block.kind {
                    BlockKind::Note => entry.1.push(block.text.clone()),
                    BlockKind::Table { index } => {
                        if let Some(t) = doc.tables.get(index) {
                            for row in t.rows.iter().take(12) {
                                let cells: Vec<&str> =
                                    row.iter().map(|c| c.text.as_str()).collect();
                                entry.0.push(cells.join(" · "));
                            }
                        }
                    }
                    _ if !block.text.trim().is_empty() => entry.0.push(block.text.clone()),
                    _ => {}
                }
            }
            let slides: Vec<Value> = slides
                .into_iter()
                .map(|(n, (texts, notes))| json!({ "number": n, "texts": texts, "notes": notes }))
                .collect();
            out["slides"] = Value::Array(slides);
            out["slide_images"] = Value::Bool(crate::slides::available());
        }
        Format::Markdown => {
            // commis-docs keeps Markdown tables as text; the page shows them as tables.
            let text = String::from_utf8_lossy(&bytes);
            let blocks = markdown_blocks(&text);
            out["truncated"] = Value::Bool(blocks.len() > MAX_BLOCKS);
            out["blocks"] = Value::Array(blocks.into_iter().take(MAX_BLOCKS).collect());
        }
        _ if format.is_image() => {
            out["image"] = Value::Bool(true);
        }
        _ => {
            let mut blocks = Vec::new();
            let mut tables_shown = std::collections::BTreeSet::new();
            for block in doc.blocks.iter().take(MAX_BLOCKS) {
                let v = match &block.kind {
                    BlockKind::Title => json!({ "kind": "title", "text": block.text }),
                    BlockKind::Heading { level } => {
                        json!({ "kind": "heading", "level": level, "text": block.text })
                    }
                    BlockKind::ListItem { level } => {
                        json!({ "kind": "item", "level": level, "text": block.text })
                    }
                    BlockKind::Table { index } => match doc.tables.get(*index) {
                        Some(t) => {
                            tables_shown.insert(*index);
                            let (rows, truncated) = table_rows(t);
                            json!({ "kind": "table", "rows": rows, "truncated": truncated })
                        }
                        None => continue,
                    },
                    _ if block.text.trim().is_empty() => continue,
                    _ => json!({ "kind": "paragraph", "text": block.text }),
                };
                blocks.push(v);
            }
            // Tables the reader did not place in the text flow go at the end.
            for (i, t) in doc.tables.iter().enumerate() {
                if !tables_shown.contains(&i) {
                    let (rows, truncated) = table_rows(t);
                    blocks.push(json!({ "kind": "table", "rows": rows, "truncated": truncated }));
                }
            }
            out["truncated"] = Value::Bool(doc.blocks.len() > MAX_BLOCKS);
            out["blocks"] = Value::Array(blocks);
        }
    }
    Ok(out)
}

/// Headings, list items, tables and paragraphs of a Markdown text, enough to read a report.
fn markdown_blocks(text: &str) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    let flush_paragraph = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Value>| {
        if !paragraph.is_empty() {
            blocks.push(json!({ "kind": "paragraph", "text": paragraph.join(" ") }));
            paragraph.clear();
        }
    };
    let flush_table = |table: &mut Vec<Vec<String>>, blocks: &mut Vec<Value>| {
        if !table.is_empty() {
            let truncated = table.len() > MAX_ROWS;
            table.truncate(MAX_ROWS);
            blocks.push(json!({ "kind": "table", "rows": table, "truncated": truncated }));
            table.clear();
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('|') {
            flush_paragraph(&mut paragraph, &mut blocks);
            let cells: Vec<String> = trimmed
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().replace("\\|", "|"))
                .collect();
            let separator = cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
            if !separator {
                table.push(cells);
            }
            continue;
        }
        flush_table(&mut table, &mut blocks);
        if trimmed.is_empty() {
            flush_paragraph(&mut paragraph, &mut blocks);
        } else if let Some(rest) = trimmed.strip_prefix('#') {
            flush_paragraph(&mut paragraph, &mut blocks);
            let level = 1 + rest.chars().take_while(|c| *c == '#').count();
            let title = rest.trim_start_matches('#').trim();
            blocks.push(json!({ "kind": "heading", "level": level, "text": title }));
        } else if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            flush_paragraph(&mut paragraph, &mut blocks);
            blocks.push(json!({ "kind": "item", "level": 1, "text": item }));
        } else {
            paragraph.push(trimmed);
        }
    }
    flush_table(&mut table, &mut blocks);
    flush_paragraph(&mut paragraph, &mut blocks);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_reports_become_headings_items_tables_and_paragraphs() {
        let md = "# Report\n\nTwo lines\nof text.\n\n- first\n* second\n\n| A | B |\n|---|:-:|\n| 1 | 2 |\n";
        let blocks = markdown_blocks(md);
        let kinds: Vec<&str> = blocks.iter().map(|b| b["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["heading", "paragraph", "item", "item", "table"]);
        assert_eq!(blocks[1]["text"], "Two lines of text.");
        assert_eq!(blocks[4]["rows"], json!([["A", "B"], ["1", "2"]]));
    }
}
