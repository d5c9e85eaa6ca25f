//! Open Packaging Conventions: the zip of parts, `[Content_Types].xml` and relationships shared
//! by the pptx and docx writers, with a self-check that every internal relationship target exists
//! (a dangling target is what makes Office offer to "repair" a file).

use crate::OfficeError;
use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Relationship type URIs used by our packages.
pub(crate) mod rel {
    pub const OFFICE_DOC: &str =
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
    pub const CORE: &str =
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties";
    pub const APP: &str =
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties";
    const BASE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
    pub fn of(kind: &str) -> String {
        format!("{BASE}{kind}")
    }
}

/// One relationships part under construction.
#[derive(Default)]
pub(crate) struct Rels {
    items: Vec<(String, String, String, bool)>,
}

impl Rels {
    /// Adds a relationship and returns its id ("rId1", ...).
    pub(crate) fn add(&mut self, kind: &str, target: &str) -> String {
        let id = format!("rId{}", self.items.len() + 1);
        self.items
            .push((id.clone(), kind.to_string(), target.to_string(), false));
        id
    }

    pub(crate) fn to_xml(&self) -> String {
        let mut s = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
        );
        for (id, kind, target, external) in &self.items {
            s.push_str(&format!(
                r#"<Relationship Id="{id}" Type="{}" Target="{}"{}/>"#,
                esc(kind),
                esc(target),
                if *external {
                    r#" TargetMode="External""#
                } else {
                    ""
                }
            ));
        }
        s.push_str("</Relationships>");
        s
    }
}

/// A package being assembled: parts in order, their content types, and their relationships.
pub(crate) struct Package {
    kind: &'static str,
    parts: Vec<(String, Vec<u8>)>,
    overrides: Vec<(String, String)>,
    defaults: BTreeMap<String, String>,
    rels: BTreeMap<String, Rels>,
}

impl Package {
    pub(crate) fn new(kind: &'static str) -> Self {
        let mut defaults = BTreeMap::new();
        defaults.insert(
            "rels".to_string(),
            "application/vnd.openxmlformats-package.relationships+xml".to_string(),
        );
        defaults.insert("xml".to_string(), "application/xml".to_string());
        Package {
            kind,
            parts: Vec::new(),
            overrides: Vec::new(),
            defaults,
            rels: BTreeMap::new(),
        }
    }

    /// Adds a part with its own content type override (path without leading slash).
    pub(crate) fn add(&mut self, path: &str, content_type: &str, bytes: impl Into<Vec<u8>>) {
        self.overrides
            .push((path.to_string(), content_type.to_string()));
        self.parts.push((path.to_string(), bytes.into()));
    }

    /// Adds a part whose content type comes from its extension (images, embedded workbooks).
    pub(crate) fn add_by_extension(
        &mut self,
        path: &str,
        extension: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) {
        self.defaults
            .insert(extension.to_string(), content_type.to_string());
        self.parts.push((path.to_string(), bytes));
    }

    /// The relationships of `source` ("" for the package root).
    pub(crate) fn rels(&mut self, source: &str) -> &mut Rels {
        self.rels.entry(source.to_string()).or_default()
    }

