#![no_main]
//! Fuzz target: the CSV/TSV reader (encodings, delimiter and decimal-comma sniffing).

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check("fuzz.csv", data);
});
