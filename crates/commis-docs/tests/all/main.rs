//! The integration tests of commis-docs, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod common;

mod hostile;
mod ocr;
mod office;
mod pdf;
mod pdf_tables;
mod text_formats;
