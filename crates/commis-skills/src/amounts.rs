//! Money amounts in French, English and other European notations.
//!
//! Amounts are kept exact: `minor` units at a decimal `scale` (never a float computation),
//! with `value` as a convenience for display and JSON consumers.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::text::{Span, cells, fold_lower_with_map, lines_with_offsets};

/// An exact money amount: `minor / 10^scale`, with its currency when the text gave one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    /// The amount as a float, for display and JSON (derived from `minor` and `scale`).
    pub value: f64,
    /// The amount in minor units at `scale` decimals (exact).
    pub minor: i64,
    /// Number of decimals of `minor` (at least 2).
    pub scale: u32,
    /// ISO 4217 code ("EUR", "USD", "GBP", "INR", "PLN", ...) when the text gave a symbol or code.
    pub currency: Option<String>,
}

impl Amount {
    /// Builds an amount from minor units at `scale` decimals; scales below 2 are widened to 2.
    pub fn new(minor: i64, scale: u32, currency: Option<String>) -> Self {
        let (minor, scale) = if scale < 2 {
            (minor.saturating_mul(10_i64.pow(2 - scale)), 2)
        } else {
            (minor, scale)
        };
        let value = minor as f64 / 10_f64.powi(scale as i32);
        Self {
            value,
            minor,
            scale,
            currency,
        }
    }

    /// Builds an amount from cents.
    pub fn from_cents(cents: i64, currency: Option<String>) -> Self {
        Self::new(cents, 2, currency)
    }

    /// The amount in cents, rounded half away from zero when the text had more decimals.
    pub fn cents(&self) -> i64 {
        if self.scale <= 2 {
            return self.minor;
        }
        let div = 10_i64.pow(self.scale - 2);
        let q = self.minor / div;
        let r = self.minor % div;
        if r.abs() * 2 >= div {
            q + self.minor.signum()
        } else {
            q
        }
    }

    /// Canonical decimal text with a dot and two decimals ("-1234.56"), as a spreadsheet wants it.
    pub fn to_decimal_string(&self) -> String {
        let c = self.cents();
        let sign = if c < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
    }
}

/// What a label next to an amount says the amount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountRole {
    /// Total including tax ("Total TTC", "Grand Total", "Totaal").
    Total,
    /// What remains to pay ("Amount due", "Net à payer", "Balance due").
    AmountDue,
    /// Total before tax ("Total HT", "Subtotal", "Net").
    Net,
    /// Tax amount ("TVA", "VAT", "MwSt", "BTW").
    Tax,
    /// A label we recognised as money-related but not one of the above ("Prix", "Montant").
    Other,
}

/// An amount found in a text, with where it was and the label next to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundAmount {
    /// The parsed amount.
    pub amount: Amount,
    /// Where the amount (with its currency and sign) is in the text.
    pub span: Span,
    /// The nearby label as written ("Total TTC", "TVA 20%", "Amount due"), if any.
    pub context_label: Option<String>,
    /// What the label says this amount is.
    pub role: Option<AmountRole>,
}

/// Currency symbols and codes we recognise, with the ISO code they mean.
/// `$` is read as USD: the skills cannot tell dollars apart without more context.
const CURRENCIES: &[(&str, &str)] = &[
    ("€", "EUR"),
    ("eur", "EUR"),
    ("euros", "EUR"),
    ("euro", "EUR"),
    ("us$", "USD"),
    ("$", "USD"),
    ("usd", "USD"),
    ("£", "GBP"),
    ("gbp", "GBP"),
    ("chf", "CHF"),
    ("₹", "INR"),
    ("rs.", "INR"),
    ("rs", "INR"),
    ("inr", "INR"),
    ("pln", "PLN"),
    ("zł", "PLN"),
    ("cad", "CAD"),
    ("c$", "CAD"),
    ("aud", "AUD"),
    ("jpy", "JPY"),
    ("¥", "JPY"),
    ("sek", "SEK"),
    ("dkk", "DKK"),
    ("nok", "NOK"),
];

/// Maps a currency symbol or code ("€", "eur", "Rs.") to its ISO code.
pub fn currency_code(token: &str) -> Option<&'static str> {
    let t = token.trim().to_ascii_lowercase();
    CURRENCIES.iter().find(|(k, _)| *k == t).map(|(_, v)| *v)
}

