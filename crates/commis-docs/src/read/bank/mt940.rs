//! SWIFT MT940 (end-of-day statement) and MT942 (interim report): the `:tag:` fields
//! of each statement, its `:61:` lines with their `:86:` details, and the opening and
//! closing balances.

use super::{Dec, one_line, parse_decimal, yymmdd};
use crate::error::DocError;
use crate::model::{BankStatement, BankTransaction, Document, Format};
use crate::textdecode;

/// Whether text looks like an MT940/MT942 file: a `:20:` reference and a `:61:` or
/// balance field at line starts.
pub(crate) fn looks_like_mt940(text: &str) -> bool {
    let mut has_20 = false;
    let mut has_body = false;
    for line in text.lines().take(400) {
        let l = line.trim_start_matches(['{', '}']).trim_start();
        let l = l.strip_prefix("4:").unwrap_or(l).trim_start();
        if l.starts_with(":20:") {
            has_20 = true;
        }
        if l.starts_with(":61:")
            || l.starts_with(":60F:")
            || l.starts_with(":60M:")
            || l.starts_with(":34F:")
            || l.starts_with(":25:")
        {
            has_body = true;
        }
    }
    // Snippets without a `:20:` still open with a field.
    let opens_with_field = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| field_tag(l.trim()).is_some());
    has_body && (has_20 || opens_with_field)
}

/// Splits the text into `(tag, value)` fields; continuation lines join their field.
fn fields(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        // SWIFT envelopes: "{1:F01...}{2:...}{4:" before the first field, "-}" after.
        let stripped = line
            .rsplit_once("{4:")
            .map_or(line, |(_, rest)| rest)
            .trim_start();
        if let Some(tag) = field_tag(stripped) {
            let value = &stripped[tag.len() + 2..];
            out.push((tag.to_string(), value.to_string()));
            continue;
        }
        let t = line.trim();
        if t == "-" || t == "-}" || t.starts_with("{") || t.starts_with("-}") {
            // End of a message: no continuation after it.
            if let Some(last) = out.last_mut()
                && last.0 != "END"
            {
                out.push(("END".to_string(), String::new()));
            }
            continue;
        }
        if let Some(last) = out.last_mut()
            && last.0 != "END"
        {
            last.1.push('\n');
            last.1.push_str(line);
        }
    }
    out
}

/// ":61:" → "61", ":60F:" → "60F"; `None` when the line does not open a field.
fn field_tag(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = &rest[..end];
    let b = tag.as_bytes();
    let ok = (b.len() == 2 || b.len() == 3)
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && (b.len() == 2 || b[2].is_ascii_uppercase());
    ok.then_some(tag)
}

/// A `:60F:`/`:62F:` balance: mark C/D, date, currency, amount.
fn balance(value: &str) -> Option<(Dec, String, String)> {
    let v = value.trim();
    let (sign, rest) = match v.as_bytes().first()? {
        b'C' => (1, &v[1..]),
        b'D' => (-1, &v[1..]),
        _ => return None,
    };
    let date = yymmdd(rest.get(0..6)?)?;
    let currency = rest.get(6..9)?.to_string();
    let amount = parse_decimal(rest.get(9..)?.lines().next()?, true)?;
    let amount = if sign < 0 { amount.neg() } else { amount };
    Some((amount, currency, date))
}

struct Line61 {
    value_date: String,
    entry_date: Option<String>,
    amount: Dec,
    customer_ref: Option<String>,
    bank_ref: Option<String>,
    supplementary: Option<String>,
}

fn line61(value: &str) -> Option<Line61> {
    let mut lines: Vec<&str> = value.lines().map(str::trim).collect();
    // Some banks break the line right after the debit/credit mark ("...CR" / "30,00N062").
    let tail = lines
        .first()
        .and_then(|l| l.get(l.len().min(10)..))
        .unwrap_or("");
    if lines.len() >= 2 && !tail.bytes().any(|b| b.is_ascii_digit()) {
        let joined = format!("{}{}", lines[0], lines[1]);
        let rest = lines.split_off(2).join(" ");
        return line61_parts(&joined, Some(rest));
    }
    let first = lines.first()?.to_string();
    let rest = (lines.len() > 1).then(|| lines[1..].join(" "));
    line61_parts(&first, rest)
}

