//! Money tools: bank lines matched to invoices (`match_payments`, which also gives what is
//! still owed and its ageing) and VAT per period (`vat_by_period`). They read the files
//! they are given through the workspace and write nothing.
//!
//! The same work is a plain function for the offline planner: [`money_report`] takes the
//! typed invoices ([`crate::offline::analysis::ledger`]) and the bank lines.

use async_trait::async_trait;
use commis_skills::money::{Business, LedgerEntry, Period, RawInvoice, type_invoice};
use commis_skills::payments::{self, Payment};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

use super::{Tool, ToolError, parse_input, read_document_text};
use crate::context::RunContext;

pub(super) fn tools() -> Vec<Arc<dyn Tool>> {
    vec![Arc::new(MatchPayments), Arc::new(VatByPeriod)]
}

/// Bank lines of a statement document as the matcher takes them.
pub fn payments_of(doc: &commis_docs::Document) -> Vec<Payment> {
    doc.transactions
        .iter()
        .filter_map(|t| {
            let v: f64 = t.amount.parse().ok()?;
            Some(Payment {
                date: t.date.clone(),
                amount_cents: (v * 100.0).round() as i64,
                currency: t.currency.clone(),
                label: t.label.clone(),
                reference: t.reference.clone(),
                counterparty: t.counterparty.clone(),
            })
        })
        .collect()
}

/// One invoice document typed: the embedded XML first, else the fields read in its text.
pub fn invoice_of(path: &str, doc: &commis_docs::Document, business: &Business) -> LedgerEntry {
    let raw = match &doc.invoice {
        Some(x) => RawInvoice {
            file: path.to_string(),
            issuer: x.seller_name.clone(),
            issuer_vat_id: x.seller_vat_id.clone(),
            buyer: x.buyer_name.clone(),
            number: x.invoice_number.clone(),
            type_code: x.type_code.clone(),
            credit_note: false,
            date: x.issue_date.clone(),
            due_date: x.due_date.clone(),
            currency: x.currency.clone(),
            net: x.net_total.clone(),
            vat: x.tax_total.clone(),
            total: x.grand_total.clone(),
            due: x.due_amount.clone(),
            lines: x
                .lines
                .iter()
                .map(|l| (l.net_amount.clone(), l.tax_rate.clone()))
                .collect(),
            source: "factur-x".into(),
            amounts_to_check: false,
        },
        None => {
            let text = doc.plain_text();
            let f = commis_skills::extract_invoice(&text);
            let kind = commis_skills::doc_type(path, &text).kind;
            let amounts_to_check =
                crate::offline::analysis::ocr_amounts_doubt(&f, doc, false).is_some();
            RawInvoice {
                file: path.to_string(),
                issuer: f.issuer,
                issuer_vat_id: f.issuer_vat_id,
                buyer: f.client,
                number: f.number,
                type_code: None,
                credit_note: kind == commis_skills::DocKind::CreditNote,
                date: f.date,
                due_date: f.due_date,
                currency: f.currency,
                net: f.net.map(|a| a.to_decimal_string()),
                vat: f.vat.map(|a| a.to_decimal_string()),
                total: f.total.map(|a| a.to_decimal_string()),
                due: f.amount_due.map(|a| a.to_decimal_string()),
                lines: Vec::new(),
                source: "text".into(),
                amounts_to_check,
            }
        }
    };
    type_invoice(&raw, business)
}

/// One invoice's line of the unpaid table.
#[derive(Debug, Clone, Serialize)]
pub struct UnpaidRow {
    pub file: String,
    pub number: Option<String>,
    pub counterpart: Option<String>,
    pub due_date: Option<String>,
    pub days_overdue: i64,
    pub currency: Option<String>,
    pub total_cents: i64,
    pub paid_cents: i64,
    pub remaining_cents: i64,
    pub state: payments::PayState,
    /// The bank lines put on it: "date amount label".
    pub payments: Vec<String>,
}

/// Everything the money questions need: matches with reasons, what is still owed,
/// the ageing and the VAT per period.
#[derive(Debug, Clone, Serialize)]
pub struct MoneyReport {
    pub matches: Vec<Value>,
    pub to_check: Vec<Value>,
    pub unmatched_payments: Vec<Value>,
    /// Sales not fully paid, most overdue first.
    pub unpaid: Vec<UnpaidRow>,
    pub ageing: Vec<payments::Ageing>,
    pub totals: Vec<commis_skills::money::CurrencyTotal>,
    pub vat: Vec<commis_skills::money::VatRow>,
    /// Credit notes deducted from what an invoice of the same client still owes:
    /// "credit note file → invoice file, amount".
    #[serde(default)]
    pub credit_notes_applied: Vec<Value>,
}

