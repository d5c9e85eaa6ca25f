//! A whole brief against a loopback HTTP server speaking each provider's wire format —
//! streaming and not — whose first answer is an overload (529) or a rate limit (429) that the
//! provider must retry. The real binary runs the brief; the server plays the model.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::{Value, json};

/// One canned HTTP answer.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// Serves canned replies in order on 127.0.0.1, recording each request body.
fn serve(replies: Vec<Reply>) -> (String, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        let mut replies = replies.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let l = line.to_ascii_lowercase();
                if let Some(v) = l.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            seen2
                .lock()
                .unwrap()
                .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
            let Some(reply) = replies.next() else {
                let _ = stream.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                continue;
            };
            let mut head = format!(
                "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                reply.status,
                reply.body.len()
            );
            for (k, v) in &reply.headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(reply.body.as_bytes());
            let _ = stream.flush();
        }
    });
    (addr, seen)
}

/// The conversation the model plays: plan, write a file, complete the step.
fn turns() -> Vec<(&'static str, Value)> {
    vec![
        (
            "propose_plan",
            json!({"steps": [{"title": "Écrire la note de synthèse", "description": "une note courte", "produces": ["note.md"]}]}),
        ),
        (
            "write_file",
            json!({"path": "note.md", "content": "# Note\n\nTout va bien.\n"}),
        ),
        ("complete_step", json!({"note": "note.md écrite"})),
    ]
}

fn anthropic_json(i: usize, name: &str, input: &Value) -> String {
    json!({"id": format!("msg_{i}"), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [{"type": "tool_use", "id": format!("toolu_{i}"), "name": name, "input": input}],
        "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 120, "output_tokens": 30}})
    .to_string()
}

fn anthropic_sse(i: usize, name: &str, input: &Value) -> String {
    let args = input.to_string();
    let (a, b) = args.split_at(args.len() / 2);
    let events = [
        (
            "message_start",
            json!({"type": "message_start", "message": {"id": format!("msg_{i}"), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [], "stop_reason": null, "usage": {"input_tokens": 120, "output_tokens": 1}}}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": format!("toolu_{i}"), "name": name, "input": {}}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": a}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": b}}),
        ),
        (
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ),
        (
            "message_delta",
            json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null}, "usage": {"output_tokens": 30}}),
        ),
        ("message_stop", json!({"type": "message_stop"})),
    ];
    events
        .iter()
        .map(|(e, d)| format!("event: {e}\ndata: {d}\n\n"))
        .collect()
}

fn openai_json(i: usize, name: &str, input: &Value) -> String {
    json!({"id": format!("chatcmpl-{i}"), "object": "chat.completion", "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
            "tool_calls": [{"id": format!("call_{i}"), "type": "function", "function": {"name": name, "arguments": input.to_string()}}]}}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}})
    .to_string()
}

fn openai_sse(i: usize, name: &str, input: &Value) -> String {
    let args = input.to_string();
    let (a, b) = args.split_at(args.len() / 2);
    let chunk = |delta: Value, finish: Value| json!({"id": format!("chatcmpl-{i}"), "object": "chat.completion.chunk", "model": "gpt-4.1-mini", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
    let mut out = String::new();
    for c in [
        chunk(
            json!({"role": "assistant", "tool_calls": [{"index": 0, "id": format!("call_{i}"), "type": "function", "function": {"name": name, "arguments": a}}]}),
            Value::Null,
        ),
        chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": b}}]}),
            Value::Null,
        ),
        chunk(json!({}), json!("tool_calls")),
        json!({"id": format!("chatcmpl-{i}"), "object": "chat.completion.chunk", "model": "gpt-4.1-mini", "choices": [], "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}}),
    ] {
        out.push_str(&format!("data: {c}\n\n"));
    }
    out.push_str("data: [DONE]\n\n");
    out
}

fn replies(first: Reply, make: impl Fn(usize, &str, &Value) -> String, stream: bool) -> Vec<Reply> {
    let mut out = vec![first];
    for (i, (name, input)) in turns().iter().enumerate() {
        out.push(Reply {
            status: 200,
            headers: vec![(
                "content-type".into(),
                if stream {
                    "text/event-stream"
                } else {
                    "application/json"
                }
                .into(),
            )],
            body: make(i, name, input),
        });
    }
    out
}

fn run_brief(
    provider: &str,
    base_env: &str,
    base: &str,
    stream: bool,
) -> (Sandbox, std::path::PathBuf, std::process::Output) {
    let sb = Sandbox::new();
    let work = sb.folder("travail");
    std::fs::write(
        work.join("compte-rendu.txt"),
        "Réunion du 12 mars : tout va bien.",
    )
    .unwrap();
    let config = sb.dir.path().join("config.toml");
    std::fs::write(&config, format!("stream = {stream}\n")).unwrap();
    let out = sb
        .cmd()
        .env("COMMIS_CONFIG", &config)
        .env(base_env, base)
        .env(
            if provider == "anthropic" {
                "ANTHROPIC_API_KEY"
            } else {
                "OPENAI_API_KEY"
            },
            "test-key",
        )
        .args([
            "run",
            work.to_str().unwrap(),
            "Écris une note de synthèse",
            "--provider",
            provider,
            "--yes",
            "--json",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (sb, work, out)
}

fn check(out: &std::process::Output, work: &std::path::Path, seen: &Arc<Mutex<Vec<Value>>>) {
    let s = summary(out);
    assert_eq!(
        s["status"],
        "done",
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s["created"], json!(["note.md"]));
    assert_eq!(
        std::fs::read_to_string(work.join("note.md")).unwrap(),
        "# Note\n\nTout va bien.\n"
    );
    assert_eq!(
        s["tokens"]["input"], 360,
        "usage of the three answered calls is counted"
    );
    assert_eq!(s["tokens"]["output"], 90);
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.len(),
        4,
        "one refused call, retried, then two more turns"
    );
    assert_eq!(seen[0], seen[1], "the retried request is the same request");
    let tools = seen[0]["tools"].as_array().unwrap();
    assert!(tools.len() >= 5);
}

#[test]
fn a_brief_runs_against_an_anthropic_wire_server_after_a_529_streaming_and_not() {
    for stream in [true, false] {
        let overloaded = Reply {
            status: 529,
            headers: vec![("content-type".into(), "application/json".into())],
            body: json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}).to_string(),
        };
        let make = if stream {
            anthropic_sse
        } else {
            anthropic_json
        };
        let (base, seen) = serve(replies(overloaded, make, stream));
        let (_sb, work, out) = run_brief("anthropic", "ANTHROPIC_BASE_URL", &base, stream);
        check(&out, &work, &seen);
        assert_eq!(seen.lock().unwrap()[0]["stream"], json!(stream));
    }
}

#[test]
fn a_brief_runs_against_an_openai_wire_server_after_a_429_streaming_and_not() {
    for stream in [true, false] {
        let limited = Reply {
            status: 429,
            headers: vec![("retry-after".into(), "1".into()), ("content-type".into(), "application/json".into())],
            body: json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}).to_string(),
        };
        let make = if stream { openai_sse } else { openai_json };
        let (base, seen) = serve(replies(limited, make, stream));
        let (_sb, work, out) =
            run_brief("openai", "OPENAI_BASE_URL", &format!("{base}/v1"), stream);
        check(&out, &work, &seen);
    }
}

#[path = "model_e2e/edges.rs"]
mod edges;
