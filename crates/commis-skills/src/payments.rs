//! Bank lines matched to invoices: by invoice number in the label or reference (a typo
//! of one character tolerated on long numbers), by amount, by the other party's name and
//! by date window; partial payments (one line, part of an invoice) and grouped payments
//! (one line, several invoices of one party). Every match says why and how sure it is;
//! a line two invoices could claim equally goes to check, never guessed.
//!
//! Then what is still owed: per invoice (paid, partly paid, unpaid, days overdue) and
//! the ageing buckets 0–30, 31–60, 61–90, >90 days, per currency.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::entities::normalize_company;
use crate::money::{Direction, LedgerEntry};

/// One bank line, as a statement reader gives it (amount signed, in cents).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// Issue date, ISO 8601.
    pub date: String,
    /// Amount in cents.
    pub amount_cents: i64,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// What the bank wrote about the line.
    pub label: String,
    /// Remittance reference, when given.
    pub reference: Option<String>,
    /// The other party named by the bank.
    pub counterparty: Option<String>,
}

/// One payment (or part of one) put against one invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentMatch {
    /// Index of the payment in the list given.
    pub payment: usize,
    /// Index of the invoice in the list given.
    pub invoice: usize,
    /// The part of the payment put on this invoice (positive cents).
    pub amount_cents: i64,
    /// `number`, `number_typo`, `amount_and_name`, `amount`, `grouped`, `partial`.
    pub reason: String,
    /// 0 to 1.
    pub confidence: f32,
}

/// A payment that several invoices could claim equally: to check by a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ambiguous {
    /// Index of the payment in the list given.
    pub payment: usize,
    /// Indexes of the invoices that could claim it.
    pub candidates: Vec<usize>,
}

/// The result of [`match_payments`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Matching {
    /// Payments put against invoices.
    pub matches: Vec<PaymentMatch>,
    /// Payments to check by a person.
    pub ambiguous: Vec<Ambiguous>,
    /// Payments that match no invoice.
    pub unmatched: Vec<usize>,
}

/// A reason code in words.
pub fn reason_text(code: &str, french: bool) -> &'static str {
    match (code, french) {
        ("number", true) => "numéro de facture dans le libellé",
        ("number", false) => "invoice number in the label",
        ("number_typo", true) => "numéro de facture dans le libellé (à un caractère près)",
        ("number_typo", false) => "invoice number in the label (one character off)",
        ("amount_and_name", true) => "même montant et même tiers",
        ("amount_and_name", false) => "same amount and same party",
        ("amount", true) => "même montant, seule facture possible",
        ("amount", false) => "same amount, the only possible invoice",
        ("grouped", true) => "paiement groupé de plusieurs factures du même tiers",
        ("grouped", false) => "grouped payment of several invoices of one party",
        ("partial", true) => "paiement partiel (numéro de facture dans le libellé)",
        ("partial", false) => "partial payment (invoice number in the label)",
        (_, true) => "autre",
        (_, false) => "other",
    }
}

