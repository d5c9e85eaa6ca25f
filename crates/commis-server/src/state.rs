//! What the server shares between requests: the engine, the runs it is driving, and for
//! each one what it waits for from the user (a plan review, an answer, an approval).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use commis_agent::engine::{Engine, Planner, StopHandle};
use commis_agent::interact::{ApprovalRequest, Interaction, PlanDecision};
use commis_core::{ApprovalAnswer, Plan, Policy, Run};
use serde::Serialize;
use tokio::sync::{broadcast, oneshot};

use crate::auth::Guard;

/// Everything a handler can reach.
pub(crate) struct AppState {
    pub engine: Engine,
    pub guard: Guard,
    pub folders: Vec<PathBuf>,
    pub planner: Planner,
    pub policy: Policy,
    pub hub: Arc<Hub>,
}

/// The runs this server drives, and a signal each time what one of them waits for changes.
pub(crate) struct Hub {
    live: Mutex<HashMap<String, LiveRun>>,
    /// Carries the id of a run whose waiting state (or liveness) changed.
    pub changes: broadcast::Sender<String>,
}

/// A run being driven by this server.
struct LiveRun {
    stop: StopHandle,
    waiting: Option<Waiting>,
}

/// What a run waits for, with the way to answer it.
enum Waiting {
    Plan {
        plan: Plan,
        reply: oneshot::Sender<PlanDecision>,
    },
    Question {
        question: String,
        reply: oneshot::Sender<Option<String>>,
    },
    Approval {
        request: ApprovalRequest,
        reply: oneshot::Sender<ApprovalAnswer>,
    },
}

/// What a run waits for, as the UI sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum WaitingView {
    Plan { plan: Plan },
    Question { question: String },
    Approval { request: ApprovalRequest },
}

