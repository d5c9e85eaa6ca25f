//! The fixed parts of a deck: theme, slide master and layouts, notes master, presentation
//! properties. Slides draw their own colours and positions explicitly, so these parts mostly
//! have to be complete and valid, and give PowerPoint's "new slide" menu sensible layouts.

use super::Palette;

pub(crate) const NS: &str = r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main""#;

pub(crate) const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
"#;

/// Slide size: 16:9, 13.333 x 7.5 inches.
pub(crate) const SLIDE_W: i64 = 12_192_000;
pub(crate) const SLIDE_H: i64 = 6_858_000;
pub(crate) const FONT: &str = "Calibri";

pub(crate) fn theme(name: &str, p: &Palette) -> String {
    let c = |v: &str| format!(r#"<a:srgbClr val="{v}"/>"#);
    format!(
        r#"{DECL}<a:theme {NS} name="{name}"><a:themeElements><a:clrScheme name="{name}"><a:dk1>{dk1}</a:dk1><a:lt1>{lt1}</a:lt1><a:dk2>{dk2}</a:dk2><a:lt2>{lt2}</a:lt2><a:accent1>{a1}</a:accent1><a:accent2>{a2}</a:accent2><a:accent3>{a3}</a:accent3><a:accent4>{a4}</a:accent4><a:accent5>{a5}</a:accent5><a:accent6>{a6}</a:accent6><a:hlink>{a1}</a:hlink><a:folHlink>{a6}</a:folHlink></a:clrScheme><a:fontScheme name="{name}"><a:majorFont><a:latin typeface="{FONT}"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont><a:minorFont><a:latin typeface="{FONT}"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont></a:fontScheme><a:fmtScheme name="{name}"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"><a:tint val="50000"/></a:schemeClr></a:solidFill><a:solidFill><a:schemeClr val="phClr"><a:shade val="80000"/></a:schemeClr></a:solidFill></a:fillStyleLst><a:lnStyleLst><a:ln w="6350" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:prstDash val="solid"/></a:ln><a:ln w="12700" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:prstDash val="solid"/></a:ln><a:ln w="19050" cap="flat" cmpd="sng" algn="ctr"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:prstDash val="solid"/></a:ln></a:lnStyleLst><a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst><a:bgFillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"><a:tint val="95000"/></a:schemeClr></a:solidFill><a:solidFill><a:schemeClr val="phClr"><a:shade val="90000"/></a:schemeClr></a:solidFill></a:bgFillStyleLst></a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>"#,
        dk1 = c(p.text),
        lt1 = c(p.bg),
        dk2 = c(p.title_bg),
        lt2 = c(p.card_bg),
        a1 = c(p.series[0]),
        a2 = c(p.series[1]),
        a3 = c(p.series[2]),
        a4 = c(p.series[3]),
        a5 = c(p.series[4]),
        a6 = c(p.series[5]),
    )
}

const GRP: &str = r#"<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>"#;

pub(crate) fn group_header() -> &'static str {
    GRP
}

/// A placeholder shape for masters and layouts: position and an empty paragraph.
fn ph(id: u32, name: &str, ph: &str, x: i64, y: i64, w: i64, h: i64) -> String {
    format!(
        r#"<p:sp><p:nvSpPr><p:cNvPr id="{id}" name="{name}"/><p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="fr-FR"/></a:p></p:txBody></p:sp>"#
    )
}

pub(crate) const MARGIN: i64 = 548_640;
pub(crate) const CONTENT_W: i64 = SLIDE_W - 2 * MARGIN;
pub(crate) const TITLE_Y: i64 = 338_328;
pub(crate) const TITLE_H: i64 = 1_005_840;
pub(crate) const BODY_Y: i64 = 1_600_200;
pub(crate) const BODY_H: i64 = 4_663_440;

fn level_styles(p: &Palette, base: u32) -> String {
    let mut s = String::new();
    for lvl in 1..=9u32 {
        let (mar, sz, ch) = match lvl {
            1 => (285_750, base, "•"),
            2 => (609_600, base.saturating_sub(400), "–"),
            _ => (
                914_400 + (lvl as i64 - 3) * 304_800,
                base.saturating_sub(600),
                "•",
            ),
        };
        s.push_str(&format!(
            r#"<a:lvl{lvl}pPr marL="{mar}" indent="-285750" algn="l"><a:spcBef><a:spcPts val="600"/></a:spcBef><a:buFont typeface="Arial"/><a:buChar char="{ch}"/><a:defRPr sz="{sz}"><a:solidFill><a:srgbClr val="{}"/></a:solidFill><a:latin typeface="+mn-lt"/></a:defRPr></a:lvl{lvl}pPr>"#,
            p.text
        ));
    }
    s
}

