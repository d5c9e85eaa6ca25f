//! A model that asks a question before its plan: the page gets the question, the answer
//! goes back to the run (and into its trace), and the tokens it spent are counted.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use commis_agent::engine::Planner;
use commis_agent::model::ModelSetup;
use commis_llm::{
    ChatRequest, ChatResponse, ContentBlock, LlmError, ScriptedProvider, StopReason, Usage,
};
use commis_server::ServeOptions;
use serde_json::{Value, json};

fn tool(name: &str, input: Value) -> ChatResponse {
    ChatResponse {
        content: vec![ContentBlock::ToolUse {
            id: format!("t-{name}"),
            name: name.into(),
            input,
        }],
        stop_reason: StopReason::ToolUse,
        usage: Usage {
            input_tokens: 100,
            output_tokens: 20,
        },
        model: "scripted".into(),
    }
}

fn responder(req: &ChatRequest) -> Result<ChatResponse, LlmError> {
    let seen = format!(
        "{} {}",
        req.system,
        serde_json::to_string(&req.messages).unwrap_or_default()
    );
    if req.system.contains("PLANNING") {
        return Ok(tool(
            "propose_plan",
            json!({
                "steps": [{"title": "Écrire la note du mois", "produces": ["note.md"]}],
                "questions": ["Quel mois faut-il traiter ?"]
            }),
        ));
    }
    if !seen.contains("tool_result") {
        let month = if seen.contains("mars") {
            "mars"
        } else {
            "inconnu"
        };
        return Ok(tool(
            "write_file",
            json!({"path": "note.md", "content": format!("# Note de {month}\n")}),
        ));
    }
    Ok(tool("complete_step", json!({"note": "note écrite"})))
}

struct Api {
    base: String,
    cookie: String,
    client: reqwest::Client,
}

impl Api {
    async fn get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> u16 {
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.base)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn wait_for(&self, run_id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let d = self.get(&format!("/api/runs/{run_id}")).await;
            if done(&d) {
                return d;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {d}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_is_asked_in_the_page_and_its_answer_goes_back_to_the_run() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let folder = std::fs::canonicalize(work.path()).unwrap();
    std::fs::write(folder.join("ventes.txt"), "ventes de mars : 12 000 €").unwrap();
    let provider = Arc::new(ScriptedProvider::from_fn(responder));
    let engine = commis_agent::engine::Engine::open(home.path()).unwrap();
    let store = engine.store.clone();
    let mut opts = ServeOptions::new(vec![folder.clone()]);
    opts.open_browser = false;
    opts.planner = Planner::Model(Arc::new(ModelSetup::single(provider.clone())));
    let server = commis_server::start(engine, opts).await.unwrap();
    let api = Api {
        base: format!("http://127.0.0.1:{}", server.addr.port()),
        cookie: format!("commis_{}={}", server.addr.port(), server.token()),
        client: reqwest::Client::new(),
    };

    let created: Value = api
        .client
        .post(format!("{}/api/runs", api.base))
        .header("cookie", &api.cookie)
        .json(&json!({"folder": folder, "brief": "Écris la note du mois"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let run_id = created["run_id"].as_str().unwrap().to_string();

    let d = api
        .wait_for(&run_id, "the question", |d| {
            d["waiting"]["type"] == "question"
        })
        .await;
    assert_eq!(d["waiting"]["question"], "Quel mois faut-il traiter ?");
    assert_eq!(
        api.post(
            &format!("/api/runs/{run_id}/answer"),
            json!({"answer": "mars"})
        )
        .await,
        200
    );
    api.wait_for(&run_id, "the plan", |d| d["waiting"]["type"] == "plan")
        .await;
    assert_eq!(
        api.post(
            &format!("/api/runs/{run_id}/plan"),
            json!({"decision": "accept"})
        )
        .await,
        200
    );
    let done = loop {
        let d = api
            .wait_for(&run_id, "an approval or the end", |d| {
                d["waiting"]["type"] == "approval" || d["live"] == false
            })
            .await;
        if d["live"] == false {
            break d;
        }
        api.post(
            &format!("/api/runs/{run_id}/approval"),
            json!({"id": d["waiting"]["request"]["id"], "answer": "once"}),
        )
        .await;
    };
    assert_eq!(done["run"]["status"], "done", "{done}");
    assert!(Path::new(&folder).join("note.md").is_file());
    let id = commis_core::RunId(run_id.clone());
    let answered = store.events(&id, 0).unwrap().into_iter().any(|e| {
        matches!(e.kind, commis_core::EventKind::QuestionAnswered { ref answer, .. } if answer == "mars")
    });
    assert!(answered, "the answer is in the run's trace");
    assert!(done["summary"]["tokens"]["input"].as_u64().unwrap() >= 100);
    let events = api.get(&format!("/api/runs/{run_id}")).await;
    assert_eq!(events["run"]["provider"], "scripted");
}
