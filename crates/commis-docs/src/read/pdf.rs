//! PDF: text per page in reading order, document info, embedded files and the
//! Factur-X/ZUGFeRD invoice XML.
//!
//! Text comes from interpreting the page content streams (lopdf parses the file):
//! every string is decoded through its font (ToUnicode CMap first, then the font's
//! encoding and Differences, then Windows-1252), placed with the text and graphics
//! matrices, and the pieces are then sorted into lines top to bottom, left to right,
//! with spaces inferred from the gaps between glyph runs. Runs of lines whose column
//! segments line up become tables (see `pdf_table`); the plain text still reads them
//! as the lines they are on the page.

use super::facturx;
use super::pdf_table::{self, PageLine, Piece, Segment};
use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{AttachmentInfo, BlockKind, Cell, Document, Format, Place, Table};
use lopdf::content::Content;
use lopdf::{Dictionary, Object, ObjectId};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// What `layout` puts between two runs separated by a column-wide gap, so readers
/// can split a line into columns.
const COLUMN_GAP: &str = "  ";

/// Form XObjects nest rarely more than a few levels; deeper is a loop or an attack.
const MAX_FORM_DEPTH: u32 = 12;

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(
            usize::try_from(limits.max_stream_bytes.min(limits.max_decompressed_bytes))
                .unwrap_or(usize::MAX),
        ),
        ..lopdf::LoadOptions::default()
    };
    let pdf = lopdf::Document::load_mem_with_options(bytes, options).map_err(map_load_error)?;
    if pdf.is_encrypted() && pdf.encryption_state.is_none() {
        return Err(DocError::Encrypted);
    }
    let mut doc = Document::new(Format::Pdf);
    read_info(&pdf, &mut doc);
    let pages = pdf.get_pages();
    doc.metadata.pages = Some(pages.len() as u32);
    let mut extractor = Extractor {
        pdf: &pdf,
        fonts: HashMap::new(),
        budget: usize::try_from(limits.max_stream_bytes).unwrap_or(usize::MAX),
        doc_left: usize::try_from(limits.max_decompressed_bytes).unwrap_or(usize::MAX),
        glyphs: 0,
        max_glyphs: limits.max_glyphs_per_page,
        warnings: Vec::new(),
        missing_unicode: HashSet::new(),
    };
    let mut empty_pages = 0;
    let mut first_line: Option<String> = None;
    for (n, page_id) in &pages {
        if *n > limits.max_pages {
            doc.warnings.push(format!(
                "only the first {} of {} pages were read (limit max_pages)",
                limits.max_pages,
                pages.len()
            ));
            break;
        }
        let lines = extractor.page_lines(*page_id);
        if lines.is_empty() {
            empty_pages += 1;
            doc.metadata.pages_without_text.push(*n);
        }
        if first_line.is_none() {
            first_line = lines.first().map(|l| l.text.clone());
        }
        for piece in pdf_table::find_tables(lines) {
            match piece {
                Piece::Line(text) => doc.push_block(BlockKind::Line, text, Place::page(*n)),
                Piece::Table(rows) => doc.push_table_in_flow(Table {
                    place: Place::page(*n),
                    origin: None,
                    rows: rows
                        .into_iter()
                        .map(|row| row.into_iter().map(Cell::text).collect())
                        .collect(),
                    merged: Vec::new(),
                }),
            }
        }
    }
    doc.warnings.append(&mut extractor.warnings);
    if !extractor.missing_unicode.is_empty() {
        let mut names: Vec<_> = extractor.missing_unicode.into_iter().collect();
        names.sort();
        doc.warnings.push(format!(
            "some text uses fonts without a Unicode mapping ({}); it may read as garbage",
            names.join(", ")
        ));
    }
    if !pages.is_empty() && empty_pages == pages.len().min(limits.max_pages as usize) {
        doc.warnings.push(crate::ocr::NOT_READ_YET.to_string());
    } else if empty_pages > 0 {
        doc.warnings.push(format!(
            "{empty_pages} page(s) have no text layer (scanned or image-only)"
        ));
    }
    read_embedded_files(&pdf, limits, &mut doc);
    if pages.is_empty() {
        if doc.attachments.is_empty() {
            return Err(DocError::corrupt(
                "PDF",
                "the page tree is missing or damaged, no page could be read",
            ));
        }
        doc.warnings
            .push("the page tree is missing or damaged: no page text could be read".to_string());
    }
    if doc.title.is_none() {
        // The first line of text names the document, unless it opens a table (a
        // title repeating a table row would only mislead).
        let opens_with_line = doc
            .blocks
            .first()
            .is_some_and(|b| b.kind == BlockKind::Line);
        doc.title = first_line.filter(|t| opens_with_line && t.chars().count() <= 120);
    }
    Ok(doc)
}

fn map_load_error(e: lopdf::Error) -> DocError {
    match e {
        lopdf::Error::InvalidPassword
        | lopdf::Error::Decryption(_)
        | lopdf::Error::AlreadyEncrypted => DocError::Encrypted,
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            DocError::TooLarge {
                limit: "a stream decompresses past the max_decompressed_bytes limit".to_string(),
            }
        }
        other => {
            let msg = other.to_string();
            if msg.to_lowercase().contains("encrypt") || msg.to_lowercase().contains("password") {
                DocError::Encrypted
            } else {
                DocError::corrupt("PDF", msg)
            }
        }
    }
}

