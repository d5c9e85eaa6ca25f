//! The escape suite: a sandbox over a temporary granted folder, and /bin/sh payloads that try
//! to reach what is outside it. Every attempt must fail; the counts are printed (and recorded
//! in docs/SECURITY-sandbox.md).
//!
//! Run with: `cargo test -p commis-sandbox --test all escapes:: -- --nocapture --test-threads=1`
//!
//! When the machine cannot sandbox at all, the suite asserts that `run` refuses instead.

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use commis_sandbox::{
    Backend, CommandOutput, CommandRequest, SandboxError, Stream, probe, probe_backend, run,
    run_with,
};

struct World {
    backend: Backend,
    granted: tempfile::TempDir,
    outside: tempfile::TempDir,
    readonly: tempfile::TempDir,
    token: String,
    home: PathBuf,
    test_pid: u32,
    victim: Child,
    tcp: TcpListener,
    abstract_name: String,
    _abstract: Option<UnixListener>,
    uniq: String,
}

impl World {
    fn new() -> World {
        World::with_backend(Backend::Auto)
    }

    fn with_backend(backend: Backend) -> World {
        let uniq = format!("commis-escape-{}-{}", std::process::id(), nanos());
        let granted = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let readonly = tempfile::tempdir().unwrap();
        let token = format!("SECRET-{uniq}");
        std::fs::write(outside.path().join("secret.txt"), &token).unwrap();
        std::fs::write(readonly.path().join("data.txt"), "read me").unwrap();
        // Symlinks planted in the granted folder, pointing out of it.
        let g = granted.path();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), g.join("link-secret"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path(), g.join("link-outside")).unwrap();
        std::os::unix::fs::symlink("/", g.join("link-root")).unwrap();
        std::os::unix::fs::symlink("..", g.join("link-parent")).unwrap();
        let home = PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()));
        let victim = Command::new("sleep").arg("300").spawn().unwrap();
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        tcp.set_nonblocking(true).unwrap();
        let abstract_name = uniq.clone();
        let abstract_listener = {
            use std::os::linux::net::SocketAddrExt;
            std::os::unix::net::SocketAddr::from_abstract_name(abstract_name.as_bytes())
                .ok()
                .and_then(|a| UnixListener::bind_addr(&a).ok())
        };
        if let Some(l) = &abstract_listener {
            l.set_nonblocking(true).unwrap();
        }
        World {
            backend,
            granted,
            outside,
            readonly,
            token,
            home,
            test_pid: std::process::id(),
            victim,
            tcp,
            abstract_name,
            _abstract: abstract_listener,
            uniq,
        }
    }

    fn request(&self, script: &str, timeout: Duration) -> CommandRequest {
        let mut req = CommandRequest::new(
            vec!["/bin/sh".into(), "-c".into(), script.into()],
            self.granted.path().to_path_buf(),
        );
        req.readable = vec![self.readonly.path().to_path_buf()];
        req.timeout = timeout;
        req.max_processes = 32;
        req.max_memory_bytes = 1 << 30;
        req
    }

    fn run(&self, script: &str, timeout: Duration) -> CommandOutput {
        let cancel = Arc::new(AtomicBool::new(false));
        run_with(
            self.backend,
            &self.request(script, timeout),
            &cancel,
            &mut |_, _| {},
        )
        .unwrap()
    }

    fn victim_alive(&mut self) -> bool {
        self.victim.try_wait().unwrap().is_none()
    }

    fn tcp_accepted(&self) -> bool {
        self.tcp.accept().is_ok()
    }

    fn abstract_accepted(&self) -> bool {
        self._abstract.as_ref().is_some_and(|l| l.accept().is_ok())
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.victim.kill();
        let _ = self.victim.wait();
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn text(out: &CommandOutput) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Host processes whose command line contains `needle`.
fn host_processes_with(needle: &str) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let mut cmd = Vec::new();
        if let Ok(mut f) = std::fs::File::open(e.path().join("cmdline")) {
            let _ = f.read_to_end(&mut cmd);
        }
        if String::from_utf8_lossy(&cmd).contains(needle) {
            n += 1;
        }
    }
    n
}

