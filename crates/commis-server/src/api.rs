//! The JSON API the page calls: start a run (from a template or not), save a template,
//! review its plan, answer, approve, pause, continue, stop, resume, undo, and read runs,
//! history and previews.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use commis_agent::engine::Engine;
use commis_agent::engine::{RunRequest, StopHandle};
use commis_agent::interact::PlanDecision;
use commis_agent::messages::Msg;
use commis_core::Lang;
use commis_core::{
    AccessMode, ApprovalAnswer, ApprovalScope, EventKind, Grant, Plan, Policy, PolicyMode,
    RunStatus,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::state::{AppState, Undeliverable, WebInteraction};

/// An API failure: a status and a message the page shows as is.
#[derive(Debug)]
pub(crate) struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl ApiError {
    fn bad(message: impl Into<String>) -> ApiError {
        ApiError(StatusCode::BAD_REQUEST, message.into())
    }
    fn conflict(message: impl Into<String>) -> ApiError {
        ApiError(StatusCode::CONFLICT, message.into())
    }
    fn internal(message: impl std::fmt::Display) -> ApiError {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, message.to_string())
    }
    pub(crate) fn internal_message(message: String) -> ApiError {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<commis_agent::engine::AgentError> for ApiError {
    fn from(e: commis_agent::engine::AgentError) -> ApiError {
        if e.is_not_found() {
            ApiError(StatusCode::NOT_FOUND, e.to_string())
        } else {
            ApiError::internal(e)
        }
    }
}

fn undeliverable(state: &AppState, run_id: &str, e: Undeliverable) -> ApiError {
    let lang = run_lang(state, run_id);
    ApiError::conflict(match e {
        Undeliverable::NotLive => Msg::RunNotLiveHere.fill(lang, &[("run", run_id)]),
        Undeliverable::NotWaitingForThat => Msg::RunNotWaiting.fill(lang, &[("run", run_id)]),
    })
}

/// The language of a run: its brief's (English for a run that does not exist).
fn run_lang(state: &AppState, run_id: &str) -> Lang {
    state.engine.run_lang(run_id).unwrap_or(Lang::En)
}

/// The language a plan was made in (its brief's).
fn plan_lang(plan: &Plan) -> Lang {
    plan.context
        .get("lang")
        .and_then(|l| serde_json::from_value(l.clone()).ok())
        .unwrap_or(Lang::En)
}

type ApiResult = Result<Json<Value>, ApiError>;

/// The language the browser prefers among French and English.
fn browser_lang(headers: &HeaderMap) -> &'static str {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for part in accept.split(',') {
        let tag = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if tag.starts_with("fr") {
            return "fr";
        }
        if tag.starts_with("en") {
            return "en";
        }
    }
    "en"
}

pub(crate) async fn config(State(state): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let templates: Vec<Value> = state
        .engine
        .templates()?
        .into_iter()
        .map(|t| {
            let brief = t.body.get("brief").and_then(Value::as_str).unwrap_or("");
            json!({
                "name": t.name,
                "brief": brief,
                "read_only": t.body.get("read_only").cloned().unwrap_or(Value::Bool(false)),
                "placeholders": crate::templates::placeholders(brief),
            })
        })
        .collect();
    Ok(Json(json!({
        "folders": state.folders,
        "templates": templates,
        "lang": browser_lang(&headers),
        "planner": state.planner.name(),
        "model": state.planner.model(),
        "version": env!("CARGO_PKG_VERSION"),
    })))
}

/// A new run from the start screen.
#[derive(Deserialize)]
pub(crate) struct NewRun {
    folder: String,
    brief: String,
    #[serde(default)]
    read_only: bool,
    /// Values of the brief's `{placeholders}` (a brief from a template); without them the
    /// brief is taken as written, braces included.
    #[serde(default)]
    values: Option<BTreeMap<String, String>>,
}

const MAX_BRIEF_CHARS: usize = 20_000;
const MAX_TEMPLATE_NAME_CHARS: usize = 80;

