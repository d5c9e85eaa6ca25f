//! Checks a [`CommandRequest`] and resolves its paths before any process is created, and keeps
//! the output within its byte budget.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{CommandRequest, DEFAULT_PATH, SandboxError, Stream};

/// A request whose paths are canonical and whose program is resolved.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub argv: Vec<String>,
    /// Absolute path of the program to `execve`.
    pub program: PathBuf,
    pub cwd: PathBuf,
    pub writable: Vec<PathBuf>,
    pub readable: Vec<PathBuf>,
    pub timeout: Duration,
    pub max_output_bytes: usize,
    pub max_processes: u64,
    pub max_memory_bytes: u64,
    pub env: Vec<(String, String)>,
}

fn invalid(reason: impl Into<String>) -> SandboxError {
    SandboxError::InvalidRequest {
        reason: reason.into(),
    }
}

/// Canonicalises a granted folder: it must be an existing absolute directory other than `/`.
fn canonical_folder(path: &Path, kind: &str) -> Result<PathBuf, SandboxError> {
    if !path.is_absolute() {
        return Err(invalid(format!(
            "{kind} folder {} is not an absolute path",
            path.display()
        )));
    }
    let canonical = path.canonicalize().map_err(|e| {
        invalid(format!(
            "{kind} folder {} cannot be opened: {e}",
            path.display()
        ))
    })?;
    if !canonical.is_dir() {
        return Err(invalid(format!(
            "{kind} folder {} is not a directory",
            path.display()
        )));
    }
    if canonical.parent().is_none() {
        return Err(invalid(format!(
            "{kind} folder {} is the root of the file system; grant a narrower folder",
            path.display()
        )));
    }
    // The sandbox builds its own /proc and /dev; the host's must never be granted.
    if ["/proc", "/sys", "/dev"]
        .iter()
        .any(|special| canonical.starts_with(special))
    {
        return Err(invalid(format!(
            "{kind} folder {} is a kernel or device file system, which cannot be granted",
            path.display()
        )));
    }
    if canonical.to_str().is_none_or(|s| s.contains('\0')) {
        return Err(invalid(format!(
            "{kind} folder {} is not valid UTF-8",
            path.display()
        )));
    }
    Ok(canonical)
}

pub(crate) fn validate(req: &CommandRequest) -> Result<Checked, SandboxError> {
    let Some(first) = req.argv.first() else {
        return Err(invalid("argv is empty; give at least the program to run"));
    };
    if req.argv.iter().any(|a| a.contains('\0')) {
        return Err(invalid("an argument contains a NUL byte"));
    }
    for (key, value) in &req.env {
        if key.is_empty() || key.contains('=') || key.contains('\0') || value.contains('\0') {
            return Err(invalid(format!(
                "environment variable name `{key}` is empty or contains `=` or NUL"
            )));
        }
    }
    if req.timeout.is_zero() {
        return Err(invalid("timeout is zero"));
    }
    if req.max_processes == 0 {
        return Err(invalid(
            "max_processes is zero; the program itself needs one",
        ));
    }
    if req.max_memory_bytes < (16 << 20) {
        return Err(invalid(
            "max_memory_bytes is below 16 MiB; no program can start with that",
        ));
    }
    if req.writable.is_empty() {
        return Err(invalid(
            "no writable folder: the working directory must be inside a granted read-write folder",
        ));
    }
    let mut writable = Vec::new();
    for p in &req.writable {
        let c = canonical_folder(p, "writable")?;
        if !writable.contains(&c) {
            writable.push(c);
        }
    }
    let mut readable = Vec::new();
    for p in &req.readable {
        let c = canonical_folder(p, "readable")?;
        if !readable.contains(&c) && !writable.contains(&c) {
            readable.push(c);
        }
    }
    // A grant nested in a writable grant may have been replaced by a symlink by an earlier
    // command: following it would expose whatever it points to. Below a writable grant, the
    // path of another grant must resolve component by component to itself (symlinks above
    // the writable grant, such as a linked ~/Documents, are fine).
    let outer: Vec<(&PathBuf, PathBuf)> = req
        .writable
        .iter()
        .filter_map(|p| Some((p, p.canonicalize().ok()?)))
        .collect();
    for (given, canonical) in req
        .writable
        .iter()
        .chain(&req.readable)
        .filter_map(|p| Some((p, p.canonicalize().ok()?)))
    {
        for (outer_given, outer_canonical) in &outer {
            let rest = given
                .strip_prefix(outer_given)
                .or_else(|_| given.strip_prefix(outer_canonical));
            if let Ok(rest) = rest
                && !rest.as_os_str().is_empty()
                && outer_canonical.join(rest) != canonical
            {
                return Err(invalid(format!(
                    "folder {} is inside the writable folder {} and reaches {} through a \
                     symbolic link; grant the real directory",
                    given.display(),
                    outer_given.display(),
                    canonical.display()
                )));
            }
        }
    }
    if !req.cwd.is_absolute() {
        return Err(invalid(format!(
            "working directory {} is not absolute",
            req.cwd.display()
        )));
    }
    let cwd = req.cwd.canonicalize().map_err(|e| {
        invalid(format!(
            "working directory {} cannot be opened: {e}",
            req.cwd.display()
        ))
    })?;
    // Canonical paths make a symlink planted inside a folder unable to move cwd outside it.
    if !writable.iter().any(|w| cwd.starts_with(w)) {
        return Err(invalid(format!(
            "working directory {} is not inside a writable folder",
            req.cwd.display()
        )));
    }
    let path_var = req
        .env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| DEFAULT_PATH.to_string());
    let program = resolve_program(first, &cwd, &path_var)?;
    Ok(Checked {
        argv: req.argv.clone(),
        program,
        cwd,
        writable,
        readable,
        timeout: req.timeout,
        max_output_bytes: req.max_output_bytes,
        max_processes: req.max_processes,
        max_memory_bytes: req.max_memory_bytes,
        env: req.env.clone(),
    })
}

