//! Bank CSV exports: finds the header row (after any account lines a bank writes
//! first), names each column from its header in French, English, German or Dutch
//! (date, amount or debit/credit columns, label, reference...), and reads the lines.
//! Files without a header (BNP Paribas) are read from the kinds of their columns.

use super::{one_line, parse_decimal, sniff_decimal_comma};
use crate::model::{BankStatement, BankTransaction};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Date,
    ValueDate,
    Amount,
    Debit,
    Credit,
    Indicator,
    Label,
    Counterparty,
    Reference,
    Currency,
    Balance,
    Account,
}

/// Lowercase ASCII with accents removed ("Débit" → "debit"); mojibake bytes dropped.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().trim_matches('"').chars() {
        let mapped = match c {
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'e',
            'à' | 'â' | 'ä' | 'À' | 'Ä' => 'a',
            'î' | 'ï' => 'i',
            'ô' | 'ö' | 'Ö' => 'o',
            'û' | 'ü' | 'ù' | 'Ü' => 'u',
            'ç' => 'c',
            c if c.is_ascii() => c.to_ascii_lowercase(),
            _ => continue,
        };
        out.push(mapped);
    }
    out
}

fn role_of(header: &str) -> Option<(Role, u8)> {
    let h = fold(header);
    let h = h.trim();
    if h.is_empty() || h.len() > 60 {
        return None;
    }
    let has = |keys: &[&str]| keys.iter().any(|k| h.contains(k));
    let is = |keys: &[&str]| keys.contains(&h);
    if has(&[
        "fremd",
        "original",
        "oorspr",
        "local_",
        "exchange",
        "wechselkurs",
        "koers",
    ]) {
        return None;
    }
    if (h.contains("account") && h.contains("label"))
        || has(&["bankleitzahl", "blz", "bic"])
        || (has(&["konto", "iban", "rekening", "account"])
            && has(&[
                "auftraggeber",
                "tegen",
                "partner",
                "empfanger",
                "beguenstigter",
            ]))
    {
        return None;
    }
    if has(&["solde", "balance", "saldo", "kontostand"]) {
        return Some((Role::Balance, 1));
    }
    if is(&[
        "d/k",
        "d/c",
        "af bij",
        "af/bij",
        "s/h",
        "soll/haben",
        "cr/dr",
        "dr/cr",
        "sens",
    ]) {
        return Some((Role::Indicator, 1));
    }
    if has(&[
        "valeur",
        "dateval",
        "value date",
        "wertstellung",
        "valuta",
        "rentedatum",
    ]) {
        return Some((Role::ValueDate, 1));
    }
    if has(&[
        "date operation",
        "date op",
        "dateop",
        "comptabilisation",
        "buchungstag",
        "buchungsdatum",
        "booking date",
        "transaction date",
        "posting date",
    ]) {
        return Some((Role::Date, 3));
    }
    if has(&["date", "datum", "created", "fecha"]) {
        return Some((Role::Date, 2));
    }
    if has(&[
        "debit",
        "soll",
        "paid out",
        "money out",
        "withdrawal",
        "ausgang",
    ]) || is(&["af"])
    {
        return Some((Role::Debit, 1));
    }
    if has(&[
        "credit", "haben", "paid in", "money in", "deposit", "eingang",
    ]) || is(&["bij"])
    {
        return Some((Role::Credit, 1));
    }
    if has(&["montant", "amount", "betrag", "bedrag", "somme", "importe"]) || is(&["umsatz"]) {
        return Some((Role::Amount, 1));
    }
    if has(&[
        "devise", "currency", "wahrung", "waehrung", "munt", "monn", "ccy",
    ]) {
        return Some((Role::Currency, 1));
    }
    if has(&[
        "beguenstigter",
        "empfanger",
        "auftraggeber",
        "tegenpartij",
        "partner name",
        "payee",
        "beneficiary",
        "counterparty",
        "tiers",
    ]) || is(&["naam", "name", "nom"])
    {
        return Some((Role::Counterparty, 1));
    }
    if has(&[
        "libelle operation",
        "verwendungszweck",
        "omschrijving",
        "payment reference",
        "description",
        "libelle",
        "label",
        "buchungstext",
        "details",
        "memo",
        "narrative",
        "particulars",
        "vwz",
    ]) {
        let rank = if has(&["libelle operation", "verwendungszweck", "omschrijving-1"]) {
            3
        } else if has(&[
            "simplifie",
            "buchungstext",
            "description 2",
            "description 3",
        ]) {
            1
        } else {
            2
        };
        return Some((Role::Label, rank));
    }
    if has(&[
        "reference",
        "referenz",
        "ref.",
        "n de transaction",
        "transactie",
    ]) || is(&["ref"])
    {
        return Some((Role::Reference, 1));
    }
    if has(&[
        "compte",
        "account",
        "iban",
        "auftragskonto",
        "rekening",
        "kontonummer",
        "accountnum",
        "produit",
    ]) {
        return Some((Role::Account, 1));
    }
    None
}

