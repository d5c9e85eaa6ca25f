//! The user's configuration: a TOML file in the platform config dir (or `COMMIS_CONFIG`),
//! overridden by environment variables and then by flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use commis_core::{ActionKind, PolicyMode, Rule};
use serde::{Deserialize, Serialize};

/// One role's provider and model (planner, worker, sub-agents).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RoleConfig {
    pub provider: Option<String>,
    pub model: Option<String>,
    pub base_url: Option<String>,
}

/// A price per million tokens, in dollars.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PriceConfig {
    pub input: f64,
    pub output: f64,
}

/// An MCP server whose tools the model may use (`[mcp_servers.NAME]`).
pub type McpServerConfig = commis_mcp::ServerConfig;

/// The whole configuration file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// offline | anthropic | openai | scripted
    pub provider: Option<String>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    /// ask | auto | read-only
    pub policy: Option<String>,
    /// Folders offered by default (web UI) — nothing is granted without the user's choice.
    #[serde(default)]
    pub folders: Vec<PathBuf>,
    /// Sub-agents running at once (default 4).
    pub concurrency: Option<usize>,
    /// Stream model answers (default true); some proxies only handle whole answers.
    pub stream: Option<bool>,
    /// Seconds a model endpoint may stay silent (before answering, or between two pieces of
    /// a streamed answer) before the call is abandoned (default 300;
    /// `COMMIS_LLM_IDLE_TIMEOUT` wins).
    pub idle_timeout_secs: Option<f64>,
    /// Seconds a whole model call may take, retries included, however many keep-alive pings
    /// arrive (default 900; `COMMIS_LLM_DEADLINE` wins).
    pub call_deadline_secs: Option<f64>,
    #[serde(default)]
    pub planner: RoleConfig,
    #[serde(default)]
    pub worker: RoleConfig,
    #[serde(default)]
    pub subagent: RoleConfig,
    /// Prices per model name, overriding the built-in table.
    #[serde(default)]
    pub prices: BTreeMap<String, PriceConfig>,
    /// Commands that run without asking, e.g. "soffice --headless *".
    #[serde(default)]
    pub exec_allow: Vec<String>,
    /// "Always allow KIND in FOLDER" rules, saved from approval prompts.
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub mcp_servers: BTreeMap<String, McpServerConfig>,
}

/// Where the configuration lives.
pub fn config_path() -> PathBuf {
    if let Some(p) = std::env::var_os("COMMIS_CONFIG") {
        return PathBuf::from(p);
    }
    if let Some(home) = std::env::var_os("COMMIS_HOME") {
        return PathBuf::from(home).join("config.toml");
    }
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("commis")
        .join("config.toml")
}

/// Where runs, journal and backups live.
pub fn state_home() -> PathBuf {
    if let Some(home) = std::env::var_os("COMMIS_HOME") {
        return PathBuf::from(home);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("commis")
}

impl Config {
    /// Reads the config file; a missing file is an empty config.
    pub fn load_from(path: &Path) -> Result<Config> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).with_context(|| {
                format!(
                    "the configuration file {} is not valid TOML",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn load() -> Result<Config> {
        Config::load_from(&config_path())
    }

    pub fn save_to(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let text = toml::to_string(self).context("cannot write the configuration")?;
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    }

    pub fn policy_mode(&self) -> Result<PolicyMode> {
        match &self.policy {
            None => Ok(PolicyMode::Ask),
            Some(p) => PolicyMode::parse(p).with_context(|| {
                format!("policy = \"{p}\" in the configuration: use ask, auto or read-only")
            }),
        }
    }

    /// Adds a saved rule (no duplicates).
    pub fn add_rule(&mut self, rule: Rule) {
        if !self.rules.contains(&rule) {
            self.rules.push(rule);
        }
    }
}

/// Parses `--allow delete,move,exec`.
pub fn parse_allow(list: &[String]) -> Result<Vec<ActionKind>> {
    let mut out = Vec::new();
    for item in list.iter().flat_map(|s| s.split(',')) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let kind = ActionKind::parse(item).with_context(|| {
            format!(
                "--allow {item}: unknown action; use create, modify, move, delete, exec or network"
            )
        })?;
        out.push(kind);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_round_trips_through_toml() {
        let text = r#"
provider = "openai"
model = "gpt-4o-mini"
policy = "auto"
concurrency = 8
exec_allow = ["soffice --headless *"]

[planner]
provider = "anthropic"
model = "claude-sonnet-4-5"

[prices."gpt-4o-mini"]
input = 0.15
output = 0.6

[[rules]]
folder = "/home/u/Clients"
kind = "move"
"#;
        let cfg: Config = toml::from_str(text).unwrap();
        assert_eq!(cfg.policy_mode().unwrap(), PolicyMode::Auto);
        assert_eq!(cfg.planner.provider.as_deref(), Some("anthropic"));
        assert_eq!(cfg.rules[0].kind, ActionKind::Move);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        cfg.save_to(&path).unwrap();
        assert_eq!(Config::load_from(&path).unwrap(), cfg);
    }

    #[test]
    fn a_missing_file_is_an_empty_config_and_bad_values_are_explained() {
        let cfg = Config::load_from(Path::new("/nonexistent/commis.toml")).unwrap();
        assert_eq!(cfg, Config::default());
        let bad = Config {
            policy: Some("sometimes".into()),
            ..Config::default()
        };
        let err = bad.policy_mode().unwrap_err().to_string();
        assert!(err.contains("ask, auto or read-only"), "{err}");
        let err = parse_allow(&["delete,rm".into()]).unwrap_err().to_string();
        assert!(err.contains("--allow rm"), "{err}");
        assert_eq!(
            parse_allow(&["delete, move".into()]).unwrap(),
            vec![ActionKind::Delete, ActionKind::Move]
        );
    }
}
