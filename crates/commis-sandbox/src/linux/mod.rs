//! The Linux sandbox: namespaces, a bind-mounted root, Landlock, seccomp and rlimits.
//! See the crate documentation for the process layout.

mod bwrap;
mod child;
mod filters;

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use libc::{c_char, c_int, c_ulong};

use crate::request::{Checked, OutputSink};
use crate::{
    Backend, CancelFlag, Capabilities, CommandOutput, MAX_FILE_BYTES, SandboxError, Stream,
};

use filters::{FS_READ, FS_READ_DIR, FS_READ_FILE, FS_WRITE_FILE, LandlockAccess};

/// One step of building the sandbox's root file system.
#[derive(Debug)]
pub(super) enum Op {
    /// `mkdir`, an existing directory is fine.
    Mkdir { path: CString },
    /// A fresh tmpfs.
    Tmpfs {
        target: CString,
        data: CString,
        flags: c_ulong,
    },
    /// A bind mount, then a remount with nosuid (and nodev unless `device`, ro if `readonly`).
    Bind {
        source: CString,
        target: CString,
        readonly: bool,
        device: bool,
        optional: bool,
    },
    /// Makes an existing mount read-only.
    RemountRo { target: CString },
    /// Creates an empty file to bind a file onto.
    Touch { path: CString },
    /// `symlink(target, link)`.
    Symlink { target: CString, link: CString },
    /// A procfs for the new PID namespace.
    Proc { target: CString },
    /// Writes a value into an existing file (a sysctl).
    WriteFile {
        path: CString,
        content: CString,
        optional: bool,
    },
}

impl Op {
    /// Whether a missing target (`ENOENT`) is acceptable.
    fn optional(&self) -> bool {
        match self {
            Op::Bind { optional, .. } | Op::WriteFile { optional, .. } => *optional,
            _ => false,
        }
    }

    fn describe(&self) -> String {
        fn s(c: &CString) -> String {
            c.to_string_lossy().into_owned()
        }
        match self {
            Op::Mkdir { path } => format!("creating directory {}", s(path)),
            Op::Tmpfs { target, .. } => format!("mounting a tmpfs on {}", s(target)),
            Op::Bind { source, target, .. } => {
                format!("bind-mounting {} on {}", s(source), s(target))
            }
            Op::RemountRo { target } => format!("making {} read-only", s(target)),
            Op::Touch { path } => format!("creating {}", s(path)),
            Op::Symlink { link, .. } => format!("creating symlink {}", s(link)),
            Op::Proc { target } => format!("mounting /proc on {}", s(target)),
            Op::WriteFile { path, .. } => format!("writing {}", s(path)),
        }
    }
}

/// The stage of the sandbox setup that a failure record refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(super) enum Step {
    Unshare = 1,
    IdMaps,
    Fork,
    MakePrivate,
    ScratchRoot,
    MountPlan,
    DetachHost,
    PivotRoot,
    ProcHardening,
    Stdio,
    Limits,
    Cwd,
    Landlock,
    Capabilities,
    NoNewPrivs,
    Seccomp,
    Exec,
}

impl Step {
    fn from_u32(v: u32) -> Option<Step> {
        use Step::*;
        [
            Unshare,
            IdMaps,
            Fork,
            MakePrivate,
            ScratchRoot,
            MountPlan,
            DetachHost,
            PivotRoot,
            ProcHardening,
            Stdio,
            Limits,
            Cwd,
            Landlock,
            Capabilities,
            NoNewPrivs,
            Seccomp,
            Exec,
        ]
        .into_iter()
        .find(|s| *s as u32 == v)
    }
}

/// A fixed-size message from the sandbox processes to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record {
    pub kind: u32,
    pub step: u32,
    pub index: u32,
    pub value: i32,
}

impl Record {
    pub const SETUP_FAILED: u32 = 1;
    pub const EXITED: u32 = 2;
    pub const PROBE_OK: u32 = 3;
    const SIZE: usize = 16;

    pub fn to_bytes(self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0..4].copy_from_slice(&self.kind.to_ne_bytes());
        b[4..8].copy_from_slice(&self.step.to_ne_bytes());
        b[8..12].copy_from_slice(&self.index.to_ne_bytes());
        b[12..16].copy_from_slice(&self.value.to_ne_bytes());
        b
    }

    fn from_bytes(b: &[u8]) -> Option<Record> {
        let word = |i: usize| -> Option<[u8; 4]> { b.get(i..i + 4)?.try_into().ok() };
        Some(Record {
            kind: u32::from_ne_bytes(word(0)?),
            step: u32::from_ne_bytes(word(4)?),
            index: u32::from_ne_bytes(word(8)?),
            value: i32::from_ne_bytes(word(12)?),
        })
    }
}

