//! PDF conversion through LibreOffice (headless), when it is installed.
//!
//! Each conversion runs in a temporary directory with its own LibreOffice profile: two
//! processes sharing a profile fail silently, and the user's own profile must not be touched.

use crate::OfficeError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a conversion may take before LibreOffice is stopped.
const TIMEOUT: Duration = Duration::from_secs(180);

/// Finds the LibreOffice binary: `COMMIS_SOFFICE`, then `soffice`/`libreoffice` on PATH, then the
/// usual macOS and Windows install locations.
pub(crate) fn find_soffice() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("COMMIS_SOFFICE") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["soffice", "libreoffice", "soffice.exe"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    [
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
        "C:\\Program Files\\LibreOffice\\program\\soffice.exe",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

fn file_url(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let encoded: String = s
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '%' => "%25".to_string(),
            '#' => "%23".to_string(),
            c => c.to_string(),
        })
        .collect();
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}

/// Converts office bytes (`extension` says which format: "docx", "xlsx", "pptx"...) to PDF with
/// LibreOffice and returns the PDF bytes.
pub fn office_to_pdf(bytes: &[u8], extension: &str) -> Result<Vec<u8>, OfficeError> {
    let soffice = find_soffice().ok_or(OfficeError::LibreOfficeMissing)?;
    let dir = tempfile::Builder::new().prefix("commis-lo-").tempdir()?;
    let input = dir.path().join(format!("input.{extension}"));
    std::fs::write(&input, bytes)?;
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir)?;
    let profile = dir.path().join("profile");
    let mut child = Command::new(&soffice)
        .arg(format!("-env:UserInstallation={}", file_url(&profile)))
        .args([
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&out_dir)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| OfficeError::Conversion(format!("cannot start {}: {e}", soffice.display())))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(OfficeError::Conversion(format!(
                "LibreOffice did not finish within {} s",
                TIMEOUT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = out_dir.join("input.pdf");
    match std::fs::read(&output) {
        Ok(pdf) if pdf.starts_with(b"%PDF") => Ok(pdf),
        _ => {
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut stderr);
            }
            Err(OfficeError::Conversion(format!(
                "no PDF produced (exit {status}): {}",
                stderr.trim()
            )))
        }
    }
}

/// Converts a .docx to PDF with LibreOffice; `OfficeError::LibreOfficeMissing` says how to
/// install it when it is absent.
pub fn docx_to_pdf(bytes: &[u8]) -> Result<Vec<u8>, OfficeError> {
    office_to_pdf(bytes, "docx")
}
