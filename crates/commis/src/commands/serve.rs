//! `commis serve`.

use super::*;

pub(crate) async fn cmd_serve(
    port: Option<u16>,
    no_open: bool,
    model: ModelFlags,
) -> Result<ExitCode> {
    let config = Config::load()?;
    let mut engine = open_engine(&config)?;
    let planner = providers::planner(&config, &model)?;
    connect_mcp(
        &mut engine,
        &config,
        &planner,
        &Out::new(true),
        locale_lang(),
    )
    .await;
    let mut policy = Policy::new(config.policy_mode()?);
    policy.rules = config.rules.clone();
    let opts = commis_server::ServeOptions {
        port,
        open_browser: !no_open,
        folders: config.folders.clone(),
        planner,
        policy,
    };
    commis_server::serve(engine, opts)
        .await
        .map_err(|e| anyhow::anyhow!("web UI: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
