//! Plain text and Markdown: decoded, split into paragraphs, headings and list items.

use crate::error::DocError;
use crate::model::{BlockKind, Document, Format, Place};
use crate::textdecode;

pub(crate) fn read(format: Format, bytes: &[u8]) -> Result<Document, DocError> {
    let mut doc = Document::new(format);
    let decoded = textdecode::decode(bytes);
    doc.metadata.encoding = Some(decoded.encoding.to_string());
    let text = decoded.text.replace("\r\n", "\n").replace('\r', "\n");
    let markdown = format == Format::Markdown;
    let mut para = String::new();
    let mut in_code = false;
    let flush = |para: &mut String, doc: &mut Document| {
        if !para.trim().is_empty() {
            doc.push_block(
                BlockKind::Paragraph,
                para.trim_end().to_string(),
                Place::default(),
            );
        }
        para.clear();
    };
    for line in text.lines() {
        if markdown {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                in_code = !in_code;
                continue;
            }
            if !in_code {
                let hashes = t.bytes().take_while(|b| *b == b'#').count();
                if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
                    flush(&mut para, &mut doc);
                    let level = hashes as u8;
                    let title = t[hashes..].trim().trim_end_matches('#').trim().to_string();
                    if level == 1 && doc.title.is_none() {
                        doc.title = Some(title.clone());
                    }
                    doc.push_block(BlockKind::Heading { level }, title, Place::default());
                    continue;
                }
                let indent = (line.len() - t.len()) / 2;
                let item = t
                    .strip_prefix("- ")
                    .or_else(|| t.strip_prefix("* "))
                    .or_else(|| t.strip_prefix("+ "))
                    .or_else(|| {
                        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
                        (digits > 0)
                            .then(|| t[digits..].strip_prefix(". "))
                            .flatten()
                    });
                if let Some(item) = item {
                    flush(&mut para, &mut doc);
                    doc.push_block(
                        BlockKind::ListItem {
                            level: indent.min(8) as u8,
                        },
                        item.trim(),
                        Place::default(),
                    );
                    continue;
                }
            }
        }
        if line.trim().is_empty() && !in_code {
            flush(&mut para, &mut doc);
        } else {
            para.push_str(line);
            para.push('\n');
        }
    }
    flush(&mut para, &mut doc);
    Ok(doc)
}
