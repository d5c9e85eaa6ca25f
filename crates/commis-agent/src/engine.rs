//! The run lifecycle: create a run, plan it (offline or with a model), let the user review
//! the plan, execute the steps in order with progress and a decision trace, and finish with
//! a summary built from the journal. Also resume after a crash and undo.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use commis_core::{
    EventKind, Grant, JournalOp, JournalState, Plan, Policy, Run, RunId, RunStatus, RunSummary,
    StepStatus, now_millis,
};
use commis_store::Store;
pub use commis_store::{ApprovalRecord, NamedRecord};
use commis_workspace::{BlobStore, Workspace};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tokio::sync::broadcast;

use crate::bus::EventBus;
use crate::context::{RuleSink, RunContext};
use crate::interact::{Interaction, PlanDecision};
use crate::model::ModelSetup;
use crate::offline;
use crate::offline::brief::Lang;

/// Errors that stop a run from starting or continuing (per-file problems never do).
#[derive(Debug, Error)]
pub enum AgentError {
    #[error(transparent)]
    Store(#[from] commis_store::StoreError),
    #[error(transparent)]
    Workspace(#[from] commis_workspace::WorkspaceError),
    #[error(
        "run {0} is already finished ({1}); nothing to resume. Start a new one with `commis run`."
    )]
    AlreadyFinished(String, RunStatus),
    #[error("run {0} has no accepted plan to resume; start it again with `commis run`")]
    NothingToResume(String),
    #[error("the model failed: {0}")]
    Model(#[from] commis_llm::LlmError),
    #[error(
        "run {0} is being driven by another commis process right now; wait for it to finish, or stop it first"
    )]
    Busy(String),
    #[error(
        "cannot create commis's state folder {}: {source} (set COMMIS_HOME to a writable folder)",
        path.display()
    )]
    StateFolder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot lock the run ({}: {source})", path.display())]
    RunLock {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot prepare the read-only preview in {}: {source}", path.display())]
    Preview {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Plan(#[from] commis_core::PlanError),
    #[error("unknown tool `{name}`; the tools are: {}", known.join(", "))]
    UnknownTool { name: String, known: Vec<String> },
    #[error(transparent)]
    Tool(#[from] crate::tools::ToolError),
    #[error("nothing was undone for run {0}")]
    NothingUndone(String),
    #[error(transparent)]
    Journal(#[from] commis_core::JournalError),
}

impl AgentError {
    /// Whether the error says that the run or template asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            AgentError::Store(
                commis_store::StoreError::NoSuchRun(_)
                    | commis_store::StoreError::NoSuchTemplate(_)
            )
        )
    }

    /// The message in the brief's language, from the catalogue.
    pub fn localized(&self, lang: Lang) -> String {
        use crate::messages::{self as m, Msg};
        let io = |e: &std::io::Error| m::io_error(e, lang);
        match self {
            AgentError::Store(commis_store::StoreError::NoSuchRun(run)) => {
                Msg::NoSuchRun.fill(lang, &[("run", run)])
            }
            AgentError::Store(e) => Msg::StoreFailed.fill(lang, &[("detail", &e.to_string())]),
            AgentError::Workspace(e) => m::workspace_error(e, lang),
            AgentError::AlreadyFinished(run, status) => Msg::AlreadyFinished.fill(
                lang,
                &[("run", run), ("status", m::run_status(*status, lang))],
            ),
            AgentError::NothingToResume(run) => Msg::NothingToResume.fill(lang, &[("run", run)]),
            AgentError::Model(e) => {
                Msg::ModelFailed.fill(lang, &[("detail", &m::llm_error(e, lang))])
            }
            AgentError::Busy(run) => Msg::Busy.fill(lang, &[("run", run)]),
            AgentError::StateFolder { path, source } => Msg::StateFolder.fill(
                lang,
                &[
                    ("path", &path.display().to_string()),
                    ("detail", &io(source)),
                ],
            ),
            AgentError::RunLock { path, source } => Msg::RunLockFailed.fill(
                lang,
                &[
                    ("path", &path.display().to_string()),
                    ("detail", &io(source)),
                ],
            ),
            AgentError::Preview { path, source } => Msg::PreviewFailed.fill(
                lang,
                &[
                    ("path", &path.display().to_string()),
                    ("detail", &io(source)),
                ],
            ),
            AgentError::Plan(e) => m::plan_error(e, lang),
            AgentError::UnknownTool { name, known } => {
                Msg::ToolUnknownListed.fill(lang, &[("tool", name), ("tools", &known.join(", "))])
            }
            AgentError::Tool(e) => e.localized(lang),
            AgentError::NothingUndone(run) => Msg::NothingUndone.fill(lang, &[("run", run)]),
            AgentError::Journal(e) => Msg::StoreFailed.fill(lang, &[("detail", &e.to_string())]),
        }
    }
}

/// Who plans and executes a run.
#[derive(Clone)]
pub enum Planner {
    /// The built-in rules-based planner: no model, no network.
    Offline,
    /// A language model (Anthropic, OpenAI-compatible, scripted).
    Model(Arc<ModelSetup>),
}

impl Planner {
    pub fn name(&self) -> String {
        match self {
            Planner::Offline => "offline".to_string(),
            Planner::Model(m) => m.planner.name().to_string(),
        }
    }

    pub fn model(&self) -> Option<String> {
        match self {
            Planner::Offline => None,
            Planner::Model(m) => Some(m.planner.model().to_string()),
        }
    }
}

/// Shared flags to stop or pause a run at the next safe point (Ctrl-C, the web UI's buttons).
#[derive(Debug, Clone, Default)]
pub struct StopHandle {
    stopped: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    /// The run this handle drives, once it exists (for a forced stop to mark it).
    run: Arc<std::sync::Mutex<Option<RunId>>>,
}

impl StopHandle {
    /// The run being driven with this handle, if it has started.
    pub fn run_id(&self) -> Option<RunId> {
        self.run.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    fn set_run(&self, id: &RunId) {
        *self.run.lock().unwrap_or_else(|p| p.into_inner()) = Some(id.clone());
    }
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }
    /// Holds the run before its next tool call or step until [`StopHandle::unpause`].
    pub fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
    }
    pub fn unpause(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }
}

/// What `commis run` asks for.
pub struct RunRequest {
    pub grants: Vec<Grant>,
    pub brief: String,
    pub policy: Policy,
    pub planner: Planner,
    pub stop: StopHandle,
    /// Flags kept with the run so `resume` continues the same way.
    pub options: serde_json::Value,
}