fn alnum_upper(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether `number` is written in `hay` (both compacted): exactly, or with one character
/// changed, missing or added when the number is long enough to stay distinctive.
fn number_in(hay: &str, number: &str) -> Option<bool> {
    let n = alnum_upper(number);
    if n.len() < 3 {
        return None;
    }
    if hay.contains(&n) {
        return Some(true);
    }
    if n.len() < 6 {
        return None;
    }
    let h: Vec<char> = hay.chars().collect();
    let nc: Vec<char> = n.chars().collect();
    for len in [nc.len() - 1, nc.len(), nc.len() + 1] {
        if len > h.len() {
            continue;
        }
        for start in 0..=h.len() - len {
            if edit_distance_le1(&h[start..start + len], &nc) {
                return Some(false);
            }
        }
    }
    None
}

fn edit_distance_le1(a: &[char], b: &[char]) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < la && j < lb {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match la.cmp(&lb) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (la - i) + (lb - j) <= 1
}

/// Days since 1970-01-01 of an ISO date.
pub fn day_number(iso: &str) -> Option<i64> {
    let y: i64 = iso.get(0..4)?.parse().ok()?;
    let m: i64 = iso.get(5..7)?.parse().ok()?;
    let d: i64 = iso.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn name_in(hay: &str, name: &str) -> bool {
    let key = normalize_company(name);
    if key.len() < 3 {
        return false;
    }
    let hay = normalize_company(hay);
    let words: Vec<&str> = key.split(' ').filter(|w| w.len() >= 3).collect();
    !words.is_empty() && words.iter().all(|w| hay.split(' ').any(|h| h == *w))
}

/// Whether a payment's sign and currency fit an invoice.
fn compatible(p: &Payment, e: &LedgerEntry) -> bool {
    let incoming = p.amount_cents > 0;
    let fits = match e.direction {
        Direction::Sale | Direction::Unknown => incoming == (e.total_cents.unwrap_or(0) >= 0),
        Direction::Purchase => incoming == (e.total_cents.unwrap_or(0) < 0),
    };
    let currency_ok = match (&p.currency, &e.currency) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => true,
    };
    fits && currency_ok && p.amount_cents != 0
}

/// A payment date plausible for an invoice: from a week before its date to a year after.
fn in_window(p: &Payment, e: &LedgerEntry) -> bool {
    let (Some(pd), Some(id)) = (day_number(&p.date), e.date.as_deref().and_then(day_number)) else {
        return true;
    };
    pd >= id - 7 && pd <= id + 365
}

/// Matches bank lines to invoices (see the module doc). Invoice amounts used are what
/// remains to pay (`due_cents`, else the total).
pub fn match_payments(payments: &[Payment], invoices: &[LedgerEntry]) -> Matching {
    let mut open: Vec<i64> = invoices
        .iter()
        .map(|e| e.due_cents.or(e.total_cents).unwrap_or(0).abs())
        .collect();
    let mut out = Matching::default();
    let mut done = vec![false; payments.len()];
    let hay: Vec<String> = payments
        .iter()
        .map(|p| {
            alnum_upper(&format!(
                "{} {}",
                p.label,
                p.reference.as_deref().unwrap_or("")
            ))
        })
        .collect();
    let text: Vec<String> = payments
        .iter()
        .map(|p| format!("{} {}", p.label, p.counterparty.as_deref().unwrap_or("")))
        .collect();

    // 1. Invoice numbers written in the label: one (full or partial) or several (grouped).
    for (pi, p) in payments.iter().enumerate() {
        let mut named: Vec<(usize, bool)> = invoices
            .iter()
            .enumerate()
            .filter(|(ii, e)| compatible(p, e) && in_window(p, e) && open[*ii] > 0)
            .filter_map(|(ii, e)| {
                e.number
                    .as_deref()
                    .and_then(|n| number_in(&hay[pi], n))
                    .map(|exact| (ii, exact))
            })
            .collect();
        // An exact number beats a one-character-off one.
        if named.iter().any(|(_, exact)| *exact) {
            named.retain(|(_, exact)| *exact);
        }
        if named.is_empty() {
            continue;
        }
        let amount = p.amount_cents.abs();
        let sum: i64 = named.iter().map(|(ii, _)| open[*ii]).sum();
        if named.len() == 1 {
            let (ii, exact) = named[0];
            let part = amount.min(open[ii]);
            let reason = if amount < open[ii] {
                "partial"
            } else if exact {
                "number"
            } else {
                "number_typo"
            };
            let confidence = match reason {
                "number" => 0.97,
                "partial" => 0.85,
                _ => 0.8,
            };
            out.matches.push(PaymentMatch {
                payment: pi,
                invoice: ii,
                amount_cents: part,
                reason: reason.into(),
                confidence,
            });
            open[ii] -= part;
            done[pi] = true;
        } else if sum == amount {
            for (ii, _) in &named {
                out.matches.push(PaymentMatch {
                    payment: pi,
                    invoice: *ii,
                    amount_cents: open[*ii],
                    reason: "grouped".into(),
                    confidence: 0.93,
                });
                open[*ii] = 0;
            }
            done[pi] = true;
        } else {
            out.ambiguous.push(Ambiguous {
                payment: pi,
                candidates: named.iter().map(|(ii, _)| *ii).collect(),
            });
            done[pi] = true;
        }
    }

    // 2. Same amount as one open invoice: with the party's name, or as the only one.
    for (pi, p) in payments.iter().enumerate() {
        if done[pi] {
            continue;
        }
        let amount = p.amount_cents.abs();
        let same: Vec<usize> = (0..invoices.len())
            .filter(|ii| {
                open[*ii] == amount && compatible(p, &invoices[*ii]) && in_window(p, &invoices[*ii])
            })
            .collect();
        let named: Vec<usize> = same
            .iter()
            .copied()
            .filter(|ii| {
                invoices[*ii]
                    .counterpart
                    .as_deref()
                    .is_some_and(|n| name_in(&text[pi], n))
            })
            .collect();
        let pick = match (named.len(), same.len()) {
            (1, _) => Some((named[0], "amount_and_name", 0.9)),
            (0, 1) => Some((same[0], "amount", 0.6)),
            _ => None,
        };
        if let Some((ii, reason, confidence)) = pick {
            out.matches.push(PaymentMatch {
                payment: pi,
                invoice: ii,
                amount_cents: amount,
                reason: reason.into(),
                confidence,
            });
            open[ii] = 0;
            done[pi] = true;
        } else if same.len() > 1 {
            let candidates = if named.len() > 1 { named } else { same };
            out.ambiguous.push(Ambiguous {
                payment: pi,
                candidates,
            });
            done[pi] = true;
        }
    }

    // 3. Grouped without numbers: the sum of two to four open invoices of the party named.
    for (pi, p) in payments.iter().enumerate() {
        if done[pi] {
            continue;
        }
        let amount = p.amount_cents.abs();
        let mut by_party: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (ii, e) in invoices.iter().enumerate() {
            if let Some(n) = e.counterpart.as_deref()
                && open[ii] > 0
                && compatible(p, e)
                && in_window(p, e)
                && name_in(&text[pi], n)
            {
                by_party.entry(normalize_company(n)).or_default().push(ii);
            }
        }
        'party: for (_, list) in by_party {
            let list: Vec<usize> = list.into_iter().take(12).collect();
            let n = list.len();
            for mask in 1u32..(1 << n) {
                let k = mask.count_ones();
                if !(2..=4).contains(&k) {
                    continue;
                }
                let chosen: Vec<usize> = (0..n)
                    .filter(|b| mask & (1 << b) != 0)
                    .map(|b| list[b])
                    .collect();
                if chosen.iter().map(|ii| open[*ii]).sum::<i64>() == amount {
                    for ii in chosen {
                        out.matches.push(PaymentMatch {
                            payment: pi,
                            invoice: ii,
                            amount_cents: open[ii],
                            reason: "grouped".into(),
                            confidence: 0.75,
                        });
                        open[ii] = 0;
                    }
                    done[pi] = true;
                    break 'party;
                }
            }
        }
    }
    out.unmatched = (0..payments.len()).filter(|pi| !done[*pi]).collect();
    out
}

