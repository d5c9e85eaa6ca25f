//! The workspace: the granted folders of one run, and every operation tools may perform on
//! them, each confined, journaled before it acts, and atomic.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::Arc;

use commis_core::{AccessMode, Grant, JournalOp, JournalState, JournalStore, Millis, RunId};
use rustix::fs::{AtFlags, Mode, OFlags};
use serde::{Deserialize, Serialize};

use crate::blobs::{BlobStore, sha256_hex};
use crate::confined::{
    Kind, Meta, RootDir, backup_at, check_plain_file, fsync_dir, hash_reader, lstat_at,
    open_file_at, read_names, rename_noreplace, resolve_err, unlink_backed, write_atomic,
};
use crate::error::{GrantProblem, PathRefusal, Result, WorkspaceError};
use crate::path::{check_name, join, normalize};

/// The `before` of a [`JournalOp::Delete`] that removed an empty folder rather than a file
/// (the journal has no separate variant for it): undo recreates the folder.
pub const EMPTY_DIR_MARKER: &str = "empty-dir";

/// One entry of a listing. `path` is relative to the granted folder, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub path: String,
    pub size: u64,
    pub is_dir: bool,
    pub modified: Millis,
}

/// One change of a reviewed batch ([`Workspace::apply_batch`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BatchItem {
    /// Create a folder (and its missing parents).
    MakeDir { path: String },
    /// Move or rename a file or folder; the target must not exist.
    Move { from: String, to: String },
}

/// An item [`Workspace::apply_batch`] left out, and why.
#[derive(Debug)]
pub struct SkippedItem {
    pub item: BatchItem,
    pub reason: WorkspaceError,
}

/// What [`Workspace::apply_batch`] did.
#[derive(Debug)]
pub struct BatchOutcome {
    /// The journaled batch: only what was applied (paths as the caller names them).
    pub op: JournalOp,
    /// Items left out, with their reasons; the rest was applied.
    pub skipped: Vec<SkippedItem>,
    /// Folders the moves left empty, removed in the same entry.
    pub removed_dirs: Vec<String>,
}

/// What a planned batch item does.
enum BatchAct {
    MakeDir,
    Move(Loc),
    RemoveDir,
}

/// One checked operation of a batch, ready to apply.
struct Planned {
    op: JournalOp,
    loc: Loc,
    act: BatchAct,
    /// The caller's item it comes from (none: an emptied folder's removal).
    item: Option<usize>,
}

/// A batch being checked: the grant it works in, the operations so far, and what each path
/// touched will be once they are applied (`None`: gone).
struct BatchPlan {
    root: Option<usize>,
    planned: Vec<Planned>,
    will_be: HashMap<Vec<String>, Option<Kind>>,
}

/// A granted folder as the workspace sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedRoot {
    /// The folder's own name: the first component of paths when several folders are granted.
    pub name: String,
    /// Its canonical location on disk.
    pub path: PathBuf,
    pub mode: AccessMode,
}

/// The content of the writable granted folders at one moment (every file's hash, every
/// folder), with the bytes backed up; see [`Workspace::snapshot`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    files: BTreeMap<(usize, String), String>,
    dirs: BTreeSet<(usize, String)>,
}

impl Snapshot {
    /// Number of files recorded.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }
}

struct Root {
    name: String,
    dir: RootDir,
    mode: AccessMode,
}

/// A path located in one granted folder.
struct Loc {
    root: usize,
    comps: Vec<String>,
    /// The path as the caller names it (with the folder name when several are granted).
    shown: String,
}

impl Loc {
    fn rel(&self) -> String {
        join(&self.comps)
    }
}

/// The granted folders of a run and every operation on them. Cheap to share between threads
/// (`&self` everywhere).
pub struct Workspace {
    roots: Vec<Root>,
    run: RunId,
    journal: Arc<dyn JournalStore>,
    blobs: Arc<BlobStore>,
    /// The run's last journal entry when this process opened its folders: entries up to it
    /// were written by an earlier process (a run being resumed).
    earlier_session: Option<u64>,
    /// Files of the earlier session kept as they were once already (a second write in this
    /// session is a real revision and goes through).
    kept_from_earlier: std::sync::Mutex<BTreeSet<(usize, String)>>,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("roots", &self.roots())
            .field("run", &self.run)
            .finish()
    }
}

fn noop() -> std::io::Result<()> {
    Ok(())
}

fn millis(m: &Meta) -> Millis {
    m.mtime_ms
}

impl Workspace {
    /// Opens the granted folders for `run`. Refuses a folder that is missing, that contains
    /// the backup store or lies inside it, two folders with the same name, and nested grants.
    pub fn open(
        grants: Vec<Grant>,
        run: RunId,
        journal: Arc<dyn JournalStore>,
        blobs: Arc<BlobStore>,
    ) -> Result<Workspace> {
        if grants.is_empty() {
            return Err(WorkspaceError::Grant {
                path: PathBuf::new(),
                reason: GrantProblem::NoneGranted,
            });
        }
        let mut roots: Vec<Root> = Vec::new();
        for g in grants {
            let dir = RootDir::open(&g.path)?;
            let state = blobs.dir();
            if state.starts_with(&dir.path) || dir.path.starts_with(state) {
                return Err(WorkspaceError::Grant {
                    path: g.path,
                    reason: GrantProblem::OverlapsState(state.display().to_string()),
                });
            }
            let name = dir
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if name.is_empty() || check_name(&name, &name).is_err() {
                return Err(WorkspaceError::Grant {
                    path: g.path,
                    reason: GrantProblem::UnusableName,
                });
            }
            for r in &roots {
                if r.name == name {
                    return Err(WorkspaceError::Grant {
                        path: g.path,
                        reason: GrantProblem::SameName(name.clone()),
                    });
                }
                if r.dir.path.starts_with(&dir.path) || dir.path.starts_with(&r.dir.path) {
                    return Err(WorkspaceError::Grant {
                        path: g.path,
                        reason: GrantProblem::Nested(r.dir.path.display().to_string()),
                    });
                }
            }
            roots.push(Root {
                name,
                dir,
                mode: g.mode,
            });
        }
        let earlier_session = journal.entries(&run)?.iter().map(|e| e.id).max();
        Ok(Workspace {
            roots,
            run,
            journal,
            blobs,
            earlier_session,
            kept_from_earlier: Default::default(),
        })
    }

    /// Stops using `openat2` and resolves paths one name at a time with `O_NOFOLLOW`, as on
    /// systems without `openat2`: stricter (every symlink is refused, even inside). For
    /// tests of that code path, and for kernels whose `openat2` misbehaves.
    pub fn with_portable_resolution(mut self) -> Workspace {
        for r in &mut self.roots {
            r.dir.force_portable();
        }
        self
    }