fn line61_parts(first: &str, rest: Option<String>) -> Option<Line61> {
    let supplementary = rest.map(|r| one_line(&r)).filter(|s| !s.is_empty());
    let value_date = yymmdd(first.get(0..6)?)?;
    let mut rest = &first[6..];
    let mut entry_date = None;
    if rest.len() >= 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        let mmdd = &rest[..4];
        let vy: i32 = value_date[0..4].parse().ok()?;
        let vm: u32 = value_date[5..7].parse().ok()?;
        let em: u32 = mmdd[0..2].parse().ok()?;
        let ed: u32 = mmdd[2..4].parse().ok()?;
        // The entry date has no year: the one closest to the value date.
        let year = if vm == 12 && em == 1 {
            vy + 1
        } else if vm == 1 && em == 12 {
            vy - 1
        } else {
            vy
        };
        entry_date = super::iso_date_clamped(year, em, ed);
        rest = &rest[4..];
    }
    // The sign follows the last letter of the mark: banks book a reversal ("RC",
    // "RD") in the direction its letter names, as wolph/mt940's fixtures show.
    let (negative, after) = if let Some(r) = rest.strip_prefix("RC") {
        (false, r)
    } else if let Some(r) = rest.strip_prefix("RD") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("EC") {
        (false, r)
    } else if let Some(r) = rest.strip_prefix("ED") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix('C') {
        (false, r)
    } else if let Some(r) = rest.strip_prefix('D') {
        (true, r)
    } else {
        return None;
    };
    // Optional funds code: the third letter of the currency code.
    let after = match after.as_bytes().first() {
        Some(b) if b.is_ascii_alphabetic() => &after[1..],
        _ => after,
    };
    let amount_len = after
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b',')
        .count();
    let amount = parse_decimal(&after[..amount_len], true)?;
    let amount = if negative { amount.neg() } else { amount };
    let mut rest = &after[amount_len..];
    // Transaction type: N/F/S and three characters.
    if rest.len() >= 4 {
        rest = &rest[4..];
    } else {
        rest = "";
    }
    let (customer, bank) = match rest.split_once("//") {
        Some((c, b)) => (c, Some(b)),
        None => (rest, None),
    };
    let clean = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && !s.eq_ignore_ascii_case("NONREF")).then(|| s.to_string())
    };
    Some(Line61 {
        value_date,
        entry_date,
        amount,
        customer_ref: clean(customer),
        bank_ref: bank.and_then(clean),
        supplementary,
    })
}

/// What a `:86:` field says: label, counterparty, reference.
struct Details {
    label: String,
    counterparty: Option<String>,
    reference: Option<String>,
}

fn details(value: &str) -> Details {
    let joined: String = value.lines().map(|l| l.trim_end_matches('\r')).collect();
    // German structured form: "805?00ENTGELTABSCHLUSS?106666?20Pauschalen?32NAME".
    if joined.contains("?20") || joined.contains("?00") {
        let mut sub: Vec<(u32, String)> = Vec::new();
        for part in joined.split('?').skip(1) {
            if part.len() >= 2
                && let Ok(n) = part[..2].parse::<u32>()
            {
                sub.push((n, part[2..].to_string()));
            }
        }
        let get = |range: std::ops::RangeInclusive<u32>| -> String {
            sub.iter()
                .filter(|(n, _)| range.contains(n))
                .map(|(_, v)| v.as_str())
                .collect::<String>()
        };
        let purpose = format!("{}{}", get(20..=29), get(60..=63));
        let name = one_line(&get(32..=33));
        let posting = one_line(&get(0..=0));
        let reference = sepa_keyword(&purpose, "EREF+");
        let label = one_line(&[posting.as_str(), name.as_str(), purpose.as_str()].join(" "));
        return Details {
            label,
            counterparty: (!name.is_empty()).then_some(name),
            reference,
        };
    }
    let text = one_line(&value.replace('\r', ""));
    // Dutch/SEPA slash form: "/TRTP/SEPA OVERBOEKING/IBAN/.../NAME/X/REMI/Y/EREF/Z".
    let slash = |key: &str| -> Option<String> {
        let start = text.find(&format!("/{key}/"))? + key.len() + 2;
        let rest = &text[start..];
        let end = rest
            .match_indices('/')
            .find(|(i, _)| {
                let after = &rest[i + 1..];
                let code: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase())
                    .collect();
                code.len() >= 3 && after[code.len()..].starts_with('/')
            })
            .map_or(rest.len(), |(i, _)| i);
        let v = rest[..end].trim().trim_matches('/').trim();
        (!v.is_empty() && !v.eq_ignore_ascii_case("NOTPROVIDED")).then(|| v.to_string())
    };
    Details {
        counterparty: slash("NAME"),
        reference: slash("EREF").or_else(|| sepa_keyword(&text, "EREF+")),
        label: text,
    }
}

fn sepa_keyword(text: &str, key: &str) -> Option<String> {
    let start = text.find(key)? + key.len();
    let rest = &text[start..];
    let end = ["MREF+", "CRED+", "SVWZ+", "ABWA+", "KREF+", "?"]
        .iter()
        .filter_map(|k| rest.find(k))
        .min()
        .unwrap_or(rest.len());
    let v = rest[..end].trim();
    (!v.is_empty() && !v.eq_ignore_ascii_case("NOTPROVIDED")).then(|| v.to_string())
}

