//! Slide images for the deck preview, when the machine has LibreOffice (to render the deck
//! to PDF, through commis-office) and poppler's `pdftoppm` (to cut the PDF into PNGs).
//! Without them the page shows the outline of the slides only.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use crate::api::ApiError;

/// More slides than this are not rendered: the outline shows them all.
const MAX_SLIDES: u32 = 40;
const RASTER_TIMEOUT: Duration = Duration::from_secs(60);

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Whether slide images can be made here.
pub(crate) fn available() -> bool {
    let office = std::env::var_os("COMMIS_SOFFICE").is_some()
        || on_path(&["soffice", "libreoffice", "soffice.exe"]).is_some();
    office && on_path(&["pdftoppm", "pdftoppm.exe"]).is_some()
}

fn unavailable(message: String) -> ApiError {
    ApiError(StatusCode::UNPROCESSABLE_ENTITY, message)
}

/// Renders a deck's bytes to one PNG per slide, as `data:` URLs the page can show.
pub(crate) fn render(deck: &[u8], extension: &str) -> Result<Vec<String>, ApiError> {
    let pdftoppm = on_path(&["pdftoppm", "pdftoppm.exe"]).ok_or_else(|| {
        unavailable(
            "slide images need poppler's pdftoppm (apt-get install poppler-utils); the outline above shows every slide".into(),
        )
    })?;
    let pdf = commis_office::office_to_pdf(deck, extension)
        .map_err(|e| unavailable(format!("cannot render the slides: {e}")))?;
    let dir = tempfile::Builder::new()
        .prefix("commis-slides-")
        .tempdir()
        .map_err(|e| ApiError::internal_message(format!("cannot make a temporary folder: {e}")))?;
    let input = dir.path().join("deck.pdf");
    std::fs::write(&input, &pdf).map_err(|e| {
        ApiError::internal_message(format!("cannot write {}: {e}", input.display()))
    })?;
    rasterize(&pdftoppm, &input, dir.path())?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .map_err(|e| ApiError::internal_message(e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    // pdftoppm pads page numbers to the width of the last one, so names sort in order.
    pages.sort();
    pages
        .iter()
        .map(|p| {
            std::fs::read(p)
                .map(|bytes| format!("data:image/png;base64,{}", base64(&bytes)))
                .map_err(|e| {
                    ApiError::internal_message(format!("cannot read {}: {e}", p.display()))
                })
        })
        .collect()
}

fn rasterize(pdftoppm: &Path, input: &Path, out: &Path) -> Result<(), ApiError> {
    let mut child = Command::new(pdftoppm)
        .args(["-png", "-r", "50", "-f", "1", "-l", &MAX_SLIDES.to_string()])
        .arg(input)
        .arg(out.join("slide"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| unavailable(format!("cannot start {}: {e}", pdftoppm.display())))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(unavailable(format!("pdftoppm failed ({status})")));
            }
            Ok(None) if start.elapsed() > RASTER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(unavailable(format!(
                    "pdftoppm did not finish within {} s",
                    RASTER_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(ApiError::internal_message(e.to_string())),
        }
    }
}

/// Standard base64 with padding (the only encoding `data:` URLs need here).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }
}