#[cfg(target_env = "musl")]
type RlimitResource = c_int;
#[cfg(not(target_env = "musl"))]
type RlimitResource = libc::__rlimit_resource_t;

/// Everything the child processes need, built before `fork` so they never allocate.
pub(super) struct Plan {
    caller_pid: libc::pid_t,
    uid: u32,
    uid_map: CString,
    gid_map: CString,
    ops_before_pivot: Vec<Op>,
    ops_after_pivot: Vec<Op>,
    program: CString,
    // The pointer arrays point into these.
    _argv: Vec<CString>,
    _envp: Vec<CString>,
    argv_ptrs: Vec<*const c_char>,
    envp_ptrs: Vec<*const c_char>,
    cwd: CString,
    rlimits: Vec<(RlimitResource, u64)>,
    landlock: Option<LandlockAccess>,
    landlock_rules: Vec<(CString, u64)>,
    // `seccomp` points into `_seccomp_code`.
    _seccomp_code: Vec<Vec<libc::sock_filter>>,
    seccomp: Vec<libc::sock_fprog>,
    probe_only: bool,
    stdout_w: c_int,
    stderr_w: c_int,
    report_w: c_int,
}

/// Host directories shown read-only at the same place (symlinks are recreated as symlinks).
const SYSTEM_DIRS: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt",
];

/// Files in /etc that hold secrets (hidden behind an empty file).
const SECRET_FILES: &[&str] = &[
    "/etc/shadow",
    "/etc/shadow-",
    "/etc/gshadow",
    "/etc/gshadow-",
    "/etc/sudoers",
];

/// Directories in /etc that hold secrets (hidden behind an empty read-only tmpfs).
const SECRET_DIRS: &[&str] = &[
    "/etc/ssh",
    "/etc/ssl/private",
    "/etc/sudoers.d",
    "/etc/NetworkManager/system-connections",
    "/etc/wireguard",
    "/etc/letsencrypt",
    "/etc/cups/ssl",
];

/// Largest private /tmp (tmpfs pages are memory not counted by RLIMIT_AS).
const TMP_MAX_BYTES: u64 = 1 << 30;

/// Device nodes the sandbox gets.
const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom"];

fn cstr(s: impl AsRef<[u8]>) -> CString {
    // Paths and strings were checked for NUL bytes by `request::validate`; constants have none.
    CString::new(s.as_ref()).unwrap_or_default()
}

fn cpath(prefix: &str, p: &Path) -> CString {
    let mut v = prefix.as_bytes().to_vec();
    v.extend_from_slice(p.as_os_str().as_bytes());
    cstr(v)
}

/// `mkdir` for every ancestor of `path` under `prefix`, then `path` itself.
fn mkdirs(ops: &mut Vec<Op>, prefix: &str, path: &Path) {
    let mut acc = PathBuf::from("/");
    for comp in path.components().skip(1) {
        acc.push(comp);
        ops.push(Op::Mkdir {
            path: cpath(prefix, &acc),
        });
    }
}

struct Pipe {
    read: OwnedFd,
    write: OwnedFd,
}

fn pipe() -> Result<Pipe, SandboxError> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(SandboxError::Io {
            what: "creating a pipe for the sandboxed command".into(),
            source: io::Error::last_os_error(),
        });
    }
    // A caller that closed its stdin/stdout/stderr would get 0..=2 here, which the children
    // overwrite with dup2: move such ends to 3 or above.
    for fd in fds.iter_mut() {
        if *fd < 3 {
            // SAFETY: duplicating and closing a descriptor we just created.
            unsafe {
                let high = libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, 3);
                if high < 0 {
                    return Err(io_err("moving a pipe above the standard descriptors"));
                }
                libc::close(*fd);
                *fd = high;
            }
        }
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    unsafe {
        Ok(Pipe {
            read: OwnedFd::from_raw_fd(fds[0]),
            write: OwnedFd::from_raw_fd(fds[1]),
        })
    }
}

struct Pipes {
    stdout: Pipe,
    stderr: Pipe,
    report: Pipe,
}

fn tmpfs_data(mode: &str, size: u64) -> CString {
    cstr(format!("mode={mode},size={size}"))
}

