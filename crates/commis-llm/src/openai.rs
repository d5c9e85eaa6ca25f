//! OpenAI-compatible chat completions (`POST {base}/chat/completions`), streaming or not.
//!
//! Works with OpenAI and the servers that copy its API: Ollama (`http://localhost:11434/v1`),
//! llama.cpp server (`http://localhost:8080/v1`), vLLM (`http://localhost:8000/v1`), LM Studio
//! (`http://localhost:1234/v1`), OpenRouter, Mistral, Groq. The key is optional except for
//! api.openai.com. Translators are public so recorded exchanges can be checked offline.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value, json};

use crate::anthropic::{Progress, parse_tool_input};
use crate::config::ProviderConfig;
use crate::error::LlmError;
use crate::http::{DeltaSink, Endpoint, ErrorContext, with_retries};
use crate::provider::Provider;
use crate::sse::SseParser;
use crate::types::{ChatRequest, ChatResponse, ContentBlock, Role, StopReason, StreamDelta, Usage};

const PROVIDER: &str = "openai";
const KEY_ENV: &str = "OPENAI_API_KEY";

/// A provider speaking OpenAI chat completions.
#[derive(Debug)]
pub struct OpenAiProvider {
    endpoint: Endpoint,
    models_url: String,
    /// Send `max_completion_tokens` instead of `max_tokens`: OpenAI's own API wants it
    /// (reasoning models refuse `max_tokens`); compatible servers know `max_tokens` best.
    /// Flipped on when a server says so.
    completion_tokens: AtomicBool,
    /// Leave out `stream_options`, after a server refused it (some compatible APIs do).
    no_stream_options: AtomicBool,
}

impl OpenAiProvider {
    /// Builds the provider; fails when api.openai.com is used without a key.
    pub fn new(cfg: &ProviderConfig) -> Result<Self, LlmError> {
        let base = cfg.effective_base_url();
        let official = base.contains("://api.openai.com");
        let key = cfg
            .api_key
            .as_deref()
            .map(str::trim)
            .filter(|key| !key.is_empty());
        if key.is_none() && official {
            return Err(LlmError::config(format!(
                "{KEY_ENV} is not set; export your OpenAI API key, or set OPENAI_BASE_URL to a \
                 local server such as Ollama (http://localhost:11434/v1)"
            )));
        }
        let mut headers = Vec::new();
        if let Some(key) = key {
            headers.push(("authorization", format!("Bearer {key}")));
        }
        let endpoint = Endpoint::new(
            PROVIDER,
            KEY_ENV,
            format!("{base}/chat/completions"),
            cfg.effective_model(),
            &headers,
            cfg,
        )?;
        Ok(OpenAiProvider {
            endpoint,
            models_url: format!("{base}/models"),
            completion_tokens: AtomicBool::new(official),
            no_stream_options: AtomicBool::new(false),
        })
    }

    /// The full URL requests go to.
    pub fn url(&self) -> &str {
        &self.endpoint.ctx.url
    }

    /// The model ids the server offers (`GET {base}/models`; Ollama lists pulled models), for
    /// `commis doctor` and suggestions.
    pub async fn list_models(&self) -> Result<Vec<String>, LlmError> {
        self.endpoint.list_models(&self.models_url).await
    }

    fn body(&self, req: &ChatRequest) -> Value {
        let mut body = request_body(&self.endpoint.ctx.model, req, self.endpoint.stream);
        if let Some(map) = body.as_object_mut() {
            if self.completion_tokens.load(Ordering::Relaxed)
                && let Some(max) = map.remove("max_tokens")
            {
                map.insert("max_completion_tokens".into(), max);
            }
            if self.no_stream_options.load(Ordering::Relaxed) {
                map.remove("stream_options");
            }
        }
        body
    }

