//! Money typed and checked: every invoice amount keeps its currency, credit notes are
//! negative and typed « Avoir », net + VAT = gross is checked (overall and per VAT rate),
//! each document is a sale or a purchase from the business's point of view, and totals
//! are kept per currency (never summed across currencies).
//!
//! Input is [`RawInvoice`], filled by the caller from the Factur-X/UBL XML when there is
//! one, else from the fields read in the text; output is a [`LedgerEntry`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::amounts::parse_amount;
use crate::entities::{normalize_company, party_name_problem};

/// Who the business is: the name and identifiers that decide sale vs purchase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Business {
    /// Name as written.
    pub name: Option<String>,
    /// SIREN/SIRET (digits, spaces ignored).
    pub siret: Option<String>,
    /// Intra-EU VAT number ("FR12345678901").
    pub vat_id: Option<String>,
}

fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_uppercase()
}

impl Business {
    /// Whether a party (name, VAT id) is the business itself.
    pub fn is_us(&self, name: Option<&str>, vat_id: Option<&str>) -> bool {
        if let (Some(ours), Some(theirs)) = (&self.vat_id, vat_id)
            && !ours.trim().is_empty()
        {
            return compact(ours) == compact(theirs);
        }
        if let (Some(siret), Some(theirs)) = (&self.siret, vat_id) {
            // A French VAT number holds the SIREN (the SIRET's first 9 digits).
            let siren: String = compact(siret).chars().take(9).collect();
            if siren.len() == 9 && compact(theirs).ends_with(&siren) {
                return true;
            }
        }
        match (&self.name, name) {
            (Some(ours), Some(theirs)) => {
                let (a, b) = (normalize_company(ours), normalize_company(theirs));
                !a.is_empty() && (a == b || b.starts_with(&format!("{a} ")))
            }
            _ => false,
        }
    }
}

/// Sale (the business issued it) or purchase (the business received it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Issued by the business: the counterpart is a client.
    Sale,
    /// Received by the business: the counterpart is a supplier.
    Purchase,
    /// The business is neither the issuer nor the buyer named: to check.
    Unknown,
}

impl Direction {
    /// The label in French or English.
    pub fn label(self, french: bool) -> &'static str {
        match (self, french) {
            (Direction::Sale, true) => "Vente",
            (Direction::Sale, false) => "Sale",
            (Direction::Purchase, true) => "Achat",
            (Direction::Purchase, false) => "Purchase",
            (Direction::Unknown, true) => "À vérifier",
            (Direction::Unknown, false) => "To check",
        }
    }
}

/// Invoice or credit note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// An invoice.
    Invoice,
    /// A credit note (« Avoir »): amounts negative.
    CreditNote,
}

impl DocType {
    /// The label in French or English.
    pub fn label(self, french: bool) -> &'static str {
        match (self, french) {
            (DocType::Invoice, true) => "Facture",
            (DocType::Invoice, false) => "Invoice",
            (DocType::CreditNote, true) => "Avoir",
            (DocType::CreditNote, false) => "Credit note",
        }
    }

    /// From an EN 16931 / UNTDID 1001 type code: 381, 261, 262, 296, 308, 396, 420, 458,
    /// 532 are credit notes.
    pub fn from_type_code(code: &str) -> DocType {
        match code.trim() {
            "381" | "261" | "262" | "296" | "308" | "396" | "420" | "458" | "532" => {
                DocType::CreditNote
            }
            _ => DocType::Invoice,
        }
    }
}

/// The fields of one invoice as read (decimal strings), before typing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawInvoice {
    /// The file, relative to the granted folder.
    pub file: String,
    /// Who issued the document (the seller).
    pub issuer: Option<String>,
    /// The seller's VAT identifier.
    pub issuer_vat_id: Option<String>,
    /// Who the document is addressed to (the buyer).
    pub buyer: Option<String>,
    /// Invoice number as written.
    pub number: Option<String>,
    /// UNTDID 1001 type code from the XML (380 invoice, 381 credit note...).
    pub type_code: Option<String>,
    /// Whether the document was classified as a credit note from its text.
    pub credit_note: bool,
    /// Issue date, ISO 8601.
    pub date: Option<String>,
    /// Payment due date, ISO 8601.
    pub due_date: Option<String>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Total before tax.
    pub net: Option<String>,
    /// Tax (VAT) total.
    pub vat: Option<String>,
    /// Total including tax.
    pub total: Option<String>,
    /// What remains to pay, when the document says so.
    pub due: Option<String>,
    /// Line net amounts with their VAT rate in percent ("20", "5.5").
    pub lines: Vec<(Option<String>, Option<String>)>,
    /// `factur-x` when the fields come from the embedded XML, `text` otherwise.
    pub source: String,
    /// The amounts were read by OCR and could not be trusted (low confidence, net + VAT
    /// ≠ total): the entry is flagged « À vérifier » and left out of every total.
    #[serde(default)]
    pub amounts_to_check: bool,
}

