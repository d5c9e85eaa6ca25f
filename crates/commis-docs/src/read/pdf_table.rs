//! Tables in a PDF page's text layout, found where the layout allows it.
//!
//! A PDF has no tables, only text placed on a page. A run of consecutive lines is
//! read as a table when its column segments (text separated by a column-wide gap)
//! line up: the horizontal extents of the segments of all the rows fall into
//! distinct column bands (overlap rather than equal left edges, so right-aligned
//! amounts and centred headers stay in their column), each row has at most one
//! segment per band, and at least two rows fill three columns or more. Short lines
//! between full rows (wrapped cells, sub-headings) belong to the table only when
//! they sit inside the full rows' columns; a wide vertical gap, prose or a line whose
//! parts cannot be placed ends it. Anything less regular stays as lines: a wrong
//! table misleads more than a missing one.

/// One column segment of a line: its text and where it sits horizontally.
#[derive(Debug, Clone)]
pub(super) struct Segment {
    pub x0: f32,
    pub x1: f32,
    pub text: String,
}

/// One line of a page: its text as read, its baseline and font size, and its column
/// segments when they rebuild the text exactly (`None` otherwise).
#[derive(Debug, Clone)]
pub(super) struct PageLine {
    pub text: String,
    pub y: f32,
    pub size: f32,
    pub cells: Option<Vec<Segment>>,
}

/// A page's content in reading order: plain lines and tables (rows of cell texts).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Piece {
    Line(String),
    Table(Vec<Vec<String>>),
}

/// Fewest columns a table must have; two columns are label/value pairs, not a table.
const MIN_COLUMNS: usize = 3;
/// Fewest rows filling at least `MIN_COLUMNS` cells.
const MIN_FULL_ROWS: usize = 2;
/// Rows further apart than this many font sizes belong to different blocks.
const MAX_ROW_GAP: f32 = 3.0;
/// Most short lines (wrapped cells, sub-headings) a table may hold per full row.
const MAX_SHORT_PER_FULL: usize = 4;
/// How much wider than the widest gap so far the gap to the next row may be.
const MAX_GAP_GROWTH: f32 = 1.6;
/// Bounds the work on pathological pages (the band computation is quadratic).
const MAX_TABLE_ROWS: usize = 400;
/// Segments a page may examine while looking for tables; past it, the rest of the
/// page stays lines (a hostile page of aligned lines would otherwise cost minutes).
const PAGE_BUDGET: usize = 400_000;

/// Splits a page's lines into plain lines and tables, keeping their order.
pub(super) fn find_tables(lines: Vec<PageLine>) -> Vec<Piece> {
    let mut out = Vec::with_capacity(lines.len());
    let mut budget = PAGE_BUDGET;
    let mut i = 0;
    while i < lines.len() {
        if let Some((rows, used)) = table_at(&lines[i..], &mut budget) {
            out.push(Piece::Table(rows));
            i += used;
        } else {
            out.push(Piece::Line(lines[i].text.clone()));
            i += 1;
        }
    }
    out
}