type Check = Box<dyn Fn(&mut World, &CommandOutput) -> bool>;

struct Attempt {
    name: String,
    script: String,
    timeout: Duration,
    blocked: Check,
}

fn attempt(name: &str, script: String, blocked: Check) -> Attempt {
    Attempt {
        name: name.into(),
        script,
        timeout: Duration::from_secs(10),
        blocked,
    }
}

fn no_token() -> Check {
    Box::new(|w, o| !text(o).contains(&w.token))
}

fn absent_on_host(path: PathBuf) -> Check {
    Box::new(move |_, _| !path.exists())
}

fn failed() -> Check {
    Box::new(|_, o| o.exit_code != Some(0))
}

fn attempts(w: &World) -> Vec<Attempt> {
    let u = &w.uniq;
    let out = w.outside.path().display().to_string();
    let granted = w.granted.path();
    let parent = granted.parent().unwrap().to_path_buf();
    let home = w.home.display().to_string();
    let home_entries: Vec<String> = std::fs::read_dir(&w.home)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.len() > 3 && n != ".bashrc" && n != ".profile")
                .collect()
        })
        .unwrap_or_default();
    let pid = w.test_pid;
    let victim = w.victim.id();
    let port = w.tcp.local_addr().unwrap().port();
    let abs = w.abstract_name.clone();
    let ro = w.readonly.path().display().to_string();
    let mut v = vec![
        // Writes outside the folder.
        attempt(
            "write to the host /tmp",
            format!("echo pwn > /tmp/{u} && sync"),
            absent_on_host(PathBuf::from(format!("/tmp/{u}"))),
        ),
        attempt(
            "write to $HOME",
            format!("echo pwn > {home}/{u}"),
            absent_on_host(w.home.join(u)),
        ),
        attempt(
            "write to /etc",
            format!("echo pwn > /etc/{u}"),
            absent_on_host(PathBuf::from(format!("/etc/{u}"))),
        ),
        attempt(
            "write to /usr/bin",
            format!("echo pwn > /usr/bin/{u}"),
            absent_on_host(PathBuf::from(format!("/usr/bin/{u}"))),
        ),
        attempt(
            "write to the parent directory (../)",
            format!("echo pwn > ../{u}"),
            absent_on_host(parent.join(u)),
        ),
        attempt(
            "write to the parent directory (absolute path)",
            format!("echo pwn > {}/{u}", parent.display()),
            absent_on_host(parent.join(u)),
        ),
        attempt(
            "overwrite the planted secret outside",
            format!("echo pwn > {out}/secret.txt"),
            Box::new(|w, _| {
                std::fs::read_to_string(w.outside.path().join("secret.txt")).unwrap() == w.token
            }),
        ),
        attempt(
            "write into the read-only granted folder",
            format!("echo pwn > {ro}/{u}"),
            absent_on_host(w.readonly.path().join(u)),
        ),
        // Reads outside the folder.
        attempt(
            "read the planted secret outside",
            format!("cat {out}/secret.txt"),
            no_token(),
        ),
        attempt(
            "list the home directory",
            format!("ls -la {home}; cat {home}/.bashrc {home}/.profile"),
            Box::new(move |_, o| {
                o.exit_code != Some(0)
                    && !home_entries.iter().any(|e| text(o).contains(e.as_str()))
            }),
        ),
        attempt(
            "read /etc/shadow",
            "cat /etc/shadow".into(),
            Box::new(|_, o| !text(o).contains("root:")),
        ),
        attempt(
            "list /run, /var, /home, /root, /sys (sockets, other users)",
            "ls /run /var /home /root /sys 2>&1 | grep -v 'No such' | grep . && exit 0; exit 1"
                .into(),
            failed(),
        ),
        // Network.
        attempt(
            "TCP connection to a listener on the host's 127.0.0.1",
            format!("echo hi > /dev/tcp/127.0.0.1/{port}"),
            Box::new(|w, o| o.exit_code != Some(0) && !w.tcp_accepted()),
        ),
        attempt(
            "TCP connection to an outside address (1.1.1.1:53)",
            "/usr/bin/timeout 3 bash -c 'echo > /dev/tcp/1.1.1.1/53'".into(),
            failed(),
        ),
        attempt(
            "UDP datagram to a DNS server",
            "bash -c 'echo x > /dev/udp/8.8.8.8/53'".into(),
            failed(),
        ),
        attempt("DNS resolution", "getent hosts example.com".into(), failed()),
        attempt(
            "connect to the host's abstract unix socket",
            format!(
                "/usr/bin/python3 -c \"import socket; s=socket.socket(socket.AF_UNIX); s.connect(b'\\0{abs}')\""
            ),
            Box::new(|w, o| o.exit_code != Some(0) && !w.abstract_accepted()),
        ),
        attempt(
            "open a vsock socket to the hypervisor",
            "/usr/bin/python3 -c \"import socket; socket.socket(40, socket.SOCK_STREAM)\"".into(),
            failed(),
        ),
        // Signals.
        attempt(
            "kill -9 the test process",
            format!("kill -9 {pid}"),
            Box::new(|_, o| o.exit_code != Some(0)),
        ),
        attempt(
            "kill -9 a host process of the same user",
            format!("kill -9 {victim}"),
            Box::new(|w, _| w.victim_alive()),
        ),
        attempt(
            "kill -9 every process (-1)",
            "kill -9 -1; sleep 0.2; exit 0".into(),
            Box::new(|w, _| w.victim_alive()),
        ),
        attempt(
            "kill -9 pid 1 and the parent",
            "kill -9 1; kill -9 $PPID; sleep 0.2; echo survived".into(),
            Box::new(|w, o| w.victim_alive() && text(o).contains("survived")),
        ),
        // Symlinks planted inside the folder.
        attempt(
            "read through a planted symlink to the secret",
            "cat link-secret".into(),
            no_token(),
        ),
        attempt(
            "write through a planted symlink to an outside folder",
            format!("echo pwn > link-outside/{u}"),
            absent_on_host(w.outside.path().join(u)),
        ),
        attempt(
            "read through a planted symlink to /",
            format!("cat link-root{out}/secret.txt"),
            no_token(),
        ),
        attempt(
            "write through a planted symlink to ..",
            format!("echo pwn > link-parent/{u}"),
            absent_on_host(parent.join(u)),
        ),
        attempt(
            "symlink made inside the sandbox to the secret",
            format!("ln -s {out}/secret.txt made-link; cat made-link"),
            no_token(),
        ),
        attempt(
            "hard link to the secret",
            format!("ln {out}/secret.txt hard-link && cat hard-link"),
            no_token(),
        ),
        // /proc tricks.
        attempt(
            "/proc/1/root to the host",
            format!("cat /proc/1/root{out}/secret.txt"),
            no_token(),
        ),
        attempt(
            "/proc/self/root/../ climbing",
            format!("cat /proc/self/root/../../..{out}/secret.txt"),
            no_token(),
        ),
        attempt(
            "/proc/<test pid>/environ",
            format!("cat /proc/{pid}/environ /proc/{pid}/cmdline"),
            Box::new(|_, o| !text(o).contains("CARGO") && !text(o).contains("escapes")),
        ),
        attempt(
            "/proc/<test pid>/root and cwd",
            format!("ls /proc/{pid}/root/ /proc/{pid}/cwd/; cat /proc/{pid}/root{out}/secret.txt"),
            no_token(),
        ),
        attempt(
            "write /proc/sysrq-trigger",
            "echo h > /proc/sysrq-trigger".into(),
            failed(),
        ),
        attempt(
            "write a host-wide sysctl (/proc/sys/vm/drop_caches)",
            "echo 1 > /proc/sys/vm/drop_caches".into(),
            failed(),
        ),
        // Privileged operations.
        attempt(
            "ptrace pid 1 (strace -p 1)",
            "strace -p 1 -e trace=none -o /dev/null & sleep 1; kill -0 $! 2>/dev/null".into(),
            failed(),
        ),
        attempt(
            "ptrace pid 1 (python ctypes PTRACE_ATTACH)",
            "/usr/bin/python3 -c \"import ctypes,sys; l=ctypes.CDLL(None); sys.exit(0 if l.ptrace(16,1,0,0)==0 else 1)\"".into(),
            failed(),
        ),
        attempt(
            "read another process's memory (/proc/1/mem)",
            "head -c 16 /proc/1/mem > mem.bin; test -s mem.bin".into(),
            failed(),
        ),
        attempt(
            "mount a tmpfs",
            "mkdir -p m && mount -t tmpfs none m".into(),
            failed(),
        ),
        attempt(
            "bind-mount / somewhere visible",
            "mkdir -p m2 && mount --bind / m2 && ls m2".into(),
            failed(),
        ),
        attempt("unshare a user namespace", "unshare -U true".into(), failed()),
        attempt(
            "unshare a user namespace mapped to root",
            "unshare -r true".into(),
            failed(),
        ),
        attempt(
            "unshare mount+network namespaces",
            "unshare -mn true".into(),
            failed(),
        ),
        attempt("setns into pid 1's namespaces", "nsenter -t 1 -a true".into(), failed()),
        attempt("chroot", "chroot / true".into(), failed()),
        attempt(
            "create a block device node and read the disk",
            "mknod /tmp/disk b 254 0 && head -c 512 /tmp/disk > disk.bin; test -s disk.bin".into(),
            failed(),
        ),
        attempt("become root with su", "su -c true root </dev/null".into(), failed()),
    ];
    let limit = 32usize;
    // Every shell of the bomb carries the marker in its command line, so survivors are visible.
    let bomb = format!("{u}-bomb");
    v.push(Attempt {
        name: "fork bomb (bounded, finishes by the timeout, leaves nothing)".into(),
        script: format!("# {bomb}\nf() {{ f | f & }}; f; sleep 30"),
        timeout: Duration::from_secs(3),
        blocked: Box::new(move |_, o| {
            o.duration < Duration::from_secs(5) && host_processes_with(&bomb) == 0
        }),
    });
    v.push(Attempt {
        name: "more processes than max_processes".into(),
        script: "/usr/bin/python3 -c '
import os, time
n = 1
for i in range(400):
    try:
        if os.fork() == 0:
            time.sleep(3)
            os._exit(0)
        n += 1
    except OSError:
        break
print(n)'"
            .into(),
        timeout: Duration::from_secs(15),
        blocked: Box::new(move |_, o| {
            let seen: usize = String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse()
                .unwrap_or(usize::MAX);
            // Root is bounded by the namespace's pid_max (301); others by RLIMIT_NPROC.
            let bound = if is_root() { 301 } else { limit };
            println!("      (processes that ran at once: {seen}, bound {bound})");
            seen <= bound
        }),
    });
    v
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"))
}

