#![no_main]
//! Fuzz target: standalone XML (CII and UBL e-invoices).

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = b"<?xml version=\"1.0\"?><Invoice>".to_vec();
    input.extend_from_slice(data);
    common::check("fuzz.xml", &input);
});
