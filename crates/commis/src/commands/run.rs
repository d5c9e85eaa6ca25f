//! `commis run`.

use super::*;

pub(crate) async fn cmd_run(mut args: RunArgs) -> Result<ExitCode> {
    let config = Config::load()?;
    if let Some(name) = &args.template {
        let engine = open_engine(&config)?;
        let record = engine.template(name)?;
        let t: templates::Template = serde_json::from_value(record.body)
            .with_context(|| format!("template {name} is damaged; save it again"))?;
        args.brief = Some(templates::render(
            &t.brief,
            &templates::parse_sets(&args.set)?,
        )?);
        args.policy.yes |= t.yes;
        args.policy.read_only |= t.read_only;
        args.policy.allow.extend(t.allow);
        if args.output.is_none() {
            args.output = t.output;
        }
        if args.model.provider.is_none() {
            args.model.provider = t.provider;
        }
    }
    let Some(brief) = args.brief.clone().filter(|b| !b.trim().is_empty()) else {
        bail!(
            "what should commis do? give a brief, e.g. commis run {} \"Trie ces fichiers par type et crée un catalogue\"",
            args.dir.display()
        );
    };
    let lang = Engine::brief_lang(&brief);
    let mut grants = vec![grant(&args.dir, AccessMode::ReadWrite, lang)?];
    for d in &args.read_only_dirs {
        grants.push(grant(d, AccessMode::ReadOnly, lang)?);
    }
    let out = Out::new(args.json);
    let mut engine = open_engine(&config)?;
    engine.set_wait_for_folder(args.wait);
    let planner = providers::planner(&config, &args.model)?;
    connect_mcp(&mut engine, &config, &planner, &out, lang).await;
    let policy = build_policy(&config, &args.policy)?;
    let stop = StopHandle::default();
    let interaction = interaction_for(&args.policy, &out, lang, &stop);
    let interactive = interaction.is_interactive();
    watch_ctrl_c(stop.clone(), out.clone(), lang, engine.clone());
    let mut options = options_json(&args.policy);
    if let Some(out) = &args.output {
        options["output_dir"] = serde_json::json!(out);
    }
    let req = RunRequest {
        grants,
        brief,
        policy,
        planner,
        stop,
        options,
    };
    drive_and_report(
        &engine,
        out,
        lang,
        args.json,
        engine.run(req, interaction),
        interactive,
    )
    .await
}
