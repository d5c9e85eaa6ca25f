//! The one error type of the crate: each variant says what failed, on which path, and
//! what the caller (or the user) can do about it.

use std::path::PathBuf;

use commis_core::{JournalError, RunId};
use thiserror::Error;

/// A file that no longer has the content the journal expects (someone changed it after the run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    /// Path relative to the granted folder.
    pub path: String,
    /// What the journal says should be there (a hash, `absent`, or `directory`).
    pub expected: String,
    /// What is there now.
    pub found: String,
}

/// Everything that can go wrong in the workspace layer.
#[derive(Debug, Error)]
pub enum WorkspaceError {
    #[error("refused path `{path}`: {reason}; use a path relative to the granted folder")]
    InvalidPath { path: String, reason: PathRefusal },
    #[error("refused path `{path}`: {reason}; commis only works inside the granted folders")]
    OutsideGrant { path: String, reason: PathRefusal },
    #[error(
        "refused `{path}`: the file has other hard links, so its content also lives somewhere \
         commis cannot see; copy it to make an independent file first"
    )]
    HardLinked { path: String },
    #[error("`{path}` does not exist")]
    NotFound { path: String },
    #[error("the folder of `{path}` does not exist; create it first with make_dir")]
    ParentMissing { path: String },
    #[error("`{path}` already exists; choose another name or ask explicitly to overwrite it")]
    AlreadyExists { path: String },
    #[error("`{path}` is not a folder")]
    NotADirectory { path: String },
    #[error("`{path}` is a folder, not a file")]
    IsADirectory { path: String },
    #[error("folder `{path}` is not empty; only empty folders can be deleted")]
    DirectoryNotEmpty { path: String },
    #[error("`{path}` is not a regular file (device, pipe or socket); commis leaves it alone")]
    NotARegularFile { path: String },
    #[error("`{path}` is in a folder granted read-only; grant it read-write to change it")]
    ReadOnly { path: String },
    #[error("`{path}` is {size} bytes, more than the {max} bytes allowed for this read")]
    TooLarge { path: String, size: u64, max: u64 },
    #[error(
        "cannot move `{from}` to `{to}`: they are in different granted folders; copy then delete instead"
    )]
    CrossGrant { from: String, to: String },
    #[error("granted folder `{}`: {reason}", path.display())]
    Grant { path: PathBuf, reason: GrantProblem },
    #[error("{op} `{path}` failed: {source}")]
    Io {
        op: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("backup store: {0}")]
    Blob(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(
        "cannot undo: `{path}` was changed after the run ({} file(s) in all: {}); \
         undo again with force to overwrite those changes (they are backed up first)",
        changes.len(),
        changes.iter().map(|c| c.path.as_str()).collect::<Vec<_>>().join(", ")
    )]
    ChangedSince {
        path: String,
        changes: Vec<ChangedFile>,
    },
    #[error("nothing to undo for run {run}: {reason}")]
    NothingToUndo { run: RunId, reason: NothingToUndo },
    #[error("{}", crate::lock::folder_busy_message(folder, holder.as_ref()))]
    FolderBusy {
        folder: PathBuf,
        holder: Option<crate::lock::LockHolder>,
    },
    #[error(
        "cannot undo run {run} yet: later runs changed the same files ({}); undo them first \
         (`commis undo RUN` for each, newest first), or undo them all in order with \
         `commis undo {run} --cascade`",
        newer.iter().map(|n| format!("run {}: {}", n.run, n.paths.join(", "))).collect::<Vec<_>>().join("; ")
    )]
    NewerRunFirst { run: RunId, newer: Vec<NewerRun> },
}

/// Why a path was refused: one variant per rule, so front ends can say it in the user's
/// language (the English text here is for logs and models).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PathRefusal {
    #[error("the path is too long")]
    TooLong,
    #[error("it contains the control character U+{0:04X}")]
    ControlCharacter(u32),
    #[error("backslashes are not separators here; use `/`")]
    Backslash,
    #[error("absolute paths are not allowed")]
    Absolute,
    #[error("Windows drive prefixes are not allowed")]
    DrivePrefix,
    #[error("it contains U+{0:04X}, which looks like a dot or a slash")]
    LookAlike(u32),
    #[error("it contains the invisible character U+{0:04X}")]
    Invisible(u32),
    #[error("it contains an empty name (`//` or a trailing `/`)")]
    EmptyName,
    #[error("`..` would leave the granted folder")]
    ClimbsOut,
    #[error("the name `{0}` is too long")]
    NameTooLong(String),
    #[error("the name `{0}` is made of dots and spaces only")]
    DotsAndSpaces(String),
    #[error("the name `{0}` starts with a combining mark")]
    CombiningStart(String),
    #[error("names starting with `.commis-tmp-` are commis's own temporary files")]
    TempName,
    #[error("this operation needs a path inside the granted folder, not the folder itself")]
    IsTheFolder,
    #[error("several folders are granted; start the path with one of: {0}")]
    NeedsFolderName(String),
    #[error("`{name}` is not a granted folder (granted: {granted})")]
    NotAGrantedFolder { name: String, granted: String },
    #[error("a folder cannot be moved into itself (`{0}`)")]
    IntoItself(String),
    #[error("it is created or moved by an earlier item of this batch; move the original instead")]
    MovedEarlierInBatch,
    #[error("it goes through a symbolic link, which commis does not follow here")]
    ThroughSymlink,
    #[error("it resolves outside the granted folder (symbolic link or mount point)")]
    ResolvesOutside,
    #[error("it is a symbolic link, which commis does not follow here")]
    Symlink,
}

/// Why a granted folder cannot be opened as one (see [`WorkspaceError::Grant`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GrantProblem {
    #[error("no folder was granted")]
    NoneGranted,
    /// `kind` says what failed (missing, no permission...) for the user's language.
    #[error("cannot open it ({detail})")]
    CannotOpen {
        kind: std::io::ErrorKind,
        detail: String,
    },
    #[error("cannot open it as a folder ({detail})")]
    NotAFolder {
        kind: std::io::ErrorKind,
        detail: String,
    },
    #[error(
        "it overlaps commis's own state ({0}); grant a folder that neither contains nor lies inside COMMIS_HOME"
    )]
    OverlapsState(String),
    #[error("its name cannot be used in paths; grant a folder with a plain name")]
    UnusableName,
    #[error("another granted folder is also named `{0}`")]
    SameName(String),
    #[error("it overlaps the granted folder {0}; grant only the outer one")]
    Nested(String),
    #[error("a journal entry points at commis's own state folder; refusing to undo")]
    JournalPointsAtState,
}

/// Why a run has nothing to undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NothingToUndo {
    #[error("it was already undone")]
    AlreadyUndone,
    #[error("it changed no file")]
    NoChange,
}

/// A later run that changed files an older run's undo would need (see
/// [`WorkspaceError::NewerRunFirst`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewerRun {
    pub run: RunId,
    /// The paths both runs touched (a few; relative to the granted folder).
    pub paths: Vec<String>,
    /// The newest journal entry of that run: runs are undone from the highest down.
    pub last_entry: u64,
}

/// The crate's result type.
pub type Result<T, E = WorkspaceError> = std::result::Result<T, E>;

impl WorkspaceError {
    pub(crate) fn io(op: &'static str, path: &str, source: impl Into<std::io::Error>) -> Self {
        WorkspaceError::Io {
            op,
            path: path.to_string(),
            source: source.into(),
        }
    }
}
