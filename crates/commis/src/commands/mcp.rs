//! `commis mcp`.

use super::*;

pub(crate) async fn cmd_mcp(dir: &Path, allow: &[String], read_only: bool) -> Result<ExitCode> {
    let config = Config::load()?;
    let read_only = read_only || config.policy_mode()? == PolicyMode::ReadOnly;
    let mut policy = commis_mcp::server_policy(parse_allow(allow)?, read_only);
    policy.rules = config.rules.clone();
    let mode = if read_only {
        AccessMode::ReadOnly
    } else {
        AccessMode::ReadWrite
    };
    let engine = open_engine(&config)?;
    commis_mcp::serve_stdio(engine, grant(dir, mode, locale_lang())?, policy)
        .await
        .map_err(|e| anyhow::anyhow!("MCP server: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
