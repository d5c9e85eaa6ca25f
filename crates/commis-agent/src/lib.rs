//! The commis agent: the run lifecycle (plan, review, execute, resume, undo), the tool
//! registry every front end shares, the model-driven loop with sub-agents, and the offline
//! planner that handles the common office briefs with no model at all.
//!
//! Not for: rendering (the CLI and the web UI read the event stream), provider wire formats
//! (commis-llm), or touching files directly (everything goes through commis-workspace).

pub mod bounded;
pub mod bus;
pub mod context;
pub mod engine;
pub mod interact;
pub mod messages;
pub mod model;
pub mod offline;
pub mod survey;
pub mod tools;

/// A step the user adds to a plan (terminal editor, web UI), read like a brief against the
/// plan's survey: the step it means, or why it cannot be run.
pub use offline::step_from_text;

/// Why a brief could not be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unplannable {
    /// Beyond what the chosen planner can do; says what it can do and how to get more.
    Unsupported(String),
    /// Planning itself failed (model error, unreadable folder).
    Failed(String),
}

/// How a step ended when it did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepFailure {
    /// The user stopped the run; the step goes back in line for `resume`.
    Stopped,
    Failed(String),
}
