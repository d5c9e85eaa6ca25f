//! Bounded reading of zip packages (OOXML, OpenDocument): every member is read
//! against a shared decompression budget so a zip bomb is refused, not inflated.

use crate::error::DocError;
use crate::limits::Limits;
use std::io::{Cursor, Read};

/// Members smaller than this are never refused for their ratio: small XML parts
/// routinely compress 100:1.
const RATIO_FLOOR: u64 = 1024 * 1024;

/// A zip package opened for bounded reads.
pub(crate) struct Package<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    budget: u64,
    limit: u64,
    member_limit: u64,
    format: &'static str,
}

impl<'a> Package<'a> {
    pub fn open(bytes: &'a [u8], limits: &Limits, format: &'static str) -> Result<Self, DocError> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| DocError::corrupt(format, format!("cannot open the zip package: {e}")))?;
        check_declared_sizes(&mut zip, limits)?;
        Ok(Package {
            zip,
            budget: limits.max_decompressed_bytes,
            limit: limits.max_decompressed_bytes,
            member_limit: limits.max_stream_bytes,
            format,
        })
    }

    /// Reads a member; `Ok(None)` when it does not exist.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, DocError> {
        let Some(index) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        let file = match self.zip.by_index(index) {
            Ok(f) => f,
            Err(zip::result::ZipError::UnsupportedArchive(msg)) if msg.contains("assword") => {
                return Err(DocError::Encrypted);
            }
            Err(e) => return Err(DocError::corrupt(self.format, format!("{name}: {e}"))),
        };
        if file.encrypted() {
            return Err(DocError::Encrypted);
        }
        let mut out = Vec::new();
        // One member may not take more than its own share, whatever it declares.
        let cap = self.budget.min(self.member_limit);
        let read = file
            .take(cap + 1)
            .read_to_end(&mut out)
            .map_err(|e| DocError::corrupt(self.format, format!("{name}: {e}")))?;
        if read as u64 > cap {
            return Err(DocError::TooLarge {
                limit: format!(
                    "{name} decompresses to more than {cap} bytes (limits max_stream_bytes, max_decompressed_bytes {})",
                    self.limit
                ),
            });
        }
        self.budget -= read as u64;
        Ok(Some(out))
    }

    /// Reads a member as text (UTF-8, lossily).
    pub fn read_string(&mut self, name: &str) -> Result<Option<String>, DocError> {
        Ok(self
            .read(name)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}

/// Refuses archives whose central directory already announces a bomb.
pub(crate) fn check_declared_sizes(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    limits: &Limits,
) -> Result<(), DocError> {
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let Ok(file) = zip.by_index_raw(i) else {
            continue;
        };
        let size = file.size();
        let compressed = file.compressed_size().max(1);
        total = total.saturating_add(size);
        if size > RATIO_FLOOR && size / compressed > limits.max_ratio {
            return Err(DocError::TooLarge {
                limit: format!(
                    "member {} would expand {}x, above the {}x limit (zip bomb?)",
                    file.name().map(|n| n.into_owned()).unwrap_or_default(),
                    size / compressed,
                    limits.max_ratio
                ),
            });
        }
    }
    if total > limits.max_decompressed_bytes {
        return Err(DocError::TooLarge {
            limit: format!(
                "it would decompress to {total} bytes, above the {} byte limit",
                limits.max_decompressed_bytes
            ),
        });
    }
    Ok(())
}

/// Guards a byte slice that another crate (calamine) will unzip itself.
pub(crate) fn precheck(
    bytes: &[u8],
    limits: &Limits,
    format: &'static str,
) -> Result<(), DocError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| DocError::corrupt(format, format!("cannot open the zip package: {e}")))?;
    check_declared_sizes(&mut zip, limits)
}