fn sandbox_available() -> bool {
    let caps = probe().expect("probe must answer");
    println!("probe: {caps:#?}");
    if caps.usable {
        return true;
    }
    // CI sets this where the sandbox is expected, so that losing it fails loudly.
    assert!(
        std::env::var("COMMIS_REQUIRE_SANDBOX").as_deref() != Ok("1"),
        "COMMIS_REQUIRE_SANDBOX=1 but the sandbox is unusable: {:?}",
        caps.notes
    );
    // A machine that cannot sandbox must refuse, not run unconfined.
    let dir = tempfile::tempdir().unwrap();
    let req = CommandRequest::new(vec!["true".into()], dir.path().to_path_buf());
    let r = run(&req, &Arc::new(AtomicBool::new(false)), &mut |_, _| {});
    assert!(
        matches!(r, Err(SandboxError::Unavailable { .. })),
        "run must refuse when the sandbox is unusable, got {r:?}"
    );
    println!("NOTICE: sandbox unavailable here; asserted that run refuses");
    false
}

/// The Linux backends this machine can run (the suite runs once per backend).
fn usable_backends() -> Vec<Backend> {
    let mut v = Vec::new();
    for b in [Backend::Namespaces, Backend::Bubblewrap] {
        match probe_backend(b) {
            Ok(c) if c.usable => v.push(b),
            Ok(c) => println!("NOTICE: backend {b:?} unusable here: {:?}", c.notes),
            Err(e) => println!("NOTICE: backend {b:?} unusable here: {e}"),
        }
    }
    v
}

