//! Cleaning a CSV of any length from a reader to a writer, in bounded memory: the encoding
//! (UTF-8 or Windows-1252) and the separator are detected on the first bytes, the header and
//! the kinds of the columns on the first rows, then every row is cleaned and written as it
//! is read. Exact duplicate rows are dropped (one 64-bit fingerprint kept per distinct row).
//!
//! Not for: repairs that need the whole table (rare variants, same-key values, near
//! duplicates, outliers): those are [`super::clean_grid`]'s, for tables that fit in memory.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read, Write};

use encoding_rs::{Decoder, UTF_8, WINDOWS_1252};
use serde::Serialize;
use thiserror::Error;

use super::clean::{CleanOptions, ColumnRules, find_header};
use super::profile::infer_kind;
use super::values::{infer_column_order, tidy_whitespace};
use super::{CleanValue, Rule};

/// Why a CSV could not be cleaned.
#[derive(Debug, Error)]
pub enum StreamError {
    /// Reading the input or writing an output failed.
    #[error("reading or writing the CSV failed: {0}")]
    Io(#[from] io::Error),
    /// The CSV is malformed beyond what a lenient reader accepts.
    #[error("the CSV is malformed at row {row}: {reason}")]
    Malformed {
        /// Row number (1-based).
        row: u64,
        /// What the CSV reader said.
        reason: String,
    },
}

/// What a streaming clean did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StreamReport {
    /// Encoding the input was read as.
    pub encoding: String,
    /// Separator of the input.
    pub delimiter: String,
    /// Row number of the header (0 when none was found).
    pub header_row: u64,
    /// Data rows read.
    pub rows_in: u64,
    /// Data rows written.
    pub rows_out: u64,
    /// Cells changed.
    pub corrections: u64,
    /// Cells flagged for review.
    pub review: u64,
    /// Exact duplicate rows dropped.
    pub duplicates: u64,
}

/// Rows used to find the header and decide the kinds of the columns.
const SAMPLE_ROWS: usize = 5_000;

/// Reads UTF-8 out of a byte reader in another encoding, chunk by chunk.
struct DecodeReader<R> {
    inner: R,
    decoder: Decoder,
    raw: Vec<u8>,
    raw_len: usize,
    out: Vec<u8>,
    out_pos: usize,
    done: bool,
}

impl<R: Read> DecodeReader<R> {
    fn new(inner: R, decoder: Decoder, prefix: Vec<u8>) -> Self {
        let raw_len = prefix.len();
        let mut raw = prefix;
        raw.resize(raw_len.max(64 * 1024), 0);
        DecodeReader {
            inner,
            decoder,
            raw,
            raw_len,
            out: Vec::new(),
            out_pos: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            if self.raw_len == 0 {
                self.raw_len = self.inner.read(&mut self.raw)?;
            }
            let last = self.raw_len == 0;
            let mut s = String::with_capacity(self.raw_len * 3 + 16);
            let (_, read, _) =
                self.decoder
                    .decode_to_string(&self.raw[..self.raw_len], &mut s, last);
            self.raw.copy_within(read..self.raw_len, 0);
            self.raw_len -= read;
            self.out = s.into_bytes();
            self.out_pos = 0;
            self.done = last;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| {
                let mut inside = false;
                l.bytes()
                    .filter(|b| {
                        if *b == b'"' {
                            inside = !inside;
                        }
                        *b == d && !inside
                    })
                    .count()
            })
            .collect();
        let Some(&first) = counts.iter().max() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        // Lines agreeing with the most common non-zero count.
        let mut freq = std::collections::HashMap::new();
        for c in counts.iter().filter(|c| **c > 0) {
            *freq.entry(*c).or_insert(0usize) += 1;
        }
        let agree = freq.values().max().copied().unwrap_or(0);
        if agree > best.1 {
            best = (d, agree);
        }
    }
    best.0
}

