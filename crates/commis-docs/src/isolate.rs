//! Reading untrusted bytes in a worker process, so that a parser that aborts, runs
//! out of memory or loops costs one file, not the program that asked.
//!
//! The program that embeds commis-docs names a worker once ([`set_worker_program`]):
//! an executable that, started with [`WORKER_ARG`] as its first argument, calls
//! [`worker_main`]. The `commis` binary re-executes itself. [`read_guarded`] then
//! sends each risky document to a fresh worker with an address-space (memory),
//! CPU-time, wall-clock and output limit, and an empty environment (no API keys
//! reach a parser). Small files of line-oriented text formats, whose readers are
//! linear and bounded by [`Limits`], are read in the calling process: a worker costs
//! a process start. Without a worker program (library use, unit tests) every file is
//! read in process, still bounded by [`Limits`].
//!
//! On Linux the worker also gives up every file-system and TCP access (Landlock)
//! before it parses anything: it reads the bytes on standard input and writes the
//! document on standard output, nothing else. The caller passes bytes, not paths.

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{Document, Format};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// First argument that starts a program as an extraction worker.
pub const WORKER_ARG: &str = "__extract-worker";

/// Environment variable a worker reads its [`Limits`] from (JSON).
const LIMITS_ENV: &str = "COMMIS_WORKER_LIMITS";
/// Environment variable a worker reads its memory limit from (bytes).
const MEMORY_ENV: &str = "COMMIS_WORKER_MEMORY";
/// Environment variable a worker reads its CPU-time limit from (seconds).
const CPU_ENV: &str = "COMMIS_WORKER_CPU";

static WORKER: OnceLock<PathBuf> = OnceLock::new();

/// Names the executable started as a worker (its first argument is [`WORKER_ARG`]).
/// Only the first call counts.
pub fn set_worker_program(program: PathBuf) {
    let _ = WORKER.set(program);
}

/// Whether a worker program was named (documents can be read out of process).
pub fn worker_available() -> bool {
    WORKER.get().is_some()
}

/// Resources one worker may use. The memory and CPU bounds grow with the input so
/// that a large legitimate file still reads, while a small crafted one (the usual
/// bomb) is held to the floor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerLimits {
    /// Address space of the worker, in bytes (RLIMIT_AS).
    pub memory_bytes: u64,
    /// CPU seconds (RLIMIT_CPU); the wall-clock limit is a multiple of it.
    pub cpu_secs: u64,
    /// Bytes of JSON the worker may answer with.
    pub max_output: usize,
}

impl WorkerLimits {
    /// The limits for an input of `len` bytes: 512 MiB plus 4 bytes per input byte,
    /// 4 s plus 1 s per MiB of CPU, 64 MiB plus 4 bytes per input byte of output.
    /// `COMMIS_EXTRACT_MEMORY_MB` and `COMMIS_EXTRACT_CPU_SECS` override the floors.
    pub fn for_input(len: usize) -> Self {
        let env_u64 = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let mem_floor = env_u64("COMMIS_EXTRACT_MEMORY_MB").map_or(512 << 20, |mb| mb << 20);
        let cpu_floor = env_u64("COMMIS_EXTRACT_CPU_SECS").unwrap_or(4);
        let len = len as u64;
        WorkerLimits {
            memory_bytes: mem_floor.saturating_add(len.saturating_mul(4)),
            cpu_secs: cpu_floor.saturating_add(len >> 20),
            max_output: usize::try_from((64u64 << 20).saturating_add(len.saturating_mul(4)))
                .unwrap_or(usize::MAX),
        }
    }
}

/// Text formats read in process below this size (linear readers, bounded lines).
const FAST_PATH_BYTES: usize = 4 * 1024 * 1024;

/// Whether a file of this format and size is read without a worker.
fn fast_path(format: Format, len: usize) -> bool {
    len <= FAST_PATH_BYTES
        && matches!(
            format,
            Format::Txt | Format::Markdown | Format::Csv | Format::Tsv | Format::Json
        )
}

/// Reads a document like [`crate::read_bytes`], in a worker process when one is
/// named and the file is not a small text file. A worker that dies, runs out of
/// memory or time, or answers too much gives [`DocError::Hostile`].
///
/// Pictures and PDF pages without a text layer are then read by OCR in this process
/// (see [`crate::ocr`]), when the machine has Tesseract.
pub fn read_guarded(name: &str, bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let mut doc = read_isolated(name, bytes, limits)?;
    if crate::ocr::needs_ocr(&doc) {
        crate::ocr::complete(bytes, &mut doc);
        crate::truncate_text(&mut doc, limits.max_text_chars);
    }
    Ok(doc)
}

