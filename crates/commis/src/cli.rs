//! The command line's shape: every command, its flags and their help (clap derive types).
//! Parsing only; the commands live in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// commis — a local-first AI coworker for your files.
///
/// Grant it a folder, describe what you want in French or English; it proposes a plan, asks
/// before anything sensitive, does the work, and every change can be undone.
#[derive(Parser)]
#[command(name = "commis", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Show every line of long change lists in plans (folded by destination otherwise).
    #[arg(long, short, global = true)]
    pub(crate) verbose: bool,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum TemplateAction {
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
pub(crate) enum ScheduleAction {
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
pub(crate) enum RulesAction {
    /// List saved rules.
    List,
    /// Revoke rule number N (as listed).
    Revoke { number: usize },
}

#[derive(Args, Clone)]
pub(crate) struct ModelFlags {
    /// offline (default without an API key), anthropic, openai or scripted.
    #[arg(long)]
    pub(crate) provider: Option<String>,
    #[arg(long)]
    pub(crate) model: Option<String>,
    /// A recorded conversation to replay (with --provider scripted).
    #[arg(long, value_name = "FILE")]
    pub(crate) script: Option<PathBuf>,
}

#[derive(Args, Clone)]
pub(crate) struct PolicyFlags {
    /// Accept the plan and approve creations and modifications (never deletions, moves of
    /// existing files or commands unless --allow names them).
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    /// Also allow these actions without asking: delete, move, exec (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub(crate) allow: Vec<String>,
    /// Refuse every change: read and report only.
    #[arg(long)]
    pub(crate) read_only: bool,
}

#[derive(Args)]
pub(crate) struct RunArgs {
    /// The folder to work in (granted read-write).
    pub(crate) dir: PathBuf,
    /// What you want, in French or English.
    pub(crate) brief: Option<String>,
    /// Use a saved template instead of a brief.
    #[arg(long, conflicts_with = "brief")]
    pub(crate) template: Option<String>,
    /// A template's placeholder value, e.g. --set mois=mars.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
    /// Where deliverables go, relative to the folder (default: Livrables, or Deliverables
    /// for an English brief). Creating files there needs no approval.
    #[arg(long, value_name = "SUBFOLDER")]
    pub(crate) output: Option<String>,
    /// More folders, granted read-only.
    #[arg(long = "read-only-dir", value_name = "DIR")]
    pub(crate) read_only_dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) policy: PolicyFlags,
    #[command(flatten)]
    pub(crate) model: ModelFlags,
    /// Print the run summary as one JSON object on the last line of stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// If another run is using the folder, wait for it to finish instead of refusing.
    #[arg(long)]
    pub(crate) wait: bool,
}

#[derive(Args)]
pub(crate) struct PlanArgs {
    pub(crate) dir: PathBuf,
    pub(crate) brief: String,
    #[command(flatten)]
    pub(crate) model: ModelFlags,
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Args)]
pub(crate) struct ResumeArgs {
    pub(crate) run_id: String,
    #[command(flatten)]
    pub(crate) policy: PolicyFlags,
    #[command(flatten)]
    pub(crate) model: ModelFlags,
    #[arg(long)]
    pub(crate) json: bool,
    /// If another run is using the folder, wait for it to finish instead of refusing.
    #[arg(long)]
    pub(crate) wait: bool,
}

#[derive(Args)]
pub(crate) struct ToolArgs {
    /// Tool name (list_files, read_document, write_file, move_file...).
    pub(crate) name: String,
    pub(crate) dir: PathBuf,
    /// The tool's input as JSON.
    #[arg(long, default_value = "{}")]
    pub(crate) input: String,
    #[command(flatten)]
    pub(crate) policy: PolicyFlags,
}
