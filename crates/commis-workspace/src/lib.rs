//! commis-workspace: the only code in commis that touches the user's files.
//!
//! It is for: confining every path to the granted folders, writing atomically, journaling
//! every change *before* it happens with the lost bytes kept in a content-addressed backup
//! store, and undoing a run byte for byte. It is not for: parsing documents, deciding what
//! needs approval (that is `commis_core::Policy`), or running commands (that is
//! `commis-sandbox`; it uses [`Workspace::snapshot`] to journal what a command changed).
//!
//! # Public API
//!
//! - [`BlobStore`]: `open(dir)`, `put(bytes) -> hash`, `put_reader(reader) -> hash`,
//!   `get(hash) -> bytes` (verified), `has(hash)`, `dir()`. Blobs live at `dir/ab/abcd…`,
//!   are written atomically and never overwritten. Keep it under `COMMIS_HOME/blobs`.
//! - [`Workspace::open`]`(grants, run, journal, blobs)`. Paths are `/`-separated strings
//!   relative to the granted folder; with several grants, the first component is the grant
//!   folder's name ([`Workspace::roots`]).
//! - Reading: [`Workspace::list`]`(dir, recursive) -> Vec<FileInfo>`,
//!   [`Workspace::read`]`(path, max_bytes)`, [`Workspace::metadata`], [`Workspace::exists`],
//!   [`Workspace::hash`].
//! - Changing (each refused on a read-only grant, journaled `Pending` before acting, with
//!   the bytes it would lose backed up first, then marked `Done`, or `Aborted` on failure;
//!   each returns the `JournalOp` applied, paths as the caller names them):
//!   [`Workspace::write_file`]`(path, bytes, overwrite)`, [`Workspace::make_dir`]`(path)`,
//!   [`Workspace::copy_file`]`(from, to)`, [`Workspace::move_path`]`(from, to)`,
//!   [`Workspace::delete`]`(path)`, [`Workspace::apply_batch`]`(label, items)`.
//! - [`undo_run`]`(run, journal, blobs, force) -> UndoReport`.
//! - For sandboxed commands: [`Workspace::snapshot`] then
//!   [`Workspace::journal_changes_since`]`(&snapshot, label)`.
//! - Housekeeping: [`Workspace::clean_temp_files`] (temporary files a crash left behind,
//!   backed up then removed), [`Workspace::with_portable_resolution`] (force the stricter
//!   non-`openat2` resolver), [`Workspace::uses_openat2`].
//! - [`normalize`]: the lexical path check, exposed for callers that validate early.
//!
//! Journal paths are relative to the entry's `root` (the granted folder). The operations
//! return them as the caller names them: identical with one grant, prefixed with the grant's
//! name with several. Deleting an empty folder is journaled as `Delete` whose `before` is
//! [`EMPTY_DIR_MARKER`], since the journal has no variant of its own for it.
//!
//! # Confinement
//!
//! Two gates. [`normalize`] refuses absolute paths, `..` climbing above the folder,
//! Windows drive prefixes and backslashes, control characters and NUL, empty names, names
//! made only of dots and spaces, look-alike dots and slashes, invisible characters, and
//! commis's own temporary files (`.commis-tmp-*`). Then every access is made relative to a
//! handle on the granted folder opened once: on Linux with `openat2(RESOLVE_BENEATH |
//! RESOLVE_NO_MAGICLINKS)`, plus `RESOLVE_NO_SYMLINKS` for anything that changes files;
//! elsewhere by walking names one at a time with `O_NOFOLLOW`. The last name of a changed
//! path goes through `*at` calls on its parent's handle, which never follow symlinks, so a
//! folder swapped for a symlink between a check and the action cannot redirect a write.
//! Regular files with more than one hard link are refused for reading and writing.
//! Granted folders that contain the backup store, or lie inside it, are refused.
//!
//! Unix only (Linux first; macOS through the portable resolver).

mod blobs;
mod confined;
mod debris;
mod error;
mod grant;
mod lock;
mod path;
mod undo;
mod workspace;

pub use blobs::{BlobStore, sha256_hex};
pub use error::{
    ChangedFile, GrantProblem, NewerRun, NothingToUndo, PathRefusal, Result, WorkspaceError,
};
pub use grant::{GrantRefusal, check_grantable};
pub use lock::{FolderLock, LockHolder, folder_busy_message};
pub use path::{TEMP_PREFIX, normalize};
pub use undo::{
    ConflictKind, UndoConflict, UndoOptions, UndoReport, undo_cascade, undo_run, undo_run_with,
};
pub use workspace::{
    BatchItem, BatchOutcome, EMPTY_DIR_MARKER, FileInfo, GrantedRoot, SkippedItem, Snapshot,
    Workspace,
};