/// Columns chosen for each role.
#[derive(Debug, Default)]
struct Columns {
    date: Option<usize>,
    value_date: Option<usize>,
    amount: Option<usize>,
    debit: Option<usize>,
    credit: Option<usize>,
    indicator: Option<usize>,
    labels: Vec<(u8, usize)>,
    counterparty: Option<usize>,
    reference: Option<usize>,
    currency: Option<usize>,
    account: Option<usize>,
    amount_currency: Option<String>,
}

impl Columns {
    fn from_header(row: &[String]) -> Option<Columns> {
        let mut c = Columns::default();
        let mut date_rank = 0u8;
        for (i, h) in row.iter().enumerate() {
            let Some((role, rank)) = role_of(h) else {
                continue;
            };
            match role {
                Role::Date if rank > date_rank => {
                    date_rank = rank;
                    c.date = Some(i);
                }
                Role::ValueDate => {
                    c.value_date.get_or_insert(i);
                }
                Role::Amount => {
                    if c.amount.is_none() {
                        c.amount = Some(i);
                        c.amount_currency = currency_in(h);
                    }
                }
                Role::Debit => {
                    c.debit.get_or_insert(i);
                }
                Role::Credit => {
                    c.credit.get_or_insert(i);
                }
                Role::Indicator => {
                    c.indicator.get_or_insert(i);
                }
                Role::Label => c.labels.push((rank, i)),
                Role::Counterparty => {
                    c.counterparty.get_or_insert(i);
                }
                Role::Reference => {
                    c.reference.get_or_insert(i);
                }
                Role::Currency => {
                    c.currency.get_or_insert(i);
                }
                Role::Account => {
                    c.account.get_or_insert(i);
                }
                Role::Balance | Role::Date => {}
            }
        }
        // Only a value date: it is the date.
        if c.date.is_none() {
            c.date = c.value_date.take();
        }
        let has_money = c.amount.is_some() || (c.debit.is_some() && c.credit.is_some());
        let has_text = !c.labels.is_empty() || c.counterparty.is_some();
        // A list of invoices has a date and an amount too; a bank export also says
        // what each line was (a label) or splits debits from credits.
        (c.date.is_some() && has_money && has_text).then_some(c)
    }
}

fn currency_in(header: &str) -> Option<String> {
    let open = header.find('(')?;
    let code = header[open + 1..].trim_end_matches(')').trim();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then(|| code.to_string())
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses a date cell; `mdy` reads "02/10/2018" as February 10.
fn parse_date(raw: &str, mdy: bool) -> Option<String> {
    let s = raw.trim().trim_matches('"');
    let first = s.split(['T', ' ']).next().unwrap_or(s);
    // ISO "2018-03-01", "2018/03/01".
    let parts: Vec<&str> = first.split(['-', '/', '.']).collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
        if n.len() != 3 {
            return None;
        }
        if parts[0].len() == 4 {
            return super::iso_date(n[0] as i32, n[1], n[2]);
        }
        let year = if parts[2].len() == 2 {
            2000 + n[2] as i32
        } else {
            n[2] as i32
        };
        let (m, d) = if mdy { (n[0], n[1]) } else { (n[1], n[0]) };
        return super::iso_date(year, m, d);
    }
    if first.len() == 8 && first.bytes().all(|b| b.is_ascii_digit()) {
        return super::yyyymmdd_prefix(first);
    }
    // "10 Feb 18", "10 févr. 2018".
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() == 3 {
        let day: u32 = words[0].parse().ok()?;
        let m = fold(words[1]);
        let month = MONTHS.iter().position(|k| m.starts_with(k)).or_else(|| {
            [
                "janv", "fevr", "mars", "avr", "mai", "juin", "juil", "aout", "sept", "oct", "nov",
                "dec",
            ]
            .iter()
            .position(|k| m.starts_with(k))
        })? as u32
            + 1;
        let y: i32 = words[2].parse().ok()?;
        let year = if y < 100 { 2000 + y } else { y };
        return super::iso_date(year, month, day);
    }
    None
}

