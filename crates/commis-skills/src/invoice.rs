//! Invoice fields from invoice text, and from the CII XML embedded in Factur-X/ZUGFeRD PDFs.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde::Serialize;

use crate::SkillError;
use crate::amounts::{Amount, AmountRole, FoundAmount, currency_code, find_amounts};
use crate::dates::{Date, find_dates};
use crate::entities::{CompanyMention, PartyRole, find_companies, normalize_company};
use crate::text::{
    Span, cells, fold_lower, fold_lower_with_map, lines_with_offsets, truncate_chars,
};

/// Where a set of invoice fields came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceSource {
    /// Read from the document text with labels and layout (some fields may be wrong).
    Text,
    /// Read from the structured Factur-X/ZUGFeRD XML (exact).
    FacturX,
}

/// Why a field has the value it has: the piece of the document it was read from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Field name ("total", "date", "issuer", ...).
    pub field: String,
    /// The line (or XML element) the value was read from.
    pub text: String,
    /// Where it is in the text, when read from text.
    pub span: Option<Span>,
}

/// The fields of an invoice (or quote or credit note), each optional, with confidences and evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvoiceFields {
    /// Who issued the document (the seller).
    pub issuer: Option<String>,
    /// Who it is addressed to (the buyer).
    pub client: Option<String>,
    /// Invoice number as written ("F2024-031").
    pub number: Option<String>,
    /// Issue date, ISO ("2024-03-15").
    pub date: Option<String>,
    /// Payment due date, ISO.
    pub due_date: Option<String>,
    /// Total before tax.
    pub net: Option<Amount>,
    /// Tax (VAT) amount.
    pub vat: Option<Amount>,
    /// Total including tax.
    pub total: Option<Amount>,
    /// What remains to pay, when the document says so and it differs from the total.
    pub amount_due: Option<Amount>,
    /// ISO 4217 currency code.
    pub currency: Option<String>,
    /// Seller's VAT or tax registration number, when known.
    pub issuer_vat_id: Option<String>,
    /// Overall confidence, 0 to 1: the mean of the field confidences over the main fields.
    pub confidence: f32,
    /// Confidence of each field that has a value, 0 to 1.
    pub field_confidence: BTreeMap<String, f32>,
    /// Where each value came from.
    pub evidence: Vec<Evidence>,
    /// Text or Factur-X XML.
    pub source: InvoiceSource,
}

impl InvoiceFields {
    fn empty(source: InvoiceSource) -> Self {
        Self {
            issuer: None,
            client: None,
            number: None,
            date: None,
            due_date: None,
            net: None,
            vat: None,
            total: None,
            amount_due: None,
            currency: None,
            issuer_vat_id: None,
            confidence: 0.0,
            field_confidence: BTreeMap::new(),
            evidence: Vec::new(),
            source,
        }
    }

    fn set_conf(&mut self, field: &str, c: f32) {
        self.field_confidence.insert(field.to_string(), c);
    }

    fn finish(&mut self) {
        const MAIN: [&str; 6] = ["issuer", "client", "number", "date", "total", "currency"];
        let sum: f32 = MAIN
            .iter()
            .map(|f| self.field_confidence.get(*f).copied().unwrap_or(0.0))
            .sum();
        self.confidence = (sum / MAIN.len() as f32 * 100.0).round() / 100.0;
    }
}

fn evidence_at(text: &str, field: &str, span: Span) -> Evidence {
    let (ls, le) = crate::text::line_bounds(text, span.start);
    Evidence {
        field: field.into(),
        text: truncate_chars(text[ls..le].trim(), 160),
        span: Some(span),
    }
}

/// Reads invoice fields from invoice text (as `pdftotext -layout` or a document reader gives it).
///
/// Works from labels in French, English, German, Dutch and Polish ("Total TTC", "Facturé à",
/// "Invoice Date", "Factuurnummer", ...), values written after a label or under it in a table,
/// and the arithmetic net + VAT = total to pick the right figures. Fields it cannot find are
/// `None`; each value found has a confidence and the line it came from.
pub fn extract_invoice(text: &str) -> InvoiceFields {
    let from_text = extract_from_text(text);
    match embedded_block(text) {
        Some(mut xml) => {
            // The structured data wins; the text fills what the XML summary did not carry.
            let t = from_text;
            xml.issuer = xml.issuer.or(t.issuer);
            xml.client = xml.client.or(t.client);
            xml.number = xml.number.or(t.number);
            xml.date = xml.date.or(t.date);
            xml.due_date = xml.due_date.or(t.due_date);
            xml.net = xml.net.or(t.net);
            xml.vat = xml.vat.or(t.vat);
            xml.total = xml.total.or(t.total);
            xml.currency = xml.currency.or(t.currency);
            for (k, v) in t.field_confidence {
                xml.field_confidence.entry(k).or_insert(v);
            }
            let have: Vec<String> = xml.evidence.iter().map(|e| e.field.clone()).collect();
            xml.evidence
                .extend(t.evidence.into_iter().filter(|e| !have.contains(&e.field)));
            xml.finish();
            xml
        }
        None => from_text,
    }
}

