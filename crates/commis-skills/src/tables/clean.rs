//! Cleaning a table held in memory: header and extent, per-cell rules by column kind, repairs
//! from the table itself, duplicates and outliers, every change journaled.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::profile::{ColumnKind, infer_kind};
use super::values::{
    CaseStyle, PhoneStyle, bounded_distance, case_style, excel_serial_date, format_iban,
    iban_valid, infer_column_order, iso_date, normalize_email, normalize_french_phone,
    normalize_postcode, parse_cell_amount, parse_cell_date, parse_time_of_day, siren_valid,
    siret_valid, strip_date_before_time, tidy_whitespace, title_case_name, vat_valid,
};
use super::{CleanValue, CleanedTable, Correction, ReviewItem, ReviewReason, Rule, format_number};
use crate::classify::Lang;
use crate::dates::DateOrder;

/// What the cleaner may do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct CleanOptions {
    /// Language of generated headers and labels.
    pub lang: Lang,
    /// How French phone numbers are written.
    pub phone_style: PhoneStyle,
    /// How ambiguous slash dates read when a column does not tell (day-first in French).
    pub date_order: Option<DateOrderOpt>,
    /// Remove rows identical to an earlier one.
    pub drop_duplicates: bool,
    /// Repair values from the table itself (rare variants, values of rows with the same key).
    pub repair_from_table: bool,
    /// Fill empty cells from rows with the same key.
    pub fill_from_key: bool,
}

/// The order of slash dates, as the options spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrderOpt {
    /// 03/04/2024 is 3 April.
    DayFirst,
    /// 03/04/2024 is 4 March.
    MonthFirst,
}

impl Default for CleanOptions {
    fn default() -> Self {
        CleanOptions {
            lang: Lang::Fr,
            phone_style: PhoneStyle::French,
            date_order: None,
            drop_duplicates: true,
            repair_from_table: true,
            fill_from_key: true,
        }
    }
}

impl CleanOptions {
    pub(crate) fn default_order(&self) -> DateOrder {
        match (self.date_order, self.lang) {
            (Some(DateOrderOpt::MonthFirst), _) => DateOrder::MonthFirst,
            (Some(DateOrderOpt::DayFirst), _) => DateOrder::DayFirst,
            (None, Lang::Fr) => DateOrder::DayFirst,
            (None, Lang::En) => DateOrder::MonthFirst,
        }
    }
}

fn is_number_like(s: &str) -> bool {
    parse_cell_amount(s).is_some() || parse_cell_date(s, DateOrder::DayFirst).is_some()
}

/// Finds the header row among the first rows: the first row whose cells are all text, that
/// fills at least half the table's width, and is followed by data. Returns its index.
pub(crate) fn find_header(grid: &[Vec<String>]) -> Option<usize> {
    let width = grid
        .iter()
        .take(50)
        .map(|r| r.iter().filter(|c| !c.trim().is_empty()).count())
        .max()
        .unwrap_or(0);
    if width == 0 {
        return None;
    }
    for (i, row) in grid.iter().take(30).enumerate() {
        let filled: Vec<&str> = row
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        if filled.len() * 2 < width || (width >= 2 && filled.len() < 2) {
            continue;
        }
        if filled.iter().any(|c| is_number_like(c)) {
            // A row of data before any header: the table has none.
            return None;
        }
        let distinct: HashSet<&&str> = filled.iter().collect();
        if distinct.len() == filled.len() {
            return Some(i);
        }
    }
    None
}

fn is_totals_row(row: &[String]) -> bool {
    let Some(first) = row.iter().map(|c| c.trim()).find(|c| !c.is_empty()) else {
        return false;
    };
    let f = crate::text::fold_lower(first);
    (f.starts_with("total") || f.starts_with("sous-total") || f.starts_with("sous total"))
        && row
            .iter()
            .filter(|c| parse_cell_amount(c).is_some())
            .count()
            >= 1
}

struct Work {
    header: Vec<String>,
    rows: Vec<Vec<CleanValue>>,
    source_rows: Vec<usize>,
    corrections: Vec<Correction>,
    review: Vec<ReviewItem>,
}

impl Work {
    fn correct(&mut self, r: usize, c: usize, after: CleanValue, rule: Rule, key: Option<usize>) {
        let before = self.rows[r][c].display();
        let after_text = after.display();
        if before == after_text {
            // Same text, now typed (« 12 » read as the number 12): nothing a person would
            // call a change, so nothing in the journal.
            self.rows[r][c] = after;
            return;
        }
        self.corrections.push(Correction {
            row: self.source_rows[r],
            column: self.header[c].clone(),
            before,
            after: after_text,
            rule,
            key_column: key.map(|k| self.header[k].clone()),
        });
        self.rows[r][c] = after;
    }

