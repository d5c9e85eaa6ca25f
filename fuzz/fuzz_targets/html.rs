#![no_main]
//! Fuzz target: the HTML text extractor.

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = b"<html>".to_vec();
    input.extend_from_slice(data);
    common::check("fuzz.html", &input);
});
