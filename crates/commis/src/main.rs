//! `commis`: the command line. Thin on purpose: it parses flags, builds the engine and
//! renders events; the work happens in `commis-agent`.

// `println!` and `print!` that end the process quietly when whoever reads stdout has gone
// (`commis extract f --json | head -c 2500`), instead of panicking on the broken pipe. They
// shadow the std macros in this crate (every module below).
macro_rules! println {
    () => {
        $crate::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!($($arg)*))
    };
}

mod cli;
mod commands;
mod config;
mod output;
mod providers;
mod report;
mod templates;
mod term;
mod undo_out;
mod worker;

use std::process::ExitCode;

use clap::Parser;

pub(crate) use crate::output::{redact, write_stdout};

fn main() -> ExitCode {
    if let Some(code) = worker::dispatch() {
        return code;
    }
    let cli = cli::Cli::parse();
    term::set_verbose(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("commis: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(commands::dispatch(cli));
    // A prompt abandoned by Ctrl-C leaves a thread blocked on standard input: do not wait.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "commis: {}",
                commis_agent::bounded::bounded(&redact(&format!("{e:#}")), 4_000)
            );
            ExitCode::from(1)
        }
    }
}