/// Programs the payloads use; a missing one would make its attempts fail for the wrong reason.
const PAYLOAD_TOOLS: &[&str] = &[
    "/usr/bin/python3",
    "/usr/bin/strace",
    "/usr/bin/bash",
    "/usr/bin/getent",
    "/usr/bin/unshare",
    "/usr/bin/nsenter",
    "/usr/bin/mount",
    "/usr/sbin/chroot",
    "/usr/bin/mknod",
    "/usr/bin/su",
    "/usr/bin/timeout",
];

fn payload_tools_present() -> bool {
    let missing: Vec<_> = PAYLOAD_TOOLS
        .iter()
        .filter(|t| !std::path::Path::new(t).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("escape-suite tools missing: {missing:?}; run scripts/test-deps-sandbox.sh");
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
    println!("NOTICE: skipping the escape suite locally: {msg}");
    false
}

#[test]
fn the_payload_tools_work_inside_the_sandbox() {
    if !sandbox_available() || !payload_tools_present() {
        return;
    }
    // Positive controls: the escape payloads fail because of the sandbox, not because their
    // interpreter or tool cannot start in it.
    for backend in usable_backends() {
        let w = World::with_backend(backend);
        for script in [
            "/usr/bin/python3 -c 'import socket, ctypes; print(1)'",
            "bash -c 'echo ok'",
            "strace -V",
            "getent passwd root",
            "unshare --help",
            "nsenter --help",
            "mount --help",
            "ln -s a b && ln b c2 2>/dev/null; ls",
            "kill -0 $$",
        ] {
            let out = w.run(script, Duration::from_secs(10));
            assert!(
                out.success(),
                "{backend:?}: `{script}` failed inside: {}",
                text(&out)
            );
        }
    }
}

#[test]
fn every_escape_attempt_fails() {
    if !sandbox_available() || !payload_tools_present() {
        return;
    }
    let mut escaped = Vec::new();
    for backend in usable_backends() {
        let mut w = World::with_backend(backend);
        let list = attempts(&w);
        let total = list.len();
        let before = escaped.len();
        for a in list {
            let out = w.run(&a.script, a.timeout);
            let blocked = (a.blocked)(&mut w, &out);
            println!(
                "[{}] {backend:?}: {} (exit {:?}, signal {:?}, {:?})",
                if blocked { "blocked" } else { "ESCAPED" },
                a.name,
                out.exit_code,
                out.signal,
                out.duration
            );
            if !blocked {
                println!("      output: {}", text(&out).trim());
                escaped.push(format!("{backend:?}: {}", a.name));
            }
        }
        let n = escaped.len() - before;
        println!(
            "escape attempts ({backend:?}): {total}, blocked: {}, escaped: {n}",
            total - n
        );
        assert!(w.victim_alive());
    }
    assert!(escaped.is_empty(), "escapes: {escaped:?}");
}

#[test]
fn a_write_inside_the_granted_folder_succeeds() {
    if !sandbox_available() {
        return;
    }
    let w = World::new();
    let out = w.run(
        "mkdir -p sub && echo bonjour > sub/out.txt && cat sub/out.txt",
        Duration::from_secs(10),
    );
    assert!(out.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bonjour\n");
    assert_eq!(
        std::fs::read_to_string(w.granted.path().join("sub/out.txt")).unwrap(),
        "bonjour\n"
    );
}

#[test]
fn the_read_only_folder_is_readable() {
    if !sandbox_available() {
        return;
    }
    let w = World::new();
    let out = w.run(
        &format!("cat {}/data.txt", w.readonly.path().display()),
        Duration::from_secs(10),
    );
    assert!(out.success(), "{}", text(&out));
    assert_eq!(out.stdout, b"read me");
}

#[test]
fn timeout_kills_the_whole_tree_within_a_second() {
    if !sandbox_available() {
        return;
    }
    for backend in usable_backends() {
        let w = World::with_backend(backend);
        let marker = "987.654";
        let timeout = Duration::from_secs(1);
        let started = Instant::now();
        let out = w.run(
            &format!(
                "sleep {marker} & (sleep {marker} &) ; setsid sleep {marker} & sleep {marker}"
            ),
            timeout,
        );
        let elapsed = started.elapsed();
        assert!(out.timed_out);
        assert_eq!(out.signal, Some(9));
        assert!(
            elapsed < timeout + Duration::from_secs(1),
            "took {elapsed:?} for a {timeout:?} timeout"
        );
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(
            host_processes_with(marker),
            0,
            "{backend:?}: sleep processes survived"
        );
        println!("timeout 1 s ({backend:?}): returned after {elapsed:?}");
    }
}

#[test]
fn cancel_kills_the_tree_promptly() {
    if !sandbox_available() {
        return;
    }
    let w = World::new();
    let cancel = Arc::new(AtomicBool::new(false));
    let c2 = cancel.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        c2.store(true, Ordering::SeqCst);
        Instant::now()
    });
    let req = w.request("sleep 100 & sleep 100", Duration::from_secs(60));
    let out = run(&req, &cancel, &mut |_, _| {}).unwrap();
    let cancelled_at = t.join().unwrap();
    assert!(out.cancelled);
    assert!(!out.timed_out);
    assert!(cancelled_at.elapsed() < Duration::from_secs(1));
}

