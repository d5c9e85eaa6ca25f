//! Markdown text as report blocks: headings, bullet and numbered lists, pipe tables and
//! paragraphs, so a report written as Markdown (by a skill or a model) keeps its structure in
//! Word and HTML instead of a table flattened into one run-on paragraph.
//!
//! Not a full CommonMark parser: it reads the structure reports use, line by line; inline
//! marks other than `**bold**` stay as written.

use std::borrow::Cow;

use super::{DocBlock, DocumentSpec};
use crate::Locale;

/// The cells of a pipe-table line ("| a | b \| c |" → ["a", "b | c"]).
fn pipe_cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    cells.push(cur.trim().to_string());
    cells
}

fn is_separator(line: &str) -> bool {
    let cells = pipe_cells(line);
    !cells.is_empty()
        && cells.iter().all(|c| {
            !c.is_empty() && c.contains('-') && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
        })
}

fn numbered_item(line: &str) -> Option<&str> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    line[digits..]
        .strip_prefix(". ")
        .or_else(|| line[digits..].strip_prefix(") "))
}

/// The blocks of a Markdown text. `#` lines are headings one level below `top`
/// (`top` = 1 makes `##` a level-1 heading, for a document whose `#` is the title).
pub fn blocks_from_markdown(md: &str, top: u8) -> Vec<DocBlock> {
    let lines: Vec<&str> = md.lines().collect();
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, out: &mut Vec<DocBlock>| {
        if !para.is_empty() {
            out.push(DocBlock::Paragraph {
                text: para.join("\n"),
            });
            para.clear();
        }
    };
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line.is_empty() {
            flush(&mut para, &mut out);
            i += 1;
            continue;
        }
        // A pipe table: a header line, a separator line, then rows.
        if line.starts_with('|') && lines.get(i + 1).is_some_and(|l| is_separator(l)) {
            flush(&mut para, &mut out);
            let header = pipe_cells(line);
            let mut rows = Vec::new();
            i += 2;
            while let Some(l) = lines
                .get(i)
                .map(|l| l.trim())
                .filter(|l| l.starts_with('|'))
            {
                let mut cells = pipe_cells(l);
                cells.resize(header.len(), String::new());
                rows.push(cells);
                i += 1;
            }
            out.push(DocBlock::Table { header, rows });
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            let hashes = 1 + rest.chars().take_while(|c| *c == '#').count();
            let text = rest.trim_start_matches('#').trim();
            if !text.is_empty() {
                flush(&mut para, &mut out);
                let level = (hashes as u8).saturating_sub(top).clamp(1, 3);
                out.push(DocBlock::Heading {
                    level,
                    text: text.to_string(),
                });
                i += 1;
                continue;
            }
        }
        let bullet = line.strip_prefix("- ").or_else(|| line.strip_prefix("* "));
        if bullet.is_some() || numbered_item(line).is_some() {
            flush(&mut para, &mut out);
            let numbered = bullet.is_none();
            let mut items = Vec::new();
            while let Some(l) = lines.get(i).map(|l| l.trim()) {
                let item = if numbered {
                    numbered_item(l)
                } else {
                    l.strip_prefix("- ").or_else(|| l.strip_prefix("* "))
                };
                let Some(item) = item else { break };
                items.push(item.trim().to_string());
                i += 1;
            }
            out.push(if numbered {
                DocBlock::Numbered { items }
            } else {
                DocBlock::Bullets { items }
            });
            continue;
        }
        if line == "---" {
            flush(&mut para, &mut out);
            out.push(DocBlock::PageBreak);
            i += 1;
            continue;
        }
        para.push(line);
        i += 1;
    }
    flush(&mut para, &mut out);
    out
}

/// A whole Markdown document as a report: its first `#` line is the title, `##` sections are
/// level-1 headings, and so on.
pub fn spec_from_markdown(md: &str, locale: Locale) -> DocumentSpec {
    let mut title = String::new();
    let mut body = md;
    if let Some(first) = md.lines().find(|l| !l.trim().is_empty())
        && let Some(t) = first.trim().strip_prefix("# ")
    {
        title = t.trim().to_string();
        let at = md.find(first).map_or(0, |p| p + first.len());
        body = &md[at..];
    }
    DocumentSpec {
        title,
        subtitle: None,
        locale,
        blocks: blocks_from_markdown(body, 1),
    }
}

