//! Bank statements: SWIFT MT940/MT942, OFX/QFX, ISO 20022 CAMT.052/053/054 and the CSV
//! exports of banks (French, German, Dutch, UK... layouts), read into
//! [`BankStatement`](crate::BankStatement)s and signed
//! [`BankTransaction`](crate::BankTransaction)s.
//!
//! Amounts stay exact decimal strings ("-1234.56"); dates are ISO 8601. This module
//! reads what the bank wrote; matching lines to invoices is the caller's job.

pub(crate) mod camt;
pub(crate) mod csv;
pub(crate) mod mt940;
pub(crate) mod ofx;

/// An exact decimal number: `units / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dec {
    pub units: i128,
    pub scale: u32,
}

impl Dec {
    pub fn neg(self) -> Self {
        Dec {
            units: -self.units,
            scale: self.scale,
        }
    }

    pub fn abs(self) -> Self {
        Dec {
            units: self.units.abs(),
            scale: self.scale,
        }
    }

    /// Canonical text: a dot, at least two decimals, no trailing zeros beyond them.
    pub fn to_text(self) -> String {
        let mut units = self.units;
        let mut scale = self.scale;
        while scale > 2 && units % 10 == 0 {
            units /= 10;
            scale -= 1;
        }
        if scale < 2 {
            units = units.saturating_mul(10_i128.pow(2 - scale));
            scale = 2;
        }
        let sign = if units < 0 { "-" } else { "" };
        let abs = units.unsigned_abs();
        let div = 10_u128.pow(scale);
        format!(
            "{sign}{}.{:0width$}",
            abs / div,
            abs % div,
            width = scale as usize
        )
    }
}

/// Parses an amount as banks write it. `decimal_comma` says whether "," is the decimal
/// mark ("1.234,56", "-6,4", "9,") or a thousands separator ("1,234.56"). Accepts a
/// leading or trailing sign, spaces, apostrophes and currency symbols around it.
pub(crate) fn parse_decimal(raw: &str, decimal_comma: bool) -> Option<Dec> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    let mut negative = false;
    let mut int_digits = String::new();
    let mut frac_digits = String::new();
    let mut in_frac = false;
    let mut saw_digit = false;
    for c in s.chars() {
        match c {
            '0'..='9' => {
                saw_digit = true;
                if in_frac {
                    frac_digits.push(c);
                } else {
                    int_digits.push(c);
                }
            }
            '-' | '\u{2212}' => negative = true,
            '+' | ' ' | '\u{a0}' | '\u{202f}' | '\'' | '€' | '$' | '£' => {}
            ',' if decimal_comma => {
                if in_frac {
                    return None;
                }
                in_frac = true;
            }
            '.' if !decimal_comma => {
                if in_frac {
                    return None;
                }
                in_frac = true;
            }
            ',' | '.' => {
                if in_frac {
                    return None;
                }
            }
            _ => return None,
        }
    }
    if !saw_digit || frac_digits.len() > 12 || int_digits.len() > 20 {
        return None;
    }
    let text = format!("{int_digits}{frac_digits}");
    let units: i128 = text.parse().ok()?;
    Some(Dec {
        units: if negative { -units } else { units },
        scale: frac_digits.len() as u32,
    })
}

/// Decides from sample amounts whether "," is the decimal mark.
pub(crate) fn sniff_decimal_comma<'a>(samples: impl Iterator<Item = &'a str>) -> bool {
    let (mut comma, mut dot) = (0, 0);
    for s in samples {
        let s = s.trim();
        let last_comma = s.rfind(',');
        let last_dot = s.rfind('.');
        match (last_comma, last_dot) {
            (Some(c), Some(d)) => {
                if c > d {
                    comma += 1;
                } else {
                    dot += 1;
                }
            }
            (Some(c), None) => {
                let frac = &s[c + 1..];
                let frac_digits = frac.chars().take_while(char::is_ascii_digit).count();
                if frac_digits != 3 {
                    comma += 1;
                }
            }
            (None, Some(d)) => {
                let frac = &s[d + 1..];
                let frac_digits = frac.chars().take_while(char::is_ascii_digit).count();
                if frac_digits != 3 {
                    dot += 1;
                }
            }
            (None, None) => {}
        }
    }
    comma > dot
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// An ISO date; `None` for a day the month does not have.
pub(crate) fn iso_date(year: i32, month: u32, day: u32) -> Option<String> {
    if !(1..=12).contains(&month) || !(1900..=2200).contains(&year) {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// An ISO date with the day clamped to the month's last: SWIFT statements write
/// "30 February" for the last booking day of February.
pub(crate) fn iso_date_clamped(year: i32, month: u32, day: u32) -> Option<String> {
    if !(1..=12).contains(&month) || day == 0 || day > 31 {
        return None;
    }
    iso_date(year, month, day.min(days_in_month(year, month)))
}

/// "YYMMDD" (SWIFT), years 00-79 read as 20xx.
pub(crate) fn yymmdd(s: &str) -> Option<String> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = s[0..2].parse().ok()?;
    let year = if yy < 80 { 2000 + yy } else { 1900 + yy };
    iso_date_clamped(year, s[2..4].parse().ok()?, s[4..6].parse().ok()?)
}

/// "YYYYMMDD..." (OFX, CAMT dates with a time part, ISO dates).
pub(crate) fn yyyymmdd_prefix(s: &str) -> Option<String> {
    let digits: String = s.trim().chars().filter(|c| *c != '-').take(8).collect();
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    iso_date(
        digits[0..4].parse().ok()?,
        digits[4..6].parse().ok()?,
        digits[6..8].parse().ok()?,
    )
}

/// Collapses runs of whitespace (line breaks included) into single spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_in_bank_notations() {
        let t = |s: &str, c: bool| parse_decimal(s, c).map(Dec::to_text);
        assert_eq!(t("-123 456,78", true).as_deref(), Some("-123456.78"));
        assert_eq!(t("-6,4", true).as_deref(), Some("-6.40"));
        assert_eq!(t("+3500,00", true).as_deref(), Some("3500.00"));
        assert_eq!(t("9,", true).as_deref(), Some("9.00"));
        assert_eq!(t("11'373.94", false).as_deref(), Some("11373.94"));
        assert_eq!(t("1,234.5", false).as_deref(), Some("1234.50"));
        assert_eq!(t("1.234,56", true).as_deref(), Some("1234.56"));
        assert_eq!(t("0.00885", false).as_deref(), Some("0.00885"));
        assert_eq!(t("12,50-", true).as_deref(), Some("-12.50"));
        assert_eq!(t("abc", true), None);
        assert_eq!(t("", true), None);
        assert_eq!(t("1,2,3", true), None);
    }

    #[test]
    fn decimal_mark_is_sniffed_from_samples() {
        assert!(sniff_decimal_comma(["-17,22", "1.234,56"].into_iter()));
        assert!(!sniff_decimal_comma(["-5.00", "995.00"].into_iter()));
        assert!(!sniff_decimal_comma(["1,234.00"].into_iter()));
    }

    #[test]
    fn swift_dates_clamp_impossible_days() {
        assert_eq!(yymmdd("160230").as_deref(), Some("2016-02-29"));
        assert_eq!(yymmdd("990101").as_deref(), Some("1999-01-01"));
        assert_eq!(yymmdd("161301"), None);
        assert_eq!(
            yyyymmdd_prefix("20090401122017.000[-5:EST]").as_deref(),
            Some("2009-04-01")
        );
        assert_eq!(
            yyyymmdd_prefix("2014-12-31T00:00:00").as_deref(),
            Some("2014-12-31")
        );
    }
}
