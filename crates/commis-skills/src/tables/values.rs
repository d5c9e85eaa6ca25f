//! One cell at a time: whitespace, dates, times, amounts, phone numbers, e-mails, postcodes,
//! the case of names, and the checksums of French and European identifiers (SIREN/SIRET with
//! Luhn, IBAN with mod 97, VAT numbers).
//!
//! Not for: deciding what a column holds (see `profile`) or comparing rows (see `clean`).
//! Every function is total: a value it cannot read gives `None`, never a panic.

use crate::amounts::parse_amount;
use crate::dates::{Date, DateOrder};

/// Trims, turns non-breaking and odd spaces into plain ones, drops control characters and
/// collapses runs of spaces. Returns the text unchanged (borrowed) when there is nothing to do.
pub fn tidy_whitespace(s: &str) -> std::borrow::Cow<'_, str> {
    let bytes = s.as_bytes();
    // One pass over ASCII text (the common case): a control byte, a doubled space, or a
    // space at either end needs tidying; a non-ASCII byte sends it to the slower check.
    // Eight bytes at a time first, then byte by byte from the first word that needs a look.
    let mut ascii = true;
    let mut needs = bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ');
    let mut prev_space = false;
    let mut start = 0;
    if !needs {
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        for chunk in bytes.chunks_exact(8) {
            let mut a = [0u8; 8];
            a.copy_from_slice(chunk);
            let w = u64::from_le_bytes(a);
            // Exactly the space bytes, then: non-ASCII, control, DEL, two spaces in a row
            // (also across the word boundary).
            let x = w ^ LO.wrapping_mul(0x20);
            let spaces = !(((x & LOW7).wrapping_add(LOW7)) | x) & HI;
            let low = w.wrapping_sub(LO.wrapping_mul(0x20)) & !w & HI;
            let del = {
                let y = w ^ LO.wrapping_mul(0x7f);
                y.wrapping_sub(LO) & !y & HI
            };
            let doubled = spaces & (spaces << 8) != 0 || (prev_space && spaces & 0x80 != 0);
            if w & HI != 0 || low != 0 || del != 0 || doubled {
                break;
            }
            prev_space = spaces >> 63 != 0;
            start += 8;
        }
    }
    for &b in &bytes[start..] {
        if b >= 0x80 {
            ascii = false;
            break;
        }
        if b < 0x20 || b == 0x7f || (b == b' ' && prev_space) {
            needs = true;
            break;
        }
        prev_space = b == b' ';
    }
    let needs = if ascii {
        needs
    } else {
        // Same test over characters, in one pass: any space but a single inner ' ',
        // or a control character.
        let mut prev_space = true;
        let mut found = false;
        for c in s.chars() {
            let space = c.is_whitespace() || c == '\u{feff}';
            if (space && (c != ' ' || prev_space)) || (!space && c.is_control()) {
                found = true;
                break;
            }
            prev_space = space;
        }
        found || prev_space
    };
    if !needs {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{feff}' {
            pending_space = !out.is_empty();
        } else if c.is_control() {
            continue;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

const MONTHS: [(&str, u32); 34] = [
    ("janvier", 1),
    ("janv", 1),
    ("january", 1),
    ("jan", 1),
    ("fevrier", 2),
    ("fevr", 2),
    ("february", 2),
    ("feb", 2),
    ("fev", 2),
    ("mars", 3),
    ("march", 3),
    ("mar", 3),
    ("avril", 4),
    ("april", 4),
    ("avr", 4),
    ("apr", 4),
    ("mai", 5),
    ("may", 5),
    ("juin", 6),
    ("june", 6),
    ("jun", 6),
    ("juillet", 7),
    ("juil", 7),
    ("july", 7),
    ("jul", 7),
    ("aout", 8),
    ("august", 8),
    ("aug", 8),
    ("septembre", 9),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("octobre", 10),
    ("october", 10),
];

const MONTHS_END: [(&str, u32); 8] = [
    ("oct", 10),
    ("novembre", 11),
    ("november", 11),
    ("nov", 11),
    ("decembre", 12),
    ("december", 12),
    ("dec", 12),
    ("déc", 12),
];

fn month_number(word: &str) -> Option<u32> {
    let w = crate::text::fold_lower(word.trim_end_matches('.'));
    MONTHS
        .iter()
        .chain(MONTHS_END.iter())
        .find(|(k, _)| *k == w)
        .map(|(_, m)| *m)
}

fn two_digit_year(y: i32) -> i32 {
    if y < 100 {
        if y < 70 { 2000 + y } else { 1900 + y }
    } else {
        y
    }
}

/// The numeric parts of a date written "a/b/y", "y-m-d", "a.b.y" (with an optional time after
/// it, which is ignored), as three numbers and whether the year comes first.
fn numeric_parts(s: &str) -> Option<([u32; 3], [usize; 3])> {
    let mut nums = [0u32; 3];
    let mut lens = [0usize; 3];
    let mut idx = 0;
    let mut sep: Option<char> = None;
    let mut len = 0usize;
    let mut rest_start = s.len();
    for (i, c) in s.char_indices() {
        if let Some(d) = c.to_digit(10) {
            if len >= 4 {
                return None;
            }
            nums[idx] = nums[idx] * 10 + d;
            len += 1;
        } else if matches!(c, '/' | '-' | '.') && idx < 2 && len > 0 {
            if sep.is_some_and(|p| p != c) {
                return None;
            }
            sep = Some(c);
            lens[idx] = len;
            idx += 1;
            len = 0;
        } else if idx == 2 && len > 0 && (c == ' ' || c == 'T') {
            rest_start = i;
            break;
        } else {
            return None;
        }
    }
    if idx != 2 || len == 0 {
        return None;
    }
    lens[2] = len;
    // Whatever follows must look like a time ("14:30", "00:00:00").
    let rest = s[rest_start..].trim_start_matches([' ', 'T']);
    if !rest.is_empty() && parse_time_of_day(rest).is_none() {
        return None;
    }
    Some((nums, lens))
}

/// Parses a date written as a whole cell: "31/12/2024", "12/31/2024" (with `order`),
/// "2024-12-31", "31.12.24", "5 mars 2024", "March 5, 2024", "5-Mar-24", optionally followed
/// by a time of day. Returns `None` for anything else or a date that does not exist.
pub fn parse_cell_date(s: &str, order: DateOrder) -> Option<Date> {
    let t = s.trim();
    if t.len() < 6 || t.len() > 40 {
        return None;
    }
    if let Some(([a, b, c], [la, _, lc])) = numeric_parts(t) {
        if la == 4 {
            return Date::new(a as i32, b, c);
        }
        if lc != 4 && lc != 2 {
            return None;
        }
        let y = two_digit_year(c as i32);
        return match order {
            DateOrder::DayFirst => Date::new(y, b, a),
            DateOrder::MonthFirst => Date::new(y, a, b),
        };
    }
    // Words: "5 mars 2024", "1er avril 2024", "March 5, 2024", "5-Mar-24", "mardi 5 mars 2024".
    let cleaned: String = t
        .chars()
        .map(|c| if matches!(c, ',' | '-' | '/') { ' ' } else { c })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut day = None;
    let mut month = None;
    let mut year = None;
    for w in &words {
        let w = w.trim_end_matches('.');
        let digits = w.trim_end_matches(|c: char| c.is_alphabetic());
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            let suffix = &w[digits.len()..];
            if !matches!(suffix, "" | "er" | "st" | "nd" | "rd" | "th") {
                return None;
            }
            let n: i32 = digits.parse().ok()?;
            if digits.len() == 4 || (day.is_some() && month.is_some()) {
                if year.is_some() {
                    return None;
                }
                year = Some(two_digit_year(n));
            } else if day.is_none() {
                day = Some(n as u32);
            } else {
                return None;
            }
        } else if let Some(m) = month_number(w) {
            if month.is_some() {
                return None;
            }
            month = Some(m);
        } else if parse_time_of_day(w).is_some() || is_weekday(w) {
            continue;
        } else {
            return None;
        }
    }
    Date::new(year?, month?, day?)
}

