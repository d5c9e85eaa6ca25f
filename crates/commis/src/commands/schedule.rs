//! `commis schedule`.

use super::*;

pub(crate) async fn cmd_schedule(action: ScheduleAction) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    match action {
        ScheduleAction::Add {
            name,
            template,
            dir,
            every,
            set,
        } => {
            engine.template(&template)?;
            let dir = grant(&dir, AccessMode::ReadWrite, locale_lang())?.path;
            let s = templates::Schedule {
                template,
                dir,
                every: templates::Every::parse(&every)?,
                set: templates::parse_sets(&set)?,
            };
            engine.save_schedule(&name, &serde_json::to_value(&s)?)?;
            println!(
                "schedule {name} saved: {} every {every} on {}",
                s.template,
                s.dir.display()
            );
            println!("run due schedules from cron, e.g.: 0 7 * * * commis schedule run-due");
        }
        ScheduleAction::List => {
            for s in engine.schedules()? {
                println!("{:<20} {}", s.name, s.body);
            }
        }
        ScheduleAction::Remove { name } => {
            if !engine.delete_schedule(&name)? {
                bail!("no schedule named {name} (see `commis schedule list`)");
            }
            println!("schedule {name} removed");
        }
        ScheduleAction::RunDue { json } => {
            let now = templates::now();
            let mut results = Vec::new();
            for record in engine.schedules()? {
                let s: templates::Schedule = serde_json::from_value(record.body.clone())
                    .with_context(|| {
                        format!("schedule {} is damaged; add it again", record.name)
                    })?;
                if !templates::is_due(s.every, record.last_run_at, now) {
                    continue;
                }
                // Marked first: a crash must not make a monthly job run twice.
                engine.mark_schedule_run(&record.name, now)?;
                let t: templates::Template =
                    serde_json::from_value(engine.template(&s.template)?.body)?;
                let brief = templates::render(&t.brief, &s.set)?;
                let flags = PolicyFlags {
                    yes: true,
                    allow: t.allow.clone(),
                    read_only: t.read_only,
                };
                let model = ModelFlags {
                    provider: t.provider.clone(),
                    model: None,
                    script: None,
                };
                let lang = Engine::brief_lang(&brief);
                let req = RunRequest {
                    grants: vec![grant(
                        &s.dir,
                        if t.read_only {
                            AccessMode::ReadOnly
                        } else {
                            AccessMode::ReadWrite
                        },
                        lang,
                    )?],
                    brief,
                    policy: build_policy(&config, &flags)?,
                    planner: providers::planner(&config, &model)?,
                    stop: StopHandle::default(),
                    options: options_json(&flags),
                };
                // Unattended: nothing is asked; what needs approval waits for the user.
                let summary = match engine
                    .run(req, Arc::new(NonInteractive { accept_plan: true }))
                    .await
                {
                    Ok(summary) => summary,
                    Err(e) => bail!("{}: {}", record.name, e.localized(lang)),
                };
                if !json {
                    println!("{}: run {} {}", record.name, summary.run_id, summary.status);
                }
                results.push(serde_json::json!({"schedule": record.name, "run_id": summary.run_id, "status": summary.status}));
            }
            if json {
                println!("{}", serde_json::Value::Array(results));
            } else if results.is_empty() {
                println!("no schedule is due");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