    /// Learns from a refusal that names a parameter this server does not take; true when the
    /// request is worth sending again adapted.
    fn adapt_to(&self, err: &LlmError) -> bool {
        let LlmError::BadRequest { detail, .. } = err else {
            return false;
        };
        if detail.contains("stream_options") && !self.no_stream_options.load(Ordering::Relaxed) {
            tracing::info!("server refused stream_options; not asking for streamed usage");
            self.no_stream_options.store(true, Ordering::Relaxed);
            return true;
        }
        if detail.contains("max_completion_tokens")
            && detail.contains("max_tokens")
            && !self.completion_tokens.load(Ordering::Relaxed)
        {
            tracing::info!("server wants max_completion_tokens instead of max_tokens");
            self.completion_tokens.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }

    async fn send(
        &self,
        body: &Value,
        on_delta: &(dyn Fn(StreamDelta) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        let endpoint = &self.endpoint;
        let emitted = AtomicBool::new(false);
        let sink = &DeltaSink::new(on_delta, &emitted);
        with_retries(endpoint, sink, || async move {
            let mut response = endpoint.post(body).await?;
            if !crate::anthropic::is_event_stream(&response) {
                let text = endpoint.read_text(response).await?;
                let value: Value = serde_json::from_str(&text).map_err(|err| {
                    LlmError::decode(PROVIDER, format!("the answer is not JSON ({err})"))
                })?;
                return Ok(parse_response(&value)?);
            }
            let mut parser = SseParser::new();
            let mut assembler = StreamAssembler::new();
            loop {
                let chunk = endpoint.next_chunk(&mut response).await?;
                let events = match &chunk {
                    Some(bytes) => parser.push(bytes),
                    None => parser.finish(),
                };
                for event in events {
                    let progress = assembler
                        .handle_data(&event.data, &|delta| sink.send(delta))
                        .map_err(|err| match err {
                            LlmError::Decode { detail, .. } if chunk.is_none() => {
                                endpoint.ctx.stream_cut(format!(
                                    "the connection closed in the middle of an event ({detail})"
                                ))
                            }
                            LlmError::Decode { detail, .. } => endpoint.ctx.stream_cut(detail),
                            other => other,
                        });
                    match progress {
                        Ok(Progress::Continue) => {}
                        Ok(Progress::Done) => return Ok(assembler.finish(&|d| sink.send(d))),
                        Ok(Progress::Failed(error)) => {
                            return Err(endpoint.ctx.stream_error(&error).into());
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
                if chunk.is_none() {
                    // Some servers end the stream without `[DONE]`; a finish reason is enough.
                    if assembler.finished() {
                        return Ok(assembler.finish(&|d| sink.send(d)));
                    }
                    return Err(crate::anthropic::stream_cut(&endpoint.ctx).into());
                }
            }
        })
        .await
    }
}

#[async_trait::async_trait]
impl Provider for OpenAiProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    fn model(&self) -> &str {
        &self.endpoint.ctx.model
    }

    async fn complete(
        &self,
        req: &ChatRequest,
        on_delta: &(dyn Fn(StreamDelta) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        // At most two adaptations (stream_options, max_tokens), then the error stands.
        let mut attempts = 0;
        loop {
            match self.send(&self.body(req), on_delta).await {
                Err(err) if attempts < 2 && self.adapt_to(&err) => attempts += 1,
                Err(err @ LlmError::NotFound { .. }) => {
                    return Err(self.endpoint.suggest_model(&self.models_url, err).await);
                }
                result => return result,
            }
        }
    }
}

/// The JSON body for `req`. Fields sent: `model`, `messages` (system first, tool results as
/// `role: tool` messages), `max_tokens` (renamed `max_completion_tokens` for api.openai.com),
/// `temperature` (when set), `tools` (when any), `stream`, and `stream_options.include_usage`
/// when streaming.
pub fn request_body(model: &str, req: &ChatRequest, stream: bool) -> Value {
    let mut messages = Vec::new();
    if !req.system.is_empty() {
        messages.push(json!({"role": "system", "content": req.system}));
    }
    for message in &req.messages {
        let text = joined_text(&message.content);
        match message.role {
            Role::User => {
                // Tool results must directly follow the assistant turn that asked for them.
                for block in &message.content {
                    if let ContentBlock::ToolResult {
                        tool_use_id,
                        content,
                        is_error,
                    } = block
                    {
                        let content = if *is_error {
                            format!("Error: {content}")
                        } else {
                            content.clone()
                        };
                        messages.push(
                            json!({"role": "tool", "tool_call_id": tool_use_id, "content": content}),
                        );
                    }
                }
                if let Some(text) = text {
                    messages.push(json!({"role": "user", "content": text}));
                }
            }
            Role::Assistant => {
                let calls: Vec<Value> = message
                    .content
                    .iter()
                    .filter_map(|block| match block {
                        ContentBlock::ToolUse { id, name, input } => Some(json!({
                            "id": id,
                            "type": "function",
                            "function": {
                                "name": name,
                                "arguments": crate::types::object_input(input).to_string(),
                            },
                        })),
                        _ => None,
                    })
                    .collect();
                if text.is_none() && calls.is_empty() {
                    continue;
                }
                let mut entry = Map::new();
                entry.insert("role".into(), json!("assistant"));
                entry.insert("content".into(), json!(text));
                if !calls.is_empty() {
                    entry.insert("tool_calls".into(), Value::Array(calls));
                }
                messages.push(Value::Object(entry));
            }
        }
    }
    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    body.insert("messages".into(), Value::Array(messages));
    body.insert("max_tokens".into(), json!(req.max_tokens));
    if let Some(temperature) = req.temperature {
        body.insert(
            "temperature".into(),
            crate::types::temperature_json(temperature),
        );
    }
    if !req.tools.is_empty() {
        let tools: Vec<Value> = req
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "type": "function",
                    "function": {
                        "name": tool.name,
                        "description": tool.description,
                        "parameters": tool.input_schema,
                    },
                })
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    body.insert("stream".into(), json!(stream));
    if stream {
        body.insert("stream_options".into(), json!({"include_usage": true}));
    }
    Value::Object(body)
}

fn joined_text(content: &[ContentBlock]) -> Option<String> {
    let parts: Vec<&str> = content
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Text { text } if !text.is_empty() => Some(text.as_str()),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Reads a non-streaming answer (the first choice). Tool calls without an id get a stable
/// synthesized one; arguments may be a JSON string (OpenAI) or an object (some servers).
pub fn parse_response(body: &Value) -> Result<ChatResponse, LlmError> {
    let choice = body
        .pointer("/choices/0")
        .ok_or_else(|| LlmError::decode(PROVIDER, "the answer has no `choices`"))?;
    let message = choice.get("message").unwrap_or(&Value::Null);
    let response_id = body.get("id").and_then(Value::as_str).unwrap_or("");
    let mut content = Vec::new();
    if let Some(text) = message_text(message.get("content")) {
        content.push(ContentBlock::Text { text });
    }
    let calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (position, call) in calls.iter().enumerate() {
        let name = call
            .pointer("/function/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let id = call_id(call.get("id"), response_id, position as u64, &name);
        let input = match call.pointer("/function/arguments") {
            Some(Value::String(text)) => parse_tool_input(text).unwrap_or_else(|| json!({})),
            Some(Value::Null) | None => json!({}),
            Some(other) => other.clone(),
        };
        content.push(ContentBlock::ToolUse { id, name, input });
    }
    let has_calls = !calls.is_empty();
    Ok(ChatResponse {
        content,
        stop_reason: finish_reason(
            choice.get("finish_reason").and_then(Value::as_str),
            has_calls,
        ),
        usage: body.get("usage").map(usage).unwrap_or_default(),
        model: body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    })
}

/// `content` is a string, null, or (some servers) an array of `{type: text, text}` parts.
fn message_text(content: Option<&Value>) -> Option<String> {
    let text = match content? {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|part| part.get("text").and_then(Value::as_str))
            .collect(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The call's id, or a stable one derived from the response id, the call's position and the
/// tool name when the server sent none (or an empty one): the same answer always gets the
/// same ids, and calls within an answer never collide.
fn call_id(id: Option<&Value>, response_id: &str, index: u64, name: &str) -> String {
    if let Some(id) = id.and_then(Value::as_str).filter(|id| !id.is_empty()) {
        return id.to_string();
    }
    // FNV-1a: tiny, deterministic across runs and platforms (unlike std's hasher).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in format!("{response_id}/{index}/{name}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("call_{index}_{hash:016x}")
}

fn finish_reason(reason: Option<&str>, has_calls: bool) -> StopReason {
    match reason {
        Some("tool_calls" | "function_call") => StopReason::ToolUse,
        // Ollama and others say `stop` even when the answer is tool calls.
        Some("stop") | None if has_calls => StopReason::ToolUse,
        Some("stop") | None => StopReason::EndTurn,
        Some("length") => StopReason::MaxTokens,
        Some(other) => StopReason::Other(other.to_string()),
    }
}

fn usage(value: &Value) -> Usage {
    let field = |name: &str| value.get(name).and_then(Value::as_u64).unwrap_or(0);
    Usage {
        input_tokens: field("prompt_tokens"),
        output_tokens: field("completion_tokens"),
    }
}

#[derive(Debug)]
struct PartialCall {
    index: u64,
    id: String,
    name: String,
    arguments: String,
}

/// Assembles `chat.completion.chunk` events into a [`ChatResponse`], joining each tool call's
/// argument fragments by `index`.
#[derive(Debug, Default)]
pub struct StreamAssembler {
    response_id: String,
    model: String,
    text: String,
    calls: Vec<PartialCall>,
    finish_reason: Option<String>,
    usage: Usage,
}

impl StreamAssembler {
    /// An empty assembly.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one event's raw `data:` text (`[DONE]` included).
    pub fn handle_data(
        &mut self,
        data: &str,
        on_delta: &dyn Fn(StreamDelta),
    ) -> Result<Progress, LlmError> {
        if data.trim() == "[DONE]" {
            return Ok(Progress::Done);
        }
        let value: Value = serde_json::from_str(data).map_err(|err| {
            LlmError::decode(PROVIDER, format!("a stream chunk is not JSON ({err})"))
        })?;
        Ok(self.handle(&value, on_delta))
    }

    /// Takes one parsed chunk, forwarding text and tool-call fragments to `on_delta`.
    pub fn handle(&mut self, chunk: &Value, on_delta: &dyn Fn(StreamDelta)) -> Progress {
        if let Some(error) = chunk.get("error") {
            return Progress::Failed(error.clone());
        }
        if self.response_id.is_empty() {
            self.response_id = chunk
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
        }
        if let Some(model) = chunk.get("model").and_then(Value::as_str) {
            self.model = model.to_string();
        }
        if let Some(found) = chunk.get("usage").filter(|u| u.is_object()) {
            self.usage = usage(found);
        }
        let Some(choice) = chunk.pointer("/choices/0") else {
            return Progress::Continue;
        };
        let delta = choice.get("delta").unwrap_or(&Value::Null);
        if let Some(text) = delta.get("content").and_then(Value::as_str)
            && !text.is_empty()
        {
            self.text.push_str(text);
            on_delta(StreamDelta::Text(text.to_string()));
        }
        let fragments = delta
            .get("tool_calls")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for fragment in fragments {
            self.tool_fragment(fragment, on_delta);
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason = Some(reason.to_string());
        }
        Progress::Continue
    }

    fn tool_fragment(&mut self, fragment: &Value, on_delta: &dyn Fn(StreamDelta)) {
        let name = fragment
            .pointer("/function/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let arguments = match fragment.pointer("/function/arguments") {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        // Servers without `index` send each call whole; a name marks a new call.
        let index = match fragment.get("index").and_then(Value::as_u64) {
            Some(index) => index,
            None if !name.is_empty() || self.calls.is_empty() => self.calls.len() as u64,
            None => self.calls.len() as u64 - 1,
        };
        let position = match self.calls.iter().position(|call| call.index == index) {
            Some(position) => position,
            None => {
                let id = call_id(fragment.get("id"), &self.response_id, index, name);
                on_delta(StreamDelta::ToolUseStart {
                    id: id.clone(),
                    name: name.to_string(),
                });
                self.calls.push(PartialCall {
                    index,
                    id,
                    name: name.to_string(),
                    arguments: String::new(),
                });
                self.calls.len() - 1
            }
        };
        let call = &mut self.calls[position];
        if call.name.is_empty() && !name.is_empty() {
            call.name = name.to_string();
        }
        if !arguments.is_empty() {
            call.arguments.push_str(&arguments);
            on_delta(StreamDelta::ToolInputDelta(arguments));
        }
    }

    /// True once a finish reason has arrived.
    pub fn finished(&self) -> bool {
        self.finish_reason.is_some()
    }

    /// The assembled answer; reports the final usage through `on_delta`.
    pub fn finish(mut self, on_delta: &dyn Fn(StreamDelta)) -> ChatResponse {
        on_delta(StreamDelta::Usage(self.usage));
        self.calls.sort_by_key(|call| call.index);
        let has_calls = !self.calls.is_empty();
        let mut content = Vec::new();
        if !self.text.is_empty() {
            content.push(ContentBlock::Text { text: self.text });
        }
        for call in self.calls {
            content.push(ContentBlock::ToolUse {
                id: call.id,
                name: call.name,
                input: parse_tool_input(&call.arguments).unwrap_or_else(|| json!({})),
            });
        }
        ChatResponse {
            content,
            stop_reason: finish_reason(self.finish_reason.as_deref(), has_calls),
            usage: self.usage,
            model: self.model,
        }
    }
}

/// Parses a whole recorded SSE body at once (what a live stream would deliver piecewise).
pub fn parse_sse(text: &str, on_delta: &dyn Fn(StreamDelta)) -> Result<ChatResponse, LlmError> {
    let ctx = ErrorContext {
        provider: PROVIDER,
        key_env: KEY_ENV,
        model: String::new(),
        url: String::new(),
        secrets: Vec::new(),
    };
    let mut parser = SseParser::new();
    let mut events = parser.push(text.as_bytes());
    events.extend(parser.finish());
    let mut assembler = StreamAssembler::new();
    for event in events {
        match assembler.handle_data(&event.data, on_delta)? {
            Progress::Continue => {}
            Progress::Done => return Ok(assembler.finish(on_delta)),
            Progress::Failed(error) => return Err(ctx.stream_error(&error)),
        }
    }
    if assembler.finished() {
        return Ok(assembler.finish(on_delta));
    }
    Err(crate::anthropic::stream_cut(&ctx))
}
