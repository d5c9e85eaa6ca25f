//! What needs the user's approval. Two settings kept apart, as in codex: the sandbox says
//! what can be touched at all (granted folders); the policy says when the user must be asked.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The class of a tool call, which decides whether it needs approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Read,
    Create,
    Modify,
    Move,
    Delete,
    Exec,
    Network,
}

impl ActionKind {
    pub const ALL: [ActionKind; 7] = [
        ActionKind::Read,
        ActionKind::Create,
        ActionKind::Modify,
        ActionKind::Move,
        ActionKind::Delete,
        ActionKind::Exec,
        ActionKind::Network,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Read => "read",
            ActionKind::Create => "create",
            ActionKind::Modify => "modify",
            ActionKind::Move => "move",
            ActionKind::Delete => "delete",
            ActionKind::Exec => "exec",
            ActionKind::Network => "network",
        }
    }

    /// Parses the names used by `--allow` (`delete`, `move`, `exec`...).
    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When the user must be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyMode {
    /// Everything but reading is asked (the default).
    #[default]
    Ask,
    /// Creations and modifications pass; moves, deletions, commands and network are asked.
    Auto,
    /// Only reading; every other action is refused.
    ReadOnly,
}

impl PolicyMode {
    pub fn parse(s: &str) -> Option<PolicyMode> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "ask" => Some(PolicyMode::Ask),
            "auto" => Some(PolicyMode::Auto),
            "read_only" | "readonly" => Some(PolicyMode::ReadOnly),
            _ => None,
        }
    }
}

/// How far an approval reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalScope {
    /// This action only.
    Once,
    /// Every action of this kind for the rest of this run.
    Run,
    /// A rule saved in config: always allow this kind in this folder.
    Always { folder: PathBuf },
}

/// The user's answer to an approval prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalAnswer {
    Yes(ApprovalScope),
    No,
    /// Refuse and stop the whole run.
    Stop,
}

/// A saved "always allow KIND in FOLDER" rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub folder: PathBuf,
    pub kind: ActionKind,
}

/// What the policy says about one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyDecision {
    /// Go ahead; `by` says why (`policy`, `--allow`, `rule`, `run`).
    Allow { by: &'static str },
    /// Ask the user.
    Ask,
    /// Refused without asking.
    Deny { reason: String },
}

/// The approval policy of one run: mode, kinds allowed up front, saved rules and the
/// "all of this kind for this run" answers given so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub mode: PolicyMode,
    /// Kinds named by `--allow` (or allowed by config).
    pub allowed: BTreeSet<ActionKind>,
    pub rules: Vec<Rule>,
    run_grants: BTreeSet<ActionKind>,
}

impl Policy {
    pub fn new(mode: PolicyMode) -> Policy {
        Policy {
            mode,
            ..Policy::default()
        }
    }

    /// `--yes`: creations and modifications pass, plus whatever `--allow` names.
    pub fn yes(allowed: impl IntoIterator<Item = ActionKind>) -> Policy {
        Policy {
            mode: PolicyMode::Auto,
            allowed: allowed.into_iter().collect(),
            ..Policy::default()
        }
    }

    /// Remembers "all of this kind for this run".
    pub fn grant_for_run(&mut self, kind: ActionKind) {
        self.run_grants.insert(kind);
    }

    /// Decides whether an action of `kind` on something in `folder` may go ahead.
    pub fn decide(&self, kind: ActionKind, folder: &Path) -> PolicyDecision {
        if kind == ActionKind::Read {
            return PolicyDecision::Allow { by: "policy" };
        }
        if self.mode == PolicyMode::ReadOnly {
            return PolicyDecision::Deny {
                reason: format!("read-only mode refuses every {kind} action"),
            };
        }
        if self.mode == PolicyMode::Auto && matches!(kind, ActionKind::Create | ActionKind::Modify)
        {
            return PolicyDecision::Allow { by: "policy" };
        }
        if self.allowed.contains(&kind) {
            return PolicyDecision::Allow { by: "--allow" };
        }
        if self.run_grants.contains(&kind) {
            return PolicyDecision::Allow { by: "run" };
        }
        if self
            .rules
            .iter()
            .any(|r| r.kind == kind && folder.starts_with(&r.folder))
        {
            return PolicyDecision::Allow { by: "rule" };
        }
        PolicyDecision::Ask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = "/home/u/Clients";

    #[test]
    fn ask_mode_asks_for_everything_but_reading() {
        let p = Policy::new(PolicyMode::Ask);
        assert_eq!(
            p.decide(ActionKind::Read, Path::new(DIR)),
            PolicyDecision::Allow { by: "policy" }
        );
        for k in &ActionKind::ALL[1..] {
            assert_eq!(p.decide(*k, Path::new(DIR)), PolicyDecision::Ask, "{k}");
        }
    }

    #[test]
    fn yes_passes_creations_and_modifications_but_never_deletions_moves_or_commands() {
        let p = Policy::yes([]);
        assert!(matches!(
            p.decide(ActionKind::Create, Path::new(DIR)),
            PolicyDecision::Allow { .. }
        ));
        assert!(matches!(
            p.decide(ActionKind::Modify, Path::new(DIR)),
            PolicyDecision::Allow { .. }
        ));
        for k in [
            ActionKind::Move,
            ActionKind::Delete,
            ActionKind::Exec,
            ActionKind::Network,
        ] {
            assert_eq!(p.decide(k, Path::new(DIR)), PolicyDecision::Ask, "{k}");
        }
        let p = Policy::yes([ActionKind::Delete]);
        assert_eq!(
            p.decide(ActionKind::Delete, Path::new(DIR)),
            PolicyDecision::Allow { by: "--allow" }
        );
        assert_eq!(
            p.decide(ActionKind::Move, Path::new(DIR)),
            PolicyDecision::Ask
        );
    }

    #[test]
    fn read_only_refuses_every_change_even_when_allowed() {
        let mut p = Policy::new(PolicyMode::ReadOnly);
        p.allowed.insert(ActionKind::Delete);
        p.grant_for_run(ActionKind::Create);
        for k in &ActionKind::ALL[1..] {
            assert!(
                matches!(p.decide(*k, Path::new(DIR)), PolicyDecision::Deny { .. }),
                "{k}"
            );
        }
    }

    #[test]
    fn run_grants_and_folder_rules_pass_their_kind_only() {
        let mut p = Policy::new(PolicyMode::Ask);
        p.grant_for_run(ActionKind::Move);
        assert_eq!(
            p.decide(ActionKind::Move, Path::new(DIR)),
            PolicyDecision::Allow { by: "run" }
        );
        p.rules.push(Rule {
            folder: PathBuf::from(DIR),
            kind: ActionKind::Delete,
        });
        assert_eq!(
            p.decide(ActionKind::Delete, Path::new("/home/u/Clients/2024")),
            PolicyDecision::Allow { by: "rule" }
        );
        assert_eq!(
            p.decide(ActionKind::Delete, Path::new("/home/u/Other")),
            PolicyDecision::Ask
        );
        assert_eq!(
            p.decide(ActionKind::Exec, Path::new(DIR)),
            PolicyDecision::Ask
        );
    }

    #[test]
    fn allow_names_parse_case_insensitively() {
        assert_eq!(ActionKind::parse("Delete"), Some(ActionKind::Delete));
        assert_eq!(ActionKind::parse(" exec "), Some(ActionKind::Exec));
        assert_eq!(ActionKind::parse("rm"), None);
        assert_eq!(PolicyMode::parse("read-only"), Some(PolicyMode::ReadOnly));
    }
}
