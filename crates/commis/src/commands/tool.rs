//! `commis tool`.

use super::*;

pub(crate) async fn cmd_tool(args: ToolArgs) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    let input: serde_json::Value = serde_json::from_str(&args.input)
        .with_context(|| "--input must be a JSON object, e.g. --input '{\"path\": \"a.pdf\"}'")?;
    let policy = build_policy(&config, &args.policy)?;
    let mode = if args.policy.read_only {
        AccessMode::ReadOnly
    } else {
        AccessMode::ReadWrite
    };
    let out = Out::new(true);
    let interaction = interaction_for(&args.policy, &out, Lang::En, &StopHandle::default());
    let result = engine
        .call_tool(
            grant(&args.dir, mode, locale_lang())?,
            &args.name,
            input,
            policy,
            interaction,
        )
        .await;
    match result {
        Ok(value) => {
            println!("{}", serde_json::to_string_pretty(&value)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("commis tool {}: {e}", args.name);
            Ok(ExitCode::from(2))
        }
    }
}