/// The "Embedded invoice data (factur-x.xml):" block that `commis-docs` appends to the text of
/// a Factur-X/ZUGFeRD PDF, read as exact fields.
fn embedded_block(text: &str) -> Option<InvoiceFields> {
    let start = text.find("Embedded invoice data (")?;
    let mut f = InvoiceFields::empty(InvoiceSource::FacturX);
    let mut currency: Option<String> = None;
    let mut amounts: Vec<(&str, String)> = Vec::new();
    for line in text[start..].lines().skip(1) {
        let Some((k, v)) = line.split_once(": ") else {
            break;
        };
        let v = v.trim().to_string();
        match k.trim() {
            "invoice number" => f.number = Some(v),
            "issue date" => f.date = crate::dates::parse_date(&v).map(|d| d.to_iso()),
            "due date" => f.due_date = crate::dates::parse_date(&v).map(|d| d.to_iso()),
            "seller" => f.issuer = Some(v),
            "buyer" => f.client = Some(v),
            "currency" => currency = Some(v),
            key @ ("net total" | "tax total" | "grand total" | "due amount") => {
                amounts.push((key, v))
            }
            _ => {}
        }
    }
    for (k, v) in amounts {
        let a = crate::amounts::parse_amount(&v)
            .map(|a| Amount::new(a.minor, a.scale, currency.clone()));
        match k {
            "net total" => f.net = a,
            "tax total" => f.vat = a,
            "grand total" => f.total = a,
            _ => f.amount_due = a,
        }
    }
    if f.amount_due.as_ref().map(Amount::cents) == f.total.as_ref().map(Amount::cents) {
        f.amount_due = None;
    }
    f.currency = currency;
    let present: Vec<&str> = [
        ("issuer", f.issuer.is_some()),
        ("client", f.client.is_some()),
        ("number", f.number.is_some()),
        ("date", f.date.is_some()),
        ("due_date", f.due_date.is_some()),
        ("net", f.net.is_some()),
        ("vat", f.vat.is_some()),
        ("total", f.total.is_some()),
        ("amount_due", f.amount_due.is_some()),
        ("currency", f.currency.is_some()),
    ]
    .into_iter()
    .filter(|(_, p)| *p)
    .map(|(k, _)| k)
    .collect();
    if present.is_empty() {
        return None;
    }
    for k in present {
        f.set_conf(k, 1.0);
        f.evidence.push(Evidence {
            field: k.into(),
            text: "Factur-X/ZUGFeRD embedded XML".into(),
            span: None,
        });
    }
    Some(f)
}

fn extract_from_text(text: &str) -> InvoiceFields {
    let mut f = InvoiceFields::empty(InvoiceSource::Text);
    let amounts = find_amounts(text);
    pick_amounts(text, &amounts, &mut f);
    pick_number(text, &mut f);
    pick_dates(text, &mut f);
    let mentions = find_companies(text);
    pick_parties(text, &mentions, &mut f);
    pick_currency(text, &amounts, &mut f);
    f.finish();
    f
}

/// How strongly a total label says "this is the total to pay, tax included".
fn total_rank(label: &str, role: AmountRole) -> u8 {
    let l = fold_lower(label);
    match role {
        AmountRole::Total if l == "total" || l == "razem" => 3,
        AmountRole::Total => 5,
        AmountRole::AmountDue => 4,
        _ => 0,
    }
}

fn same_line(text: &str, a: &Span, b: &Span) -> bool {
    crate::text::line_bounds(text, a.start) == crate::text::line_bounds(text, b.start)
}

