//! The one document model every reader fills in.

use serde::{Deserialize, Serialize};

/// The kind of file a document was read as, detected from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Docx,
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Odt,
    Odp,
    Pptx,
    Csv,
    Tsv,
    Rtf,
    Txt,
    Markdown,
    Html,
    Eml,
    Json,
    /// XML other than HTML and Office parts (e-invoices such as XRechnung, UBL,
    /// ISO 20022 CAMT bank statements).
    Xml,
    /// Open Financial Exchange bank statement (OFX 1.x SGML, OFX 2.x XML, QFX).
    Ofx,
    /// SWIFT MT940/MT942 bank statement.
    Mt940,
    Png,
    Jpeg,
    Gif,
    Webp,
    /// TIFF picture (scanners' multi-page format).
    Tiff,
}

impl Format {
    /// A short lowercase name, as printed by `commis extract`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Xlsm => "xlsm",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Odt => "odt",
            Format::Odp => "odp",
            Format::Pptx => "pptx",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Rtf => "rtf",
            Format::Txt => "txt",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Eml => "eml",
            Format::Json => "json",
            Format::Xml => "xml",
            Format::Ofx => "ofx",
            Format::Mt940 => "mt940",
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Tiff => "tiff",
        }
    }

    /// Whether the format is a picture (no text layer without OCR).
    pub fn is_image(self) -> bool {
        matches!(
            self,
            Format::Png | Format::Jpeg | Format::Gif | Format::Webp | Format::Tiff
        )
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Descriptive facts about a document; every field is optional because formats differ.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    /// Creation date, ISO 8601 when the source allows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last modification date, ISO 8601 when the source allows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Software that produced the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheets: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sheet_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slides: Option<u32>,
    /// Mail sender (EML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Mail recipients (EML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cc: Option<String>,
    /// Image width in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Image height in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Text encoding a plain-text file was decoded from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Field delimiter of a CSV/TSV file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// Whether numbers in a CSV use a decimal comma ("1 234,56").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decimal_comma: Option<bool>,
    /// PDF pages (1-based) that have no text layer: scanned or image-only pages, the
    /// ones OCR reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages_without_text: Vec<u32>,
}

/// Where a block or table sits in its document (1-based numbers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slide: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// A1-style cell reference, for text that comes from one cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Document part the text comes from: "header", "footer", "notes", "comments", "body"...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
}

impl Place {
    /// A place on a given page.
    pub fn page(page: u32) -> Self {
        Place {
            page: Some(page),
            ..Place::default()
        }
    }

    /// A place on a given slide.
    pub fn slide(slide: u32) -> Self {
        Place {
            slide: Some(slide),
            ..Place::default()
        }
    }

    /// A place on a named sheet.
    pub fn sheet(name: &str) -> Self {
        Place {
            sheet: Some(name.to_string()),
            ..Place::default()
        }
    }
}

/// What role a block of text plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockKind {
    Title,
    Heading {
        level: u8,
    },
    Paragraph,
    ListItem {
        level: u8,
    },
    /// Speaker notes, footnotes, endnotes.
    Note,
    /// A reviewer comment.
    Comment,
    /// Text from one spreadsheet cell worth showing on its own (cell comments).
    Cell,
    /// A line of text from a page layout (PDF).
    Line,
    /// A mail header line ("From: ...").
    Header,
    /// A value at a JSON path.
    Field {
        path: String,
    },
    /// Marks where `tables[index]` sits in the flow of text; the block's text is empty.
    Table {
        index: usize,
    },
}

/// One piece of text with its role and place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    pub place: Place,
    /// Set when the text was read by OCR from a picture or a scanned page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<OcrMark>,
}

/// How a block read by OCR was read: how sure the engine is and where it sits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrMark {
    /// Mean confidence of the block's words, 0 to 1.
    pub confidence: f32,
    /// Lowest confidence of the block's words that hold a digit (amounts, dates,
    /// numbers), 0 to 1; `None` when no word has a digit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digits_confidence: Option<f32>,
    /// Box of the line on the upright page image: left, top, width, height in pixels.
    pub bbox: [u32; 4],
}

/// What OCR did on a document (pictures and pages without a text layer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OcrSummary {
    /// The engine and its version ("tesseract 5.3.0").
    pub engine: String,
    /// Languages it read with ("fra+eng").
    pub languages: String,
    /// Pages (or pictures) read by OCR.
    pub pages: u32,
    /// Pages that could not be read (time limit, engine failure), 1-based.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_pages: Vec<u32>,
    /// Mean word confidence over the document, 0 to 1.
    pub confidence: f32,
    /// Whether the result came from the OCR cache (the same bytes were read before).
    #[serde(default)]
    pub cached: bool,
}

