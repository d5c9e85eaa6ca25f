//! The typed event stream of a run. The terminal, the web UI and the store all read the
//! same events; the decision trace shown to users is made of them, not of log lines.

use serde::{Deserialize, Serialize};

use crate::Millis;
use crate::journal::JournalOp;
use crate::plan::{Plan, StepStatus};
use crate::policy::{ActionKind, ApprovalScope};
use crate::run::{RunId, RunStatus};
use crate::summary::RunSummary;

/// One thing that happened in a run, with its place in the run's sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub run_id: RunId,
    /// Position in the run's stream, from 1; assigned by the store.
    pub seq: u64,
    pub at: Millis,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    RunStarted {
        brief: String,
        provider: String,
    },
    PlanProposed {
        plan: Plan,
    },
    PlanEdited {
        plan: Plan,
    },
    PlanAccepted {
        plan: Plan,
    },
    PlanRejected,
    StepStarted {
        step: u32,
        title: String,
    },
    StepFinished {
        step: u32,
        status: StepStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Item `done` of `total` within a step (files read, rows written...).
    Progress {
        step: u32,
        done: u64,
        total: u64,
        #[serde(default)]
        label: String,
    },
    /// Why something was decided: which client a file belongs to, where a figure came from.
    Decision {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<u32>,
        subject: String,
        decision: String,
        reason: String,
    },
    /// A file the run read, for the audit report.
    FileRead {
        path: String,
    },
    ToolCalled {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<u32>,
        tool: String,
        input: serde_json::Value,
    },
    ToolFailed {
        tool: String,
        error: String,
    },
    ApprovalAsked {
        id: u64,
        kind: ActionKind,
        description: String,
    },
    ApprovalGiven {
        id: u64,
        scope: ApprovalScope,
        /// `user`, `policy` (auto mode, --yes, --allow) or `rule`.
        by: String,
    },
    ApprovalRefused {
        id: u64,
        reason: String,
    },
    FileChanged {
        op: JournalOp,
    },
    QuestionAsked {
        question: String,
    },
    QuestionAnswered {
        question: String,
        answer: String,
    },
    /// Text from the agent meant for the user.
    Message {
        text: String,
    },
    Tokens {
        input: u64,
        output: u64,
    },
    /// The user paused the run: it waits at the next safe point (between tool calls).
    RunPaused,
    /// The user let a paused run go on.
    RunResumed,
    /// A per-file problem that did not stop the run (corrupt PDF, unreadable file...).
    Warning {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        message: String,
    },
    RunFinished {
        status: RunStatus,
        summary: RunSummary,
    },
}

impl EventKind {
    /// The snake_case name of the variant, as stored and sent over SSE.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::RunStarted { .. } => "run_started",
            EventKind::PlanProposed { .. } => "plan_proposed",
            EventKind::PlanEdited { .. } => "plan_edited",
            EventKind::PlanAccepted { .. } => "plan_accepted",
            EventKind::PlanRejected => "plan_rejected",
            EventKind::StepStarted { .. } => "step_started",
            EventKind::StepFinished { .. } => "step_finished",
            EventKind::Progress { .. } => "progress",
            EventKind::Decision { .. } => "decision",
            EventKind::FileRead { .. } => "file_read",
            EventKind::ToolCalled { .. } => "tool_called",
            EventKind::ToolFailed { .. } => "tool_failed",
            EventKind::ApprovalAsked { .. } => "approval_asked",
            EventKind::ApprovalGiven { .. } => "approval_given",
            EventKind::ApprovalRefused { .. } => "approval_refused",
            EventKind::FileChanged { .. } => "file_changed",
            EventKind::QuestionAsked { .. } => "question_asked",
            EventKind::QuestionAnswered { .. } => "question_answered",
            EventKind::Message { .. } => "message",
            EventKind::Tokens { .. } => "tokens",
            EventKind::RunPaused => "run_paused",
            EventKind::RunResumed => "run_resumed",
            EventKind::Warning { .. } => "warning",
            EventKind::RunFinished { .. } => "run_finished",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_with_a_type_tag_and_round_trip() {
        let event = Event {
            run_id: RunId("r1".into()),
            seq: 3,
            at: 10,
            kind: EventKind::Progress {
                step: 1,
                done: 2,
                total: 5,
                label: "a.pdf".into(),
            },
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "progress");
        assert_eq!(json["total"], 5);
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
        assert_eq!(back.kind.name(), "progress");
    }
}