/// Finds the program like a shell would: as given when it contains `/` (relative to `cwd`),
/// otherwise in the `PATH` directories.
fn resolve_program(name: &str, cwd: &Path, path_var: &str) -> Result<PathBuf, SandboxError> {
    if name.is_empty() {
        return Err(invalid("argv[0] is empty"));
    }
    if name.contains('/') {
        let p = cwd.join(name);
        if p.exists() {
            return Ok(p);
        }
    } else {
        for dir in path_var.split(':').filter(|d| d.starts_with('/')) {
            let candidate = Path::new(dir).join(name);
            if is_executable_file(&candidate) {
                return Ok(candidate);
            }
        }
    }
    Err(SandboxError::CommandNotFound {
        program: name.to_string(),
        path: path_var.to_string(),
    })
}

fn is_executable_file(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Collects output up to a byte budget shared by stdout and stderr.
pub(crate) struct OutputSink {
    limit: usize,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub truncated: bool,
}

impl OutputSink {
    pub fn new(limit: usize) -> Self {
        OutputSink {
            limit,
            stdout: Vec::new(),
            stderr: Vec::new(),
            truncated: false,
        }
    }

    /// Keeps what fits in the budget, hands it to the callback, and drops the rest.
    pub fn push(&mut self, stream: Stream, bytes: &[u8], on_output: &mut dyn FnMut(Stream, &[u8])) {
        let used = self.stdout.len() + self.stderr.len();
        let room = self.limit.saturating_sub(used);
        let kept = &bytes[..bytes.len().min(room)];
        if kept.len() < bytes.len() {
            self.truncated = true;
        }
        if kept.is_empty() {
            return;
        }
        match stream {
            Stream::Stdout => self.stdout.extend_from_slice(kept),
            Stream::Stderr => self.stderr.extend_from_slice(kept),
        }
        on_output(stream, kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_beyond_the_budget_is_dropped_and_flagged() {
        let mut sink = OutputSink::new(5);
        let mut seen = Vec::new();
        sink.push(Stream::Stdout, b"abc", &mut |_, b| {
            seen.extend_from_slice(b)
        });
        sink.push(Stream::Stderr, b"defgh", &mut |_, b| {
            seen.extend_from_slice(b)
        });
        assert_eq!(sink.stdout, b"abc");
        assert_eq!(sink.stderr, b"de");
        assert_eq!(seen, b"abcde");
        assert!(sink.truncated);
    }

    #[test]
    fn cwd_outside_the_writable_folders_is_refused() {
        let granted = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let mut req = CommandRequest::new(vec!["true".into()], other.path().to_path_buf());
        req.writable = vec![granted.path().to_path_buf()];
        assert!(matches!(
            validate(&req),
            Err(SandboxError::InvalidRequest { .. })
        ));
    }

    #[test]
    fn granting_the_root_folder_is_refused() {
        let mut req = CommandRequest::new(vec!["true".into()], "/".into());
        req.writable = vec!["/".into()];
        assert!(matches!(
            validate(&req),
            Err(SandboxError::InvalidRequest { .. })
        ));
    }

    #[test]
    fn a_nested_grant_that_is_a_symlink_is_refused() {
        let outer = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let link = outer.path().join("inputs");
        std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
        let mut req = CommandRequest::new(vec!["true".into()], outer.path().to_path_buf());
        req.readable = vec![link];
        assert!(matches!(
            validate(&req),
            Err(SandboxError::InvalidRequest { .. })
        ));
        // The real directory nested in the writable folder is fine, and so is a symlink above
        // the writable folder.
        let real = outer.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let alias = elsewhere.path().join("alias");
        std::os::unix::fs::symlink(outer.path(), &alias).unwrap();
        req.writable = vec![alias.clone()];
        req.readable = vec![alias.join("real")];
        req.cwd = alias.clone();
        assert!(validate(&req).is_ok(), "{:?}", validate(&req));
    }

    #[test]
    fn granting_proc_or_dev_is_refused() {
        for special in ["/proc/self", "/dev/shm"] {
            let mut req = CommandRequest::new(vec!["true".into()], special.into());
            req.writable = vec![special.into()];
            assert!(matches!(
                validate(&req),
                Err(SandboxError::InvalidRequest { .. })
            ));
        }
    }

    #[test]
    fn a_program_missing_from_path_is_reported_as_not_found() {
        let granted = tempfile::tempdir().unwrap();
        let req = CommandRequest::new(
            vec!["no-such-program-commis".into()],
            granted.path().to_path_buf(),
        );
        assert!(matches!(
            validate(&req),
            Err(SandboxError::CommandNotFound { .. })
        ));
    }

    #[test]
    fn a_program_is_found_in_path() {
        let granted = tempfile::tempdir().unwrap();
        let req = CommandRequest::new(vec!["sh".into()], granted.path().to_path_buf());
        let checked = validate(&req).unwrap();
        assert!(checked.program.is_absolute());
        assert!(checked.program.ends_with("sh"));
    }
}
