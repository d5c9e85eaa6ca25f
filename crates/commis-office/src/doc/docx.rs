//! WordprocessingML (.docx) written by hand: real Heading styles (so the navigation pane and the
//! table of contents work), lists through numbering.xml, tables with a repeated header row,
//! a TOC field and page numbers in the footer.

use super::{DocBlock, DocumentSpec, level, toc_label};
use crate::package::{CT_APP, CT_CORE, Package, app_props, core_props, esc, inline_runs, rel};
use crate::{Locale, OfficeError};

const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const HEAD_FILL: &str = "1F3A5F";
const ACCENT: &str = "1D4ED8";
const BAND: &str = "F3F6FA";

fn runs(text: &str, extra_rpr: &str) -> String {
    let mut out = String::new();
    for (line_no, line) in text.split('\n').enumerate() {
        if line_no > 0 {
            out.push_str("<w:r><w:br/></w:r>");
        }
        for (piece, bold) in inline_runs(line) {
            // A header cell's runs are bold already; a second <w:b/> would break the schema.
            let b = if bold && !extra_rpr.contains("<w:b/>") {
                "<w:b/>"
            } else {
                ""
            };
            let rpr = if b.is_empty() && extra_rpr.is_empty() {
                String::new()
            } else {
                format!("<w:rPr>{b}{extra_rpr}</w:rPr>")
            };
            out.push_str(&format!(
                r#"<w:r>{rpr}<w:t xml:space="preserve">{}</w:t></w:r>"#,
                esc(&piece)
            ));
        }
    }
    out
}

