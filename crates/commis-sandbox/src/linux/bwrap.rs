//! Fallback backend: bubblewrap (`bwrap`), for systems where an unprivileged process may not
//! set up namespaces itself but `bwrap` may (Ubuntu ≥ 23.10 restricts user namespaces through
//! AppArmor and ships a profile that allows `bwrap`).
//!
//! The same layout is requested from `bwrap` (read-only system, hidden `/etc` secrets,
//! private `/tmp`, `/proc` and `/dev`, the grants at their own paths, no network, new
//! session, die with the caller) and the same seccomp filters are handed to it through file
//! descriptors. Landlock cannot be added (a Landlock-restricted `bwrap` could not mount), and
//! limits are set inside the sandbox by `prlimit` just before the program starts.

use std::io::{self, Seek, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::request::{Checked, OutputSink};
use crate::{CancelFlag, CommandOutput, MAX_FILE_BYTES, SandboxError, Stream};

use super::{SECRET_DIRS, SECRET_FILES, SYSTEM_DIRS, TMP_MAX_BYTES, filters};

/// Where `bwrap` is looked for (not `PATH`: the caller's `PATH` must not pick the sandbox).
pub(super) const BWRAP: &str = "/usr/bin/bwrap";
const PRLIMIT: &str = "/usr/bin/prlimit";

pub(super) fn installed() -> bool {
    Path::new(BWRAP).exists() && Path::new(PRLIMIT).exists()
}

/// Why bwrap cannot be used by this process, if it cannot.
pub(super) fn refusal() -> Option<String> {
    if !installed() {
        return Some(format!(
            "bubblewrap is not installed ({BWRAP} and {PRLIMIT}); install the `bubblewrap` package"
        ));
    }
    // SAFETY: getuid cannot fail.
    if unsafe { libc::getuid() } == 0 {
        // Root's processes escape RLIMIT_NPROC and bwrap offers no other bound; our own
        // namespaces work for root wherever bwrap would.
        return Some(
            "bubblewrap is not used as root: it could not bound the number of processes; \
             run commis as a normal user"
                .into(),
        );
    }
    None
}

/// A memfd holding one seccomp program, in the layout `bwrap --add-seccomp-fd` reads.
fn seccomp_fd(prog: &[libc::sock_filter]) -> Result<OwnedFd, SandboxError> {
    let io_err = |source| SandboxError::Io {
        what: "preparing the seccomp filter for bubblewrap".into(),
        source,
    };
    // SAFETY: memfd_create with a static name; the result is checked.
    let fd = unsafe { libc::memfd_create(c"commis-seccomp".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(io_err(io::Error::last_os_error()));
    }
    // SAFETY: `fd` was just created and is owned by nobody else.
    let mut file = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    let mut bytes = Vec::with_capacity(prog.len() * 8);
    for i in prog {
        bytes.extend_from_slice(&i.code.to_ne_bytes());
        bytes.push(i.jt);
        bytes.push(i.jf);
        bytes.extend_from_slice(&i.k.to_ne_bytes());
    }
    file.write_all(&bytes).map_err(io_err)?;
    file.rewind().map_err(io_err)?;
    Ok(OwnedFd::from(file))
}

fn pipe_pair() -> Result<(OwnedFd, OwnedFd), SandboxError> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(SandboxError::Io {
            what: "creating the bubblewrap status pipe".into(),
            source: io::Error::last_os_error(),
        });
    }
    // SAFETY: both descriptors were just created.
    unsafe { Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))) }
}