/// VAT base and amount for one rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VatPart {
    /// Rate in hundredths of a percent (2000 = 20 %, 550 = 5.5 %).
    pub rate_bp: i64,
    /// VAT base in cents.
    pub base_cents: i64,
    /// VAT in cents.
    pub vat_cents: i64,
}

/// One invoice typed and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The file, relative to the granted folder.
    pub file: String,
    /// Invoice number as written.
    pub number: Option<String>,
    /// Invoice or credit note.
    pub doc_type: DocType,
    /// Sale or purchase.
    pub direction: Direction,
    /// The other party: the client of a sale, the supplier of a purchase.
    pub counterpart: Option<String>,
    /// The counterpart's name is missing or reads like a label or a sentence: « À vérifier ».
    pub counterpart_to_check: bool,
    /// Who issued the document (the seller).
    pub issuer: Option<String>,
    /// Who the document is addressed to (the buyer).
    pub buyer: Option<String>,
    /// Issue date, ISO 8601.
    pub date: Option<String>,
    /// Payment due date, ISO 8601.
    pub due_date: Option<String>,
    /// ISO 4217 code; `None` when the document does not say (never assumed).
    pub currency: Option<String>,
    /// Signed: negative for a credit note.
    pub net_cents: Option<i64>,
    /// VAT in cents.
    pub vat_cents: Option<i64>,
    /// Total in cents.
    pub total_cents: Option<i64>,
    /// What remains to pay (signed like the total).
    pub due_cents: Option<i64>,
    /// VAT per rate, from the lines when the source gives them.
    pub vat_parts: Vec<VatPart>,
    /// Disagreements and gaps, as codes (see [`flag_text`]).
    pub flags: Vec<String>,
    /// `factur-x` (embedded XML) or `text`.
    pub source: String,
}

/// A flag code in words, in French or English.
pub fn flag_text(code: &str, french: bool) -> String {
    let (fr, en) = match code {
        "net_vat_total_mismatch" => ("HT + TVA ≠ TTC", "net + VAT ≠ gross"),
        "vat_rate_mismatch" => (
            "la TVA ne correspond pas aux taux des lignes",
            "VAT does not match the lines' rates",
        ),
        "currency_unknown" => ("devise non indiquée", "currency not stated"),
        "total_missing" => ("montant total introuvable", "total not found"),
        "counterpart_to_check" => ("nom du tiers à vérifier", "party name to check"),
        "amounts_to_check" => (
            "montants lus par OCR peu sûrs : à vérifier, hors totaux",
            "amounts read by OCR with a low confidence: to check, left out of totals",
        ),
        "direction_unknown" => (
            "ni émise ni reçue par l'entreprise : à vérifier",
            "neither issued nor received by the business: to check",
        ),
        "negative_invoice" => (
            "montant négatif sur une facture (avoir ?)",
            "negative amount on an invoice (credit note?)",
        ),
        other => (other, other),
    };
    if french { fr } else { en }.to_string()
}

fn cents_of(s: &Option<String>) -> Option<i64> {
    let s = s.as_deref()?.trim();
    if s.is_empty() {
        return None;
    }
    // Decimal strings from XML ("1234.5") or text amounts ("1 234,50 €").
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then(|| (v * 100.0).round() as i64);
    }
    parse_amount(s).map(|a| a.cents())
}

fn rate_bp(s: &str) -> Option<i64> {
    let v: f64 = s
        .trim()
        .trim_end_matches('%')
        .replace(',', ".")
        .trim()
        .parse()
        .ok()?;
    (v.is_finite() && (0.0..=100.0).contains(&v)).then(|| (v * 100.0).round() as i64)
}

