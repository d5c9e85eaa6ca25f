//! Format detection from the bytes themselves; the file name is only a tie-breaker.

use crate::error::DocError;
use crate::model::Format;
use crate::textdecode;
use std::io::Cursor;

/// Detects what a file is from its content. `name` (may be empty) only decides
/// between formats the bytes cannot tell apart (CSV vs text, Markdown vs text).
pub fn detect_format(name: &str, bytes: &[u8]) -> Result<Format, DocError> {
    let ext = extension(name);
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return detect_zip(bytes, &ext);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return detect_cfb(bytes, &ext);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Ok(Format::Gif);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(Format::Webp);
    }
    if bytes.starts_with(b"II*\x00") || bytes.starts_with(b"MM\x00*") {
        return Ok(Format::Tiff);
    }
    if let Some(kind) = known_binary(bytes) {
        return Err(DocError::Unsupported {
            detected: kind.to_string(),
        });
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let decoded = if sample.len() < bytes.len() {
        textdecode::decode_prefix(sample)
    } else {
        textdecode::decode(sample)
    };
    if !textdecode::looks_like_text(&decoded.text) {
        return Err(DocError::Unsupported {
            detected: "binary data of an unknown kind".to_string(),
        });
    }
    Ok(detect_text(&decoded.text, &ext, sample.len() < bytes.len()))
}

fn extension(name: &str) -> String {
    std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default()
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn detect_zip(bytes: &[u8], ext: &str) -> Result<Format, DocError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        DocError::corrupt("zip/Office", format!("cannot open the zip archive: {e}"))
    })?;
    if let Ok(mut f) = zip.by_name("mimetype") {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::Read::take(&mut f, 200), &mut buf);
        let mime = String::from_utf8_lossy(&buf);
        let mime = mime.trim();
        if mime.starts_with("application/vnd.oasis.opendocument.text") {
            return Ok(Format::Odt);
        }
        if mime.starts_with("application/vnd.oasis.opendocument.spreadsheet") {
            return Ok(Format::Ods);
        }
        if mime.starts_with("application/vnd.oasis.opendocument.presentation") {
            return Ok(Format::Odp);
        }
        return Err(DocError::Unsupported {
            detected: format!("zip package of type {mime}"),
        });
    }
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("word/document.xml") {
        return Ok(Format::Docx);
    }
    if has("xl/workbook.xml") {
        let macro_enabled = has("xl/vbaProject.bin") || ext == "xlsm";
        return Ok(if macro_enabled {
            Format::Xlsm
        } else {
            Format::Xlsx
        });
    }
    if has("xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if has("ppt/presentation.xml") {
        return Ok(Format::Pptx);
    }
    // Some writers name parts differently; fall back to the content types and ODF manifest.
    if has("content.xml") && has("META-INF/manifest.xml") {
        return match ext {
            "ods" => Ok(Format::Ods),
            "odp" => Ok(Format::Odp),
            _ => Ok(Format::Odt),
        };
    }
    if has("[Content_Types].xml") {
        return match ext {
            "docx" => Ok(Format::Docx),
            "pptx" => Ok(Format::Pptx),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(DocError::Unsupported {
                detected: "Office Open XML package of an unknown kind".to_string(),
            }),
        };
    }
    Err(DocError::Unsupported {
        detected: "zip archive".to_string(),
    })
}

/// Names of OLE compound-file streams are stored as UTF-16LE in directory entries.
fn has_stream(bytes: &[u8], name: &str) -> bool {
    let utf16: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    find(bytes, &utf16).is_some()
}