fn pick_amounts(text: &str, amounts: &[FoundAmount], f: &mut InvoiceFields) {
    // Total: the best-ranked total label; on a row of several amounts under one label
    // ("Total facture  24.99  5.00  29.99") the last one is the tax-included total.
    let mut best: Option<(u8, i64, &FoundAmount)> = None;
    for (i, a) in amounts.iter().enumerate() {
        let (Some(label), Some(role)) = (&a.context_label, a.role) else {
            continue;
        };
        let rank = total_rank(label, role);
        if rank == 0 || a.amount.cents() == 0 {
            continue;
        }
        let next_same_label = amounts.get(i + 1).is_some_and(|n| {
            n.context_label == a.context_label && same_line(text, &a.span, &n.span)
        });
        if next_same_label {
            continue;
        }
        let key = (rank, a.amount.cents().abs());
        if best.is_none_or(|(r, c, _)| key > (r, c)) {
            best = Some((rank, a.amount.cents().abs(), a));
        }
    }
    let Some((rank, _, total)) = best else { return };
    f.total = Some(total.amount.clone());
    f.set_conf("total", if rank >= 4 { 0.9 } else { 0.75 });
    f.evidence.push(evidence_at(text, "total", total.span));
    let t = total.amount.cents();

    // Amount due, when labelled and different from the total (deposits already paid).
    if let Some(due) = amounts.iter().find(|a| {
        a.role == Some(AmountRole::AmountDue) && a.amount.cents() != t && a.amount.cents() != 0
    }) {
        f.amount_due = Some(due.amount.clone());
        f.set_conf("amount_due", 0.7);
        f.evidence.push(evidence_at(text, "amount_due", due.span));
    }

    let plausible_vat = |v: i64| v >= 0 && v < t.abs() || t < 0 && v <= 0 && v > t;
    let nets: Vec<&FoundAmount> = amounts
        .iter()
        .filter(|a| a.role == Some(AmountRole::Net))
        .collect();
    let vats: Vec<&FoundAmount> = amounts
        .iter()
        .filter(|a| a.role == Some(AmountRole::Tax) && plausible_vat(a.amount.cents()))
        .collect();
    // 1. A labelled net and a labelled VAT that add up to the total.
    for n in &nets {
        for v in &vats {
            if (n.amount.cents() + v.amount.cents() - t).abs() <= 1 {
                set_net_vat(
                    text,
                    f,
                    n.amount.clone(),
                    Some(n.span),
                    v.amount.clone(),
                    Some(v.span),
                    0.95,
                );
                return;
            }
        }
    }
    let mut by_cents: std::collections::HashMap<i64, &FoundAmount> =
        std::collections::HashMap::new();
    for a in amounts {
        by_cents.entry(a.amount.cents()).or_insert(a);
    }
    let appears = |c: i64| by_cents.get(&c).copied();
    // 2. A labelled VAT, and the difference appears in the document.
    for v in vats.iter().rev() {
        let n = t - v.amount.cents();
        if let Some(na) = appears(n) {
            set_net_vat(
                text,
                f,
                na.amount.clone(),
                Some(na.span),
                v.amount.clone(),
                Some(v.span),
                0.85,
            );
            return;
        }
    }
    // 3. A labelled net, and the difference appears.
    for n in &nets {
        let v = t - n.amount.cents();
        if plausible_vat(v)
            && v != 0
            && let Some(va) = appears(v)
        {
            set_net_vat(
                text,
                f,
                n.amount.clone(),
                Some(n.span),
                va.amount.clone(),
                Some(va.span),
                0.85,
            );
            return;
        }
    }
    // 4. Two unlabelled amounts that add up to the total at a usual VAT rate.
    const RATES: [f64; 12] = [
        0.2, 0.1, 0.055, 0.021, 0.21, 0.19, 0.07, 0.23, 0.06, 0.09, 0.25, 0.15,
    ];
    for a in amounts {
        let n = a.amount.cents();
        let v = t - n;
        if n <= 0 || v <= 0 || v >= n {
            continue;
        }
        let rate_ok = RATES
            .iter()
            .any(|r| ((n as f64) * r - v as f64).abs() <= 2.0);
        if rate_ok && let Some(va) = appears(v) {
            set_net_vat(
                text,
                f,
                a.amount.clone(),
                Some(a.span),
                va.amount.clone(),
                Some(va.span),
                0.7,
            );
            return;
        }
    }
    // A labelled net alone (no VAT found) is still worth reporting.
    if let Some(n) = nets.iter().find(|n| n.amount.cents().abs() <= t.abs()) {
        f.net = Some(n.amount.clone());
        f.set_conf("net", 0.5);
        f.evidence.push(evidence_at(text, "net", n.span));
    }
}

fn set_net_vat(
    text: &str,
    f: &mut InvoiceFields,
    net: Amount,
    ns: Option<Span>,
    vat: Amount,
    vs: Option<Span>,
    conf: f32,
) {
    f.net = Some(net);
    f.vat = Some(vat);
    f.set_conf("net", conf);
    f.set_conf("vat", conf);
    if let Some(s) = ns {
        f.evidence.push(evidence_at(text, "net", s));
    }
    if let Some(s) = vs {
        f.evidence.push(evidence_at(text, "vat", s));
    }
}

/// Labels of an invoice number, accent-folded and lower case, with a strength.
const NUMBER_LABELS: &[(&str, u8)] = &[
    ("numero de facture", 4),
    ("n° de facture", 4),
    ("no de facture", 4),
    ("facture n°", 4),
    ("facture no", 4),
    ("facture numero", 4),
    ("facture nº", 4),
    ("invoice number", 4),
    ("invoice no", 4),
    ("invoice nr", 4),
    ("invoice #", 4),
    ("invoice num", 4),
    ("factuurnummer", 4),
    ("factuurnr", 4),
    ("rechnungsnummer", 4),
    ("rechnungsnr", 4),
    ("rechnung nr", 4),
    ("faktura nr", 4),
    ("faktura vat nr", 4),
    ("avoir n°", 4),
    ("avoir no", 4),
    ("devis n°", 4),
    ("devis no", 4),
    ("quote no", 4),
    ("quote number", 4),
    ("receipt no", 4),
    ("receipt number", 4),
    ("bill no", 4),
    ("bill number", 4),
    ("document no", 3),
    ("reference facture", 3),
    ("facture", 2),
    ("invoice", 2),
    ("factuur", 2),
    ("rechnung", 2),
    ("avoir", 2),
    ("devis", 2),
    ("n°", 1),
    ("nº", 1),
    ("no.", 1),
    ("#", 1),
    ("booking id", 1),
];

fn looks_like_number_token(tok: &str) -> bool {
    tok.chars().any(|c| c.is_ascii_digit())
        && tok
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '_' | '.'))
        && crate::dates::parse_date(tok).is_none()
        && tok.chars().count() <= 40
}

