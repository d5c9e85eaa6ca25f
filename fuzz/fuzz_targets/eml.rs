#![no_main]
//! Fuzz target: the mail (RFC 5322 + MIME) reader.

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = b"From: a@b\r\nMIME-Version: 1.0\r\n".to_vec();
    input.extend_from_slice(data);
    common::check("fuzz.eml", &input);
});
