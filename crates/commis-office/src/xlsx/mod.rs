//! Workbooks (.xlsx) with typed columns, live formulas whose cached values are true, totals,
//! tables, conditional formatting, native charts and a "Sources" sheet.

mod append;
pub(crate) mod formula;
pub use formula::col_letters;

pub use append::{add_sheet, append_rows};

use crate::{Locale, OfficeError, schema_of};
use formula::{Evaluator, Expr, GridCell, GridSheet, Value};
use rust_xlsxwriter::{
    Chart, ChartLine, ChartPoint, ChartSolidFill, ChartType, Color, ConditionalFormatCell,
    ConditionalFormatCellRule, ConditionalFormatText, ConditionalFormatTextRule, Format,
    FormatAlign, FormatBorder, Formula, Table, TableColumn, TableStyle, Url, Workbook, Worksheet,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole workbook: its sheets, where its figures came from, and its locale.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpreadsheetSpec {
    /// The sheets, in tab order. At least one.
    pub sheets: Vec<SheetSpec>,
    /// Where figures came from; written as a last sheet named "Sources" with a link to each cell.
    #[serde(default)]
    pub sources: Vec<SourceSpec>,
    /// "fr" (default) or "en": date and currency formats, labels of the totals row and Sources sheet.
    #[serde(default)]
    pub locale: Locale,
    /// ISO currency code of Currency columns: "EUR" (default), "USD", "GBP", "CHF"...
    #[serde(default = "default_currency")]
    pub currency: String,
}

fn default_currency() -> String {
    "EUR".into()
}

fn yes() -> bool {
    true
}

impl SpreadsheetSpec {
    /// JSON schema of this spec (the `create_spreadsheet` tool's input schema).
    pub fn json_schema() -> serde_json::Value {
        schema_of::<SpreadsheetSpec>()
    }
}

/// One worksheet: a header row from `columns`, then `rows`, then an optional totals row.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetSpec {
    /// Tab name: 1 to 31 characters, none of `[ ] : * ? / \`.
    pub name: String,
    /// Columns, left to right; their headers form row 1.
    pub columns: Vec<ColumnSpec>,
    /// Data rows (from row 2), one value per column. A string starting with "=" is a formula in
    /// Excel syntax with "," or ";" separators, e.g. "=D2*E2", "=SUMIF(Factures!B:B,A2,Factures!G:G)",
    /// "='Notes de frais'!C2". Supported functions: SUM, SUMIF, SUMIFS, AVERAGE, AVERAGEIF,
    /// COUNT, COUNTA, COUNTIF, COUNTIFS, MIN, MAX, IF, IFERROR, AND, OR, NOT, ROUND, ABS,
    /// VLOOKUP, INDEX, MATCH, and the operators + - * / ^ & % = <> < <= > >=.
    #[serde(default)]
    pub rows: Vec<Vec<CellValue>>,
    /// A totals row written under the data, with formulas over each named column.
    #[serde(default)]
    pub totals: Option<TotalsSpec>,
    /// Make the data an Excel table (banded rows, filter buttons on the header).
    #[serde(default)]
    pub table: bool,
    /// Keep the header row visible while scrolling (default true).
    #[serde(default = "yes")]
    pub freeze_header: bool,
    /// Highlight cells by rule, e.g. negatives in red.
    #[serde(default)]
    pub conditional: Vec<ConditionalSpec>,
    /// Native charts drawn from this sheet's columns, placed right of the data.
    #[serde(default)]
    pub charts: Vec<ChartSpec>,
}

/// A column: header text, the kind of values it holds (which sets the number format), width.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Header text shown in row 1; also how totals, charts and rules name this column.
    pub header: String,
    /// Kind of values; sets the display format. Default "text".
    #[serde(default)]
    pub kind: ColumnKind,
    /// Width in characters; computed from the content when absent.
    #[serde(default)]
    pub width: Option<f64>,
}

/// What a column holds, which decides its number format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Free text (numbers given here stay numbers).
    #[default]
    Text,
    /// Decimal number with two decimals and thousands separators.
    Number,
    /// Whole number with thousands separators.
    Integer,
    /// Amount in the workbook's currency, two decimals, negatives in red.
    Currency,
    /// Fraction shown as a percentage: 0.2 shows as 20.0 %. Strings like "20 %" are accepted.
    Percent,
    /// Date; give "2024-01-31" or "31/01/2024"; shown dd/mm/yyyy (fr) or yyyy-mm-dd (en).
    Date,
}