#[test]
fn output_streams_to_the_callback_and_is_truncated_at_the_limit() {
    if !sandbox_available() {
        return;
    }
    let w = World::new();
    let mut req = w.request(
        "echo out; echo err >&2; head -c 100000 /dev/zero",
        Duration::from_secs(10),
    );
    req.max_output_bytes = 1000;
    let mut seen = Vec::new();
    let out = run(&req, &Arc::new(AtomicBool::new(false)), &mut |s, b| {
        seen.push((s, b.len()))
    })
    .unwrap();
    assert!(out.success());
    assert!(out.truncated);
    assert_eq!(out.stdout.len() + out.stderr.len(), 1000);
    assert!(out.stderr.starts_with(b"err"));
    assert!(seen.iter().any(|(s, _)| *s == Stream::Stderr));
    assert_eq!(seen.iter().map(|(_, n)| n).sum::<usize>(), 1000);
}

#[test]
fn exit_codes_and_signals_are_reported() {
    if !sandbox_available() {
        return;
    }
    let w = World::new();
    assert_eq!(w.run("exit 7", Duration::from_secs(10)).exit_code, Some(7));
    let killed = w.run("kill -TERM $$", Duration::from_secs(10));
    assert_eq!(killed.signal, Some(15));
    assert_eq!(killed.exit_code, None);
}

