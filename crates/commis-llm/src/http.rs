//! HTTP plumbing shared by the Anthropic and OpenAI-compatible providers: the client, status
//! to error mapping, timeouts and retries with backoff.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::error::LlmError;
use crate::types::StreamDelta;

/// First backoff delay; doubled on each retry, capped at [`MAX_BACKOFF`].
const BASE_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// A server asking for a longer pause than this is not waited for: the user is watching.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// One configured endpoint: where to POST, with which headers, and how patiently.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub ctx: ErrorContext,
    pub headers: HeaderMap,
    /// Longest wait for the first byte of an answer, and then between two pieces of it.
    pub timeout: Duration,
    /// Longest a whole call may take, retries included; pings do not extend it.
    pub deadline: Duration,
    pub max_retries: u32,
    pub stream: bool,
    client: reqwest::Client,
}

/// A failed attempt, with the pause the server asked for before the next one.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: LlmError,
    pub retry_after: Option<Duration>,
}

impl From<LlmError> for Failure {
    fn from(error: LlmError) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }
}

impl Endpoint {
    pub fn new(
        provider: &'static str,
        key_env: &'static str,
        url: String,
        model: String,
        headers: &[(&'static str, String)],
        cfg: &crate::config::ProviderConfig,
    ) -> Result<Self, LlmError> {
        let mut map = HeaderMap::new();
        let mut secrets = Vec::new();
        if let Some(key) = cfg
            .api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            secrets.push(key.to_string());
        }
        for (name, value) in headers {
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                LlmError::config(format!(
                    "the {name} header for {provider} contains characters HTTP does not allow; \
                     check {key_env} for stray spaces or line breaks"
                ))
            })?;
            // Keys must never show up in `{:?}` output or logs.
            value.set_sensitive(true);
            map.insert(HeaderName::from_static(name), value);
        }
        // reqwest is built without a bundled crypto provider so that ring, not aws-lc, is
        // used; installing fails harmlessly when the process already chose one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // Redirects are never followed: reqwest strips `Authorization` when one leaves the
        // origin, but not `x-api-key`, and a model endpoint has no business redirecting.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.timeout.min(Duration::from_secs(30)))
            .build()
            .map_err(|err| {
                LlmError::config(format!("cannot set up the HTTP client: {}", chain(&err)))
            })?;
        Ok(Endpoint {
            ctx: ErrorContext {
                provider,
                key_env,
                model,
                url,
                secrets,
            },
            headers: map,
            timeout: cfg.timeout,
            deadline: cfg.deadline,
            max_retries: cfg.max_retries,
            stream: cfg.stream,
            client,
        })
    }

    /// GETs a JSON document once (no retries, at most 10 s), for listing models.
    pub async fn get_json(&self, url: &str) -> Result<Value, LlmError> {
        let request = self.client.get(url).headers(self.headers.clone()).send();
        let patience = self.timeout.min(Duration::from_secs(10));
        let response = match tokio::time::timeout(patience, request).await {
            Err(_) => return Err(LlmError::Timeout { waited: patience }),
            Ok(Err(err)) => return Err(self.transport_error(&err)),
            Ok(Ok(response)) => response,
        };
        let status = response.status().as_u16();
        let ok = response.status().is_success();
        let text = self.read_text(response).await?;
        if !ok {
            return Err(self.ctx.status_error(status, error_detail(&text), None));
        }
        serde_json::from_str(&text).map_err(|err| {
            LlmError::decode(
                self.ctx.provider,
                format!("{url} did not answer JSON ({err})"),
            )
        })
    }

    /// The model ids listed at `url` (`{"data": [{"id": ...}]}`, the shape both APIs use).
    pub async fn list_models(&self, url: &str) -> Result<Vec<String>, LlmError> {
        let listing = self.get_json(url).await?;
        let models = listing
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| LlmError::decode(self.ctx.provider, "the model list has no `data`"))?;
        Ok(models
            .iter()
            .filter_map(|model| model.get("id").and_then(Value::as_str))
            .map(str::to_string)
            .collect())
    }

    /// Adds a "did you mean" to an unknown-model error by asking the endpoint for its models;
    /// any failure to list them leaves the error as it was.
    pub async fn suggest_model(&self, models_url: &str, err: LlmError) -> LlmError {
        let LlmError::NotFound {
            provider,
            model,
            detail,
            did_you_mean: None,
        } = err
        else {
            return err;
        };
        let did_you_mean = match self.list_models(models_url).await {
            Ok(models) => closest_name(&model, &models),
            Err(_) => None,
        };
        LlmError::NotFound {
            provider,
            model,
            detail,
            did_you_mean,
        }
    }

    /// POSTs `body` and returns the response once its status says success.
    pub async fn post(&self, body: &Value) -> Result<reqwest::Response, Failure> {
        let request = self
            .client
            .post(&self.ctx.url)
            .headers(self.headers.clone())
            .json(body)
            .send();
        let response = match tokio::time::timeout(self.timeout, request).await {
            Err(_) => {
                return Err(LlmError::Timeout {
                    waited: self.timeout,
                }
                .into());
            }
            Ok(Err(err)) => return Err(self.transport_error(&err).into()),
            Ok(Ok(response)) => response,
        };
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Ok(response);
        }
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .map(|value| self.ctx.redact(value))
                .unwrap_or_else(|| "an unnamed location".to_string());
            return Err(LlmError::Redirect {
                provider: self.ctx.provider.to_string(),
                status,
                location,
            }
            .into());
        }
        let retry_after = retry_after(response.headers());
        let body = self.read_text(response).await.unwrap_or_default();
        Err(Failure {
            error: self
                .ctx
                .status_error(status, error_detail(&body), retry_after),
            retry_after,
        })
    }

    /// The next piece of a streamed body, waiting at most the idle timeout for it. A broken
    /// connection here is a stream that broke off (retried), not an unreachable endpoint.
    pub async fn next_chunk(
        &self,
        response: &mut reqwest::Response,
    ) -> Result<Option<Vec<u8>>, LlmError> {
        match tokio::time::timeout(self.timeout, response.chunk()).await {
            Err(_) => Err(LlmError::Timeout {
                waited: self.timeout,
            }),
            Ok(Err(err)) => Err(self.ctx.stream_cut(format!(
                "the connection broke mid-stream: {}",
                transport_detail(&err)
            ))),
            Ok(Ok(chunk)) => Ok(chunk.map(|bytes| bytes.to_vec())),
        }
    }

    /// The whole body as text, waiting at most the timeout.
    pub async fn read_text(&self, response: reqwest::Response) -> Result<String, LlmError> {
        match tokio::time::timeout(self.timeout, response.text()).await {
            Err(_) => Err(LlmError::Timeout {
                waited: self.timeout,
            }),
            // The server answered, then the body broke: the endpoint is right, the answer is
            // incomplete (retried).
            Ok(Err(err)) if err.is_body() || err.is_decode() => Err(self.ctx.stream_cut(format!(
                "the connection broke while reading the answer: {}",
                transport_detail(&err)
            ))),
            Ok(Err(err)) => Err(self.transport_error(&err)),
            Ok(Ok(text)) => Ok(text),
        }
    }

    fn transport_error(&self, err: &reqwest::Error) -> LlmError {
        if err.is_timeout() {
            return LlmError::Timeout {
                waited: self.timeout,
            };
        }
        LlmError::Network {
            provider: self.ctx.provider.to_string(),
            url: self.ctx.redact(&self.ctx.url),
            detail: self.ctx.redact(&transport_detail(err)),
        }
    }
}

