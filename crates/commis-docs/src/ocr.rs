//! OCR of pictures (PNG, JPEG, TIFF, GIF, WebP) and of PDF pages without a text layer,
//! through Tesseract, an external program (French and English).
//!
//! A reader never starts a program (it may run in a confined worker), so OCR runs after
//! reading, in the calling process: [`crate::read_guarded`] calls [`complete`] on every
//! document it returns. Each page is one job: a PDF page is rasterised by poppler's
//! `pdftoppm` (300 dpi, grey), then Tesseract reads it with orientation detection (`--psm
//! 1`: pages turned by 90°, 180° or 270° are read upright) and returns its words with
//! their boxes and confidences (TSV). Jobs run in parallel up to the number of cores
//! (shared by every document read at once), each program in the command sandbox
//! (`commis-sandbox`: no network, only its temporary folder writable) when the machine
//! offers one, else directly with an address-space and CPU limit and an empty
//! environment; every job has a wall-clock limit (`COMMIS_OCR_PAGE_SECS`, 90 s).
//!
//! The words come back as lines in reading order, rebuilt from their boxes the way a page
//! is read: the boxes are turned upright, the slight skew of a scan is measured on the
//! lines and taken out, and the lines Tesseract finds side by side (a label and its
//! amount in two columns) are joined into one row, with two spaces where a column gap
//! was. Each line is a [`BlockKind::Line`] with an [`OcrMark`]: mean word confidence, the
//! lowest confidence of its words holding digits, and its box.
//!
//! Results are cached by the SHA-256 of the file's bytes (with the engine's version, its
//! languages and this pipeline's version): in memory for the process, and on disk in the
//! folder named by [`set_cache_dir`] (the `commis` binary uses `COMMIS_HOME/ocr-cache`)
//! or `COMMIS_OCR_CACHE`. A folder is never read by OCR twice.
//!
//! Without Tesseract (or with `COMMIS_OCR=off`), a document that needed OCR keeps the
//! text it had, is marked [`Document::ocr_missing`] and carries a warning that says how
//! to install it.

use crate::model::{Block, BlockKind, Document, Format, OcrMark, OcrSummary, Place};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Warning left by a reader on a picture or a scan whose text needs OCR; [`complete`]
/// replaces it with the result.
pub const NOT_READ_YET: &str = "this is a picture or a scan without a text layer: its text needs OCR, which this reader does not run";

/// Version of this pipeline's output; a change makes older cache entries unused.
const PIPELINE: u32 = 1;

/// Resolution PDF pages are rasterised at.
const RASTER_DPI: u32 = 300;

/// Most pages of one document read by OCR.
const MAX_OCR_PAGES: u32 = 200;

/// Largest picture read by OCR (a 100-megapixel photo).
const MAX_OCR_PIXELS: u64 = 100_000_000;

/// Entries kept by the in-memory cache.
const MEMORY_CACHE_ENTRIES: usize = 256;

/// How to install Tesseract, for warnings and `commis doctor`.
pub const INSTALL_HINT: &str = "Debian/Ubuntu: sudo apt-get install tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng poppler-utils; Fedora: sudo dnf install tesseract tesseract-langpack-fra tesseract-langpack-eng poppler-utils; macOS: brew install tesseract tesseract-lang poppler";

/// The OCR engine found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// The `tesseract` program.
    pub tesseract: PathBuf,
    /// First line of `tesseract --version` ("tesseract 5.3.0").
    pub version: String,
    /// Languages it reads with ("fra+eng").
    pub languages: String,
    /// Whether orientation detection (`osd`) is installed.
    pub osd: bool,
    /// poppler's `pdftoppm`, which rasterises PDF pages (without it scanned PDFs are not read).
    pub pdftoppm: Option<PathBuf>,
    /// Wall-clock limit of one page.
    pub page_timeout: Duration,
}

static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
static CACHE_DIR: OnceLock<PathBuf> = OnceLock::new();

/// The engine of this machine, looked for once: `COMMIS_TESSERACT`, then `tesseract` on
/// `PATH`, then the usual Homebrew and Windows places. `None` when it is missing, has
/// no language, or `COMMIS_OCR=off`.
pub fn engine() -> Option<&'static Engine> {
    ENGINE.get_or_init(find_engine).as_ref()
}

/// Names the folder of the disk cache (only the first call counts).
pub fn set_cache_dir(dir: PathBuf) {
    let _ = CACHE_DIR.set(dir);
}

