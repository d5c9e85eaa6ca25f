//! Slide decks (.pptx) written as PresentationML by hand: no mature Rust crate exists.
//!
//! One module per concern: `parts` (theme, master, layouts, notes master, presentation),
//! `chart` (native chart parts with embedded data), `fit` (text measurement), and this module
//! (the spec and the slides). Every slide positions and colours its shapes explicitly, so it
//! looks the same in PowerPoint, LibreOffice and Keynote, and every text box gets a font size
//! at which its text fits; content that cannot fit at a readable size continues on a new slide.

mod chart;
mod fit;
mod parts;

use crate::package::{CT_APP, CT_CORE, Package, app_props, core_props, esc, inline_runs, rel};
use crate::xlsx::CellValue;
pub use crate::xlsx::ChartKind;
use crate::{Locale, OfficeError, schema_of};
use fit::{Para, best_size, best_size_lines, bullet_margin, space_before, sub_size};
use parts::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A slide deck: title, visual theme, and slides in order.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeckSpec {
    /// Deck title; also the first slide's title when `slides` does not start with a title slide.
    pub title: String,
    /// Subtitle of that automatic title slide (e.g. company and date).
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Visual theme: "default" (navy and blue on white), "dark" or "warm".
    #[serde(default)]
    pub theme: Theme,
    /// "fr" (default) or "en": language of generated labels such as "(suite)" on continued slides.
    #[serde(default)]
    pub locale: Locale,
    /// The slides, each with a `layout`.
    #[serde(default)]
    pub slides: Vec<SlideSpec>,
}

impl DeckSpec {
    /// JSON schema of this spec (the `create_presentation` tool's input schema).
    pub fn json_schema() -> serde_json::Value {
        schema_of::<DeckSpec>()
    }

    /// Image slides whose bytes the caller must load (through the workspace) before building:
    /// each item is the spec's `path` and the slot to fill.
    pub fn images_mut(&mut self) -> impl Iterator<Item = (&str, &mut Option<Vec<u8>>)> {
        self.slides.iter_mut().filter_map(|s| match &mut s.content {
            SlideContent::Image { path, data, .. } => Some((path.as_str(), data)),
            _ => None,
        })
    }
}

/// Colour theme of a deck.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Navy title slides, white content slides, blue accents.
    #[default]
    Default,
    /// Dark grey backgrounds with light text and bright accents.
    Dark,
    /// Cream backgrounds, brown text, terracotta accents.
    Warm,
}

/// One slide: its content (chosen by `layout`) and optional speaker notes.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SlideSpec {
    /// What the slide shows.
    #[serde(flatten)]
    pub content: SlideContent,
    /// Speaker notes (plain text; new lines start new paragraphs).
    #[serde(default)]
    pub notes: Option<String>,
}

/// The content of a slide, tagged by `layout`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "layout", rename_all = "snake_case")]
pub enum SlideContent {
    /// A title slide: big title and subtitle on the theme's title background.
    Title {
        /// Title.
        title: String,
        /// Subtitle (company, date...).
        #[serde(default)]
        subtitle: Option<String>,
    },
    /// A section divider.
    Section {
        /// Section title.
        title: String,
        /// One line under it.
        #[serde(default)]
        subtitle: Option<String>,
    },
    /// A title and bullet points (two levels). Too many bullets continue on a new slide.
    Bullets {
        /// Slide title.
        title: String,
        /// Bullets: a string, or `{"text": ..., "sub": [...]}` for a bullet with sub-bullets.
        /// "**bold**" marks bold words.
        bullets: Vec<Bullet>,
    },
    /// Two columns of bullets side by side (e.g. before/after, pros/cons).
    TwoColumns {
        /// Slide title.
        title: String,
        /// Heading of the left column.
        #[serde(default)]
        left_heading: Option<String>,
        /// Left bullets.
        left: Vec<Bullet>,
        /// Heading of the right column.
        #[serde(default)]
        right_heading: Option<String>,
        /// Right bullets.
        right: Vec<Bullet>,
    },
    /// A table with a header row. Long tables continue on new slides, header repeated.
    Table {
        /// Slide title.
        title: String,
        /// Column headers.
        header: Vec<String>,
        /// Rows of cells (text or numbers), as many cells as headers.
        rows: Vec<Vec<CellValue>>,
    },
    /// A native chart (editable in PowerPoint and LibreOffice).
    Chart {
        /// Slide title.
        title: String,
        /// "bar", "line" or "pie" (a pie shows the first series).
        chart: ChartKind,
        /// Category labels (x axis, or pie slices).
        categories: Vec<String>,
        /// Series of values, each with one value per category.
        series: Vec<SeriesSpec>,
    },
    /// A picture, scaled to fit and centred.
    Image {
        /// Slide title; none for a full-slide picture.
        #[serde(default)]
        title: Option<String>,
        /// Image file (PNG, JPEG or GIF) relative to the granted folder.
        path: String,
        /// Caption under the picture.
        #[serde(default)]
        caption: Option<String>,
        /// The image bytes, loaded by the caller from `path` (not part of the JSON).
        #[serde(skip)]
        data: Option<Vec<u8>>,
    },
    /// Three or four big numbers with labels (more continue on a new slide).
    KeyFigures {
        /// Slide title.
        title: String,
        /// The figures.
        figures: Vec<KeyFigure>,
    },
}

/// A bullet: plain text, or text with sub-bullets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Bullet {
    /// A bullet without sub-bullets.
    Text(String),
    /// A bullet with sub-bullets.
    Nested {
        /// The bullet's text.
        text: String,
        /// Its sub-bullets.
        #[serde(default)]
        sub: Vec<String>,
    },
}

impl Bullet {
    fn text(&self) -> &str {
        match self {
            Bullet::Text(t) => t,
            Bullet::Nested { text, .. } => text,
        }
    }

    fn sub(&self) -> &[String] {
        match self {
            Bullet::Text(_) => &[],
            Bullet::Nested { sub, .. } => sub,
        }
    }
}

/// One data series of a chart slide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesSpec {
    /// Series name (legend).
    pub name: String,
    /// One value per category.
    pub values: Vec<f64>,
    /// Unit shown after the value axis' numbers, e.g. "€" or "%" (the first series' unit
    /// is used). Without it, the axis shows bare numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A big number with its label, for key-figures slides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyFigure {
    /// The figure as it should read, e.g. "152 340 €" or "+12 %".
    pub value: String,
    /// What it is, e.g. "Chiffre d'affaires 2024".
    pub label: String,
    /// A smaller line of context, e.g. "vs 136 000 € en 2023".
    #[serde(default)]
    pub detail: Option<String>,
}

