//! End-to-end tests against a real HTTP server on 127.0.0.1 speaking each wire format:
//! multi-turn tool use (parallel calls), streaming and not, retries after 529/429, errors
//! that say what to do, timeouts and cancellation.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use commis_llm::{
    ChatRequest, ChatResponse, ContentBlock, LlmError, Message, Provider, ProviderConfig,
    ProviderKind, Role, StopReason, StreamDelta, ToolSpec, Usage, from_config,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---------- a tiny scripted HTTP server ----------

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HashMap<String, String>,
    body: Value,
}

#[derive(Debug, Clone)]
enum Reply {
    /// A complete response with a body.
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// `text/event-stream`, one write per event; stops sending (but keeps the connection
    /// open) after `stall_after` events when set.
    Sse {
        events: Vec<String>,
        stall_after: Option<usize>,
    },
    /// Says nothing for this long, then closes.
    Silent(Duration),
    /// A 200 with this content type, the body written in these pieces.
    Raw {
        content_type: &'static str,
        chunks: Vec<Vec<u8>>,
    },
    /// Waits, then answers.
    Delayed(Duration, Box<Reply>),
    /// A 200 of this content type that sends `prelude`, then `ping` every `every`, forever.
    Endless {
        content_type: &'static str,
        prelude: Vec<String>,
        ping: String,
        every: Duration,
    },
    /// A JSON answer whose declared length is longer than what is sent before the close.
    Truncated(String),
    /// Checks the request the way the real APIs do (tool inputs are objects, tool results
    /// answer the calls just made) and answers 400 like them when it is not valid.
    Strict(Box<Reply>),
}

fn json_reply(status: u16, body: Value) -> Reply {
    Reply::Full {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    async fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let replies = Arc::new(Mutex::new(VecDeque::from(replies)));
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let replies = replies.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let _ = handle(socket, replies, log).await;
                });
            }
        });
        Server { addr, seen }
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn handle(
    mut socket: TcpStream,
    replies: Arc<Mutex<VecDeque<Reply>>>,
    log: Arc<Mutex<Vec<Seen>>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
    let mut lines = head.lines();
    let path = lines.next().unwrap().split(' ').nth(1).unwrap().to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buffer.len() < header_end + length {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body: Value = serde_json::from_slice(&buffer[header_end..]).unwrap_or(Value::Null);
    log.lock().unwrap().push(Seen {
        path,
        headers,
        body: body.clone(),
    });
    let reply = replies
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| json_reply(500, json!({"error": {"message": "no reply scripted"}})));
    let reply = match reply {
        Reply::Strict(inner) => match faults::validate(&body) {
            Ok(()) => *inner,
            Err(problem) => json_reply(
                400,
                json!({"type": "error", "error": {"type": "invalid_request_error", "message": problem}}),
            ),
        },
        other => other,
    };
    write_reply(&mut socket, reply).await?;
    socket.shutdown().await
}

async fn write_reply(socket: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Delayed(pause, reply) => {
            tokio::time::sleep(pause).await;
            Box::pin(write_reply(socket, *reply)).await?;
        }
        Reply::Raw {
            content_type,
            chunks,
        } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nconnection: close\r\n\r\n"
            );
            socket.write_all(head.as_bytes()).await?;
            for chunk in chunks {
                socket.write_all(&chunk).await?;
                socket.flush().await?;
            }
        }
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(body.as_bytes()).await?;
        }
        Reply::Sse {
            events,
            stall_after,
        } => {
            socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n",
                )
                .await?;
            for (i, event) in events.iter().enumerate() {
                if stall_after == Some(i) {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                socket.write_all(event.as_bytes()).await?;
                socket.flush().await?;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        Reply::Silent(pause) => tokio::time::sleep(pause).await,
        Reply::Endless {
            content_type,
            prelude,
            ping,
            every,
        } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nconnection: close\r\n\r\n"
            );
            socket.write_all(head.as_bytes()).await?;
            for event in prelude {
                socket.write_all(event.as_bytes()).await?;
            }
            // Ends when the client hangs up (the write fails).
            loop {
                socket.write_all(ping.as_bytes()).await?;
                socket.flush().await?;
                tokio::time::sleep(every).await;
            }
        }
        Reply::Truncated(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len() + 100
            );
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(body.as_bytes()).await?;
        }
        Reply::Strict(inner) => Box::pin(write_reply(socket, *inner)).await?,
    }
    Ok(())
}