/// The table starting at `lines[0]`, with how many lines it uses, if there is one.
fn table_at(lines: &[PageLine], budget: &mut usize) -> Option<(Vec<Vec<String>>, usize)> {
    let first = lines.first()?.cells.as_ref()?;
    if first.len() < MIN_COLUMNS {
        return None;
    }
    let mut rows: Vec<&[Segment]> = vec![first];
    let mut widest_gap = 0.0f32;
    for pair in lines.windows(2) {
        if rows.len() >= MAX_TABLE_ROWS {
            break;
        }
        let (above, line) = (&pair[0], &pair[1]);
        let Some(cells) = line.cells.as_deref() else {
            break;
        };
        let size = above.size.max(line.size).max(1.0);
        if cells.is_empty() || !(above.y - line.y).is_finite() {
            break;
        }
        let gap = (above.y - line.y).abs();
        if gap > MAX_ROW_GAP * size {
            break;
        }
        // A gap clearly wider than any between the rows so far starts another block
        // (a footer set just under the last item).
        if rows.len() >= 2 && gap > MAX_GAP_GROWTH * widest_gap {
            break;
        }
        widest_gap = widest_gap.max(gap);
        if cells.len() < MIN_COLUMNS && !continues_columns(&rows, cells, size) {
            break;
        }
        rows.push(cells);
        let cost: usize = rows.iter().map(|r| r.len()).sum();
        *budget = budget.checked_sub(cost)?;
        if column_bands(&rows).is_none_or(|b| b.len() < MIN_COLUMNS) {
            rows.pop();
            break;
        }
    }
    // A table ends on a full row: trailing short lines are text under the table.
    while rows.last().is_some_and(|r| r.len() < MIN_COLUMNS) {
        rows.pop();
    }
    let full = rows.iter().filter(|r| r.len() >= MIN_COLUMNS).count();
    // Wrapped cells are welcome, but a few full rows among many short lines are more
    // likely text that happens to line up.
    if full < MIN_FULL_ROWS || rows.len() - full > MAX_SHORT_PER_FULL * full {
        return None;
    }
    let bands = column_bands(&rows)?;
    if bands.len() < MIN_COLUMNS {
        return None;
    }
    let table = rows
        .iter()
        .map(|row| {
            let mut cells = vec![String::new(); bands.len()];
            for seg in row.iter() {
                if let Some(b) = band_of(&bands, seg) {
                    cells[b] = seg.text.clone();
                }
            }
            cells
        })
        .collect();
    Some((table, rows.len()))
}

/// Whether a short line (a wrapped cell, a sub-heading) sits inside the columns the
/// full rows so far define: each part starts within one of them and stops before the
/// next. Prose beside or under a table does not, and ends it.
fn continues_columns(rows: &[&[Segment]], cells: &[Segment], size: f32) -> bool {
    let full: Vec<&[Segment]> = rows
        .iter()
        .copied()
        .filter(|r| r.len() >= MIN_COLUMNS)
        .collect();
    let Some(bands) = column_bands(&full) else {
        return false;
    };
    let slack = 0.5 * size;
    cells.iter().all(|seg| {
        bands.iter().enumerate().any(|(i, (x0, x1))| {
            let next = bands.get(i + 1).map_or(f32::INFINITY, |b| b.0);
            seg.x0 >= x0 - slack && seg.x0 <= *x1 && seg.x1 < next
        })
    })
}

/// The column bands of a set of rows: the horizontal extents of all their segments,
/// merged where they overlap. `None` when a row puts two segments in one band, i.e.
/// the rows do not share one column structure.
fn column_bands(rows: &[&[Segment]]) -> Option<Vec<(f32, f32)>> {
    let mut spans: Vec<(f32, f32)> = rows
        .iter()
        .flat_map(|r| r.iter().map(|s| (s.x0, s.x1)))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut bands: Vec<(f32, f32)> = Vec::new();
    for (x0, x1) in spans {
        match bands.last_mut() {
            Some(last) if x0 <= last.1 => last.1 = last.1.max(x1),
            _ => bands.push((x0, x1)),
        }
    }
    for row in rows {
        let mut used = vec![false; bands.len()];
        for seg in row.iter() {
            let b = band_of(&bands, seg)?;
            if used[b] {
                return None;
            }
            used[b] = true;
        }
    }
    Some(bands)
}

