//! The seccomp filters and Landlock access sets, computed in the caller's process before
//! `fork` (the child only hands the prepared bytes to the kernel).

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use crate::SandboxError;

fn unavailable(reason: String) -> SandboxError {
    SandboxError::Unavailable { reason }
}

fn target_arch() -> Result<TargetArch, SandboxError> {
    match std::env::consts::ARCH {
        "x86_64" => Ok(TargetArch::x86_64),
        "aarch64" => Ok(TargetArch::aarch64),
        "riscv64" => Ok(TargetArch::riscv64),
        other => Err(unavailable(format!(
            "no seccomp filter is written for the {other} architecture, so commands cannot be confined; run_command is disabled"
        ))),
    }
}

/// System calls a sandboxed program never needs and that widen the attack surface or leave
/// the sandbox: debugging other processes, mounting, namespaces, keyrings, kernel modules,
/// bpf, io_uring (whose operations bypass seccomp), clock and host settings.
fn always_denied() -> Vec<i64> {
    let mut v = vec![
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_chroot,
        libc::SYS_move_mount,
        libc::SYS_open_tree,
        libc::SYS_fsopen,
        libc::SYS_fsconfig,
        libc::SYS_fsmount,
        libc::SYS_fspick,
        libc::SYS_mount_setattr,
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_unshare,
        libc::SYS_setns,
        libc::SYS_userfaultfd,
        libc::SYS_acct,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_reboot,
        libc::SYS_settimeofday,
        libc::SYS_clock_settime,
        libc::SYS_clock_adjtime,
        libc::SYS_adjtimex,
        libc::SYS_syslog,
        libc::SYS_quotactl,
        libc::SYS_open_by_handle_at,
        libc::SYS_name_to_handle_at,
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
        libc::SYS_sethostname,
        libc::SYS_setdomainname,
        libc::SYS_pidfd_getfd,
        libc::SYS_kcmp,
        libc::SYS_vhangup,
        libc::SYS_fanotify_init,
    ];
    #[cfg(target_arch = "x86_64")]
    v.extend([
        libc::SYS_iopl,
        libc::SYS_ioperm,
        libc::SYS_uselib,
        libc::SYS__sysctl,
        libc::SYS_lookup_dcookie,
    ]);
    #[allow(clippy::useless_conversion)] // c_long is i32 on 32-bit targets
    v.into_iter().map(i64::from).collect()
}

fn cond(arg: u8, len: SeccompCmpArgLen, op: SeccompCmpOp, value: u64) -> SeccompCondition {
    // Only fails for an argument index above 5; ours are constants below it.
    SeccompCondition::new(arg, len, op, value).unwrap_or_else(|_| unreachable!())
}

fn rule(conditions: Vec<SeccompCondition>) -> SeccompRule {
    SeccompRule::new(conditions).unwrap_or_else(|_| unreachable!())
}

/// The main deny-list filter: matching calls fail with `EPERM`, everything else is allowed.
pub(super) fn deny_filter() -> Result<Vec<libc::sock_filter>, SandboxError> {
    let arch = target_arch()?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for nr in always_denied() {
        rules.insert(nr, Vec::new());
    }
    // clone() creating any namespace: each flag is its own rule (rules are OR-ed).
    let ns_flags = [
        libc::CLONE_NEWUSER,
        libc::CLONE_NEWNS,
        libc::CLONE_NEWPID,
        libc::CLONE_NEWNET,
        libc::CLONE_NEWIPC,
        libc::CLONE_NEWUTS,
        libc::CLONE_NEWCGROUP,
    ];
    rules.insert(
        libc::SYS_clone,
        ns_flags
            .iter()
            .map(|&f| {
                let f = f as u64;
                rule(vec![cond(
                    0,
                    SeccompCmpArgLen::Qword,
                    SeccompCmpOp::MaskedEq(f),
                    f,
                )])
            })
            .collect(),
    );
    // Typing into the user's terminal or console.
    rules.insert(
        libc::SYS_ioctl,
        [libc::TIOCSTI, libc::TIOCLINUX]
            .iter()
            .map(|&req| {
                rule(vec![cond(
                    1,
                    SeccompCmpArgLen::Dword,
                    SeccompCmpOp::Eq,
                    #[allow(clippy::unnecessary_cast)] // the ioctl type differs between libcs
                    {
                        req as u64
                    },
                )])
            })
            .collect(),
    );
    // Socket families that are not confined by the network namespace (vsock reaches the
    // hypervisor, bluetooth the radio...): only local, IP (no route exists) and netlink.
    rules.insert(
        libc::SYS_socket,
        vec![rule(
            [
                libc::AF_UNIX,
                libc::AF_INET,
                libc::AF_INET6,
                libc::AF_NETLINK,
            ]
            .iter()
            .map(|&fam| cond(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Ne, fam as u64))
            .collect(),
        )],
    );
    // personality() other than the plain Linux personalities (no ASLR disabling, no emulation).
    rules.insert(
        libc::SYS_personality,
        vec![rule(
            [0u64, 8, 0xffff_ffff]
                .iter()
                .map(|&p| cond(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Ne, p))
                .collect(),
        )],
    );
    eperm_program(rules, arch)
}

