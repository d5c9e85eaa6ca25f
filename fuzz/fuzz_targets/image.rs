#![no_main]
//! Fuzz target: the image header readers (PNG, JPEG, GIF, WebP, EXIF).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let name = "fuzz.jpg";
    let mut input = vec![0xFF, 0xD8, 0xFF];
    input.extend_from_slice(data);
    let limits = commis_docs::Limits {
        max_decompressed_bytes: 64 * 1024 * 1024,
        ..commis_docs::Limits::default()
    };
    if let Err(commis_docs::DocError::Corrupt { reason, .. }) = commis_docs::read_bytes(name, &input, &limits) {
        assert_ne!(reason, commis_docs::PARSER_FAILURE, "a parser panicked");
    }
});