pub(crate) fn slide_master(p: &Palette, layout_rids: &[String]) -> String {
    let mut ids = String::new();
    for (i, rid) in layout_rids.iter().enumerate() {
        ids.push_str(&format!(
            r#"<p:sldLayoutId id="{}" r:id="{rid}"/>"#,
            2_147_483_649u64 + i as u64
        ));
    }
    format!(
        r#"{DECL}<p:sldMaster {NS}><p:cSld><p:bg><p:bgPr><a:solidFill><a:srgbClr val="{bg}"/></a:solidFill><a:effectLst/></p:bgPr></p:bg><p:spTree>{GRP}{title}{body}</p:spTree></p:cSld><p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/><p:sldLayoutIdLst>{ids}</p:sldLayoutIdLst><p:txStyles><p:titleStyle><a:lvl1pPr algn="l"><a:defRPr sz="3600" b="1"><a:solidFill><a:srgbClr val="{hc}"/></a:solidFill><a:latin typeface="+mj-lt"/></a:defRPr></a:lvl1pPr></p:titleStyle><p:bodyStyle>{levels}</p:bodyStyle><p:otherStyle><a:lvl1pPr><a:defRPr sz="1800"><a:solidFill><a:srgbClr val="{text}"/></a:solidFill><a:latin typeface="+mn-lt"/></a:defRPr></a:lvl1pPr></p:otherStyle></p:txStyles></p:sldMaster>"#,
        bg = p.bg,
        hc = p.heading,
        text = p.text,
        title = ph(
            2,
            "Title Placeholder 1",
            r#"<p:ph type="title"/>"#,
            MARGIN,
            TITLE_Y,
            CONTENT_W,
            TITLE_H
        ),
        body = ph(
            3,
            "Text Placeholder 2",
            r#"<p:ph type="body" idx="1"/>"#,
            MARGIN,
            BODY_Y,
            CONTENT_W,
            BODY_H
        ),
        levels = level_styles(p, 2400),
    )
}

/// Layout names, `type` attributes and placeholders, in the order slides refer to them.
pub(crate) const LAYOUTS: &[(&str, &str)] = &[
    ("Title Slide", "title"),
    ("Title and Content", "obj"),
    ("Section Header", "secHead"),
    ("Two Content", "twoObj"),
    ("Title Only", "titleOnly"),
    ("Blank", "blank"),
];

pub(crate) const LAYOUT_TITLE: usize = 1;
pub(crate) const LAYOUT_CONTENT: usize = 2;
pub(crate) const LAYOUT_SECTION: usize = 3;
pub(crate) const LAYOUT_TWO: usize = 4;
pub(crate) const LAYOUT_TITLE_ONLY: usize = 5;
pub(crate) const LAYOUT_BLANK: usize = 6;

pub(crate) fn slide_layout(index: usize) -> String {
    let (name, kind) = LAYOUTS[index - 1];
    let half = (CONTENT_W - 365_760) / 2;
    let shapes = match kind {
        "title" => format!(
            "{}{}",
            ph(
                2,
                "Title 1",
                r#"<p:ph type="ctrTitle"/>"#,
                822_960,
                2_103_120,
                10_546_080,
                1_463_040
            ),
            ph(
                3,
                "Subtitle 2",
                r#"<p:ph type="subTitle" idx="1"/>"#,
                822_960,
                3_749_040,
                10_546_080,
                914_400
            )
        ),
        "obj" => format!(
            "{}{}",
            ph(
                2,
                "Title 1",
                r#"<p:ph type="title"/>"#,
                MARGIN,
                TITLE_Y,
                CONTENT_W,
                TITLE_H
            ),
            ph(
                3,
                "Content Placeholder 2",
                r#"<p:ph idx="1"/>"#,
                MARGIN,
                BODY_Y,
                CONTENT_W,
                BODY_H
            )
        ),
        "secHead" => format!(
            "{}{}",
            ph(
                2,
                "Title 1",
                r#"<p:ph type="title"/>"#,
                822_960,
                2_286_000,
                10_546_080,
                1_371_600
            ),
            ph(
                3,
                "Text Placeholder 2",
                r#"<p:ph type="body" idx="1"/>"#,
                822_960,
                3_749_040,
                10_546_080,
                822_960
            )
        ),
        "twoObj" => format!(
            "{}{}{}",
            ph(
                2,
                "Title 1",
                r#"<p:ph type="title"/>"#,
                MARGIN,
                TITLE_Y,
                CONTENT_W,
                TITLE_H
            ),
            ph(
                3,
                "Content Placeholder 2",
                r#"<p:ph sz="half" idx="1"/>"#,
                MARGIN,
                BODY_Y,
                half,
                BODY_H
            ),
            ph(
                4,
                "Content Placeholder 3",
                r#"<p:ph sz="half" idx="2"/>"#,
                MARGIN + half + 365_760,
                BODY_Y,
                half,
                BODY_H
            )
        ),
        "titleOnly" => ph(
            2,
            "Title 1",
            r#"<p:ph type="title"/>"#,
            MARGIN,
            TITLE_Y,
            CONTENT_W,
            TITLE_H,
        ),
        _ => String::new(),
    };
    format!(
        r#"{DECL}<p:sldLayout {NS} type="{kind}" preserve="1"><p:cSld name="{name}"><p:spTree>{GRP}{shapes}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>"#
    )
}