/// Colours of a theme.
pub(crate) struct Palette {
    bg: &'static str,
    text: &'static str,
    muted: &'static str,
    heading: &'static str,
    accent: &'static str,
    title_bg: &'static str,
    title_text: &'static str,
    title_muted: &'static str,
    section_bg: &'static str,
    section_text: &'static str,
    section_muted: &'static str,
    card_bg: &'static str,
    table_header_bg: &'static str,
    table_header_text: &'static str,
    table_band: &'static str,
    grid: &'static str,
    series: [&'static str; 6],
}

fn palette(theme: Theme) -> Palette {
    match theme {
        Theme::Default => Palette {
            bg: "FFFFFF",
            text: "1F2937",
            muted: "6B7280",
            heading: "0F2A4A",
            accent: "2563EB",
            title_bg: "0F2A4A",
            title_text: "FFFFFF",
            title_muted: "BFD3EA",
            section_bg: "1D4ED8",
            section_text: "FFFFFF",
            section_muted: "DBEAFE",
            card_bg: "EEF3FA",
            table_header_bg: "0F2A4A",
            table_header_text: "FFFFFF",
            table_band: "F3F6FA",
            grid: "D9DEE5",
            series: ["2563EB", "F59E0B", "10B981", "EF4444", "8B5CF6", "0EA5E9"],
        },
        Theme::Dark => Palette {
            bg: "111827",
            text: "E5E7EB",
            muted: "9CA3AF",
            heading: "F9FAFB",
            accent: "60A5FA",
            title_bg: "030712",
            title_text: "FFFFFF",
            title_muted: "93C5FD",
            section_bg: "1E3A8A",
            section_text: "FFFFFF",
            section_muted: "BFDBFE",
            card_bg: "1F2937",
            table_header_bg: "1E40AF",
            table_header_text: "FFFFFF",
            table_band: "1A2332",
            grid: "374151",
            series: ["60A5FA", "FBBF24", "34D399", "F87171", "A78BFA", "22D3EE"],
        },
        Theme::Warm => Palette {
            bg: "FFFBF5",
            text: "3B2F2F",
            muted: "7C6A5E",
            heading: "7C2D12",
            accent: "C2410C",
            title_bg: "7C2D12",
            title_text: "FFF7ED",
            title_muted: "FED7AA",
            section_bg: "C2410C",
            section_text: "FFF7ED",
            section_muted: "FFEDD5",
            card_bg: "FCEBDD",
            table_header_bg: "7C2D12",
            table_header_text: "FFF7ED",
            table_band: "FBF1E6",
            grid: "E7D8CA",
            series: ["C2410C", "D97706", "65A30D", "0F766E", "7C3AED", "BE185D"],
        },
    }
}

const EMU_PT: f64 = 12_700.0;
const INSET_X: i64 = 91_440;
const INSET_Y: i64 = 45_720;
/// Sizes a bullet slide may use before its content continues on a new slide.
const BODY_SIZES: &[f64] = &[26.0, 24.0, 22.0, 20.0, 18.0];
const TITLE_SIZES: &[f64] = &[36.0, 34.0, 32.0, 30.0, 28.0, 26.0, 24.0, 22.0, 20.0];

/// Inner width and height in points of a text box of `w` x `h` EMU.
fn inner(w: i64, h: i64) -> (f64, f64) {
    (
        (w - 2 * INSET_X) as f64 / EMU_PT,
        (h - 2 * INSET_Y) as f64 / EMU_PT,
    )
}

fn lang(locale: Locale) -> &'static str {
    locale.pick("fr-FR", "en-US")
}

/// Builds the deck described by `spec` and returns the .pptx bytes.
///
/// A title slide from `title`/`subtitle` is added first unless the first slide already is one.
/// Image slides need their `data` loaded (see [`DeckSpec::images_mut`]).
pub fn build_presentation(spec: &DeckSpec) -> Result<Vec<u8>, OfficeError> {
    let p = palette(spec.theme);
    let mut ctx = Ctx {
        p: &p,
        lang: lang(spec.locale),
        locale: spec.locale,
        slides: Vec::new(),
    };
    let starts_with_title = matches!(
        spec.slides.first().map(|s| &s.content),
        Some(SlideContent::Title { .. })
    );
    if !starts_with_title {
        ctx.title_slide(&spec.title, spec.subtitle.as_deref(), None);
    }
    for (i, slide) in spec.slides.iter().enumerate() {
        ctx.render(slide).map_err(|e| match e {
            OfficeError::InvalidSpec(m) => {
                OfficeError::InvalidSpec(format!("slide {} of the spec: {m}", i + 1))
            }
            other => other,
        })?;
    }
    assemble(spec, &p, ctx.slides)
}

/// A slide ready to be packaged.
struct Rendered {
    layout: usize,
    bg: &'static str,
    shapes: String,
    notes: Option<String>,
    chart: Option<(ChartKind, Vec<String>, Vec<SeriesSpec>)>,
    image: Option<(Vec<u8>, &'static str)>,
    numbered: bool,
}

/// The relationship id a slide uses for its chart or picture (rId1 is the layout).
const MEDIA_RID: &str = "rId2";

struct Ctx<'a> {
    p: &'a Palette,
    lang: &'static str,
    locale: Locale,
    slides: Vec<Rendered>,
}

/// Builds the shape tree of one slide, numbering shapes.
struct Shapes {
    xml: String,
    next_id: u32,
}

impl Shapes {
    fn new() -> Self {
        Shapes {
            xml: String::new(),
            next_id: 2,
        }
    }