/// Why an answer could not be delivered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Undeliverable {
    /// The run is not driven by this server (finished, or from another process).
    NotLive,
    /// The run waits for something else (or nothing): the page is out of date.
    NotWaitingForThat,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler must not lock every other request out.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Hub {
    pub fn new() -> Hub {
        let (changes, _) = broadcast::channel(256);
        Hub {
            live: Mutex::new(HashMap::new()),
            changes,
        }
    }

    fn changed(&self, run_id: &str) {
        let _ = self.changes.send(run_id.to_string());
    }

    /// Registers a run this server is about to drive; `false` if it is already driven.
    pub fn begin(&self, run_id: &str, stop: StopHandle) -> bool {
        let mut live = lock(&self.live);
        if live.contains_key(run_id) {
            return false;
        }
        live.insert(
            run_id.to_string(),
            LiveRun {
                stop,
                waiting: None,
            },
        );
        drop(live);
        self.changed(run_id);
        true
    }

    /// Forgets a run that finished (or whose driver failed).
    pub fn end(&self, run_id: &str) {
        lock(&self.live).remove(run_id);
        self.changed(run_id);
    }

    pub fn is_live(&self, run_id: &str) -> bool {
        lock(&self.live).contains_key(run_id)
    }

    pub fn waiting(&self, run_id: &str) -> Option<WaitingView> {
        let live = lock(&self.live);
        Some(match live.get(run_id)?.waiting.as_ref()? {
            Waiting::Plan { plan, .. } => WaitingView::Plan { plan: plan.clone() },
            Waiting::Question { question, .. } => WaitingView::Question {
                question: question.clone(),
            },
            Waiting::Approval { request, .. } => WaitingView::Approval {
                request: request.clone(),
            },
        })
    }

    /// Parks what the run waits for; a run waits for one thing at a time.
    fn park(&self, run_id: &str, waiting: Waiting) -> bool {
        let mut live = lock(&self.live);
        let Some(run) = live.get_mut(run_id) else {
            return false;
        };
        run.waiting = Some(waiting);
        drop(live);
        self.changed(run_id);
        true
    }

    fn take(&self, run_id: &str) -> Result<Waiting, Undeliverable> {
        let mut live = lock(&self.live);
        let run = live.get_mut(run_id).ok_or(Undeliverable::NotLive)?;
        run.waiting.take().ok_or(Undeliverable::NotWaitingForThat)
    }

    fn put_back(&self, run_id: &str, waiting: Waiting) {
        if let Some(run) = lock(&self.live).get_mut(run_id) {
            run.waiting = Some(waiting);
        }
    }

    /// The plan under review, to apply the user's edits to.
    pub fn plan_under_review(&self, run_id: &str) -> Result<Plan, Undeliverable> {
        let live = lock(&self.live);
        match live
            .get(run_id)
            .ok_or(Undeliverable::NotLive)?
            .waiting
            .as_ref()
        {
            Some(Waiting::Plan { plan, .. }) => Ok(plan.clone()),
            _ => Err(Undeliverable::NotWaitingForThat),
        }
    }

    pub fn decide_plan(&self, run_id: &str, decision: PlanDecision) -> Result<(), Undeliverable> {
        match self.take(run_id)? {
            Waiting::Plan { reply, .. } => {
                let _ = reply.send(decision);
                self.changed(run_id);
                Ok(())
            }
            other => {
                self.put_back(run_id, other);
                Err(Undeliverable::NotWaitingForThat)
            }
        }
    }

    pub fn answer(&self, run_id: &str, answer: Option<String>) -> Result<(), Undeliverable> {
        match self.take(run_id)? {
            Waiting::Question { reply, .. } => {
                let _ = reply.send(answer);
                self.changed(run_id);
                Ok(())
            }
            other => {
                self.put_back(run_id, other);
                Err(Undeliverable::NotWaitingForThat)
            }
        }
    }

    /// Answers approval `id`; refused when the run waits for another one (a stale page).
    pub fn approve(
        &self,
        run_id: &str,
        id: u64,
        answer: ApprovalAnswer,
    ) -> Result<(), Undeliverable> {
        match self.take(run_id)? {
            Waiting::Approval { request, reply } if request.id == id => {
                let _ = reply.send(answer);
                self.changed(run_id);
                Ok(())
            }
            other => {
                self.put_back(run_id, other);
                Err(Undeliverable::NotWaitingForThat)
            }
        }
    }

    /// The folder an "always" approval would be saved for.
    pub fn approval_folder(&self, run_id: &str) -> Option<PathBuf> {
        match lock(&self.live).get(run_id)?.waiting.as_ref()? {
            Waiting::Approval { request, .. } => Some(request.folder.clone()),
            _ => None,
        }
    }

    /// Pauses (`true`) or continues (`false`) a run: the engine holds it before its next
    /// step or tool call and says so with a `run_paused` / `run_resumed` event.
    pub fn set_paused(&self, run_id: &str, paused: bool) -> Result<(), Undeliverable> {
        {
            let live = lock(&self.live);
            let run = live.get(run_id).ok_or(Undeliverable::NotLive)?;
            if paused {
                run.stop.pause();
            } else {
                run.stop.unpause();
            }
        }
        self.changed(run_id);
        Ok(())
    }

    /// Whether the user asked this run to pause (the engine confirms with an event).
    pub fn is_paused(&self, run_id: &str) -> bool {
        lock(&self.live)
            .get(run_id)
            .is_some_and(|run| run.stop.is_paused() && !run.stop.is_stopped())
    }

    /// Stops a run: the flag for the engine, and whatever it waits for is answered "stop".
    /// A paused run stops too: the engine's pause gives way to a stop.
    pub fn stop(&self, run_id: &str) -> Result<(), Undeliverable> {
        let waiting = {
            let mut live = lock(&self.live);
            let run = live.get_mut(run_id).ok_or(Undeliverable::NotLive)?;
            run.stop.stop();
            run.waiting.take()
        };
        match waiting {
            Some(Waiting::Plan { reply, .. }) => {
                let _ = reply.send(PlanDecision::Reject);
            }
            Some(Waiting::Question { reply, .. }) => {
                let _ = reply.send(None);
            }
            Some(Waiting::Approval { reply, .. }) => {
                let _ = reply.send(ApprovalAnswer::Stop);
            }
            None => {}
        }
        self.changed(run_id);
        Ok(())
    }
}

/// The browser as the run's user: each question parks until an HTTP call answers it.
pub(crate) struct WebInteraction {
    pub hub: Arc<Hub>,
    pub run_id: String,
}

#[async_trait]
impl Interaction for WebInteraction {
    fn is_interactive(&self) -> bool {
        true
    }

    async fn review_plan(&self, _run: &Run, plan: &Plan) -> PlanDecision {
        let (reply, rx) = oneshot::channel();
        let parked = self.hub.park(
            &self.run_id,
            Waiting::Plan {
                plan: plan.clone(),
                reply,
            },
        );
        if !parked {
            return PlanDecision::Defer;
        }
        // A dropped sender means the server is going away: keep the plan for `resume`.
        rx.await.unwrap_or(PlanDecision::Defer)
    }

    async fn answer(&self, question: &str) -> Option<String> {
        let (reply, rx) = oneshot::channel();
        let parked = self.hub.park(
            &self.run_id,
            Waiting::Question {
                question: question.to_string(),
                reply,
            },
        );
        if !parked {
            return None;
        }
        rx.await.unwrap_or(None)
    }

