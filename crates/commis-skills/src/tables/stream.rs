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

use super::Rule;
use super::clean::{CleanOptions, ColumnRules, find_header};
use super::profile::infer_kind;
use super::values::{infer_column_order, tidy_whitespace};

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

/// A 64-bit fingerprint of a row: eight bytes at a time, multiplied and folded, each
/// cell closed by its length so that ("ab", "c") and ("a", "bc") differ.
fn fingerprint(cells: &[String]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, w: u64| {
        let h = (h ^ w).wrapping_mul(K);
        h ^ (h >> 29)
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in cells {
        let bytes = c.as_bytes();
        let mut words = bytes.chunks_exact(8);
        for w in words.by_ref() {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            h = mix(h, u64::from_le_bytes(a));
        }
        let mut a = [0u8; 8];
        let rest = words.remainder();
        a[..rest.len()].copy_from_slice(rest);
        h = mix(h, u64::from_le_bytes(a));
        h = mix(h, bytes.len() as u64 | (1 << 63));
    }
    h
}

/// A CSV encoder for the hot loop: fields are quoted only when they hold the separator, a
/// quote or a line break (as the `csv` crate does), appended to a byte buffer.
#[derive(Clone, Copy)]
struct CsvEnc {
    delimiter: u8,
    /// The bytes that make a field need quotes.
    special: [bool; 256],
}

impl CsvEnc {
    fn new(delimiter: u8) -> Self {
        let mut special = [false; 256];
        for b in [delimiter, b'"', b'\n', b'\r'] {
            special[usize::from(b)] = true;
        }
        CsvEnc { delimiter, special }
    }

    fn record<'a>(&self, buf: &mut Vec<u8>, fields: impl IntoIterator<Item = &'a str>) {
        let start = buf.len();
        let mut n = 0;
        for f in fields {
            if n > 0 {
                buf.push(self.delimiter);
            }
            n += 1;
            let bytes = f.as_bytes();
            if self.needs_quotes(bytes) {
                buf.push(b'"');
                let mut rest = bytes;
                while let Some(q) = rest.iter().position(|&b| b == b'"') {
                    buf.extend_from_slice(&rest[..=q]);
                    buf.push(b'"');
                    rest = &rest[q + 1..];
                }
                buf.extend_from_slice(rest);
                buf.push(b'"');
            } else {
                buf.extend_from_slice(bytes);
            }
        }
        if n == 1 && buf.len() == start {
            // A record of one empty field would read back as no record at all.
            buf.extend_from_slice(b"\"\"");
        }
        buf.push(b'\n');
    }

    /// Whether a field holds a byte that needs quotes: eight bytes at a time, each word
    /// tested for the four bytes with the "has a zero byte" trick.
    fn needs_quotes(&self, bytes: &[u8]) -> bool {
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;
        let has = |w: u64, b: u8| {
            let x = w ^ LO.wrapping_mul(u64::from(b));
            x.wrapping_sub(LO) & !x & HI != 0
        };
        let mut words = bytes.chunks_exact(8);
        for chunk in words.by_ref() {
            let mut a = [0u8; 8];
            a.copy_from_slice(chunk);
            let w = u64::from_le_bytes(a);
            if has(w, self.delimiter) || has(w, b'"') || has(w, b'\n') || has(w, b'\r') {
                return true;
            }
        }
        words
            .remainder()
            .iter()
            .any(|&b| self.special[usize::from(b)])
    }
}

/// Rows handed to a cleaning thread at once.
const BATCH_ROWS: usize = 2048;

/// Batches waiting between two threads (bounds the memory of the pipeline).
const QUEUE: usize = 2;

/// One cleaned row of a batch: where its bytes end in the batch's buffers.
struct RowOut {
    row: u64,
    fingerprint: u64,
    out_end: usize,
    journal_end: usize,
}

/// A batch of rows cleaned and already encoded: the rows' CSV lines and their journal
/// lines, in order, with the counts.
#[derive(Default)]
struct Cleaned {
    rows: Vec<RowOut>,
    out: Vec<u8>,
    journal: Vec<u8>,
    rows_in: u64,
    corrections: u64,
    review: u64,
}

/// What every cleaning thread reads: the column rules and how to write.
struct Cleaner<'a> {
    rules: &'a [ColumnRules],
    header: &'a [String],
    lang: crate::classify::Lang,
    out: CsvEnc,
    journal: CsvEnc,
}

