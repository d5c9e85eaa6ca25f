//! Domain types shared by every part of commis: a run, its plan and steps, the event
//! stream every front end reads, the policy that decides what needs approval, and the
//! journal entries that make every change undoable.
//!
//! This crate does no I/O: it is the vocabulary the other crates speak.

pub mod event;
pub mod journal;
pub mod lang;
pub mod plan;
pub mod policy;
pub mod run;
pub mod summary;
pub mod template;

pub use event::{Event, EventKind};
pub use journal::{
    JournalEntry, JournalError, JournalOp, JournalState, JournalStore, MemoryJournal,
};
pub use lang::Lang;
pub use plan::{Plan, PlanError, Step, StepStatus};
pub use policy::{
    ActionKind, ApprovalAnswer, ApprovalScope, Policy, PolicyDecision, PolicyMode, Rule,
};
pub use run::{AccessMode, Grant, Run, RunId, RunStatus};
pub use summary::{Preview, RunSummary, TokenUsage};

/// Milliseconds since the Unix epoch; the one time representation stored and exchanged.
pub type Millis = i64;

/// The current time as [`Millis`].
pub fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}
