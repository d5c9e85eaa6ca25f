//! A test server for the browser end-to-end suite (scripts/test-web.sh): copies the demo
//! folder into `WORK_DIR/folder`, keeps commis's state in `WORK_DIR/home`, serves the web
//! UI with the offline planner and prints its address (with the token) as the first line.
//!
//! Usage: `cargo run -p commis-server --example e2e_server -- WORK_DIR`
//!
//! With `E2E_PLANNER=scripted`, a scripted model plans instead: it asks one question first
//! ("Quel mois faut-il traiter ?"), then writes `note.md` (for the question screen).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use commis_llm::{
    ChatRequest, ChatResponse, ContentBlock, LlmError, ScriptedProvider, StopReason, Usage,
};
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
            input_tokens: 1200,
            output_tokens: 80,
        },
        model: "scripted".into(),
    }
}

/// A model that asks which month, then writes a note and completes its step.
fn asks_a_question(req: &ChatRequest) -> Result<ChatResponse, LlmError> {
    let seen = serde_json::to_string(&req.messages).unwrap_or_default();
    if req.system.contains("PLANNING") {
        return Ok(tool(
            "propose_plan",
            json!({
                "steps": [{"title": "Écrire la note du mois", "description": "Une note courte sur les ventes du mois.", "produces": ["note.md"], "needs_approval": true}],
                "questions": ["Quel mois faut-il traiter ?"]
            }),
        ));
    }
    if !seen.contains("tool_result") {
        return Ok(tool(
            "write_file",
            json!({"path": "note.md", "content": "# Note du mois\n"}),
        ));
    }
    Ok(tool("complete_step", json!({"note": "note.md écrite"})))
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: e2e_server WORK_DIR")?;
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-pme");
    let folder = work.join("folder");
    if !folder.exists() {
        copy_tree(&demo, &folder)?;
    }
    let engine = commis_agent::engine::Engine::open(&work.join("home"))?;
    engine.store.save_template(
        "tri-et-catalogue",
        &json!({"brief": "Trie ces fichiers par type et crée un catalogue"}),
    )?;
    let mut opts = commis_server::ServeOptions::new(vec![std::fs::canonicalize(&folder)?]);
    opts.open_browser = false;
    if std::env::var("E2E_PLANNER").as_deref() == Ok("scripted") {
        let provider = Arc::new(ScriptedProvider::from_fn(asks_a_question));
        opts.planner = commis_agent::engine::Planner::Model(Arc::new(
            commis_agent::model::ModelSetup::single(provider),
        ));
    }
    let server = commis_server::start(engine, opts).await?;
    println!("{}", server.url());
    println!("folder={}", folder.display());
    server.wait().await?;
    Ok(())
}
