//! Undo: replays a run's journal backwards and puts every file back byte for byte.
//!
//! It works in two passes. The first changes nothing: it walks the entries newest first,
//! simulating each reversal over an in-memory overlay of the folder, and checks that every
//! file the run touched still has the content the journal says the run left there. Any
//! difference means someone changed the file since; undo then refuses (unless forced), so
//! their work is not silently overwritten. The second pass performs the reversals. Nothing
//! is ever unlinked without its bytes in the backup store first.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use commis_core::{JournalEntry, JournalOp, JournalState, JournalStore, RunId};
use rustix::fs::{AtFlags, Mode};
use rustix::io::Errno;

use crate::blobs::BlobStore;
use crate::confined::{
    Kind, RootDir, backup_at, fsync_dir, hash_reader, lstat_at, open_file_at, rename_noreplace,
    resolve_err, unlink_backed, write_atomic,
};
use crate::error::{ChangedFile, GrantProblem, NewerRun, NothingToUndo, Result, WorkspaceError};
use crate::path::{join, normalize};
use crate::workspace::EMPTY_DIR_MARKER;

/// How [`undo_run_with`] works.
#[derive(Debug, Clone)]
pub struct UndoOptions {
    /// Also replace what was changed since the run: the changed version is first renamed
    /// beside the file (`name (KEPT_LABEL).ext`), so nothing of the user's is lost.
    pub force: bool,
    /// Journal entries of other runs (any state, any order): an undo whose files a later run
    /// changed is refused with [`WorkspaceError::NewerRunFirst`]. Empty: no check.
    pub later: Vec<JournalEntry>,
    /// The words put in brackets in the name of a version kept aside by `force`
    /// ("version conservée", "kept version").
    pub kept_label: String,
}

impl Default for UndoOptions {
    fn default() -> Self {
        UndoOptions {
            force: false,
            later: Vec::new(),
            kept_label: "kept version".into(),
        }
    }
}

/// Why an entry could not be undone as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictKind {
    /// The file was changed after the run.
    Changed,
    /// Something else is now where the file must go back.
    Occupied,
    /// The file is no longer where the run left it (moved or deleted since).
    Missing,
    /// What is there is not something undo changes (a folder, a link, an unreadable file).
    Unsupported(String),
}

/// One entry undo found in conflict with the folder, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoConflict {
    /// The path in conflict (relative to the granted folder).
    pub path: String,
    pub kind: ConflictKind,
    /// What the journal expects there (a hash, `absent`, `directory`).
    pub expected: String,
    /// What is there (a hash, `absent`, `directory`, ...).
    pub found: String,
    /// Where the user's version is now: the path itself when it was left in place, the name
    /// beside it when `force` set it aside, none when there is no such version.
    pub kept_at: Option<String>,
    /// Whether undo restored the entry anyway (only with `force`).
    pub restored: bool,
}

/// What [`undo_run`] did. Paths are relative to the granted folder (prefixed with the
/// folder's name when the run touched several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoReport {
    pub run: RunId,
    /// Journal entries reverted (now `Undone`), wholly or in part.
    pub entries_undone: usize,
    /// Pending entries whose change never happened (a crash before acting); now `Aborted`.
    pub never_applied: usize,
    /// Files the run created, removed again (their bytes stay in the backup store).
    pub removed: Vec<String>,
    /// Files the run modified or deleted, put back.
    pub restored: Vec<String>,
    /// Moves reverted, as (where it was, where it is back).
    pub moved_back: Vec<(String, String)>,
    pub dirs_removed: Vec<String>,
    /// Folders the run created that were kept because something else is in them now.
    pub dirs_kept: Vec<String>,
    pub dirs_recreated: Vec<String>,
    /// With force: later changes that undo replaced (each is kept beside, see `conflicts`).
    pub overridden: Vec<ChangedFile>,
    /// Every entry in conflict with the folder: left as it is (`restored: false`, the run
    /// stays undoable for them) or, with force, restored with the other version kept.
    pub conflicts: Vec<UndoConflict>,
    /// Temporary files a crash had left in the folder, removed (bytes in the backup store).
    pub temp_files_removed: Vec<String>,
    /// What the final check found different from what undo should have left; empty when
    /// the folder matches the journal.
    pub mismatches: Vec<ChangedFile>,
    /// Whether every change of the run is now undone (no conflict left, nothing mismatched).
    pub complete: bool,
}

/// What is at a path, as far as undo is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Absent,
    File(String),
    /// A folder; `disk` is where its content currently lives on disk (`None`: it will be
    /// created by an earlier reversal and is empty).
    Dir {
        disk: Option<Vec<String>>,
    },
    /// Something undo will not touch: a symlink, a hard-linked or special file, a path
    /// through a symlink.
    Other(&'static str),
}

impl Node {
    fn describe(&self) -> String {
        match self {
            Node::Absent => "absent".into(),
            Node::File(h) => h.clone(),
            Node::Dir { .. } => "directory".into(),
            Node::Other(what) => (*what).into(),
        }
    }
}

