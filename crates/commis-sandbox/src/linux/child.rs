//! Code that runs after `fork`: the supervisor, the namespace's init and the target.
//!
//! The caller is usually multi-threaded, so between `fork` and `execve` only
//! async-signal-safe work is allowed: raw system calls on the [`Plan`] prepared beforehand.
//! Nothing here allocates, locks, panics or formats; failures are reported as fixed-size
//! records on the report pipe and the process `_exit`s.

use std::ffi::CStr;

use libc::{c_int, c_ulong, c_void};

use super::{Op, Plan, Record, Step};

/// Writes one record to the report pipe (atomic: far below `PIPE_BUF`).
unsafe fn report(fd: c_int, record: Record) {
    let bytes = record.to_bytes();
    unsafe {
        libc::write(fd, bytes.as_ptr().cast(), bytes.len());
    }
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Reports a failed step and exits.
unsafe fn fail(plan: &Plan, step: Step, index: u32) -> ! {
    let e = errno();
    unsafe {
        report(
            plan.report_w,
            Record {
                kind: Record::SETUP_FAILED,
                step: step as u32,
                index,
                value: e,
            },
        );
        libc::_exit(126)
    }
}

unsafe fn write_file(path: &CStr, content: &[u8]) -> bool {
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return false;
        }
        let n = libc::write(fd, content.as_ptr().cast(), content.len());
        libc::close(fd);
        n == content.len() as isize
    }
}

/// Closes every descriptor except stdin/out/err and `keep`: the caller's files, sockets and
/// database handles must not live on in processes that never `execve`.
unsafe fn close_all_but(keep: &[c_int; 3]) {
    let mut sorted = *keep;
    sorted.sort_unstable();
    let mut from: c_int = 3;
    for &k in sorted.iter().chain(std::iter::once(&c_int::MAX)) {
        if k > from {
            let to = (k - 1) as u32;
            unsafe {
                if libc::syscall(libc::SYS_close_range, from as u32, to, 0u32) != 0 {
                    for fd in from..k.min(65_536) {
                        libc::close(fd);
                    }
                }
            }
        }
        from = from.max(k.saturating_add(1));
    }
}

/// Resets every signal handler and the mask: handlers inherited from the caller (tokio,
/// Ctrl-C crates) must not run in the sandbox's init, where a handled signal is deliverable.
unsafe fn reset_signals() {
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
        for sig in 1..libc::SIGRTMAX() {
            if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
    }
}

/// The supervisor: the only process the caller knows. Killing it kills everything below.
pub(super) unsafe fn supervisor(plan: &Plan) -> ! {
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as c_ulong, 0, 0, 0);
        if libc::getppid() != plan.caller_pid {
            libc::_exit(1);
        }
        reset_signals();
        close_all_but(&[plan.stdout_w, plan.stderr_w, plan.report_w]);
        // Nor the caller's terminal: init would otherwise hold it for the whole run.
        let devnull = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if devnull >= 0 {
            for fd in 0..3 {
                libc::dup2(devnull, fd);
            }
            if devnull > 2 {
                libc::close(devnull);
            }
        }
        let flags = libc::CLONE_NEWUSER
            | libc::CLONE_NEWNS
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWNET
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUTS;
        if libc::unshare(flags) != 0 {
            fail(plan, Step::Unshare, 0);
        }
        if !write_file(c"/proc/self/setgroups", b"deny") && plan.uid != 0 {
            fail(plan, Step::IdMaps, 0);
        }
        if !write_file(c"/proc/self/uid_map", plan.uid_map.as_bytes())
            || !write_file(c"/proc/self/gid_map", plan.gid_map.as_bytes())
        {
            fail(plan, Step::IdMaps, 1);
        }
        // Not dumpable (once the maps are written, which needs our own /proc/self): the
        // program cannot open /proc/<pid>/* of the supervisor or of init.
        libc::prctl(libc::PR_SET_DUMPABLE, 0 as c_ulong, 0, 0, 0);
        let pid = libc::fork();
        if pid < 0 {
            fail(plan, Step::Fork, 0);
        }
        if pid == 0 {
            init(plan);
        }
        libc::close(plan.stdout_w);
        libc::close(plan.stderr_w);
        let mut status = 0;
        while libc::waitpid(pid, &mut status, 0) < 0 && errno() == libc::EINTR {}
        libc::_exit(0)
    }
}

/// The mount flags of the mount at `path` that a user namespace may not clear on remount.
unsafe fn locked_flags(path: &CStr) -> c_ulong {
    unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(path.as_ptr(), &mut st) != 0 {
            return 0;
        }
        let f = st.f_flag as c_ulong;
        let mut out = 0;
        for (st_flag, ms_flag) in [
            (libc::ST_NOSUID, libc::MS_NOSUID),
            (libc::ST_NODEV, libc::MS_NODEV),
            (libc::ST_NOEXEC, libc::MS_NOEXEC),
            (libc::ST_NOATIME, libc::MS_NOATIME),
            (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
            (libc::ST_RELATIME, libc::MS_RELATIME),
        ] {
            if f & st_flag != 0 {
                out |= ms_flag;
            }
        }
        out
    }
}

