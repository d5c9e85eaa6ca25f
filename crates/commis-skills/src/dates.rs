//! Calendar dates in French, English, German and Dutch notations.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Serialize, Serializer};

use crate::text::{Span, fold_lower};

/// A calendar date that exists (no 31 April, no 29 February outside leap years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 1900 to 2199.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, 1 to 31.
    pub day: u32,
}

impl Date {
    /// Builds a date, or `None` when it does not exist in the calendar.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        if !(1900..=2199).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        (day <= days_in_month(year, month)).then_some(Self { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), for date arithmetic.
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days_since_epoch` days after 1970-01-01, if it is within the supported years.
    pub fn from_days_since_epoch(z: i64) -> Option<Self> {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(
            i32::try_from(y).ok()?,
            u32::try_from(m).ok()?,
            u32::try_from(d).ok()?,
        )
    }

    /// This date plus `n` days (negative goes back).
    pub fn add_days(&self, n: i64) -> Option<Self> {
        Self::from_days_since_epoch(self.days_since_epoch() + n)
    }

    /// Day of the week, 0 = Monday ... 6 = Sunday.
    pub fn weekday(&self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        ((self.days_since_epoch() + 3).rem_euclid(7)) as u32
    }

    /// Last day of this date's month.
    pub fn end_of_month(&self) -> Self {
        Self {
            day: days_in_month(self.year, self.month),
            ..*self
        }
    }

    /// ISO 8601 form, "2024-03-15".
    pub fn to_iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_iso())
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A date found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundDate {
    /// The date.
    pub date: Date,
    /// Where it is in the text.
    pub span: Span,
    /// The text as written ("1er avril 2024").
    pub raw: String,
}

/// How to read a numeric date whose day and month are both 12 or less ("03/04/2024").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// 03/04/2024 is 3 April (French, European).
    DayFirst,
    /// 03/04/2024 is 4 March (United States).
    MonthFirst,
}

/// Month names and abbreviations (accent-folded, lower case) in FR, EN, DE and NL.
const MONTHS: &[(&str, u32)] = &[
    ("janvier", 1),
    ("january", 1),
    ("januar", 1),
    ("januari", 1),
    ("janv", 1),
    ("jan", 1),
    ("janner", 1),
    ("fevrier", 2),
    ("fevier", 2),
    ("febuary", 2),
    ("feburary", 2),
    ("february", 2),
    ("februar", 2),
    ("februari", 2),
    ("fevr", 2),
    ("fev", 2),
    ("feb", 2),
    ("febr", 2),
    ("mars", 3),
    ("march", 3),
    ("marz", 3),
    ("maart", 3),
    ("mar", 3),
    ("mrt", 3),
    ("avril", 4),
    ("april", 4),
    ("avr", 4),
    ("apr", 4),
    ("mai", 5),
    ("may", 5),
    ("mei", 5),
    ("juin", 6),
    ("june", 6),
    ("juni", 6),
    ("jun", 6),
    ("juillet", 7),
    ("july", 7),
    ("juli", 7),
    ("juil", 7),
    ("jul", 7),
    ("aout", 8),
    ("august", 8),
    ("augustus", 8),
    ("aug", 8),
    ("septembre", 9),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("octobre", 10),
    ("october", 10),
    ("oktober", 10),
    ("oct", 10),
    ("okt", 10),
    ("novembre", 11),
    ("november", 11),
    ("nov", 11),
    ("decembre", 12),
    ("december", 12),
    ("dezember", 12),
    ("dec", 12),
    ("dez", 12),
];

fn month_number(word: &str) -> Option<u32> {
    let w = fold_lower(word.trim_end_matches('.'));
    MONTHS.iter().find(|(n, _)| *n == w).map(|(_, m)| *m)
}

fn month_alternation() -> String {
    // Accented spellings are matched as written; the regex is case-insensitive.
    let mut names: Vec<&str> = MONTHS.iter().map(|(n, _)| *n).collect();
    names.extend([
        "février",
        "févr",
        "fév",
        "août",
        "décembre",
        "déc",
        "märz",
        "jänner",
    ]);
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.join("|")
}

static NUMERIC_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<a>\d{1,4})(?P<s>[/.\-])(?P<b>\d{1,2})(?P<s2>[/.\-])(?P<c>\d{4}|\d{2})")
        .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

static DAY_MONTH_RE: LazyLock<Regex> = LazyLock::new(|| {
    let m = month_alternation();
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?P<d>\d{{1,2}})(?:er|re|st|nd|rd|th|e)?\.?\s+(?:de\s+)?(?P<m>{m})\.?,?\s+(?P<y>\d{{4}})(?-u:\b)"
    ))
    .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

static MONTH_DAY_RE: LazyLock<Regex> = LazyLock::new(|| {
    let m = month_alternation();
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?P<m>{m})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(?P<y>\d{{4}})(?-u:\b)"
    ))
    .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

/// Parses one date written in any of the supported notations ("15/03/2024", "2024-03-15",
/// "15 mars 2024", "1er avril 2024", "March 15, 2024", "Mar. 15 2024", "03/15/2024").
/// Numeric dates are read day-first unless that is impossible.
pub fn parse_date(s: &str) -> Option<Date> {
    let t = s.trim();
    let found = find_dates_with_order(t, DateOrder::DayFirst);
    // The whole input must be the date (allowing surrounding punctuation).
    found
        .into_iter()
        .find(|f| {
            let rest = format!("{}{}", &t[..f.span.start], &t[f.span.end..]);
            rest.chars().all(|c| !c.is_alphanumeric())
        })
        .map(|f| f.date)
}

/// Finds every date in a text, in text order.
///
/// Ambiguous numeric dates (both parts 12 or less) follow the text's own habit: if another
/// numeric date in the same text can only be month-first ("03/20/2023"), they are read
/// month-first; otherwise day-first, the French and European reading.
pub fn find_dates(text: &str) -> Vec<FoundDate> {
    find_dates_with_order(text, infer_order(text))
}

/// Guesses whether a text writes numeric dates month-first, from its unambiguous ones.
pub fn infer_order(text: &str) -> DateOrder {
    let (mut day_first, mut month_first) = (0, 0);
    for c in NUMERIC_RE.captures_iter(text) {
        let (Some(a), Some(b)) = (c.name("a"), c.name("b")) else {
            continue;
        };
        if a.as_str().len() == 4 {
            continue;
        }
        let (a, b): (u32, u32) = (
            a.as_str().parse().unwrap_or(0),
            b.as_str().parse().unwrap_or(0),
        );
        if a > 12 && b <= 12 {
            day_first += 1;
        } else if b > 12 && a <= 12 {
            month_first += 1;
        }
    }
    if month_first > day_first {
        DateOrder::MonthFirst
    } else {
        DateOrder::DayFirst
    }
}

/// Finds dates, reading ambiguous numeric dates in the given order.
pub fn find_dates_with_order(text: &str, order: DateOrder) -> Vec<FoundDate> {
    let mut out: Vec<FoundDate> = Vec::new();
    for c in NUMERIC_RE.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let (Some(a), Some(s), Some(b), Some(s2), Some(y)) = (
            c.name("a"),
            c.name("s"),
            c.name("b"),
            c.name("s2"),
            c.name("c"),
        ) else {
            continue;
        };
        if s.as_str() != s2.as_str() {
            continue;
        }
        // Inside a longer number or identifier ("INV/2023/03/0008", "1.234.567"): not a date.
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        let after2 = text[m.end()..].chars().nth(1);
        if before.is_some_and(|ch| ch.is_alphanumeric() || ch == '/' || ch == '_')
            || matches!(before, Some('.' | ','))
                && text[..m.start()]
                    .chars()
                    .rev()
                    .nth(1)
                    .is_some_and(|ch| ch.is_ascii_digit())
            || before == Some('-')
                && s.as_str() == "-"
                && text[..m.start()]
                    .chars()
                    .rev()
                    .nth(1)
                    .is_some_and(|ch| ch.is_ascii_digit())
            || after.is_some_and(|ch| ch.is_alphanumeric() || ch == '/' || ch == '_')
            || (after == Some(s.as_str().chars().next().unwrap_or('.')) || after == Some(','))
                && after2.is_some_and(|ch| ch.is_ascii_digit())
        {
            continue;
        }
        let num = |x: &str| x.parse::<u32>().ok();
        let (Some(a_n), Some(b_n), Some(y_n)) = (num(a.as_str()), num(b.as_str()), num(y.as_str()))
        else {
            continue;
        };
        let date = if a.as_str().len() == 4 {
            // Year first: 2024-03-15 or 2024/03/15. Two-digit last part is the day.
            if y.as_str().len() > 2 {
                continue;
            }
            Date::new(a_n as i32, b_n, y_n)
        } else if a.as_str().len() <= 2 {
            let year = if y.as_str().len() == 2 {
                expand_year(y_n)
            } else {
                y_n as i32
            };
            // Two-digit years with dots are common in German ("21.05.14"), with dashes rare.
            if y.as_str().len() == 2 && s.as_str() == "-" {
                continue;
            }
            let day_first = Date::new(year, b_n, a_n);
            let month_first = Date::new(year, a_n, b_n);
            match (order, day_first, month_first) {
                (DateOrder::DayFirst, Some(d), _) => Some(d),
                (DateOrder::MonthFirst, _, Some(d)) => Some(d),
                (_, Some(d), None) | (_, None, Some(d)) => Some(d),
                _ => None,
            }
        } else {
            None
        };
        if let Some(date) = date {
            out.push(FoundDate {
                date,
                span: Span::new(m.start(), m.end()),
                raw: m.as_str().to_string(),
            });
        }
    }
    for c in DAY_MONTH_RE
        .captures_iter(text)
        .chain(MONTH_DAY_RE.captures_iter(text))
    {
        let Some(m) = c.get(0) else { continue };
        let (Some(d), Some(mo), Some(y)) = (c.name("d"), c.name("m"), c.name("y")) else {
            continue;
        };
        let Some(month) = month_number(mo.as_str()) else {
            continue;
        };
        let (Ok(day), Ok(year)) = (d.as_str().parse::<u32>(), y.as_str().parse::<i32>()) else {
            continue;
        };
        if let Some(date) = Date::new(year, month, day) {
            let span = Span::new(m.start(), m.end());
            if !out
                .iter()
                .any(|f| f.span.start < span.end && span.start < f.span.end)
            {
                out.push(FoundDate {
                    date,
                    span,
                    raw: m.as_str().to_string(),
                });
            }
        }
    }
    out.sort_by_key(|f| f.span.start);
    out
}

fn expand_year(yy: u32) -> i32 {
    if yy < 70 {
        2000 + yy as i32
    } else {
        1900 + yy as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse_date(s)
            .unwrap_or_else(|| panic!("{s} should parse"))
            .to_iso()
    }

    #[test]
    fn parses_numeric_european_and_iso_dates() {
        assert_eq!(iso("15/03/2024"), "2024-03-15");
        assert_eq!(iso("15.03.2024"), "2024-03-15");
        assert_eq!(iso("15-03-2024"), "2024-03-15");
        assert_eq!(iso("2024-03-15"), "2024-03-15");
        assert_eq!(iso("2024/03/15"), "2024-03-15");
        assert_eq!(iso("8-9-2022"), "2022-09-08");
        assert_eq!(iso("21.05.14"), "2014-05-21");
    }

    #[test]
    fn parses_french_month_names() {
        assert_eq!(iso("15 mars 2024"), "2024-03-15");
        assert_eq!(iso("1er avril 2024"), "2024-04-01");
        assert_eq!(iso("02 Juillet 2015"), "2015-07-02");
        assert_eq!(iso("3 février 2023"), "2023-02-03");
        assert_eq!(iso("3 fevrier 2023"), "2023-02-03");
        assert_eq!(iso("25 DÉCEMBRE 2023"), "2023-12-25");
        assert_eq!(iso("12 août 2021"), "2021-08-12");
        assert_eq!(iso("3 fevier 2023"), "2023-02-03");
        assert_eq!(iso("Febuary 3, 2023"), "2023-02-03");
    }

    #[test]
    fn parses_english_month_names_both_orders() {
        assert_eq!(iso("March 15, 2024"), "2024-03-15");
        assert_eq!(iso("15 Mar 2024"), "2024-03-15");
        assert_eq!(iso("Mar. 15 2024"), "2024-03-15");
        assert_eq!(iso("August 3 , 2014"), "2014-08-03");
        assert_eq!(iso("Jan 1, 2022"), "2022-01-01");
        assert_eq!(iso("March 1st, 2024"), "2024-03-01");
    }

    #[test]
    fn parses_german_and_dutch_month_names() {
        assert_eq!(iso("7. Mai 2014"), "2014-05-07");
        assert_eq!(iso("29 maart 2014"), "2014-03-29");
        assert_eq!(iso("3. März 2020"), "2020-03-03");
    }

    #[test]
    fn month_first_only_when_day_first_is_impossible() {
        assert_eq!(iso("03/15/2024"), "2024-03-15");
        assert_eq!(iso("03/04/2024"), "2024-04-03");
    }

    #[test]
    fn text_with_us_dates_reads_ambiguous_ones_month_first() {
        let found = find_dates("Invoice Date: 03/20/2023  Due Date: 04/05/2023");
        let isos: Vec<_> = found.iter().map(|f| f.date.to_iso()).collect();
        assert_eq!(isos, vec!["2023-03-20", "2023-04-05"]);
        let fr = find_dates("Date : 04/05/2023, échéance 20/05/2023");
        assert_eq!(fr[0].date.to_iso(), "2023-05-04");
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in [
            "31/04/2024",
            "29/02/2023",
            "32 mars 2024",
            "2024-13-01",
            "00/01/2024",
            "February 30, 2024",
        ] {
            assert!(parse_date(s).is_none(), "{s} should be rejected");
        }
        assert_eq!(iso("29/02/2024"), "2024-02-29");
    }

    #[test]
    fn finds_dates_with_spans_and_ignores_identifiers() {
        let t = "Facture n°562044387 du 02 Juillet 2015, réf INV/2023/03/0008, période 01.05.14-31.05.14";
        let found = find_dates(t);
        let isos: Vec<_> = found.iter().map(|f| f.date.to_iso()).collect();
        assert_eq!(isos, vec!["2015-07-02", "2014-05-01", "2014-05-31"]);
        assert_eq!(
            &t[found[0].span.start..found[0].span.end],
            "02 Juillet 2015"
        );
        assert_eq!(found[0].raw, "02 Juillet 2015");
    }

    #[test]
    fn date_arithmetic_and_weekdays() {
        let d = Date::new(2024, 3, 12).unwrap();
        assert_eq!(d.weekday(), 1, "12 March 2024 is a Tuesday");
        assert_eq!(d.add_days(20).unwrap().to_iso(), "2024-04-01");
        assert_eq!(
            Date::new(2024, 2, 28)
                .unwrap()
                .add_days(1)
                .unwrap()
                .to_iso(),
            "2024-02-29"
        );
        assert_eq!(
            Date::new(2023, 12, 31)
                .unwrap()
                .add_days(1)
                .unwrap()
                .to_iso(),
            "2024-01-01"
        );
        assert_eq!(d.end_of_month().to_iso(), "2024-03-31");
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
    }

    #[test]
    fn serializes_as_iso_string() {
        let d = Date::new(2024, 3, 15).unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2024-03-15\"");
    }
}
