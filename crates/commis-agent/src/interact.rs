//! How a run reaches its user: plan review, questions and approvals. The terminal, the web
//! UI and non-interactive runs (`--yes`, schedules, tests) each implement [`Interaction`].

use async_trait::async_trait;
use commis_core::{ActionKind, ApprovalAnswer, Plan, Run};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The user's verdict on a proposed plan.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanDecision {
    /// Go, with the plan as the user left it (possibly edited).
    Accept(Plan),
    /// Do nothing.
    Reject,
    /// Nobody can answer now: keep the plan and stop with `needs_input`.
    Defer,
}

/// A sensitive action waiting for the user's word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    pub id: u64,
    pub kind: ActionKind,
    /// What will happen, in one line ("move scan0001.pdf → Factures/scan0001.pdf").
    pub description: String,
    /// Every path concerned, for dialogs that list them.
    pub paths: Vec<String>,
    /// The granted folder the action happens in (for "always in this folder" rules).
    pub folder: PathBuf,
}

/// The channel between a run and its user.
#[async_trait]
pub trait Interaction: Send + Sync {
    /// Whether a person can answer right now (a terminal, a browser).
    fn is_interactive(&self) -> bool;
    async fn review_plan(&self, run: &Run, plan: &Plan) -> PlanDecision;
    /// Answers a question from the planner; `None` when nobody can answer now.
    async fn answer(&self, question: &str) -> Option<String>;
    async fn approve(&self, request: &ApprovalRequest) -> ApprovalAnswer;
}

/// A run with nobody to ask: the plan is accepted or deferred up front, questions stay
/// unanswered, and anything the policy does not already allow is refused.
#[derive(Debug, Clone)]
pub struct NonInteractive {
    pub accept_plan: bool,
}

#[async_trait]
impl Interaction for NonInteractive {
    fn is_interactive(&self) -> bool {
        false
    }

    async fn review_plan(&self, _run: &Run, plan: &Plan) -> PlanDecision {
        if self.accept_plan {
            PlanDecision::Accept(plan.clone())
        } else {
            PlanDecision::Defer
        }
    }

    async fn answer(&self, _question: &str) -> Option<String> {
        None
    }

    async fn approve(&self, _request: &ApprovalRequest) -> ApprovalAnswer {
        ApprovalAnswer::No
    }
}
