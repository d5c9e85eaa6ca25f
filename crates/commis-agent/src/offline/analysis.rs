//! The offline planner's look at the folder: every file read once, its type, its client,
//! its invoice fields (Factur-X XML first, then text), duplicates by content. The result is
//! kept in the plan's context, so every step and every resumed run sees the same facts.

use std::collections::BTreeMap;

use commis_core::EventKind;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::context::RunContext;
use crate::tools::ToolError;

/// Largest file the survey reads (bigger ones are listed, not read).
const SURVEY_MAX_BYTES: u64 = 48 * 1024 * 1024;

/// Invoice fields as the planner uses them (amounts in the document's currency).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceFacts {
    pub issuer: Option<String>,
    pub client: Option<String>,
    pub number: Option<String>,
    pub date: Option<String>,
    pub due_date: Option<String>,
    pub net: Option<f64>,
    pub vat: Option<f64>,
    pub total: Option<f64>,
    pub currency: Option<String>,
    /// `factur-x` (embedded XML) or `text` (read from the visible text).
    pub source: String,
    /// Seller's VAT number (from the XML), which tells a sale from a purchase.
    #[serde(default)]
    pub issuer_vat_id: Option<String>,
    /// UNTDID 1001 type code from the XML (380 invoice, 381 credit note...).
    #[serde(default)]
    pub type_code: Option<String>,
    /// What remains to pay, when the document says so.
    #[serde(default)]
    pub due: Option<f64>,
    /// Line net amounts with their VAT rate (decimal strings), from the XML.
    #[serde(default)]
    pub lines: Vec<(Option<String>, Option<String>)>,
    /// Why the amounts must be checked by a person before they count (read by OCR with
    /// a low confidence, and net + VAT ≠ total); `None` when they can be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amounts_to_check: Option<String>,
}

impl InvoiceFacts {
    /// The fields as commis-skills types them (see [`commis_skills::money::type_invoice`]):
    /// amounts as exact decimals, the credit-note sign and the currency kept.
    pub fn raw(&self, file: &str, kind: &str) -> commis_skills::money::RawInvoice {
        let dec = |v: Option<f64>| v.map(|v| format!("{v:.2}"));
        commis_skills::money::RawInvoice {
            file: file.to_string(),
            issuer: self.issuer.clone(),
            issuer_vat_id: self.issuer_vat_id.clone(),
            buyer: self.client.clone(),
            number: self.number.clone(),
            type_code: self.type_code.clone(),
            credit_note: kind == "credit_note",
            date: self.date.clone(),
            due_date: self.due_date.clone(),
            currency: self.currency.clone(),
            net: dec(self.net),
            vat: dec(self.vat),
            total: dec(self.total),
            due: dec(self.due),
            lines: self.lines.clone(),
            source: self.source.clone(),
            amounts_to_check: self.amounts_to_check.is_some(),
        }
    }
}

/// What the survey learnt about one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    pub path: String,
    pub size: u64,
    pub hash: String,
    /// Document type, snake_case (`invoice`, `quote`, `meeting_transcript`...).
    pub kind: String,
    pub kind_confidence: f32,
    pub kind_reason: String,
    pub client: Option<String>,
    pub client_confidence: f32,
    pub client_reason: String,
    /// The document's own date (ISO), when one stands out.
    pub date: Option<String>,
    pub invoice: Option<InvoiceFacts>,
    /// Set when the file is a byte-identical copy of another.
    pub duplicate_of: Option<String>,
    /// Why the file could not be read, if it could not.
    pub error: Option<String>,
    /// Mean OCR confidence (0 to 1) when some of its text was read by OCR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<f32>,
    /// A picture or a scan whose text could not be read (no OCR engine).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unread_scan: bool,
}

