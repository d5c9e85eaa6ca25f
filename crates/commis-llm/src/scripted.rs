//! A provider that replays a recorded conversation, for deterministic tests and demos.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use crate::error::LlmError;
use crate::provider::Provider;
use crate::types::{ChatRequest, ChatResponse, ContentBlock, StreamDelta};

/// The model name a scripted provider reports when the script does not name one.
pub const SCRIPTED_MODEL: &str = "scripted";

/// The on-disk shape of a script file (see the crate documentation for an example).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// Model name to report; defaults to `scripted`.
    #[serde(default)]
    pub model: Option<String>,
    /// The answers, in the order `complete` returns them.
    pub turns: Vec<ChatResponse>,
}

/// Computes an answer from the request, for tests where calls run concurrently and the
/// order of a fixed script would be a race.
pub type Responder = dyn Fn(&ChatRequest) -> Result<ChatResponse, LlmError> + Send + Sync;

enum Source {
    Turns(Mutex<VecDeque<ChatResponse>>),
    Responder(Box<Responder>),
}

/// Replays canned answers: each `complete` returns the next turn (streaming its text and tool
/// calls through `on_delta`), then [`LlmError::ScriptExhausted`] after the last one. It records
/// every request it receives so tests can check what the loop sent.
pub struct ScriptedProvider {
    model: String,
    source: Source,
    requests: Mutex<Vec<ChatRequest>>,
    delay: Option<Duration>,
}

impl std::fmt::Debug for ScriptedProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedProvider")
            .field("model", &self.model)
            .field("remaining", &self.remaining())
            .field("delay", &self.delay)
            .finish()
    }
}

impl ScriptedProvider {
    /// A provider answering with `turns`, in order.
    pub fn new(turns: Vec<ChatResponse>) -> Self {
        ScriptedProvider {
            model: SCRIPTED_MODEL.to_string(),
            source: Source::Turns(Mutex::new(turns.into())),
            requests: Mutex::new(Vec::new()),
            delay: None,
        }
    }

    /// A provider whose answers `responder` computes from each request (for sub-agents run
    /// concurrently, say, where each item's request names its file). Returning
    /// `Err(LlmError::ScriptExhausted)` or any other error fails that call.
    pub fn from_fn(
        responder: impl Fn(&ChatRequest) -> Result<ChatResponse, LlmError> + Send + Sync + 'static,
    ) -> Self {
        ScriptedProvider {
            model: SCRIPTED_MODEL.to_string(),
            source: Source::Responder(Box::new(responder)),
            requests: Mutex::new(Vec::new()),
            delay: None,
        }
    }