/// What an error message needs to name: the provider, the key variable, the model, the URL.
#[derive(Clone)]
pub(crate) struct ErrorContext {
    pub provider: &'static str,
    pub key_env: &'static str,
    pub model: String,
    pub url: String,
    /// The configured key(s), removed from every message built from a server's answer.
    pub secrets: Vec<String>,
}

impl std::fmt::Debug for ErrorContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorContext")
            .field("provider", &self.provider)
            .field("key_env", &self.key_env)
            .field("model", &self.model)
            .field("url", &self.url)
            .field("keys", &format_args!("<{} hidden>", self.secrets.len()))
            .finish()
    }
}

impl ErrorContext {
    /// `text` without the configured key or anything that looks like a credential.
    pub fn redact(&self, text: &str) -> String {
        let known: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        crate::redact::redact_secrets(text, &known)
    }

    /// A streamed answer that broke off after it started.
    pub fn stream_cut(&self, detail: impl Into<String>) -> LlmError {
        LlmError::StreamCut {
            provider: self.provider.to_string(),
            detail: self.redact(&detail.into()),
        }
    }

    /// Maps an HTTP error status to the error a caller can act on.
    pub fn status_error(
        &self,
        status: u16,
        detail: String,
        retry_after: Option<Duration>,
    ) -> LlmError {
        let provider = self.provider.to_string();
        let detail = self.redact(&detail);
        match status {
            401 | 403 => LlmError::Auth {
                provider,
                status,
                env_var: self.key_env.to_string(),
                detail,
            },
            404 => LlmError::NotFound {
                provider,
                model: self.model.clone(),
                detail: format!("{detail} (POST {})", self.url),
                did_you_mean: None,
            },
            429 => LlmError::RateLimited {
                provider,
                retry_after,
                detail,
            },
            408 | 500..=599 => LlmError::Server {
                provider,
                status,
                detail,
            },
            _ => LlmError::BadRequest {
                provider,
                status,
                detail,
            },
        }
    }

