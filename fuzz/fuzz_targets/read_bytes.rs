#![no_main]
//! Fuzz target: any bytes, format detected from content.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, input) = ("", data.to_vec());
    let limits = commis_docs::Limits {
        max_decompressed_bytes: 64 * 1024 * 1024,
        ..commis_docs::Limits::default()
    };
    if let Err(commis_docs::DocError::Corrupt { reason, .. }) = commis_docs::read_bytes(name, &input, &limits) {
        assert_ne!(reason, commis_docs::PARSER_FAILURE, "a parser panicked");
    }
});
