//! Runs one program inside an OS sandbox, so that a model can run a conversion or a small
//! script without getting the machine, and matches commands against the user's exec allowlist.
//!
//! What this crate is for: [`run`] starts `argv` with the granted folders as the only user
//! files it can see (read-write or read-only), the system directories read-only, a fresh
//! private `/tmp`, no network at all, limits on time, output, processes and memory, and kills
//! the whole process tree on timeout or cancellation. [`probe`] says what the kernel offers;
//! when a needed feature is missing, [`run`] refuses with [`SandboxError::Unavailable`] and
//! never falls back to running the program unconfined. [`ExecAllowlist`] matches argv against
//! config patterns such as `soffice --headless *`.
//!
//! What it is not for: asking the user for approval, journaling the files a command changed,
//! or deciding which folders to grant. Those belong to the agent and the workspace crates.
//!
//! # How the Linux sandbox is built
//!
//! The caller's thread forks a *supervisor*. Everything after `fork` runs only raw system
//! calls on data prepared before the fork (no allocation, no locks), because the caller is
//! usually a multi-threaded program. The supervisor:
//!
//! 1. closes every descriptor the caller had open and resets signal handlers, then
//!    `unshare`s user, mount, PID, network, IPC and UTS namespaces and maps its own uid/gid
//!    (an unprivileged user can do this on a normal desktop; no setuid helper is needed);
//! 2. forks the namespace's *init* (PID 1), which builds a new root on a tmpfs from bind
//!    mounts (`/usr`, `/bin`, `/lib*`, `/etc` minus its secrets, `/opt`: read-only), a
//!    minimal `/dev`, a fresh `/proc` and `/tmp`, the granted folders at their own absolute
//!    paths, then `pivot_root`s into it and detaches the host tree; it then sets the
//!    namespace's own `user.max_user_namespaces`/`max_mnt_namespaces` to 0 and makes
//!    `/proc/sys` read-only;
//! 3. init forks the *target*, which starts a new session, sets rlimits (`RLIMIT_NPROC`,
//!    `RLIMIT_AS`, `RLIMIT_FSIZE`, `RLIMIT_CPU`, no core dumps), drops every capability,
//!    sets `no_new_privs`, enters a Landlock domain (writes only in the writable folders,
//!    `/tmp` and `/dev/shm`; reads only in the visible tree; no TCP; no signals or abstract
//!    sockets outside the sandbox when the kernel supports scoping), installs seccomp filters
//!    (no ptrace, mount, namespaces, keyrings, bpf, kernel modules, io_uring, vsock...) and
//!    `execve`s the program.
//!
//! Killing the supervisor kills init (`PR_SET_PDEATHSIG`), and the kernel kills every process
//! of a PID namespace when its init dies: one `kill` takes down the whole tree, however the
//! program forked or daemonised. Setup failures travel back to the caller over a pipe, with
//! the step that failed and the `errno`, and become a [`SandboxError`].
//!
//! When the kernel or a security module refuses these namespaces to us but allows
//! bubblewrap (Ubuntu ≥ 23.10's AppArmor restriction ships a profile for `bwrap`),
//! [`Backend::Auto`] falls back to `/usr/bin/bwrap` with the same layout and seccomp filters
//! (no Landlock layer, limits set by `prlimit` inside). Bubblewrap is never used as root.
//!
//! When the caller is the host's root (containers, CI), the kernel does not enforce
//! `RLIMIT_NPROC`; the process bound is then the PID namespace's own `pid_max` (Linux 6.14+),
//! whose floor is 301 processes.
//!
//! [`run`] blocks the calling thread: call it from `spawn_blocking` in async code. The
//! calling thread must live until [`run`] returns (it does, since [`run`] blocks), because
//! `PR_SET_PDEATHSIG` follows the thread that forked.
//!
//! On macOS, [`run`] uses a Seatbelt profile through `sandbox-exec`; elsewhere it refuses.

mod allowlist;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
mod request;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

pub use allowlist::ExecAllowlist;

/// Which sandbox implementation to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The best available: on Linux our own namespaces, or bubblewrap when the kernel or a
    /// security module refuses them to us but allows `bwrap`; on macOS Seatbelt.
    #[default]
    Auto,
    /// Linux: our own namespaces + Landlock + seccomp (no external program).
    Namespaces,
    /// Linux: `/usr/bin/bwrap` with the same layout and seccomp filters, without Landlock.
    Bubblewrap,
}