/// Where OCR results are kept: `COMMIS_OCR_CACHE` when set (tests share one across their
/// fresh `COMMIS_HOME`s), else the folder the binary set (`COMMIS_HOME/ocr-cache`).
fn cache_dir() -> Option<PathBuf> {
    std::env::var_os("COMMIS_OCR_CACHE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| CACHE_DIR.get().cloned())
}

fn find_program(env: &str, names: &[&str], usual: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    usual.iter().map(PathBuf::from).find(|p| p.is_file())
}

fn find_engine() -> Option<Engine> {
    if std::env::var("COMMIS_OCR").is_ok_and(|v| matches!(v.trim(), "off" | "0" | "no")) {
        return None;
    }
    let tesseract = find_program(
        "COMMIS_TESSERACT",
        &["tesseract", "tesseract.exe"],
        &[
            "/opt/homebrew/bin/tesseract",
            "/usr/local/bin/tesseract",
            "C:\\Program Files\\Tesseract-OCR\\tesseract.exe",
        ],
    )?;
    let listed = quick_output(&tesseract, &["--list-langs"])?;
    let have: Vec<String> = listed
        .lines()
        .skip_while(|l| !l.to_lowercase().contains("list of available languages"))
        .skip(1)
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let wanted: Vec<&str> = ["fra", "eng"]
        .into_iter()
        .filter(|l| have.iter().any(|h| h == l))
        .collect();
    let languages = if wanted.is_empty() {
        have.iter()
            .find(|l| !matches!(l.as_str(), "osd" | "equ" | "snum"))?
            .clone()
    } else {
        wanted.join("+")
    };
    let version = quick_output(&tesseract, &["--version"])
        .and_then(|v| v.lines().next().map(|l| l.trim().to_string()))
        .unwrap_or_else(|| "tesseract".to_string());
    let pdftoppm = find_program(
        "COMMIS_PDFTOPPM",
        &["pdftoppm", "pdftoppm.exe"],
        &["/opt/homebrew/bin/pdftoppm", "/usr/local/bin/pdftoppm"],
    );
    let page_timeout = std::env::var("COMMIS_OCR_PAGE_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(Duration::from_secs(90), Duration::from_secs);
    Some(Engine {
        tesseract,
        version,
        languages,
        osd: have.iter().any(|h| h == "osd"),
        pdftoppm,
        page_timeout,
    })
}

/// Standard output and error of a short informational call (`--version`), or `None`.
fn quick_output(program: &Path, args: &[&str]) -> Option<String> {
    let out = run_direct(
        program,
        &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        None,
        Duration::from_secs(20),
    )
    .ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Whether `doc` has text only OCR can give: a picture, or PDF pages without a text layer.
pub fn needs_ocr(doc: &Document) -> bool {
    doc.format.is_image()
        || (doc.format == Format::Pdf && !doc.metadata.pages_without_text.is_empty())
}

/// Reads the pictures and text-less pages of `doc` (read from `bytes`) by OCR with the
/// engine of this machine, and puts their text in `doc`. Does nothing to a document that
/// does not need OCR.
pub fn complete(bytes: &[u8], doc: &mut Document) {
    if !needs_ocr(doc) {
        return;
    }
    complete_with(engine(), bytes, doc);
}

/// [`complete`] with a given engine (`None`: as if Tesseract were not installed).
pub fn complete_with(engine: Option<&Engine>, bytes: &[u8], doc: &mut Document) {
    if !needs_ocr(doc) {
        return;
    }
    let Some(engine) = engine else {
        mark_missing(
            doc,
            &format!(
                "no text was read from this picture or scan: the OCR engine Tesseract is not installed ({INSTALL_HINT})"
            ),
        );
        return;
    };
    // A picture declaring more pixels than any camera or scanner page gives is a bomb,
    // not a document: its header is all that is read.
    let pixels =
        u64::from(doc.metadata.width.unwrap_or(0)) * u64::from(doc.metadata.height.unwrap_or(0));
    if doc.format.is_image() && pixels > MAX_OCR_PIXELS {
        doc.warnings.retain(|w| w != NOT_READ_YET);
        doc.warnings.push(format!(
            "this picture is too large to read by OCR ({pixels} pixels, above {MAX_OCR_PIXELS})"
        ));
        return;
    }
    if doc.format == Format::Pdf && engine.pdftoppm.is_none() {
        mark_missing(
            doc,
            &format!(
                "no text was read from the scanned pages: OCR of PDF pages needs poppler's pdftoppm ({INSTALL_HINT})"
            ),
        );
        return;
    }
    let pages: Vec<u32> = if doc.format == Format::Pdf {
        doc.metadata
            .pages_without_text
            .iter()
            .copied()
            .take(MAX_OCR_PAGES as usize)
            .collect()
    } else {
        vec![1]
    };
    let key = cache_key(engine, bytes);
    let (result, cached) = match cache_get(&key) {
        Some(r) => (r, true),
        None => {
            let r = Arc::new(run_ocr(engine, doc.format, bytes, &pages));
            if r.failed.is_empty() {
                cache_put(&key, &r);
            }
            (r, false)
        }
    };
    merge(doc, engine, &result, cached);
    let skipped = doc
        .metadata
        .pages_without_text
        .len()
        .saturating_sub(MAX_OCR_PAGES as usize);
    if skipped > 0 {
        doc.warnings.push(format!(
            "only the first {MAX_OCR_PAGES} scanned pages were read by OCR ({skipped} left)"
        ));
    }
}

fn mark_missing(doc: &mut Document, warning: &str) {
    doc.warnings.retain(|w| w != NOT_READ_YET);
    doc.warnings.push(warning.to_string());
    doc.ocr_missing = true;
}

/// One line read by OCR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OcrLine {
    text: String,
    mark: OcrMark,
}

/// What OCR read on one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OcrPage {
    page: u32,
    lines: Vec<OcrLine>,
    words: u32,
    /// Sum of the word confidences (0 to 1 each).
    confidence_sum: f32,
}

/// What OCR read on one document: what is cached.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct OcrResult {
    pages: Vec<OcrPage>,
    /// Pages that failed, with why.
    failed: Vec<(u32, String)>,
}

