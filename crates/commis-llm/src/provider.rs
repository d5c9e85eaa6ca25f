//! The trait every model provider implements.

use crate::error::LlmError;
use crate::types::{ChatRequest, ChatResponse, StreamDelta};

/// A model endpoint the agent loop can call. Implementations own their wire format, retries
/// and timeouts; callers only see [`ChatRequest`] and [`ChatResponse`].
///
/// Cancellation: `complete` is cancel-safe. Dropping the returned future (for example the
/// losing branch of a `tokio::select!` against the user's stop signal) aborts the HTTP request
/// at once and leaves the provider usable for the next call.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// Short provider name: `anthropic`, `openai` or `scripted`.
    fn name(&self) -> &str;

    /// The model this provider asks for.
    fn model(&self) -> &str;

    /// Sends `req` and returns the assembled answer. `on_delta` sees text and tool-call
    /// fragments as they arrive (when streaming), for live display only; it must not block.
    async fn complete(
        &self,
        req: &ChatRequest,
        on_delta: &(dyn Fn(StreamDelta) + Send + Sync),
    ) -> Result<ChatResponse, LlmError>;
}