/// Paid, partly paid or unpaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayState {
    /// Nothing left to pay.
    Paid,
    /// Partly paid.
    Partial,
    /// Nothing paid yet.
    Unpaid,
}

/// What is left to pay on one invoice at a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceBalance {
    /// Index of the invoice in the list given.
    pub invoice: usize,
    /// Paid so far, in cents.
    pub paid_cents: i64,
    /// Still due, in cents.
    pub remaining_cents: i64,
    /// Paid, partly paid or unpaid.
    pub state: PayState,
    /// Days past the due date at `as_of` (0 when not yet due or no due date).
    pub days_overdue: i64,
    /// Payments put on it (indexes), in order.
    pub payments: Vec<usize>,
}

/// Balances of the invoices after `matching`, at the date `as_of` (ISO).
pub fn balances(invoices: &[LedgerEntry], matching: &Matching, as_of: &str) -> Vec<InvoiceBalance> {
    let today = day_number(as_of);
    invoices
        .iter()
        .enumerate()
        .map(|(ii, e)| {
            let total = e.due_cents.or(e.total_cents).unwrap_or(0).abs();
            let mine: Vec<&PaymentMatch> = matching
                .matches
                .iter()
                .filter(|m| m.invoice == ii)
                .collect();
            let paid: i64 = mine.iter().map(|m| m.amount_cents).sum();
            let remaining = (total - paid).max(0);
            let state = if remaining == 0 {
                PayState::Paid
            } else if paid > 0 {
                PayState::Partial
            } else {
                PayState::Unpaid
            };
            let due = e
                .due_date
                .as_deref()
                .or(e.date.as_deref())
                .and_then(day_number);
            let days_overdue = match (today, due) {
                (Some(t), Some(d)) if remaining > 0 => (t - d).max(0),
                _ => 0,
            };
            InvoiceBalance {
                invoice: ii,
                paid_cents: paid,
                remaining_cents: remaining,
                state,
                days_overdue,
                payments: mine.iter().map(|m| m.payment).collect(),
            }
        })
        .collect()
}

