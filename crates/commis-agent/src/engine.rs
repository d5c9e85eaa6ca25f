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
    #[error("run {0} is already finished ({1}); nothing to resume")]
    AlreadyFinished(String, RunStatus),
    #[error("run {0} has no accepted plan to resume; start it again with `commis run`")]
    NothingToResume(String),
    #[error("the model failed: {0}")]
    Model(#[from] commis_llm::LlmError),
    #[error(
        "run {0} is being driven by another commis process right now; wait for it to finish, or stop it first"
    )]
    Busy(String),
    #[error("{0}")]
    Other(String),
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
}

impl StopHandle {
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

/// The entry point of every front end: one per `COMMIS_HOME`.
#[derive(Clone)]
pub struct Engine {
    home: PathBuf,
    pub store: Arc<Store>,
    pub blobs: Arc<BlobStore>,
    events: broadcast::Sender<commis_core::Event>,
    pub rule_sink: Option<Arc<dyn RuleSink>>,
    /// Command patterns that run without asking (config `exec_allow`).
    pub exec_allow: Vec<String>,
    /// Extra tools offered to models (the MCP servers the user configured).
    pub extra_tools: Vec<Arc<dyn crate::tools::Tool>>,
}

impl Engine {
    /// Opens the state kept in `home` (database and backups), creating it if needed.
    pub fn open(home: &Path) -> Result<Engine, AgentError> {
        std::fs::create_dir_all(home).map_err(|e| {
            AgentError::Other(format!(
                "cannot create commis's state folder {}: {e} (set COMMIS_HOME to a writable folder)",
                home.display()
            ))
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
        std::fs::create_dir_all(&dir)
            .map_err(|e| AgentError::Other(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(format!("{run_id}.lock"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| AgentError::Other(format!("cannot open {}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(AgentError::Busy(run_id.to_string())),
            Err(std::fs::TryLockError::Error(e)) => Err(AgentError::Other(format!(
                "cannot lock {}: {e}",
                path.display()
            ))),
        }
    }

    /// Drives a created run.
    pub async fn drive(
        &self,
        run: Run,
        req: RunRequest,
        interaction: Arc<dyn Interaction>,
    ) -> Result<RunSummary, AgentError> {
        let _lock = self.lock_run(&run.id)?;
        let lang = offline::brief::understand(&run.brief).lang;
        let ctx = self.context(run.clone(), req.policy.clone(), interaction.clone(), lang)?;
        ctx.set_output_dir(&output_dir_of(&req.options, lang));
        spawn_stop_watch(req.stop.clone(), ctx.clone());
        ctx.emit(EventKind::RunStarted {
            brief: run.brief.clone(),
            provider: run.provider.clone(),
        });

        let planned = match &req.planner {
            Planner::Offline => offline::plan(&ctx).await,
            Planner::Model(setup) => crate::model::plan(&ctx, setup).await,
        };
        let mut plan = match planned {
            Ok(plan) => plan,
            Err(crate::Unplannable::Unsupported(message)) => {
                return self.finish(&ctx, RunStatus::Unsupported, Some(message));
            }
            Err(crate::Unplannable::Failed(_)) if ctx.stop_requested() => {
                let message = lang.pick(
                    "Arrêté à votre demande pendant la planification.",
                    "Stopped as you asked, while planning.",
                );
                return self.finish(&ctx, RunStatus::Stopped, Some(message.into()));
            }
            Err(crate::Unplannable::Failed(message)) => {
                return self.finish(&ctx, RunStatus::Failed, Some(message));
            }
        };
        self.store.save_plan(&run.id, &plan, false)?;
        ctx.emit(EventKind::PlanProposed { plan: plan.clone() });

        // Questions come first: answered ones are folded into the brief the steps see.
        if !plan.questions.is_empty() {
            let mut answered = Vec::new();
            for q in plan.questions.clone() {
                ctx.emit(EventKind::QuestionAsked {
                    question: q.clone(),
                });
                match interaction.answer(&q).await {
                    Some(a) => {
                        ctx.emit(EventKind::QuestionAnswered {
                            question: q.clone(),
                            answer: a.clone(),
                        });
                        answered.push((q, a));
                    }
                    None => {
                        let message = lang.pick(
                            "Le plan attend vos réponses : `commis show` les affiche, `commis resume` reprend.",
                            "The plan is waiting for your answers: `commis show` lists them, `commis resume` continues.",
                        );
                        return self.finish(&ctx, RunStatus::NeedsInput, Some(message.into()));
                    }
                }
            }
            plan.questions
                .retain(|q| !answered.iter().any(|(asked, _)| asked == q));
            if !plan.context.is_object() {
                plan.context = serde_json::json!({});
            }
            if let Some(obj) = plan.context.as_object_mut() {
                let answers: Vec<serde_json::Value> = answered
                    .iter()
                    .map(|(q, a)| serde_json::json!({"question": q, "answer": a}))
                    .collect();
                obj.insert("answers".into(), serde_json::Value::Array(answers));
            }
            self.store.save_plan(&run.id, &plan, false)?;
        }

        match interaction.review_plan(&run, &plan).await {
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
                let message = lang.pick(
                    "Plan refusé : rien n'a été modifié.",
                    "Plan rejected: nothing was changed.",
                );
                return self.finish(&ctx, RunStatus::Stopped, Some(message.into()));
            }
            PlanDecision::Defer => {
                let message = lang.pick(
                    "Plan proposé, en attente de votre accord : relancez avec --yes, ou `commis resume RUN` dans un terminal.",
                    "Plan proposed, waiting for your acceptance: run again with --yes, or `commis resume RUN` in a terminal.",
                );
                return self.finish(&ctx, RunStatus::NeedsInput, Some(message.into()));
            }
        }
        self.store.save_plan(&run.id, &plan, true)?;
        ctx.emit(EventKind::PlanAccepted { plan: plan.clone() });
        self.execute(&ctx, plan, &req.planner).await
    }

    /// Continues a run at its first unfinished step; finished steps are never redone.
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
        let lang = offline::brief::understand(&run.brief).lang;
        let Some((mut plan, accepted)) = self.store.plan(&run.id)? else {
            return Err(AgentError::NothingToResume(run.id.to_string()));
        };
        let ctx = self.context(run.clone(), policy, interaction.clone(), lang)?;
        let options = self.store.run_options(run.id.as_str())?;
        ctx.set_output_dir(&output_dir_of(&options, lang));
        spawn_stop_watch(stop, ctx.clone());
        if !accepted {
            match interaction.review_plan(&run, &plan).await {
                PlanDecision::Accept(p) => {
                    if p != plan {
                        ctx.emit(EventKind::PlanEdited { plan: p.clone() });
                    }
                    plan = p;
                    self.store.save_plan(&run.id, &plan, true)?;
                    ctx.emit(EventKind::PlanAccepted { plan: plan.clone() });
                }
                PlanDecision::Reject => {
                    ctx.emit(EventKind::PlanRejected);
                    return self.finish(&ctx, RunStatus::Stopped, None);
                }
                PlanDecision::Defer => {
                    return self.finish(&ctx, RunStatus::NeedsInput, None);
                }
            }
        }
        let reset = plan.reset_interrupted();
        for step in &reset {
            ctx.emit(EventKind::Message {
                text: lang
                    .pick(
                        "Reprise : l'étape {n} avait été interrompue, elle est relancée.",
                        "Resuming: step {n} was interrupted and runs again.",
                    )
                    .replace("{n}", &step.to_string()),
            });
        }
        self.store.save_plan(&run.id, &plan, true)?;
        self.execute(&ctx, plan, &planner).await
    }

    async fn execute(
        &self,
        ctx: &Arc<RunContext>,
        mut plan: Plan,
        planner: &Planner,
    ) -> Result<RunSummary, AgentError> {
        let run_id = ctx.run.id.clone();
        self.store.set_status(&run_id, RunStatus::Running)?;
        let mut notes: Vec<(u32, String)> = plan
            .steps
            .iter()
            .filter_map(|s| s.note.clone().map(|n| (s.number, n)))
            .collect();
        while let Some(step) = plan.next_pending().cloned() {
            ctx.wait_while_paused().await;
            if ctx.stop_requested() {
                let message = ctx
                    .lang
                    .pick("Arrêté à votre demande.", "Stopped as you asked.");
                return self.finish(ctx, RunStatus::Stopped, Some(message.into()));
            }
            plan.transition(step.number, StepStatus::Running)
                .map_err(|e| AgentError::Other(e.to_string()))?;
            self.store.save_plan(&run_id, &plan, true)?;
            ctx.set_current_step(step.number);
            ctx.emit(EventKind::StepStarted {
                step: step.number,
                title: step.title.clone(),
            });
            if let Some(ms) = test_step_delay() {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
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
                    self.store.save_plan(&run_id, &plan, true)?;
                    let message = ctx
                        .lang
                        .pick("Arrêté à votre demande.", "Stopped as you asked.");
                    return self.finish(ctx, RunStatus::Stopped, Some(message.into()));
                }
                Err(crate::StepFailure::Failed(reason)) => (StepStatus::Failed, reason),
            };
            plan.transition(step.number, status)
                .map_err(|e| AgentError::Other(e.to_string()))?;
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
                text: format!("largest context sent to the model: ~{largest} tokens"),
            });
        }
        ctx.set_current_step(0);
        let (status, message) = if plan.any_failed() {
            (
                RunStatus::Failed,
                Some(ctx.lang.pick(
                    "Au moins une étape a échoué : voir `commis show`.",
                    "At least one step failed: see `commis show`.",
                )),
            )
        } else if ctx.refused_unattended() > 0 {
            (
                RunStatus::NeedsInput,
                Some(ctx.lang.pick(
                    "Certaines actions attendent votre accord (déplacements, suppressions…) : relancez en mode interactif ou avec --allow.",
                    "Some actions are waiting for your approval (moves, deletions…): run interactively or with --allow.",
                )),
            )
        } else {
            (RunStatus::Done, None)
        };
        self.finish(ctx, status, message.map(str::to_string))
    }

    fn finish(
        &self,
        ctx: &RunContext,
        status: RunStatus,
        message: Option<String>,
    ) -> Result<RunSummary, AgentError> {
        self.store.set_status(&ctx.run.id, status)?;
        let mut summary = self.summary(&ctx.run.id)?;
        summary.status = status;
        summary.message = message;
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
            .map_err(|e| AgentError::Other(e.to_string()))?;
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
            return Err(AgentError::Other(format!(
                "unknown tool `{name}`; the tools are: {}",
                registry.names().join(", ")
            )));
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
        let ctx = self.context(run.clone(), policy, interaction, Lang::En)?;
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
            Err(e) => Err(AgentError::Other(e.to_string())),
        }
    }

    /// Restores every file the run touched, byte for byte.
    pub fn undo(
        &self,
        run_id: &str,
        force: bool,
    ) -> Result<commis_workspace::UndoReport, AgentError> {
        let run = self.store.run(run_id)?;
        let report = commis_workspace::undo_run(&run.id, self.store.as_ref(), &self.blobs, force)?;
        self.store.append_event(
            &run.id,
            EventKind::Message {
                text: format!("undo: {} change(s) reverted", report_count(&report)),
            },
        )?;
        Ok(report)
    }
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