/// The brief to run: as written, or with its placeholders filled when values come along.
fn brief_to_run(new: &NewRun) -> Result<String, ApiError> {
    let brief = match &new.values {
        Some(values) => crate::templates::fill(&new.brief, values).map_err(|missing| {
            ApiError::bad(
                Msg::TemplateNeedsValue.fill(Engine::brief_lang(&new.brief), &[("name", &missing)]),
            )
        })?,
        None => new.brief.clone(),
    };
    Ok(brief.trim().to_string())
}

pub(crate) async fn create_run(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(new): Json<NewRun>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let brief = brief_to_run(&new)?;
    if brief.is_empty() {
        // No brief to take the language from: the browser's.
        let lang = match browser_lang(&headers) {
            "fr" => Lang::Fr,
            _ => Lang::En,
        };
        return Err(ApiError::bad(Msg::BriefEmpty.text(lang)));
    }
    // Errors speak the brief's language, as the run would.
    let lang = Engine::brief_lang(&brief);
    if brief.chars().count() > MAX_BRIEF_CHARS {
        return Err(ApiError::bad(
            Msg::BriefTooLong.fill(lang, &[("max", &MAX_BRIEF_CHARS.to_string())]),
        ));
    }
    let folder = PathBuf::from(new.folder.trim());
    if !folder.is_absolute() {
        return Err(ApiError::bad(
            Msg::NotAbsoluteFolder.fill(lang, &[("path", &folder.display().to_string())]),
        ));
    }
    let folder = commis_workspace::check_grantable(&folder, state.engine.home())
        .map_err(|e| ApiError::bad(commis_agent::messages::grant_refusal(&e, lang)))?;
    let (mode, policy) = if new.read_only {
        let mut policy = Policy::new(PolicyMode::ReadOnly);
        policy.rules = state.policy.rules.clone();
        (AccessMode::ReadOnly, policy)
    } else {
        (AccessMode::ReadWrite, state.policy.clone())
    };
    let stop = StopHandle::default();
    let req = RunRequest {
        grants: vec![Grant { path: folder, mode }],
        brief,
        policy,
        planner: state.planner.clone(),
        stop: stop.clone(),
        options: json!({ "web": true, "read_only": new.read_only }),
    };
    let run = state.engine.create_run(&req).map_err(ApiError::internal)?;
    let run_id = run.id.to_string();
    state.hub.begin(&run_id, stop);
    let interaction = Arc::new(WebInteraction {
        hub: state.hub.clone(),
        run_id: run_id.clone(),
    });
    let engine = state.engine.clone();
    let hub = state.hub.clone();
    let id = run.id.clone();
    tokio::spawn(async move {
        let _live = LiveGuard {
            hub: hub.clone(),
            run_id: id.to_string(),
        };
        if let Err(e) = engine.drive(run, req, interaction).await {
            record_driver_failure(&engine, &id, &e);
        }
    });
    Ok((StatusCode::CREATED, Json(json!({ "run_id": run_id }))))
}

/// Removes a run from the live set when its driver ends, even by a panic.
struct LiveGuard {
    hub: Arc<crate::state::Hub>,
    run_id: String,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.hub.end(&self.run_id);
    }
}

fn record_driver_failure(
    engine: &commis_agent::engine::Engine,
    id: &commis_core::RunId,
    error: &commis_agent::engine::AgentError,
) {
    tracing::warn!("run {id} failed: {error}");
    let lang = engine.run_lang(id.as_str()).unwrap_or(Lang::En);
    let _ = engine.append_event(
        id,
        EventKind::Warning {
            path: None,
            message: error.localized(lang),
        },
    );
    if let Ok(run) = engine.stored_run(id.as_str())
        && !run.status.is_final()
    {
        let _ = engine.set_status(id, RunStatus::Failed);
    }
}

/// A brief to keep as a template, from the start screen.
#[derive(Deserialize)]
pub(crate) struct NewTemplate {
    name: String,
    brief: String,
    #[serde(default)]
    read_only: bool,
    /// Overwrite a template of the same name (otherwise 409).
    #[serde(default)]
    replace: bool,
}

