//! One module per command; what several commands share (opening the engine, grants,
//! policy, driving a run and reporting it) is here.

mod doctor;
mod extract;
mod history;
mod mcp;
mod plan;
mod resume;
mod rules;
mod run;
mod schedule;
mod serve;
mod show;
mod template;
mod tool;
mod undo;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use commis_agent::engine::{Engine, RunRequest, StopHandle};
use commis_agent::interact::{Interaction, NonInteractive};
use commis_agent::messages::Msg;
use commis_core::{AccessMode, Grant, Lang, Policy, PolicyMode, RunStatus, RunSummary};

use crate::cli::*;
use crate::config::{self, Config, parse_allow, state_home};
use crate::term::{self, Out, TerminalInteraction};
use crate::{providers, redact, report, templates, undo_out};

/// Exit codes scripts can rely on.
pub(crate) fn exit_for(status: RunStatus) -> ExitCode {
    match status {
        RunStatus::Done => ExitCode::SUCCESS,
        RunStatus::Failed => ExitCode::from(1),
        RunStatus::NeedsInput => ExitCode::from(3),
        RunStatus::Stopped => ExitCode::from(4),
        RunStatus::Unsupported => ExitCode::from(5),
        RunStatus::Planning | RunStatus::Running | RunStatus::Interrupted => ExitCode::from(1),
    }
}

pub(crate) async fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::cmd_run(args).await,
        Command::Plan(args) => plan::cmd_plan(args).await,
        Command::Resume(args) => resume::cmd_resume(args).await,
        Command::Undo {
            run_id,
            force,
            cascade,
            json,
        } => undo::cmd_undo(&run_id, force, cascade, json),
        Command::History { limit, json } => history::cmd_history(limit, json),
        Command::Show {
            run_id,
            json,
            report,
        } => show::cmd_show(&run_id, json, report),
        Command::Tool(args) => tool::cmd_tool(args).await,
        Command::Extract {
            file,
            json,
            invoice,
        } => extract::cmd_extract(&file, json, invoice),
        Command::Doctor => doctor::cmd_doctor().await,
        Command::Serve {
            port,
            no_open,
            model,
        } => serve::cmd_serve(port, no_open, model).await,
        Command::Mcp {
            dir,
            allow,
            read_only,
        } => mcp::cmd_mcp(&dir, &allow, read_only).await,
        Command::Rules { action } => rules::cmd_rules(action),
        Command::Template { action } => template::cmd_template(action),
        Command::Schedule { action } => schedule::cmd_schedule(action).await,
    }
}

pub(crate) fn open_engine(config: &Config) -> Result<Engine> {
    let home = state_home();
    Ok(Engine::builder(&home)
        .rule_sink(Arc::new(ConfigRuleSink))
        .exec_allow(config.exec_allow.clone())
        .open()?)
}

/// Starts the MCP servers of the config for a model run; a server that fails is a warning.
pub(crate) async fn connect_mcp(
    engine: &mut Engine,
    config: &Config,
    planner: &commis_agent::engine::Planner,
    out: &Out,
    lang: Lang,
) {
    if config.mcp_servers.is_empty() || matches!(planner, commis_agent::engine::Planner::Offline) {
        return;
    }
    let (tools, warnings) = commis_mcp::connect_all(&config.mcp_servers).await;
    for w in warnings {
        out.line(&Msg::Warning.fill(lang, &[("message", &w.to_string())]));
    }
    engine.add_extra_tools(tools);
}

/// Saves "always in this folder" answers in the config file.
struct ConfigRuleSink;

impl commis_agent::context::RuleSink for ConfigRuleSink {
    fn save_rule(&self, rule: &commis_core::Rule) -> std::result::Result<(), String> {
        let path = config::config_path();
        let mut cfg = Config::load_from(&path).map_err(|e| e.to_string())?;
        cfg.add_rule(rule.clone());
        cfg.save_to(&path).map_err(|e| e.to_string())
    }
}

pub(crate) fn grant(dir: &Path, mode: AccessMode, lang: Lang) -> Result<Grant> {
    // The disk, system folders, pseudo-filesystems and commis's own state (journal,
    // backups) are refused: the same rule as the web server's.
    let path = commis_workspace::check_grantable(dir, &state_home())
        .map_err(|e| anyhow::anyhow!("{}", commis_agent::messages::grant_refusal(&e, lang)))?;
    Ok(Grant { path, mode })
}