fn is_group_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' | '\'' | '’'
    )
}

/// Parses one amount written in French, English or German style.
///
/// Accepts "1 234,56 €", "1.234,56 EUR", "€1,234.56", "1,234.56", "1234.5", "12 345 €",
/// NBSP and thin spaces as group separators, and negatives as "-12,00", "12,00-" or "(12.00)".
/// A lone separator followed by exactly three digits ("1,234", "1.234") is read as a thousands
/// separator, because amounts with three decimals are rarer than grouped thousands.
/// Returns `None` when the text is not one amount.
pub fn parse_amount(s: &str) -> Option<Amount> {
    let mut t = s.trim();
    let mut negative = false;
    if t.starts_with('(') && t.ends_with(')') && t.len() >= 2 {
        negative = true;
        t = t[1..t.len() - 1].trim();
    }
    let mut currency: Option<String> = None;
    // Sign and currency can come in either order around the number: "-€12", "€-12", "12 € -".
    for _ in 0..2 {
        if let Some(rest) = t.strip_prefix(['-', '\u{2212}', '\u{2013}']) {
            negative = true;
            t = rest.trim_start();
        }
        if let Some(rest) = t.strip_suffix(['-', '\u{2212}']) {
            negative = true;
            t = rest.trim_end();
        }
        if let Some(rest) = t.strip_prefix('+') {
            t = rest.trim_start();
        }
        if let Some((code, rest)) = strip_currency_prefix(t) {
            currency.get_or_insert_with(|| code.to_string());
            t = rest.trim_start();
        }
        if let Some((code, rest)) = strip_currency_suffix(t) {
            currency.get_or_insert_with(|| code.to_string());
            t = rest.trim_end();
        }
        // French invoices often write "12,00 € TTC" or "12,00 HT".
        for tail in [" TTC", " HT", " TVAC", " HTVA", " net", " brut"] {
            let cut = t.len().saturating_sub(tail.len());
            if t.len() > tail.len()
                && t.is_char_boundary(cut)
                && t[cut..].eq_ignore_ascii_case(tail)
            {
                t = t[..t.len() - tail.len()].trim_end();
            }
        }
    }
    let (minor, scale) = parse_number(t)?;
    let minor = if negative { -minor } else { minor };
    Some(Amount::new(minor, scale, currency))
}