pub(crate) async fn save_template(
    State(state): State<Arc<AppState>>,
    Json(new): Json<NewTemplate>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let name = new.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::bad("the template needs a name"));
    }
    if name.chars().count() > MAX_TEMPLATE_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::bad(format!(
            "a template name is one line of at most {MAX_TEMPLATE_NAME_CHARS} characters; shorten it"
        )));
    }
    let brief = new.brief.trim().to_string();
    if brief.is_empty() {
        return Err(ApiError::bad(
            "the brief is empty: write the brief to keep, with {placeholders} for what changes",
        ));
    }
    if brief.chars().count() > MAX_BRIEF_CHARS {
        return Err(ApiError::bad(format!(
            "the brief is longer than {MAX_BRIEF_CHARS} characters; shorten it"
        )));
    }
    let engine = &state.engine;
    let exists = engine.templates()?.iter().any(|t| t.name == name);
    if exists && !new.replace {
        return Err(ApiError::conflict(format!(
            "a template named `{name}` already exists; replace it or choose another name"
        )));
    }
    // The shape `commis template save` writes, so the CLI runs what the page saved.
    engine.save_template(
        &name,
        &json!({
            "brief": brief,
            "yes": false,
            "allow": [],
            "read_only": new.read_only,
        }),
    )?;
    let placeholders = crate::templates::placeholders(&brief);
    Ok((
        if exists {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        },
        Json(json!({ "name": name, "placeholders": placeholders, "replaced": exists })),
    ))
}

pub(crate) async fn delete_template(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> ApiResult {
    if !state.engine.delete_template(&name)? {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("there is no template named `{name}`; reload the page"),
        ));
    }
    Ok(Json(json!({ "deleted": name })))
}

pub(crate) async fn resume_run(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
) -> ApiResult {
    let run = state.engine.stored_run(&run_id)?;
    let lang = Engine::brief_lang(&run.brief);
    if run.status.is_final() {
        return Err(ApiError::conflict(Msg::WebAlreadyFinished.fill(
            lang,
            &[
                ("run", &run_id),
                (
                    "status",
                    commis_agent::messages::run_status(run.status, lang),
                ),
            ],
        )));
    }
    let stop = StopHandle::default();
    if !state.hub.begin(&run_id, stop.clone()) {
        return Err(ApiError::conflict(
            Msg::AlreadyRunningHere.fill(lang, &[("run", &run_id)]),
        ));
    }
    let read_only = run.grants.iter().any(|g| g.mode == AccessMode::ReadOnly);
    let policy = if read_only {
        Policy::new(PolicyMode::ReadOnly)
    } else {
        state.policy.clone()
    };
    let interaction = Arc::new(WebInteraction {
        hub: state.hub.clone(),
        run_id: run_id.clone(),
    });
    let engine = state.engine.clone();
    let hub = state.hub.clone();
    let planner = state.planner.clone();
    let id = run.id.clone();
    tokio::spawn(async move {
        let _live = LiveGuard {
            hub,
            run_id: id.to_string(),
        };
        if let Err(e) = engine
            .resume(id.as_str(), planner, policy, interaction, stop)
            .await
        {
            record_driver_failure(&engine, &id, &e);
        }
    });
    Ok(Json(json!({ "run_id": run_id, "resumed": true })))
}

/// A run's status as the page shows it: `interrupted` when no process drives a run left
/// `planning`/`running` (one this server is starting counts as driven).
fn shown_status(state: &AppState, run: &commis_core::Run) -> RunStatus {
    if state.hub.is_live(run.id.as_str()) {
        run.status
    } else {
        state.engine.shown_status(run)
    }
}