/// Types and checks one invoice from the business's point of view.
pub fn type_invoice(raw: &RawInvoice, business: &Business) -> LedgerEntry {
    let mut flags = Vec::new();
    let doc_type = match &raw.type_code {
        Some(code) => DocType::from_type_code(code),
        None if raw.credit_note => DocType::CreditNote,
        None => DocType::Invoice,
    };
    let sign = |v: Option<i64>| match doc_type {
        DocType::CreditNote => v.map(|c| -c.abs()),
        DocType::Invoice => v,
    };
    let mut net = cents_of(&raw.net);
    let mut vat = cents_of(&raw.vat);
    let total = cents_of(&raw.total);
    // Only two of the three figures: the third follows.
    match (net, vat, total) {
        (None, Some(v), Some(t)) => net = Some(t - v),
        (Some(n), None, Some(t)) => vat = Some(t - n),
        _ => {}
    }
    if let (Some(n), Some(v), Some(t)) = (net, vat, total)
        && (n + v - t).abs() > 1
    {
        flags.push("net_vat_total_mismatch".to_string());
    }
    if total.is_none() {
        flags.push("total_missing".to_string());
    }
    if raw.amounts_to_check {
        flags.push("amounts_to_check".to_string());
    }
    if doc_type == DocType::Invoice && total.is_some_and(|t| t < 0) {
        flags.push("negative_invoice".to_string());
    }
    // VAT per rate from the lines.
    let mut per_rate: BTreeMap<i64, i64> = BTreeMap::new();
    for (net_line, rate) in &raw.lines {
        if let (Some(base), Some(rate)) = (cents_of(net_line), rate.as_deref().and_then(rate_bp)) {
            *per_rate.entry(rate).or_default() += base;
        }
    }
    let vat_parts: Vec<VatPart> = per_rate
        .into_iter()
        .map(|(rate_bp, base)| VatPart {
            rate_bp,
            base_cents: base,
            vat_cents: ((base as f64) * (rate_bp as f64) / 10_000.0).round() as i64,
        })
        .collect();
    if let Some(v) = vat
        && !vat_parts.is_empty()
    {
        let sum: i64 = vat_parts.iter().map(|p| p.vat_cents).sum();
        // One cent of rounding per rate is allowed.
        if (sum - v).abs() > vat_parts.len() as i64 {
            flags.push("vat_rate_mismatch".to_string());
        }
    }
    let currency = raw
        .currency
        .as_deref()
        .map(|c| c.trim().to_uppercase())
        .filter(|c| c.len() == 3);
    if currency.is_none() {
        flags.push("currency_unknown".to_string());
    }
    let we_issued = business.is_us(raw.issuer.as_deref(), raw.issuer_vat_id.as_deref());
    let we_bought = business.is_us(raw.buyer.as_deref(), None);
    let direction = if we_issued {
        Direction::Sale
    } else if we_bought {
        Direction::Purchase
    } else {
        Direction::Unknown
    };
    if direction == Direction::Unknown {
        flags.push("direction_unknown".to_string());
    }
    let counterpart = match direction {
        Direction::Sale | Direction::Unknown => raw.buyer.clone(),
        Direction::Purchase => raw.issuer.clone(),
    };
    // Names from the XML are the issuer's own data; names read in the text are checked.
    let counterpart_to_check = match &counterpart {
        None => true,
        Some(name) => raw.source != "factur-x" && party_name_problem(name).is_some(),
    };
    if counterpart_to_check {
        flags.push("counterpart_to_check".to_string());
    }
    let vat_parts = match doc_type {
        DocType::CreditNote => vat_parts
            .into_iter()
            .map(|p| VatPart {
                rate_bp: p.rate_bp,
                base_cents: -p.base_cents.abs(),
                vat_cents: -p.vat_cents.abs(),
            })
            .collect(),
        DocType::Invoice => vat_parts,
    };
    LedgerEntry {
        file: raw.file.clone(),
        number: raw.number.clone(),
        doc_type,
        direction,
        counterpart: counterpart.filter(|_| !counterpart_to_check),
        counterpart_to_check,
        issuer: raw.issuer.clone(),
        buyer: raw.buyer.clone(),
        date: raw.date.clone(),
        due_date: raw.due_date.clone(),
        currency,
        net_cents: sign(net),
        vat_cents: sign(vat),
        total_cents: sign(total),
        due_cents: sign(cents_of(&raw.due)).or(sign(total)),
        vat_parts,
        flags,
        source: raw.source.clone(),
    }
}