fn detect_cfb(bytes: &[u8], ext: &str) -> Result<Format, DocError> {
    if has_stream(bytes, "EncryptedPackage") || has_stream(bytes, "EncryptionInfo") {
        return Err(DocError::Encrypted);
    }
    if has_stream(bytes, "Workbook") || has_stream(bytes, "Book") || ext == "xls" {
        return Ok(Format::Xls);
    }
    if has_stream(bytes, "WordDocument") {
        return Err(DocError::Unsupported {
            detected: "legacy Word 97-2003 document (.doc)".to_string(),
        });
    }
    if has_stream(bytes, "PowerPoint Document") {
        return Err(DocError::Unsupported {
            detected: "legacy PowerPoint 97-2003 presentation (.ppt)".to_string(),
        });
    }
    if has_stream(bytes, "__substg1.0_") {
        return Err(DocError::Unsupported {
            detected: "Outlook message (.msg)".to_string(),
        });
    }
    Err(DocError::Unsupported {
        detected: "OLE compound file of an unknown kind".to_string(),
    })
}

fn known_binary(bytes: &[u8]) -> Option<&'static str> {
    let sigs: [(&[u8], &str); 8] = [
        (b"\x1f\x8b", "gzip archive"),
        (b"BZh", "bzip2 archive"),
        (b"\xfd7zXZ\x00", "xz archive"),
        (b"7z\xbc\xaf\x27\x1c", "7-zip archive"),
        (b"Rar!", "RAR archive"),
        (b"\x7fELF", "executable program"),
        (b"MZ", "Windows executable"),
        (b"\x00\x00\x01\x00", "icon image"),
    ];
    sigs.iter()
        .find(|(sig, _)| bytes.starts_with(sig))
        .map(|(_, kind)| *kind)
}

/// `is_prefix`: `text` is only the start of a longer file.
fn detect_text(text: &str, ext: &str, is_prefix: bool) -> Format {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with("{\\rtf") {
        return Format::Rtf;
    }
    let lower_head: String = trimmed
        .chars()
        .take(2048)
        .collect::<String>()
        .to_lowercase();
    if lower_head.starts_with("<!doctype html")
        || lower_head.starts_with("<html")
        || ((lower_head.starts_with('<'))
            && (lower_head.contains("<body") || lower_head.contains("<head")))
    {
        return Format::Html;
    }
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && (ext == "json"
            || serde_json::from_str::<serde_json::Value>(text).is_ok()
            || (is_prefix && looks_like_json_start(trimmed)))
    {
        return Format::Json;
    }
    if crate::read::bank::ofx::looks_like_ofx(trimmed) {
        return Format::Ofx;
    }
    if crate::read::bank::mt940::looks_like_mt940(trimmed) {
        return Format::Mt940;
    }
    if lower_head.starts_with("<?xml") || (lower_head.starts_with('<') && ext == "xml") {
        return Format::Xml;
    }
    if looks_like_mail(trimmed) {
        return Format::Eml;
    }
    match ext {
        "csv" => return Format::Csv,
        "tsv" | "tab" => return Format::Tsv,
        "md" | "markdown" => return Format::Markdown,
        "htm" | "html" | "xhtml" => return Format::Html,
        "txt" | "text" | "log" => return Format::Txt,
        _ => {}
    }
    if let Some(delim) = crate::read::csv::sniff_delimiter(text) {
        return if delim == b'\t' {
            Format::Tsv
        } else {
            Format::Csv
        };
    }
    if trimmed.starts_with("# ") || text.contains("\n## ") || text.contains("\n# ") {
        return Format::Markdown;
    }
    Format::Txt
}

fn looks_like_mail(text: &str) -> bool {
    let mut headers = 0;
    let mut key_header = false;
    for line in text.lines().take(40) {
        if line.is_empty() {
            break;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        headers += 1;
        let lower = name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "from" | "received" | "mime-version" | "return-path" | "message-id" | "delivered-to"
        ) {
            key_header = true;
        }
    }
    headers >= 2 && key_header
}

/// The start of a large JSON document: a quoted key followed by a colon early on.
fn looks_like_json_start(text: &str) -> bool {
    let head: String = text.chars().take(512).collect();
    let mut de = serde_json::Deserializer::from_str(&head).into_iter::<serde_json::Value>();
    match de.next() {
        Some(Ok(_)) => true,
        Some(Err(e)) => e.is_eof(),
        None => false,
    }
}