/// The options a run was started with, as stored for `resume`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredOptions {
    #[serde(default)]
    pub yes: bool,
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub read_only: bool,
}

/// The entry point of every front end: one per `COMMIS_HOME`. Built with
/// [`Engine::builder`]; front ends read runs through its query methods (`store` is for the
/// engine's own tests, never for a front end: a test in the `commis` crate checks it).
#[derive(Clone)]
pub struct Engine {
    home: PathBuf,
    pub store: Arc<Store>,
    pub blobs: Arc<BlobStore>,
    events: broadcast::Sender<commis_core::Event>,
    pub(crate) rule_sink: Option<Arc<dyn RuleSink>>,
    /// Command patterns that run without asking (config `exec_allow`).
    pub(crate) exec_allow: Vec<String>,
    /// Extra tools offered to models (the MCP servers the user configured).
    pub(crate) extra_tools: Vec<Arc<dyn crate::tools::Tool>>,
    /// When another run holds a granted folder: wait for it (`--wait`) instead of refusing.
    pub(crate) wait_for_folder: bool,
}

impl Engine {
    /// Opens the state kept in `home` (database and backups), creating it if needed.
    pub fn open(home: &Path) -> Result<Engine, AgentError> {
        std::fs::create_dir_all(home).map_err(|source| AgentError::StateFolder {
            path: home.to_path_buf(),
            source,
        })?;
        let store = Arc::new(Store::open(home)?);
        let blobs = Arc::new(BlobStore::open(&home.join("blobs"))?);
        let (events, _) = broadcast::channel(4096);
        Ok(Engine {
            home: home.to_path_buf(),
            store,
            blobs,
            events,
            rule_sink: None,
            exec_allow: Vec::new(),
            extra_tools: Vec::new(),
            wait_for_folder: false,
        })
    }

    /// The folder holding commis's state (COMMIS_HOME): never grantable.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Live events of every run this engine drives.
    pub fn subscribe(&self) -> broadcast::Receiver<commis_core::Event> {
        self.events.subscribe()
    }

    fn context(
        &self,
        run: Run,
        policy: Policy,
        interaction: Arc<dyn Interaction>,
        lang: Lang,
        stop: &StopHandle,
        preview_dir: Option<PathBuf>,
    ) -> Result<Arc<RunContext>, AgentError> {
        let workspace = Workspace::open(
            run.grants.clone(),
            run.id.clone(),
            self.store.clone(),
            self.blobs.clone(),
        )?;
        let bus = EventBus::new(self.store.clone(), run.id.clone(), self.events.clone());
        let mut ctx = RunContext::new(
            run,
            self.store.clone(),
            bus,
            Arc::new(workspace),
            self.blobs.clone(),
            interaction,
            policy,
            lang,
        );
        ctx.rule_sink = self.rule_sink.clone();
        ctx.extra_tools = self.extra_tools.clone();
        ctx.share_stop_flag(stop.stopped.clone());
        ctx.preview_dir = preview_dir;
        if !self.exec_allow.is_empty() {
            ctx.exec_allowlist = Some(commis_sandbox::ExecAllowlist::new(self.exec_allow.clone()));
        }
        Ok(Arc::new(ctx))
    }

    /// Creates a run and returns its id without starting it (the web UI starts it later).
    pub fn create_run(&self, req: &RunRequest) -> Result<Run, AgentError> {
        let now = now_millis();
        let entropy = std::process::id() ^ (now as u32).rotate_left(13) ^ rand_u32();
        let run = Run {
            id: RunId::new(now, entropy),
            brief: req.brief.clone(),
            grants: req.grants.clone(),
            provider: req.planner.name(),
            model: req.planner.model(),
            status: RunStatus::Planning,
            created_at: now,
            updated_at: now,
        };
        self.store.create_run(&run, &req.options)?;
        Ok(run)
    }

    /// Runs a brief from start to finish: plan, review, execute, summary.
    pub async fn run(
        &self,
        req: RunRequest,
        interaction: Arc<dyn Interaction>,
    ) -> Result<RunSummary, AgentError> {
        let run = self.create_run(&req)?;
        self.drive(run, req, interaction).await
    }