    /// Checks every internal relationship target and zips the package.
    pub(crate) fn finish(self) -> Result<Vec<u8>, OfficeError> {
        let fail = |reason: String| OfficeError::Package {
            kind: self.kind,
            reason,
        };
        for (source, rels) in &self.rels {
            let dir = match source.rfind('/') {
                Some(i) => &source[..i],
                None => "",
            };
            for (_, _, target, external) in &rels.items {
                if *external {
                    continue;
                }
                let resolved = resolve(dir, target);
                if !self.parts.iter().any(|(p, _)| *p == resolved) {
                    return Err(fail(format!(
                        "relationship of '{source}' points to missing part '{resolved}'"
                    )));
                }
            }
        }
        let mut types = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
        );
        for (ext, ct) in &self.defaults {
            types.push_str(&format!(
                r#"<Default Extension="{}" ContentType="{}"/>"#,
                esc(ext),
                esc(ct)
            ));
        }
        for (path, ct) in &self.overrides {
            types.push_str(&format!(
                r#"<Override PartName="/{}" ContentType="{}"/>"#,
                esc(path),
                esc(ct)
            ));
        }
        types.push_str("</Types>");

        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6));
        let mut write = |name: &str, data: &[u8]| -> Result<(), OfficeError> {
            zip.start_file(name, opts)
                .map_err(|e| fail(format!("{name}: {e}")))?;
            zip.write_all(data)
                .map_err(|e| fail(format!("{name}: {e}")))
        };
        write("[Content_Types].xml", types.as_bytes())?;
        for (source, rels) in &self.rels {
            let path = if source.is_empty() {
                "_rels/.rels".to_string()
            } else {
                match source.rfind('/') {
                    Some(i) => format!("{}/_rels/{}.rels", &source[..i], &source[i + 1..]),
                    None => format!("_rels/{source}.rels"),
                }
            };
            write(&path, rels.to_xml().as_bytes())?;
        }
        for (path, data) in &self.parts {
            write(path, data)?;
        }
        let cursor = zip.finish().map_err(|e| fail(e.to_string()))?;
        Ok(cursor.into_inner())
    }
}

/// Resolves a relative target ("../slideLayouts/x.xml") against a part's directory.
fn resolve(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Escapes text for XML content or attributes, dropping characters XML 1.0 forbids
/// (control characters pasted from PDFs would otherwise make the file unreadable).
pub(crate) fn esc(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

/// `docProps/core.xml` with a title and creator.
pub(crate) fn core_props(title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>commis</dc:creator><cp:lastModifiedBy>commis</cp:lastModifiedBy></cp:coreProperties>"#,
        esc(title)
    )
}

/// `docProps/app.xml`.
pub(crate) fn app_props(application: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>{}</Application></Properties>"#,
        esc(application)
    )
}

pub(crate) const CT_CORE: &str = "application/vnd.openxmlformats-package.core-properties+xml";
pub(crate) const CT_APP: &str =
    "application/vnd.openxmlformats-officedocument.extended-properties+xml";

/// Splits "**bold** and plain" into runs of (text, bold).
pub(crate) fn inline_runs(text: &str) -> Vec<(String, bool)> {
    let mut runs = Vec::new();
    let mut bold = false;
    for (i, piece) in text.split("**").enumerate() {
        if i > 0 {
            bold = !bold;
        }
        if !piece.is_empty() {
            runs.push((piece.to_string(), bold));
        }
    }
    // An unmatched "**" leaves the tail bold; treat it as literal text instead.
    if text.matches("**").count() % 2 == 1 {
        return vec![(text.to_string(), false)];
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_targets_resolve_against_the_source_directory() {
        assert_eq!(
            resolve("ppt/slides", "../slideLayouts/slideLayout1.xml"),
            "ppt/slideLayouts/slideLayout1.xml"
        );
        assert_eq!(resolve("", "ppt/presentation.xml"), "ppt/presentation.xml");
    }

    #[test]
    fn dangling_relationship_is_refused() {
        let mut p = Package::new("pptx");
        p.add("a/b.xml", "application/xml", "<x/>");
        p.rels("a/b.xml").add("t", "missing.xml");
        assert!(p.finish().is_err());
    }

    #[test]
    fn escaping_drops_control_characters_and_escapes_markup() {
        assert_eq!(esc("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
    }

    #[test]
    fn bold_markup_splits_runs() {
        assert_eq!(
            inline_runs("a **b** c"),
            vec![
                ("a ".into(), false),
                ("b".into(), true),
                (" c".into(), false)
            ]
        );
        assert_eq!(inline_runs("a ** b"), vec![("a ** b".into(), false)]);
    }
}