/// [`read_guarded`] without OCR.
fn read_isolated(name: &str, bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let Some(program) = WORKER.get() else {
        return crate::read_bytes(name, bytes, limits);
    };
    if in_process(name, bytes) {
        return crate::read_bytes(name, bytes, limits);
    }
    match read_in_worker(
        program,
        name,
        bytes,
        limits,
        &WorkerLimits::for_input(bytes.len()),
    ) {
        // The binary was replaced or removed under a running server: read as before
        // there was a worker, bounded by the readers' own limits.
        Err(DocError::Io { .. }) => crate::read_bytes(name, bytes, limits),
        other => other,
    }
}

/// Whether a file is read in the calling process: empty, or a small text file. The
/// format is only detected here when that is cheap (archives and compound files are
/// opened by the worker, never by the caller).
fn in_process(name: &str, bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return true;
    }
    if bytes.len() > FAST_PATH_BYTES
        || bytes.starts_with(b"PK")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
    {
        return false;
    }
    crate::detect_format(name, bytes).is_ok_and(|f| fast_path(f, bytes.len()))
}

/// Reads a document in a worker started from `program`, under `worker` limits.
pub fn read_in_worker(
    program: &std::path::Path,
    name: &str,
    bytes: &[u8],
    limits: &Limits,
    worker: &WorkerLimits,
) -> Result<Document, DocError> {
    let limits_json = serde_json::to_string(limits).map_err(|e| hostile(e.to_string()))?;
    let mut child = Command::new(program)
        .arg(WORKER_ARG)
        .arg(name)
        .env_clear()
        .env(LIMITS_ENV, limits_json)
        .env(MEMORY_ENV, worker.memory_bytes.to_string())
        .env(CPU_ENV, worker.cpu_secs.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| DocError::Io {
            reason: format!("could not start the extraction worker: {e}"),
        })?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(hostile("the extraction worker has no pipes".into()));
    };
    let max_output = worker.max_output;
    let answer = std::thread::scope(|scope| {
        // A worker that stops reading (it died) makes this write fail: that is fine,
        // its exit status says why.
        scope.spawn(move || {
            let _ = stdin.write_all(bytes);
        });
        let reader = scope.spawn(move || {
            let mut out = Vec::new();
            let read = stdout
                .take(max_output as u64 + 1)
                .read_to_end(&mut out)
                .is_ok();
            (out, read)
        });
        let deadline = Instant::now() + Duration::from_secs(worker.cpu_secs.saturating_mul(3) + 5);
        let mut pause = Duration::from_millis(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(25));
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        let (out, _) = reader.join().unwrap_or_default();
        (status, out)
    });
    let (status, out) = answer;
    let Some(status) = status else {
        return Err(hostile(format!(
            "reading took longer than {} s",
            worker.cpu_secs * 3 + 5
        )));
    };
    if out.len() > max_output {
        return Err(hostile(format!(
            "its extracted text exceeds {} bytes",
            worker.max_output
        )));
    }
    if !status.success() {
        return Err(hostile(describe_death(&status, worker)));
    }
    match serde_json::from_slice::<Reply>(&out) {
        Ok(Reply::Document(doc)) => Ok(*doc),
        Ok(Reply::Error(err)) => Err(err),
        Err(_) => Err(hostile(
            "the extraction worker gave no readable answer".into(),
        )),
    }
}

fn hostile(reason: String) -> DocError {
    DocError::Hostile { reason }
}

fn describe_death(status: &std::process::ExitStatus, worker: &WorkerLimits) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            Some(libc::SIGXCPU) | Some(libc::SIGKILL) => {
                return format!("reading used more than {} s of CPU", worker.cpu_secs);
            }
            Some(libc::SIGABRT) | Some(libc::SIGSEGV) | Some(libc::SIGBUS) => {
                return format!(
                    "the reader needed more than {} MB of memory or crashed",
                    worker.memory_bytes >> 20
                );
            }
            Some(sig) => return format!("the reader was stopped by signal {sig}"),
            None => {}
        }
    }
    let _ = worker;
    format!("the reader failed ({status})")
}

/// What a worker writes on its standard output.
#[derive(serde::Serialize, serde::Deserialize)]
enum Reply {
    Document(Box<Document>),
    Error(DocError),
}

/// Entry point of a worker: reads the document's bytes from standard input and its
/// name from the first argument after [`WORKER_ARG`], writes a JSON reply on
/// standard output. Applies its own resource limits before reading anything.
/// Returns the process exit code.
pub fn worker_main(args: &[String]) -> i32 {
    let env_u64 = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let defaults = WorkerLimits::for_input(0);
    apply_rlimits(
        env_u64(MEMORY_ENV).unwrap_or(defaults.memory_bytes),
        env_u64(CPU_ENV).unwrap_or(defaults.cpu_secs),
    );
    let limits: Limits = std::env::var(LIMITS_ENV)
        .ok()
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default();
    // The reader works on bytes already in memory: from here on it may not open a
    // file or a connection (where the kernel offers Landlock).
    confine();
    let name = args.first().cloned().unwrap_or_default();
    let mut bytes = Vec::new();
    if std::io::stdin()
        .lock()
        .take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .is_err()
    {
        return 2;
    }
    let reply = match crate::read_bytes(&name, &bytes, &limits) {
        Ok(doc) => Reply::Document(Box::new(doc)),
        Err(e) => Reply::Error(e),
    };
    drop(bytes);
    // Standard output is line-buffered and looks for a newline in every small write
    // serde makes: a big block buffer keeps a large document from costing seconds.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    if serde_json::to_writer(&mut out, &reply).is_err() || out.flush().is_err() {
        return 2;
    }
    0
}