/// FNV-1a over the cells and their boundaries: a cheap 64-bit fingerprint of a row.
fn fingerprint(cells: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in cells {
        for b in c.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The fingerprints are hashes already: use them as they are.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Cleans a CSV from `input` into `output` (UTF-8, same separator, cleaned header and rows) and
/// writes every change and every cell to check into `journal` as CSV (kind, row, column,
/// before, after, rule). Memory stays bounded by the sample of the first rows, the buffers and
/// one fingerprint per distinct row.
pub fn clean_csv<R: Read, W: Write, J: Write>(
    mut input: R,
    output: W,
    journal: J,
    opts: &CleanOptions,
) -> Result<StreamReport, StreamError> {
    // Encoding and separator from the first 64 KiB.
    let mut prefix = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < prefix.len() {
        let n = input.read(&mut prefix[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    prefix.truncate(filled);
    let (encoding, skip) = if prefix.starts_with(b"\xEF\xBB\xBF") {
        (UTF_8, 3)
    } else {
        match std::str::from_utf8(&prefix) {
            Ok(_) => (UTF_8, 0),
            Err(e) if e.error_len().is_none() => (UTF_8, 0),
            Err(_) => (WINDOWS_1252, 0),
        }
    };
    let sample_text = encoding
        .decode_without_bom_handling(&prefix[skip..])
        .0
        .into_owned();
    let delimiter = sniff_delimiter(&sample_text);
    drop(sample_text);
    let prefix = prefix[skip..].to_vec();
    let reader = DecodeReader::new(input, encoding.new_decoder_without_bom_handling(), prefix);
    let mut csv_in = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(256 * 1024)
        .from_reader(reader);
    let mut out = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_writer(output);
    let mut jw = csv::WriterBuilder::new().from_writer(journal);
    jw.write_record(["kind", "row", "column", "before", "after", "rule"])
        .map_err(csv_err)?;
    let mut report = StreamReport {
        encoding: encoding.name().to_string(),
        delimiter: match delimiter {
            b'\t' => "tab".into(),
            d => (d as char).to_string(),
        },
        ..Default::default()
    };
    // Sample.
    let mut sample: Vec<Vec<String>> = Vec::with_capacity(SAMPLE_ROWS);
    let mut records = csv_in.records();
    for (row_no, rec) in (1_u64..).zip(records.by_ref()) {
        let rec = rec.map_err(|e| StreamError::Malformed {
            row: row_no,
            reason: e.to_string(),
        })?;
        sample.push(rec.iter().map(str::to_string).collect());
        if sample.len() >= SAMPLE_ROWS {
            break;
        }
    }
    let header_idx = find_header(&sample);
    let width = sample.iter().map(Vec::len).max().unwrap_or(0);
    let start = header_idx.map_or(0, |h| h + 1);
    let header: Vec<String> = match header_idx {
        Some(h) => (0..width)
            .map(|c| {
                let t = sample[h]
                    .get(c)
                    .map(|s| tidy_whitespace(s).into_owned())
                    .unwrap_or_default();
                if t.is_empty() {
                    format!("Colonne {}", c + 1)
                } else {
                    t
                }
            })
            .collect(),
        None => (0..width).map(|c| format!("Colonne {}", c + 1)).collect(),
    };
    report.header_row = header_idx.map_or(0, |h| h as u64 + 1);
    let rules: Vec<ColumnRules> = (0..width)
        .map(|c| {
            let tidied: Vec<String> = sample
                .iter()
                .skip(start)
                .filter_map(|r| r.get(c))
                .map(|v| tidy_whitespace(v).into_owned())
                .filter(|v| !v.is_empty())
                .collect();
            let values: Vec<&str> = tidied.iter().map(String::as_str).collect();
            let order = infer_column_order(values.iter().copied(), opts.default_order());
            let kind = infer_kind(&header[c], &values, order);
            ColumnRules::new(kind, order, &values, opts)
        })
        .collect();
    out.write_record(&header).map_err(csv_err)?;
    let lang = opts.lang;
    let mut seen: HashSet<u64, BuildHasherDefault<PassThrough>> = HashSet::default();
    let mut cells: Vec<String> = Vec::with_capacity(width);
    let mut row_text = String::with_capacity(12);
    let mut process =
        |row: u64, raw: &csv::StringRecord, report: &mut StreamReport| -> Result<(), StreamError> {
            if raw.iter().all(|c| c.trim().is_empty()) {
                return Ok(());
            }
            report.rows_in += 1;
            cells.clear();
            row_text.clear();
            {
                use std::fmt::Write as _;
                let _ = write!(row_text, "{row}");
            }
            for (c, v) in raw.iter().enumerate() {
                let tidy = tidy_whitespace(v);
                let mut rule =
                    matches!(tidy, std::borrow::Cow::Owned(_)).then_some(Rule::Whitespace);
                let mut value = tidy.into_owned();
                if let Some(r) = rules.get(c).filter(|_| !value.is_empty()) {
                    match r.clean_cell(&value) {
                        Ok(Some((after, why))) => {
                            let text = match after {
                                CleanValue::Number(n) => super::format_number(n),
                                other => other.display(),
                            };
                            if text != value {
                                value = text;
                                rule = Some(why);
                            }
                        }
                        Ok(None) => {}
                        Err(reason) => {
                            report.review += 1;
                            let col = header.get(c).map_or("", String::as_str);
                            jw.write_record([
                                "review",
                                row_text.as_str(),
                                col,
                                &value,
                                "",
                                reason.label(lang),
                            ])
                            .map_err(csv_err)?;
                        }
                    }
                }
                if let Some(rule) = rule {
                    report.corrections += 1;
                    let col = header.get(c).map_or("", String::as_str);
                    jw.write_record([
                        "correction",
                        row_text.as_str(),
                        col,
                        v,
                        &value,
                        rule.label(lang),
                    ])
                    .map_err(csv_err)?;
                }
                cells.push(value);
            }
            if opts.drop_duplicates && !seen.insert(fingerprint(&cells)) {
                report.duplicates += 1;
                jw.write_record([
                    "correction",
                    row_text.as_str(),
                    "",
                    "",
                    "",
                    Rule::DuplicateRow.label(lang),
                ])
                .map_err(csv_err)?;
                return Ok(());
            }
            out.write_record(&cells).map_err(csv_err)?;
            report.rows_out += 1;
            Ok(())
        };
    let mut rec = csv::StringRecord::new();
    for (i, row) in sample.iter().enumerate().skip(start) {
        rec.clear();
        for c in row {
            rec.push_field(c);
        }
        process(i as u64 + 1, &rec, &mut report)?;
    }
    let sampled = sample.len() as u64;
    drop(sample);
    let mut row = sampled;
    for r in records {
        row += 1;
        let r = r.map_err(|e| StreamError::Malformed {
            row,
            reason: e.to_string(),
        })?;
        process(row, &r, &mut report)?;
    }
    out.flush()?;
    jw.flush()?;
    Ok(report)
}

fn csv_err(e: csv::Error) -> StreamError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => StreamError::Io(e),
        other => StreamError::Malformed {
            row: 0,
            reason: format!("{other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_windows_1252_semicolon_csv_streams_to_clean_utf8() {
        let mut input = String::from("Soci\u{e9}t\u{e9};Date;Montant\r\n");
        for i in 0..3000 {
            input.push_str(&format!(
                "  Caf\u{e9} {};05/03/2024;1 234,50 \u{20ac}\r\n",
                i % 1000
            ));
        }
        // Encoded as Windows-1252, like an old Excel export.
        let (bytes, _, _) = WINDOWS_1252.encode(&input);
        let mut out = Vec::new();
        let mut journal = Vec::new();
        let report = clean_csv(
            bytes.as_ref(),
            &mut out,
            &mut journal,
            &CleanOptions::default(),
        )
        .unwrap();
        assert_eq!(report.encoding, "windows-1252");
        assert_eq!(report.delimiter, ";");
        assert_eq!(report.rows_in, 3000);
        assert_eq!(report.rows_out, 1000, "exact duplicates dropped");
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("Société;Date;Montant"));
        assert_eq!(lines.next(), Some("Café 0;2024-03-05;1234.5"));
        let journal = String::from_utf8(journal).unwrap();
        assert!(
            journal.contains("correction,2,Montant,\"1 234,50 €\",1234.5,montant lu comme nombre"),
            "{journal}"
        );
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let bytes = b"a,b\n1,\"unterminated\n";
        let r = clean_csv(&bytes[..], Vec::new(), Vec::new(), &CleanOptions::default());
        assert!(r.is_ok() || matches!(r, Err(StreamError::Malformed { .. })));
    }
}