fn merge(doc: &mut Document, engine: &Engine, result: &OcrResult, cached: bool) {
    doc.warnings.retain(|w| w != NOT_READ_YET);
    let mut words = 0u32;
    let mut sum = 0f32;
    for page in &result.pages {
        words += page.words;
        sum += page.confidence_sum;
        for line in &page.lines {
            doc.blocks.push(Block {
                kind: BlockKind::Line,
                text: line.text.clone(),
                place: Place::page(page.page),
                ocr: Some(line.mark.clone()),
            });
        }
    }
    // Pages in order, each page's blocks as they were (a stable sort).
    doc.blocks.sort_by_key(|b| b.place.page.unwrap_or(0));
    let confidence = if words == 0 {
        0.0
    } else {
        round2(sum / words as f32)
    };
    if !result.failed.is_empty() {
        let list: Vec<String> = result
            .failed
            .iter()
            .map(|(p, why)| format!("page {p}: {why}"))
            .collect();
        doc.warnings.push(format!(
            "OCR could not read {} page(s) ({})",
            result.failed.len(),
            list.join("; ")
        ));
    }
    if words == 0 && result.failed.is_empty() {
        doc.warnings
            .push("OCR found no text on this picture or scan".to_string());
    } else if words > 0 && confidence < 0.75 {
        doc.warnings.push(format!(
            "text read by OCR with a low confidence ({:.0} %): names and figures may be wrong",
            confidence * 100.0
        ));
    }
    doc.ocr = Some(OcrSummary {
        engine: engine.version.clone(),
        languages: engine.languages.clone(),
        pages: result.pages.len() as u32,
        failed_pages: result.failed.iter().map(|(p, _)| *p).collect(),
        confidence,
        cached,
    });
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

// ---------------------------------------------------------------------------------------
// Cache

fn cache_key(engine: &Engine, bytes: &[u8]) -> String {
    let content = hex::encode(Sha256::digest(bytes));
    let setup = hex::encode(Sha256::digest(
        format!(
            "{PIPELINE}|{}|{}|{}|{RASTER_DPI}",
            engine.version, engine.languages, engine.osd
        )
        .as_bytes(),
    ));
    format!("{content}-{}", &setup[..12])
}

fn memory_cache() -> &'static Mutex<HashMap<String, Arc<OcrResult>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<OcrResult>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn cache_file(key: &str) -> Option<PathBuf> {
    let dir = cache_dir()?;
    Some(dir.join(&key[..2]).join(format!("{key}.json")))
}

fn cache_get(key: &str) -> Option<Arc<OcrResult>> {
    if let Ok(map) = memory_cache().lock()
        && let Some(hit) = map.get(key)
    {
        return Some(hit.clone());
    }
    let file = cache_file(key)?;
    let bytes = std::fs::read(file).ok()?;
    let result: OcrResult = serde_json::from_slice(&bytes).ok()?;
    let result = Arc::new(result);
    remember(key, &result);
    Some(result)
}

fn remember(key: &str, result: &Arc<OcrResult>) {
    if let Ok(mut map) = memory_cache().lock() {
        if map.len() >= MEMORY_CACHE_ENTRIES {
            map.clear();
        }
        map.insert(key.to_string(), result.clone());
    }
}

fn cache_put(key: &str, result: &Arc<OcrResult>) {
    remember(key, result);
    let Some(file) = cache_file(key) else {
        return;
    };
    let Some(dir) = file.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(json) = serde_json::to_vec(result.as_ref()) else {
        return;
    };
    // Written aside then renamed: a reader never sees half an entry.
    let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, json).is_ok() && std::fs::rename(&tmp, &file).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

// ---------------------------------------------------------------------------------------
// Running the engine

/// Pages read at once by this process (every document shares them): the cores, or
/// `COMMIS_OCR_JOBS`.
fn slots() -> &'static (Mutex<usize>, Condvar) {
    static SLOTS: OnceLock<(Mutex<usize>, Condvar)> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let n = std::env::var("COMMIS_OCR_JOBS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
        (Mutex::new(n), Condvar::new())
    })
}

fn with_slot<T>(f: impl FnOnce() -> T) -> T {
    let (lock, cv) = slots();
    {
        let mut free = lock.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = cv.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
    }
    let out = f();
    let mut free = lock.lock().unwrap_or_else(|e| e.into_inner());
    *free += 1;
    cv.notify_one();
    out
}

