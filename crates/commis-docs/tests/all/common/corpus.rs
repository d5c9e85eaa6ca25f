//! A hostile-file corpus generated at test time: small files crafted to make a reader
//! allocate, inflate, recurse or loop without bound. Nothing large is committed; the
//! bombs are built here (deflate streams are written by hand, so a 64 MiB bomb costs
//! a few hundred kilobytes and no compression time).
//!
//! Shared by commis-docs's `hostile` tests (in process) and the `commis` binary's
//! tests (`extract`, `run`, `serve`, `mcp` through the worker).
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

/// One crafted file.
pub struct Hostile {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    /// True when only a worker process can contain it (an allocation abort or a
    /// stack overflow inside a dependency): never read it in a test's own process.
    pub worker_only: bool,
}

/// Every crafted file. `fixtures` is the repository's `tests/fixtures` folder (one
/// real XLS is patched to declare a huge range).
pub fn corpus(fixtures: &Path) -> Vec<Hostile> {
    let h = |name, bytes| Hostile {
        name,
        bytes,
        worker_only: false,
    };
    let mut out = vec![
        h(
            "range-A1-XFD1048576.xlsx",
            xlsx_with_cells(&[(0, 0), (1_048_575, 16_383)]),
        ),
        h("stray-cells.xlsx", xlsx_with_cells(&stray_cells())),
        h("giant-cell.xlsx", xlsx_giant_cell()),
        h("range.ods", ods_huge_range()),
        h("deflate-bomb.docx", docx_deflate_bomb(false)),
        h("lying-bomb.docx", docx_deflate_bomb(true)),
        h("zip-bomb.xlsx", zip_many_members()),
        h(
            "stream-bomb.pdf",
            pdf_with_content(&zlib_repeat(b"\0", 64 << 20)),
        ),
        h(
            "glyph-flood.pdf",
            pdf_with_content(&zlib_repeat(b"BT /F1 1 Tf (aaaaaaaa) Tj ET\n", 12 << 20)),
        ),
        h("deep-xml.docx", docx_deep_xml()),
        h("laughs.xml", billion_laughs()),
        h(
            "deep.html",
            format!("{}x", "<div>".repeat(200_000)).into_bytes(),
        ),
        h(
            "deep.json",
            format!("{}1{}", "[".repeat(200_000), "]".repeat(200_000)).into_bytes(),
        ),
        h("giant-line.csv", giant_line_csv()),
        h("deep.eml", deep_eml()),
        h("deep.rtf", deep_rtf()),
        h("huge.png", png_huge()),
        h("huge.jpg", jpeg_huge()),
        h("huge.gif", gif_huge()),
    ];
    out.push(Hostile {
        name: "deep-pages.pdf",
        bytes: pdf_deep_pages(100_000),
        worker_only: true,
    });
    if let Ok(xls) = std::fs::read(fixtures.join("office/calamine/any_sheets.xls")) {
        out.push(Hostile {
            name: "range.xls",
            bytes: xls_huge_range(xls),
            worker_only: true,
        });
    }
    out
}

// ------------------------------------------------------------------ deflate by hand

