//! `consolidate_tables`: several tables of the same shape (monthly exports, one workbook per
//! site) into one workbook — a « Consolidé » sheet with every row, its source file and period,
//! columns aligned by name; a « Synthèse » sheet whose cells are SUMIFS formulas over it (by
//! period, and by category when the tables have one) with totals; and a chart.
//!
//! The alignment is `commis_skills::tables::consolidate` (pure); each file is read by the
//! guarded reader and cleaned by `clean_grid` first. Not for: cleaning one table (see
//! `tables`), or tables of different shapes (they are stacked with empty cells, not joined).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use commis_office::{
    CellValue, ChartKind, ChartSpec, ColumnSpec, SheetSpec, SpreadsheetSpec, col_letters,
};
use commis_skills::tables::consolidate::{Source, consolidate};
use commis_skills::tables::{CleanOptions, CleanValue, CleanedTable, ColumnKind, clean_grid};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::files::write_bytes;
use super::tables::cell;
use super::{Tool, ToolError, parse_input};
use crate::context::RunContext;
use crate::offline::brief::Lang;

pub(super) fn tools() -> Vec<Arc<dyn Tool>> {
    vec![Arc::new(ConsolidateTables)]
}

/// Largest table file read.
const MAX_TABLE_BYTES: u64 = 64 * 1024 * 1024;
/// Most categories given their own column in the summary; beyond, the column is not a category.
const MAX_CATEGORIES: usize = 12;

/// What to consolidate and where.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ConsolidateRequest {
    /// The files (CSV, XLSX, ODS), relative to the granted folder; at least two.
    pub paths: Vec<String>,
    /// The workbook to write (default: « consolidation.xlsx » / "consolidation.xlsx" beside
    /// the first file).
    #[serde(default)]
    pub output: Option<String>,
    /// The column whose values become the summary's columns (default: the first column with
    /// between 2 and 12 repeated values, if any).
    #[serde(default)]
    pub category: Option<String>,
    /// The amount column summed (default: the first amount column).
    #[serde(default)]
    pub value: Option<String>,
}

/// What `consolidate_tables` did.
#[derive(Debug, Clone, Serialize)]
pub struct ConsolidateOutcome {
    pub output: String,
    /// Rows of the consolidated sheet.
    pub rows: usize,
    /// Its header (source, period, then the aligned columns).
    pub header: Vec<String>,
    /// The periods found in the file names (rows of the summary).
    pub periods: Vec<String>,
    /// The category column and its values (columns of the summary), when there is one.
    pub category: Option<String>,
    pub categories: Vec<String>,
    /// The summed column.
    pub value: String,
    /// The grand total of that column, as the formulas compute it.
    pub total: f64,
}

fn fail(lang: Lang, fr: &str, en: &str) -> ToolError {
    ToolError::InvalidInput {
        tool: "consolidate_tables".into(),
        reason: lang.pick(fr, en).to_string(),
    }
}

fn column(header: &str, kind: commis_office::ColumnKind) -> ColumnSpec {
    ColumnSpec {
        header: header.to_string(),
        kind,
        width: None,
    }
}

/// Reads and cleans the first table of a file.
fn read_table(ctx: &RunContext, path: &str) -> Result<CleanedTable, ToolError> {
    let lang = ctx.lang;
    let bytes = ctx.workspace.read(path, MAX_TABLE_BYTES)?;
    ctx.emit(commis_core::EventKind::FileRead { path: path.into() });
    let doc = commis_docs::read_guarded(path, &bytes, &commis_docs::Limits::default()).map_err(
        |error| ToolError::Document {
            path: path.into(),
            error,
        },
    )?;
    let opts = CleanOptions {
        lang,
        ..CleanOptions::default()
    };
    doc.tables
        .iter()
        .map(|t| -> Vec<Vec<String>> {
            t.rows
                .iter()
                .map(|r| r.iter().map(|c| c.text.clone()).collect())
                .collect()
        })
        .find(|g| g.iter().any(|r| r.iter().any(|c| !c.trim().is_empty())))
        .map(|g| clean_grid(&g, &opts))
        .ok_or_else(|| ToolError::NoTable { path: path.into() })
}