pub(crate) async fn list_runs(State(state): State<Arc<AppState>>) -> ApiResult {
    let runs = state.engine.stored_runs(200)?;
    let rows: Vec<Value> = runs
        .into_iter()
        .map(|r| {
            let id = r.id.to_string();
            json!({
                "id": id,
                "brief": r.brief,
                "status": shown_status(&state, &r),
                "provider": r.provider,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
                "folders": r.grants.iter().map(|g| g.path.clone()).collect::<Vec<_>>(),
                "live": state.hub.is_live(&id),
                "waiting": state.hub.waiting(&id).is_some(),
                "paused": state.hub.is_paused(&id),
            })
        })
        .collect();
    Ok(Json(json!({ "runs": rows })))
}

pub(crate) async fn run_detail(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
) -> ApiResult {
    // Whether the run is live is read before the run itself: a driver stores the final
    // status before it leaves the live set, so a run seen ended has its final status.
    let live = state.hub.is_live(&run_id);
    let engine = &state.engine;
    let mut run = engine.stored_run(&run_id)?;
    if !live {
        run.status = state.engine.shown_status(&run);
    }
    let undo_state = state
        .engine
        .undo_state(&run.id)
        .map_err(ApiError::internal)?;
    let (plan, accepted) = match engine.plan(&run.id)? {
        Some((p, a)) => (Some(p), a),
        None => (None, false),
    };
    let summary = state.engine.summary(&run.id).map_err(ApiError::internal)?;
    let approvals = engine.approvals(&run.id)?;
    // Fully undone: nothing left to undo (a partly undone run keeps its undo button).
    let undone = undo_state == commis_agent::engine::UndoState::Undone;
    Ok(Json(json!({
        "run": run,
        "plan": plan,
        "plan_accepted": accepted,
        "summary": summary,
        "approvals": approvals,
        "live": live,
        "waiting": state.hub.waiting(&run_id),
        "paused": state.hub.is_paused(&run_id),
        "undone": undone,
        "undo_state": undo_state,
    })))
}

/// One step of the plan as the user left it.
#[derive(Deserialize)]
pub(crate) struct StepEdit {
    /// The number of the proposed step this one comes from; none for a step the user added.
    #[serde(default)]
    from: Option<u32>,
    title: String,
    #[serde(default)]
    description: String,
    /// Positions (from 0) of the change-set lines the user dropped.
    #[serde(default)]
    drop_changes: Vec<usize>,
}

/// The user's verdict on the plan under review.
#[derive(Deserialize)]
pub(crate) struct PlanVerdict {
    decision: String,
    #[serde(default)]
    steps: Option<Vec<StepEdit>>,
}

/// Applies the user's edits to the proposed plan. Only what the screen lets the user
/// change is taken: wording, order, removals, additions and dropped change lines; the
/// rest of each step (its kind, what it reads, the moves it may make) stays the
/// planner's, so an edit can narrow the work but never smuggle new moves in.
pub(crate) fn edited_plan(proposed: &Plan, edits: Vec<StepEdit>) -> Result<Plan, ApiError> {
    let lang = plan_lang(proposed);
    if edits.is_empty() {
        return Err(ApiError::bad(Msg::PlanNeedsStepReject.text(lang)));
    }
    let mut used = BTreeSet::new();
    let mut steps = Vec::with_capacity(edits.len());
    for edit in edits {
        let title = edit.title.trim().to_string();
        if title.is_empty() {
            return Err(ApiError::bad(Msg::StepNeedsTitle.text(lang)));
        }
        let mut step = match edit.from {
            Some(n) => {
                if !used.insert(n) {
                    return Err(ApiError::bad(
                        Msg::StepTwice.fill(lang, &[("n", &n.to_string())]),
                    ));
                }
                proposed
                    .steps
                    .iter()
                    .find(|s| s.number == n)
                    .cloned()
                    .ok_or_else(|| {
                        ApiError::bad(Msg::StepNotProposed.fill(lang, &[("n", &n.to_string())]))
                    })?
            }
            // An added step is read like a brief against the plan's survey: one the
            // offline planner cannot run is refused now, with the reason.
            None => commis_agent::step_from_text(proposed, &title).map_err(ApiError::bad)?,
        };
        step.title = title;
        step.description = edit.description.trim().to_string();
        if !edit.drop_changes.is_empty() {
            let dropped: BTreeSet<usize> = edit.drop_changes.into_iter().collect();
            if let Some(Value::Array(lines)) = step.params.get_mut("changes") {
                let kept: Vec<Value> = lines
                    .drain(..)
                    .enumerate()
                    .filter(|(i, _)| !dropped.contains(i))
                    .map(|(_, v)| v)
                    .collect();
                step.needs_approval = step.needs_approval && !kept.is_empty();
                *lines = kept;
            }
        }
        steps.push(step);
    }
    let mut plan = proposed.clone();
    plan.steps = steps;
    plan.renumber();
    Ok(plan)
}