    /// Loads a script file (`{"turns": [...]}`).
    pub fn from_file(path: &Path) -> Result<Self, LlmError> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            LlmError::config(format!(
                "cannot read the script file {}: {err}; pass an existing JSON script",
                path.display()
            ))
        })?;
        Self::from_json(&text).map_err(|err| match err {
            LlmError::Config { detail } => {
                LlmError::config(format!("script file {}: {detail}", path.display()))
            }
            other => other,
        })
    }

    /// Parses a script from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, LlmError> {
        let script: Script = serde_json::from_str(text).map_err(|err| {
            LlmError::config(format!(
                "not a valid script ({err}); expected {{\"turns\": [{{\"content\": [...], \
                 \"stop_reason\": \"end_turn\", \"usage\": {{...}}}}]}}"
            ))
        })?;
        let mut provider = Self::new(script.turns);
        if let Some(model) = script.model {
            provider.model = model;
        }
        Ok(provider)
    }

    /// Waits `delay` before each answer, to imitate a real model's latency in benchmarks.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Reports `model` as the model name.
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<ChatRequest> {
        lock(&self.requests).clone()
    }

    /// How many turns are left to replay (0 for a [`ScriptedProvider::from_fn`] provider).
    pub fn remaining(&self) -> usize {
        match &self.source {
            Source::Turns(turns) => lock(turns).len(),
            Source::Responder(_) => 0,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic in another test thread must not hide the data from this one.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait::async_trait]
impl Provider for ScriptedProvider {
    fn name(&self) -> &str {
        "scripted"
    }

    fn model(&self) -> &str {
        &self.model
    }

    async fn complete(
        &self,
        req: &ChatRequest,
        on_delta: &(dyn Fn(StreamDelta) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        lock(&self.requests).push(req.clone());
        let mut turn = match &self.source {
            Source::Turns(turns) => {
                let next = lock(turns).pop_front();
                next.ok_or(LlmError::ScriptExhausted)?
            }
            Source::Responder(responder) => responder(req)?,
        };
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        if turn.model.is_empty() {
            turn.model = self.model.clone();
        }
        for block in &turn.content {
            match block {
                ContentBlock::Text { text } => on_delta(StreamDelta::Text(text.clone())),
                ContentBlock::ToolUse { id, name, input } => {
                    on_delta(StreamDelta::ToolUseStart {
                        id: id.clone(),
                        name: name.clone(),
                    });
                    on_delta(StreamDelta::ToolInputDelta(input.to_string()));
                }
                ContentBlock::ToolResult { .. } => {}
            }
        }
        on_delta(StreamDelta::Usage(turn.usage));
        Ok(turn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Message, StopReason, Usage};
    use serde_json::json;

    fn request(text: &str) -> ChatRequest {
        ChatRequest {
            system: String::new(),
            messages: vec![Message::user_text(text)],
            tools: Vec::new(),
            max_tokens: 100,
            temperature: None,
        }
    }

    const SCRIPT: &str = r#"{
        "turns": [
            {"content": [{"type": "text", "text": "Je regarde."},
                         {"type": "tool_use", "id": "t1", "name": "list_files", "input": {"path": "."}}],
             "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 5}},
            {"content": [{"type": "text", "text": "Fini."}], "stop_reason": "end_turn"}
        ]
    }"#;

    #[tokio::test]
    async fn replays_turns_in_order_then_reports_exhaustion() {
        let provider = ScriptedProvider::from_json(SCRIPT).unwrap();
        let first = provider.complete(&request("a"), &|_| {}).await.unwrap();
        assert_eq!(first.stop_reason, StopReason::ToolUse);
        assert_eq!(
            first.tool_uses().collect::<Vec<_>>(),
            vec![("t1", "list_files", &json!({"path": "."}))]
        );
        assert_eq!(
            first.usage,
            Usage {
                input_tokens: 10,
                output_tokens: 5
            }
        );
        assert_eq!(first.model, "scripted");
        let second = provider.complete(&request("b"), &|_| {}).await.unwrap();
        assert_eq!(second.text(), "Fini.");
        assert_eq!(second.usage, Usage::default());
        let third = provider.complete(&request("c"), &|_| {}).await;
        assert!(matches!(third, Err(LlmError::ScriptExhausted)));
        let seen: Vec<String> = provider
            .requests()
            .iter()
            .map(|r| match &r.messages[0].content[0] {
                ContentBlock::Text { text } => text.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(seen, ["a", "b", "c"]);
    }

    #[tokio::test]
    async fn streams_text_and_tool_calls_through_on_delta() {
        let provider = ScriptedProvider::from_json(SCRIPT).unwrap();
        let seen = Mutex::new(Vec::new());
        provider
            .complete(&request("a"), &|delta| lock(&seen).push(delta))
            .await
            .unwrap();
        let seen = lock(&seen).clone();
        assert_eq!(seen[0], StreamDelta::Text("Je regarde.".into()));
        assert_eq!(
            seen[1],
            StreamDelta::ToolUseStart {
                id: "t1".into(),
                name: "list_files".into()
            }
        );
        assert_eq!(
            seen[2],
            StreamDelta::ToolInputDelta(r#"{"path":"."}"#.into())
        );
        assert!(matches!(seen[3], StreamDelta::Usage(_)));
    }

    #[tokio::test]
    async fn a_responder_answers_from_the_request_and_waits_its_delay() {
        let provider = ScriptedProvider::from_fn(|req| {
            let ContentBlock::Text { text } = &req.messages[0].content[0] else {
                return Err(LlmError::ScriptExhausted);
            };
            Ok(ChatResponse {
                content: vec![ContentBlock::text(format!("résumé de {text}"))],
                stop_reason: StopReason::EndTurn,
                usage: Usage::default(),
                model: String::new(),
            })
        })
        .with_delay(Duration::from_millis(200));
        let started = std::time::Instant::now();
        let (first, second) = (request("a.pdf"), request("b.pdf"));
        let (a, b) = tokio::join!(
            provider.complete(&first, &|_| {}),
            provider.complete(&second, &|_| {})
        );
        assert_eq!(a.unwrap().text(), "résumé de a.pdf");
        assert_eq!(b.unwrap().text(), "résumé de b.pdf");
        let elapsed = started.elapsed();
        // Both calls wait at once: well under the 400 ms two sequential waits would take.
        assert!(elapsed >= Duration::from_millis(200) && elapsed < Duration::from_millis(390));
    }

    #[test]
    fn rejects_a_script_without_turns_with_a_hint() {
        let err = ScriptedProvider::from_json(r#"{"steps": []}"#).unwrap_err();
        assert!(err.to_string().contains("\"turns\""), "{err}");
    }
}
