//! `summarize_survey`: a survey export (CSV, XLSX, ODS) into a new workbook — the responses,
//! a summary whose counts, shares, means and NPS are formulas over them (COUNTIF, AVERAGE…),
//! an NPS sheet with its chart, and the comments' frequent themes with verbatim quotes.
//!
//! The reading of the questions is `commis_skills::survey` (pure); this module reads through
//! the guarded reader and writes through commis-office and the workspace.

use std::sync::Arc;

use async_trait::async_trait;
use commis_office::{
    CellValue, ChartKind, ChartSpec, ColumnKind, ColumnSpec, SheetSpec, col_letters,
};
use commis_skills::survey::{
    CrossTab, Question, SegmentError, Survey, analyse, answer_label, cross_tab, yes_no,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::files::write_bytes;
use super::tables::literal;
use super::{Tool, ToolError, parse_input};
use crate::context::RunContext;
use crate::offline::brief::Lang;

pub(super) fn tools() -> Vec<Arc<dyn Tool>> {
    vec![Arc::new(SummarizeSurvey)]
}

const MAX_SURVEY_BYTES: u64 = 64 * 1024 * 1024;

/// Which survey and where to write its summary.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SurveyRequest {
    /// The responses (one row per respondent), relative to the granted folder.
    pub path: String,
    /// Default: `<name>_synthese.xlsx` / `<name>_summary.xlsx` beside it.
    #[serde(default)]
    pub output: Option<String>,
    /// A column to split the answers by (a choice or yes/no question), named as its header
    /// says it or by a word of it: adds a cross-tab sheet.
    #[serde(default)]
    pub segment: Option<String>,
    /// Also write a synthesis report (.docx) beside the workbook.
    #[serde(default)]
    pub report: bool,
    /// Also write a deck with charts (.pptx) beside the workbook.
    #[serde(default)]
    pub deck: bool,
}

/// What `summarize_survey` found and wrote.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyOutcome {
    /// The workbook written.
    pub output: String,
    /// The survey as read (questions, counts, NPS, themes).
    pub survey: Survey,
    /// The answers split by the segment asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_tab: Option<CrossTab>,
    /// The synthesis report written, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// The deck written, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deck: Option<String>,
}

fn text(t: &str) -> CellValue {
    literal(t)
}

fn formula(f: String) -> CellValue {
    CellValue::Text(f)
}

fn col(header: &str, kind: ColumnKind) -> ColumnSpec {
    ColumnSpec {
        header: header.into(),
        kind,
        width: None,
    }
}

fn sheet(name: &str, columns: Vec<ColumnSpec>, rows: Vec<Vec<CellValue>>) -> SheetSpec {
    SheetSpec {
        name: name.into(),
        columns,
        rows,
        totals: None,
        table: false,
        freeze_header: true,
        conditional: Vec::new(),
        charts: Vec::new(),
    }
}