/// The kind of value a table cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    Empty,
    Text,
    Number,
    Bool,
    /// A date or date-time, `text` is ISO 8601.
    Date,
    /// A duration, `text` is `[h]:mm:ss`.
    Duration,
    /// A spreadsheet error value such as `#DIV/0!`.
    Error,
}

/// One table cell: its text as a reader would see it, and its number when it is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub kind: CellKind,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<f64>,
}

impl Cell {
    /// An empty cell.
    pub fn empty() -> Self {
        Cell {
            kind: CellKind::Empty,
            text: String::new(),
            number: None,
        }
    }

    /// A text cell.
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        if text.is_empty() {
            return Cell::empty();
        }
        Cell {
            kind: CellKind::Text,
            text,
            number: None,
        }
    }

    /// A number cell, with its text rendered without trailing zeros.
    pub fn number(value: f64) -> Self {
        Cell {
            kind: CellKind::Number,
            text: format_number(value),
            number: Some(value),
        }
    }
}

/// A rectangle of merged cells, 0-based inclusive row/column indexes in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedRange {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

/// A table: a sheet, a Word/PowerPoint table, a CSV file, or rows of a PDF page
/// whose columns line up (cells are text; `origin` and `merged` stay empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub place: Place,
    /// Spreadsheet coordinates of the top-left cell ("A1"), when the table is a sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub rows: Vec<Vec<Cell>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<MergedRange>,
}

/// One invoice line from an embedded invoice XML.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceLine {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_amount: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<String>,
}

/// Structured invoice fields from the XML embedded in a hybrid invoice PDF: CII
/// (Factur-X, ZUGFeRD, XRechnung) or UBL 2.1.
///
/// Amounts are kept as the decimal strings of the XML ("529.87") so nothing is lost to
/// floating point; the caller parses them when it computes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceData {
    /// Name of the embedded file ("factur-x.xml", "ZUGFeRD-invoice.xml"...).
    pub xml_name: String,
    /// Guideline/profile URN from the XML context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// Document type code (380 invoice, 381 credit note...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_code: Option<String>,
    /// Issue date, ISO 8601 (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<String>,
    /// Payment due date, ISO 8601.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller_name: Option<String>,
    /// Seller's VAT identifier (scheme VA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller_vat_id: Option<String>,
    /// Seller's national tax number (scheme FC), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller_tax_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Sum of line net amounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_total: Option<String>,
    /// Total without tax (tax basis).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_total: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_total: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grand_total: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_amount: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<InvoiceLine>,
    /// The embedded XML as it was stored.
    pub raw_xml: String,
}

/// One booked line of a bank statement.
///
/// Amounts are decimal strings with a dot ("-1234.56"), negative for money leaving the
/// account, so nothing is lost to floating point.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BankTransaction {
    /// Booking date, ISO 8601 (YYYY-MM-DD).
    pub date: String,
    /// Value date, ISO 8601, when the bank gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_date: Option<String>,
    /// Signed amount: positive for a credit (money in), negative for a debit.
    pub amount: String,
    /// ISO 4217 currency code, when the source gives or implies one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// What the bank wrote about the operation (payee, purpose...), on one line.
    pub label: String,
    /// Remittance or end-to-end reference, when the source has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Name of the other party (payer or payee), when the source gives it apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    /// Account this line was booked on (IBAN or bank account number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// One statement (one account over one period) of a bank statement file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BankStatement {
    /// Layout read: "camt.053", "camt.052", "camt.054", "mt940", "mt942", "ofx", "csv".
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// First day covered, ISO 8601.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_start: Option<String>,
    /// Last day covered, ISO 8601.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_end: Option<String>,
    /// Balance before the first line (signed decimal string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opening_balance: Option<String>,
    /// Balance after the last line (signed decimal string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closing_balance: Option<String>,
    /// How many of the document's `transactions` belong to this statement.
    pub transaction_count: usize,
}