    fn flag(&mut self, r: usize, c: Option<usize>, reason: ReviewReason, detail: String) {
        self.review.push(ReviewItem {
            row: self.source_rows[r],
            column: c.map(|c| self.header[c].clone()),
            value: match c {
                Some(c) => self.rows[r][c].display(),
                None => abridged_row(&self.rows[r]),
            },
            reason,
            detail,
        });
    }

    fn text(&self, r: usize, c: usize) -> &str {
        match &self.rows[r][c] {
            CleanValue::Text(t) | CleanValue::Date(t) => t,
            _ => "",
        }
    }
}

fn abridged_row(row: &[CleanValue]) -> String {
    let joined = row
        .iter()
        .map(CleanValue::display)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" | ");
    crate::text::truncate_chars(&joined, 120)
}

/// Cleans one table given as rows of cell texts (a CSV file or a sheet read as text).
/// Row numbers in the journal are 1-based positions in `grid`.
pub fn clean_grid(grid: &[Vec<String>], opts: &CleanOptions) -> CleanedTable {
    let header_idx = find_header(grid);
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    let raw_header: Vec<String> = match header_idx {
        Some(h) => grid[h].clone(),
        None => Vec::new(),
    };
    // Extent: columns that hold a header or any value.
    let start = header_idx.map_or(0, |h| h + 1);
    let mut used = vec![false; width];
    for row in grid.iter().skip(start).chain(header_idx.map(|h| &grid[h])) {
        for (c, v) in row.iter().enumerate() {
            if !v.trim().is_empty() {
                used[c] = true;
            }
        }
    }
    let cols: Vec<usize> = (0..width).filter(|c| used[*c]).collect();
    let mut header: Vec<String> = Vec::with_capacity(cols.len());
    for (i, c) in cols.iter().enumerate() {
        let h = raw_header
            .get(*c)
            .map(|h| tidy_whitespace(h).into_owned())
            .unwrap_or_default();
        header.push(if h.is_empty() {
            match opts.lang {
                Lang::Fr => format!("Colonne {}", i + 1),
                Lang::En => format!("Column {}", i + 1),
            }
        } else {
            h
        });
    }
    let mut work = Work {
        header,
        rows: Vec::new(),
        source_rows: Vec::new(),
        corrections: Vec::new(),
        review: Vec::new(),
    };
    let mut totals_rows = Vec::new();
    for (i, row) in grid.iter().enumerate().skip(start) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if is_totals_row(row) {
            totals_rows.push((i + 1, row.join(" | ")));
            continue;
        }
        work.rows.push(
            cols.iter()
                .map(|c| match row.get(*c) {
                    Some(v) if !v.is_empty() => CleanValue::Text(v.clone()),
                    _ => CleanValue::Empty,
                })
                .collect(),
        );
        work.source_rows.push(i + 1);
    }
    // 1. Whitespace.
    for r in 0..work.rows.len() {
        for c in 0..cols.len() {
            if let CleanValue::Text(t) = &work.rows[r][c] {
                let tidy = tidy_whitespace(t);
                if tidy != t.as_str() {
                    let v = if tidy.is_empty() {
                        CleanValue::Empty
                    } else {
                        CleanValue::Text(tidy.into_owned())
                    };
                    work.correct(r, c, v, Rule::Whitespace, None);
                }
            }
        }
    }
    // 2. Kinds, then per-cell rules.
    let mut kinds = Vec::with_capacity(cols.len());
    for c in 0..cols.len() {
        let values: Vec<&str> = (0..work.rows.len())
            .map(|r| work.text(r, c))
            .filter(|v| !v.is_empty())
            .collect();
        let order = infer_column_order(values.iter().copied(), opts.default_order());
        let kind = infer_kind(&work.header[c], &values, order);
        let col = ColumnRules::new(kind, order, &values, opts);
        drop(values);
        for r in 0..work.rows.len() {
            col.apply(&mut work, r, c);
        }
        kinds.push(kind);
    }
    // 3. Repairs from the table itself.
    if opts.repair_from_table && work.rows.len() >= 10 {
        for (c, kind) in kinds.iter().enumerate() {
            if matches!(
                kind,
                ColumnKind::Category | ColumnKind::Name | ColumnKind::Text
            ) {
                fix_rare_variants(&mut work, c);
            }
        }
        repair_from_keys(&mut work, &kinds, opts.fill_from_key);
        for (c, kind) in kinds.iter().enumerate() {
            if matches!(
                kind,
                ColumnKind::Category | ColumnKind::Name | ColumnKind::Text
            ) {
                fix_rare_words(&mut work, c);
            }
        }
    }
    // 4. Outliers and impossible values.
    for (c, kind) in kinds.iter().enumerate() {
        if *kind == ColumnKind::Amount {
            flag_outliers(&mut work, c);
        }
    }
    // 5. Duplicates.
    find_duplicates(&mut work, &kinds, opts.drop_duplicates);
    let mut review = std::mem::take(&mut work.review);
    for (row, text) in totals_rows {
        review.push(ReviewItem {
            row,
            column: None,
            value: crate::text::truncate_chars(&text, 120),
            reason: ReviewReason::TotalsRow,
            detail: String::new(),
        });
    }
    review.sort_by_key(|r| r.row);
    CleanedTable {
        header: work.header,
        kinds,
        rows: work.rows,
        source_rows: work.source_rows,
        header_row: header_idx.map_or(0, |h| h + 1),
        corrections: work.corrections,
        review,
    }
}

