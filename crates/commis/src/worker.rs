//! The hidden worker mode: `commis __extract-worker NAME` reads one document from
//! standard input under resource limits (see `commis_docs::isolate`), so that a
//! hostile file costs one file and never the `run`, `serve` or `mcp` process. The worker
//! confines itself with a seccomp filter (`commis_sandbox::confine_parser`) first.

use std::process::ExitCode;

/// Runs the worker when the first argument asks for it; otherwise names this binary
/// as the worker program for every later document read, and returns `None`.
pub fn dispatch() -> Option<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(commis_docs::isolate::WORKER_ARG) {
        // Before any byte of the document is read: no program, process, socket or file
        // from here on (seccomp), on top of the worker's own limits and Landlock. Best
        // effort like Landlock: a kernel without seccomp keeps the resource limits.
        let _ = commis_sandbox::confine_parser();
        let code = commis_docs::isolate::worker_main(&args[1..]);
        return Some(ExitCode::from(u8::try_from(code).unwrap_or(2)));
    }
    // COMMIS_EXTRACT_IN_PROCESS=1 reads every document in process (measurements,
    // platforms where re-executing the binary is not possible).
    let in_process = std::env::var("COMMIS_EXTRACT_IN_PROCESS").is_ok_and(|v| v == "1");
    if !in_process && let Ok(exe) = std::env::current_exe() {
        commis_docs::isolate::set_worker_program(exe);
    }
    // Pictures and scans are read by OCR once: the results are kept by content hash.
    commis_docs::ocr::set_cache_dir(crate::config::state_home().join("ocr-cache"));
    None
}
