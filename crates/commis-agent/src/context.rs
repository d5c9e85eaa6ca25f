//! Everything a tool call needs: the confined workspace, the policy and the user, the event
//! bus, and the run's shared state (notes of finished steps, the plan being proposed).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use commis_core::{
    ActionKind, ApprovalAnswer, ApprovalScope, EventKind, Plan, Policy, PolicyDecision, Rule, Run,
    TokenUsage,
};
use commis_store::Store;
use commis_workspace::{BlobStore, Workspace};

use crate::bus::EventBus;
use crate::interact::{ApprovalRequest, Interaction};
use crate::messages::Msg;
use crate::offline::brief::Lang;
use crate::tools::ToolError;

/// Saves "always allow this kind in this folder" rules where the user's config lives.
pub trait RuleSink: Send + Sync {
    fn save_rule(&self, rule: &Rule) -> Result<(), String>;
}

/// The run-wide state shared by the loop and the tools.
pub struct RunContext {
    pub run: Run,
    pub store: Arc<Store>,
    pub bus: EventBus,
    pub workspace: Arc<Workspace>,
    pub blobs: Arc<BlobStore>,
    pub interaction: Arc<dyn Interaction>,
    pub lang: Lang,
    pub rule_sink: Option<Arc<dyn RuleSink>>,
    policy: Mutex<Policy>,
    approval_seq: AtomicU64,
    refused_unattended: AtomicU64,
    stop: Arc<AtomicBool>,
    paused: AtomicBool,
    /// Commands that run without asking (the user's exec allowlist).
    pub exec_allowlist: Option<commis_sandbox::ExecAllowlist>,
    /// The folder (relative) where deliverables go: creating files there is not sensitive,
    /// as the plan said it would; writing anywhere else is asked.
    pub output_dir: Mutex<Option<String>>,
    /// Tools beyond the standard registry (MCP servers), offered to models during steps.
    pub extra_tools: Vec<Arc<dyn crate::tools::Tool>>,
    current_step: AtomicU32,
    tokens: Mutex<TokenUsage>,
    /// The plan a model proposed through `propose_plan` during the planning turn.
    pub proposed_plan: Mutex<Option<Plan>>,
    /// The note a step left through `complete_step`.
    pub step_note: Mutex<Option<String>>,
    /// Set when a tool stopped the run (the user answered "stop" to an approval).
    pub stop_requested_by_user: AtomicBool,
    /// A question `ask_user` could not get answered (nobody at the terminal): the run ends
    /// `needs_input` and `resume` asks it again.
    pub pending_question: Mutex<Option<String>>,
    /// Answers the user already gave (plan questions, and `ask_user` questions asked again
    /// on resume): `ask_user` returns them instead of asking twice.
    pub answers: Mutex<Vec<(String, String)>>,
    /// A `--read-only` run works on a copy of the folder kept here (under `COMMIS_HOME`).
    pub preview_dir: Option<PathBuf>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another thread must not take the run down with it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RunContext {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        run: Run,
        store: Arc<Store>,
        bus: EventBus,
        workspace: Arc<Workspace>,
        blobs: Arc<BlobStore>,
        interaction: Arc<dyn Interaction>,
        policy: Policy,
        lang: Lang,
    ) -> RunContext {
        let approvals = store
            .approvals(&run.id)
            .map(|a| a.iter().map(|r| r.id).max().unwrap_or(0))
            .unwrap_or(0);
        RunContext {
            run,
            store,
            bus,
            workspace,
            blobs,
            interaction,
            lang,
            rule_sink: None,
            policy: Mutex::new(policy),
            approval_seq: AtomicU64::new(approvals),
            refused_unattended: AtomicU64::new(0),
            stop: Arc::new(AtomicBool::new(false)),
            paused: AtomicBool::new(false),
            exec_allowlist: None,
            output_dir: Mutex::new(None),
            extra_tools: Vec::new(),
            current_step: AtomicU32::new(0),
            tokens: Mutex::new(TokenUsage::default()),
            proposed_plan: Mutex::new(None),
            step_note: Mutex::new(None),
            stop_requested_by_user: AtomicBool::new(false),
            pending_question: Mutex::new(None),
            answers: Mutex::new(Vec::new()),
            preview_dir: None,
        }
    }

