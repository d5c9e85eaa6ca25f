//! What every target checks after `read_bytes`.
//!
//! `read_bytes` turns a parser panic into `DocError::Corrupt { reason: PARSER_FAILURE }`;
//! a target turns that back into a crash, since any panic in a parser is a bug. One
//! exception: calamine's XLSB reader (0.38) indexes records without bounds checks in
//! many places (cell records, shared strings, formulas). commis-docs guards the sheet
//! list (see `check_xlsb_workbook`), and the rest is contained by `read_bytes`. For
//! XLSB input the targets therefore check that the panic stayed contained (a typed
//! error came back) instead of failing on it; a panic anywhere else still aborts.

use commis_docs::{DocError, Format, Limits, PARSER_FAILURE};
use std::cell::Cell;
use std::sync::Once;

thread_local! {
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

/// Reads `input` as `name` and crashes on any parser panic, except a contained one
/// inside calamine's XLSB reader.
pub fn check(name: &str, input: &[u8]) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(Cell::get) {
                abort_hook(info);
            }
        }));
    });
    let limits = Limits {
        max_decompressed_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let xlsb = matches!(commis_docs::detect_format(name, input), Ok(Format::Xlsb));
    CONTAINED.with(|c| c.set(xlsb));
    let result = commis_docs::read_bytes(name, input, &limits);
    CONTAINED.with(|c| c.set(false));
    if let Err(DocError::Corrupt { reason, .. }) = result {
        assert!(xlsb || reason != PARSER_FAILURE, "a parser panicked");
    }
}