/// Every invoice and credit note of the survey typed from the business's point of view
/// (sale or purchase, « Avoir » negative, currency kept, figures checked). `business`
/// defaults to the company the survey found as the folder's owner.
pub fn ledger(
    analysis: &Analysis,
    business: Option<&commis_skills::money::Business>,
) -> Vec<commis_skills::money::LedgerEntry> {
    let inferred = commis_skills::money::Business {
        name: analysis.own_company.clone(),
        ..Default::default()
    };
    let business = business.unwrap_or(&inferred);
    analysis
        .files
        .iter()
        .filter(|f| f.duplicate_of.is_none())
        .filter_map(|f| {
            let inv = f.invoice.as_ref()?;
            if !matches!(
                f.kind.as_str(),
                "invoice" | "supplier_invoice" | "credit_note"
            ) {
                return None;
            }
            Some(commis_skills::money::type_invoice(
                &inv.raw(&f.path, &f.kind),
                business,
            ))
        })
        .collect()
}

/// The whole survey.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub files: Vec<FileFacts>,
    /// The business whose folder this is (the issuer of most documents).
    pub own_company: Option<String>,
}

impl Analysis {
    pub fn from_context(value: &serde_json::Value) -> Option<Analysis> {
        serde_json::from_value(value.get("analysis")?.clone()).ok()
    }
}

fn kind_name(kind: &impl Serialize) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".to_string())
}