fn strip_currency_prefix(t: &str) -> Option<(&'static str, &str)> {
    // ASCII lowercase keeps byte offsets identical to `t`.
    let lower = t.to_ascii_lowercase();
    // Longest symbols first so "us$" wins over "$" and "rs." over "rs".
    let mut best: Option<(&'static str, usize)> = None;
    for (k, v) in CURRENCIES {
        if lower.starts_with(k) && t.is_char_boundary(k.len()) {
            let next = t[k.len()..].chars().next();
            let alpha_code = k.chars().all(|c| c.is_ascii_alphabetic());
            if alpha_code && next.is_some_and(|c| c.is_alphabetic()) {
                continue;
            }
            if best.is_none_or(|(_, l)| k.len() > l) {
                best = Some((v, k.len()));
            }
        }
    }
    best.map(|(v, l)| (v, &t[l..]))
}

fn strip_currency_suffix(t: &str) -> Option<(&'static str, &str)> {
    let lower = t.to_ascii_lowercase();
    let mut best: Option<(&'static str, usize)> = None;
    for (k, v) in CURRENCIES {
        if lower.ends_with(k) && lower.len() >= k.len() {
            let cut = t.len().checked_sub(k.len())?;
            if !t.is_char_boundary(cut) {
                continue;
            }
            let prev = t[..cut].chars().next_back();
            let alpha_code = k.chars().all(|c| c.is_ascii_alphabetic());
            if alpha_code && prev.is_some_and(|c| c.is_alphabetic()) {
                continue;
            }
            if best.is_none_or(|(_, l)| k.len() > l) {
                best = Some((v, k.len()));
            }
        }
    }
    best.map(|(v, l)| (v, &t[..t.len() - l]))
}

/// Parses the digits of an amount into (minor units, scale).
fn parse_number(t: &str) -> Option<(i64, u32)> {
    if t.is_empty()
        || !t
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let mut digits_groups: Vec<String> = vec![String::new()];
    let mut seps: Vec<char> = Vec::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            if let Some(last) = digits_groups.last_mut() {
                last.push(c);
            }
        } else if c == '.' || c == ',' || is_group_space(c) {
            let c = if is_group_space(c) { ' ' } else { c };
            seps.push(c);
            digits_groups.push(String::new());
        } else {
            return None;
        }
    }
    if digits_groups.iter().skip(1).any(|g| g.is_empty()) {
        return None;
    }
    let first = digits_groups[0].clone();
    if seps.is_empty() {
        return Some((first.parse().ok()?, 0));
    }
    // The decimal mark, if any, is the last separator when it is '.' or ',' and either differs
    // from the other separators or is not followed by exactly three digits.
    let last_sep = *seps.last()?;
    let last_group = digits_groups.last()?.clone();
    let others_same = seps[..seps.len() - 1].iter().all(|&s| s == last_sep);
    let has_decimal = if last_sep == ' ' {
        false
    } else if seps.len() == 1 {
        last_group.len() != 3 || first.is_empty() || first == "0"
    } else {
        !others_same || last_group.len() != 3
    };
    let (int_groups, frac) = if has_decimal {
        (&digits_groups[..digits_groups.len() - 1], Some(last_group))
    } else {
        (&digits_groups[..], None)
    };
    let int_seps = if has_decimal {
        &seps[..seps.len() - 1]
    } else {
        &seps[..]
    };
    // Group separators must all be the same character, with groups of three digits.
    if let Some(&g) = int_seps.first() {
        if int_seps.iter().any(|&s| s != g) || Some(g) == frac.as_ref().map(|_| last_sep) {
            return None;
        }
        if int_groups[0].is_empty()
            || int_groups[0].len() > 3
            || int_groups[1..].iter().any(|x| x.len() != 3)
        {
            return None;
        }
    }
    let int: String = int_groups.concat();
    let int = if int.is_empty() { "0".to_string() } else { int };
    let frac = frac.unwrap_or_default();
    if frac.len() > 6 || int.len() > 15 {
        return None;
    }
    let minor: i64 = format!("{int}{frac}").parse().ok()?;
    Some((minor, frac.len() as u32))
}

