#![no_main]
//! Fuzz target: any bytes, format detected from content.

mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check("", data);
});
