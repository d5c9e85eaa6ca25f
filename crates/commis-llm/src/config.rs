//! Choosing and building a provider from configuration and the environment.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::LlmError;
use crate::provider::Provider;
use crate::scripted::ScriptedProvider;

/// Which wire format a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Anthropic Messages API.
    Anthropic,
    /// OpenAI chat completions, and the many servers that copy it (Ollama, llama.cpp, vLLM...).
    #[serde(rename = "openai")]
    OpenAi,
    /// Replays a script file; no network.
    Scripted,
}

impl ProviderKind {
    /// The name used on the command line and in config files.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAi => "openai",
            ProviderKind::Scripted => "scripted",
        }
    }
}

impl FromStr for ProviderKind {
    type Err = LlmError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "anthropic" | "claude" => Ok(ProviderKind::Anthropic),
            "openai" | "openai-compatible" | "ollama" => Ok(ProviderKind::OpenAi),
            "scripted" => Ok(ProviderKind::Scripted),
            other => Err(LlmError::config(format!(
                "unknown provider {other:?}; use anthropic, openai or scripted"
            ))),
        }
    }
}

/// Default model for Anthropic when none is configured.
pub const DEFAULT_ANTHROPIC_MODEL: &str = "claude-sonnet-4-5";
/// Default model for OpenAI when none is configured.
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4.1-mini";
/// Anthropic base URL, without `/v1` (the SDK convention for `ANTHROPIC_BASE_URL`).
pub const DEFAULT_ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";
/// OpenAI base URL, with `/v1` (the SDK convention for `OPENAI_BASE_URL`).
pub const DEFAULT_OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
/// Environment variable naming a script file for the scripted provider.
pub const SCRIPT_ENV: &str = "COMMIS_LLM_SCRIPT";
/// Environment variable overriding the idle timeout, in seconds.
pub const IDLE_TIMEOUT_ENV: &str = "COMMIS_LLM_IDLE_TIMEOUT";
/// Environment variable overriding the overall deadline of a model call, in seconds.
pub const DEADLINE_ENV: &str = "COMMIS_LLM_DEADLINE";

/// Everything needed to build a provider. Fields left `None` take the environment's or the
/// built-in defaults in [`from_config`]. Its `{:?}` output hides the API key.
#[derive(Clone, PartialEq)]
pub struct ProviderConfig {
    /// Which wire format to speak.
    pub kind: ProviderKind,
    /// Model name; `None` picks [`DEFAULT_ANTHROPIC_MODEL`] / [`DEFAULT_OPENAI_MODEL`].
    pub model: Option<String>,
    /// Endpoint base: Anthropic without `/v1`, OpenAI-compatible with `/v1`.
    pub base_url: Option<String>,
    /// API key; required for Anthropic and api.openai.com, optional for local servers.
    pub api_key: Option<String>,
    /// Script file for the scripted provider.
    pub script: Option<PathBuf>,
    /// Stream answers (live text in the UI); non-streaming is simpler for picky servers.
    pub stream: bool,
    /// Idle timeout: longest wait for the server to start answering, and then between two
    /// pieces of a streamed answer.
    pub timeout: Duration,
    /// Longest a whole call may take, retries included; keep-alive pings do not extend it.
    pub deadline: Duration,
    /// Retries after the first attempt on 429, 5xx, 529 and connection errors.
    pub max_retries: u32,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("kind", &self.kind)
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<hidden>"))
            .field("script", &self.script)
            .field("stream", &self.stream)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

impl ProviderConfig {
    /// Defaults for `kind`, with no environment read.
    pub fn new(kind: ProviderKind) -> Self {
        ProviderConfig {
            kind,
            model: None,
            base_url: None,
            api_key: None,
            script: None,
            stream: true,
            timeout: Duration::from_secs(300),
            deadline: Duration::from_secs(900),
            max_retries: 3,
        }
    }