/// The per-cell rules of one column, decided once from its kind and values.
pub(crate) struct ColumnRules {
    pub(crate) kind: ColumnKind,
    order: DateOrder,
    phone_style: PhoneStyle,
    french_phones: bool,
    french_postcodes: bool,
    title_case: bool,
}

impl ColumnRules {
    pub(crate) fn new(
        kind: ColumnKind,
        order: DateOrder,
        values: &[&str],
        opts: &CleanOptions,
    ) -> Self {
        let n = values.len().max(1) as f64;
        let french_phones = kind == ColumnKind::Phone
            && values
                .iter()
                .filter(|v| normalize_french_phone(v, PhoneStyle::French).is_some())
                .count() as f64
                / n
                >= 0.5
            // Ten plain digits not starting with 0 are North American numbers.
            && values
                .iter()
                .filter(|v| v.len() == 10 && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0'))
                .count() as f64
                / n
                < 0.2;
        let french_postcodes = kind == ColumnKind::Postcode
            && values
                .iter()
                .filter(|v| v.len() == 4 || v.len() == 5)
                .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
                .count() as f64
                / n
                >= 0.8
            && values.iter().any(|v| v.len() == 4 || v.starts_with('0'));
        let mixed = values
            .iter()
            .filter(|v| case_style(v) == CaseStyle::Mixed)
            .count();
        let lettered = values
            .iter()
            .filter(|v| case_style(v) != CaseStyle::None)
            .count()
            .max(1);
        let title_case = kind == ColumnKind::Name && mixed * 10 >= lettered * 6;
        ColumnRules {
            kind,
            order,
            phone_style: opts.phone_style,
            french_phones,
            french_postcodes,
            title_case,
        }
    }

    /// The cleaned value of one cell (already tidied), with the rule that changed it, or the
    /// reason to flag it.
    pub(crate) fn clean_cell(&self, v: &str) -> Result<Option<(CleanValue, Rule)>, ReviewReason> {
        let text = |s: String| CleanValue::Text(s);
        Ok(match self.kind {
            ColumnKind::Date => {
                if let Some(d) = parse_cell_date(v, self.order) {
                    Some((CleanValue::Date(iso_date(d)), Rule::Date))
                } else if let Some(d) = parse_cell_amount(v).and_then(excel_serial_date) {
                    Some((CleanValue::Date(iso_date(d)), Rule::ExcelSerial))
                } else {
                    return Err(ReviewReason::UnreadableDate);
                }
            }
            ColumnKind::Time => {
                if let Some(t) = strip_date_before_time(v) {
                    Some((text(t.to_string()), Rule::Time))
                } else if parse_time_of_day(v).is_some() {
                    None
                } else {
                    return Err(ReviewReason::UnreadableTime);
                }
            }
            ColumnKind::Amount => match parse_cell_amount(v) {
                Some(n) => Some((CleanValue::Number(n), Rule::Amount)),
                None => return Err(ReviewReason::UnreadableAmount),
            },
            ColumnKind::Phone => {
                let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
                if self.french_phones {
                    match normalize_french_phone(v, self.phone_style) {
                        Some(p) => Some((text(p), Rule::Phone)),
                        None if digits < 9 => return Err(ReviewReason::InvalidPhone),
                        None => None,
                    }
                } else if digits < 6 {
                    return Err(ReviewReason::InvalidPhone);
                } else {
                    None
                }
            }
            ColumnKind::Email => {
                let (e, ok) = normalize_email(v);
                if !ok {
                    return Err(ReviewReason::InvalidEmail);
                }
                Some((text(e), Rule::Email))
            }
            ColumnKind::Postcode if self.french_postcodes => match normalize_postcode(v) {
                Some(p) => Some((text(p), Rule::Postcode)),
                None => return Err(ReviewReason::InvalidPostcode),
            },
            ColumnKind::Siren | ColumnKind::Siret => {
                let c: String = v.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
                let ok = if self.kind == ColumnKind::Siren {
                    siren_valid(&c)
                } else {
                    siret_valid(&c)
                };
                if !ok {
                    return Err(if self.kind == ColumnKind::Siren {
                        ReviewReason::InvalidSiren
                    } else {
                        ReviewReason::InvalidSiret
                    });
                }
                Some((text(c), Rule::Identifier))
            }
            ColumnKind::Iban => {
                if !iban_valid(v) {
                    return Err(ReviewReason::InvalidIban);
                }
                Some((text(format_iban(v)), Rule::Identifier))
            }
            ColumnKind::Vat => {
                if !vat_valid(v) {
                    return Err(ReviewReason::InvalidVat);
                }
                let c: String = v
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_uppercase();
                Some((text(c), Rule::Identifier))
            }
            ColumnKind::Name if self.title_case => match case_style(v) {
                CaseStyle::Upper | CaseStyle::Lower
                    if v.chars().filter(|c| c.is_alphabetic()).count() >= 2 =>
                {
                    Some((text(title_case_name(v)), Rule::Case))
                }
                _ => None,
            },
            _ => None,
        })
    }

    fn apply(&self, work: &mut Work, r: usize, c: usize) {
        let v = match &work.rows[r][c] {
            CleanValue::Text(t) => t.clone(),
            _ => return,
        };
        match self.clean_cell(&v) {
            Ok(Some((after, rule))) => work.correct(r, c, after, rule, None),
            Ok(None) => {}
            Err(reason) => work.flag(r, Some(c), reason, String::new()),
        }
    }
}

/// Replaces a rare value (one or two rows) by the frequent value of the column that it is a
/// typo or two away from, when exactly one frequent value is that close.
fn fix_rare_variants(work: &mut Work, c: usize) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in 0..work.rows.len() {
        let t = work.text(r, c);
        if !t.is_empty() {
            *counts.entry(t.to_string()).or_default() += 1;
        }
    }
    let total: usize = counts.values().sum();
    if counts.len() * 2 > total {
        return;
    }
    let mut frequent: Vec<(&String, usize)> = counts
        .iter()
        .filter(|(_, n)| **n >= 3)
        .map(|(k, n)| (k, *n))
        .collect();
    frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    frequent.truncate(500);
    let mut fixes: HashMap<String, String> = HashMap::new();
    for (value, n) in counts.iter().filter(|(_, n)| **n <= 2) {
        let len = value.chars().count();
        // Short codes ("AK"/"AL", "SA"/"SAS") differ by one letter on purpose.
        if len < 8 {
            continue;
        }
        let max_d = (len / 10).max(1);

        let mut best: Option<(usize, &String)> = None;
        let mut tie = false;
        for (f, fc) in &frequent {
            // Numbers are facts: "244 patients" is not a typo of "24 patients".
            if *fc < 5 * n || !same_numbers(value, f) {
                continue;
            }
            if let Some(d) = bounded_distance(value, f, max_d) {
                match best {
                    Some((bd, _)) if d > bd => {}
                    Some((bd, _)) if d == bd => tie = true,
                    _ => {
                        best = Some((d, f));
                        tie = false;
                    }
                }
            }
        }
        if let (Some((_, f)), false) = (best, tie) {
            fixes.insert(value.clone(), f.clone());
        }
    }
    if fixes.is_empty() {
        return;
    }
    for r in 0..work.rows.len() {
        if let Some(f) = fixes.get(work.text(r, c))
            && !corroborated(&work.rows[r], c, work.text(r, c), f)
        {
            work.correct(r, c, CleanValue::Text(f.clone()), Rule::ColumnVariant, None);
        }
    }
}

