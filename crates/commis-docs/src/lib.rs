//! commis-docs reads documents into one model: text blocks with their place (page,
//! slide, sheet), tables with merged ranges, metadata, embedded Factur-X/ZUGFeRD
//! invoice data, attachments and warnings.
//!
//! It is for turning the bytes of a PDF, Office/OpenDocument file, spreadsheet, CSV,
//! RTF, HTML, mail, JSON or image into text and tables a person or a model can use.
//! Bank statements (CAMT.053/052/054 XML, MT940/MT942, OFX/QFX, banks' CSV exports)
//! also carry their `statements` and signed `transactions`.
//! It is not for writing documents (see commis-office), and it knows nothing of
//! agents or of the user's folders: the caller reads the file and passes the bytes to
//! [`read_bytes`]; [`read_path`] exists only for the `commis extract FILE` command.
//!
//! Every failure is a typed [`DocError`] with a one-line message; hostile inputs
//! (zip bombs, huge files, deep nesting) are bounded by [`Limits`].
//!
//! ```no_run
//! use commis_docs::{Limits, read_bytes};
//!
//! let bytes = std::fs::read("facture.pdf")?;
//! let doc = read_bytes("facture.pdf", &bytes, &Limits::default())?;
//! println!("{}", doc.plain_text());
//! if let Some(invoice) = &doc.invoice {
//!     println!("total due: {:?} {:?}", invoice.due_amount, invoice.currency);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod detect;
mod error;
pub mod isolate;
mod limits;
mod model;
pub mod ocr;
mod read;
mod textdecode;
mod xml;
mod zipx;

pub use detect::detect_format;
pub use error::DocError;
pub use isolate::read_guarded;
pub use limits::Limits;
pub use model::{
    AttachmentInfo, BankStatement, BankTransaction, Block, BlockKind, Cell, CellKind, Document,
    Format, InvoiceData, InvoiceLine, MergedRange, Metadata, OcrMark, OcrSummary, Place, Table,
};

use std::path::Path;

/// Reason given when a parser panicked on malformed content (caught, never propagated).
pub const PARSER_FAILURE: &str = "the parser failed on malformed content";

/// Reads a document from its bytes. The format is detected from the content; `name`
/// (a file name, may be empty) is only a hint for text formats (CSV vs plain text).
///
/// Input over `limits.max_bytes` is refused with [`DocError::TooLarge`], except
/// line-oriented text (CSV, TSV, plain text, Markdown, HTML, mail), which is read up
/// to the limit, cut at a line end, with a warning.
pub fn read_bytes(name: &str, bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    if bytes.is_empty() {
        return Err(DocError::Unsupported {
            detected: "empty file".to_string(),
        });
    }
    let max = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
    let (bytes, cut_note) = if bytes.len() > max {
        // Line-oriented text keeps its meaning when cut at a line end; other formats
        // cannot be read from a prefix.
        let format = detect_format(name, &bytes[..max.min(bytes.len())]).ok();
        if format.is_some_and(is_line_text) {
            let cut = bytes[..max]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(max, |p| p + 1);
            (
                &bytes[..cut],
                Some(format!(
                    "only the first {cut} of {} bytes were read (limit max_bytes)",
                    bytes.len()
                )),
            )
        } else {
            return Err(DocError::TooLarge {
                limit: format!(
                    "{} bytes, above the {} byte limit",
                    bytes.len(),
                    limits.max_bytes
                ),
            });
        }
    } else {
        (bytes, None)
    };
    let format = detect_format(name, bytes)?;
    let (bytes, line_note) = if matches!(
        format,
        Format::Csv | Format::Tsv | Format::Txt | Format::Markdown
    ) {
        cut_long_lines(bytes, limits.max_line_bytes)
    } else {
        (std::borrow::Cow::Borrowed(bytes), None)
    };
    let bytes: &[u8] = &bytes;
    // A parser bug must cost one file, not the whole run: a panic becomes an error.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read::read_format(format, bytes, limits)
    }));
    let mut doc = match result {
        Ok(r) => r?,
        Err(_) => {
            return Err(DocError::corrupt(format.name(), PARSER_FAILURE));
        }
    };
    if let Some(note) = cut_note {
        doc.warnings.push(note);
    }
    if let Some(note) = line_note {
        doc.warnings.push(note);
    }
    truncate_text(&mut doc, limits.max_text_chars);
    Ok(doc)
}