/// A cell value: text, number, boolean or null (empty). Text starting with "=" is a formula.
/// In numeric columns, text such as "1 234,56 €" or "20 %" is read as a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CellValue {
    /// true or false.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text, or a formula when it starts with "=".
    Text(String),
    /// An empty cell.
    Null,
}

/// A totals row under the data: a label in the first column and one formula per named column.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TotalsSpec {
    /// Label in the first column; "Total" by default.
    #[serde(default)]
    pub label: Option<String>,
    /// Headers (or letters such as "D") of the columns to total.
    pub columns: Vec<String>,
    /// How to total them: "sum" (default), "average", "count", "min" or "max".
    #[serde(default)]
    pub function: TotalFunction,
}

/// The aggregate used by a totals row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TotalFunction {
    /// SUM of the column.
    #[default]
    Sum,
    /// AVERAGE of the column.
    Average,
    /// COUNT of the numbers in the column.
    Count,
    /// MIN of the column.
    Min,
    /// MAX of the column.
    Max,
}

/// Highlights the data cells of one column that match a rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionalSpec {
    /// Header (or letter) of the column to format.
    pub column: String,
    /// When to highlight.
    pub rule: ConditionalRule,
    /// Colour of the highlight: "red" (default), "green" or "amber".
    #[serde(default)]
    pub style: Highlight,
}

/// When a conditional format applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConditionalRule {
    /// Values below zero.
    Negative,
    /// Values strictly above `value`.
    GreaterThan {
        /// Threshold.
        value: f64,
    },
    /// Values strictly below `value`.
    LessThan {
        /// Threshold.
        value: f64,
    },
    /// Values between `min` and `max` inclusive.
    Between {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Text cells containing `text`.
    TextContains {
        /// Text to look for.
        text: String,
    },
}

/// Highlight colour of a conditional format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Highlight {
    /// Dark red text on light red.
    #[default]
    Red,
    /// Dark green text on light green.
    Green,
    /// Dark amber text on light yellow.
    Amber,
}

/// A native chart drawn from columns of the same sheet (data rows only, not the totals row).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChartSpec {
    /// "bar" (vertical columns), "line" or "pie".
    pub kind: ChartKind,
    /// Title shown above the chart.
    pub title: String,
    /// Header (or letter) of the column holding the category labels.
    pub categories_column: String,
    /// Headers (or letters) of the columns holding the values, one series each (pie: the first).
    pub values_columns: Vec<String>,
    /// Top-left cell of the chart, e.g. "J2"; by default right of the data.
    #[serde(default)]
    pub anchor: Option<String>,
}

/// Kind of native chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Vertical bars (Excel "column" chart).
    Bar,
    /// Lines through the points.
    Line,
    /// A pie of the first values column.
    Pie,
}

/// Where one figure came from: a row of the "Sources" sheet.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// What the figure is, e.g. "Total TTC Dupont SARL".
    pub figure: String,
    /// Cell holding it, e.g. "Synthèse!B2" or "'Notes de frais'!C4"; becomes a link.
    #[serde(default)]
    pub cell: Option<String>,
    /// File it came from, relative to the granted folder.
    pub file: String,
    /// Page in that file, if relevant.
    #[serde(default)]
    pub page: Option<u32>,
    /// Any remark (how it was computed, doubts).
    #[serde(default)]
    pub note: Option<String>,
}

/// Builds the workbook described by `spec` and returns the .xlsx bytes.
///
/// Every formula is evaluated over the spec's own cells so the cached values stored in the file
/// are true; a formula that cannot be evaluated is an error naming its cell.
pub fn build_spreadsheet(spec: &SpreadsheetSpec) -> Result<Vec<u8>, OfficeError> {
    let plan = prepare(spec)?;
    // Formulas that refer to formulas further down recurse; a thread with a large stack lets
    // long chains resolve (up to formula::MAX_DEPTH) instead of overflowing a small stack
    // such as the 2 MB of a tokio blocking thread. The memory is only reserved, not used.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("commis-xlsx".into())
            .stack_size(formula::STACK_BYTES)
            .spawn_scoped(scope, || evaluate_and_write(spec, &plan))?
            .join()
            .unwrap_or_else(|_| {
                Err(OfficeError::Xlsx(
                    "the workbook writer stopped unexpectedly".into(),
                ))
            })
    })
}

