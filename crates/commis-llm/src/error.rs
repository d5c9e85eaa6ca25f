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
    /// Nothing arrived for the idle timeout: no answer started, or a stream stopped sending.
    #[error(
        "the model endpoint sent nothing for {} s; check that it is up, or raise the idle \
         timeout (idle_timeout_secs in the config, COMMIS_LLM_IDLE_TIMEOUT) for slow local models",
        .waited.as_secs_f64()
    )]
    Timeout {
        /// How long it waited without receiving a byte.
        waited: Duration,
    },
    /// The whole call (retries included) outlived its deadline, even if the endpoint kept
    /// sending keep-alive pings.
    #[error(
        "the model call did not finish within its {} s deadline (keep-alive pings do not \
         count); raise call_deadline_secs in the config or COMMIS_LLM_DEADLINE for long answers",
        .deadline.as_secs_f64()
    )]
    Deadline {
        /// The configured overall deadline.
        deadline: Duration,
    },
    /// An answer broke off after it had started (connection cut, an event cut in the middle,
    /// garbage in the stream, a body shorter than announced); every retry broke off too.
    #[error(
        "the {provider} answer broke off before the end ({detail}); the call was retried and \
         failed again: try again later"
    )]
    StreamCut {
        /// Provider name.
        provider: String,
        /// What exactly broke.
        detail: String,
    },
    /// The endpoint answered with a redirect, which model calls never follow (the API key
    /// would travel with it).
    #[error(
        "{provider} answered with a redirect (HTTP {status}) to {location}; commis does not \
         follow redirects for model calls so that the API key is never sent elsewhere: set the \
         base URL to the final address"
    )]
    Redirect {
        /// Provider name.
        provider: String,
        /// HTTP status (301, 302, 307, 308...).
        status: u16,
        /// Where it pointed (redacted), or "an unnamed location".
        location: String,
    },
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
    /// connections, streams that broke off. Timeouts are not retried: a server too slow once
    /// is likely slow again, and the user is waiting.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            LlmError::RateLimited { .. }
                | LlmError::Server { .. }
                | LlmError::Network { .. }
                | LlmError::StreamCut { .. }
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