/// A party's name for comparison: folded, without legal forms and punctuation.
fn party_key(name: &str) -> String {
    const FORMS: &[&str] = &[
        "sarl", "sas", "sasu", "eurl", "sa", "selarl", "sci", "ltd", "gmbh", "inc",
    ];
    commis_skills::text::fold_lower(name)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !FORMS.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each sales credit note is deducted from the latest sales invoice of the same client, in
/// the same currency, issued on or before it and owing at least as much: what that invoice
/// still owes becomes its total less the credit note (a client pays « facture moins
/// avoir »). Returns (credit note index, invoice index, cents) for each deduction.
pub fn apply_credit_notes(invoices: &mut [LedgerEntry]) -> Vec<(usize, usize, i64)> {
    use commis_skills::money::{Direction, DocType};
    let mut applied = Vec::new();
    for ci in 0..invoices.len() {
        let cn = &invoices[ci];
        if cn.doc_type != DocType::CreditNote || cn.direction != Direction::Sale {
            continue;
        }
        let Some(amount) = cn.total_cents.map(i64::abs).filter(|a| *a > 0) else {
            continue;
        };
        let Some(who) = cn
            .counterpart
            .as_deref()
            .map(party_key)
            .filter(|k| !k.is_empty())
        else {
            continue;
        };
        let date = cn.date.clone().unwrap_or_else(|| "9999-12-31".into());
        let target = invoices
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.doc_type == DocType::Invoice
                    && e.direction == Direction::Sale
                    && e.currency == cn.currency
                    && e.counterpart.as_deref().map(party_key).as_deref() == Some(who.as_str())
                    && e.date.as_deref().is_some_and(|d| d <= date.as_str())
                    && e.due_cents.or(e.total_cents).unwrap_or(0) >= amount
            })
            .max_by(|a, b| a.1.date.cmp(&b.1.date).then(a.0.cmp(&b.0)))
            .map(|(i, _)| i);
        if let Some(ii) = target {
            let e = &mut invoices[ii];
            e.due_cents = Some(e.due_cents.or(e.total_cents).unwrap_or(0) - amount);
            applied.push((ci, ii, amount));
        }
    }
    applied
}