type Key = (usize, Vec<String>);

enum Action {
    RemoveFile(Key),
    Restore {
        key: Key,
        hash: String,
    },
    MoveBack {
        from: Key,
        to: Key,
    },
    RemoveDir(Key),
    RecreateDir(Key),
    /// Renames the user's version at `from` to the free name `to` beside it (force).
    KeepAside {
        from: Key,
        to: Key,
    },
}

/// What undo makes of one journaled change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LeafOutcome {
    /// Reverted by the actions planned.
    Acted,
    /// Already as before the run (never happened, or reverted by an interrupted undo).
    Nothing,
    /// In conflict and left as it is: still to undo.
    Unresolved,
}

struct Planner<'a> {
    roots: &'a [RootDir],
    overlay: HashMap<Key, Node>,
    disk: HashMap<Key, Node>,
}

impl Planner<'_> {
    fn disk_state(&mut self, key: &Key) -> Node {
        if let Some(n) = self.disk.get(key) {
            return n.clone();
        }
        let (root, comps) = key;
        let shown = join(comps);
        let rootdir = &self.roots[*root];
        let node = match rootdir.lstat(comps, &shown) {
            Err(_) => Node::Other("unreachable (a symbolic link or file is on its path)"),
            Ok(None) => Node::Absent,
            Ok(Some(m)) => match m.kind {
                Kind::Dir => Node::Dir {
                    disk: Some(comps.clone()),
                },
                Kind::File if m.nlink > 1 => Node::Other("a hard-linked file"),
                Kind::File => {
                    let hashed = rootdir.parent_of(comps, &shown).and_then(|(dir, name)| {
                        let (file, _) = open_file_at(&dir, &name, &shown)?;
                        hash_reader(file, &shown)
                    });
                    match hashed {
                        Ok(h) => Node::File(h),
                        Err(_) => Node::Other("unreadable"),
                    }
                }
                Kind::Symlink => Node::Other("a symbolic link"),
                Kind::Other => Node::Other("a special file"),
            },
        };
        self.disk.insert(key.clone(), node.clone());
        node
    }

    /// A free name beside `key` for the user's version: `name (LABEL).ext`, then
    /// `name (LABEL 2).ext`...
    fn kept_name(&mut self, key: &Key, label: &str) -> Key {
        let (root, comps) = key;
        let last = comps.last().cloned().unwrap_or_default();
        let (stem, ext) = match last.rsplit_once('.') {
            Some((s, e)) if !s.is_empty() && !e.is_empty() && e.len() <= 8 => {
                (s.to_string(), format!(".{e}"))
            }
            _ => (last.clone(), String::new()),
        };
        for n in 1..1000 {
            let name = if n == 1 {
                format!("{stem} ({label}){ext}")
            } else {
                format!("{stem} ({label} {n}){ext}")
            };
            let mut c = comps.clone();
            if let Some(l) = c.last_mut() {
                *l = name;
            }
            let k = (*root, c);
            if self.lookup(&k) == Node::Absent {
                return k;
            }
        }
        let mut c = comps.clone();
        if let Some(l) = c.last_mut() {
            *l = format!("{stem} ({label} {}){ext}", commis_core::now_millis());
        }
        (*root, c)
    }

    fn lookup(&mut self, key: &Key) -> Node {
        if let Some(n) = self.overlay.get(key) {
            return n.clone();
        }
        let (root, comps) = key;
        for k in (1..comps.len()).rev() {
            if let Some(n) = self.overlay.get(&(*root, comps[..k].to_vec())) {
                return match n {
                    Node::Dir { disk: Some(d) } => {
                        let mut real = d.clone();
                        real.extend_from_slice(&comps[k..]);
                        self.disk_state(&(*root, real))
                    }
                    _ => Node::Absent,
                };
            }
        }
        self.disk_state(key)
    }

    /// Where on disk the content logically at `key` lives now.
    fn location(&self, key: &Key) -> Option<Vec<String>> {
        let (root, comps) = key;
        if let Some(n) = self.overlay.get(key) {
            return match n {
                Node::Dir { disk } => disk.clone(),
                _ => None,
            };
        }
        for k in (1..comps.len()).rev() {
            if let Some(n) = self.overlay.get(&(*root, comps[..k].to_vec())) {
                return match n {
                    Node::Dir { disk: Some(d) } => {
                        let mut real = d.clone();
                        real.extend_from_slice(&comps[k..]);
                        Some(real)
                    }
                    _ => None,
                };
            }
        }
        Some(comps.clone())
    }

    /// Simulates moving what is at `from` to `to`.
    fn simulate_move(&mut self, from: &Key, to: &Key, node: Node) {
        if let Node::Dir { .. } = node {
            let disk = self.location(from);
            let below: Vec<Key> = self
                .overlay
                .keys()
                .filter(|(r, c)| *r == from.0 && c.len() > from.1.len() && c.starts_with(&from.1))
                .cloned()
                .collect();
            for k in below {
                if let Some(n) = self.overlay.remove(&k) {
                    let mut c = to.1.clone();
                    c.extend_from_slice(&k.1[from.1.len()..]);
                    self.overlay.insert((k.0, c), n);
                }
            }
            self.overlay.insert(to.clone(), Node::Dir { disk });
        } else {
            self.overlay.insert(to.clone(), node);
        }
        self.overlay.insert(from.clone(), Node::Absent);
    }
}