    fn id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// A text shape; `ph` is the placeholder element for placeholders, None for a text box.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        name: &str,
        ph: Option<&str>,
        (x, y, w, h): (i64, i64, i64, i64),
        anchor: &str,
        paragraphs: &str,
        fill: Option<&str>,
        geom: &str,
    ) {
        let id = self.id();
        let nv = match ph {
            Some(ph) => {
                format!(r#"<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr>{ph}</p:nvPr>"#)
            }
            None => r#"<p:cNvSpPr txBox="1"/><p:nvPr/>"#.to_string(),
        };
        let fill = match fill {
            Some(c) => format!(r#"<a:solidFill><a:srgbClr val="{c}"/></a:solidFill>"#),
            None => "<a:noFill/>".to_string(),
        };
        self.xml.push_str(&format!(
            r#"<p:sp><p:nvSpPr><p:cNvPr id="{id}" name="{} {id}"/>{nv}</p:nvSpPr><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/></a:xfrm><a:prstGeom prst="{geom}"><a:avLst/></a:prstGeom>{fill}<a:ln><a:noFill/></a:ln></p:spPr><p:txBody><a:bodyPr wrap="square" lIns="{INSET_X}" tIns="{INSET_Y}" rIns="{INSET_X}" bIns="{INSET_Y}" anchor="{anchor}" rtlCol="0"><a:normAutofit/></a:bodyPr><a:lstStyle/>{paragraphs}</p:txBody></p:sp>"#,
            esc(name)
        ));
    }

    /// A filled shape without text.
    fn rect(&mut self, (x, y, w, h): (i64, i64, i64, i64), color: &str, geom: &str) {
        let id = self.id();
        self.xml.push_str(&format!(
            r#"<p:sp><p:nvSpPr><p:cNvPr id="{id}" name="Shape {id}"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/></a:xfrm><a:prstGeom prst="{geom}"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="{color}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr></p:sp>"#
        ));
    }
}

/// Paragraph options.
struct ParaStyle<'a> {
    size: f64,
    bold: bool,
    color: &'a str,
    align: &'a str,
    /// Bullet level and bullet colour; None for no bullet.
    bullet: Option<(u8, &'a str)>,
    space_before: f64,
}

fn paragraph(text: &str, st: &ParaStyle<'_>, lang: &str) -> String {
    let mut ppr = String::new();
    let (mar, indent) = match st.bullet {
        Some((level, _)) => {
            let m = (bullet_margin(level, true) * EMU_PT) as i64;
            (m, -(if level == 0 { 22.0 } else { 20.0 } * EMU_PT) as i64)
        }
        None => (0, 0),
    };
    ppr.push_str(&format!(
        r#"<a:pPr marL="{mar}" indent="{indent}" algn="{}"><a:lnSpc><a:spcPct val="100000"/></a:lnSpc><a:spcBef><a:spcPts val="{}"/></a:spcBef>"#,
        st.align,
        (st.space_before * 100.0).round() as i64
    ));
    match st.bullet {
        Some((level, color)) => ppr.push_str(&format!(
            r#"<a:buClr><a:srgbClr val="{color}"/></a:buClr><a:buFont typeface="Arial"/><a:buChar char="{}"/>"#,
            if level == 0 { "•" } else { "–" }
        )),
        None => ppr.push_str("<a:buNone/>"),
    }
    ppr.push_str("</a:pPr>");
    let sz = (st.size * 100.0).round() as i64;
    let mut runs = String::new();
    for (line_no, line) in text.split('\n').enumerate() {
        if line_no > 0 {
            runs.push_str(&format!(r#"<a:br><a:rPr lang="{lang}" sz="{sz}"/></a:br>"#));
        }
        for (piece, bold) in inline_runs(line) {
            runs.push_str(&format!(
                r#"<a:r><a:rPr lang="{lang}" sz="{sz}" b="{}" dirty="0"><a:solidFill><a:srgbClr val="{}"/></a:solidFill><a:latin typeface="{FONT}"/></a:rPr><a:t>{}</a:t></a:r>"#,
                u8::from(st.bold || bold),
                st.color,
                esc(&piece)
            ));
        }
    }
    format!(r#"<a:p>{ppr}{runs}<a:endParaRPr lang="{lang}" sz="{sz}" dirty="0"/></a:p>"#)
}

fn looks_numeric(t: &str) -> bool {
    let t = t.trim();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| {
            c.is_ascii_digit() || " ,.%€$£+-\u{a0}\u{202f}".contains(c) || c.is_whitespace()
        })
}

impl Ctx<'_> {
    fn continued(&self, title: &str, part: usize) -> String {
        if part == 0 {
            title.to_string()
        } else {
            format!("{title} {}", self.locale.pick("(suite)", "(cont.)"))
        }
    }

    fn push(&mut self, layout: usize, bg: &'static str, shapes: Shapes, notes: Option<&str>) {
        self.slides.push(Rendered {
            layout,
            bg,
            shapes: shapes.xml,
            notes: notes.map(str::to_string),
            chart: None,
            image: None,
            numbered: layout != LAYOUT_TITLE,
        });
    }

    fn render(&mut self, slide: &SlideSpec) -> Result<(), OfficeError> {
        let notes = slide.notes.as_deref().filter(|n| !n.trim().is_empty());
        match &slide.content {
            SlideContent::Title { title, subtitle } => {
                self.title_slide(title, subtitle.as_deref(), notes)
            }
            SlideContent::Section { title, subtitle } => {
                self.section_slide(title, subtitle.as_deref(), notes)
            }
            SlideContent::Bullets { title, bullets } => self.bullets_slide(title, bullets, notes),
            SlideContent::TwoColumns {
                title,
                left_heading,
                left,
                right_heading,
                right,
            } => self.two_columns_slide(
                title,
                (left_heading.as_deref(), left),
                (right_heading.as_deref(), right),
                notes,
            )?,
            SlideContent::Table {
                title,
                header,
                rows,
            } => self.table_slide(title, header, rows, notes)?,
            SlideContent::Chart {
                title,
                chart,
                categories,
                series,
            } => self.chart_slide(title, *chart, categories, series, notes)?,
            SlideContent::Image {
                title,
                path,
                caption,
                data,
            } => self.image_slide(title.as_deref(), path, caption.as_deref(), data, notes)?,
            SlideContent::KeyFigures { title, figures } => {
                self.key_figures_slide(title, figures, notes)?
            }
        }
        Ok(())
    }

    fn title_slide(&mut self, title: &str, subtitle: Option<&str>, notes: Option<&str>) {
        let p = self.p;
        let mut s = Shapes::new();
        let (x, w) = (822_960, SLIDE_W - 2 * 822_960);
        s.rect((566_928, 2_240_280, 64_008, 2_468_880), p.accent, "rect");
        let title_box = (x, 1_965_960, w, 1_645_920);
        let (tw, th) = inner(title_box.2, title_box.3);
        let size = best_size_lines(
            title,
            &[48.0, 44.0, 40.0, 36.0, 32.0, 28.0, 24.0],
            true,
            tw,
            th,
            2,
        );
        let para = paragraph(
            title,
            &ParaStyle {
                size,
                bold: true,
                color: p.title_text,
                align: "l",
                bullet: None,
                space_before: 0.0,
            },
            self.lang,
        );
        s.text(
            "Title",
            Some(r#"<p:ph type="ctrTitle"/>"#),
            title_box,
            "b",
            &para,
            None,
            "rect",
        );
        if let Some(sub) = subtitle.filter(|t| !t.trim().is_empty()) {
            let sub_box = (x, 3_703_320, w, 1_005_840);
            let (sw, sh) = inner(sub_box.2, sub_box.3);
            let size =
                best_size_lines(sub, &[24.0, 22.0, 20.0, 18.0, 16.0, 14.0], false, sw, sh, 3);
            let para = paragraph(
                sub,
                &ParaStyle {
                    size,
                    bold: false,
                    color: p.title_muted,
                    align: "l",
                    bullet: None,
                    space_before: 0.0,
                },
                self.lang,
            );
            s.text(
                "Subtitle",
                Some(r#"<p:ph type="subTitle" idx="1"/>"#),
                sub_box,
                "t",
                &para,
                None,
                "rect",
            );
        }
        self.push(LAYOUT_TITLE, p.title_bg, s, notes);
    }

    fn section_slide(&mut self, title: &str, subtitle: Option<&str>, notes: Option<&str>) {
        let p = self.p;
        let mut s = Shapes::new();
        let (x, w) = (822_960, SLIDE_W - 2 * 822_960);
        let title_box = (x, 1_783_080, w, 1_828_800);
        let (tw, th) = inner(title_box.2, title_box.3);
        let size = best_size_lines(
            title,
            &[44.0, 40.0, 36.0, 32.0, 28.0, 24.0],
            true,
            tw,
            th,
            2,
        );
        let para = paragraph(
            title,
            &ParaStyle {
                size,
                bold: true,
                color: p.section_text,
                align: "l",
                bullet: None,
                space_before: 0.0,
            },
            self.lang,
        );
        s.text(
            "Title",
            Some(r#"<p:ph type="title"/>"#),
            title_box,
            "b",
            &para,
            None,
            "rect",
        );
        s.rect(
            (x + INSET_X, 3_703_320, 1_097_280, 54_864),
            p.section_text,
            "rect",
        );
        if let Some(sub) = subtitle.filter(|t| !t.trim().is_empty()) {
            let sub_box = (x, 3_886_200, w, 1_097_280);
            let (sw, sh) = inner(sub_box.2, sub_box.3);
            let size =
                best_size_lines(sub, &[24.0, 22.0, 20.0, 18.0, 16.0, 14.0], false, sw, sh, 3);
            let para = paragraph(
                sub,
                &ParaStyle {
                    size,
                    bold: false,
                    color: p.section_muted,
                    align: "l",
                    bullet: None,
                    space_before: 0.0,
                },
                self.lang,
            );
            s.text(
                "Subtitle",
                Some(r#"<p:ph type="body" idx="1"/>"#),
                sub_box,
                "t",
                &para,
                None,
                "rect",
            );
        }
        self.push(LAYOUT_SECTION, p.section_bg, s, notes);
    }

    /// Title placeholder and accent rule of content slides.
    fn content_title(&self, s: &mut Shapes, title: &str) {
        let p = self.p;
        let (tw, th) = inner(CONTENT_W, TITLE_H);
        let size = best_size_lines(title, TITLE_SIZES, true, tw, th, 2);
        let para = paragraph(
            title,
            &ParaStyle {
                size,
                bold: true,
                color: p.heading,
                align: "l",
                bullet: None,
                space_before: 0.0,
            },
            self.lang,
        );
        s.text(
            "Title",
            Some(r#"<p:ph type="title"/>"#),
            (MARGIN, TITLE_Y, CONTENT_W, TITLE_H),
            "b",
            &para,
            None,
            "rect",
        );
        s.rect(
            (
                MARGIN + INSET_X,
                TITLE_Y + TITLE_H + 45_720,
                822_960,
                45_720,
            ),
            p.accent,
            "rect",
        );
    }

    /// Paragraph XML for bullets at `size`, optionally preceded by a bold heading.
    fn bullet_paragraphs(&self, heading: Option<&str>, bullets: &[Bullet], size: f64) -> String {
        let p = self.p;
        let mut out = String::new();
        let mut first = true;
        if let Some(h) = heading {
            out.push_str(&paragraph(
                h,
                &ParaStyle {
                    size,
                    bold: true,
                    color: p.accent,
                    align: "l",
                    bullet: None,
                    space_before: 0.0,
                },
                self.lang,
            ));
            first = false;
        }
        for b in bullets {
            out.push_str(&paragraph(
                b.text(),
                &ParaStyle {
                    size,
                    bold: false,
                    color: p.text,
                    align: "l",
                    bullet: Some((0, p.accent)),
                    space_before: if first { 0.0 } else { space_before(size, 0) },
                },
                self.lang,
            ));
            first = false;
            let ss = sub_size(size);
            for sub in b.sub() {
                out.push_str(&paragraph(
                    sub,
                    &ParaStyle {
                        size: ss,
                        bold: false,
                        color: p.muted,
                        align: "l",
                        bullet: Some((1, p.muted)),
                        space_before: space_before(ss, 1),
                    },
                    self.lang,
                ));
            }
        }
        if out.is_empty() {
            out.push_str(&format!(
                r#"<a:p><a:endParaRPr lang="{}"/></a:p>"#,
                self.lang
            ));
        }
        out
    }

    fn bullets_slide(&mut self, title: &str, bullets: &[Bullet], notes: Option<&str>) {
        let (w, h) = inner(CONTENT_W, BODY_H);
        let fits =
            |chunk: &[Bullet], sizes: &[f64]| best_size(&paras_of(None, chunk), sizes, w, h, true);
        // One slide when everything fits at a readable size; otherwise pack whole bullets
        // (with their sub-bullets) into slides that each fit at 18 pt or more.
        let chunks: Vec<&[Bullet]> = if bullets.is_empty() || fits(bullets, BODY_SIZES).is_some() {
            vec![bullets]
        } else {
            let mut chunks = Vec::new();
            let mut start = 0;
            while start < bullets.len() {
                let mut end = start + 1;
                while end < bullets.len() && fits(&bullets[start..=end], &[18.0]).is_some() {
                    end += 1;
                }
                chunks.push(&bullets[start..end]);
                start = end;
            }
            chunks
        };
        for (part, chunk) in chunks.iter().enumerate() {
            // A single bullet too long even alone gets the smallest sizes; below 10 pt we stop.
            let size = fits(chunk, BODY_SIZES)
                .or_else(|| fits(chunk, &[16.0, 14.0, 13.0, 12.0, 11.0, 10.0]))
                .unwrap_or(10.0);
            let mut s = Shapes::new();
            self.content_title(&mut s, &self.continued(title, part));
            let body = self.bullet_paragraphs(None, chunk, size);
            s.text(
                "Content",
                Some(r#"<p:ph idx="1"/>"#),
                (MARGIN, BODY_Y, CONTENT_W, BODY_H),
                "t",
                &body,
                None,
                "rect",
            );
            let n = if part == 0 { notes } else { None };
            self.push(LAYOUT_CONTENT, self.p.bg, s, n);
        }
    }

    fn two_columns_slide(
        &mut self,
        title: &str,
        left: (Option<&str>, &[Bullet]),
        right: (Option<&str>, &[Bullet]),
        notes: Option<&str>,
    ) -> Result<(), OfficeError> {
        let gap = 365_760;
        let half = (CONTENT_W - gap) / 2;
        let (w, h) = inner(half, BODY_H);
        let sizes = [24.0, 22.0, 20.0, 18.0, 16.0, 14.0, 13.0, 12.0];
        let size_of = |heading: Option<&str>, bullets: &[Bullet]| {
            best_size(&paras_of(heading, bullets), &sizes, w, h, true)
        };
        let (Some(a), Some(b)) = (size_of(left.0, left.1), size_of(right.0, right.1)) else {
            return Err(OfficeError::InvalidSpec(format!(
                "two-column slide '{title}' has more text than fits at 12 pt; shorten it or use a bullets slide, which continues on a new slide"
            )));
        };
        let size = a.min(b);
        let mut s = Shapes::new();
        self.content_title(&mut s, title);
        for (i, (heading, bullets)) in [left, right].into_iter().enumerate() {
            let x = MARGIN + i as i64 * (half + gap);
            let body = self.bullet_paragraphs(heading, bullets, size);
            let ph = format!(r#"<p:ph sz="half" idx="{}"/>"#, i + 1);
            s.text(
                "Content",
                Some(&ph),
                (x, BODY_Y, half, BODY_H),
                "t",
                &body,
                None,
                "rect",
            );
        }
        self.push(LAYOUT_TWO, self.p.bg, s, notes);
        Ok(())
    }

    fn table_slide(
        &mut self,
        title: &str,
        header: &[String],
        rows: &[Vec<CellValue>],
        notes: Option<&str>,
    ) -> Result<(), OfficeError> {
        if header.is_empty() {
            return Err(OfficeError::InvalidSpec(format!(
                "table slide '{title}' has no header"
            )));
        }
        let ncols = header.len();
        let mut cells: Vec<Vec<String>> = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            if r.len() > ncols {
                return Err(OfficeError::InvalidSpec(format!(
                    "table slide '{title}': row {} has {} cells for {ncols} headers",
                    i + 1,
                    r.len()
                )));
            }
            let mut row: Vec<String> = r.iter().map(crate::xlsx::cell_display).collect();
            row.resize(ncols, String::new());
            cells.push(row);
        }
        // Column widths follow content length, each at least 8 % of the table.
        let weights: Vec<f64> = (0..ncols)
            .map(|c| {
                let longest = std::iter::once(&header[c])
                    .chain(cells.iter().map(|r| &r[c]))
                    .map(|t| fit::text_width(t, 10.0, false).min(300.0))
                    .fold(0.0, f64::max);
                longest.max(20.0)
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let mut widths: Vec<i64> = weights
            .iter()
            .map(|w| ((w / total).max(0.08) * CONTENT_W as f64) as i64)
            .collect();
        let sum: i64 = widths.iter().sum();
        for w in widths.iter_mut() {
            *w = *w * CONTENT_W / sum;
        }
        let margin_pt = 2.0 * INSET_Y as f64 / EMU_PT;
        let row_height = |row: &[String], size: f64, bold: bool| -> f64 {
            row.iter()
                .zip(&widths)
                .map(|(t, w)| {
                    let width = (*w - 2 * INSET_X) as f64 / EMU_PT;
                    fit::line_count(t, size, bold, width) as f64
                })
                .fold(1.0, f64::max)
                * size
                * fit::LINE
                + margin_pt
        };
        let avail = BODY_H as f64 / EMU_PT;
        let height_at = |chunk: &[Vec<String>], size: f64| -> f64 {
            row_height(header, size, true)
                + chunk
                    .iter()
                    .map(|r| row_height(r, size, false))
                    .sum::<f64>()
        };
        let sizes = [18.0, 16.0, 14.0, 13.0, 12.0, 11.0, 10.0];
        let chunks: Vec<&[Vec<String>]> =
            if cells.is_empty() || sizes.iter().any(|&s| height_at(&cells, s) <= avail) {
                vec![&cells[..]]
            } else {
                let mut out = Vec::new();
                let mut start = 0;
                while start < cells.len() {
                    let mut end = start + 1;
                    while end < cells.len() && height_at(&cells[start..=end], 12.0) <= avail {
                        end += 1;
                    }
                    out.push(&cells[start..end]);
                    start = end;
                }
                out
            };
        let p = self.p;
        // One size for every part of a split table, so the continued slides match.
        let size = chunks
            .iter()
            .map(|chunk| {
                sizes
                    .iter()
                    .copied()
                    .find(|&s| height_at(chunk, s) <= avail)
                    .unwrap_or(10.0)
            })
            .fold(f64::MAX, f64::min);
        for (part, chunk) in chunks.iter().enumerate() {
            let mut s = Shapes::new();
            self.content_title(&mut s, &self.continued(title, part));
            let mut grid = String::new();
            for w in &widths {
                grid.push_str(&format!(r#"<a:gridCol w="{w}"/>"#));
            }
            let mut trs = String::new();
            let mut all_rows: Vec<(&[String], bool)> = vec![(header, true)];
            all_rows.extend(chunk.iter().map(|r| (r.as_slice(), false)));
            for (ri, (row, is_header)) in all_rows.iter().enumerate() {
                let h = (row_height(row, size, *is_header) * EMU_PT) as i64;
                let fill = if *is_header {
                    p.table_header_bg
                } else if ri % 2 == 0 {
                    p.table_band
                } else {
                    p.bg
                };
                let color = if *is_header {
                    p.table_header_text
                } else {
                    p.text
                };
                let mut tcs = String::new();
                for (ci, t) in row.iter().enumerate() {
                    let numeric_col = !*is_header && looks_numeric(t);
                    let header_numeric = *is_header
                        && !chunk.is_empty()
                        && chunk
                            .iter()
                            .all(|r| r[ci].trim().is_empty() || looks_numeric(&r[ci]));
                    let align = if numeric_col || header_numeric {
                        "r"
                    } else {
                        "l"
                    };
                    let para = paragraph(
                        t,
                        &ParaStyle {
                            size,
                            bold: *is_header,
                            color,
                            align,
                            bullet: None,
                            space_before: 0.0,
                        },
                        self.lang,
                    );
                    tcs.push_str(&format!(
                        r#"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{para}</a:txBody><a:tcPr marL="{INSET_X}" marR="{INSET_X}" marT="{INSET_Y}" marB="{INSET_Y}" anchor="ctr"><a:lnL w="0"><a:noFill/></a:lnL><a:lnR w="0"><a:noFill/></a:lnR><a:lnT w="0"><a:noFill/></a:lnT><a:lnB w="6350"><a:solidFill><a:srgbClr val="{}"/></a:solidFill></a:lnB><a:solidFill><a:srgbClr val="{fill}"/></a:solidFill></a:tcPr></a:tc>"#,
                        p.grid
                    ));
                }
                trs.push_str(&format!(r#"<a:tr h="{h}">{tcs}</a:tr>"#));
            }
            let id = s.id();
            let table_h: i64 = (height_at(chunk, size) * EMU_PT) as i64;
            s.xml.push_str(&format!(
                r#"<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{id}" name="Table {id}"/><p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="{MARGIN}" y="{BODY_Y}"/><a:ext cx="{CONTENT_W}" cy="{table_h}"/></p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl><a:tblPr firstRow="1" bandRow="1"/><a:tblGrid>{grid}</a:tblGrid>{trs}</a:tbl></a:graphicData></a:graphic></p:graphicFrame>"#
            ));
            let n = if part == 0 { notes } else { None };
            self.push(LAYOUT_TITLE_ONLY, p.bg, s, n);
        }
        Ok(())
    }

    fn chart_slide(
        &mut self,
        title: &str,
        kind: ChartKind,
        categories: &[String],
        series: &[SeriesSpec],
        notes: Option<&str>,
    ) -> Result<(), OfficeError> {
        if categories.is_empty() || series.is_empty() {
            return Err(OfficeError::InvalidSpec(format!(
                "chart slide '{title}' needs categories and at least one series"
            )));
        }
        for s in series {
            if s.values.len() != categories.len() {
                return Err(OfficeError::InvalidSpec(format!(
                    "chart slide '{title}': series '{}' has {} values for {} categories",
                    s.name,
                    s.values.len(),
                    categories.len()
                )));
            }
            if s.values.iter().any(|v| !v.is_finite()) {
                return Err(OfficeError::InvalidSpec(format!(
                    "chart slide '{title}': series '{}' has a value that is not a finite number",
                    s.name
                )));
            }
        }
        let mut s = Shapes::new();
        self.content_title(&mut s, title);
        let id = s.id();
        s.xml.push_str(&format!(
            r#"<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{id}" name="Chart {id}"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="{MARGIN}" y="{BODY_Y}"/><a:ext cx="{CONTENT_W}" cy="{BODY_H}"/></p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" r:id="{MEDIA_RID}"/></a:graphicData></a:graphic></p:graphicFrame>"#
        ));
        self.push(LAYOUT_TITLE_ONLY, self.p.bg, s, notes);
        if let Some(last) = self.slides.last_mut() {
            last.chart = Some((kind, categories.to_vec(), series.to_vec()));
        }
        Ok(())
    }

    fn image_slide(
        &mut self,
        title: Option<&str>,
        path: &str,
        caption: Option<&str>,
        data: &Option<Vec<u8>>,
        notes: Option<&str>,
    ) -> Result<(), OfficeError> {
        let Some(bytes) = data else {
            return Err(OfficeError::InvalidSpec(format!(
                "image slide: the bytes of '{path}' were not loaded; the caller must read the file and fill `data` (see DeckSpec::images_mut)"
            )));
        };
        let (ext, (iw, ih)) = image_info(bytes).ok_or_else(|| {
            OfficeError::InvalidSpec(format!(
                "image slide: '{path}' is not a PNG, JPEG or GIF image this builder can read"
            ))
        })?;
        let mut s = Shapes::new();
        let (mut top, mut height) = (365_760i64, SLIDE_H - 2 * 365_760);
        let layout = match title.filter(|t| !t.trim().is_empty()) {
            Some(t) => {
                self.content_title(&mut s, t);
                top = BODY_Y;
                height = BODY_H;
                LAYOUT_TITLE_ONLY
            }
            None => LAYOUT_BLANK,
        };
        let caption_h = 457_200;
        if caption.is_some() {
            height -= caption_h;
        }
        let scale = (CONTENT_W as f64 / iw as f64).min(height as f64 / ih as f64);
        let (w, h) = ((iw as f64 * scale) as i64, (ih as f64 * scale) as i64);
        let (x, y) = (MARGIN + (CONTENT_W - w) / 2, top + (height - h) / 2);
        let id = s.id();
        s.xml.push_str(&format!(
            r#"<p:pic><p:nvPicPr><p:cNvPr id="{id}" name="Picture {id}" descr="{}"/><p:cNvPicPr><a:picLocks noChangeAspect="1"/></p:cNvPicPr><p:nvPr/></p:nvPicPr><p:blipFill><a:blip r:embed="{MEDIA_RID}"/><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>"#,
            esc(caption.unwrap_or(path))
        ));
        if let Some(c) = caption {
            let b = (MARGIN, top + height + 45_720, CONTENT_W, caption_h - 45_720);
            let (cw, ch) = inner(b.2, b.3);
            let size = best_size_lines(c, &[16.0, 14.0, 12.0, 11.0, 10.0], false, cw, ch, 2);
            let para = paragraph(
                c,
                &ParaStyle {
                    size,
                    bold: false,
                    color: self.p.muted,
                    align: "ctr",
                    bullet: None,
                    space_before: 0.0,
                },
                self.lang,
            );
            s.text("Caption", None, b, "t", &para, None, "rect");
        }
        self.push(layout, self.p.bg, s, notes);
        if let Some(last) = self.slides.last_mut() {
            last.image = Some((bytes.clone(), ext));
        }
        Ok(())
    }

    fn key_figures_slide(
        &mut self,
        title: &str,
        figures: &[KeyFigure],
        notes: Option<&str>,
    ) -> Result<(), OfficeError> {
        if figures.is_empty() {
            return Err(OfficeError::InvalidSpec(format!(
                "key-figures slide '{title}' has no figures"
            )));
        }
        let p = self.p;
        // Groups of at most four; 5 figures become 3 + 2 rather than 4 + 1.
        let groups = figures.len().div_ceil(4);
        let per = figures.len().div_ceil(groups);
        for (part, chunk) in figures.chunks(per).enumerate() {
            let mut s = Shapes::new();
            self.content_title(&mut s, &self.continued(title, part));
            let n = chunk.len() as i64;
            let gap = 274_320;
            let card_w = (CONTENT_W - gap * (n - 1)) / n;
            let (card_y, card_h) = (2_103_120, 3_200_400);
            // One size for all values (and one for all labels) so the cards read as a set.
            let value_sizes = [60.0, 54.0, 48.0, 44.0, 40.0, 36.0, 32.0, 28.0, 24.0, 20.0];
            let (vw, vh) = inner(card_w - 182_880, 1_188_720);
            let vs = chunk
                .iter()
                .map(|f| best_size_lines(&f.value, &value_sizes, true, vw, vh, 1))
                .fold(f64::MAX, f64::min);
            let (lw, lh) = inner(card_w - 182_880, 822_960);
            let ls = chunk
                .iter()
                .map(|f| {
                    best_size_lines(&f.label, &[20.0, 18.0, 16.0, 14.0, 12.0], true, lw, lh, 3)
                })
                .fold(f64::MAX, f64::min);
            for (i, f) in chunk.iter().enumerate() {
                let x = MARGIN + i as i64 * (card_w + gap);
                s.rect((x, card_y, card_w, card_h), p.card_bg, "roundRect");
                s.rect(
                    (x + 274_320, card_y + 228_600, 548_640, 54_864),
                    p.accent,
                    "rect",
                );
                let vb = (x + 91_440, card_y + 365_760, card_w - 182_880, 1_188_720);
                let para = paragraph(
                    &f.value,
                    &ParaStyle {
                        size: vs,
                        bold: true,
                        color: p.accent,
                        align: "l",
                        bullet: None,
                        space_before: 0.0,
                    },
                    self.lang,
                );
                s.text("Figure", None, vb, "b", &para, None, "rect");
                let lb = (x + 91_440, card_y + 1_600_200, card_w - 182_880, 822_960);
                let para = paragraph(
                    &f.label,
                    &ParaStyle {
                        size: ls,
                        bold: true,
                        color: p.text,
                        align: "l",
                        bullet: None,
                        space_before: 0.0,
                    },
                    self.lang,
                );
                s.text("Label", None, lb, "t", &para, None, "rect");
                if let Some(d) = f.detail.as_deref().filter(|d| !d.trim().is_empty()) {
                    let db = (x + 91_440, card_y + 2_423_160, card_w - 182_880, 685_800);
                    let (dw, dh) = inner(db.2, db.3);
                    let ds = best_size_lines(d, &[14.0, 13.0, 12.0, 11.0, 10.0], false, dw, dh, 3);
                    let para = paragraph(
                        d,
                        &ParaStyle {
                            size: ds,
                            bold: false,
                            color: p.muted,
                            align: "l",
                            bullet: None,
                            space_before: 0.0,
                        },
                        self.lang,
                    );
                    s.text("Detail", None, db, "t", &para, None, "rect");
                }
            }
            let nts = if part == 0 { notes } else { None };
            self.push(LAYOUT_TITLE_ONLY, p.bg, s, nts);
        }
        Ok(())
    }
}

/// The paragraphs of a bullet list, for measuring.
fn paras_of<'b>(heading: Option<&'b str>, bullets: &'b [Bullet]) -> Vec<Para<'b>> {
    let mut out = Vec::new();
    if let Some(h) = heading {
        out.push(Para {
            text: h,
            level: 0,
            bold: true,
        });
    }
    for b in bullets {
        out.push(Para {
            text: b.text(),
            level: 0,
            bold: b.text().contains("**"),
        });
        for s in b.sub() {
            out.push(Para {
                text: s,
                level: 1,
                bold: false,
            });
        }
    }
    out
}

/// Format extension and pixel size of a PNG, JPEG or GIF.
fn image_info(b: &[u8]) -> Option<(&'static str, (u32, u32))> {
    if b.len() > 24 && b.starts_with(b"\x89PNG\r\n\x1a\n") {
        let w = u32::from_be_bytes(b[16..20].try_into().ok()?);
        let h = u32::from_be_bytes(b[20..24].try_into().ok()?);
        return (w > 0 && h > 0).then_some(("png", (w, h)));
    }
    if b.len() > 10 && (b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a")) {
        let w = u16::from_le_bytes([b[6], b[7]]) as u32;
        let h = u16::from_le_bytes([b[8], b[9]]) as u32;
        return (w > 0 && h > 0).then_some(("gif", (w, h)));
    }
    if b.len() > 4 && b[0] == 0xFF && b[1] == 0xD8 {
        let mut i = 2;
        while i + 9 < b.len() {
            if b[i] != 0xFF {
                i += 1;
                continue;
            }
            let marker = b[i + 1];
            let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                let h = u16::from_be_bytes([b[i + 5], b[i + 6]]) as u32;
                let w = u16::from_be_bytes([b[i + 7], b[i + 8]]) as u32;
                return (w > 0 && h > 0).then_some(("jpeg", (w, h)));
            }
            i += 2 + len;
        }
    }
    None
}

fn slide_number_box(p: &Palette, lang: &str, number: usize, id: u32) -> String {
    format!(
        r#"<p:sp><p:nvSpPr><p:cNvPr id="{id}" name="Slide Number {id}"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="10972800" y="6355080"/><a:ext cx="{}" cy="365760"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/></p:spPr><p:txBody><a:bodyPr wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="ctr"/><a:lstStyle/><a:p><a:pPr algn="r"/><a:fld id="{{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}}" type="slidenum"><a:rPr lang="{lang}" sz="1200"><a:solidFill><a:srgbClr val="{}"/></a:solidFill><a:latin typeface="{FONT}"/></a:rPr><a:t>{number}</a:t></a:fld><a:endParaRPr lang="{lang}" sz="1200"/></a:p></p:txBody></p:sp>"#,
        SLIDE_W - MARGIN - 10_972_800,
        p.muted
    )
}

const CT_SLIDE: &str = "application/vnd.openxmlformats-officedocument.presentationml.slide+xml";

fn assemble(spec: &DeckSpec, p: &Palette, slides: Vec<Rendered>) -> Result<Vec<u8>, OfficeError> {
    let lang = lang(spec.locale);
    let mut pkg = Package::new("pptx");
    pkg.rels("").add(rel::OFFICE_DOC, "ppt/presentation.xml");
    pkg.rels("").add(rel::CORE, "docProps/core.xml");
    pkg.rels("").add(rel::APP, "docProps/app.xml");
    pkg.add("docProps/core.xml", CT_CORE, core_props(&spec.title));
    pkg.add("docProps/app.xml", CT_APP, app_props("commis"));

    let pres = "ppt/presentation.xml";
    let master_rid = pkg
        .rels(pres)
        .add(&rel::of("slideMaster"), "slideMasters/slideMaster1.xml");
    pkg.rels(pres).add(&rel::of("theme"), "theme/theme1.xml");
    pkg.rels(pres).add(&rel::of("presProps"), "presProps.xml");
    pkg.rels(pres).add(&rel::of("viewProps"), "viewProps.xml");
    pkg.rels(pres)
        .add(&rel::of("tableStyles"), "tableStyles.xml");
    let any_notes = slides.iter().any(|s| s.notes.is_some());
    let notes_master_rid = any_notes.then(|| {
        pkg.rels(pres)
            .add(&rel::of("notesMaster"), "notesMasters/notesMaster1.xml")
    });
    let slide_rids: Vec<String> = (1..=slides.len())
        .map(|i| {
            pkg.rels(pres)
                .add(&rel::of("slide"), &format!("slides/slide{i}.xml"))
        })
        .collect();
    pkg.add(
        pres,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        parts::presentation(&master_rid, notes_master_rid.as_deref(), &slide_rids),
    );
    pkg.add(
        "ppt/presProps.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presProps+xml",
        pres_props(),
    );
    pkg.add(
        "ppt/viewProps.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.viewProps+xml",
        view_props(),
    );
    pkg.add(
        "ppt/tableStyles.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.tableStyles+xml",
        table_styles(),
    );
    let theme_name = match spec.theme {
        Theme::Default => "commis",
        Theme::Dark => "commis dark",
        Theme::Warm => "commis warm",
    };
    pkg.add(
        "ppt/theme/theme1.xml",
        "application/vnd.openxmlformats-officedocument.theme+xml",
        parts::theme(theme_name, p),
    );
    let master = "ppt/slideMasters/slideMaster1.xml";
    let mut layout_rids = Vec::new();
    for i in 1..=LAYOUTS.len() {
        layout_rids.push(pkg.rels(master).add(
            &rel::of("slideLayout"),
            &format!("../slideLayouts/slideLayout{i}.xml"),
        ));
        let path = format!("ppt/slideLayouts/slideLayout{i}.xml");
        pkg.rels(&path)
            .add(&rel::of("slideMaster"), "../slideMasters/slideMaster1.xml");
        pkg.add(
            &path,
            "application/vnd.openxmlformats-officedocument.presentationml.slideLayout+xml",
            slide_layout(i),
        );
    }
    pkg.rels(master)
        .add(&rel::of("theme"), "../theme/theme1.xml");
    pkg.add(
        master,
        "application/vnd.openxmlformats-officedocument.presentationml.slideMaster+xml",
        slide_master(p, &layout_rids),
    );
    if any_notes {
        let nm = "ppt/notesMasters/notesMaster1.xml";
        pkg.rels(nm).add(&rel::of("theme"), "../theme/theme2.xml");
        pkg.add(
            nm,
            "application/vnd.openxmlformats-officedocument.presentationml.notesMaster+xml",
            notes_master(),
        );
        pkg.add(
            "ppt/theme/theme2.xml",
            "application/vnd.openxmlformats-officedocument.theme+xml",
            parts::theme("commis notes", &palette(Theme::Default)),
        );
    }

    let mut chart_no = 0;
    let mut image_no = 0;
    for (i, slide) in slides.into_iter().enumerate() {
        let n = i + 1;
        let path = format!("ppt/slides/slide{n}.xml");
        pkg.rels(&path).add(
            &rel::of("slideLayout"),
            &format!("../slideLayouts/slideLayout{}.xml", slide.layout),
        );
        if let Some((kind, cats, series)) = &slide.chart {
            chart_no += 1;
            let chart_path = format!("ppt/charts/chart{chart_no}.xml");
            let rid = pkg
                .rels(&path)
                .add(&rel::of("chart"), &format!("../charts/chart{chart_no}.xml"));
            debug_assert_eq!(rid, MEDIA_RID);
            let emb = format!("ppt/embeddings/Microsoft_Excel_Worksheet{chart_no}.xlsx");
            let emb_rid = pkg.rels(&chart_path).add(
                &rel::of("package"),
                &format!("../embeddings/Microsoft_Excel_Worksheet{chart_no}.xlsx"),
            );
            pkg.add_by_extension(
                &emb,
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                chart::embedded_workbook(cats, series)?,
            );
            pkg.add(
                &chart_path,
                "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
                chart::chart_xml(*kind, cats, series, p, &emb_rid),
            );
        }
        if let Some((bytes, ext)) = slide.image {
            image_no += 1;
            let media = format!("ppt/media/image{image_no}.{ext}");
            pkg.rels(&path).add(
                &rel::of("image"),
                &format!("../media/image{image_no}.{ext}"),
            );
            pkg.add_by_extension(&media, ext, &format!("image/{ext}"), bytes);
        }
        let mut shapes = slide.shapes;
        if slide.numbered {
            // Shape ids only need to be unique within the slide: 1000+ never collides.
            shapes.push_str(&slide_number_box(p, lang, n, 1000));
        }
        let xml = format!(
            r#"{DECL}<p:sld {NS}><p:cSld><p:bg><p:bgPr><a:solidFill><a:srgbClr val="{}"/></a:solidFill><a:effectLst/></p:bgPr></p:bg><p:spTree>{}{shapes}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"#,
            slide.bg,
            group_header()
        );
        if let Some(notes) = &slide.notes {
            let notes_path = format!("ppt/notesSlides/notesSlide{n}.xml");
            pkg.rels(&path).add(
                &rel::of("notesSlide"),
                &format!("../notesSlides/notesSlide{n}.xml"),
            );
            pkg.rels(&notes_path)
                .add(&rel::of("notesMaster"), "../notesMasters/notesMaster1.xml");
            pkg.rels(&notes_path)
                .add(&rel::of("slide"), &format!("../slides/slide{n}.xml"));
            let paras: String = notes
                .split('\n')
                .map(|line| {
                    format!(
                        r#"<a:p><a:r><a:rPr lang="{lang}" dirty="0"/><a:t>{}</a:t></a:r></a:p>"#,
                        esc(line)
                    )
                })
                .collect();
            pkg.add(
                &notes_path,
                "application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml",
                notes_slide(&paras),
            );
        }
        pkg.add(&path, CT_SLIDE, xml);
    }
    pkg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deck(slides: Vec<SlideSpec>) -> DeckSpec {
        DeckSpec {
            title: "Bilan".into(),
            subtitle: None,
            theme: Theme::Default,
            locale: Locale::Fr,
            slides,
        }
    }

    fn bullets(n: usize) -> SlideSpec {
        SlideSpec {
            content: SlideContent::Bullets {
                title: "Points".into(),
                bullets: (0..n)
                    .map(|i| Bullet::Text(format!("Point numéro {i} avec un texte assez long pour occuper une bonne partie de la ligne")))
                    .collect(),
            },
            notes: Some("Notes".into()),
        }
    }

    #[test]
    fn too_many_bullets_continue_on_a_new_slide() {
        let spec = deck(vec![bullets(40)]);
        let p = palette(Theme::Default);
        let mut ctx = Ctx {
            p: &p,
            lang: "fr-FR",
            locale: Locale::Fr,
            slides: Vec::new(),
        };
        ctx.render(&spec.slides[0]).unwrap();
        assert!(ctx.slides.len() > 1);
        assert!(ctx.slides[1].shapes.contains("(suite)"));
        build_presentation(&spec).unwrap();
    }

    #[test]
    fn spec_parses_from_model_json() {
        let json = r#"{"title":"T","slides":[
            {"layout":"bullets","title":"A","bullets":["x",{"text":"y","sub":["z"]}],"notes":"n"},
            {"layout":"key_figures","title":"K","figures":[{"value":"12 %","label":"Marge"}]},
            {"layout":"chart","title":"C","chart":"pie","categories":["a","b"],"series":[{"name":"s","values":[1,2]}]}
        ]}"#;
        let spec: DeckSpec = serde_json::from_str(json).unwrap();
        assert_eq!(spec.slides.len(), 3);
        assert!(build_presentation(&spec).is_ok());
    }

    #[test]
    fn image_slide_without_loaded_bytes_says_what_to_do() {
        let spec = deck(vec![SlideSpec {
            content: SlideContent::Image {
                title: None,
                path: "logo.png".into(),
                caption: None,
                data: None,
            },
            notes: None,
        }]);
        let err = build_presentation(&spec).unwrap_err().to_string();
        assert!(err.contains("logo.png"), "{err}");
    }
}