/// The workbook of a survey: responses, summary (formulas), NPS with a chart, comments.
pub fn survey_workbook(
    survey: &Survey,
    rows: &[Vec<String>],
    cross: Option<&CrossTab>,
    lang: Lang,
) -> Result<Vec<u8>, commis_office::OfficeError> {
    let sl = lang;
    let resp_name = lang.pick("Réponses", "Responses");
    let kept: Vec<&commis_skills::survey::QuestionSummary> = survey
        .questions
        .iter()
        .filter(|q| q.question != Question::Skipped)
        .collect();
    // Responses: one column per question kept, scores as numbers, yes/no in words.
    let resp_cols = kept
        .iter()
        .map(|q| {
            col(
                &q.header,
                match q.question {
                    Question::Score { .. } => ColumnKind::Integer,
                    _ => ColumnKind::Text,
                },
            )
        })
        .collect();
    let resp_rows: Vec<Vec<CellValue>> = rows
        .iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .map(|r| {
            kept.iter()
                .map(|q| {
                    let v = r.get(q.column).map(|v| v.trim()).unwrap_or("");
                    match &q.question {
                        _ if v.is_empty() => CellValue::Null,
                        Question::Score { .. } => v
                            .parse::<f64>()
                            .map(CellValue::Number)
                            .unwrap_or_else(|_| text(v)),
                        Question::YesNo => {
                            let yes = yes_no(v) == Some(true);
                            text(&answer_label(if yes { "yes" } else { "no" }, sl))
                        }
                        _ => text(v),
                    }
                })
                .collect()
        })
        .collect();
    let last = resp_rows.len() + 1;
    let range = |i: usize| {
        let l = col_letters(i as u32);
        format!("'{resp_name}'!${l}$2:${l}${last}")
    };
    // Summary: question, answer, count, share — every figure a formula over the responses.
    let mut sum_rows: Vec<Vec<CellValue>> = Vec::new();
    let mut nps_cells: Option<(usize, usize, usize, String)> = None;
    for (i, q) in kept.iter().enumerate() {
        let r = range(i);
        let first = sum_rows.len();
        let mut push = |answer: CellValue, count: String, share: Option<String>| {
            let row_no = sum_rows.len() + 2;
            let label = if sum_rows.len() == first {
                text(&q.header)
            } else {
                CellValue::Null
            };
            sum_rows.push(vec![
                label,
                answer,
                formula(count.replace("{r}", &row_no.to_string())),
                share.map_or(CellValue::Null, |s| {
                    formula(s.replace("{r}", &row_no.to_string()))
                }),
            ]);
            row_no
        };
        match &q.question {
            Question::Score { nps, .. } => {
                for (k, _) in &q.counts {
                    push(
                        CellValue::Number(k.parse().unwrap_or(0.0)),
                        format!("=COUNTIF({r},B{{r}})"),
                        Some(format!("=IF(COUNT({r})=0,0,C{{r}}/COUNT({r}))")),
                    );
                }
                push(
                    text(lang.pick("Moyenne", "Mean")),
                    format!("=IF(COUNT({r})=0,0,ROUND(AVERAGE({r}),2))"),
                    None,
                );
                if *nps {
                    let p = push(
                        text(lang.pick("Promoteurs (9–10)", "Promoters (9–10)")),
                        format!("=COUNTIF({r},\">=9\")"),
                        Some(format!("=IF(COUNT({r})=0,0,C{{r}}/COUNT({r}))")),
                    );
                    let m = push(
                        text(lang.pick("Passifs (7–8)", "Passives (7–8)")),
                        format!("=COUNTIFS({r},\">=7\",{r},\"<=8\")"),
                        Some(format!("=IF(COUNT({r})=0,0,C{{r}}/COUNT({r}))")),
                    );
                    let d = push(
                        text(lang.pick("Détracteurs (0–6)", "Detractors (0–6)")),
                        format!("=COUNTIF({r},\"<=6\")"),
                        Some(format!("=IF(COUNT({r})=0,0,C{{r}}/COUNT({r}))")),
                    );
                    push(
                        text("NPS"),
                        format!("=IF(COUNT({r})=0,0,ROUND((C{p}-C{d})*100/COUNT({r}),1))"),
                        None,
                    );
                    if nps_cells.is_none() {
                        nps_cells = Some((p, m, d, q.header.clone()));
                    }
                }
            }
            Question::YesNo | Question::Choice { .. } => {
                for (a, _) in &q.counts {
                    let shown = answer_label(a, sl);
                    push(
                        text(&shown),
                        format!("=COUNTIF({r},B{{r}})"),
                        Some(format!("=IF(COUNTA({r})=0,0,C{{r}}/COUNTA({r}))")),
                    );
                }
            }
            Question::Comment => {
                push(
                    text(lang.pick("(réponses libres)", "(free answers)")),
                    format!("=COUNTA({r})"),
                    None,
                );
            }
            Question::Skipped => {}
        }
    }
    let summary_name = lang.pick("Synthèse", "Summary");
    let summary = sheet(
        summary_name,
        vec![
            col(lang.pick("Question", "Question"), ColumnKind::Text),
            col(lang.pick("Réponse", "Answer"), ColumnKind::Text),
            col(lang.pick("Nombre", "Count"), ColumnKind::Number),
            col(lang.pick("Part", "Share"), ColumnKind::Percent),
        ],
        sum_rows,
    );
    let mut sheets = vec![summary];
    if let Some((p, m, d, question)) = nps_cells {
        let group = lang.pick("Groupe", "Group");
        let count = lang.pick("Nombre", "Count");
        let mut nps = sheet(
            "NPS",
            vec![col(group, ColumnKind::Text), col(count, ColumnKind::Number)],
            [
                (lang.pick("Promoteurs", "Promoters"), p),
                (lang.pick("Passifs", "Passives"), m),
                (lang.pick("Détracteurs", "Detractors"), d),
            ]
            .iter()
            .map(|(label, row)| vec![text(label), formula(format!("='{summary_name}'!C{row}"))])
            .collect(),
        );
        nps.charts.push(ChartSpec {
            kind: ChartKind::Bar,
            title: format!("NPS — {question}"),
            categories_column: group.into(),
            values_columns: vec![count.into()],
            anchor: None,
        });
        sheets.push(nps);
    }
    // Comments: themes with counts and quotes.
    let mut theme_rows = Vec::new();
    for q in kept.iter().filter(|q| q.question == Question::Comment) {
        for t in &q.themes {
            theme_rows.push(vec![
                text(&q.header),
                text(&t.word),
                CellValue::Number(t.count as f64),
                text(&t.quotes.join(" / ")),
            ]);
        }
    }
    if !theme_rows.is_empty() {
        sheets.push(sheet(
            lang.pick("Commentaires", "Comments"),
            vec![
                col(lang.pick("Question", "Question"), ColumnKind::Text),
                col(lang.pick("Thème", "Theme"), ColumnKind::Text),
                col(lang.pick("Commentaires", "Comments"), ColumnKind::Integer),
                col(lang.pick("Citations", "Quotes"), ColumnKind::Text),
            ],
            theme_rows,
        ));
    }
    if let Some(cross) = cross {
        let at = |column: usize| kept.iter().position(|q| q.column == column);
        if let Some(seg) = at(cross.column) {
            sheets.push(cross_sheet(cross, &range(seg), |c| at(c).map(range), lang));
        }
    }
    sheets.push(sheet(resp_name, resp_cols, resp_rows));
    commis_office::build_spreadsheet(&commis_office::SpreadsheetSpec {
        sheets,
        sources: Vec::new(),
        locale: match lang {
            Lang::Fr => commis_office::Locale::Fr,
            Lang::En => commis_office::Locale::En,
        },
        currency: "EUR".into(),
    })
}