fn key_of(root: usize, path: &str) -> Result<Key> {
    Ok((root, normalize(path, false)?))
}

/// Reverts every change of `run` (see [`undo_run_with`]); `force` as in [`UndoOptions`],
/// without the check for later runs.
pub fn undo_run(
    run: &RunId,
    journal: &dyn JournalStore,
    blobs: &BlobStore,
    force: bool,
) -> Result<UndoReport> {
    let opts = UndoOptions {
        force,
        ..UndoOptions::default()
    };
    undo_run_with(run, journal, blobs, &opts)
}

/// Undoes `run` after undoing, newest first, every later run that changed the same files
/// (and the runs those depend on). `later_of(run)` gives the journal entries of the other
/// runs. Returns one report per run undone, the requested run last.
pub fn undo_cascade(
    run: &RunId,
    journal: &dyn JournalStore,
    blobs: &BlobStore,
    opts: &UndoOptions,
    later_of: &dyn Fn(&RunId) -> Result<Vec<JournalEntry>>,
) -> Result<Vec<UndoReport>> {
    let mut reports = Vec::new();
    cascade(run, journal, blobs, opts, later_of, 0, &mut reports)?;
    Ok(reports)
}

fn cascade(
    run: &RunId,
    journal: &dyn JournalStore,
    blobs: &BlobStore,
    opts: &UndoOptions,
    later_of: &dyn Fn(&RunId) -> Result<Vec<JournalEntry>>,
    depth: usize,
    reports: &mut Vec<UndoReport>,
) -> Result<()> {
    let mut o = opts.clone();
    o.later = later_of(run)?;
    match undo_run_with(run, journal, blobs, &o) {
        Err(WorkspaceError::NewerRunFirst { mut newer, .. }) if depth < 32 => {
            newer.sort_by_key(|n| std::cmp::Reverse(n.last_entry));
            for n in newer {
                cascade(&n.run, journal, blobs, opts, later_of, depth + 1, reports)?;
            }
            o.later = later_of(run)?;
            reports.push(undo_run_with(run, journal, blobs, &o)?);
        }
        other => reports.push(other?),
    }
    Ok(())
}

/// The paths a change names, with whether it only makes or removes an empty folder.
fn leaf_paths(leaf: &JournalOp) -> Vec<(&str, bool)> {
    match leaf {
        JournalOp::Create { path, .. } | JournalOp::Modify { path, .. } => vec![(path, false)],
        JournalOp::Delete { path, before } => vec![(path, before == EMPTY_DIR_MARKER)],
        JournalOp::Move { from, to, .. } => vec![(from, false), (to, false)],
        JournalOp::MakeDir { path } => vec![(path, true)],
        JournalOp::Batch { .. } => Vec::new(),
    }
}

/// The later runs whose changes touch what undoing `active` would change: the same path, or
/// a folder above or below it (a folder this run only created may receive later files).
fn newer_runs(run: &RunId, active: &[&JournalEntry], later: &[JournalEntry]) -> Vec<NewerRun> {
    let Some(first) = active.iter().map(|e| e.id).min() else {
        return Vec::new();
    };
    let mut mine: Vec<(&PathBuf, Vec<String>, bool)> = Vec::new();
    for e in active {
        for leaf in e.op.leaves() {
            for (p, dir_only) in leaf_paths(leaf) {
                if let Ok(c) = normalize(p, false) {
                    mine.push((&e.root, c, dir_only));
                }
            }
        }
    }
    let mut out: Vec<NewerRun> = Vec::new();
    for e in later {
        if &e.run_id == run
            || e.id <= first
            || !matches!(e.state, JournalState::Done | JournalState::Pending)
        {
            continue;
        }
        for leaf in e.op.leaves() {
            for (p, theirs_dir_only) in leaf_paths(leaf) {
                let Ok(theirs) = normalize(p, false) else {
                    continue;
                };
                let hit = mine.iter().any(|(root, c, dir_only)| {
                    *root == &e.root
                        && (*c == theirs
                            || (!dir_only && theirs.len() > c.len() && theirs.starts_with(c))
                            || (!theirs_dir_only
                                && c.len() > theirs.len()
                                && c.starts_with(&theirs)))
                });
                if !hit {
                    continue;
                }
                let shown = join(&theirs);
                match out.iter_mut().find(|n| n.run == e.run_id) {
                    Some(n) => {
                        n.last_entry = n.last_entry.max(e.id);
                        if n.paths.len() < 5 && !n.paths.contains(&shown) {
                            n.paths.push(shown);
                        }
                    }
                    None => out.push(NewerRun {
                        run: e.run_id.clone(),
                        paths: vec![shown],
                        last_entry: e.id,
                    }),
                }
            }
        }
    }
    out
}

