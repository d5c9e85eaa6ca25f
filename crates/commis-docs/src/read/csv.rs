//! CSV and TSV: encoding detection, delimiter sniffing, decimal-comma numbers.

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{Cell, CellKind, Document, Format, Place, Table};
use crate::textdecode;

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Picks the delimiter whose count per line is the most consistent; `None` when no
/// candidate splits the first lines the same way (the text is not tabular).
pub(crate) fn sniff_delimiter(text: &str) -> Option<u8> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    if lines.len() < 2 {
        return None;
    }
    let mut best: Option<(u8, usize, usize)> = None;
    for d in CANDIDATES {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let mut freq = std::collections::HashMap::new();
        for c in counts.iter().filter(|c| **c > 0) {
            *freq.entry(*c).or_insert(0usize) += 1;
        }
        let Some((&mode, &n)) = freq.iter().max_by_key(|(c, n)| (**n, **c)) else {
            continue;
        };
        // Most lines agree on the number of fields. Between two that do, the one that
        // splits lines into more fields wins: a French export has one decimal comma per
        // line ("-19,99") and several semicolons.
        if n * 10 >= lines.len() * 6
            && best.is_none_or(|(_, bn, bmode)| {
                if mode >= 2 * bmode.max(1) || bmode >= 2 * mode.max(1) {
                    mode > bmode
                } else {
                    n > bn
                }
            })
        {
            best = Some((d, n, mode));
        }
    }
    best.map(|(d, _, _)| d)
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut inside = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            inside = !inside;
        } else if b == d && !inside {
            n += 1;
        }
    }
    n
}

/// Parses "1 234,56" (decimal comma) or "1,234.56" / "1234.56" into a number.
pub(crate) fn parse_number(raw: &str, decimal_comma: bool) -> Option<f64> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    // Leading zeros are identifiers (postcodes, account numbers), not numbers.
    let digits = s.trim_start_matches(['-', '+']);
    if digits.len() > 1
        && digits.starts_with('0')
        && !digits.starts_with("0.")
        && !digits.starts_with("0,")
    {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' | '-' | '+' => out.push(c),
            ' ' | '\u{a0}' | '\u{202f}' | '\'' => {}
            ',' if decimal_comma => out.push('.'),
            '.' if decimal_comma => {}
            ',' => {}
            '.' => out.push('.'),
            'e' | 'E' => out.push(c),
            _ => return None,
        }
    }
    if !out.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    // Thousands separators only make sense in groups of three.
    if !decimal_comma && s.contains(',') && !thousands_ok(s, ',') {
        return None;
    }
    out.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn thousands_ok(s: &str, sep: char) -> bool {
    let int_part = s.split('.').next().unwrap_or(s);
    let groups: Vec<&str> = int_part.split(sep).collect();
    groups.iter().skip(1).all(|g| g.len() == 3)
}

fn sniff_decimal_comma(rows: &[csv::StringRecord], delimiter: u8) -> bool {
    if delimiter == b',' {
        return false;
    }
    let mut comma = 0;
    let mut dot = 0;
    for field in rows.iter().take(200).flat_map(|r| r.iter()) {
        let f = field.trim();
        if f.is_empty()
            || !f
                .bytes()
                .all(|b| b.is_ascii_digit() || b",.- +\xc2\xa0".contains(&b))
        {
            continue;
        }
        if let Some((_, frac)) = f.rsplit_once(',')
            && !frac.is_empty()
            && frac.len() != 3
            && frac.bytes().all(|b| b.is_ascii_digit())
        {
            comma += 1;
        }
        if let Some((_, frac)) = f.rsplit_once('.')
            && !frac.is_empty()
            && frac.len() != 3
            && frac.bytes().all(|b| b.is_ascii_digit())
        {
            dot += 1;
        }
    }
    comma > dot
}

pub(crate) fn read(format: Format, bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let mut doc = Document::new(format);
    let decoded = textdecode::decode(bytes);
    doc.metadata.encoding = Some(decoded.encoding.to_string());
    let mut text = decoded.text;
    if text.contains('\0') {
        text = text.replace('\0', "");
        doc.warnings
            .push("the file contains NUL bytes; they were removed".to_string());
    }
    let delimiter = if format == Format::Tsv {
        b'\t'
    } else {
        sniff_delimiter(&text).unwrap_or(b',')
    };
    doc.metadata.delimiter = Some(match delimiter {
        b'\t' => "tab".to_string(),
        d => (d as char).to_string(),
    });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut chars = 0usize;
    for (i, rec) in reader.records().enumerate() {
        match rec {
            Ok(r) => {
                chars += r.as_slice().len();
                records.push(r);
                if chars > limits.max_text_chars {
                    doc.warnings.push(format!(
                        "stopped after {} rows (limit max_text_chars)",
                        i + 1
                    ));
                    break;
                }
            }
            Err(e) => {
                doc.warnings.push(format!(
                    "row {} is malformed and reading stopped there: {e}",
                    i + 1
                ));
                break;
            }
        }
    }
    let decimal_comma = sniff_decimal_comma(&records, delimiter);
    doc.metadata.decimal_comma = Some(decimal_comma);
    let widths: Vec<usize> = records.iter().map(|r| r.len()).collect();
    if let (Some(min), Some(max)) = (widths.iter().min(), widths.iter().max())
        && min != max
    {
        doc.warnings
            .push(format!("rows have between {min} and {max} fields"));
    }
    let raw_rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    if let Some((statements, transactions, warnings)) =
        super::bank::csv::statement_from_rows(&raw_rows)
    {
        doc.statements = statements;
        doc.transactions = transactions;
        doc.warnings.extend(warnings);
    }
    let rows = records
        .iter()
        .map(|r| {
            r.iter()
                .map(|f| match parse_number(f, decimal_comma) {
                    Some(n) => Cell {
                        kind: CellKind::Number,
                        text: f.to_string(),
                        number: Some(n),
                    },
                    None => Cell::text(f),
                })
                .collect()
        })
        .collect();
    doc.tables.push(Table {
        place: Place::default(),
        origin: None,
        rows,
        merged: Vec::new(),
    });
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_in_french_and_english_notation() {
        assert_eq!(parse_number("1 234,56", true), Some(1234.56));
        assert_eq!(parse_number("1\u{a0}234,56", true), Some(1234.56));
        assert_eq!(parse_number("1.234,56", true), Some(1234.56));
        assert_eq!(parse_number("1,234.56", false), Some(1234.56));
        assert_eq!(parse_number("-12.5", false), Some(-12.5));
        assert_eq!(parse_number("0,5", true), Some(0.5));
        assert_eq!(parse_number("12,5", false), None);
        assert_eq!(parse_number("00123", false), None);
        assert_eq!(parse_number("abc", false), None);
    }

    #[test]
    fn delimiter_is_sniffed_from_consistent_counts() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2,5;3\n4;5;6\n"), Some(b';'));
        assert_eq!(sniff_delimiter("a,b\n\"x, y\",2\n3,4\n"), Some(b','));
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), Some(b'\t'));
        assert_eq!(sniff_delimiter("just a sentence.\nand another one\n"), None);
        // One decimal comma per line does not beat four semicolons.
        assert_eq!(
            sniff_delimiter(
                "Compte;x;****1234;05/03/2026;;12 480,50\n02/03/2026;;;VIR;1 440,00\n03/03/2026;;;PRLV;-19,99\n"
            ),
            Some(b';')
        );
    }
}
