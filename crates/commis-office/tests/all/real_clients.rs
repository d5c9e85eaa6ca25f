//! Our deliverables read back by real clients: LibreOffice (with recalculation forced),
//! python-openpyxl, python-pptx and python-docx.
//!
//! Install them with `scripts/test-deps-office.sh`. Locally a missing tool skips the test with a
//! notice; with `CI` set it fails.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use commis_office::{
    CellValue, DeckSpec, DocumentSpec, SpreadsheetSpec, append_rows, build_docx,
    build_presentation, build_spreadsheet, docx_to_pdf,
};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

fn spec_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/specs")
        .join(name)
}

fn workbook_spec() -> SpreadsheetSpec {
    serde_json::from_slice(&std::fs::read(spec_path("workbook.json")).unwrap()).unwrap()
}

fn deck_spec() -> DeckSpec {
    serde_json::from_slice(&std::fs::read(spec_path("deck.json")).unwrap()).unwrap()
}

fn report_spec() -> DocumentSpec {
    serde_json::from_slice(&std::fs::read(spec_path("report.json")).unwrap()).unwrap()
}

/// Skips locally, fails in CI, when a tool is missing.
fn missing(tool: &str) {
    let msg = format!("{tool} is not installed; run scripts/test-deps-office.sh");
    if std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
}

fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .map(|d| d.join("soffice"))
        .find(|p| p.is_file());
    if found.is_none() {
        missing("LibreOffice (soffice)");
    }
    found
}

/// The Python with openpyxl, python-pptx and python-docx: COMMIS_PYTHON or <repo>/.venv.
fn python() -> Option<PathBuf> {
    let candidate = std::env::var_os("COMMIS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"));
    let ok = Command::new(&candidate)
        .args(["-c", "import openpyxl, pptx, docx"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        Some(candidate)
    } else {
        missing("python with openpyxl, python-pptx and python-docx");
        None
    }
}

