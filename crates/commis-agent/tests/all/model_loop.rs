//! The model-driven loop: steps see earlier steps' notes (not their transcripts), the model
//! can revise the remaining plan, sub-agents fan out with one failing item reported, not
//! fatal, and a stop interrupts a slow model call within a second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use commis_agent::engine::{Engine, Planner, RunRequest, StopHandle};
use commis_agent::interact::NonInteractive;
use commis_agent::model::ModelSetup;
use commis_core::{AccessMode, Grant, Policy, RunStatus, StepStatus};
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
            input_tokens: 10,
            output_tokens: 5,
        },
        model: "scripted".into(),
    }
}

fn text(t: &str) -> ChatResponse {
    ChatResponse {
        content: vec![ContentBlock::Text { text: t.into() }],
        stop_reason: StopReason::EndTurn,
        usage: Usage {
            input_tokens: 10,
            output_tokens: 5,
        },
        model: "scripted".into(),
    }
}

fn all_text(req: &ChatRequest) -> String {
    serde_json::to_string(&req.messages).unwrap_or_default()
}

fn folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    for i in 1..=3 {
        std::fs::write(
            work.join(format!("cr-{i}.txt")),
            format!("Réunion {i} : on décide de livrer le lot {i}."),
        )
        .unwrap();
    }
    (dir, work)
}

fn request(
    work: &std::path::Path,
    provider: Arc<ScriptedProvider>,
    stop: StopHandle,
) -> RunRequest {
    RunRequest {
        grants: vec![Grant {
            path: work.to_path_buf(),
            mode: AccessMode::ReadWrite,
        }],
        brief: "Résume chaque compte rendu puis écris une synthèse".into(),
        policy: Policy::yes([]),
        planner: Planner::Model(Arc::new(ModelSetup::single(provider))),
        stop,
        options: json!({}),
    }
}

/// A model that answers by looking at what it is asked, like a real one.
fn responder(req: &ChatRequest) -> Result<ChatResponse, LlmError> {
    let last = all_text(req);
    if req.system.contains("PLANNING") {
        return Ok(tool(
            "propose_plan",
            json!({"steps": [{"title": "Résumer les comptes rendus"}, {"title": "Étape à remplacer"}]}),
        ));
    }
    if last.contains("Item: ") {
        // A sub-agent. One item fails, the others answer.
        if last.contains("Item: cr-2.txt") {
            return Err(LlmError::Server {
                provider: "scripted".into(),
                status: 500,
                detail: "boom".into(),
            });
        }
        return Ok(text("résumé en une ligne"));
    }
    if last.contains("YOUR STEP (1)") {
        if !last.contains("tool_result") {
            return Ok(tool(
                "spawn_subagents",
                json!({"task": "Résume ce fichier", "items": ["cr-1.txt", "cr-2.txt", "cr-3.txt"]}),
            ));
        }
        if !last.contains("update_plan") && !last.contains("\"ok\":true}") {
            return Ok(tool(
                "update_plan",
                json!({"steps": [{"title": "Écrire la synthèse", "description": "synthese.md"}]}),
            ));
        }
        return Ok(tool(
            "complete_step",
            json!({"note": "NOTE-ÉTAPE-1 : 2 résumés sur 3"}),
        ));
    }
    if last.contains("YOUR STEP (2)") {
        if !last.contains("tool_result") {
            return Ok(tool(
                "write_file",
                json!({"path": "synthese.md", "content": "# Synthèse\n"}),
            ));
        }
        return Ok(tool("complete_step", json!({"note": "synthese.md écrite"})));
    }
    Ok(text("je ne sais pas"))
}