fn text_string(obj: &Object) -> Option<String> {
    match obj {
        Object::String(bytes, _) => {
            let s = lopdf::decode_text_string(obj)
                .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned());
            let s = s.trim_matches(char::from(0)).trim().to_string();
            (!s.is_empty()).then_some(s)
        }
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

fn read_info(pdf: &lopdf::Document, doc: &mut Document) {
    let Ok(info) = pdf
        .trailer
        .get_deref(b"Info", pdf)
        .and_then(Object::as_dict)
    else {
        return;
    };
    let get = |k: &[u8]| info.get_deref(k, pdf).ok().and_then(text_string);
    doc.title = get(b"Title");
    doc.metadata.author = get(b"Author");
    doc.metadata.subject = get(b"Subject");
    doc.metadata.keywords = get(b"Keywords");
    doc.metadata.producer = get(b"Producer").or_else(|| get(b"Creator"));
    doc.metadata.created = get(b"CreationDate").map(|d| pdf_date(&d));
    doc.metadata.modified = get(b"ModDate").map(|d| pdf_date(&d));
}

/// "D:20180127120000+01'00'" to "2018-01-27T12:00:00+01:00" (as much as is present).
fn pdf_date(raw: &str) -> String {
    let s = raw.trim().trim_start_matches("D:");
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 4 {
        return raw.to_string();
    }
    let part = |a: usize, b: usize, def: &str| digits.get(a..b).unwrap_or(def).to_string();
    let mut out = format!(
        "{}-{}-{}",
        part(0, 4, "0000"),
        part(4, 6, "01"),
        part(6, 8, "01")
    );
    if digits.len() >= 12 {
        out.push_str(&format!(
            "T{}:{}:{}",
            part(8, 10, "00"),
            part(10, 12, "00"),
            part(12, 14, "00")
        ));
        let tz = &s[digits.len()..];
        if tz.starts_with('Z') {
            out.push('Z');
        } else if let Some(sign) = tz.chars().next().filter(|c| *c == '+' || *c == '-') {
            let tzd: String = tz.chars().filter(|c| c.is_ascii_digit()).collect();
            if tzd.len() >= 4 {
                out.push_str(&format!("{sign}{}:{}", &tzd[..2], &tzd[2..4]));
            }
        }
    }
    out
}

// ------------------------------------------------------------ embedded files

fn read_embedded_files(pdf: &lopdf::Document, limits: &Limits, doc: &mut Document) {
    let Ok(catalog) = pdf.catalog() else { return };
    let mut specs: Vec<(String, &Dictionary)> = Vec::new();
    let mut seen: HashSet<*const Dictionary> = HashSet::new();
    if let Ok(names) = catalog.get_deref(b"Names", pdf).and_then(Object::as_dict)
        && let Ok(tree) = names
            .get_deref(b"EmbeddedFiles", pdf)
            .and_then(Object::as_dict)
    {
        collect_name_tree(pdf, tree, 0, &mut specs, &mut seen);
    }
    if let Ok(af) = catalog.get_deref(b"AF", pdf).and_then(Object::as_array) {
        for item in af {
            if let Ok((_, obj)) = pdf.dereference(item)
                && let Ok(spec) = obj.as_dict()
                && seen.insert(spec as *const Dictionary)
            {
                specs.push((String::new(), spec));
            }
        }
    }
    for (tree_name, spec) in specs {
        let name = spec
            .get_deref(b"UF", pdf)
            .ok()
            .and_then(text_string)
            .or_else(|| spec.get_deref(b"F", pdf).ok().and_then(text_string))
            .unwrap_or(tree_name);
        let stream = spec
            .get_deref(b"EF", pdf)
            .and_then(Object::as_dict)
            .and_then(|ef| {
                ef.get_deref(b"F", pdf)
                    .or_else(|_| ef.get_deref(b"UF", pdf))
            })
            .and_then(Object::as_stream);
        let Ok(stream) = stream else {
            doc.attachments.push(AttachmentInfo {
                name,
                mime_type: None,
                size: None,
            });
            continue;
        };
        let mime = stream
            .dict
            .get(b"Subtype")
            .ok()
            .and_then(|s| s.as_name().ok())
            .map(|n| {
                String::from_utf8_lossy(n)
                    .replace("#2F", "/")
                    .replace("#2f", "/")
            });
        let content = stream.get_plain_content_with_limit(
            usize::try_from(limits.max_decompressed_bytes).unwrap_or(usize::MAX),
        );
        let size = content.as_ref().map(|c| c.len() as u64).ok();
        doc.attachments.push(AttachmentInfo {
            name: name.clone(),
            mime_type: mime,
            size,
        });
        let Ok(content) = content else {
            doc.warnings
                .push(format!("embedded file {name} could not be decompressed"));
            continue;
        };
        let head = &content[..content.len().min(4096)];
        let looks_invoice = facturx::is_invoice_xml_name(&name)
            || (name.to_ascii_lowercase().ends_with(".xml")
                && (crate::detect::find(head, b"CrossIndustry").is_some()
                    || crate::detect::find(head, b"urn:oasis:names:specification:ubl").is_some()));
        if looks_invoice && doc.invoice.is_none() {
            let xml = String::from_utf8_lossy(&content).into_owned();
            match facturx::parse_invoice_xml(&name, &xml, limits) {
                Some(inv) => doc.invoice = Some(inv),
                None => doc.warnings.push(format!(
                    "embedded {name} is not a readable CII or UBL invoice"
                )),
            }
        }
    }
}

fn collect_name_tree<'a>(
    pdf: &'a lopdf::Document,
    node: &'a Dictionary,
    depth: u32,
    out: &mut Vec<(String, &'a Dictionary)>,
    seen: &mut HashSet<*const Dictionary>,
) {
    if depth > 16 {
        return;
    }
    if let Ok(names) = node.get_deref(b"Names", pdf).and_then(Object::as_array) {
        for pair in names.chunks(2) {
            if let [key, value] = pair
                && let Ok((_, obj)) = pdf.dereference(value)
                && let Ok(spec) = obj.as_dict()
                && seen.insert(spec as *const Dictionary)
            {
                out.push((text_string(key).unwrap_or_default(), spec));
            }
        }
    }
    if let Ok(kids) = node.get_deref(b"Kids", pdf).and_then(Object::as_array) {
        for kid in kids {
            if let Ok((_, obj)) = pdf.dereference(kid)
                && let Ok(d) = obj.as_dict()
            {
                collect_name_tree(pdf, d, depth + 1, out, seen);
            }
        }
    }
}

// ------------------------------------------------------------ fonts

/// Maps character codes to Unicode from a ToUnicode CMap.
#[derive(Default)]
struct CMap {
    /// (code length, code) -> text.
    chars: HashMap<(u8, u32), String>,
    /// (code length, first, last, UTF-16 of first).
    ranges: Vec<(u8, u32, u32, Vec<u16>)>,
    /// (code length, first, last) of the code space.
    codespace: Vec<(u8, u32, u32)>,
}

impl CMap {
    fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let tokens = cmap_tokens(data);
        let mut i = 0;
        let mut mode = "";
        while i < tokens.len() {
            match &tokens[i] {
                Tok::Word(w) if w == "begincodespacerange" => mode = "space",
                Tok::Word(w) if w == "beginbfchar" => mode = "char",
                Tok::Word(w) if w == "beginbfrange" => mode = "range",
                Tok::Word(w) if w.starts_with("end") => mode = "",
                Tok::Hex(lo) if mode == "space" => {
                    if let Some(Tok::Hex(hi)) = tokens.get(i + 1) {
                        cmap.codespace
                            .push((lo.len().clamp(1, 4) as u8, be(lo), be(hi)));
                        i += 1;
                    }
                }
                Tok::Hex(src) if mode == "char" => {
                    if let Some(Tok::Hex(dst)) = tokens.get(i + 1) {
                        cmap.chars
                            .insert((src.len().clamp(1, 4) as u8, be(src)), utf16_text(dst));
                        i += 1;
                    }
                }
                Tok::Hex(lo) if mode == "range" => match (tokens.get(i + 1), tokens.get(i + 2)) {
                    (Some(Tok::Hex(hi)), Some(Tok::Hex(dst))) => {
                        let units = utf16_units(dst);
                        cmap.ranges
                            .push((lo.len().clamp(1, 4) as u8, be(lo), be(hi), units));
                        i += 2;
                    }
                    (Some(Tok::Hex(hi)), Some(Tok::Array(items))) => {
                        let (len, first, last) = (lo.len().clamp(1, 4) as u8, be(lo), be(hi));
                        for (k, dst) in items.iter().enumerate() {
                            let code = first.saturating_add(k as u32);
                            if code > last {
                                break;
                            }
                            cmap.chars.insert((len, code), utf16_text(dst));
                        }
                        i += 2;
                    }
                    _ => {}
                },
                _ => {}
            }
            i += 1;
        }
        cmap
    }

    fn lookup(&self, len: u8, code: u32) -> Option<String> {
        if let Some(s) = self.chars.get(&(len, code)) {
            return Some(s.clone());
        }
        for (l, lo, hi, base) in &self.ranges {
            if *l == len && code >= *lo && code <= *hi {
                let mut units = base.clone();
                if let Some(last) = units.last_mut() {
                    *last = last.wrapping_add((code - lo) as u16);
                }
                return Some(String::from_utf16_lossy(&units));
            }
        }
        None
    }

    /// Length in bytes of the code starting at `bytes[0]`.
    fn code_len(&self, bytes: &[u8], default: u8) -> u8 {
        if self.codespace.is_empty() {
            return default;
        }
        for len in 1..=4u8 {
            if bytes.len() < len as usize {
                break;
            }
            let code = be(&bytes[..len as usize]);
            if self
                .codespace
                .iter()
                .any(|(l, lo, hi)| *l == len && code >= *lo && code <= *hi)
            {
                return len;
            }
        }
        default
    }
}

