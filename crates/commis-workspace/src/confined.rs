//! Kernel-side confinement: every file is reached relative to a held handle on the granted
//! folder, never by re-opening a path that was checked earlier.
//!
//! On Linux (5.6+), paths are resolved by `openat2` with `RESOLVE_BENEATH` (nothing above the
//! folder, no absolute symlinks) and `RESOLVE_NO_MAGICLINKS`; for anything that changes files,
//! `RESOLVE_NO_SYMLINKS` as well. Elsewhere, or when `openat2` is unavailable (old kernels,
//! seccomp filters), the path is walked one name at a time with `O_NOFOLLOW`, which refuses
//! every symlink. Either way the last name of a mutated path is handled with `*at` calls on
//! the parent's handle (`renameat`, `unlinkat`, `mkdirat`), which never follow a symlink.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;
use sha2::{Digest, Sha256};

use crate::blobs::{BlobStore, unique_suffix};
use crate::error::{GrantProblem, PathRefusal, Result, WorkspaceError};
use crate::path::{TEMP_PREFIX, is_temp_name};

/// What is at a path, from `lstat` (symlinks are not followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Dir,
    Symlink,
    Other,
}

/// The parts of `struct stat` commis uses, in portable types.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
    pub kind: Kind,
    pub size: u64,
    pub nlink: u64,
    pub mtime_ms: i64,
    pub perm: u32,
}

#[allow(clippy::unnecessary_cast)] // field types differ between targets
fn meta(st: &rustix::fs::Stat) -> Meta {
    let kind = match FileType::from_raw_mode(st.st_mode as _) {
        FileType::RegularFile => Kind::File,
        FileType::Directory => Kind::Dir,
        FileType::Symlink => Kind::Symlink,
        _ => Kind::Other,
    };
    Meta {
        kind,
        size: st.st_size.max(0) as u64,
        nlink: st.st_nlink as u64,
        mtime_ms: (st.st_mtime as i64) * 1000 + (st.st_mtime_nsec as i64) / 1_000_000,
        // Without setuid/setgid/sticky: a rewritten file must not inherit privileges.
        perm: (st.st_mode as u32) & 0o777,
    }
}

/// Maps an error of path resolution to what it means for the user.
pub(crate) fn resolve_err(e: Errno, op: &'static str, shown: &str) -> WorkspaceError {
    let path = shown.to_string();
    match e {
        Errno::NOENT => WorkspaceError::NotFound { path },
        Errno::NOTDIR => WorkspaceError::NotADirectory { path },
        Errno::LOOP => WorkspaceError::OutsideGrant {
            path,
            reason: PathRefusal::ThroughSymlink,
        },
        Errno::XDEV => WorkspaceError::OutsideGrant {
            path,
            reason: PathRefusal::ResolvesOutside,
        },
        Errno::EXIST => WorkspaceError::AlreadyExists { path },
        Errno::ISDIR => WorkspaceError::IsADirectory { path },
        Errno::NOTEMPTY => WorkspaceError::DirectoryNotEmpty { path },
        other => WorkspaceError::io(op, shown, other),
    }
}

/// A granted folder, held open for the life of the workspace.
#[derive(Debug)]
pub(crate) struct RootDir {
    /// Canonical path of the folder (for messages and the journal; never re-opened).
    pub path: PathBuf,
    fd: OwnedFd,
    /// Whether `openat2` with `RESOLVE_BENEATH` works here.
    beneath: bool,
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::CLOEXEC)
    .union(OFlags::NOCTTY);
/// `NONBLOCK` so that a FIFO planted in the folder cannot hang an open.
const READ_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::CLOEXEC)
    .union(OFlags::NOCTTY)
    .union(OFlags::NONBLOCK);

impl RootDir {
    /// Opens the granted folder `path` (which must exist and be a folder).
    pub fn open(path: &Path) -> Result<RootDir> {
        let canonical = std::fs::canonicalize(path).map_err(|e| WorkspaceError::Grant {
            path: path.to_path_buf(),
            reason: GrantProblem::CannotOpen {
                kind: e.kind(),
                detail: e.to_string(),
            },
        })?;
        let fd = rustix::fs::open(&canonical, DIR_FLAGS, Mode::empty()).map_err(|e| {
            WorkspaceError::Grant {
                path: path.to_path_buf(),
                reason: GrantProblem::NotAFolder {
                    kind: std::io::Error::from(e).kind(),
                    detail: e.to_string(),
                },
            }
        })?;
        let beneath = probe_beneath(&fd);
        if !beneath {
            tracing::debug!(
                "openat2 unavailable; resolving paths one name at a time without symlinks"
            );
        }
        Ok(RootDir {
            path: canonical,
            fd,
            beneath,
        })
    }