// ---------- wire-format answers ----------

fn anthropic_json(content: Value, stop: &str) -> Reply {
    json_reply(
        200,
        json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test-1",
               "content": content, "stop_reason": stop, "stop_sequence": null,
               "usage": {"input_tokens": 100, "output_tokens": 20}}),
    )
}

fn sse(event: &str, data: Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

fn anthropic_stream(blocks: &[Value], stop: &str) -> Vec<String> {
    let mut events = vec![
        sse(
            "message_start",
            json!({"type": "message_start", "message": {"id": "msg_1", "type": "message",
                "role": "assistant", "model": "claude-test-1", "content": [],
                "stop_reason": null, "usage": {"input_tokens": 100, "output_tokens": 1}}}),
        ),
        sse("ping", json!({"type": "ping"})),
    ];
    for (index, block) in blocks.iter().enumerate() {
        match block["type"].as_str().unwrap() {
            "text" => {
                events.push(sse(
                    "content_block_start",
                    json!({"type": "content_block_start",
                    "index": index, "content_block": {"type": "text", "text": ""}}),
                ));
                let text = block["text"].as_str().unwrap();
                let (a, b) = text.split_at(text.len() / 2);
                for piece in [a, b] {
                    events.push(sse(
                        "content_block_delta",
                        json!({"type": "content_block_delta",
                        "index": index, "delta": {"type": "text_delta", "text": piece}}),
                    ));
                }
            }
            "tool_use" => {
                events.push(sse(
                    "content_block_start",
                    json!({"type": "content_block_start",
                    "index": index, "content_block": {"type": "tool_use", "id": block["id"],
                    "name": block["name"], "input": {}}}),
                ));
                let input = block["input"].to_string();
                let (a, b) = input.split_at(input.len() / 2);
                for piece in ["", a, b] {
                    events.push(sse("content_block_delta", json!({"type": "content_block_delta",
                        "index": index, "delta": {"type": "input_json_delta", "partial_json": piece}})));
                }
            }
            other => panic!("{other}"),
        }
        events.push(sse(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
    }
    events.push(sse(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null},
               "usage": {"output_tokens": 20}}),
    ));
    events.push(sse("message_stop", json!({"type": "message_stop"})));
    events
}

fn openai_json(text: Option<&str>, calls: &[(&str, &str, Value)], finish: &str) -> Reply {
    let calls: Vec<Value> = calls
        .iter()
        .map(|(id, name, args)| {
            json!({"id": id, "type": "function",
                   "function": {"name": name, "arguments": args.to_string()}})
        })
        .collect();
    let mut message = json!({"role": "assistant", "content": text});
    if !calls.is_empty() {
        message["tool_calls"] = Value::Array(calls);
    }
    json_reply(
        200,
        json!({"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-test-1",
               "choices": [{"index": 0, "message": message, "finish_reason": finish}],
               "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}}),
    )
}

/// Streamed chat completion; tool calls are sent WITHOUT ids, as some local servers do.
fn openai_stream(text: Option<&str>, calls: &[(&str, Value)], finish: &str) -> Vec<String> {
    let chunk = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "gpt-test-1",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        )
    };
    let mut events = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    if let Some(text) = text {
        for word in text.split_inclusive(' ') {
            events.push(chunk(json!({"content": word}), Value::Null));
        }
    }
    for (index, (name, args)) in calls.iter().enumerate() {
        events.push(chunk(
            json!({"tool_calls": [{"index": index, "type": "function",
                   "function": {"name": name, "arguments": ""}}]}),
            Value::Null,
        ));
        let args = args.to_string();
        let (a, b) = args.split_at(args.len() / 2);
        for piece in [a, b] {
            events.push(chunk(
                json!({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}),
                Value::Null,
            ));
        }
    }
    events.push(chunk(json!({}), json!(finish)));
    events.push(format!(
        "data: {}\n\n",
        json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "gpt-test-1",
               "choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": 20}})
    ));
    events.push("data: [DONE]\n\n".to_string());
    events
}

// ---------- the conversation the tests run ----------

fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            name: "list_files".into(),
            description: "List files in a folder of the granted directory.".into(),
            input_schema: json!({"type": "object", "properties": {"path": {"type": "string"}}}),
        },
        ToolSpec {
            name: "read_document".into(),
            description: "Read a document as text.".into(),
            input_schema: json!({"type": "object", "properties": {"path": {"type": "string"}},
                                 "required": ["path"]}),
        },
    ]
}

fn config(kind: ProviderKind, base: &str, stream: bool) -> ProviderConfig {
    let mut cfg = ProviderConfig::new(kind);
    cfg.base_url = Some(base.to_string());
    cfg.api_key = Some("sk-test-123".into());
    cfg.model = Some("test-model".into());
    cfg.stream = stream;
    cfg.timeout = Duration::from_secs(5);
    cfg.max_retries = 2;
    cfg
}

/// A small agent loop: run tools for every tool call (all results in one user message) until
/// the model ends its turn. Returns every answer and every delta shown.
async fn run(provider: &dyn Provider) -> (Vec<ChatResponse>, Vec<StreamDelta>, ChatRequest) {
    let deltas = Mutex::new(Vec::new());
    let mut req = ChatRequest {
        system: "You are commis.".into(),
        messages: vec![Message::user_text("Résume les factures du dossier.")],
        tools: tools(),
        max_tokens: 1000,
        temperature: Some(0.0),
    };
    let mut answers = Vec::new();
    for _ in 0..5 {
        let answer = provider
            .complete(&req, &|delta| deltas.lock().unwrap().push(delta))
            .await
            .unwrap();
        req.messages
            .push(Message::assistant(answer.content.clone()));
        let results: Vec<ContentBlock> = answer
            .tool_uses()
            .map(|(id, name, input)| {
                ContentBlock::tool_result(id, format!("{name} ran on {}", input["path"]))
            })
            .collect();
        let done = answer.stop_reason != StopReason::ToolUse;
        answers.push(answer);
        if done {
            break;
        }
        req.messages.push(Message {
            role: Role::User,
            content: results,
        });
    }
    (answers, deltas.into_inner().unwrap(), req)
}

fn assert_conversation(answers: &[ChatResponse]) {
    assert_eq!(answers.len(), 2);
    let calls: Vec<(String, Value)> = answers[0]
        .tool_uses()
        .map(|(_, name, input)| (name.to_string(), input.clone()))
        .collect();
    assert_eq!(
        calls,
        vec![
            ("list_files".to_string(), json!({"path": "."})),
            (
                "read_document".to_string(),
                json!({"path": "factures/f1.pdf"})
            ),
        ]
    );
    assert_eq!(answers[0].stop_reason, StopReason::ToolUse);
    assert_eq!(answers[1].text(), "Deux factures, 1 250,00 € au total.");
    assert_eq!(answers[1].stop_reason, StopReason::EndTurn);
    assert_eq!(
        answers[1].usage,
        Usage {
            input_tokens: 100,
            output_tokens: 20
        }
    );
}

const FINAL: &str = "Deux factures, 1 250,00 € au total.";

// ---------- Anthropic ----------

fn anthropic_turns() -> (Value, Value) {
    (
        json!([{"type": "text", "text": "Je regarde le dossier."},
               {"type": "tool_use", "id": "toolu_a", "name": "list_files", "input": {"path": "."}},
               {"type": "tool_use", "id": "toolu_b", "name": "read_document",
                "input": {"path": "factures/f1.pdf"}}]),
        json!([{"type": "text", "text": FINAL}]),
    )
}

fn overloaded() -> Reply {
    json_reply(
        529,
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    )
}

fn assert_anthropic_requests(seen: &[Seen], stream: bool) {
    assert_eq!(seen.len(), 3, "one 529, then two turns");
    for request in seen {
        assert_eq!(request.path, "/v1/messages");
        assert_eq!(request.headers["x-api-key"], "sk-test-123");
        assert_eq!(request.headers["anthropic-version"], "2023-06-01");
        assert_eq!(request.body["stream"], stream);
        assert_eq!(request.body["model"], "test-model");
        assert_eq!(request.body["system"], "You are commis.");
        assert_eq!(
            request.body["tools"][1]["input_schema"]["required"],
            json!(["path"])
        );
    }
    assert_eq!(
        seen[0].body, seen[1].body,
        "the retry resends the same request"
    );
    let last = &seen[2].body["messages"];
    assert_eq!(last[1]["role"], "assistant");
    assert_eq!(last[1]["content"][2]["id"], "toolu_b");
    assert_eq!(
        last[2]["content"],
        json!([
            {"type": "tool_result", "tool_use_id": "toolu_a", "content": "list_files ran on \".\"", "is_error": false},
            {"type": "tool_result", "tool_use_id": "toolu_b",
             "content": "read_document ran on \"factures/f1.pdf\"", "is_error": false}
        ]),
        "both parallel results go back in one user message"
    );
}