/// Consolidates the files of `req` into a workbook written in the granted folder.
pub async fn consolidate_files(
    ctx: &RunContext,
    req: ConsolidateRequest,
) -> Result<ConsolidateOutcome, ToolError> {
    let lang = ctx.lang;
    if req.paths.len() < 2 {
        return Err(fail(
            lang,
            "il faut au moins deux fichiers à consolider",
            "give at least two files to consolidate",
        ));
    }
    let mut tables = Vec::with_capacity(req.paths.len());
    for p in &req.paths {
        tables.push(read_table(ctx, p)?);
    }
    let names: Vec<String> = req
        .paths
        .iter()
        .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
        .collect();
    let sources: Vec<Source<'_>> = names
        .iter()
        .zip(&tables)
        .map(|(name, table)| Source { name, table })
        .collect();
    let labels = match lang {
        Lang::Fr => ["Source", "Période"],
        Lang::En => ["Source", "Period"],
    };
    let merged = consolidate(&sources, labels);
    let width = merged.header.len();
    // The kind of each consolidated column: what its source columns were.
    let mut kinds = vec![ColumnKind::Empty; width];
    for (t, map) in tables.iter().zip(&merged.mapping) {
        for (k, &i) in t.kinds.iter().zip(map) {
            if kinds[i + 2] == ColumnKind::Empty || *k == ColumnKind::Amount {
                kinds[i + 2] = *k;
            }
        }
    }
    let find = |name: &str| {
        let key = commis_skills::tables::consolidate::header_key(name);
        merged
            .header
            .iter()
            .position(|h| commis_skills::tables::consolidate::header_key(h) == key)
    };
    let value_col = match &req.value {
        Some(v) => find(v).ok_or_else(|| {
            fail(
                lang,
                &format!("aucune colonne « {v} » dans ces tableaux"),
                &format!("no column \"{v}\" in these tables"),
            )
        })?,
        None => (2..width)
            .find(|&i| kinds[i] == ColumnKind::Amount)
            .ok_or_else(|| {
                fail(
                    lang,
                    "aucune colonne de montants à totaliser",
                    "no amount column to total",
                )
            })?,
    };
    let distinct = |i: usize| -> BTreeSet<String> {
        merged
            .rows
            .iter()
            .filter_map(|r| match &r[i] {
                CleanValue::Text(t) if !t.trim().is_empty() => Some(t.clone()),
                _ => None,
            })
            .collect()
    };
    let category_col = match &req.category {
        Some(c) => Some(find(c).ok_or_else(|| {
            fail(
                lang,
                &format!("aucune colonne « {c} » dans ces tableaux"),
                &format!("no column \"{c}\" in these tables"),
            )
        })?),
        None => (2..width).find(|&i| {
            i != value_col
                && matches!(kinds[i], ColumnKind::Category)
                && (2..=MAX_CATEGORIES).contains(&distinct(i).len())
        }),
    };
    let categories: Vec<String> = category_col
        .map(|i| distinct(i).into_iter().collect())
        .unwrap_or_default();
    if categories.len() > MAX_CATEGORIES {
        return Err(fail(
            lang,
            &format!(
                "la colonne choisie a plus de {MAX_CATEGORIES} valeurs : trop pour une synthèse lisible"
            ),
            &format!(
                "that column has more than {MAX_CATEGORIES} values: too many for a readable summary"
            ),
        ));
    }
    let periods: Vec<String> = merged
        .rows
        .iter()
        .map(|r| match &r[1] {
            CleanValue::Text(t) => t.clone(),
            _ => lang.pick("(sans période)", "(no period)").to_string(),
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    // The consolidated sheet.
    let data_name = lang.pick("Consolidé", "Consolidated").to_string();
    let columns: Vec<ColumnSpec> = merged
        .header
        .iter()
        .zip(&kinds)
        .map(|(h, k)| {
            column(
                h,
                if *k == ColumnKind::Amount {
                    commis_office::ColumnKind::Number
                } else {
                    commis_office::ColumnKind::Text
                },
            )
        })
        .collect();
    let mut rows: Vec<Vec<CellValue>> = merged
        .rows
        .iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    // Rows without a period get the label the summary uses, so SUMIFS finds them.
    for r in &mut rows {
        if matches!(r[1], CellValue::Null) {
            r[1] = CellValue::Text(lang.pick("(sans période)", "(no period)").into());
        }
    }
    let last = rows.len() + 1;
    let letter = |i: usize| col_letters(i as u32);
    let range = |i: usize| format!("'{data_name}'!${0}$2:${0}${last}", letter(i));
    let values = range(value_col);
    let period_range = range(1);

    // The summary: one row per period, one column per category (or one for the value).
    let summary_name = lang.pick("Synthèse", "Summary").to_string();
    let first_col = lang.pick("Période", "Period").to_string();
    let mut sum_cols = vec![column(&first_col, commis_office::ColumnKind::Text)];
    let value_header = merged.header[value_col].clone();
    let series: Vec<String> = if categories.is_empty() {
        vec![value_header.clone()]
    } else {
        categories.clone()
    };
    for s in &series {
        sum_cols.push(column(s, commis_office::ColumnKind::Number));
    }
    let total_label = lang.pick("Total", "Total").to_string();
    if !categories.is_empty() {
        sum_cols.push(column(&total_label, commis_office::ColumnKind::Number));
    }
    let mut sum_rows = Vec::new();
    for (pi, p) in periods.iter().enumerate() {
        let r = pi + 2;
        let mut row = vec![CellValue::Text(p.clone())];
        match category_col {
            Some(ci) => {
                let cats = range(ci);
                for (k, _) in categories.iter().enumerate() {
                    let head = letter(k + 1);
                    row.push(CellValue::Text(format!(
                        "=SUMIFS({values},{period_range},$A{r},{cats},{head}$1)"
                    )));
                }
                row.push(CellValue::Text(format!(
                    "=SUM(B{r}:{}{r})",
                    letter(categories.len())
                )));
            }
            None => row.push(CellValue::Text(format!(
                "=SUMIFS({values},{period_range},$A{r})"
            ))),
        }
        sum_rows.push(row);
    }
    // Totals row under the periods (outside the chart's range), each column summed.
    let totalled: Vec<String> = sum_cols.iter().skip(1).map(|c| c.header.clone()).collect();
    let summary = SheetSpec {
        name: summary_name.clone(),
        columns: sum_cols,
        rows: sum_rows,
        totals: Some(commis_office::TotalsSpec {
            label: Some(total_label.clone()),
            columns: totalled,
            function: commis_office::TotalFunction::Sum,
        }),
        table: false,
        freeze_header: true,
        conditional: Vec::new(),
        charts: vec![ChartSpec {
            kind: ChartKind::Bar,
            title: match &category_col {
                Some(ci) => format!(
                    "{} {} {}",
                    value_header,
                    lang.pick("par période et", "by period and"),
                    merged.header[*ci]
                ),
                None => format!("{} {}", value_header, lang.pick("par période", "by period")),
            },
            categories_column: first_col,
            values_columns: series.clone(),
            anchor: None,
        }],
    };
    let data = SheetSpec {
        name: data_name,
        columns,
        rows,
        totals: None,
        table: false,
        freeze_header: true,
        conditional: Vec::new(),
        charts: Vec::new(),
    };
    let spec = SpreadsheetSpec {
        sheets: vec![summary, data],
        sources: Vec::new(),
        locale: match lang {
            Lang::Fr => commis_office::Locale::Fr,
            Lang::En => commis_office::Locale::En,
        },
        currency: "EUR".into(),
    };
    let bytes =
        commis_office::build_spreadsheet(&spec).map_err(|e| ToolError::Failed(e.to_string()))?;
    let output = req.output.clone().unwrap_or_else(|| {
        let dir = req.paths[0].rsplit_once('/').map(|(d, _)| d);
        let name = "consolidation.xlsx";
        dir.map_or(name.to_string(), |d| format!("{d}/{name}"))
    });
    if req.paths.contains(&output) {
        return Err(fail(
            lang,
            "le classeur consolidé ne remplace jamais un des fichiers lus",
            "the consolidated workbook never replaces one of the files read",
        ));
    }
    write_bytes(ctx, &output, &bytes, false).await?;
    let total = merged
        .rows
        .iter()
        .filter_map(|r| match r[value_col] {
            CleanValue::Number(n) => Some(n),
            _ => None,
        })
        .sum::<f64>();
    Ok(ConsolidateOutcome {
        output,
        rows: merged.rows.len(),
        header: merged.header.clone(),
        periods,
        category: category_col.map(|i| merged.header[i].clone()),
        categories,
        value: value_header,
        total: (total * 100.0).round() / 100.0,
    })
}

struct ConsolidateTables;

#[async_trait]
impl Tool for ConsolidateTables {
    fn name(&self) -> &'static str {
        "consolidate_tables"
    }
    fn description(&self) -> &'static str {
        "Consolidate several tables of the same shape (monthly exports, one file per site; CSV, XLSX or ODS) into one new workbook: a « Consolidé » sheet with every row, its source file and the period read from the file name, columns aligned by name even when their order or spelling differ; a « Synthèse » sheet of SUMIFS formulas totalling an amount column by period (and by category when a column has 2 to 12 repeated values, or the one named), with totals and a bar chart. Each file is cleaned first (dates, amounts, spaces). The originals are not changed."
    }
    fn input_schema(&self) -> Value {
        json!({"type": "object", "required": ["paths"], "properties": {
            "paths": {"type": "array", "items": {"type": "string"}, "minItems": 2, "description": "The files, relative to the granted folder"},
            "output": {"type": "string", "description": "The workbook to write (default: consolidation.xlsx beside the first file)"},
            "category": {"type": "string", "description": "The column whose values become the summary's columns"},
            "value": {"type": "string", "description": "The amount column to total (default: the first amount column)"}
        }})
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let req: ConsolidateRequest = parse_input(self.name(), input)?;
        let outcome = consolidate_files(ctx, req).await?;
        serde_json::to_value(&outcome).map_err(|e| ToolError::Failed(e.to_string()))
    }
}