/// Whether two spellings carry the same numbers: a value with digits is only a typo of another
/// when they differ in letters alone, at the same places ("244 patients" is not "24 patients").
fn same_numbers(a: &str, b: &str) -> bool {
    let has_digit = |s: &str| s.chars().any(|c| c.is_ascii_digit());
    if !has_digit(a) && !has_digit(b) {
        return true;
    }
    a.chars().count() == b.chars().count()
        && a.chars()
            .zip(b.chars())
            .all(|(x, y)| x == y || (!x.is_ascii_digit() && !y.is_ascii_digit()))
}

/// Whether the row itself backs the odd value: a word of `value` that `replacement` lacks is
/// the whole value of another cell of the row ("ak_hf-1" in a row whose state is "ak").
fn corroborated(row: &[CleanValue], c: usize, value: &str, replacement: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|ch: char| !ch.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let theirs = words(replacement);
    let own: Vec<String> = words(value)
        .into_iter()
        .filter(|w| !theirs.contains(w))
        .collect();
    if own.is_empty() {
        return false;
    }
    row.iter().enumerate().any(|(i, cell)| {
        i != c && {
            let t = cell.display().to_lowercase();
            !t.is_empty() && own.contains(&t)
        }
    })
}

/// Replaces a rare word of a repetitive column by the frequent word it is one typo from.
fn fix_rare_words(work: &mut Work, c: usize) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut distinct: HashSet<&str> = HashSet::new();
    let mut filled = 0;
    for r in 0..work.rows.len() {
        let t = work.text(r, c);
        if t.is_empty() {
            continue;
        }
        filled += 1;
        distinct.insert(t);
        for w in t.split(' ') {
            *counts.entry(w.to_string()).or_default() += 1;
        }
    }
    if distinct.len() * 2 > filled {
        return;
    }
    let frequent: Vec<(&String, usize)> = counts
        .iter()
        .filter(|(w, n)| **n >= 10 && w.chars().count() >= 4)
        .map(|(k, n)| (k, *n))
        .collect();
    let mut fixes: HashMap<String, String> = HashMap::new();
    for (word, n) in counts.iter().filter(|(_, n)| **n <= 2) {
        let len = word.chars().count();
        if len < 4 || !word.chars().all(char::is_alphabetic) {
            continue;
        }
        let max_d = if len >= 8 { 2 } else { 1 };
        let mut best: Option<(usize, &String)> = None;
        let mut tie = false;
        for (f, fc) in &frequent {
            if *fc < 10 * n {
                continue;
            }
            if let Some(d) = bounded_distance(word, f, max_d) {
                match best {
                    Some((bd, _)) if d > bd => {}
                    Some((bd, _)) if d == bd => tie = true,
                    _ => {
                        best = Some((d, f));
                        tie = false;
                    }
                }
            }
        }
        if let (Some((_, f)), false) = (best, tie) {
            fixes.insert(word.clone(), f.clone());
        }
    }
    if fixes.is_empty() {
        return;
    }
    for r in 0..work.rows.len() {
        let t = work.text(r, c);
        if !t.split(' ').any(|w| fixes.contains_key(w)) {
            continue;
        }
        let fixed = t
            .split(' ')
            .map(|w| fixes.get(w).map_or(w, String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        work.correct(r, c, CleanValue::Text(fixed), Rule::WordVariant, None);
    }
}

/// A key column determines another when rows sharing a key value almost always agree on it
/// (a client number and its address, a flight and its scheduled time). Within each group of
/// rows with the same key, a clear majority value replaces the odd ones out.
fn repair_from_keys(work: &mut Work, kinds: &[ColumnKind], fill_empty: bool) {
    let n = work.rows.len();
    if n > 200_000 {
        return;
    }
    let usable = |k: ColumnKind| !matches!(k, ColumnKind::Identifier | ColumnKind::Empty);
    let keys: Vec<Vec<String>> = (0..work.header.len())
        .map(|c| (0..n).map(|r| work.rows[r][c].display()).collect())
        .collect();
    // (row, column) -> (value, share, key column)
    let mut proposals: HashMap<(usize, usize), (CleanValue, f64, usize)> = HashMap::new();
    let mut conflicts: HashSet<(usize, usize)> = HashSet::new();
    // Amounts, dates and times describe a row; they do not name what it is about.
    let key_kind = |k: ColumnKind| {
        usable(k) && !matches!(k, ColumnKind::Amount | ColumnKind::Date | ColumnKind::Time)
    };
    // How often the most frequent value of each column occurs overall: a column where one value
    // dominates agrees within any grouping, which proves nothing.
    let baseline: Vec<f64> = keys
        .iter()
        .map(|col| {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            let mut filled = 0usize;
            for v in col.iter().filter(|v| !v.is_empty()) {
                *counts.entry(v.as_str()).or_default() += 1;
                filled += 1;
            }
            counts
                .values()
                .max()
                .map_or(1.0, |m| *m as f64 / filled.max(1) as f64)
        })
        .collect();
    for a in 0..work.header.len() {
        if !key_kind(kinds[a]) {
            continue;
        }
        // (row) -> proposals of this key that contradict a filled cell.
        let mut contradicted: HashMap<usize, usize> = HashMap::new();
        let mut mine: Vec<((usize, usize), CleanValue, f64)> = Vec::new();
        let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
        for (r, k) in keys[a].iter().enumerate() {
            if !k.is_empty() {
                groups.entry(k.as_str()).or_default().push(r);
            }
        }
        let multi: Vec<&Vec<usize>> = groups.values().filter(|g| g.len() >= 2).collect();
        if multi.len() < 3 || groups.len() * 10 > n * 8 {
            continue;
        }
        for b in 0..work.header.len() {
            if b == a || !usable(kinds[b]) {
                continue;
            }
            let mut agree = 0usize;
            let mut total = 0usize;
            let mut tops: Vec<Option<(&str, usize, usize)>> = Vec::with_capacity(multi.len());
            for g in &multi {
                let mut counts: HashMap<&str, usize> = HashMap::new();
                let mut filled = 0;
                for &r in g.iter() {
                    let v = keys[b][r].as_str();
                    if !v.is_empty() {
                        *counts.entry(v).or_default() += 1;
                        filled += 1;
                    }
                }
                let top = counts
                    .iter()
                    .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
                    .map(|(v, n)| (*v, *n, filled));
                if let Some((_, tn, f)) = top {
                    agree += tn;
                    total += f;
                }
                tops.push(top);
            }
            if total == 0 {
                continue;
            }
            let agreement = agree as f64 / total as f64;
            let lift = if baseline[b] >= 1.0 {
                0.0
            } else {
                (agreement - baseline[b]) / (1.0 - baseline[b])
            };
            if agreement < 0.9 || lift < 0.8 {
                continue;
            }
            for (g, top) in multi.iter().zip(tops) {
                let Some((value, count, filled)) = top else {
                    continue;
                };
                let strength = count as f64 / filled as f64;
                if count < 3 || strength < 0.7 {
                    continue;
                }
                let Some(source) = g.iter().find(|&&r| keys[b][r] == value) else {
                    continue;
                };
                let replacement = work.rows[*source][b].clone();
                for &r in g.iter() {
                    let cur = keys[b][r].as_str();
                    if cur == value || (cur.is_empty() && !fill_empty) {
                        continue;
                    }
                    if !cur.is_empty() {
                        *contradicted.entry(r).or_default() += 1;
                    }
                    mine.push(((r, b), replacement.clone(), strength));
                }
            }
        }
        // A row that disagrees with its group on several columns more likely carries a wrong
        // key than several wrong values: leave it to the other keys.
        for ((r, b), replacement, strength) in mine {
            if contradicted.get(&r).copied().unwrap_or(0) >= 2
                || corroborated(&work.rows[r], b, &keys[b][r], &replacement.display())
            {
                continue;
            }
            match proposals.get(&(r, b)) {
                Some((v, _, _)) if v.display() != replacement.display() => {
                    conflicts.insert((r, b));
                }
                Some((_, s, _)) if *s >= strength => {}
                _ => {
                    proposals.insert((r, b), (replacement, strength, a));
                }
            }
        }
    }
    let mut ordered: Vec<_> = proposals.into_iter().collect();
    ordered.sort_by_key(|((r, c), _)| (*r, *c));
    for ((r, c), (value, _, key)) in ordered {
        if conflicts.contains(&(r, c)) {
            work.flag(r, Some(c), ReviewReason::KeyConflict, String::new());
            continue;
        }
        let rule = if work.rows[r][c].is_empty() {
            Rule::FilledFromKey
        } else {
            Rule::SameKey
        };
        work.correct(r, c, value, rule, Some(key));
    }
}

fn flag_outliers(work: &mut Work, c: usize) {
    let mut nums: Vec<f64> = work
        .rows
        .iter()
        .filter_map(|row| match row[c] {
            CleanValue::Number(n) => Some(n),
            _ => None,
        })
        .collect();
    let words = crate::text::fold_lower(&work.header[c]);
    let positive_only = [
        "quantite", "qte", "qty", "quantity", "age", "nombre", "effectif",
    ]
    .iter()
    .any(|k| {
        words
            .split(|ch: char| !ch.is_alphanumeric())
            .any(|w| w == *k)
    });
    if positive_only {
        for r in 0..work.rows.len() {
            if matches!(work.rows[r][c], CleanValue::Number(n) if n < 0.0) {
                work.flag(r, Some(c), ReviewReason::ImpossibleValue, String::new());
            }
        }
    }
    if nums.len() < 20 {
        return;
    }
    nums.sort_by(f64::total_cmp);
    let median = nums[nums.len() / 2];
    let mut dev: Vec<f64> = nums.iter().map(|x| (x - median).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let mad = dev[dev.len() / 2] * 1.4826;
    if mad <= 0.0 {
        return;
    }
    for r in 0..work.rows.len() {
        if let CleanValue::Number(x) = work.rows[r][c]
            && (x - median).abs() / mad > 10.0
        {
            let detail = format!("médiane / median {}", format_number(median));
            work.flag(r, Some(c), ReviewReason::Outlier, detail);
        }
    }
}

fn near_key(row: &[CleanValue], kinds: &[ColumnKind]) -> String {
    let mut key = String::new();
    for (v, k) in row.iter().zip(kinds) {
        if *k == ColumnKind::Identifier {
            continue;
        }
        let text = v.display();
        let folded = if *k == ColumnKind::Name {
            crate::entities::normalize_company(&text)
        } else {
            crate::text::fold_lower(&text)
        };
        key.extend(folded.chars().filter(|c| c.is_alphanumeric()));
        key.push('\u{1f}');
    }
    key
}

fn find_duplicates(work: &mut Work, kinds: &[ColumnKind], drop_exact: bool) {
    let mut exact: HashMap<String, usize> = HashMap::new();
    let mut near: HashMap<String, usize> = HashMap::new();
    let mut remove = Vec::new();
    for r in 0..work.rows.len() {
        let full = work.rows[r]
            .iter()
            .map(CleanValue::display)
            .collect::<Vec<_>>()
            .join("\u{1f}");
        if let Some(first) = exact.get(&full) {
            if drop_exact {
                remove.push((r, *first));
            }
            continue;
        }
        exact.insert(full, r);
        let nk = near_key(&work.rows[r], kinds);
        if nk.chars().filter(|c| *c != '\u{1f}').count() < 3 {
            continue;
        }
        if let Some(first) = near.get(&nk) {
            let detail = match work.source_rows.get(*first) {
                Some(row) => format!("ligne / row {row}"),
                None => String::new(),
            };
            work.flag(r, None, ReviewReason::NearDuplicate, detail);
        } else {
            near.insert(nk, r);
        }
    }
    for (r, first) in remove.iter().rev() {
        let row = work.rows.remove(*r);
        let source = work.source_rows.remove(*r);
        let first_source = work.source_rows[*first];
        work.corrections.push(Correction {
            row: source,
            column: String::new(),
            before: abridged_row(&row),
            after: format!("(= {first_source})"),
            rule: Rule::DuplicateRow,
            key_column: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_messy_client_export_is_cleaned_and_journaled() {
        let g = grid(&[
            &["Export clients 2024", "", "", "", ""],
            &["", "", "", "", ""],
            &["Nom", "Date", "Montant", "Téléphone", "E-mail"],
            &[
                "  DUPONT SARL ",
                "05/03/2024",
                "1 234,56 €",
                "01.23.45.67.89",
                "Contact@Dupont.FR",
            ],
            &[
                "Martin SAS",
                "31/12/2024",
                "(12,50)",
                "+33 6 12 34 56 78",
                "martin@exemple",
            ],
            &[
                "Boulangerie Petit",
                "2024-01-15",
                "45",
                "0612345678",
                "petit@exemple.fr",
            ],
            &[
                "Martin SAS",
                "31/12/2024",
                "(12,50)",
                "+33 6 12 34 56 78",
                "martin@exemple",
            ],
            &["Total", "", "1 267,06", "", ""],
        ]);
        let t = clean_grid(&g, &CleanOptions::default());
        assert_eq!(t.header_row, 3);
        assert_eq!(t.header, ["Nom", "Date", "Montant", "Téléphone", "E-mail"]);
        assert_eq!(
            t.rows.len(),
            3,
            "the duplicate is removed and the total left out"
        );
        assert_eq!(t.rows[0][0], CleanValue::Text("Dupont SARL".into()));
        assert_eq!(t.rows[0][1], CleanValue::Date("2024-03-05".into()));
        assert_eq!(t.rows[0][2], CleanValue::Number(1234.56));
        assert_eq!(t.rows[1][2], CleanValue::Number(-12.5));
        assert_eq!(t.rows[0][3], CleanValue::Text("01 23 45 67 89".into()));
        assert_eq!(t.rows[0][4], CleanValue::Text("contact@dupont.fr".into()));
        let journal: Vec<(usize, &str, Rule)> = t
            .corrections
            .iter()
            .map(|c| (c.row, c.column.as_str(), c.rule))
            .collect();
        assert!(journal.contains(&(4, "Nom", Rule::Whitespace)));
        assert!(journal.contains(&(4, "Nom", Rule::Case)));
        assert!(journal.contains(&(4, "Montant", Rule::Amount)));
        assert!(journal.contains(&(7, "", Rule::DuplicateRow)));
        let reasons: Vec<(usize, ReviewReason)> =
            t.review.iter().map(|r| (r.row, r.reason)).collect();
        assert!(reasons.contains(&(5, ReviewReason::InvalidEmail)));
        assert!(reasons.contains(&(8, ReviewReason::TotalsRow)));
    }

    #[test]
    fn already_clean_cells_are_left_alone() {
        let mut rows: Vec<Vec<String>> = vec![vec!["id".into(), "ville".into(), "statut".into()]];
        for i in 0..40 {
            rows.push(vec![
                i.to_string(),
                ["lyon", "paris", "nantes"][i % 3].to_string(),
                ["payé", "impayé"][i % 2].to_string(),
            ]);
        }
        let t = clean_grid(&rows, &CleanOptions::default());
        assert!(t.corrections.is_empty(), "{:?}", t.corrections);
    }

    #[test]
    fn typos_are_repaired_from_the_rest_of_the_table() {
        let mut rows: Vec<Vec<String>> = vec![vec!["client".into(), "ville".into(), "code".into()]];
        for i in 0..30 {
            let (client, city) =
                [("C1", "Marseille"), ("C2", "Toulouse"), ("C3", "Bordeaux")][i % 3];
            rows.push(vec![client.into(), city.into(), format!("K{}", i % 3)]);
        }
        rows[4][1] = "Marseile".into(); // rare variant of a frequent value
        rows[5][1] = "Paris".into(); // contradicts every other row of client C2
        rows[6][1] = String::new(); // empty, every other row of C3 says Bordeaux
        let t = clean_grid(&rows, &CleanOptions::default());
        let got: Vec<(usize, &str, &str, Rule)> = t
            .corrections
            .iter()
            .map(|c| (c.row, c.before.as_str(), c.after.as_str(), c.rule))
            .collect();
        assert!(
            got.contains(&(5, "Marseile", "Marseille", Rule::ColumnVariant)),
            "{got:?}"
        );
        assert!(
            got.contains(&(6, "Paris", "Toulouse", Rule::SameKey)),
            "{got:?}"
        );
        assert!(
            got.contains(&(7, "", "Bordeaux", Rule::FilledFromKey)),
            "{got:?}"
        );
    }

    #[test]
    fn identifiers_are_checked_and_outliers_flagged() {
        let mut rows: Vec<Vec<String>> =
            vec![vec!["SIRET".into(), "IBAN".into(), "Montant".into()]];
        for i in 0..25 {
            rows.push(vec![
                "732 829 320 00074".into(),
                "FR76 3000 6000 0112 3456 7890 189".into(),
                format!("{},00", 100 + i),
            ]);
        }
        rows[3][0] = "73282932000075".into();
        rows[4][1] = "FR7630006000011234567890188".into();
        rows[5][2] = "1 000 000,00".into();
        let t = clean_grid(
            &rows,
            &CleanOptions {
                drop_duplicates: false,
                ..Default::default()
            },
        );
        let reasons: Vec<(usize, ReviewReason)> =
            t.review.iter().map(|r| (r.row, r.reason)).collect();
        assert!(
            reasons.contains(&(4, ReviewReason::InvalidSiret)),
            "{reasons:?}"
        );
        assert!(
            reasons.contains(&(5, ReviewReason::InvalidIban)),
            "{reasons:?}"
        );
        assert!(reasons.contains(&(6, ReviewReason::Outlier)), "{reasons:?}");
        assert_eq!(t.rows[0][0], CleanValue::Text("73282932000074".into()));
    }
}