/// Labels that tell what an amount is, in French, English, German, Dutch and Polish.
/// Checked in order: the first that matches a line wins, so specific labels come first.
const LABELS: &[(&str, AmountRole)] = &[
    ("net a payer", AmountRole::AmountDue),
    ("reste a payer", AmountRole::AmountDue),
    ("somme a payer", AmountRole::AmountDue),
    ("montant a payer", AmountRole::AmountDue),
    ("total a payer", AmountRole::AmountDue),
    ("amount due", AmountRole::AmountDue),
    ("balance due", AmountRole::AmountDue),
    ("total due", AmountRole::AmountDue),
    ("amount payable", AmountRole::AmountDue),
    ("zahlbetrag", AmountRole::AmountDue),
    ("naleznosc", AmountRole::AmountDue),
    ("do zaplaty", AmountRole::AmountDue),
    ("due amount", AmountRole::AmountDue),
    ("tax total", AmountRole::Tax),
    ("net total", AmountRole::Net),
    ("incl. vat", AmountRole::Total),
    ("incl vat", AmountRole::Total),
    ("including vat", AmountRole::Total),
    ("inkl. mwst", AmountRole::Total),
    ("inkl mwst", AmountRole::Total),
    ("rechnungssumme brutto", AmountRole::Total),
    ("summe brutto", AmountRole::Total),
    ("gesamt brutto", AmountRole::Total),
    ("rechnungssumme netto", AmountRole::Net),
    ("summe netto", AmountRole::Net),
    ("gesamt netto", AmountRole::Net),
    ("total ttc", AmountRole::Total),
    ("montant ttc", AmountRole::Total),
    ("total tvac", AmountRole::Total),
    ("grand total", AmountRole::Total),
    ("total amount", AmountRole::Total),
    ("invoice total", AmountRole::Total),
    ("total for this invoice", AmountRole::Total),
    ("factuur totaal", AmountRole::Total),
    ("totaal", AmountRole::Total),
    ("gesamtbetrag", AmountRole::Total),
    ("rechnungsbetrag", AmountRole::Total),
    ("endsumme", AmountRole::Total),
    ("bruttobetrag", AmountRole::Total),
    ("razem", AmountRole::Total),
    ("total ht", AmountRole::Net),
    ("montant ht", AmountRole::Net),
    ("total htva", AmountRole::Net),
    ("sous-total", AmountRole::Net),
    ("sous total", AmountRole::Net),
    ("subtotal", AmountRole::Net),
    ("sub-total", AmountRole::Net),
    ("subtotaal", AmountRole::Net),
    ("exclusief btw", AmountRole::Net),
    ("excl. btw", AmountRole::Net),
    ("nettobetrag", AmountRole::Net),
    ("zwischensumme", AmountRole::Net),
    ("net amount", AmountRole::Net),
    ("total net", AmountRole::Net),
    ("total excl", AmountRole::Net),
    ("montant tva", AmountRole::Tax),
    ("total tva", AmountRole::Tax),
    ("tva", AmountRole::Tax),
    ("vat", AmountRole::Tax),
    ("btw", AmountRole::Tax),
    ("mwst", AmountRole::Tax),
    ("ust", AmountRole::Tax),
    ("gst", AmountRole::Tax),
    ("sales tax", AmountRole::Tax),
    ("tax", AmountRole::Tax),
    ("taxes", AmountRole::Tax),
    ("total", AmountRole::Total),
    ("montant", AmountRole::Other),
    ("amount", AmountRole::Other),
    ("prix", AmountRole::Other),
    ("price", AmountRole::Other),
    ("net", AmountRole::Net),
];

/// Finds the money label in a piece of text (the last one, nearest the amount).
/// Returns (label as written, role, byte offset of the label in `s`).
pub fn find_label(s: &str) -> Option<(String, AmountRole, usize)> {
    let (folded, map) = fold_lower_with_map(s);
    let mut best: Option<(usize, usize, AmountRole)> = None;
    for (label, role) in LABELS {
        let mut from = 0;
        while let Some(pos) = folded[from..].find(label) {
            let start = from + pos;
            let end = start + label.len();
            let before_ok = start == 0
                || !folded[..start]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric());
            let after_ok = !folded[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric());
            if before_ok && after_ok {
                // Prefer the label nearest the end (closest to the amount); on ties, the longer one.
                let better = match best {
                    None => true,
                    Some((bs, be, _)) => end > be || (end == be && start < bs),
                };
                if better {
                    best = Some((start, end, *role));
                }
            }
            from = end;
        }
    }
    let (start, end, role) = best?;
    let (os, oe) = (map[start], map[end]);
    Some((s[os..oe].to_string(), role, os))
}