enum Tok {
    Hex(Vec<u8>),
    Array(Vec<Vec<u8>>),
    Word(String),
}

fn cmap_tokens(data: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut array: Option<Vec<Vec<u8>>> = None;
    while i < data.len() {
        let c = data[i];
        match c {
            b'<' if data.get(i + 1) != Some(&b'<') => {
                let end = data[i + 1..]
                    .iter()
                    .position(|b| *b == b'>')
                    .map_or(data.len(), |p| i + 1 + p);
                let hex: Vec<u8> = data[i + 1..end]
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_hexdigit)
                    .collect();
                let bytes: Vec<u8> = hex
                    .chunks(2)
                    .map(|p| {
                        let s = std::str::from_utf8(p).unwrap_or("0");
                        let v = u8::from_str_radix(s, 16).unwrap_or(0);
                        if p.len() == 1 { v << 4 } else { v }
                    })
                    .collect();
                match array.as_mut() {
                    Some(a) => a.push(bytes),
                    None => out.push(Tok::Hex(bytes)),
                }
                i = end + 1;
            }
            b'[' => {
                array = Some(Vec::new());
                i += 1;
            }
            b']' => {
                if let Some(a) = array.take() {
                    out.push(Tok::Array(a));
                }
                i += 1;
            }
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < data.len() && (data[i].is_ascii_alphanumeric() || data[i] == b'_') {
                    i += 1;
                }
                out.push(Tok::Word(
                    String::from_utf8_lossy(&data[start..i]).into_owned(),
                ));
            }
            _ => i += 1,
        }
    }
    out
}