    /// Maps an error object found inside a stream (`{"type": "overloaded_error", ...}` or
    /// `{"code": ..., "status_code": 400}`) to an error, as if it had been an HTTP status.
    pub fn stream_error(&self, error: &Value) -> LlmError {
        let detail = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("the server reported an error mid-stream")
            .to_string();
        let kind = error.get("type").and_then(Value::as_str).unwrap_or("");
        let status = error
            .get("status_code")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(match kind {
                "overloaded_error" => 529,
                "rate_limit_error" => 429,
                "authentication_error" => 401,
                "permission_error" => 403,
                "not_found_error" => 404,
                "invalid_request_error" => 400,
                _ => 500,
            });
        self.status_error(status, detail, None)
    }
}

/// Runs `attempt` until it succeeds, retrying retryable failures with exponential backoff and
/// jitter (or the server's `retry-after`), all within the endpoint's overall deadline. A
/// streamed attempt that failed after showing text is retried as a whole; the caller is first
/// told that what it showed is superseded ([`StreamDelta::Superseded`]), and is told the same
/// when the call fails for good.
pub(crate) async fn with_retries<T, F, Fut>(
    endpoint: &Endpoint,
    sink: &DeltaSink<'_>,
    mut attempt: F,
) -> Result<T, LlmError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let attempts = async {
        let mut retry = 0;
        loop {
            let failure = match attempt().await {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let retryable = failure.error.is_retryable()
                && retry < endpoint.max_retries
                && failure
                    .retry_after
                    .is_none_or(|after| after <= MAX_RETRY_AFTER);
            sink.supersede();
            if !retryable {
                return Err(failure.error);
            }
            let pause = failure.retry_after.unwrap_or_else(|| backoff(retry));
            tracing::warn!(
                provider = endpoint.ctx.provider,
                error = %failure.error,
                retry = retry + 1,
                pause_ms = pause.as_millis() as u64,
                "retrying model call"
            );
            tokio::time::sleep(pause).await;
            retry += 1;
        }
    };
    match tokio::time::timeout(endpoint.deadline, attempts).await {
        Ok(result) => result,
        Err(_) => {
            sink.supersede();
            Err(LlmError::Deadline {
                deadline: endpoint.deadline,
            })
        }
    }
}

/// Exponential backoff with "equal jitter": half fixed, half random, so many sub-agents hitting
/// the same rate limit do not all come back at the same instant.
fn backoff(retry: u32) -> Duration {
    let full = BASE_BACKOFF
        .saturating_mul(2u32.saturating_pow(retry))
        .min(MAX_BACKOFF);
    let half = full / 2;
    half + half.mul_f64(fastrand::f64())
}

/// The pause the server asked for: `retry-after-ms` (Anthropic, OpenAI) or `retry-after` in
/// seconds. HTTP-date forms are ignored in favour of our own backoff.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<f64>().ok())
            .filter(|value| value.is_finite() && *value >= 0.0)
    };
    if let Some(ms) = number("retry-after-ms") {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    number("retry-after").map(Duration::from_secs_f64)
}

