#![no_main]
//! Fuzz target: standalone XML (CII and UBL e-invoices).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let name = "fuzz.xml";
    let mut input = b"<?xml version=\"1.0\"?><Invoice>".to_vec();
    input.extend_from_slice(data);
    let limits = commis_docs::Limits {
        max_decompressed_bytes: 64 * 1024 * 1024,
        ..commis_docs::Limits::default()
    };
    if let Err(commis_docs::DocError::Corrupt { reason, .. }) = commis_docs::read_bytes(name, &input, &limits) {
        assert_ne!(reason, commis_docs::PARSER_FAILURE, "a parser panicked");
    }
});