pub(crate) fn build_policy(config: &Config, flags: &PolicyFlags) -> Result<Policy> {
    let allowed = parse_allow(&flags.allow)?;
    let mut policy = if flags.read_only {
        Policy::new(PolicyMode::ReadOnly)
    } else if flags.yes {
        Policy::yes(allowed)
    } else {
        let mut p = Policy::new(config.policy_mode()?);
        p.allowed.extend(allowed);
        p
    };
    policy.rules = config.rules.clone();
    Ok(policy)
}

pub(crate) fn interaction_for(
    flags: &PolicyFlags,
    out: &Out,
    lang: Lang,
    stop: &StopHandle,
) -> Arc<dyn Interaction> {
    use std::io::IsTerminal;
    if flags.yes || !std::io::stdin().is_terminal() {
        Arc::new(NonInteractive {
            accept_plan: flags.yes,
        })
    } else {
        Arc::new(TerminalInteraction {
            out: out.clone(),
            lang,
            stop: stop.clone(),
        })
    }
}

pub(crate) fn options_json(flags: &PolicyFlags) -> serde_json::Value {
    serde_json::json!({"yes": flags.yes, "allow": flags.allow, "read_only": flags.read_only})
}

/// Renders events, waits for the run, prints the summary, returns the exit code.
pub(crate) async fn drive_and_report(
    engine: &Engine,
    out: Out,
    lang: Lang,
    json: bool,
    fut: impl std::future::Future<Output = Result<RunSummary, commis_agent::engine::AgentError>>,
    interactive: bool,
) -> Result<ExitCode> {
    let steps = Arc::new(Mutex::new(0usize));
    let renderer = tokio::spawn(term::render_events(
        engine.subscribe(),
        out.clone(),
        lang,
        steps,
    ));
    if !interactive {
        // Non-interactive runs show the plan they accepted.
        let mut rx = engine.subscribe();
        let out2 = out.clone();
        tokio::spawn(async move {
            while let Ok(e) = rx.recv().await {
                match e.kind {
                    commis_core::EventKind::PlanProposed { plan } => {
                        term::print_plan(&out2, &plan, lang)
                    }
                    commis_core::EventKind::RunFinished { .. } => return,
                    _ => {}
                }
            }
        });
    }
    let mut summary = match fut.await {
        Ok(summary) => summary,
        Err(e) => bail!("{}", e.localized(lang)),
    };
    // The message can quote a model's answer or a server's error: bounded, and never with a
    // key in it (the store keeps the whole text).
    if let Some(message) = summary.message.take() {
        summary.message = Some(
            commis_agent::bounded::bounded_in(
                &redact(&message),
                commis_agent::bounded::MESSAGE_CHARS,
                lang,
            )
            .into_owned(),
        );
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), renderer).await;
    if summary.cost_usd.is_none() && summary.tokens.input + summary.tokens.output > 0 {
        summary.cost_usd = providers::estimate_cost(engine, &summary);
    }
    term::print_summary(&out, &summary, lang);
    if json {
        println!("{}", serde_json::to_string(&summary)?);
    }
    Ok(exit_for(summary.status))
}

/// One Ctrl-C stops the run at its next safe point (prompts included); a second one aborts
/// at once, after marking the run `stopped` so its status stays true (the journal records
/// each change before it happens, and `resume` restarts a step cut short).
pub(crate) fn watch_ctrl_c(stop: StopHandle, out: Out, lang: Lang, engine: Engine) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            out.line(Msg::StopRequested.text(lang));
            stop.stop();
            if tokio::signal::ctrl_c().await.is_ok() {
                if let Some(id) = stop.run_id() {
                    let _ = engine.set_status(&id, RunStatus::Stopped);
                    let _ = engine.append_event(
                        &id,
                        commis_core::EventKind::Message {
                            text: Msg::ForcedStopEvent.text(lang).to_string(),
                        },
                    );
                    out.line(&Msg::ForcedStop.fill(lang, &[("run", id.as_str())]));
                }
                std::process::exit(4);
            }
        }
    });
}

/// Statuses `commis resume` continues.
pub(crate) fn resumable(status: RunStatus) -> bool {
    matches!(
        status,
        RunStatus::Interrupted | RunStatus::Stopped | RunStatus::NeedsInput
    )
}

/// The status as `history` prints it: the contract word in English, a French word in French.
pub(crate) fn status_word(status: RunStatus, lang: Lang) -> &'static str {
    commis_agent::messages::run_status(status, lang)
}

/// The language of the user's locale (LC_ALL, LC_MESSAGES, LANG), for text with no brief.
pub(crate) fn locale_lang() -> Lang {
    Lang::from_locale()
}