fn first_token(s: &str) -> Option<&str> {
    let s = s
        .trim_start_matches([' ', ':', '#', '\t', '.'])
        .trim_start();
    let end = s
        .find(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
        .unwrap_or(s.len());
    let tok = s[..end].trim_end_matches(['.', ',', ':']);
    (!tok.is_empty()).then_some(tok)
}

fn pick_number(text: &str, f: &mut InvoiceFields) {
    let lines = lines_with_offsets(text);
    let mut best: Option<(f32, usize, String)> = None;
    for (li, (ls, line)) in lines.iter().enumerate() {
        let (folded, map) = fold_lower_with_map(line);
        for (label, strength) in NUMBER_LABELS {
            let mut from = 0;
            while let Some(pos) = folded[from..].find(label) {
                let s = from + pos;
                let e = s + label.len();
                from = e;
                let before_ok = s == 0
                    || !folded[..s]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric());
                // "invoice_number_1" is one word: an underscore joins, it does not end a label.
                let after_ok = label.ends_with(['°', 'º', '#', '.'])
                    || !folded[e..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_');
                if !before_ok || !after_ok {
                    continue;
                }
                let (os, oe) = (map[s], map[e]);
                let rest = &line[oe..];
                // Value on the same line, in the same cell or the next one.
                let rest_trim = rest.trim_start_matches([' ', ':', '\t', '#', '.']);
                let mut value = first_token(rest)
                    .filter(|t| looks_like_number_token(t))
                    .map(str::to_string);
                // "F 1234K20/1234/12": a one-letter series prefix before the number.
                if value.is_none()
                    && let Some(tok) = first_token(rest)
                    && tok.len() == 1
                    && tok.chars().all(|c| c.is_ascii_uppercase())
                {
                    let after = &rest_trim[tok.len()..];
                    if let Some(t2) = first_token(after).filter(|t| looks_like_number_token(t)) {
                        value = Some(format!("{tok} {t2}"));
                    }
                }
                let gap_ok = rest.len() - rest_trim.len() < 80;
                let mut at = ls + oe;
                if value.is_none() || !gap_ok {
                    value = None;
                    // A header cell that is just the label: the value is under it.
                    let cell_is_label = cells(line).iter().any(|(cs, c)| {
                        *cs == os
                            && fold_lower(c.trim_end_matches([':', '.']))
                                == label.trim_end_matches('.')
                    });
                    if cell_is_label {
                        for (nls, next) in lines.iter().skip(li + 1).take(3) {
                            if next.trim().is_empty() {
                                continue;
                            }
                            if let Some((cs, cell)) = crate::text::aligned_cell(line, os, next, 4)
                                && let Some(tok) =
                                    first_token(cell).filter(|t| looks_like_number_token(t))
                            {
                                value = Some(tok.to_string());
                                at = nls + cs;
                            }
                            break;
                        }
                    }
                }
                let Some(v) = value else { continue };
                // The document's own number sits in its heading; numbers quoted further down
                // ("Acompte sur devis D2024-012", "Avoir sur facture F2024-030") are references.
                let before = folded[..s].trim_end();
                let is_reference = [
                    "sur",
                    "de la",
                    "du",
                    "d'origine",
                    "votre",
                    "notre",
                    "of",
                    "for",
                    "per",
                    "selon",
                    "ref",
                    "ref.",
                ]
                .iter()
                .any(|w| before.ends_with(w))
                    // "(devis D2024-013)": a number in brackets is quoted, not the document's.
                    || before.ends_with('(')
                    || line[os..].chars().next().is_some_and(char::is_lowercase)
                        && before.chars().next_back().is_some_and(char::is_alphabetic);
                let score = f32::from(*strength) + if li < 12 { 1.5 } else { 0.0 }
                    - if is_reference { 2.0 } else { 0.0 };
                if best.as_ref().is_none_or(|(bs, _, _)| score > *bs) {
                    best = Some((score, at, v));
                }
            }
        }
    }
    if let Some((score, at, v)) = best {
        f.set_conf("number", (0.45 + score / 11.0).clamp(0.3, 0.95));
        f.evidence
            .push(evidence_at(text, "number", Span::new(at, at + v.len())));
        f.number = Some(v);
    }
}

/// What a label before a date says about it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DateLabel {
    Issue(u8),
    Due,
    Other,
}

