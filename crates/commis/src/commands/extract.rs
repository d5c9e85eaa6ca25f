//! `commis extract`.

use super::*;

pub(crate) fn cmd_extract(file: &Path, json: bool, invoice: bool) -> Result<ExitCode> {
    match commis_docs::read_path_guarded(file, &commis_docs::Limits::default()) {
        Ok(doc) => {
            if invoice {
                let fields = commis_skills::extract_invoice(&doc.plain_text());
                let out = serde_json::json!({
                    "file": file.display().to_string(),
                    "invoice": fields,
                    "ocr": doc.ocr,
                    "ocr_missing": doc.ocr_missing,
                    "warnings": doc.warnings,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else if json {
                println!("{}", doc.to_json());
            } else {
                print!("{}", doc.plain_text());
                for w in &doc.warnings {
                    eprintln!("warning: {w}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("commis extract: {}: {e}", file.display());
            Ok(ExitCode::from(2))
        }
    }
}
