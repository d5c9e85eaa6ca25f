//! Cell-level precision and recall of the cleaner on the dirty/clean benchmark pairs in
//! `tests/fixtures/cleaning/` (Raha/Baran "hospital" and "flights").
//!
//! Rows 1–500 of each pair are the tuning part; rows 501–1000 are held out: they were not
//! inspected while the rules were tuned. Run with
//! `cargo test -p commis-skills --lib tables::quality -- --nocapture` to print the figures.

use super::{CleanOptions, clean_grid};
use crate::classify::Lang;

fn fixture(name: &str) -> Vec<Vec<String>> {
    let path = format!(
        "{}/../../tests/fixtures/cleaning/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    reader
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(str::to_string).collect())
                .unwrap_or_default()
        })
        .collect()
}

/// Formatting-insensitive form: spaces collapsed, lower case.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[derive(Default, Debug)]
pub(crate) struct Score {
    /// Cells whose text the cleaner changed only in formatting.
    formatting: usize,
    /// Cells the cleaner changed in substance.
    changed: usize,
    /// Of those, changed to the clean value.
    right: usize,
    /// Cells that differ from the clean version in substance.
    errors: usize,
    /// Cells that were clean and are not any more.
    damaged: usize,
    cells: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        if self.changed == 0 {
            1.0
        } else {
            self.right as f64 / self.changed as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.errors == 0 {
            1.0
        } else {
            self.right as f64 / self.errors as f64
        }
    }
}

fn evaluate(name: &str, rows: std::ops::RangeInclusive<usize>) -> Score {
    let dirty = fixture(&format!("{name}/dirty.csv"));
    let clean = fixture(&format!("{name}/clean.csv"));
    let opts = CleanOptions {
        lang: Lang::En,
        drop_duplicates: false,
        ..Default::default()
    };
    let out = clean_grid(&dirty, &opts);
    assert_eq!(
        out.rows.len(),
        dirty.len() - 1,
        "{name}: rows are kept in place"
    );
    let mut s = Score::default();
    for (i, row) in out.rows.iter().enumerate() {
        let src = out.source_rows[i] - 1;
        if !rows.contains(&src) {
            continue;
        }
        for (j, cell) in row.iter().enumerate() {
            let before = &dirty[src][j];
            let truth = &clean[src][j];
            let after = cell.display();
            s.cells += 1;
            let was_error = norm(before) != norm(truth);
            s.errors += usize::from(was_error);
            if after == *before {
                continue;
            }
            if norm(&after) == norm(before) {
                s.formatting += 1;
                continue;
            }
            s.changed += 1;
            if norm(&after) == norm(truth) {
                s.right += 1;
            } else {
                if !was_error {
                    s.damaged += 1;
                }
                if std::env::var_os("TABLES_DEBUG").is_some() && *rows.start() == 1 {
                    let rule = out
                        .corrections
                        .iter()
                        .rev()
                        .find(|c| c.row == src + 1 && c.column == out.header[j])
                        .map(|c| format!("{:?} {:?}", c.rule, c.key_column));
                    eprintln!(
                        "WRONG {name} r{src} {}: {before:?} -> {after:?} truth {truth:?} {rule:?}",
                        out.header[j]
                    );
                }
            }
        }
    }
    s
}

#[test]
fn cleaning_precision_and_recall_on_the_benchmark_pairs() {
    let mut total_tuned = Score::default();
    let mut total_held = Score::default();
    for name in ["hospital", "flights"] {
        for (part, range, total) in [
            ("tuned-on", 1..=500, &mut total_tuned),
            ("held-out", 501..=1000, &mut total_held),
        ] {
            let s = evaluate(name, range);
            println!(
                "{name:9} {part}: precision {:.3} recall {:.3} ({} right of {} changed, {} errors, {} clean cells damaged, {} formatting-only changes, {} cells)",
                s.precision(),
                s.recall(),
                s.right,
                s.changed,
                s.errors,
                s.damaged,
                s.formatting,
                s.cells
            );
            total.formatting += s.formatting;
            total.changed += s.changed;
            total.right += s.right;
            total.errors += s.errors;
            total.damaged += s.damaged;
            total.cells += s.cells;
        }
    }
    for (part, s) in [("tuned-on", &total_tuned), ("held-out", &total_held)] {
        println!(
            "all       {part}: precision {:.3} recall {:.3} ({} right of {} changed, {} errors, {} damaged)",
            s.precision(),
            s.recall(),
            s.right,
            s.changed,
            s.errors,
            s.damaged
        );
    }
    assert!(total_tuned.precision() >= 0.9, "{total_tuned:?}");
    assert!(total_held.precision() >= 0.9, "{total_held:?}");
    assert!(total_tuned.right > 0 && total_held.right > 0);
}
