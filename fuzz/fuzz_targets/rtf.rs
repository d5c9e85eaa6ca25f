#![no_main]
//! Fuzz target: the RTF reader.

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = b"{\\rtf1".to_vec();
    input.extend_from_slice(data);
    common::check("fuzz.rtf", &input);
});
