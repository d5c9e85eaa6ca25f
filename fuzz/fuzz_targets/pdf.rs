#![no_main]
//! Fuzz target: the PDF reader (text, fonts, embedded Factur-X XML).

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = b"%PDF-1.7\n".to_vec();
    input.extend_from_slice(data);
    common::check("fuzz.pdf", &input);
});