fn be(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|p| {
            if p.len() == 2 {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from(p[0])
            }
        })
        .collect()
}

fn utf16_text(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&utf16_units(bytes))
}

enum Decoder<'a> {
    CMap(CMap),
    Lopdf(lopdf::Encoding<'a>),
    Windows1252,
    /// Two-byte codes without any Unicode mapping: unreadable.
    Opaque,
}

struct Font<'a> {
    decoder: Decoder<'a>,
    /// Bytes per code when the CMap says nothing (2 for Type0 fonts).
    code_len: u8,
    first_char: u32,
    widths: Vec<f32>,
    cid_widths: HashMap<u32, f32>,
    default_width: f32,
    name: String,
}

impl Font<'_> {
    fn width(&self, code: u32) -> f32 {
        if self.code_len == 2 {
            return self
                .cid_widths
                .get(&code)
                .copied()
                .unwrap_or(self.default_width);
        }
        code.checked_sub(self.first_char)
            .and_then(|i| self.widths.get(i as usize))
            .copied()
            .filter(|w| *w > 0.0)
            .unwrap_or(self.default_width)
    }

    /// Splits a string operand into (code, code length) pairs.
    fn codes(&self, bytes: &[u8]) -> Vec<(u32, u8)> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let len = match &self.decoder {
                Decoder::CMap(c) => c.code_len(&bytes[i..], self.code_len),
                _ => self.code_len,
            }
            .max(1) as usize;
            let len = len.min(bytes.len() - i);
            out.push((be(&bytes[i..i + len]), len as u8));
            i += len;
        }
        out
    }

    fn decode(&self, bytes: &[u8], codes: &[(u32, u8)]) -> String {
        match &self.decoder {
            Decoder::CMap(cmap) => {
                let mut s = String::new();
                for (code, len) in codes {
                    match cmap.lookup(*len, *code) {
                        Some(t) => s.push_str(&t),
                        None if *len == 1 => s.push_str(
                            &encoding_rs::WINDOWS_1252
                                .decode_without_bom_handling(&[*code as u8])
                                .0,
                        ),
                        None => {}
                    }
                }
                s
            }
            Decoder::Lopdf(enc) => enc.bytes_to_string(bytes).unwrap_or_else(|_| {
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned()
            }),
            Decoder::Windows1252 => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            Decoder::Opaque => String::new(),
        }
    }
}

