//! Writes the sample workbook, deck and report of `tests/specs/` into a directory, to look at
//! them (or render them to PNG): `cargo run -p commis-office --example samples -- OUT_DIR`.
//! Extra arguments are spec files (JSON) built into OUT_DIR too, by shape: "sheets" makes a
//! workbook, "slides" a deck, "blocks" a report.
//!
//! To render: `soffice --headless --convert-to pdf --outdir OUT_DIR/pdf OUT_DIR/*.pptx` then
//! `pdftoppm -r 72 -png OUT_DIR/pdf/presentation.pdf slide`.

use commis_office::{
    DeckSpec, DocumentSpec, SpreadsheetSpec, build_docx, build_html, build_markdown,
    build_presentation, build_spreadsheet,
};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "samples".into()));
    std::fs::create_dir_all(&out)?;
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/specs");
    let wb: SpreadsheetSpec = serde_json::from_slice(&std::fs::read(specs.join("workbook.json"))?)?;
    std::fs::write(out.join("classeur.xlsx"), build_spreadsheet(&wb)?)?;
    let deck: DeckSpec = serde_json::from_slice(&std::fs::read(specs.join("deck.json"))?)?;
    std::fs::write(out.join("presentation.pptx"), build_presentation(&deck)?)?;
    let doc: DocumentSpec = serde_json::from_slice(&std::fs::read(specs.join("report.json"))?)?;
    std::fs::write(out.join("rapport.docx"), build_docx(&doc)?)?;
    std::fs::write(out.join("rapport.md"), build_markdown(&doc))?;
    std::fs::write(out.join("rapport.html"), build_html(&doc))?;
    for extra in std::env::args().skip(2) {
        let bytes = std::fs::read(&extra)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)?;
        let stem = PathBuf::from(&extra)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "spec".into());
        if value.get("sheets").is_some() {
            let spec: SpreadsheetSpec = serde_json::from_value(value)?;
            std::fs::write(out.join(format!("{stem}.xlsx")), build_spreadsheet(&spec)?)?;
        } else if value.get("slides").is_some() {
            let spec: DeckSpec = serde_json::from_value(value)?;
            std::fs::write(out.join(format!("{stem}.pptx")), build_presentation(&spec)?)?;
        } else {
            let spec: DocumentSpec = serde_json::from_value(value)?;
            std::fs::write(out.join(format!("{stem}.docx")), build_docx(&spec)?)?;
        }
    }
    println!("{}", out.display());
    Ok(())
}
