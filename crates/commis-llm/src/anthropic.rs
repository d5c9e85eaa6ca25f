//! The Anthropic Messages API (`POST {base}/v1/messages`), streaming or not.
//!
//! The request and response translators are public so that recorded exchanges can be checked
//! against them without a network; the agent loop only needs [`AnthropicProvider`] through the
//! [`Provider`] trait.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use serde_json::{Map, Value, json};

use crate::config::ProviderConfig;
use crate::error::LlmError;
use crate::http::{DeltaSink, Endpoint, ErrorContext, with_retries};
use crate::provider::Provider;
use crate::sse::SseParser;
use crate::types::{ChatRequest, ChatResponse, ContentBlock, StopReason, StreamDelta, Usage};

/// The API version header every request carries.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
const PROVIDER: &str = "anthropic";
const KEY_ENV: &str = "ANTHROPIC_API_KEY";

/// A provider speaking the Anthropic Messages API.
#[derive(Debug)]
pub struct AnthropicProvider {
    endpoint: Endpoint,
    models_url: String,
}

impl AnthropicProvider {
    /// Builds the provider; fails when no API key is configured.
    pub fn new(cfg: &ProviderConfig) -> Result<Self, LlmError> {
        let key = cfg
            .api_key
            .as_deref()
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .ok_or_else(|| {
                LlmError::config(format!(
                    "{KEY_ENV} is not set; export your Anthropic API key, or use --provider \
                     offline (no model) or openai"
                ))
            })?;
        let base = cfg.effective_base_url();
        // The SDK convention is a base without /v1; accept one with it rather than call /v1/v1.
        let root = base.strip_suffix("/v1").unwrap_or(&base);
        let url = format!("{root}/v1/messages");
        let models_url = format!("{root}/v1/models?limit=1000");
        let endpoint = Endpoint::new(
            PROVIDER,
            KEY_ENV,
            url,
            cfg.effective_model(),
            &[
                ("x-api-key", key.to_string()),
                ("anthropic-version", ANTHROPIC_VERSION.to_string()),
            ],
            cfg,
        )?;
        Ok(AnthropicProvider {
            endpoint,
            models_url,
        })
    }

    /// The full URL requests go to.
    pub fn url(&self) -> &str {
        &self.endpoint.ctx.url
    }

    /// The model ids the key can use (`GET /v1/models`), for `commis doctor` and suggestions.
    pub async fn list_models(&self) -> Result<Vec<String>, LlmError> {
        self.endpoint.list_models(&self.models_url).await
    }
}

#[async_trait::async_trait]
impl Provider for AnthropicProvider {
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
        let endpoint = &self.endpoint;
        let body = &request_body(&endpoint.ctx.model, req, endpoint.stream);
        let emitted = AtomicBool::new(false);
        let sink = &DeltaSink::new(on_delta, &emitted);
        let result = with_retries(endpoint, sink, || async move {
            let mut response = endpoint.post(body).await?;
            if !is_event_stream(&response) {
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
                    let data: Value = serde_json::from_str(&event.data)
                        .map_err(|err| broken_event(&endpoint.ctx, chunk.is_none(), &err))?;
                    match assembler.handle(&data, &|delta| sink.send(delta)) {
                        Progress::Continue => {}
                        Progress::Done => return Ok(assembler.finish()?),
                        Progress::Failed(error) => {
                            return Err(endpoint.ctx.stream_error(&error).into());
                        }
                    }
                }
                if chunk.is_none() {
                    return Err(stream_cut(&endpoint.ctx).into());
                }
            }
        })
        .await;
        match result {
            Err(err @ LlmError::NotFound { .. }) => {
                Err(endpoint.suggest_model(&self.models_url, err).await)
            }
            other => other,
        }
    }
}

pub(crate) fn is_event_stream(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"))
}

pub(crate) fn stream_cut(ctx: &ErrorContext) -> LlmError {
    ctx.stream_cut("the connection closed before the answer was complete")
}

