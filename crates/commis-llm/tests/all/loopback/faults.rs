//! A model endpoint that misbehaves on demand, in both wire formats, streaming and not:
//! streams cut in the middle of an event, error events mid-stream, endless keep-alives,
//! tool arguments that are not objects, redirects, error bodies that echo the key — and a
//! strict mode that refuses requests the way the real APIs do.

use super::*;

/// What the real APIs check before answering (the part a loop can get wrong): every tool
/// call's input is a JSON object (Anthropic `tool_use.input`; OpenAI `arguments`, a string
/// holding an object), every tool result answers a call of the assistant turn just before.
pub(super) fn validate(body: &Value) -> Result<(), String> {
    let messages = body["messages"]
        .as_array()
        .ok_or("messages: not an array")?;
    let mut open_calls: Vec<String> = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let role = message["role"].as_str().unwrap_or("");
        if role == "assistant" {
            open_calls.clear();
        }
        if let Some(blocks) = message["content"].as_array() {
            for (j, block) in blocks.iter().enumerate() {
                match block["type"].as_str() {
                    Some("tool_use") => {
                        if !block["input"].is_object() {
                            return Err(format!(
                                "messages.{i}.content.{j}.tool_use.input: Input should be a valid dictionary"
                            ));
                        }
                        open_calls.push(block["id"].as_str().unwrap_or("").to_string());
                    }
                    Some("tool_result") => {
                        let id = block["tool_use_id"].as_str().unwrap_or("");
                        if !open_calls.iter().any(|open| open == id) {
                            return Err(format!(
                                "messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: {id}"
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(calls) = message["tool_calls"].as_array() {
            for (j, call) in calls.iter().enumerate() {
                let arguments = call["function"]["arguments"].as_str().ok_or_else(|| {
                    format!("messages[{i}].tool_calls[{j}].function.arguments: expected a string")
                })?;
                let parsed: Value = serde_json::from_str(arguments).map_err(|_| {
                    format!("messages[{i}].tool_calls[{j}].function.arguments: invalid JSON")
                })?;
                if !parsed.is_object() {
                    return Err(format!(
                        "messages[{i}].tool_calls[{j}].function.arguments: must be a JSON object"
                    ));
                }
                open_calls.push(call["id"].as_str().unwrap_or("").to_string());
            }
        }
        if role == "tool" {
            let id = message["tool_call_id"].as_str().unwrap_or("");
            if !open_calls.iter().any(|open| open == id) {
                return Err(format!(
                    "messages[{i}]: tool message with tool_call_id {id} does not answer a tool call"
                ));
            }
        }
    }
    Ok(())
}

const WIRES: [(ProviderKind, bool); 4] = [
    (ProviderKind::Anthropic, false),
    (ProviderKind::Anthropic, true),
    (ProviderKind::OpenAi, false),
    (ProviderKind::OpenAi, true),
];

fn base_for(kind: ProviderKind, server: &Server) -> String {
    match kind {
        ProviderKind::OpenAi => format!("{}/v1", server.base()),
        _ => server.base(),
    }
}

/// A good answer with text only, in the wire format and mode asked.
fn text_answer(kind: ProviderKind, stream: bool, text: &str) -> Reply {
    match (kind, stream) {
        (ProviderKind::OpenAi, false) => openai_json(Some(text), &[], "stop"),
        (ProviderKind::OpenAi, true) => Reply::Sse {
            events: openai_stream(Some(text), &[], "stop"),
            stall_after: None,
        },
        (_, false) => anthropic_json(json!([{"type": "text", "text": text}]), "end_turn"),
        (_, true) => Reply::Sse {
            events: anthropic_stream(&[json!({"type": "text", "text": text})], "end_turn"),
            stall_after: None,
        },
    }
}

fn stream_events(kind: ProviderKind, text: &str) -> Vec<String> {
    match kind {
        ProviderKind::OpenAi => openai_stream(Some(text), &[], "stop"),
        _ => anthropic_stream(&[json!({"type": "text", "text": text})], "end_turn"),
    }
}

/// The text shown to a user who honours `Superseded`: what came after the last one.
fn delivered_text(deltas: &[StreamDelta]) -> String {
    let start = deltas
        .iter()
        .rposition(|d| *d == StreamDelta::Superseded)
        .map_or(0, |i| i + 1);
    deltas[start..]
        .iter()
        .filter_map(|d| match d {
            StreamDelta::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

async fn call(
    provider: &dyn Provider,
    req: &ChatRequest,
) -> (Result<ChatResponse, LlmError>, Vec<StreamDelta>) {
    let deltas = Mutex::new(Vec::new());
    // A hang fails the test instead of blocking it.
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        provider.complete(req, &|d| deltas.lock().unwrap().push(d)),
    )
    .await
    .expect("the call hung past every deadline");
    (result, deltas.into_inner().unwrap())
}

#[tokio::test]
async fn a_failed_attempt_is_retried_as_a_whole_in_every_wire_format() {
    let good = "Deux factures, 1 250,00 € au total.";
    for (kind, stream) in WIRES {
        // Streaming: the connection closes in the middle of an event, after text was shown.
        // Not streaming: the body stops short of its declared length.
        let broken = if stream {
            let mut events = stream_events(kind, "Le total est de 9");
            let keep = events.len() - 3;
            events.truncate(keep);
            let mut bytes: Vec<Vec<u8>> = events.into_iter().map(String::into_bytes).collect();
            bytes.push(b"data: {\"type\": \"content_block_del".to_vec());
            Reply::Raw {
                content_type: "text/event-stream",
                chunks: bytes,
            }
        } else {
            Reply::Truncated("{\"id\": \"msg_1\", \"content\": [{\"type\": \"te".into())
        };
        let server = Server::start(vec![broken, text_answer(kind, stream, good)]).await;
        let provider = from_config(&config(kind, &base_for(kind, &server), stream)).unwrap();
        let (result, deltas) = call(provider.as_ref(), &simple()).await;
        let answer = result.unwrap_or_else(|e| panic!("{kind:?} stream={stream}: {e}"));
        assert_eq!(answer.text(), good, "{kind:?} stream={stream}");
        assert_eq!(server.seen().len(), 2, "{kind:?} stream={stream}");
        if !stream {
            // Cut every time, the error names the cut, not the base URL.
            let server = Server::start(vec![
                Reply::Truncated("{\"id\": \"m".into()),
                Reply::Truncated("{\"id\": \"m".into()),
                Reply::Truncated("{\"id\": \"m".into()),
            ])
            .await;
            let provider = from_config(&config(kind, &base_for(kind, &server), false)).unwrap();
            let err = call(provider.as_ref(), &simple()).await.0.unwrap_err();
            assert!(
                matches!(err, LlmError::StreamCut { .. }),
                "{kind:?}: {err:?}"
            );
            assert!(!err.to_string().contains("base URL"), "{err}");
        }
        if stream {
            assert!(
                deltas.contains(&StreamDelta::Superseded),
                "{kind:?}: the partial text is marked superseded: {deltas:?}"
            );
            assert_eq!(delivered_text(&deltas), good, "{kind:?}");
        }
    }
}

#[tokio::test]
async fn an_overloaded_event_mid_stream_is_retried_like_a_529() {
    let good = "Voici le résumé.";
    for kind in [ProviderKind::Anthropic, ProviderKind::OpenAi] {
        let mut events = stream_events(kind, "Je commence à rédi");
        events.truncate(4);
        events.push(match kind {
            ProviderKind::OpenAi => format!(
                "data: {}\n\n",
                json!({"error": {"message": "The server is overloaded", "type": "server_error"}})
            ),
            _ => sse(
                "error",
                json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            ),
        });
        let server = Server::start(vec![
            Reply::Sse {
                events,
                stall_after: None,
            },
            text_answer(kind, true, good),
        ])
        .await;
        let provider = from_config(&config(kind, &base_for(kind, &server), true)).unwrap();
        let (result, deltas) = call(provider.as_ref(), &simple()).await;
        assert_eq!(result.unwrap().text(), good, "{kind:?}");
        assert_eq!(server.seen().len(), 2, "{kind:?}");
        assert_eq!(delivered_text(&deltas), good, "{kind:?}: {deltas:?}");
    }
}

#[tokio::test]
async fn a_stream_that_keeps_breaking_names_the_cut_not_the_base_url() {
    for kind in [ProviderKind::Anthropic, ProviderKind::OpenAi] {
        let cut = || {
            let mut events = stream_events(kind, "Texte partiel");
            events.truncate(4);
            let mut chunks: Vec<Vec<u8>> = events.into_iter().map(String::into_bytes).collect();
            chunks.push(b"data: {\"ty".to_vec());
            Reply::Raw {
                content_type: "text/event-stream",
                chunks,
            }
        };
        let server = Server::start(vec![cut(), cut(), cut()]).await;
        let provider = from_config(&config(kind, &base_for(kind, &server), true)).unwrap();
        let (result, deltas) = call(provider.as_ref(), &simple()).await;
        let err = result.unwrap_err();
        assert!(
            matches!(err, LlmError::StreamCut { .. }),
            "{kind:?}: {err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("broke off"), "{message}");
        assert!(!message.contains("base URL"), "{message}");
        assert_eq!(server.seen().len(), 3, "first try and two retries");
        assert_eq!(deltas.last(), Some(&StreamDelta::Superseded));
        assert_eq!(delivered_text(&deltas), "");
    }
}

#[tokio::test]
async fn endless_keep_alives_end_at_the_overall_deadline() {
    for (kind, stream) in WIRES {
        let reply = if stream {
            let ping = match kind {
                ProviderKind::OpenAi => ": keep-alive\n\n".to_string(),
                _ => sse("ping", json!({"type": "ping"})),
            };
            Reply::Endless {
                content_type: "text/event-stream",
                prelude: stream_events(kind, "x").into_iter().take(1).collect(),
                ping,
                every: Duration::from_millis(20),
            }
        } else {
            // Whitespace trickled before the JSON, as some proxies do to keep a line open.
            Reply::Endless {
                content_type: "application/json",
                prelude: Vec::new(),
                ping: " ".into(),
                every: Duration::from_millis(20),
            }
        };
        let server = Server::start(vec![reply]).await;
        let mut cfg = config(kind, &base_for(kind, &server), stream);
        cfg.timeout = Duration::from_secs(5);
        cfg.deadline = Duration::from_millis(400);
        let provider = from_config(&cfg).unwrap();
        let (result, _) = call(provider.as_ref(), &simple()).await;
        let err = result.unwrap_err();
        assert!(
            matches!(err, LlmError::Deadline { .. }),
            "{kind:?} stream={stream}: {err:?}"
        );
        assert!(err.to_string().contains("COMMIS_LLM_DEADLINE"), "{err}");
    }
}

#[test]
fn the_limits_are_read_from_the_environment() {
    // The only test of this crate's test binary that touches these variables.
    unsafe {
        std::env::set_var(commis_llm::IDLE_TIMEOUT_ENV, "42");
        std::env::set_var(commis_llm::DEADLINE_ENV, "90.5");
    }
    let cfg = ProviderConfig::from_env(ProviderKind::OpenAi);
    unsafe {
        std::env::remove_var(commis_llm::IDLE_TIMEOUT_ENV);
        std::env::remove_var(commis_llm::DEADLINE_ENV);
    }
    assert_eq!(cfg.timeout, Duration::from_secs(42));
    assert_eq!(cfg.deadline, Duration::from_secs_f64(90.5));
}

/// A model turn whose single tool call carries `raw` as its arguments (not an object).
fn malformed_call(kind: ProviderKind, stream: bool, raw: &str) -> Reply {
    match (kind, stream) {
        (ProviderKind::OpenAi, false) => json_reply(
            200,
            json!({"id": "chatcmpl-9", "model": "gpt-test-1",
                   "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                       "role": "assistant", "content": null,
                       "tool_calls": [{"id": "call_bad", "type": "function",
                                       "function": {"name": "read_document", "arguments": raw}}]}}]}),
        ),
        (ProviderKind::OpenAi, true) => {
            let chunk = |delta: Value, finish: Value| {
                format!(
                    "data: {}\n\n",
                    json!({"id": "chatcmpl-9", "model": "gpt-test-1",
                           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
                )
            };
            Reply::Sse {
                events: vec![
                    chunk(
                        json!({"tool_calls": [{"index": 0, "id": "call_bad", "type": "function",
                               "function": {"name": "read_document", "arguments": raw}}]}),
                        Value::Null,
                    ),
                    chunk(json!({}), json!("tool_calls")),
                    "data: [DONE]\n\n".into(),
                ],
                stall_after: None,
            }
        }
        (_, false) => anthropic_json(
            json!([{"type": "tool_use", "id": "toolu_bad", "name": "read_document",
                    "input": serde_json::from_str::<Value>(raw).unwrap_or(json!(raw))}]),
            "tool_use",
        ),
        (_, true) => Reply::Sse {
            events: vec![
                sse(
                    "message_start",
                    json!({"type": "message_start", "message": {"model": "claude-test-1",
                           "usage": {"input_tokens": 10, "output_tokens": 1}}}),
                ),
                sse(
                    "content_block_start",
                    json!({"type": "content_block_start", "index": 0, "content_block":
                           {"type": "tool_use", "id": "toolu_bad", "name": "read_document", "input": {}}}),
                ),
                sse(
                    "content_block_delta",
                    json!({"type": "content_block_delta", "index": 0,
                           "delta": {"type": "input_json_delta", "partial_json": raw}}),
                ),
                sse(
                    "message_delta",
                    json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}}),
                ),
                sse("message_stop", json!({"type": "message_stop"})),
            ],
            stall_after: None,
        },
    }
}

#[tokio::test]
async fn non_object_tool_arguments_are_never_replayed_to_a_strict_api() {
    for (kind, stream) in WIRES {
        for raw in [
            "[\"factures/f1.pdf\"]",
            "{\"path\": \"factures/f1",
            "\"f1.pdf\"",
        ] {
            let server = Server::start(vec![
                malformed_call(kind, stream, raw),
                Reply::Strict(Box::new(text_answer(kind, stream, "Je réessaie."))),
            ])
            .await;
            let provider = from_config(&config(kind, &base_for(kind, &server), stream)).unwrap();
            let mut req = simple();
            req.tools = tools();
            let (first, _) = call(provider.as_ref(), &req).await;
            let first = first.unwrap();
            let (id, _, input) = first.tool_uses().next().expect("one tool call");
            assert!(
                !input.is_object(),
                "{kind:?} {raw}: the loop can see it was malformed"
            );
            let id = id.to_string();
            // What the agent loop does: the call is answered with an error result.
            req.messages.push(Message::assistant(first.content.clone()));
            req.messages.push(Message {
                role: Role::User,
                content: vec![ContentBlock::ToolResult {
                    tool_use_id: id,
                    content: "the arguments are not a JSON object".into(),
                    is_error: true,
                }],
            });
            let (second, _) = call(provider.as_ref(), &req).await;
            let second =
                second.unwrap_or_else(|e| panic!("{kind:?} stream={stream} {raw}: refused: {e}"));
            assert_eq!(second.text(), "Je réessaie.");
        }
    }
}

#[tokio::test]
async fn the_strict_server_does_refuse_a_non_object_input() {
    // The validator itself must bite, or the test above proves nothing.
    let bad = json!({"messages": [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "n", "input": "{\"a\""}]},
    ]});
    assert!(validate(&bad).is_err());
    let bad_openai = json!({"messages": [
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "n", "arguments": "[1]"}}]},
        {"role": "tool", "tool_call_id": "c", "content": "x"},
    ]});
    assert!(validate(&bad_openai).is_err());
    let orphan = json!({"messages": [{"role": "tool", "tool_call_id": "zz", "content": "x"}]});
    assert!(validate(&orphan).is_err());
}