#[tokio::test]
async fn steps_see_notes_not_transcripts_and_the_model_can_revise_the_plan() {
    let (dir, work) = folder();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let provider = Arc::new(ScriptedProvider::from_fn(responder));
    let summary = engine
        .run(
            request(&work, provider.clone(), StopHandle::default()),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    assert_eq!(summary.status, RunStatus::Done, "{summary:?}");
    assert_eq!(summary.created, vec!["synthese.md".to_string()]);
    let (plan, _) = engine.store.plan(&summary.run_id).unwrap().unwrap();
    let roles = plan.summary.clone().unwrap_or_default();
    assert!(
        roles.contains("Planification : scripted/"),
        "the plan says which model does what: {roles}"
    );
    let titles: Vec<&str> = plan.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        vec!["Résumer les comptes rendus", "Écrire la synthèse"],
        "the revised plan replaced the pending step"
    );
    assert!(plan.steps.iter().all(|s| s.status == StepStatus::Done));

    let requests = provider.requests();
    let step2: Vec<&ChatRequest> = requests
        .iter()
        .filter(|r| all_text(r).contains("YOUR STEP (2)"))
        .collect();
    let first = all_text(step2[0]);
    assert!(first.contains("NOTE-ÉTAPE-1"), "step 2 sees step 1's note");
    assert!(
        !first.contains("spawn_subagents"),
        "step 2 does not see step 1's transcript"
    );

    // The fan-out: one item failed and was reported, the others came back.
    let step1_after_fanout = requests
        .iter()
        .map(all_text)
        .find(|t| t.contains("YOUR STEP (1)") && t.contains("tool_result"))
        .unwrap();
    assert!(step1_after_fanout.contains("résumé en une ligne"));
    assert!(
        step1_after_fanout.contains("boom"),
        "the failing item is reported"
    );
    let subagent_calls = requests
        .iter()
        .filter(|r| all_text(r).contains("Item: "))
        .count();
    assert!(subagent_calls >= 3, "each item had its own context");
    assert!(
        requests
            .iter()
            .filter(|r| all_text(r).contains("Item: "))
            .all(|r| !all_text(r).contains("YOUR STEP"))
    );
}

#[tokio::test]
async fn a_stop_interrupts_a_slow_model_call_within_a_second() {
    let (dir, work) = folder();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let provider =
        Arc::new(ScriptedProvider::from_fn(responder).with_delay(Duration::from_secs(30)));
    let stop = StopHandle::default();
    let stopper = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        stopper.stop();
    });
    let start = Instant::now();
    let summary = engine
        .run(
            request(&work, provider, stop),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    let took = start.elapsed();
    assert_eq!(summary.status, RunStatus::Stopped, "{summary:?}");
    assert!(took < Duration::from_millis(1300), "stopped after {took:?}");
}

/// Answers every question with "en bleu" and accepts the plan.
struct Answering;

#[async_trait::async_trait]
impl commis_agent::interact::Interaction for Answering {
    fn is_interactive(&self) -> bool {
        true
    }
    async fn review_plan(
        &self,
        _run: &commis_core::Run,
        plan: &commis_core::Plan,
    ) -> commis_agent::interact::PlanDecision {
        commis_agent::interact::PlanDecision::Accept(plan.clone())
    }
    async fn answer(&self, _question: &str) -> Option<String> {
        Some("en bleu".into())
    }
    async fn approve(
        &self,
        _r: &commis_agent::interact::ApprovalRequest,
    ) -> commis_core::ApprovalAnswer {
        commis_core::ApprovalAnswer::No
    }
}

#[tokio::test]
async fn answers_to_the_planners_questions_reach_the_steps() {
    let (dir, work) = folder();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let provider = Arc::new(ScriptedProvider::from_fn(|req: &ChatRequest| {
        if req.system.contains("PLANNING") {
            return Ok(tool(
                "propose_plan",
                json!({"steps": [{"title": "Colorier"}], "questions": ["Quelle couleur ?"]}),
            ));
        }
        Ok(tool("complete_step", json!({"note": "fait"})))
    }));
    let summary = engine
        .run(
            request(&work, provider.clone(), StopHandle::default()),
            Arc::new(Answering),
        )
        .await
        .unwrap();
    assert_eq!(summary.status, RunStatus::Done);
    let step = provider
        .requests()
        .into_iter()
        .map(|r| all_text(&r))
        .find(|t| t.contains("YOUR STEP (1)"))
        .unwrap();
    assert!(
        step.contains("Quelle couleur ?") && step.contains("en bleu"),
        "{step}"
    );
}