/// Set to `true` from any thread to stop a running command (its whole process tree is killed).
pub type CancelFlag = Arc<AtomicBool>;

/// Which output stream a chunk of bytes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// The program's standard output.
    Stdout,
    /// The program's standard error.
    Stderr,
}

/// A program to run in the sandbox, with what it may see and how much it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRequest {
    /// Program and arguments; a program without `/` is looked up in `PATH` (from `env`, or
    /// `/usr/local/bin:/usr/bin:/bin`), and must be found inside what the sandbox sees.
    pub argv: Vec<String>,
    /// Absolute working directory, inside one of the `writable` folders.
    pub cwd: PathBuf,
    /// Folders granted read-write, visible at their own absolute paths.
    pub writable: Vec<PathBuf>,
    /// Folders granted read-only, visible at their own absolute paths.
    pub readable: Vec<PathBuf>,
    /// Wall-clock limit; the whole process tree is killed when it passes.
    pub timeout: Duration,
    /// Bytes of stdout plus stderr kept and passed to the callback; the rest is discarded.
    pub max_output_bytes: usize,
    /// Processes (and threads) the program may have at once.
    pub max_processes: u64,
    /// Address-space limit of each process, and size of the private `/tmp`.
    pub max_memory_bytes: u64,
    /// The complete environment of the program (nothing is inherited from the caller).
    pub env: Vec<(String, String)>,
}

impl CommandRequest {
    /// A request with the usual limits: 120 s, 1 MiB of output, 64 processes, 2 GiB of
    /// memory, a minimal environment (`PATH`, `HOME=/tmp`, `LANG=C.UTF-8`), `cwd` read-write.
    pub fn new(argv: Vec<String>, cwd: PathBuf) -> Self {
        CommandRequest {
            argv,
            writable: vec![cwd.clone()],
            cwd,
            readable: Vec::new(),
            timeout: Duration::from_secs(120),
            max_output_bytes: 1 << 20,
            max_processes: 64,
            max_memory_bytes: 2 << 30,
            env: vec![
                ("PATH".into(), DEFAULT_PATH.into()),
                ("HOME".into(), "/tmp".into()),
                ("LANG".into(), "C.UTF-8".into()),
            ],
        }
    }
}

/// `PATH` used to find the program when `env` does not set one.
pub const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Largest file the program may write (`RLIMIT_FSIZE`).
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// What a finished (or stopped) command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// Exit code when the program exited by itself.
    pub exit_code: Option<i32>,
    /// Signal number when the program was killed by a signal (including our own kill).
    pub signal: Option<i32>,
    /// Standard output kept (at most `max_output_bytes` together with stderr).
    pub stdout: Vec<u8>,
    /// Standard error kept.
    pub stderr: Vec<u8>,
    /// True when some output was discarded because of `max_output_bytes`.
    pub truncated: bool,
    /// True when the process tree was killed because `timeout` passed.
    pub timed_out: bool,
    /// True when the process tree was killed because the cancel flag was set.
    pub cancelled: bool,
    /// Wall-clock time from start to the end of the whole process tree.
    pub duration: Duration,
}

impl CommandOutput {
    /// True when the program exited by itself with code 0.
    pub fn success(&self) -> bool {
        self.exit_code == Some(0) && !self.timed_out && !self.cancelled
    }
}

/// What the kernel (or OS) offers for sandboxing, as found by [`probe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Which sandbox [`run`] uses: `"linux-namespaces"`, `"macos-seatbelt"` or `"none"`.
    pub backend: &'static str,
    /// User, mount, PID, network, IPC and UTS namespaces can be created and set up.
    pub namespaces: bool,
    /// Landlock ABI version (None when Landlock is absent or disabled).
    pub landlock_abi: Option<u32>,
    /// Seccomp filters can be installed.
    pub seccomp: bool,
    /// How the number of processes is bounded (`"RLIMIT_NPROC"`, `"pid_max"`, or `"timeout only"`).
    pub process_limit: &'static str,
    /// True when [`run`] will accept requests.
    pub usable: bool,
    /// Why the sandbox is unusable or weaker than usual, and what to do about it.
    pub notes: Vec<String>,
}

