//! A run: one brief applied to one or more granted folders.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

use crate::Millis;

/// Identifier of a run, e.g. `20261124-231500-3fa2`: sortable by time, short enough to type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub String);

impl RunId {
    /// Builds a new identifier from a time and a few random hex digits.
    pub fn new(now: Millis, entropy: u32) -> RunId {
        let secs = now.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        RunId(format!(
            "{y:04}{m:02}{d:02}-{:02}{:02}{:02}-{:04x}",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60,
            entropy & 0xffff
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Converts days since 1970-01-01 to a (year, month, day) civil date (proleptic Gregorian).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// How a granted folder may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessMode {
    ReadWrite,
    ReadOnly,
}

/// A folder the user granted to a run. Nothing outside the granted folders is visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub path: PathBuf,
    pub mode: AccessMode,
}

/// Where a run stands. `Done`, `Failed` and `Unsupported` are final; `Stopped`,
/// `NeedsInput` and `Interrupted` runs continue with `commis resume`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// The plan is being prepared or waits for the user's acceptance.
    Planning,
    Running,
    /// The run waits for an answer (a question or an approval) it cannot get non-interactively.
    NeedsInput,
    Done,
    Failed,
    Stopped,
    /// The brief is beyond what the chosen provider can do; nothing was changed.
    Unsupported,
    /// The process driving the run died (crash, kill, power cut) while it was planning or
    /// running. Never stored: shown for a `planning`/`running` run that nobody drives.
    Interrupted,
}

impl RunStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RunStatus::Done | RunStatus::Failed | RunStatus::Unsupported
        )
    }

    /// Whether a process is (or should be) driving the run right now: the statuses a run
    /// whose process died is left in.
    pub fn is_live(self) -> bool {
        matches!(self, RunStatus::Planning | RunStatus::Running)
    }

    /// The word used in the JSON summary and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Planning => "planning",
            RunStatus::Running => "running",
            RunStatus::NeedsInput => "needs_input",
            RunStatus::Done => "done",
            RunStatus::Failed => "failed",
            RunStatus::Stopped => "stopped",
            RunStatus::Unsupported => "unsupported",
            RunStatus::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        Some(match s {
            "planning" => RunStatus::Planning,
            "running" => RunStatus::Running,
            "needs_input" => RunStatus::NeedsInput,
            "done" => RunStatus::Done,
            "failed" => RunStatus::Failed,
            "stopped" => RunStatus::Stopped,
            "unsupported" => RunStatus::Unsupported,
            "interrupted" => RunStatus::Interrupted,
            _ => return None,
        })
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One brief applied to granted folders, with the provider that plans and executes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: RunId,
    pub brief: String,
    pub grants: Vec<Grant>,
    pub provider: String,
    pub model: Option<String>,
    pub status: RunStatus,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_carry_the_utc_date_and_time() {
        // 2026-11-24 23:15:00 UTC
        let id = RunId::new(1_795_562_100_000, 0x3fa2);
        assert_eq!(id.as_str(), "20261124-231500-3fa2");
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in [
            RunStatus::Planning,
            RunStatus::Running,
            RunStatus::NeedsInput,
            RunStatus::Done,
            RunStatus::Failed,
            RunStatus::Stopped,
            RunStatus::Unsupported,
            RunStatus::Interrupted,
        ] {
            assert_eq!(RunStatus::parse(s.as_str()), Some(s));
        }
        assert!(RunStatus::Done.is_final());
        assert!(!RunStatus::Running.is_final());
        // A stopped run continues with `commis resume`.
        assert!(!RunStatus::Stopped.is_final());
        assert!(!RunStatus::Interrupted.is_final());
    }
}