fn evaluate_and_write(spec: &SpreadsheetSpec, plan: &Plan) -> Result<Vec<u8>, OfficeError> {
    let mut evaluator = Evaluator::new(&plan.grid);
    // Evaluate in sheet/row order so chains of formulas down a column resolve from memo,
    // keeping recursion shallow.
    for (s, sheet) in plan.grid.iter().enumerate() {
        for (r, row) in sheet.cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let GridCell::Formula(_, text) = cell
                    && let Value::Error(e) = evaluator.cell(s, r as u32, c as u32)
                {
                    return Err(OfficeError::FormulaError {
                        cell: address(&plan.names[s], r as u32, c as u32),
                        formula: text.clone(),
                        error: e.to_string(),
                    });
                }
            }
        }
    }
    write_workbook(spec, plan, &mut evaluator)
}

/// The spec turned into evaluator cells, with the layout decisions made.
struct Plan {
    names: Vec<String>,
    grid: Vec<GridSheet>,
}

const SOURCES_FR: &str = "Sources";

fn address(sheet: &str, row: u32, col: u32) -> String {
    format!("{}!{}{}", quote_sheet(sheet), col_letters(col), row + 1)
}

fn quote_sheet(name: &str) -> String {
    if name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

fn validate_sheet_name(name: &str) -> Result<(), OfficeError> {
    if name.trim().is_empty() || name.chars().count() > 31 {
        return Err(OfficeError::InvalidSpec(format!(
            "sheet name '{name}' must have 1 to 31 characters"
        )));
    }
    if name.contains(['[', ']', ':', '*', '?', '/', '\\']) || name.starts_with('\'') {
        return Err(OfficeError::InvalidSpec(format!(
            "sheet name '{name}' contains one of [ ] : * ? / \\ or starts with a quote; rename it"
        )));
    }
    Ok(())
}

/// Finds a column by header (case-insensitive) or by letter.
fn find_column(sheet: &SheetSpec, name: &str) -> Result<u32, OfficeError> {
    let wanted = name.trim();
    if let Some(i) = sheet
        .columns
        .iter()
        .position(|c| c.header.trim().to_lowercase() == wanted.to_lowercase())
    {
        return Ok(i as u32);
    }
    if let Some(i) = formula::col_index(wanted)
        && (i as usize) < sheet.columns.len()
    {
        return Ok(i);
    }
    Err(OfficeError::InvalidSpec(format!(
        "sheet '{}' has no column '{name}' (columns: {})",
        sheet.name,
        sheet
            .columns
            .iter()
            .map(|c| c.header.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

fn sources_sheet_name(spec: &SpreadsheetSpec) -> Option<String> {
    if spec.sources.is_empty() {
        return None;
    }
    let mut name = SOURCES_FR.to_string();
    let mut n = 2;
    while spec
        .sheets
        .iter()
        .any(|s| s.name.eq_ignore_ascii_case(&name))
    {
        name = format!("{SOURCES_FR} ({n})");
        n += 1;
    }
    Some(name)
}

fn prepare(spec: &SpreadsheetSpec) -> Result<Plan, OfficeError> {
    if spec.sheets.is_empty() {
        return Err(OfficeError::InvalidSpec(
            "a spreadsheet needs at least one sheet".into(),
        ));
    }
    let mut names: Vec<String> = Vec::new();
    for s in &spec.sheets {
        validate_sheet_name(&s.name)?;
        if names
            .iter()
            .any(|n| n.to_lowercase() == s.name.to_lowercase())
        {
            return Err(OfficeError::InvalidSpec(format!(
                "two sheets are named '{}'; sheet names must be unique",
                s.name
            )));
        }
        if s.columns.is_empty() {
            return Err(OfficeError::InvalidSpec(format!(
                "sheet '{}' has no columns",
                s.name
            )));
        }
        if s.columns.len() > 16_384 || s.rows.len() > 1_048_574 {
            return Err(OfficeError::InvalidSpec(format!(
                "sheet '{}' exceeds Excel's limits (16,384 columns, 1,048,576 rows)",
                s.name
            )));
        }
        names.push(s.name.clone());
    }
    if let Some(n) = sources_sheet_name(spec) {
        names.push(n);
    }

    let mut grid = Vec::with_capacity(names.len());
    for (si, sheet) in spec.sheets.iter().enumerate() {
        let width = sheet.columns.len();
        let mut cells = Vec::with_capacity(sheet.rows.len() + 2);
        cells.push(
            sheet
                .columns
                .iter()
                .map(|c| GridCell::Value(Value::Text(c.header.clone())))
                .collect::<Vec<_>>(),
        );
        for (ri, row) in sheet.rows.iter().enumerate() {
            if row.len() > width {
                return Err(OfficeError::InvalidSpec(format!(
                    "sheet '{}' row {} has {} values but only {} columns",
                    sheet.name,
                    ri + 2,
                    row.len(),
                    width
                )));
            }
            let mut out = Vec::with_capacity(width);
            for (ci, column) in sheet.columns.iter().enumerate() {
                let cell = match row.get(ci) {
                    Some(v) => to_grid_cell(v, column.kind, &names, si, ri as u32 + 1, ci as u32)?,
                    None => GridCell::Value(Value::Empty),
                };
                out.push(cell);
            }
            cells.push(out);
        }
        if let Some(totals) = &sheet.totals {
            let last = sheet.rows.len() as u32 + 1;
            let mut out: Vec<GridCell> =
                (0..width).map(|_| GridCell::Value(Value::Empty)).collect();
            let label = totals.label.clone().unwrap_or_else(|| "Total".to_string());
            out[0] = GridCell::Value(Value::Text(label));
            let func = match totals.function {
                TotalFunction::Sum => "SUM",
                TotalFunction::Average => "AVERAGE",
                TotalFunction::Count => "COUNT",
                TotalFunction::Min => "MIN",
                TotalFunction::Max => "MAX",
            };
            for name in &totals.columns {
                let c = find_column(sheet, name)?;
                let letters = col_letters(c);
                let text = if sheet.rows.is_empty() {
                    "=0".to_string()
                } else {
                    format!("={func}({letters}2:{letters}{last})")
                };
                out[c as usize] = formula_cell(&text, &names, si, last, c)?;
            }
            cells.push(out);
        }
        grid.push(GridSheet { cells });
    }
    if !spec.sources.is_empty() {
        // The Sources sheet holds only text; it is in the grid so formulas may point at it.
        let mut cells = Vec::new();
        for s in &spec.sources {
            cells.push(vec![
                GridCell::Value(Value::Text(s.figure.clone())),
                GridCell::Value(Value::Text(s.cell.clone().unwrap_or_default())),
                GridCell::Value(Value::Text(s.file.clone())),
            ]);
        }
        grid.push(GridSheet { cells });
    }
    Ok(Plan { names, grid })
}

fn formula_cell(
    text: &str,
    names: &[String],
    sheet: usize,
    row: u32,
    col: u32,
) -> Result<GridCell, OfficeError> {
    let normalized = formula::normalize_separators(text);
    let expr: Expr = formula::parse(&normalized, names, sheet)
        .map_err(|fail| formula::parse_error(&address(&names[sheet], row, col), text, fail))?;
    Ok(GridCell::Formula(expr, normalized))
}

fn to_grid_cell(
    v: &CellValue,
    kind: ColumnKind,
    names: &[String],
    sheet: usize,
    row: u32,
    col: u32,
) -> Result<GridCell, OfficeError> {
    Ok(GridCell::Value(match v {
        CellValue::Null => Value::Empty,
        CellValue::Bool(b) => Value::Bool(*b),
        CellValue::Number(n) => Value::Number(*n),
        CellValue::Text(t) if t.starts_with('=') && t.len() > 1 => {
            return formula_cell(t, names, sheet, row, col);
        }
        CellValue::Text(t) => match kind {
            ColumnKind::Text => Value::Text(t.clone()),
            ColumnKind::Date => match parse_date(t) {
                Some(serial) => Value::Number(serial),
                None => Value::Text(t.clone()),
            },
            ColumnKind::Percent => match parse_lenient_number(t) {
                Some(n) if t.contains('%') => Value::Number(n / 100.0),
                Some(n) => Value::Number(n),
                None => Value::Text(t.clone()),
            },
            _ => match parse_lenient_number(t) {
                Some(n) => Value::Number(n),
                None => Value::Text(t.clone()),
            },
        },
    }))
}

/// A cell value as plain text (for tables in slides and documents): numbers without a
/// trailing ".0", empty for null.
pub(crate) fn cell_display(v: &CellValue) -> String {
    match v {
        CellValue::Null => String::new(),
        CellValue::Bool(b) => b.to_string(),
        CellValue::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
        CellValue::Number(n) => format!("{n}"),
        CellValue::Text(t) => t.clone(),
    }
}

/// Reads "1 234,56 €", "1,234.56", "-12.5", "20 %" as numbers; None for anything else.
pub(crate) fn parse_lenient_number(text: &str) -> Option<f64> {
    let mut s: String = text
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '€' | '$' | '£' | '%' | '\u{a0}' | '\u{202f}')
        })
        .collect();
    for code in ["EUR", "USD", "GBP", "CHF"] {
        s = s.replace(code, "");
    }
    if s.is_empty() || !s.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let (commas, dots) = (s.matches(',').count(), s.matches('.').count());
    let cleaned = match (commas, dots) {
        (0, _) if dots <= 1 => s,
        (0, _) => s.replace('.', ""),
        (1, 0) => s.replace(',', "."),
        (_, 0) => s.replace(',', ""),
        _ => {
            // Both present: the last one is the decimal mark.
            if s.rfind(',') > s.rfind('.') {
                s.replace('.', "").replace(',', ".")
            } else {
                s.replace(',', "")
            }
        }
    };
    cleaned.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Days since 1899-12-30 (the spreadsheet epoch) for "yyyy-mm-dd" or "dd/mm/yyyy" (optionally
/// followed by a time, which is dropped).
pub(crate) fn parse_date(text: &str) -> Option<f64> {
    let t = text.trim();
    let date_part = t.split(['T', ' ']).next()?;
    let (y, m, d) = if let Some((y, rest)) = date_part.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (
            y.parse::<i64>().ok()?,
            m.parse::<u32>().ok()?,
            d.parse::<u32>().ok()?,
        )
    } else {
        let mut parts = date_part.split(['/', '.']);
        let d = parts.next()?.parse::<u32>().ok()?;
        let m = parts.next()?.parse::<u32>().ok()?;
        let y = parts.next()?.parse::<i64>().ok()?;
        if parts.next().is_some() {
            return None;
        }
        (y, m, d)
    };
    if !(1900..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some((days_from_civil(y, m, d) - days_from_civil(1899, 12, 30)) as f64)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn currency_symbol(code: &str) -> String {
    match code.to_ascii_uppercase().as_str() {
        "EUR" | "€" => "€".into(),
        "USD" | "$" => "$".into(),
        "GBP" | "£" => "£".into(),
        "JPY" => "¥".into(),
        other => other.to_string(),
    }
}

/// Number format codes; the file stores en-US codes and each application renders them with the
/// reader's separators, so "#,##0.00" shows "1 234,56" on a French system.
fn number_format(kind: ColumnKind, locale: Locale, currency: &str) -> Option<String> {
    let sym = currency_symbol(currency);
    match kind {
        ColumnKind::Text => None,
        ColumnKind::Number => Some("#,##0.00".into()),
        ColumnKind::Integer => Some("#,##0".into()),
        ColumnKind::Percent => Some("0.0%".into()),
        ColumnKind::Date => Some(locale.pick("dd/mm/yyyy", "yyyy-mm-dd").into()),
        ColumnKind::Currency => Some(match locale {
            Locale::Fr => format!("#,##0.00 \"{sym}\";[Red]-#,##0.00 \"{sym}\""),
            Locale::En => format!("\"{sym}\"#,##0.00;[Red]-\"{sym}\"#,##0.00"),
        }),
    }
}

const HEADER_FILL: u32 = 0x1F3A5F;
const CHART_COLORS: [u32; 6] = [0x2563EB, 0xF59E0B, 0x10B981, 0xEF4444, 0x8B5CF6, 0x0EA5E9];
const TOTAL_FILL: u32 = 0xDCE6F1;

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border_bottom(FormatBorder::Thin)
}

/// Approximate display width of a value in characters, for column widths.
fn display_len(v: &Value, kind: ColumnKind) -> usize {
    match v {
        Value::Text(t) => t.chars().count(),
        Value::Number(n) => {
            // Digits of the integer part, without formatting (this runs for every cell).
            let digits = if n.abs() < 1.0 {
                1
            } else {
                n.abs().log10().floor() as usize + 1
            };
            let sign = usize::from(*n < 0.0);
            sign + match kind {
                ColumnKind::Date => 10,
                ColumnKind::Percent => digits + 5,
                ColumnKind::Integer => digits + digits / 3,
                ColumnKind::Number => digits + digits / 3 + 3,
                ColumnKind::Currency => digits + digits / 3 + 5,
                ColumnKind::Text if n.fract() == 0.0 => digits,
                ColumnKind::Text => digits + 3,
            }
        }
        Value::Bool(_) => 5,
        Value::Empty => 0,
        Value::Error(e) => e.len(),
    }
}

fn write_workbook(
    spec: &SpreadsheetSpec,
    plan: &Plan,
    ev: &mut Evaluator<'_>,
) -> Result<Vec<u8>, OfficeError> {
    let mut wb = Workbook::new();
    // Compression is most of the save time of big workbooks; level 3 costs ~6 % in size.
    let cells: usize = plan
        .grid
        .iter()
        .map(|s| s.cells.len() * s.cells.first().map_or(0, Vec::len))
        .sum();
    if cells > 100_000 {
        wb.set_zip_compression_level(3);
    }
    let header = header_format();
    for (si, sheet) in spec.sheets.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name)?;
        write_sheet(spec, sheet, si, &plan.grid[si], ev, ws, &header)?;
    }
    if let Some(name) = sources_sheet_name(spec) {
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        write_sources(spec, ws, &header)?;
    }
    Ok(wb.save_to_buffer()?)
}

#[allow(clippy::too_many_arguments)]
fn write_sheet(
    spec: &SpreadsheetSpec,
    sheet: &SheetSpec,
    si: usize,
    grid: &GridSheet,
    ev: &mut Evaluator<'_>,
    ws: &mut Worksheet,
    header: &Format,
) -> Result<(), OfficeError> {
    let locale = spec.locale;
    let formats: Vec<Format> = sheet
        .columns
        .iter()
        .map(|c| {
            let f = match number_format(c.kind, locale, &spec.currency) {
                Some(code) => Format::new().set_num_format(code),
                None => Format::new(),
            };
            // Dates centred and text indented so neighbouring columns do not run together.
            match c.kind {
                ColumnKind::Date => f.set_align(FormatAlign::Center),
                ColumnKind::Text => f.set_align(FormatAlign::Left).set_indent(1),
                _ => f,
            }
        })
        .collect();
    // Headers aligned like their column's values: right over numbers, left over text.
    let header_formats: Vec<Format> = sheet
        .columns
        .iter()
        .map(|c| match c.kind {
            ColumnKind::Text => header.clone().set_align(FormatAlign::Left).set_indent(1),
            ColumnKind::Date => header.clone(),
            _ => header.clone().set_align(FormatAlign::Right).set_indent(1),
        })
        .collect();
    let total_formats: Vec<Format> = formats
        .iter()
        .map(|f| {
            f.clone()
                .set_bold()
                .set_background_color(Color::RGB(TOTAL_FILL))
                .set_border_top(FormatBorder::Thin)
        })
        .collect();
    let data_rows = sheet.rows.len() as u32;
    let has_totals = sheet.totals.is_some();
    let mut widths: Vec<usize> = sheet
        .columns
        .iter()
        .map(|c| c.header.chars().count() + if sheet.table { 3 } else { 1 })
        .collect();

    let measure: Vec<bool> = sheet.columns.iter().map(|c| c.width.is_none()).collect();
    ws.set_row_height(0, 30)?;
    for (c, col) in sheet.columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, &col.header, &header_formats[c])?;
    }
    for (r, row) in grid.cells.iter().enumerate().skip(1) {
        let is_total = has_totals && r as u32 == data_rows + 1;
        for (c, cell) in row.iter().enumerate() {
            let kind = sheet.columns[c].kind;
            // Data cells are written without a format: they take the column format set below,
            // which spares rust_xlsxwriter a format lookup per cell (a third of the save time).
            let fmt = is_total.then(|| &total_formats[c]);
            let (row_n, col_n) = (r as u32, c as u16);
            match cell {
                GridCell::Value(v) => {
                    if measure[c] {
                        widths[c] = widths[c].max(display_len(v, kind));
                    }
                    match (v, fmt) {
                        (Value::Number(n), None) => {
                            ws.write_number(row_n, col_n, *n)?;
                        }
                        (Value::Number(n), Some(f)) => {
                            ws.write_number_with_format(row_n, col_n, *n, f)?;
                        }
                        (Value::Text(t), None) => {
                            ws.write_string(row_n, col_n, t)?;
                        }
                        (Value::Text(t), Some(f)) => {
                            ws.write_string_with_format(row_n, col_n, t, f)?;
                        }
                        (Value::Bool(b), None) => {
                            ws.write_boolean(row_n, col_n, *b)?;
                        }
                        (Value::Bool(b), Some(f)) => {
                            ws.write_boolean_with_format(row_n, col_n, *b, f)?;
                        }
                        (Value::Empty | Value::Error(_), Some(f)) => {
                            ws.write_blank(row_n, col_n, f)?;
                        }
                        (Value::Empty | Value::Error(_), None) => {}
                    }
                }
                GridCell::Formula(_, text) => {
                    let value = ev.cell(si, row_n, c as u32);
                    if measure[c] {
                        widths[c] = widths[c].max(display_len(&value, kind));
                    }
                    let f = Formula::new(text).set_result(value.cached_text());
                    match fmt {
                        Some(fmt) => ws.write_formula_with_format(row_n, col_n, f, fmt)?,
                        None => ws.write_formula(row_n, col_n, f)?,
                    };
                }
            }
        }
    }
    for (c, col) in sheet.columns.iter().enumerate() {
        let width = col
            .width
            .unwrap_or_else(|| (widths[c] as f64 * 1.1 + 3.0).clamp(8.0, 60.0));
        ws.set_column_width(c as u16, width)?;
        ws.set_column_format(c as u16, &formats[c])?;
    }
    if sheet.freeze_header {
        ws.set_freeze_panes(1, 0)?;
    }
    // Printing and PDF export: landscape, one page wide, header row repeated on every page.
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    let last_col = sheet.columns.len() as u16 - 1;
    if sheet.table && data_rows > 0 {
        let columns: Vec<TableColumn> = sheet
            .columns
            .iter()
            .map(|c| {
                TableColumn::new()
                    .set_header(&c.header)
                    .set_header_format(header)
            })
            .collect();
        let table = Table::new()
            .set_columns(&columns)
            .set_style(TableStyle::Medium2);
        ws.add_table(0, 0, data_rows, last_col, &table)?;
        // The table rewrites its header cells with one format; put the aligned ones back.
        for (c, col) in sheet.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, &col.header, &header_formats[c])?;
        }
    }
    for cond in &sheet.conditional {
        if data_rows == 0 {
            break;
        }
        let c = find_column(sheet, &cond.column)? as u16;
        let (font, fill) = match cond.style {
            Highlight::Red => (0x9C0006, 0xFFC7CE),
            Highlight::Green => (0x006100, 0xC6EFCE),
            Highlight::Amber => (0x9C5700, 0xFFEB9C),
        };
        let fmt = Format::new()
            .set_font_color(Color::RGB(font))
            .set_background_color(Color::RGB(fill));
        match &cond.rule {
            ConditionalRule::TextContains { text } => {
                let rule = ConditionalFormatText::new()
                    .set_rule(ConditionalFormatTextRule::Contains(text.clone()))
                    .set_format(fmt);
                ws.add_conditional_format(1, c, data_rows, c, &rule)?;
            }
            other => {
                let rule = match other {
                    ConditionalRule::Negative => ConditionalFormatCellRule::LessThan(0.0),
                    ConditionalRule::GreaterThan { value } => {
                        ConditionalFormatCellRule::GreaterThan(*value)
                    }
                    ConditionalRule::LessThan { value } => {
                        ConditionalFormatCellRule::LessThan(*value)
                    }
                    ConditionalRule::Between { min, max } => {
                        ConditionalFormatCellRule::Between(*min, *max)
                    }
                    ConditionalRule::TextContains { .. } => continue,
                };
                let cf = ConditionalFormatCell::new().set_rule(rule).set_format(fmt);
                ws.add_conditional_format(1, c, data_rows, c, &cf)?;
            }
        }
    }
    let mut next_chart_row = 1u32;
    for chart_spec in &sheet.charts {
        if data_rows == 0 {
            break;
        }
        let cat = find_column(sheet, &chart_spec.categories_column)? as u16;
        if chart_spec.values_columns.is_empty() {
            return Err(OfficeError::InvalidSpec(format!(
                "chart '{}' on sheet '{}' has no values_columns",
                chart_spec.title, sheet.name
            )));
        }
        let mut chart = Chart::new(match chart_spec.kind {
            ChartKind::Bar => ChartType::Column,
            ChartKind::Line => ChartType::Line,
            ChartKind::Pie => ChartType::Pie,
        });
        chart.title().set_name(&chart_spec.title);
        let take = if chart_spec.kind == ChartKind::Pie {
            1
        } else {
            usize::MAX
        };
        for (i, name) in chart_spec.values_columns.iter().take(take).enumerate() {
            let v = find_column(sheet, name)? as u16;
            let color = CHART_COLORS[i % CHART_COLORS.len()];
            let series = chart
                .add_series()
                .set_categories((sheet.name.as_str(), 1, cat, data_rows, cat))
                .set_values((sheet.name.as_str(), 1, v, data_rows, v))
                .set_name((sheet.name.as_str(), 0, v));
            // The same palette as the decks, so a workbook and its deck look related.
            match chart_spec.kind {
                ChartKind::Bar => {
                    series.set_format(ChartSolidFill::new().set_color(color));
                }
                ChartKind::Line => {
                    series.set_format(ChartLine::new().set_color(color).set_width(2.25));
                }
                ChartKind::Pie => {
                    let points: Vec<ChartPoint> = (0..data_rows as usize)
                        .map(|k| {
                            ChartPoint::new().set_format(
                                ChartSolidFill::new()
                                    .set_color(CHART_COLORS[k % CHART_COLORS.len()]),
                            )
                        })
                        .collect();
                    series.set_points(&points);
                }
            }
        }
        if chart_spec.values_columns.len() == 1 && chart_spec.kind != ChartKind::Pie {
            chart.legend().set_hidden();
        }
        chart.set_width(640).set_height(360);
        let (row, col) = match chart_spec.anchor.as_deref().and_then(parse_anchor) {
            Some(rc) => rc,
            None => {
                let rc = (next_chart_row, last_col + 2);
                next_chart_row += 20;
                rc
            }
        };
        ws.insert_chart(row, col, &chart)?;
    }
    Ok(())
}