fn is_weekday(w: &str) -> bool {
    let w = crate::text::fold_lower(w.trim_end_matches([',', '.']));
    [
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
    .contains(&w.as_str())
}

/// Which numeric order the slash dates of a column use: day-first unless a value proves
/// month-first ("12/31/2024") and none proves day-first. `default` decides when nothing does.
pub fn infer_column_order<'a>(
    values: impl Iterator<Item = &'a str>,
    default: DateOrder,
) -> DateOrder {
    let (mut day_first, mut month_first) = (0, 0);
    for v in values {
        if let Some(([a, b, _], [la, _, _])) = numeric_parts(v.trim())
            && la != 4
        {
            if a > 12 && b <= 12 {
                day_first += 1;
            } else if b > 12 && a <= 12 {
                month_first += 1;
            }
        }
    }
    if month_first > day_first {
        DateOrder::MonthFirst
    } else if day_first > month_first {
        DateOrder::DayFirst
    } else {
        default
    }
}

/// An Excel serial day number (1900 system) as a date, for values a spreadsheet exported as
/// numbers in a date column. Only serials between 1950 and 2100 are accepted.
pub fn excel_serial_date(n: f64) -> Option<Date> {
    if !(18_264.0..=73_051.0).contains(&n) {
        return None;
    }
    Date::from_days_since_epoch(n.floor() as i64 - 25_569)
}

