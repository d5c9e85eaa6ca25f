//! The provider-neutral conversation types the agent loop works with.
//!
//! Every provider translates these to and from its own wire format, so the loop never sees
//! JSON shaped for one vendor.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A tool the model may call, described MCP-style: a name, a description and a JSON Schema
/// for its input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// Name the model uses to call the tool (`list_files`, `write_file`...).
    pub name: String,
    /// What the tool does, written for the model.
    pub description: String,
    /// JSON Schema of the tool's input object.
    pub input_schema: serde_json::Value,
}

/// Who wrote a message. System instructions travel separately in [`ChatRequest::system`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The user, or the loop speaking for it (tool results are user content).
    User,
    /// The model.
    Assistant,
}

/// One piece of a message: text, a tool call from the model, or a tool result for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    /// Plain text.
    Text {
        /// The text itself.
        text: String,
    },
    /// The model asks for a tool to be run.
    ToolUse {
        /// Identifier the matching [`ContentBlock::ToolResult`] must repeat.
        id: String,
        /// Tool name, one of the [`ToolSpec`] names sent in the request.
        name: String,
        /// Parsed input object (always a JSON value, never a string of JSON).
        input: serde_json::Value,
    },
    /// The outcome of a tool call, sent back in a user message.
    ToolResult {
        /// The [`ContentBlock::ToolUse`] id this answers.
        tool_use_id: String,
        /// What the tool returned (or the error text when `is_error`).
        content: String,
        /// True when the tool failed; the model sees the failure and can react.
        #[serde(default)]
        is_error: bool,
    },
}

impl ContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        ContentBlock::Text { text: text.into() }
    }

    /// A successful tool result.
    pub fn tool_result(tool_use_id: impl Into<String>, content: impl Into<String>) -> Self {
        ContentBlock::ToolResult {
            tool_use_id: tool_use_id.into(),
            content: content.into(),
            is_error: false,
        }
    }
}

/// One turn of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// What it says, in order.
    pub content: Vec<ContentBlock>,
}

impl Message {
    /// A user message holding one text block.
    pub fn user_text(text: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: vec![ContentBlock::text(text)],
        }
    }

    /// An assistant message with the given blocks (typically a [`ChatResponse`]'s content).
    pub fn assistant(content: Vec<ContentBlock>) -> Self {
        Message {
            role: Role::Assistant,
            content,
        }
    }
}

/// Everything a provider needs for one model call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// System instructions; empty means none are sent.
    pub system: String,
    /// The conversation so far, starting with a user message.
    pub messages: Vec<Message>,
    /// Tools the model may call; empty means none are offered.
    pub tools: Vec<ToolSpec>,
    /// Upper bound on the tokens the model may generate.
    pub max_tokens: u32,
    /// Sampling temperature; `None` leaves the provider's default.
    pub temperature: Option<f32>,
}

/// Why the model stopped generating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// The model finished its answer.
    EndTurn,
    /// The model wants tool results before going on.
    ToolUse,
    /// The answer was cut at `max_tokens`.
    MaxTokens,
    /// A stop sequence was hit.
    StopSequence,
    /// Anything else the provider reported (`refusal`, `content_filter`...), verbatim.
    Other(String),
}

impl StopReason {
    /// The snake_case name used in script files and JSON (`end_turn`, `tool_use`...).
    pub fn as_str(&self) -> &str {
        match self {
            StopReason::EndTurn => "end_turn",
            StopReason::ToolUse => "tool_use",
            StopReason::MaxTokens => "max_tokens",
            StopReason::StopSequence => "stop_sequence",
            StopReason::Other(other) => other,
        }
    }

    /// Parses the Anthropic / script spelling; unknown values become [`StopReason::Other`].
    pub fn parse(value: &str) -> Self {
        match value {
            "end_turn" => StopReason::EndTurn,
            "tool_use" => StopReason::ToolUse,
            "max_tokens" => StopReason::MaxTokens,
            "stop_sequence" => StopReason::StopSequence,
            other => StopReason::Other(other.to_string()),
        }
    }
}

impl Serialize for StopReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StopReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(StopReason::parse(&value))
    }
}

/// Tokens consumed by one call (or, summed, by a run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens, including cached ones.
    #[serde(default)]
    pub input_tokens: u64,
    /// Generated tokens.
    #[serde(default)]
    pub output_tokens: u64,
}

impl Usage {
    /// Adds another call's usage to this one.
    pub fn add(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
    }
}

/// The model's answer to one [`ChatRequest`], already assembled from the stream if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// Text and tool calls, in the order the model produced them.
    pub content: Vec<ContentBlock>,
    /// Why generation stopped.
    pub stop_reason: StopReason,
    /// Tokens used by this call.
    #[serde(default)]
    pub usage: Usage,
    /// The model that answered, as reported by the provider (may carry a date suffix).
    #[serde(default)]
    pub model: String,
}

impl ChatResponse {
    /// The tool calls of this answer as `(id, name, input)`, in order.
    pub fn tool_uses(&self) -> impl Iterator<Item = (&str, &str, &serde_json::Value)> {
        self.content.iter().filter_map(|block| match block {
            ContentBlock::ToolUse { id, name, input } => Some((id.as_str(), name.as_str(), input)),
            _ => None,
        })
    }

    /// All text blocks joined, for display or for a final answer.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// A piece of an answer as it arrives, for live progress. The assembled
/// [`ChatResponse`] is authoritative; deltas are only for display.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamDelta {
    /// More text of the current text block.
    Text(String),
    /// The model started a tool call.
    ToolUseStart {
        /// The call's id.
        id: String,
        /// The tool's name.
        name: String,
    },
    /// A fragment of the current tool call's input JSON (not valid JSON on its own).
    ToolInputDelta(String),
    /// Usage known so far (sent at least once, at the end of a call).
    Usage(Usage),
    /// The attempt that sent the deltas so far failed and the call is being retried (or has
    /// given up): everything shown since the call began is void, not part of the answer.
    Superseded,
}

/// A tool call's input as the APIs accept it back in a request: an object. A model that sent
/// something else (a string of broken JSON, an array) had its call rejected by the loop;
/// replaying that value verbatim would make a validating API refuse the whole request.
pub(crate) fn object_input(input: &serde_json::Value) -> serde_json::Value {
    if input.is_object() {
        input.clone()
    } else {
        serde_json::Value::Object(serde_json::Map::new())
    }
}

/// A temperature as JSON with the digits the user wrote: `0.7f32` widened to f64 would be
/// sent as `0.699999988079071`.
pub(crate) fn temperature_json(temperature: f32) -> serde_json::Value {
    temperature
        .to_string()
        .parse::<f64>()
        .map(serde_json::Value::from)
        .unwrap_or_else(|_| serde_json::Value::from(f64::from(temperature)))
}