fn run_ocr(engine: &Engine, format: Format, bytes: &[u8], pages: &[u32]) -> OcrResult {
    let dir = match tempfile::Builder::new().prefix("commis-ocr-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            return OcrResult {
                pages: Vec::new(),
                failed: pages
                    .iter()
                    .map(|p| (*p, format!("no temporary folder: {e}")))
                    .collect(),
            };
        }
    };
    let input = dir
        .path()
        .join(format!("input.{}", input_extension(format)));
    if let Err(e) = std::fs::write(&input, bytes) {
        return OcrResult {
            pages: Vec::new(),
            failed: pages
                .iter()
                .map(|p| (*p, format!("cannot write a temporary file: {e}")))
                .collect(),
        };
    }
    if format != Format::Pdf {
        // One picture (a multi-page TIFF is read in one run, its pages numbered by
        // Tesseract).
        let out = with_slot(|| {
            tesseract(
                engine,
                dir.path(),
                &input,
                None,
                engine.page_timeout * if format == Format::Tiff { 8 } else { 1 },
            )
        });
        return match out {
            Ok(pages) => OcrResult {
                pages,
                failed: Vec::new(),
            },
            Err(why) => OcrResult {
                pages: Vec::new(),
                failed: vec![(1, why)],
            },
        };
    }
    // PDF pages: one job per page, as many at once as there are slots.
    let results: Vec<(u32, Result<OcrPage, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = pages
            .iter()
            .map(|&page| {
                let dir = dir.path();
                let input = &input;
                scope.spawn(move || (page, with_slot(|| ocr_pdf_page(engine, dir, input, page))))
            })
            .collect();
        handles
            .into_iter()
            .zip(pages)
            .map(|(h, &page)| {
                h.join()
                    .unwrap_or_else(|_| (page, Err("the OCR job failed".to_string())))
            })
            .collect()
    });
    let mut out = OcrResult::default();
    for (page, r) in results {
        match r {
            Ok(p) => out.pages.push(p),
            Err(why) => out.failed.push((page, why)),
        }
    }
    out
}

fn input_extension(format: Format) -> &'static str {
    match format {
        Format::Pdf => "pdf",
        Format::Png => "png",
        Format::Jpeg => "jpg",
        Format::Gif => "gif",
        Format::Webp => "webp",
        Format::Tiff => "tif",
        _ => "bin",
    }
}

fn ocr_pdf_page(engine: &Engine, dir: &Path, input: &Path, page: u32) -> Result<OcrPage, String> {
    let Some(pdftoppm) = &engine.pdftoppm else {
        return Err("pdftoppm is not installed".to_string());
    };
    let started = Instant::now();
    let stem = dir.join(format!("page-{page}"));
    let n = page.to_string();
    let args: Vec<String> = vec![
        "-r".into(),
        RASTER_DPI.to_string(),
        "-gray".into(),
        "-png".into(),
        "-f".into(),
        n.clone(),
        "-l".into(),
        n,
        "-singlefile".into(),
        input.display().to_string(),
        stem.display().to_string(),
    ];
    run_program(pdftoppm, &args, dir, engine.page_timeout)
        .map_err(|e| format!("rasterising failed: {e}"))?;
    let image = dir.join(format!("page-{page}.png"));
    if !image.is_file() {
        return Err("rasterising gave no image".to_string());
    }
    let left = engine.page_timeout.saturating_sub(started.elapsed());
    let read = tesseract(engine, dir, &image, Some(RASTER_DPI), left);
    let _ = std::fs::remove_file(&image);
    let mut pages = read?;
    let mut p = pages.pop().unwrap_or(OcrPage {
        page,
        lines: Vec::new(),
        words: 0,
        confidence_sum: 0.0,
    });
    p.page = page;
    Ok(p)
}

fn tesseract(
    engine: &Engine,
    dir: &Path,
    image: &Path,
    dpi: Option<u32>,
    timeout: Duration,
) -> Result<Vec<OcrPage>, String> {
    if timeout.is_zero() {
        return Err(format!(
            "over the time limit of {} s",
            engine.page_timeout.as_secs()
        ));
    }
    let mut args: Vec<String> = vec![
        image.display().to_string(),
        "stdout".into(),
        "-l".into(),
        engine.languages.clone(),
        "--psm".into(),
        if engine.osd { "1" } else { "3" }.into(),
    ];
    if let Some(dpi) = dpi {
        args.push("--dpi".into());
        args.push(dpi.to_string());
    }
    args.push("tsv".into());
    let out = run_program(&engine.tesseract, &args, dir, timeout)?;
    let tsv = String::from_utf8_lossy(&out);
    Ok(parse_tsv(&tsv).into_iter().map(layout).collect())
}