/// ISO 8601 form of a date.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// A time of day as (hours, minutes): "14:30", "14h30", "9:05:00", "7:10 a.m.", "7 pm".
pub fn parse_time_of_day(s: &str) -> Option<(u32, u32)> {
    let t = s.trim().to_ascii_lowercase();
    let (body, pm) = if let Some(b) = t
        .strip_suffix("a.m.")
        .or_else(|| t.strip_suffix("am"))
        .or_else(|| t.strip_suffix("a.m"))
    {
        (b.trim_end(), Some(false))
    } else if let Some(b) = t
        .strip_suffix("p.m.")
        .or_else(|| t.strip_suffix("pm"))
        .or_else(|| t.strip_suffix("p.m"))
    {
        (b.trim_end(), Some(true))
    } else {
        (t.as_str(), None)
    };
    let mut parts = body.split([':', 'h']);
    let h: u32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = match parts.next() {
        Some("") | None => 0,
        Some(m) if m.len() == 2 => m.parse().ok()?,
        Some(_) => return None,
    };
    if let Some(sec) = parts.next()
        && (sec.len() != 2 || sec.parse::<u32>().is_err())
    {
        return None;
    }
    if parts.next().is_some() || m > 59 {
        return None;
    }
    if !body.contains([':', 'h']) && pm.is_none() {
        return None;
    }
    match pm {
        Some(_) if !(1..=12).contains(&h) => None,
        Some(true) => Some((if h == 12 { 12 } else { h + 12 }, m)),
        Some(false) => Some((if h == 12 { 0 } else { h }, m)),
        None if h <= 23 => Some((h, m)),
        None => None,
    }
}

/// When a cell of a time column carries a date before its time ("12/02/2011 6:55 a.m."),
/// the time as written, without the date.
pub fn strip_date_before_time(s: &str) -> Option<&str> {
    let t = s.trim();
    let (head, tail) = t.split_once(' ')?;
    if numeric_parts(head).is_some() || crate::dates::parse_date(head).is_some() {
        let tail = tail.trim();
        parse_time_of_day(tail).map(|_| tail)
    } else {
        None
    }
}

/// An amount or number as written in French or English ("1 234,56 €", "(12.00)", "$1,234.5",
/// "-3,5"), as a float. `None` when the cell is not one number.
pub fn parse_cell_amount(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    // Fast path for plain numbers, the common case of large exports.
    if t.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && t.bytes().filter(|b| *b == b'.').count() <= 1
        && t.bytes().skip(1).all(|b| b != b'-')
    {
        return t.parse::<f64>().ok().filter(|v| v.is_finite());
    }
    if let Some(v) = parse_common_amount(t) {
        return Some(v);
    }
    parse_amount(t).map(|a| a.value).filter(|v| v.is_finite())
}