pub(crate) async fn decide_plan(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    Json(verdict): Json<PlanVerdict>,
) -> ApiResult {
    let decision = match verdict.decision.as_str() {
        "accept" => {
            let proposed = state
                .hub
                .plan_under_review(&run_id)
                .map_err(|e| undeliverable(&state, &run_id, e))?;
            let plan = match verdict.steps {
                Some(edits) => edited_plan(&proposed, edits)?,
                None => proposed,
            };
            PlanDecision::Accept(plan)
        }
        "reject" => PlanDecision::Reject,
        other => {
            return Err(ApiError::bad(format!(
                "unknown decision `{other}`: use accept or reject"
            )));
        }
    };
    state
        .hub
        .decide_plan(&run_id, decision)
        .map_err(|e| undeliverable(&state, &run_id, e))?;
    Ok(Json(json!({ "ok": true })))
}

/// The answer to the question the run asked; none means "later".
#[derive(Deserialize)]
pub(crate) struct AnswerBody {
    #[serde(default)]
    answer: Option<String>,
}

pub(crate) async fn answer(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    Json(body): Json<AnswerBody>,
) -> ApiResult {
    let answer = body
        .answer
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty());
    state
        .hub
        .answer(&run_id, answer)
        .map_err(|e| undeliverable(&state, &run_id, e))?;
    Ok(Json(json!({ "ok": true })))
}

/// The user's answer to approval `id`.
#[derive(Deserialize)]
pub(crate) struct ApprovalBody {
    id: u64,
    /// once, run, always, no or stop.
    answer: String,
}

pub(crate) async fn approve(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    Json(body): Json<ApprovalBody>,
) -> ApiResult {
    let answer = match body.answer.as_str() {
        "once" => ApprovalAnswer::Yes(ApprovalScope::Once),
        "run" => ApprovalAnswer::Yes(ApprovalScope::Run),
        "always" => {
            let folder = state
                .hub
                .approval_folder(&run_id)
                .ok_or_else(|| undeliverable(&state, &run_id, Undeliverable::NotWaitingForThat))?;
            ApprovalAnswer::Yes(ApprovalScope::Always { folder })
        }
        "no" => ApprovalAnswer::No,
        "stop" => ApprovalAnswer::Stop,
        other => {
            return Err(ApiError::bad(format!(
                "unknown answer `{other}`: use once, run, always, no or stop"
            )));
        }
    };
    state
        .hub
        .approve(&run_id, body.id, answer)
        .map_err(|e| undeliverable(&state, &run_id, e))?;
    Ok(Json(json!({ "ok": true })))
}

pub(crate) async fn stop(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
) -> ApiResult {
    state
        .hub
        .stop(&run_id)
        .map_err(|e| undeliverable(&state, &run_id, e))?;
    Ok(Json(json!({ "ok": true })))
}

/// How long pause and continue wait for the engine to confirm (it looks every 100 ms).
const PAUSE_CONFIRM: std::time::Duration = std::time::Duration::from_secs(2);

/// Waits until the engine emits `want` for this run (true) or the time runs out (false).
async fn engine_confirms(
    events: &mut tokio::sync::broadcast::Receiver<commis_core::Event>,
    run_id: &str,
    want: fn(&EventKind) -> bool,
) -> bool {
    let waiting = async {
        loop {
            match events.recv().await {
                Ok(e) if e.run_id.as_str() == run_id && want(&e.kind) => return true,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return false,
            }
        }
    };
    tokio::time::timeout(PAUSE_CONFIRM, waiting)
        .await
        .unwrap_or(false)
}

