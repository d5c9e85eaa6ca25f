//! Bounds that keep a hostile or huge file from exhausting memory or time.

use serde::Serialize;

/// Limits applied while reading one document.
///
/// A file larger than `max_bytes` is refused; archives whose declared or actual
/// decompressed size or compression ratio exceed the bounds are refused (zip bombs);
/// pages past `max_pages` and text past `max_text_chars` are dropped with a warning.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
        }
    }
}