/// Environment of the OCR programs: nothing of the caller's but what they need.
fn program_env() -> Vec<(String, String)> {
    let mut env = vec![
        (
            "PATH".to_string(),
            "/usr/local/bin:/usr/bin:/bin:/opt/homebrew/bin".to_string(),
        ),
        ("HOME".to_string(), "/tmp".to_string()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
        // One page per process, one thread per page: the parallelism is ours.
        ("OMP_THREAD_LIMIT".to_string(), "1".to_string()),
    ];
    if let Ok(v) = std::env::var("TESSDATA_PREFIX") {
        env.push(("TESSDATA_PREFIX".to_string(), v));
    }
    env
}

/// Memory one OCR program may use (address space).
const PROGRAM_MEMORY: u64 = 2 << 30;

fn sandbox_usable() -> bool {
    static USABLE: OnceLock<bool> = OnceLock::new();
    *USABLE.get_or_init(|| {
        !std::env::var("COMMIS_OCR_SANDBOX").is_ok_and(|v| v == "off")
            && commis_sandbox::probe().is_ok_and(|c| c.usable)
    })
}

/// Runs an OCR program in the command sandbox when the machine has one, else directly
/// under limits; returns its standard output.
fn run_program(
    program: &Path,
    args: &[String],
    dir: &Path,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    if sandbox_usable() {
        let mut argv = vec![program.display().to_string()];
        argv.extend(args.iter().cloned());
        let mut req = commis_sandbox::CommandRequest::new(argv, dir.to_path_buf());
        req.timeout = timeout;
        req.max_output_bytes = 32 << 20;
        req.max_processes = 16;
        req.max_memory_bytes = PROGRAM_MEMORY;
        req.env = program_env();
        if let Ok(prefix) = std::env::var("TESSDATA_PREFIX") {
            let prefix = PathBuf::from(prefix);
            if prefix.is_absolute() {
                req.readable.push(prefix);
            }
        }
        let cancel = commis_sandbox::CancelFlag::default();
        match commis_sandbox::run(&req, &cancel, &mut |_, _| {}) {
            Ok(out) if out.success() => return Ok(out.stdout),
            Ok(out) if out.timed_out => {
                return Err(format!("over the time limit of {} s", timeout.as_secs()));
            }
            Ok(out) => {
                return Err(failure_text(
                    out.exit_code,
                    out.signal,
                    &String::from_utf8_lossy(&out.stderr),
                ));
            }
            // The program lives where the sandbox does not look, or the sandbox cannot be
            // built here: run it directly, under limits.
            Err(
                commis_sandbox::SandboxError::CommandNotFound { .. }
                | commis_sandbox::SandboxError::Unavailable { .. }
                | commis_sandbox::SandboxError::Setup { .. },
            ) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    run_direct(program, args, Some(dir), timeout)
}

fn failure_text(code: Option<i32>, signal: Option<i32>, stderr: &str) -> String {
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let last: String = last.chars().take(160).collect();
    match (code, signal) {
        (_, Some(sig)) => format!("the program was stopped by signal {sig} {last}")
            .trim()
            .to_string(),
        (Some(c), _) => format!("the program failed (exit {c}) {last}")
            .trim()
            .to_string(),
        _ => "the program failed".to_string(),
    }
}

/// Runs a program outside the sandbox: empty environment but for [`program_env`],
/// address-space and CPU limits (Unix), killed at `timeout`.
fn run_direct(
    program: &Path,
    args: &[String],
    dir: Option<&Path>,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .envs(program_env())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let cpu = timeout.as_secs().saturating_add(1);
        // SAFETY: the closure runs in the child between fork and exec and only calls
        // setrlimit, which is async-signal-safe, on values computed before the fork.
        unsafe {
            cmd.pre_exec(move || {
                let set = |resource, value: u64| {
                    let lim = libc::rlimit {
                        rlim_cur: value as libc::rlim_t,
                        rlim_max: value as libc::rlim_t,
                    };
                    libc::setrlimit(resource, &lim);
                };
                set(libc::RLIMIT_AS, PROGRAM_MEMORY);
                set(libc::RLIMIT_CPU, cpu);
                set(libc::RLIMIT_CORE, 0);
                Ok(())
            });
        }
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("no pipes to the program".to_string());
    };
    std::thread::scope(|scope| {
        let out = scope.spawn(move || {
            let mut buf = Vec::new();
            let _ = stdout.take(32 << 20).read_to_end(&mut buf);
            buf
        });
        let err = scope.spawn(move || {
            let mut buf = Vec::new();
            let _ = stderr.take(64 << 10).read_to_end(&mut buf);
            buf
        });
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(2);
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
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        match status {
            None => Err(format!("over the time limit of {} s", timeout.as_secs())),
            Some(s) if s.success() => Ok(stdout),
            Some(s) => {
                #[cfg(unix)]
                let signal = std::os::unix::process::ExitStatusExt::signal(&s);
                #[cfg(not(unix))]
                let signal = None;
                Err(failure_text(
                    s.code(),
                    signal,
                    &String::from_utf8_lossy(&stderr),
                ))
            }
        }
    })
}

// ---------------------------------------------------------------------------------------
// From Tesseract's words to lines

/// One word of Tesseract's TSV output.
#[derive(Debug, Clone, PartialEq)]
struct Word {
    /// (block, paragraph, line) numbers: Tesseract's own line.
    line: (u32, u32, u32),
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    /// 0 to 1.
    conf: f32,
    text: String,
}

/// The words of one page with the page's size in pixels.
#[derive(Debug, Clone, PartialEq)]
struct TsvPage {
    page: u32,
    width: f32,
    height: f32,
    words: Vec<Word>,
}

fn parse_tsv(tsv: &str) -> Vec<TsvPage> {
    let mut pages: Vec<TsvPage> = Vec::new();
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 11 {
            continue;
        }
        let int = |i: usize| cols[i].trim().parse::<i64>().unwrap_or(0);
        let level = int(0);
        let page = u32::try_from(int(1)).unwrap_or(1).max(1);
        let (x, y, w, h) = (int(6) as f32, int(7) as f32, int(8) as f32, int(9) as f32);
        if level == 1 {
            pages.push(TsvPage {
                page,
                width: x + w,
                height: y + h,
                words: Vec::new(),
            });
            continue;
        }
        if level != 5 {
            continue;
        }
        let text = cols.get(11).map_or("", |t| t.trim());
        let conf: f32 = cols[10].trim().parse().unwrap_or(-1.0);
        if text.is_empty() || conf < 0.0 || w <= 0.0 || h <= 0.0 {
            continue;
        }
        if pages.last().is_none_or(|p| p.page != page) {
            pages.push(TsvPage {
                page,
                width: x + w,
                height: y + h,
                words: Vec::new(),
            });
        }
        if let Some(p) = pages.last_mut() {
            p.words.push(Word {
                line: (
                    u32::try_from(int(2)).unwrap_or(0),
                    u32::try_from(int(3)).unwrap_or(0),
                    u32::try_from(int(4)).unwrap_or(0),
                ),
                x,
                y,
                w,
                h,
                conf: (conf / 100.0).clamp(0.0, 1.0),
                text: text.to_string(),
            });
        }
    }
    pages
}

/// Which way the text runs on the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// Left to right: upright.
    None,
    /// Upside down: right to left.
    Half,
    /// Bottom to top (the page was turned a quarter counter-clockwise).
    Up,
    /// Top to bottom (the page was turned a quarter clockwise).
    Down,
}

