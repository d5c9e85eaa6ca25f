//! OCR of scans and photos through Tesseract, on the demo folder's scans (pictures without
//! a text layer made by scripts/make-demo.py): an image-only PDF and a phone photo turned
//! a quarter. Tesseract is a test dependency (scripts/test-deps-ocr.sh installs it): these
//! tests fail without it. Three pages in all, so CI stays quick.

use commis_docs::{Format, Limits, read_guarded};

const SCANS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-pme/Scans");

fn engine_or_fail() {
    assert!(
        commis_docs::ocr::engine().is_some(),
        "Tesseract is not installed: run scripts/test-deps-ocr.sh ({})",
        commis_docs::ocr::INSTALL_HINT
    );
}

fn read(name: &str) -> (commis_docs::Document, Vec<u8>) {
    let bytes = std::fs::read(format!("{SCANS}/{name}")).unwrap();
    let doc = read_guarded(name, &bytes, &Limits::default()).unwrap();
    (doc, bytes)
}

#[test]
fn a_scanned_pdf_is_read_by_ocr_into_lines_with_confidences() {
    engine_or_fail();
    // Without OCR the page has no text at all.
    let bytes = std::fs::read(format!("{SCANS}/scan0001.pdf")).unwrap();
    let bare = commis_docs::read_bytes("scan0001.pdf", &bytes, &Limits::default()).unwrap();
    assert_eq!(bare.text_len(), 0);
    assert_eq!(bare.metadata.pages_without_text, vec![1]);

    let (doc, _) = read("scan0001.pdf");
    assert_eq!(doc.format, Format::Pdf);
    let ocr = doc.ocr.as_ref().expect("read by OCR");
    assert_eq!(ocr.pages, 1);
    assert!(ocr.failed_pages.is_empty());
    assert!(ocr.confidence > 0.8, "{ocr:?}");
    assert!(ocr.languages.contains("fra"), "{ocr:?}");
    assert!(!doc.ocr_missing);
    assert!(
        !doc.warnings.iter().any(|w| w.contains("needs OCR")),
        "{:?}",
        doc.warnings
    );
    let text = doc.plain_text();
    // Label and amount on one line, as the page shows them; the number in the heading.
    for want in [
        "Total HT : 5 860,00 €",
        "TVA 20 % : 1 172,00 €",
        "Total TTC : 7 032,00 €",
        "F2024-032",
        "Hôtel Les Tilleuls",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    // Every block read by OCR says so, with its confidence, its digits' and its box.
    let total = doc
        .blocks
        .iter()
        .find(|b| b.text.contains("Total TTC"))
        .unwrap();
    let mark = total.ocr.as_ref().unwrap();
    assert!(mark.confidence > 0.5 && mark.confidence <= 1.0, "{mark:?}");
    assert!(mark.digits_confidence.is_some_and(|c| c > 0.5), "{mark:?}");
    assert!(mark.bbox[2] > 100 && mark.bbox[3] > 10, "{mark:?}");
    assert_eq!(total.place.page, Some(1));
    assert!(doc.blocks.iter().all(|b| b.ocr.is_some()));
    // Reading order: the heading comes before the totals.
    let pos = |s: &str| text.find(s).unwrap();
    assert!(pos("FACTURE") < pos("Facturé à") && pos("Facturé à") < pos("Total TTC"));
    // The total's line reads as the invoice extractor needs it: the label, then the amount.
    assert!(
        text.lines()
            .any(|l| l.starts_with("Total TTC") && l.trim_end().ends_with("7 032,00 €")),
        "{text}"
    );
}

#[test]
fn a_phone_photo_turned_a_quarter_reads_upright_and_is_cached_by_content() {
    engine_or_fail();
    let cache = tempfile::tempdir().unwrap();
    commis_docs::ocr::set_cache_dir(cache.path().to_path_buf());
    let (doc, bytes) = read("IMG_20240402_091532.jpg");
    assert_eq!(doc.format, Format::Jpeg);
    assert_eq!(doc.metadata.width, Some(1755));
    assert!(doc.ocr.is_some(), "not read by OCR: {:?}", doc.warnings);
    let text = doc.plain_text();
    for want in [
        "N° F2024-035",
        "Total HT : 4 248,00 €",
        "TVA 20 % : 849,60 €",
        "Total TTC : 5 097,60 €",
        "SAS Hôtel Les Tilleuls",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    let pos = |s: &str| text.find(s).unwrap();
    assert!(pos("ATELIER LEMOINE") < pos("Objet") && pos("Objet") < pos("Total TTC"));
    // The same bytes are never read twice: the second read comes from the cache (memory
    // here; the disk entry is there for the next process).
    let (again, _) = read("IMG_20240402_091532.jpg");
    assert!(again.ocr.as_ref().unwrap().cached);
    assert_eq!(again.plain_text(), text);
    use sha2::Digest;
    let key = hex::encode(sha2::Sha256::digest(&bytes));
    let entries: Vec<_> = walk(cache.path());
    assert!(
        entries.iter().any(|p| p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(&key))),
        "no cache entry for the photo in {entries:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    out
}