#[tokio::test]
async fn anthropic_tool_conversation_retries_a_529_without_streaming() {
    let (first, second) = anthropic_turns();
    let server = Server::start(vec![
        overloaded(),
        anthropic_json(first, "tool_use"),
        anthropic_json(second, "end_turn"),
    ])
    .await;
    let provider = from_config(&config(ProviderKind::Anthropic, &server.base(), false)).unwrap();
    assert_eq!(provider.name(), "anthropic");
    assert_eq!(provider.model(), "test-model");
    let (answers, _, _) = run(provider.as_ref()).await;
    assert_conversation(&answers);
    assert_eq!(answers[0].model, "claude-test-1");
    assert_anthropic_requests(&server.seen(), false);
}

#[tokio::test]
async fn anthropic_tool_conversation_retries_a_529_while_streaming() {
    let (first, second) = anthropic_turns();
    let server = Server::start(vec![
        overloaded(),
        Reply::Sse {
            events: anthropic_stream(first.as_array().unwrap(), "tool_use"),
            stall_after: None,
        },
        Reply::Sse {
            events: anthropic_stream(second.as_array().unwrap(), "end_turn"),
            stall_after: None,
        },
    ])
    .await;
    let provider = from_config(&config(ProviderKind::Anthropic, &server.base(), true)).unwrap();
    let (answers, deltas, _) = run(provider.as_ref()).await;
    assert_conversation(&answers);
    assert_anthropic_requests(&server.seen(), true);
    let text: String = deltas
        .iter()
        .filter_map(|d| match d {
            StreamDelta::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, format!("Je regarde le dossier.{FINAL}"));
    assert!(deltas.contains(&StreamDelta::ToolUseStart {
        id: "toolu_b".into(),
        name: "read_document".into()
    }));
}

#[tokio::test]
async fn anthropic_bad_key_is_an_auth_error_naming_the_variable_and_is_not_retried() {
    let server = Server::start(vec![json_reply(
        401,
        json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
    )])
    .await;
    let provider = from_config(&config(ProviderKind::Anthropic, &server.base(), true)).unwrap();
    let err = provider.complete(&simple(), &|_| {}).await.unwrap_err();
    assert!(matches!(err, LlmError::Auth { status: 401, .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("ANTHROPIC_API_KEY"), "{message}");
    assert!(message.contains("invalid x-api-key"), "{message}");
    assert_eq!(server.seen().len(), 1);
}

fn simple() -> ChatRequest {
    ChatRequest {
        system: String::new(),
        messages: vec![Message::user_text("hello")],
        tools: Vec::new(),
        max_tokens: 10,
        temperature: None,
    }
}

/// The recorded error bodies of real APIs, served back: the errors must name the problem.
fn recorded_error(file: &str) -> (u16, Value) {
    let path = format!(
        "{}/../../tests/fixtures/llm/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc: Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let response = &doc["interactions"][0]["response"];
    (
        response["status"]["code"].as_u64().unwrap() as u16,
        response["parsed_body"].clone(),
    )
}

#[tokio::test]
async fn recorded_unknown_model_and_bad_request_answers_become_clear_errors() {
    let cases = [
        (
            ProviderKind::Anthropic,
            "test_model_name_suggestions__test_model_name_suggestion_anthropic.yaml",
            "claude-sonet-4-5",
            json!({"data": [{"id": "claude-opus-4-1", "type": "model"},
                            {"id": "claude-sonnet-4-5", "type": "model"}]}),
            "claude-sonnet-4-5",
            "/v1/models?limit=1000",
        ),
        (
            ProviderKind::OpenAi,
            "test_model_name_suggestions__test_model_name_suggestion_openai-chat.yaml",
            "gpt-5.2-proo",
            json!({"object": "list", "data": [{"id": "gpt-5.2", "object": "model"},
                                              {"id": "gpt-5.2-pro", "object": "model"}]}),
            "gpt-5.2-pro",
            "/v1/models",
        ),
    ];
    for (kind, file, model, listing, suggestion, models_path) in cases {
        let (status, body) = recorded_error(file);
        let server = Server::start(vec![json_reply(status, body), json_reply(200, listing)]).await;
        let mut cfg = config(kind, &format!("{}/v1", server.base()), false);
        cfg.model = Some(model.into());
        let provider = from_config(&cfg).unwrap();
        let err = provider.complete(&simple(), &|_| {}).await.unwrap_err();
        assert!(matches!(err, LlmError::NotFound { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "unknown model {model} at {} (did you mean {suggestion}?)",
                kind.as_str()
            )),
            "{message}"
        );
        assert!(message.contains("--model"), "{message}");
        let seen = server.seen();
        assert_eq!(
            seen.len(),
            2,
            "a 404 is not retried; the model list is asked once"
        );
        assert_eq!(seen[1].path, models_path);
    }

    let (status, body) = recorded_error(
        "test_anthropic__test_anthropic_explicit_effort_xhigh_unsupported_model_errors.yaml",
    );
    let server = Server::start(vec![json_reply(status, body)]).await;
    let provider = from_config(&config(ProviderKind::Anthropic, &server.base(), false)).unwrap();
    let err = provider.complete(&simple(), &|_| {}).await.unwrap_err();
    assert!(
        matches!(err, LlmError::BadRequest { status: 400, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("does not support effort level"),
        "{err}"
    );
}

// ---------- OpenAI-compatible ----------

fn rate_limited() -> Reply {
    Reply::Full {
        status: 429,
        headers: vec![("retry-after", "1".to_string())],
        body: json!({"error": {"message": "Rate limit reached", "type": "requests"}}).to_string(),
    }
}

fn assert_openai_requests(seen: &[Seen], stream: bool) {
    assert_eq!(seen.len(), 3, "one 429, then two turns");
    for request in seen {
        assert_eq!(request.path, "/v1/chat/completions");
        assert_eq!(request.headers["authorization"], "Bearer sk-test-123");
        assert_eq!(request.body["stream"], stream);
        assert_eq!(
            request.body["max_tokens"], 1000,
            "compatible servers get max_tokens"
        );
        assert_eq!(
            request.body["messages"][0],
            json!({"role": "system", "content": "You are commis."})
        );
        assert_eq!(request.body["tools"][0]["type"], "function");
        assert_eq!(request.body["tools"][0]["function"]["name"], "list_files");
        if stream {
            assert_eq!(
                request.body["stream_options"],
                json!({"include_usage": true})
            );
        }
    }
    assert_eq!(
        seen[0].body, seen[1].body,
        "the retry resends the same request"
    );
    let messages = seen[2].body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 5, "system, user, assistant, tool, tool");
    let calls = messages[2]["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[1]["function"]["arguments"],
        r#"{"path":"factures/f1.pdf"}"#
    );
    for (i, call) in calls.iter().enumerate() {
        assert_eq!(messages[3 + i]["role"], "tool");
        assert_eq!(messages[3 + i]["tool_call_id"], call["id"]);
        assert!(!call["id"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn openai_tool_conversation_honours_retry_after_without_streaming() {
    let server = Server::start(vec![
        rate_limited(),
        openai_json(
            Some("Je regarde le dossier."),
            &[
                ("call_a", "list_files", json!({"path": "."})),
                (
                    "call_b",
                    "read_document",
                    json!({"path": "factures/f1.pdf"}),
                ),
            ],
            "tool_calls",
        ),
        openai_json(Some(FINAL), &[], "stop"),
    ])
    .await;
    let provider = from_config(&config(
        ProviderKind::OpenAi,
        &format!("{}/v1", server.base()),
        false,
    ))
    .unwrap();
    let started = Instant::now();
    let (answers, _, _) = run(provider.as_ref()).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retry-after: 1 must be waited for"
    );
    assert_conversation(&answers);
    assert_eq!(answers[0].tool_uses().next().unwrap().0, "call_a");
    assert_openai_requests(&server.seen(), false);
}

#[tokio::test]
async fn openai_streamed_tool_calls_without_ids_round_trip_after_a_429() {
    let server = Server::start(vec![
        rate_limited(),
        Reply::Sse {
            events: openai_stream(
                Some("Je regarde le dossier."),
                &[
                    ("list_files", json!({"path": "."})),
                    ("read_document", json!({"path": "factures/f1.pdf"})),
                ],
                "tool_calls",
            ),
            stall_after: None,
        },
        Reply::Sse {
            events: openai_stream(Some(FINAL), &[], "stop"),
            stall_after: None,
        },
    ])
    .await;
    let provider = from_config(&config(
        ProviderKind::OpenAi,
        &format!("{}/v1", server.base()),
        true,
    ))
    .unwrap();
    let (answers, deltas, _) = run(provider.as_ref()).await;
    assert_conversation(&answers);
    assert_openai_requests(&server.seen(), true);
    let ids: Vec<&str> = answers[0].tool_uses().map(|(id, _, _)| id).collect();
    assert_ne!(ids[0], ids[1], "synthesized ids are distinct");
    let started: Vec<String> = deltas
        .iter()
        .filter_map(|d| match d {
            StreamDelta::ToolUseStart { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        started, ids,
        "live deltas announce the same ids as the answer"
    );
}

#[tokio::test]
async fn openai_bad_key_is_an_auth_error_naming_the_variable() {
    let server = Server::start(vec![json_reply(
        401,
        json!({"error": {"message": "Incorrect API key provided: sk-test", "type": "invalid_request_error", "code": "invalid_api_key"}}),
    )])
    .await;
    let provider = from_config(&config(
        ProviderKind::OpenAi,
        &format!("{}/v1", server.base()),
        false,
    ))
    .unwrap();
    let err = provider.complete(&simple(), &|_| {}).await.unwrap_err();
    assert!(matches!(err, LlmError::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("check OPENAI_API_KEY"), "{err}");
}

#[tokio::test]
async fn a_local_openai_compatible_server_needs_no_key() {
    let server = Server::start(vec![openai_json(Some("ok"), &[], "stop")]).await;
    let mut cfg = config(
        ProviderKind::OpenAi,
        &format!("{}/v1/", server.base()),
        false,
    );
    cfg.api_key = None;
    let provider = from_config(&cfg).unwrap();
    let answer = provider.complete(&simple(), &|_| {}).await.unwrap();
    assert_eq!(answer.text(), "ok");
    let seen = server.seen();
    assert!(!seen[0].headers.contains_key("authorization"));
    assert_eq!(
        seen[0].path, "/v1/chat/completions",
        "a trailing slash is tolerated"
    );
}

// ---------- failures common to both ----------

#[tokio::test]
async fn a_silent_server_times_out_quickly_without_retrying() {
    for kind in [ProviderKind::Anthropic, ProviderKind::OpenAi] {
        let server = Server::start(vec![Reply::Silent(Duration::from_secs(10))]).await;
        let mut cfg = config(kind, &format!("{}/v1", server.base()), false);
        cfg.timeout = Duration::from_millis(300);
        let provider = from_config(&cfg).unwrap();
        let started = Instant::now();
        let err = provider.complete(&simple(), &|_| {}).await.unwrap_err();
        assert!(matches!(err, LlmError::Timeout { .. }), "{err:?}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(err.to_string().contains("raise the idle"));
        assert_eq!(server.seen().len(), 1);
    }
}

#[tokio::test]
async fn a_stream_that_stalls_midway_times_out_and_is_not_retried() {
    let (first, _) = anthropic_turns();
    let server = Server::start(vec![Reply::Sse {
        events: anthropic_stream(first.as_array().unwrap(), "tool_use"),
        stall_after: Some(5),
    }])
    .await;
    let mut cfg = config(ProviderKind::Anthropic, &server.base(), true);
    cfg.timeout = Duration::from_millis(300);
    let provider = from_config(&cfg).unwrap();
    let shown = Mutex::new(0);
    let err = provider
        .complete(&simple(), &|_| *shown.lock().unwrap() += 1)
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::Timeout { .. }), "{err:?}");
    assert!(
        *shown.lock().unwrap() > 0,
        "text was shown before the stall"
    );
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let unavailable = || json_reply(503, json!({"error": {"message": "upstream down"}}));
    let server = Server::start(vec![unavailable(), unavailable(), unavailable()]).await;
    let mut cfg = config(
        ProviderKind::OpenAi,
        &format!("{}/v1", server.base()),
        false,
    );
    cfg.max_retries = 2;
    let provider = from_config(&cfg).unwrap();
    let err = provider.complete(&simple(), &|_| {}).await.unwrap_err();
    assert!(
        matches!(err, LlmError::Server { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("upstream down"));
    assert_eq!(server.seen().len(), 3, "first try plus two retries");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_network_error_naming_the_url() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let mut cfg = config(ProviderKind::Anthropic, &base, false);
    cfg.max_retries = 1;
    let provider = from_config(&cfg).unwrap();
    let err = provider.complete(&simple(), &|_| {}).await.unwrap_err();
    assert!(matches!(err, LlmError::Network { .. }), "{err:?}");
    assert!(err.to_string().contains(&base), "{err}");
}

#[tokio::test]
async fn dropping_the_call_cancels_it_at_once() {
    let server = Server::start(vec![
        Reply::Silent(Duration::from_secs(10)),
        openai_json(Some("next"), &[], "stop"),
    ])
    .await;
    let provider = from_config(&config(
        ProviderKind::OpenAi,
        &format!("{}/v1", server.base()),
        false,
    ))
    .unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let _ = stop_tx.send(());
    });
    let started = Instant::now();
    let noop = |_: StreamDelta| {};
    let request = simple();
    tokio::select! {
        result = provider.complete(&request, &noop) => panic!("the call finished: {result:?}"),
        _ = stop_rx => {}
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    let answer = provider.complete(&simple(), &noop).await.unwrap();
    assert_eq!(
        answer.text(),
        "next",
        "the provider stays usable after a cancel"
    );
}

#[test]
fn missing_keys_are_reported_before_any_call() {
    let mut cfg = ProviderConfig::new(ProviderKind::Anthropic);
    cfg.api_key = None;
    let err = from_config(&cfg).err().unwrap();
    assert!(
        err.to_string().contains("ANTHROPIC_API_KEY is not set"),
        "{err}"
    );
    let cfg = ProviderConfig::new(ProviderKind::OpenAi);
    let err = from_config(&cfg).err().unwrap();
    assert!(
        err.to_string().contains("OPENAI_API_KEY is not set"),
        "{err}"
    );
    let err = from_config(&ProviderConfig::new(ProviderKind::Scripted))
        .err()
        .unwrap();
    assert!(err.to_string().contains("COMMIS_LLM_SCRIPT"), "{err}");
}

#[tokio::test]
async fn a_server_refusing_stream_options_is_asked_again_without_them() {
    let server = Server::start(vec![
        json_reply(
            400,
            json!({"error": {"message": "Unrecognized request argument supplied: stream_options"}}),
        ),
        Reply::Sse {
            events: openai_stream(Some("un"), &[], "stop"),
            stall_after: None,
        },
        Reply::Sse {
            events: openai_stream(Some("deux"), &[], "stop"),
            stall_after: None,
        },
    ])
    .await;
    let provider = from_config(&config(
        ProviderKind::OpenAi,
        &format!("{}/v1", server.base()),
        true,
    ))
    .unwrap();
    assert_eq!(
        provider.complete(&simple(), &|_| {}).await.unwrap().text(),
        "un"
    );
    assert_eq!(
        provider.complete(&simple(), &|_| {}).await.unwrap().text(),
        "deux"
    );
    let sent: Vec<bool> = server
        .seen()
        .iter()
        .map(|seen| seen.body.get("stream_options").is_some())
        .collect();
    assert_eq!(sent, [true, false, false], "learnt once, remembered after");
}

/// Every recorded 200 answer, served over HTTP in random-sized pieces (cutting UTF-8
/// characters and SSE lines anywhere), must come out of the real provider exactly as the
/// offline parser reads the whole body.
#[tokio::test]
async fn recorded_answers_served_in_random_pieces_assemble_like_the_whole_body() {
    let dir = format!("{}/../../tests/fixtures/llm", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut rng = fastrand::Rng::with_seed(7);
    let mut served = 0;
    for file in files {
        let doc: Value = serde_yaml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for it in doc["interactions"].as_array().unwrap() {
            let uri = it["request"]["uri"].as_str().unwrap();
            let kind = if uri.contains("/v1/messages") {
                ProviderKind::Anthropic
            } else if uri.contains("/chat/completions") {
                ProviderKind::OpenAi
            } else {
                continue;
            };
            if it["response"]["status"]["code"] != 200 {
                continue;
            }
            let (body, content_type, stream) = match it["response"]["body"]["string"].as_str() {
                Some(sse) => (sse.to_string(), "text/event-stream", true),
                None => (
                    it["response"]["parsed_body"].to_string(),
                    "application/json",
                    false,
                ),
            };
            let expected = match (kind, stream) {
                (ProviderKind::Anthropic, true) => commis_llm::anthropic::parse_sse(&body, &|_| {}),
                (ProviderKind::Anthropic, false) => {
                    commis_llm::anthropic::parse_response(&serde_json::from_str(&body).unwrap())
                }
                (_, true) => commis_llm::openai::parse_sse(&body, &|_| {}),
                (_, false) => {
                    commis_llm::openai::parse_response(&serde_json::from_str(&body).unwrap())
                }
            };
            let bytes = body.into_bytes();
            let mut chunks = Vec::new();
            let mut start = 0;
            while start < bytes.len() {
                let end = (start + rng.usize(1..64)).min(bytes.len());
                chunks.push(bytes[start..end].to_vec());
                start = end;
            }
            let server = Server::start(vec![Reply::Raw {
                content_type,
                chunks,
            }])
            .await;
            let provider =
                from_config(&config(kind, &format!("{}/v1", server.base()), stream)).unwrap();
            let got = provider.complete(&simple(), &|_| {}).await;
            let context = format!("{} {uri}", file.display());
            match (expected, got) {
                (Ok(expected), Ok(got)) => assert_eq!(got, expected, "{context}"),
                (Err(expected), Err(got)) => {
                    assert_eq!(
                        got.to_string().split(':').next(),
                        expected.to_string().split(':').next(),
                        "{context}"
                    )
                }
                (expected, got) => panic!("{context}: expected {expected:?}, got {got:?}"),
            }
            served += 1;
        }
    }
    assert!(served >= 18, "only {served} recorded answers served");
}

/// Sub-agents share one provider: concurrent calls must overlap, not queue behind each other.
#[tokio::test]
async fn concurrent_calls_on_one_provider_run_in_parallel() {
    let replies = (0..8)
        .map(|i| {
            Reply::Delayed(
                Duration::from_millis(300),
                Box::new(openai_json(Some(&format!("item {i}")), &[], "stop")),
            )
        })
        .collect();
    let server = Server::start(replies).await;
    let provider = from_config(&config(
        ProviderKind::OpenAi,
        &format!("{}/v1", server.base()),
        false,
    ))
    .unwrap();
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let provider = provider.clone();
        calls.spawn(async move { provider.complete(&simple(), &|_| {}).await });
    }
    let answers = calls.join_all().await;
    let elapsed = started.elapsed();
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert!(
        elapsed < Duration::from_millis(1200),
        "8 calls of 300 ms took {elapsed:?}; sequential would be 2.4 s"
    );
}

#[tokio::test]
async fn the_setup_check_lists_models_and_finds_the_configured_one() {
    use commis_llm::check_endpoint;
    let listing =
        json!({"object": "list", "data": [{"id": "llama3.2:latest"}, {"id": "qwen3:8b"}]});
    let server = Server::start(vec![json_reply(200, listing)]).await;
    let mut cfg = config(ProviderKind::OpenAi, &format!("{}/v1", server.base()), true);
    cfg.api_key = None;
    cfg.model = Some("llama3.2".into());
    let check = check_endpoint(&cfg).await.unwrap();
    assert_eq!(check.model_available, Some(true));
    assert_eq!(check.models.unwrap().len(), 2);
    assert_eq!(check.url, format!("{}/v1/chat/completions", server.base()));

    let server = Server::start(vec![json_reply(404, json!({"error": "not here"}))]).await;
    let cfg = config(ProviderKind::OpenAi, &format!("{}/v1", server.base()), true);
    let check = check_endpoint(&cfg).await.unwrap();
    assert_eq!((check.models, check.model_available), (None, None));

    let server = Server::start(vec![json_reply(
        401,
        json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
    )])
    .await;
    let cfg = config(ProviderKind::Anthropic, &server.base(), true);
    let err = check_endpoint(&cfg).await.unwrap_err();
    assert!(err.to_string().contains("check ANTHROPIC_API_KEY"), "{err}");
}

#[path = "loopback/faults.rs"]
mod faults;