/// Factur-X amounts are plain decimals ("1234.56").
fn parse_decimal(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn invoice_from_xml(data: &commis_docs::InvoiceData) -> InvoiceFacts {
    InvoiceFacts {
        issuer: data.seller_name.clone(),
        client: data.buyer_name.clone(),
        number: data.invoice_number.clone(),
        date: data.issue_date.clone(),
        due_date: data.due_date.clone(),
        net: data.net_total.as_deref().and_then(parse_decimal),
        vat: data.tax_total.as_deref().and_then(parse_decimal),
        total: data.grand_total.as_deref().and_then(parse_decimal),
        currency: data.currency.clone(),
        source: "factur-x".into(),
        issuer_vat_id: data.seller_vat_id.clone(),
        type_code: data.type_code.clone(),
        due: data.due_amount.as_deref().and_then(parse_decimal),
        lines: data
            .lines
            .iter()
            .map(|l| (l.net_amount.clone(), l.tax_rate.clone()))
            .collect(),
        amounts_to_check: None,
    }
}

/// Below this OCR confidence (of the digits of the total's line) the amounts of a scan
/// are not used unless net + VAT = total confirms them.
pub const OCR_AMOUNT_CONFIDENCE: f32 = 0.9;

/// Whether the amounts read in a document's text by OCR can be used, and why not: they
/// can when net + VAT = total holds to the cent, or when the digits of the total's line
/// were read with a confidence of at least [`OCR_AMOUNT_CONFIDENCE`]. Amounts of text
/// that was not read by OCR are always usable (`None`).
pub(crate) fn ocr_amounts_doubt(
    f: &commis_skills::InvoiceFields,
    doc: &commis_docs::Document,
    french: bool,
) -> Option<String> {
    if doc.ocr.is_none() || f.total.is_none() {
        return None;
    }
    let cents = |a: &Option<commis_skills::Amount>| a.as_ref().map(|a| a.cents());
    if let (Some(n), Some(v), Some(t)) = (cents(&f.net), cents(&f.vat), cents(&f.total))
        && (n + v - t).abs() <= 1
    {
        return None;
    }
    // The OCR confidence of the digits on the line the total was read from.
    let line = f
        .evidence
        .iter()
        .find(|e| e.field == "total")
        .map(|e| e.text.trim().to_string());
    let confidence = line.and_then(|line| {
        doc.blocks
            .iter()
            .filter(|b| b.ocr.is_some())
            .find(|b| {
                let t = b.text.trim();
                !line.is_empty() && (t == line || t.starts_with(&line) || line.starts_with(t))
            })
            .and_then(|b| b.ocr.as_ref())
            .map(|m| m.digits_confidence.unwrap_or(m.confidence))
    });
    match confidence {
        Some(c) if c >= OCR_AMOUNT_CONFIDENCE => None,
        Some(c) => Some(if french {
            format!(
                "montants lus par OCR avec une confiance de {:.0} % et HT + TVA ≠ TTC : à vérifier sur le document",
                c * 100.0
            )
        } else {
            format!(
                "amounts read by OCR with a confidence of {:.0} % and net + VAT ≠ total: check them on the document",
                c * 100.0
            )
        }),
        None => Some(
            if french {
                "montants lus par OCR sans contrôle possible (HT + TVA ≠ TTC) : à vérifier sur le document"
            } else {
                "amounts read by OCR that cannot be cross-checked (net + VAT ≠ total): check them on the document"
            }
            .to_string(),
        ),
    }
}

fn invoice_from_fields(f: commis_skills::InvoiceFields) -> InvoiceFacts {
    InvoiceFacts {
        issuer: f.issuer,
        client: f.client,
        number: f.number,
        date: f.date,
        due_date: f.due_date,
        net: f.net.map(|a| a.value),
        vat: f.vat.map(|a| a.value),
        total: f.total.map(|a| a.value),
        currency: f.currency,
        source: "text".into(),
        issuer_vat_id: f.issuer_vat_id,
        type_code: None,
        due: f.amount_due.map(|a| a.value),
        lines: Vec::new(),
        amounts_to_check: None,
    }
}

const INVOICE_LIKE: &[&str] = &[
    "invoice",
    "supplier_invoice",
    "quote",
    "credit_note",
    "receipt",
    "purchase_order",
];

/// Reads and classifies every file of the granted folder, skipping `skip` (our own output).
pub fn analyze(ctx: &RunContext, skip: &[String]) -> Result<Analysis, ToolError> {
    let listing = ctx.workspace.list("", true)?;
    let files: Vec<_> = listing
        .into_iter()
        .filter(|f| !f.is_dir)
        .filter(|f| {
            !skip
                .iter()
                .any(|s| f.path == *s || f.path.starts_with(&format!("{s}/")))
        })
        .collect();
    let total = files.len() as u64;
    let mut facts = Vec::new();
    let mut texts = Vec::new();
    for (i, f) in files.iter().enumerate() {
        ctx.emit(EventKind::Progress {
            step: 0,
            done: i as u64 + 1,
            total,
            label: f.path.clone(),
        });
        let mut fact = FileFacts {
            path: f.path.clone(),
            size: f.size,
            ..FileFacts::default()
        };
        let name = f.path.rsplit('/').next().unwrap_or(&f.path).to_string();
        let bytes = match ctx.workspace.read(&f.path, SURVEY_MAX_BYTES) {
            Ok(b) => b,
            Err(e) => {
                let message = crate::messages::workspace_error(&e, ctx.lang);
                fact.error = Some(message.clone());
                fact.kind = "other".into();
                ctx.emit(EventKind::Warning {
                    path: Some(f.path.clone()),
                    message,
                });
                facts.push(fact);
                texts.push(String::new());
                continue;
            }
        };
        ctx.emit(EventKind::FileRead {
            path: f.path.clone(),
        });
        fact.hash = hex::encode(Sha256::digest(&bytes));
        let read = match commis_docs::read_guarded(&name, &bytes, &commis_docs::Limits::default()) {
            Ok(doc) => Some(doc),
            Err(e) => {
                let message = crate::messages::doc_error(&e, ctx.lang);
                fact.error = Some(message.clone());
                ctx.emit(EventKind::Warning {
                    path: Some(f.path.clone()),
                    message,
                });
                None
            }
        };
        let (text, xml_invoice) = match &read {
            Some(doc) => (doc.plain_text(), doc.invoice.as_ref().map(invoice_from_xml)),
            None => (String::new(), None),
        };
        if let Some(doc) = &read {
            fact.ocr = doc.ocr.as_ref().map(|o| o.confidence);
            if doc.ocr_missing {
                fact.unread_scan = true;
                ctx.emit(EventKind::Warning {
                    path: Some(f.path.clone()),
                    message: unread_scan_warning(ctx.lang),
                });
            }
        }
        let classified = commis_skills::classify::doc_type(&name, &text);
        fact.kind = kind_name(&classified.kind);
        fact.kind_confidence = classified.confidence;
        fact.kind_reason = localized_reason(&classified.reason, ctx);
        if let Some(inv) = xml_invoice {
            // A file carrying invoice XML is an invoice (or a credit note), whatever its
            // wording: it belongs in every invoice table.
            let credit = inv
                .type_code
                .as_deref()
                .map(commis_skills::money::DocType::from_type_code)
                == Some(commis_skills::money::DocType::CreditNote);
            if credit {
                fact.kind = "credit_note".into();
            } else if !INVOICE_LIKE.contains(&fact.kind.as_str()) {
                fact.kind = "invoice".into();
            }
            fact.invoice = Some(inv);
        } else if INVOICE_LIKE.contains(&fact.kind.as_str()) {
            let fields = commis_skills::invoice::extract_invoice(&text);
            let doubt = read.as_ref().and_then(|doc| {
                ocr_amounts_doubt(&fields, doc, ctx.lang == crate::offline::brief::Lang::Fr)
            });
            let mut inv = invoice_from_fields(fields);
            if let Some(why) = &doubt {
                ctx.emit(EventKind::Decision {
                    step: None,
                    subject: f.path.clone(),
                    decision: ctx.lang.pick("À vérifier", "To check").to_string(),
                    reason: why.clone(),
                });
            }
            inv.amounts_to_check = doubt;
            fact.invoice = Some(inv);
        }
        fact.date = fact
            .invoice
            .as_ref()
            .and_then(|i| i.date.clone())
            .or_else(|| {
                commis_skills::dates::find_dates(&text)
                    .first()
                    .map(|d| d.date.to_iso())
            });
        facts.push(fact);
        texts.push(text);
    }

    mark_duplicates(ctx, &mut facts, &files);
    let inputs: Vec<commis_skills::clients::DocInput> = facts
        .iter()
        .zip(&texts)
        .map(|(f, t)| commis_skills::clients::DocInput {
            id: f.path.clone(),
            file_name: f.path.rsplit('/').next().unwrap_or(&f.path).to_string(),
            text: t.clone(),
            kind: serde_json::from_value(serde_json::Value::String(f.kind.clone())).ok(),
        })
        .collect();
    // Once we know whose folder this is, invoices it received become supplier invoices.
    let own_company = commis_skills::clients::detect_own_company(&inputs);
    let mut inputs = inputs;
    if let Some(own) = &own_company {
        for (input, fact) in inputs.iter_mut().zip(facts.iter_mut()) {
            if fact.kind == "invoice" {
                let c = commis_skills::classify::doc_type_for_owner(
                    &input.file_name,
                    &input.text,
                    Some(own),
                );
                fact.kind = kind_name(&c.kind);
                fact.kind_reason = localized_reason(&c.reason, ctx);
                input.kind = Some(c.kind);
            }
        }
    }
    let french = ctx.lang == crate::offline::brief::Lang::Fr;
    for a in commis_skills::clients::assign_clients(&inputs, own_company.as_deref()) {
        if let Some(f) = facts.iter_mut().find(|f| f.path == a.id) {
            f.client = a.client.clone();
            f.client_confidence = a.confidence;
            f.client_reason = if french {
                a.reason_fr.clone()
            } else {
                a.reason.clone()
            };
        }
    }
    // Structured data first: the invoice XML names the parties itself. The counterpart
    // is the buyer, or the seller when the business is the buyer (a purchase).
    let business = commis_skills::money::Business {
        name: own_company.clone(),
        ..Default::default()
    };
    for f in facts.iter_mut() {
        let Some(inv) = f.invoice.as_ref().filter(|i| i.source == "factur-x") else {
            continue;
        };
        let we_buy = business.is_us(inv.client.as_deref(), None);
        let party = if we_buy {
            inv.issuer.clone()
        } else {
            inv.client.clone()
        };
        if let Some(name) = party {
            f.client = Some(name);
            f.client_confidence = 0.99;
            f.client_reason = if french {
                "nommé dans les données XML de la facture (Factur-X/ZUGFeRD)".to_string()
            } else {
                "named in the invoice's XML data (Factur-X/ZUGFeRD)".to_string()
            };
        }
    }
    Ok(Analysis {
        files: facts,
        own_company,
    })
}

/// The per-file warning for a picture or a scan that no OCR engine could read.
pub fn unread_scan_warning(lang: crate::offline::brief::Lang) -> String {
    lang.pick(
        "image ou scan non lu : le moteur d'OCR Tesseract n'est pas installé (`commis doctor` dit comment l'installer) ; ce fichier est compté comme illisible",
        "picture or scan not read: the OCR engine Tesseract is not installed (`commis doctor` says how to install it); this file is counted as unreadable",
    )
    .to_string()
}

/// How much a file name looks like a copy: « (1) », « - Copie », « copie », "copy", "Copy of".
/// 0 for a name with no copy marker.
fn copy_marker_score(name: &str) -> u32 {
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    let lower = commis_skills::text::fold_accents(stem).to_lowercase();
    let mut score = 0;
    for marker in ["copie", "copy", "kopie", "copia"] {
        if lower.contains(marker) {
            score += 2;
        }
    }
    // A trailing "(1)", "(2)", " 2", "_1" as download managers and file browsers add.
    let trimmed = lower.trim_end();
    if let Some(open) = trimmed.rfind('(')
        && trimmed.ends_with(')')
        && trimmed[open + 1..trimmed.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit())
        && trimmed.len() > open + 2
    {
        score += 2;
    }
    score
}

/// Among byte-identical files, keeps the one with a real name (never the « (1) » or
/// « - Copie » one), then the oldest, then the shortest name; the others point to it, and
/// the decision says which was kept and why.
fn mark_duplicates(
    ctx: &RunContext,
    facts: &mut [FileFacts],
    files: &[commis_workspace::FileInfo],
) {
    let modified: BTreeMap<&str, i64> = files
        .iter()
        .map(|f| (f.path.as_str(), f.modified))
        .collect();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in facts.iter().enumerate() {
        if !f.hash.is_empty() {
            groups.entry(f.hash.clone()).or_default().push(i);
        }
    }
    let french = ctx.lang == crate::offline::brief::Lang::Fr;
    for members in groups.values().filter(|m| m.len() > 1) {
        // (index, (copy marker score, modified time, name length, path)): lowest is kept.
        let keyed: Vec<(usize, (u32, i64, usize, String))> = members
            .iter()
            .map(|&i| {
                let path = facts[i].path.clone();
                let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                let key = (
                    copy_marker_score(&name),
                    modified.get(path.as_str()).copied().unwrap_or(0),
                    name.chars().count(),
                    path,
                );
                (i, key)
            })
            .collect();
        let Some((best, best_key)) = keyed.iter().min_by(|a, b| a.1.cmp(&b.1)).cloned() else {
            continue;
        };
        let best_path = best_key.3.clone();
        for (i, key) in keyed {
            if i == best {
                continue;
            }
            facts[i].duplicate_of = Some(best_path.clone());
            let (why_fr, why_en) = if key.0 > best_key.0 {
                ("son nom est celui d'une copie", "its name is a copy's")
            } else if key.1 > best_key.1 {
                ("l'original est plus ancien", "the original is older")
            } else {
                (
                    "l'original a le nom le plus simple",
                    "the original has the plainer name",
                )
            };
            ctx.emit(EventKind::Decision {
                step: None,
                subject: key.3.clone(),
                decision: if french {
                    format!("doublon de {best_path} (gardé)")
                } else {
                    format!("duplicate of {best_path} (kept)")
                },
                reason: if french {
                    format!("contenu identique ; {why_fr}")
                } else {
                    format!("identical content; {why_en}")
                },
            });
        }
    }
}

/// A document-type reason in the brief's language.
fn localized_reason(reason: &str, ctx: &RunContext) -> String {
    match ctx.lang {
        crate::offline::brief::Lang::Fr => commis_skills::classify::reason_in_french(reason),
        crate::offline::brief::Lang::En => reason.to_string(),
    }
}

/// Reads a file's text again (for summaries and action items, which need the full text).
pub fn read_text(ctx: &RunContext, path: &str) -> Result<String, ToolError> {
    Ok(crate::tools::read_document_text(ctx, path)?.plain_text())
}

#[cfg(test)]
mod tests {
    use super::copy_marker_score;

    fn scan(lines: &[(&str, f32)]) -> commis_docs::Document {
        let mut doc = commis_docs::Document::new(commis_docs::Format::Pdf);
        for (text, digits) in lines {
            doc.blocks.push(commis_docs::Block {
                kind: commis_docs::BlockKind::Line,
                text: text.to_string(),
                place: commis_docs::Place::page(1),
                ocr: Some(commis_docs::OcrMark {
                    confidence: 0.9,
                    digits_confidence: Some(*digits),
                    bbox: [0, 0, 10, 10],
                }),
            });
        }
        doc.ocr = Some(commis_docs::OcrSummary::default());
        doc
    }

    #[test]
    fn amounts_read_by_ocr_are_used_only_when_sure_or_cross_checked() {
        let doubt = |lines: &[(&str, f32)]| {
            let doc = scan(lines);
            let f = commis_skills::extract_invoice(&doc.plain_text());
            super::ocr_amounts_doubt(&f, &doc, true)
        };
        // net + VAT = total: the arithmetic vouches for figures read with doubt.
        assert_eq!(
            doubt(&[
                ("FACTURE N° F2024-001", 0.95),
                ("Total HT : 100,00 €", 0.5),
                ("TVA 20 % : 20,00 €", 0.5),
                ("Total TTC : 120,00 €", 0.5),
            ]),
            None
        );
        // The sum does not hold and the total's digits were read with doubt: to check.
        let why = doubt(&[
            ("FACTURE N° F2024-001", 0.95),
            ("Total HT : 100,00 €", 0.6),
            ("TVA 20 % : 20,00 €", 0.6),
            ("Total TTC : 180,00 €", 0.6),
        ])
        .expect("to check");
        assert!(why.contains("OCR") && why.contains("60 %"), "{why}");
        // A total read with confidence stands even alone.
        assert_eq!(
            doubt(&[
                ("FACTURE N° F2024-001", 0.95),
                ("Total TTC : 180,00 €", 0.96)
            ]),
            None
        );
        // Text that did not come from OCR is never doubted here.
        let mut doc = scan(&[("Total TTC : 180,00 €", 0.1)]);
        doc.ocr = None;
        let f = commis_skills::extract_invoice(&doc.plain_text());
        assert_eq!(super::ocr_amounts_doubt(&f, &doc, false), None);
    }

    #[test]
    fn copy_names_score_worse_than_the_original_name() {
        for (copy, original) in [
            ("facture_F2024-033 (1).pdf", "facture_F2024-033.pdf"),
            ("budget_FINAL_v2 - Copie.xlsx", "budget_FINAL_v2.xlsx"),
            ("export (copie).csv", "export.csv"),
            ("Copy of notes.txt", "notes.txt"),
        ] {
            assert!(
                copy_marker_score(copy) > copy_marker_score(original),
                "{copy} vs {original}"
            );
        }
        // A version or a year in parentheses-free form is not a copy marker.
        assert_eq!(copy_marker_score("devis_moreau_v3 DEF.docx"), 0);
        assert_eq!(copy_marker_score("rapport 2024.docx"), 0);
    }
}
