//! commis's persistent state, in one SQLite database under `COMMIS_HOME`: runs, their plans,
//! the event stream, approvals, the journal index (the backed-up bytes live in the blob
//! store of `commis-workspace`), templates and schedules.
//!
//! Not for: touching user files, or deciding anything. The store records; others decide.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use commis_core::{
    Event, EventKind, JournalEntry, JournalError, JournalOp, JournalState, JournalStore, Millis,
    Plan, Run, RunId, RunStatus, TokenUsage, now_millis,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Errors of the store.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open commis's database at {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("commis's database failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(
        "commis's database holds data it cannot read ({0}); was it written by a newer version?"
    )]
    Corrupt(String),
    #[error("no run with id {0} (see `commis history`)")]
    NoSuchRun(String),
    #[error("no template named {0} (see `commis template list`)")]
    NoSuchTemplate(String),
    #[error("the store's lock was poisoned by a crash in another thread")]
    Poisoned,
}

type Result<T> = std::result::Result<T, StoreError>;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    brief TEXT NOT NULL,
    grants TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT,
    status TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    run_id TEXT PRIMARY KEY REFERENCES runs(id),
    plan TEXT NOT NULL,
    accepted INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS approvals (
    run_id TEXT NOT NULL REFERENCES runs(id),
    id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    answer TEXT,
    by TEXT,
    asked_at INTEGER NOT NULL,
    answered_at INTEGER,
    PRIMARY KEY (run_id, id)
);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    root TEXT NOT NULL,
    op TEXT NOT NULL,
    state TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_by_run ON journal(run_id, id);
CREATE TABLE IF NOT EXISTS templates (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS schedules (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    last_run_at INTEGER,
    updated_at INTEGER NOT NULL
);
"#;

/// A stored approval request and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    pub id: u64,
    pub kind: String,
    pub description: String,
    pub answer: Option<String>,
    pub by: Option<String>,
    pub asked_at: Millis,
    pub answered_at: Option<Millis>,
}

/// A stored template or schedule: a name and a JSON body owned by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedRecord {
    pub name: String,
    pub body: serde_json::Value,
    pub last_run_at: Option<Millis>,
    pub updated_at: Millis,
}

/// The database. Cheap to share behind an `Arc`; every call takes the connection's lock.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

impl Store {
    /// Opens (or creates) `commis.db` in `home`.
    pub fn open(home: &Path) -> Result<Store> {
        let path = home.join("commis.db");
        let conn = Connection::open(&path).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Store::init(conn, path)
    }

    /// A private database in memory, for tests.
    pub fn in_memory() -> Result<Store> {
        Store::init(Connection::open_in_memory()?, PathBuf::from(":memory:"))
    }

    fn init(conn: Connection, path: PathBuf) -> Result<Store> {
        // WAL + NORMAL: every commit survives a kill -9; events and plans need no more.
        // Journal entries are written with FULL (see `durable`): they must also survive a
        // power cut, since they are written before the change they describe.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }

    // ----- runs -----

    /// Records a new run, with caller-defined options (policy, flags) kept for `resume`.
    pub fn create_run(&self, run: &Run, options: &serde_json::Value) -> Result<()> {
        let grants = serde_json::to_string(&run.grants).map_err(corrupt)?;
        self.conn()?.execute(
            "INSERT INTO runs (id, brief, grants, provider, model, status, options, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                run.id.as_str(),
                run.brief,
                grants,
                run.provider,
                run.model,
                run.status.as_str(),
                options.to_string(),
                run.created_at,
                run.updated_at
            ],
        )?;
        Ok(())
    }

    fn row_to_run(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Run, String, String)> {
        let grants: String = row.get(2)?;
        let status: String = row.get(5)?;
        Ok((
            Run {
                id: RunId(row.get(0)?),
                brief: row.get(1)?,
                grants: Vec::new(),
                provider: row.get(3)?,
                model: row.get(4)?,
                status: RunStatus::Failed,
                created_at: row.get(6)?,
                updated_at: row.get(7)?,
            },
            grants,
            status,
        ))
    }