fn num(obj: &Object) -> Option<f32> {
    match obj {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn load_font<'a>(pdf: &'a lopdf::Document, dict: &'a Dictionary, budget: usize) -> Font<'a> {
    let subtype = dict
        .get(b"Subtype")
        .and_then(Object::as_name)
        .unwrap_or(b"");
    let name = dict
        .get(b"BaseFont")
        .and_then(Object::as_name)
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_else(|_| "unnamed font".to_string());
    let type0 = subtype == b"Type0";
    let to_unicode = dict
        .get_deref(b"ToUnicode", pdf)
        .and_then(Object::as_stream)
        .ok()
        .and_then(|s| s.get_plain_content_with_limit(budget).ok())
        .map(|data| CMap::parse(&data))
        .filter(|c| !c.chars.is_empty() || !c.ranges.is_empty());
    let has_encoding = dict.get(b"Encoding").is_ok();
    let decoder = match to_unicode {
        Some(c) => Decoder::CMap(c),
        None if type0 => {
            let enc = dict
                .get(b"Encoding")
                .and_then(Object::as_name)
                .unwrap_or(b"");
            if enc == b"UniGB-UCS2-H" || enc == b"UniGB-UTF16-H" {
                match dict.get_font_encoding(pdf) {
                    Ok(e) => Decoder::Lopdf(e),
                    Err(_) => Decoder::Opaque,
                }
            } else {
                Decoder::Opaque
            }
        }
        None if has_encoding => match dict.get_font_encoding(pdf) {
            Ok(e) => Decoder::Lopdf(e),
            Err(_) => Decoder::Windows1252,
        },
        None => Decoder::Windows1252,
    };
    let mut font = Font {
        decoder,
        code_len: if type0 { 2 } else { 1 },
        first_char: 0,
        widths: Vec::new(),
        cid_widths: HashMap::new(),
        default_width: 500.0,
        name,
    };
    if type0 {
        font.default_width = 1000.0;
        let desc = dict
            .get_deref(b"DescendantFonts", pdf)
            .and_then(Object::as_array)
            .ok()
            .and_then(|a| a.first())
            .and_then(|f| pdf.dereference(f).ok())
            .and_then(|(_, o)| o.as_dict().ok());
        if let Some(desc) = desc {
            if let Some(dw) = desc.get_deref(b"DW", pdf).ok().and_then(num) {
                font.default_width = dw;
            }
            if let Ok(w) = desc.get_deref(b"W", pdf).and_then(Object::as_array) {
                parse_cid_widths(pdf, w, &mut font.cid_widths);
            }
        }
    } else {
        font.first_char = dict
            .get_deref(b"FirstChar", pdf)
            .ok()
            .and_then(num)
            .unwrap_or(0.0)
            .max(0.0) as u32;
        if let Ok(w) = dict.get_deref(b"Widths", pdf).and_then(Object::as_array) {
            font.widths = w
                .iter()
                .take(65_536)
                .map(|o| {
                    pdf.dereference(o)
                        .ok()
                        .and_then(|(_, o)| num(o))
                        .unwrap_or(0.0)
                })
                .collect();
        }
        let missing = dict
            .get_deref(b"FontDescriptor", pdf)
            .and_then(Object::as_dict)
            .ok()
            .and_then(|d| d.get_deref(b"MissingWidth", pdf).ok().and_then(num))
            .filter(|w| *w > 0.0);
        if let Some(m) = missing {
            font.default_width = m;
        } else if !font.widths.is_empty() {
            let nonzero: Vec<f32> = font.widths.iter().copied().filter(|w| *w > 0.0).collect();
            if !nonzero.is_empty() {
                font.default_width = nonzero.iter().sum::<f32>() / nonzero.len() as f32;
            }
        }
    }
    font
}

fn parse_cid_widths(pdf: &lopdf::Document, w: &[Object], out: &mut HashMap<u32, f32>) {
    let mut i = 0;
    while i < w.len() && out.len() < 200_000 {
        let Some(first) = num(&w[i]) else {
            i += 1;
            continue;
        };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).map(|o| pdf.dereference(o).map(|(_, o)| o)) {
            Some(Ok(Object::Array(list))) => {
                for (k, v) in list.iter().enumerate().take(65_536) {
                    if let Some(v) = num(v) {
                        out.insert(first + k as u32, v);
                    }
                }
                i += 2;
            }
            Some(Ok(last)) => {
                let last = num(last).unwrap_or(first as f32).max(0.0) as u32;
                let width = w.get(i + 2).and_then(num).unwrap_or(1000.0);
                for c in first..=last.min(first.saturating_add(65_536)) {
                    out.insert(c, width);
                }
                i += 3;
            }
            _ => break,
        }
    }
}

// ------------------------------------------------------------ content streams

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

#[derive(Clone)]
struct GState<'a> {
    ctm: Matrix,
    font: Option<Rc<Font<'a>>>,
    size: f32,
    char_space: f32,
    word_space: f32,
    hscale: f32,
    leading: f32,
    rise: f32,
}

/// A piece of text drawn at one place.
struct Run {
    x: f32,
    end_x: f32,
    y: f32,
    size: f32,
    text: String,
}

struct Extractor<'a> {
    pdf: &'a lopdf::Document,
    fonts: HashMap<*const Dictionary, Rc<Font<'a>>>,
    /// Bytes one stream may inflate to (limit `max_stream_bytes`).
    budget: usize,
    /// Bytes the document's content streams may still inflate to.
    doc_left: usize,
    /// Glyphs placed on the current page, and how many one page may hold.
    glyphs: usize,
    max_glyphs: usize,
    warnings: Vec<String>,
    missing_unicode: HashSet<String>,
}

impl<'a> Extractor<'a> {
    /// The inflated bytes a stream may still use: one stream's limit, within what
    /// is left for the document.
    fn stream_limit(&self) -> usize {
        self.budget.min(self.doc_left)
    }

    /// Counts inflated bytes against the document; false once it is spent.
    fn spend(&mut self, n: usize) -> bool {
        self.doc_left = self.doc_left.saturating_sub(n);
        self.doc_left > 0
    }