/// Amounts still due in one currency, by days overdue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ageing {
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Not yet due, or 0 to 30 days late.
    pub d0_30: i64,
    /// 31 to 60 days late, in cents.
    pub d31_60: i64,
    /// 61 to 90 days late, in cents.
    pub d61_90: i64,
    /// More than 90 days late, in cents.
    pub over_90: i64,
}

/// The ageing of what clients still owe (sales only), per currency.
pub fn ageing(invoices: &[LedgerEntry], balances: &[InvoiceBalance]) -> Vec<Ageing> {
    let mut map: BTreeMap<Option<String>, Ageing> = BTreeMap::new();
    for b in balances {
        let e = &invoices[b.invoice];
        if e.direction != Direction::Sale || b.remaining_cents == 0 {
            continue;
        }
        let a = map.entry(e.currency.clone()).or_insert_with(|| Ageing {
            currency: e.currency.clone(),
            ..Ageing::default()
        });
        let slot = match b.days_overdue {
            0..=30 => &mut a.d0_30,
            31..=60 => &mut a.d31_60,
            61..=90 => &mut a.d61_90,
            _ => &mut a.over_90,
        };
        *slot += b.remaining_cents;
    }
    map.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Business, RawInvoice, type_invoice};

    fn inv(number: &str, client: &str, total: &str, date: &str, ccy: &str) -> LedgerEntry {
        let raw = RawInvoice {
            file: format!("{number}.pdf"),
            issuer: Some("Atelier Lemoine".into()),
            buyer: Some(client.into()),
            number: Some(number.into()),
            total: Some(total.into()),
            vat: Some("0".into()),
            currency: Some(ccy.into()),
            date: Some(date.into()),
            due_date: Some(date.into()),
            source: "text".into(),
            ..RawInvoice::default()
        };
        let us = Business {
            name: Some("Atelier Lemoine".into()),
            ..Business::default()
        };
        type_invoice(&raw, &us)
    }

    fn pay(date: &str, cents: i64, label: &str) -> Payment {
        Payment {
            date: date.into(),
            amount_cents: cents,
            currency: Some("EUR".into()),
            label: label.into(),
            ..Payment::default()
        }
    }

    #[test]
    fn full_partial_grouped_typo_and_ambiguous_payments() {
        let invoices = vec![
            inv(
                "F-2026-001",
                "Boulangerie Martin",
                "1200",
                "2026-01-10",
                "EUR",
            ),
            inv("F-2026-002", "Garage Petit", "800", "2026-01-15", "EUR"),
            inv("F-2026-003", "Cabinet Roux", "300", "2026-01-20", "EUR"),
            inv("F-2026-004", "Cabinet Roux", "450", "2026-01-25", "EUR"),
            inv("F-2026-005", "Hôtel Duval", "500", "2026-02-01", "EUR"),
            inv("F-2026-006", "Atelier Bois", "500", "2026-02-02", "EUR"),
            inv("F-2026-007", "London Ltd", "900", "2026-02-03", "GBP"),
            inv("F-2026-008", "Ferme Blanc", "640", "2026-02-04", "EUR"),
        ];
        let payments = vec![
            pay(
                "2026-01-20",
                120_000,
                "VIR SEPA BOULANGERIE MARTIN FACTURE F-2026-001",
            ),
            pay("2026-02-01", 50_000, "VIR GARAGE PETIT ACOMPTE F-2026-002"),
            pay(
                "2026-02-10",
                75_000,
                "VIR CABINET ROUX FACTURES F-2026-003 F-2026-004",
            ),
            pay("2026-02-12", 50_000, "VIR SEPA CLIENT"),
            pay("2026-02-20", 90_000, "VIR LONDON LTD"),
            pay("2026-02-21", 64_000, "VIR FERME BLANC F2026-0O8"),
            pay("2026-02-22", -3_000, "PRLV FREE MOBILE"),
        ];
        let m = match_payments(&payments, &invoices);
        let find = |pi: usize| -> Vec<(usize, &str, i64)> {
            m.matches
                .iter()
                .filter(|x| x.payment == pi)
                .map(|x| (x.invoice, x.reason.as_str(), x.amount_cents))
                .collect()
        };
        assert_eq!(find(0), [(0, "number", 120_000)]);
        assert_eq!(find(1), [(1, "partial", 50_000)]);
        assert_eq!(find(2), [(2, "grouped", 30_000), (3, "grouped", 45_000)]);
        // Two invoices of 500 € and no name: to check, not guessed.
        assert!(find(3).is_empty());
        assert_eq!(
            m.ambiguous,
            [Ambiguous {
                payment: 3,
                candidates: vec![4, 5]
            }]
        );
        // A euro line never pays a pound invoice.
        assert!(find(4).is_empty());
        assert_eq!(find(5), [(7, "number_typo", 64_000)]);
        assert!(m.unmatched.contains(&6));

        let b = balances(&invoices, &m, "2026-04-01");
        assert_eq!(b[0].state, PayState::Paid);
        assert_eq!(
            (b[1].state, b[1].remaining_cents),
            (PayState::Partial, 30_000)
        );
        assert_eq!(
            b[1].days_overdue,
            day_number("2026-04-01").unwrap() - day_number("2026-01-15").unwrap()
        );
        let a = ageing(&invoices, &b);
        let eur = a
            .iter()
            .find(|a| a.currency.as_deref() == Some("EUR"))
            .unwrap();
        // Garage Petit 300 € (76 days), Hôtel Duval and Atelier Bois 500 € each (59, 58 days).
        assert_eq!((eur.d31_60, eur.d61_90, eur.over_90), (100_000, 30_000, 0));
        let gbp = a
            .iter()
            .find(|a| a.currency.as_deref() == Some("GBP"))
            .unwrap();
        assert_eq!(gbp.d31_60, 90_000);
    }

    #[test]
    fn a_grouped_payment_without_numbers_is_found_from_the_party_and_the_sum() {
        let invoices = vec![
            inv("A-1", "Cabinet Roux", "300", "2026-01-20", "EUR"),
            inv("A-2", "Cabinet Roux", "450", "2026-01-25", "EUR"),
            inv("A-3", "Cabinet Roux", "999", "2026-01-26", "EUR"),
        ];
        let m = match_payments(&[pay("2026-02-10", 75_000, "VIR CABINET ROUX")], &invoices);
        let got: Vec<usize> = m.matches.iter().map(|x| x.invoice).collect();
        assert_eq!(got, [0, 1]);
        assert!(m.matches.iter().all(|x| x.reason == "grouped"));
    }

    #[test]
    fn dates_count_days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(
            day_number("2026-03-01").unwrap() - day_number("2026-02-28").unwrap(),
            1
        );
        assert_eq!(
            day_number("2024-03-01").unwrap() - day_number("2024-02-28").unwrap(),
            2
        );
    }
}
