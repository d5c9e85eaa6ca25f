//! Model providers for commis, behind one trait and one message type.
//!
//! The agent loop builds a [`ChatRequest`] out of [`Message`]s, [`ContentBlock`]s and
//! [`ToolSpec`]s, calls [`Provider::complete`], and gets a [`ChatResponse`] back. It never sees
//! a wire format: each provider translates, streams, retries and maps errors on its own.
//!
//! - [`anthropic`]: the Anthropic Messages API (`ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`).
//! - [`openai`]: OpenAI chat completions and compatible servers (OpenAI, Ollama, llama.cpp
//!   server, vLLM, LM Studio, OpenRouter, Mistral...; `OPENAI_API_KEY`, `OPENAI_BASE_URL`).
//! - [`ScriptedProvider`]: replays a recorded conversation; the basis of deterministic tests.
//!
//! This crate is not the agent: it knows nothing of plans, steps, tools' effects or approvals.
//!
//! # Cancellation
//!
//! Dropping the future returned by [`Provider::complete`] aborts the request immediately
//! (the connection is closed, no retry is attempted). The loop cancels a call by racing it
//! against the user's stop signal in `tokio::select!`; [`LlmError::Cancelled`] exists for
//! callers that want to report that outcome in the same error type.
//!
//! # Deadlines and retries
//!
//! Each call has two limits: an idle timeout ([`ProviderConfig::timeout`], between two pieces
//! of an answer or before the first) and an overall deadline ([`ProviderConfig::deadline`],
//! retries included, which keep-alive pings do not extend). A streamed attempt that breaks
//! off is retried as a whole; `on_delta` then receives [`StreamDelta::Superseded`]: what it
//! showed so far is void. Redirects are never followed, and error messages never carry the
//! API key (see [`redact_secrets`]).
//!
//! # Script files
//!
//! The scripted provider reads JSON of this shape; each call to `complete` returns the next
//! turn, and [`LlmError::ScriptExhausted`] once all are used:
//!
//! ```json
//! {
//!   "model": "scripted",
//!   "turns": [
//!     {
//!       "content": [
//!         {"type": "text", "text": "Je regarde le dossier."},
//!         {"type": "tool_use", "id": "call_1", "name": "list_files", "input": {"path": "."}}
//!       ],
//!       "stop_reason": "tool_use",
//!       "usage": {"input_tokens": 812, "output_tokens": 40}
//!     },
//!     {
//!       "content": [{"type": "text", "text": "Voici le résumé."}],
//!       "stop_reason": "end_turn"
//!     }
//!   ]
//! }
//! ```
//!
//! `model` and `usage` are optional. `stop_reason` is one of `end_turn`, `tool_use`,
//! `max_tokens`, `stop_sequence` (anything else is kept as [`StopReason::Other`]). Content
//! blocks use the same JSON as [`ContentBlock`]'s serde form: `text`, `tool_use`,
//! `tool_result`.

pub mod anthropic;
mod check;
mod config;
mod cost;
mod error;
mod http;
pub mod openai;
mod provider;
mod redact;
mod scripted;
pub mod sse;
mod types;

pub use anthropic::AnthropicProvider;
pub use check::{EndpointCheck, check_endpoint};
pub use config::{
    DEADLINE_ENV, DEFAULT_ANTHROPIC_BASE_URL, DEFAULT_ANTHROPIC_MODEL, DEFAULT_OPENAI_BASE_URL,
    DEFAULT_OPENAI_MODEL, IDLE_TIMEOUT_ENV, ProviderConfig, ProviderKind, SCRIPT_ENV, from_config,
};
pub use cost::{Price, context_window, default_prices, estimate_cost, estimate_tokens};
pub use error::LlmError;
pub use openai::OpenAiProvider;
pub use provider::Provider;
pub use redact::{REDACTED, redact_secrets};
pub use scripted::{Responder, SCRIPTED_MODEL, Script, ScriptedProvider};
pub use types::{
    ChatRequest, ChatResponse, ContentBlock, Message, Role, StopReason, StreamDelta, ToolSpec,
    Usage,
};