    fn page_lines(&mut self, page_id: ObjectId) -> Vec<PageLine> {
        if self.doc_left == 0 {
            return Vec::new();
        }
        let content = match self
            .pdf
            .get_page_content_with_limit(page_id, self.stream_limit())
        {
            Ok(c) => c,
            Err(e) => {
                self.warnings
                    .push(format!("a page's content could not be read: {e}"));
                return Vec::new();
            }
        };
        if !self.spend(content.len()) {
            self.warnings.push(
                "the pages' content inflates past the max_decompressed_bytes limit; later pages were skipped"
                    .to_string(),
            );
        }
        self.glyphs = 0;
        let (inline, ids) = self
            .pdf
            .get_page_resources(page_id)
            .unwrap_or((None, Vec::new()));
        let mut resources: Vec<&'a Dictionary> = Vec::new();
        if let Some(d) = inline {
            resources.push(d);
        }
        for id in ids {
            if let Ok(d) = self.pdf.get_dictionary(id) {
                resources.push(d);
            }
        }
        let mut runs = Vec::new();
        // Start from the page's display rotation so lines come out as the page is viewed.
        let ctm = match page_rotation(self.pdf, page_id) {
            90 => [0.0, -1.0, 1.0, 0.0, 0.0, 0.0],
            180 => [-1.0, 0.0, 0.0, -1.0, 0.0, 0.0],
            270 => [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
            _ => IDENTITY,
        };
        let gs = GState {
            ctm,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let mut visited = HashSet::new();
        self.run_content(&content, &resources, gs, 0, &mut visited, &mut runs);
        layout(runs)
    }

    fn resource(
        &self,
        resources: &[&'a Dictionary],
        kind: &[u8],
        name: &[u8],
    ) -> Option<&'a Object> {
        for res in resources {
            if let Ok(dict) = res.get_deref(kind, self.pdf).and_then(Object::as_dict)
                && let Ok(obj) = dict.get(name)
            {
                return self.pdf.dereference(obj).ok().map(|(_, o)| o);
            }
        }
        None
    }

    fn font(&mut self, resources: &[&'a Dictionary], name: &[u8]) -> Option<Rc<Font<'a>>> {
        let dict = self.resource(resources, b"Font", name)?.as_dict().ok()?;
        let key = dict as *const Dictionary;
        if let Some(f) = self.fonts.get(&key) {
            return Some(f.clone());
        }
        let font = Rc::new(load_font(self.pdf, dict, self.budget));
        self.fonts.insert(key, font.clone());
        Some(font)
    }

    #[allow(clippy::too_many_arguments)]
    fn run_content(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        start: GState<'a>,
        depth: u32,
        visited: &mut HashSet<ObjectId>,
        runs: &mut Vec<Run>,
    ) {
        let ops = match Content::decode(content) {
            Ok(c) => c.operations,
            Err(_) => {
                self.warnings
                    .push("a content stream is malformed; its text was skipped".to_string());
                return;
            }
        };
        let mut gs = start;
        let mut stack: Vec<GState<'a>> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        for op in &ops {
            if self.glyphs >= self.max_glyphs {
                break;
            }
            let o = &op.operands;
            let f = |i: usize| o.get(i).and_then(num).unwrap_or(0.0);
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                "cm" if o.len() == 6 => {
                    gs.ctm = mul(&[f(0), f(1), f(2), f(3), f(4), f(5)], &gs.ctm)
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    if let Some(Object::Name(name)) = o.first() {
                        gs.font = self.font(resources, name);
                    }
                    gs.size = f(1);
                }
                "Tc" => gs.char_space = f(0),
                "Tw" => gs.word_space = f(0),
                "Tz" => gs.hscale = f(0) / 100.0,
                "TL" => gs.leading = f(0),
                "Ts" => gs.rise = f(0),
                "Td" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, f(0), f(1)], &tlm);
                    tm = tlm;
                }
                "TD" => {
                    gs.leading = -f(1);
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, f(0), f(1)], &tlm);
                    tm = tlm;
                }
                "Tm" if o.len() == 6 => {
                    tlm = [f(0), f(1), f(2), f(3), f(4), f(5)];
                    tm = tlm;
                }
                "T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                "Tj" => {
                    if let Some(Object::String(s, _)) = o.first() {
                        self.show(s, &gs, &mut tm, runs);
                    }
                }
                "'" | "\"" => {
                    if op.operator == "\"" {
                        gs.word_space = f(0);
                        gs.char_space = f(1);
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                    if let Some(Object::String(s, _)) = o.last() {
                        self.show(s, &gs, &mut tm, runs);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = o.first() {
                        for item in items {
                            match item {
                                Object::String(s, _) => self.show(s, &gs, &mut tm, runs),
                                other => {
                                    if let Some(adj) = num(other) {
                                        let tx = -adj / 1000.0 * gs.size * gs.hscale;
                                        tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                    }
                                }
                            }
                        }
                    }
                }
                "Do" => {
                    if depth >= MAX_FORM_DEPTH {
                        continue;
                    }
                    let Some(Object::Name(name)) = o.first() else {
                        continue;
                    };
                    let Some(xobj) = self.xobject(resources, name) else {
                        continue;
                    };
                    let (id, stream) = xobj;
                    if !visited.insert(id) {
                        continue;
                    }
                    if stream.dict.get(b"Subtype").and_then(Object::as_name).ok()
                        != Some(b"Form".as_slice())
                    {
                        visited.remove(&id);
                        continue;
                    }
                    let Ok(data) = stream.get_plain_content_with_limit(self.stream_limit()) else {
                        continue;
                    };
                    if !self.spend(data.len()) {
                        continue;
                    }
                    let mut inner_res = resources.to_vec();
                    if let Ok(r) = stream
                        .dict
                        .get_deref(b"Resources", self.pdf)
                        .and_then(Object::as_dict)
                    {
                        inner_res.insert(0, r);
                    }
                    let mut inner = gs.clone();
                    if let Ok(m) = stream.dict.get(b"Matrix").and_then(Object::as_array)
                        && m.len() == 6
                    {
                        let v: Vec<f32> = m.iter().map(|x| num(x).unwrap_or(0.0)).collect();
                        inner.ctm = mul(&[v[0], v[1], v[2], v[3], v[4], v[5]], &gs.ctm);
                    }
                    self.run_content(&data, &inner_res, inner, depth + 1, visited, runs);
                    visited.remove(&id);
                }
                _ => {}
            }
        }
    }

    fn xobject(
        &self,
        resources: &[&'a Dictionary],
        name: &[u8],
    ) -> Option<(ObjectId, &'a lopdf::Stream)> {
        for res in resources {
            if let Ok(dict) = res
                .get_deref(b"XObject", self.pdf)
                .and_then(Object::as_dict)
                && let Ok(Object::Reference(id)) = dict.get(name)
                && let Ok(Object::Stream(s)) = self.pdf.get_object(*id)
            {
                return Some((*id, s));
            }
        }
        None
    }

    fn show(&mut self, bytes: &[u8], gs: &GState<'a>, tm: &mut Matrix, runs: &mut Vec<Run>) {
        let Some(font) = gs.font.clone() else { return };
        if self.glyphs >= self.max_glyphs {
            return;
        }
        let codes = font.codes(bytes);
        self.glyphs += codes.len();
        if self.glyphs >= self.max_glyphs {
            self.warnings.push(format!(
                "a page places more than {} glyphs; the rest of it was skipped (limit max_glyphs_per_page)",
                self.max_glyphs
            ));
        }
        let text = font.decode(bytes, &codes);
        if matches!(font.decoder, Decoder::Opaque) && !bytes.is_empty() {
            self.missing_unicode.insert(font.name.clone());
        }
        let start = mul(
            &[gs.size * gs.hscale, 0.0, 0.0, gs.size, 0.0, gs.rise],
            &mul(tm, &gs.ctm),
        );
        let mut advance = 0.0f32;
        for (code, len) in &codes {
            let w = font.width(*code) / 1000.0 * gs.size;
            let word = if *len == 1 && *code == 32 {
                gs.word_space
            } else {
                0.0
            };
            advance += (w + gs.char_space + word) * gs.hscale;
        }
        *tm = mul(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], tm);
        let end = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, gs.rise], &mul(tm, &gs.ctm));
        let size = (start[2] * start[2] + start[3] * start[3]).sqrt();
        if text.trim().is_empty() && text.is_empty() {
            return;
        }
        // No-break spaces (French thousands separators, "804,35\u{a0}€") read as spaces.
        let text: String = text
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .map(|c| {
                if matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        runs.push(Run {
            x: start[4],
            end_x: end[4],
            y: start[5],
            size: if size > 0.0 { size } else { 1.0 },
            text,
        });
    }
}