/// Totals of one direction in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrencyTotal {
    /// Sale or purchase.
    pub direction: Direction,
    /// `None`: documents whose currency is not stated (kept apart, never added to others).
    pub currency: Option<String>,
    /// Number of documents.
    pub count: usize,
    /// Net amount in cents.
    pub net_cents: i64,
    /// VAT in cents.
    pub vat_cents: i64,
    /// Total in cents.
    pub total_cents: i64,
}

impl LedgerEntry {
    /// Whether its amounts must be checked by a person before they count (see
    /// [`RawInvoice::amounts_to_check`]).
    pub fn amounts_to_check(&self) -> bool {
        self.flags.iter().any(|f| f == "amounts_to_check")
    }
}

/// Totals per (direction, currency): amounts in different currencies are never added.
/// Entries whose amounts are to check (OCR with a low confidence) are left out.
pub fn totals_by_currency(entries: &[LedgerEntry]) -> Vec<CurrencyTotal> {
    let mut map: BTreeMap<(Direction, Option<String>), CurrencyTotal> = BTreeMap::new();
    for e in entries.iter().filter(|e| !e.amounts_to_check()) {
        let t = map
            .entry((e.direction, e.currency.clone()))
            .or_insert_with(|| CurrencyTotal {
                direction: e.direction,
                currency: e.currency.clone(),
                count: 0,
                net_cents: 0,
                vat_cents: 0,
                total_cents: 0,
            });
        t.count += 1;
        t.net_cents += e.net_cents.unwrap_or(0);
        t.vat_cents += e.vat_cents.unwrap_or(0);
        t.total_cents += e.total_cents.unwrap_or(0);
    }
    map.into_values().collect()
}

/// A period of a VAT return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
}

/// "2026-03" for a month, "2026-T1" (French) / "2026-Q1" for a quarter.
pub fn period_of(date: &str, period: Period, french: bool) -> Option<String> {
    let year = date.get(0..4)?;
    let month: u32 = date.get(5..7)?.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    Some(match period {
        Period::Month => format!("{year}-{month:02}"),
        Period::Quarter => format!(
            "{year}-{}{}",
            if french { "T" } else { "Q" },
            (month - 1) / 3 + 1
        ),
    })
}

/// VAT collected (sales) or deductible (purchases) in one period, currency and rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VatRow {
    /// "2026-03" or "2026-T1".
    pub period: String,
    /// Sale or purchase.
    pub direction: Direction,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Rate in hundredths of a percent; `None` when the document gives no rate.
    pub rate_bp: Option<i64>,
    /// VAT base in cents.
    pub base_cents: i64,
    /// VAT in cents.
    pub vat_cents: i64,
    /// Files counted in this row.
    pub files: Vec<String>,
}