static AMOUNT_RE: LazyLock<Regex> = LazyLock::new(|| {
    let cur = r"(?:€|EUR|Eur|eur|US\$|\$|USD|£|GBP|CHF|₹|Rs\.?|INR|PLN|zł|CAD|¥)";
    let num = r"(?:\d{1,3}(?:[ \u{a0}\u{202f}\u{2009}](?:\d{3}))+(?:[.,]\d{1,2})?|\d{1,3}(?:[.,'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,4})?)";
    let pat = format!(
        r"(?P<open>\()?(?P<neg1>[-\u{{2212}}])?(?P<pre>{cur})?[ \u{{a0}}]?(?P<neg2>[-\u{{2212}}])?(?P<num>{num})(?:[ \u{{a0}}]?(?P<post>{cur}))?(?P<close>\))?"
    );
    Regex::new(&pat).unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

/// Finds money amounts in a text, with the label next to each one.
///
/// A number counts as an amount when it has a currency, exactly two decimals, or a money label
/// before it on its line (or in the table header above it). Dates, percentages, phone numbers and
/// identifiers are skipped.
pub fn find_amounts(text: &str) -> Vec<FoundAmount> {
    let mut out = Vec::new();
    let lines = lines_with_offsets(text);
    let all_dates: Vec<Span> = crate::dates::find_dates(text)
        .into_iter()
        .map(|d| d.span)
        .collect();
    let mut next_date = 0;
    for (li, (line_start, line)) in lines.iter().enumerate() {
        // Numbers inside a date ("August 3 , 2014") are not amounts; dates are found once for the text.
        let line_end = line_start + line.len();
        while next_date < all_dates.len() && all_dates[next_date].end <= *line_start {
            next_date += 1;
        }
        let date_spans: Vec<Span> = all_dates[next_date..]
            .iter()
            .take_while(|d| d.start < line_end)
            .map(|d| Span::new(d.start.saturating_sub(*line_start), d.end - line_start))
            .collect();
        for caps in AMOUNT_RE.captures_iter(line) {
            let Some(m) = caps.get(0) else { continue };
            let Some(num) = caps.name("num") else {
                continue;
            };
            let (ms, me) = (m.start(), m.end());
            if date_spans
                .iter()
                .any(|d| d.start < num.end() && num.start() < d.end)
            {
                continue;
            }
            let before = line[..ms].chars().next_back();
            let after = line[me..].chars().next();
            let after2: Option<char> = line[me..].chars().nth(1);
            // Part of a word, an identifier, a date or a longer number: not an amount.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '/' || c == '#') {
                continue;
            }
            if matches!(before, Some('.' | ',' | '-' | ':'))
                && line[..ms]
                    .chars()
                    .rev()
                    .nth(1)
                    .is_some_and(|c| c.is_ascii_digit())
            {
                continue;
            }
            if after.is_some_and(|c| {
                c.is_alphanumeric() && !is_currency_start(c) || c == '_' || c == '%' || c == '/'
            }) {
                continue;
            }
            if matches!(after, Some('.' | ',' | '-' | '/' | ':'))
                && after2.is_some_and(|c| c.is_ascii_digit())
            {
                continue;
            }
            if line[me..].trim_start().starts_with('%') {
                continue;
            }
            // "FR 604 219 388 61", "01 71 17 61 67": digit runs split by single spaces are
            // identifiers or phone numbers unless a currency says otherwise.
            let space_grouped = num
                .as_str()
                .contains([' ', '\u{a0}', '\u{202f}', '\u{2009}']);
            let has_cur = caps.name("pre").is_some() || caps.name("post").is_some();
            if !has_cur
                && (after == Some(' ') && after2.is_some_and(|c| c.is_ascii_digit())
                    || space_grouped
                        && line[..ms].ends_with(' ')
                        && line[..ms]
                            .trim_end()
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_ascii_digit())
                    || space_grouped
                        && ms > 0
                        && line[..ms]
                            .chars()
                            .rev()
                            .nth(1)
                            .is_some_and(|c| c.is_alphabetic())
                        && line[..ms].trim_end().rsplit(' ').next().is_some_and(|w| {
                            w.len() <= 2 && w.chars().all(|c| c.is_ascii_uppercase())
                        }))
            {
                continue;
            }
            let raw = m.as_str();
            let has_currency = caps.name("pre").is_some() || caps.name("post").is_some();
            let num_str = num.as_str();
            let two_decimals = num_str.len() > 3 && {
                let b = num_str.as_bytes();
                matches!(b[b.len() - 3], b'.' | b',')
            };
            let prefix = &line[..ms];
            let label_here = label_in_row(prefix);
            if !has_currency && !two_decimals && label_here.is_none() {
                continue;
            }
            // A parenthesis only means "negative" when it closes around the number.
            let raw_for_parse = match (caps.name("open"), caps.name("close")) {
                (Some(_), Some(_)) => raw.to_string(),
                (Some(_), None) => raw[1..].to_string(),
                (None, Some(_)) => raw[..raw.len() - 1].to_string(),
                (None, None) => raw.to_string(),
            };
            let Some(mut amount) = parse_amount(&raw_for_parse) else {
                continue;
            };
            if amount.currency.is_none() {
                // A code in the label ("Total EUR 34,73", "Montant EUR HT") also sets the currency.
                amount.currency = trailing_currency(prefix);
            }
            let (label, role) = match label_here {
                Some((l, r, _)) => (Some(l), Some(r)),
                None => match header_label_above(&lines, li, line, ms)
                    .or_else(|| label_line_above(&lines, li, line, ms))
                {
                    Some((l, r)) => (Some(l), Some(r)),
                    None => (None, None),
                },
            };
            // The regex may have eaten a space before the number; the span starts at the first real part.
            let first_part = ["neg1", "pre", "neg2", "num"]
                .iter()
                .filter_map(|g| caps.name(g))
                .map(|g| g.start())
                .min()
                .unwrap_or(ms);
            let first_part = if caps.name("open").is_some() && caps.name("close").is_some() {
                ms
            } else {
                first_part
            };
            let start = line_start + first_part;
            let end = line_start + me
                - usize::from(caps.name("close").is_some() && caps.name("open").is_none());
            out.push(FoundAmount {
                amount,
                span: Span::new(start, end),
                context_label: label,
                role,
            });
        }
    }
    out
}