unsafe fn remount(target: &CStr, readonly: bool, device: bool) -> c_int {
    unsafe {
        let mut flags = libc::MS_REMOUNT | libc::MS_BIND | libc::MS_NOSUID | locked_flags(target);
        if readonly {
            flags |= libc::MS_RDONLY;
        }
        if !device {
            flags |= libc::MS_NODEV;
        }
        libc::mount(
            std::ptr::null(),
            target.as_ptr(),
            std::ptr::null(),
            flags,
            std::ptr::null(),
        )
    }
}

/// Runs one mount-plan operation; returns false with errno set on failure.
unsafe fn apply(op: &Op) -> bool {
    unsafe {
        let null = std::ptr::null::<libc::c_char>();
        let r = match op {
            Op::Mkdir { path, .. } => {
                let r = libc::mkdir(path.as_ptr(), 0o755);
                if r != 0 && errno() == libc::EEXIST {
                    0
                } else {
                    r
                }
            }
            Op::Tmpfs {
                target,
                data,
                flags,
                ..
            } => libc::mount(
                c"tmpfs".as_ptr(),
                target.as_ptr(),
                c"tmpfs".as_ptr(),
                *flags,
                data.as_ptr().cast::<c_void>(),
            ),
            Op::Bind {
                source,
                target,
                readonly,
                device,
                ..
            } => {
                let r = libc::mount(
                    source.as_ptr(),
                    target.as_ptr(),
                    null,
                    libc::MS_BIND,
                    std::ptr::null(),
                );
                if r == 0 {
                    remount(target, *readonly, *device)
                } else {
                    r
                }
            }
            Op::RemountRo { target, .. } => remount(target, true, false),
            Op::Touch { path, .. } => {
                let fd = libc::open(
                    path.as_ptr(),
                    libc::O_WRONLY | libc::O_CREAT | libc::O_CLOEXEC,
                    0o644,
                );
                if fd >= 0 {
                    libc::close(fd);
                    0
                } else {
                    -1
                }
            }
            Op::Symlink { target, link, .. } => libc::symlink(target.as_ptr(), link.as_ptr()),
            Op::Proc { target, .. } => libc::mount(
                c"proc".as_ptr(),
                target.as_ptr(),
                c"proc".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                std::ptr::null(),
            ),
            Op::WriteFile { path, content, .. } => {
                if write_file(path, content.as_bytes()) {
                    0
                } else {
                    -1
                }
            }
        };
        r == 0 || (op.optional() && errno() == libc::ENOENT)
    }
}

unsafe fn apply_all(plan: &Plan, ops: &[Op], step: Step) {
    for (i, op) in ops.iter().enumerate() {
        unsafe {
            if !apply(op) {
                fail(plan, step, i as u32);
            }
        }
    }
}

unsafe fn pivot_root(new_root: &CStr, put_old: &CStr) -> c_int {
    unsafe { libc::syscall(libc::SYS_pivot_root, new_root.as_ptr(), put_old.as_ptr()) as c_int }
}

/// PID 1 of the sandbox: builds the root file system, starts the target, reaps orphans, and
/// reports the target's wait status. When it exits, the kernel kills the whole namespace.
unsafe fn init(plan: &Plan) -> ! {
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as c_ulong, 0, 0, 0);
        let null = std::ptr::null::<libc::c_char>();
        if libc::mount(
            null,
            c"/".as_ptr(),
            null,
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            fail(plan, Step::MakePrivate, 0);
        }
        // A scratch tmpfs becomes the root for a moment, with the host tree at /oldroot, so
        // that bind sources stay reachable (even those under the host's /tmp).
        if libc::mount(
            c"tmpfs".as_ptr(),
            c"/tmp".as_ptr(),
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            c"mode=0755,size=64k".as_ptr().cast(),
        ) != 0
        {
            fail(plan, Step::ScratchRoot, 0);
        }
        if libc::chdir(c"/tmp".as_ptr()) != 0
            || libc::mkdir(c"newroot".as_ptr(), 0o755) != 0
            || libc::mkdir(c"oldroot".as_ptr(), 0o755) != 0
            || pivot_root(c".", c"oldroot") != 0
            || libc::chdir(c"/".as_ptr()) != 0
        {
            fail(plan, Step::ScratchRoot, 1);
        }
        apply_all(plan, &plan.ops_before_pivot, Step::MountPlan);
        if libc::umount2(c"/oldroot".as_ptr(), libc::MNT_DETACH) != 0 {
            fail(plan, Step::DetachHost, 0);
        }
        if libc::chdir(c"/newroot".as_ptr()) != 0
            || pivot_root(c".", c".") != 0
            || libc::umount2(c".".as_ptr(), libc::MNT_DETACH) != 0
            || libc::chdir(c"/".as_ptr()) != 0
        {
            fail(plan, Step::PivotRoot, 0);
        }
        apply_all(plan, &plan.ops_after_pivot, Step::ProcHardening);
        libc::sethostname(c"commis-sandbox".as_ptr(), 14);

        let pid = libc::fork();
        if pid < 0 {
            fail(plan, Step::Fork, 1);
        }
        if pid == 0 {
            target(plan);
        }
        libc::close(plan.stdout_w);
        libc::close(plan.stderr_w);
        loop {
            let mut status = 0;
            let r = libc::waitpid(-1, &mut status, 0);
            if r == pid {
                report(
                    plan.report_w,
                    Record {
                        kind: Record::EXITED,
                        step: 0,
                        index: 0,
                        value: status,
                    },
                );
                libc::_exit(0);
            }
            if r < 0 && errno() != libc::EINTR {
                libc::_exit(0);
            }
        }
    }
}