/// Builds the mount plan, limits and filters for `req` (or for a probe when `req` is None).
fn build_plan(req: Option<&Checked>, pipes: &Pipes) -> Result<Plan, SandboxError> {
    // SAFETY: getuid/getgid/getpid cannot fail.
    let (uid, gid, caller_pid) = unsafe { (libc::getuid(), libc::getgid(), libc::getpid()) };
    let memory = req.map_or(256 << 20, |r| r.max_memory_bytes);
    let mut before = vec![Op::Tmpfs {
        target: cstr("/newroot"),
        data: tmpfs_data("0755", 1 << 20),
        flags: libc::MS_NOSUID | libc::MS_NODEV,
    }];
    // Listing directories anywhere in the (already minimal) tree keeps `ls /` and path
    // lookups working; reading files still needs a rule below.
    let mut landlock_rules: Vec<(CString, u64)> = vec![(cstr("/"), FS_READ_DIR)];
    for dir in SYSTEM_DIRS {
        let host = Path::new(dir);
        let Ok(meta) = std::fs::symlink_metadata(host) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            if let Ok(target) = std::fs::read_link(host) {
                before.push(Op::Symlink {
                    target: cstr(target.as_os_str().as_bytes()),
                    link: cpath("/newroot", host),
                });
            }
        } else if meta.is_dir() {
            before.push(Op::Mkdir {
                path: cpath("/newroot", host),
            });
            before.push(Op::Bind {
                source: cpath("/oldroot", host),
                target: cpath("/newroot", host),
                readonly: true,
                device: false,
                optional: false,
            });
            landlock_rules.push((cstr(dir), FS_READ));
        }
    }
    for file in SECRET_FILES {
        if Path::new(file).is_file() {
            before.push(Op::Bind {
                source: cstr("/oldroot/dev/null"),
                target: cpath("/newroot", Path::new(file)),
                readonly: true,
                device: true,
                optional: true,
            });
        }
    }
    for dir in SECRET_DIRS {
        if Path::new(dir).is_dir() {
            before.push(Op::Tmpfs {
                target: cpath("/newroot", Path::new(dir)),
                data: tmpfs_data("0755", 4096),
                flags: libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            });
        }
    }
    // /dev: a small read-only tmpfs holding a few host device nodes and a writable /dev/shm.
    before.push(Op::Mkdir {
        path: cstr("/newroot/dev"),
    });
    before.push(Op::Tmpfs {
        target: cstr("/newroot/dev"),
        data: tmpfs_data("0755", 64 << 10),
        flags: libc::MS_NOSUID | libc::MS_NOEXEC,
    });
    for dev in DEVICES {
        let target = cstr(format!("/newroot/dev/{dev}"));
        before.push(Op::Touch {
            path: target.clone(),
        });
        before.push(Op::Bind {
            source: cstr(format!("/oldroot/dev/{dev}")),
            target,
            readonly: false,
            device: true,
            optional: false,
        });
    }
    for (link, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        before.push(Op::Symlink {
            target: cstr(target),
            link: cstr(format!("/newroot/dev/{link}")),
        });
    }
    before.push(Op::Mkdir {
        path: cstr("/newroot/dev/shm"),
    });
    before.push(Op::RemountRo {
        target: cstr("/newroot/dev"),
    });
    before.push(Op::Tmpfs {
        target: cstr("/newroot/dev/shm"),
        data: tmpfs_data("1777", memory.min(64 << 20)),
        flags: libc::MS_NOSUID | libc::MS_NODEV,
    });
    landlock_rules.push((cstr("/dev"), FS_READ_FILE | FS_READ_DIR | FS_WRITE_FILE));
    before.push(Op::Mkdir {
        path: cstr("/newroot/proc"),
    });
    before.push(Op::Proc {
        target: cstr("/newroot/proc"),
    });
    landlock_rules.push((cstr("/proc"), FS_READ_FILE | FS_READ_DIR));
    before.push(Op::Mkdir {
        path: cstr("/newroot/tmp"),
    });
    before.push(Op::Tmpfs {
        target: cstr("/newroot/tmp"),
        data: tmpfs_data("1777", memory.min(TMP_MAX_BYTES)),
        flags: libc::MS_NOSUID | libc::MS_NODEV,
    });

    let landlock = filters::landlock_abi().map(LandlockAccess::for_abi);
    let all = landlock.map_or(0, |l| l.fs_all());
    landlock_rules.push((cstr("/tmp"), all));
    landlock_rules.push((cstr("/dev/shm"), all));

    // Granted folders, shallowest first so that a nested grant is mounted over its parent.
    let mut grants: Vec<(&Path, bool)> = Vec::new();
    if let Some(r) = req {
        grants.extend(r.writable.iter().map(|p| (p.as_path(), true)));
        grants.extend(r.readable.iter().map(|p| (p.as_path(), false)));
    }
    grants.sort_by_key(|(p, _)| p.components().count());
    for (path, writable) in &grants {
        mkdirs(&mut before, "/newroot", path);
        before.push(Op::Bind {
            source: cpath("/oldroot", path),
            target: cpath("/newroot", path),
            readonly: !writable,
            device: false,
            optional: false,
        });
        landlock_rules.push((cpath("", path), if *writable { all } else { FS_READ }));
    }
    before.push(Op::RemountRo {
        target: cstr("/newroot"),
    });

    // After pivot_root: the process bound for host root, then /proc's host-wide knobs read-only.
    let mut after = Vec::new();
    if uid == 0 {
        let wanted = req.map_or(64, |r| r.max_processes) + 2;
        let pid_max = if wanted <= 301 { 301 } else { wanted + 300 };
        after.push(Op::WriteFile {
            path: cstr("/proc/sys/kernel/pid_max"),
            content: cstr(pid_max.to_string()),
            optional: true,
        });
    }
    // No nested namespaces even if seccomp were bypassed: the limits are per user namespace
    // and ours may set its own (the kernel checks every ancestor's limit).
    for knob in ["user/max_user_namespaces", "user/max_mnt_namespaces"] {
        after.push(Op::WriteFile {
            path: cstr(format!("/proc/sys/{knob}")),
            content: cstr("0"),
            optional: true,
        });
    }
    for dir in ["/proc/sys", "/proc/irq", "/proc/bus", "/proc/fs"] {
        after.push(Op::Bind {
            source: cstr(dir),
            target: cstr(dir),
            readonly: true,
            device: false,
            optional: true,
        });
    }
    for file in ["/proc/sysrq-trigger", "/proc/kcore", "/proc/timer_list"] {
        after.push(Op::Bind {
            source: cstr("/dev/null"),
            target: cstr(file),
            readonly: true,
            device: true,
            optional: true,
        });
    }

    let (program, argv, envp, cwd) = match req {
        Some(r) => (
            cpath("", &r.program),
            r.argv.iter().map(cstr).collect::<Vec<_>>(),
            r.env
                .iter()
                .map(|(k, v)| cstr(format!("{k}={v}")))
                .collect::<Vec<_>>(),
            cpath("", &r.cwd),
        ),
        None => (
            cstr("/bin/true"),
            vec![cstr("true")],
            Vec::new(),
            cstr("/tmp"),
        ),
    };
    let argv_ptrs = argv
        .iter()
        .map(|a| a.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect();
    let envp_ptrs = envp
        .iter()
        .map(|a| a.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect();

    let mut rlimits: Vec<(RlimitResource, u64)> = vec![(libc::RLIMIT_CORE as RlimitResource, 0)];
    if let Some(r) = req {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
        rlimits.extend([
            // The namespace's init counts as one of the user's processes.
            (libc::RLIMIT_NPROC as RlimitResource, r.max_processes + 1),
            (libc::RLIMIT_AS as RlimitResource, r.max_memory_bytes),
            (libc::RLIMIT_FSIZE as RlimitResource, MAX_FILE_BYTES),
            (
                libc::RLIMIT_CPU as RlimitResource,
                r.timeout.as_secs().saturating_add(1).saturating_mul(cpus),
            ),
        ]);
    }

    let seccomp_code = vec![filters::deny_filter()?, filters::extra_filter()];
    let seccomp = seccomp_code
        .iter()
        .map(|code| libc::sock_fprog {
            len: code.len() as u16,
            filter: code.as_ptr().cast_mut(),
        })
        .collect();

    Ok(Plan {
        caller_pid,
        uid,
        uid_map: cstr(format!("{uid} {uid} 1\n")),
        gid_map: cstr(format!("{gid} {gid} 1\n")),
        ops_before_pivot: before,
        ops_after_pivot: after,
        program,
        _argv: argv,
        _envp: envp,
        argv_ptrs,
        envp_ptrs,
        cwd,
        rlimits,
        landlock,
        landlock_rules,
        _seccomp_code: seccomp_code,
        seccomp,
        probe_only: req.is_none(),
        stdout_w: pipes.stdout.write.as_raw_fd(),
        stderr_w: pipes.stderr.write.as_raw_fd(),
        report_w: pipes.report.write.as_raw_fd(),
    })
}

/// Turns a failure record into an error that says what to do.
fn explain(plan: &Plan, step: Step, index: u32, errno: i32) -> SandboxError {
    let source = io::Error::from_raw_os_error(errno);
    let eperm = errno == libc::EPERM || errno == libc::EACCES;
    let userns_hint = || {
        let apparmor =
            std::fs::read_to_string("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
                .is_ok_and(|s| s.trim() == "1");
        if apparmor {
            "AppArmor restricts unprivileged user namespaces on this system \
             (kernel.apparmor_restrict_unprivileged_userns=1): install an AppArmor profile \
             that allows `userns` for commis, or set that sysctl to 0"
                .to_string()
        } else {
            "allow unprivileged user namespaces (sysctl user.max_user_namespaces=15000 and, on \
             Debian kernels, kernel.unprivileged_userns_clone=1); inside Docker/Podman, run \
             commis outside the container or allow unshare/mount in its seccomp profile"
                .to_string()
        }
    };
    match step {
        Step::Unshare | Step::IdMaps => SandboxError::Unavailable {
            reason: format!(
                "the kernel refused to create the sandbox's namespaces ({source}); {}",
                userns_hint()
            ),
        },
        Step::MakePrivate | Step::ScratchRoot if eperm => SandboxError::Unavailable {
            reason: format!(
                "mounting inside the sandbox's user namespace is not permitted ({source}); {}",
                userns_hint()
            ),
        },
        Step::MountPlan => {
            let op = plan.ops_before_pivot.get(index as usize);
            if let Some(Op::Proc { .. }) = op
                && eperm
            {
                return SandboxError::Unavailable {
                    reason: format!(
                        "cannot mount a private /proc for the sandbox ({source}): this happens \
                         inside containers whose /proc is partly masked; run commis outside the \
                         container or give it an unmasked /proc"
                    ),
                };
            }
            SandboxError::Setup {
                step: op.map_or_else(|| "building the root".to_string(), Op::describe),
                source,
            }
        }
        Step::ProcHardening => SandboxError::Setup {
            step: plan
                .ops_after_pivot
                .get(index as usize)
                .map_or_else(|| "hardening /proc".to_string(), Op::describe),
            source,
        },
        Step::Seccomp if errno == libc::EINVAL => SandboxError::Unavailable {
            reason: "the kernel does not support seccomp filters (CONFIG_SECCOMP_FILTER); \
                     commands cannot be confined"
                .into(),
        },
        Step::Exec => SandboxError::Exec {
            program: plan.program.to_string_lossy().into_owned(),
            source,
        },
        Step::Cwd => SandboxError::Setup {
            step: format!(
                "entering the working directory {}",
                plan.cwd.to_string_lossy()
            ),
            source,
        },
        other => SandboxError::Setup {
            step: format!("{other:?}").to_lowercase(),
            source,
        },
    }
}

fn io_err(what: &str) -> SandboxError {
    SandboxError::Io {
        what: what.to_string(),
        source: io::Error::last_os_error(),
    }
}

/// Forks the supervisor and returns its pid; the plan's child ends of the pipes are closed.
fn spawn(
    plan: &Plan,
    pipes: Pipes,
) -> Result<(libc::pid_t, OwnedFd, OwnedFd, OwnedFd), SandboxError> {
    // SAFETY: the child only runs `child::supervisor`, which is async-signal-safe and never
    // returns; the parent continues normally.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io_err("forking the sandbox supervisor"));
    }
    if pid == 0 {
        // SAFETY: see above; `plan` lives in memory copied into the child.
        unsafe { child::supervisor(plan) }
    }
    let Pipes {
        stdout,
        stderr,
        report,
    } = pipes;
    drop((stdout.write, stderr.write, report.write));
    Ok((pid, stdout.read, stderr.read, report.read))
}

fn set_nonblocking(fd: &OwnedFd) {
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
}

/// Reads what is available; returns false at end of file.
fn read_some(fd: &OwnedFd, buf: &mut [u8], mut sink: impl FnMut(&[u8])) -> bool {
    loop {
        // SAFETY: `buf` is valid for `buf.len()` bytes.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        match n {
            0 => return false,
            n if n > 0 => sink(&buf[..n as usize]),
            _ => {
                let e = io::Error::last_os_error().raw_os_error();
                return e == Some(libc::EINTR) || e == Some(libc::EAGAIN);
            }
        }
    }
}