/// Reverts every change of `run` recorded in `journal` (Done entries, and Pending ones
/// whose change turns out to have happened), newest first, restoring bytes from `blobs`.
///
/// First removes the temporary files a crash left in the run's folders. Then, changing
/// nothing yet, checks each change against the folder. A change that was altered since (the
/// file edited, moved, replaced) is a conflict: without `force` it is left as it is and
/// listed, everything else is undone, and the run stays undoable for what is left; with
/// `force` the other version is renamed beside the file (its bytes also go into the backup
/// store) and the change is undone, or listed with the reason it cannot be. Finally checks
/// that the folder holds what undo meant to leave ([`UndoReport::mismatches`]).
///
/// Refuses (changing nothing but temporary files) when a later run changed the same files
/// ([`WorkspaceError::NewerRunFirst`]; see [`undo_cascade`]), and when there is nothing
/// left to undo ([`WorkspaceError::NothingToUndo`]).
pub fn undo_run_with(
    run: &RunId,
    journal: &dyn JournalStore,
    blobs: &BlobStore,
    opts: &UndoOptions,
) -> Result<UndoReport> {
    let entries = journal.entries(run)?;
    let mut root_paths: Vec<PathBuf> = Vec::new();
    for e in &entries {
        if !root_paths.contains(&e.root) {
            root_paths.push(e.root.clone());
        }
    }
    if root_paths
        .iter()
        .any(|r| r.starts_with(blobs.dir()) || blobs.dir().starts_with(r))
    {
        return Err(WorkspaceError::Grant {
            path: blobs.dir().to_path_buf(),
            reason: GrantProblem::JournalPointsAtState,
        });
    }
    // Folders that are gone (moved away or deleted since) cannot be undone into, but must
    // not stop the temporary files of the others from being removed.
    let opened: Vec<Result<RootDir>> = root_paths.iter().map(|p| RootDir::open(p)).collect();
    let multi = root_paths.len() > 1;
    let prefix_of = |i: usize| -> String {
        if multi {
            root_paths[i]
                .file_name()
                .map(|n| format!("{}/", n.to_string_lossy()))
                .unwrap_or_default()
        } else {
            String::new()
        }
    };
    let mut temp_files_removed = Vec::new();
    let cutoff = commis_core::now_millis() - 3_600_000;
    for (i, r) in opened.iter().enumerate() {
        if let Ok(r) = r {
            let fd = r.open_dir(&[], ".", true)?;
            crate::debris::clean_in(
                &fd,
                &prefix_of(i),
                blobs,
                &|name, m| crate::debris::orphaned(name, m, cutoff),
                &mut temp_files_removed,
            )?;
        }
    }

    let active: Vec<&JournalEntry> = entries
        .iter()
        .filter(|e| matches!(e.state, JournalState::Done | JournalState::Pending))
        .collect();
    if active.is_empty() {
        let reason = if entries.iter().any(|e| e.state == JournalState::Undone) {
            NothingToUndo::AlreadyUndone
        } else {
            NothingToUndo::NoChange
        };
        return Err(WorkspaceError::NothingToUndo {
            run: run.clone(),
            reason,
        });
    }
    let newer = newer_runs(run, &active, &opts.later);
    if !newer.is_empty() {
        return Err(WorkspaceError::NewerRunFirst {
            run: run.clone(),
            newer,
        });
    }
    let roots: Vec<RootDir> = opened.into_iter().collect::<Result<_>>()?;
    let shown = |key: &Key| -> String { format!("{}{}", prefix_of(key.0), join(&key.1)) };

    // Pass 1: plan and check, changing nothing.
    let mut planner = Planner {
        roots: &roots,
        overlay: HashMap::new(),
        disk: HashMap::new(),
    };
    let has_blob = |h: &str| blobs.has(h);
    let mut conflicts: Vec<UndoConflict> = Vec::new();
    type LeafPlan = (usize, LeafOutcome, Vec<Action>);
    let mut plan: Vec<(&JournalEntry, Vec<LeafPlan>)> = Vec::new();
    for entry in active.iter().rev() {
        let root = root_paths
            .iter()
            .position(|p| p == &entry.root)
            .unwrap_or_default();
        let leaves = entry.op.leaves();
        let mut planned = Vec::new();
        for (i, leaf) in leaves.iter().enumerate().rev() {
            let mut actions = Vec::new();
            let outcome = plan_leaf(
                &mut planner,
                root,
                leaf,
                opts,
                &has_blob,
                &mut actions,
                &mut conflicts,
                &shown,
            )?;
            planned.push((i, outcome, actions));
        }
        plan.push((entry, planned));
    }
    let needed: BTreeSet<&str> = plan
        .iter()
        .flat_map(|(_, l)| l.iter().flat_map(|(_, _, a)| a))
        .filter_map(|a| match a {
            Action::Restore { hash, .. } => Some(hash.as_str()),
            _ => None,
        })
        .collect();
    if let Some(missing) = needed.iter().find(|h| !blobs.has(h)) {
        return Err(WorkspaceError::Blob(format!(
            "the backup {missing} needed to undo run {run} is missing from {}; nothing was changed",
            blobs.dir().display()
        )));
    }
    let expected_end = planner.overlay.clone();
    let any_unresolved = plan
        .iter()
        .any(|(_, l)| l.iter().any(|(_, o, _)| *o == LeafOutcome::Unresolved));

    // Pass 2: act, and record per entry what was undone.
    let mut report = UndoReport {
        run: run.clone(),
        entries_undone: 0,
        never_applied: 0,
        removed: Vec::new(),
        restored: Vec::new(),
        moved_back: Vec::new(),
        dirs_removed: Vec::new(),
        dirs_kept: Vec::new(),
        dirs_recreated: Vec::new(),
        overridden: conflicts
            .iter()
            .filter(|c| c.restored)
            .map(|c| ChangedFile {
                path: c.path.clone(),
                expected: c.expected.clone(),
                found: c.found.clone(),
            })
            .collect(),
        conflicts,
        temp_files_removed,
        mismatches: Vec::new(),
        complete: false,
    };
    let mut kept_dirs: Vec<Key> = Vec::new();
    for (entry, leaves) in plan {
        let mut acted: Vec<usize> = Vec::new();
        let mut unresolved: Vec<usize> = Vec::new();
        for (i, outcome, actions) in leaves {
            let mut kept = false;
            for action in actions {
                crate::confined::soak_pause();
                kept |= perform(&roots, blobs, action, &mut report, &shown, &mut kept_dirs)?;
            }
            match outcome {
                // A folder kept because a conflict left something in it is undone later.
                LeafOutcome::Acted if kept && any_unresolved => unresolved.push(i),
                LeafOutcome::Acted => acted.push(i),
                LeafOutcome::Unresolved => unresolved.push(i),
                LeafOutcome::Nothing => {}
            }
        }
        acted.sort_unstable();
        unresolved.sort_unstable();
        let leaves = entry.op.leaves();
        if unresolved.is_empty() {
            if !acted.is_empty() || entry.state == JournalState::Done {
                journal.set_state(entry.id, JournalState::Undone)?;
                report.entries_undone += 1;
            } else {
                journal.set_state(entry.id, JournalState::Aborted)?;
                report.never_applied += 1;
            }
            continue;
        }
        // Partly undone: the entry keeps what is left to undo; what was undone is recorded
        // as an entry of its own, in state Undone.
        let pick = |idx: &[usize]| -> JournalOp {
            let ops: Vec<JournalOp> = idx.iter().map(|&i| leaves[i].clone()).collect();
            match (&entry.op, ops.len()) {
                (JournalOp::Batch { label, .. }, _) => JournalOp::Batch {
                    label: label.clone(),
                    ops,
                },
                (_, 1) => ops.into_iter().next().unwrap_or_else(|| entry.op.clone()),
                (_, _) => JournalOp::Batch {
                    label: "undo".into(),
                    ops,
                },
            }
        };
        if !acted.is_empty() {
            let done = journal.begin(run, &entry.root, &pick(&acted))?;
            journal.set_state(done, JournalState::Undone)?;
            report.entries_undone += 1;
        }
        journal.update_op(entry.id, &pick(&unresolved))?;
    }

    // Pass 3: check that the folder now holds what the plan meant to leave.
    let mut check = Planner {
        roots: &roots,
        overlay: HashMap::new(),
        disk: HashMap::new(),
    };
    let mut keys: Vec<&Key> = expected_end.keys().collect();
    keys.sort();
    for key in keys {
        let expected = &expected_end[key];
        let found = check.disk_state(key);
        let same = match (expected, &found) {
            (Node::File(a), Node::File(b)) => a == b,
            (Node::Absent, Node::Absent) => true,
            (Node::Dir { .. }, Node::Dir { .. }) => true,
            (Node::Absent, Node::Dir { .. }) => kept_dirs.contains(key),
            _ => false,
        };
        if !same {
            report.mismatches.push(ChangedFile {
                path: shown(key),
                expected: expected.describe(),
                found: found.describe(),
            });
        }
    }
    for (i, r) in roots.iter().enumerate() {
        let fd = r.open_dir(&[], ".", false)?;
        find_temp_files(&fd, &prefix_of(i), &mut report.mismatches)?;
    }
    report.complete = !any_unresolved && report.mismatches.is_empty();
    Ok(report)
}