/// Whether a paragraph's text holds Markdown structure (a pipe table or a list) that a reader
/// expects to see as a table or a list.
fn has_structure(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let table = lines
        .windows(2)
        .any(|w| w[0].starts_with('|') && is_separator(w[1]));
    let list = lines.len() >= 2
        && lines
            .iter()
            .filter(|l| l.starts_with("- ") || l.starts_with("* ") || numbered_item(l).is_some())
            .count()
            >= 2;
    table || list
}

/// The spec with every paragraph that holds a Markdown table or list split into real table
/// and list blocks (a model often writes a table inside a paragraph).
pub(crate) fn structured(spec: &DocumentSpec) -> Cow<'_, DocumentSpec> {
    let needs = spec
        .blocks
        .iter()
        .any(|b| matches!(b, DocBlock::Paragraph { text } if has_structure(text)));
    if !needs {
        return Cow::Borrowed(spec);
    }
    let mut out = spec.clone();
    out.blocks = spec
        .blocks
        .iter()
        .flat_map(|b| match b {
            DocBlock::Paragraph { text } if has_structure(text) => {
                // Inside a paragraph, "#" lines are not promoted to headings of the report.
                blocks_from_markdown(text, 3)
            }
            other => vec![other.clone()],
        })
        .collect();
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_tables_and_lists_become_blocks() {
        let md = "# Comptes rendus\n\n## Réunion du 12 mars\n\n- **Date :** 12 mars 2024\n- Participants\n\n### Actions\n\n| Qui | Action |\n|---|---|\n| Julie | Relancer \\| Dupont |\n| Karim | Commander |\n\n1. Premier\n2. Second\n\nUn paragraphe.\n";
        let spec = spec_from_markdown(md, Locale::Fr);
        assert_eq!(spec.title, "Comptes rendus");
        assert_eq!(
            spec.blocks,
            vec![
                DocBlock::Heading {
                    level: 1,
                    text: "Réunion du 12 mars".into()
                },
                DocBlock::Bullets {
                    items: vec!["**Date :** 12 mars 2024".into(), "Participants".into()]
                },
                DocBlock::Heading {
                    level: 2,
                    text: "Actions".into()
                },
                DocBlock::Table {
                    header: vec!["Qui".into(), "Action".into()],
                    rows: vec![
                        vec!["Julie".into(), "Relancer | Dupont".into()],
                        vec!["Karim".into(), "Commander".into()]
                    ]
                },
                DocBlock::Numbered {
                    items: vec!["Premier".into(), "Second".into()]
                },
                DocBlock::Paragraph {
                    text: "Un paragraphe.".into()
                },
            ]
        );
    }

    #[test]
    fn a_table_written_inside_a_paragraph_stays_a_table() {
        let spec = DocumentSpec {
            title: "R".into(),
            subtitle: None,
            locale: Locale::Fr,
            blocks: vec![DocBlock::Paragraph {
                text: "Les actions :\n| Qui | Quoi |\n|---|---|\n| Julie | Relancer |".into(),
            }],
        };
        let s = structured(&spec);
        assert!(matches!(&s.blocks[0], DocBlock::Paragraph { text } if text == "Les actions :"));
        assert!(matches!(&s.blocks[1], DocBlock::Table { rows, .. } if rows.len() == 1));
        // The HTML shows a table, not the cells run together in one paragraph.
        let html = crate::build_html(&spec);
        assert!(
            html.contains("<table") && !html.contains("| Julie |"),
            "{html}"
        );
        let plain = DocumentSpec {
            blocks: vec![DocBlock::Paragraph {
                text: "Une ligne | avec une barre.".into(),
            }],
            ..spec
        };
        assert!(matches!(structured(&plain), Cow::Borrowed(_)));
    }
}