fn kill_tree(pid: libc::pid_t) {
    // SAFETY: `pid` is our own unreaped child, so the number cannot have been reused.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}

/// Polls until the supervisor exits, forwarding output and enforcing deadline and cancel.
struct Outcome {
    /// Everything read from the third descriptor (failure/exit records, or bwrap's JSON).
    report_bytes: Vec<u8>,
    records: Vec<Record>,
    timed_out: bool,
    cancelled: bool,
    supervisor_status: c_int,
}

fn supervise(
    pid: libc::pid_t,
    [stdout, stderr, report]: [OwnedFd; 3],
    deadline: Option<Instant>,
    cancel: Option<&CancelFlag>,
    sink: &mut OutputSink,
    on_output: &mut dyn FnMut(Stream, &[u8]),
) -> Outcome {
    set_nonblocking(&stdout);
    set_nonblocking(&stderr);
    set_nonblocking(&report);
    // stdout, stderr, report. The report pipe reaches end of file when the supervisor and
    // init have exited (they hold its write end), which wakes us without waiting a tick.
    let mut open = [true, true, true];
    let mut report_bytes = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    let (mut timed_out, mut cancelled, mut killed) = (false, false, false);
    let mut status: c_int = 0;
    let mut exited_at: Option<Instant> = None;
    loop {
        if !killed {
            if cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
                cancelled = true;
            } else if deadline.is_some_and(|d| Instant::now() >= d) {
                timed_out = true;
            }
            if cancelled || timed_out {
                kill_tree(pid);
                killed = true;
            }
        }
        let all = [&stdout, &stderr, &report];
        let mut fds = all.map(|fd| libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        });
        for (pfd, is_open) in fds.iter_mut().zip(open) {
            if !is_open {
                pfd.fd = -1;
            }
        }
        // Short ticks keep cancellation and the deadline within ~20 ms.
        // SAFETY: `fds` is a valid array of three pollfd.
        unsafe { libc::poll(fds.as_mut_ptr(), 3, 20) };
        for (i, stream) in [Stream::Stdout, Stream::Stderr].into_iter().enumerate() {
            if open[i] {
                open[i] = read_some(all[i], &mut buf, |b| sink.push(stream, b, on_output));
            }
        }
        if open[2] {
            open[2] = read_some(&report, &mut buf, |b| report_bytes.extend_from_slice(b));
        }
        if exited_at.is_none() {
            // Once the report pipe is closed the supervisor is exiting: a blocking wait is short.
            let flags = if open[2] { libc::WNOHANG } else { 0 };
            // SAFETY: waiting for our own child.
            let r = unsafe { libc::waitpid(pid, &mut status, flags) };
            if r == pid || r < 0 {
                exited_at = Some(Instant::now());
            }
        }
        // Once the supervisor is gone its namespace is empty, so every pipe reaches end of
        // file; the time bound only guards against a bug turning into a hang.
        if let Some(t) = exited_at
            && (open.iter().all(|o| !o) || t.elapsed() > Duration::from_secs(5))
        {
            break;
        }
    }
    read_some(&report, &mut buf, |b| report_bytes.extend_from_slice(b));
    let records = report_bytes
        .chunks(Record::SIZE)
        .filter_map(Record::from_bytes)
        .collect();
    Outcome {
        report_bytes,
        records,
        timed_out,
        cancelled,
        supervisor_status: status,
    }
}