/// VAT per period, direction, currency and rate, from the entries' issue dates. An entry
/// without per-rate lines counts with rate `None` (its net and VAT as a whole); an
/// entry without a date or with an unknown direction is left out (the caller lists it).
pub fn vat_by_period(entries: &[LedgerEntry], period: Period, french: bool) -> Vec<VatRow> {
    type Key = (String, Direction, Option<String>, Option<i64>);
    let mut map: BTreeMap<Key, VatRow> = BTreeMap::new();
    for e in entries {
        if e.direction == Direction::Unknown || e.amounts_to_check() {
            continue;
        }
        let Some(p) = e.date.as_deref().and_then(|d| period_of(d, period, french)) else {
            continue;
        };
        let parts: Vec<(Option<i64>, i64, i64)> = if e.vat_parts.is_empty() {
            vec![(None, e.net_cents.unwrap_or(0), e.vat_cents.unwrap_or(0))]
        } else {
            e.vat_parts
                .iter()
                .map(|v| (Some(v.rate_bp), v.base_cents, v.vat_cents))
                .collect()
        };
        for (rate, base, vat) in parts {
            let row = map
                .entry((p.clone(), e.direction, e.currency.clone(), rate))
                .or_insert_with(|| VatRow {
                    period: p.clone(),
                    direction: e.direction,
                    currency: e.currency.clone(),
                    rate_bp: rate,
                    base_cents: 0,
                    vat_cents: 0,
                    files: Vec::new(),
                });
            row.base_cents += base;
            row.vat_cents += vat;
            if !row.files.contains(&e.file) {
                row.files.push(e.file.clone());
            }
        }
    }
    map.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(issuer: &str, buyer: &str, net: &str, vat: &str, total: &str, ccy: &str) -> RawInvoice {
        RawInvoice {
            file: format!("{issuer}-{total}.pdf"),
            issuer: Some(issuer.into()),
            buyer: Some(buyer.into()),
            net: Some(net.into()),
            vat: Some(vat.into()),
            total: Some(total.into()),
            currency: Some(ccy.into()),
            date: Some("2026-03-15".into()),
            source: "text".into(),
            ..RawInvoice::default()
        }
    }

    fn us() -> Business {
        Business {
            name: Some("Atelier Lemoine SARL".into()),
            siret: Some("812 345 678 00019".into()),
            vat_id: None,
        }
    }

    #[test]
    fn the_business_decides_sale_or_purchase_and_the_counterpart() {
        let sale = type_invoice(
            &raw("Atelier Lemoine", "Dupont SAS", "100", "20", "120", "EUR"),
            &us(),
        );
        assert_eq!(sale.direction, Direction::Sale);
        assert_eq!(sale.counterpart.as_deref(), Some("Dupont SAS"));
        let purchase = type_invoice(
            &raw("Free SAS", "ATELIER LEMOINE", "25", "5", "30", "EUR"),
            &us(),
        );
        assert_eq!(purchase.direction, Direction::Purchase);
        assert_eq!(purchase.counterpart.as_deref(), Some("Free SAS"));
        // Identified by the SIREN inside the VAT number, whatever the name says.
        let mut r = raw("AL Studio", "Client X", "10", "2", "12", "EUR");
        r.issuer_vat_id = Some("FR 45 812345678".into());
        assert_eq!(type_invoice(&r, &us()).direction, Direction::Sale);
        let other = type_invoice(
            &raw("Coolblue B.V.", "Jan Jansen", "10", "2.1", "12.1", "EUR"),
            &us(),
        );
        assert_eq!(other.direction, Direction::Unknown);
        assert!(other.flags.contains(&"direction_unknown".to_string()));
    }

    #[test]
    fn credit_notes_are_negative_and_typed_avoir() {
        let mut r = raw(
            "Atelier Lemoine",
            "Dupont SAS",
            "100.00",
            "20.00",
            "120.00",
            "EUR",
        );
        r.type_code = Some("381".into());
        let e = type_invoice(&r, &us());
        assert_eq!(e.doc_type, DocType::CreditNote);
        assert_eq!(e.doc_type.label(true), "Avoir");
        assert_eq!(
            (e.net_cents, e.vat_cents, e.total_cents),
            (Some(-10000), Some(-2000), Some(-12000))
        );
        let mut t = raw("Atelier Lemoine", "Dupont SAS", "-50", "-10", "-60", "EUR");
        t.credit_note = true;
        assert_eq!(type_invoice(&t, &us()).total_cents, Some(-6000));
    }

    #[test]
    fn figures_that_disagree_are_flagged_overall_and_per_rate() {
        let bad = type_invoice(
            &raw("Atelier Lemoine", "Dupont SAS", "100", "20", "125", "EUR"),
            &us(),
        );
        assert!(bad.flags.contains(&"net_vat_total_mismatch".to_string()));
        let mut r = raw(
            "Atelier Lemoine",
            "Dupont SAS",
            "150",
            "25.50",
            "175.50",
            "EUR",
        );
        r.lines = vec![
            (Some("100".into()), Some("20".into())),
            (Some("50".into()), Some("5.5".into())),
        ];
        let e = type_invoice(&r, &us());
        assert!(
            e.flags.contains(&"vat_rate_mismatch".to_string()),
            "{:?}",
            e.flags
        );
        assert_eq!(e.vat_parts.len(), 2);
        r.vat = Some("22.75".into());
        r.total = Some("172.75".into());
        let ok = type_invoice(&r, &us());
        assert!(
            !ok.flags.iter().any(|f| f.contains("mismatch")),
            "{:?}",
            ok.flags
        );
    }

    #[test]
    fn totals_stay_per_currency_and_unknown_currency_is_never_assumed() {
        let entries = vec![
            type_invoice(
                &raw("Atelier Lemoine", "A", "100", "20", "120", "EUR"),
                &us(),
            ),
            type_invoice(&raw("Atelier Lemoine", "B", "50", "10", "60", "GBP"), &us()),
            type_invoice(&raw("Atelier Lemoine", "C", "10", "2", "12", "EUR"), &us()),
            type_invoice(&raw("Atelier Lemoine", "D", "1", "0", "1", ""), &us()),
        ];
        let t = totals_by_currency(&entries);
        let eur = t
            .iter()
            .find(|t| t.currency.as_deref() == Some("EUR"))
            .unwrap();
        assert_eq!((eur.count, eur.total_cents), (2, 13200));
        let gbp = t
            .iter()
            .find(|t| t.currency.as_deref() == Some("GBP"))
            .unwrap();
        assert_eq!(gbp.total_cents, 6000);
        assert!(
            t.iter()
                .any(|t| t.currency.is_none() && t.total_cents == 100)
        );
        assert!(entries[3].flags.contains(&"currency_unknown".to_string()));
    }

    #[test]
    fn amounts_read_by_ocr_without_confidence_stay_out_of_totals() {
        let us = Business {
            name: Some("Atelier Lemoine".into()),
            ..Business::default()
        };
        let mut sure = raw(
            "Atelier Lemoine",
            "Dupont",
            "100.00",
            "20.00",
            "120.00",
            "EUR",
        );
        sure.file = "a.pdf".into();
        sure.date = Some("2024-03-01".into());
        let mut doubtful = raw(
            "Atelier Lemoine",
            "Petit",
            "100.00",
            "20.00",
            "180.00",
            "EUR",
        );
        doubtful.file = "scan.pdf".into();
        doubtful.amounts_to_check = true;
        doubtful.date = Some("2024-03-02".into());
        let entries = vec![type_invoice(&sure, &us), type_invoice(&doubtful, &us)];
        assert!(entries[1].amounts_to_check());
        assert!(!entries[0].amounts_to_check());
        assert!(flag_text("amounts_to_check", true).contains("vérifier"));
        let totals = totals_by_currency(&entries);
        assert_eq!(totals.len(), 1);
        assert_eq!((totals[0].count, totals[0].total_cents), (1, 12000));
        let vat = vat_by_period(&entries, Period::Month, true);
        assert_eq!(vat.len(), 1, "{vat:?}");
        assert_eq!(vat[0].files, vec!["a.pdf".to_string()]);
    }

    #[test]
    fn labels_read_as_names_go_to_check() {
        let e = type_invoice(
            &raw(
                "Atelier Lemoine",
                "TOTAL AMOUNT DUE ON August 3",
                "1",
                "0",
                "1",
                "USD",
            ),
            &us(),
        );
        assert!(e.counterpart_to_check);
        assert_eq!(e.counterpart, None);
        // The XML's own names are the issuer's data, kept as they are.
        let mut x = raw("Atelier Lemoine", "LE CLIENT", "1", "0", "1", "EUR");
        x.source = "factur-x".into();
        assert_eq!(
            type_invoice(&x, &us()).counterpart.as_deref(),
            Some("LE CLIENT")
        );
    }

    #[test]
    fn vat_is_grouped_by_period_direction_and_rate() {
        let mut a = raw("Atelier Lemoine", "A", "100", "20", "120", "EUR");
        a.lines = vec![(Some("100".into()), Some("20".into()))];
        let mut b = raw("Atelier Lemoine", "B", "200", "40", "240", "EUR");
        b.date = Some("2026-02-03".into());
        b.lines = vec![(Some("200".into()), Some("20".into()))];
        let c = raw("Free SAS", "Atelier Lemoine", "25", "5", "30", "EUR");
        let entries: Vec<LedgerEntry> = [a, b, c].iter().map(|r| type_invoice(r, &us())).collect();
        let months = vat_by_period(&entries, Period::Month, true);
        assert_eq!(months.len(), 3);
        let q = vat_by_period(&entries, Period::Quarter, true);
        let collected = q
            .iter()
            .find(|r| r.direction == Direction::Sale && r.rate_bp == Some(2000))
            .unwrap();
        assert_eq!(
            (collected.period.as_str(), collected.vat_cents),
            ("2026-T1", 6000)
        );
        let deductible = q
            .iter()
            .find(|r| r.direction == Direction::Purchase)
            .unwrap();
        assert_eq!(deductible.vat_cents, 500);
    }
}
