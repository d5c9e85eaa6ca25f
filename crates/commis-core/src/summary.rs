//! The run summary: the JSON object scripts rely on (`commis run --json`, last line).

use serde::{Deserialize, Serialize};

use crate::run::{RunId, RunStatus};

/// Tokens consumed by model calls during a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    pub input: u64,
    pub output: u64,
}

impl TokenUsage {
    pub fn add(&mut self, other: TokenUsage) {
        self.input += other.input;
        self.output += other.output;
    }
}

/// What a run did, with paths relative to the granted folder. Part of the public contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_id: RunId,
    pub status: RunStatus,
    pub created: Vec<String>,
    pub modified: Vec<String>,
    pub moved: Vec<(String, String)>,
    pub deleted: Vec<String>,
    pub tokens: TokenUsage,
    /// Estimated cost in US dollars, when a price is known for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// A human explanation when the status is not `done` (unsupported brief, failure...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The questions a `needs_input` run waits for (`commis resume` asks them again).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
    /// A `--read-only` run: what it would have changed, done on a copy kept under
    /// `COMMIS_HOME` (the contract lists above stay empty: the folder was not touched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<Preview>,
}

/// What a read-only run would change, and where the copy that shows it lives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// The copy of the folder the run worked on (under `COMMIS_HOME/previews/`).
    pub dir: String,
    pub created: Vec<String>,
    pub modified: Vec<String>,
    pub moved: Vec<(String, String)>,
    pub deleted: Vec<String>,
}

impl RunSummary {
    pub fn empty(run_id: RunId, status: RunStatus) -> RunSummary {
        RunSummary {
            run_id,
            status,
            created: Vec::new(),
            modified: Vec::new(),
            moved: Vec::new(),
            deleted: Vec::new(),
            tokens: TokenUsage::default(),
            cost_usd: None,
            message: None,
            questions: Vec::new(),
            preview: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_has_the_contract_fields() {
        let mut s = RunSummary::empty(RunId("r".into()), RunStatus::Done);
        s.moved.push(("a.pdf".into(), "Factures/a.pdf".into()));
        let v = serde_json::to_value(&s).unwrap();
        for key in [
            "run_id", "status", "created", "modified", "moved", "deleted", "tokens",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["status"], "done");
        assert_eq!(v["moved"][0][1], "Factures/a.pdf");
        assert_eq!(v["tokens"]["input"], 0);
    }
}
