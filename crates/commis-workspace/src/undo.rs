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
use crate::error::{ChangedFile, Result, WorkspaceError};
use crate::path::{join, normalize};
use crate::workspace::EMPTY_DIR_MARKER;

/// What [`undo_run`] did. Paths are relative to the granted folder (prefixed with the
/// folder's name when the run touched several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoReport {
    pub run: RunId,
    /// Journal entries reverted (now `Undone`).
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
    /// With force: later changes that undo replaced (their bytes are in the backup store).
    pub overridden: Vec<ChangedFile>,
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
    Restore { key: Key, hash: String },
    MoveBack { from: Key, to: Key },
    RemoveDir(Key),
    RecreateDir(Key),
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

/// Reverts every change of `run` recorded in `journal` (Done entries, and Pending ones
/// whose change turns out to have happened), newest first, restoring bytes from `blobs`.
///
/// Before changing anything, checks that each touched file still holds what the run left
/// there; if not, fails with [`WorkspaceError::ChangedSince`] listing every such file,
/// unless `force` (then those later changes are backed up and replaced). A run with nothing
/// left to undo (already undone, or no change) gives [`WorkspaceError::NothingToUndo`].
pub fn undo_run(
    run: &RunId,
    journal: &dyn JournalStore,
    blobs: &BlobStore,
    force: bool,
) -> Result<UndoReport> {
    let entries = journal.entries(run)?;
    let active: Vec<&JournalEntry> = entries
        .iter()
        .filter(|e| matches!(e.state, JournalState::Done | JournalState::Pending))
        .collect();
    if active.is_empty() {
        let reason = if entries.iter().any(|e| e.state == JournalState::Undone) {
            "it was already undone"
        } else {
            "it changed no file"
        };
        return Err(WorkspaceError::NothingToUndo {
            run: run.clone(),
            reason: reason.into(),
        });
    }
    let mut root_paths: Vec<PathBuf> = Vec::new();
    for e in &active {
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
            reason: "a journal entry points at commis's own state folder; refusing to undo".into(),
        });
    }
    let roots: Vec<RootDir> = root_paths
        .iter()
        .map(|p| RootDir::open(p))
        .collect::<Result<_>>()?;
    let multi = roots.len() > 1;
    let shown = |key: &Key| -> String {
        let rel = join(&key.1);
        if multi {
            let name = root_paths[key.0]
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{name}/{rel}")
        } else {
            rel
        }
    };

    // Pass 1: plan and check, changing nothing.
    let mut planner = Planner {
        roots: &roots,
        overlay: HashMap::new(),
        disk: HashMap::new(),
    };
    let mut conflicts: Vec<ChangedFile> = Vec::new();
    let mut plan: Vec<(&JournalEntry, Vec<Action>)> = Vec::new();
    for entry in active.iter().rev() {
        let root = root_paths
            .iter()
            .position(|p| p == &entry.root)
            .unwrap_or_default();
        let mut actions = Vec::new();
        for leaf in entry.op.leaves().into_iter().rev() {
            plan_leaf(
                &mut planner,
                root,
                leaf,
                force,
                &mut actions,
                &mut conflicts,
                &shown,
            )?;
        }
        plan.push((entry, actions));
    }
    if !conflicts.is_empty() && !force {
        let path = conflicts[0].path.clone();
        return Err(WorkspaceError::ChangedSince {
            path,
            changes: conflicts,
        });
    }
    let needed: BTreeSet<&str> = plan
        .iter()
        .flat_map(|(_, a)| a)
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

    // Pass 2: act.
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
        overridden: if force { conflicts } else { Vec::new() },
    };
    for (entry, actions) in plan {
        let happened = !actions.is_empty();
        for action in actions {
            perform(&roots, blobs, action, &mut report, &shown)?;
        }
        if happened || entry.state == JournalState::Done {
            journal.set_state(entry.id, JournalState::Undone)?;
            report.entries_undone += 1;
        } else {
            journal.set_state(entry.id, JournalState::Aborted)?;
            report.never_applied += 1;
        }
    }
    Ok(report)
}