impl Cleaner<'_> {
    /// Cleans a batch of (row number, record): every change and cell to check goes to the
    /// batch's journal; blank rows are left out.
    fn clean(&self, batch: &[(u64, csv::StringRecord)]) -> Cleaned {
        let mut done = Cleaned {
            rows: Vec::with_capacity(batch.len()),
            out: Vec::with_capacity(batch.len() * 96),
            journal: Vec::with_capacity(batch.len() * 256),
            ..Cleaned::default()
        };
        // One reused buffer per column: a cell that needs no change costs no allocation.
        let mut cells: Vec<String> = Vec::new();
        let mut row_text = String::with_capacity(12);
        for (row, raw) in batch {
            if raw.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            done.rows_in += 1;
            row_text.clear();
            {
                use std::fmt::Write as _;
                let _ = write!(row_text, "{row}");
            }
            if cells.len() < raw.len() {
                cells.resize(raw.len(), String::new());
            }
            for (c, v) in raw.iter().enumerate() {
                let tidy = tidy_whitespace(v);
                let mut rule =
                    matches!(tidy, std::borrow::Cow::Owned(_)).then_some(Rule::Whitespace);
                let mut cleaned: Option<String> = None;
                let col = self.header.get(c).map_or("", String::as_str);
                if let Some(r) = self.rules.get(c).filter(|_| !tidy.is_empty()) {
                    match r.clean_cell(&tidy) {
                        Ok(Some((after, why))) => {
                            let text = after.into_display();
                            if text != *tidy {
                                cleaned = Some(text);
                                rule = Some(why);
                            }
                        }
                        Ok(None) => {}
                        Err(reason) => {
                            done.review += 1;
                            self.journal.record(
                                &mut done.journal,
                                [
                                    "review",
                                    row_text.as_str(),
                                    col,
                                    &tidy,
                                    "",
                                    reason.label(self.lang),
                                ],
                            );
                        }
                    }
                }
                let value: &str = cleaned.as_deref().unwrap_or(&tidy);
                if let Some(rule) = rule {
                    done.corrections += 1;
                    self.journal.record(
                        &mut done.journal,
                        [
                            "correction",
                            row_text.as_str(),
                            col,
                            v,
                            value,
                            rule.label(self.lang),
                        ],
                    );
                }
                let slot = &mut cells[c];
                slot.clear();
                slot.push_str(value);
            }
            let row_cells = &cells[..raw.len()];
            self.out
                .record(&mut done.out, row_cells.iter().map(String::as_str));
            done.rows.push(RowOut {
                row: *row,
                fingerprint: fingerprint(row_cells),
                out_end: done.out.len(),
                journal_end: done.journal.len(),
            });
        }
        done
    }
}

