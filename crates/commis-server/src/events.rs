//! Live events of one run over Server-Sent Events. A reader first gets what the store
//! holds after the sequence number it already has (`Last-Event-ID` or `?after=`), then the
//! live stream; a gap or a slow reader is filled from the store, so a reload loses nothing.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use commis_core::{Event, RunId};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::api::ApiError;
use crate::state::AppState;

/// How often the store is read for runs that another process drives.
const STORE_POLL: Duration = Duration::from_secs(2);

/// Where to start: events with a sequence number above `after`.
#[derive(Deserialize)]
pub(crate) struct After {
    #[serde(default)]
    after: Option<u64>,
}

struct Reader {
    state: Arc<AppState>,
    run_id: RunId,
    events: broadcast::Receiver<Event>,
    changes: broadcast::Receiver<String>,
    backlog: VecDeque<SseEvent>,
    last_seq: u64,
    closed: bool,
}

impl Reader {
    /// Queues what the store has after the last event sent.
    fn catch_up(&mut self) {
        match self.state.engine.trace(&self.run_id, self.last_seq) {
            Ok(events) => {
                for event in events {
                    self.queue(&event);
                }
            }
            Err(e) => tracing::warn!("cannot read the events of {}: {e}", self.run_id),
        }
    }

    fn queue(&mut self, event: &Event) {
        if event.seq != 0 && event.seq <= self.last_seq {
            return;
        }
        let Ok(data) = serde_json::to_string(event) else {
            return;
        };
        let mut sse = SseEvent::default().data(data);
        if event.seq != 0 {
            self.last_seq = event.seq;
            sse = sse.id(event.seq.to_string());
        }
        self.backlog.push_back(sse);
    }

    /// What the run waits for, whether it is live, and its status, for the page to refresh.
    fn queue_state(&mut self) {
        let id = self.run_id.as_str();
        let status = self
            .state
            .engine
            .stored_run(id)
            .map(|r| r.status.as_str())
            .unwrap_or("unknown");
        let data = serde_json::json!({
            "live": self.state.hub.is_live(id),
            "waiting": self.state.hub.waiting(id),
            "paused": self.state.hub.is_paused(id),
            "status": status,
        });
        self.backlog
            .push_back(SseEvent::default().event("state").data(data.to_string()));
    }

    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                return Some(e);
            }
            if self.closed {
                return None;
            }
            tokio::select! {
                received = self.events.recv() => match received {
                    Ok(event) if event.run_id == self.run_id => {
                        if event.seq > self.last_seq + 1 {
                            // Something was stored without being broadcast (or we missed it).
                            self.catch_up();
                        } else {
                            self.queue(&event);
                        }
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => self.catch_up(),
                    Err(RecvError::Closed) => self.closed = true,
                },
                changed = self.changes.recv() => match changed {
                    Ok(id) if id == self.run_id.as_str() => {
                        // Events stored outside the live stream (undo) come along too.
                        self.catch_up();
                        self.queue_state();
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => {
                        self.catch_up();
                        self.queue_state();
                    }
                    Err(RecvError::Closed) => self.closed = true,
                },
                // A run driven by another process (`commis run` in a terminal) is not on
                // this engine's live stream: its events are read from the store instead.
                _ = tokio::time::sleep(STORE_POLL), if !self.state.hub.is_live(self.run_id.as_str()) => {
                    self.catch_up();
                }
            }
        }
    }
}

pub(crate) async fn stream(
    State(state): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    Query(after): Query<After>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let run = state.engine.stored_run(&run_id)?;
    let from_header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // Subscribe before reading the store so nothing falls between the two.
    let mut reader = Reader {
        events: state.engine.subscribe(),
        changes: state.hub.changes.subscribe(),
        state,
        run_id: run.id,
        backlog: VecDeque::new(),
        last_seq: from_header.or(after.after).unwrap_or(0),
        closed: false,
    };
    reader.catch_up();
    reader.queue_state();
    let stream = futures_util::stream::unfold(reader, |mut reader| async move {
        reader.next().await.map(|e| (Ok(e), reader))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
