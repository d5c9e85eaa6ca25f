//! Table jobs as tools: `clean_table` cleans a CSV, XLSX or ODS file (every sheet) into a new
//! workbook with a « Journal des corrections » sheet and an « À vérifier » sheet.
//!
//! The cleaning itself is `commis_skills::tables` (pure); this module reads through
//! commis-docs, writes through commis-office and commis-workspace (confined, gated, journaled),
//! and never overwrites the original unless the caller asks (`in_place`), which is then an
//! approved, undoable modification. The offline planner calls [`clean_table_file`] directly.

use std::sync::Arc;

use async_trait::async_trait;
use commis_office::{CellValue, ColumnSpec, SheetSpec, SpreadsheetSpec};
use commis_skills::tables::{
    CleanOptions, CleanValue, CleanedTable, ColumnKind, clean_grid, stream::clean_csv,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::files::write_bytes;
use super::{Tool, ToolError, parse_input};
use crate::context::RunContext;
use crate::offline::brief::Lang;

pub(super) fn tools() -> Vec<Arc<dyn Tool>> {
    vec![Arc::new(CleanTable)]
}

/// Files larger than this are cleaned as a stream (CSV in, CSV out) rather than into a workbook.
const STREAM_ABOVE_BYTES: usize = 16 * 1024 * 1024;
/// Largest table file read.
const MAX_TABLE_BYTES: u64 = 512 * 1024 * 1024;

/// What to clean and where to put the result.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CleanTableRequest {
    /// The CSV, XLSX or ODS file, relative to the granted folder.
    pub path: String,
    /// Where to write the cleaned workbook; default next to the original,
    /// `<name>_nettoye.xlsx` (French) or `<name>_cleaned.xlsx` (English).
    #[serde(default)]
    pub output: Option<String>,
    /// Replace the original file instead (a modification: approved and journaled).
    #[serde(default)]
    pub in_place: bool,
    /// Cleaning options (phone style, date order, duplicates, repairs).
    #[serde(default)]
    pub options: Option<CleanOptions>,
}

/// What `clean_table` did, per sheet and in total.
#[derive(Debug, Clone, Serialize)]
pub struct CleanTableOutcome {
    /// The file written.
    pub output: String,
    /// One entry per cleaned sheet.
    pub sheets: Vec<SheetOutcome>,
    /// Cells changed, all sheets together.
    pub corrections: usize,
    /// Items to check by hand.
    pub review: usize,
    /// The first corrections, for a summary.
    pub examples: Vec<commis_skills::tables::Correction>,
}

/// One cleaned sheet.
#[derive(Debug, Clone, Serialize)]
pub struct SheetOutcome {
    /// Sheet name in the output.
    pub name: String,
    /// Data rows kept.
    pub rows: usize,
    /// Columns and what each holds.
    pub columns: Vec<(String, ColumnKind)>,
    /// Cells changed.
    pub corrections: usize,
    /// Items to check.
    pub review: usize,
}