/// Cuts every line longer than `max` bytes to its first `max` bytes: a record of
/// hundreds of megabytes is an attack or a broken export, and copying it through
/// a parser multiplies its size.
fn cut_long_lines(bytes: &[u8], max: usize) -> (std::borrow::Cow<'_, [u8]>, Option<String>) {
    let max = max.max(1);
    if !bytes.split(|b| *b == b'\n').any(|l| l.len() > max) {
        return (std::borrow::Cow::Borrowed(bytes), None);
    }
    let mut out = Vec::with_capacity(bytes.len().min(64 * 1024 * 1024));
    let mut cut = 0usize;
    let mut first = true;
    for line in bytes.split(|b| *b == b'\n') {
        if !first {
            out.push(b'\n');
        }
        first = false;
        if line.len() > max {
            cut += 1;
            // Keep whole UTF-8 sequences.
            let mut end = max;
            while end > 0 && (line[end] & 0xC0) == 0x80 {
                end -= 1;
            }
            out.extend_from_slice(&line[..end]);
        } else {
            out.extend_from_slice(line);
        }
    }
    let note = format!("{cut} line(s) longer than {max} bytes were cut (limit max_line_bytes)");
    (std::borrow::Cow::Owned(out), Some(note))
}

/// Formats whose prefix (cut at a line end) is still a meaningful document.
fn is_line_text(format: Format) -> bool {
    matches!(
        format,
        Format::Csv | Format::Tsv | Format::Txt | Format::Markdown | Format::Html | Format::Eml
    )
}

/// Reads a document from disk (for `commis extract FILE`). A file over
/// `limits.max_bytes` is refused before it is loaded, except line-oriented text
/// (CSV, TSV, plain text, Markdown, HTML, mail), whose first `max_bytes` are read
/// with a warning.
pub fn read_path(path: &Path, limits: &Limits) -> Result<Document, DocError> {
    read_path_with(path, limits, read_bytes)
}

/// [`read_path`] through [`read_guarded`]: in a worker process when one is named.
pub fn read_path_guarded(path: &Path, limits: &Limits) -> Result<Document, DocError> {
    read_path_with(path, limits, read_guarded)
}

fn read_path_with(
    path: &Path,
    limits: &Limits,
    read: fn(&str, &[u8], &Limits) -> Result<Document, DocError>,
) -> Result<Document, DocError> {
    let io_err = |e: std::io::Error| DocError::Io {
        reason: format!("{}: {e}", path.display()),
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        return Err(DocError::Io {
            reason: format!("{} is a folder, not a file", path.display()),
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if meta.len() > limits.max_bytes {
        // Load one byte past the limit so read_bytes sees the file as oversized.
        let mut prefix = Vec::new();
        let file = std::fs::File::open(path).map_err(io_err)?;
        std::io::Read::read_to_end(
            &mut std::io::Read::take(file, limits.max_bytes.saturating_add(1)),
            &mut prefix,
        )
        .map_err(io_err)?;
        let mut doc = read(&name, &prefix, limits)?;
        for w in &mut doc.warnings {
            if w.ends_with("(limit max_bytes)") {
                *w = format!(
                    "only the first {} of {} bytes were read (limit max_bytes)",
                    limits.max_bytes,
                    meta.len()
                );
            }
        }
        return Ok(doc);
    }
    let bytes = std::fs::read(path).map_err(io_err)?;
    read(&name, &bytes, limits)
}

pub(crate) fn truncate_text(doc: &mut Document, max_chars: usize) {
    let mut used = 0usize;
    let mut cut_at = None;
    for (i, block) in doc.blocks.iter_mut().enumerate() {
        let n = block.text.chars().count();
        if used + n > max_chars {
            let keep = max_chars.saturating_sub(used);
            block.text = block.text.chars().take(keep).collect();
            cut_at = Some(i + 1);
            break;
        }
        used += n;
    }
    let mut truncated = false;
    if let Some(i) = cut_at {
        doc.blocks.truncate(i);
        truncated = true;
    }
    for table in &mut doc.tables {
        for row in &mut table.rows {
            for cell in row.iter_mut() {
                let n = cell.text.chars().count();
                if used + n > max_chars {
                    if !cell.text.is_empty() {
                        *cell = Cell::empty();
                        truncated = true;
                    }
                } else {
                    used += n;
                }
            }
        }
    }
    if truncated {
        doc.warnings.push(format!(
            "text truncated at {max_chars} characters (limit max_text_chars)"
        ));
    }
}