    async fn approve(&self, request: &ApprovalRequest) -> ApprovalAnswer {
        let (reply, rx) = oneshot::channel();
        let parked = self.hub.park(
            &self.run_id,
            Waiting::Approval {
                request: request.clone(),
                reply,
            },
        );
        if !parked {
            return ApprovalAnswer::No;
        }
        rx.await.unwrap_or(ApprovalAnswer::No)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commis_core::ActionKind;

    fn request(id: u64) -> ApprovalRequest {
        ApprovalRequest {
            id,
            kind: ActionKind::Move,
            description: "move a → b".into(),
            paths: vec!["a".into(), "b".into()],
            folder: PathBuf::from("/tmp/x"),
        }
    }

    #[tokio::test]
    async fn an_approval_parks_until_the_matching_answer_arrives() {
        let hub = Arc::new(Hub::new());
        assert!(hub.begin("r1", StopHandle::default()));
        let web = WebInteraction {
            hub: hub.clone(),
            run_id: "r1".into(),
        };
        let asking = tokio::spawn(async move { web.approve(&request(7)).await });
        while hub.waiting("r1").is_none() {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            hub.approve("r1", 6, ApprovalAnswer::No),
            Err(Undeliverable::NotWaitingForThat)
        );
        assert!(matches!(
            hub.waiting("r1"),
            Some(WaitingView::Approval { .. })
        ));
        hub.approve(
            "r1",
            7,
            ApprovalAnswer::Yes(commis_core::ApprovalScope::Once),
        )
        .unwrap();
        assert_eq!(
            asking.await.unwrap(),
            ApprovalAnswer::Yes(commis_core::ApprovalScope::Once)
        );
        assert!(hub.waiting("r1").is_none());
    }

    #[tokio::test]
    async fn stopping_answers_what_the_run_waits_for_with_stop() {
        let hub = Arc::new(Hub::new());
        let stop = StopHandle::default();
        hub.begin("r1", stop.clone());
        let web = WebInteraction {
            hub: hub.clone(),
            run_id: "r1".into(),
        };
        let asking = tokio::spawn(async move { web.approve(&request(1)).await });
        while hub.waiting("r1").is_none() {
            tokio::task::yield_now().await;
        }
        hub.stop("r1").unwrap();
        assert_eq!(asking.await.unwrap(), ApprovalAnswer::Stop);
        assert!(stop.is_stopped());
    }

    #[tokio::test]
    async fn a_question_waits_for_its_answer_and_later_means_none() {
        let hub = Arc::new(Hub::new());
        hub.begin("r1", StopHandle::default());
        let web = Arc::new(WebInteraction {
            hub: hub.clone(),
            run_id: "r1".into(),
        });
        let w = web.clone();
        let asking = tokio::spawn(async move { w.answer("Which month?").await });
        while hub.waiting("r1").is_none() {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            hub.waiting("r1"),
            Some(WaitingView::Question { ref question }) if question == "Which month?"
        ));
        // An approval answer cannot resolve a question.
        assert_eq!(
            hub.approve("r1", 1, ApprovalAnswer::No),
            Err(Undeliverable::NotWaitingForThat)
        );
        hub.answer("r1", Some("March".into())).unwrap();
        assert_eq!(asking.await.unwrap().as_deref(), Some("March"));

        let w = web.clone();
        let asking = tokio::spawn(async move { w.answer("Again?").await });
        while hub.waiting("r1").is_none() {
            tokio::task::yield_now().await;
        }
        hub.answer("r1", None).unwrap();
        assert_eq!(asking.await.unwrap(), None);
    }

    #[test]
    fn answers_for_runs_not_driven_here_are_refused() {
        let hub = Hub::new();
        assert_eq!(hub.answer("nope", None), Err(Undeliverable::NotLive));
        assert_eq!(hub.stop("nope"), Err(Undeliverable::NotLive));
        assert_eq!(hub.set_paused("nope", true), Err(Undeliverable::NotLive));
    }

    #[test]
    fn pausing_and_continuing_reach_the_engine_flag_and_a_stop_wins() {
        let hub = Hub::new();
        let stop = StopHandle::default();
        hub.begin("r1", stop.clone());
        hub.set_paused("r1", true).unwrap();
        assert!(stop.is_paused());
        assert!(hub.is_paused("r1"));
        hub.set_paused("r1", false).unwrap();
        assert!(!stop.is_paused());
        assert!(!hub.is_paused("r1"));
        hub.set_paused("r1", true).unwrap();
        hub.stop("r1").unwrap();
        assert!(stop.is_stopped());
        assert!(!hub.is_paused("r1"), "a stopped run is not shown as paused");
    }
}