fn median(mut v: Vec<f32>) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

/// Groups words by Tesseract's lines, in reading order of the words.
fn tess_lines(words: &[Word]) -> Vec<Vec<Word>> {
    let mut lines: Vec<Vec<Word>> = Vec::new();
    for w in words {
        match lines.last_mut() {
            Some(l) if l[0].line == w.line => l.push(w.clone()),
            _ => lines.push(vec![w.clone()]),
        }
    }
    lines
}

fn centre(w: &Word) -> (f32, f32) {
    (w.x + w.w / 2.0, w.y + w.h / 2.0)
}

/// The way the text runs, by a vote of the lines of two words or more.
fn turn_of(lines: &[Vec<Word>]) -> Turn {
    let mut votes = [0usize; 4];
    for l in lines.iter().filter(|l| l.len() >= 2) {
        let (a, b) = (centre(&l[0]), centre(&l[l.len() - 1]));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let i = if dx.abs() >= dy.abs() {
            if dx >= 0.0 { 0 } else { 1 }
        } else if dy < 0.0 {
            2
        } else {
            3
        };
        votes[i] += l.len();
    }
    let best = (0..4).max_by_key(|i| (votes[*i], usize::from(*i == 0)));
    match best {
        Some(1) => Turn::Half,
        Some(2) => Turn::Up,
        Some(3) => Turn::Down,
        _ => Turn::None,
    }
}

/// A word's box on the upright page.
fn upright(w: &Word, turn: Turn, width: f32, height: f32) -> Word {
    let (x, y, ww, hh) = match turn {
        Turn::None => (w.x, w.y, w.w, w.h),
        Turn::Half => (width - w.x - w.w, height - w.y - w.h, w.w, w.h),
        Turn::Up => (height - w.y - w.h, w.x, w.h, w.w),
        Turn::Down => (w.y, width - w.x - w.w, w.h, w.w),
    };
    Word {
        x,
        y,
        w: ww,
        h: hh,
        ..w.clone()
    }
}

/// One row of the page: words of one or more Tesseract lines side by side.
struct Row {
    top: f32,
    bottom: f32,
    words: Vec<Word>,
}

impl Row {
    fn centre(&self) -> f32 {
        (self.top + self.bottom) / 2.0
    }
}

