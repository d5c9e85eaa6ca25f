//! A set-up check for `commis doctor`: is the endpoint reachable, is the key accepted, does
//! the configured model exist? Costs no tokens.

use serde::Serialize;

use crate::anthropic::AnthropicProvider;
use crate::config::{ProviderConfig, ProviderKind};
use crate::error::LlmError;
use crate::openai::OpenAiProvider;
use crate::provider::Provider;
use crate::scripted::ScriptedProvider;

/// What [`check_endpoint`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointCheck {
    /// Provider name.
    pub provider: String,
    /// Where model calls will go (the script path for the scripted provider).
    pub url: String,
    /// The configured model.
    pub model: String,
    /// The models the endpoint lists; `None` when it cannot list them (some compatible servers).
    pub models: Option<Vec<String>>,
    /// Whether the model is among them; `None` when unknown.
    pub model_available: Option<bool>,
}

/// Builds the provider `cfg` describes and asks its endpoint for its model list. An error is
/// what a model call would have failed with (no key, bad key, unreachable server...).
pub async fn check_endpoint(cfg: &ProviderConfig) -> Result<EndpointCheck, LlmError> {
    let (url, listing) = match cfg.kind {
        ProviderKind::Scripted => {
            let path = cfg.script.clone().unwrap_or_default();
            let scripted = ScriptedProvider::from_file(&path)?;
            let model = scripted.model().to_string();
            return Ok(EndpointCheck {
                provider: "scripted".into(),
                url: path.display().to_string(),
                model: model.clone(),
                models: Some(vec![model]),
                model_available: Some(true),
            });
        }
        ProviderKind::Anthropic => {
            let provider = AnthropicProvider::new(cfg)?;
            (provider.url().to_string(), provider.list_models().await)
        }
        ProviderKind::OpenAi => {
            let provider = OpenAiProvider::new(cfg)?;
            (provider.url().to_string(), provider.list_models().await)
        }
    };
    let model = cfg.effective_model();
    let models = match listing {
        Ok(models) => Some(models),
        // Reachable and authorised, but no model list: fine for some local servers.
        Err(LlmError::NotFound { .. } | LlmError::Decode { .. } | LlmError::BadRequest { .. }) => {
            None
        }
        Err(err) => return Err(err),
    };
    let model_available = models.as_ref().map(|models| {
        models.iter().any(|listed| {
            listed == &model || listed.strip_suffix(":latest") == Some(model.as_str())
        })
    });
    Ok(EndpointCheck {
        provider: cfg.kind.as_str().to_string(),
        url,
        model,
        models,
        model_available,
    })
}