    /// Takes the run's lock: one process drives a run at a time (a second `resume` of a run
    /// that is still going would do its steps twice). Released when the file is dropped.
    fn lock_run(&self, run_id: &RunId) -> Result<std::fs::File, AgentError> {
        let dir = self.home.join("locks");
        std::fs::create_dir_all(&dir).map_err(|source| AgentError::StateFolder {
            path: dir.clone(),
            source,
        })?;
        let path = dir.join(format!("{run_id}.lock"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| AgentError::RunLock {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(AgentError::Busy(run_id.to_string())),
            Err(std::fs::TryLockError::Error(source)) => Err(AgentError::RunLock { path, source }),
        }
    }

    /// Whether a live process holds the run's lock (drives it right now).
    pub fn is_driven(&self, run_id: &RunId) -> bool {
        let path = self.home.join("locks").join(format!("{run_id}.lock"));
        let Ok(file) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
        else {
            // No lock file: no process ever took it (a run created, never driven), or the
            // state folder is read-only to us. Either way nobody drives it.
            return false;
        };
        matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
    }

    /// The status to show for a run: a `planning`/`running` run that no process drives
    /// any more (its process died) is `interrupted`.
    pub fn shown_status(&self, run: &Run) -> RunStatus {
        if run.status.is_live() && !self.is_driven(&run.id) {
            RunStatus::Interrupted
        } else {
            run.status
        }
    }

    /// A run as stored, with the status a person should see ([`Engine::shown_status`]).
    pub fn run_as_shown(&self, run_id: &str) -> Result<Run, AgentError> {
        let mut run = self.store.run(run_id)?;
        run.status = self.shown_status(&run);
        Ok(run)
    }

    /// The latest runs, newest first, with the status a person should see.
    pub fn runs_as_shown(&self, limit: usize) -> Result<Vec<Run>, AgentError> {
        let mut runs = self.store.runs(limit)?;
        for run in &mut runs {
            run.status = self.shown_status(run);
        }
        Ok(runs)
    }

    /// Whether the run's changes were undone: all of them, some, or none.
    pub fn undo_state(&self, run_id: &RunId) -> Result<UndoState, AgentError> {
        // One definition, the store's (entries still pending count as not undone).
        Ok(match self.store.undo_state(run_id)? {
            commis_store::UndoState::NotUndone => UndoState::NotUndone,
            commis_store::UndoState::PartlyUndone => UndoState::PartlyUndone,
            commis_store::UndoState::Undone => UndoState::Undone,
        })
    }

    /// Drives a created run.
    pub async fn drive(
        &self,
        run: Run,
        req: RunRequest,
        interaction: Arc<dyn Interaction>,
    ) -> Result<RunSummary, AgentError> {
        let _lock = self.lock_run(&run.id)?;
        req.stop.set_run(&run.id);
        self.drive_locked(
            run,
            &req.planner,
            req.policy,
            interaction,
            req.stop,
            &req.options,
            None,
        )
        .await
    }

    /// Continues a run where it stands: plans again if planning never finished, asks the
    /// questions still open, reviews a plan not yet accepted, then runs from the first
    /// unfinished step (finished steps are never redone; a step cut short restarts).
    pub async fn resume(
        &self,
        run_id: &str,
        planner: Planner,
        policy: Policy,
        interaction: Arc<dyn Interaction>,
        stop: StopHandle,
    ) -> Result<RunSummary, AgentError> {
        let run = self.store.run(run_id)?;
        let _lock = self.lock_run(&run.id)?;
        if run.status.is_final() {
            return Err(AgentError::AlreadyFinished(run.id.to_string(), run.status));
        }
        stop.set_run(&run.id);
        let options = self.store.run_options(run.id.as_str())?;
        let stored = self.store.plan(&run.id)?;
        self.drive_locked(
            run,
            &planner,
            policy,
            interaction,
            stop,
            &options,
            Some(stored),
        )
        .await
    }

    /// Plans (unless a plan is stored), asks, reviews and executes. `stored` is `None` for
    /// a new run and `Some(what the store holds)` for a resumed one.
    #[allow(clippy::too_many_arguments)]
    async fn drive_locked(
        &self,
        run: Run,
        planner: &Planner,
        policy: Policy,
        interaction: Arc<dyn Interaction>,
        stop: StopHandle,
        options: &serde_json::Value,
        stored: Option<Option<(Plan, bool)>>,
    ) -> Result<RunSummary, AgentError> {
        let lang = offline::brief::understand(&run.brief).lang;
        let read_only = serde_json::from_value::<StoredOptions>(options.clone())
            .map(|o| o.read_only)
            .unwrap_or(false);
        let ctx = self.context(
            run.clone(),
            policy.clone(),
            interaction.clone(),
            lang,
            &stop,
            None,
        )?;
        ctx.set_output_dir(&output_dir_of(options, lang));
        spawn_stop_watch(stop.clone(), ctx.clone());
        // One run per folder: taken before anything is planned or changed.
        let _folders = match self.lock_folders(&ctx).await {
            Ok(locks) => locks,
            Err(e) => {
                if stored.is_none() {
                    self.store.set_status(&run.id, RunStatus::Failed)?;
                }
                return Err(e);
            }
        };
        let run_id = run.id.to_string();
        let stopped = |msg: crate::messages::Msg| Some(msg.fill(lang, &[("run", &run_id)]));

        let (mut plan, accepted) = match stored {
            Some(Some(found)) => {
                // Driven again: while it waits at a prompt, a crash shows as interrupted.
                self.store.set_status(&run.id, RunStatus::Planning)?;
                found
            }
            fresh => {
                if fresh.is_some() {
                    self.store.set_status(&run.id, RunStatus::Planning)?;
                    ctx.emit(EventKind::Message {
                        text: crate::messages::Msg::ResumePlanningAgain.text(lang).into(),
                    });
                    self.store.set_status(&run.id, RunStatus::Planning)?;
                }
                ctx.emit(EventKind::RunStarted {
                    brief: run.brief.clone(),
                    provider: run.provider.clone(),
                });
                let planned = match planner {
                    Planner::Offline => offline::plan(&ctx).await,
                    Planner::Model(setup) => crate::model::plan(&ctx, setup).await,
                };
                match planned {
                    Ok(plan) => {
                        self.store.save_plan(&run.id, &plan, false)?;
                        ctx.emit(EventKind::PlanProposed { plan: plan.clone() });
                        (plan, false)
                    }
                    Err(crate::Unplannable::Unsupported(message)) => {
                        return self.finish(&ctx, RunStatus::Unsupported, Some(message));
                    }
                    Err(crate::Unplannable::Failed(_)) if ctx.stop_requested() => {
                        if let Some(q) = ctx.take_pending_question() {
                            return self.finish_waiting(&ctx, vec![q]);
                        }
                        return self.finish(
                            &ctx,
                            RunStatus::Stopped,
                            stopped(crate::messages::Msg::StoppedWhilePlanning),
                        );
                    }
                    Err(crate::Unplannable::Failed(message)) => {
                        return self.finish(&ctx, RunStatus::Failed, Some(message));
                    }
                }
            }
        };

        // Questions come first (those of the plan, and those a step could not get answered):
        // answered ones are folded into the context the steps see.
        if !plan.questions.is_empty() {
            if accepted {
                ctx.emit(EventKind::Message {
                    text: crate::messages::Msg::ResumeAskingAgain
                        .fill(lang, &[("n", &plan.questions.len().to_string())]),
                });
            }
            let open = self.ask_questions(&ctx, &mut plan, accepted).await?;
            if !open.is_empty() {
                if ctx.stop_requested() {
                    return self.finish(
                        &ctx,
                        RunStatus::Stopped,
                        stopped(crate::messages::Msg::StoppedAtPrompt),
                    );
                }
                return self.finish_waiting(&ctx, open);
            }
        }

        if accepted {
            let reset = plan.reset_interrupted();
            for step in &reset {
                ctx.emit(EventKind::Message {
                    text: crate::messages::Msg::StepRestarted
                        .fill(lang, &[("n", &step.to_string())]),
                });
            }
            self.store.save_plan(&run.id, &plan, true)?;
        } else {
            let decision = interaction.review_plan(&run, &plan).await;
            if ctx.stop_requested() {
                // Ctrl-C at the prompt: the plan stays proposed; resume shows it again.
                return self.finish(
                    &ctx,
                    RunStatus::Stopped,
                    stopped(crate::messages::Msg::StoppedAtPrompt),
                );
            }
            match decision {
                PlanDecision::Accept(accepted) => {
                    if accepted != plan {
                        ctx.emit(EventKind::PlanEdited {
                            plan: accepted.clone(),
                        });
                    }
                    plan = accepted;
                }
                PlanDecision::Reject => {
                    ctx.emit(EventKind::PlanRejected);
                    return self.finish(
                        &ctx,
                        RunStatus::Stopped,
                        Some(crate::messages::Msg::PlanRejected.text(lang).into()),
                    );
                }
                PlanDecision::Defer => {
                    return self.finish(
                        &ctx,
                        RunStatus::NeedsInput,
                        stopped(crate::messages::Msg::PlanDeferred),
                    );
                }
            }
            self.store.save_plan(&run.id, &plan, true)?;
            ctx.emit(EventKind::PlanAccepted { plan: plan.clone() });
        }
        // Read-only is a mode: the accepted plan runs on a copy under COMMIS_HOME and the
        // summary lists what it would change, without one write in the user's folder.
        let exec_ctx = if read_only {
            match self.prepare_preview(&run)? {
                Some((grants, dir)) => {
                    let mut copy = run.clone();
                    copy.grants = grants;
                    let preview = self.context(
                        copy,
                        preview_policy(),
                        interaction.clone(),
                        lang,
                        &stop,
                        Some(dir),
                    )?;
                    preview.set_output_dir(&output_dir_of(options, lang));
                    spawn_stop_watch(stop.clone(), preview.clone());
                    preview
                }
                None => {
                    ctx.emit(EventKind::Message {
                        text: crate::messages::Msg::ReadOnlyTooLarge.fill(
                            lang,
                            &[("limit", &(PREVIEW_MAX_BYTES / 1_000_000).to_string())],
                        ),
                    });
                    ctx.clone()
                }
            }
        } else {
            ctx.clone()
        };
        self.execute(&exec_ctx, plan, planner).await
    }

    /// Asks each open question of the plan; answered ones leave `plan.questions` and join
    /// `plan.context.answers`. Returns the questions still open (nobody answered).
    async fn ask_questions(
        &self,
        ctx: &Arc<RunContext>,
        plan: &mut Plan,
        accepted: bool,
    ) -> Result<Vec<String>, AgentError> {
        let mut answered = Vec::new();
        let mut open = Vec::new();
        for q in plan.questions.clone() {
            if !open.is_empty() || ctx.stop_requested() {
                open.push(q);
                continue;
            }
            ctx.emit(EventKind::QuestionAsked {
                question: q.clone(),
            });
            match ctx.interaction.answer(&q).await {
                Some(a) if !ctx.stop_requested() => {
                    ctx.emit(EventKind::QuestionAnswered {
                        question: q.clone(),
                        answer: a.clone(),
                    });
                    answered.push((q, a));
                }
                _ => open.push(q),
            }
        }
        plan.questions.retain(|q| open.contains(q));
        if !plan.context.is_object() {
            plan.context = serde_json::json!({});
        }
        if let Some(obj) = plan.context.as_object_mut() {
            let mut answers = obj
                .get("answers")
                .and_then(|a| a.as_array())
                .cloned()
                .unwrap_or_default();
            answers.extend(
                answered
                    .iter()
                    .map(|(q, a)| serde_json::json!({"question": q, "answer": a})),
            );
            obj.insert("answers".into(), serde_json::Value::Array(answers));
        }
        self.store.save_plan(&ctx.run.id, plan, accepted)?;
        Ok(open)
    }

    /// Ends a run that waits for answers: `needs_input`, the questions in the summary.
    fn finish_waiting(
        &self,
        ctx: &RunContext,
        questions: Vec<String>,
    ) -> Result<RunSummary, AgentError> {
        let run_id = ctx.run.id.to_string();
        let message = match questions.as_slice() {
            [one] => crate::messages::Msg::AskUserWaits
                .fill(ctx.lang, &[("question", one), ("run", &run_id)]),
            _ => crate::messages::Msg::PlanWaitsForAnswers.fill(ctx.lang, &[("run", &run_id)]),
        };
        self.finish_with(ctx, RunStatus::NeedsInput, Some(message), questions)
    }

    async fn execute(
        &self,
        ctx: &Arc<RunContext>,
        mut plan: Plan,
        planner: &Planner,
    ) -> Result<RunSummary, AgentError> {
        use crate::messages::Msg;
        let run_id = ctx.run.id.clone();
        let run_text = run_id.to_string();
        let lang = ctx.lang;
        self.store.set_status(&run_id, RunStatus::Running)?;
        if let Some(answers) = plan.context.get("answers").and_then(|a| a.as_array()) {
            let mut known = ctx.answers.lock().unwrap_or_else(|p| p.into_inner());
            for a in answers {
                if let (Some(q), Some(r)) = (
                    a.get("question").and_then(|q| q.as_str()),
                    a.get("answer").and_then(|r| r.as_str()),
                ) {
                    known.push((q.to_string(), r.to_string()));
                }
            }
        }
        let mut notes: Vec<(u32, String)> = plan
            .steps
            .iter()
            .filter_map(|s| s.note.clone().map(|n| (s.number, n)))
            .collect();
        while let Some(step) = plan.next_pending().cloned() {
            ctx.wait_while_paused().await;
            if ctx.stop_requested() {
                return self.finish(
                    ctx,
                    RunStatus::Stopped,
                    Some(Msg::StoppedAsAsked.fill(lang, &[("run", &run_text)])),
                );
            }
            plan.transition(step.number, StepStatus::Running)?;
            self.store.save_plan(&run_id, &plan, true)?;
            ctx.set_current_step(step.number);
            ctx.emit(EventKind::StepStarted {
                step: step.number,
                title: step.title.clone(),
            });
            if let Some(ms) = test_step_delay() {
                // Stop-aware, so Ctrl-C during the delay behaves as during real work.
                let until = std::time::Instant::now() + std::time::Duration::from_millis(ms);
                while std::time::Instant::now() < until && !ctx.stop_requested() {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                if ctx.stop_requested() {
                    let _ = plan.transition(step.number, StepStatus::Pending);
                    self.store.save_plan(&run_id, &plan, true)?;
                    return self.finish(
                        ctx,
                        RunStatus::Stopped,
                        Some(Msg::StoppedAsAsked.fill(lang, &[("run", &run_text)])),
                    );
                }
            }
            let outcome = match planner {
                Planner::Offline => offline::run_step(ctx, &plan, &step).await,
                Planner::Model(setup) => {
                    crate::model::run_step(ctx, setup, &plan, &step, &notes).await
                }
            };
            let (status, note) = match outcome {
                Ok(note) => (StepStatus::Done, note),
                Err(crate::StepFailure::Stopped) => {
                    // Back in line: `resume` will run it again from a clean state.
                    let _ = plan.transition(step.number, StepStatus::Pending);
                    if let Some(question) = ctx.take_pending_question() {
                        // `ask_user` found nobody to answer: the question joins the plan's
                        // open questions, asked again by `resume` before the step reruns.
                        if !plan.questions.contains(&question) {
                            plan.questions.push(question.clone());
                        }
                        self.store.save_plan(&run_id, &plan, true)?;
                        return self.finish_waiting(ctx, vec![question]);
                    }
                    self.store.save_plan(&run_id, &plan, true)?;
                    return self.finish(
                        ctx,
                        RunStatus::Stopped,
                        Some(Msg::StoppedAsAsked.fill(lang, &[("run", &run_text)])),
                    );
                }
                Err(crate::StepFailure::Failed(reason)) => (StepStatus::Failed, reason),
            };
            plan.transition(step.number, status)?;
            if let Some(s) = plan.steps.iter_mut().find(|s| s.number == step.number) {
                s.note = Some(note.clone());
            }
            notes.push((step.number, note.clone()));
            self.store.save_plan(&run_id, &plan, true)?;
            ctx.emit(EventKind::StepFinished {
                step: step.number,
                status,
                note: Some(note),
            });
            // A model may have revised the remaining steps with update_plan (approved at
            // the gate): finished steps stay as they are, the pending ones are replaced.
            let revised = ctx
                .proposed_plan
                .lock()
                .map(|mut p| p.take())
                .unwrap_or(None);
            if let Some(revised) = revised {
                plan.steps.retain(|s| s.status != StepStatus::Pending);
                plan.steps.extend(revised.steps);
                plan.renumber();
                self.store.save_plan(&run_id, &plan, true)?;
                ctx.emit(EventKind::PlanEdited { plan: plan.clone() });
            }
        }
        if let Planner::Model(setup) = planner {
            let largest = setup
                .largest_context
                .load(std::sync::atomic::Ordering::SeqCst);
            ctx.emit(EventKind::Message {
                text: Msg::LargestContext.fill(lang, &[("n", &largest.to_string())]),
            });
        }
        ctx.set_current_step(0);
        let (status, message) = if plan.any_failed() {
            (
                RunStatus::Failed,
                Some(Msg::StepFailed.fill(lang, &[("run", &run_text)])),
            )
        } else if ctx.refused_unattended() > 0 {
            (
                RunStatus::NeedsInput,
                Some(Msg::WaitingForApproval.text(lang).to_string()),
            )
        } else {
            (RunStatus::Done, None)
        };
        self.finish(ctx, status, message)
    }

    fn finish(
        &self,
        ctx: &RunContext,
        status: RunStatus,
        message: Option<String>,
    ) -> Result<RunSummary, AgentError> {
        self.finish_with(ctx, status, message, Vec::new())
    }

    fn finish_with(
        &self,
        ctx: &RunContext,
        status: RunStatus,
        message: Option<String>,
        questions: Vec<String>,
    ) -> Result<RunSummary, AgentError> {
        self.store.set_status(&ctx.run.id, status)?;
        let mut summary = self.summary(&ctx.run.id)?;
        summary.status = status;
        summary.message = message;
        summary.questions = questions;
        if let Some(dir) = &ctx.preview_dir {
            // Nothing changed in the user's folder: the changes are what it would do.
            let preview = commis_core::Preview {
                dir: dir.display().to_string(),
                created: std::mem::take(&mut summary.created),
                modified: std::mem::take(&mut summary.modified),
                moved: std::mem::take(&mut summary.moved),
                deleted: std::mem::take(&mut summary.deleted),
            };
            if status == RunStatus::Done {
                let note =
                    crate::messages::Msg::ReadOnlyDone.fill(ctx.lang, &[("dir", &preview.dir)]);
                summary.message = Some(match summary.message.take() {
                    Some(m) => format!("{note}\n{m}"),
                    None => note,
                });
            }
            summary.preview = Some(Box::new(preview));
        }
        ctx.emit(EventKind::RunFinished {
            status,
            summary: summary.clone(),
        });
        Ok(summary)
    }

    /// What a run changed, from its journal (the source of truth), with its token usage.
    pub fn summary(&self, run_id: &RunId) -> Result<RunSummary, AgentError> {
        let run = self.store.run(run_id.as_str())?;
        let entries = commis_core::JournalStore::entries(self.store.as_ref(), run_id)
            .map_err(commis_workspace::WorkspaceError::from)?;
        let mut summary = RunSummary::empty(run_id.clone(), run.status);
        let prefix = |root: &PathBuf| -> String {
            if run.grants.len() > 1 {
                root.file_name()
                    .map(|n| format!("{}/", n.to_string_lossy()))
                    .unwrap_or_default()
            } else {
                String::new()
            }
        };
        for entry in entries.iter().filter(|e| e.state == JournalState::Done) {
            let p = prefix(&entry.root);
            for op in entry.op.leaves() {
                apply_to_summary(&mut summary, op, &p);
            }
        }
        summary.tokens = self.store.tokens(run_id)?;
        Ok(summary)
    }

    /// Runs one tool in a granted folder, journaled as a run of its own (so `undo` works).
    pub async fn call_tool(
        &self,
        grant: Grant,
        name: &str,
        input: serde_json::Value,
        policy: Policy,
        interaction: Arc<dyn Interaction>,
    ) -> Result<serde_json::Value, AgentError> {
        let registry = crate::tools::Registry::standard();
        if !registry.names().contains(&name) {
            return Err(AgentError::UnknownTool {
                name: name.to_string(),
                known: registry.names().iter().map(|n| n.to_string()).collect(),
            });
        }
        let req = RunRequest {
            grants: vec![grant],
            brief: format!("tool {name}"),
            policy: policy.clone(),
            planner: Planner::Offline,
            stop: StopHandle::default(),
            options: serde_json::json!({"tool": name}),
        };
        let mut run = self.create_run(&req)?;
        run.provider = "tool".into();
        let ctx = self.context(
            run.clone(),
            policy,
            interaction,
            Lang::En,
            &StopHandle::default(),
            None,
        )?;
        self.store.set_status(&run.id, RunStatus::Running)?;
        let result = registry.call(&ctx, name, input).await;
        let status = if result.is_ok() {
            RunStatus::Done
        } else {
            RunStatus::Failed
        };
        self.store.set_status(&run.id, status)?;
        match result {
            Ok(mut v) => {
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("run_id".into(), serde_json::json!(run.id));
                }
                Ok(v)
            }
            Err(e) => Err(AgentError::Tool(e)),
        }
    }

    /// Restores every file the run touched, byte for byte: what is in conflict is left as
    /// it is and listed (or, with `force`, restored with the other version kept beside it).
    /// Refused while a later run depends on its files (see [`Engine::undo_cascade`]).
    pub fn undo(
        &self,
        run_id: &str,
        force: bool,
    ) -> Result<commis_workspace::UndoReport, AgentError> {
        let mut reports = self.undo_runs(run_id, force, false)?;
        reports
            .pop()
            .ok_or_else(|| AgentError::NothingUndone(run_id.to_string()))
    }

    /// Undoes the later runs that changed the same files, newest first, then `run_id`.
    /// One report per run undone, `run_id`'s last.
    pub fn undo_cascade(
        &self,
        run_id: &str,
        force: bool,
    ) -> Result<Vec<commis_workspace::UndoReport>, AgentError> {
        self.undo_runs(run_id, force, true)
    }

    fn undo_runs(
        &self,
        run_id: &str,
        force: bool,
        cascade: bool,
    ) -> Result<Vec<commis_workspace::UndoReport>, AgentError> {
        let run = self.store.run(run_id)?;
        let lang = offline::brief::understand(&run.brief).lang;
        // Not while a run (or another undo) works in the same folder.
        let mut locks = Vec::new();
        for g in run
            .grants
            .iter()
            .filter(|g| g.mode == commis_core::AccessMode::ReadWrite)
        {
            let holder =
                commis_workspace::LockHolder::this_process(&format!("undo {run_id}"), &g.path);
            locks.push(commis_workspace::FolderLock::try_acquire(
                &self.home.join("locks"),
                &holder,
            )?);
        }
        let opts = commis_workspace::UndoOptions {
            force,
            later: Vec::new(),
            kept_label: crate::messages::Msg::KeptVersion.text(lang).into(),
        };
        let later_of = |r: &RunId| {
            self.store
                .later_entries(r)
                .map_err(commis_workspace::WorkspaceError::from)
        };
        let reports = if cascade {
            commis_workspace::undo_cascade(
                &run.id,
                self.store.as_ref(),
                &self.blobs,
                &opts,
                &later_of,
            )?
        } else {
            let opts = commis_workspace::UndoOptions {
                later: later_of(&run.id)?,
                ..opts
            };
            vec![commis_workspace::undo_run_with(
                &run.id,
                self.store.as_ref(),
                &self.blobs,
                &opts,
            )?]
        };
        for report in &reports {
            let n = report_count(report).to_string();
            let left = report.conflicts.iter().filter(|c| !c.restored).count();
            let text = if report.complete {
                crate::messages::Msg::UndoEvent.fill(lang, &[("n", &n)])
            } else {
                crate::messages::Msg::UndoEventPartial
                    .fill(lang, &[("n", &n), ("left", &left.to_string())])
            };
            self.store
                .append_event(&report.run, EventKind::Message { text })?;
        }
        Ok(reports)
    }

    /// Takes the lock of every folder the run may change: one run per folder at a time.
    /// With [`Engine::wait_for_folder`], waits (saying for which run) until it is free; a
    /// lock left by a process that died is taken over. Then removes the temporary files a
    /// crash left in those folders.
    async fn lock_folders(
        &self,
        ctx: &RunContext,
    ) -> Result<Vec<commis_workspace::FolderLock>, AgentError> {
        use crate::messages::{Msg, folder_busy};
        use commis_workspace::{FolderLock, LockHolder, WorkspaceError};
        let mut locks = Vec::new();
        for g in ctx
            .run
            .grants
            .iter()
            .filter(|g| g.mode == commis_core::AccessMode::ReadWrite)
        {
            let holder = LockHolder::this_process(ctx.run.id.as_str(), &g.path);
            let mut announced = false;
            loop {
                match FolderLock::try_acquire(&self.home.join("locks"), &holder) {
                    Ok(lock) => {
                        if let Some(dead) = &lock.taken_over {
                            ctx.emit(EventKind::Message {
                                text: Msg::LockTakenOver.fill(
                                    ctx.lang,
                                    &[("run", &dead.run_id), ("pid", &dead.pid.to_string())],
                                ),
                            });
                        }
                        locks.push(lock);
                        break;
                    }
                    Err(WorkspaceError::FolderBusy { folder, holder }) => {
                        if !self.wait_for_folder || ctx.stop_requested() {
                            return Err(WorkspaceError::FolderBusy { folder, holder }.into());
                        }
                        if !announced {
                            announced = true;
                            let message = folder_busy(&folder, holder.as_ref(), ctx.lang);
                            ctx.emit(EventKind::Message {
                                text: Msg::WaitingFor.fill(ctx.lang, &[("message", &message)]),
                            });
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        match ctx.workspace.clean_orphaned_temp_files() {
            Ok(removed) if !removed.is_empty() => ctx.emit(EventKind::Message {
                text: Msg::TempFilesRemoved.fill(ctx.lang, &[("files", &removed.join(", "))]),
            }),
            Ok(_) => {}
            Err(e) => tracing::warn!("could not clean temporary files: {e}"),
        }
        // What a crash left half-recorded is settled, so each change is counted once.
        if let Err(e) = ctx.workspace.settle_interrupted() {
            tracing::warn!("could not settle interrupted journal entries: {e}");
        }
        Ok(locks)
    }
}

/// Whether a run's changes were reverted by `commis undo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UndoState {
    NotUndone,
    /// Some changes were reverted, others are still in place (conflicts, an undo cut short).
    PartlyUndone,
    Undone,
}

impl UndoState {
    /// The word shown beside the status in `history` and `show`, if any.
    pub fn label(self, lang: Lang) -> Option<&'static str> {
        match self {
            UndoState::NotUndone => None,
            UndoState::PartlyUndone => Some(crate::messages::Msg::PartlyUndone.text(lang)),
            UndoState::Undone => Some(crate::messages::Msg::Undone.text(lang)),
        }
    }
}

/// The largest folder a read-only run copies for its preview.
const PREVIEW_MAX_BYTES: u64 = 1_000_000_000;

/// What a read-only run may do on its private copy: everything but commands (the point is
/// to show every change it would make; nothing of it reaches the user's folder).
fn preview_policy() -> Policy {
    Policy::yes([
        commis_core::ActionKind::Move,
        commis_core::ActionKind::Delete,
    ])
}

impl Engine {
    /// The copy a read-only run works on, under `COMMIS_HOME/previews/RUN/`, one folder per
    /// grant (made once; a resumed run finds it again). `None` when the folders are too
    /// large to copy. Only reads the user's folders: regular files and folders, no links.
    fn prepare_preview(&self, run: &Run) -> Result<Option<(Vec<Grant>, PathBuf)>, AgentError> {
        let dir = self.home.join("previews").join(run.id.as_str());
        let names: Vec<String> = run
            .grants
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let name = g
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| "dossier".into());
                if run.grants[..i]
                    .iter()
                    .any(|o| o.path.file_name() == g.path.file_name())
                {
                    format!("{name}-{i}")
                } else {
                    name
                }
            })
            .collect();
        let grants_in = |root: &Path| -> Result<Vec<Grant>, AgentError> {
            run.grants
                .iter()
                .zip(&names)
                .map(|(g, n)| {
                    let path = root.join(n);
                    Ok(Grant {
                        path: path.canonicalize().map_err(|source| AgentError::Preview {
                            path: path.clone(),
                            source,
                        })?,
                        mode: g.mode,
                    })
                })
                .collect()
        };
        if dir.is_dir() {
            return Ok(Some((grants_in(&dir)?, dir)));
        }
        let mut total = 0u64;
        for g in &run.grants {
            total += tree_size(&g.path);
            if total > PREVIEW_MAX_BYTES {
                return Ok(None);
            }
        }
        // Copied aside then renamed: a crash mid-copy never leaves a partial preview.
        let tmp = self
            .home
            .join("previews")
            .join(format!("{}.partial", run.id));
        let fail = |source: std::io::Error, p: &Path| AgentError::Preview {
            path: p.to_path_buf(),
            source,
        };
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| fail(e, &tmp))?;
        }
        for (g, n) in run.grants.iter().zip(&names) {
            copy_tree(&g.path, &tmp.join(n)).map_err(|e| fail(e, &tmp))?;
        }
        std::fs::rename(&tmp, &dir).map_err(|e| fail(e, &dir))?;
        Ok(Some((grants_in(&dir)?, dir)))
    }
}