/// Whether "a/b/yyyy" dates in this column are month first (some first part over 12
/// and none of the second part: day first; the reverse: month first).
fn month_first(values: &[&str]) -> bool {
    let (mut first_big, mut second_big) = (false, false);
    for v in values {
        let parts: Vec<&str> = v.trim().split('/').collect();
        if parts.len() == 3 && parts[0].len() <= 2 {
            first_big |= parts[0].parse::<u32>().is_ok_and(|n| n > 12);
            second_big |= parts[1].parse::<u32>().is_ok_and(|n| n > 12);
        }
    }
    second_big && !first_big
}

/// Row labels that are balances or totals written as lines.
fn is_summary_label(label: &str) -> bool {
    let l = fold(label);
    [
        "opening balance",
        "closing balance",
        "turnover",
        "solde initial",
        "solde final",
        "solde precedent",
        "nouveau solde",
        "ancien solde",
        "anfangssaldo",
        "endsaldo",
        "total des operations",
    ]
    .iter()
    .any(|k| l.starts_with(k))
}

/// Reads a bank statement out of CSV rows; `None` when the rows are not one.
pub(crate) fn statement_from_rows(
    rows: &[Vec<String>],
) -> Option<(Vec<BankStatement>, Vec<BankTransaction>, Vec<String>)> {
    let mut warnings = Vec::new();
    let (header_at, cols) = match rows
        .iter()
        .take(30)
        .enumerate()
        .find_map(|(i, r)| Columns::from_header(r).map(|c| (i, c)))
    {
        Some(found) => found,
        None => (usize::MAX, headerless_columns(rows)?),
    };
    let body: Vec<&Vec<String>> = if header_at == usize::MAX {
        rows.iter().collect()
    } else {
        rows.iter().skip(header_at + 1).collect()
    };
    let preamble_account = rows
        .iter()
        .take(if header_at == usize::MAX {
            3
        } else {
            header_at
        })
        .flat_map(|r| r.iter())
        .find(|c| c.contains("****") || c.trim().starts_with("FR76"))
        .map(|c| c.trim().to_string());
    let cell = |r: &Vec<String>, i: Option<usize>| -> String {
        i.and_then(|i| r.get(i))
            .map(|s| s.trim().trim_matches('"').trim().to_string())
            .unwrap_or_default()
    };
    let date_values: Vec<&str> = body
        .iter()
        .filter_map(|r| cols.date.and_then(|i| r.get(i)).map(String::as_str))
        .collect();
    let mdy = month_first(&date_values);
    let money_cols = [cols.amount, cols.debit, cols.credit];
    let samples: Vec<&str> = body
        .iter()
        .flat_map(|r| money_cols.iter().flatten().filter_map(|i| r.get(*i)))
        .map(String::as_str)
        .collect();
    let decimal_comma = sniff_decimal_comma(samples.iter().copied());
    let mut txs = Vec::new();
    let mut skipped = 0usize;
    for r in &body {
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let Some(date) = parse_date(&cell(r, cols.date), mdy) else {
            skipped += 1;
            continue;
        };
        let amount = if let Some(i) = cols.amount {
            parse_decimal(&cell(r, Some(i)), decimal_comma).map(|a| {
                let ind = fold(&cell(r, cols.indicator));
                if matches!(
                    ind.as_str(),
                    "d" | "af" | "s" | "dr" | "debit" | "soll" | "-"
                ) {
                    a.abs().neg()
                } else if matches!(
                    ind.as_str(),
                    "k" | "c" | "bij" | "h" | "cr" | "credit" | "haben"
                ) {
                    a.abs()
                } else {
                    a
                }
            })
        } else {
            let debit = parse_decimal(&cell(r, cols.debit), decimal_comma);
            let credit = parse_decimal(&cell(r, cols.credit), decimal_comma);
            match (debit, credit) {
                (Some(d), _) if d.units != 0 => Some(d.abs().neg()),
                (_, Some(c)) if c.units != 0 => Some(c.abs()),
                (Some(d), None) => Some(d),
                (None, Some(c)) => Some(c),
                (Some(d), Some(_)) => Some(d),
                (None, None) => None,
            }
        };
        let Some(amount) = amount else {
            skipped += 1;
            continue;
        };
        let mut labels = cols.labels.clone();
        labels.sort_by_key(|(rank, i)| (std::cmp::Reverse(*rank), *i));
        let mut label_parts: Vec<String> = Vec::new();
        for (_, i) in &labels {
            let t = one_line(&cell(r, Some(*i)));
            if !t.is_empty() && !label_parts.iter().any(|p| p.contains(&t)) {
                label_parts.push(t);
            }
        }
        let counterparty = Some(one_line(&cell(r, cols.counterparty))).filter(|s| !s.is_empty());
        if label_parts.is_empty()
            && let Some(c) = &counterparty
        {
            label_parts.push(c.clone());
        }
        let label = label_parts.join(" ");
        if is_summary_label(&label) {
            continue;
        }
        let currency = Some(cell(r, cols.currency))
            .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
            .or(cols.amount_currency.clone());
        let reference = Some(cell(r, cols.reference))
            .filter(|s| !s.is_empty())
            .or_else(|| eref(&label));
        txs.push(BankTransaction {
            date,
            value_date: parse_date(&cell(r, cols.value_date), mdy),
            amount: amount.to_text(),
            currency,
            label,
            reference,
            counterparty,
            account: Some(cell(r, cols.account))
                .filter(|s| !s.is_empty())
                .or(preamble_account.clone()),
        });
    }
    if txs.is_empty() {
        return None;
    }
    if skipped > 0 {
        warnings.push(format!(
            "{skipped} row(s) without a readable date or amount were not taken as bank lines"
        ));
    }
    // One statement per account (Boursorama puts several in one file).
    let mut statements: Vec<BankStatement> = Vec::new();
    for tx in &txs {
        let st = match statements.iter_mut().find(|s| s.account == tx.account) {
            Some(s) => s,
            None => {
                statements.push(BankStatement {
                    source: "csv".to_string(),
                    account: tx.account.clone(),
                    currency: tx.currency.clone(),
                    ..BankStatement::default()
                });
                statements.last_mut()?
            }
        };
        st.transaction_count += 1;
        if st.period_start.as_ref().is_none_or(|d| &tx.date < d) {
            st.period_start = Some(tx.date.clone());
        }
        if st.period_end.as_ref().is_none_or(|d| &tx.date > d) {
            st.period_end = Some(tx.date.clone());
        }
        if st.currency != tx.currency {
            st.currency = None;
        }
    }
    Some((statements, txs, warnings))
}