fn extension(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

fn default_output(path: &str, lang: Lang, ext: &str) -> String {
    let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
    let suffix = lang.pick("_nettoye", "_cleaned");
    format!("{stem}{suffix}.{ext}")
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(raw: &str, taken: &[String]) -> String {
    let base: String = raw
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(28)
        .collect();
    let base = if base.trim().is_empty() {
        "Feuille".to_string()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    name
}

/// Text that a spreadsheet would take for a formula is written with a leading apostrophe, so a
/// cell of the user's data never runs as one.
pub(super) fn literal(text: &str) -> CellValue {
    if text.starts_with(['=', '+', '@']) && text.len() > 1 {
        CellValue::Text(format!("'{text}"))
    } else {
        CellValue::Text(text.to_string())
    }
}

fn office_kind(kind: ColumnKind) -> commis_office::ColumnKind {
    match kind {
        ColumnKind::Amount => commis_office::ColumnKind::Number,
        ColumnKind::Date => commis_office::ColumnKind::Date,
        _ => commis_office::ColumnKind::Text,
    }
}

pub(super) fn cell(v: &CleanValue) -> CellValue {
    match v {
        CleanValue::Empty => CellValue::Null,
        CleanValue::Number(n) => CellValue::Number(*n),
        CleanValue::Date(t) => CellValue::Text(t.clone()),
        CleanValue::Text(t) => literal(t),
    }
}

fn text_columns(headers: &[&str]) -> Vec<ColumnSpec> {
    headers
        .iter()
        .map(|h| ColumnSpec {
            header: h.to_string(),
            kind: commis_office::ColumnKind::Text,
            width: None,
        })
        .collect()
}

fn sheet(name: String, columns: Vec<ColumnSpec>, rows: Vec<Vec<CellValue>>) -> SheetSpec {
    SheetSpec {
        name,
        columns,
        rows,
        totals: None,
        table: false,
        freeze_header: true,
        conditional: Vec::new(),
        charts: Vec::new(),
    }
}

/// Builds the cleaned workbook: one sheet per cleaned table, then the journal and the review
/// sheets.
pub fn cleaned_workbook(
    tables: &[(String, CleanedTable)],
    lang: Lang,
) -> Result<Vec<u8>, commis_office::OfficeError> {
    let sl = lang;
    let mut sheets = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let journal_name = lang
        .pick("Journal des corrections", "Corrections log")
        .to_string();
    let review_name = lang.pick("À vérifier", "To check").to_string();
    names.push(journal_name.clone());
    names.push(review_name.clone());
    let mut journal_rows = Vec::new();
    let mut review_rows = Vec::new();
    for (raw_name, t) in tables {
        let name = sheet_name(raw_name, &names);
        names.push(name.clone());
        let columns = t
            .header
            .iter()
            .zip(&t.kinds)
            .map(|(h, k)| ColumnSpec {
                header: h.clone(),
                kind: office_kind(*k),
                width: None,
            })
            .collect();
        let rows = t
            .rows
            .iter()
            .map(|r| r.iter().map(cell).collect())
            .collect();
        sheets.push(sheet(name.clone(), columns, rows));
        for c in &t.corrections {
            journal_rows.push(vec![
                CellValue::Text(name.clone()),
                CellValue::Number(c.row as f64),
                literal(&c.column),
                literal(&c.before),
                literal(&c.after),
                CellValue::Text(match &c.key_column {
                    Some(k) => format!("{} ({k})", c.rule.label(sl)),
                    None => c.rule.label(sl).to_string(),
                }),
            ]);
        }
        for r in &t.review {
            review_rows.push(vec![
                CellValue::Text(name.clone()),
                CellValue::Number(r.row as f64),
                literal(r.column.as_deref().unwrap_or("")),
                literal(&r.value),
                CellValue::Text(r.reason.label(sl).to_string()),
                literal(&r.detail),
            ]);
        }
    }
    let journal_cols = match lang {
        Lang::Fr => ["Feuille", "Ligne", "Colonne", "Avant", "Après", "Règle"],
        Lang::En => ["Sheet", "Row", "Column", "Before", "After", "Rule"],
    };
    let review_cols = match lang {
        Lang::Fr => ["Feuille", "Ligne", "Colonne", "Valeur", "Motif", "Détail"],
        Lang::En => ["Sheet", "Row", "Column", "Value", "Reason", "Detail"],
    };
    sheets.push(sheet(
        journal_name,
        text_columns(&journal_cols),
        journal_rows,
    ));
    sheets.push(sheet(review_name, text_columns(&review_cols), review_rows));
    let spec = SpreadsheetSpec {
        sheets,
        sources: Vec::new(),
        locale: match lang {
            Lang::Fr => commis_office::Locale::Fr,
            Lang::En => commis_office::Locale::En,
        },
        currency: "EUR".into(),
    };
    commis_office::build_spreadsheet(&spec)
}

fn grid_of(table: &commis_docs::Table) -> Vec<Vec<String>> {
    table
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.clone()).collect())
        .collect()
}

/// Cleans one table file of the granted folder and writes the result next to it (or in place
/// when asked). This is the entry point for the offline planner as well as the tool.
pub async fn clean_table_file(
    ctx: &RunContext,
    req: CleanTableRequest,
) -> Result<CleanTableOutcome, ToolError> {
    let lang = ctx.lang;
    let mut opts = req.options.clone().unwrap_or_default();
    if req.options.is_none() {
        opts.lang = lang;
    }
    let ext = extension(&req.path);
    if !matches!(
        ext.as_str(),
        "csv" | "tsv" | "txt" | "xlsx" | "xlsm" | "xls" | "ods"
    ) {
        return Err(ToolError::InvalidInput {
            tool: "clean_table".into(),
            reason: format!(
                "{}: {}",
                req.path,
                lang.pick(
                    "seuls les fichiers CSV, XLSX et ODS sont nettoyés",
                    "only CSV, XLSX and ODS files are cleaned"
                )
            ),
        });
    }
    let bytes = ctx.workspace.read(&req.path, MAX_TABLE_BYTES)?;
    ctx.emit(commis_core::EventKind::FileRead {
        path: req.path.clone(),
    });
    let is_text = matches!(ext.as_str(), "csv" | "tsv" | "txt");
    if is_text && bytes.len() > STREAM_ABOVE_BYTES {
        // Too long for a workbook: clean as a stream into a CSV and its journal.
        let output = match (&req.output, req.in_place) {
            (_, true) => req.path.clone(),
            (Some(o), false) => o.clone(),
            (None, false) => default_output(&req.path, lang, "csv"),
        };
        let journal_path = default_output(&output, lang, "journal.csv")
            .replace("_nettoye.journal", "_journal")
            .replace("_cleaned.journal", "_journal");
        let mut out = Vec::with_capacity(bytes.len());
        let mut journal = Vec::new();
        let report = clean_csv(bytes.as_slice(), &mut out, &mut journal, &opts).map_err(|e| {
            ToolError::Unreadable {
                path: req.path.clone(),
                reason: e.to_string(),
            }
        })?;
        drop(bytes);
        write_bytes(ctx, &output, &out, req.in_place).await?;
        write_bytes(ctx, &journal_path, &journal, false).await?;
        return Ok(CleanTableOutcome {
            output,
            sheets: vec![SheetOutcome {
                name: req.path.clone(),
                rows: report.rows_out as usize,
                columns: Vec::new(),
                corrections: report.corrections as usize,
                review: report.review as usize,
            }],
            corrections: report.corrections as usize,
            review: report.review as usize,
            examples: Vec::new(),
        });
    }
    let doc = commis_docs::read_guarded(&req.path, &bytes, &commis_docs::Limits::default())
        .map_err(|error| ToolError::Document {
            path: req.path.clone(),
            error,
        })?;
    drop(bytes);
    let mut cleaned = Vec::new();
    for (i, table) in doc.tables.iter().enumerate() {
        let grid = grid_of(table);
        if grid.iter().all(|r| r.iter().all(|c| c.trim().is_empty())) {
            continue;
        }
        let name = table
            .place
            .sheet
            .clone()
            .unwrap_or_else(|| format!("{} {}", lang.pick("Tableau", "Table"), i + 1));
        let name = if is_text {
            lang.pick("Données", "Data").to_string()
        } else {
            name
        };
        let t = clean_grid(&grid, &opts);
        cleaned.push((name, t));
    }
    if cleaned.is_empty() {
        return Err(ToolError::NoTable {
            path: req.path.clone(),
        });
    }
    let workbook =
        cleaned_workbook(&cleaned, lang).map_err(|e| ToolError::Failed(e.to_string()))?;
    let output = match (&req.output, req.in_place) {
        (_, true) if matches!(ext.as_str(), "xlsx") => req.path.clone(),
        (_, true) => {
            return Err(ToolError::InvalidInput {
                tool: "clean_table".into(),
                reason: lang
                    .pick(
                        "le remplacement sur place n'est possible que pour un .xlsx (le résultat est un classeur)",
                        "in-place replacement is only possible for an .xlsx (the result is a workbook)",
                    )
                    .into(),
            });
        }
        (Some(o), false) => o.clone(),
        (None, false) => default_output(&req.path, lang, "xlsx"),
    };
    if output == req.path && !req.in_place {
        return Err(ToolError::InvalidInput {
            tool: "clean_table".into(),
            reason: lang
                .pick(
                    "l'original n'est jamais écrasé sans in_place: true",
                    "the original is never overwritten without in_place: true",
                )
                .into(),
        });
    }
    write_bytes(ctx, &output, &workbook, req.in_place).await?;
    let sheets = cleaned
        .iter()
        .map(|(name, t)| SheetOutcome {
            name: name.clone(),
            rows: t.rows.len(),
            columns: t
                .header
                .iter()
                .cloned()
                .zip(t.kinds.iter().copied())
                .collect(),
            corrections: t.corrections.len(),
            review: t.review.len(),
        })
        .collect();
    Ok(CleanTableOutcome {
        output,
        sheets,
        corrections: cleaned.iter().map(|(_, t)| t.corrections.len()).sum(),
        review: cleaned.iter().map(|(_, t)| t.review.len()).sum(),
        examples: cleaned
            .iter()
            .flat_map(|(_, t)| t.corrections.iter().take(20).cloned())
            .take(20)
            .collect(),
    })
}

struct CleanTable;

#[async_trait]
impl Tool for CleanTable {
    fn name(&self) -> &'static str {
        "clean_table"
    }
    fn description(&self) -> &'static str {
        "Clean a CSV, XLSX or ODS table (every sheet): finds the header row and the table's extent, reads Windows-1252 and any separator, trims spaces, writes dates as YYYY-MM-DD (French/English forms, Excel serials), amounts as numbers (decimal comma, thousands, currency, negatives in parentheses), French phones, e-mails and postcodes in one form, names in one case (acronyms kept), checks SIREN/SIRET (Luhn), IBAN (mod 97) and VAT numbers, repairs typos from the table's own frequent values and same-key rows, drops exact duplicate rows, flags near duplicates and outliers. Writes a new workbook (the original is kept) with a « Journal des corrections » sheet (row, column, before, after, rule) and an « À vérifier » sheet. CSV files over 16 MB are cleaned as a stream into a CSV and a journal CSV."
    }
    fn input_schema(&self) -> Value {
        json!({"type": "object", "required": ["path"], "properties": {
            "path": {"type": "string", "description": "The CSV, XLSX or ODS file, relative to the granted folder"},
            "output": {"type": "string", "description": "Where to write the cleaned workbook (default: <name>_nettoye.xlsx / <name>_cleaned.xlsx beside the original)"},
            "in_place": {"type": "boolean", "description": "Replace the original (.xlsx only); needs approval and is undoable"},
            "options": {"type": "object", "description": "phone_style: french|e164; date_order: day_first|month_first; drop_duplicates, repair_from_table, fill_from_key: booleans; lang: fr|en", "properties": {
                "phone_style": {"type": "string", "enum": ["french", "e164"]},
                "date_order": {"type": "string", "enum": ["day_first", "month_first"]},
                "drop_duplicates": {"type": "boolean"},
                "repair_from_table": {"type": "boolean"},
                "fill_from_key": {"type": "boolean"},
                "lang": {"type": "string", "enum": ["fr", "en"]}
            }}
        }})
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let req: CleanTableRequest = parse_input(self.name(), input)?;
        let outcome = clean_table_file(ctx, req).await?;
        serde_json::to_value(&outcome).map_err(|e| ToolError::Failed(e.to_string()))
    }
}