    fn finish_run(parts: (Run, String, String)) -> Result<Run> {
        let (mut run, grants, status) = parts;
        run.grants = serde_json::from_str(&grants).map_err(corrupt)?;
        run.status =
            RunStatus::parse(&status).ok_or_else(|| corrupt(format!("status {status}")))?;
        Ok(run)
    }

    pub fn run(&self, id: &str) -> Result<Run> {
        let conn = self.conn()?;
        let parts = conn
            .query_row(
                "SELECT id, brief, grants, provider, model, status, created_at, updated_at FROM runs WHERE id = ?1",
                [id],
                Store::row_to_run,
            )
            .optional()?
            .ok_or_else(|| StoreError::NoSuchRun(id.to_string()))?;
        Store::finish_run(parts)
    }

    /// Runs newest first.
    pub fn runs(&self, limit: usize) -> Result<Vec<Run>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, brief, grants, provider, model, status, created_at, updated_at FROM runs
             ORDER BY created_at DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], Store::row_to_run)?;
        rows.map(|r| Store::finish_run(r?)).collect()
    }

    pub fn run_options(&self, id: &str) -> Result<serde_json::Value> {
        let text: String = self
            .conn()?
            .query_row("SELECT options FROM runs WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NoSuchRun(id.to_string()))?;
        serde_json::from_str(&text).map_err(corrupt)
    }

    pub fn set_status(&self, id: &RunId, status: RunStatus) -> Result<()> {
        let n = self.conn()?.execute(
            "UPDATE runs SET status = ?2, updated_at = ?3 WHERE id = ?1",
            params![id.as_str(), status.as_str(), now_millis()],
        )?;
        if n == 0 {
            return Err(StoreError::NoSuchRun(id.to_string()));
        }
        Ok(())
    }

    pub fn add_tokens(&self, id: &RunId, usage: TokenUsage) -> Result<()> {
        self.conn()?.execute(
            "UPDATE runs SET input_tokens = input_tokens + ?2, output_tokens = output_tokens + ?3 WHERE id = ?1",
            params![id.as_str(), usage.input as i64, usage.output as i64],
        )?;
        Ok(())
    }

    pub fn tokens(&self, id: &RunId) -> Result<TokenUsage> {
        let (i, o): (i64, i64) = self
            .conn()?
            .query_row(
                "SELECT input_tokens, output_tokens FROM runs WHERE id = ?1",
                [id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NoSuchRun(id.to_string()))?;
        Ok(TokenUsage {
            input: i.max(0) as u64,
            output: o.max(0) as u64,
        })
    }

    // ----- plans -----

    pub fn save_plan(&self, id: &RunId, plan: &Plan, accepted: bool) -> Result<()> {
        let body = serde_json::to_string(plan).map_err(corrupt)?;
        self.conn()?.execute(
            "INSERT INTO plans (run_id, plan, accepted, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(run_id) DO UPDATE SET plan = excluded.plan, accepted = excluded.accepted,
             updated_at = excluded.updated_at",
            params![id.as_str(), body, accepted, now_millis()],
        )?;
        Ok(())
    }

    /// The run's plan and whether the user accepted it.
    pub fn plan(&self, id: &RunId) -> Result<Option<(Plan, bool)>> {
        let row: Option<(String, bool)> = self
            .conn()?
            .query_row(
                "SELECT plan, accepted FROM plans WHERE run_id = ?1",
                [id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            None => Ok(None),
            Some((text, accepted)) => Ok(Some((
                serde_json::from_str(&text).map_err(corrupt)?,
                accepted,
            ))),
        }
    }

    // ----- events -----

    /// Appends an event to the run's stream and returns it with its sequence number.
    pub fn append_event(&self, id: &RunId, kind: EventKind) -> Result<Event> {
        let at = now_millis();
        let body = serde_json::to_string(&kind).map_err(corrupt)?;
        let conn = self.conn()?;
        let seq: i64 = conn.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE run_id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )?;
        conn.execute(
            "INSERT INTO events (run_id, seq, at, type, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.as_str(), seq, at, kind.name(), body],
        )?;
        Ok(Event {
            run_id: id.clone(),
            seq: seq as u64,
            at,
            kind,
        })
    }

    /// The run's events with a sequence number above `after`, in order.
    pub fn events(&self, id: &RunId, after: u64) -> Result<Vec<Event>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT seq, at, body FROM events WHERE run_id = ?1 AND seq > ?2 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![id.as_str(), after as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, at, body) = row?;
            out.push(Event {
                run_id: id.clone(),
                seq: seq as u64,
                at,
                kind: serde_json::from_str(&body).map_err(corrupt)?,
            });
        }
        Ok(out)
    }

    // ----- approvals -----

    pub fn record_approval_asked(
        &self,
        id: &RunId,
        approval: u64,
        kind: &str,
        description: &str,
    ) -> Result<()> {
        self.conn()?.execute(
            "INSERT OR REPLACE INTO approvals (run_id, id, kind, description, asked_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.as_str(), approval as i64, kind, description, now_millis()],
        )?;
        Ok(())
    }

    pub fn record_approval_answer(
        &self,
        id: &RunId,
        approval: u64,
        answer: &str,
        by: &str,
    ) -> Result<()> {
        self.conn()?.execute(
            "UPDATE approvals SET answer = ?3, by = ?4, answered_at = ?5 WHERE run_id = ?1 AND id = ?2",
            params![id.as_str(), approval as i64, answer, by, now_millis()],
        )?;
        Ok(())
    }

    pub fn approvals(&self, id: &RunId) -> Result<Vec<ApprovalRecord>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, kind, description, answer, by, asked_at, answered_at FROM approvals
             WHERE run_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id.as_str()], |r| {
            Ok(ApprovalRecord {
                id: r.get::<_, i64>(0)? as u64,
                kind: r.get(1)?,
                description: r.get(2)?,
                answer: r.get(3)?,
                by: r.get(4)?,
                asked_at: r.get(5)?,
                answered_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    // ----- templates and schedules -----

    fn put_named(&self, table: &str, name: &str, body: &serde_json::Value) -> Result<()> {
        let sql = format!(
            "INSERT INTO {table} (name, body, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at"
        );
        self.conn()?
            .execute(&sql, params![name, body.to_string(), now_millis()])?;
        Ok(())
    }

    fn list_named(&self, table: &str) -> Result<Vec<NamedRecord>> {
        let last = if table == "schedules" {
            "last_run_at"
        } else {
            "NULL"
        };
        let sql = format!("SELECT name, body, {last}, updated_at FROM {table} ORDER BY name");
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, body, last_run_at, updated_at) = row?;
            out.push(NamedRecord {
                name,
                body: serde_json::from_str(&body).map_err(corrupt)?,
                last_run_at,
                updated_at,
            });
        }
        Ok(out)
    }

    fn delete_named(&self, table: &str, name: &str) -> Result<bool> {
        let sql = format!("DELETE FROM {table} WHERE name = ?1");
        Ok(self.conn()?.execute(&sql, [name])? > 0)
    }

    pub fn save_template(&self, name: &str, body: &serde_json::Value) -> Result<()> {
        self.put_named("templates", name, body)
    }

    pub fn templates(&self) -> Result<Vec<NamedRecord>> {
        self.list_named("templates")
    }

    pub fn template(&self, name: &str) -> Result<NamedRecord> {
        self.templates()?
            .into_iter()
            .find(|t| t.name == name)
            .ok_or_else(|| StoreError::NoSuchTemplate(name.to_string()))
    }

    pub fn delete_template(&self, name: &str) -> Result<bool> {
        self.delete_named("templates", name)
    }

    pub fn save_schedule(&self, name: &str, body: &serde_json::Value) -> Result<()> {
        self.put_named("schedules", name, body)
    }

    pub fn schedules(&self) -> Result<Vec<NamedRecord>> {
        self.list_named("schedules")
    }

    pub fn delete_schedule(&self, name: &str) -> Result<bool> {
        self.delete_named("schedules", name)
    }

    pub fn mark_schedule_run(&self, name: &str, at: Millis) -> Result<()> {
        self.conn()?.execute(
            "UPDATE schedules SET last_run_at = ?2 WHERE name = ?1",
            params![name, at],
        )?;
        Ok(())
    }
}