/// Columns of a file without a header: the first column of dates, the last column of
/// amounts, the longest text column as the label.
fn headerless_columns(rows: &[Vec<String>]) -> Option<Columns> {
    let body: Vec<&Vec<String>> = rows.iter().filter(|r| r.len() >= 3).collect();
    if body.is_empty() {
        return None;
    }
    let width = body.iter().map(|r| r.len()).max()?;
    let mut date = None;
    let mut amount = None;
    let mut label: Option<(usize, usize)> = None;
    let decimal_comma = sniff_decimal_comma(body.iter().flat_map(|r| r.iter()).map(String::as_str));
    for i in 0..width {
        let values: Vec<&str> = body
            .iter()
            .filter_map(|r| r.get(i))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        if values.len() * 10 < body.len() * 6 {
            continue;
        }
        let dates = values
            .iter()
            .filter(|v| parse_date(v, false).is_some())
            .count();
        let numbers = values
            .iter()
            .filter(|v| parse_decimal(v, decimal_comma).is_some())
            .count();
        if dates * 10 >= values.len() * 6 {
            date.get_or_insert(i);
        } else if numbers * 10 >= values.len() * 8 {
            amount = Some(i);
        } else {
            let len: usize = values.iter().map(|v| v.len()).sum();
            if label.is_none_or(|(_, l)| len > l) {
                label = Some((i, len));
            }
        }
    }
    let (label, _) = label?;
    Some(Columns {
        date: Some(date?),
        amount: Some(amount?),
        labels: vec![(2, label)],
        ..Columns::default()
    })
}

/// The SEPA end-to-end reference a German label carries ("EREF+RECHNR. 1005MREF+...").
fn eref(label: &str) -> Option<String> {
    let start = label.find("EREF+")? + 5;
    let rest = &label[start..];
    let end = ["MREF+", "CRED+", "SVWZ+", "ABWA+", "KREF+"]
        .iter()
        .filter_map(|k| rest.find(k))
        .min()
        .unwrap_or(rest.len());
    let v = rest[..end].trim();
    (!v.is_empty() && v != "NOTPROVIDED").then(|| v.to_string())
}