/// A COUNTIFS criterion that matches `value` exactly (quotes doubled; a leading comparison
/// sign is not read as an operator).
fn criterion(value: &str) -> String {
    let v = value.replace('"', "\"\"");
    if v.starts_with(['<', '>', '=']) {
        format!("\"={v}\"")
    } else {
        format!("\"{v}\"")
    }
}

/// The cross-tab sheet: for each question, one column per segment value; counts, means and
/// NPS are COUNTIFS/SUMIFS over the responses sheet (`seg` is the segment column's range).
fn cross_sheet(
    cross: &CrossTab,
    seg: &str,
    range_of: impl Fn(usize) -> Option<String>,
    lang: Lang,
) -> SheetSpec {
    let sl = lang;
    let shown: Vec<String> = cross.values.iter().map(|v| answer_label(v, sl)).collect();
    let crits: Vec<String> = shown.iter().map(|v| criterion(v)).collect();
    let mut columns = vec![
        col(lang.pick("Question", "Question"), ColumnKind::Text),
        col(lang.pick("Réponse", "Answer"), ColumnKind::Text),
    ];
    for v in &shown {
        columns.push(col(v, ColumnKind::Number));
    }
    let mut out: Vec<Vec<CellValue>> = Vec::new();
    // Group sizes first: the respondents of each segment value.
    let mut first = vec![
        text(&cross.segment),
        text(lang.pick("Répondants", "Respondents")),
    ];
    for c in &crits {
        first.push(formula(format!("=COUNTIFS({seg},{c})")));
    }
    out.push(first);
    for q in &cross.questions {
        let Some(r) = range_of(q.column) else {
            continue;
        };
        let start = out.len();
        let mut push = |label: &str, cell: &dyn Fn(&str, &str) -> String| {
            let row_no = out.len() + 2;
            let mut row = vec![
                if out.len() == start {
                    text(&q.header)
                } else {
                    CellValue::Null
                },
                text(label),
            ];
            for (i, c) in crits.iter().enumerate() {
                let letter = col_letters(i as u32 + 2);
                row.push(formula(cell(&letter, c)));
            }
            out.push(row);
            row_no
        };
        match &q.question {
            Question::Score { nps, .. } => {
                let n = push(lang.pick("Réponses", "Answers"), &|_, c| {
                    format!("=COUNTIFS({seg},{c},{r},\">=0\")")
                });
                push(lang.pick("Moyenne", "Mean"), &|l, c| {
                    format!("=IF({l}{n}=0,\"\",ROUND(SUMIFS({r},{seg},{c})/{l}{n},2))")
                });
                if *nps {
                    push("NPS", &|l, c| {
                        format!(
                            "=IF({l}{n}=0,\"\",ROUND((COUNTIFS({seg},{c},{r},\">=9\")-COUNTIFS({seg},{c},{r},\"<=6\"))*100/{l}{n},1))"
                        )
                    });
                }
            }
            Question::YesNo | Question::Choice { .. } => {
                for (a, _) in &q.counts {
                    let ac = criterion(&answer_label(a, sl));
                    push(&answer_label(a, sl), &|_, c| {
                        format!("=COUNTIFS({seg},{c},{r},{ac})")
                    });
                }
            }
            Question::Comment | Question::Skipped => {}
        }
    }
    sheet(lang.pick("Croisements", "Cross-tabs"), columns, out)
}