/// How much of a run `commis undo` has reverted, from its journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UndoState {
    /// Nothing undone (or nothing to undo).
    NotUndone,
    /// Some changes undone, others still in place (conflicts left for later).
    PartlyUndone,
    /// Every change undone.
    Undone,
}

impl UndoState {
    pub fn as_str(self) -> &'static str {
        match self {
            UndoState::NotUndone => "",
            UndoState::PartlyUndone => "partly undone",
            UndoState::Undone => "undone",
        }
    }
}

impl Store {
    /// The journal entries of every other run recorded after `run`'s first change that is
    /// still in place: what `undo` checks so that an older run is not undone under a newer
    /// one that depends on it.
    pub fn later_entries(
        &self,
        run: &RunId,
    ) -> std::result::Result<Vec<JournalEntry>, JournalError> {
        let conn = self.conn().map_err(jerr)?;
        let mut stmt = conn
            .prepare(
                "SELECT id, run_id, root, op, state, at FROM journal
                 WHERE run_id != ?1 AND state IN ('done', 'pending')
                   AND id > (SELECT COALESCE(MIN(id), 9223372036854775807) FROM journal
                             WHERE run_id = ?1 AND state IN ('done', 'pending'))
                 ORDER BY id",
            )
            .map_err(jerr)?;
        let rows = stmt
            .query_map([run.as_str()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })
            .map_err(jerr)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, run_id, root, op, state, at) = row.map_err(jerr)?;
            out.push(JournalEntry {
                id: id as u64,
                run_id: RunId(run_id),
                root: PathBuf::from(root),
                op: serde_json::from_str(&op).map_err(jerr)?,
                state: JournalState::parse(&state)
                    .ok_or_else(|| JournalError(format!("unknown journal state {state}")))?,
                at,
            });
        }
        Ok(out)
    }

    /// Whether `run` was undone, wholly or in part.
    pub fn undo_state(&self, run: &RunId) -> Result<UndoState> {
        let (undone, left): (i64, i64) = self.conn()?.query_row(
            "SELECT COALESCE(SUM(state = 'undone'), 0), COALESCE(SUM(state IN ('done', 'pending')), 0)
             FROM journal WHERE run_id = ?1",
            [run.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(match (undone > 0, left > 0) {
            (false, _) => UndoState::NotUndone,
            (true, true) => UndoState::PartlyUndone,
            (true, false) => UndoState::Undone,
        })
    }
}

fn jerr(e: impl std::fmt::Display) -> JournalError {
    JournalError(e.to_string())
}

/// Runs `f` with the connection synced to disk at commit (`synchronous = FULL`), then goes
/// back to the cheaper default for everything else.
fn durable<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.pragma_update(None, "synchronous", "FULL")?;
    let result = f(conn);
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    result
}

