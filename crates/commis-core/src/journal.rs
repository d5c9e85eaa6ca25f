//! Journal entries: every change is recorded, with the hashes of what was there before and
//! after, *before* it happens, so a crash leaves a trace and `undo` can restore byte for byte.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Mutex;
use thiserror::Error;

use crate::Millis;
use crate::run::RunId;

/// One change to the user's files. Paths are relative to the granted folder (`root`),
/// with `/` separators; hashes are lowercase hex SHA-256 of the file content, whose bytes
/// are kept in the content-addressed backup store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JournalOp {
    /// A new file. Undo removes it (into the backups) if it still has `after`.
    Create { path: String, after: String },
    /// An existing file rewritten. Undo puts `before` back if the file still has `after`.
    Modify {
        path: String,
        before: String,
        after: String,
    },
    /// A file or folder moved or renamed. `hash` is the file's content hash (none for a folder).
    Move {
        from: String,
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// A file deleted: its bytes stay in the backups under `before`.
    Delete { path: String, before: String },
    /// A new folder. Undo removes it if it is empty.
    MakeDir { path: String },
    /// Several changes applied as one (a reviewed batch of moves); undo reverts them whole.
    Batch { label: String, ops: Vec<JournalOp> },
}

impl JournalOp {
    /// Flattens batches into their individual operations, in order.
    pub fn leaves(&self) -> Vec<&JournalOp> {
        match self {
            JournalOp::Batch { ops, .. } => ops.iter().flat_map(|o| o.leaves()).collect(),
            other => vec![other],
        }
    }
}

/// Whether the change recorded by an entry happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalState {
    /// Recorded, not yet confirmed: a crash may have happened in between.
    Pending,
    Done,
    /// The change failed and nothing was changed.
    Aborted,
    Undone,
}

impl JournalState {
    pub fn as_str(self) -> &'static str {
        match self {
            JournalState::Pending => "pending",
            JournalState::Done => "done",
            JournalState::Aborted => "aborted",
            JournalState::Undone => "undone",
        }
    }

    pub fn parse(s: &str) -> Option<JournalState> {
        Some(match s {
            "pending" => JournalState::Pending,
            "done" => JournalState::Done,
            "aborted" => JournalState::Aborted,
            "undone" => JournalState::Undone,
            _ => return None,
        })
    }
}

/// A recorded change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub id: u64,
    pub run_id: RunId,
    /// The granted folder the paths are relative to.
    pub root: PathBuf,
    pub op: JournalOp,
    pub state: JournalState,
    pub at: Millis,
}

/// Failure to read or write the journal.
#[derive(Debug, Error)]
#[error("journal: {0}")]
pub struct JournalError(pub String);

/// Where journal entries are kept (SQLite in the store; memory in tests).
pub trait JournalStore: Send + Sync {
    /// Records a change about to happen, in state `Pending`, and returns its id.
    fn begin(
        &self,
        run: &RunId,
        root: &std::path::Path,
        op: &JournalOp,
    ) -> Result<u64, JournalError>;
    fn set_state(&self, id: u64, state: JournalState) -> Result<(), JournalError>;
    /// Replaces the operation of a pending entry (e.g. once the new content's hash is known).
    fn update_op(&self, id: u64, op: &JournalOp) -> Result<(), JournalError>;
    /// Every entry of a run, oldest first.
    fn entries(&self, run: &RunId) -> Result<Vec<JournalEntry>, JournalError>;
}

/// A journal kept in memory, for tests and one-off tool calls that need no history.
#[derive(Debug, Default)]
pub struct MemoryJournal {
    entries: Mutex<Vec<JournalEntry>>,
}

impl MemoryJournal {
    pub fn new() -> MemoryJournal {
        MemoryJournal::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Vec<JournalEntry>>, JournalError> {
        self.entries
            .lock()
            .map_err(|_| JournalError("memory journal poisoned".into()))
    }
}

impl JournalStore for MemoryJournal {
    fn begin(
        &self,
        run: &RunId,
        root: &std::path::Path,
        op: &JournalOp,
    ) -> Result<u64, JournalError> {
        let mut entries = self.lock()?;
        let id = entries.len() as u64 + 1;
        entries.push(JournalEntry {
            id,
            run_id: run.clone(),
            root: root.to_path_buf(),
            op: op.clone(),
            state: JournalState::Pending,
            at: crate::now_millis(),
        });
        Ok(id)
    }

    fn set_state(&self, id: u64, state: JournalState) -> Result<(), JournalError> {
        let mut entries = self.lock()?;
        let e = entries
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| JournalError(format!("no entry {id}")))?;
        e.state = state;
        Ok(())
    }

    fn update_op(&self, id: u64, op: &JournalOp) -> Result<(), JournalError> {
        let mut entries = self.lock()?;
        let e = entries
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| JournalError(format!("no entry {id}")))?;
        e.op = op.clone();
        Ok(())
    }

    fn entries(&self, run: &RunId) -> Result<Vec<JournalEntry>, JournalError> {
        Ok(self
            .lock()?
            .iter()
            .filter(|e| &e.run_id == run)
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_flatten_to_their_operations_in_order() {
        let op = JournalOp::Batch {
            label: "sort".into(),
            ops: vec![
                JournalOp::MakeDir { path: "A".into() },
                JournalOp::Move {
                    from: "x".into(),
                    to: "A/x".into(),
                    hash: None,
                },
            ],
        };
        let leaves = op.leaves();
        assert_eq!(leaves.len(), 2);
        assert!(matches!(leaves[1], JournalOp::Move { .. }));
    }

    #[test]
    fn the_memory_journal_records_then_confirms() {
        let j = MemoryJournal::new();
        let run = RunId("r".into());
        let id = j
            .begin(
                &run,
                std::path::Path::new("/d"),
                &JournalOp::MakeDir { path: "A".into() },
            )
            .unwrap();
        assert_eq!(j.entries(&run).unwrap()[0].state, JournalState::Pending);
        j.set_state(id, JournalState::Done).unwrap();
        assert_eq!(j.entries(&run).unwrap()[0].state, JournalState::Done);
        assert!(j.entries(&RunId("other".into())).unwrap().is_empty());
    }
}