fn start(req: Option<&Checked>) -> Result<(Plan, libc::pid_t, [OwnedFd; 3]), SandboxError> {
    let pipes = Pipes {
        stdout: pipe()?,
        stderr: pipe()?,
        report: pipe()?,
    };
    let plan = build_plan(req, &pipes)?;
    let (pid, out, err, rep) = spawn(&plan, pipes)?;
    Ok((plan, pid, [out, err, rep]))
}

fn first_failure(plan: &Plan, records: &[Record]) -> Option<SandboxError> {
    records
        .iter()
        .find(|r| r.kind == Record::SETUP_FAILED)
        .map(|r| match Step::from_u32(r.step) {
            Some(step) => explain(plan, step, r.index, r.value),
            None => SandboxError::Setup {
                step: format!("an unknown step ({})", r.step),
                source: io::Error::from_raw_os_error(r.value),
            },
        })
}

fn run_native(
    req: &Checked,
    cancel: &CancelFlag,
    on_output: &mut dyn FnMut(Stream, &[u8]),
) -> Result<CommandOutput, SandboxError> {
    let started = Instant::now();
    let (plan, pid, fds) = start(Some(req))?;
    let mut sink = OutputSink::new(req.max_output_bytes);
    let outcome = supervise(
        pid,
        fds,
        Some(started + req.timeout),
        Some(cancel),
        &mut sink,
        on_output,
    );
    let duration = started.elapsed();
    if !outcome.timed_out
        && !outcome.cancelled
        && let Some(e) = first_failure(&plan, &outcome.records)
    {
        return Err(e);
    }
    let exit = outcome.records.iter().find(|r| r.kind == Record::EXITED);
    let (exit_code, signal) = match exit {
        Some(r) if libc::WIFEXITED(r.value) => (Some(libc::WEXITSTATUS(r.value)), None),
        Some(r) if libc::WIFSIGNALED(r.value) => (None, Some(libc::WTERMSIG(r.value))),
        Some(_) => (None, None),
        None if outcome.timed_out || outcome.cancelled => (None, Some(libc::SIGKILL)),
        None => {
            if let Some(e) = first_failure(&plan, &outcome.records) {
                return Err(e);
            }
            return Err(SandboxError::Io {
                what: format!(
                    "the sandbox supervisor ended without reporting the program's status (wait status {})",
                    outcome.supervisor_status
                ),
                source: io::Error::other("sandbox supervisor lost"),
            });
        }
    };
    Ok(CommandOutput {
        exit_code,
        signal,
        stdout: sink.stdout,
        stderr: sink.stderr,
        truncated: sink.truncated,
        timed_out: outcome.timed_out,
        cancelled: outcome.cancelled,
        duration,
    })
}

