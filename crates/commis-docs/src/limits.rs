//! Bounds that keep a hostile or huge file from exhausting memory or time.

use serde::{Deserialize, Serialize};

/// Limits applied while reading one document.
///
/// A file larger than `max_bytes` is refused; archives whose declared or actual
/// decompressed size or compression ratio exceed the bounds are refused (zip bombs);
/// pages past `max_pages` and text past `max_text_chars` are dropped with a warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest input accepted, in bytes.
    pub max_bytes: u64,
    /// Pages (PDF) or slides read before truncating.
    pub max_pages: u32,
    /// Total bytes an archive (or a PDF stream) may decompress to.
    pub max_decompressed_bytes: u64,
    /// Largest accepted ratio between an archive member's size and its compressed size.
    pub max_ratio: u64,
    /// Deepest nesting followed (XML elements, PDF forms, JSON, MIME parts).
    pub max_depth: u32,
    /// Characters of text kept before truncating with a warning.
    pub max_text_chars: usize,
    /// Bytes one PDF stream (or one archive member) may inflate to; the whole
    /// document shares `max_decompressed_bytes`.
    #[serde(default = "default_stream_bytes")]
    pub max_stream_bytes: u64,
    /// Cells one sheet may span (rows × columns of its used range); a sheet
    /// declaring more is read sparsely, clipped with a warning.
    #[serde(default = "default_cells")]
    pub max_cells: u64,
    /// Bytes of one line (CSV record, text line) kept before cutting it.
    #[serde(default = "default_line_bytes")]
    pub max_line_bytes: usize,
    /// Glyphs placed on one PDF page before the rest of the page is skipped.
    #[serde(default = "default_glyphs")]
    pub max_glyphs_per_page: usize,
}

fn default_stream_bytes() -> u64 {
    Limits::default().max_stream_bytes
}
fn default_cells() -> u64 {
    Limits::default().max_cells
}
fn default_line_bytes() -> usize {
    Limits::default().max_line_bytes
}
fn default_glyphs() -> usize {
    Limits::default().max_glyphs_per_page
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 200 * 1024 * 1024,
            max_pages: 2_000,
            max_decompressed_bytes: 1024 * 1024 * 1024,
            max_ratio: 1_000,
            max_depth: 128,
            max_text_chars: 20_000_000,
            max_stream_bytes: 32 * 1024 * 1024,
            max_cells: 4_000_000,
            max_line_bytes: 1024 * 1024,
            max_glyphs_per_page: 200_000,
        }
    }
}
