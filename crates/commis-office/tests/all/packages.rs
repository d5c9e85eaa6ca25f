//! Package-level checks of our pptx and docx files, the things that make Office offer a repair:
//! every part well-formed XML, every part covered by [Content_Types].xml, every internal
//! relationship target present, ids unique.

use commis_office::{DeckSpec, DocumentSpec, build_docx, build_presentation};
use quick_xml::events::Event;
use std::collections::{BTreeMap, HashSet};
use std::io::{Cursor, Read};
use std::path::Path;

fn spec_bytes(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/specs")
            .join(name),
    )
    .unwrap()
}

fn parts(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().unwrap().to_string(), data);
    }
    out
}

/// Every (element, attribute value) of a part, checking well-formedness on the way.
fn attributes(name: &str, xml: &[u8]) -> Vec<(String, String, String)> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let el: String = AsRef::<str>::as_ref(&e.name()).to_string();
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|err| panic!("{name}: bad attribute: {err}"));
                    out.push((
                        el.clone(),
                        AsRef::<str>::as_ref(&a.key).to_string(),
                        // Raw value: the paths and ids checked here contain no entities.
                        a.value.to_string(),
                    ));
                }
            }
            Ok(_) => {}
            Err(e) => panic!("{name} is not well-formed XML: {e}"),
        }
        buf.clear();
    }
    out
}

fn check_package(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let parts = parts(bytes);
    let types = attributes("[Content_Types].xml", &parts["[Content_Types].xml"]);
    let defaults: HashSet<String> = types
        .iter()
        .filter(|(el, k, _)| el == "Default" && k == "Extension")
        .map(|(_, _, v)| v.to_lowercase())
        .collect();
    let overrides: HashSet<String> = types
        .iter()
        .filter(|(el, k, _)| el == "Override" && k == "PartName")
        .map(|(_, _, v)| v.trim_start_matches('/').to_string())
        .collect();
    for name in parts.keys() {
        if name == "[Content_Types].xml" {
            continue;
        }
        let ext = name.rsplit('.').next().unwrap().to_lowercase();
        assert!(
            overrides.contains(name) || defaults.contains(&ext),
            "{name} has no content type"
        );
        if name.ends_with(".xml") || name.ends_with(".rels") {
            attributes(name, &parts[name]);
        }
    }
    for o in &overrides {
        assert!(parts.contains_key(o), "content type for missing part {o}");
    }
    for (name, data) in &parts {
        let Some(rels_of) = name.strip_suffix(".rels") else {
            continue;
        };
        let dir = rels_of.replace("_rels/", "");
        let base = match dir.rfind('/') {
            Some(i) => dir[..i].to_string(),
            None => String::new(),
        };
        let mut ids = HashSet::new();
        for (el, k, v) in attributes(name, data) {
            if el == "Relationship" && k == "Id" {
                assert!(ids.insert(v.clone()), "{name}: duplicate id {v}");
            }
            if el == "Relationship" && k == "Target" {
                let mut path: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
                for seg in v.split('/') {
                    match seg {
                        ".." => {
                            path.pop();
                        }
                        s => path.push(s),
                    }
                }
                let target = path.join("/");
                assert!(
                    parts.contains_key(&target),
                    "{name}: missing target {target}"
                );
            }
        }
    }
    parts
}

#[test]
fn deck_package_is_complete_and_shape_ids_are_unique_per_slide() {
    let spec: DeckSpec = serde_json::from_slice(&spec_bytes("deck.json")).unwrap();
    let parts = check_package(&build_presentation(&spec).unwrap());
    assert!(parts.contains_key("ppt/notesMasters/notesMaster1.xml"));
    assert!(parts.contains_key("ppt/embeddings/Microsoft_Excel_Worksheet1.xlsx"));
    let mut slides = 0;
    for (name, data) in &parts {
        if !(name.starts_with("ppt/slides/slide") && name.ends_with(".xml")) {
            continue;
        }
        slides += 1;
        let mut ids = HashSet::new();
        for (el, k, v) in attributes(name, data) {
            if el == "p:cNvPr" && k == "id" {
                assert!(ids.insert(v.clone()), "{name}: shape id {v} used twice");
            }
        }
    }
    assert_eq!(slides, 9);
}

#[test]
fn deck_without_notes_has_no_notes_master() {
    let spec: DeckSpec = serde_json::from_str(
        r#"{"title":"T","slides":[{"layout":"bullets","title":"A","bullets":["x"]}]}"#,
    )
    .unwrap();
    let parts = check_package(&build_presentation(&spec).unwrap());
    assert!(!parts.keys().any(|k| k.contains("notesMaster")));
}

#[test]
fn docx_package_is_complete_and_escapes_markup() {
    let spec: DocumentSpec = serde_json::from_str(
        r#"{"title":"A <b> & \"c\" \u0001","blocks":[{"type":"paragraph","text":"x < y & **z**"},{"type":"table","header":["<h>"],"rows":[["&"]]}]}"#,
    )
    .unwrap();
    let parts = check_package(&build_docx(&spec).unwrap());
    let doc = String::from_utf8(parts["word/document.xml"].clone()).unwrap();
    assert!(doc.contains("A &lt;b&gt; &amp; &quot;c&quot; "));
    assert!(!doc.contains('\u{1}'));
}