/// An event whose data is not JSON: cut in the middle when the stream just ended, else
/// garbage inside an answer that had started well. Either way the endpoint is the right one
/// and the attempt is worth repeating.
pub(crate) fn broken_event(ctx: &ErrorContext, at_end: bool, err: &serde_json::Error) -> LlmError {
    if at_end {
        ctx.stream_cut("the connection closed in the middle of an event")
    } else {
        ctx.stream_cut(format!("an event of the stream is not JSON ({err})"))
    }
}

/// The JSON body for `req`. Fields sent: `model`, `max_tokens`, `system` (when not empty),
/// `messages`, `tools` (when any), `temperature` (when set) and `stream`. Empty text blocks
/// and messages left empty are dropped because the API rejects them, and tool results are
/// moved before text in their message, as the API requires.
pub fn request_body(model: &str, req: &ChatRequest, stream: bool) -> Value {
    let messages: Vec<Value> = req
        .messages
        .iter()
        .filter_map(|message| {
            // The API wants tool results before any text in the message that answers a tool
            // call; the stable sort keeps everything else in order.
            let mut blocks: Vec<&ContentBlock> = message
                .content
                .iter()
                .filter(|block| !matches!(block, ContentBlock::Text { text } if text.is_empty()))
                .collect();
            blocks.sort_by_key(|block| !matches!(block, ContentBlock::ToolResult { .. }));
            let content: Vec<Value> = blocks.into_iter().map(block_json).collect();
            (!content.is_empty()).then(|| json!({"role": message.role, "content": content}))
        })
        .collect();
    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    body.insert("max_tokens".into(), json!(req.max_tokens));
    if !req.system.is_empty() {
        body.insert("system".into(), json!(req.system));
    }
    body.insert("messages".into(), Value::Array(messages));
    if !req.tools.is_empty() {
        let tools: Vec<Value> = req
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "name": tool.name,
                    "description": tool.description,
                    "input_schema": tool.input_schema,
                })
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    if let Some(temperature) = req.temperature {
        body.insert(
            "temperature".into(),
            crate::types::temperature_json(temperature),
        );
    }
    body.insert("stream".into(), json!(stream));
    Value::Object(body)
}

fn block_json(block: &ContentBlock) -> Value {
    match block {
        ContentBlock::Text { text } => json!({"type": "text", "text": text}),
        ContentBlock::ToolUse { id, name, input } => {
            json!({"type": "tool_use", "id": id, "name": name, "input": crate::types::object_input(input)})
        }
        ContentBlock::ToolResult {
            tool_use_id,
            content,
            is_error,
        } => json!({
            "type": "tool_result",
            "tool_use_id": tool_use_id,
            "content": content,
            "is_error": is_error,
        }),
    }
}

/// Reads a non-streaming answer. Thinking blocks and server-side tool blocks are skipped:
/// commis neither requests nor replays them.
pub fn parse_response(body: &Value) -> Result<ChatResponse, LlmError> {
    let blocks = body
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| LlmError::decode(PROVIDER, "the answer has no `content` array"))?;
    let mut content = Vec::new();
    for block in blocks {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => content.push(ContentBlock::Text {
                text: str_field(block, "text"),
            }),
            Some("tool_use") => content.push(ContentBlock::ToolUse {
                id: str_field(block, "id"),
                name: str_field(block, "name"),
                input: block.get("input").cloned().unwrap_or_else(|| json!({})),
            }),
            _ => {}
        }
    }
    Ok(ChatResponse {
        content,
        stop_reason: stop_reason(body.get("stop_reason")),
        usage: body.get("usage").map(usage).unwrap_or_default(),
        model: str_field(body, "model"),
    })
}