fn probe_native() -> Result<Capabilities, SandboxError> {
    let landlock_abi = filters::landlock_abi();
    // SAFETY: getuid cannot fail.
    let is_root = unsafe { libc::getuid() } == 0;
    let mut notes = Vec::new();
    let (plan, pid, fds) = start(None)?;
    let mut sink = OutputSink::new(0);
    let outcome = supervise(
        pid,
        fds,
        Some(Instant::now() + Duration::from_secs(10)),
        None,
        &mut sink,
        &mut |_, _| {},
    );
    let failure = first_failure(&plan, &outcome.records);
    let ok = outcome.records.iter().any(|r| r.kind == Record::PROBE_OK);
    if let Some(e) = &failure {
        notes.push(e.to_string());
    } else if !ok {
        notes.push("the sandbox test process ended without reporting success".into());
    }
    if landlock_abi.is_none() {
        notes.push(
            "Landlock is not available (kernel older than 5.13 or `landlock` missing from the \
             lsm= boot parameter): namespaces and seccomp still confine commands, without the \
             second, path-based layer"
                .into(),
        );
    }
    let process_limit = if !is_root {
        "RLIMIT_NPROC"
    } else if kernel_at_least(6, 14) {
        notes.push(
            "running as root: the kernel does not apply RLIMIT_NPROC to root, so processes are \
             bounded by the sandbox's pid_max (at least 301)"
                .into(),
        );
        "pid_max"
    } else {
        notes.push(
            "running as root on a kernel older than 6.14: the number of processes is bounded \
             only by the timeout; run commis as a normal user"
                .into(),
        );
        "timeout only"
    };
    let usable = failure.is_none() && ok;
    Ok(Capabilities {
        backend: "linux-namespaces",
        namespaces: usable || !matches!(failure, Some(SandboxError::Unavailable { .. })),
        landlock_abi,
        seccomp: usable,
        process_limit,
        usable,
        notes,
    })
}

