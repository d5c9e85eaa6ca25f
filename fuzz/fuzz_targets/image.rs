#![no_main]
//! Fuzz target: the image header readers (PNG, JPEG, GIF, WebP, EXIF).

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = vec![0xFF, 0xD8, 0xFF];
    input.extend_from_slice(data);
    common::check("fuzz.jpg", &input);
});
