//! The one error type of this crate.

/// Everything that can go wrong while building or converting a deliverable.
///
/// Messages name the sheet, cell, slide or file concerned and say what to change.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// The spec itself is inconsistent (unknown column, empty sheet name, too many columns...).
    #[error("invalid spec: {0}")]
    InvalidSpec(String),
    /// A formula uses a function the built-in evaluator cannot compute, so no true cached value
    /// could be stored.
    #[error(
        "formula in {cell} uses {function}, which commis cannot compute yet; supported: {supported}. Rewrite the formula with supported functions or store the value instead"
    )]
    UnsupportedFormula {
        /// Address such as `Factures!G5`.
        cell: String,
        /// The function name as written.
        function: String,
        /// Comma-separated list of supported functions.
        supported: String,
    },
    /// A formula could not be parsed.
    #[error("formula in {cell} cannot be read ({formula}): {reason}")]
    FormulaSyntax {
        /// Address such as `Factures!G5`.
        cell: String,
        /// The formula text.
        formula: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A formula evaluates to an Excel error (#DIV/0!, #N/A, #REF!, #VALUE!...) or loops on itself.
    #[error(
        "formula in {cell} ({formula}) evaluates to {error}: fix the formula or the data it reads"
    )]
    FormulaError {
        /// Address such as `Factures!G5`.
        cell: String,
        /// The formula text.
        formula: String,
        /// The Excel error it produces.
        error: String,
    },
    /// rust_xlsxwriter refused something (sheet name, range, chart...).
    #[error("cannot write the workbook: {0}")]
    Xlsx(String),
    /// An existing workbook could not be read back for appending.
    #[error("cannot read the existing workbook: {0}; is it a valid .xlsx file?")]
    ReadWorkbook(String),
    /// Writing the zip package failed.
    #[error("cannot assemble the {kind} package: {reason}")]
    Package {
        /// "pptx" or "docx".
        kind: &'static str,
        /// Underlying reason.
        reason: String,
    },
    /// LibreOffice is needed (PDF conversion) but not installed.
    #[error(
        "LibreOffice is not installed, so no PDF can be produced; install it (Debian/Ubuntu: `apt-get install --no-install-recommends libreoffice-writer`, macOS: `brew install --cask libreoffice`) or deliver the .docx instead"
    )]
    LibreOfficeMissing,
    /// LibreOffice ran but did not produce the expected file.
    #[error("LibreOffice conversion failed: {0}")]
    Conversion(String),
    /// A temporary file or directory could not be used.
    #[error("temporary file error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<rust_xlsxwriter::XlsxError> for OfficeError {
    fn from(err: rust_xlsxwriter::XlsxError) -> Self {
        OfficeError::Xlsx(err.to_string())
    }
}
