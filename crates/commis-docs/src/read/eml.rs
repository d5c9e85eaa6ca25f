//! Mail messages (.eml, RFC 5322 + MIME): headers, the readable body, the list of
//! attachments. Encoded words, base64 and quoted-printable are decoded.

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{AttachmentInfo, BlockKind, Document, Format, Place};

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let mut doc = Document::new(Format::Eml);
    let (headers, body) = split_message(bytes);
    let get = |name: &str| header(&headers, name);
    doc.title = get("subject");
    doc.metadata.subject = get("subject");
    doc.metadata.from = get("from");
    doc.metadata.author = get("from");
    doc.metadata.to = get("to");
    doc.metadata.cc = get("cc");
    doc.metadata.created = get("date").map(|d| rfc2822_to_iso(&d).unwrap_or(d));
    for name in ["From", "To", "Cc", "Date", "Subject"] {
        if let Some(v) = get(&name.to_ascii_lowercase()) {
            doc.push_block(BlockKind::Header, format!("{name}: {v}"), Place::default());
        }
    }
    let mut text_plain: Option<String> = None;
    let mut text_html: Option<String> = None;
    walk_part(
        &headers,
        body,
        0,
        limits,
        &mut doc,
        &mut text_plain,
        &mut text_html,
    );
    let body_text = match (text_plain, text_html) {
        (Some(t), _) => t,
        (None, Some(h)) => super::html::to_plain_text(&h, limits),
        (None, None) => String::new(),
    };
    for para in body_text.replace("\r\n", "\n").split("\n\n") {
        doc.push_block(
            BlockKind::Paragraph,
            para.trim().to_string(),
            Place {
                part: Some("body".into()),
                ..Place::default()
            },
        );
    }
    Ok(doc)
}

type Headers = Vec<(String, String)>;