/// Lists the temporary files still under `fd` as mismatches (expected: absent).
fn find_temp_files(
    fd: &std::os::fd::OwnedFd,
    prefix: &str,
    out: &mut Vec<ChangedFile>,
) -> Result<()> {
    let here = if prefix.is_empty() { "." } else { prefix };
    let mut d = rustix::fs::Dir::read_from(fd).map_err(|e| WorkspaceError::io("list", here, e))?;
    while let Some(entry) = d.read() {
        let entry = entry.map_err(|e| WorkspaceError::io("list", here, e))?;
        let Ok(name) = entry.file_name().to_str() else {
            continue;
        };
        if name == "." || name == ".." {
            continue;
        }
        let shown = format!("{prefix}{name}");
        if crate::path::is_temp_name(name) {
            out.push(ChangedFile {
                path: shown,
                expected: "absent".into(),
                found: "a temporary file of a commis process still running".into(),
            });
            continue;
        }
        if entry.file_type() == rustix::fs::FileType::Directory
            && let Ok(sub) = rustix::fs::openat(
                fd,
                name,
                rustix::fs::OFlags::RDONLY
                    | rustix::fs::OFlags::DIRECTORY
                    | rustix::fs::OFlags::NOFOLLOW
                    | rustix::fs::OFlags::CLOEXEC,
                Mode::empty(),
            )
        {
            find_temp_files(&sub, &format!("{shown}/"), out)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn plan_leaf(
    p: &mut Planner<'_>,
    root: usize,
    leaf: &JournalOp,
    opts: &UndoOptions,
    has_blob: &dyn Fn(&str) -> bool,
    actions: &mut Vec<Action>,
    conflicts: &mut Vec<UndoConflict>,
    shown: &dyn Fn(&Key) -> String,
) -> Result<LeafOutcome> {
    let force = opts.force;
    let label = opts.kept_label.as_str();
    let mut conflict = |key: &Key,
                        kind: ConflictKind,
                        expected: &str,
                        found: &Node,
                        kept_at: Option<&Key>,
                        restored: bool| {
        conflicts.push(UndoConflict {
            path: shown(key),
            kind,
            expected: expected.to_string(),
            found: found.describe(),
            kept_at: kept_at.map(shown),
            restored,
        });
    };
    let unsupported = |n: &Node| ConflictKind::Unsupported(n.describe());
    // With force, the user's version at `key` is renamed beside it first.
    let keep_aside = |p: &mut Planner<'_>, key: &Key, found: &Node, actions: &mut Vec<Action>| {
        let to = p.kept_name(key, label);
        p.overlay.insert(to.clone(), found.clone());
        p.overlay.insert(key.clone(), Node::Absent);
        actions.push(Action::KeepAside {
            from: key.clone(),
            to: to.clone(),
        });
        to
    };
    use LeafOutcome::{Acted, Nothing, Unresolved};
    Ok(match leaf {
        JournalOp::Create { path, after } => {
            let key = key_of(root, path)?;
            match p.lookup(&key) {
                Node::File(h) if &h == after => {
                    p.overlay.insert(key.clone(), Node::Absent);
                    actions.push(Action::RemoveFile(key));
                    Acted
                }
                Node::Absent => Nothing,
                found @ Node::File(_) if force => {
                    let kept = keep_aside(p, &key, &found, actions);
                    conflict(
                        &key,
                        ConflictKind::Changed,
                        after,
                        &found,
                        Some(&kept),
                        true,
                    );
                    Acted
                }
                found @ Node::File(_) => {
                    conflict(
                        &key,
                        ConflictKind::Changed,
                        after,
                        &found,
                        Some(&key),
                        false,
                    );
                    Unresolved
                }
                found => {
                    conflict(&key, unsupported(&found), after, &found, Some(&key), false);
                    Unresolved
                }
            }
        }
        JournalOp::Modify {
            path,
            before,
            after,
        } => {
            let key = key_of(root, path)?;
            let restore = |p: &mut Planner<'_>, actions: &mut Vec<Action>| {
                p.overlay.insert(key.clone(), Node::File(before.clone()));
                actions.push(Action::Restore {
                    key: key.clone(),
                    hash: before.clone(),
                });
            };
            match p.lookup(&key) {
                Node::File(h) if &h == after => {
                    restore(p, actions);
                    Acted
                }
                Node::File(h) if &h == before => Nothing,
                found @ Node::File(_) if force => {
                    let kept = keep_aside(p, &key, &found, actions);
                    restore(p, actions);
                    conflict(
                        &key,
                        ConflictKind::Changed,
                        after,
                        &found,
                        Some(&kept),
                        true,
                    );
                    Acted
                }
                found @ Node::File(_) => {
                    conflict(
                        &key,
                        ConflictKind::Changed,
                        after,
                        &found,
                        Some(&key),
                        false,
                    );
                    Unresolved
                }
                Node::Absent if force => {
                    restore(p, actions);
                    conflict(
                        &key,
                        ConflictKind::Missing,
                        after,
                        &Node::Absent,
                        None,
                        true,
                    );
                    Acted
                }
                Node::Absent => {
                    conflict(
                        &key,
                        ConflictKind::Missing,
                        after,
                        &Node::Absent,
                        None,
                        false,
                    );
                    Unresolved
                }
                found => {
                    conflict(&key, unsupported(&found), after, &found, Some(&key), false);
                    Unresolved
                }
            }
        }
        JournalOp::Delete { path, before } => {
            let key = key_of(root, path)?;
            let is_dir = before == EMPTY_DIR_MARKER;
            let put_back = |p: &mut Planner<'_>, actions: &mut Vec<Action>| {
                if is_dir {
                    p.overlay.insert(key.clone(), Node::Dir { disk: None });
                    actions.push(Action::RecreateDir(key.clone()));
                } else {
                    p.overlay.insert(key.clone(), Node::File(before.clone()));
                    actions.push(Action::Restore {
                        key: key.clone(),
                        hash: before.clone(),
                    });
                }
            };
            match p.lookup(&key) {
                Node::Absent => {
                    put_back(p, actions);
                    Acted
                }
                Node::Dir { .. } if is_dir => Nothing,
                Node::File(h) if !is_dir && &h == before => Nothing,
                found @ Node::File(_) if force => {
                    let kept = keep_aside(p, &key, &found, actions);
                    put_back(p, actions);
                    conflict(
                        &key,
                        ConflictKind::Occupied,
                        "absent",
                        &found,
                        Some(&kept),
                        true,
                    );
                    Acted
                }
                found @ Node::File(_) => {
                    conflict(
                        &key,
                        ConflictKind::Occupied,
                        "absent",
                        &found,
                        Some(&key),
                        false,
                    );
                    Unresolved
                }
                found => {
                    conflict(
                        &key,
                        unsupported(&found),
                        "absent",
                        &found,
                        Some(&key),
                        false,
                    );
                    Unresolved
                }
            }
        }
        JournalOp::Move { from, to, hash } => {
            let orig = key_of(root, from)?;
            let cur = key_of(root, to)?;
            let at_cur = p.lookup(&cur);
            let at_orig = p.lookup(&orig);
            let matches = |n: &Node| match (n, hash) {
                (Node::File(h), Some(expected)) => h == expected,
                (Node::Dir { .. }, None) => true,
                _ => false,
            };
            let expected = hash.clone().unwrap_or_else(|| "directory".into());
            let move_back = |p: &mut Planner<'_>, actions: &mut Vec<Action>, node: Node| {
                p.simulate_move(&cur, &orig, node);
                actions.push(Action::MoveBack {
                    from: cur.clone(),
                    to: orig.clone(),
                });
            };
            if at_orig == Node::Absent && matches(&at_cur) {
                move_back(p, actions, at_cur);
                Acted
            } else if at_cur == Node::Absent && matches(&at_orig) {
                Nothing // the move never happened, or was already reverted
            } else if matches(&at_cur) && matches!(at_orig, Node::File(_)) {
                // Something else now has the original name.
                if force {
                    let kept = keep_aside(p, &orig, &at_orig, actions);
                    conflict(
                        &orig,
                        ConflictKind::Occupied,
                        "absent",
                        &at_orig,
                        Some(&kept),
                        true,
                    );
                    move_back(p, actions, at_cur);
                    Acted
                } else {
                    conflict(
                        &orig,
                        ConflictKind::Occupied,
                        "absent",
                        &at_orig,
                        Some(&orig),
                        false,
                    );
                    Unresolved
                }
            } else if at_orig == Node::Absent && hash.is_some() && matches!(at_cur, Node::File(_)) {
                // The moved file was edited since: with force it goes back, edits included.
                if force {
                    conflict(
                        &cur,
                        ConflictKind::Changed,
                        &expected,
                        &at_cur,
                        Some(&orig),
                        true,
                    );
                    move_back(p, actions, at_cur);
                    Acted
                } else {
                    conflict(
                        &cur,
                        ConflictKind::Changed,
                        &expected,
                        &at_cur,
                        Some(&cur),
                        false,
                    );
                    Unresolved
                }
            } else if at_orig == Node::Absent && at_cur == Node::Absent {
                // Gone from where the run put it; its bytes may still be in the backups.
                match hash {
                    Some(h) if force && has_blob(h) => {
                        p.overlay.insert(orig.clone(), Node::File(h.clone()));
                        actions.push(Action::Restore {
                            key: orig.clone(),
                            hash: h.clone(),
                        });
                        conflict(&cur, ConflictKind::Missing, &expected, &at_cur, None, true);
                        Acted
                    }
                    _ => {
                        conflict(&cur, ConflictKind::Missing, &expected, &at_cur, None, false);
                        Unresolved
                    }
                }
            } else {
                let (key, found) = if matches(&at_cur) || at_cur == Node::Absent {
                    (&orig, &at_orig)
                } else {
                    (&cur, &at_cur)
                };
                conflict(key, unsupported(found), &expected, found, Some(key), false);
                Unresolved
            }
        }
        JournalOp::MakeDir { path } => {
            let key = key_of(root, path)?;
            match p.lookup(&key) {
                Node::Dir { .. } => {
                    p.overlay.insert(key.clone(), Node::Absent);
                    actions.push(Action::RemoveDir(key));
                    Acted
                }
                Node::Absent => Nothing,
                found => {
                    conflict(
                        &key,
                        unsupported(&found),
                        "directory",
                        &found,
                        Some(&key),
                        false,
                    );
                    Unresolved
                }
            }
        }
        JournalOp::Batch { .. } => Nothing,
    })
}