#[tokio::test]
async fn unanswered_plan_questions_end_needs_input_and_resume_asks_them_again() {
    let (dir, work) = folder();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let provider = Arc::new(ScriptedProvider::from_fn(|req: &ChatRequest| {
        if req.system.contains("PLANNING") {
            return Ok(tool(
                "propose_plan",
                json!({"steps": [{"title": "Colorier"}], "questions": ["Quelle couleur ?"]}),
            ));
        }
        Ok(tool("complete_step", json!({"note": "fait"})))
    }));
    let summary = engine
        .run(
            request(&work, provider.clone(), StopHandle::default()),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    assert_eq!(summary.status, RunStatus::NeedsInput);
    assert_eq!(summary.questions, vec!["Quelle couleur ?".to_string()]);
    // Resumed with someone to answer: the question is asked again and its answer reaches
    // the step.
    let summary = engine
        .resume(
            summary.run_id.as_str(),
            Planner::Model(Arc::new(ModelSetup::single(provider.clone()))),
            Policy::yes([]),
            Arc::new(Answering),
            StopHandle::default(),
        )
        .await
        .unwrap();
    assert_eq!(summary.status, RunStatus::Done, "{summary:?}");
    let step = provider
        .requests()
        .into_iter()
        .map(|r| all_text(&r))
        .find(|t| t.contains("YOUR STEP (1)"))
        .unwrap();
    assert!(step.contains("en bleu"), "{step}");
}

#[tokio::test]
async fn ask_user_with_nobody_to_answer_ends_needs_input_and_resume_gets_the_answer_to_the_step() {
    let (dir, work) = folder();
    let engine = Engine::open(&dir.path().join("state")).unwrap();
    let provider = Arc::new(ScriptedProvider::from_fn(|req: &ChatRequest| {
        let last = all_text(req);
        if req.system.contains("PLANNING") {
            return Ok(tool(
                "propose_plan",
                json!({"steps": [{"title": "Colorier"}]}),
            ));
        }
        if last.contains("en bleu") {
            return Ok(tool("complete_step", json!({"note": "colorié en bleu"})));
        }
        Ok(tool("ask_user", json!({"question": "Quelle couleur ?"})))
    }));
    let summary = engine
        .run(
            request(&work, provider.clone(), StopHandle::default()),
            Arc::new(NonInteractive { accept_plan: true }),
        )
        .await
        .unwrap();
    assert_eq!(
        summary.status,
        RunStatus::NeedsInput,
        "an unanswered ask_user does not end done: {summary:?}"
    );
    assert_eq!(summary.questions, vec!["Quelle couleur ?".to_string()]);
    let (plan, _) = engine.store.plan(&summary.run_id).unwrap().unwrap();
    assert_eq!(plan.steps[0].status, StepStatus::Pending);
    assert_eq!(plan.questions, vec!["Quelle couleur ?".to_string()]);
    // Without a terminal, resuming waits again rather than guessing.
    let again = engine
        .resume(
            summary.run_id.as_str(),
            Planner::Model(Arc::new(ModelSetup::single(provider.clone()))),
            Policy::yes([]),
            Arc::new(NonInteractive { accept_plan: true }),
            StopHandle::default(),
        )
        .await
        .unwrap();
    assert_eq!(again.status, RunStatus::NeedsInput);
    let done = engine
        .resume(
            summary.run_id.as_str(),
            Planner::Model(Arc::new(ModelSetup::single(provider.clone()))),
            Policy::yes([]),
            Arc::new(Answering),
            StopHandle::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.status, RunStatus::Done, "{done:?}");
    let (plan, _) = engine.store.plan(&summary.run_id).unwrap().unwrap();
    assert_eq!(plan.steps[0].note.as_deref(), Some("colorié en bleu"));
}

#[path = "model_loop/edges.rs"]
mod edges;