fn band_of(bands: &[(f32, f32)], seg: &Segment) -> Option<usize> {
    bands
        .iter()
        .position(|(x0, x1)| seg.x0 >= *x0 && seg.x0 <= *x1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of segments given as (left, right, text), at baseline `y`.
    fn line(y: f32, segs: &[(f32, f32, &str)]) -> PageLine {
        let cells: Vec<Segment> = segs
            .iter()
            .map(|(x0, x1, t)| Segment {
                x0: *x0,
                x1: *x1,
                text: (*t).to_string(),
            })
            .collect();
        PageLine {
            text: cells
                .iter()
                .map(|c| c.text.as_str())
                .collect::<Vec<_>>()
                .join("  "),
            y,
            size: 10.0,
            cells: Some(cells),
        }
    }

    #[test]
    fn aligned_rows_become_one_table_with_right_aligned_amounts_in_their_column() {
        let lines = vec![
            line(700.0, &[(50.0, 200.0, "Intro text")]),
            line(
                680.0,
                &[
                    (50.0, 110.0, "Désignation"),
                    (300.0, 320.0, "Qté"),
                    (450.0, 500.0, "Montant"),
                ],
            ),
            line(
                666.0,
                &[
                    (50.0, 180.0, "Pose parquet"),
                    (305.0, 312.0, "3"),
                    (460.0, 500.0, "1 200,00 €"),
                ],
            ),
            line(
                652.0,
                &[
                    (50.0, 150.0, "Plinthes"),
                    (305.0, 315.0, "12"),
                    (470.0, 500.0, "96,00 €"),
                ],
            ),
            line(620.0, &[(350.0, 500.0, "Total HT : 1 296,00 €")]),
        ];
        let pieces = find_tables(lines);
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[0], Piece::Line("Intro text".into()));
        let Piece::Table(rows) = &pieces[1] else {
            panic!("expected a table, got {pieces:?}");
        };
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], vec!["Pose parquet", "3", "1 200,00 €"]);
        assert_eq!(pieces[2], Piece::Line("Total HT : 1 296,00 €".into()));
    }

    #[test]
    fn a_wrapped_cell_line_stays_inside_the_table_in_its_column() {
        let lines = vec![
            line(
                680.0,
                &[
                    (50.0, 110.0, "Item"),
                    (300.0, 320.0, "Qty"),
                    (450.0, 500.0, "Amount"),
                ],
            ),
            line(
                666.0,
                &[
                    (50.0, 180.0, "Chair"),
                    (305.0, 312.0, "1"),
                    (460.0, 500.0, "70.00"),
                ],
            ),
            line(654.0, &[(50.0, 160.0, "oak, waxed")]),
            line(
                640.0,
                &[
                    (50.0, 150.0, "Table"),
                    (305.0, 315.0, "2"),
                    (470.0, 500.0, "90.00"),
                ],
            ),
        ];
        let pieces = find_tables(lines);
        let [Piece::Table(rows)] = pieces.as_slice() else {
            panic!("expected one table, got {pieces:?}");
        };
        assert_eq!(rows[2], vec!["oak, waxed", "", ""]);
    }

    #[test]
    fn rows_whose_columns_do_not_line_up_are_not_a_table() {
        // Two three-part lines whose parts overlap across columns.
        let lines = vec![
            line(
                680.0,
                &[(50.0, 110.0, "a"), (200.0, 260.0, "b"), (400.0, 450.0, "c")],
            ),
            line(
                666.0,
                &[
                    (50.0, 240.0, "a long first part"),
                    (250.0, 300.0, "x"),
                    (420.0, 460.0, "y"),
                ],
            ),
        ];
        let pieces = find_tables(lines);
        assert!(
            pieces.iter().all(|p| matches!(p, Piece::Line(_))),
            "{pieces:?}"
        );
    }

    #[test]
    fn a_single_full_row_or_two_columns_are_not_a_table() {
        let one_row = vec![
            line(
                680.0,
                &[(50.0, 110.0, "a"), (200.0, 260.0, "b"), (400.0, 450.0, "c")],
            ),
            line(666.0, &[(50.0, 300.0, "just a sentence under it")]),
        ];
        assert!(
            find_tables(one_row)
                .iter()
                .all(|p| matches!(p, Piece::Line(_)))
        );
        let two_cols = vec![
            line(680.0, &[(50.0, 110.0, "Name:"), (200.0, 260.0, "Lemoine")]),
            line(666.0, &[(50.0, 110.0, "Town:"), (200.0, 260.0, "Lyon")]),
        ];
        assert!(
            find_tables(two_cols)
                .iter()
                .all(|p| matches!(p, Piece::Line(_)))
        );
    }

    #[test]
    fn prose_under_a_totals_box_is_not_pulled_into_it() {
        let lines = vec![
            line(
                680.0,
                &[
                    (300.0, 340.0, "TOTAL HT"),
                    (380.0, 420.0, "TVA"),
                    (460.0, 500.0, "TTC"),
                ],
            ),
            line(
                666.0,
                &[(
                    40.0,
                    290.0,
                    "Pénalités de retard : trois fois le taux légal.",
                )],
            ),
            line(
                652.0,
                &[
                    (300.0, 340.0, "100,00"),
                    (380.0, 420.0, "10,00"),
                    (460.0, 500.0, "110,00"),
                ],
            ),
        ];
        let pieces = find_tables(lines);
        assert!(
            pieces.iter().all(|p| matches!(p, Piece::Line(_))),
            "{pieces:?}"
        );
    }

    #[test]
    fn a_footer_set_apart_under_the_items_is_another_block() {
        let lines = vec![
            line(
                300.0,
                &[
                    (50.0, 110.0, "1"),
                    (200.0, 260.0, "Chair"),
                    (400.0, 450.0, "70,00"),
                ],
            ),
            line(
                286.0,
                &[
                    (50.0, 110.0, "2"),
                    (200.0, 260.0, "Table"),
                    (400.0, 450.0, "90,00"),
                ],
            ),
            line(
                272.0,
                &[
                    (50.0, 110.0, "3"),
                    (200.0, 260.0, "Lamp"),
                    (400.0, 450.0, "20,00"),
                ],
            ),
            line(
                246.0,
                &[
                    (50.0, 110.0, "ACME SA"),
                    (200.0, 260.0, "RCS Lyon"),
                    (400.0, 450.0, "IBAN"),
                ],
            ),
            line(
                238.0,
                &[
                    (50.0, 110.0, "Lyon"),
                    (200.0, 260.0, "SIRET"),
                    (400.0, 450.0, "BIC"),
                ],
            ),
        ];
        let pieces = find_tables(lines);
        let Piece::Table(rows) = &pieces[0] else {
            panic!("expected a table, got {pieces:?}");
        };
        assert_eq!(rows.len(), 3, "{rows:?}");
    }

    #[test]
    fn rows_far_apart_vertically_are_separate_blocks() {
        let lines = vec![
            line(
                680.0,
                &[(50.0, 110.0, "a"), (200.0, 260.0, "b"), (400.0, 450.0, "c")],
            ),
            line(
                500.0,
                &[(50.0, 110.0, "d"), (200.0, 260.0, "e"), (400.0, 450.0, "f")],
            ),
        ];
        assert!(
            find_tables(lines)
                .iter()
                .all(|p| matches!(p, Piece::Line(_)))
        );
    }

    #[test]
    fn a_page_of_thousands_of_aligned_lines_is_read_quickly() {
        let lines: Vec<PageLine> = (0..20_000)
            .map(|i| {
                let y = 800.0 - (i % 60) as f32 * 12.0;
                if i % 2 == 0 {
                    line(
                        y,
                        &[(50.0, 110.0, "a"), (200.0, 260.0, "b"), (400.0, 450.0, "c")],
                    )
                } else {
                    line(y, &[(50.0, 60.0, "d")])
                }
            })
            .collect();
        let started = std::time::Instant::now();
        let pieces = find_tables(lines);
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        assert!(!pieces.is_empty());
    }

    #[test]
    fn a_line_without_trusted_segments_ends_the_table() {
        let mut odd = line(
            652.0,
            &[(50.0, 110.0, "g"), (200.0, 260.0, "h"), (400.0, 450.0, "i")],
        );
        odd.cells = None;
        let lines = vec![
            line(
                680.0,
                &[(50.0, 110.0, "a"), (200.0, 260.0, "b"), (400.0, 450.0, "c")],
            ),
            line(
                666.0,
                &[(50.0, 110.0, "d"), (200.0, 260.0, "e"), (400.0, 450.0, "f")],
            ),
            odd,
        ];
        let pieces = find_tables(lines);
        assert!(
            matches!(&pieces[0], Piece::Table(r) if r.len() == 2),
            "{pieces:?}"
        );
        assert_eq!(pieces[1], Piece::Line("g  h  i".into()));
    }
}