    /// Resolves without `openat2` from now on (the stricter portable walk).
    pub fn force_portable(&mut self) {
        self.beneath = false;
    }

    /// Whether `openat2` resolution is in use.
    pub fn uses_openat2(&self) -> bool {
        self.beneath
    }

    /// Opens the folder at `comps`. `write` refuses every symlink on the way; otherwise
    /// symlinks that stay inside the folder are followed (where `openat2` is available).
    pub fn open_dir(&self, comps: &[String], shown: &str, write: bool) -> Result<OwnedFd> {
        if comps.is_empty() {
            return self
                .fd
                .try_clone()
                .map_err(|e| WorkspaceError::io("open", shown, e));
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if self.beneath {
            return rustix::fs::openat2(
                &self.fd,
                crate::path::join(comps),
                DIR_FLAGS,
                Mode::empty(),
                resolve_flags(write),
            )
            .map_err(|e| resolve_err(e, "open", shown));
        }
        let _ = write;
        self.walk(comps, shown)
    }

    /// One name at a time, refusing symlinks: race-free because each step is relative to
    /// the handle of the previous one.
    fn walk(&self, comps: &[String], shown: &str) -> Result<OwnedFd> {
        let mut cur = self
            .fd
            .try_clone()
            .map_err(|e| WorkspaceError::io("open", shown, e))?;
        for c in comps {
            cur = rustix::fs::openat(
                &cur,
                c.as_str(),
                DIR_FLAGS | OFlags::NOFOLLOW,
                Mode::empty(),
            )
            .map_err(|e| resolve_err(e, "open", shown))?;
        }
        Ok(cur)
    }

    /// Opens whatever is at `comps` (file or folder) for reading, with the rules of
    /// [`RootDir::open_dir`], and returns it with its metadata.
    pub fn open_any(&self, comps: &[String], shown: &str, write: bool) -> Result<(OwnedFd, Meta)> {
        let Some((name, parent)) = comps.split_last() else {
            let fd = self.open_dir(comps, shown, write)?;
            let m = fstat(&fd, shown)?;
            return Ok((fd, m));
        };
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let fd = if self.beneath {
            let mut flags = READ_FLAGS;
            if write {
                flags |= OFlags::NOFOLLOW;
            }
            rustix::fs::openat2(
                &self.fd,
                crate::path::join(comps),
                flags,
                Mode::empty(),
                resolve_flags(write),
            )
            .map_err(|e| resolve_err(e, "open", shown))?
        } else {
            let dir = self.walk(parent, shown)?;
            rustix::fs::openat(
                &dir,
                name.as_str(),
                READ_FLAGS | OFlags::NOFOLLOW,
                Mode::empty(),
            )
            .map_err(|e| resolve_err(e, "open", shown))?
        };
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let fd = {
            let dir = self.walk(parent, shown)?;
            rustix::fs::openat(
                &dir,
                name.as_str(),
                READ_FLAGS | OFlags::NOFOLLOW,
                Mode::empty(),
            )
            .map_err(|e| resolve_err(e, "open", shown))?
        };
        let m = fstat(&fd, shown)?;
        Ok((fd, m))
    }

    /// Opens the regular file at `comps` for reading. Refuses folders, devices, pipes,
    /// symlinks leading out (all symlinks when `write`) and files with other hard links.
    pub fn open_file(&self, comps: &[String], shown: &str, write: bool) -> Result<(File, Meta)> {
        if comps.is_empty() {
            return Err(WorkspaceError::IsADirectory {
                path: shown.to_string(),
            });
        }
        let (fd, m) = self.open_any(comps, shown, write)?;
        check_plain_file(&m, shown)?;
        Ok((File::from(fd), m))
    }

    /// The handle of the parent folder of `comps` (no symlinks allowed) and the last name.
    pub fn parent_of(&self, comps: &[String], shown: &str) -> Result<(OwnedFd, String)> {
        let Some((name, parent)) = comps.split_last() else {
            return Err(WorkspaceError::InvalidPath {
                path: shown.to_string(),
                reason: PathRefusal::IsTheFolder,
            });
        };
        Ok((self.open_dir(parent, shown, true)?, name.clone()))
    }

    /// What is at `comps` without following a final symlink; `None` if nothing is there.
    /// Folders on the way must not be symlinks.
    pub fn lstat(&self, comps: &[String], shown: &str) -> Result<Option<Meta>> {
        if comps.is_empty() {
            return Ok(Some(fstat(&self.fd, shown)?));
        }
        let (dir, name) = match self.parent_of(comps, shown) {
            Ok(v) => v,
            Err(WorkspaceError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        lstat_at(&dir, &name, shown)
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn resolve_flags(write: bool) -> rustix::fs::ResolveFlags {
    use rustix::fs::ResolveFlags;
    let mut f = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
    if write {
        f |= ResolveFlags::NO_SYMLINKS;
    }
    f
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn probe_beneath(fd: &OwnedFd) -> bool {
    rustix::fs::openat2(
        fd,
        ".",
        DIR_FLAGS,
        Mode::empty(),
        rustix::fs::ResolveFlags::BENEATH,
    )
    .is_ok()
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn probe_beneath(_fd: &OwnedFd) -> bool {
    false
}

pub(crate) fn fstat(fd: impl AsFd, shown: &str) -> Result<Meta> {
    rustix::fs::fstat(fd)
        .map(|s| meta(&s))
        .map_err(|e| WorkspaceError::io("stat", shown, e))
}

/// `lstat` of `name` in `dir`; `None` if nothing is there.
pub(crate) fn lstat_at(dir: &OwnedFd, name: &str, shown: &str) -> Result<Option<Meta>> {
    match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(s) => Ok(Some(meta(&s))),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(resolve_err(e, "stat", shown)),
    }
}

/// Refuses anything but a regular file with a single name.
pub(crate) fn check_plain_file(m: &Meta, shown: &str) -> Result<()> {
    let path = shown.to_string();
    match m.kind {
        Kind::File if m.nlink > 1 => Err(WorkspaceError::HardLinked { path }),
        Kind::File => Ok(()),
        Kind::Dir => Err(WorkspaceError::IsADirectory { path }),
        Kind::Symlink => Err(WorkspaceError::OutsideGrant {
            path,
            reason: PathRefusal::Symlink,
        }),
        Kind::Other => Err(WorkspaceError::NotARegularFile { path }),
    }
}

/// Opens `name` in `dir` for reading, without following a symlink, refusing anything but a
/// plain single-link file.
pub(crate) fn open_file_at(dir: &OwnedFd, name: &str, shown: &str) -> Result<(File, Meta)> {
    let fd = rustix::fs::openat(dir, name, READ_FLAGS | OFlags::NOFOLLOW, Mode::empty())
        .map_err(|e| resolve_err(e, "open", shown))?;
    let m = fstat(&fd, shown)?;
    check_plain_file(&m, shown)?;
    Ok((File::from(fd), m))
}

/// SHA-256 of everything `reader` yields.
pub(crate) fn hash_reader(mut reader: impl Read, shown: &str) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(WorkspaceError::io("read", shown, e)),
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Copies the file `name` in `dir` into the backup store and returns its hash.
pub(crate) fn backup_at(
    dir: &OwnedFd,
    name: &str,
    shown: &str,
    blobs: &BlobStore,
) -> Result<String> {
    let (file, _) = open_file_at(dir, name, shown)?;
    blobs.put_file(file, true, shown)
}

/// `COMMIS_SOAK_DELAY_MS`: a benchmarking knob for `scripts/soak-kill9.sh`, unset in normal
/// use. Holds every file write with its temporary file in place, every batch item and every
/// undo action this many milliseconds, so a `kill -9` can land at those moments on purpose.
pub(crate) fn soak_pause() {
    static DELAY: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let delay = DELAY.get_or_init(|| std::env::var("COMMIS_SOAK_DELAY_MS").ok()?.parse().ok());
    if let Some(ms) = *delay {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

fn temp_name() -> String {
    format!("{TEMP_PREFIX}{}", unique_suffix())
}

/// Flushes a folder's entries to disk after a rename, creation or removal. Best effort: the
/// change has already happened, so a failure here (some network and FUSE file systems refuse
/// to flush folders) must not make the journal say it did not.
pub(crate) fn fsync_dir(dir: &OwnedFd, shown: &str) {
    if let Err(e) = rustix::fs::fsync(dir) {
        tracing::warn!("could not flush the folder of `{shown}` to disk: {e}");
    }
}

/// Renames without ever replacing what is at the destination.
pub(crate) fn rename_noreplace(
    from_dir: &OwnedFd,
    from: &str,
    to_dir: &OwnedFd,
    to: &str,
) -> std::result::Result<(), Errno> {
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios"
    ))]
    match rustix::fs::renameat_with(
        from_dir,
        from,
        to_dir,
        to,
        rustix::fs::RenameFlags::NOREPLACE,
    ) {
        Err(Errno::INVAL) | Err(Errno::NOSYS) | Err(Errno::NOTSUP) => {}
        other => return other,
    }
    // File systems without an atomic no-replace rename: a check, then the rename. The
    // window is small and the worst case is replacing a file created in between.
    match rustix::fs::statat(to_dir, to, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(_) => Err(Errno::EXIST),
        Err(Errno::NOENT) => rustix::fs::renameat(from_dir, from, to_dir, to),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` as `name` in `dir`: a temporary file in the same folder, flushed, then
/// renamed over the name, then the folder flushed. Readers see the old content or the new,
/// never a mix; on any error the temporary file is removed. `replace` allows an existing
/// file to be replaced; without it an existing name is never clobbered, even by a race.
/// `perm` keeps the permissions of the file being replaced.
pub(crate) fn write_atomic(
    dir: &OwnedFd,
    name: &str,
    shown: &str,
    bytes: &[u8],
    perm: Option<u32>,
    replace: bool,
    before_rename: &dyn Fn() -> std::io::Result<()>,
) -> Result<()> {
    let mut attempt = 0;
    let (tmp, fd) = loop {
        let tmp = temp_name();
        match rustix::fs::openat(
            dir,
            tmp.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        ) {
            Ok(fd) => break (tmp, fd),
            Err(Errno::EXIST) if attempt < 8 => attempt += 1,
            Err(e) => return Err(resolve_err(e, "create a temporary file for", shown)),
        }
    };
    let result = (|| {
        let mut file = File::from(fd);
        file.write_all(bytes)
            .map_err(|e| WorkspaceError::io("write", shown, e))?;
        if let Some(perm) = perm {
            rustix::fs::fchmod(&file, Mode::from_raw_mode(perm as _))
                .map_err(|e| WorkspaceError::io("set permissions of", shown, e))?;
        }
        file.sync_all()
            .map_err(|e| WorkspaceError::io("flush", shown, e))?;
        drop(file);
        soak_pause();
        before_rename().map_err(|e| WorkspaceError::io("write", shown, e))?;
        if replace {
            rustix::fs::renameat(dir, tmp.as_str(), dir, name)
        } else {
            rename_noreplace(dir, &tmp, dir, name)
        }
        .map_err(|e| resolve_err(e, "write", shown))
    })();
    if let Err(e) = result {
        let _ = rustix::fs::unlinkat(dir, tmp.as_str(), AtFlags::empty());
        return Err(e);
    }
    fsync_dir(dir, shown);
    Ok(())
}

/// Removes the file `name` from `dir`, keeping its bytes: it is first renamed to a temporary
/// name (so nobody writes to it by name any more), copied into the backup store, then
/// unlinked. Returns the hash of what was removed. If backing up fails the file is put back.
pub(crate) fn unlink_backed(
    dir: &OwnedFd,
    name: &str,
    shown: &str,
    blobs: &BlobStore,
) -> Result<String> {
    let tmp = temp_name();
    rename_noreplace(dir, name, dir, &tmp).map_err(|e| resolve_err(e, "remove", shown))?;
    match backup_at(dir, &tmp, shown, blobs) {
        Ok(hash) => {
            rustix::fs::unlinkat(dir, tmp.as_str(), AtFlags::empty())
                .map_err(|e| WorkspaceError::io("remove", shown, e))?;
            fsync_dir(dir, shown);
            Ok(hash)
        }
        Err(e) => {
            let _ = rename_noreplace(dir, &tmp, dir, name);
            Err(e)
        }
    }
}

/// The names in the folder `dir`, sorted, without `.`/`..`, commis's temporary files and
/// names that are not UTF-8 (which no tool could name anyway).
pub(crate) fn read_names(dir: &OwnedFd, shown: &str) -> Result<Vec<String>> {
    let mut d =
        rustix::fs::Dir::read_from(dir).map_err(|e| WorkspaceError::io("list", shown, e))?;
    let mut names = Vec::new();
    while let Some(entry) = d.read() {
        let entry = entry.map_err(|e| WorkspaceError::io("list", shown, e))?;
        let Ok(name) = entry.file_name().to_str() else {
            continue;
        };
        if name == "." || name == ".." || is_temp_name(name) {
            continue;
        }
        names.push(name.to_string());
    }
    names.sort();
    Ok(names)
}
