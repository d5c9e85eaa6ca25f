//! Reports: one block-structured spec rendered as .docx, Markdown or standalone HTML, and PDF
//! through LibreOffice when it is installed.

mod docx;
pub mod markdown;
mod pdf;

pub use docx::build_docx;
pub use markdown::{blocks_from_markdown, spec_from_markdown};
pub use pdf::{docx_to_pdf, office_to_pdf};

use crate::package::inline_runs;
use crate::{Locale, schema_of};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A report: a title and a sequence of blocks.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// Title shown at the top of the first page (and the file's title property).
    pub title: String,
    /// Line under the title (author, date, client...).
    #[serde(default)]
    pub subtitle: Option<String>,
    /// "fr" (default) or "en": language of generated labels ("Sommaire"/"Contents", "Page").
    #[serde(default)]
    pub locale: Locale,
    /// The content, in order.
    pub blocks: Vec<DocBlock>,
}

impl DocumentSpec {
    /// JSON schema of this spec (the `create_document` tool's input schema).
    pub fn json_schema() -> serde_json::Value {
        schema_of::<DocumentSpec>()
    }
}

/// One block of a report, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocBlock {
    /// A heading; level 1 to 3. Headings feed the table of contents.
    Heading {
        /// 1 (chapter), 2 (section) or 3 (subsection).
        level: u8,
        /// Heading text.
        text: String,
    },
    /// A paragraph; "**bold**" marks bold words, new lines are line breaks.
    Paragraph {
        /// Paragraph text.
        text: String,
    },
    /// A bulleted list.
    Bullets {
        /// One string per item ("**bold**" allowed).
        items: Vec<String>,
    },
    /// A numbered list (numbering restarts at 1 for each list).
    Numbered {
        /// One string per item ("**bold**" allowed).
        items: Vec<String>,
    },
    /// A table with a header row (repeated on each page).
    Table {
        /// Column headers.
        header: Vec<String>,
        /// Rows of cells, as many as headers; numbers are written as given (e.g. 1234.5).
        #[serde(deserialize_with = "cells_as_text")]
        #[schemars(with = "Vec<Vec<crate::CellValue>>")]
        rows: Vec<Vec<String>>,
    },
    /// Start a new page.
    PageBreak,
    /// A table of contents of the headings (Word updates page numbers when the file opens).
    Toc,
}

/// Accepts table cells as strings, numbers, booleans or null (models often send numbers).
fn cells_as_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Vec<String>>, D::Error> {
    let rows: Vec<Vec<crate::CellValue>> = Deserialize::deserialize(d)?;
    Ok(rows
        .into_iter()
        .map(|r| r.iter().map(crate::xlsx::cell_display).collect())
        .collect())
}

/// Heading level clamped to 1..=3.
fn level(l: u8) -> u8 {
    l.clamp(1, 3)
}

/// Anchor id of a heading for Markdown/HTML links ("Synthèse des ventes" -> "synthèse-des-ventes").
fn anchor(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if (c == ' ' || c == '-') && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn toc_label(locale: Locale) -> &'static str {
    locale.pick("Sommaire", "Contents")
}

fn md_cell(t: &str) -> String {
    t.replace('|', "\\|").replace('\n', " ")
}