/// A file attached to or embedded in a document (mail attachment, PDF embedded file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Size in bytes, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// Everything commis-docs could read from one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub format: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub metadata: Metadata,
    pub blocks: Vec<Block>,
    pub tables: Vec<Table>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice: Option<InvoiceData>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentInfo>,
    /// The statements of a bank statement file (CAMT, MT940, OFX, a bank's CSV export).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<BankStatement>,
    /// Every booked line of those statements, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transactions: Vec<BankTransaction>,
    /// Set when some of the text was read by OCR (see [`OcrSummary`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<OcrSummary>,
    /// Set when the document is a picture or has pages without a text layer and no
    /// OCR engine could read them: the text is incomplete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ocr_missing: bool,
    /// Things the reader skipped, truncated or could not do; the document is still usable.
    pub warnings: Vec<String>,
}

impl Document {
    /// An empty document of a given format.
    pub fn new(format: Format) -> Self {
        Document {
            format,
            title: None,
            metadata: Metadata::default(),
            blocks: Vec::new(),
            tables: Vec::new(),
            invoice: None,
            attachments: Vec::new(),
            statements: Vec::new(),
            transactions: Vec::new(),
            ocr: None,
            ocr_missing: false,
            warnings: Vec::new(),
        }
    }

    /// Appends a block unless its text is blank.
    pub fn push_block(&mut self, kind: BlockKind, text: impl Into<String>, place: Place) {
        let text = text.into();
        if text.trim().is_empty() {
            return;
        }
        self.blocks.push(Block {
            kind,
            text,
            place,
            ocr: None,
        });
    }

    /// Appends a table and a `BlockKind::Table` marker so readers keep its position.
    pub fn push_table_in_flow(&mut self, table: Table) {
        let place = table.place.clone();
        self.tables.push(table);
        self.blocks.push(Block {
            kind: BlockKind::Table {
                index: self.tables.len() - 1,
            },
            text: String::new(),
            place,
            ocr: None,
        });
    }