#[repr(C, packed)]
struct PathBeneath {
    allowed_access: u64,
    parent_fd: i32,
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: c_int,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Builds the Landlock ruleset from paths as the sandbox sees them; returns its fd or -1.
unsafe fn landlock_ruleset(plan: &Plan) -> c_int {
    let Some(access) = plan.landlock else {
        return -1;
    };
    unsafe {
        let fd = libc::syscall(
            libc::SYS_landlock_create_ruleset,
            access.attr.as_ptr(),
            access.attr_size,
            0u32,
        ) as c_int;
        if fd < 0 {
            fail(plan, Step::Landlock, 0);
        }
        for (i, (path, rights)) in plan.landlock_rules.iter().enumerate() {
            let parent = libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
            if parent < 0 {
                // A system directory this machine does not have.
                continue;
            }
            let rule = PathBeneath {
                allowed_access: *rights & access.fs_all(),
                parent_fd: parent,
            };
            let r = libc::syscall(
                libc::SYS_landlock_add_rule,
                fd,
                1 as c_int, // LANDLOCK_RULE_PATH_BENEATH
                &rule as *const PathBeneath,
                0u32,
            );
            libc::close(parent);
            if r != 0 {
                fail(plan, Step::Landlock, i as u32 + 1);
            }
        }
        fd
    }
}

/// The program's process: limits, capabilities, Landlock, seccomp, then `execve`.
unsafe fn target(plan: &Plan) -> ! {
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as c_ulong, 0, 0, 0);
        // No controlling terminal: nothing can be typed into the user's shell.
        libc::setsid();
        // The supervisor reset the signals; the target becomes dumpable again so that tools
        // inside the sandbox can read their own /proc/self.
        libc::prctl(libc::PR_SET_DUMPABLE, 1 as c_ulong, 0, 0, 0);
        let devnull = libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY);
        if devnull < 0
            || libc::dup2(devnull, 0) < 0
            || libc::dup2(plan.stdout_w, 1) < 0
            || libc::dup2(plan.stderr_w, 2) < 0
        {
            fail(plan, Step::Stdio, 0);
        }
        // Every other descriptor closes at execve; the report pipe stays usable until then.
        if libc::syscall(
            libc::SYS_close_range,
            3u32,
            u32::MAX,
            4u32, /* CLOEXEC */
        ) != 0
        {
            for fd in 3..4096 {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        for (resource, limit) in plan.rlimits.iter() {
            let rl = libc::rlimit {
                rlim_cur: *limit,
                rlim_max: *limit,
            };
            if libc::setrlimit(*resource, &rl) != 0 {
                fail(plan, Step::Limits, *resource);
            }
        }
        if libc::chdir(plan.cwd.as_ptr()) != 0 {
            fail(plan, Step::Cwd, 0);
        }
        let ruleset = landlock_ruleset(plan);
        // Root inside the namespace must not regain capabilities at execve.
        libc::prctl(libc::PR_SET_SECUREBITS, 0xEF as c_ulong, 0, 0, 0);
        for cap in 0..64 {
            libc::prctl(libc::PR_CAPBSET_DROP, cap as c_ulong, 0, 0, 0);
        }
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as c_ulong,
            0,
            0,
            0,
        );
        let mut header = CapHeader {
            version: 0x2008_0522, // _LINUX_CAPABILITY_VERSION_3
            pid: 0,
        };
        let data = [CapData {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        }; 2];
        if libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) != 0 {
            fail(plan, Step::Capabilities, 0);
        }
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as c_ulong, 0, 0, 0) != 0 {
            fail(plan, Step::NoNewPrivs, 0);
        }
        if ruleset >= 0 {
            if libc::syscall(libc::SYS_landlock_restrict_self, ruleset, 0u32) != 0 {
                fail(plan, Step::Landlock, u32::MAX);
            }
            libc::close(ruleset);
        }
        for (i, prog) in plan.seccomp.iter().enumerate() {
            if libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER as c_ulong,
                prog as *const libc::sock_fprog,
            ) != 0
            {
                fail(plan, Step::Seccomp, i as u32);
            }
        }
        if plan.probe_only {
            report(
                plan.report_w,
                Record {
                    kind: Record::PROBE_OK,
                    step: 0,
                    index: 0,
                    value: 0,
                },
            );
            libc::_exit(0);
        }
        libc::execve(
            plan.program.as_ptr(),
            plan.argv_ptrs.as_ptr(),
            plan.envp_ptrs.as_ptr(),
        );
        fail(plan, Step::Exec, 0);
    }
}