pub(crate) fn read(bytes: &[u8]) -> Result<Document, DocError> {
    let mut doc = Document::new(Format::Mt940);
    let decoded = textdecode::decode(bytes);
    doc.metadata.encoding = Some(decoded.encoding.to_string());
    let text = decoded.text;
    let fields = fields(&text);
    let mut current: Option<BankStatement> = None;
    let mut pending: Option<BankTransaction> = None;
    let mut n_bad = 0usize;

    let flush_tx = |pending: &mut Option<BankTransaction>,
                    current: &mut Option<BankStatement>,
                    doc: &mut Document| {
        if let Some(tx) = pending.take() {
            if let Some(st) = current.as_mut() {
                st.transaction_count += 1;
            }
            doc.transactions.push(tx);
        }
    };
    for (tag, value) in &fields {
        match tag.as_str() {
            "20" => {
                flush_tx(&mut pending, &mut current, &mut doc);
                if let Some(st) = current.take() {
                    doc.statements.push(st);
                }
                current = Some(BankStatement {
                    source: "mt940".to_string(),
                    ..BankStatement::default()
                });
            }
            "25" => {
                if let Some(st) = current.as_mut() {
                    st.account = Some(one_line(value));
                }
            }
            "60F" | "60M" => {
                if current.is_none() {
                    current = Some(BankStatement {
                        source: "mt940".to_string(),
                        ..BankStatement::default()
                    });
                }
                if let (Some(st), Some((amount, ccy, date))) = (current.as_mut(), balance(value))
                    && st.opening_balance.is_none()
                {
                    st.opening_balance = Some(amount.to_text());
                    st.currency = Some(ccy);
                    st.period_start = Some(date);
                }
            }
            "62F" | "62M" => {
                flush_tx(&mut pending, &mut current, &mut doc);
                if let (Some(st), Some((amount, ccy, date))) = (current.as_mut(), balance(value)) {
                    st.closing_balance = Some(amount.to_text());
                    st.currency.get_or_insert(ccy);
                    st.period_end = Some(date);
                }
            }
            "34F" => {
                // MT942: the floor limit carries the currency.
                if let Some(st) = current.as_mut()
                    && st.currency.is_none()
                {
                    let ccy: String = value.trim().chars().take(3).collect();
                    if ccy.len() == 3 && ccy.bytes().all(|b| b.is_ascii_uppercase()) {
                        st.currency = Some(ccy);
                    }
                    st.source = "mt942".to_string();
                }
            }
            "61" => {
                flush_tx(&mut pending, &mut current, &mut doc);
                if current.is_none() {
                    current = Some(BankStatement {
                        source: "mt940".to_string(),
                        ..BankStatement::default()
                    });
                }
                match line61(value) {
                    Some(l) => {
                        let st = current.as_ref();
                        pending = Some(BankTransaction {
                            date: l.entry_date.clone().unwrap_or_else(|| l.value_date.clone()),
                            value_date: Some(l.value_date),
                            amount: l.amount.to_text(),
                            currency: st.and_then(|s| s.currency.clone()),
                            label: l.supplementary.clone().unwrap_or_default(),
                            reference: l.customer_ref.or(l.bank_ref),
                            counterparty: None,
                            account: st.and_then(|s| s.account.clone()),
                        });
                    }
                    None => n_bad += 1,
                }
            }
            "86" => {
                if let Some(tx) = pending.as_mut() {
                    let d = details(value);
                    if !d.label.is_empty() {
                        tx.label = d.label;
                    }
                    tx.counterparty = d.counterparty;
                    if d.reference.is_some() {
                        tx.reference = d.reference;
                    }
                }
            }
            _ => {}
        }
    }
    flush_tx(&mut pending, &mut current, &mut doc);
    if let Some(st) = current.take() {
        doc.statements.push(st);
    }
    if doc.statements.is_empty() {
        return Err(DocError::corrupt(
            "MT940",
            "no statement found (no :20: field)",
        ));
    }
    if n_bad > 0 {
        doc.warnings.push(format!(
            "{n_bad} :61: line(s) could not be read and were skipped"
        ));
    }
    doc.title = doc
        .statements
        .first()
        .and_then(|s| s.account.as_ref())
        .map(|a| format!("Bank statement {a}"));
    doc.push_block(
        crate::model::BlockKind::Paragraph,
        statement_text(&doc),
        crate::model::Place::default(),
    );
    Ok(doc)
}

/// The statement as readable lines, so search and models see it as text.
pub(crate) fn statement_text(doc: &Document) -> String {
    let mut out = String::new();
    for st in &doc.statements {
        out.push_str(&format!(
            "Account {} ({}) from {} to {}: opening {} closing {}\n",
            st.account.as_deref().unwrap_or("?"),
            st.currency.as_deref().unwrap_or("?"),
            st.period_start.as_deref().unwrap_or("?"),
            st.period_end.as_deref().unwrap_or("?"),
            st.opening_balance.as_deref().unwrap_or("?"),
            st.closing_balance.as_deref().unwrap_or("?"),
        ));
    }
    for tx in &doc.transactions {
        out.push_str(&format!(
            "{} {} {} {}{}\n",
            tx.date,
            tx.amount,
            tx.currency.as_deref().unwrap_or(""),
            tx.label,
            tx.reference
                .as_deref()
                .map(|r| format!(" [ref {r}]"))
                .unwrap_or_default()
        ));
    }
    out
}