fn classify_date_label(prefix: &str) -> Option<DateLabel> {
    let p = fold_lower(prefix);
    let p = p.trim_end_matches([' ', ':', '\t', '.']).trim_end();
    let tail: String = p
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let has = |w: &str| tail.contains(w);
    if [
        "echeance",
        "due date",
        "date due",
        "payment due",
        "due on",
        "due by",
        "date limite",
        "a payer avant",
        "payable avant",
        "payable le",
        "vervaldatum",
        "zahlungsziel",
        "faellig",
        "fallig",
        "termin platnosci",
        "paiement avant",
    ]
    .iter()
    .any(|w| has(w))
    {
        return Some(DateLabel::Due);
    }
    if [
        "invoice date",
        "date de facture",
        "date de facturation",
        "date facture",
        "date d'emission",
        "date of issue",
        "issue date",
        "issued on",
        "factuurdatum",
        "factuur datum",
        "rechnungsdatum",
        "data wystawienia",
        "date de l'avoir",
        "date du devis",
    ]
    .iter()
    .any(|w| has(w))
    {
        return Some(DateLabel::Issue(3));
    }
    if [
        "order date",
        "orderdatum",
        "date de commande",
        "commande du",
        "check in",
        "check out",
        "livraison",
        "delivery",
        "periode",
        "period",
        "validite",
        "valable",
        "jusqu",
        "prelevement",
        "a partir du",
        "date de naissance",
        "lieferdatum",
        "leistungsdatum",
        "du 0",
        "au ",
    ]
    .iter()
    .any(|w| has(w))
    {
        return Some(DateLabel::Other);
    }
    let last_word = tail
        .rsplit(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    if matches!(last_word, "date" | "datum" | "dated" | "data") {
        return Some(DateLabel::Issue(2));
    }
    if (last_word == "du" || last_word == "le" || last_word == "dated")
        && (tail.contains("facture")
            || tail.contains("avoir")
            || tail.contains("devis")
            || tail.contains("invoice"))
    {
        return Some(DateLabel::Issue(2));
    }
    None
}

fn pick_dates(text: &str, f: &mut InvoiceFields) {
    let lines = lines_with_offsets(text);
    let dates = find_dates(text);
    let mut issue: Option<(u8, Date, Span)> = None;
    let mut due: Option<(Date, Span)> = None;
    let mut first_unlabelled: Option<(Date, Span)> = None;
    for d in &dates {
        let (ls, _) = crate::text::line_bounds(text, d.span.start);
        let line_prefix = &text[ls..d.span.start];
        // The label is in the same cell or the cell just before; else in the header cell above.
        let cs = cells(line_prefix);
        let near: String = cs
            .iter()
            .rev()
            .take(2)
            .map(|(_, c)| *c)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("  ");
        let mut label = classify_date_label(&near);
        if label.is_none() || line_prefix.trim().is_empty() {
            let li = lines
                .partition_point(|(s, _)| *s < ls)
                .min(lines.len().saturating_sub(1));
            for back in 1..=2 {
                let Some(idx) = li.checked_sub(back) else {
                    break;
                };
                let above = lines[idx].1;
                if above.trim().is_empty() {
                    continue;
                }
                let (_, line_end) = crate::text::line_bounds(text, ls);
                if let Some((_, cell)) =
                    crate::text::aligned_cell(&text[ls..line_end], d.span.start - ls, above, 6)
                {
                    label = classify_date_label(cell).or(label);
                }
                break;
            }
        }
        match label {
            Some(DateLabel::Due) => {
                if due.is_none() {
                    due = Some((d.date, d.span));
                }
            }
            Some(DateLabel::Issue(r)) => {
                if issue.is_none_or(|(br, _, _)| r > br) {
                    issue = Some((r, d.date, d.span));
                }
            }
            Some(DateLabel::Other) => {}
            None => {
                if first_unlabelled.is_none() {
                    first_unlabelled = Some((d.date, d.span));
                }
            }
        }
    }
    if let Some((r, d, s)) = issue {
        f.date = Some(d.to_iso());
        f.set_conf("date", if r >= 3 { 0.9 } else { 0.8 });
        f.evidence.push(evidence_at(text, "date", s));
    } else if let Some((d, s)) = first_unlabelled {
        f.date = Some(d.to_iso());
        f.set_conf("date", 0.45);
        f.evidence.push(evidence_at(text, "date", s));
    }
    if let Some((d, s)) = due {
        f.due_date = Some(d.to_iso());
        f.set_conf("due_date", 0.85);
        f.evidence.push(evidence_at(text, "due_date", s));
    }
}

/// Words that head a document but are not a company name.
const NOT_A_NAME: &[&str] = &[
    "facture",
    "invoice",
    "devis",
    "avoir",
    "quote",
    "receipt",
    "recu",
    "payment receipt",
    "factuur",
    "rechnung",
    "faktura",
    "kopie factuur",
    "retail invoices/bill",
    "tax invoice",
    "bon de commande",
    "purchase order",
    "credit note",
    "page",
];

fn pick_parties(text: &str, mentions: &[CompanyMention], f: &mut InvoiceFields) {
    let client = mentions
        .iter()
        .filter(|m| m.role == PartyRole::Client)
        .min_by_key(|m| (client_cue_rank(&m.cue), m.span.start));
    let client_key = client.map(|c| c.key.clone()).unwrap_or_default();
    if let Some(c) = client {
        f.client = Some(c.name.clone());
        f.set_conf(
            "client",
            if client_cue_rank(&c.cue) == 0 {
                0.85
            } else {
                0.7
            },
        );
        f.evidence.push(evidence_at(text, "client", c.span));
    }
    let not_client = |m: &&CompanyMention| {
        m.key != client_key && !client_key.is_empty() || client_key.is_empty()
    };
    // 1. An explicit issuer cue ("Émetteur", "Sold by", "Titulaire du compte").
    if let Some(m) = mentions
        .iter()
        .filter(not_client)
        .find(|m| m.role == PartyRole::Issuer)
    {
        set_issuer(text, f, &m.name, m.span, 0.85);
        return;
    }
    // 2. A company web site or e-mail domain that matches a name written in the document.
    for dom in crate::entities::web_domains(text) {
        let dk = dom.replace(['-', '_'], "");
        if dk.len() < 3 || client_key.replace(' ', "") == dk {
            continue;
        }
        let named = mentions
            .iter()
            .filter(not_client)
            .find(|m| m.cue != "e-mail domain" && m.key.replace(' ', "") == dk);
        if let Some(m) = named {
            set_issuer(text, f, &m.name, m.span, 0.8);
            return;
        }
        if let Some((span, cell)) = find_cell_with_key(text, &dk) {
            set_issuer(text, f, &cell, span, 0.75);
            return;
        }
    }
    // 3. The company with a legal form that is not the client, most mentioned first.
    let mut counts: Vec<(String, usize, &CompanyMention)> = Vec::new();
    for m in mentions
        .iter()
        .filter(not_client)
        .filter(|m| m.cue == "legal form" || m.cue == "Société")
    {
        if let Some(e) = counts.iter_mut().find(|(k, _, _)| *k == m.key) {
            e.1 += 1;
        } else {
            counts.push((m.key.clone(), 1, m));
        }
    }
    if let Some((_, _, m)) = counts
        .iter()
        .max_by_key(|(_, n, m)| (*n, std::cmp::Reverse(m.span.start)))
    {
        set_issuer(text, f, &m.name, m.span, 0.7);
        return;
    }
    // 4. The first cell of the document, when it reads like a name.
    for (ls, line) in lines_with_offsets(text).into_iter().take(8) {
        let Some((cs, cell)) = cells(line).into_iter().next() else {
            continue;
        };
        let lower = fold_lower(cell);
        let words = cell.split_whitespace().count();
        let is_label = NOT_A_NAME.iter().any(|w| lower == *w)
            || lower.contains(':')
            || lower.contains("adres")
            || lower.contains("address");
        let letters = cell.chars().filter(|c| c.is_alphabetic()).count();
        if is_label
            || words > 5
            || letters < 3
            || cell.chars().any(|c| c.is_ascii_digit())
            || normalize_company(cell) == client_key
        {
            continue;
        }
        set_issuer(text, f, cell, Span::new(ls + cs, ls + cs + cell.len()), 0.4);
        return;
    }
}

fn client_cue_rank(cue: &str) -> u8 {
    match cue {
        "Facturé à" | "Facturée à" | "Bill to" | "Billed to" | "Invoice to" | "Invoiced to"
        | "Destinataire" | "Buyer" | "Acheteur" | "nabywca" => 0,
        "Client"
        | "Customer"
        | "Sold to"
        | "ATTN"
        | "À l'attention de"
        | "factuuradres"
        | "Adresse de facturation" => 1,
        _ => 2,
    }
}

fn find_cell_with_key(text: &str, key_no_space: &str) -> Option<(Span, String)> {
    for (ls, line) in lines_with_offsets(text) {
        for (cs, cell) in cells(line) {
            if normalize_company(cell).replace(' ', "") == key_no_space {
                return Some((Span::new(ls + cs, ls + cs + cell.len()), cell.to_string()));
            }
        }
    }
    None
}

fn set_issuer(text: &str, f: &mut InvoiceFields, name: &str, span: Span, conf: f32) {
    f.issuer = Some(name.to_string());
    f.set_conf("issuer", conf);
    f.evidence.push(evidence_at(text, "issuer", span));
}

fn pick_currency(text: &str, amounts: &[FoundAmount], f: &mut InvoiceFields) {
    if let Some(c) = f.total.as_ref().and_then(|t| t.currency.clone()) {
        f.currency = Some(c);
        f.set_conf("currency", 0.95);
        return;
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for a in amounts {
        if let Some(c) = &a.amount.currency {
            *counts.entry(c.clone()).or_insert(0) += 1;
        }
    }
    if let Some((c, _)) = counts.into_iter().max_by_key(|(_, n)| *n) {
        f.currency = Some(c);
        f.set_conf("currency", 0.85);
        return;
    }
    // Currency named in words or as a code anywhere in the text.
    let lower = fold_lower(text);
    let named = [
        ("us dollars", "USD"),
        ("euros", "EUR"),
        ("rupees", "INR"),
        ("pounds sterling", "GBP"),
    ];
    if let Some((_, c)) = named.iter().find(|(w, _)| lower.contains(w)) {
        f.currency = Some((*c).to_string());
        f.set_conf("currency", 0.7);
        return;
    }
    for word in text.split(|c: char| !c.is_alphanumeric() && c != '€' && c != '$') {
        if word.len() == 3
            && word.chars().all(|c| c.is_ascii_uppercase())
            && let Some(c) = currency_code(word)
        {
            f.currency = Some(c.to_string());
            f.set_conf("currency", 0.6);
            return;
        }
    }
}

/// Reads invoice fields from the Cross Industry Invoice XML embedded in a Factur-X or ZUGFeRD
/// PDF (CII D16B as in Factur-X/ZUGFeRD 2.x, and the older ZUGFeRD 1.0 `CrossIndustryDocument`).
///
/// Errors when the XML is malformed or is not a CII invoice.
pub fn from_cii_xml(xml: &str) -> Result<InvoiceFields, SkillError> {
    let mut reader = Reader::from_str(xml.trim_start_matches('\u{feff}'));
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut root: Option<String> = None;
    let mut f = InvoiceFields::empty(InvoiceSource::FacturX);
    let mut currency_attr_on_tax: Vec<(Option<String>, String)> = Vec::new();
    let mut current_currency_id: Option<String> = None;
    let mut invoice_currency: Option<String> = None;
    let mut tax_basis: Option<String> = None;
    let mut grand: Option<String> = None;
    let mut due_payable: Option<String> = None;
    let mut date_format: Option<String> = None;
    let mut buf = String::new();
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| SkillError::Xml(e.to_string()))?;
        match ev {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if root.is_none() {
                    root = Some(name.clone());
                    if name != "CrossIndustryInvoice" && name != "CrossIndustryDocument" {
                        return Err(SkillError::NotCii(name));
                    }
                }
                current_currency_id = None;
                date_format = None;
                for a in e.attributes().flatten() {
                    let key = a.key.local_name().as_ref().to_string();
                    if key == "currencyID" {
                        current_currency_id = Some(a.value.to_string());
                    } else if key == "format" {
                        date_format = Some(a.value.to_string());
                    }
                }
                buf.clear();
                path.push(name);
            }
            Event::Text(t) => buf.push_str(&t.xml10_content()),
            Event::CData(t) => buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => buf.push_str(&resolve_entity(&r)),
            Event::End(_) => {
                let value = buf.trim().to_string();
                buf.clear();
                if !value.is_empty() {
                    let ends = |suffix: &[&str]| {
                        path.len() >= suffix.len()
                            && path[path.len() - suffix.len()..]
                                .iter()
                                .zip(suffix)
                                .all(|(a, b)| a == b)
                    };
                    if ends(&["ExchangedDocument", "ID"])
                        || ends(&["HeaderExchangedDocument", "ID"])
                    {
                        f.number.get_or_insert(value);
                    } else if ends(&["ExchangedDocument", "IssueDateTime", "DateTimeString"])
                        || ends(&["HeaderExchangedDocument", "IssueDateTime", "DateTimeString"])
                    {
                        f.date = f
                            .date
                            .take()
                            .or_else(|| parse_cii_date(&value, date_format.as_deref()));
                    } else if ends(&[
                        "SpecifiedTradePaymentTerms",
                        "DueDateDateTime",
                        "DateTimeString",
                    ]) {
                        f.due_date = f
                            .due_date
                            .take()
                            .or_else(|| parse_cii_date(&value, date_format.as_deref()));
                    } else if ends(&["SellerTradeParty", "Name"]) {
                        f.issuer.get_or_insert(value);
                    } else if ends(&["BuyerTradeParty", "Name"]) {
                        f.client.get_or_insert(value);
                    } else if ends(&["SellerTradeParty", "SpecifiedTaxRegistration", "ID"]) {
                        // The VAT number (scheme VA) usually comes first; keep the first one.
                        f.issuer_vat_id.get_or_insert(value);
                    } else if ends(&["InvoiceCurrencyCode"]) {
                        invoice_currency.get_or_insert(value);
                    } else if path.iter().any(|p| p.ends_with("MonetarySummation")) {
                        match path.last().map(String::as_str) {
                            Some("TaxBasisTotalAmount") => {
                                tax_basis.get_or_insert(value);
                            }
                            Some("TaxTotalAmount") => {
                                currency_attr_on_tax.push((current_currency_id.clone(), value))
                            }
                            Some("GrandTotalAmount") => {
                                grand.get_or_insert(value);
                            }
                            Some("DuePayableAmount") => {
                                due_payable.get_or_insert(value);
                            }
                            _ => {}
                        }
                    }
                }
                path.pop();
            }
            Event::Empty(e) if root.is_none() => {
                return Err(SkillError::NotCii(e.local_name().as_ref().to_string()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if root.is_none() {
        return Err(SkillError::Xml("the document is empty".into()));
    }
    let cur = invoice_currency.clone();
    let amount = |v: &Option<String>| {
        v.as_deref()
            .and_then(crate::amounts::parse_amount)
            .map(|a| Amount::new(a.minor, a.scale, cur.clone()))
    };
    f.net = amount(&tax_basis);
    // With a tax currency different from the invoice currency, CII lists TaxTotalAmount twice.
    let tax = currency_attr_on_tax
        .iter()
        .find(|(c, _)| c.is_none() || *c == invoice_currency)
        .or(currency_attr_on_tax.first())
        .map(|(_, v)| v.clone());
    f.vat = amount(&tax);
    f.total = amount(&grand);
    let due = amount(&due_payable);
    if due.as_ref().map(Amount::cents) != f.total.as_ref().map(Amount::cents) {
        f.amount_due = due;
    }
    f.currency = invoice_currency;
    for field in [
        "issuer",
        "client",
        "number",
        "date",
        "due_date",
        "net",
        "vat",
        "total",
        "amount_due",
        "currency",
        "issuer_vat_id",
    ] {
        let present = match field {
            "issuer" => f.issuer.is_some(),
            "client" => f.client.is_some(),
            "number" => f.number.is_some(),
            "date" => f.date.is_some(),
            "due_date" => f.due_date.is_some(),
            "net" => f.net.is_some(),
            "vat" => f.vat.is_some(),
            "total" => f.total.is_some(),
            "amount_due" => f.amount_due.is_some(),
            "currency" => f.currency.is_some(),
            _ => f.issuer_vat_id.is_some(),
        };
        if present {
            f.set_conf(field, 1.0);
            f.evidence.push(Evidence {
                field: field.into(),
                text: "Factur-X/ZUGFeRD embedded XML".into(),
                span: None,
            });
        }
    }
    f.finish();
    Ok(f)
}

/// The text of an entity reference ("amp" -> "&", "#233" -> "é"); unknown ones are kept as written.
fn resolve_entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
            .ok()
            .and_then(char::from_u32)
            .map_or_else(|| format!("&{n};"), String::from),
        n if n.starts_with('#') => n[1..]
            .parse::<u32>()
            .ok()
            .and_then(char::from_u32)
            .map_or_else(|| format!("&{n};"), String::from),
        n => format!("&{n};"),
    }
}

/// CII dates use format 102 (YYYYMMDD); 610 (YYYYMM) and 616 (YYYYWW) are not days.
fn parse_cii_date(v: &str, format: Option<&str>) -> Option<String> {
    match format {
        None | Some("102") if v.len() == 8 && v.chars().all(|c| c.is_ascii_digit()) => {
            let y = v[..4].parse().ok()?;
            let m = v[4..6].parse().ok()?;
            let d = v[6..].parse().ok()?;
            Date::new(y, m, d).map(|d| d.to_iso())
        }
        _ => crate::dates::parse_date(v).map(|d| d.to_iso()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FR: &str = "ATELIER LEMOINE                                 FACTURE\n\
Menuiserie                                                N° F2024-031\n\
18 rue des Artisans                                       Date : 12/03/2024\n\
contact@atelier-lemoine.fr                                Échéance : 11/04/2024\n\
\n\
                                    Facturé à :\n\
                                    SARL Dupont Bâtiment\n\
                                    45 avenue Jean Jaurès\n\
\n\
                                                      Total HT : 9 981,00 €\n\
                                                     TVA 20 % : 1 996,20 €\n\
                                                   Total TTC : 11 977,20 €\n\
Atelier Lemoine SARL – capital de 20 000 € – SIRET 812 345 678 00019\n";

    #[test]
    fn reads_a_french_layout_invoice() {
        let f = extract_invoice(FR);
        assert_eq!(f.number.as_deref(), Some("F2024-031"));
        assert_eq!(f.date.as_deref(), Some("2024-03-12"));
        assert_eq!(f.due_date.as_deref(), Some("2024-04-11"));
        assert_eq!(f.total.as_ref().map(Amount::cents), Some(1_197_720));
        assert_eq!(f.net.as_ref().map(Amount::cents), Some(998_100));
        assert_eq!(f.vat.as_ref().map(Amount::cents), Some(199_620));
        assert_eq!(f.currency.as_deref(), Some("EUR"));
        assert_eq!(f.client.as_deref(), Some("SARL Dupont Bâtiment"));
        assert_eq!(
            f.issuer.as_deref().map(normalize_company),
            Some("atelier lemoine".into())
        );
        assert!(
            f.evidence
                .iter()
                .any(|e| e.field == "total" && e.text.contains("Total TTC"))
        );
        assert!(f.confidence > 0.7, "{}", f.confidence);
    }

    #[test]
    fn embedded_factur_x_block_wins_over_the_visual_text() {
        let t = "Rechnung RE1001\nDatum: 01.01.2022\nEndsumme 963,12 EUR\n\nEmbedded invoice data (factur-x.xml):\ninvoice number: RE1001\nissue date: 2022-10-26\nseller: weclapp.com\nbuyer: Beispiel AG\ncurrency: EUR\nnet total: 809.34\ntax total: 153.77\ngrand total: 963.11\ndue amount: 963.11\n";
        let f = extract_invoice(t);
        assert_eq!(f.source, InvoiceSource::FacturX);
        assert_eq!(f.date.as_deref(), Some("2022-10-26"));
        assert_eq!(f.total.as_ref().map(Amount::cents), Some(96311));
        assert_eq!(f.vat.as_ref().map(Amount::cents), Some(15377));
        assert_eq!(f.client.as_deref(), Some("Beispiel AG"));
        assert_eq!(f.amount_due, None);
    }

    #[test]
    fn missing_fields_stay_empty_with_no_confidence() {
        let f = extract_invoice("Bonjour, voici le planning de la semaine.");
        assert_eq!(f.total, None);
        assert_eq!(f.number, None);
        assert!(f.confidence < 0.3);
    }

    #[test]
    fn rejects_xml_that_is_not_cii() {
        assert!(matches!(
            from_cii_xml("<Invoice xmlns='urn:oasis'><ID>1</ID></Invoice>"),
            Err(SkillError::NotCii(_))
        ));
        assert!(matches!(
            from_cii_xml("<rsm:CrossIndustryInvoice><b></rsm:CrossIndustryInvoice>"),
            Err(SkillError::Xml(_))
        ));
        assert!(from_cii_xml("").is_err());
    }
}