fn split_message(bytes: &[u8]) -> (Headers, &[u8]) {
    let (head, body) = match find(bytes, b"\r\n\r\n") {
        Some(p) => (&bytes[..p], &bytes[p + 4..]),
        None => match find(bytes, b"\n\n") {
            Some(p) => (&bytes[..p], &bytes[p + 2..]),
            None => (bytes, &bytes[bytes.len()..]),
        },
    };
    let head = String::from_utf8_lossy(head);
    let mut headers: Headers = Vec::new();
    for line in head.lines() {
        if (line.starts_with(' ') || line.starts_with('\t')) && !headers.is_empty() {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    (headers, body)
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    crate::detect::find(h, n)
}

fn header(headers: &Headers, name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| decode_words(v))
        .filter(|v| !v.is_empty())
}

/// The value of a `name=value` parameter in a structured header.
fn param(value: &str, name: &str) -> Option<String> {
    for part in value.split(';').skip(1) {
        let (k, v) = part.split_once('=')?;
        let k = k.trim().to_ascii_lowercase();
        if k == name || k == format!("{name}*") {
            let v = v.trim().trim_matches('"');
            // RFC 2231: charset''percent-encoded
            if let Some((_, enc)) = v.split_once("''") {
                return Some(percent_decode(enc));
            }
            return Some(decode_words(v));
        }
    }
    None
}

fn percent_decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[allow(clippy::too_many_arguments)]
fn walk_part(
    headers: &Headers,
    body: &[u8],
    depth: u32,
    limits: &Limits,
    doc: &mut Document,
    plain: &mut Option<String>,
    html: &mut Option<String>,
) {
    if depth > limits.max_depth.min(32) {
        doc.warnings
            .push("MIME parts nested too deeply; the rest was skipped".to_string());
        return;
    }
    let ctype_raw = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let ctype = ctype_raw
        .split(';')
        .next()
        .unwrap_or("text/plain")
        .trim()
        .to_ascii_lowercase();
    let ctype = if ctype.is_empty() {
        "text/plain".to_string()
    } else {
        ctype
    };
    let disposition = headers
        .iter()
        .find(|(k, _)| k == "content-disposition")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let encoding = headers
        .iter()
        .find(|(k, _)| k == "content-transfer-encoding")
        .map(|(_, v)| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if ctype.starts_with("multipart/") {
        let Some(boundary) = param(&ctype_raw, "boundary") else {
            doc.warnings
                .push("a multipart section has no boundary; skipped".to_string());
            return;
        };
        for part in split_multipart(body, &boundary) {
            let (h, b) = split_message(part);
            walk_part(&h, b, depth + 1, limits, doc, plain, html);
        }
        return;
    }
    let filename = param(&disposition, "filename").or_else(|| param(&ctype_raw, "name"));
    let is_attachment =
        disposition.to_ascii_lowercase().starts_with("attachment") || filename.is_some();
    let decoded = match encoding.as_str() {
        "base64" => base64_decode(body),
        "quoted-printable" => qp_decode(body),
        _ => body.to_vec(),
    };
    if is_attachment || !(ctype.starts_with("text/") || ctype == "message/rfc822") {
        doc.attachments.push(AttachmentInfo {
            name: filename.unwrap_or_else(|| "(unnamed)".to_string()),
            mime_type: Some(ctype),
            size: Some(decoded.len() as u64),
        });
        return;
    }
    let charset = param(&ctype_raw, "charset").unwrap_or_else(|| "utf-8".to_string());
    let enc = encoding_rs::Encoding::for_label(charset.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let text = enc.decode_without_bom_handling(&decoded).0.into_owned();
    if ctype == "text/html" {
        if html.is_none() {
            *html = Some(text);
        }
    } else if ctype == "message/rfc822" {
        let (h, b) = split_message(&decoded);
        walk_part(&h, b, depth + 1, limits, doc, plain, html);
    } else if plain.is_none() {
        *plain = Some(text);
    } else if let Some(p) = plain.as_mut() {
        p.push_str("\n\n");
        p.push_str(&text);
    }
}

fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut parts = Vec::new();
    let mut pos = match find(body, delim) {
        Some(p) => p + delim.len(),
        None => return parts,
    };
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        // Skip the rest of the delimiter line.
        let start = match body[pos..].iter().position(|b| *b == b'\n') {
            Some(n) => pos + n + 1,
            None => break,
        };
        match find(&body[start..], delim) {
            Some(n) => {
                let mut end = start + n;
                if end > start && body[end - 1] == b'\n' {
                    end -= 1;
                }
                if end > start && body[end - 1] == b'\r' {
                    end -= 1;
                }
                parts.push(&body[start..end]);
                pos = start + n + delim.len();
            }
            None => {
                parts.push(&body[start..]);
                break;
            }
        }
    }
    parts
}

pub(crate) fn base64_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in input {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn qp_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'=' {
            if input.get(i + 1) == Some(&b'\r') && input.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if input.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let Some(v) = input
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

/// Decodes RFC 2047 encoded words: `=?utf-8?B?...?=` and `=?iso-8859-1?Q?...?=`.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let between = &rest[..start];
        if !(last_was_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        let after = &rest[start + 2..];
        let mut pieces = after.splitn(3, '?');
        let (Some(charset), Some(enc), Some(tail)) = (pieces.next(), pieces.next(), pieces.next())
        else {
            out.push_str(&rest[start..]);
            return out;
        };
        let Some(end) = tail.find("?=") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let data = &tail[..end];
        let bytes = match enc.to_ascii_uppercase().as_str() {
            "B" => base64_decode(data.as_bytes()),
            "Q" => qp_decode(data.replace('_', " ").as_bytes()),
            _ => data.as_bytes().to_vec(),
        };
        let encoding =
            encoding_rs::Encoding::for_label(charset.as_bytes()).unwrap_or(encoding_rs::UTF_8);
        out.push_str(&encoding.decode_without_bom_handling(&bytes).0);
        rest = &tail[end + 2..];
        last_was_word = true;
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// "Mon, 5 Feb 2024 10:00:00 +0100" to "2024-02-05T10:00:00+01:00".
fn rfc2822_to_iso(date: &str) -> Option<String> {
    let rest = date.split_once(',').map_or(date, |(_, r)| r).trim();
    let parts: Vec<&str> = rest.split_whitespace().collect();
    let [day, month, year, time, zone, ..] = parts.as_slice() else {
        return None;
    };
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = months
        .iter()
        .position(|x| month.to_ascii_lowercase().starts_with(x))?
        + 1;
    let d: u32 = day.parse().ok()?;
    let mut y: u32 = year.parse().ok()?;
    if y < 100 {
        y += if y < 50 { 2000 } else { 1900 };
    }
    let mut hms: Vec<u32> = time.split(':').filter_map(|p| p.parse().ok()).collect();
    hms.resize(3, 0);
    let tz = match *zone {
        "UT" | "GMT" | "Z" => "Z".to_string(),
        z if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            format!("{}:{}", &z[..3], &z[3..])
        }
        _ => String::new(),
    };
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{tz}",
        hms[0], hms[1], hms[2]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_dates_become_iso_8601() {
        assert_eq!(
            rfc2822_to_iso("Mon, 5 Feb 2024 10:00:00 +0100").as_deref(),
            Some("2024-02-05T10:00:00+01:00")
        );
        assert_eq!(
            rfc2822_to_iso("5 Feb 24 10:00 GMT").as_deref(),
            Some("2024-02-05T10:00:00Z")
        );
        assert_eq!(rfc2822_to_iso("yesterday"), None);
    }

    #[test]
    fn encoded_words_are_decoded_and_joined() {
        assert_eq!(decode_words("=?utf-8?Q?Ren=C3=A9e?= <r@x>"), "Renée <r@x>");
        assert_eq!(
            decode_words("=?iso-8859-1?Q?caf=E9?= =?utf-8?B?w6k=?="),
            "caféé"
        );
    }
}