fn kernel_at_least(major: u32, minor: u32) -> bool {
    let Ok(release) = std::fs::read_to_string("/proc/sys/kernel/osrelease") else {
        return false;
    };
    let mut parts = release
        .trim()
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

/// Set once the kernel has refused our own namespaces, so `Auto` goes straight to bwrap.
static NATIVE_REFUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a failure means "this kernel/policy will not let us build namespaces", the case
/// bubblewrap may still handle.
fn namespaces_refused(e: &SandboxError) -> bool {
    matches!(e, SandboxError::Unavailable { reason } if !reason.contains("seccomp"))
}

pub(crate) fn run(
    backend: Backend,
    req: &Checked,
    cancel: &CancelFlag,
    on_output: &mut dyn FnMut(Stream, &[u8]),
) -> Result<CommandOutput, SandboxError> {
    match backend {
        Backend::Namespaces => run_native(req, cancel, on_output),
        Backend::Bubblewrap => {
            if let Some(reason) = bwrap::refusal() {
                return Err(SandboxError::Unavailable { reason });
            }
            bwrap::run(Some(req), Some(cancel), on_output)
        }
        Backend::Auto => {
            let bwrap_ok = bwrap::refusal().is_none();
            if NATIVE_REFUSED.load(Ordering::Relaxed) && bwrap_ok {
                return bwrap::run(Some(req), Some(cancel), on_output);
            }
            match run_native(req, cancel, on_output) {
                Err(e) if namespaces_refused(&e) && bwrap_ok => {
                    tracing::warn!("own namespaces refused ({e}); using bubblewrap");
                    NATIVE_REFUSED.store(true, Ordering::Relaxed);
                    bwrap::run(Some(req), Some(cancel), on_output)
                }
                other => other,
            }
        }
    }
}

fn probe_bwrap() -> Capabilities {
    let mut notes = Vec::new();
    let usable = if let Some(reason) = bwrap::refusal() {
        notes.push(reason);
        false
    } else {
        match bwrap::run(None, None, &mut |_, _| {}) {
            Ok(out) if out.exit_code == Some(0) => true,
            Ok(out) => {
                notes.push(format!(
                    "bubblewrap's test sandbox failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
                false
            }
            Err(e) => {
                notes.push(e.to_string());
                false
            }
        }
    };
    if usable {
        notes.push(
            "using bubblewrap: namespaces and seccomp confine commands, without the Landlock layer"
                .into(),
        );
    }
    Capabilities {
        backend: "linux-bubblewrap",
        namespaces: usable,
        landlock_abi: None,
        seccomp: usable,
        process_limit: "RLIMIT_NPROC",
        usable,
        notes,
    }
}

pub(crate) fn probe(backend: Backend) -> Result<Capabilities, SandboxError> {
    match backend {
        Backend::Namespaces => probe_native(),
        Backend::Bubblewrap => Ok(probe_bwrap()),
        Backend::Auto => {
            let native = probe_native()?;
            if native.usable || bwrap::refusal().is_some() {
                return Ok(native);
            }
            let mut fallback = probe_bwrap();
            let mut notes = native.notes;
            notes.append(&mut fallback.notes);
            fallback.notes = notes;
            Ok(fallback)
        }
    }
}

/// Confines the calling process for parsing untrusted bytes already in memory: no new
/// program, process, socket or file from now on (seccomp; calls fail with `EPERM`), and
/// `clone3` answers `ENOSYS` so threads still start through `clone`. Irreversible.
pub(crate) fn confine_parser() -> Result<(), SandboxError> {
    let programs = [filters::parser_filter()?, filters::extra_filter()];
    // SAFETY: prctl with a filter program we own, alive for the duration of the call; the
    // kernel copies it. A failure leaves the process unconfined and is reported.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as c_ulong, 0, 0, 0) != 0 {
            return Err(SandboxError::Unavailable {
                reason: format!("no_new_privs: {}", io::Error::last_os_error()),
            });
        }
        for prog in &programs {
            let fprog = libc::sock_fprog {
                len: prog.len() as u16,
                filter: prog.as_ptr() as *mut libc::sock_filter,
            };
            if libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER as c_ulong,
                &fprog as *const libc::sock_fprog,
            ) != 0
            {
                return Err(SandboxError::Unavailable {
                    reason: format!("seccomp: {}", io::Error::last_os_error()),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> (Plan, Pipes) {
        let pipes = Pipes {
            stdout: pipe().unwrap(),
            stderr: pipe().unwrap(),
            report: pipe().unwrap(),
        };
        (build_plan(None, &pipes).unwrap(), pipes)
    }

    #[test]
    fn a_refused_namespace_says_what_to_enable() {
        let (plan, _pipes) = plan();
        let e = explain(&plan, Step::Unshare, 0, libc::EPERM);
        let SandboxError::Unavailable { reason } = e else {
            panic!("expected Unavailable, got {e:?}");
        };
        assert!(reason.contains("namespaces"), "{reason}");
        assert!(reason.contains("sysctl"), "{reason}");
    }

    #[test]
    fn a_refused_proc_mount_points_at_containers() {
        let (plan, _pipes) = plan();
        let index = plan
            .ops_before_pivot
            .iter()
            .position(|op| matches!(op, Op::Proc { .. }))
            .unwrap();
        let e = explain(&plan, Step::MountPlan, index as u32, libc::EPERM);
        assert!(
            matches!(&e, SandboxError::Unavailable { reason } if reason.contains("container")),
            "{e:?}"
        );
    }

    #[test]
    fn a_failed_mount_names_the_paths() {
        let (plan, _pipes) = plan();
        let e = explain(&plan, Step::MountPlan, 1, libc::ENOENT);
        assert!(e.to_string().contains("/newroot"), "{e}");
    }

    #[test]
    fn records_round_trip() {
        let r = Record {
            kind: Record::EXITED,
            step: 2,
            index: 3,
            value: -4,
        };
        assert_eq!(Record::from_bytes(&r.to_bytes()), Some(r));
    }
}