/// Renders the report as Markdown (GitHub flavour: pipe tables).
pub fn build_markdown(spec: &DocumentSpec) -> String {
    let structured = markdown::structured(spec);
    let spec: &DocumentSpec = &structured;
    let mut out = format!("# {}\n\n", spec.title.trim());
    if let Some(s) = &spec.subtitle {
        out.push_str(&format!("*{}*\n\n", s.trim()));
    }
    for block in &spec.blocks {
        match block {
            DocBlock::Heading { level: l, text } => {
                out.push_str(&format!(
                    "{} {}\n\n",
                    "#".repeat(level(*l) as usize + 1),
                    text.trim()
                ));
            }
            DocBlock::Paragraph { text } => {
                out.push_str(&text.trim().replace('\n', "  \n"));
                out.push_str("\n\n");
            }
            DocBlock::Bullets { items } => {
                for i in items {
                    out.push_str(&format!("- {}\n", i.trim()));
                }
                out.push('\n');
            }
            DocBlock::Numbered { items } => {
                for (n, i) in items.iter().enumerate() {
                    out.push_str(&format!("{}. {}\n", n + 1, i.trim()));
                }
                out.push('\n');
            }
            DocBlock::Table { header, rows } => {
                out.push_str(&format!(
                    "| {} |\n|{}\n",
                    header
                        .iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | "),
                    numeric_columns(header.len().max(1), rows)
                        .iter()
                        .map(|&n| if n { " ---: |" } else { " --- |" })
                        .collect::<String>()
                ));
                for r in rows {
                    let mut cells: Vec<String> = r.iter().map(|c| md_cell(c)).collect();
                    cells.resize(header.len().max(cells.len()), String::new());
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
            DocBlock::PageBreak => out.push_str("---\n\n"),
            DocBlock::Toc => {
                out.push_str(&format!("**{}**\n\n", toc_label(spec.locale)));
                for b in &spec.blocks {
                    if let DocBlock::Heading { level: l, text } = b {
                        out.push_str(&format!(
                            "{}- [{}](#{})\n",
                            "  ".repeat(level(*l) as usize - 1),
                            text.trim(),
                            anchor(text)
                        ));
                    }
                }
                out.push('\n');
            }
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn html_escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inline text to HTML: escaped, "**bold**" as <strong>, new lines as <br>.
fn html_inline(t: &str) -> String {
    inline_runs(t)
        .into_iter()
        .map(|(piece, bold)| {
            let e = html_escape(&piece).replace('\n', "<br>");
            if bold {
                format!("<strong>{e}</strong>")
            } else {
                e
            }
        })
        .collect()
}

const CSS: &str = r#"
:root { --ink: #1f2937; --muted: #6b7280; --accent: #1d4ed8; --rule: #e5e7eb; --band: #f5f7fa; --head: #0f2a4a; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Calibri, Carlito, "Helvetica Neue", Arial, sans-serif; color: var(--ink); line-height: 1.55; max-width: 52rem; margin: 2.5rem auto; padding: 0 1.5rem; font-size: 16px; }
h1 { font-size: 2rem; color: var(--head); margin: 0 0 .25rem; }
.subtitle { color: var(--muted); margin: 0 0 2rem; font-size: 1.1rem; }
h2 { font-size: 1.45rem; color: var(--head); border-bottom: 2px solid var(--accent); padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.2rem; color: var(--head); margin-top: 1.6rem; }
h4 { font-size: 1.05rem; color: var(--ink); margin-top: 1.3rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0 1.5rem; font-size: .95rem; }
th { background: var(--head); color: #fff; text-align: left; padding: .45rem .6rem; }
td { padding: .4rem .6rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
tr:nth-child(even) td { background: var(--band); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
nav.toc { background: var(--band); border-left: 4px solid var(--accent); padding: .8rem 1.2rem; margin: 1.5rem 0; }
nav.toc ul { margin: .3rem 0; padding-left: 1.2rem; }
nav.toc a { color: var(--accent); text-decoration: none; }
.page-break { break-after: page; }
@media print { body { margin: 0; max-width: none; } .page-break { border: 0; } }
"#;

/// Columns whose every non-empty cell is a number, to align them right.
fn numeric_columns(n: usize, rows: &[Vec<String>]) -> Vec<bool> {
    (0..n)
        .map(|c| {
            !rows.is_empty()
                && rows.iter().all(|r| {
                    r.get(c)
                        .is_none_or(|v| v.trim().is_empty() || is_numeric_text(v))
                })
        })
        .collect()
}

fn is_numeric_text(t: &str) -> bool {
    let t = t.trim();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || " ,.%€$£+-\u{a0}\u{202f}".contains(c))
}

/// Renders the report as one standalone HTML page (inline CSS, no external resources).
pub fn build_html(spec: &DocumentSpec) -> String {
    let structured = markdown::structured(spec);
    let spec: &DocumentSpec = &structured;
    let lang = spec.locale.pick("fr", "en");
    let mut body = format!("<h1>{}</h1>\n", html_escape(spec.title.trim()));
    if let Some(s) = &spec.subtitle {
        body.push_str(&format!(
            "<p class=\"subtitle\">{}</p>\n",
            html_inline(s.trim())
        ));
    }
    for block in &spec.blocks {
        match block {
            DocBlock::Heading { level: l, text } => {
                let h = level(*l) + 1;
                body.push_str(&format!(
                    "<h{h} id=\"{}\">{}</h{h}>\n",
                    html_escape(&anchor(text)),
                    html_escape(text.trim())
                ));
            }
            DocBlock::Paragraph { text } => {
                body.push_str(&format!("<p>{}</p>\n", html_inline(text.trim())));
            }
            DocBlock::Bullets { items } | DocBlock::Numbered { items } => {
                let tag = if matches!(block, DocBlock::Bullets { .. }) {
                    "ul"
                } else {
                    "ol"
                };
                body.push_str(&format!("<{tag}>\n"));
                for i in items {
                    body.push_str(&format!("  <li>{}</li>\n", html_inline(i.trim())));
                }
                body.push_str(&format!("</{tag}>\n"));
            }
            DocBlock::Table { header, rows } => {
                let numeric = numeric_columns(header.len(), rows);
                body.push_str("<table>\n<thead><tr>");
                for (c, h) in header.iter().enumerate() {
                    let class = if numeric[c] { " class=\"num\"" } else { "" };
                    body.push_str(&format!("<th{class}>{}</th>", html_escape(h)));
                }
                body.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    body.push_str("<tr>");
                    for c in 0..header.len().max(r.len()) {
                        let v = r.get(c).map(String::as_str).unwrap_or("");
                        let class = if numeric.get(c).copied().unwrap_or(false) {
                            " class=\"num\""
                        } else {
                            ""
                        };
                        body.push_str(&format!("<td{class}>{}</td>", html_inline(v)));
                    }
                    body.push_str("</tr>\n");
                }
                body.push_str("</tbody>\n</table>\n");
            }
            DocBlock::PageBreak => body.push_str("<div class=\"page-break\"></div>\n"),
            DocBlock::Toc => {
                body.push_str(&format!(
                    "<nav class=\"toc\"><strong>{}</strong>\n<ul>\n",
                    toc_label(spec.locale)
                ));
                for b in &spec.blocks {
                    if let DocBlock::Heading { level: l, text } = b {
                        body.push_str(&format!(
                            "  <li style=\"margin-left:{}rem\"><a href=\"#{}\">{}</a></li>\n",
                            (level(*l) - 1) as f32 * 1.2,
                            html_escape(&anchor(text)),
                            html_escape(text.trim())
                        ));
                    }
                }
                body.push_str("</ul></nav>\n");
            }
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"commis\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html_escape(spec.title.trim())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DocumentSpec {
        serde_json::from_str(
            r#"{"title":"Rapport <mensuel>","blocks":[
                {"type":"toc"},
                {"type":"heading","level":1,"text":"Synthèse des ventes"},
                {"type":"paragraph","text":"Le CA est **en hausse**."},
                {"type":"bullets","items":["a","b"]},
                {"type":"numbered","items":["un","deux"]},
                {"type":"table","header":["Client","Montant","Qté"],"rows":[["Dupont | fils","1 234,56 €",3]]},
                {"type":"page_break"}
            ]}"#,
        )
        .unwrap()
    }

    #[test]
    fn markdown_has_headings_lists_tables_and_toc_links() {
        let md = build_markdown(&sample());
        assert!(md.starts_with("# Rapport <mensuel>\n"));
        assert!(md.contains("## Synthèse des ventes"));
        assert!(md.contains("- [Synthèse des ventes](#synthèse-des-ventes)"));
        assert!(md.contains("| Dupont \\| fils | 1 234,56 € | 3 |"));
        assert!(md.contains("| --- | ---: | ---: |"));
        assert!(md.contains("1. un\n2. deux"));
    }

    #[test]
    fn html_is_standalone_escaped_and_bolds_markup() {
        let html = build_html(&sample());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>Rapport &lt;mensuel&gt;</title>"));
        assert!(html.contains("<strong>en hausse</strong>"));
        assert!(html.contains("<td class=\"num\">1 234,56 €</td>"));
        assert!(!html.contains("http"), "no external resources");
    }
}
