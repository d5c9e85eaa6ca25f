//! The event bus of a run: every event is stored first, then broadcast to live readers
//! (terminal, web UI). A reader that falls behind re-reads from the store.

use commis_core::{Event, EventKind, RunId};
use commis_store::Store;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Emits the events of one run.
#[derive(Clone)]
pub struct EventBus {
    store: Arc<Store>,
    run_id: RunId,
    tx: broadcast::Sender<Event>,
}

impl EventBus {
    pub fn new(store: Arc<Store>, run_id: RunId, tx: broadcast::Sender<Event>) -> EventBus {
        EventBus { store, run_id, tx }
    }

    pub fn run_id(&self) -> &RunId {
        &self.run_id
    }

    /// Stores and broadcasts an event. A store failure is logged, never fatal to the run:
    /// the journal (not the event log) is what undo relies on.
    pub fn emit(&self, kind: EventKind) -> Event {
        let event = match self.store.append_event(&self.run_id, kind.clone()) {
            Ok(e) => e,
            Err(err) => {
                tracing::warn!("could not store event: {err}");
                Event {
                    run_id: self.run_id.clone(),
                    seq: 0,
                    at: commis_core::now_millis(),
                    kind,
                }
            }
        };
        // No receiver is fine: nobody is watching live.
        let _ = self.tx.send(event.clone());
        event
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }
}