/// The usual shapes of amounts in exports, read without allocating: an optional sign or
/// parentheses, an optional €/$/£ or EUR before or after, digits grouped by spaces, points or
/// commas, and a decimal part after the last point or comma when it is not a group of three.
/// `None` sends the value to the general parser.
fn parse_common_amount(t: &str) -> Option<f64> {
    let mut s = t;
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    for _ in 0..2 {
        s = s
            .strip_suffix('€')
            .or_else(|| s.strip_suffix("EUR"))
            .or_else(|| s.strip_prefix('€'))
            .or_else(|| s.strip_prefix('$'))
            .or_else(|| s.strip_prefix('£'))
            .unwrap_or(s)
            .trim_matches([' ', '\u{a0}', '\u{202f}']);
        if let Some(r) = s.strip_prefix('-') {
            negative = !negative;
            s = r.trim_start();
        }
    }
    let bytes = s.as_bytes();
    if bytes.is_empty() || !bytes[0].is_ascii_digit() {
        return None;
    }
    // Where the decimal separator is: the last ',' or '.', unless exactly three digits follow
    // and the other separator also appears (then it groups thousands).
    let last_sep = s.rfind([',', '.']);
    let decimal_at = match last_sep {
        Some(i) => {
            let frac = &s[i + 1..];
            let sep = bytes[i];
            let other = if sep == b',' { '.' } else { ',' };
            let same_count = s.bytes().filter(|b| *b == sep).count();
            if frac.len() == 3 && (s.contains(other) || same_count > 1) {
                None
            } else if frac.len() == 3 && sep == b',' && !s.contains(' ') {
                // "1,234" alone: thousands in English exports.
                None
            } else if same_count > 1 {
                return None;
            } else {
                Some(i)
            }
        }
        None => None,
    };
    let mut int: u64 = 0;
    let mut frac: u64 = 0;
    let mut frac_digits: i32 = 0;
    let mut digits = 0;
    let mut in_frac = false;
    for (i, c) in s.char_indices() {
        match c {
            '0'..='9' => {
                let d = u64::from(c as u8 - b'0');
                digits += 1;
                if digits > 17 {
                    return None;
                }
                if in_frac {
                    frac = frac * 10 + d;
                    frac_digits += 1;
                } else {
                    int = int * 10 + d;
                }
            }
            ',' | '.' if Some(i) == decimal_at => in_frac = true,
            ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\'' if !in_frac => {}
            _ => return None,
        }
    }
    let v = int as f64 + frac as f64 / 10f64.powi(frac_digits);
    Some(if negative { -v } else { v })
}

/// How phone numbers are written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneStyle {
    /// "01 23 45 67 89" for French numbers.
    #[default]
    French,
    /// "+33123456789".
    E164,
}

/// A French phone number in `style`, from "0123456789", "01.23.45.67.89", "+33 1 23 45 67 89",
/// "0033 (0)1 23…" or "123456789" (a lost leading zero). `None` when it is not a French number
/// (foreign numbers are left as they are by the caller).
pub fn normalize_french_phone(s: &str, style: PhoneStyle) -> Option<String> {
    let t = s.trim();
    if t.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    let plus = t.starts_with('+') || t.starts_with("(0)+");
    // The digits, without a "(0)" written between the country code and the number.
    let mut digits = [0u8; 24];
    let mut n = 0;
    let mut rest = t;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("(0)") {
            rest = r;
            continue;
        }
        let b = rest.as_bytes()[0];
        if b.is_ascii_digit() {
            if n == digits.len() {
                return None;
            }
            digits[n] = b;
            n += 1;
        }
        let step = rest.chars().next().map_or(1, char::len_utf8);
        rest = &rest[step..];
    }
    let digits = &digits[..n];
    let national = if plus {
        digits.strip_prefix(b"33")?
    } else if let Some(r) = digits.strip_prefix(b"0033") {
        r
    } else if let Some(r) = digits.strip_prefix(b"0") {
        r
    } else if digits.len() == 9 {
        digits
    } else {
        return None;
    };
    if national.len() != 9 || !(b'1'..=b'9').contains(&national[0]) {
        return None;
    }
    let mut out = String::with_capacity(14);
    match style {
        PhoneStyle::E164 => {
            out.push_str("+33");
            out.extend(national.iter().map(|&b| char::from(b)));
        }
        PhoneStyle::French => {
            out.push('0');
            out.push(char::from(national[0]));
            for pair in national[1..].chunks(2) {
                out.push(' ');
                out.extend(pair.iter().map(|&b| char::from(b)));
            }
        }
    }
    Some(out)
}

