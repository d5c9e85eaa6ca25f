#![no_main]
//! Fuzz target: the JSON reader.

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = b"{".to_vec();
    input.extend_from_slice(data);
    common::check("fuzz.json", &input);
});