impl JournalStore for Store {
    fn begin(
        &self,
        run: &RunId,
        root: &Path,
        op: &JournalOp,
    ) -> std::result::Result<u64, JournalError> {
        let body = serde_json::to_string(op).map_err(jerr)?;
        let conn = self.conn().map_err(jerr)?;
        durable(&conn, |c| {
            c.execute(
                "INSERT INTO journal (run_id, root, op, state, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    run.as_str(),
                    root.to_string_lossy(),
                    body,
                    JournalState::Pending.as_str(),
                    now_millis()
                ],
            )
        })
        .map_err(jerr)?;
        Ok(conn.last_insert_rowid() as u64)
    }

    fn set_state(&self, id: u64, state: JournalState) -> std::result::Result<(), JournalError> {
        let conn = self.conn().map_err(jerr)?;
        let n = durable(&conn, |c| {
            c.execute(
                "UPDATE journal SET state = ?2 WHERE id = ?1",
                params![id as i64, state.as_str()],
            )
        })
        .map_err(jerr)?;
        if n == 0 {
            return Err(JournalError(format!("no journal entry {id}")));
        }
        Ok(())
    }

    fn update_op(&self, id: u64, op: &JournalOp) -> std::result::Result<(), JournalError> {
        let body = serde_json::to_string(op).map_err(jerr)?;
        self.conn()
            .map_err(jerr)?
            .execute(
                "UPDATE journal SET op = ?2 WHERE id = ?1",
                params![id as i64, body],
            )
            .map_err(jerr)?;
        Ok(())
    }

    fn entries(&self, run: &RunId) -> std::result::Result<Vec<JournalEntry>, JournalError> {
        let conn = self.conn().map_err(jerr)?;
        let mut stmt = conn
            .prepare("SELECT id, root, op, state, at FROM journal WHERE run_id = ?1 ORDER BY id")
            .map_err(jerr)?;
        let rows = stmt
            .query_map([run.as_str()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(jerr)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, root, op, state, at) = row.map_err(jerr)?;
            out.push(JournalEntry {
                id: id as u64,
                run_id: run.clone(),
                root: PathBuf::from(root),
                op: serde_json::from_str(&op).map_err(jerr)?,
                state: JournalState::parse(&state)
                    .ok_or_else(|| JournalError(format!("unknown journal state {state}")))?,
                at,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commis_core::{AccessMode, Grant, Step, StepStatus};

    fn sample_run(id: &str, at: Millis) -> Run {
        Run {
            id: RunId(id.into()),
            brief: "Trie ces fichiers".into(),
            grants: vec![Grant {
                path: PathBuf::from("/tmp/x"),
                mode: AccessMode::ReadWrite,
            }],
            provider: "offline".into(),
            model: None,
            status: RunStatus::Planning,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn runs_are_listed_newest_first_and_keep_their_fields() {
        let store = Store::in_memory().unwrap();
        store
            .create_run(&sample_run("a", 1), &serde_json::json!({"yes": true}))
            .unwrap();
        store
            .create_run(&sample_run("b", 2), &serde_json::json!({}))
            .unwrap();
        let runs = store.runs(10).unwrap();
        assert_eq!(runs[0].id.as_str(), "b");
        assert_eq!(runs[1].grants[0].path, PathBuf::from("/tmp/x"));
        assert_eq!(store.run_options("a").unwrap()["yes"], true);
        store
            .set_status(&RunId("a".into()), RunStatus::Done)
            .unwrap();
        assert_eq!(store.run("a").unwrap().status, RunStatus::Done);
        assert!(matches!(store.run("zz"), Err(StoreError::NoSuchRun(_))));
    }

    #[test]
    fn plans_and_step_statuses_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let id = RunId("r".into());
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .create_run(&sample_run("r", 1), &serde_json::json!({}))
                .unwrap();
            let mut plan = Plan::new(vec![Step::new("One", ""), Step::new("Two", "")]);
            plan.transition(1, StepStatus::Running).unwrap();
            plan.transition(1, StepStatus::Done).unwrap();
            store.save_plan(&id, &plan, true).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let (plan, accepted) = store.plan(&id).unwrap().unwrap();
        assert!(accepted);
        assert_eq!(plan.steps[0].status, StepStatus::Done);
        assert_eq!(plan.next_pending().unwrap().number, 2);
    }

    #[test]
    fn events_get_consecutive_sequence_numbers_per_run() {
        let store = Store::in_memory().unwrap();
        let id = RunId("r".into());
        store
            .create_run(&sample_run("r", 1), &serde_json::json!({}))
            .unwrap();
        for i in 0..3 {
            let e = store
                .append_event(
                    &id,
                    EventKind::Message {
                        text: format!("m{i}"),
                    },
                )
                .unwrap();
            assert_eq!(e.seq, i + 1);
        }
        let after_one = store.events(&id, 1).unwrap();
        assert_eq!(after_one.len(), 2);
        assert_eq!(after_one[0].kind, EventKind::Message { text: "m1".into() });
    }

    #[test]
    fn journal_entries_are_pending_until_confirmed() {
        let store = Store::in_memory().unwrap();
        let id = RunId("r".into());
        let op = JournalOp::Create {
            path: "a.txt".into(),
            after: "00".into(),
        };
        let e = store.begin(&id, Path::new("/d"), &op).unwrap();
        assert_eq!(store.entries(&id).unwrap()[0].state, JournalState::Pending);
        store.set_state(e, JournalState::Done).unwrap();
        let entries = store.entries(&id).unwrap();
        assert_eq!(entries[0].state, JournalState::Done);
        assert_eq!(entries[0].op, op);
        assert_eq!(entries[0].root, PathBuf::from("/d"));
    }

    #[test]
    fn undo_sees_the_later_runs_entries_and_history_sees_partial_undos() {
        let store = Store::in_memory().unwrap();
        let (a, b) = (RunId("a".into()), RunId("b".into()));
        let op = |p: &str| JournalOp::MakeDir { path: p.into() };
        let early = store.begin(&b, Path::new("/d"), &op("early")).unwrap();
        store.set_state(early, JournalState::Done).unwrap();
        let a1 = store.begin(&a, Path::new("/d"), &op("x")).unwrap();
        store.set_state(a1, JournalState::Done).unwrap();
        let a2 = store.begin(&a, Path::new("/d"), &op("y")).unwrap();
        store.set_state(a2, JournalState::Done).unwrap();
        let b1 = store.begin(&b, Path::new("/d"), &op("z")).unwrap();
        store.set_state(b1, JournalState::Done).unwrap();
        let later = store.later_entries(&a).unwrap();
        assert_eq!(later.len(), 1, "only what came after a's first change");
        assert_eq!(later[0].run_id, b);
        assert!(
            store
                .later_entries(&b)
                .unwrap()
                .iter()
                .all(|e| e.run_id == a)
        );

        assert_eq!(store.undo_state(&a).unwrap(), UndoState::NotUndone);
        store.set_state(a2, JournalState::Undone).unwrap();
        assert_eq!(store.undo_state(&a).unwrap(), UndoState::PartlyUndone);
        store.set_state(a1, JournalState::Undone).unwrap();
        assert_eq!(store.undo_state(&a).unwrap(), UndoState::Undone);
    }

    #[test]
    fn approvals_and_templates_are_kept() {
        let store = Store::in_memory().unwrap();
        let id = RunId("r".into());
        store
            .create_run(&sample_run("r", 1), &serde_json::json!({}))
            .unwrap();
        store
            .record_approval_asked(&id, 1, "move", "a -> b")
            .unwrap();
        store.record_approval_answer(&id, 1, "yes", "user").unwrap();
        let a = store.approvals(&id).unwrap();
        assert_eq!(a[0].answer.as_deref(), Some("yes"));
        store
            .save_template("monthly", &serde_json::json!({"brief": "x"}))
            .unwrap();
        assert_eq!(store.template("monthly").unwrap().body["brief"], "x");
        assert!(store.delete_template("monthly").unwrap());
        assert!(matches!(
            store.template("monthly"),
            Err(StoreError::NoSuchTemplate(_))
        ));
    }
}