fn str_field(value: &Value, name: &str) -> String {
    value
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn stop_reason(value: Option<&Value>) -> StopReason {
    match value.and_then(Value::as_str) {
        Some(reason) => StopReason::parse(reason),
        None => StopReason::EndTurn,
    }
}

/// Input tokens count cache writes and reads too: they are all part of the prompt.
fn usage(value: &Value) -> Usage {
    let field = |name: &str| value.get(name).and_then(Value::as_u64).unwrap_or(0);
    Usage {
        input_tokens: field("input_tokens")
            + field("cache_creation_input_tokens")
            + field("cache_read_input_tokens"),
        output_tokens: field("output_tokens"),
    }
}

/// What one stream event meant for the assembly.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Keep reading.
    Continue,
    /// `message_stop` arrived: the answer is complete.
    Done,
    /// An `error` event arrived; its `error` object.
    Failed(Value),
}

#[derive(Debug)]
enum Partial {
    Text(String),
    Tool {
        id: String,
        name: String,
        input: Value,
        json: String,
    },
    Ignored,
}

/// Assembles streamed events (`message_start`, `content_block_*`, `message_delta`,
/// `message_stop`, `ping`, `error`) into a [`ChatResponse`], joining `input_json_delta`
/// fragments into each tool call's input.
#[derive(Debug, Default)]
pub struct StreamAssembler {
    blocks: BTreeMap<u64, Partial>,
    stop_reason: Option<StopReason>,
    usage: Usage,
    model: String,
}

impl StreamAssembler {
    /// An empty assembly.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one event's JSON data, forwarding text and tool-call fragments to `on_delta`.
    pub fn handle(&mut self, data: &Value, on_delta: &dyn Fn(StreamDelta)) -> Progress {
        let index = data.get("index").and_then(Value::as_u64).unwrap_or(0);
        match data.get("type").and_then(Value::as_str).unwrap_or("") {
            "message_start" => {
                let message = data.get("message").unwrap_or(&Value::Null);
                self.model = str_field(message, "model");
                if let Some(found) = message.get("usage") {
                    self.usage = usage(found);
                }
            }
            "content_block_start" => {
                let block = data.get("content_block").unwrap_or(&Value::Null);
                let partial = match block.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        let text = str_field(block, "text");
                        if !text.is_empty() {
                            on_delta(StreamDelta::Text(text.clone()));
                        }
                        Partial::Text(text)
                    }
                    Some("tool_use") => {
                        let id = str_field(block, "id");
                        let name = str_field(block, "name");
                        on_delta(StreamDelta::ToolUseStart {
                            id: id.clone(),
                            name: name.clone(),
                        });
                        Partial::Tool {
                            id,
                            name,
                            input: block.get("input").cloned().unwrap_or_else(|| json!({})),
                            json: String::new(),
                        }
                    }
                    _ => Partial::Ignored,
                };
                self.blocks.insert(index, partial);
            }
            "content_block_delta" => {
                let delta = data.get("delta").unwrap_or(&Value::Null);
                match (
                    self.blocks.get_mut(&index),
                    delta.get("type").and_then(Value::as_str),
                ) {
                    (Some(Partial::Text(text)), Some("text_delta")) => {
                        let piece = str_field(delta, "text");
                        text.push_str(&piece);
                        on_delta(StreamDelta::Text(piece));
                    }
                    (Some(Partial::Tool { json, .. }), Some("input_json_delta")) => {
                        let piece = str_field(delta, "partial_json");
                        json.push_str(&piece);
                        on_delta(StreamDelta::ToolInputDelta(piece));
                    }
                    _ => {}
                }
            }
            "message_delta" => {
                if let Some(reason) = data.pointer("/delta/stop_reason").filter(|v| !v.is_null()) {
                    self.stop_reason = Some(stop_reason(Some(reason)));
                }
                if let Some(found) = data.get("usage") {
                    // Counts here are cumulative; input counts only appear on some models.
                    let update = usage(found);
                    if update.input_tokens > 0 {
                        self.usage.input_tokens = update.input_tokens;
                    }
                    self.usage.output_tokens = update.output_tokens.max(self.usage.output_tokens);
                }
            }
            "message_stop" => {
                on_delta(StreamDelta::Usage(self.usage));
                return Progress::Done;
            }
            "error" => {
                return Progress::Failed(data.get("error").cloned().unwrap_or(Value::Null));
            }
            // content_block_stop, ping, and event types added after this was written.
            _ => {}
        }
        Progress::Continue
    }

    /// The assembled answer. A tool input that is not valid JSON is kept as a JSON string so
    /// the loop can tell the model its call was malformed.
    pub fn finish(self) -> Result<ChatResponse, LlmError> {
        let content = self
            .blocks
            .into_values()
            .filter_map(|partial| match partial {
                Partial::Text(text) => Some(ContentBlock::Text { text }),
                Partial::Tool {
                    id,
                    name,
                    input,
                    json,
                } => Some(ContentBlock::ToolUse {
                    id,
                    name,
                    input: parse_tool_input(&json).unwrap_or(input),
                }),
                Partial::Ignored => None,
            })
            .collect();
        Ok(ChatResponse {
            content,
            stop_reason: self.stop_reason.unwrap_or(StopReason::EndTurn),
            usage: self.usage,
            model: self.model,
        })
    }
}

