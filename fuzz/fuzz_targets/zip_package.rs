#![no_main]
//! Fuzz target: zip packages (DOCX, PPTX, ODT/ODP, XLSX/ODS via calamine).

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PK") {
        common::check("fuzz.docx", data);
    }
});
