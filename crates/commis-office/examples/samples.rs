//! Writes the sample workbook, deck and report of `tests/specs/` into a directory, to look at
//! them (or render them to PNG): `cargo run -p commis-office --example samples -- OUT_DIR`.

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
    println!("{}", out.display());
    Ok(())
}