fn tree_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => tree_size(&e.path()),
            Ok(m) if m.is_file() => m.len(),
            _ => 0,
        })
        .sum()
}

/// Copies regular files and folders; links are skipped (they could lead outside).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        // `DirEntry::file_type` does not follow links.
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn report_count(report: &commis_workspace::UndoReport) -> usize {
    report.entries_undone
}

fn apply_to_summary(s: &mut RunSummary, op: &JournalOp, prefix: &str) {
    let p = |x: &str| format!("{prefix}{x}");
    match op {
        JournalOp::Create { path, .. } => {
            let path = p(path);
            s.deleted.retain(|d| d != &path);
            if !s.created.contains(&path) {
                s.created.push(path);
            }
        }
        JournalOp::Modify { path, .. } => {
            let path = p(path);
            if !s.created.contains(&path) && !s.modified.contains(&path) {
                s.modified.push(path);
            }
        }
        JournalOp::Move { from, to, .. } => {
            let (from, to) = (p(from), p(to));
            if let Some(c) = s.created.iter_mut().find(|c| **c == from) {
                *c = to;
            } else if let Some(m) = s.moved.iter_mut().find(|(_, t)| *t == from) {
                m.1 = to;
            } else {
                s.moved.push((from, to));
            }
        }
        JournalOp::Delete { path, .. } => {
            let path = p(path);
            if let Some(i) = s.created.iter().position(|c| *c == path) {
                s.created.remove(i);
            } else {
                s.modified.retain(|m| *m != path);
                s.deleted.push(path);
            }
        }
        JournalOp::MakeDir { .. } | JournalOp::Batch { .. } => {}
    }
}