fn run_python(py: &Path, script: &str, file: &Path) -> serde_json::Value {
    let out = Command::new(py)
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A LibreOffice profile that recalculates every formula on load (OOXMLRecalcMode=0), so the
/// values it reports are its own and not the cached ones we wrote.
fn recalc_profile(dir: &Path) -> String {
    let user = dir.join("profile/user");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(
        user.join("registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
    format!("file://{}", dir.join("profile").display())
}

/// Converts `input` with LibreOffice (own profile) to `target` ("xlsx", "pdf"...) in `dir/out`.
fn lo_convert(soffice: &Path, dir: &Path, input: &Path, target: &str) -> PathBuf {
    let profile = recalc_profile(dir);
    let out_dir = dir.join("out");
    let status = Command::new(soffice)
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
        ])
        .arg(&out_dir)
        .arg(input)
        .output()
        .unwrap();
    let ext = target.split(':').next().unwrap();
    let stem = input.file_stem().unwrap().to_string_lossy();
    let out = out_dir.join(format!("{stem}.{ext}"));
    assert!(
        out.is_file(),
        "LibreOffice produced no {ext}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    out
}

fn as_number(d: &Data) -> Option<f64> {
    match d {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) => Some(*f),
        Data::DateTime(dt) => Some(dt.as_f64()),
        Data::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// Every formula cell of `ours` has, in LibreOffice's recalculated copy, the value we cached.
fn assert_recalc_matches(soffice: &Path, ours: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ours.xlsx");
    std::fs::write(&input, ours).unwrap();
    let converted = lo_convert(soffice, dir.path(), &input, "xlsx:Calc MS Excel 2007 XML");
    let theirs_bytes = std::fs::read(converted).unwrap();
    let mut mine: Xlsx<_> = open_workbook_from_rs(Cursor::new(ours.to_vec())).unwrap();
    let mut theirs: Xlsx<_> = open_workbook_from_rs(Cursor::new(theirs_bytes)).unwrap();
    let mut checked = 0;
    for name in mine.sheet_names() {
        let formulas = mine.worksheet_formula(&name).unwrap();
        let cached = mine.worksheet_range(&name).unwrap();
        let recalc = theirs.worksheet_range(&name).unwrap();
        for (r, row) in formulas.rows().enumerate() {
            for (c, f) in row.iter().enumerate() {
                if f.is_empty() {
                    continue;
                }
                let (start_r, start_c) = formulas.start().unwrap();
                let pos = (start_r + r as u32, start_c + c as u32);
                let ours_v = cached.get_value(pos).cloned().unwrap_or(Data::Empty);
                let lo_v = recalc.get_value(pos).cloned().unwrap_or(Data::Empty);
                let cell = format!("{name}!R{}C{} ={f}", pos.0 + 1, pos.1 + 1);
                assert!(
                    !matches!(lo_v, Data::Error(_)),
                    "{cell}: LibreOffice gives {lo_v:?}"
                );
                if let Data::String(s) = &lo_v {
                    assert!(!s.starts_with('#') && !s.starts_with("Err:"), "{cell}: {s}");
                }
                match (as_number(&ours_v), as_number(&lo_v)) {
                    (Some(a), Some(b)) => assert!(
                        (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                        "{cell}: cached {a}, LibreOffice {b}"
                    ),
                    _ => assert_eq!(
                        ours_v.to_string(),
                        lo_v.to_string(),
                        "{cell}: cached vs LibreOffice"
                    ),
                }
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn libreoffice_with_forced_recalculation_agrees_with_every_cached_formula_value() {
    let Some(soffice) = soffice() else { return };
    let bytes = build_spreadsheet(&workbook_spec()).unwrap();
    let checked = assert_recalc_matches(&soffice, &bytes);
    assert_eq!(checked, 112, "formulas checked");
}

#[test]
fn the_forced_recalculation_profile_really_recalculates() {
    // Guards the test above: a deliberately wrong cached value must be corrected by LibreOffice.
    let Some(soffice) = soffice() else { return };
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_number(0, 0, 20.0).unwrap();
    ws.write_formula(0, 1, rust_xlsxwriter::Formula::new("=A1*2").set_result("5"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("wrong.xlsx");
    std::fs::write(&input, wb.save_to_buffer().unwrap()).unwrap();
    let out = lo_convert(&soffice, dir.path(), &input, "xlsx:Calc MS Excel 2007 XML");
    let mut theirs: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(std::fs::read(out).unwrap())).unwrap();
    let range = theirs.worksheet_range("Sheet1").unwrap();
    assert_eq!(as_number(range.get_value((0, 1)).unwrap()), Some(40.0));
}

#[test]
fn appended_rows_keep_formulas_true_and_the_totals_row_at_the_bottom() {
    let Some(soffice) = soffice() else { return };
    let original = build_spreadsheet(&workbook_spec()).unwrap();
    let rows = vec![vec![
        CellValue::Number(45_700.0),
        CellValue::Text("Dupont SARL".into()),
        CellValue::Text("F2025-001".into()),
        CellValue::Number(1000.0),
        CellValue::Number(0.2),
        CellValue::Text("=ROUND(D26*E26,2)".into()),
        CellValue::Text("=D26+F26".into()),
        CellValue::Text("payée".into()),
        CellValue::Text("=IF(H26=\"payée\",0,G26)".into()),
    ]];
    let appended = append_rows(&original, "Factures", &rows).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(appended.clone())).unwrap();
    let formulas = book.worksheet_formula("Factures").unwrap();
    assert_eq!(
        formulas.get_value((26, 6)).map(String::as_str),
        Some("SUM(G2:G26)")
    );
    let values = book.worksheet_range("Factures").unwrap();
    assert_eq!(
        values.get_value((26, 0)),
        Some(&Data::String("Total".into()))
    );
    assert_recalc_matches(&soffice, &appended);
}

const OPENPYXL_SCRIPT: &str = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
values = openpyxl.load_workbook(sys.argv[1], data_only=True)
out = {"sheets": wb.sheetnames, "formulas": {}, "charts": {}, "frozen": {}, "tables": {}}
for ws in wb:
    out["formulas"][ws.title] = sum(1 for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("="))
    out["charts"][ws.title] = len(ws._charts)
    out["frozen"][ws.title] = ws.freeze_panes
    out["tables"][ws.title] = list(ws.tables.keys())
out["synthese_c2"] = values["Synthèse"]["C2"].value
out["synthese_c2_formula"] = wb["Synthèse"]["C2"].value
out["date_format"] = wb["Factures"]["A2"].number_format
out["currency_format"] = wb["Factures"]["D2"].number_format
print(json.dumps(out))
"#;

#[test]
fn openpyxl_reads_sheets_formulas_charts_and_cached_values() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("classeur.xlsx");
    std::fs::write(&file, build_spreadsheet(&workbook_spec()).unwrap()).unwrap();
    let v = run_python(&py, OPENPYXL_SCRIPT, &file);
    assert_eq!(
        v["sheets"],
        serde_json::json!(["Factures", "Synthèse", "Indicateurs", "Sources"])
    );
    assert!(v["formulas"]["Factures"].as_u64().unwrap() == 24 * 3 + 4);
    assert_eq!(v["charts"]["Synthèse"], 2);
    assert_eq!(v["frozen"]["Factures"], "A2");
    assert_eq!(v["tables"]["Factures"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["synthese_c2_formula"],
        "=SUMIF(Factures!B2:B25,A2,Factures!G2:G25)"
    );
    assert!(
        v["synthese_c2"].as_f64().unwrap() > 1000.0,
        "cached value is not 0"
    );
    assert_eq!(v["date_format"], "dd/mm/yyyy");
    assert!(v["currency_format"].as_str().unwrap().contains("€"));
}

const PPTX_SCRIPT: &str = r#"
import json, sys
from pptx import Presentation
from pptx.util import Emu
p = Presentation(sys.argv[1])
slides = []
for s in p.slides:
    shapes = []
    for sh in s.shapes:
        # Every shape must lie within the slide.
        if sh.left is not None:
            assert sh.left >= 0 and sh.top >= 0, sh.name
            assert sh.left + sh.width <= p.slide_width and sh.top + sh.height <= p.slide_height, sh.name
    slides.append({
        "layout": s.slide_layout.name,
        "title": s.shapes.title.text if s.shapes.title is not None else None,
        "notes": s.notes_slide.notes_text_frame.text if s.has_notes_slide else None,
        "charts": [str(sh.chart.chart_type).split(" ")[0] for sh in s.shapes if sh.has_chart],
        "chart_points": [len(list(sh.chart.plots[0].categories)) for sh in s.shapes if sh.has_chart],
        "tables": [[len(sh.table.rows), len(sh.table.columns)] for sh in s.shapes if sh.has_table],
        "text": " ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame),
    })
print(json.dumps({"width": p.slide_width, "height": p.slide_height, "slides": slides}))
"#;

#[test]
fn python_pptx_reads_slides_titles_notes_tables_and_charts() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deck.pptx");
    std::fs::write(&file, build_presentation(&deck_spec()).unwrap()).unwrap();
    let v = run_python(&py, PPTX_SCRIPT, &file);
    assert_eq!(v["width"], 12_192_000);
    assert_eq!(v["height"], 6_858_000);
    let slides = v["slides"].as_array().unwrap();
    assert_eq!(slides.len(), 9, "automatic title slide + 8");
    assert_eq!(slides[0]["title"], "Bilan clients 2024");
    assert_eq!(slides[3]["title"], "Faits marquants");
    assert!(
        slides[3]["text"]
            .as_str()
            .unwrap()
            .contains("hausse de 12 %")
    );
    assert_eq!(slides[3]["notes"], "Détailler les deux nouveaux clients.");
    assert!(
        slides[4]["charts"][0]
            .as_str()
            .unwrap()
            .starts_with("COLUMN_CLUSTERED")
    );
    assert_eq!(slides[4]["chart_points"][0], 5);
    assert!(slides[5]["charts"][0].as_str().unwrap().starts_with("LINE"));
    assert!(slides[6]["charts"][0].as_str().unwrap().starts_with("PIE"));
    assert_eq!(slides[7]["tables"][0], serde_json::json!([6, 5]));
    assert_eq!(slides[8]["layout"], "Two Content");
}

#[test]
fn a_hundred_slide_deck_with_overflowing_bullets_continues_and_stays_in_bounds() {
    let Some(py) = python() else { return };
    let mut spec = deck_spec();
    let long = serde_json::json!({"layout": "bullets", "title": "Beaucoup trop de points pour une seule diapositive",
        "bullets": (0..30).map(|i| format!("Point {i} : une phrase assez longue pour prendre presque toute la largeur de la zone de texte")).collect::<Vec<_>>(),
        "notes": "Notes longues"});
    for _ in 0..100 {
        spec.slides
            .push(serde_json::from_value(long.clone()).unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.pptx");
    std::fs::write(&file, build_presentation(&spec).unwrap()).unwrap();
    let v = run_python(&py, PPTX_SCRIPT, &file);
    let slides = v["slides"].as_array().unwrap();
    assert!(
        slides.len() >= 9 + 200,
        "each long slide continues: {}",
        slides.len()
    );
    assert!(
        slides
            .iter()
            .any(|s| s["title"].as_str().unwrap_or("").ends_with("(suite)"))
    );
}

#[test]
fn libreoffice_opens_the_deck_and_renders_one_page_per_slide() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("deck.pptx");
    std::fs::write(&input, build_presentation(&deck_spec()).unwrap()).unwrap();
    let pdf = lo_convert(&soffice, dir.path(), &input, "pdf");
    let Ok(info) = Command::new("pdfinfo").arg(&pdf).output() else {
        missing("pdfinfo (poppler-utils)");
        return;
    };
    let info = String::from_utf8_lossy(&info.stdout);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().to_string());
    assert_eq!(pages.as_deref(), Some("9"), "{info}");
}

const DOCX_SCRIPT: &str = r#"
import json, sys, docx
d = docx.Document(sys.argv[1])
paras = [(p.style.name, p.text) for p in d.paragraphs]
numbered = sum(1 for p in d.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None)
print(json.dumps({
  "headings": [[s, t] for s, t in paras if s.startswith("Heading")],
  "title": [t for s, t in paras if s == "Title"],
  "tables": [[len(t.rows), len(t.columns), t.cell(0, 0).text, t.cell(1, 2).text] for t in d.tables],
  "list_items": numbered,
  "footer": d.sections[0].footer.paragraphs[0].text,
  "toc": "TOC \\o" in d.element.xml,
}))
"#;

#[test]
fn python_docx_reads_headings_tables_lists_and_footer() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rapport.docx");
    std::fs::write(&file, build_docx(&report_spec()).unwrap()).unwrap();
    let v = run_python(&py, DOCX_SCRIPT, &file);
    assert_eq!(v["title"], serde_json::json!(["Rapport annuel 2024"]));
    assert_eq!(
        v["headings"],
        serde_json::json!([
            ["Heading 1", "Synthèse"],
            ["Heading 2", "Chiffre d'affaires par client"],
            ["Heading 2", "Actions à mener"],
            ["Heading 1", "Annexes"],
            ["Heading 3", "Méthode"]
        ])
    );
    assert_eq!(
        v["tables"],
        serde_json::json!([[6, 4, "Client", "47 210,50 €"]])
    );
    assert_eq!(v["list_items"], 6);
    assert!(v["footer"].as_str().unwrap().starts_with("Page"));
    assert_eq!(v["toc"], true);
}

#[test]
fn docx_converts_to_pdf_through_libreoffice() {
    if soffice().is_none() {
        return;
    }
    let pdf = docx_to_pdf(&build_docx(&report_spec()).unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(pdf.len() > 5_000);
}

#[test]
fn libreoffice_agrees_on_every_supported_function_and_edge_case() {
    let Some(soffice) = soffice() else { return };
    let spec: SpreadsheetSpec =
        serde_json::from_slice(&std::fs::read(spec_path("formulas.json")).unwrap()).unwrap();
    let bytes = build_spreadsheet(&spec).unwrap();
    let checked = assert_recalc_matches(&soffice, &bytes);
    assert_eq!(checked, 45);
}

#[test]
fn image_slides_embed_the_picture_with_its_aspect_ratio() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("logo.png");
    // Pillow comes with python-pptx; a 400x100 picture must stay 4:1 on the slide.
    let made = Command::new(&py)
        .arg("-c")
        .arg("import sys; from PIL import Image; Image.new('RGB', (400, 100), (37, 99, 235)).save(sys.argv[1])")
        .arg(&png)
        .status()
        .unwrap();
    assert!(made.success());
    let mut spec: DeckSpec = serde_json::from_str(
        r#"{"title":"Logo","slides":[{"layout":"image","title":"Notre logo","path":"logo.png","caption":"Version 2025","notes":"n"}]}"#,
    )
    .unwrap();
    for (path, data) in spec.images_mut() {
        *data = Some(std::fs::read(dir.path().join(path)).unwrap());
    }
    let file = dir.path().join("deck.pptx");
    std::fs::write(&file, build_presentation(&spec).unwrap()).unwrap();
    let v = run_python(
        &py,
        r#"
import json, sys
from pptx import Presentation
s = Presentation(sys.argv[1]).slides[1]
pics = [sh for sh in s.shapes if sh.shape_type == 13]
print(json.dumps({"n": len(pics), "ratio": pics[0].width / pics[0].height, "type": pics[0].image.content_type}))
"#,
        &file,
    );
    assert_eq!(v["n"], 1);
    assert!((v["ratio"].as_f64().unwrap() - 4.0).abs() < 0.01);
    assert_eq!(v["type"], "image/png");
}