/// Lines of a page in reading order, from its words.
fn layout(page: TsvPage) -> OcrPage {
    let words_n = page.words.len() as u32;
    let confidence_sum: f32 = page.words.iter().map(|w| w.conf).sum();
    let raw = tess_lines(&page.words);
    let turn = turn_of(&raw);
    let (pw, ph) = (page.width.max(1.0), page.height.max(1.0));
    let mut lines: Vec<Vec<Word>> = raw
        .iter()
        .map(|l| l.iter().map(|w| upright(w, turn, pw, ph)).collect())
        .collect();
    // The skew of the scan, measured on the long lines, taken out of every box.
    let typical_h = median(lines.iter().flatten().map(|w| w.h).collect()).unwrap_or(10.0);
    let slopes: Vec<f32> = lines
        .iter()
        .filter(|l| l.len() >= 2)
        .filter_map(|l| {
            let (a, b) = (centre(&l[0]), centre(&l[l.len() - 1]));
            let dx = b.0 - a.0;
            (dx > typical_h * 6.0).then(|| (b.1 - a.1) / dx)
        })
        .collect();
    let slope = median(slopes).unwrap_or(0.0).clamp(-0.2, 0.2);
    if slope != 0.0 {
        for w in lines.iter_mut().flatten() {
            let cx = w.x + w.w / 2.0;
            w.y -= slope * cx;
        }
    }
    for l in &mut lines {
        l.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    // Tesseract's lines, top to bottom, joined into rows when they sit side by side.
    lines.sort_by(|a, b| line_centre(a).total_cmp(&line_centre(b)));
    let mut rows: Vec<Row> = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let top = line.iter().map(|w| w.y).fold(f32::MAX, f32::min);
        let bottom = line.iter().map(|w| w.y + w.h).fold(f32::MIN, f32::max);
        let left = line[0].x;
        let right = line.iter().map(|w| w.x + w.w).fold(f32::MIN, f32::max);
        let c = (top + bottom) / 2.0;
        let tol = (bottom - top).min(typical_h * 1.5) * 0.5;
        let joined = rows.iter_mut().rev().take(4).find(|r| {
            (r.centre() - c).abs() <= tol.max((r.bottom - r.top).min(typical_h * 1.5) * 0.5)
                && !r
                    .words
                    .iter()
                    .any(|w| w.x < right - 1.0 && w.x + w.w > left + 1.0)
        });
        match joined {
            Some(r) => {
                r.top = r.top.min(top);
                r.bottom = r.bottom.max(bottom);
                r.words.extend(line);
            }
            None => rows.push(Row {
                top,
                bottom,
                words: line,
            }),
        }
    }
    rows.sort_by(|a, b| a.centre().total_cmp(&b.centre()));
    let char_w = median(
        rows.iter()
            .flat_map(|r| r.words.iter())
            .filter(|w| w.text.chars().count() >= 2)
            .map(|w| w.w / w.text.chars().count() as f32)
            .collect(),
    )
    .unwrap_or(typical_h * 0.5)
    .max(1.0);
    let lines = rows
        .into_iter()
        .filter_map(|mut r| {
            r.words.sort_by(|a, b| a.x.total_cmp(&b.x));
            row_line(&r, char_w)
        })
        .collect();
    OcrPage {
        page: page.page,
        lines,
        words: words_n,
        confidence_sum,
    }
}

fn line_centre(l: &[Word]) -> f32 {
    if l.is_empty() {
        return 0.0;
    }
    l.iter().map(|w| w.y + w.h / 2.0).sum::<f32>() / l.len() as f32
}

