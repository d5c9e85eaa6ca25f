//! One run per folder at a time: an advisory lock per granted folder, kept in commis's own
//! state folder (never in the user's folder).
//!
//! The lock is an OS file lock (`flock`) on `LOCKS_DIR/folder-HASH.lock`, so the kernel
//! releases it when the holding process dies, even by `kill -9`: a dead holder never blocks
//! anyone. The file also names its holder (run, process, start time) so a refusal can say
//! which run is using the folder; a holder that is named in the file but no longer holds the
//! lock died without releasing it, and the next run reports that it took over.
//!
//! Not for: locking between threads of one process (the engine does not drive two runs on one
//! folder), nor for folders on network file systems whose `flock` is not shared between hosts.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use commis_core::Millis;
use serde::{Deserialize, Serialize};

use crate::blobs::sha256_hex;
use crate::error::{Result, WorkspaceError};

/// Who holds (or held) a folder's lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    /// The run using the folder (or what else is: `undo RUN`).
    pub run_id: String,
    pub pid: u32,
    /// When it took the lock (milliseconds since the epoch).
    pub since: Millis,
    /// The folder locked, as granted.
    pub folder: PathBuf,
}

impl LockHolder {
    /// A holder for the current process.
    pub fn this_process(run_id: &str, folder: &Path) -> LockHolder {
        LockHolder {
            run_id: run_id.to_string(),
            pid: std::process::id(),
            since: commis_core::now_millis(),
            folder: folder.to_path_buf(),
        }
    }
}

impl LockHolder {
    /// `HH:MM:SS` UTC of when it took the lock: enough to recognise a run started a moment ago.
    pub fn since_clock(&self) -> String {
        clock(self.since)
    }
}

/// A held folder lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
    /// A previous holder that died without releasing the lock, if any.
    pub taken_over: Option<LockHolder>,
}

impl FolderLock {
    /// Takes the lock of `folder` for `holder` without waiting. When another live process
    /// holds it, fails with [`WorkspaceError::FolderBusy`] naming that holder.
    pub fn try_acquire(locks_dir: &Path, holder: &LockHolder) -> Result<FolderLock> {
        std::fs::create_dir_all(locks_dir).map_err(|e| {
            WorkspaceError::io(
                "create the lock folder",
                &locks_dir.display().to_string(),
                e,
            )
        })?;
        let path = lock_path(locks_dir, &holder.folder);
        let shown = path.display().to_string();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| WorkspaceError::io("open the lock", &shown, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(WorkspaceError::FolderBusy {
                    folder: holder.folder.clone(),
                    holder: read_holder(&mut file),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(WorkspaceError::io("lock", &shown, e));
            }
        }
        // A holder still named in the file released nothing: it died.
        let taken_over = read_holder(&mut file).filter(|h| h.pid != std::process::id());
        let body = serde_json::to_vec(holder).unwrap_or_default();
        let written = (|| -> std::io::Result<()> {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(&body)?;
            file.flush()
        })();
        written.map_err(|e| WorkspaceError::io("write the lock", &shown, e))?;
        Ok(FolderLock {
            file,
            path,
            taken_over,
        })
    }

    /// The lock file (in commis's state folder).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Emptied before the lock goes: a name left in the file means its holder died.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn lock_path(locks_dir: &Path, folder: &Path) -> PathBuf {
    let key = sha256_hex(folder.as_os_str().as_encoded_bytes());
    locks_dir.join(format!("folder-{}.lock", &key[..24]))
}

fn read_holder(file: &mut File) -> Option<LockHolder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(64 * 1024).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

/// The message of a folder in use (for logs; front ends say it in the user's language from
/// the error's fields): which run holds it, since when, and what to do (wait with `--wait`,
/// or stop that run).
pub fn folder_busy_message(folder: &Path, holder: Option<&LockHolder>) -> String {
    let folder = folder.display();
    match holder {
        Some(h) => format!(
            "The folder {folder} is already in use by run {} (process {}, since {}): one run \
             per folder at a time. Wait for it to finish (run again with --wait to wait \
             automatically) or stop it.",
            h.run_id,
            h.pid,
            h.since_clock()
        ),
        None => format!(
            "The folder {folder} is already in use by another commis run: run again with \
             --wait to wait for it to finish."
        ),
    }
}

/// `HH:MM:SS` UTC of a timestamp: enough to recognise a run started a moment ago.
fn clock(ms: Millis) -> String {
    let secs = (ms / 1000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(run: &str, folder: &Path) -> LockHolder {
        LockHolder::this_process(run, folder)
    }

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_run_named() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("clients");
        let first = FolderLock::try_acquire(tmp.path(), &holder("run-a", &folder)).unwrap();
        assert!(first.taken_over.is_none());
        match FolderLock::try_acquire(tmp.path(), &holder("run-b", &folder)) {
            Err(WorkspaceError::FolderBusy {
                holder: Some(h), ..
            }) => {
                assert_eq!(h.run_id, "run-a");
                assert_eq!(h.pid, std::process::id());
            }
            other => panic!("expected FolderBusy, got {other:?}"),
        }
        // Another folder is independent.
        FolderLock::try_acquire(tmp.path(), &holder("run-c", &tmp.path().join("other"))).unwrap();
        drop(first);
        let again = FolderLock::try_acquire(tmp.path(), &holder("run-b", &folder)).unwrap();
        assert!(
            again.taken_over.is_none(),
            "a released lock names no dead holder"
        );
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_taken_over_and_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("clients");
        // What a process killed with -9 leaves: its name in the file, no lock held.
        let dead = LockHolder {
            run_id: "run-dead".into(),
            pid: u32::MAX - 7,
            since: 0,
            folder: folder.clone(),
        };
        std::fs::write(
            lock_path(tmp.path(), &folder),
            serde_json::to_vec(&dead).unwrap(),
        )
        .unwrap();
        let lock = FolderLock::try_acquire(tmp.path(), &holder("run-new", &folder)).unwrap();
        assert_eq!(
            lock.taken_over.as_ref().map(|h| h.run_id.as_str()),
            Some("run-dead")
        );
    }

    #[test]
    fn the_busy_message_names_the_run_the_folder_and_the_wait_flag() {
        let h = holder("20261203-101500-abcd", Path::new("/home/a/Clients"));
        let m = folder_busy_message(&h.folder, Some(&h));
        assert!(
            m.contains("20261203-101500-abcd") && m.contains("--wait"),
            "{m}"
        );
        assert!(m.contains("/home/a/Clients"), "{m}");
        assert!(m.contains("already in use"), "{m}");
    }
}