fn parse_anchor(a: &str) -> Option<(u32, u16)> {
    let a = a.replace('$', "");
    let split = a.find(|c: char| c.is_ascii_digit())?;
    let col = formula::col_index(&a[..split])?;
    let row: u32 = a[split..].parse().ok()?;
    (row >= 1).then_some((row - 1, col as u16))
}

fn write_sources(
    spec: &SpreadsheetSpec,
    ws: &mut Worksheet,
    header: &Format,
) -> Result<(), OfficeError> {
    let l = spec.locale;
    let heads = [
        l.pick("Chiffre", "Figure"),
        l.pick("Cellule", "Cell"),
        l.pick("Fichier source", "Source file"),
        "Page",
        "Note",
    ];
    let mut widths: Vec<usize> = heads.iter().map(|h| h.chars().count() + 2).collect();
    ws.set_row_height(0, 30)?;
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, header)?;
    }
    for (i, s) in spec.sources.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &s.figure)?;
        widths[0] = widths[0].max(s.figure.chars().count());
        if let Some(cell) = &s.cell {
            widths[1] = widths[1].max(cell.chars().count());
            if cell.contains('!') {
                ws.write_url_with_text(r, 1, Url::new(format!("internal:{cell}")), cell)?;
            } else {
                ws.write_string(r, 1, cell)?;
            }
        }
        ws.write_string(r, 2, &s.file)?;
        widths[2] = widths[2].max(s.file.chars().count());
        if let Some(p) = s.page {
            ws.write_number(r, 3, p)?;
        }
        if let Some(n) = &s.note {
            ws.write_string(r, 4, n)?;
            widths[4] = widths[4].max(n.chars().count());
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 * 1.1 + 2.0).clamp(8.0, 70.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_numbers_accept_french_and_english_writing() {
        assert_eq!(parse_lenient_number("1 234,56 €"), Some(1234.56));
        assert_eq!(parse_lenient_number("1,234.56"), Some(1234.56));
        assert_eq!(parse_lenient_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_lenient_number("-12.5"), Some(-12.5));
        assert_eq!(parse_lenient_number("abc"), None);
    }

    #[test]
    fn dates_become_spreadsheet_serials() {
        assert_eq!(parse_date("2024-01-01"), Some(45292.0));
        assert_eq!(parse_date("01/01/2024"), Some(45292.0));
        assert_eq!(parse_date("1900-03-01"), Some(61.0));
        assert_eq!(parse_date("31/02/2024"), None);
    }
}