#[tokio::test]
async fn redirects_are_not_followed_and_the_key_never_reaches_another_origin() {
    for kind in [ProviderKind::Anthropic, ProviderKind::OpenAi] {
        let elsewhere = Server::start(vec![text_answer(kind, false, "stolen")]).await;
        let target = format!("{}/v1/messages", elsewhere.base());
        let server = Server::start(vec![Reply::Full {
            status: 307,
            headers: vec![("location", target.clone())],
            body: String::new(),
        }])
        .await;
        let provider = from_config(&config(kind, &base_for(kind, &server), false)).unwrap();
        let (result, _) = call(provider.as_ref(), &simple()).await;
        let err = result.unwrap_err();
        assert!(
            matches!(err, LlmError::Redirect { status: 307, .. }),
            "{kind:?}: {err:?}"
        );
        assert!(err.to_string().contains(&target), "{err}");
        assert!(
            elsewhere.seen().is_empty(),
            "{kind:?}: the redirect was followed"
        );
    }
}

#[tokio::test]
async fn error_bodies_that_echo_the_key_never_show_it() {
    for (kind, stream) in WIRES {
        let echo = |status: u16| {
            json_reply(
                status,
                json!({"error": {"type": "invalid_request_error",
                    "message": "Incorrect API key provided: sk-test-123 (header: Bearer sk-test-123; also sk-proj-AbCdEfGh0123456789)"}}),
            )
        };
        let mid_stream = Reply::Sse {
            events: vec![match kind {
                ProviderKind::OpenAi => format!(
                    "data: {}\n\n",
                    json!({"error": {"message": "key sk-test-123 is over quota", "status_code": 400}})
                ),
                _ => sse(
                    "error",
                    json!({"type": "error", "error": {"type": "invalid_request_error",
                           "message": "key sk-test-123 is over quota"}}),
                ),
            }],
            stall_after: None,
        };
        let third = if stream { mid_stream } else { echo(422) };
        let server = Server::start(vec![echo(401), echo(400), third]).await;
        let provider = from_config(&config(kind, &base_for(kind, &server), stream)).unwrap();
        for _ in 0..3 {
            let (result, _) = call(provider.as_ref(), &simple()).await;
            let shown = format!("{} / {:?}", result.as_ref().unwrap_err(), result);
            assert!(!shown.contains("sk-test-123"), "{kind:?} {stream}: {shown}");
            assert!(
                !shown.contains("AbCdEfGh0123"),
                "{kind:?} {stream}: {shown}"
            );
            assert!(shown.contains("[redacted]"), "{shown}");
        }
    }
}