/// The human part of an error body: `error.message` (Anthropic, OpenAI), `error` as a string
/// (Ollama), else the start of the raw text.
fn error_detail(body: &str) -> String {
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        let message = value
            .pointer("/error/message")
            .or_else(|| value.get("error"))
            .or_else(|| value.get("message"))
            .and_then(Value::as_str);
        if let Some(message) = message {
            return message.to_string();
        }
    }
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return "no details in the response".to_string();
    }
    trimmed.chars().take(300).collect()
}

/// The listed name closest to `wanted` (edit distance, ignoring case), when close enough to
/// be a typo rather than another model.
pub(crate) fn closest_name(wanted: &str, names: &[String]) -> Option<String> {
    let wanted_lower = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 4).max(2);
    names
        .iter()
        .filter(|name| name.as_str() != wanted)
        .map(|name| (edit_distance(&wanted_lower, &name.to_lowercase()), name))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, name)| (*distance, name.len()))
        .map(|(_, name)| name.clone())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The root cause of a transport failure, without the URL reqwest repeats at every level.
fn transport_detail(err: &reqwest::Error) -> String {
    let mut root: &dyn std::error::Error = err;
    while let Some(cause) = root.source() {
        root = cause;
    }
    let root = root.to_string();
    if err.is_connect() {
        format!("cannot connect ({root})")
    } else if err.is_body() || err.is_decode() {
        format!("the connection broke while reading the answer ({root})")
    } else {
        root
    }
}

/// An error and its causes on one line ("error sending request: connection refused").
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}

/// Forwards deltas to the caller and remembers whether some reached it since the attempt
/// began, so that a retry can tell the caller to drop them.
pub(crate) struct DeltaSink<'a> {
    on_delta: &'a (dyn Fn(StreamDelta) + Send + Sync),
    emitted: &'a AtomicBool,
}

impl<'a> DeltaSink<'a> {
    pub fn new(on_delta: &'a (dyn Fn(StreamDelta) + Send + Sync), emitted: &'a AtomicBool) -> Self {
        DeltaSink { on_delta, emitted }
    }

    pub fn send(&self, delta: StreamDelta) {
        self.emitted.store(true, Ordering::SeqCst);
        (self.on_delta)(delta);
    }

    /// Tells the caller that what this attempt showed will not be delivered, if it showed
    /// anything.
    pub fn supersede(&self) {
        if self.emitted.swap(false, Ordering::SeqCst) {
            (self.on_delta)(StreamDelta::Superseded);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_prefers_milliseconds_then_seconds() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(150)));
        let mut date = HeaderMap::new();
        date.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&date), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for retry in 0..10 {
            let full = BASE_BACKOFF.saturating_mul(1 << retry).min(MAX_BACKOFF);
            let pause = backoff(retry);
            assert!(pause >= full / 2 && pause <= full, "{retry}: {pause:?}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_api_key() {
        let mut cfg = crate::config::ProviderConfig::new(crate::config::ProviderKind::Anthropic);
        cfg.api_key = Some("sk-ant-secret-value".into());
        let provider = crate::anthropic::AnthropicProvider::new(&cfg).unwrap();
        let shown = format!("{provider:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("api.anthropic.com"), "{shown}");
    }

    #[test]
    fn closest_name_catches_typos_but_not_other_models() {
        let names: Vec<String> = [
            "claude-sonnet-4-5",
            "claude-opus-4-1",
            "gpt-5.2-pro",
            "gpt-5.2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            closest_name("claude-sonet-4-5", &names).as_deref(),
            Some("claude-sonnet-4-5")
        );
        assert_eq!(
            closest_name("gpt-5.2-proo", &names).as_deref(),
            Some("gpt-5.2-pro")
        );
        assert_eq!(closest_name("llama3.2", &names), None);
    }

    #[test]
    fn error_detail_reads_the_common_error_shapes() {
        assert_eq!(
            error_detail(
                r#"{"type":"error","error":{"type":"not_found_error","message":"model: x"}}"#
            ),
            "model: x"
        );
        assert_eq!(
            error_detail(r#"{"error":"model 'llama9' not found"}"#),
            "model 'llama9' not found"
        );
        assert_eq!(error_detail("  "), "no details in the response");
        assert_eq!(
            error_detail("<html>Bad gateway</html>"),
            "<html>Bad gateway</html>"
        );
    }
}