#[test]
fn a_program_that_is_not_executable_is_an_exec_error() {
    if !sandbox_available() {
        return;
    }
    let w = World::new();
    std::fs::write(w.granted.path().join("script.sh"), "echo hi").unwrap();
    let mut req = w.request("", Duration::from_secs(5));
    req.argv = vec!["./script.sh".into()];
    let r = run(&req, &Arc::new(AtomicBool::new(false)), &mut |_, _| {});
    assert!(matches!(r, Err(SandboxError::Exec { .. })), "{r:?}");
}

#[test]
fn the_environment_is_only_what_the_request_gives() {
    if !sandbox_available() {
        return;
    }
    let w = World::new();
    let mut req = w.request("env", Duration::from_secs(5));
    req.env.push(("COMMIS_TEST".into(), "1".into()));
    let out = run(&req, &Arc::new(AtomicBool::new(false)), &mut |_, _| {}).unwrap();
    let env = String::from_utf8_lossy(&out.stdout);
    assert!(env.contains("COMMIS_TEST=1"));
    assert!(!env.contains("CARGO"));
}

#[test]
fn libreoffice_converts_a_document_inside_the_sandbox() {
    if !sandbox_available() {
        return;
    }
    if !std::path::Path::new("/usr/bin/soffice").exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "soffice missing: run scripts/test-deps-sandbox.sh"
        );
        println!("NOTICE: soffice missing, skipping the conversion test");
        return;
    }
    let w = World::new();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/office/python-docx/blk-paras-and-tables.docx"
    );
    std::fs::copy(fixture, w.granted.path().join("report.docx")).unwrap();
    let mut req = w.request("", Duration::from_secs(120));
    req.argv = [
        "soffice",
        "--headless",
        "-env:UserInstallation=file:///tmp/lo-profile",
        "--convert-to",
        "pdf",
        "report.docx",
    ]
    .map(String::from)
    .to_vec();
    req.max_memory_bytes = 4 << 30;
    let started = Instant::now();
    let out = run(&req, &Arc::new(AtomicBool::new(false)), &mut |_, _| {}).unwrap();
    println!("soffice conversion in the sandbox: {:?}", started.elapsed());
    assert!(out.success(), "{}", text(&out));
    let pdf = std::fs::read(w.granted.path().join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn runs_from_many_threads_at_once_all_complete() {
    // The caller forks from a multi-threaded process: allocation and locks held by other
    // threads at fork time must not hang or corrupt the children.
    if !sandbox_available() {
        return;
    }
    let w = Arc::new(World::new());
    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut v: Vec<Vec<u8>> = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                v.push(vec![1u8; 4096]);
                if v.len() > 1000 {
                    v.clear();
                }
            }
        })
    };
    let handles: Vec<_> = (0..6)
        .map(|t| {
            let w = w.clone();
            std::thread::spawn(move || {
                for i in 0..5 {
                    let out = w.run(&format!("echo {t}-{i}"), Duration::from_secs(20));
                    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{t}-{i}\n"));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    churn.join().unwrap();
}

#[test]
#[ignore = "measurement: cargo test -p commis-sandbox --test all escapes:: -- --ignored --nocapture"]
fn measure_sandbox_start_overhead() {
    assert!(sandbox_available());
    let n = 50;
    let direct = {
        let t = Instant::now();
        for _ in 0..n {
            assert!(
                Command::new("/bin/sh")
                    .args(["-c", "true"])
                    .status()
                    .unwrap()
                    .success()
            );
        }
        t.elapsed() / n
    };
    println!("unsandboxed `sh -c true`: mean {direct:?}");
    for backend in usable_backends() {
        let w = World::with_backend(backend);
        let mut runs = Vec::new();
        for _ in 0..n {
            let out = w.run("true", Duration::from_secs(10));
            assert!(out.success());
            runs.push(out.duration);
        }
        runs.sort();
        println!(
            "sandboxed `sh -c true` ({backend:?}): median {:?}, p90 {:?}, min {:?} over {n} runs",
            runs[n as usize / 2],
            runs[n as usize * 9 / 10],
            runs[0]
        );
        let t = Instant::now();
        let caps = probe_backend(backend).unwrap();
        println!(
            "probe_backend({backend:?}): {:?} (usable: {})",
            t.elapsed(),
            caps.usable
        );
    }
}
