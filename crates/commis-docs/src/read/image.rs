//! Pictures: dimensions and the EXIF date. Their text is read by OCR outside this
//! reader (see [`crate::ocr`]): a reader works on bytes only and starts no program.

use crate::error::DocError;
use crate::model::{Document, Format};

pub(crate) fn read(format: Format, bytes: &[u8]) -> Result<Document, DocError> {
    let mut doc = Document::new(format);
    let dims = match format {
        Format::Png => png_size(bytes),
        Format::Jpeg => jpeg_size(bytes),
        Format::Gif => gif_size(bytes),
        Format::Webp => webp_size(bytes),
        Format::Tiff => tiff_size(bytes),
        _ => None,
    };
    match dims {
        Some((w, h)) => {
            doc.metadata.width = Some(w);
            doc.metadata.height = Some(h);
        }
        None => {
            return Err(DocError::corrupt(
                format.name(),
                "the image header is truncated or invalid",
            ));
        }
    }
    if format == Format::Jpeg || format == Format::Png || format == Format::Webp {
        doc.metadata.created = exif_date(bytes);
    }
    doc.warnings.push(crate::ocr::NOT_READ_YET.to_string());
    Ok(doc)
}

fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() < 24 || &b[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(b[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(b[20..24].try_into().ok()?);
    Some((w, h))
}

/// Width and height from the first image file directory of a TIFF file.
fn tiff_size(b: &[u8]) -> Option<(u32, u32)> {
    let little = b.starts_with(b"II");
    let u16_at = |i: usize| -> Option<u32> {
        let s: [u8; 2] = b.get(i..i + 2)?.try_into().ok()?;
        Some(u32::from(if little {
            u16::from_le_bytes(s)
        } else {
            u16::from_be_bytes(s)
        }))
    };
    let u32_at = |i: usize| -> Option<u32> {
        let s: [u8; 4] = b.get(i..i + 4)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::try_from(u16_at(ifd)?).ok()?;
    let (mut width, mut height) = (None, None);
    for i in 0..count.min(512) {
        let entry = ifd + 2 + i * 12;
        let tag = u16_at(entry)?;
        let kind = u16_at(entry + 2)?;
        // SHORT (3) or LONG (4) values fit in the entry's last four bytes.
        let value = match kind {
            3 => u16_at(entry + 8)?,
            4 => u32_at(entry + 8)?,
            _ => continue,
        };
        match tag {
            256 => width = Some(value),
            257 => height = Some(value),
            _ => {}
        }
    }
    Some((width?, height?))
}

fn gif_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() < 10 {
        return None;
    }
    Some((
        u16::from_le_bytes([b[6], b[7]]) as u32,
        u16::from_le_bytes([b[8], b[9]]) as u32,
    ))
}

fn webp_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() < 30 {
        return None;
    }
    match &b[12..16] {
        b"VP8 " => Some((
            (u16::from_le_bytes([b[26], b[27]]) & 0x3fff) as u32,
            (u16::from_le_bytes([b[28], b[29]]) & 0x3fff) as u32,
        )),
        b"VP8L" => {
            let v = u32::from_le_bytes(b[21..25].try_into().ok()?);
            Some(((v & 0x3fff) + 1, ((v >> 14) & 0x3fff) + 1))
        }
        b"VP8X" => {
            let w = u32::from_le_bytes([b[24], b[25], b[26], 0]) + 1;
            let h = u32::from_le_bytes([b[27], b[28], b[29], 0]) + 1;
            Some((w, h))
        }
        _ => None,
    }
}

fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7) {
            i += 2;
            continue;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        // Start-of-frame markers carry the dimensions (C4, C8 and CC are not frames).
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = u16::from_be_bytes([b[i + 5], b[i + 6]]) as u32;
            let w = u16::from_be_bytes([b[i + 7], b[i + 8]]) as u32;
            return Some((w, h));
        }
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

fn exif_date(bytes: &[u8]) -> Option<String> {
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .ok()?;
    let field = exif
        .get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY)
        .or_else(|| exif.get_field(exif::Tag::DateTime, exif::In::PRIMARY))?;
    if let exif::Value::Ascii(ref v) = field.value
        && let Some(raw) = v.first()
        && let Ok(dt) = exif::DateTime::from_ascii(raw)
    {
        return Some(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second
        ));
    }
    None
}