/// Runs of three or more spaces become the two-space column gap.
fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut spaces = 0;
    for c in text.chars() {
        if c == ' ' {
            spaces += 1;
            if spaces <= 2 {
                out.push(' ');
            }
        } else {
            spaces = 0;
            out.push(c);
        }
    }
    out
}

/// The page's /Rotate (inherited from the page tree), normalized to 0, 90, 180 or 270.
fn page_rotation(pdf: &lopdf::Document, page_id: ObjectId) -> i64 {
    let mut node = pdf.get_dictionary(page_id).ok();
    for _ in 0..32 {
        let Some(dict) = node else { break };
        if let Ok(r) = dict.get(b"Rotate").and_then(Object::as_i64) {
            return r.rem_euclid(360) / 90 * 90;
        }
        node = dict
            .get(b"Parent")
            .and_then(Object::as_reference)
            .and_then(|id| pdf.get_dictionary(id))
            .ok();
    }
    0
}

/// Sorts runs into lines (top to bottom) and joins each line left to right, with a
/// space where the gap between runs is wider than a fraction of the font size.
/// Each line also keeps its column segments (split at the column gaps) with their
/// horizontal extent, so tables can be found from where the text really sits.
fn layout(mut runs: Vec<Run>) -> Vec<PageLine> {
    // Spacing comes from the gaps between visible runs; stray space glyphs (often
    // drawn over other text) would only add noise.
    runs.retain(|r| {
        r.x.is_finite() && r.end_x.is_finite() && r.y.is_finite() && !r.text.trim().is_empty()
    });
    runs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<Run>> = Vec::new();
    let mut current: Vec<Run> = Vec::new();
    let mut line_y = f32::NAN;
    let mut line_size = 0.0f32;
    for run in runs {
        let tolerance = 0.45 * line_size.max(run.size).max(1.0);
        if current.is_empty() || (line_y - run.y).abs() <= tolerance {
            if current.is_empty() {
                line_y = run.y;
                line_size = run.size;
            }
            current.push(run);
        } else {
            lines.push(std::mem::take(&mut current));
            line_y = run.y;
            line_size = run.size;
            current.push(run);
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    let mut out = Vec::with_capacity(lines.len());
    for mut line in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut text = String::new();
        // (left, right, raw text) of each column segment.
        let mut segments: Vec<(f32, f32, String)> = Vec::new();
        let mut prev_end: Option<f32> = None;
        let mut prev_text: &str = "";
        let mut prev_start = f32::NAN;
        let y = line.first().map_or(0.0, |r| r.y);
        let size = line.iter().map(|r| r.size).fold(1.0f32, f32::max);
        for run in &line {
            let (left, right) = (run.x.min(run.end_x), run.x.max(run.end_x));
            if let Some(end) = prev_end {
                // The same text drawn twice at (almost) the same place fakes bold: keep one.
                if run.text == prev_text && (run.x - prev_start).abs() < run.size * 0.2 {
                    continue;
                }
                let gap = run.x - end;
                if gap > run.size * 1.5 {
                    // A wide gap separates columns: mark it with exactly two spaces.
                    while text.ends_with(' ') {
                        text.pop();
                    }
                    text.push_str(COLUMN_GAP);
                    text.push_str(run.text.trim_start());
                    segments.push((left, right, run.text.clone()));
                    prev_end = Some(prev_end.map_or(run.end_x, |e: f32| e.max(run.end_x)));
                    prev_text = &run.text;
                    prev_start = run.x;
                    continue;
                } else if gap > run.size * 0.15
                    && !text.ends_with(' ')
                    && !run.text.starts_with(' ')
                {
                    text.push(' ');
                    if let Some(seg) = segments.last_mut() {
                        seg.2.push(' ');
                    }
                }
            }
            text.push_str(&run.text);
            match segments.last_mut() {
                Some(seg) => {
                    seg.0 = seg.0.min(left);
                    seg.1 = seg.1.max(right);
                    seg.2.push_str(&run.text);
                }
                None => segments.push((left, right, run.text.clone())),
            }
            prev_end = Some(prev_end.map_or(run.end_x, |e: f32| e.max(run.end_x)));
            prev_text = &run.text;
            prev_start = run.x;
        }
        let t = collapse_spaces(text.trim());
        if t.trim().is_empty() {
            continue;
        }
        let cells: Vec<Segment> = segments
            .into_iter()
            .map(|(x0, x1, raw)| Segment {
                x0,
                x1,
                text: collapse_spaces(raw.trim()),
            })
            .filter(|s| !s.text.is_empty())
            .collect();
        // Segments are only trusted when they rebuild the line exactly: a gap typed
        // as spaces inside one run has no position to align on.
        let exact = cells.iter().all(|c| !c.text.contains(COLUMN_GAP))
            && cells
                .iter()
                .map(|c| c.text.as_str())
                .collect::<Vec<_>>()
                .join(COLUMN_GAP)
                == t;
        out.push(PageLine {
            text: t,
            y,
            size,
            cells: exact.then_some(cells),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[PageLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn pdf_dates_become_iso_8601() {
        assert_eq!(
            pdf_date("D:20180127120000+01'00'"),
            "2018-01-27T12:00:00+01:00"
        );
        assert_eq!(pdf_date("D:20240315"), "2024-03-15");
        assert_eq!(pdf_date("D:20240315093000Z"), "2024-03-15T09:30:00Z");
        assert_eq!(pdf_date("garbage"), "garbage");
    }

    #[test]
    fn tounicode_cmap_maps_chars_ranges_and_arrays() {
        let cmap = CMap::parse(
            b"begincodespacerange <0000> <FFFF> endcodespacerange\n\
              2 beginbfchar <0003> <0020> <0011> <00E9> endbfchar\n\
              2 beginbfrange <0024> <0026> <0041> <0030> <0031> [<20AC> <0066006C>] endbfrange",
        );
        assert_eq!(cmap.lookup(2, 0x11).as_deref(), Some("é"));
        assert_eq!(cmap.lookup(2, 0x25).as_deref(), Some("B"));
        assert_eq!(cmap.lookup(2, 0x30).as_deref(), Some("€"));
        assert_eq!(cmap.lookup(2, 0x31).as_deref(), Some("fl"));
        assert_eq!(cmap.lookup(2, 0x99), None);
        assert_eq!(cmap.code_len(&[0x00, 0x11], 1), 2);
    }

    #[test]
    fn fake_bold_duplicates_are_dropped_but_repeated_letters_kept() {
        let run = |x: f32, text: &str| Run {
            x,
            end_x: x + 6.0,
            y: 100.0,
            size: 12.0,
            text: text.into(),
        };
        // "Free" drawn glyph by glyph: the two "e" are distinct letters.
        let lines = layout(vec![
            run(0.0, "F"),
            run(6.0, "r"),
            run(12.0, "e"),
            run(18.0, "e"),
        ]);
        assert_eq!(texts(&lines), vec!["Free"]);
        // A stray space glyph drawn over a word does not split it.
        let lines = layout(vec![run(0.0, "F"), run(2.0, " "), run(6.0, "actuur")]);
        assert_eq!(texts(&lines), vec!["Factuur"]);
        // The same word drawn twice, one point apart, is one word.
        let lines = layout(vec![run(0.0, "Total"), run(0.5, "Total")]);
        assert_eq!(texts(&lines), vec!["Total"]);
    }
}
