//! A stand-alone `commis mcp`: serves the model-facing tools of one folder over MCP stdio.
//! The tests drive it with the official Python MCP client; the real entry point is the
//! `commis mcp DIR` command.
//!
//! Usage: `mcp_stdio DIR [--allow KIND,...] [--read-only]`; state lives in `COMMIS_HOME`
//! (required, so a test never touches the user's history).

use commis_core::{AccessMode, ActionKind, Grant};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: mcp_stdio DIR [--allow KIND,...] [--read-only]");
        return std::process::ExitCode::from(2);
    };
    let mut allowed = Vec::new();
    let mut read_only = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--allow" => {
                for name in args.next().unwrap_or_default().split(',') {
                    match ActionKind::parse(name) {
                        Some(kind) => allowed.push(kind),
                        None => {
                            eprintln!("mcp_stdio: unknown action kind `{name}`");
                            return std::process::ExitCode::from(2);
                        }
                    }
                }
            }
            "--read-only" => read_only = true,
            other => {
                eprintln!("mcp_stdio: unknown argument `{other}`");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let Some(home) = std::env::var_os("COMMIS_HOME") else {
        eprintln!("mcp_stdio: set COMMIS_HOME");
        return std::process::ExitCode::from(2);
    };
    let policy = commis_mcp::server_policy(allowed, read_only);
    let mode = if read_only {
        AccessMode::ReadOnly
    } else {
        AccessMode::ReadWrite
    };
    let grant = Grant {
        path: std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.into()),
        mode,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mcp_stdio: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let engine = commis_agent::engine::Engine::open(std::path::Path::new(&home))
            .map_err(|e| e.to_string())?;
        commis_mcp::serve_stdio(engine, grant, policy)
            .await
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mcp_stdio: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