/// Parses streamed tool-input JSON; `None` when nothing was streamed.
pub(crate) fn parse_tool_input(json: &str) -> Option<Value> {
    if json.trim().is_empty() {
        return None;
    }
    Some(serde_json::from_str(json).unwrap_or_else(|_| Value::String(json.to_string())))
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
        let data: Value =
            serde_json::from_str(&event.data).map_err(|err| broken_event(&ctx, false, &err))?;
        match assembler.handle(&data, on_delta) {
            Progress::Continue => {}
            Progress::Done => return assembler.finish(),
            Progress::Failed(error) => return Err(ctx.stream_error(&error)),
        }
    }
    Err(stream_cut(&ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Message, Role};

    #[test]
    fn tool_results_go_first_and_empty_text_is_dropped() {
        let req = ChatRequest {
            system: String::new(),
            messages: vec![
                Message::assistant(vec![
                    ContentBlock::text(""),
                    ContentBlock::ToolUse {
                        id: "t1".into(),
                        name: "list_files".into(),
                        input: json!({}),
                    },
                ]),
                Message {
                    role: Role::User,
                    content: vec![
                        ContentBlock::text("Voici :"),
                        ContentBlock::tool_result("t1", "a.pdf"),
                    ],
                },
                Message::assistant(vec![ContentBlock::text("")]),
            ],
            tools: Vec::new(),
            max_tokens: 5,
            temperature: Some(0.7),
        };
        let body = request_body("m", &req, false);
        assert_eq!(body["temperature"], json!(0.7));
        assert!(body.get("system").is_none() && body.get("tools").is_none());
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2, "the empty assistant turn is dropped");
        assert_eq!(messages[0]["content"].as_array().unwrap().len(), 1);
        assert_eq!(messages[1]["content"][0]["type"], "tool_result");
        assert_eq!(messages[1]["content"][1]["text"], "Voici :");
    }

    #[test]
    fn a_malformed_streamed_tool_input_is_kept_as_a_string_for_the_loop_to_reject() {
        let mut assembler = StreamAssembler::new();
        let events = [
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "tool_use", "id": "t", "name": "n", "input": {}}}),
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "input_json_delta", "partial_json": "{\"path\": "}}),
            json!({"type": "message_delta", "delta": {"stop_reason": "max_tokens"},
                   "usage": {"output_tokens": 7}}),
        ];
        for event in &events {
            assert_eq!(assembler.handle(event, &|_| {}), Progress::Continue);
        }
        let answer = assembler.finish().unwrap();
        assert_eq!(answer.stop_reason, StopReason::MaxTokens);
        assert_eq!(
            answer.content,
            vec![ContentBlock::ToolUse {
                id: "t".into(),
                name: "n".into(),
                input: json!("{\"path\": ")
            }]
        );
    }
}