/// Pauses or continues a run, and answers once the engine has taken it into account, so
/// that what the page does next (accepting the plan) cannot slip in before the pause.
async fn set_paused(state: &AppState, run_id: &str, paused: bool) -> ApiResult {
    // Subscribe before flipping the flag so the confirmation cannot be missed.
    let mut events = state.engine.subscribe();
    let already = state.hub.is_paused(run_id) == paused;
    state
        .hub
        .set_paused(run_id, paused)
        .map_err(|e| undeliverable(state, run_id, e))?;
    let confirmed = already
        || if paused {
            engine_confirms(&mut events, run_id, |k| matches!(k, EventKind::RunPaused)).await
        } else {
            engine_confirms(&mut events, run_id, |k| matches!(k, EventKind::RunResumed)).await
        };
    Ok(Json(
        json!({ "ok": true, "paused": paused, "confirmed": confirmed }),
    ))
}

pub(crate) async fn pause(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
) -> ApiResult {
    set_paused(&state, &run_id, true).await
}

pub(crate) async fn unpause(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
) -> ApiResult {
    set_paused(&state, &run_id, false).await
}

/// `force` undoes even over later changes to the same files (their bytes are kept).
#[derive(Deserialize, Default)]
pub(crate) struct UndoBody {
    #[serde(default)]
    force: bool,
}

pub(crate) async fn undo(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    body: Option<Json<UndoBody>>,
) -> ApiResult {
    let force = body.map(|b| b.0.force).unwrap_or_default();
    let lang = state.engine.run_lang(&run_id)?;
    if state.hub.is_live(&run_id) {
        return Err(ApiError::conflict(
            Msg::StillRunningUndo.fill(lang, &[("run", &run_id)]),
        ));
    }
    let engine = state.engine.clone();
    let id = run_id.clone();
    let report = tokio::task::spawn_blocking(move || engine.undo(&id, force))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::conflict(e.localized(lang)))?;
    let _ = state.hub.changes.send(run_id);
    Ok(Json(json!({
        "entries_undone": report.entries_undone,
        "removed": report.removed,
        "restored": report.restored,
        "moved_back": report.moved_back,
        "dirs_removed": report.dirs_removed,
        "dirs_kept": report.dirs_kept,
        "overridden": report.overridden.len(),
        // False when conflicts are left (the run stays undoable) or the final check failed.
        "complete": report.complete,
        "conflicts": report.conflicts.iter().map(|c| json!({
            "path": c.path, "kept_at": c.kept_at, "restored": c.restored,
        })).collect::<Vec<_>>(),
        "mismatches": report.mismatches.iter().map(|m| json!({
            "path": m.path, "expected": m.expected, "found": m.found,
        })).collect::<Vec<_>>(),
        "temp_files_removed": report.temp_files_removed,
    })))
}

/// Which file of the run to preview.
#[derive(Deserialize)]
pub(crate) struct PreviewQuery {
    path: String,
}