impl std::fmt::Display for Capabilities {
    /// One line for `commis doctor`, then one line per note.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "command sandbox: {} ({}); landlock: {}; seccomp: {}; process limit: {}",
            if self.usable {
                "available"
            } else {
                "UNAVAILABLE"
            },
            self.backend,
            self.landlock_abi
                .map_or_else(|| "absent".to_string(), |v| format!("ABI {v}")),
            if self.seccomp { "yes" } else { "no" },
            self.process_limit
        )?;
        for note in &self.notes {
            write!(f, "\n  - {note}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong when sandboxing a command.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The OS cannot provide the sandbox; nothing was run.
    #[error("the command sandbox is unavailable: {reason}")]
    Unavailable {
        /// What is missing and what to do about it.
        reason: String,
    },
    /// The request itself is wrong (empty argv, relative path, cwd outside the folders...).
    #[error("invalid command request: {reason}")]
    InvalidRequest {
        /// What is wrong with the request.
        reason: String,
    },
    /// The program does not exist where the sandbox can see it.
    #[error(
        "program `{program}` was not found in the sandbox (looked in PATH={path}); install it or give its absolute path"
    )]
    CommandNotFound {
        /// The program as given in `argv[0]`.
        program: String,
        /// The PATH that was searched.
        path: String,
    },
    /// Building the sandbox failed at one step; nothing of the program ran.
    #[error("setting up the sandbox failed while {step}: {source}")]
    Setup {
        /// The step that failed, in words.
        step: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Starting the program failed after the sandbox was built (e.g. not executable).
    #[error("could not start `{program}` in the sandbox: {source}")]
    Exec {
        /// The resolved program path.
        program: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An I/O error in the caller's process (pipes, fork, wait).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// Confines the calling process before it parses untrusted bytes it already holds (the
/// document-extraction worker): from then on it can start no program or process, open no
/// socket and open, create or change no file. Irreversible; call it in a process made for
/// that work only. `Ok(false)` where the platform has no such filter (nothing changed).
pub fn confine_parser() -> Result<bool, SandboxError> {
    #[cfg(target_os = "linux")]
    {
        linux::confine_parser().map(|()| true)
    }
    #[cfg(not(target_os = "linux"))]
    {
        Ok(false)
    }
}

/// Says what this machine offers for sandboxing commands.
///
/// On Linux this actually creates the namespaces and a tmpfs in a throw-away child, so a
/// kernel or security module that forbids them is detected before any command is accepted.
pub fn probe() -> Result<Capabilities, SandboxError> {
    probe_backend(Backend::Auto)
}

/// Like [`probe`], for one backend.
pub fn probe_backend(backend: Backend) -> Result<Capabilities, SandboxError> {
    #[cfg(target_os = "linux")]
    {
        linux::probe(backend)
    }
    #[cfg(target_os = "macos")]
    {
        let _ = backend;
        macos::probe()
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        let _ = backend;
        Ok(Capabilities {
            backend: "none",
            namespaces: false,
            landlock_abi: None,
            seccomp: false,
            process_limit: "timeout only",
            usable: false,
            notes: vec![unsupported_os_reason()],
        })
    }
}

/// Runs `req.argv` in the sandbox, streaming output to `on_output`, until it exits, the
/// timeout passes or `cancel` is set; in the last two cases the whole process tree is killed.
///
/// `on_output` is called on the calling thread with each chunk as it arrives, within the
/// `max_output_bytes` budget. Refuses with [`SandboxError::Unavailable`] when the OS cannot
/// sandbox the program: it never runs a program unconfined.
pub fn run(
    req: &CommandRequest,
    cancel: &CancelFlag,
    on_output: &mut dyn FnMut(Stream, &[u8]),
) -> Result<CommandOutput, SandboxError> {
    run_with(Backend::Auto, req, cancel, on_output)
}

/// Like [`run`], with a chosen backend (tests and `commis doctor` compare them).
pub fn run_with(
    backend: Backend,
    req: &CommandRequest,
    cancel: &CancelFlag,
    on_output: &mut dyn FnMut(Stream, &[u8]),
) -> Result<CommandOutput, SandboxError> {
    let checked = request::validate(req)?;
    #[cfg(target_os = "linux")]
    {
        linux::run(backend, &checked, cancel, on_output)
    }
    #[cfg(target_os = "macos")]
    {
        if backend != Backend::Auto {
            return Err(SandboxError::Unavailable {
                reason: format!("the {backend:?} sandbox exists only on Linux"),
            });
        }
        macos::run(&checked, cancel, on_output)
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        let _ = (backend, checked, cancel, on_output);
        Err(SandboxError::Unavailable {
            reason: unsupported_os_reason(),
        })
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn unsupported_os_reason() -> String {
    format!(
        "commands cannot be sandboxed on {}: only Linux and macOS are supported; run_command is disabled",
        std::env::consts::OS
    )
}
