//! Standalone XML: e-invoices (CII: Factur-X/ZUGFeRD/XRechnung, UBL) parsed into
//! invoice fields; any other XML as the text of its elements.

use super::{bank, facturx};
use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{BlockKind, Document, Format, Place};
use crate::textdecode;
use crate::xml::{self, Element, Node};

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let mut doc = Document::new(Format::Xml);
    let text = textdecode::decode(bytes).text;
    let root = xml::parse(&text, limits.max_depth).map_err(|e| DocError::corrupt("XML", e))?;
    if let Some((kind, body)) = bank::camt::message_kind(&root) {
        bank::camt::read_into(kind, body, &mut doc)?;
        doc.push_block(
            BlockKind::Paragraph,
            bank::mt940::statement_text(&doc),
            Place::default(),
        );
        return Ok(doc);
    }
    doc.invoice = facturx::parse_invoice_xml("", &text, limits);
    if let Some(inv) = doc.invoice.as_mut() {
        // The XML is the document itself: no need to carry it twice.
        inv.raw_xml.clear();
    }
    let mut path = vec![root.name.clone()];
    leaf_fields(&root, &mut path, &mut doc);
    Ok(doc)
}

/// One field per element that holds text directly, named by its element path.
fn leaf_fields(el: &Element, path: &mut Vec<String>, doc: &mut Document) {
    let own: String = el
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::Elem(_) => None,
        })
        .collect();
    let own = own.trim();
    if !own.is_empty() {
        doc.push_block(
            BlockKind::Field {
                path: path.join("/"),
            },
            own,
            Place::default(),
        );
    }
    for child in el.elements() {
        path.push(child.name.clone());
        leaf_fields(child, path, doc);
        path.pop();
    }
}