/// The run's output folder: `options.output_dir` (a template's or `--output`), cleaned to a
/// relative path, else "Livrables" / "Deliverables" by the brief's language.
fn output_dir_of(options: &serde_json::Value, lang: Lang) -> String {
    options
        .get("output_dir")
        .and_then(|o| o.as_str())
        .map(|o| o.trim().trim_matches('/').to_string())
        .filter(|o| !o.is_empty() && !o.split('/').any(|c| c == ".." || c.is_empty()))
        .unwrap_or_else(|| offline::output_dir(lang).to_string())
}

/// `COMMIS_TEST_STEP_DELAY_MS`: a testing knob that holds each step after it starts, so a
/// crash test can kill the process mid-run. Unset in normal use.
fn test_step_delay() -> Option<u64> {
    std::env::var("COMMIS_TEST_STEP_DELAY_MS")
        .ok()?
        .parse()
        .ok()
}

fn spawn_stop_watch(stop: StopHandle, ctx: Arc<RunContext>) {
    // A run started paused waits before its first step: sync now, not at the first poll.
    if stop.is_paused() {
        ctx.set_paused(true);
        ctx.emit(EventKind::RunPaused);
    }
    tokio::spawn(async move {
        loop {
            if stop.is_stopped() {
                ctx.request_stop();
                ctx.set_paused(false);
                return;
            }
            if stop.is_paused() != ctx.is_paused() {
                ctx.set_paused(stop.is_paused());
                ctx.emit(if stop.is_paused() {
                    EventKind::RunPaused
                } else {
                    EventKind::RunResumed
                });
            }
            if Arc::strong_count(&ctx) == 1 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
}

/// A little entropy for run ids without a random-number dependency.
fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(now_millis() as u64);
    h.finish() as u32
}

/// Builds an [`Engine`]: its state folder and what the front end adds (a rule sink, the
/// commands allowed without asking, extra tools, waiting for a busy folder).
pub struct EngineBuilder {
    home: PathBuf,
    rule_sink: Option<Arc<dyn RuleSink>>,
    exec_allow: Vec<String>,
    extra_tools: Vec<Arc<dyn crate::tools::Tool>>,
    wait_for_folder: bool,
}

impl EngineBuilder {
    /// Where "always in this folder" answers are saved.
    pub fn rule_sink(mut self, sink: Arc<dyn RuleSink>) -> Self {
        self.rule_sink = Some(sink);
        self
    }

    /// Command patterns that run without asking (config `exec_allow`).
    pub fn exec_allow(mut self, patterns: Vec<String>) -> Self {
        self.exec_allow = patterns;
        self
    }

    /// Extra tools offered to models (the MCP servers the user configured).
    pub fn extra_tools(mut self, tools: Vec<Arc<dyn crate::tools::Tool>>) -> Self {
        self.extra_tools = tools;
        self
    }

    /// When another run holds a granted folder: wait for it instead of refusing.
    pub fn wait_for_folder(mut self, wait: bool) -> Self {
        self.wait_for_folder = wait;
        self
    }

    /// Opens the state kept in the home folder (database and backups), creating it if
    /// needed.
    pub fn open(self) -> Result<Engine, AgentError> {
        let mut engine = Engine::open(&self.home)?;
        engine.rule_sink = self.rule_sink;
        engine.exec_allow = self.exec_allow;
        engine.extra_tools = self.extra_tools;
        engine.wait_for_folder = self.wait_for_folder;
        Ok(engine)
    }
}

/// What front ends read and keep through the engine, so none of them reaches into the
/// store: runs and their records (plan, trace, approvals, changes), templates, schedules.
impl Engine {
    /// A builder for an engine whose state lives in `home` (COMMIS_HOME).
    pub fn builder(home: &Path) -> EngineBuilder {
        EngineBuilder {
            home: home.to_path_buf(),
            rule_sink: None,
            exec_allow: Vec::new(),
            extra_tools: Vec::new(),
            wait_for_folder: false,
        }
    }

    /// Adds tools offered to models after the engine is built (MCP servers connect once
    /// the planner is known).
    pub fn add_extra_tools(&mut self, tools: Vec<Arc<dyn crate::tools::Tool>>) {
        self.extra_tools.extend(tools);
    }

    /// Whether runs wait for a folder another run holds instead of refusing.
    pub fn set_wait_for_folder(&mut self, wait: bool) {
        self.wait_for_folder = wait;
    }

    /// A run as stored (its status as last written; see [`Engine::run_as_shown`]).
    pub fn stored_run(&self, run_id: &str) -> Result<Run, AgentError> {
        Ok(self.store.run(run_id)?)
    }

    /// The latest runs as stored, newest first.
    pub fn stored_runs(&self, limit: usize) -> Result<Vec<Run>, AgentError> {
        Ok(self.store.runs(limit)?)
    }

    /// The language the engine answers a brief in (its messages, deliverables and
    /// summary): the offline reader's, which refines [`Lang::detect`] with typo fixes.
    pub fn brief_lang(brief: &str) -> Lang {
        offline::brief::understand(brief).lang
    }

    /// The language of a run's messages: its brief's.
    pub fn run_lang(&self, run_id: &str) -> Result<Lang, AgentError> {
        Ok(Engine::brief_lang(&self.store.run(run_id)?.brief))
    }

    /// The options a run was started with, for `resume` (defaults when none were kept).
    pub fn stored_options(&self, run_id: &str) -> Result<StoredOptions, AgentError> {
        Ok(serde_json::from_value(self.store.run_options(run_id)?).unwrap_or_default())
    }

    /// The run's plan and whether it was accepted.
    pub fn plan(&self, run_id: &RunId) -> Result<Option<(Plan, bool)>, AgentError> {
        Ok(self.store.plan(run_id)?)
    }

    /// The run's trace: its events after sequence number `after` (0 for all).
    pub fn trace(&self, run_id: &RunId, after: u64) -> Result<Vec<commis_core::Event>, AgentError> {
        Ok(self.store.events(run_id, after)?)
    }

    /// Every approval asked during the run, with its answer.
    pub fn approvals(&self, run_id: &RunId) -> Result<Vec<ApprovalRecord>, AgentError> {
        Ok(self.store.approvals(run_id)?)
    }

    /// The tokens the run's model calls used.
    pub fn tokens(&self, run_id: &RunId) -> Result<commis_core::TokenUsage, AgentError> {
        Ok(self.store.tokens(run_id)?)
    }

    /// The run's changes, as journaled (each one undoable).
    pub fn changes(&self, run_id: &RunId) -> Result<Vec<commis_core::JournalEntry>, AgentError> {
        Ok(commis_core::JournalStore::entries(
            self.store.as_ref(),
            run_id,
        )?)
    }

    /// The journal, for readers that show what a run changed (previews).
    pub fn journal(&self) -> Arc<dyn commis_core::JournalStore> {
        self.store.clone()
    }

    /// Records a run's end when its driver could not finish it: `status` and a trace event
    /// saying why (best effort: the run is already ending).
    pub fn mark_ended(&self, run_id: &RunId, status: RunStatus, event: EventKind) {
        let _ = self.store.set_status(run_id, status);
        let _ = self.store.append_event(run_id, event);
    }

    /// Adds an event to a run's trace.
    pub fn append_event(
        &self,
        run_id: &RunId,
        event: EventKind,
    ) -> Result<commis_core::Event, AgentError> {
        Ok(self.store.append_event(run_id, event)?)
    }

    /// Sets a run's stored status.
    pub fn set_status(&self, run_id: &RunId, status: RunStatus) -> Result<(), AgentError> {
        Ok(self.store.set_status(run_id, status)?)
    }

    /// Saves a template (a brief with placeholders and its run options, as JSON).
    pub fn save_template(&self, name: &str, body: &serde_json::Value) -> Result<(), AgentError> {
        Ok(self.store.save_template(name, body)?)
    }

    /// Every saved template, by name.
    pub fn templates(&self) -> Result<Vec<NamedRecord>, AgentError> {
        Ok(self.store.templates()?)
    }

    /// The template saved under `name`.
    pub fn template(&self, name: &str) -> Result<NamedRecord, AgentError> {
        Ok(self.store.template(name)?)
    }

    /// Deletes a template; false when there was none of that name.
    pub fn delete_template(&self, name: &str) -> Result<bool, AgentError> {
        Ok(self.store.delete_template(name)?)
    }

    /// Saves a schedule (a template run regularly on a folder, as JSON).
    pub fn save_schedule(&self, name: &str, body: &serde_json::Value) -> Result<(), AgentError> {
        Ok(self.store.save_schedule(name, body)?)
    }

    /// Every schedule, with when it last ran.
    pub fn schedules(&self) -> Result<Vec<NamedRecord>, AgentError> {
        Ok(self.store.schedules()?)
    }

    /// Deletes a schedule; false when there was none of that name.
    pub fn delete_schedule(&self, name: &str) -> Result<bool, AgentError> {
        Ok(self.store.delete_schedule(name)?)
    }

    /// Records that a schedule ran at `at`.
    pub fn mark_schedule_run(&self, name: &str, at: commis_core::Millis) -> Result<(), AgentError> {
        Ok(self.store.mark_schedule_run(name, at)?)
    }
}