/// An e-mail address tidied (no "mailto:", no spaces, lower case), and whether it is valid.
pub fn normalize_email(s: &str) -> (String, bool) {
    let t = s.trim();
    let t = t
        .strip_prefix("mailto:")
        .or_else(|| t.strip_prefix("MAILTO:"))
        .unwrap_or(t);
    let t = t.trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace());
    let out: String = t
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let valid = match out.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !out.contains("..")
                && domain.rsplit_once('.').is_some_and(|(host, tld)| {
                    !host.is_empty()
                        && tld.len() >= 2
                        && tld.chars().all(|c| c.is_ascii_alphabetic())
                })
                && domain
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        }
        None => false,
    };
    (out, valid)
}

/// A French postcode from a cell: "75001", "1000" (a number that lost its leading zero) gives
/// "01000", " 75 001 " gives "75001". `None` when it is not five digits once tidied.
pub fn normalize_postcode(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = digits.strip_suffix(".0").unwrap_or(&digits);
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match digits.len() {
        5 => Some(digits.to_string()),
        4 => Some(format!("0{digits}")),
        _ => None,
    }
}

fn luhn_ok(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-'))
        .collect::<String>()
        .to_uppercase()
}

/// Whether a SIREN (9 digits) passes its Luhn check. Spaces and dots are ignored.
pub fn siren_valid(s: &str) -> bool {
    let c = compact(s);
    c.len() == 9 && c.chars().all(|c| c.is_ascii_digit()) && luhn_ok(&c)
}

/// Whether a SIRET (14 digits) passes its Luhn check (La Poste's establishments, SIREN
/// 356000000, may use a digit sum divisible by 5 instead).
pub fn siret_valid(s: &str) -> bool {
    let c = compact(s);
    if c.len() != 14 || !c.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    luhn_ok(&c)
        || (c.starts_with("356000000")
            && c.chars()
                .filter_map(|d| d.to_digit(10))
                .sum::<u32>()
                .is_multiple_of(5))
}

