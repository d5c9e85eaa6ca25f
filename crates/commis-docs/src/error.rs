//! The typed errors a caller can act on, one readable line each.

use thiserror::Error;

/// Why a document could not be read at all.
#[derive(Debug, Error, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DocError {
    /// The bytes are damaged or do not follow the format they claim.
    #[error(
        "the file is damaged or not a valid {format} file ({reason}); open and re-save it, or ask for a new copy"
    )]
    Corrupt { format: String, reason: String },
    /// The file is protected by a password.
    #[error("the file is encrypted or password-protected; save an unprotected copy to read it")]
    Encrypted,
    /// The content is of a kind commis-docs does not read.
    #[error(
        "unsupported file type ({detected}); convert it to PDF, an Office/OpenDocument format, CSV or text"
    )]
    Unsupported { detected: String },
    /// The file, or what it decompresses to, exceeds a configured limit.
    #[error("the file is too large to read ({limit}); split it or raise the limit")]
    TooLarge { limit: String },
    /// Reading the file exhausted the memory, time or output allowed to the worker
    /// process that reads it (a crafted or pathological file); it is skipped.
    #[error(
        "fichier trop volumineux ou piégé : ignoré / file too large or crafted, skipped ({reason})"
    )]
    Hostile { reason: String },
    /// Reading the file from disk failed (only `read_path`).
    #[error("could not read the file: {reason}")]
    Io { reason: String },
}

impl DocError {
    pub(crate) fn corrupt(format: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        let mut reason = reason.to_string().replace(['\n', '\r'], " ");
        if reason.len() > 200 {
            let mut cut = 200;
            while !reason.is_char_boundary(cut) {
                cut -= 1;
            }
            reason.truncate(cut);
            reason.push('…');
        }
        DocError::Corrupt {
            format: format.into(),
            reason,
        }
    }

    /// A short machine-friendly name of the variant ("corrupt", "encrypted"...).
    pub fn kind(&self) -> &'static str {
        match self {
            DocError::Corrupt { .. } => "corrupt",
            DocError::Encrypted => "encrypted",
            DocError::Unsupported { .. } => "unsupported",
            DocError::TooLarge { .. } => "too_large",
            DocError::Hostile { .. } => "hostile",
            DocError::Io { .. } => "io",
        }
    }
}
