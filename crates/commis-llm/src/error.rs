//! The one error type of this crate.

use std::time::Duration;

/// Why a model call failed, with a message that says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The endpoint refused the credentials (HTTP 401/403).
    #[error("{provider} rejected the API key (HTTP {status}): {detail}; check {env_var}")]
    Auth {
        /// Provider name (`anthropic`, `openai`).
        provider: String,
        /// HTTP status (401 or 403).
        status: u16,
        /// Where the key comes from, e.g. `ANTHROPIC_API_KEY`.
        env_var: String,
        /// The server's own message.
        detail: String,
    },
    /// The endpoint refused the request as malformed or unsupported (HTTP 400/422).
    #[error("{provider} refused the request (HTTP {status}): {detail}")]
    BadRequest {
        /// Provider name.
        provider: String,
        /// HTTP status.
        status: u16,
        /// The server's own message.
        detail: String,
    },
    /// The model (or the endpoint) does not exist (HTTP 404).
    #[error(
        "unknown model {model} at {provider}{}: {detail}; check the model name (--model) and, \
         for a local server, that the model is pulled/loaded and the base URL ends where the \
         API starts",
        .did_you_mean.as_ref().map(|m| format!(" (did you mean {m}?)")).unwrap_or_default()
    )]
    NotFound {
        /// Provider name.
        provider: String,
        /// The model that was asked for.
        model: String,
        /// The server's own message.
        detail: String,
        /// The closest model name the endpoint lists, when it could be asked.
        did_you_mean: Option<String>,
    },
    /// Still rate limited (HTTP 429) after every retry.
    #[error(
        "{provider} is rate limiting requests: {detail}; wait a minute or lower the concurrency"
    )]
    RateLimited {
        /// Provider name.
        provider: String,
        /// How long the server asked to wait, if it said.
        retry_after: Option<Duration>,
        /// The server's own message.
        detail: String,
    },
    /// The endpoint failed or is overloaded (HTTP 5xx, 529) after every retry.
    #[error("{provider} server error (HTTP {status}): {detail}; try again later")]
    Server {
        /// Provider name.
        provider: String,
        /// HTTP status (0 for an error event inside a stream).
        status: u16,
        /// The server's own message.
        detail: String,
    },
    /// No answer within the configured timeout.
    #[error(
        "the model endpoint did not answer in time; check that it is up, or raise the timeout \
         for slow local models"
    )]
    Timeout,
    /// The endpoint could not be reached (DNS, refused connection, TLS, reset).
    #[error(
        "could not reach {provider} at {url}: {detail}; check the base URL and your connection"
    )]
    Network {
        /// Provider name.
        provider: String,
        /// URL that was called.
        url: String,
        /// What the HTTP client reported.
        detail: String,
    },
    /// The endpoint answered something this crate cannot read.
    #[error(
        "could not read the {provider} response: {detail}; check that the base URL points at \
         a {provider}-compatible API"
    )]
    Decode {
        /// Provider name.
        provider: String,
        /// What was wrong with it.
        detail: String,
    },
    /// A scripted provider was asked for more turns than its script holds.
    #[error("the scripted conversation has no more turns; add a turn to the script file")]
    ScriptExhausted,
    /// The call was abandoned because the user stopped the run.
    #[error("the model call was cancelled")]
    Cancelled,
    /// The provider cannot be built from the given configuration.
    #[error("model provider configuration: {detail}")]
    Config {
        /// What is missing or wrong, and how to fix it.
        detail: String,
    },
}

impl LlmError {
    /// True for failures worth retrying: rate limits, overloaded or failing servers, dropped
    /// connections. Timeouts are not retried: a server too slow once is likely slow again, and
    /// the user is waiting.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            LlmError::RateLimited { .. } | LlmError::Server { .. } | LlmError::Network { .. }
        )
    }

    pub(crate) fn config(detail: impl Into<String>) -> Self {
        LlmError::Config {
            detail: detail.into(),
        }
    }

    pub(crate) fn decode(provider: &str, detail: impl Into<String>) -> Self {
        LlmError::Decode {
            provider: provider.to_string(),
            detail: detail.into(),
        }
    }
}
