//! `commis plan`.

use super::*;

pub(crate) async fn cmd_plan(args: PlanArgs) -> Result<ExitCode> {
    let config = Config::load()?;
    let lang = Engine::brief_lang(&args.brief);
    let out = Out::new(args.json);
    let engine = open_engine(&config)?;
    let planner = providers::planner(&config, &args.model)?;
    let flags = PolicyFlags {
        yes: false,
        allow: vec![],
        read_only: true,
    };
    let req = RunRequest {
        grants: vec![grant(&args.dir, AccessMode::ReadOnly, lang)?],
        brief: args.brief,
        policy: Policy::new(PolicyMode::ReadOnly),
        planner,
        stop: StopHandle::default(),
        options: options_json(&flags),
    };
    let interaction: Arc<dyn Interaction> = Arc::new(NonInteractive { accept_plan: false });
    let summary = match engine.run(req, interaction).await {
        Ok(summary) => summary,
        Err(e) => bail!("{}", e.localized(lang)),
    };
    let stored = engine.plan(&summary.run_id)?.map(|(p, _)| p);
    // An unsupported brief keeps what was understood and what was not; only a plan with
    // steps that was proposed counts as a plan.
    let unsupported = summary.status == commis_core::RunStatus::Unsupported;
    let plan = stored
        .as_ref()
        .filter(|p| !p.steps.is_empty() && !unsupported);
    match (plan, args.json) {
        (Some(p), true) => println!("{}", serde_json::to_string(p)?),
        (Some(p), false) => term::print_plan(&out, p, lang),
        (None, false) => term::print_summary(&out, &summary, lang),
        (None, true) => {}
    }
    if args.json {
        // The contract's summary line ends every outcome, with the clauses not understood.
        let mut line = serde_json::to_value(&summary)?;
        let not_done: Vec<serde_json::Value> = stored
            .as_ref()
            .and_then(|p| {
                p.context
                    .get("not_done")
                    .and_then(|n| n.as_array())
                    .cloned()
            })
            .unwrap_or_default();
        if let Some(obj) = line.as_object_mut() {
            obj.insert("not_understood".into(), serde_json::Value::Array(not_done));
        }
        println!("{}", serde_json::to_string(&line)?);
    }
    Ok(if plan.is_some() {
        ExitCode::SUCCESS
    } else {
        exit_for(summary.status)
    })
}
