//! `commis resume`.

use super::*;

pub(crate) async fn cmd_resume(args: ResumeArgs) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    let run = engine.stored_run(&args.run_id)?;
    let lang = Engine::brief_lang(&run.brief);
    let out = Out::new(args.json);
    // The run continues with its own flags unless new ones are given.
    let stored = engine.stored_options(&args.run_id)?;
    let flags = if args.policy.yes || args.policy.read_only || !args.policy.allow.is_empty() {
        args.policy.clone()
    } else {
        PolicyFlags {
            yes: stored.yes,
            allow: stored.allow,
            read_only: stored.read_only,
        }
    };
    let mut model = args.model.clone();
    if model.provider.is_none() {
        model.provider = Some(run.provider.clone());
        model.model = model.model.or(run.model.clone());
    }
    let planner = providers::planner(&config, &model)?;
    let mut engine = engine;
    engine.set_wait_for_folder(args.wait);
    connect_mcp(&mut engine, &config, &planner, &out, lang).await;
    let policy = build_policy(&config, &flags)?;
    let stop = StopHandle::default();
    let interaction = interaction_for(&flags, &out, lang, &stop);
    let interactive = interaction.is_interactive();
    watch_ctrl_c(stop.clone(), out.clone(), lang, engine.clone());
    let fut = engine.resume(&args.run_id, planner, policy, interaction, stop);
    drive_and_report(&engine, out, lang, args.json, fut, interactive).await
}