/// The `bwrap` arguments for `req` (or for a probe when None), seccomp fds given by number.
fn arguments(req: Option<&Checked>, seccomp: &[i32], status_fd: i32) -> Vec<String> {
    let mut a: Vec<String> = [
        "--unshare-user",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--hostname",
        "commis-sandbox",
    ]
    .map(String::from)
    .to_vec();
    let mut push = |items: &[&str]| a.extend(items.iter().map(|s| s.to_string()));
    for dir in SYSTEM_DIRS {
        let host = Path::new(dir);
        let Ok(meta) = std::fs::symlink_metadata(host) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            if let Ok(target) = std::fs::read_link(host) {
                push(&["--symlink", &target.to_string_lossy(), dir]);
            }
        } else if meta.is_dir() {
            push(&["--ro-bind", dir, dir]);
        }
    }
    for file in SECRET_FILES {
        if Path::new(file).is_file() {
            push(&["--ro-bind", "/dev/null", file]);
        }
    }
    for dir in SECRET_DIRS {
        if Path::new(dir).is_dir() {
            push(&["--tmpfs", dir, "--remount-ro", dir]);
        }
    }
    push(&["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);
    // Host-wide knobs under /proc stay read-only (bwrap also covers sysrq-trigger itself).
    for dir in ["/proc/sys", "/proc/irq", "/proc/bus", "/proc/fs"] {
        push(&["--ro-bind-try", dir, dir]);
    }
    let _ = TMP_MAX_BYTES; // bwrap 0.8 has no --size; /tmp is bounded by the memory rlimit only.
    let mut grants: Vec<(&Path, bool)> = Vec::new();
    if let Some(r) = req {
        grants.extend(r.writable.iter().map(|p| (p.as_path(), true)));
        grants.extend(r.readable.iter().map(|p| (p.as_path(), false)));
    }
    grants.sort_by_key(|(p, _)| p.components().count());
    for (path, writable) in grants {
        let p = path.to_string_lossy();
        push(&[if writable { "--bind" } else { "--ro-bind" }, &p, &p]);
    }
    push(&["--remount-ro", "/"]);
    for fd in seccomp {
        push(&["--add-seccomp-fd", &fd.to_string()]);
    }
    push(&["--json-status-fd", &status_fd.to_string(), "--clearenv"]);
    match req {
        Some(r) => {
            push(&["--chdir", &r.cwd.to_string_lossy()]);
            for (k, v) in &r.env {
                push(&["--setenv", k, v]);
            }
            let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
            let cpu = r.timeout.as_secs().saturating_add(1).saturating_mul(cpus);
            push(&[
                "--",
                PRLIMIT,
                // bwrap's own init counts as one of the sandbox's processes.
                &format!("--nproc={}", r.max_processes + 1),
                &format!("--as={}", r.max_memory_bytes),
                &format!("--fsize={MAX_FILE_BYTES}"),
                &format!("--cpu={cpu}"),
                "--core=0",
                "--",
                &r.program.to_string_lossy(),
            ]);
            a.extend(r.argv.iter().skip(1).cloned());
        }
        None => push(&[
            "--chdir", "/tmp", "--", PRLIMIT, "--core=0", "--", "/bin/sh", "-c", ":",
        ]),
    }
    a
}

/// What `--json-status-fd` reported: the child's pid line and its exit code.
fn parse_status(bytes: &[u8]) -> (bool, Option<i32>) {
    let text = String::from_utf8_lossy(bytes);
    let started = text.contains("\"child-pid\"");
    let code = text.lines().find_map(|l| {
        let rest = &l[l.find("\"exit-code\"")? + "\"exit-code\"".len()..];
        let digits: String = rest
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    });
    (started, code)
}

/// Runs `req` through bwrap (or probes bwrap when `req` is None).
pub(super) fn run(
    req: Option<&Checked>,
    cancel: Option<&CancelFlag>,
    on_output: &mut dyn FnMut(Stream, &[u8]),
) -> Result<CommandOutput, SandboxError> {
    let progs = [filters::deny_filter()?, filters::extra_filter()];
    let seccomp: Vec<OwnedFd> = progs
        .iter()
        .map(|p| seccomp_fd(p))
        .collect::<Result<_, _>>()?;
    let (status_r, status_w) = pipe_pair()?;
    let mut inherit: Vec<i32> = seccomp.iter().map(AsRawFd::as_raw_fd).collect();
    inherit.push(status_w.as_raw_fd());
    let seccomp_nums: Vec<i32> = seccomp.iter().map(AsRawFd::as_raw_fd).collect();
    let args = arguments(req, &seccomp_nums, status_w.as_raw_fd());
    let mut cmd = Command::new(BWRAP);
    cmd.args(&args)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let keep = inherit.clone();
    // SAFETY: only fcntl, which is async-signal-safe, runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            for fd in &keep {
                if libc::fcntl(*fd, libc::F_SETFD, 0) != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|source| SandboxError::Exec {
        program: BWRAP.into(),
        source,
    })?;
    drop(status_w);
    drop(seccomp);
    let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(SandboxError::Io {
            what: "capturing bubblewrap's output".into(),
            source: io::Error::other("missing pipe"),
        });
    };
    let pid = child.id() as libc::pid_t;
    let limit = req.map_or(64 << 10, |r| r.max_output_bytes);
    let mut sink = OutputSink::new(limit);
    let deadline = started + req.map_or(Duration::from_secs(10), |r| r.timeout);
    let outcome = super::supervise(
        pid,
        [OwnedFd::from(out), OwnedFd::from(err), status_r],
        Some(deadline),
        cancel,
        &mut sink,
        on_output,
    );
    let (sandbox_started, code) = parse_status(&outcome.report_bytes);
    if !sandbox_started && !outcome.timed_out && !outcome.cancelled {
        return Err(SandboxError::Setup {
            step: format!(
                "starting bubblewrap: {}",
                String::from_utf8_lossy(&sink.stderr).trim()
            ),
            source: io::Error::other("bwrap could not build the sandbox"),
        });
    }
    // bwrap reports 128 + signal for a program killed by a signal.
    let (exit_code, signal) = match code {
        _ if outcome.timed_out || outcome.cancelled => (None, Some(libc::SIGKILL)),
        Some(c) if c > 128 && c < 128 + 65 => (None, Some(c - 128)),
        Some(c) => (Some(c), None),
        None => (None, Some(libc::SIGKILL)),
    };
    Ok(CommandOutput {
        exit_code,
        signal,
        stdout: sink.stdout,
        stderr: sink.stderr,
        truncated: sink.truncated,
        timed_out: outcome.timed_out,
        cancelled: outcome.cancelled,
        duration: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_give_the_exit_code() {
        let s = b"{ \"child-pid\": 5 }\n{ \"exit-code\": 3 }\n";
        assert_eq!(parse_status(s), (true, Some(3)));
        assert_eq!(parse_status(b""), (false, None));
    }
}