fn plan_leaf(
    p: &mut Planner<'_>,
    root: usize,
    leaf: &JournalOp,
    force: bool,
    actions: &mut Vec<Action>,
    conflicts: &mut Vec<ChangedFile>,
    shown: &dyn Fn(&Key) -> String,
) -> Result<()> {
    let mut conflict = |key: &Key, expected: &str, found: &Node| {
        conflicts.push(ChangedFile {
            path: shown(key),
            expected: expected.to_string(),
            found: found.describe(),
        });
    };
    match leaf {
        JournalOp::Create { path, after } => {
            let key = key_of(root, path)?;
            match p.lookup(&key) {
                Node::File(h) if &h == after => {}
                Node::Absent => return Ok(()),
                found @ Node::File(_) => {
                    conflict(&key, after, &found);
                    if !force {
                        return Ok(());
                    }
                }
                found => {
                    conflict(&key, after, &found);
                    return Ok(());
                }
            }
            p.overlay.insert(key.clone(), Node::Absent);
            actions.push(Action::RemoveFile(key));
        }
        JournalOp::Modify {
            path,
            before,
            after,
        } => {
            let key = key_of(root, path)?;
            match p.lookup(&key) {
                Node::File(h) if &h == after => {}
                Node::File(h) if &h == before => return Ok(()),
                found @ (Node::File(_) | Node::Absent) => {
                    conflict(&key, after, &found);
                    if !force {
                        return Ok(());
                    }
                }
                found => {
                    conflict(&key, after, &found);
                    return Ok(());
                }
            }
            p.overlay.insert(key.clone(), Node::File(before.clone()));
            actions.push(Action::Restore {
                key,
                hash: before.clone(),
            });
        }
        JournalOp::Delete { path, before } if before == EMPTY_DIR_MARKER => {
            let key = key_of(root, path)?;
            match p.lookup(&key) {
                Node::Absent => {
                    p.overlay.insert(key.clone(), Node::Dir { disk: None });
                    actions.push(Action::RecreateDir(key));
                }
                Node::Dir { .. } => {}
                found => conflict(&key, "absent", &found),
            }
        }
        JournalOp::Delete { path, before } => {
            let key = key_of(root, path)?;
            match p.lookup(&key) {
                Node::Absent => {}
                Node::File(h) if &h == before => return Ok(()),
                found @ Node::File(_) => {
                    conflict(&key, "absent", &found);
                    if !force {
                        return Ok(());
                    }
                }
                found => {
                    conflict(&key, "absent", &found);
                    return Ok(());
                }
            }
            p.overlay.insert(key.clone(), Node::File(before.clone()));
            actions.push(Action::Restore {
                key,
                hash: before.clone(),
            });
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
            if at_orig == Node::Absent && matches(&at_cur) {
                // The normal case: it is where the run put it.
            } else if at_cur == Node::Absent && matches(&at_orig) {
                return Ok(()); // the move never happened
            } else {
                if at_orig != Node::Absent {
                    conflict(&orig, "absent", &at_orig);
                }
                if !matches(&at_cur) {
                    conflict(&cur, &expected, &at_cur);
                }
                let movable = matches!(at_cur, Node::File(_) | Node::Dir { .. });
                if !(force && at_orig == Node::Absent && movable) {
                    return Ok(());
                }
            }
            p.simulate_move(&cur, &orig, at_cur);
            actions.push(Action::MoveBack {
                from: cur,
                to: orig,
            });
        }
        JournalOp::MakeDir { path } => {
            let key = key_of(root, path)?;
            match p.lookup(&key) {
                Node::Dir { .. } => {
                    p.overlay.insert(key.clone(), Node::Absent);
                    actions.push(Action::RemoveDir(key));
                }
                Node::Absent => {}
                found => conflict(&key, "directory", &found),
            }
        }
        JournalOp::Batch { .. } => {}
    }
    Ok(())
}

fn perform(
    roots: &[RootDir],
    blobs: &BlobStore,
    action: Action,
    report: &mut UndoReport,
    shown: &dyn Fn(&Key) -> String,
) -> Result<()> {
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
                    // Only reached when forced or when replacing what the run wrote; the
                    // bytes being replaced are backed up all the same.
                    backup_at(&dir, &name, &s, blobs)?;
                    write_atomic(&dir, &name, &s, &bytes, Some(m.perm), true, &|| Ok(()))?;
                }
                Some(_) => return Err(WorkspaceError::AlreadyExists { path: s }),
                None => write_atomic(&dir, &name, &s, &bytes, None, false, &|| Ok(()))?,
            }
            report.restored.push(s);
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
                Err(Errno::NOTEMPTY) | Err(Errno::EXIST) => report.dirs_kept.push(s),
                Err(e) => return Err(resolve_err(e, "remove folder", &s)),
            }
        }
        Action::RecreateDir(key) => {
            let (dir, name, s) = parent(&key)?;
            match rustix::fs::mkdirat(&dir, name.as_str(), Mode::from_raw_mode(0o777)) {
                Ok(()) | Err(Errno::EXIST) => {
                    fsync_dir(&dir, &s);
                    report.dirs_recreated.push(s);
                }
                Err(e) => return Err(resolve_err(e, "recreate folder", &s)),
            }
        }
    }
    Ok(())
}