    /// Makes this run stop on the same flag as the front end's stop handle, so a stop seen
    /// at a prompt is seen by the loop at once (no polling gap).
    pub fn share_stop_flag(&mut self, flag: Arc<AtomicBool>) {
        self.stop = flag;
    }

    /// An answer the user already gave to this exact question.
    pub fn known_answer(&self, question: &str) -> Option<String> {
        let q = question.trim();
        lock(&self.answers)
            .iter()
            .find(|(asked, _)| asked.trim() == q)
            .map(|(_, a)| a.clone())
    }

    /// Records that `ask_user` found nobody to answer and asks the run to stop there.
    pub fn defer_question(&self, question: &str) {
        *lock(&self.pending_question) = Some(question.to_string());
        self.request_stop();
    }

    pub fn take_pending_question(&self) -> Option<String> {
        lock(&self.pending_question).take()
    }

    pub fn emit(&self, kind: EventKind) {
        self.bus.emit(kind);
    }

    pub fn policy(&self) -> Policy {
        lock(&self.policy).clone()
    }

    /// Asks the run to stop at the next safe point.
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// Waits while the user has paused the run (a stop ends the wait).
    pub async fn wait_while_paused(&self) {
        while self.is_paused() && !self.stop_requested() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// The stop flag itself, for work that polls it from another thread.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    pub fn set_current_step(&self, step: u32) {
        self.current_step.store(step, Ordering::SeqCst);
    }

