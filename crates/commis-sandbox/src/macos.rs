//! The macOS sandbox: a Seatbelt profile applied by `/usr/bin/sandbox-exec`, a private
//! temporary directory, rlimits, and the whole process group killed on timeout or cancel.
//!
//! Written against Apple's documented `sandbox-exec` behaviour but not exercised in CI (the
//! project's CI runs Linux); `probe` reports it as usable only when `sandbox-exec` exists.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::request::{Checked, OutputSink};
use crate::{CancelFlag, Capabilities, CommandOutput, MAX_FILE_BYTES, SandboxError, Stream};

const SANDBOX_EXEC: &str = "/usr/bin/sandbox-exec";

/// Paths are passed as `-D` parameters, never spliced into the profile text, so a folder
/// name cannot change the policy.
const PROFILE_HEAD: &str = r#"(version 1)
(deny default)
(allow process-fork)
(allow process-exec)
(allow signal (target same-sandbox))
(allow sysctl-read)
(allow ipc-posix-shm)
(allow file-read-metadata)
(allow file-read*
  (literal "/")
  (subpath "/usr") (subpath "/bin") (subpath "/sbin") (subpath "/opt")
  (subpath "/System") (subpath "/Library") (subpath "/private/etc")
  (subpath "/private/var/db/timezone") (subpath "/dev")
  (subpath (param "TMP")))
(allow file-write* (subpath (param "TMP")))
(allow file-write-data (literal "/dev/null") (literal "/dev/zero") (literal "/dev/dtracehelper"))
(allow mach-lookup
  (global-name "com.apple.system.opendirectoryd.libinfo")
  (global-name "com.apple.system.notification_center")
  (global-name "com.apple.system.logger"))
(deny network*)
"#;

pub(crate) fn probe() -> Result<Capabilities, SandboxError> {
    let usable = Path::new(SANDBOX_EXEC).exists();
    Ok(Capabilities {
        backend: "macos-seatbelt",
        namespaces: false,
        landlock_abi: None,
        seccomp: false,
        process_limit: "timeout only",
        usable,
        notes: if usable {
            vec!["macOS: Seatbelt confines files and network; processes are bounded by the timeout (RLIMIT_NPROC is per user on macOS)".into()]
        } else {
            vec![format!(
                "{SANDBOX_EXEC} is missing: commands cannot be sandboxed on this Mac"
            )]
        },
    })
}

fn profile(req: &Checked) -> (String, Vec<(String, PathBuf)>) {
    let mut text = PROFILE_HEAD.to_string();
    let mut params = Vec::new();
    for (i, p) in req.writable.iter().enumerate() {
        let key = format!("RW{i}");
        text.push_str(&format!(
            "(allow file-read* file-write* (subpath (param \"{key}\")))\n"
        ));
        params.push((key, p.clone()));
    }
    for (i, p) in req.readable.iter().enumerate() {
        let key = format!("RO{i}");
        text.push_str(&format!("(allow file-read* (subpath (param \"{key}\")))\n"));
        params.push((key, p.clone()));
    }
    (text, params)
}

pub(crate) fn run(
    req: &Checked,
    cancel: &CancelFlag,
    on_output: &mut dyn FnMut(Stream, &[u8]),
) -> Result<CommandOutput, SandboxError> {
    if !Path::new(SANDBOX_EXEC).exists() {
        return Err(SandboxError::Unavailable {
            reason: format!(
                "{SANDBOX_EXEC} is missing, so commands cannot be sandboxed on this Mac"
            ),
        });
    }
    let io = |what: &str| {
        let what = what.to_string();
        move |source| SandboxError::Io { what, source }
    };
    let tmp = std::env::temp_dir()
        .canonicalize()
        .map_err(io("finding the temporary directory"))?
        .join(format!("commis-sandbox-{}-{}", std::process::id(), nanos()));
    std::fs::create_dir(&tmp).map_err(io("creating the sandbox's private temporary directory"))?;
    let result = run_in(req, cancel, on_output, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

fn run_in(
    req: &Checked,
    cancel: &CancelFlag,
    on_output: &mut dyn FnMut(Stream, &[u8]),
    tmp: &Path,
) -> Result<CommandOutput, SandboxError> {
    let (text, params) = profile(req);
    let mut cmd = Command::new(SANDBOX_EXEC);
    cmd.arg("-D").arg(format!("TMP={}", tmp.display()));
    for (k, p) in &params {
        cmd.arg("-D").arg(format!("{k}={}", p.display()));
    }
    cmd.arg("-p")
        .arg(text)
        .arg(&req.program)
        .args(&req.argv[1..]);
    cmd.env_clear()
        .envs(req.env.iter().map(|(k, v)| (k, v)))
        .env("TMPDIR", tmp)
        .current_dir(&req.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let cpu = req.timeout.as_secs().saturating_add(1).saturating_mul(8);
    // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            for (res, lim) in [
                (libc::RLIMIT_CPU, cpu),
                (libc::RLIMIT_FSIZE, MAX_FILE_BYTES),
                (libc::RLIMIT_CORE, 0),
            ] {
                let rl = libc::rlimit {
                    rlim_cur: lim,
                    rlim_max: lim,
                };
                if libc::setrlimit(res, &rl) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|source| SandboxError::Exec {
        program: SANDBOX_EXEC.into(),
        source,
    })?;
    let pgid = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel::<(Stream, Vec<u8>)>();
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        readers.push(spawn_reader(out, Stream::Stdout, tx.clone()));
    }
    if let Some(err) = child.stderr.take() {
        readers.push(spawn_reader(err, Stream::Stderr, tx.clone()));
    }
    drop(tx);
    let mut sink = OutputSink::new(req.max_output_bytes);
    let (mut timed_out, mut cancelled, mut killed) = (false, false, false);
    let status = loop {
        if !killed {
            if cancel.load(Ordering::SeqCst) {
                cancelled = true;
            } else if started.elapsed() >= req.timeout {
                timed_out = true;
            }
            if timed_out || cancelled {
                // SAFETY: signalling the process group we created.
                unsafe { libc::killpg(pgid, libc::SIGKILL) };
                killed = true;
            }
        }
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok((stream, bytes)) => sink.push(stream, &bytes, on_output),
            Err(mpsc::RecvTimeoutError::Timeout) | Err(mpsc::RecvTimeoutError::Disconnected) => {}
        }
        if let Some(status) = child.try_wait().map_err(|source| SandboxError::Io {
            what: "waiting for the sandboxed command".into(),
            source,
        })? {
            // Leftover background processes of the group go with the leader.
            // SAFETY: signalling the process group we created.
            unsafe { libc::killpg(pgid, libc::SIGKILL) };
            break status;
        }
    };
    for r in readers {
        let _ = r.join();
    }
    while let Ok((stream, bytes)) = rx.try_recv() {
        sink.push(stream, &bytes, on_output);
    }
    use std::os::unix::process::ExitStatusExt;
    Ok(CommandOutput {
        exit_code: status.code(),
        signal: status.signal(),
        stdout: sink.stdout,
        stderr: sink.stderr,
        truncated: sink.truncated,
        timed_out,
        cancelled,
        duration: started.elapsed(),
    })
}

fn spawn_reader(
    mut r: impl Read + Send + 'static,
    stream: Stream,
    tx: mpsc::Sender<(Stream, Vec<u8>)>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 << 10];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send((stream, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    })
}