/// Whether an IBAN passes the ISO 13616 mod-97 check. Spaces are ignored.
pub fn iban_valid(s: &str) -> bool {
    let c = compact(s);
    if c.len() < 15 || c.len() > 34 || !c.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let bytes = c.as_bytes();
    if !bytes[0].is_ascii_alphabetic() || !bytes[1].is_ascii_alphabetic() {
        return false;
    }
    let rearranged = c[4..].chars().chain(c[..4].chars());
    let mut rem: u32 = 0;
    for ch in rearranged {
        let v = match ch.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// An IBAN written in groups of four ("FR76 3000 6000 …").
pub fn format_iban(s: &str) -> String {
    let c = compact(s);
    let mut out = String::with_capacity(c.len() + c.len() / 4);
    for (i, ch) in c.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// Whether an EU VAT number is valid: French numbers ("FR" + 2-digit key + SIREN) are checked
/// against their key; other member states only against their general shape.
pub fn vat_valid(s: &str) -> bool {
    let c = compact(s);
    if c.len() < 4 || !c.is_char_boundary(2) {
        return false;
    }
    let (country, rest) = c.split_at(2);
    if !country.chars().all(|c| c.is_ascii_alphabetic())
        || !rest.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return false;
    }
    if country == "FR" {
        if rest.len() != 11 || !rest[2..].chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
        let siren = &rest[2..];
        let Ok(n) = siren.parse::<u64>() else {
            return false;
        };
        let Ok(key) = rest[..2].parse::<u64>() else {
            // Letter keys belong to the newer scheme, which has no public check digit.
            return true;
        };
        return key == (12 + 3 * (n % 97)) % 97;
    }
    (2..=13).contains(&rest.len())
}

/// Words kept as written when changing the case of a name: legal forms and well-known acronyms.
const KEEP_UPPER: [&str; 24] = [
    "SA", "SAS", "SASU", "SARL", "EURL", "SNC", "SCI", "SCOP", "SCM", "SELARL", "GIE", "EI",
    "EIRL", "LLC", "LTD", "INC", "PLC", "GMBH", "BV", "NV", "AG", "SPA", "SL", "CIE",
];

const LOWER_PARTICLES: [&str; 14] = [
    "de", "du", "des", "la", "le", "les", "et", "d'", "l'", "van", "von", "of", "and", "the",
];

/// Writes a name in title case ("JEAN DE LA FONTAINE" → "Jean de la Fontaine",
/// "dupont sarl" → "Dupont SARL") keeping legal forms and acronyms (short words written in
/// capitals inside an otherwise mixed-case name, or without vowels) in capitals.
pub fn title_case_name(s: &str) -> String {
    let all_upper = !s.chars().any(|c| c.is_lowercase());
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let upper = word.to_uppercase();
        let bare = upper.trim_matches(|c: char| !c.is_alphanumeric());
        let no_vowel = bare.len() >= 2
            && bare.chars().all(|c| c.is_alphabetic())
            && !bare.chars().any(|c| "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜ".contains(c));
        let is_acronym = KEEP_UPPER.contains(&bare)
            || (no_vowel && bare.len() <= 4)
            || (!all_upper
                && word.len() >= 2
                && word.len() <= 4
                && word.chars().all(|c| c.is_uppercase()));
        if is_acronym {
            out.push_str(if bare == "GMBH" { "GmbH" } else { &upper });
            continue;
        }
        let lower = word.to_lowercase();
        if i > 0 && LOWER_PARTICLES.contains(&lower.as_str()) {
            out.push_str(&lower);
            continue;
        }
        // Capitalize after the start, a hyphen or an apostrophe ("jean-pierre", "d'artagnan").
        let mut cap = true;
        for c in lower.chars() {
            if cap && c.is_alphabetic() {
                out.extend(c.to_uppercase());
                cap = false;
            } else {
                out.push(c);
            }
            if c == '-' || c == '\'' || c == '’' {
                cap = true;
            }
        }
    }
    out
}

/// The case style of one text value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStyle {
    /// No letters written in lower case ("DUPONT SARL").
    Upper,
    /// No letters written in upper case ("dupont").
    Lower,
    /// Both.
    Mixed,
    /// No letters at all.
    None,
}

/// The case style of `s`.
pub fn case_style(s: &str) -> CaseStyle {
    let up = s.chars().any(|c| c.is_uppercase());
    let low = s.chars().any(|c| c.is_lowercase());
    match (up, low) {
        (true, true) => CaseStyle::Mixed,
        (true, false) => CaseStyle::Upper,
        (false, true) => CaseStyle::Lower,
        (false, false) => CaseStyle::None,
    }
}

