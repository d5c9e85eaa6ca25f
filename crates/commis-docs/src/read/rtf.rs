//! RTF: the visible text, with \'hh code-page bytes and \uN characters decoded;
//! font tables, styles, pictures and other destinations are skipped.

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{BlockKind, Document, Format, Place};

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let mut doc = Document::new(Format::Rtf);
    if !bytes.starts_with(b"{\\rtf") {
        return Err(DocError::corrupt("RTF", "missing the {\\rtf header"));
    }
    let mut codepage = encoding_rs::WINDOWS_1252;
    // Per group: (skip this group, \uc fallback count).
    let mut stack: Vec<(bool, usize)> = vec![(false, 1)];
    let mut text = String::new();
    let mut pending_bytes: Vec<u8> = Vec::new();
    let mut skip_fallback = 0usize;
    let mut info_field: Option<(String, String)> = None;
    let mut i = 0;
    let flush_bytes =
        |pending: &mut Vec<u8>, out: &mut String, cp: &'static encoding_rs::Encoding| {
            if !pending.is_empty() {
                out.push_str(&cp.decode_without_bom_handling(pending).0);
                pending.clear();
            }
        };
    while i < bytes.len() {
        let b = bytes[i];
        let (skipping, uc) = stack.last().copied().unwrap_or((false, 1));
        match b {
            b'{' => {
                if stack.len() as u32 > limits.max_depth.max(8) * 4 {
                    return Err(DocError::corrupt("RTF", "groups nested too deeply"));
                }
                stack.push((skipping, uc));
                i += 1;
                // "{\*\dest" marks an optional destination to ignore.
                if bytes[i..].starts_with(b"\\*")
                    && let Some(top) = stack.last_mut()
                {
                    top.0 = true;
                }
            }
            b'}' => {
                if let Some((name, value)) = info_field.take()
                    && !stack.last().is_some_and(|s| s.0 && name.is_empty())
                {
                    let v = value.trim().to_string();
                    match name.as_str() {
                        "title" if !v.is_empty() => doc.title = Some(v),
                        "author" if !v.is_empty() => doc.metadata.author = Some(v),
                        "subject" if !v.is_empty() => doc.metadata.subject = Some(v),
                        _ => {}
                    }
                }
                stack.pop();
                if stack.is_empty() {
                    break;
                }
                i += 1;
            }
            b'\\' => {
                i += 1;
                let Some(&c) = bytes.get(i) else { break };
                if c == b'\'' {
                    let hex = bytes
                        .get(i + 1..i + 3)
                        .and_then(|h| std::str::from_utf8(h).ok());
                    i += 3;
                    if skip_fallback > 0 {
                        skip_fallback -= 1;
                        continue;
                    }
                    if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
                        && !skipping
                    {
                        pending_bytes.push(v);
                    }
                    continue;
                }
                if !c.is_ascii_alphabetic() {
                    i += 1;
                    if !skipping {
                        flush_bytes(&mut pending_bytes, &mut text, codepage);
                        match c {
                            b'~' => text.push('\u{a0}'),
                            b'-' => {}
                            b'_' => text.push('-'),
                            b'\n' | b'\r' => text.push('\n'),
                            other => text.push(other as char),
                        }
                    }
                    continue;
                }
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = std::str::from_utf8(&bytes[start..i]).unwrap_or("");
                let num_start = i;
                if i < bytes.len() && (bytes[i] == b'-' || bytes[i].is_ascii_digit()) {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let param: Option<i64> = std::str::from_utf8(&bytes[num_start..i])
                    .ok()
                    .and_then(|s| s.parse().ok());
                if i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
                match word {
                    "fonttbl" | "colortbl" | "stylesheet" | "pict" | "object" | "header"
                    | "footer" | "headerl" | "headerr" | "footerl" | "footerr" | "listtable"
                    | "listoverridetable" | "rsidtbl" | "generator" | "xmlnstbl" | "themedata"
                    | "colorschememapping" | "latentstyles" | "datastore" | "fldinst"
                    | "bkmkstart" | "bkmkend" | "operator" | "revtbl" | "mmathPr" | "filetbl"
                    | "pgdsctbl" => {
                        if let Some(top) = stack.last_mut() {
                            top.0 = true;
                        }
                    }
                    "info" => {}
                    "title" | "author" | "subject" => {
                        info_field = Some((word.to_string(), String::new()));
                        if let Some(top) = stack.last_mut() {
                            top.0 = true;
                        }
                    }
                    "ansicpg" => {
                        if let Some(cp) = param
                            && let Some(enc) = codepage_encoding(cp)
                        {
                            codepage = enc;
                        }
                    }
                    "uc" => {
                        if let Some(top) = stack.last_mut() {
                            top.1 = param.unwrap_or(1).clamp(0, 10) as usize;
                        }
                    }
                    "u" => {
                        if let Some(p) = param {
                            let code = if p < 0 { p + 65536 } else { p } as u32;
                            if !skipping {
                                flush_bytes(&mut pending_bytes, &mut text, codepage);
                                if let Some(ch) = char::from_u32(code) {
                                    text.push(ch);
                                }
                            }
                            skip_fallback = uc;
                        }
                    }
                    "par" | "line" | "row" | "sect" | "page" if !skipping => {
                        flush_bytes(&mut pending_bytes, &mut text, codepage);
                        text.push('\n');
                    }
                    "tab" | "cell" if !skipping => {
                        flush_bytes(&mut pending_bytes, &mut text, codepage);
                        text.push('\t');
                    }
                    "emdash" if !skipping => text.push('—'),
                    "endash" if !skipping => text.push('–'),
                    "bullet" if !skipping => text.push('•'),
                    "lquote" if !skipping => text.push('‘'),
                    "rquote" if !skipping => text.push('’'),
                    "ldblquote" if !skipping => text.push('“'),
                    "rdblquote" if !skipping => text.push('”'),
                    _ => {}
                }
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                if skip_fallback > 0 {
                    skip_fallback -= 1;
                } else if let Some((_, value)) = info_field.as_mut() {
                    value.push(b as char);
                } else if !skipping {
                    pending_bytes.push(b);
                }
                i += 1;
                continue;
            }
        }
        if let Some((_, value)) = info_field.as_mut()
            && !pending_bytes.is_empty()
        {
            value.push_str(&codepage.decode_without_bom_handling(&pending_bytes).0);
            pending_bytes.clear();
        }
    }
    flush_bytes(&mut pending_bytes, &mut text, codepage);
    for para in text.split('\n') {
        let para = para.trim_end_matches('\t').trim();
        doc.push_block(BlockKind::Paragraph, para, Place::default());
    }
    Ok(doc)
}

fn codepage_encoding(cp: i64) -> Option<&'static encoding_rs::Encoding> {
    let label = match cp {
        1250..=1258 => format!("windows-{cp}"),
        874 => "windows-874".to_string(),
        932 => "shift_jis".to_string(),
        936 => "gbk".to_string(),
        949 => "euc-kr".to_string(),
        950 => "big5".to_string(),
        65001 => "utf-8".to_string(),
        _ => return None,
    };
    encoding_rs::Encoding::for_label(label.as_bytes())
}
