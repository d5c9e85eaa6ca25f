//! Helpers shared by the integration tests.
#![allow(dead_code)]

use commis_docs::{Document, Limits};
use std::io::Write;
use std::path::PathBuf;

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/"
    ))
    .join(rel)
}

pub fn read_fixture(rel: &str) -> Document {
    let path = fixture(rel);
    commis_docs::read_path(&path, &Limits::default()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

/// Builds a zip archive (deflated) from name/content pairs.
pub fn make_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The text of a table as rows of strings, trailing empty cells trimmed.
pub fn table_strings(table: &commis_docs::Table) -> Vec<Vec<String>> {
    table
        .rows
        .iter()
        .map(|r| {
            let mut v: Vec<String> = r.iter().map(|c| c.text.clone()).collect();
            while v.last().is_some_and(|s| s.is_empty()) {
                v.pop();
            }
            v
        })
        .collect()
}
