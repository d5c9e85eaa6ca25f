//! Estimating how much room text takes, so that every text box is given a font size at which
//! its text fits (or the content is split onto a continuation slide) instead of overflowing.
//!
//! Widths are per-character estimates for Calibri/Carlito, the theme font, rounded up a little:
//! erring on the large side only costs a slightly smaller font.

/// Width of `text` in points at `size` points.
pub(crate) fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text.chars().map(char_em).sum();
    em * size * if bold { 1.07 } else { 1.0 } * 1.04
}

fn char_em(c: char) -> f64 {
    match c {
        'i' | 'l' | 'j' | 'I' | '!' | '|' | '.' | ',' | ':' | ';' | '\'' | '’' => 0.24,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.34,
        ' ' | '\u{a0}' | '\u{202f}' => 0.23,
        '0'..='9' | '€' | '$' | '£' | '+' | '=' | '<' | '>' | '*' => 0.51,
        'm' | 'w' => 0.80,
        'M' | 'W' | '%' | '@' => 0.88,
        c if c.is_uppercase() => 0.62,
        c if c.is_lowercase() => 0.50,
        '–' | '—' | '…' => 0.9,
        c if (c as u32) >= 0x2E80 => 1.0,
        _ => 0.55,
    }
}

/// Number of lines `text` wraps to in a box `width` points wide (greedy word wrap).
pub(crate) fn line_count(text: &str, size: f64, bold: bool, width: f64) -> usize {
    if width <= size {
        return usize::MAX / 4;
    }
    let mut total = 0;
    for hard_line in text.split('\n') {
        let mut lines = 1;
        let mut used = 0.0;
        let space = text_width(" ", size, bold);
        for word in hard_line.split_whitespace() {
            let w = text_width(word, size, bold);
            if w > width {
                // A word longer than the line is broken by the renderer.
                if used > 0.0 {
                    lines += 1;
                }
                lines += (w / width).floor() as usize;
                used = w % width;
                continue;
            }
            let needed = if used > 0.0 { used + space + w } else { w };
            if needed > width {
                lines += 1;
                used = w;
            } else {
                used = needed;
            }
        }
        total += lines;
    }
    total.max(1)
}

/// Line height as a multiple of the font size (Calibri's ascent + descent + gap).
pub(crate) const LINE: f64 = 1.22;

/// A paragraph to fit: its text, indent level (0 or 1), and whether it is bold.
pub(crate) struct Para<'a> {
    pub text: &'a str,
    pub level: u8,
    pub bold: bool,
}

/// Left margin in points of a bullet paragraph of `level`.
pub(crate) fn bullet_margin(level: u8, bulleted: bool) -> f64 {
    match (bulleted, level) {
        (false, _) => 0.0,
        (true, 0) => 22.0,
        (true, _) => 48.0,
    }
}

/// Size of level-1 text relative to level 0.
pub(crate) fn sub_size(size: f64) -> f64 {
    (size - 4.0).max(10.0)
}

/// Space before each paragraph, in points.
pub(crate) fn space_before(size: f64, level: u8) -> f64 {
    if level == 0 { size * 0.45 } else { size * 0.2 }
}

/// Height in points the paragraphs take at base size `size` in a box `width` points wide.
pub(crate) fn paragraphs_height(paras: &[Para<'_>], size: f64, width: f64, bulleted: bool) -> f64 {
    paras
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let s = if p.level == 0 { size } else { sub_size(size) };
            let w = width - bullet_margin(p.level, bulleted);
            let lines = line_count(p.text, s, p.bold, w) as f64;
            let before = if i == 0 {
                0.0
            } else {
                space_before(s, p.level)
            };
            before + lines * s * LINE
        })
        .sum()
}

/// The largest size from `sizes` (descending) at which the paragraphs fit `width` x `height`.
pub(crate) fn best_size(
    paras: &[Para<'_>],
    sizes: &[f64],
    width: f64,
    height: f64,
    bulleted: bool,
) -> Option<f64> {
    sizes
        .iter()
        .copied()
        .find(|&s| paragraphs_height(paras, s, width, bulleted) <= height)
}

/// The largest size from `sizes` at which a single text fits in at most `max_lines` lines
/// and in `height` points.
pub(crate) fn best_size_lines(
    text: &str,
    sizes: &[f64],
    bold: bool,
    width: f64,
    height: f64,
    max_lines: usize,
) -> f64 {
    for &s in sizes {
        let lines = line_count(text, s, bold, width);
        if lines <= max_lines && lines as f64 * s * LINE <= height {
            return s;
        }
    }
    sizes.last().copied().unwrap_or(12.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_to_more_lines_at_larger_sizes() {
        let t =
            "Chiffre d'affaires en hausse de 12 % sur l'exercice, porté par les nouveaux clients";
        assert!(line_count(t, 28.0, false, 400.0) > line_count(t, 14.0, false, 400.0));
        assert_eq!(line_count("court", 20.0, false, 400.0), 1);
    }

    #[test]
    fn best_size_shrinks_until_text_fits() {
        let long = "mot ".repeat(200);
        let paras = [Para {
            text: &long,
            level: 0,
            bold: false,
        }];
        let s = best_size(&paras, &[28.0, 24.0, 20.0, 16.0, 12.0], 800.0, 300.0, true);
        assert!(matches!(s, Some(x) if x < 28.0));
        let none = best_size(&paras, &[28.0], 100.0, 50.0, true);
        assert!(none.is_none());
    }
}