    /// Whether paths are resolved by `openat2(RESOLVE_BENEATH)` (Linux 5.6+).
    pub fn uses_openat2(&self) -> bool {
        self.roots.iter().all(|r| r.dir.uses_openat2())
    }

    /// The granted folders. With several, paths start with their `name`.
    pub fn roots(&self) -> Vec<GrantedRoot> {
        self.roots
            .iter()
            .map(|r| GrantedRoot {
                name: r.name.clone(),
                path: r.dir.path.clone(),
                mode: r.mode,
            })
            .collect()
    }

    /// The run the journal entries are recorded for.
    pub fn run(&self) -> &RunId {
        &self.run
    }

    fn multi(&self) -> bool {
        self.roots.len() > 1
    }

    fn shown(&self, root: usize, rel: &str) -> String {
        match (self.multi(), rel.is_empty()) {
            (false, true) => ".".into(),
            (false, false) => rel.to_string(),
            (true, true) => self.roots[root].name.clone(),
            (true, false) => format!("{}/{rel}", self.roots[root].name),
        }
    }

    fn locate(&self, path: &str, folder_op: bool) -> Result<Loc> {
        let mut comps = normalize(path, folder_op)?;
        let root = if self.multi() {
            let names = || {
                self.roots
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let Some(first) = comps.first() else {
                return Err(WorkspaceError::InvalidPath {
                    path: path.to_string(),
                    reason: PathRefusal::NeedsFolderName(names()),
                });
            };
            let Some(idx) = self.roots.iter().position(|r| &r.name == first) else {
                return Err(WorkspaceError::OutsideGrant {
                    path: path.to_string(),
                    reason: PathRefusal::NotAGrantedFolder {
                        name: first.clone(),
                        granted: names(),
                    },
                });
            };
            comps.remove(0);
            idx
        } else {
            0
        };
        let shown = self.shown(root, &join(&comps));
        Ok(Loc { root, comps, shown })
    }

    fn dir(&self, loc: &Loc) -> &RootDir {
        &self.roots[loc.root].dir
    }

    fn writable(&self, loc: &Loc) -> Result<()> {
        match self.roots[loc.root].mode {
            AccessMode::ReadWrite => Ok(()),
            AccessMode::ReadOnly => Err(WorkspaceError::ReadOnly {
                path: loc.shown.clone(),
            }),
        }
    }

    /// The parent folder of a path that is about to be created or changed.
    fn parent_for_write(&self, loc: &Loc) -> Result<(OwnedFd, String)> {
        self.dir(loc)
            .parent_of(&loc.comps, &loc.shown)
            .map_err(|e| match e {
                WorkspaceError::NotFound { path } => WorkspaceError::ParentMissing { path },
                other => other,
            })
    }

    /// Rewrites the root-relative paths of `op` the way the caller names them.
    fn shown_op(&self, root: usize, op: JournalOp) -> JournalOp {
        if !self.multi() {
            return op;
        }
        let s = |p: String| self.shown(root, &p);
        match op {
            JournalOp::Create { path, after } => JournalOp::Create {
                path: s(path),
                after,
            },
            JournalOp::Modify {
                path,
                before,
                after,
            } => JournalOp::Modify {
                path: s(path),
                before,
                after,
            },
            JournalOp::Move { from, to, hash } => JournalOp::Move {
                from: s(from),
                to: s(to),
                hash,
            },
            JournalOp::Delete { path, before } => JournalOp::Delete {
                path: s(path),
                before,
            },
            JournalOp::MakeDir { path } => JournalOp::MakeDir { path: s(path) },
            JournalOp::Batch { label, ops } => JournalOp::Batch {
                label,
                ops: ops.into_iter().map(|o| self.shown_op(root, o)).collect(),
            },
        }
    }

    fn begin(&self, root: usize, op: &JournalOp) -> Result<u64> {
        Ok(self
            .journal
            .begin(&self.run, &self.roots[root].dir.path, op)?)
    }

    /// Marks the entry Done or Aborted after the action; an error of the action wins over
    /// an error of the journal.
    fn finish<T>(&self, id: u64, result: Result<T>) -> Result<T> {
        let state = if result.is_ok() {
            JournalState::Done
        } else {
            JournalState::Aborted
        };
        let marked = self.journal.set_state(id, state);
        let value = result?;
        marked?;
        Ok(value)
    }

    // ---- reading ------------------------------------------------------------------------

    /// Lists the folder `dir` (`""` for the granted folder; with several granted folders,
    /// `""` lists them). Sorted by path; commis's temporary files, symlinks leading out and
    /// special files are left out; symlinks inside the folder are shown but not descended.
    pub fn list(&self, dir: &str, recursive: bool) -> Result<Vec<FileInfo>> {
        let mut out = Vec::new();
        let comps = normalize(dir, true)?;
        if self.multi() && comps.is_empty() {
            for (i, r) in self.roots.iter().enumerate() {
                let fd = r.dir.open_dir(&[], &r.name, false)?;
                let m = crate::confined::fstat(&fd, &r.name)?;
                out.push(FileInfo {
                    path: r.name.clone(),
                    size: 0,
                    is_dir: true,
                    modified: millis(&m),
                });
                if recursive {
                    self.walk(i, &fd, &[], true, &mut out)?;
                }
            }
        } else {
            let loc = self.locate(dir, true)?;
            let (fd, m) = self.dir(&loc).open_any(&loc.comps, &loc.shown, false)?;
            if m.kind != Kind::Dir {
                return Err(WorkspaceError::NotADirectory { path: loc.shown });
            }
            self.walk(loc.root, &fd, &loc.comps, recursive, &mut out)?;
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    fn walk(
        &self,
        root: usize,
        fd: &OwnedFd,
        prefix: &[String],
        recursive: bool,
        out: &mut Vec<FileInfo>,
    ) -> Result<()> {
        let here = self.shown(root, &join(prefix));
        for name in read_names(fd, &here)? {
            if check_name(&name, &name).is_err() {
                continue;
            }
            let mut comps = prefix.to_vec();
            comps.push(name.clone());
            let path = self.shown(root, &join(&comps));
            let Some(m) = lstat_at(fd, &name, &path)? else {
                continue;
            };
            match m.kind {
                Kind::File => out.push(FileInfo {
                    path,
                    size: m.size,
                    is_dir: false,
                    modified: millis(&m),
                }),
                Kind::Dir => {
                    out.push(FileInfo {
                        path: path.clone(),
                        size: 0,
                        is_dir: true,
                        modified: millis(&m),
                    });
                    if recursive {
                        let sub = rustix::fs::openat(
                            fd,
                            name.as_str(),
                            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                            Mode::empty(),
                        )
                        .map_err(|e| resolve_err(e, "list", &path));
                        // One unreadable folder (permissions, removed meanwhile) must not
                        // hide everything else.
                        if let Err(e) = sub.and_then(|sub| self.walk(root, &sub, &comps, true, out))
                        {
                            tracing::warn!("listing skipped part of `{path}`: {e}");
                        }
                    }
                }
                Kind::Symlink => {
                    // Shown only if it resolves inside the grant; never descended, so a
                    // link cannot make a listing loop or repeat.
                    if let Ok((_, t)) = self.roots[root].dir.open_any(&comps, &path, false)
                        && matches!(t.kind, Kind::File | Kind::Dir)
                    {
                        out.push(FileInfo {
                            path,
                            size: if t.kind == Kind::File { t.size } else { 0 },
                            is_dir: t.kind == Kind::Dir,
                            modified: millis(&t),
                        });
                    }
                }
                Kind::Other => {}
            }
        }
        Ok(())
    }

    /// Reads the file at `path`, refusing files larger than `max_bytes`.
    pub fn read(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>> {
        let loc = self.locate(path, false)?;
        let (file, m) = self.dir(&loc).open_file(&loc.comps, &loc.shown, false)?;
        let too_large = |size| WorkspaceError::TooLarge {
            path: loc.shown.clone(),
            size,
            max: max_bytes,
        };
        if m.size > max_bytes {
            return Err(too_large(m.size));
        }
        let mut bytes = Vec::with_capacity(m.size as usize);
        file.take(max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| WorkspaceError::io("read", &loc.shown, e))?;
        if bytes.len() as u64 > max_bytes {
            return Err(too_large(bytes.len() as u64));
        }
        Ok(bytes)
    }

    /// Size, kind and modification time of `path`.
    pub fn metadata(&self, path: &str) -> Result<FileInfo> {
        let loc = self.locate(path, true)?;
        let (_, m) = self.dir(&loc).open_any(&loc.comps, &loc.shown, false)?;
        match m.kind {
            Kind::Dir => {}
            _ => check_plain_file(&m, &loc.shown)?,
        }
        Ok(FileInfo {
            path: loc.shown,
            size: if m.kind == Kind::File { m.size } else { 0 },
            is_dir: m.kind == Kind::Dir,
            modified: millis(&m),
        })
    }

    /// Whether something readable is at `path`. A path that is refused is an error, not
    /// `false`: callers must not treat an escape attempt as a free name.
    pub fn exists(&self, path: &str) -> Result<bool> {
        match self.metadata(path) {
            Ok(_) => Ok(true),
            Err(WorkspaceError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// SHA-256 (lowercase hex) of the file at `path`.
    pub fn hash(&self, path: &str) -> Result<String> {
        let loc = self.locate(path, false)?;
        let (file, _) = self.dir(&loc).open_file(&loc.comps, &loc.shown, false)?;
        hash_reader(file, &loc.shown)
    }

    // ---- changing -----------------------------------------------------------------------

    /// Writes `bytes` to `path` atomically: a new file (`Create`), or, with `overwrite`,
    /// a replacement whose previous bytes are backed up first (`Modify`). The folder must
    /// exist. Symlinks, folders and hard-linked files are never written through.
    pub fn write_file(&self, path: &str, bytes: &[u8], overwrite: bool) -> Result<JournalOp> {
        self.write_file_inner(path, bytes, overwrite, &noop)
    }

    pub(crate) fn write_file_inner(
        &self,
        path: &str,
        bytes: &[u8],
        overwrite: bool,
        before_rename: &dyn Fn() -> std::io::Result<()>,
    ) -> Result<JournalOp> {
        let loc = self.locate(path, false)?;
        self.writable(&loc)?;
        let (dir, name) = self.parent_for_write(&loc)?;
        let after = sha256_hex(bytes);
        let (op, perm, replace) = match lstat_at(&dir, &name, &loc.shown)? {
            None => (
                JournalOp::Create {
                    path: loc.rel(),
                    after,
                },
                None,
                false,
            ),
            Some(m) => {
                check_plain_file(&m, &loc.shown)?;
                if !overwrite {
                    return Err(WorkspaceError::AlreadyExists { path: loc.shown });
                }
                let before = backup_at(&dir, &name, &loc.shown, &self.blobs)?;
                if let Some(kept) = self.written_before_resume(loc.root, &loc.rel(), &before)? {
                    return Ok(self.shown_op(loc.root, kept));
                }
                (
                    JournalOp::Modify {
                        path: loc.rel(),
                        before,
                        after,
                    },
                    Some(m.perm),
                    true,
                )
            }
        };
        let id = self.begin(loc.root, &op)?;
        let result = write_atomic(&dir, &name, &loc.shown, bytes, perm, replace, before_rename);
        self.finish(id, result)?;
        Ok(self.shown_op(loc.root, op))
    }

    /// A file this run already wrote in an earlier process (before a crash and `resume`) and
    /// that still holds what it wrote: the step that wrote it is running again, and the
    /// deliverable must not be written twice. Returns the entry that wrote it.
    fn written_before_resume(
        &self,
        root: usize,
        rel: &str,
        current: &str,
    ) -> Result<Option<JournalOp>> {
        let Some(last_before) = self.earlier_session else {
            return Ok(None);
        };
        let Ok(mut kept) = self.kept_from_earlier.lock() else {
            return Ok(None);
        };
        if !kept.insert((root, rel.to_string())) {
            return Ok(None);
        }
        let root_path = &self.roots[root].dir.path;
        let entries = self.journal.entries(&self.run)?;
        for e in entries.iter().rev() {
            if e.id > last_before
                || &e.root != root_path
                || !matches!(e.state, JournalState::Done | JournalState::Pending)
            {
                continue;
            }
            for leaf in e.op.leaves().into_iter().rev() {
                match leaf {
                    JournalOp::Create { path, after } | JournalOp::Modify { path, after, .. }
                        if path == rel =>
                    {
                        return Ok((after == current).then(|| leaf.clone()));
                    }
                    JournalOp::Move { from, to, .. } if from == rel || to == rel => {
                        return Ok(None);
                    }
                    JournalOp::Delete { path, .. } if path == rel => return Ok(None),
                    _ => {}
                }
            }
        }
        Ok(None)
    }

    /// Creates the folder `path` and its missing parents, recorded as one entry. `None`
    /// when it already existed (nothing recorded).
    pub fn make_dir(&self, path: &str) -> Result<Option<JournalOp>> {
        let loc = self.locate(path, true)?;
        self.writable(&loc)?;
        let rootdir = self.dir(&loc);
        let mut first_missing = None;
        for i in 0..loc.comps.len() {
            let prefix = &loc.comps[..=i];
            let shown = self.shown(loc.root, &join(prefix));
            match rootdir.lstat(prefix, &shown)? {
                Some(m) if m.kind == Kind::Dir => {}
                Some(m) if m.kind == Kind::Symlink => {
                    return Err(WorkspaceError::OutsideGrant {
                        path: shown,
                        reason: PathRefusal::Symlink,
                    });
                }
                Some(_) => return Err(WorkspaceError::NotADirectory { path: shown }),
                None => {
                    first_missing = Some(i);
                    break;
                }
            }
        }
        let Some(start) = first_missing else {
            return Ok(None);
        };
        let ops: Vec<JournalOp> = (start..loc.comps.len())
            .map(|i| JournalOp::MakeDir {
                path: join(&loc.comps[..=i]),
            })
            .collect();
        let op = if ops.len() == 1 {
            ops.into_iter()
                .next()
                .unwrap_or(JournalOp::MakeDir { path: loc.rel() })
        } else {
            JournalOp::Batch {
                label: format!("make_dir {}", loc.rel()),
                ops,
            }
        };
        let id = self.begin(loc.root, &op)?;
        let result = (|| {
            let mut parent = rootdir.open_dir(&loc.comps[..start], &loc.shown, true)?;
            let mut made: Vec<(OwnedFd, String)> = Vec::new();
            for name in &loc.comps[start..] {
                let step = (|| {
                    rustix::fs::mkdirat(&parent, name.as_str(), Mode::from_raw_mode(0o777))
                        .map_err(|e| resolve_err(e, "create folder", &loc.shown))?;
                    fsync_dir(&parent, &loc.shown);
                    rustix::fs::openat(
                        &parent,
                        name.as_str(),
                        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                        Mode::empty(),
                    )
                    .map_err(|e| resolve_err(e, "open", &loc.shown))
                })();
                match step {
                    Ok(child) => {
                        made.push((parent, name.clone()));
                        parent = child;
                    }
                    Err(e) => {
                        for (dir, name) in made.iter().rev() {
                            let _ = rustix::fs::unlinkat(dir, name.as_str(), AtFlags::REMOVEDIR);
                        }
                        return Err(e);
                    }
                }
            }
            Ok(())
        })();
        self.finish(id, result)?;
        Ok(Some(self.shown_op(loc.root, op)))
    }

    /// Copies the file `from` to the new file `to` (which must not exist).
    pub fn copy_file(&self, from: &str, to: &str) -> Result<JournalOp> {
        let src = self.locate(from, false)?;
        let dst = self.locate(to, false)?;
        self.writable(&dst)?;
        let (mut file, m) = self.dir(&src).open_file(&src.comps, &src.shown, false)?;
        let mut bytes = Vec::with_capacity(m.size as usize);
        file.read_to_end(&mut bytes)
            .map_err(|e| WorkspaceError::io("read", &src.shown, e))?;
        self.write_file(to, &bytes, false)
    }

    /// Moves or renames a file or folder inside one granted folder. Never replaces an
    /// existing target; the target's folder must exist.
    pub fn move_path(&self, from: &str, to: &str) -> Result<JournalOp> {
        let src = self.locate(from, false)?;
        let dst = self.locate(to, false)?;
        self.writable(&src)?;
        self.writable(&dst)?;
        if src.root != dst.root {
            return Err(WorkspaceError::CrossGrant {
                from: src.shown,
                to: dst.shown,
            });
        }
        if dst.comps.starts_with(&src.comps) {
            return Err(WorkspaceError::InvalidPath {
                path: dst.shown,
                reason: PathRefusal::IntoItself(src.shown.clone()),
            });
        }
        let (fdir, fname) = self.dir(&src).parent_of(&src.comps, &src.shown)?;
        let hash = self.movable(&fdir, &fname, &src.shown)?;
        let (tdir, tname) = self.parent_for_write(&dst)?;
        if lstat_at(&tdir, &tname, &dst.shown)?.is_some() {
            return Err(WorkspaceError::AlreadyExists { path: dst.shown });
        }
        let op = JournalOp::Move {
            from: src.rel(),
            to: dst.rel(),
            hash,
        };
        let id = self.begin(src.root, &op)?;
        let result = (|| {
            rename_noreplace(&fdir, &fname, &tdir, &tname)
                .map_err(|e| resolve_err(e, "move", &src.shown))?;
            fsync_dir(&tdir, &dst.shown);
            fsync_dir(&fdir, &src.shown);
            Ok(())
        })();
        self.finish(id, result)?;
        Ok(self.shown_op(src.root, op))
    }

    /// Checks that `name` in `dir` may be moved and returns its content hash (none for a
    /// folder).
    fn movable(&self, dir: &OwnedFd, name: &str, shown: &str) -> Result<Option<String>> {
        match lstat_at(dir, name, shown)? {
            None => Err(WorkspaceError::NotFound {
                path: shown.to_string(),
            }),
            Some(m) if m.kind == Kind::Dir => Ok(None),
            Some(m) => {
                check_plain_file(&m, shown)?;
                let (file, _) = open_file_at(dir, name, shown)?;
                Ok(Some(hash_reader(file, shown)?))
            }
        }
    }

    /// Deletes a file (its bytes go into the backup store first) or an empty folder.
    pub fn delete(&self, path: &str) -> Result<JournalOp> {
        let loc = self.locate(path, false)?;
        self.writable(&loc)?;
        let (dir, name) = self.dir(&loc).parent_of(&loc.comps, &loc.shown)?;
        let Some(m) = lstat_at(&dir, &name, &loc.shown)? else {
            return Err(WorkspaceError::NotFound { path: loc.shown });
        };
        if m.kind == Kind::Dir {
            let sub = rustix::fs::openat(
                &dir,
                name.as_str(),
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| resolve_err(e, "open", &loc.shown))?;
            if !read_names(&sub, &loc.shown)?.is_empty() {
                return Err(WorkspaceError::DirectoryNotEmpty { path: loc.shown });
            }
            let op = JournalOp::Delete {
                path: loc.rel(),
                before: EMPTY_DIR_MARKER.into(),
            };
            let id = self.begin(loc.root, &op)?;
            let result = rustix::fs::unlinkat(&dir, name.as_str(), AtFlags::REMOVEDIR)
                .map_err(|e| resolve_err(e, "delete", &loc.shown))
                .map(|()| fsync_dir(&dir, &loc.shown));
            self.finish(id, result)?;
            return Ok(self.shown_op(loc.root, op));
        }
        check_plain_file(&m, &loc.shown)?;
        let before = backup_at(&dir, &name, &loc.shown, &self.blobs)?;
        let mut op = JournalOp::Delete {
            path: loc.rel(),
            before: before.clone(),
        };
        let id = self.begin(loc.root, &op)?;
        let result = unlink_backed(&dir, &name, &loc.shown, &self.blobs);
        if let Ok(removed) = &result
            && *removed != before
        {
            // Changed between the backup and the removal: the journal must name the bytes
            // that were really removed (both are in the store).
            op = JournalOp::Delete {
                path: loc.rel(),
                before: removed.clone(),
            };
            self.journal.update_op(id, &op)?;
        }
        self.finish(id, result)?;
        Ok(self.shown_op(loc.root, op))
    }

    /// Applies folder creations and moves as one journal entry (`Batch`), so that undo
    /// reverts them whole. Each item is checked before anything changes; an item that cannot
    /// be applied (a refused name, an unreadable or hard-linked file, a target that exists or
    /// that an earlier item already takes, a failure while moving) is left out with its
    /// reason and the rest applies. Folders that the batch's moves leave empty are removed in
    /// the same entry (undo recreates them). Fails only when no item at all could be applied.
    pub fn apply_batch(&self, label: &str, items: Vec<BatchItem>) -> Result<BatchOutcome> {
        let (planned, mut skipped) = self.plan_batch(&items)?;
        let ops: Vec<JournalOp> = planned.iter().map(|p| p.op.clone()).collect();
        let op = JournalOp::Batch {
            label: label.to_string(),
            ops,
        };
        let Some(root) = planned.first().map(|p| p.loc.root) else {
            if let Some(first) = skipped.into_iter().next() {
                return Err(first.reason);
            }
            return Ok(BatchOutcome {
                op,
                skipped: Vec::new(),
                removed_dirs: Vec::new(),
            });
        };
        let id = self.begin(root, &op)?;
        let mut applied: Vec<JournalOp> = Vec::new();
        let mut removed_dirs = Vec::new();
        let mut first_failure = None;
        for (_n, p) in (0..).zip(planned.iter()) {
            #[cfg(test)]
            let injected = tests::FAIL_BATCH_AT.with(|c| c.get()) == Some(_n);
            #[cfg(not(test))]
            let injected = false;
            let result = if injected {
                Err(WorkspaceError::io(
                    "move",
                    &p.loc.shown,
                    std::io::Error::other("injected failure"),
                ))
            } else {
                crate::confined::soak_pause();
                self.apply_item(p)
            };
            match (result, p.item) {
                (Ok(()), _) => {
                    if matches!(p.act, BatchAct::RemoveDir) {
                        removed_dirs.push(p.loc.shown.clone());
                    }
                    applied.push(p.op.clone());
                }
                // A folder that is not empty after all (a move into it failed, or something
                // appeared meanwhile) simply stays.
                (Err(_), None) => {}
                (Err(e), Some(i)) => {
                    if let Some(item) = items.get(i) {
                        tracing::warn!("batch `{label}`: left out {item:?}: {e}");
                        if first_failure.is_none() {
                            first_failure = Some(i);
                        }
                        skipped.push(SkippedItem {
                            item: item.clone(),
                            reason: e,
                        });
                    }
                }
            }
        }
        if applied.is_empty() {
            self.journal.set_state(id, JournalState::Aborted)?;
            let pos = skipped
                .iter()
                .position(|s| first_failure.is_some_and(|i| items.get(i) == Some(&s.item)))
                .unwrap_or(0);
            return Err(skipped.swap_remove(pos).reason);
        }
        let op = JournalOp::Batch {
            label: label.to_string(),
            ops: applied,
        };
        if planned.len() != op.leaves().len() {
            self.journal.update_op(id, &op)?;
        }
        self.journal.set_state(id, JournalState::Done)?;
        Ok(BatchOutcome {
            op: self.shown_op(root, op),
            skipped,
            removed_dirs,
        })
    }

    /// Checks a batch without changing anything: the items [`Workspace::apply_batch`] would
    /// leave out, with their reasons (to show them in a plan).
    pub fn check_batch(&self, items: &[BatchItem]) -> Result<Vec<SkippedItem>> {
        Ok(self.plan_batch(items)?.1)
    }

    fn plan_batch(&self, items: &[BatchItem]) -> Result<(Vec<Planned>, Vec<SkippedItem>)> {
        let mut state = BatchPlan {
            root: None,
            planned: Vec::new(),
            will_be: HashMap::new(),
        };
        let mut skipped = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let mark = state.planned.len();
            let mut touched = Vec::new();
            let root_before = state.root;
            match self.plan_item(i, item, &mut state, &mut touched) {
                Ok(()) => {}
                Err(e @ WorkspaceError::Journal(_)) => return Err(e),
                Err(reason) => {
                    // Nothing of a refused item stays planned.
                    state.planned.truncate(mark);
                    for (k, prev) in touched.into_iter().rev() {
                        match prev {
                            Some(v) => state.will_be.insert(k, v),
                            None => state.will_be.remove(&k),
                        };
                    }
                    state.root = root_before;
                    skipped.push(SkippedItem {
                        item: item.clone(),
                        reason,
                    });
                }
            }
        }
        self.plan_emptied_dirs(&mut state)?;
        Ok((state.planned, skipped))
    }

    fn plan_item(
        &self,
        index: usize,
        item: &BatchItem,
        st: &mut BatchPlan,
        touched: &mut Vec<(Vec<String>, Option<Option<Kind>>)>,
    ) -> Result<()> {
        let (a, b) = match item {
            BatchItem::MakeDir { path } => (self.locate(path, true)?, None),
            BatchItem::Move { from, to } => {
                (self.locate(from, false)?, Some(self.locate(to, false)?))
            }
        };
        for l in std::iter::once(&a).chain(b.as_ref()) {
            self.writable(l)?;
            match st.root {
                None => st.root = Some(l.root),
                Some(r) if r != l.root => {
                    return Err(WorkspaceError::CrossGrant {
                        from: a.shown.clone(),
                        to: l.shown.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        let rootdir = self.dir(&a);
        let kind_of = |will_be: &HashMap<Vec<String>, Option<Kind>>,
                       comps: &[String],
                       shown: &str|
         -> Result<Option<Kind>> {
            if let Some(k) = will_be.get(comps) {
                return Ok(*k);
            }
            Ok(rootdir.lstat(comps, shown)?.map(|m| m.kind))
        };
        let mut set =
            |will_be: &mut HashMap<Vec<String>, Option<Kind>>, k: Vec<String>, v: Option<Kind>| {
                let prev = will_be.insert(k.clone(), v);
                touched.push((k, prev));
            };
        match b {
            None => {
                for i in 0..a.comps.len() {
                    let prefix = a.comps[..=i].to_vec();
                    let shown = self.shown(a.root, &join(&prefix));
                    match kind_of(&st.will_be, &prefix, &shown)? {
                        Some(Kind::Dir) => {}
                        Some(_) => return Err(WorkspaceError::NotADirectory { path: shown }),
                        None => {
                            set(&mut st.will_be, prefix.clone(), Some(Kind::Dir));
                            st.planned.push(Planned {
                                op: JournalOp::MakeDir {
                                    path: join(&prefix),
                                },
                                loc: Loc {
                                    root: a.root,
                                    comps: prefix,
                                    shown,
                                },
                                act: BatchAct::MakeDir,
                                item: Some(index),
                            });
                        }
                    }
                }
            }
            Some(b) => {
                if b.comps.starts_with(&a.comps) {
                    return Err(WorkspaceError::InvalidPath {
                        path: b.shown,
                        reason: PathRefusal::IntoItself(a.shown.clone()),
                    });
                }
                let hash = match st.will_be.get(&a.comps) {
                    Some(None) => return Err(WorkspaceError::NotFound { path: a.shown }),
                    Some(Some(_)) => {
                        return Err(WorkspaceError::InvalidPath {
                            path: a.shown,
                            reason: PathRefusal::MovedEarlierInBatch,
                        });
                    }
                    None => {
                        let (dir, name) = rootdir.parent_of(&a.comps, &a.shown)?;
                        self.movable(&dir, &name, &a.shown)?
                    }
                };
                let parent = &b.comps[..b.comps.len().saturating_sub(1)];
                if !parent.is_empty() && kind_of(&st.will_be, parent, &b.shown)? != Some(Kind::Dir)
                {
                    return Err(WorkspaceError::ParentMissing { path: b.shown });
                }
                if kind_of(&st.will_be, &b.comps, &b.shown)?.is_some() {
                    return Err(WorkspaceError::AlreadyExists { path: b.shown });
                }
                set(&mut st.will_be, a.comps.clone(), None);
                let kind = if hash.is_some() {
                    Kind::File
                } else {
                    Kind::Dir
                };
                set(&mut st.will_be, b.comps.clone(), Some(kind));
                st.planned.push(Planned {
                    op: JournalOp::Move {
                        from: a.rel(),
                        to: b.rel(),
                        hash,
                    },
                    loc: a,
                    act: BatchAct::Move(b),
                    item: Some(index),
                });
            }
        }
        Ok(())
    }

    /// Adds the removal of every folder the planned moves leave empty (deepest first), so a
    /// sort does not leave empty husks behind. A folder that was already empty, the granted
    /// folder itself, and folders something is moved into are kept.
    fn plan_emptied_dirs(&self, st: &mut BatchPlan) -> Result<()> {
        let Some(root) = st.root else {
            return Ok(());
        };
        let mut candidates: Vec<Vec<String>> = Vec::new();
        for p in &st.planned {
            if let BatchAct::Move(_) = p.act {
                for k in 1..p.loc.comps.len() {
                    let dir = p.loc.comps[..k].to_vec();
                    if !candidates.contains(&dir) {
                        candidates.push(dir);
                    }
                }
            }
        }
        candidates.sort_by_key(|c| std::cmp::Reverse(c.len()));
        let rootdir = &self.roots[root].dir;
        for dir in candidates {
            if st.will_be.contains_key(&dir) {
                continue; // created, moved or removed by the batch already
            }
            let shown = self.shown(root, &join(&dir));
            let Ok(fd) = rootdir.open_dir(&dir, &shown, false) else {
                continue;
            };
            let names = read_names(&fd, &shown)?;
            let emptied = !names.is_empty()
                && names.iter().all(|n| {
                    let mut child = dir.clone();
                    child.push(n.clone());
                    st.will_be.get(&child) == Some(&None)
                })
                && !st
                    .will_be
                    .iter()
                    .any(|(k, v)| v.is_some() && k.len() > dir.len() && k.starts_with(&dir));
            if !emptied {
                continue;
            }
            st.will_be.insert(dir.clone(), None);
            st.planned.push(Planned {
                op: JournalOp::Delete {
                    path: join(&dir),
                    before: EMPTY_DIR_MARKER.into(),
                },
                loc: Loc {
                    root,
                    comps: dir,
                    shown,
                },
                act: BatchAct::RemoveDir,
                item: None,
            });
        }
        Ok(())
    }

    fn apply_item(&self, p: &Planned) -> Result<()> {
        let a = &p.loc;
        let (adir, aname) = self.dir(a).parent_of(&a.comps, &a.shown)?;
        match &p.act {
            BatchAct::MakeDir => {
                rustix::fs::mkdirat(&adir, aname.as_str(), Mode::from_raw_mode(0o777))
                    .map_err(|e| resolve_err(e, "create folder", &a.shown))?;
                fsync_dir(&adir, &a.shown);
                Ok(())
            }
            BatchAct::RemoveDir => {
                rustix::fs::unlinkat(&adir, aname.as_str(), AtFlags::REMOVEDIR)
                    .map_err(|e| resolve_err(e, "remove the emptied folder", &a.shown))?;
                fsync_dir(&adir, &a.shown);
                Ok(())
            }
            BatchAct::Move(b) => {
                let (bdir, bname) = self.parent_for_write(b)?;
                rename_noreplace(&adir, &aname, &bdir, &bname)
                    .map_err(|e| resolve_err(e, "move", &a.shown))?;
                fsync_dir(&bdir, &b.shown);
                fsync_dir(&adir, &a.shown);
                Ok(())
            }
        }
    }

    /// Settles the journal entries an earlier process of this run left `Pending` (it died
    /// between recording a change and confirming it): an entry whose change happened becomes
    /// `Done`, one whose change never happened `Aborted`, and a batch caught halfway keeps only
    /// the items that happened, as `Done`. What cannot be told apart stays `Pending` (undo
    /// checks it again). Call it when a run resumes, with the folder's lock held. Returns how
    /// many entries were settled.
    pub fn settle_interrupted(&self) -> Result<usize> {
        let Some(last_before) = self.earlier_session else {
            return Ok(0);
        };
        let mut settled = 0;
        for e in self.journal.entries(&self.run)? {
            if e.id > last_before || e.state != JournalState::Pending {
                continue;
            }
            let Some(root) = self.roots.iter().position(|r| r.dir.path == e.root) else {
                continue;
            };
            let leaves = e.op.leaves();
            let states: Vec<Option<bool>> = leaves.iter().map(|l| self.happened(root, l)).collect();
            if states.iter().all(|s| *s == Some(true)) {
                self.journal.set_state(e.id, JournalState::Done)?;
            } else if states.iter().all(|s| *s == Some(false)) {
                self.journal.set_state(e.id, JournalState::Aborted)?;
            } else if let (JournalOp::Batch { label, .. }, true) =
                (&e.op, states.iter().all(Option::is_some))
            {
                let ops = leaves
                    .iter()
                    .zip(&states)
                    .filter(|(_, s)| **s == Some(true))
                    .map(|(l, _)| (*l).clone())
                    .collect();
                self.journal.update_op(
                    e.id,
                    &JournalOp::Batch {
                        label: label.clone(),
                        ops,
                    },
                )?;
                self.journal.set_state(e.id, JournalState::Done)?;
            } else {
                continue;
            }
            settled += 1;
        }
        Ok(settled)
    }

    /// Whether the change `leaf` is visible in the folder (`Some(true)`), visibly not made
    /// (`Some(false)`), or cannot be told (`None`).
    fn happened(&self, root: usize, leaf: &JournalOp) -> Option<bool> {
        let rootdir = &self.roots[root].dir;
        let at = |path: &str| -> Option<Option<(Kind, Option<String>)>> {
            let comps = normalize(path, false).ok()?;
            let m = rootdir.lstat(&comps, path).ok()?;
            Some(match m {
                None => None,
                Some(m) if m.kind == Kind::File => {
                    let (dir, name) = rootdir.parent_of(&comps, path).ok()?;
                    let (file, _) = open_file_at(&dir, &name, path).ok()?;
                    Some((Kind::File, hash_reader(file, path).ok()))
                }
                Some(m) => Some((m.kind, None)),
            })
        };
        let file = |h: &str| Some((Kind::File, Some(h.to_string())));
        match leaf {
            JournalOp::Create { path, after } => match at(path)? {
                None => Some(false),
                found if found == file(after) => Some(true),
                _ => None,
            },
            JournalOp::Modify {
                path,
                before,
                after,
            } => match at(path)? {
                found if found == file(after) => Some(true),
                found if found == file(before) => Some(false),
                _ => None,
            },
            JournalOp::Delete { path, before } if before == EMPTY_DIR_MARKER => match at(path)? {
                None => Some(true),
                Some((Kind::Dir, _)) => Some(false),
                _ => None,
            },
            JournalOp::Delete { path, before } => match at(path)? {
                None => Some(true),
                found if found == file(before) => Some(false),
                _ => None,
            },
            JournalOp::MakeDir { path } => match at(path)? {
                Some((Kind::Dir, _)) => Some(true),
                None => Some(false),
                _ => None,
            },
            JournalOp::Move { from, to, hash } => {
                let expected = match hash {
                    Some(h) => file(h),
                    None => Some((Kind::Dir, None)),
                };
                match (at(from)?, at(to)?) {
                    (None, t) if t == expected => Some(true),
                    (f, None) if f == expected => Some(false),
                    _ => None,
                }
            }
            JournalOp::Batch { .. } => None,
        }
    }

    /// Removes commis's temporary files (`.commis-tmp-*`) older than `min_age` that a crash
    /// left in the writable folders: half-written files, or files caught mid-deletion. Their
    /// bytes go into the backup store first, like any deletion. Returns their paths.
    pub fn clean_temp_files(&self, min_age: std::time::Duration) -> Result<Vec<String>> {
        let cutoff = commis_core::now_millis() - min_age.as_millis() as Millis;
        self.clean_where(&|_, m| m.mtime_ms <= cutoff)
    }

    /// Removes the temporary files (`.commis-tmp-*`) whose writer is gone: the process named
    /// in the file's name is no longer running (a crash, a `kill -9`), or the file is more
    /// than an hour old. A write in progress in another live process is left alone. Called
    /// when a run starts or resumes, with the folder's lock held. Returns their paths.
    pub fn clean_orphaned_temp_files(&self) -> Result<Vec<String>> {
        let cutoff = commis_core::now_millis() - 3_600_000;
        self.clean_where(&|name, m| crate::debris::orphaned(name, m, cutoff))
    }

    fn clean_where(&self, remove: &dyn Fn(&str, &Meta) -> bool) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        for r in &self.roots {
            if r.mode != AccessMode::ReadWrite {
                continue;
            }
            let fd = r.dir.open_dir(&[], &r.name, true)?;
            let prefix = if self.multi() {
                format!("{}/", r.name)
            } else {
                String::new()
            };
            crate::debris::clean_in(&fd, &prefix, &self.blobs, remove, &mut removed)?;
        }
        Ok(removed)
    }

    // ---- sandboxed commands -------------------------------------------------------------

    /// Records every file and folder of the writable granted folders, backing up each
    /// file's bytes, so that changes made behind commis's back (a sandboxed command) can be
    /// journaled afterwards with [`Workspace::journal_changes_since`]. Symlinks, special files
    /// and hard-linked files are left out.
    pub fn snapshot(&self) -> Result<Snapshot> {
        let mut snap = Snapshot::default();
        for (i, r) in self.roots.iter().enumerate() {
            if r.mode != AccessMode::ReadWrite {
                continue;
            }
            let fd = r.dir.open_dir(&[], &r.name, true)?;
            self.scan(i, &fd, &[], &mut snap)?;
        }
        // One flush for every blob written by the scan.
        self.blobs.sync()?;
        Ok(snap)
    }

    fn scan(
        &self,
        root: usize,
        fd: &OwnedFd,
        prefix: &[String],
        snap: &mut Snapshot,
    ) -> Result<()> {
        let here = self.shown(root, &join(prefix));
        for name in read_names(fd, &here)? {
            let mut comps = prefix.to_vec();
            comps.push(name.clone());
            let rel = join(&comps);
            let shown = self.shown(root, &rel);
            let Some(m) = lstat_at(fd, &name, &shown)? else {
                continue;
            };
            match m.kind {
                Kind::File if m.nlink == 1 => {
                    let (file, _) = match open_file_at(fd, &name, &shown) {
                        Ok(v) => v,
                        Err(WorkspaceError::NotFound { .. }) => continue,
                        Err(e) => return Err(e),
                    };
                    let hash = self.blobs.put_file(file, false, &shown)?;
                    snap.files.insert((root, rel), hash);
                }
                Kind::Dir => {
                    let sub = rustix::fs::openat(
                        fd,
                        name.as_str(),
                        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                        Mode::empty(),
                    )
                    .map_err(|e| resolve_err(e, "list", &shown))?;
                    snap.dirs.insert((root, rel));
                    self.scan(root, &sub, &comps, snap)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Journals, as Done, every difference between `before` and the folders now: created,
    /// modified and deleted files, created and removed folders. One `Batch` entry labelled
    /// `label` per granted folder, ordered so that undo replays it correctly. Returns the
    /// individual changes, paths as the caller names them.
    pub fn journal_changes_since(&self, before: &Snapshot, label: &str) -> Result<Vec<JournalOp>> {
        let after = self.snapshot()?;
        let mut out = Vec::new();
        for root in 0..self.roots.len() {
            let files = |s: &Snapshot| -> BTreeMap<String, String> {
                s.files
                    .iter()
                    .filter(|((r, _), _)| *r == root)
                    .map(|((_, p), h)| (p.clone(), h.clone()))
                    .collect()
            };
            let dirs = |s: &Snapshot| -> BTreeSet<String> {
                s.dirs
                    .iter()
                    .filter(|(r, _)| *r == root)
                    .map(|(_, p)| p.clone())
                    .collect()
            };
            let (fb, fa, db, da) = (files(before), files(&after), dirs(before), dirs(&after));
            let mut ops = Vec::new();
            // Order matters: undo walks it backwards, so files are restored after their
            // folders are recreated, and new folders are removed after their new files.
            for (p, h) in &fb {
                if !fa.contains_key(p) {
                    ops.push(JournalOp::Delete {
                        path: p.clone(),
                        before: h.clone(),
                    });
                }
            }
            let mut removed_dirs: Vec<&String> = db.difference(&da).collect();
            removed_dirs.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
            for p in removed_dirs {
                ops.push(JournalOp::Delete {
                    path: p.clone(),
                    before: EMPTY_DIR_MARKER.into(),
                });
            }
            let mut new_dirs: Vec<&String> = da.difference(&db).collect();
            new_dirs.sort_by_key(|p| p.matches('/').count());
            for p in new_dirs {
                ops.push(JournalOp::MakeDir { path: p.clone() });
            }
            for (p, h) in &fa {
                match fb.get(p) {
                    None => ops.push(JournalOp::Create {
                        path: p.clone(),
                        after: h.clone(),
                    }),
                    Some(old) if old != h => ops.push(JournalOp::Modify {
                        path: p.clone(),
                        before: old.clone(),
                        after: h.clone(),
                    }),
                    Some(_) => {}
                }
            }
            if ops.is_empty() {
                continue;
            }
            let op = JournalOp::Batch {
                label: label.to_string(),
                ops,
            };
            let id = self.begin(root, &op)?;
            self.journal.set_state(id, JournalState::Done)?;
            if let JournalOp::Batch { ops, .. } = self.shown_op(root, op) {
                out.extend(ops);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commis_core::MemoryJournal;
    use std::cell::Cell;
    use std::fs;

    thread_local! {
        pub(super) static FAIL_BATCH_AT: Cell<Option<usize>> = const { Cell::new(None) };
    }

    struct T {
        _tmp: tempfile::TempDir,
        grant: PathBuf,
        journal: Arc<MemoryJournal>,
        ws: Workspace,
    }

    fn setup() -> T {
        let tmp = tempfile::tempdir().unwrap();
        let grant = tmp.path().join("grant");
        fs::create_dir_all(grant.join("inner")).unwrap();
        fs::write(grant.join("inner/ok.txt"), b"inside").unwrap();
        let journal = Arc::new(MemoryJournal::new());
        let blobs = Arc::new(BlobStore::open(&tmp.path().join("blobs")).unwrap());
        let ws = Workspace::open(
            vec![Grant {
                path: grant.clone(),
                mode: AccessMode::ReadWrite,
            }],
            RunId("r".into()),
            journal.clone(),
            blobs,
        )
        .unwrap();
        T {
            _tmp: tmp,
            grant,
            journal,
            ws,
        }
    }

    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn last_state(t: &T) -> JournalState {
        t.journal
            .entries(&RunId("r".into()))
            .unwrap()
            .last()
            .unwrap()
            .state
    }

    #[test]
    fn a_write_that_fails_before_the_rename_leaves_no_trace() {
        let t = setup();
        let fail = || Err(std::io::Error::other("disk full"));
        assert!(
            t.ws.write_file_inner("inner/ok.txt", b"half", true, &fail)
                .is_err()
        );
        assert_eq!(fs::read(t.grant.join("inner/ok.txt")).unwrap(), b"inside");
        assert_eq!(last_state(&t), JournalState::Aborted);
        assert!(
            t.ws.write_file_inner("inner/new.txt", b"half", false, &fail)
                .is_err()
        );
        assert_eq!(names(&t.grant.join("inner")), vec!["ok.txt"]);
        assert_eq!(last_state(&t), JournalState::Aborted);
    }

    #[test]
    fn a_write_is_journaled_pending_before_the_file_changes() {
        let t = setup();
        let journal = t.journal.clone();
        let grant = t.grant.clone();
        let check = move || {
            let e = journal.entries(&RunId("r".into())).unwrap();
            assert_eq!(e.last().unwrap().state, JournalState::Pending);
            assert_eq!(fs::read(grant.join("inner/ok.txt")).unwrap(), b"inside");
            Ok(())
        };
        t.ws.write_file_inner("inner/ok.txt", b"new", true, &check)
            .unwrap();
        assert_eq!(fs::read(t.grant.join("inner/ok.txt")).unwrap(), b"new");
        assert_eq!(last_state(&t), JournalState::Done);
    }

    #[test]
    fn a_workspace_can_be_shared_between_sub_agents() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Workspace>();
        shareable::<BlobStore>();
    }

    #[test]
    fn temp_files_left_by_a_crash_are_cleaned_into_the_backups() {
        let t = setup();
        fs::write(t.grant.join("inner/.commis-tmp-1-2-3"), b"half written").unwrap();
        let removed = t.ws.clean_temp_files(std::time::Duration::ZERO).unwrap();
        assert_eq!(removed, vec!["inner/.commis-tmp-1-2-3"]);
        assert_eq!(names(&t.grant.join("inner")), vec!["ok.txt"]);
        assert!(t.ws.blobs.has(&sha256_hex(b"half written")));
    }

    #[test]
    fn an_item_failing_midway_is_left_out_and_the_rest_of_the_batch_applies() {
        let t = setup();
        FAIL_BATCH_AT.with(|c| c.set(Some(1)));
        let r = t.ws.apply_batch(
            "sort",
            vec![
                BatchItem::MakeDir { path: "A".into() },
                BatchItem::Move {
                    from: "inner/ok.txt".into(),
                    to: "A/ok.txt".into(),
                },
                BatchItem::Move {
                    from: "inner".into(),
                    to: "A/inner".into(),
                },
            ],
        );
        FAIL_BATCH_AT.with(|c| c.set(None));
        let outcome = r.unwrap();
        assert_eq!(outcome.skipped.len(), 1);
        assert!(matches!(
            &outcome.skipped[0].item,
            BatchItem::Move { from, .. } if from == "inner/ok.txt"
        ));
        assert!(
            outcome.skipped[0]
                .reason
                .to_string()
                .contains("injected failure")
        );
        assert_eq!(names(&t.grant), vec!["A"]);
        assert_eq!(names(&t.grant.join("A/inner")), vec!["ok.txt"]);
        assert_eq!(last_state(&t), JournalState::Done);
        // The journal names only what happened.
        let entry = t
            .journal
            .entries(&RunId("r".into()))
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(entry.op.leaves().len(), 2);
    }

    #[test]
    fn a_batch_whose_every_item_fails_changes_nothing_and_is_aborted() {
        let t = setup();
        FAIL_BATCH_AT.with(|c| c.set(Some(0)));
        let r = t.ws.apply_batch(
            "sort",
            vec![BatchItem::Move {
                from: "inner/ok.txt".into(),
                to: "ok.txt".into(),
            }],
        );
        FAIL_BATCH_AT.with(|c| c.set(None));
        assert!(r.is_err());
        assert_eq!(names(&t.grant.join("inner")), vec!["ok.txt"]);
        assert_eq!(last_state(&t), JournalState::Aborted);
    }
}
