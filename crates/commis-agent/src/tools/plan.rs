//! Conversation tools: the model proposes or revises the plan, asks the user, and leaves a
//! note when a step is complete. Their effects land in the run's shared state.

use std::sync::Arc;

use async_trait::async_trait;
use commis_core::{EventKind, Plan, Step};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Tool, ToolError, parse_input};
use crate::context::RunContext;

pub(super) fn tools() -> Vec<Arc<dyn Tool>> {
    vec![
        Arc::new(ProposePlan),
        Arc::new(UpdatePlan),
        Arc::new(AskUser),
        Arc::new(CompleteStep),
    ]
}

#[derive(Deserialize)]
struct StepInput {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    reads: Vec<String>,
    #[serde(default)]
    produces: Vec<String>,
    #[serde(default)]
    needs_approval: bool,
}

#[derive(Deserialize)]
struct PlanInput {
    steps: Vec<StepInput>,
    #[serde(default)]
    questions: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
}

fn plan_schema() -> Value {
    json!({"type": "object", "required": ["steps"], "properties": {
        "steps": {"type": "array", "items": {"type": "object", "required": ["title"], "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "reads": {"type": "array", "items": {"type": "string"}},
            "produces": {"type": "array", "items": {"type": "string"}},
            "needs_approval": {"type": "boolean"}
        }}},
        "questions": {"type": "array", "items": {"type": "string"}, "description": "Questions the user must answer before the plan can run"},
        "summary": {"type": "string"}
    }})
}

fn to_plan(input: PlanInput) -> Result<Plan, ToolError> {
    if input.steps.is_empty() && input.questions.is_empty() {
        return Err(ToolError::InvalidInput {
            tool: "propose_plan".into(),
            reason: "a plan needs at least one step or one question".into(),
        });
    }
    let steps = input
        .steps
        .into_iter()
        .map(|s| {
            let mut step = Step::new(s.title, s.description);
            step.reads = s.reads;
            step.produces = s.produces;
            step.needs_approval = s.needs_approval;
            step
        })
        .collect();
    let mut plan = Plan::new(steps);
    plan.questions = input.questions;
    plan.summary = input.summary;
    Ok(plan)
}

struct ProposePlan;

#[async_trait]
impl Tool for ProposePlan {
    fn name(&self) -> &'static str {
        "propose_plan"
    }
    fn description(&self) -> &'static str {
        "Propose the plan for the brief: numbered steps (title, description, what each reads and produces, whether it needs approval), and questions if the brief is ambiguous. Nothing runs before the user accepts."
    }
    fn input_schema(&self) -> Value {
        plan_schema()
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let plan = to_plan(parse_input(self.name(), input)?)?;
        let steps = plan.steps.len();
        *ctx.proposed_plan.lock().unwrap_or_else(|p| p.into_inner()) = Some(plan);
        Ok(
            json!({"ok": true, "steps": steps, "note": "The plan is shown to the user for acceptance."}),
        )
    }
}

struct UpdatePlan;

#[async_trait]
impl Tool for UpdatePlan {
    fn name(&self) -> &'static str {
        "update_plan"
    }
    fn description(&self) -> &'static str {
        "Replace the REMAINING steps of the plan (after the current one) with a revised list. Shown to the user; in ask mode the user must approve it."
    }
    fn input_schema(&self) -> Value {
        plan_schema()
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let revised = to_plan(parse_input(self.name(), input)?)?;
        ctx.gate(
            commis_core::ActionKind::Modify,
            format!(
                "revise the remaining plan: {}",
                revised
                    .steps
                    .iter()
                    .map(|s| s.title.as_str())
                    .collect::<Vec<_>>()
                    .join(" / ")
            ),
            vec![],
        )
        .await?;
        *ctx.proposed_plan.lock().unwrap_or_else(|p| p.into_inner()) = Some(revised);
        Ok(json!({"ok": true}))
    }
}

struct AskUser;

#[derive(Deserialize)]
struct AskInput {
    question: String,
}

#[async_trait]
impl Tool for AskUser {
    fn name(&self) -> &'static str {
        "ask_user"
    }
    fn description(&self) -> &'static str {
        "Ask the user a question and wait for the answer. Use only when the brief or the files leave a real ambiguity."
    }
    fn input_schema(&self) -> Value {
        json!({"type": "object", "required": ["question"], "properties": {"question": {"type": "string"}}})
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let input: AskInput = parse_input(self.name(), input)?;
        // Asked again on resume before the step restarted: the answer is already known.
        if let Some(answer) = ctx.known_answer(&input.question) {
            return Ok(json!({"answer": answer}));
        }
        ctx.emit(EventKind::QuestionAsked {
            question: input.question.clone(),
        });
        if !ctx.interaction.is_interactive() {
            // Nobody to answer: the run waits for the user (`needs_input`) like a plan
            // question, instead of guessing.
            ctx.defer_question(&input.question);
            return Err(ToolError::Stopped);
        }
        match ctx.interaction.answer(&input.question).await {
            Some(answer) => {
                ctx.emit(EventKind::QuestionAnswered {
                    question: input.question,
                    answer: answer.clone(),
                });
                Ok(json!({"answer": answer}))
            }
            None if ctx.stop_requested() => Err(ToolError::Stopped),
            None => Ok(
                json!({"answer": null, "note": "Nobody can answer now: make the most cautious choice, or leave the decision for the user and say so."}),
            ),
        }
    }
}

struct CompleteStep;

#[derive(Deserialize)]
struct CompleteInput {
    note: String,
}

#[async_trait]
impl Tool for CompleteStep {
    fn name(&self) -> &'static str {
        "complete_step"
    }
    fn description(&self) -> &'static str {
        "Mark the current step complete, leaving a short note (results, files produced, figures) for later steps. Later steps see this note, not your transcript."
    }
    fn input_schema(&self) -> Value {
        json!({"type": "object", "required": ["note"], "properties": {"note": {"type": "string"}}})
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let input: CompleteInput = parse_input(self.name(), input)?;
        *ctx.step_note.lock().unwrap_or_else(|p| p.into_inner()) = Some(input.note);
        Ok(json!({"ok": true}))
    }
}