/// Caps the worker's own address space and CPU time, and forbids core dumps and
/// file writes (a parser has nothing to write).
fn apply_rlimits(memory: u64, cpu: u64) {
    #[cfg(unix)]
    {
        let set = |resource, soft: u64, hard: u64| {
            let lim = libc::rlimit {
                rlim_cur: soft as libc::rlim_t,
                rlim_max: hard as libc::rlim_t,
            };
            // SAFETY: setrlimit reads a plain struct we own; it has no other effect
            // on memory. A failure leaves the previous limit, which is still safe.
            unsafe {
                libc::setrlimit(resource, &lim);
            }
        };
        set(libc::RLIMIT_AS, memory, memory);
        set(libc::RLIMIT_CPU, cpu, cpu.saturating_add(1));
        set(libc::RLIMIT_CORE, 0, 0);
        set(libc::RLIMIT_FSIZE, 0, 0);
    }
    #[cfg(not(unix))]
    {
        let _ = (memory, cpu);
    }
}

/// Forbids every file-system and TCP access to this process from now on (Linux
/// Landlock, best effort: older kernels and containers without it keep the resource
/// limits only). Descriptors already open (standard input and output) still work.
#[cfg(target_os = "linux")]
fn confine() -> bool {
    #[repr(C)]
    struct RulesetAttr {
        handled_access_fs: u64,
        handled_access_net: u64,
    }
    // SAFETY: raw Landlock system calls with arguments built here; a failure of any of
    // them returns an error code and leaves the process as it was.
    unsafe {
        let abi = libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<RulesetAttr>(),
            0usize,
            1u32, // LANDLOCK_CREATE_RULESET_VERSION
        );
        if abi < 1 {
            return false;
        }
        // Every file-system right the running ABI knows, with none granted.
        let handled_access_fs: u64 = match abi {
            1 => (1 << 13) - 1,
            2 => (1 << 14) - 1,
            3 | 4 => (1 << 15) - 1,
            _ => (1 << 16) - 1,
        };
        let (handled_access_net, size) = if abi >= 4 {
            (3u64, std::mem::size_of::<RulesetAttr>())
        } else {
            (0, std::mem::size_of::<u64>())
        };
        let attr = RulesetAttr {
            handled_access_fs,
            handled_access_net,
        };
        let fd = libc::syscall(
            libc::SYS_landlock_create_ruleset,
            &attr as *const RulesetAttr,
            size,
            0u32,
        );
        if fd < 0 {
            return false;
        }
        let fd = fd as libc::c_int;
        let ok = libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
            && libc::syscall(libc::SYS_landlock_restrict_self, fd, 0u32) == 0;
        libc::close(fd);
        ok
    }
}

#[cfg(not(target_os = "linux"))]
fn confine() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_grow_with_the_input_from_a_floor() {
        let small = WorkerLimits::for_input(1000);
        let big = WorkerLimits::for_input(100 << 20);
        assert!(small.memory_bytes >= 512 << 20);
        assert!(big.memory_bytes > small.memory_bytes + (300 << 20));
        assert!(big.cpu_secs > small.cpu_secs);
    }

    #[cfg(unix)]
    #[test]
    fn a_worker_that_dies_is_a_hostile_file_error_and_one_that_cannot_start_is_io() {
        let worker = WorkerLimits::for_input(4);
        let died = read_in_worker(
            std::path::Path::new("/bin/false"),
            "a.pdf",
            b"%PDF",
            &Limits::default(),
            &worker,
        );
        assert!(matches!(died, Err(DocError::Hostile { .. })), "{died:?}");
        let message = died.unwrap_err().to_string();
        assert!(
            message.contains("piégé") && message.contains("crafted"),
            "{message}"
        );
        let missing = read_in_worker(
            std::path::Path::new("/nonexistent/commis"),
            "a.pdf",
            b"%PDF",
            &Limits::default(),
            &worker,
        );
        assert!(matches!(missing, Err(DocError::Io { .. })), "{missing:?}");
    }

    #[test]
    fn small_text_is_read_in_process_and_archives_are_not() {
        assert!(fast_path(Format::Csv, 1000));
        assert!(!fast_path(Format::Csv, FAST_PATH_BYTES + 1));
        assert!(!fast_path(Format::Xlsx, 1000));
        assert!(!fast_path(Format::Pdf, 1000));
    }
}