    /// Defaults for `kind`, completed from the environment the way the official SDKs read it:
    /// `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL` (without `/v1`), `OPENAI_API_KEY` and
    /// `OPENAI_BASE_URL` (with `/v1`), and `COMMIS_LLM_SCRIPT` for the scripted provider;
    /// `COMMIS_LLM_IDLE_TIMEOUT` and `COMMIS_LLM_DEADLINE` (seconds) for the limits.
    /// Empty or unreadable variables count as unset.
    pub fn from_env(kind: ProviderKind) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut cfg = Self::new(kind);
        match kind {
            ProviderKind::Anthropic => {
                cfg.api_key = var("ANTHROPIC_API_KEY");
                cfg.base_url = var("ANTHROPIC_BASE_URL");
            }
            ProviderKind::OpenAi => {
                cfg.api_key = var("OPENAI_API_KEY");
                cfg.base_url = var("OPENAI_BASE_URL");
            }
            ProviderKind::Scripted => cfg.script = var(SCRIPT_ENV).map(PathBuf::from),
        }
        if let Some(idle) = var(IDLE_TIMEOUT_ENV).and_then(|v| seconds(&v)) {
            cfg.timeout = idle;
        }
        if let Some(deadline) = var(DEADLINE_ENV).and_then(|v| seconds(&v)) {
            cfg.deadline = deadline;
        }
        cfg
    }

    /// The model that will be used: the configured one or the kind's default.
    pub fn effective_model(&self) -> String {
        match (&self.model, self.kind) {
            (Some(model), _) if !model.trim().is_empty() => model.trim().to_string(),
            (_, ProviderKind::Anthropic) => DEFAULT_ANTHROPIC_MODEL.to_string(),
            (_, ProviderKind::OpenAi) => DEFAULT_OPENAI_MODEL.to_string(),
            (_, ProviderKind::Scripted) => crate::scripted::SCRIPTED_MODEL.to_string(),
        }
    }

    /// The endpoint base that will be used, without a trailing slash.
    pub fn effective_base_url(&self) -> String {
        let base = match (&self.base_url, self.kind) {
            (Some(base), _) if !base.trim().is_empty() => base.trim(),
            (_, ProviderKind::OpenAi) => DEFAULT_OPENAI_BASE_URL,
            _ => DEFAULT_ANTHROPIC_BASE_URL,
        };
        base.trim_end_matches('/').to_string()
    }
}

/// A positive, finite number of seconds (`"90"`, `"0.5"`), else `None`.
pub(crate) fn seconds(text: &str) -> Option<Duration> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
        .map(Duration::from_secs_f64)
}

/// Builds the provider `cfg` describes, or says what is missing (no key, no script...).
pub fn from_config(cfg: &ProviderConfig) -> Result<Arc<dyn Provider>, LlmError> {
    match cfg.kind {
        ProviderKind::Scripted => {
            let path = cfg.script.as_ref().ok_or_else(|| {
                LlmError::config(format!(
                    "the scripted provider needs a script file; set {SCRIPT_ENV} or the script \
                     path in the config"
                ))
            })?;
            let mut provider = ScriptedProvider::from_file(path)?;
            if let Some(model) = &cfg.model {
                provider = provider.with_model(model.clone());
            }
            Ok(Arc::new(provider))
        }
        ProviderKind::Anthropic => Ok(Arc::new(crate::anthropic::AnthropicProvider::new(cfg)?)),
        ProviderKind::OpenAi => Ok(Arc::new(crate::openai::OpenAiProvider::new(cfg)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_key() {
        let mut cfg = ProviderConfig::new(ProviderKind::OpenAi);
        cfg.api_key = Some("sk-live-secret".into());
        let shown = format!("{cfg:?}");
        assert!(
            !shown.contains("secret") && shown.contains("<hidden>"),
            "{shown}"
        );
    }

    #[test]
    fn defaults_follow_the_sdk_base_url_conventions() {
        let anthropic = ProviderConfig::new(ProviderKind::Anthropic);
        assert_eq!(anthropic.effective_base_url(), "https://api.anthropic.com");
        assert_eq!(anthropic.effective_model(), DEFAULT_ANTHROPIC_MODEL);
        let mut openai = ProviderConfig::new(ProviderKind::OpenAi);
        assert_eq!(openai.effective_base_url(), "https://api.openai.com/v1");
        openai.base_url = Some("http://localhost:11434/v1/".into());
        assert_eq!(openai.effective_base_url(), "http://localhost:11434/v1");
        assert_eq!(
            "Ollama".parse::<ProviderKind>().unwrap(),
            ProviderKind::OpenAi
        );
        assert!("gemini".parse::<ProviderKind>().is_err());
    }
}
