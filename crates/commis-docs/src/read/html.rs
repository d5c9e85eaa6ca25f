//! HTML: the text a browser would show, with headings, list items and tables kept.

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{BlockKind, Cell, Document, Format, Place, Table};
use crate::textdecode;
use quick_xml::escape::resolve_html5_entity;

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let mut doc = Document::new(Format::Html);
    let text = textdecode::decode(bytes).text;
    let mut out = HtmlText::default();
    out.run(&text, limits, &mut doc);
    Ok(doc)
}

/// Converts HTML markup to blocks; `plain` is the entry point used for mail bodies.
pub(crate) fn to_plain_text(html: &str, limits: &Limits) -> String {
    let mut doc = Document::new(Format::Html);
    HtmlText::default().run(html, limits, &mut doc);
    doc.blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Default)]
struct HtmlText {
    buf: String,
    kind: Option<BlockKind>,
    list_depth: u8,
    table: Option<Vec<Vec<Cell>>>,
    cell: Option<String>,
    title: Option<String>,
}

impl HtmlText {
    fn flush(&mut self, doc: &mut Document) {
        let text = collapse(&self.buf);
        self.buf.clear();
        if let Some(cell) = self.cell.as_mut() {
            if !cell.is_empty() && !text.is_empty() {
                cell.push('\n');
            }
            cell.push_str(&text);
            return;
        }
        let kind = self.kind.take().unwrap_or(BlockKind::Paragraph);
        doc.push_block(kind, text, Place::default());
    }

    fn run(&mut self, html: &str, limits: &Limits, doc: &mut Document) {
        let bytes = html.as_bytes();
        let mut i = 0;
        let mut skip_until: Option<&'static str> = None;
        while i < bytes.len() {
            if bytes[i] == b'<' {
                if html[i..].starts_with("<!--") {
                    i = html[i..].find("-->").map_or(bytes.len(), |e| i + e + 3);
                    continue;
                }
                let end = match html[i..].find('>') {
                    Some(e) => i + e,
                    None => break,
                };
                let tag = &html[i + 1..end];
                i = end + 1;
                let closing = tag.starts_with('/');
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if let Some(until) = skip_until {
                    if closing && name == until {
                        skip_until = None;
                    }
                    continue;
                }
                match (name.as_str(), closing) {
                    ("script", false) => skip_until = Some("script"),
                    ("style", false) => skip_until = Some("style"),
                    ("noscript", false) => skip_until = Some("noscript"),
                    ("template", false) => skip_until = Some("template"),
                    ("title", false) => {
                        let rest = &html[i..];
                        let stop = rest
                            .to_ascii_lowercase()
                            .find("</title")
                            .unwrap_or(rest.len());
                        let t = collapse(&decode_entities(&rest[..stop]));
                        if !t.is_empty() {
                            self.title = Some(t.clone());
                            doc.title = Some(t);
                        }
                        i += stop;
                    }
                    ("br", _) => self.buf.push('\n'),
                    ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                        self.flush(doc);
                        let level = name.as_bytes()[1] - b'0';
                        self.kind = Some(BlockKind::Heading { level });
                    }
                    ("ul" | "ol", false) => {
                        self.flush(doc);
                        self.list_depth = self
                            .list_depth
                            .saturating_add(1)
                            .min(limits.max_depth.min(255) as u8);
                    }
                    ("ul" | "ol", true) => {
                        self.flush(doc);
                        self.list_depth = self.list_depth.saturating_sub(1);
                    }
                    ("li", false) => {
                        self.flush(doc);
                        self.kind = Some(BlockKind::ListItem {
                            level: self.list_depth.saturating_sub(1),
                        });
                    }
                    ("table", false) => {
                        self.flush(doc);
                        if self.table.is_none() {
                            self.table = Some(Vec::new());
                        }
                    }
                    ("table", true) => {
                        self.flush(doc);
                        if let Some(rows) = self.table.take() {
                            doc.push_table_in_flow(Table {
                                place: Place::default(),
                                origin: None,
                                rows,
                                merged: Vec::new(),
                            });
                        }
                    }
                    ("tr", false) => {
                        if let Some(t) = self.table.as_mut() {
                            t.push(Vec::new());
                        }
                    }
                    ("td" | "th", false) => {
                        self.flush(doc);
                        if self.table.is_some() {
                            self.cell = Some(String::new());
                        }
                    }
                    ("td" | "th", true) => {
                        self.flush(doc);
                        if let Some(cell) = self.cell.take()
                            && let Some(t) = self.table.as_mut()
                        {
                            if t.is_empty() {
                                t.push(Vec::new());
                            }
                            if let Some(row) = t.last_mut() {
                                row.push(Cell::text(cell));
                            }
                        }
                    }
                    (
                        "p" | "div" | "section" | "article" | "header" | "footer" | "blockquote"
                        | "pre" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "dt" | "dd"
                        | "main" | "nav" | "aside" | "form" | "hr" | "address" | "figcaption",
                        _,
                    ) => self.flush(doc),
                    _ => {}
                }
                continue;
            }
            let next = html[i..].find('<').map_or(bytes.len(), |n| i + n);
            if skip_until.is_none() {
                self.buf.push_str(&decode_entities(&html[i..next]));
            }
            i = next;
        }
        self.flush(doc);
        if let Some(rows) = self.table.take() {
            doc.push_table_in_flow(Table {
                place: Place::default(),
                origin: None,
                rows,
                merged: Vec::new(),
            });
        }
    }
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split('\n') {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&words.join(" "));
    }
    out
}

pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let end = rest[1..]
            .find(|c: char| c == ';' || c == '&' || c.is_whitespace() || c == '<')
            .map(|e| e + 1);
        match end {
            Some(e) if e <= 32 && rest.as_bytes().get(e) == Some(&b';') => {
                let name = &rest[1..e];
                let resolved = if let Some(num) = name.strip_prefix('#') {
                    let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        num.parse::<u32>().ok()
                    };
                    code.and_then(char::from_u32).map(String::from)
                } else {
                    resolve_html5_entity(name).map(|s: &str| s.to_string())
                };
                match resolved {
                    Some(r) => out.push_str(&r),
                    None => out.push_str(&rest[..=e]),
                }
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.replace('\u{a0}', " ")
}