fn row_line(r: &Row, char_w: f32) -> Option<OcrLine> {
    let mut text = String::new();
    let mut prev_end: Option<f32> = None;
    for w in &r.words {
        if let Some(end) = prev_end {
            // A gap of several characters is a column gap, as the PDF reader writes it.
            text.push_str(if w.x - end > char_w * 2.5 { "  " } else { " " });
        }
        text.push_str(&w.text);
        prev_end = Some(w.x + w.w);
    }
    if text.trim().is_empty() {
        return None;
    }
    let n = r.words.len() as f32;
    let confidence = round2(r.words.iter().map(|w| w.conf).sum::<f32>() / n);
    let digits_confidence = r
        .words
        .iter()
        .filter(|w| w.text.chars().any(|c| c.is_ascii_digit()))
        .map(|w| w.conf)
        .fold(None, |acc: Option<f32>, c| {
            Some(acc.map_or(c, |a| a.min(c)))
        })
        .map(round2);
    let left = r.words.iter().map(|w| w.x).fold(f32::MAX, f32::min);
    let right = r.words.iter().map(|w| w.x + w.w).fold(f32::MIN, f32::max);
    let px = |v: f32| v.max(0.0).round() as u32;
    Some(OcrLine {
        text,
        mark: OcrMark {
            confidence,
            digits_confidence,
            bbox: [px(left), px(r.top), px(right - left), px(r.bottom - r.top)],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(line: u32, x: f32, y: f32, w: f32, h: f32, text: &str) -> String {
        let (x, y, w, h) = (x.round(), y.round(), w.round(), h.round());
        format!("5\t1\t1\t1\t{line}\t1\t{x}\t{y}\t{w}\t{h}\t95\t{text}")
    }

    fn tsv(rows: &[String], width: u32, height: u32) -> String {
        let mut s = String::from(
            "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n",
        );
        s.push_str(&format!(
            "1\t1\t0\t0\t0\t0\t0\t0\t{width}\t{height}\t-1\t\n"
        ));
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        s
    }

    fn texts(tsv: &str) -> Vec<String> {
        parse_tsv(tsv)
            .into_iter()
            .map(layout)
            .flat_map(|p| p.lines.into_iter().map(|l| l.text))
            .collect()
    }

    #[test]
    fn a_label_and_its_amount_in_two_columns_make_one_row() {
        let t = tsv(
            &[
                word(1, 100.0, 100.0, 60.0, 20.0, "Total"),
                word(1, 170.0, 100.0, 40.0, 20.0, "TTC"),
                word(2, 600.0, 102.0, 90.0, 20.0, "1 200,00"),
                word(3, 100.0, 160.0, 60.0, 20.0, "Merci"),
            ],
            800,
            400,
        );
        assert_eq!(texts(&t), vec!["Total TTC  1 200,00", "Merci"]);
    }

    #[test]
    fn a_page_turned_a_quarter_reads_upright() {
        // "Total TTC 1200" running bottom to top, then "Merci" on the next line (to the
        // right of it on the turned image).
        let t = tsv(
            &[
                word(1, 100.0, 700.0, 20.0, 60.0, "Total"),
                word(1, 100.0, 630.0, 20.0, 50.0, "TTC"),
                word(1, 100.0, 540.0, 20.0, 70.0, "1200"),
                word(2, 160.0, 700.0, 20.0, 60.0, "Merci"),
                word(2, 160.0, 630.0, 20.0, 60.0, "bien"),
            ],
            400,
            800,
        );
        assert_eq!(texts(&t), vec!["Total TTC 1200", "Merci bien"]);
        // Upside down: the words come right to left and bottom to top.
        let t = tsv(
            &[
                word(1, 700.0, 300.0, 60.0, 20.0, "Total"),
                word(1, 620.0, 300.0, 50.0, 20.0, "TTC"),
                word(2, 700.0, 250.0, 60.0, 20.0, "Merci"),
                word(2, 620.0, 250.0, 60.0, 20.0, "bien"),
            ],
            800,
            400,
        );
        assert_eq!(texts(&t), vec!["Total TTC", "Merci bien"]);
    }

    #[test]
    fn a_skewed_scan_keeps_its_rows() {
        // Two columns 600 px apart on a page skewed by 4 % (about 2.3°): the amount sits
        // 24 px lower than its label, more than half a line.
        let s = 0.04;
        let t = tsv(
            &[
                word(1, 100.0, 100.0, 60.0, 20.0, "Net"),
                word(1, 170.0, 100.0 + 70.0 * s, 60.0, 20.0, "amount"),
                word(1, 240.0, 100.0 + 140.0 * s, 60.0, 20.0, "before"),
                word(1, 310.0, 100.0 + 210.0 * s, 60.0, 20.0, "tax"),
                word(2, 700.0, 100.0 + 600.0 * s, 60.0, 20.0, "90.00"),
                word(3, 100.0, 140.0, 60.0, 20.0, "VAT"),
                word(3, 170.0, 140.0 + 70.0 * s, 60.0, 20.0, "at"),
                word(3, 240.0, 140.0 + 140.0 * s, 60.0, 20.0, "twenty"),
                word(3, 310.0, 140.0 + 210.0 * s, 60.0, 20.0, "percent"),
                word(4, 700.0, 140.0 + 600.0 * s, 60.0, 20.0, "18.00"),
            ],
            800,
            400,
        );
        assert_eq!(
            texts(&t),
            vec![
                "Net amount before tax  90.00",
                "VAT at twenty percent  18.00"
            ]
        );
    }

    #[test]
    fn confidences_are_kept_per_line_and_for_digits() {
        let t = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                 1\t1\t0\t0\t0\t0\t0\t0\t800\t400\t-1\t\n\
                 5\t1\t1\t1\t1\t1\t100\t100\t60\t20\t96\tTotal\n\
                 5\t1\t1\t1\t1\t2\t200\t100\t60\t20\t40\t1200,00\n";
        let pages: Vec<OcrPage> = parse_tsv(t).into_iter().map(layout).collect();
        let mark = &pages[0].lines[0].mark;
        assert!((mark.confidence - 0.68).abs() < 0.01, "{mark:?}");
        assert_eq!(mark.digits_confidence, Some(0.4));
        assert_eq!(pages[0].words, 2);
    }

    #[test]
    fn without_an_engine_the_document_says_what_to_install() {
        let mut doc = Document::new(Format::Png);
        doc.warnings.push(NOT_READ_YET.to_string());
        complete_with(None, b"not used", &mut doc);
        assert!(doc.ocr_missing);
        assert!(doc.blocks.is_empty());
        assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
        assert!(doc.warnings[0].contains("Tesseract"));
        assert!(doc.warnings[0].contains("apt-get install tesseract-ocr"));
        assert!(doc.warnings[0].contains("brew install tesseract"));
        // A document with its text is left alone.
        let mut text = Document::new(Format::Pdf);
        complete_with(None, b"", &mut text);
        assert!(!text.ocr_missing && text.warnings.is_empty());
    }
}
