//! Small text helpers shared by the skills: accent folding, spans, line lookup.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// A byte range `[start, end)` in the text a skill was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// First byte of the match.
    pub start: usize,
    /// One past the last byte of the match.
    pub end: usize,
}

impl Span {
    /// Builds a span from a byte range.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

/// Folds accents and ligatures to ASCII-ish letters ("Société Générale" -> "Societe Generale").
/// Characters with no Latin decomposition are kept as they are.
pub fn fold_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("AE"),
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("OE"),
            'ø' => out.push('o'),
            'Ø' => out.push('O'),
            'ł' => out.push('l'),
            'Ł' => out.push('L'),
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.push('\''),
            '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('-'),
            c if c.is_ascii() => out.push(c),
            c => {
                for d in std::iter::once(c).nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
    out
}

/// Lowercase, accent-folded form used for keyword matching.
pub fn fold_lower(s: &str) -> String {
    fold_accents(s).to_lowercase()
}

/// Lowercase accent-folded text plus, for each byte of it, the byte offset in `s` it came from
/// (one extra entry for the end), so matches found in the folded text map back to the original.
pub fn fold_lower_with_map(s: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len() + 1);
    let mut buf = [0u8; 4];
    for (i, c) in s.char_indices() {
        let folded = fold_lower(c.encode_utf8(&mut buf));
        for _ in 0..folded.len() {
            map.push(i);
        }
        out.push_str(&folded);
    }
    map.push(s.len());
    (out, map)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Collapses every run of whitespace (including NBSP) into one ASCII space and trims.
pub fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 1-based line number of a byte offset.
pub fn line_number(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// 1-based page number of a byte offset, counting form feeds (pdftotext separates pages with them).
pub fn page_number(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == 0x0c)
        .count()
        + 1
}

/// Where a match sits, in words a user can read: "page 2, line 14" or "line 14".
pub fn describe_location(text: &str, offset: usize) -> String {
    let line = line_number(text, offset);
    if text.contains('\u{0c}') {
        format!("page {}, line {line}", page_number(text, offset))
    } else {
        format!("line {line}")
    }
}

/// The full line containing `offset`, as a byte range.
pub fn line_bounds(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind(['\n', '\u{0c}']).map_or(0, |i| i + 1);
    let end = text[offset..]
        .find(['\n', '\u{0c}'])
        .map_or(text.len(), |i| offset + i);
    (start, end)
}

/// Character column (not byte) of `offset` inside its line; used to align table headers and values.
pub fn column_of(text: &str, offset: usize) -> usize {
    let (start, _) = line_bounds(text, offset);
    text[start..offset.min(text.len())].chars().count()
}

/// Lines with their byte start offsets.
pub fn lines_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' || c == '\u{0c}' {
            out.push((start, text[start..i].trim_end_matches('\r')));
            start = i + c.len_utf8();
        }
    }
    if start < text.len() {
        out.push((start, text[start..].trim_end_matches('\r')));
    }
    out
}

/// Splits a layout line into cells: runs of text separated by two or more spaces, a tab or " | ".
/// Returns (byte start in the line, cell text).
pub fn cells(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut start: Option<usize> = None;
    while i < bytes.len() {
        let sep_len = if bytes[i] == b'\t' {
            1
        } else if bytes[i] == b' ' && i + 1 < bytes.len() && bytes[i + 1] == b' ' {
            2
        } else if bytes[i] == b'|' && (i == 0 || bytes[i - 1] == b' ') {
            1
        } else {
            0
        };
        if sep_len > 0 {
            if let Some(s) = start.take() {
                let cell = line[s..i].trim();
                if !cell.is_empty() {
                    out.push((s, cell));
                }
            }
            i += sep_len;
        } else {
            if start.is_none() && bytes[i] != b' ' {
                start = Some(i);
            }
            i += 1;
        }
    }
    if let Some(s) = start {
        let cell = line[s..].trim();
        if !cell.is_empty() {
            out.push((s, cell));
        }
    }
    out
}

/// The cell of `line` that covers character column `col`, or starts nearest to it (within
/// `tolerance` columns). Used to read a value written under its label in a table.
pub fn cell_near_column(line: &str, col: usize, tolerance: usize) -> Option<(usize, &str)> {
    let mut best: Option<(usize, usize, &str)> = None;
    for (start, cell) in cells(line) {
        let c0 = line[..start].chars().count();
        let c1 = c0 + cell.chars().count();
        let dist = if (c0..c1).contains(&col) {
            0
        } else {
            c0.abs_diff(col).min(c1.abs_diff(col))
        };
        if dist <= tolerance && best.is_none_or(|(d, _, _)| dist < d) {
            best = Some((dist, start, cell));
        }
    }
    best.map(|(_, s, c)| (s, c))
}

/// The cell of `other` that lines up with the cell of `line` containing byte `at`: the same
/// cell index when both lines have the same number of cells (text extractors that collapse
/// column spacing keep the order), else the cell nearest the same column.
pub fn aligned_cell<'a>(
    line: &str,
    at: usize,
    other: &'a str,
    tolerance: usize,
) -> Option<(usize, &'a str)> {
    let here = cells(line);
    let there = cells(other);
    let idx = here
        .iter()
        .position(|(s, c)| at >= *s && at < s + c.len().max(1));
    if let Some(i) = idx
        && here.len() == there.len()
        && here.len() >= 2
    {
        return there.get(i).copied();
    }
    let col = line[..at.min(line.len())].chars().count();
    cell_near_column(other, col, tolerance)
}

/// Cuts a string to at most `max` characters on a char boundary, adding an ellipsis when cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Floor a byte offset to the nearest char boundary.
pub fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Ceil a byte offset to the nearest char boundary.
pub fn ceil_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_french_and_german_accents() {
        assert_eq!(
            fold_accents("Société Générale Œuvre"),
            "Societe Generale OEuvre"
        );
        assert_eq!(fold_accents("Straße Müller"), "Strasse Muller");
        assert_eq!(fold_lower("ÉTÉ"), "ete");
    }

    #[test]
    fn splits_layout_lines_into_cells() {
        let l = "  Total HT :  46,68 €\tx | y";
        let c: Vec<_> = cells(l).into_iter().map(|(_, c)| c).collect();
        assert_eq!(c, vec!["Total HT :", "46,68 €", "x", "y"]);
        assert_eq!(
            cell_near_column("Klant   Order     Factuur", 19, 3).map(|c| c.1),
            Some("Factuur")
        );
    }

    #[test]
    fn line_and_page_numbers_count_from_one() {
        let t = "a\nb\u{0c}c\nd";
        assert_eq!(line_number(t, 0), 1);
        assert_eq!(line_number(t, 2), 2);
        assert_eq!(page_number(t, 6), 2);
        assert_eq!(describe_location(t, 6), "page 2, line 3");
    }
}