/// Writes bits least-significant first, as deflate wants.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn new() -> Self {
        Bits {
            out: Vec::new(),
            acc: 0,
            n: 0,
        }
    }
    fn put(&mut self, value: u32, len: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code: written most-significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let mut rev = 0;
        for i in 0..len {
            rev |= ((code >> i) & 1) << (len - 1 - i);
        }
        self.put(rev, len);
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

fn literal(bits: &mut Bits, byte: u8) {
    let b = u32::from(byte);
    if b < 144 {
        bits.code(0x30 + b, 8);
    } else {
        bits.code(0x190 + b - 144, 9);
    }
}

/// Distance code and extra bits for a distance of 1..=32768.
fn distance(bits: &mut Bits, d: u32) {
    let (code, base, extra) = if d <= 4 {
        (d - 1, d, 0)
    } else {
        let e = 31 - (d - 1).leading_zeros() - 1;
        let half = ((d - 1) >> e) & 1;
        (2 * e + 2 + half, ((2 + half) << e) + 1, e)
    };
    bits.code(code, 5);
    if extra > 0 {
        bits.put(d - base, extra);
    }
}

/// A raw deflate stream of `pattern` repeated to `total` bytes (one fixed-Huffman
/// block of maximal back-references).
pub fn deflate_repeat(pattern: &[u8], total: usize) -> Vec<u8> {
    let mut bits = Bits::new();
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman codes
    let first = pattern.len().min(total);
    for b in &pattern[..first] {
        literal(&mut bits, *b);
    }
    let mut left = total - first;
    let dist = pattern.len() as u32;
    while left >= 3 {
        let len = left.min(258);
        length_code(&mut bits, len as u32);
        distance(&mut bits, dist);
        left -= len;
    }
    let done = total - left;
    for i in 0..left {
        literal(&mut bits, pattern[(done + i) % pattern.len()]);
    }
    bits.code(0, 7); // end of block
    bits.finish()
}

fn length_code(bits: &mut Bits, len: u32) {
    const BASE: [u32; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const EXTRA: [u32; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    let i = BASE.iter().rposition(|b| *b <= len).unwrap_or(0);
    let sym = 257 + i as u32;
    if sym < 280 {
        bits.code(sym - 256, 7);
    } else {
        bits.code(0xC0 + sym - 280, 8);
    }
    if EXTRA[i] > 0 {
        bits.put(len - BASE[i], EXTRA[i]);
    }
}

/// The same as a zlib stream (what PDF's FlateDecode reads).
pub fn zlib_repeat(pattern: &[u8], total: usize) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    out.extend(deflate_repeat(pattern, total));
    let (mut a, mut b) = (1u32, 0u32);
    // Adler-32 of the repeated pattern, a period at a time.
    let mut left = total;
    while left > 0 {
        for byte in pattern.iter().take(left) {
            a = (a + u32::from(*byte)) % 65521;
            b = (b + a) % 65521;
        }
        left -= pattern.len().min(left);
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

// ------------------------------------------------------------------ zip packages

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// One member of a hand-written zip: name, method (0 stored, 8 deflate), the bytes
/// as stored, the size it declares once inflated, and its CRC.
type Member<'a> = (&'a str, u16, &'a [u8], u32, u32);

fn stored<'a>(name: &'a str, data: &'a [u8]) -> Member<'a> {
    (name, 0, data, data.len() as u32, crc32(data))
}

/// A zip written by hand, so bombs need no compression at test time. The CRC of an
/// inflated bomb is left at 0: readers stop at their size limit long before.
fn zip_hand(members: &[Member<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, method, data, size, crc) in members {
        let offset = out.len() as u32;
        let mut fields = Vec::new();
        fields.extend(0u16.to_le_bytes()); // flags
        fields.extend(method.to_le_bytes());
        fields.extend([0, 0, 0x21, 0]); // time, date
        fields.extend(crc.to_le_bytes());
        fields.extend((data.len() as u32).to_le_bytes());
        fields.extend(size.to_le_bytes());
        fields.extend((name.len() as u16).to_le_bytes());
        out.extend(b"PK\x03\x04");
        out.extend(20u16.to_le_bytes());
        out.extend(&fields);
        out.extend(0u16.to_le_bytes());
        out.extend(name.as_bytes());
        out.extend(*data);
        central.extend(b"PK\x01\x02");
        central.extend(20u16.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        central.extend(&fields);
        central.extend([0u8; 12]);
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let start = out.len() as u32;
    let n = members.len() as u16;
    out.extend(&central);
    out.extend(b"PK\x05\x06");
    out.extend([0u8; 4]);
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const ROOT_RELS_XLSX: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const ROOT_RELS_DOCX: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

fn col_name(mut c: u32) -> String {
    let mut s = Vec::new();
    c += 1;
    while c > 0 {
        s.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

fn sheet_xml(cells: &[(u32, u32)]) -> String {
    let mut rows = std::collections::BTreeMap::<u32, Vec<u32>>::new();
    for (r, c) in cells {
        rows.entry(*r).or_default().push(*c);
    }
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, cols) in rows {
        xml.push_str(&format!("<row r=\"{}\">", r + 1));
        for c in cols {
            xml.push_str(&format!("<c r=\"{}{}\"><v>1</v></c>", col_name(c), r + 1));
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

fn xlsx_with_sheet(sheet: &[u8]) -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS_XLSX.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

/// The 1.4 KB file that aborted every entry point: two cells, A1 and XFD1048576.
pub fn xlsx_with_cells(cells: &[(u32, u32)]) -> Vec<u8> {
    xlsx_with_sheet(sheet_xml(cells).as_bytes())
}

/// One cell in the last column of 5,000 rows: each row is 16,384 cells wide.
fn stray_cells() -> Vec<(u32, u32)> {
    (0..5_000).map(|r| (r * 200, 16_383)).collect()
}

/// One shared cell of 30 MB of text (compresses to a few kilobytes).
fn xlsx_giant_cell() -> Vec<u8> {
    let head = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#;
    let tail = "</t></is></c></row></sheetData></worksheet>";
    let mut sheet = head.as_bytes().to_vec();
    sheet.extend(std::iter::repeat_n(b'a', 30 << 20));
    sheet.extend(tail.as_bytes());
    xlsx_with_sheet(&sheet)
}

/// An ODS whose one row of 16,384 valued cells repeats 1,048,576 times.
fn ods_huge_range() -> Vec<u8> {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("mimetype", stored).unwrap();
    w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    w.start_file("content.xml", stored).unwrap();
    w.write_all(content.as_bytes()).unwrap();
    w.start_file("META-INF/manifest.xml", stored).unwrap();
    w.write_all(manifest.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

/// A docx whose document.xml inflates to 200 MB of spaces from 130 KB, declaring
/// its true size (`lie` false) or 1,000 bytes (`lie` true).
fn docx_deflate_bomb(lie: bool) -> Vec<u8> {
    let size: u32 = 200_000_000;
    let bomb = deflate_repeat(b" ", size as usize);
    let declared = if lie { 1_000 } else { size };
    zip_hand(&[
        stored("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        stored("_rels/.rels", ROOT_RELS_DOCX.as_bytes()),
        ("word/document.xml", 8, &bomb, declared, 0),
    ])
}

/// A workbook with 1,200 extra members of 1 MiB each (1.2 GiB declared, 1 MB on disk).
fn zip_many_members() -> Vec<u8> {
    let one = deflate_repeat(b"\0", 1 << 20);
    let names: Vec<String> = (0..1_200).map(|i| format!("xl/media/m{i}.bin")).collect();
    let sheet = sheet_xml(&[(0, 0)]);
    let mut members = vec![
        stored("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        stored("_rels/.rels", ROOT_RELS_XLSX.as_bytes()),
        stored("xl/workbook.xml", WORKBOOK.as_bytes()),
        stored("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        stored("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ];
    for name in &names {
        members.push((name, 8, &one, 1 << 20, 0));
    }
    zip_hand(&members)
}

/// A docx whose body nests 100,000 elements.
fn docx_deep_xml() -> Vec<u8> {
    let mut doc = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    doc.push_str(&"<w:p>".repeat(100_000));
    doc.push_str(&"</w:p>".repeat(100_000));
    doc.push_str("</w:body></w:document>");
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS_DOCX.as_bytes()),
        ("word/document.xml", doc.as_bytes()),
    ])
}

fn billion_laughs() -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    let mut prev = "lol".to_string();
    for i in 1..10 {
        let name = format!("lol{i}");
        s.push_str(&format!(
            " <!ENTITY {name} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
        prev = name;
    }
    s.push_str(&format!("]>\n<lolz>&{prev};</lolz>\n"));
    s.into_bytes()
}

/// 8 MiB on one line (the reader cuts it at the line limit).
fn giant_line_csv() -> Vec<u8> {
    let mut v = b"a;b\n".to_vec();
    v.extend(std::iter::repeat_n(b'x', 8 << 20));
    v.extend(b";1\n1;2\n");
    v
}

/// 5,000 nested multipart levels and a 2 MB header line.
fn deep_eml() -> Vec<u8> {
    let mut s = String::from("From: a@example.org\r\nTo: b@example.org\r\nSubject: ");
    s.push_str(&"x".repeat(2 << 20));
    s.push_str("\r\nMIME-Version: 1.0\r\n");
    for i in 0..5_000 {
        s.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    s.push_str("Content-Type: text/plain\r\n\r\nhello\r\n");
    s.into_bytes()
}

/// 200,000 nested groups and a \bin that claims 4 GB.
fn deep_rtf() -> Vec<u8> {
    let mut s = String::from("{\\rtf1\\ansi ");
    s.push_str(&"{\\b ".repeat(200_000));
    s.push_str("deep\\bin4000000000 ");
    s.push_str(&"}".repeat(200_000));
    s.push('}');
    s.into_bytes()
}

fn png_huge() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(0x7FFF_FFFFu32.to_be_bytes());
    ihdr.extend(0x7FFF_FFFFu32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    v.extend(13u32.to_be_bytes());
    v.extend(&ihdr);
    v.extend(crc32(&ihdr).to_be_bytes());
    let idat = b"IDAT";
    let data = zlib_repeat(b"\0", 4 << 20);
    v.extend((data.len() as u32).to_be_bytes());
    let mut chunk = idat.to_vec();
    chunk.extend(&data);
    v.extend(&chunk);
    v.extend(crc32(&chunk).to_be_bytes());
    v.extend(0u32.to_be_bytes());
    v.extend(b"IEND");
    v.extend(crc32(b"IEND").to_be_bytes());
    v
}

fn jpeg_huge() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8];
    // An EXIF segment whose IFD claims 65,535 entries pointing past the end.
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
    exif.extend(0xFFFFu16.to_le_bytes());
    exif.extend([0u8; 64]);
    v.extend([0xFF, 0xE1]);
    v.extend(((exif.len() + 2) as u16).to_be_bytes());
    v.extend(&exif);
    // SOF0: 65,535 x 65,535 pixels, 3 components.
    v.extend([0xFF, 0xC0, 0, 17, 8, 0xFF, 0xFF, 0xFF, 0xFF, 3]);
    v.extend([1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
    v.extend([0xFF, 0xD9]);
    v
}

fn gif_huge() -> Vec<u8> {
    let mut v = b"GIF89a".to_vec();
    v.extend(0xFFFFu16.to_le_bytes());
    v.extend(0xFFFFu16.to_le_bytes());
    v.extend([0, 0, 0]);
    v.extend([0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0]);
    v.extend([2, 1, 0, 0, 0x3B]);
    v
}

/// A one-page PDF whose content stream is `stream` (zlib), with a font /F1.
fn pdf_with_content(stream: &[u8]) -> Vec<u8> {
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        {
            let mut s = format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", stream.len())
                .into_bytes();
            s.extend(stream);
            s.extend(b"\nendstream");
            s
        },
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    pdf_of(&objects, 1)
}

/// A page tree 100,000 levels deep (each Pages node has one Pages kid).
fn pdf_deep_pages(depth: usize) -> Vec<u8> {
    let mut objects = vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()];
    for i in 0..depth {
        let id = i + 2;
        objects.push(format!("<< /Type /Pages /Kids [{} 0 R] /Count 1 >>", id + 1).into_bytes());
    }
    objects.push(b"<< /Type /Page /MediaBox [0 0 10 10] >>".to_vec());
    pdf_of(&objects, 1)
}

fn pdf_of(objects: &[Vec<u8>], root: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

/// A real XLS whose NUMBER records are moved to row 65,536, column 65,536: calamine
/// lays the sheet out densely (4 billion cells).
fn xls_huge_range(mut xls: Vec<u8>) -> Vec<u8> {
    let mut i = 0;
    while i + 8 <= xls.len() {
        if xls[i..i + 4] == [0x03, 0x02, 0x0E, 0x00] {
            xls[i + 4..i + 8].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
            i += 18;
        } else {
            i += 1;
        }
    }
    xls
}

#[cfg(test)]
mod tests {}