fn para(style: Option<&str>, extra_ppr: &str, body: &str) -> String {
    let style = style
        .map(|s| format!(r#"<w:pStyle w:val="{s}"/>"#))
        .unwrap_or_default();
    if style.is_empty() && extra_ppr.is_empty() {
        format!("<w:p>{body}</w:p>")
    } else {
        format!("<w:p><w:pPr>{style}{extra_ppr}</w:pPr>{body}</w:p>")
    }
}

fn numeric(t: &str) -> bool {
    let t = t.trim();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || " ,.%€$£+-\u{a0}\u{202f}".contains(c))
}

fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let ncols = header
        .len()
        .max(rows.iter().map(Vec::len).max().unwrap_or(0))
        .max(1);
    // Text width of A4 with 2.5 cm margins, in twentieths of a point.
    let total = 9_072;
    let col_w = total / ncols;
    let right: Vec<bool> = (0..ncols)
        .map(|c| {
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| r.get(c).is_none_or(|v| v.trim().is_empty() || numeric(v)))
        })
        .collect();
    let mut x = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="{HEAD_FILL}"/><w:bottom w:val="single" w:sz="8" w:space="0" w:color="{HEAD_FILL}"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="D9DEE5"/></w:tblBorders><w:tblLayout w:type="autofit"/><w:tblCellMar><w:top w:w="60" w:type="dxa"/><w:left w:w="100" w:type="dxa"/><w:bottom w:w="60" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>"#
    );
    for _ in 0..ncols {
        x.push_str(&format!(r#"<w:gridCol w:w="{col_w}"/>"#));
    }
    x.push_str("</w:tblGrid>");
    let cell = |text: &str, header: bool, fill: Option<&str>, right: bool| -> String {
        let shd = fill
            .map(|f| format!(r#"<w:shd w:val="clear" w:color="auto" w:fill="{f}"/>"#))
            .unwrap_or_default();
        let jc = if right {
            r#"<w:jc w:val="right"/>"#
        } else {
            ""
        };
        let rpr = if header {
            r#"<w:b/><w:color w:val="FFFFFF"/>"#
        } else {
            ""
        };
        format!(
            r#"<w:tc><w:tcPr><w:tcW w:w="{col_w}" w:type="dxa"/>{shd}</w:tcPr>{}</w:tc>"#,
            para(Some("TableText"), jc, &runs(text, rpr))
        )
    };
    x.push_str(r#"<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"#);
    for (c, &align_right) in right.iter().enumerate() {
        x.push_str(&cell(
            header.get(c).map(String::as_str).unwrap_or(""),
            true,
            Some(HEAD_FILL),
            align_right,
        ));
    }
    x.push_str("</w:tr>");
    for (i, r) in rows.iter().enumerate() {
        x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        let fill = if i % 2 == 1 { Some(BAND) } else { None };
        for (c, &align_right) in right.iter().enumerate() {
            x.push_str(&cell(
                r.get(c).map(String::as_str).unwrap_or(""),
                false,
                fill,
                align_right,
            ));
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
    // Word requires a paragraph between a table and whatever follows; keep it small.
    x.push_str(&para(None, r#"<w:spacing w:after="0"/>"#, ""));
    x
}

fn toc(spec: &DocumentSpec) -> String {
    let mut x = para(Some("TOCHeading"), "", &runs(toc_label(spec.locale), ""));
    let entries: Vec<(u8, &str)> = spec
        .blocks
        .iter()
        .filter_map(|b| match b {
            DocBlock::Heading { level: l, text } => Some((level(*l), text.as_str())),
            _ => None,
        })
        .collect();
    let begin = r#"<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \o "1-3" \h \z \u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>"#;
    let end = r#"<w:r><w:fldChar w:fldCharType="end"/></w:r>"#;
    if entries.is_empty() {
        return x + &para(None, "", &format!("{begin}{end}"));
    }
    // The field result lists the headings without page numbers until the reader updates it.
    let n = entries.len();
    for (i, (l, text)) in entries.iter().enumerate() {
        let mut body = String::new();
        if i == 0 {
            body.push_str(begin);
        }
        body.push_str(&runs(text, ""));
        if i + 1 == n {
            body.push_str(end);
        }
        x.push_str(&para(Some(&format!("TOC{l}")), "", &body));
    }
    x
}

fn document_xml(spec: &DocumentSpec, numbered_lists: &mut u32) -> String {
    let mut body = para(Some("Title"), "", &runs(spec.title.trim(), ""));
    if let Some(s) = spec.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        body.push_str(&para(Some("Subtitle"), "", &runs(s.trim(), "")));
    }
    for block in &spec.blocks {
        match block {
            DocBlock::Heading { level: l, text } => {
                body.push_str(&para(
                    Some(&format!("Heading{}", level(*l))),
                    "",
                    &runs(text.trim(), ""),
                ));
            }
            DocBlock::Paragraph { text } => {
                body.push_str(&para(None, "", &runs(text.trim(), "")));
            }
            DocBlock::Bullets { items } => {
                for i in items {
                    body.push_str(&para(
                        Some("ListParagraph"),
                        r#"<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>"#,
                        &runs(i.trim(), ""),
                    ));
                }
            }
            DocBlock::Numbered { items } => {
                // Each numbered list gets its own w:num so that it restarts at 1.
                *numbered_lists += 1;
                let num_id = 1 + *numbered_lists;
                for i in items {
                    body.push_str(&para(
                        Some("ListParagraph"),
                        &format!(
                            r#"<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>"#
                        ),
                        &runs(i.trim(), ""),
                    ));
                }
            }
            DocBlock::Table { header, rows } => body.push_str(&table(header, rows)),
            DocBlock::PageBreak => body.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#),
            DocBlock::Toc => body.push_str(&toc(spec)),
        }
    }
    let (w, h) = match spec.locale {
        Locale::Fr => (11_906, 16_838),
        Locale::En => (12_240, 15_840),
    };
    format!(
        r#"{DECL}<w:document {W_NS}><w:body>{body}<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/><w:pgSz w:w="{w}" w:h="{h}"/><w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    )
}

fn styles_xml(lang: &str) -> String {
    let heading = |n: u8, size: u32, color: &str, before: u32| {
        format!(
            r#"<w:style w:type="paragraph" w:styleId="Heading{n}"><w:name w:val="heading {n}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="120"/><w:outlineLvl w:val="{}"/></w:pPr><w:rPr><w:b/><w:color w:val="{color}"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr></w:style>"#,
            n - 1
        )
    };
    let toc_style = |n: u8| {
        format!(
            r#"<w:style w:type="paragraph" w:styleId="TOC{n}"><w:name w:val="toc {n}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9062"/></w:tabs><w:spacing w:after="60"/><w:ind w:left="{}"/></w:pPr></w:style>"#,
            (n as u32 - 1) * 240
        )
    };
    format!(
        r#"{DECL}<w:styles {W_NS}><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="{lang}"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="140" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:rPr><w:color w:val="1F2937"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="12" w:space="6" w:color="{ACCENT}"/></w:pBdr><w:spacing w:after="240"/></w:pPr><w:rPr><w:b/><w:color w:val="0F2A4A"/><w:sz w:val="52"/><w:szCs w:val="52"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="360"/></w:pPr><w:rPr><w:color w:val="6B7280"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>{h1}{h2}{h3}<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="34"/><w:qFormat/><w:pPr><w:spacing w:after="60"/><w:ind w:left="720"/><w:contextualSpacing/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TOCHeading"><w:name w:val="TOC Heading"/><w:basedOn w:val="Heading1"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:qFormat/><w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>{t1}{t2}{t3}<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:color w:val="6B7280"/><w:sz w:val="18"/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#,
        h1 = heading(1, 32, "0F2A4A", 360),
        h2 = heading(2, 26, ACCENT, 280),
        h3 = heading(3, 23, "1F2937", 220),
        t1 = toc_style(1),
        t2 = toc_style(2),
        t3 = toc_style(3),
    )
}

fn numbering_xml(numbered_lists: u32) -> String {
    let mut nums = String::from(r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#);
    for i in 0..numbered_lists {
        nums.push_str(&format!(
            r#"<w:num w:numId="{}"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>"#,
            i + 2
        ));
    }
    format!(
        r#"{DECL}<w:numbering {W_NS}><w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/><w:color w:val="{ACCENT}"/></w:rPr></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>{nums}</w:numbering>"#
    )
}

fn footer_xml() -> String {
    let field = |instr: &str| {
        format!(
            r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>"#
        )
    };
    format!(
        r#"{DECL}<w:ftr {W_NS}><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">{} </w:t></w:r>{}<w:r><w:t xml:space="preserve"> / </w:t></w:r>{}</w:p></w:ftr>"#,
        "Page",
        field("PAGE"),
        field("NUMPAGES")
    )
}

fn settings_xml(has_toc: bool) -> String {
    // updateFields asks Word to fill in the TOC page numbers when the file is opened.
    let update = if has_toc {
        r#"<w:updateFields w:val="true"/>"#
    } else {
        ""
    };
    format!(
        r#"{DECL}<w:settings {W_NS}><w:defaultTabStop w:val="708"/><w:characterSpacingControl w:val="doNotCompress"/>{update}<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#
    )
}

/// Builds the report as a .docx and returns its bytes.
pub fn build_docx(spec: &DocumentSpec) -> Result<Vec<u8>, OfficeError> {
    // A table or list written inside a paragraph is rendered as a table or a list.
    let structured = super::markdown::structured(spec);
    let spec: &DocumentSpec = &structured;
    let lang = spec.locale.pick("fr-FR", "en-US");
    let mut pkg = Package::new("docx");
    pkg.rels("").add(rel::OFFICE_DOC, "word/document.xml");
    pkg.rels("").add(rel::CORE, "docProps/core.xml");
    pkg.rels("").add(rel::APP, "docProps/app.xml");
    pkg.add("docProps/core.xml", CT_CORE, core_props(&spec.title));
    pkg.add("docProps/app.xml", CT_APP, app_props("commis"));
    let mut numbered = 0;
    let doc = document_xml(spec, &mut numbered);
    let d = "word/document.xml";
    pkg.rels(d).add(&rel::of("styles"), "styles.xml");
    pkg.rels(d).add(&rel::of("numbering"), "numbering.xml");
    pkg.rels(d).add(&rel::of("settings"), "settings.xml");
    let footer_rid = pkg.rels(d).add(&rel::of("footer"), "footer1.xml");
    let doc = doc.replace("rIdFooter", &footer_rid);
    const WML: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    pkg.add(d, &format!("{WML}.document.main+xml"), doc);
    pkg.add(
        "word/styles.xml",
        &format!("{WML}.styles+xml"),
        styles_xml(lang),
    );
    pkg.add(
        "word/numbering.xml",
        &format!("{WML}.numbering+xml"),
        numbering_xml(numbered),
    );
    let has_toc = spec.blocks.iter().any(|b| matches!(b, DocBlock::Toc));
    pkg.add(
        "word/settings.xml",
        &format!("{WML}.settings+xml"),
        settings_xml(has_toc),
    );
    pkg.add(
        "word/footer1.xml",
        &format!("{WML}.footer+xml"),
        footer_xml(),
    );
    pkg.finish()
}