pub(crate) async fn preview(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> ApiResult {
    let run = state.engine.stored_run(&run_id)?;
    let engine = state.engine.clone();
    let result =
        tokio::task::spawn_blocking(move || crate::preview::preview(&engine, &run, &q.path))
            .await
            .map_err(ApiError::internal)?;
    result.map(Json)
}

pub(crate) async fn slide_images(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> ApiResult {
    let run = state.engine.stored_run(&run_id)?;
    let engine = state.engine.clone();
    let images = tokio::task::spawn_blocking(move || {
        let bytes = crate::preview::read_run_file(&engine, &run, &q.path)?;
        let extension = q
            .path
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_else(|| "pptx".into());
        crate::slides::render(&bytes, &extension)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(Json(json!({ "images": images })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use commis_core::Step;

    #[test]
    fn a_step_added_to_an_offline_plan_is_read_like_a_brief_and_refused_at_once_if_it_cannot_run() {
        let mut plan = proposed();
        plan.context = json!({
            "analysis": {"files": [{"path": "a.pdf", "size": 1, "hash": "x", "kind": "invoice",
                "kind_confidence": 1.0, "kind_reason": "", "client_confidence": 0.0,
                "client_reason": ""}]},
            "lang": "fr",
            "output_dir": "Livrables"
        });
        let err = edited_plan(
            &plan,
            vec![
                edit(Some(1), "Sort", vec![]),
                edit(None, "Envoie le tableau par mail", vec![]),
            ],
        )
        .unwrap_err();
        assert!(err.1.contains("non fait"), "{}", err.1);
        let ok = edited_plan(
            &plan,
            vec![
                edit(Some(1), "Sort", vec![]),
                edit(None, "Fais un tableau des factures", vec![]),
            ],
        )
        .unwrap();
        assert_eq!(ok.steps[1].kind.as_deref(), Some("invoice_table"));
    }

    fn proposed() -> Plan {
        let mut move_step = Step::new("Sort", "by type");
        move_step.kind = Some("reorganize".into());
        move_step.needs_approval = true;
        move_step.params = json!({"changes": [
            {"from": "a.pdf", "to": "PDF/a.pdf", "reason": "pdf", "confidence": 1.0},
            {"from": "b.txt", "to": "Texte/b.txt", "reason": "txt", "confidence": 0.5}
        ]});
        let mut cat = Step::new("Catalogue", "workbook");
        cat.kind = Some("catalogue".into());
        Plan::new(vec![move_step, cat])
    }

    fn edit(from: Option<u32>, title: &str, drop: Vec<usize>) -> StepEdit {
        StepEdit {
            from,
            title: title.into(),
            description: "d".into(),
            drop_changes: drop,
        }
    }

    #[test]
    fn edits_reword_reorder_add_and_drop_change_lines() {
        let plan = edited_plan(
            &proposed(),
            vec![
                edit(Some(2), "Build the catalogue", vec![]),
                edit(None, "Tell me when done", vec![]),
                edit(Some(1), "Sort by type", vec![1]),
            ],
        )
        .unwrap();
        let titles: Vec<&str> = plan.steps.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Build the catalogue", "Tell me when done", "Sort by type"]
        );
        assert_eq!(plan.steps[0].kind.as_deref(), Some("catalogue"));
        assert_eq!(plan.steps[2].number, 3);
        let changes = plan.steps[2].params["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0]["from"], "a.pdf");
        assert!(plan.steps[1].kind.is_none());
    }

    #[test]
    fn dropping_every_change_line_removes_the_need_for_approval() {
        let plan = edited_plan(&proposed(), vec![edit(Some(1), "Sort", vec![0, 1])]).unwrap();
        assert!(!plan.steps[0].needs_approval);
        assert_eq!(plan.steps.len(), 1);
    }

    #[test]
    fn edits_that_would_break_the_plan_are_refused() {
        assert!(edited_plan(&proposed(), vec![]).is_err());
        assert!(edited_plan(&proposed(), vec![edit(Some(9), "x", vec![])]).is_err());
        assert!(edited_plan(&proposed(), vec![edit(Some(1), "  ", vec![])]).is_err());
        assert!(
            edited_plan(
                &proposed(),
                vec![edit(Some(1), "a", vec![]), edit(Some(1), "b", vec![])]
            )
            .is_err()
        );
    }

    #[test]
    fn the_browser_language_is_french_or_english() {
        let mut h = HeaderMap::new();
        assert_eq!(browser_lang(&h), "en");
        h.insert(
            header::ACCEPT_LANGUAGE,
            "fr-FR,fr;q=0.9,en;q=0.8".parse().unwrap(),
        );
        assert_eq!(browser_lang(&h), "fr");
        h.insert(
            header::ACCEPT_LANGUAGE,
            "de-DE,en-GB;q=0.8".parse().unwrap(),
        );
        assert_eq!(browser_lang(&h), "en");
    }
}