    /// Readable text: blocks in order, each table as tab-separated rows (a PDF's
    /// tables as the lines they are on the page, cells two spaces apart), grouped by
    /// page, slide or sheet so a reader (or a model) can follow the document.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        if let Some(title) = &self.title
            && !self.blocks.iter().any(|b| &b.text == title)
        {
            out.push_str(title);
            out.push_str("\n\n");
        }
        // Groups in document order: unplaced text first, then pages/slides by number,
        // then sheets in workbook order.
        let mut groups: Vec<GroupKey> = Vec::new();
        for place in self
            .blocks
            .iter()
            .map(|b| &b.place)
            .chain(self.tables.iter().map(|t| &t.place))
        {
            let key = GroupKey::of(place);
            if !groups.contains(&key) {
                groups.push(key);
            }
        }
        let sheet_rank = |name: &str| {
            self.metadata
                .sheet_names
                .iter()
                .position(|n| n == name)
                .unwrap_or(usize::MAX)
        };
        groups.sort_by_key(|g| g.rank(&sheet_rank));
        let mut written = vec![false; self.tables.len()];
        // PDF tables are found in the page layout: their rows read as the lines they
        // were, so the text stays what the page shows.
        let layout_rows = self.format == Format::Pdf;
        let labelled = groups.len() > 1 || groups.iter().any(|g| matches!(g, GroupKey::Sheet(_)));
        for group in &groups {
            if labelled && let Some(label) = group.label() {
                if !out.is_empty() && !out.ends_with("\n\n") {
                    out.push('\n');
                }
                out.push_str(&format!("--- {label} ---\n"));
            }
            for block in self
                .blocks
                .iter()
                .filter(|b| GroupKey::of(&b.place) == *group)
            {
                if let BlockKind::Table { index } = block.kind {
                    if let Some(table) = self.tables.get(index)
                        && !written[index]
                    {
                        write_table(&mut out, table, layout_rows);
                        written[index] = true;
                    }
                    continue;
                }
                write_block(&mut out, block);
            }
            for (i, table) in self.tables.iter().enumerate() {
                if !written[i] && GroupKey::of(&table.place) == *group {
                    write_table(&mut out, table, layout_rows);
                    written[i] = true;
                }
            }
        }
        if !self.attachments.is_empty() {
            out.push_str("\nAttachments:\n");
            for a in &self.attachments {
                out.push_str("- ");
                out.push_str(&a.name);
                if let Some(size) = a.size {
                    out.push_str(&format!(" ({size} bytes)"));
                }
                out.push('\n');
            }
        }
        if let Some(inv) = &self.invoice {
            out.push_str("\nEmbedded invoice data (");
            out.push_str(&inv.xml_name);
            out.push_str("):\n");
            let fields = [
                ("invoice number", &inv.invoice_number),
                ("issue date", &inv.issue_date),
                ("due date", &inv.due_date),
                ("seller", &inv.seller_name),
                ("buyer", &inv.buyer_name),
                ("currency", &inv.currency),
                ("net total", &inv.net_total),
                ("tax total", &inv.tax_total),
                ("grand total", &inv.grand_total),
                ("due amount", &inv.due_amount),
            ];
            for (label, value) in fields {
                if let Some(v) = value {
                    out.push_str(&format!("{label}: {v}\n"));
                }
            }
        }
        out
    }

    /// The whole model as pretty JSON (what `commis extract --json` prints).
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail; fall back to an
        // empty object rather than panic if it ever did.
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// Total characters of text in blocks and table cells.
    pub fn text_len(&self) -> usize {
        let blocks: usize = self.blocks.iter().map(|b| b.text.chars().count()).sum();
        let cells: usize = self
            .tables
            .iter()
            .flat_map(|t| t.rows.iter().flatten())
            .map(|c| c.text.chars().count())
            .sum();
        blocks + cells
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum GroupKey {
    None,
    Page(u32),
    Slide(u32),
    Sheet(String),
}

impl GroupKey {
    fn of(place: &Place) -> Self {
        if let Some(p) = place.page {
            GroupKey::Page(p)
        } else if let Some(s) = place.slide {
            GroupKey::Slide(s)
        } else if let Some(s) = &place.sheet {
            GroupKey::Sheet(s.clone())
        } else {
            GroupKey::None
        }
    }

    fn rank(&self, sheet_rank: &dyn Fn(&str) -> usize) -> (u8, usize) {
        match self {
            GroupKey::None => (0, 0),
            GroupKey::Page(p) => (1, *p as usize),
            GroupKey::Slide(s) => (2, *s as usize),
            GroupKey::Sheet(name) => (3, sheet_rank(name)),
        }
    }

    fn label(&self) -> Option<String> {
        match self {
            GroupKey::None => None,
            GroupKey::Page(p) => Some(format!("page {p}")),
            GroupKey::Slide(s) => Some(format!("slide {s}")),
            GroupKey::Sheet(s) => Some(format!("sheet {s}")),
        }
    }
}

fn write_block(out: &mut String, block: &Block) {
    match &block.kind {
        BlockKind::Heading { level } => {
            out.push_str(&"#".repeat(usize::from((*level).clamp(1, 6))));
            out.push(' ');
        }
        BlockKind::ListItem { level } => {
            out.push_str(&"  ".repeat(usize::from(*level)));
            out.push_str("- ");
        }
        BlockKind::Note => out.push_str("[note] "),
        BlockKind::Comment => out.push_str("[comment] "),
        BlockKind::Field { path } => {
            out.push_str(path);
            out.push_str(": ");
        }
        _ => {}
    }
    out.push_str(&block.text);
    out.push('\n');
}

fn write_table(out: &mut String, table: &Table, layout_rows: bool) {
    if layout_rows {
        for row in &table.rows {
            let cells: Vec<&str> = row
                .iter()
                .map(|c| c.text.as_str())
                .filter(|t| !t.is_empty())
                .collect();
            if !cells.is_empty() {
                out.push_str(&cells.join("  "));
                out.push('\n');
            }
        }
        return;
    }
    for row in &table.rows {
        let last = row.iter().rposition(|c| !c.text.is_empty());
        let Some(last) = last else {
            continue;
        };
        let cells: Vec<String> = row[..=last]
            .iter()
            .map(|c| c.text.replace(['\t', '\n', '\r'], " "))
            .collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out.push('\n');
}

/// Renders a number the way a person writes it: no exponent for ordinary sizes, no
/// trailing ".0".
pub(crate) fn format_number(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod serde_tests {
    use super::*;

    /// The extraction worker sends documents as JSON: what is serialized must read back,
    /// optional parts left out included (a field without a default broke every read).
    #[test]
    fn a_document_read_back_from_its_json_is_the_same() {
        let mut plain = Document::new(Format::Pdf);
        plain.warnings.push("w".into());
        let json = serde_json::to_string(&plain).unwrap();
        let back: Document = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);

        let mut bank = Document::new(Format::Csv);
        bank.transactions.push(BankTransaction {
            date: "2024-03-01".into(),
            amount: "-12.50".into(),
            label: "CB".into(),
            ..Default::default()
        });
        bank.statements.push(BankStatement {
            source: "csv".into(),
            ..Default::default()
        });
        let json = serde_json::to_string(&bank).unwrap();
        let back: Document = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
}
