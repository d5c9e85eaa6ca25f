//! What a crash leaves behind: commis's temporary files (`.commis-tmp-PID-…`), written next
//! to their destination and renamed over it, or holding a file caught mid-deletion. Finding
//! them, telling whether their writer is still alive, and removing them with their bytes kept
//! in the backup store.

use std::os::fd::OwnedFd;

use commis_core::Millis;
use rustix::fs::{Mode, OFlags};

use crate::blobs::BlobStore;
use crate::confined::{Kind, Meta, lstat_at, resolve_err, unlink_backed};
use crate::error::{Result, WorkspaceError};
use crate::path::{TEMP_PREFIX, is_temp_name};

/// Whether the temporary file `name` is left over: its writer (the process id the name
/// starts with) is gone, or it was last written before `cutoff`.
pub(crate) fn orphaned(name: &str, m: &Meta, cutoff: Millis) -> bool {
    if m.mtime_ms <= cutoff {
        return true;
    }
    let Some(pid) = owner_pid(name) else {
        return true; // not a name commis writes: nobody is writing it
    };
    if pid == std::process::id() {
        return false;
    }
    !process_alive(pid)
}

fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.get(TEMP_PREFIX.len()..)?;
    rest.split('-').next()?.parse().ok()
}

/// Whether process `pid` exists. Without `/proc` (macOS), every process counts as alive and
/// only age decides.
fn process_alive(pid: u32) -> bool {
    let proc_root = std::path::Path::new("/proc");
    if !proc_root.join("self").exists() {
        return true;
    }
    proc_root.join(pid.to_string()).exists()
}

/// Removes, under the folder `fd` (recursively, never following symlinks), the temporary
/// files `remove` selects; `prefix` is how the folder's paths are shown. Their bytes go into
/// the backup store first. Appends their paths to `removed`.
pub(crate) fn clean_in(
    fd: &OwnedFd,
    prefix: &str,
    blobs: &BlobStore,
    remove: &dyn Fn(&str, &Meta) -> bool,
    removed: &mut Vec<String>,
) -> Result<()> {
    let here = if prefix.is_empty() { "." } else { prefix };
    let mut d = rustix::fs::Dir::read_from(fd).map_err(|e| WorkspaceError::io("list", here, e))?;
    let mut names = Vec::new();
    while let Some(entry) = d.read() {
        let entry = entry.map_err(|e| WorkspaceError::io("list", here, e))?;
        if let Ok(name) = entry.file_name().to_str()
            && name != "."
            && name != ".."
        {
            names.push(name.to_string());
        }
    }
    for name in names {
        let shown = format!("{prefix}{name}");
        let Some(m) = lstat_at(fd, &name, &shown)? else {
            continue;
        };
        if m.kind == Kind::Dir && !is_temp_name(&name) {
            let sub = rustix::fs::openat(
                fd,
                name.as_str(),
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| resolve_err(e, "list", &shown));
            match sub {
                Ok(sub) => clean_in(&sub, &format!("{shown}/"), blobs, remove, removed)?,
                // An unreadable folder holds no temporary file of ours.
                Err(e) => tracing::warn!("temporary files: skipped `{shown}`: {e}"),
            }
        } else if m.kind == Kind::File && m.nlink == 1 && is_temp_name(&name) && remove(&name, &m) {
            match unlink_backed(fd, &name, &shown, blobs) {
                Ok(_) => removed.push(shown),
                Err(WorkspaceError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}