/// Performs one action; returns whether a folder to remove was kept (not empty).
fn perform(
    roots: &[RootDir],
    blobs: &BlobStore,
    action: Action,
    report: &mut UndoReport,
    shown: &dyn Fn(&Key) -> String,
    kept_dirs: &mut Vec<Key>,
) -> Result<bool> {
    let parent = |key: &Key| {
        let s = shown(key);
        roots[key.0].parent_of(&key.1, &s).map(|(d, n)| (d, n, s))
    };
    // Where something goes back to, its folder may have been removed since: recreate it.
    let parent_for_restore = |key: &Key, report: &mut UndoReport| {
        let s = shown(key);
        let rootdir = &roots[key.0];
        match rootdir.parent_of(&key.1, &s) {
            Err(WorkspaceError::NotFound { .. }) => {}
            other => return other.map(|(d, n)| (d, n, s)),
        }
        let mut dir = rootdir.open_dir(&[], &s, true)?;
        for (i, name) in key.1[..key.1.len().saturating_sub(1)].iter().enumerate() {
            match rustix::fs::mkdirat(&dir, name.as_str(), Mode::from_raw_mode(0o777)) {
                Ok(()) => {
                    fsync_dir(&dir, &s);
                    report
                        .dirs_recreated
                        .push(shown(&(key.0, key.1[..=i].to_vec())));
                }
                Err(Errno::EXIST) => {}
                Err(e) => return Err(resolve_err(e, "recreate folder", &s)),
            }
            dir = rustix::fs::openat(
                &dir,
                name.as_str(),
                rustix::fs::OFlags::RDONLY
                    | rustix::fs::OFlags::DIRECTORY
                    | rustix::fs::OFlags::NOFOLLOW
                    | rustix::fs::OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| resolve_err(e, "open", &s))?;
        }
        let name = key.1.last().cloned().unwrap_or_default();
        Ok((dir, name, s))
    };
    match action {
        Action::RemoveFile(key) => {
            let (dir, name, s) = parent(&key)?;
            match unlink_backed(&dir, &name, &s, blobs) {
                Ok(_) => report.removed.push(s),
                Err(WorkspaceError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Action::Restore { key, hash } => {
            let (dir, name, s) = parent_for_restore(&key, report)?;
            let bytes = blobs.get(&hash)?;
            match lstat_at(&dir, &name, &s)? {
                Some(m) if m.kind == Kind::File => {
                    // Replacing what the run wrote; those bytes are backed up all the same.
                    backup_at(&dir, &name, &s, blobs)?;
                    write_atomic(&dir, &name, &s, &bytes, Some(m.perm), true, &|| Ok(()))?;
                }
                Some(_) => return Err(WorkspaceError::AlreadyExists { path: s }),
                None => write_atomic(&dir, &name, &s, &bytes, None, false, &|| Ok(()))?,
            }
            report.restored.push(s);
        }
        Action::KeepAside { from, to } => {
            let (dir, name, s) = parent(&from)?;
            let (tdir, tname, ts) = parent(&to)?;
            backup_at(&dir, &name, &s, blobs)?;
            rename_noreplace(&dir, &name, &tdir, &tname)
                .map_err(|e| resolve_err(e, "set aside", &ts))?;
            fsync_dir(&tdir, &ts);
        }
        Action::MoveBack { from, to } => {
            let (fdir, fname, fs) = parent(&from)?;
            let (tdir, tname, ts) = parent_for_restore(&to, report)?;
            rename_noreplace(&fdir, &fname, &tdir, &tname)
                .map_err(|e| resolve_err(e, "move back", &fs))?;
            fsync_dir(&tdir, &ts);
            fsync_dir(&fdir, &fs);
            report.moved_back.push((fs, ts));
        }
        Action::RemoveDir(key) => {
            let (dir, name, s) = parent(&key)?;
            match rustix::fs::unlinkat(&dir, name.as_str(), AtFlags::REMOVEDIR) {
                Ok(()) => {
                    fsync_dir(&dir, &s);
                    report.dirs_removed.push(s);
                }
                Err(Errno::NOENT) => {}
                Err(Errno::NOTEMPTY) | Err(Errno::EXIST) => {
                    report.dirs_kept.push(s);
                    kept_dirs.push(key);
                    return Ok(true);
                }
                Err(e) => return Err(resolve_err(e, "remove folder", &s)),
            }
        }
        Action::RecreateDir(key) => {
            let (dir, name, s) = parent_for_restore(&key, report)?;
            match rustix::fs::mkdirat(&dir, name.as_str(), Mode::from_raw_mode(0o777)) {
                Ok(()) | Err(Errno::EXIST) => {
                    fsync_dir(&dir, &s);
                    report.dirs_recreated.push(s);
                }
                Err(e) => return Err(resolve_err(e, "recreate folder", &s)),
            }
        }
    }
    Ok(false)
}