/// Compiles a deny map: the listed calls (under their rules) fail with `EPERM`, the rest is
/// allowed.
fn eperm_program(
    rules: BTreeMap<i64, Vec<SeccompRule>>,
    arch: TargetArch,
) -> Result<Vec<libc::sock_filter>, SandboxError> {
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(|e| unavailable(format!("cannot build the seccomp filter: {e}")))?;
    let prog = BpfProgram::try_from(filter)
        .map_err(|e| unavailable(format!("cannot compile the seccomp filter: {e}")))?;
    Ok(prog
        .iter()
        .map(|i| libc::sock_filter {
            code: i.code,
            jt: i.jt,
            jf: i.jf,
            k: i.k,
        })
        .collect())
}

/// System calls a document parser never needs once its input is in memory: starting
/// programs or processes, the network, and opening, creating or changing any file. Used by
/// [`parser_filter`], on top of [`always_denied`].
fn parser_denied() -> Vec<i64> {
    let mut v = vec![
        libc::SYS_execve,
        libc::SYS_execveat,
        libc::SYS_socket,
        libc::SYS_socketpair,
        libc::SYS_connect,
        libc::SYS_bind,
        libc::SYS_listen,
        libc::SYS_accept,
        libc::SYS_accept4,
        libc::SYS_openat,
        libc::SYS_openat2,
        libc::SYS_linkat,
        libc::SYS_unlinkat,
        libc::SYS_renameat,
        libc::SYS_renameat2,
        libc::SYS_mkdirat,
        libc::SYS_symlinkat,
        libc::SYS_mknodat,
        libc::SYS_fchmodat,
        libc::SYS_fchownat,
        libc::SYS_truncate,
        libc::SYS_memfd_create,
        libc::SYS_kill,
        libc::SYS_tkill,
        libc::SYS_pidfd_open,
        libc::SYS_pidfd_send_signal,
    ];
    #[cfg(target_arch = "x86_64")]
    v.extend([
        libc::SYS_fork,
        libc::SYS_vfork,
        libc::SYS_open,
        libc::SYS_creat,
        libc::SYS_link,
        libc::SYS_unlink,
        libc::SYS_rename,
        libc::SYS_mkdir,
        libc::SYS_rmdir,
        libc::SYS_symlink,
        libc::SYS_mknod,
        libc::SYS_chmod,
        libc::SYS_chown,
        libc::SYS_lchown,
    ]);
    #[allow(clippy::useless_conversion)] // c_long is i32 on 32-bit targets
    v.into_iter().map(i64::from).collect()
}

/// The filter of a document-parsing worker: [`always_denied`] and [`parser_denied`] fail
/// with `EPERM`, and `clone` may only make threads (never a process or a namespace).
pub(super) fn parser_filter() -> Result<Vec<libc::sock_filter>, SandboxError> {
    let arch = target_arch()?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for nr in always_denied().into_iter().chain(parser_denied()) {
        rules.insert(nr, Vec::new());
    }
    // clone() without CLONE_THREAD makes a process.
    let thread = libc::CLONE_THREAD as u64;
    rules.insert(
        libc::SYS_clone,
        vec![rule(vec![cond(
            0,
            SeccompCmpArgLen::Qword,
            SeccompCmpOp::MaskedEq(thread),
            0,
        )])],
    );
    eperm_program(rules, arch)
}

const fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// A second, hand-written filter for what a per-number deny list cannot express: `clone3`
/// (its flags live in memory seccomp cannot read) answers `ENOSYS` so libc falls back to
/// `clone`, and on x86_64 every x32 system call (numbers with bit 30 set) is refused, as the
/// deny list above only names the 64-bit numbers.
pub(super) fn extra_filter() -> Vec<libc::sock_filter> {
    const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const JGE_K: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    let errno = |e: i32| libc::SECCOMP_RET_ERRNO | (e as u32 & libc::SECCOMP_RET_DATA);
    // seccomp_data: nr at offset 0 (the architecture was checked by the main filter).
    let mut prog = vec![stmt(LD_W_ABS, 0)];
    if cfg!(target_arch = "x86_64") {
        prog.push(jump(JGE_K, 0x4000_0000, 0, 1));
        prog.push(stmt(RET_K, errno(libc::EPERM)));
    }
    prog.push(jump(JEQ_K, libc::SYS_clone3 as u32, 0, 1));
    prog.push(stmt(RET_K, errno(libc::ENOSYS)));
    prog.push(stmt(RET_K, libc::SECCOMP_RET_ALLOW));
    prog
}

// Landlock access rights, from <linux/landlock.h>.
pub(super) const FS_EXECUTE: u64 = 1 << 0;
pub(super) const FS_WRITE_FILE: u64 = 1 << 1;
pub(super) const FS_READ_FILE: u64 = 1 << 2;
pub(super) const FS_READ_DIR: u64 = 1 << 3;
const FS_REFER: u64 = 1 << 13;
const FS_TRUNCATE: u64 = 1 << 14;
const FS_IOCTL_DEV: u64 = 1 << 15;
const NET_BIND_TCP: u64 = 1 << 0;
const NET_CONNECT_TCP: u64 = 1 << 1;
const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1 << 0;
const SCOPE_SIGNAL: u64 = 1 << 1;

/// Read-only use of a tree: list, read and execute.
pub(super) const FS_READ: u64 = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR;

/// `struct landlock_ruleset_attr`, sized for the running kernel's ABI.
#[derive(Debug, Clone, Copy)]
pub(super) struct LandlockAccess {
    /// handled_access_fs, handled_access_net, scoped.
    pub attr: [u64; 3],
    /// How many bytes of `attr` the kernel understands.
    pub attr_size: usize,
}

impl LandlockAccess {
    /// Every filesystem right the kernel knows is handled (so denied unless a rule grants it),
    /// TCP bind/connect are handled with no rule (so denied), and signals and abstract unix
    /// sockets are scoped to the sandbox.
    pub fn for_abi(abi: u32) -> Self {
        let mut fs = (1u64 << 13) - 1; // ABI 1: execute .. make_sym
        if abi >= 2 {
            fs |= FS_REFER;
        }
        if abi >= 3 {
            fs |= FS_TRUNCATE;
        }
        if abi >= 5 {
            fs |= FS_IOCTL_DEV;
        }
        let net = if abi >= 4 {
            NET_BIND_TCP | NET_CONNECT_TCP
        } else {
            0
        };
        let scoped = if abi >= 6 {
            SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        } else {
            0
        };
        let attr_size = match abi {
            0..=3 => 8,
            4 | 5 => 16,
            _ => 24,
        };
        LandlockAccess {
            attr: [fs, net, scoped],
            attr_size,
        }
    }

    /// All handled filesystem rights: what a writable folder gets.
    pub fn fs_all(&self) -> u64 {
        self.attr[0]
    }
}

/// Landlock ABI version of the running kernel, or None.
pub(super) fn landlock_abi() -> Option<u32> {
    const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
    // SAFETY: with a null attribute and the VERSION flag the call only returns a number.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    u32::try_from(r).ok().filter(|&v| v >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_filter_compiles_for_this_architecture() {
        let prog = deny_filter().unwrap();
        assert!(prog.len() > 20);
    }

    #[test]
    fn landlock_attr_size_follows_the_abi() {
        assert_eq!(LandlockAccess::for_abi(1).attr_size, 8);
        assert_eq!(
            LandlockAccess::for_abi(4).attr[1],
            NET_BIND_TCP | NET_CONNECT_TCP
        );
        assert_eq!(LandlockAccess::for_abi(7).attr_size, 24);
        assert_eq!(LandlockAccess::for_abi(3).fs_all() & FS_IOCTL_DEV, 0);
    }
}