/// Matches `lines` to `invoices` at the date `as_of` and sums up what is owed.
pub fn money_report(
    invoices: &[LedgerEntry],
    lines: &[Payment],
    as_of: &str,
    period: Period,
    french: bool,
) -> MoneyReport {
    let mut owed = invoices.to_vec();
    let applied = apply_credit_notes(&mut owed);
    let invoices = owed.as_slice();
    let credit_note = |i: usize| invoices[i].doc_type == commis_skills::money::DocType::CreditNote;
    let m = payments::match_payments(lines, invoices);
    let balances: Vec<payments::InvoiceBalance> = payments::balances(invoices, &m, as_of)
        .into_iter()
        .filter(|b| !credit_note(b.invoice))
        .collect();
    let describe = |pi: usize| {
        let p = &lines[pi];
        format!(
            "{} {:.2} {}",
            p.date,
            p.amount_cents as f64 / 100.0,
            p.label
        )
    };
    let matches = m
        .matches
        .iter()
        .map(|x| {
            json!({
                "payment": describe(x.payment),
                "invoice": invoices[x.invoice].file,
                "number": invoices[x.invoice].number,
                "amount": x.amount_cents as f64 / 100.0,
                "reason": payments::reason_text(&x.reason, french),
                "confidence": x.confidence,
            })
        })
        .collect();
    let to_check = m
        .ambiguous
        .iter()
        .map(|a| {
            json!({
                "payment": describe(a.payment),
                "candidates": a.candidates.iter().map(|c| invoices[*c].file.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let unmatched_payments = m
        .unmatched
        .iter()
        .filter(|pi| lines[**pi].amount_cents > 0)
        .map(|pi| Value::String(describe(*pi)))
        .collect();
    let mut unpaid: Vec<UnpaidRow> = balances
        .iter()
        .filter(|b| {
            b.remaining_cents > 0
                && invoices[b.invoice].direction == commis_skills::money::Direction::Sale
        })
        .map(|b| {
            let e = &invoices[b.invoice];
            let mut payments: Vec<String> = b.payments.iter().map(|p| describe(*p)).collect();
            for (ci, ii, cents) in &applied {
                if *ii == b.invoice {
                    payments.push(format!(
                        "{} {} -{:.2}",
                        if french { "avoir" } else { "credit note" },
                        invoices[*ci]
                            .number
                            .as_deref()
                            .unwrap_or(&invoices[*ci].file),
                        *cents as f64 / 100.0
                    ));
                }
            }
            UnpaidRow {
                file: e.file.clone(),
                number: e.number.clone(),
                counterpart: e.counterpart.clone(),
                due_date: e.due_date.clone(),
                days_overdue: b.days_overdue,
                currency: e.currency.clone(),
                total_cents: e.due_cents.or(e.total_cents).unwrap_or(0),
                paid_cents: b.paid_cents,
                remaining_cents: b.remaining_cents,
                state: b.state,
                payments,
            }
        })
        .collect();
    unpaid.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.file.cmp(&b.file))
    });
    MoneyReport {
        matches,
        to_check,
        unmatched_payments,
        ageing: payments::ageing(invoices, &balances),
        totals: commis_skills::money::totals_by_currency(invoices),
        vat: commis_skills::money::vat_by_period(invoices, period, french),
        unpaid,
        credit_notes_applied: applied
            .iter()
            .map(|(ci, ii, cents)| {
                json!({"credit_note": invoices[*ci].file, "invoice": invoices[*ii].file,
                       "amount": *cents as f64 / 100.0})
            })
            .collect(),
    }
}

#[derive(Deserialize)]
struct MoneyInput {
    /// Invoice and credit-note files (PDF with or without Factur-X, XML, text).
    invoices: Vec<String>,
    /// Bank statement files (CSV export, OFX, MT940, CAMT.053).
    #[serde(default)]
    statements: Vec<String>,
    /// The business's name (who issues the sales); else none is assumed.
    #[serde(default)]
    business: Option<String>,
    #[serde(default)]
    vat_number: Option<String>,
    /// Date the overdue days are counted at (ISO); default: the last bank line's date.
    #[serde(default)]
    as_of: Option<String>,
    /// "month" (default) or "quarter".
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    french: Option<bool>,
}

fn load(
    ctx: &RunContext,
    input: &MoneyInput,
) -> Result<(Vec<LedgerEntry>, Vec<Payment>), ToolError> {
    let business = Business {
        name: input.business.clone(),
        siret: None,
        vat_id: input.vat_number.clone(),
    };
    let mut invoices = Vec::new();
    for path in &input.invoices {
        let doc = read_document_text(ctx, path)?;
        invoices.push(invoice_of(path, &doc, &business));
    }
    let mut lines = Vec::new();
    for path in &input.statements {
        let doc = read_document_text(ctx, path)?;
        if doc.transactions.is_empty() {
            return Err(ToolError::NoStatementLines { path: path.clone() });
        }
        lines.extend(payments_of(&doc));
    }
    Ok((invoices, lines))
}

fn schema(with_statements: bool) -> Value {
    let mut props = json!({
        "invoices": {"type": "array", "items": {"type": "string"}, "description": "Invoice and credit-note files, relative to the granted folder"},
        "business": {"type": "string", "description": "The business's own name: invoices it issued are sales, those it received are purchases"},
        "vat_number": {"type": "string", "description": "The business's VAT number"},
        "period": {"type": "string", "enum": ["month", "quarter"]},
        "french": {"type": "boolean", "description": "Labels in French"}
    });
    if with_statements {
        props["statements"] = json!({"type": "array", "items": {"type": "string"}, "description": "Bank statement files: CSV export, OFX, MT940, CAMT.053"});
        props["as_of"] = json!({"type": "string", "description": "Date the overdue days are counted at (YYYY-MM-DD)"});
    }
    json!({"type": "object", "properties": props, "required": ["invoices"]})
}

struct MatchPayments;

#[async_trait]
impl Tool for MatchPayments {
    fn name(&self) -> &'static str {
        "match_payments"
    }
    fn description(&self) -> &'static str {
        "Matches bank statement lines to invoices (invoice number in the label, amount, client name, date; partial and grouped payments), each match with its reason and confidence, ambiguous ones listed to check. Returns the unpaid invoices with days overdue and amount due, the ageing (0-30, 31-60, 61-90, >90 days) and totals per currency. Reads only."
    }
    fn input_schema(&self) -> Value {
        schema(true)
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let input: MoneyInput = parse_input(self.name(), input)?;
        let (invoices, lines) = load(ctx, &input)?;
        let as_of = input
            .as_of
            .clone()
            .or_else(|| lines.iter().map(|l| l.date.clone()).max())
            .unwrap_or_else(|| "2100-01-01".into());
        let period = if input.period.as_deref() == Some("quarter") {
            Period::Quarter
        } else {
            Period::Month
        };
        let report = money_report(
            &invoices,
            &lines,
            &as_of,
            period,
            input.french.unwrap_or(false),
        );
        let mut v = serde_json::to_value(&report).map_err(|e| ToolError::Failed(e.to_string()))?;
        v["as_of"] = Value::String(as_of);
        Ok(v)
    }
}

struct VatByPeriod;

#[async_trait]
impl Tool for VatByPeriod {
    fn name(&self) -> &'static str {
        "vat_by_period"
    }
    fn description(&self) -> &'static str {
        "VAT collected (sales) and deductible (purchases) per month or quarter, per rate and per currency, from invoice files (Factur-X XML first, else the text). Credit notes count negative. Reads only."
    }
    fn input_schema(&self) -> Value {
        schema(false)
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let input: MoneyInput = parse_input(self.name(), input)?;
        let (invoices, _) = load(ctx, &input)?;
        let period = if input.period.as_deref() == Some("quarter") {
            Period::Quarter
        } else {
            Period::Month
        };
        let french = input.french.unwrap_or(false);
        let unknown: Vec<&str> = invoices
            .iter()
            .filter(|e| e.direction == commis_skills::money::Direction::Unknown)
            .map(|e| e.file.as_str())
            .collect();
        Ok(json!({
            "vat": commis_skills::money::vat_by_period(&invoices, period, french),
            "not_counted_direction_unknown": unknown,
            "invoices": invoices,
        }))
    }
}