    pub fn current_step(&self) -> Option<u32> {
        match self.current_step.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n),
        }
    }

    /// How many actions were refused because nobody was there to approve them.
    pub fn refused_unattended(&self) -> u64 {
        self.refused_unattended.load(Ordering::SeqCst)
    }

    pub fn add_tokens(&self, usage: TokenUsage) {
        lock(&self.tokens).add(usage);
        if let Err(e) = self.store.add_tokens(&self.run.id, usage) {
            tracing::warn!("could not store token usage: {e}");
        }
        self.emit(EventKind::Tokens {
            input: usage.input,
            output: usage.output,
        });
    }

    pub fn tokens(&self) -> TokenUsage {
        *lock(&self.tokens)
    }

    /// The granted folder a relative path belongs to.
    pub fn folder_of(&self, path: &str) -> PathBuf {
        let grants = &self.run.grants;
        if grants.len() > 1 {
            let first = path.split('/').next().unwrap_or("");
            if let Some(g) = grants.iter().find(|g| {
                g.path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy() == first)
            }) {
                return g.path.clone();
            }
        }
        grants.first().map(|g| g.path.clone()).unwrap_or_default()
    }

    /// The approval gate: every sensitive action passes here before it happens.
    /// Returns `Ok` when the policy or the user allows it; records the question and the answer.
    pub async fn gate(
        &self,
        kind: ActionKind,
        description: String,
        paths: Vec<String>,
    ) -> Result<(), ToolError> {
        let folder = paths
            .first()
            .map(|p| self.folder_of(p))
            .unwrap_or_else(|| self.folder_of(""));
        let mut decision = self.policy().decide(kind, &folder);
        if kind == ActionKind::Read {
            return Ok(());
        }
        if kind == ActionKind::Create
            && decision == PolicyDecision::Ask
            && self.in_output_dir(&paths)
        {
            decision = PolicyDecision::Allow {
                by: "output folder",
            };
        }
        let id = self.approval_seq.fetch_add(1, Ordering::SeqCst) + 1;
        match decision {
            PolicyDecision::Allow { by } => {
                self.record_asked(id, kind, &description);
                self.record_answer(id, "yes", by);
                self.emit(EventKind::ApprovalGiven {
                    id,
                    scope: ApprovalScope::Once,
                    by: by.to_string(),
                });
                Ok(())
            }
            PolicyDecision::Deny { reason } => {
                let reason = if self.policy().mode == commis_core::PolicyMode::ReadOnly {
                    Msg::ReadOnlyRefuses.fill(
                        self.lang,
                        &[("kind", crate::messages::action_kind(kind, self.lang))],
                    )
                } else {
                    reason
                };
                self.record_asked(id, kind, &description);
                self.record_answer(id, "no", "policy");
                self.emit(EventKind::ApprovalRefused {
                    id,
                    reason: reason.clone(),
                });
                Err(ToolError::Refused(reason))
            }
            PolicyDecision::Ask => {
                self.record_asked(id, kind, &description);
                self.emit(EventKind::ApprovalAsked {
                    id,
                    kind,
                    description: description.clone(),
                });
                if !self.interaction.is_interactive() {
                    self.refused_unattended.fetch_add(1, Ordering::SeqCst);
                    let reason = Msg::NobodyToApprove.fill(
                        self.lang,
                        &[
                            ("kind", crate::messages::action_kind(kind, self.lang)),
                            ("flag", kind.as_str()),
                        ],
                    );
                    self.record_answer(id, "no", "unattended");
                    self.emit(EventKind::ApprovalRefused {
                        id,
                        reason: reason.clone(),
                    });
                    return Err(ToolError::Refused(reason));
                }
                let request = ApprovalRequest {
                    id,
                    kind,
                    description,
                    paths,
                    folder: folder.clone(),
                };
                match self.interaction.approve(&request).await {
                    ApprovalAnswer::Yes(scope) => {
                        match &scope {
                            ApprovalScope::Once => {}
                            ApprovalScope::Run => lock(&self.policy).grant_for_run(kind),
                            ApprovalScope::Always { folder } => {
                                let rule = Rule {
                                    folder: folder.clone(),
                                    kind,
                                };
                                lock(&self.policy).rules.push(rule.clone());
                                if let Some(sink) = &self.rule_sink
                                    && let Err(e) = sink.save_rule(&rule)
                                {
                                    tracing::warn!("could not save the rule: {e}");
                                }
                            }
                        }
                        self.record_answer(id, "yes", "user");
                        self.emit(EventKind::ApprovalGiven {
                            id,
                            scope,
                            by: "user".into(),
                        });
                        Ok(())
                    }
                    ApprovalAnswer::No => {
                        self.record_answer(id, "no", "user");
                        let reason = Msg::RefusedByUser.text(self.lang).to_string();
                        self.emit(EventKind::ApprovalRefused {
                            id,
                            reason: reason.clone(),
                        });
                        Err(ToolError::Refused(reason))
                    }
                    ApprovalAnswer::Stop => {
                        self.record_answer(id, "stop", "user");
                        self.stop_requested_by_user.store(true, Ordering::SeqCst);
                        self.request_stop();
                        let reason = Msg::StoppedByUser.text(self.lang).to_string();
                        self.emit(EventKind::ApprovalRefused {
                            id,
                            reason: reason.clone(),
                        });
                        Err(ToolError::Stopped)
                    }
                }
            }
        }
    }

    /// Whether every path is inside the run's output folder.
    fn in_output_dir(&self, paths: &[String]) -> bool {
        let out = lock(&self.output_dir).clone();
        match out {
            Some(dir) if !paths.is_empty() => paths.iter().all(|p| {
                let clean = p.trim_start_matches("./");
                clean == dir || clean.starts_with(&format!("{dir}/"))
            }),
            _ => false,
        }
    }

    /// Where deliverables go (relative to the granted folder).
    pub fn output_dir(&self) -> String {
        lock(&self.output_dir)
            .clone()
            .unwrap_or_else(|| crate::offline::output_dir(self.lang).to_string())
    }

    pub fn set_output_dir(&self, dir: &str) {
        *lock(&self.output_dir) = Some(dir.trim_end_matches('/').to_string());
    }

    fn record_asked(&self, id: u64, kind: ActionKind, description: &str) {
        if let Err(e) =
            self.store
                .record_approval_asked(&self.run.id, id, kind.as_str(), description)
        {
            tracing::warn!("could not store approval: {e}");
        }
    }

    fn record_answer(&self, id: u64, answer: &str, by: &str) {
        if let Err(e) = self
            .store
            .record_approval_answer(&self.run.id, id, answer, by)
        {
            tracing::warn!("could not store approval answer: {e}");
        }
    }
}