/// Reads a survey file of the granted folder and writes its summary workbook.
pub async fn summarize_survey_file(
    ctx: &RunContext,
    req: SurveyRequest,
) -> Result<SurveyOutcome, ToolError> {
    let lang = ctx.lang;
    let bytes = ctx.workspace.read(&req.path, MAX_SURVEY_BYTES)?;
    ctx.emit(commis_core::EventKind::FileRead {
        path: req.path.clone(),
    });
    let doc = commis_docs::read_guarded(&req.path, &bytes, &commis_docs::Limits::default())
        .map_err(|error| ToolError::Document {
            path: req.path.clone(),
            error,
        })?;
    let grid: Vec<Vec<String>> = doc
        .tables
        .iter()
        .map(|t| {
            t.rows
                .iter()
                .map(|r| r.iter().map(|c| c.text.clone()).collect::<Vec<String>>())
                .collect::<Vec<_>>()
        })
        .find(|g| g.len() >= 2)
        .ok_or_else(|| ToolError::NoTable {
            path: req.path.clone(),
        })?;
    let header: Vec<String> = grid[0]
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let rows = &grid[1..];
    let survey = analyse(&header, rows);
    let cross = match req.segment.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => Some(cross_tab(&survey, &header, rows, name).map_err(
            |e| match e {
                SegmentError::NoSuchColumn { asked, columns } => ToolError::NoSuchColumn {
                    path: req.path.clone(),
                    column: asked,
                    columns,
                },
                SegmentError::NotASegment { column } => ToolError::NotASegment { column },
            },
        )?),
        _ => None,
    };
    let bytes = survey_workbook(&survey, rows, cross.as_ref(), lang)
        .map_err(|e| ToolError::Failed(e.to_string()))?;
    let output = req.output.clone().unwrap_or_else(|| {
        let stem = req
            .path
            .rsplit_once('.')
            .map_or(req.path.as_str(), |(s, _)| s);
        format!("{stem}{}.xlsx", lang.pick("_synthese", "_summary"))
    });
    if output == req.path {
        return Err(ToolError::InvalidInput {
            tool: "summarize_survey".into(),
            reason: lang
                .pick(
                    "la synthèse ne remplace jamais les réponses",
                    "the summary never replaces the responses",
                )
                .into(),
        });
    }
    let stem = output
        .rsplit_once('.')
        .map_or(output.as_str(), |(s, _)| s)
        .to_string();
    let title = req.path.rsplit('/').next().unwrap_or(&req.path).to_string();
    let mut written = Vec::new();
    if req.report {
        let spec = super::survey_docs::report(&survey, cross.as_ref(), &title, lang);
        let docx =
            commis_office::build_docx(&spec).map_err(|e| ToolError::Failed(e.to_string()))?;
        written.push((format!("{stem}.docx"), docx));
    }
    if req.deck {
        let spec = super::survey_docs::deck(&survey, cross.as_ref(), &title, lang);
        let pptx = commis_office::build_presentation(&spec)
            .map_err(|e| ToolError::Failed(e.to_string()))?;
        written.push((format!("{stem}.pptx"), pptx));
    }
    write_bytes(ctx, &output, &bytes, false).await?;
    let (mut report, mut deck) = (None, None);
    for (path, bytes) in written {
        write_bytes(ctx, &path, &bytes, false).await?;
        if path.ends_with(".docx") {
            report = Some(path);
        } else {
            deck = Some(path);
        }
    }
    Ok(SurveyOutcome {
        output,
        survey,
        cross_tab: cross,
        report,
        deck,
    })
}

