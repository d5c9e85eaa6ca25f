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

mod config;
mod providers;
mod report;
mod templates;
mod term;
mod undo_out;
mod worker;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use commis_agent::engine::{Engine, RunRequest, StopHandle};
use commis_agent::interact::{Interaction, NonInteractive};
use commis_agent::messages::Msg;
use commis_core::{AccessMode, Grant, Lang, Policy, PolicyMode, RunStatus, RunSummary};

use crate::config::{Config, parse_allow, state_home};
use crate::term::{Out, TerminalInteraction};

/// commis — a local-first AI coworker for your files.
///
/// Grant it a folder, describe what you want in French or English; it proposes a plan, asks
/// before anything sensitive, does the work, and every change can be undone.
#[derive(Parser)]
#[command(name = "commis", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Show every line of long change lists in plans (folded by destination otherwise).
    #[arg(long, short, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Plan and run a brief on a folder.
    Run(RunArgs),
    /// Show the plan for a brief without changing anything.
    Plan(PlanArgs),
    /// Continue an interrupted run at its first unfinished step.
    Resume(ResumeArgs),
    /// Restore every file a run touched, byte for byte.
    Undo {
        run_id: String,
        /// Also replace files changed since the run; each changed version is kept beside
        /// the file, renamed "… (kept version)".
        #[arg(long)]
        force: bool,
        /// First undo, newest first, the later runs that changed the same files.
        #[arg(long)]
        cascade: bool,
        #[arg(long)]
        json: bool,
    },
    /// List past runs.
    History {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Show a run: plan, trace of decisions, approvals, changes.
    Show {
        run_id: String,
        #[arg(long)]
        json: bool,
        /// Write an audit report (.md or .html) of the run.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Run one model-facing tool in a granted folder (same confinement, policy and journal).
    Tool(ToolArgs),
    /// Print what read_document sees in a file.
    Extract {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Print the invoice fields read from the file's text (OCR included) as JSON.
        #[arg(long)]
        invoice: bool,
    },
    /// Check the set-up and say what is missing.
    Doctor,
    /// Serve the web UI on 127.0.0.1; prints http://127.0.0.1:PORT/?token=SECRET.
    Serve {
        #[arg(long)]
        port: Option<u16>,
        /// Do not open a browser.
        #[arg(long)]
        no_open: bool,
        #[command(flatten)]
        model: ModelFlags,
    },
    /// Serve the model-facing tools over MCP (stdio) on a folder, for Claude Desktop and
    /// other MCP clients. Same confinement, policy and journal as a run.
    Mcp {
        dir: PathBuf,
        /// Actions MCP clients may do without a person to approve them (create and modify
        /// are allowed; add delete, move, exec).
        #[arg(long, value_delimiter = ',')]
        allow: Vec<String>,
        #[arg(long)]
        read_only: bool,
    },
    /// Saved "always allow" rules.
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
    /// Briefs saved with {placeholders}, to re-run on next month's folder.
    Template {
        #[command(subcommand)]
        action: TemplateAction,
    },
    /// Run templates regularly (call `commis schedule run-due` from cron or a systemd timer).
    Schedule {
        #[command(subcommand)]
        action: ScheduleAction,
    },
}

#[derive(Subcommand)]
enum TemplateAction {
    /// Save a brief as a template: `commis template save monthly-report "Rapport de {mois}..."`.
    Save {
        name: String,
        brief: String,
        /// Runs of this template accept the plan and approve creations and modifications.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Actions its runs may do without asking (delete, move, exec).
        #[arg(long, value_delimiter = ',')]
        allow: Vec<String>,
        #[arg(long)]
        read_only: bool,
        /// Where its runs put deliverables, relative to the folder.
        #[arg(long, value_name = "SUBFOLDER")]
        output: Option<String>,
    },
    List,
    Show {
        name: String,
    },
    Delete {
        name: String,
    },
}

#[derive(Subcommand)]
enum ScheduleAction {
    /// Schedule a template on a folder.
    Add {
        name: String,
        #[arg(long)]
        template: String,
        #[arg(long)]
        dir: PathBuf,
        /// day, week or month
        #[arg(long)]
        every: String,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    List,
    Remove {
        name: String,
    },
    /// Run every schedule that is due, non-interactively: anything needing approval is
    /// queued for you (`commis resume RUN`) instead of done.
    RunDue {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum RulesAction {
    /// List saved rules.
    List,
    /// Revoke rule number N (as listed).
    Revoke { number: usize },
}

#[derive(Args, Clone)]
struct ModelFlags {
    /// offline (default without an API key), anthropic, openai or scripted.
    #[arg(long)]
    provider: Option<String>,
    #[arg(long)]
    model: Option<String>,
    /// A recorded conversation to replay (with --provider scripted).
    #[arg(long, value_name = "FILE")]
    script: Option<PathBuf>,
}

#[derive(Args, Clone)]
struct PolicyFlags {
    /// Accept the plan and approve creations and modifications (never deletions, moves of
    /// existing files or commands unless --allow names them).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Also allow these actions without asking: delete, move, exec (comma-separated).
    #[arg(long, value_delimiter = ',')]
    allow: Vec<String>,
    /// Refuse every change: read and report only.
    #[arg(long)]
    read_only: bool,
}

#[derive(Args)]
struct RunArgs {
    /// The folder to work in (granted read-write).
    dir: PathBuf,
    /// What you want, in French or English.
    brief: Option<String>,
    /// Use a saved template instead of a brief.
    #[arg(long, conflicts_with = "brief")]
    template: Option<String>,
    /// A template's placeholder value, e.g. --set mois=mars.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Where deliverables go, relative to the folder (default: Livrables, or Deliverables
    /// for an English brief). Creating files there needs no approval.
    #[arg(long, value_name = "SUBFOLDER")]
    output: Option<String>,
    /// More folders, granted read-only.
    #[arg(long = "read-only-dir", value_name = "DIR")]
    read_only_dirs: Vec<PathBuf>,
    #[command(flatten)]
    policy: PolicyFlags,
    #[command(flatten)]
    model: ModelFlags,
    /// Print the run summary as one JSON object on the last line of stdout.
    #[arg(long)]
    json: bool,
    /// If another run is using the folder, wait for it to finish instead of refusing.
    #[arg(long)]
    wait: bool,
}

#[derive(Args)]
struct PlanArgs {
    dir: PathBuf,
    brief: String,
    #[command(flatten)]
    model: ModelFlags,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ResumeArgs {
    run_id: String,
    #[command(flatten)]
    policy: PolicyFlags,
    #[command(flatten)]
    model: ModelFlags,
    #[arg(long)]
    json: bool,
    /// If another run is using the folder, wait for it to finish instead of refusing.
    #[arg(long)]
    wait: bool,
}

#[derive(Args)]
struct ToolArgs {
    /// Tool name (list_files, read_document, write_file, move_file...).
    name: String,
    dir: PathBuf,
    /// The tool's input as JSON.
    #[arg(long, default_value = "{}")]
    input: String,
    #[command(flatten)]
    policy: PolicyFlags,
}

/// Writes to stdout; a closed pipe ends the process with success (the reader took what it
/// wanted, as `head` does), any other error is reported once on stderr.
pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("commis: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// `text` without the configured API keys or anything shaped like a credential: for every
/// message this binary prints that may carry a server's words.
pub(crate) fn redact(text: &str) -> String {
    let keys: Vec<String> = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .filter(|value| !value.trim().is_empty())
        .collect();
    let known: Vec<&str> = keys.iter().map(String::as_str).collect();
    commis_llm::redact_secrets(text, &known)
}

fn main() -> ExitCode {
    if let Some(code) = worker::dispatch() {
        return code;
    }
    let cli = Cli::parse();
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
    let result = runtime.block_on(dispatch(cli));
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

/// Exit codes scripts can rely on.
fn exit_for(status: RunStatus) -> ExitCode {
    match status {
        RunStatus::Done => ExitCode::SUCCESS,
        RunStatus::Failed => ExitCode::from(1),
        RunStatus::NeedsInput => ExitCode::from(3),
        RunStatus::Stopped => ExitCode::from(4),
        RunStatus::Unsupported => ExitCode::from(5),
        RunStatus::Planning | RunStatus::Running | RunStatus::Interrupted => ExitCode::from(1),
    }
}

async fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => cmd_run(args).await,
        Command::Plan(args) => cmd_plan(args).await,
        Command::Resume(args) => cmd_resume(args).await,
        Command::Undo {
            run_id,
            force,
            cascade,
            json,
        } => cmd_undo(&run_id, force, cascade, json),
        Command::History { limit, json } => cmd_history(limit, json),
        Command::Show {
            run_id,
            json,
            report,
        } => cmd_show(&run_id, json, report),
        Command::Tool(args) => cmd_tool(args).await,
        Command::Extract {
            file,
            json,
            invoice,
        } => cmd_extract(&file, json, invoice),
        Command::Doctor => cmd_doctor().await,
        Command::Serve {
            port,
            no_open,
            model,
        } => cmd_serve(port, no_open, model).await,
        Command::Mcp {
            dir,
            allow,
            read_only,
        } => cmd_mcp(&dir, &allow, read_only).await,
        Command::Rules { action } => cmd_rules(action),
        Command::Template { action } => cmd_template(action),
        Command::Schedule { action } => cmd_schedule(action).await,
    }
}

fn open_engine(config: &Config) -> Result<Engine> {
    let home = state_home();
    Ok(Engine::builder(&home)
        .rule_sink(Arc::new(ConfigRuleSink))
        .exec_allow(config.exec_allow.clone())
        .open()?)
}

/// Starts the MCP servers of the config for a model run; a server that fails is a warning.
async fn connect_mcp(
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

async fn cmd_serve(port: Option<u16>, no_open: bool, model: ModelFlags) -> Result<ExitCode> {
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

async fn cmd_mcp(dir: &Path, allow: &[String], read_only: bool) -> Result<ExitCode> {
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

fn grant(dir: &Path, mode: AccessMode, lang: Lang) -> Result<Grant> {
    // The disk, system folders, pseudo-filesystems and commis's own state (journal,
    // backups) are refused: the same rule as the web server's.
    let path = commis_workspace::check_grantable(dir, &state_home())
        .map_err(|e| anyhow::anyhow!("{}", commis_agent::messages::grant_refusal(&e, lang)))?;
    Ok(Grant { path, mode })
}

fn build_policy(config: &Config, flags: &PolicyFlags) -> Result<Policy> {
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

fn interaction_for(
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

fn options_json(flags: &PolicyFlags) -> serde_json::Value {
    serde_json::json!({"yes": flags.yes, "allow": flags.allow, "read_only": flags.read_only})
}

/// Renders events, waits for the run, prints the summary, returns the exit code.
async fn drive_and_report(
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

async fn cmd_run(mut args: RunArgs) -> Result<ExitCode> {
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

/// One Ctrl-C stops the run at its next safe point (prompts included); a second one aborts
/// at once, after marking the run `stopped` so its status stays true (the journal records
/// each change before it happens, and `resume` restarts a step cut short).
fn watch_ctrl_c(stop: StopHandle, out: Out, lang: Lang, engine: Engine) {
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

async fn cmd_plan(args: PlanArgs) -> Result<ExitCode> {
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

async fn cmd_resume(args: ResumeArgs) -> Result<ExitCode> {
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

fn cmd_undo(run_id: &str, force: bool, cascade: bool, json: bool) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    let run = engine.stored_run(run_id)?;
    let lang = Engine::brief_lang(&run.brief);
    let result = if cascade {
        engine.undo_cascade(run_id, force)
    } else {
        engine.undo(run_id, force).map(|r| vec![r])
    };
    let reports = match result {
        Ok(r) => r,
        Err(e) => bail!("{}", e.localized(lang)),
    };
    if json {
        let all: Vec<serde_json::Value> = reports.iter().map(undo_out::to_json).collect();
        // The requested run's report is the last line, like a run's summary.
        for r in &all {
            println!("{r}");
        }
    } else {
        let out = Out::new(false);
        for r in &reports {
            for line in undo_out::render(r, lang, force) {
                out.line(&line);
            }
        }
    }
    Ok(ExitCode::from(undo_out::exit_code(&reports)))
}

fn cmd_history(limit: usize, json: bool) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    let runs = engine.runs_as_shown(limit)?;
    if json {
        let mut rows = Vec::new();
        for run in &runs {
            let mut row = serde_json::to_value(run)?;
            let undo = engine.undo_state(&run.id)?;
            row["undo"] = serde_json::to_value(undo)?;
            if resumable(run.status) {
                row["resume"] = serde_json::json!(format!("commis resume {}", run.id));
            }
            rows.push(row);
        }
        println!("{}", serde_json::Value::Array(rows));
        return Ok(ExitCode::SUCCESS);
    }
    let out = Out::new(false);
    if runs.is_empty() {
        // No run to take the language from: the user's locale decides.
        out.line(Msg::HistoryEmpty.text(locale_lang()));
    }
    for run in runs {
        let lang = Engine::brief_lang(&run.brief);
        let folder = run
            .grants
            .first()
            .map(|g| g.path.display().to_string())
            .unwrap_or_default();
        // An undone run says so (the store knows from its journal).
        let undo = engine
            .undo_state(&run.id)?
            .label(lang)
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        out.line(&format!(
            "{}  {:<11} {:<9} {}  {}{undo}",
            run.id,
            status_word(run.status, lang),
            run.provider,
            folder,
            report::one_line(&run.brief, 60)
        ));
        if resumable(run.status) {
            out.line(&format!(
                "    ↳ {}",
                Msg::ResumeHint.fill(lang, &[("run", run.id.as_str())])
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Statuses `commis resume` continues.
fn resumable(status: RunStatus) -> bool {
    matches!(
        status,
        RunStatus::Interrupted | RunStatus::Stopped | RunStatus::NeedsInput
    )
}

/// The status as `history` prints it: the contract word in English, a French word in French.
fn status_word(status: RunStatus, lang: Lang) -> &'static str {
    commis_agent::messages::run_status(status, lang)
}

/// The language of the user's locale (LC_ALL, LC_MESSAGES, LANG), for text with no brief.
fn locale_lang() -> Lang {
    Lang::from_locale()
}

fn cmd_show(run_id: &str, json: bool, report_path: Option<PathBuf>) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    let audit = report::Audit::load(&engine, run_id)?;
    if let Some(path) = report_path {
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("html" | "htm") => audit.to_html(),
            Some("md" | "markdown") => audit.to_markdown(),
            _ => bail!("--report {}: use a .md or .html file name", path.display()),
        };
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
        eprintln!(
            "{}",
            Msg::ReportWritten.fill(audit.lang(), &[("path", &path.display().to_string())])
        );
        return Ok(ExitCode::SUCCESS);
    }
    if json {
        println!("{}", serde_json::to_string(&audit)?);
    } else {
        print!("{}", audit.to_markdown());
    }
    Ok(ExitCode::SUCCESS)
}

async fn cmd_tool(args: ToolArgs) -> Result<ExitCode> {
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

fn cmd_extract(file: &Path, json: bool, invoice: bool) -> Result<ExitCode> {
    match commis_docs::read_path_guarded(file, &commis_docs::Limits::default()) {
        Ok(doc) => {
            if invoice {
                let fields = commis_skills::extract_invoice(&doc.plain_text());
                let out = serde_json::json!({
                    "file": file.display().to_string(),
                    "invoice": fields,
                    "ocr": doc.ocr,
                    "ocr_missing": doc.ocr_missing,
                    "warnings": doc.warnings,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else if json {
                println!("{}", doc.to_json());
            } else {
                print!("{}", doc.plain_text());
                for w in &doc.warnings {
                    eprintln!("warning: {w}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("commis extract: {}: {e}", file.display());
            Ok(ExitCode::from(2))
        }
    }
}

async fn cmd_doctor() -> Result<ExitCode> {
    let ok = providers::doctor().await;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn cmd_rules(action: RulesAction) -> Result<ExitCode> {
    let path = config::config_path();
    let mut cfg = Config::load_from(&path)?;
    match action {
        RulesAction::List => {
            if cfg.rules.is_empty() {
                println!(
                    "No saved rules. They are created by answering \"always in this folder\" to an approval."
                );
            }
            for (i, r) in cfg.rules.iter().enumerate() {
                println!(
                    "{}. always allow {} in {}",
                    i + 1,
                    r.kind,
                    r.folder.display()
                );
            }
        }
        RulesAction::Revoke { number } => {
            if number == 0 || number > cfg.rules.len() {
                bail!("no rule number {number}; see `commis rules list`");
            }
            let r = cfg.rules.remove(number - 1);
            cfg.save_to(&path)?;
            println!("revoked: always allow {} in {}", r.kind, r.folder.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_template(action: TemplateAction) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    match action {
        TemplateAction::Save {
            name,
            brief,
            yes,
            allow,
            read_only,
            output,
        } => {
            parse_allow(&allow)?;
            let t = templates::Template {
                brief: brief.clone(),
                yes,
                allow,
                read_only,
                provider: None,
                output,
            };
            engine.save_template(&name, &serde_json::to_value(&t)?)?;
            let names: Vec<String> = templates::placeholders(&brief)
                .into_iter()
                .map(|p| match p.default {
                    Some(d) => format!("{}={d}", p.name),
                    None => p.name,
                })
                .collect();
            println!(
                "template {name} saved{}; run it with: commis run DIR --template {name}{}",
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" (placeholders: {})", names.join(", "))
                },
                templates::placeholders(&brief)
                    .iter()
                    .filter(|p| p.default.is_none())
                    .map(|p| format!(" --set {}=…", p.name))
                    .collect::<String>()
            );
        }
        TemplateAction::List => {
            let all = engine.templates()?;
            if all.is_empty() {
                println!(
                    "No templates yet: commis template save NAME \"BRIEF with {{placeholders}}\""
                );
            }
            for t in all {
                let brief = t.body.get("brief").and_then(|b| b.as_str()).unwrap_or("");
                println!("{:<20} {}", t.name, report::one_line(brief, 70));
            }
        }
        TemplateAction::Show { name } => {
            let t = engine.template(&name)?;
            println!("{}", serde_json::to_string_pretty(&t.body)?);
        }
        TemplateAction::Delete { name } => {
            if !engine.delete_template(&name)? {
                bail!("no template named {name} (see `commis template list`)");
            }
            println!("template {name} deleted");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn cmd_schedule(action: ScheduleAction) -> Result<ExitCode> {
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