fn is_currency_start(c: char) -> bool {
    matches!(
        c,
        '€' | '$' | '£' | '₹' | '¥' | 'E' | 'U' | 'G' | 'C' | 'R' | 'I' | 'P' | 'z'
    )
}

/// A currency code written in a label just before an amount ("Total EUR", "Factuur totaal EUR").
fn trailing_currency(prefix: &str) -> Option<String> {
    let tail: String = prefix
        .chars()
        .rev()
        .take(30)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    tail.split(|c: char| c.is_whitespace() || c == ':' || c == '(' || c == ')')
        .rfind(|w| !w.is_empty())
        .and_then(currency_code)
        .filter(|c| *c != "INR" || tail.contains("Rs"))
        .map(str::to_string)
}

/// The label of an amount on its own row: in its cell, or in the nearest cell before it,
/// skipping cells that hold only other figures ("Total facture  24.99  5.00  29.99").
fn label_in_row(prefix: &str) -> Option<(String, AmountRole, usize)> {
    for (start, cell) in cells(prefix).into_iter().rev() {
        if let Some((l, r, pos)) = find_label(cell) {
            return Some((l, r, start + pos));
        }
        let figures_only = cell
            .chars()
            .all(|c| c.is_ascii_digit() || " .,'%€$£()-*:".contains(c) || c == '\u{a0}')
            || parse_amount(cell).is_some();
        if !figures_only {
            return None;
        }
    }
    None
}

/// In text extracted cell by cell (a table of a Word document), a label stands alone on the
/// previous non-empty line and the amount alone on its own line.
fn label_line_above(
    lines: &[(usize, &str)],
    li: usize,
    line: &str,
    ms: usize,
) -> Option<(String, AmountRole)> {
    if !line[..ms].trim().is_empty() {
        return None;
    }
    for back in 1..=4 {
        let above = lines[li.checked_sub(back)?].1.trim();
        if above.is_empty() {
            continue;
        }
        if above.chars().any(|c| c.is_ascii_digit()) && !above.contains('%') {
            return None;
        }
        return find_label(above)
            .filter(|(l, _, _)| l.len() * 3 >= above.trim_end_matches(':').trim().len())
            .map(|(l, r, _)| (l, r));
    }
    None
}

