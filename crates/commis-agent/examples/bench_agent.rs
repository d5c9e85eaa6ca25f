//! Benchmarks of the agent loop (not tests; figures go in docs/PERFORMANCE.md):
//! 1. fan-out: 48 items at concurrency 8 against a loopback OpenAI-wire model that answers
//!    after 300 ms — the ideal is 48 / 8 × 0.3 s = 1.8 s;
//! 2. context: the largest context sent while planning a 500-file folder vs a 10-file one.
//!
//!     cargo run --release -p commis-agent --example bench_agent

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use commis_agent::bus::EventBus;
use commis_agent::context::RunContext;
use commis_agent::interact::NonInteractive;
use commis_agent::model::{ModelSetup, fan_out};
use commis_agent::offline::brief::Lang;
use commis_core::{AccessMode, Grant, Policy, Run, RunId, RunStatus};
use commis_llm::{
    ChatResponse, ContentBlock, ProviderConfig, ProviderKind, ScriptedProvider, StopReason, Usage,
};
use commis_store::Store;
use commis_workspace::{BlobStore, Workspace};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A loopback server speaking OpenAI chat completions, answering every request after `delay`.
async fn slow_model(delay: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                // Read headers and body (content-length).
                loop {
                    let Ok(n) = sock.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..pos]).to_ascii_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| {
                                l.strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= pos + 4 + len {
                            break;
                        }
                    }
                }
                tokio::time::sleep(delay).await;
                let body = json!({"id": "x", "object": "chat.completion", "model": "bench",
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Résumé : trois points clés."}}],
                    "usage": {"prompt_tokens": 200, "completion_tokens": 10, "total_tokens": 210}})
                .to_string();
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/v1")
}

fn context(dir: &std::path::Path, files: usize) -> RunContext {
    let work = dir.join(format!("work-{files}"));
    std::fs::create_dir_all(&work).expect("mkdir");
    for i in 0..files {
        let sub = work.join(format!("client-{:02}", i % 12));
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(
            sub.join(format!("facture-{i:04}.txt")),
            format!(
                "Facture F2024-{i:04}\nFacturé à : Client {i}\nTotal TTC : {},00 €\n",
                100 + i
            ),
        )
        .expect("write");
    }
    let store = Arc::new(Store::open(dir).expect("store"));
    let blobs = Arc::new(BlobStore::open(&dir.join(format!("blobs-{files}"))).expect("blobs"));
    let grants = vec![Grant {
        path: work.canonicalize().expect("canon"),
        mode: AccessMode::ReadWrite,
    }];
    let run = Run {
        id: RunId(format!("bench-{files}")),
        brief: "Résume chaque facture".into(),
        grants: grants.clone(),
        provider: "bench".into(),
        model: None,
        status: RunStatus::Running,
        created_at: 0,
        updated_at: 0,
    };
    store.create_run(&run, &json!({})).expect("run");
    let ws =
        Workspace::open(grants, run.id.clone(), store.clone(), blobs.clone()).expect("workspace");
    let (tx, _) = tokio::sync::broadcast::channel(1024);
    let bus = EventBus::new(store.clone(), run.id.clone(), tx);
    RunContext::new(
        run,
        store,
        bus,
        Arc::new(ws),
        blobs,
        Arc::new(NonInteractive { accept_plan: true }),
        Policy::yes([]),
        Lang::Fr,
    )
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");

    // 1. Fan-out.
    let base = slow_model(Duration::from_millis(300)).await;
    let mut cfg = ProviderConfig::new(ProviderKind::OpenAi);
    cfg.base_url = Some(base);
    cfg.api_key = Some("bench".into());
    cfg.stream = false;
    cfg.model = Some("bench".into());
    let provider = commis_llm::from_config(&cfg).expect("provider");
    let mut setup = ModelSetup::single(provider);
    setup.concurrency = 8;
    let ctx = context(dir.path(), 48);
    let items: Vec<String> = (0..48)
        .map(|i| format!("client-{:02}/facture-{i:04}.txt", i % 12))
        .collect();
    let mut runs = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let results = fan_out(&ctx, &setup, "Résume ce fichier en une phrase.", &items)
            .await
            .expect("fan out");
        let took = start.elapsed().as_secs_f64();
        assert_eq!(results.len(), 48);
        assert!(results.iter().all(|r| r["ok"] == true));
        runs.push(took);
    }
    runs.sort_by(f64::total_cmp);
    let median = runs[runs.len() / 2];
    println!(
        "fan-out: 48 items, concurrency 8, model latency 300 ms: median {median:.3} s over 5 runs (ideal 1.800 s, ratio {:.2}x; runs {:?})",
        median / 1.8,
        runs.iter().map(|r| format!("{r:.3}")).collect::<Vec<_>>()
    );

    // 2. Context size while planning, small vs large folder.
    let mut largest = Vec::new();
    for files in [10usize, 500] {
        let ctx = context(dir.path(), files);
        let plan_turn = ChatResponse {
            content: vec![ContentBlock::ToolUse {
                id: "p".into(),
                name: "propose_plan".into(),
                input: json!({"steps": [{"title": "Résumer"}]}),
            }],
            stop_reason: StopReason::ToolUse,
            usage: Usage::default(),
            model: "scripted".into(),
        };
        let setup = ModelSetup::single(Arc::new(ScriptedProvider::new(vec![plan_turn])));
        commis_agent::model::plan(&ctx, &setup).await.expect("plan");
        let tokens = setup.largest_context.load(Ordering::SeqCst);
        println!("context: planning a {files}-file folder sends at most ~{tokens} tokens");
        largest.push(tokens);
    }
    println!(
        "context ratio 500 files / 10 files: {:.2}x",
        largest[1] as f64 / largest[0] as f64
    );
}