/// Levenshtein distance between `a` and `b`, or `None` as soon as it exceeds `max`.
pub fn bounded_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_trimmed_and_collapsed() {
        assert_eq!(tidy_whitespace("  Jean\u{a0} Dupont\t"), "Jean Dupont");
        assert!(matches!(
            tidy_whitespace("clean"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn dates_in_french_english_and_iso_forms() {
        let d = |s, o| parse_cell_date(s, o).map(iso_date);
        assert_eq!(
            d("31/12/2024", DateOrder::DayFirst).as_deref(),
            Some("2024-12-31")
        );
        assert_eq!(
            d("12/31/2024", DateOrder::MonthFirst).as_deref(),
            Some("2024-12-31")
        );
        assert_eq!(
            d("2024-12-31", DateOrder::MonthFirst).as_deref(),
            Some("2024-12-31")
        );
        assert_eq!(
            d("05.03.24", DateOrder::DayFirst).as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(
            d("5 mars 2024", DateOrder::DayFirst).as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(
            d("1er avril 2024", DateOrder::DayFirst).as_deref(),
            Some("2024-04-01")
        );
        assert_eq!(
            d("March 5, 2024", DateOrder::DayFirst).as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(
            d("5-Mar-24", DateOrder::DayFirst).as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(d("31/02/2024", DateOrder::DayFirst), None);
        assert_eq!(d("12345", DateOrder::DayFirst), None);
        assert_eq!(
            excel_serial_date(45292.0).map(iso_date).as_deref(),
            Some("2024-01-01")
        );
        assert_eq!(
            infer_column_order(
                ["03/04/2024", "12/31/2024"].into_iter(),
                DateOrder::DayFirst
            ),
            DateOrder::MonthFirst
        );
    }

    #[test]
    fn times_and_date_prefixes() {
        assert_eq!(parse_time_of_day("7:10 a.m."), Some((7, 10)));
        assert_eq!(parse_time_of_day("12:15 a.m."), Some((0, 15)));
        assert_eq!(parse_time_of_day("14h30"), Some((14, 30)));
        assert_eq!(parse_time_of_day("abc"), None);
        assert_eq!(
            strip_date_before_time("12/02/2011 6:55 a.m."),
            Some("6:55 a.m.")
        );
        assert_eq!(strip_date_before_time("6:55 a.m."), None);
    }

    #[test]
    fn amounts_in_every_notation() {
        assert_eq!(parse_cell_amount("1 234,56 €"), Some(1234.56));
        assert_eq!(parse_cell_amount("(1,234.50)"), Some(-1234.5));
        assert_eq!(parse_cell_amount("$1,234.5"), Some(1234.5));
        assert_eq!(parse_cell_amount("-3,5"), Some(-3.5));
        assert_eq!(parse_cell_amount("12.5"), Some(12.5));
        assert_eq!(parse_cell_amount("abc"), None);
        assert_eq!(parse_cell_amount("1.234,56"), Some(1234.56));
        assert_eq!(parse_cell_amount("1,234"), Some(1234.0));
        assert_eq!(parse_cell_amount("12,5"), Some(12.5));
        assert_eq!(parse_cell_amount("-1 234,56 EUR"), Some(-1234.56));
        assert_eq!(parse_cell_amount("1.2.3"), None);
    }

    #[test]
    fn whitespace_needing_no_change_is_borrowed_in_every_script() {
        use std::borrow::Cow;
        for clean in ["Café Noir", "2 383,89 €", "Zoë", "a b c", "€"] {
            assert!(
                matches!(tidy_whitespace(clean), Cow::Borrowed(_)),
                "{clean}"
            );
        }
        for (dirty, tidy) in [
            ("€  12", "€ 12"),
            (" Zoë", "Zoë"),
            ("Zoë ", "Zoë"),
            ("Zoë\u{a0}Noir", "Zoë Noir"),
            ("é\u{7}", "é"),
            ("\u{feff}Société", "Société"),
            ("a\tb", "a b"),
        ] {
            assert_eq!(tidy_whitespace(dirty), tidy, "{dirty:?}");
        }
    }

    #[test]
    fn whitespace_is_found_wherever_it_falls_in_the_eight_byte_words() {
        // Every position of a doubled space, a tab, a DEL, a control or a non-ASCII letter
        // around the word boundaries, against the plain definition.
        let plain = |s: &str| -> String {
            s.split(|c: char| c.is_whitespace() || c == '\u{feff}')
                .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        for len in 1..26 {
            for at in 0..len {
                for bad in ["  ", "\t", "\u{7f}", "\u{1}", "é", " ", "\u{a0}"] {
                    let mut s: String = "abcdefghijklmnopqrstuvwxyz"[..len].to_string();
                    s.insert_str(at, bad);
                    assert_eq!(tidy_whitespace(&s), plain(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn numbers_are_written_as_the_shortest_decimal_up_to_six_places() {
        let slow = |v: f64| {
            let s = format!("{v:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        for v in [
            2383.89,
            -12.5,
            0.1,
            -0.5,
            0.30000000000000004,
            1234.56,
            19.99,
            1e12 + 0.01,
            0.005,
            -2383.8,
            2.71831,
            100.0,
            7.07,
        ] {
            assert_eq!(crate::tables::format_number(v), slow(v), "{v}");
        }
        for cents in (-100_000_i64..100_000).step_by(7) {
            let v = cents as f64 / 100.0;
            assert_eq!(crate::tables::format_number(v), slow(v), "{v}");
        }
    }

    #[test]
    fn french_phones_in_both_styles() {
        let f = |s| normalize_french_phone(s, PhoneStyle::French);
        assert_eq!(f("0123456789").as_deref(), Some("01 23 45 67 89"));
        assert_eq!(f("+33 (0)6 12 34 56 78").as_deref(), Some("06 12 34 56 78"));
        assert_eq!(f("612345678").as_deref(), Some("06 12 34 56 78"));
        assert_eq!(
            normalize_french_phone("01.23.45.67.89", PhoneStyle::E164).as_deref(),
            Some("+33123456789")
        );
        assert_eq!(f("+1 205 325 8100"), None);
        assert_eq!(f("2053258100"), None);
        assert_eq!(f("0033 1 23 45 67 89").as_deref(), Some("01 23 45 67 89"));
        assert_eq!(f("+33 6 12 34 56 78 ").as_deref(), Some("06 12 34 56 78"));
        assert_eq!(f("01 23 45 67 8"), None);
        assert_eq!(f("0023456789"), None, "a national number starts 1 to 9");
        assert_eq!(
            f("06\u{a0}12\u{a0}34\u{a0}56\u{a0}78").as_deref(),
            Some("06 12 34 56 78")
        );
    }

    #[test]
    fn emails_and_postcodes() {
        assert_eq!(
            normalize_email(" mailto:Jean.Dupont@Exemple.FR "),
            ("jean.dupont@exemple.fr".to_string(), true)
        );
        assert!(!normalize_email("jean.dupont@exemple").1);
        assert!(!normalize_email("jean@@exemple.fr").1);
        assert_eq!(normalize_postcode("1000").as_deref(), Some("01000"));
        assert_eq!(normalize_postcode("75 001").as_deref(), Some("75001"));
        assert_eq!(normalize_postcode("7500A"), None);
    }

    #[test]
    fn identifiers_checksums() {
        assert!(siren_valid("732 829 320"));
        assert!(!siren_valid("732 829 321"));
        assert!(siret_valid("73282932000074"));
        assert!(!siret_valid("73282932000075"));
        assert!(siret_valid("35600000000048"));
        assert!(siret_valid("35600000000010"));
        assert!(iban_valid("FR76 3000 6000 0112 3456 7890 189"));
        assert!(!iban_valid("FR76 3000 6000 0112 3456 7890 188"));
        assert!(iban_valid("DE89370400440532013000"));
        assert!(vat_valid("FR44732829320"));
        assert!(!vat_valid("FR45732829320"));
        assert_eq!(
            format_iban("fr7630006000011234567890189"),
            "FR76 3000 6000 0112 3456 7890 189"
        );
    }

    #[test]
    fn names_keep_acronyms_and_particles() {
        assert_eq!(
            title_case_name("JEAN DE LA FONTAINE"),
            "Jean de la Fontaine"
        );
        assert_eq!(title_case_name("dupont sarl"), "Dupont SARL");
        assert_eq!(title_case_name("jean-pierre martin"), "Jean-Pierre Martin");
        assert_eq!(
            title_case_name("boulangerie BNP services"),
            "Boulangerie BNP Services"
        );
    }

    #[test]
    fn distance_is_bounded() {
        assert_eq!(bounded_distance("marshall", "mxrshxll", 2), Some(2));
        assert_eq!(bounded_distance("marshall", "mxrshxll", 1), None);
    }
}
