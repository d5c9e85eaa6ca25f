//! Consolidating several tables of the same shape (monthly exports, one file per site): columns
//! aligned by name even when their order or spelling differ, and each row tagged with its source
//! file and period.
//!
//! Not for: cleaning the cells (run [`super::clean_grid`] first) or writing the workbook.

use serde::Serialize;

use super::values::bounded_distance;
use super::{CleanValue, CleanedTable};

/// One input of a consolidation.
pub struct Source<'a> {
    /// The file name as the user knows it.
    pub name: &'a str,
    /// Its cleaned table.
    pub table: &'a CleanedTable,
}

/// The consolidated table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Consolidated {
    /// Header: "Source", "Période"/"Period", then the union of the columns, in first-seen order.
    pub header: Vec<String>,
    /// Rows of every source, in source order.
    pub rows: Vec<Vec<CleanValue>>,
    /// For each source, which consolidated column each of its columns went to.
    pub mapping: Vec<Vec<usize>>,
}

/// The form of a header used to match it: accents, case, spaces and punctuation ignored.
pub fn header_key(h: &str) -> String {
    crate::text::fold_lower(h)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn matching_column(header: &str, known: &[String]) -> Option<usize> {
    let key = header_key(header);
    if let Some(i) = known.iter().position(|k| *k == key) {
        return Some(i);
    }
    // One typo or a plural in a longer name ("Montant HT" / "Montants HT").
    if key.chars().count() >= 5 {
        let mut best = None;
        for (i, k) in known.iter().enumerate() {
            if let Some(d) = bounded_distance(&key, k, 1) {
                if best.is_some() {
                    return None;
                }
                best = Some((i, d));
            }
        }
        return best.map(|(i, _)| i);
    }
    None
}

const MONTHS: [(&str, u32); 24] = [
    ("janvier", 1),
    ("january", 1),
    ("fevrier", 2),
    ("february", 2),
    ("mars", 3),
    ("march", 3),
    ("avril", 4),
    ("april", 4),
    ("mai", 5),
    ("may", 5),
    ("juin", 6),
    ("june", 6),
    ("juillet", 7),
    ("july", 7),
    ("aout", 8),
    ("august", 8),
    ("septembre", 9),
    ("september", 9),
    ("octobre", 10),
    ("october", 10),
    ("novembre", 11),
    ("november", 11),
    ("decembre", 12),
    ("december", 12),
];

/// The period a file name speaks of, as "YYYY-MM" or "YYYY": "ventes_2024-03.csv",
/// "export 03-2024.xlsx", "CA mars 2024.xlsx", "bilan_2023.ods".
pub fn period_from_name(name: &str) -> Option<String> {
    let folded = crate::text::fold_lower(name);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let year_at = words.iter().position(|w| {
        w.len() == 4
            && w.chars().all(|c| c.is_ascii_digit())
            && (w.starts_with("19") || w.starts_with("20"))
    })?;
    let year = words[year_at];
    let month_of = |w: &str| -> Option<u32> {
        if let Some((_, m)) = MONTHS.iter().find(|(k, _)| *k == w) {
            return Some(*m);
        }
        if (1..=2).contains(&w.len()) && w.chars().all(|c| c.is_ascii_digit()) {
            return w.parse().ok().filter(|m| (1..=12).contains(m));
        }
        None
    };
    let month = words
        .get(year_at + 1)
        .and_then(|w| month_of(w))
        .or_else(|| year_at.checked_sub(1).and_then(|i| month_of(words[i])));
    Some(match month {
        Some(m) => format!("{year}-{m:02}"),
        None => year.to_string(),
    })
}

/// Aligns the sources' columns by name and stacks their rows, with the source file and its
/// period (from the file name) in front. `labels` are the two first headers
/// (["Source", "Période"] or ["Source", "Period"]).
pub fn consolidate(sources: &[Source<'_>], labels: [&str; 2]) -> Consolidated {
    let mut header: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut mapping = Vec::with_capacity(sources.len());
    for s in sources {
        let mut map = Vec::with_capacity(s.table.header.len());
        for h in &s.table.header {
            let i = match matching_column(h, &keys) {
                Some(i) if !map.contains(&i) => i,
                _ => {
                    header.push(h.clone());
                    keys.push(header_key(h));
                    header.len() - 1
                }
            };
            map.push(i);
        }
        mapping.push(map);
    }
    let mut rows = Vec::new();
    for (s, map) in sources.iter().zip(&mapping) {
        let period = period_from_name(s.name).map_or(CleanValue::Empty, CleanValue::Text);
        for r in &s.table.rows {
            let mut row = vec![CleanValue::Empty; header.len() + 2];
            row[0] = CleanValue::Text(s.name.to_string());
            row[1] = period.clone();
            for (v, &i) in r.iter().zip(map) {
                row[i + 2] = v.clone();
            }
            rows.push(row);
        }
    }
    let mut full = vec![labels[0].to_string(), labels[1].to_string()];
    full.extend(header);
    Consolidated {
        header: full,
        rows,
        mapping,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{CleanOptions, clean_grid};

    fn table(rows: &[&[&str]]) -> CleanedTable {
        let grid: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        clean_grid(&grid, &CleanOptions::default())
    }

    #[test]
    fn columns_align_by_name_whatever_their_order_or_spelling() {
        let jan = table(&[
            &["Date", "Client", "Montant HT"],
            &["05/01/2024", "Dupont", "100,00"],
        ]);
        let feb = table(&[
            &["Montants HT", "client ", "Date", "Catégorie"],
            &["200,50", "Martin", "03/02/2024", "Conseil"],
        ]);
        let c = consolidate(
            &[
                Source {
                    name: "ventes_2024-01.csv",
                    table: &jan,
                },
                Source {
                    name: "ventes février 2024.xlsx",
                    table: &feb,
                },
            ],
            ["Source", "Période"],
        );
        assert_eq!(
            c.header,
            [
                "Source",
                "Période",
                "Date",
                "Client",
                "Montant HT",
                "Catégorie"
            ]
        );
        assert_eq!(c.rows.len(), 2);
        assert_eq!(
            c.rows[1][0],
            CleanValue::Text("ventes février 2024.xlsx".into())
        );
        assert_eq!(c.rows[1][1], CleanValue::Text("2024-02".into()));
        assert_eq!(c.rows[1][2], CleanValue::Date("2024-02-03".into()));
        assert_eq!(c.rows[1][3], CleanValue::Text("Martin".into()));
        assert_eq!(c.rows[1][4], CleanValue::Number(200.5));
        assert_eq!(c.rows[0][5], CleanValue::Empty);
    }

    #[test]
    fn periods_from_file_names() {
        assert_eq!(
            period_from_name("ventes_2024-03.csv").as_deref(),
            Some("2024-03")
        );
        assert_eq!(
            period_from_name("export 03-2024.xlsx").as_deref(),
            Some("2024-03")
        );
        assert_eq!(
            period_from_name("CA mars 2024.xlsx").as_deref(),
            Some("2024-03")
        );
        assert_eq!(period_from_name("bilan_2023.ods").as_deref(), Some("2023"));
        assert_eq!(period_from_name("clients.csv"), None);
    }
}