/// In a table, the label of a number is the header cell above it, at the same column.
fn header_label_above(
    lines: &[(usize, &str)],
    li: usize,
    line: &str,
    ms: usize,
) -> Option<(String, AmountRole)> {
    for back in 1..=3 {
        let idx = li.checked_sub(back)?;
        let above = lines[idx].1;
        if above.trim().is_empty() {
            continue;
        }
        let (_, cell) = crate::text::aligned_cell(line, ms, above, 2)?;
        return find_label(cell).map(|(l, r, _)| (l, r));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(s: &str) -> i64 {
        parse_amount(s)
            .unwrap_or_else(|| panic!("{s} should parse"))
            .cents()
    }

    #[test]
    fn parses_french_amount_with_space_groups_and_euro() {
        assert_eq!(cents("1 234,56 €"), 123456);
        assert_eq!(
            parse_amount("1 234,56 €").unwrap().currency.as_deref(),
            Some("EUR")
        );
        assert_eq!(cents("1\u{a0}234,56\u{a0}€"), 123456);
        assert_eq!(cents("1\u{202f}234,56 €"), 123456);
        assert_eq!(cents("1\u{2009}234\u{2009}567,8"), 123456780);
    }

    #[test]
    fn parses_german_style_with_dot_groups_and_code() {
        let a = parse_amount("1.234,56 EUR").unwrap();
        assert_eq!(a.cents(), 123456);
        assert_eq!(a.currency.as_deref(), Some("EUR"));
    }

    #[test]
    fn parses_english_style_with_leading_symbol() {
        let a = parse_amount("€1,234.56").unwrap();
        assert_eq!(a.cents(), 123456);
        assert_eq!(a.currency.as_deref(), Some("EUR"));
        assert_eq!(cents("1,234.56"), 123456);
        assert_eq!(
            parse_amount("$4.11").unwrap().currency.as_deref(),
            Some("USD")
        );
        assert_eq!(cents("US$ 1,000,000.00"), 100000000);
    }

    #[test]
    fn parses_plain_and_integer_amounts() {
        assert_eq!(cents("1234.5"), 123450);
        assert_eq!(cents("12 345 €"), 1234500);
        assert_eq!(cents("0,5"), 50);
        assert_eq!(cents("Rs 1939"), 193900);
        assert_eq!(
            parse_amount("Rs 1939").unwrap().currency.as_deref(),
            Some("INR")
        );
        assert_eq!(cents("29.99 € TTC"), 2999);
    }

    #[test]
    fn parses_negatives_in_all_notations() {
        assert_eq!(cents("(12.00)"), -1200);
        assert_eq!(cents("-12,00"), -1200);
        assert_eq!(cents("12,00-"), -1200);
        assert_eq!(cents("− 12,00 €"), -1200);
        assert_eq!(cents("€ -9,32"), -932);
    }

    #[test]
    fn keeps_extra_decimals_exact() {
        let a = parse_amount("60.0000").unwrap();
        assert_eq!((a.minor, a.scale), (600000, 4));
        assert_eq!(a.cents(), 6000);
        assert_eq!(parse_amount("0.125").unwrap().cents(), 13);
    }

    #[test]
    fn rejects_non_amounts() {
        for s in [
            "",
            "abc",
            "12/03/2024",
            "1,2,3",
            "1 23,45",
            "12..3",
            "€",
            "1.234.56,7.8",
        ] {
            assert!(parse_amount(s).is_none(), "{s} should not parse");
        }
    }

    #[test]
    fn finds_labelled_amounts_in_a_french_invoice() {
        let t = "Total HT :  46,68 €\nTVA 20% :  9,34 €\nTotal TTC :  56,02 €\nDate : 28/11/2022";
        let found = find_amounts(t);
        let got: Vec<_> = found
            .iter()
            .map(|f| (f.amount.cents(), f.context_label.clone(), f.role))
            .collect();
        assert_eq!(
            got,
            vec![
                (4668, Some("Total HT".into()), Some(AmountRole::Net)),
                (934, Some("TVA".into()), Some(AmountRole::Tax)),
                (5602, Some("Total TTC".into()), Some(AmountRole::Total)),
            ]
        );
        assert_eq!(&t[found[2].span.start..found[2].span.end], "56,02 €");
    }

    #[test]
    fn skips_dates_percentages_and_identifiers() {
        let t = "01.05.14-31.05.14  TVA 20%  INV/2023/03/0008  tel 01 71 17 61 67";
        assert!(find_amounts(t).is_empty(), "{:?}", find_amounts(t));
    }

    #[test]
    fn reads_amount_label_from_the_table_header_above() {
        let t = "  Montant HT   Montant TVA\n  24.99         5.00";
        let found = find_amounts(t);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].role, Some(AmountRole::Net));
        assert_eq!(found[1].role, Some(AmountRole::Tax));
    }

    #[test]
    fn currency_code_in_label_sets_the_currency() {
        let found = find_amounts("Total EUR  34,73");
        assert_eq!(found[0].amount.currency.as_deref(), Some("EUR"));
        assert_eq!(found[0].amount.cents(), 3473);
    }
}