pub(crate) fn notes_master() -> String {
    format!(
        r#"{DECL}<p:notesMaster {NS}><p:cSld><p:bg><p:bgPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill><a:effectLst/></p:bgPr></p:bg><p:spTree>{GRP}{img}{body}</p:spTree></p:cSld><p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/><p:notesStyle><a:lvl1pPr marL="0" algn="l"><a:defRPr sz="1200"><a:solidFill><a:srgbClr val="{text}"/></a:solidFill><a:latin typeface="+mn-lt"/></a:defRPr></a:lvl1pPr></p:notesStyle></p:notesMaster>"#,
        text = "1F2937",
        img = notes_image_ph(),
        body = ph(
            3,
            "Notes Placeholder 2",
            r#"<p:ph type="body" sz="quarter" idx="1"/>"#,
            685_800,
            4_400_550,
            5_486_400,
            3_600_450
        ),
    )
}

fn notes_image_ph() -> String {
    r#"<p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image Placeholder 1"/><p:cNvSpPr><a:spLocks noGrp="1" noRot="1" noChangeAspect="1"/></p:cNvSpPr><p:nvPr><p:ph type="sldImg" idx="2"/></p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x="381000" y="685800"/><a:ext cx="6096000" cy="3429000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln w="12700"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln></p:spPr></p:sp>"#.to_string()
}

pub(crate) fn notes_slide(text_paragraphs: &str) -> String {
    format!(
        r#"{DECL}<p:notes {NS}><p:cSld><p:spTree>{GRP}<p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image Placeholder 1"/><p:cNvSpPr><a:spLocks noGrp="1" noRot="1" noChangeAspect="1"/></p:cNvSpPr><p:nvPr><p:ph type="sldImg"/></p:nvPr></p:nvSpPr><p:spPr/></p:sp><p:sp><p:nvSpPr><p:cNvPr id="3" name="Notes Placeholder 2"/><p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>{text_paragraphs}</p:txBody></p:sp></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>"#
    )
}

pub(crate) fn presentation(
    master_rid: &str,
    notes_master_rid: Option<&str>,
    slide_rids: &[String],
) -> String {
    let notes = notes_master_rid
        .map(|r| {
            format!(r#"<p:notesMasterIdLst><p:notesMasterId r:id="{r}"/></p:notesMasterIdLst>"#)
        })
        .unwrap_or_default();
    let slides: String = slide_rids
        .iter()
        .enumerate()
        .map(|(i, r)| format!(r#"<p:sldId id="{}" r:id="{r}"/>"#, 256 + i))
        .collect();
    format!(
        r#"{DECL}<p:presentation {NS} saveSubsetFonts="1"><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="{master_rid}"/></p:sldMasterIdLst>{notes}<p:sldIdLst>{slides}</p:sldIdLst><p:sldSz cx="{SLIDE_W}" cy="{SLIDE_H}"/><p:notesSz cx="6858000" cy="9144000"/><p:defaultTextStyle><a:lvl1pPr><a:defRPr sz="1800"><a:latin typeface="+mn-lt"/></a:defRPr></a:lvl1pPr></p:defaultTextStyle></p:presentation>"#
    )
}

pub(crate) fn pres_props() -> String {
    format!(r#"{DECL}<p:presentationPr {NS}/>"#)
}

pub(crate) fn view_props() -> String {
    format!(
        r#"{DECL}<p:viewPr {NS}><p:normalViewPr><p:restoredLeft sz="15620"/><p:restoredTop sz="94660"/></p:normalViewPr><p:gridSpacing cx="76200" cy="76200"/></p:viewPr>"#
    )
}

pub(crate) fn table_styles() -> String {
    format!(
        r#"{DECL}<a:tblStyleLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" def="{{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}}"/>"#
    )
}