/// Bytes gathered before a write to the underlying writer.
const BLOCK: usize = 256 * 1024;

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
pub fn clean_csv<R: Read + Send, W: Write, J: Write>(
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
    let mut out = io::BufWriter::with_capacity(BLOCK, output);
    let mut jw = io::BufWriter::with_capacity(BLOCK, journal);
    let out_enc = CsvEnc::new(delimiter);
    let journal_enc = CsvEnc::new(b',');
    let mut line = Vec::with_capacity(256);
    journal_enc.record(
        &mut line,
        ["kind", "row", "column", "before", "after", "rule"],
    );
    jw.write_all(&line)?;
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
    line.clear();
    out_enc.record(&mut line, header.iter().map(String::as_str));
    out.write_all(&line)?;
    let cleaner = Cleaner {
        rules: &rules,
        header: &header,
        lang: opts.lang,
        out: out_enc,
        journal: journal_enc,
    };
    let sampled = sample.len() as u64;
    let first: Vec<(u64, csv::StringRecord)> = sample
        .iter()
        .enumerate()
        .skip(start)
        .map(|(i, row)| (i as u64 + 1, row.iter().map(String::as_str).collect()))
        .collect();
    drop(sample);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 4);
    let mut seen: HashSet<u64, BuildHasherDefault<PassThrough>> = HashSet::default();
    let mut write = |done: Cleaned, report: &mut StreamReport| -> Result<(), StreamError> {
        report.rows_in += done.rows_in;
        report.corrections += done.corrections;
        report.review += done.review;
        let (mut o, mut j) = (0, 0);
        for r in &done.rows {
            jw.write_all(&done.journal[j..r.journal_end])?;
            j = r.journal_end;
            if opts.drop_duplicates && !seen.insert(r.fingerprint) {
                report.duplicates += 1;
                line.clear();
                let row = r.row.to_string();
                journal_enc.record(
                    &mut line,
                    [
                        "correction",
                        &row,
                        "",
                        "",
                        "",
                        Rule::DuplicateRow.label(opts.lang),
                    ],
                );
                jw.write_all(&line)?;
            } else {
                out.write_all(&done.out[o..r.out_end])?;
                report.rows_out += 1;
            }
            o = r.out_end;
        }
        Ok(())
    };
    // The sample's rows, cleaned here; the rest of the file through a pipeline: one thread
    // reads and parses, `workers` threads clean batches taken in turn, and this thread writes
    // them in the order they were read.
    for chunk in first.chunks(BATCH_ROWS) {
        write(cleaner.clean(chunk), &mut report)?;
    }
    drop(first);
    type Batch = Result<Vec<(u64, csv::StringRecord)>, StreamError>;
    std::thread::scope(|scope| -> Result<(), StreamError> {
        let mut to_workers = Vec::with_capacity(workers);
        let mut from_workers = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (batch_tx, batch_rx) = std::sync::mpsc::sync_channel::<Batch>(QUEUE);
            let (done_tx, done_rx) =
                std::sync::mpsc::sync_channel::<Result<Cleaned, StreamError>>(QUEUE);
            let cleaner = &cleaner;
            scope.spawn(move || {
                for batch in batch_rx {
                    let done = batch.map(|b| cleaner.clean(&b));
                    if done_tx.send(done).is_err() {
                        return;
                    }
                }
            });
            to_workers.push(batch_tx);
            from_workers.push(done_rx);
        }
        // Batch k goes to worker k % workers and comes back from it in the same turn.
        scope.spawn(move || {
            let mut row = sampled;
            let mut batch = Vec::with_capacity(BATCH_ROWS);
            let mut k = 0usize;
            for r in records {
                row += 1;
                match r {
                    Ok(r) => batch.push((row, r)),
                    Err(e) => {
                        let reason = e.to_string();
                        let bad = StreamError::Malformed { row, reason };
                        // The rows read before the bad one are written first.
                        let _ = to_workers[k % workers].send(Ok(std::mem::take(&mut batch)));
                        let _ = to_workers[(k + 1) % workers].send(Err(bad));
                        return;
                    }
                }
                if batch.len() == BATCH_ROWS {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                    if to_workers[k % workers].send(Ok(full)).is_err() {
                        return;
                    }
                    k += 1;
                }
            }
            if !batch.is_empty() {
                let _ = to_workers[k % workers].send(Ok(batch));
            }
        });
        for k in 0.. {
            match from_workers[k % workers].recv() {
                Ok(done) => write(done?, &mut report)?,
                Err(_) => break,
            }
        }
        Ok(())
    })?;
    out.flush()?;
    jw.flush()?;
    Ok(report)
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
    fn rows_past_the_sample_keep_their_order_numbers_and_duplicates_across_batches() {
        // Enough rows for the sample and many batches through the cleaning threads.
        let mut input = String::from("Client;Montant\n");
        let rows = SAMPLE_ROWS + 7 * BATCH_ROWS + 11;
        for i in 0..rows {
            // Every 1,000th row repeats row 5 (an exact duplicate after cleaning).
            if i % 1000 == 999 {
                input.push_str("client 5 ; 5,00 €\n");
            } else {
                input.push_str(&format!("client {i};{i},00 €\n"));
            }
        }
        let mut out = Vec::new();
        let mut journal = Vec::new();
        let report = clean_csv(
            input.as_bytes(),
            &mut out,
            &mut journal,
            &CleanOptions::default(),
        )
        .unwrap();
        let dups = rows / 1000;
        assert_eq!(report.rows_in, rows as u64);
        assert_eq!(report.duplicates, dups as u64);
        assert_eq!(report.rows_out, (rows - dups) as u64);
        let text = String::from_utf8(out).unwrap();
        let kept: Vec<&str> = text.lines().skip(1).collect();
        let expected: Vec<String> = (0..rows)
            .filter(|i| i % 1000 != 999)
            .map(|i| format!("client {i};{i}"))
            .collect();
        assert_eq!(kept.len(), expected.len());
        for (k, e) in kept.iter().zip(&expected) {
            assert_eq!(k, e);
        }
        // The journal follows the file: row numbers never go back, and the last duplicate
        // is reported on its own row.
        let journal = String::from_utf8(journal).unwrap();
        let numbers: Vec<u64> = journal
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(1)?.parse().ok())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] <= w[1]));
        let last_dup = (0..rows).rev().find(|i| i % 1000 == 999).unwrap() + 2;
        assert!(
            journal.contains(&format!("correction,{last_dup},,,,")),
            "row {last_dup} missing"
        );
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let bytes = b"a,b\n1,\"unterminated\n";
        let r = clean_csv(&bytes[..], Vec::new(), Vec::new(), &CleanOptions::default());
        assert!(r.is_ok() || matches!(r, Err(StreamError::Malformed { .. })));
    }
}