struct SummarizeSurvey;

#[async_trait]
impl Tool for SummarizeSurvey {
    fn name(&self) -> &'static str {
        "summarize_survey"
    }
    fn description(&self) -> &'static str {
        "Summarise survey responses (CSV, XLSX or ODS; a header row of questions, one row per respondent) into a new workbook: each column read as a 0–10 score (NPS on the recommendation question, else the first 0–10 score), a yes/no or ticked box, a choice or scale, or a free comment; a summary sheet whose counts, shares, means and NPS are COUNTIF/AVERAGE formulas over a copy of the responses; an NPS sheet with a chart; the comments' most frequent words with counts and verbatim quotes; optionally a cross-tab sheet by a segment column, a synthesis report (.docx) and a deck with charts (.pptx). Returns the survey as read. The responses file is not changed."
    }
    fn input_schema(&self) -> Value {
        json!({"type": "object", "required": ["path"], "properties": {
            "path": {"type": "string", "description": "The responses file, relative to the granted folder"},
            "output": {"type": "string", "description": "The workbook to write (default: <name>_synthese.xlsx / <name>_summary.xlsx beside it)"},
            "segment": {"type": "string", "description": "Optional: a column to split the answers by (a choice or yes/no question such as a customer type or a site), its header or a word of it; adds a cross-tab sheet (counts, means and NPS per group, as COUNTIFS/SUMIFS formulas). An unknown column is an error listing the columns"},
            "report": {"type": "boolean", "description": "Also write a synthesis report (.docx, same name as the workbook): results per question, NPS, comment themes with quotes, cross-tab highlights. Default false"},
            "deck": {"type": "boolean", "description": "Also write a deck (.pptx, same name as the workbook): NPS, one chart per key question, comment themes with quotes. Default false"}
        }})
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let req: SurveyRequest = parse_input(self.name(), input)?;
        let outcome = summarize_survey_file(ctx, req).await?;
        serde_json::to_value(&outcome).map_err(|e| ToolError::Failed(e.to_string()))
    }
}
