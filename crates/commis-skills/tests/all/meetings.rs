//! Action items and summaries on real meeting transcripts (QMSum) and on the demo's French
//! meetings, against their reference answers. Prints the figures reported in docs/QUALITY.md.

use std::collections::HashSet;

use commis_skills::{ItemKind, Priority, action_items, extractive_summary};
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const QMSUM: &[&str] = &[
    "Bed003", "Bmr014", "ES2004a", "ES2004b", "IS1003a", "TS3004a", "covid_4",
];

fn read(p: &str) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {p}: {e}"))
}

/// Content words cut to their first four letters, so "relances"/"relancer" and "pose"/"poser" match.
fn words(s: &str) -> HashSet<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 3)
        .map(|w| w.chars().take(4).collect())
        .collect()
}

/// Meetings tuned on (looked at while writing the extractor) and held out (never looked at:
/// neither their transcripts nor their references were read while tuning).
const TUNED: &[&str] = &["Bed003", "ES2004a", "IS1003a", "TS3004a", "covid_4"];
const HELD_OUT: &[&str] = &["Bmr014", "ES2004b"];

/// Words in a human-written answer sentence that make it report a decision or an action.
const REF_DECISION_CUES: &[&str] = &[
    "decid",
    "decision",
    "agree",
    "settled",
    "conclu",
    "came up with",
    "would be",
    "was to be",
];
const REF_ACTION_CUES: &[&str] = &[
    "would",
    "will ",
    "should",
    "had to",
    "has to",
    "have to",
    "next step",
    "next stage",
    "plan",
    "propos",
    "suggest",
    "going to",
    "in charge",
    "responsib",
];

/// One reference item: a sentence of a human-written answer that reports a decision or an
/// action, with the turn spans its query points to (none for the whole-meeting summary).
struct RefItem {
    text: String,
    spans: Vec<(usize, usize)>,
}

fn reference_items(reference: &Value) -> Vec<RefItem> {
    let mut out = Vec::new();
    let queries = reference["general_queries"]
        .as_array()
        .unwrap()
        .iter()
        .chain(reference["specific_queries"].as_array().unwrap());
    for q in queries {
        let spans: Vec<(usize, usize)> = q
            .get("relevant_text_span")
            .and_then(Value::as_array)
            .map(|v| {
                v.iter()
                    .map(|s| {
                        (
                            s[0].as_str().unwrap().parse().unwrap(),
                            s[1].as_str().unwrap().parse().unwrap(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        for sentence in q["answer"].as_str().unwrap().split(". ") {
            let l = sentence.to_lowercase();
            if REF_DECISION_CUES
                .iter()
                .chain(REF_ACTION_CUES)
                .any(|c| l.contains(c))
            {
                out.push(RefItem {
                    text: sentence.to_string(),
                    spans: spans.clone(),
                });
            }
        }
    }
    out
}

/// Whether an extracted item says what a reference item reports: at least two shared
/// distinctive words (words on more than 10% of the transcript's lines do not count) and a
/// line inside the reference's turn spans (3 turns of slack), or, for the whole-meeting
/// summary, which has no spans, at least three shared distinctive words.
fn item_matches(evidence: &str, line: usize, r: &RefItem, common: &HashSet<String>) -> bool {
    let got: HashSet<String> = words(evidence).difference(common).cloned().collect();
    let want: HashSet<String> = words(&r.text).difference(common).cloned().collect();
    let shared = got.intersection(&want).count();
    if r.spans.is_empty() {
        shared >= 3
    } else {
        // Spans count turns from 0; line N+1 of the transcript is turn N.
        shared >= 2 && r.spans.iter().any(|&(a, b)| line + 3 > a && line <= b + 4)
    }
}

/// Precision and recall of action items and decisions on some QMSum meetings.
struct PrScores {
    actions: (usize, usize),
    decisions: (usize, usize),
    refs: (usize, usize),
}

fn qmsum_scores(meetings: &[&str], verbose: bool) -> PrScores {
    let mut sc = PrScores {
        actions: (0, 0),
        decisions: (0, 0),
        refs: (0, 0),
    };
    for m in meetings {
        let text = read(&format!(
            "{ROOT}/tests/fixtures/meetings/qmsum/derived/{m}.transcript.txt"
        ));
        let reference: Value = serde_json::from_str(&read(&format!(
            "{ROOT}/tests/fixtures/meetings/qmsum/derived/{m}.reference.json"
        )))
        .unwrap();
        let refs = reference_items(&reference);
        let n_lines = text.lines().count().max(1);
        let mut df: std::collections::HashMap<String, usize> = Default::default();
        for l in text.lines() {
            for w in words(l) {
                *df.entry(w).or_default() += 1;
            }
        }
        let common: HashSet<String> = df
            .into_iter()
            .filter(|(_, n)| *n * 10 > n_lines)
            .map(|(w, _)| w)
            .collect();
        let items = action_items(&text);
        let mut ref_hit = vec![false; refs.len()];
        for a in &items {
            let mut hit = false;
            for (k, r) in refs.iter().enumerate() {
                if item_matches(&a.evidence, a.line, r, &common) {
                    hit = true;
                    ref_hit[k] = true;
                }
            }
            let slot = match a.kind {
                ItemKind::Decision => &mut sc.decisions,
                _ => &mut sc.actions,
            };
            slot.1 += 1;
            if hit {
                slot.0 += 1;
            }
            if verbose {
                println!(
                    "  {m} {} {:?} line {}: {}",
                    if hit { "OK " } else { "-- " },
                    a.kind,
                    a.line,
                    a.evidence
                );
            }
        }
        sc.refs.0 += ref_hit.iter().filter(|h| **h).count();
        sc.refs.1 += refs.len();
        if verbose {
            for (r, h) in refs.iter().zip(&ref_hit) {
                println!(
                    "  {m} ref {}: {}",
                    if *h { "found" } else { "MISSED" },
                    r.text
                );
            }
        }
    }
    sc
}

fn ratio((a, b): (usize, usize)) -> f64 {
    a as f64 / b.max(1) as f64
}

#[test]
fn qmsum_action_items_and_decisions_have_precision_and_recall() {
    let verbose = std::env::var_os("COMMIS_QMSUM_VERBOSE").is_some();
    for (label, set) in [("tuned-on", TUNED), ("held-out", HELD_OUT)] {
        let sc = qmsum_scores(set, verbose);
        let all = (sc.actions.0 + sc.decisions.0, sc.actions.1 + sc.decisions.1);
        println!(
            "QMSum {label} ({} meetings): precision {:.2} ({}/{}) [actions {:.2} ({}/{}), decisions {:.2} ({}/{})], recall of reference decision/action sentences {:.2} ({}/{})",
            set.len(),
            ratio(all),
            all.0,
            all.1,
            ratio(sc.actions),
            sc.actions.0,
            sc.actions.1,
            ratio(sc.decisions),
            sc.decisions.0,
            sc.decisions.1,
            ratio(sc.refs),
            sc.refs.0,
            sc.refs.1
        );
        // The bar is precision >= 0.6 with recall >= 0.5; the extractor is far below it
        // on these meetings (docs/QUALITY.md says why), so this pins today's floor, not the bar.
        if label == "tuned-on" {
            assert!(
                ratio(all) >= 0.08,
                "QMSum precision fell to {:.2}",
                ratio(all)
            );
            assert!(
                ratio(sc.refs) >= 0.04,
                "QMSum recall fell to {:.2}",
                ratio(sc.refs)
            );
        }
    }
}

#[test]
fn qmsum_summary_recalls_more_than_the_opening_turns() {
    let (mut sum_hit, mut sum_total, mut lead_hit, mut lead_total) = (0, 0, 0, 0);
    for m in QMSUM {
        let text = read(&format!(
            "{ROOT}/tests/fixtures/meetings/qmsum/derived/{m}.transcript.txt"
        ));
        let reference: Value = serde_json::from_str(&read(&format!(
            "{ROOT}/tests/fixtures/meetings/qmsum/derived/{m}.reference.json"
        )))
        .unwrap();
        // Summary: share of the reference summary's words found in a 10-sentence extract.
        let got = words(&extractive_summary(&text, 10).join(" "));
        // Baseline: the first ten turns with at least eight words.
        let lead: String = text
            .lines()
            .filter(|l| l.split_whitespace().count() >= 8)
            .take(10)
            .collect::<Vec<_>>()
            .join(" ");
        let lead_words = words(&lead);
        for g in reference["general_queries"].as_array().unwrap() {
            let want = words(g["answer"].as_str().unwrap());
            lead_hit += want.intersection(&lead_words).count();
            lead_total += want.len();
            sum_hit += want.intersection(&got).count();
            sum_total += want.len();
        }
    }
    let sum_recall = sum_hit as f64 / sum_total as f64;
    let lead_recall = lead_hit as f64 / lead_total as f64;
    println!(
        "QMSum: 10-sentence extractive summary recalls {:.1}% of the reference summary words (4-letter stems), first-10-turns baseline {:.1}%",
        100.0 * sum_recall,
        100.0 * lead_recall
    );
    assert!(
        sum_recall > lead_recall,
        "summary no better than the opening turns"
    );
    assert!(
        sum_recall >= 0.2,
        "summary word recall fell to {sum_recall:.2}"
    );
}

fn demo_text(rel: &str) -> Option<String> {
    let p = if rel.ends_with(".docx") {
        format!("{ROOT}/tests/fixtures/derived/demo-pme/{rel}.txt")
    } else {
        format!("{ROOT}/examples/demo-pme/{rel}")
    };
    std::fs::read_to_string(p).ok()
}

/// A maximum one-to-one matching of expected items (left) to extracted items (right), given
/// which pairs may match: each extracted item answers one expected item at most, and no
/// greedy choice steals the only match of another (Kuhn's augmenting paths).
fn max_matching(edges: &[Vec<usize>], n_right: usize) -> Vec<Option<usize>> {
    fn augment(
        l: usize,
        edges: &[Vec<usize>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for &r in &edges[l] {
            if seen[r] {
                continue;
            }
            seen[r] = true;
            if owner[r].is_none_or(|o| augment(o, edges, seen, owner)) {
                owner[r] = Some(l);
                return true;
            }
        }
        false
    }
    let mut owner: Vec<Option<usize>> = vec![None; n_right];
    for l in 0..edges.len() {
        let mut seen = vec![false; n_right];
        augment(l, edges, &mut seen, &mut owner);
    }
    let mut out = vec![None; edges.len()];
    for (r, o) in owner.iter().enumerate() {
        if let Some(l) = o {
            out[*l] = Some(r);
        }
    }
    out
}

/// Whether an extracted owner names someone of the expected owner ("Thomas et Karim" and
/// "Thomas, Karim" are the same people).
fn same_people(expected: &str, got: &str) -> bool {
    let names = |s: &str| -> Vec<String> {
        s.to_lowercase()
            .replace(" et ", ",")
            .replace(" and ", ",")
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    };
    let want = names(expected);
    names(got).iter().any(|n| want.contains(n))
}

#[test]
fn demo_meetings_action_items_match_the_ground_truth() {
    let Ok(exp) = std::fs::read_to_string(format!("{ROOT}/examples/demo-pme.expected.json")) else {
        eprintln!("demo folder absent: skipped");
        return;
    };
    let exp: Value = serde_json::from_str(&exp).unwrap();
    let (mut found, mut total, mut due_ok, mut prio_ok, mut extra) = (0, 0, 0, 0, 0);
    for f in exp["files"].as_array().unwrap() {
        let Some(expected) = f.get("action_items").and_then(Value::as_array) else {
            continue;
        };
        let rel = f["path"].as_str().unwrap();
        let text = demo_text(rel).unwrap_or_else(|| panic!("no text for {rel}"));
        let items: Vec<_> = action_items(&text)
            .into_iter()
            .filter(|a| a.kind == ItemKind::Task)
            .collect();
        // Who may match which: same owner, at least 30% of the expected words.
        let edges: Vec<Vec<usize>> = expected
            .iter()
            .map(|e| {
                let who = e["who"].as_str().unwrap_or("").to_lowercase();
                let want = words(e["what"].as_str().unwrap());
                items
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| {
                        a.who.as_deref().is_some_and(|w| same_people(&who, w))
                            && want
                                .intersection(&words(&format!("{} {}", a.what, a.evidence)))
                                .count() as f64
                                >= 0.3 * want.len().max(1) as f64
                    })
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let matched = max_matching(&edges, items.len());
        let mut used = HashSet::new();
        for (e, m) in expected.iter().zip(&matched) {
            total += 1;
            match m {
                Some(i) => {
                    let i = *i;
                    found += 1;
                    used.insert((rel, i));
                    let a = &items[i];
                    if a.due.as_deref() == e["when"].as_str() {
                        due_ok += 1;
                    } else {
                        println!(
                            "  due differs in {rel}: {:?} ({:?}) vs {} ({}) — {}",
                            a.due, a.when, e["when"], e["when_text"], a.evidence
                        );
                    }
                    let p = match e["priority"].as_str() {
                        Some("high") => Priority::High,
                        Some("low") => Priority::Low,
                        _ => Priority::Medium,
                    };
                    if a.priority == p {
                        prio_ok += 1;
                    } else {
                        println!(
                            "  priority differs in {rel}: {:?} vs {p:?} — {}",
                            a.priority, a.evidence
                        );
                    }
                }
                None => println!("  missed in {rel}: {} — {}", e["who"], e["what"]),
            }
        }
        for (i, a) in items.iter().enumerate() {
            if !used.contains(&(rel, i)) {
                extra += 1;
                println!(
                    "  extra in {rel}: {:?} | {} | {}",
                    a.who, a.what, a.evidence
                );
            }
        }
    }
    println!(
        "demo meetings: {found}/{total} expected action items found (who + what); due date right for {due_ok}/{found}, priority right for {prio_ok}/{found}; {extra} other task items reported"
    );
    let precision = found as f64 / (found + extra).max(1) as f64;
    let recall = found as f64 / total as f64;
    println!(
        "demo meetings: action items precision {precision:.2} ({found}/{}), recall {recall:.2} ({found}/{total})",
        found + extra
    );
    assert!(recall >= 0.85, "recall {found}/{total}");
    assert!(
        precision >= 0.85,
        "precision {found}/{}: the extractor reports tasks nobody planted",
        found + extra
    );
    assert!(
        prio_ok as f64 / found.max(1) as f64 >= 0.75,
        "priorities {prio_ok}/{found}"
    );
    assert!(
        due_ok as f64 / found.max(1) as f64 >= 0.6,
        "due dates {due_ok}/{found}"
    );
}

#[test]
fn demo_meetings_decisions_and_priorities_are_found() {
    let Ok(exp) = std::fs::read_to_string(format!("{ROOT}/examples/demo-pme.expected.json")) else {
        eprintln!("demo folder absent: skipped");
        return;
    };
    let exp: Value = serde_json::from_str(&exp).unwrap();
    let (mut d_found, mut d_total, mut d_reported, mut p_found, mut p_total) = (0, 0, 0, 0, 0);
    for f in exp["files"].as_array().unwrap() {
        let rel = f["path"].as_str().unwrap();
        let Some(text) = demo_text(rel) else { continue };
        if let Some(ds) = f.get("decisions").and_then(Value::as_array) {
            // Only what the extractor reports as decisions counts, one reported decision per
            // expected one.
            let got = commis_skills::decisions(&text);
            let edges: Vec<Vec<usize>> = ds
                .iter()
                .map(|d| {
                    let want = words(d.as_str().unwrap());
                    (0..got.len())
                        .filter(|&g| {
                            want.intersection(&words(&got[g])).count() as f64
                                >= 0.4 * want.len() as f64
                        })
                        .collect()
                })
                .collect();
            let matched = max_matching(&edges, got.len());
            d_total += ds.len();
            d_reported += got.len();
            for (d, m) in ds.iter().zip(&matched) {
                if m.is_some() {
                    d_found += 1;
                } else {
                    println!("  decision missed in {rel}: {d}");
                }
            }
        }
        if let Some(ps) = f.get("priorities").and_then(Value::as_array) {
            let got = commis_skills::priorities(&text);
            for p in ps {
                p_total += 1;
                let want = words(p.as_str().unwrap());
                if got
                    .iter()
                    .any(|g| want.intersection(&words(g)).count() as f64 >= 0.5 * want.len() as f64)
                {
                    p_found += 1;
                } else {
                    println!("  priority missed in {rel}: {p}");
                }
            }
        }
    }
    println!(
        "demo meetings: decisions precision {:.2} ({d_found}/{d_reported}), recall {:.2} ({d_found}/{d_total}); stated priorities found {p_found}/{p_total}",
        d_found as f64 / d_reported.max(1) as f64,
        d_found as f64 / d_total.max(1) as f64
    );
    // Floors at today's figures (4/7 found, 4/6 right): two planted decisions are said
    // without a decision cue and one with a pronoun for its object (docs/QUALITY.md).
    assert!(
        d_found * 100 >= d_total * 55,
        "decisions recall {d_found}/{d_total}"
    );
    assert!(
        d_found * 10 >= d_reported * 6,
        "decisions precision {d_found}/{d_reported}"
    );
    assert!(
        p_found * 10 >= p_total * 8,
        "priorities {p_found}/{p_total}"
    );
}

/// Survey summaries on two real exports (tests/fixtures/surveys, see PROVENANCE.md there):
/// the NPS and score distribution each source publishes, found without being told which
/// column holds them.
mod surveys {
    use commis_skills::survey::{Question, SegmentError, analyse, cross_tab, find_column};

    fn read(rel: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let path = format!(
            "{}/../../tests/fixtures/surveys/{rel}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows: Vec<Vec<String>> = rd
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let header = rows.remove(0);
        (header, rows)
    }

    #[test]
    fn publicodes_nps_and_scores_match_the_published_figures() {
        let (h, rows) = read("publicodes-2024-fr/responses.csv");
        let s = analyse(&h, &rows);
        assert_eq!(s.respondents, 18);
        let nps_questions: Vec<_> = s.questions.iter().filter(|q| q.nps.is_some()).collect();
        assert_eq!(nps_questions.len(), 1, "one recommendation question");
        let q = nps_questions[0];
        assert!(q.header.starts_with("Globalement, recommanderiez-vous"));
        let n = q.nps.unwrap();
        assert_eq!((n.promoters, n.passives, n.detractors), (9, 5, 4));
        assert_eq!((n.score * 10.0).round() / 10.0, 27.8);
        assert_eq!((q.mean.unwrap() * 100.0).round() / 100.0, 8.17);
        let count = |k: &str| q.counts.iter().find(|(a, _)| a == k).map(|(_, c)| *c);
        assert_eq!(
            [
                count("5"),
                count("6"),
                count("7"),
                count("8"),
                count("9"),
                count("10")
            ],
            [Some(1), Some(3), Some(2), Some(3), Some(4), Some(5)]
        );
        // « Avez-vous déjà utilisé Publicodes en production ? »: 89 % say yes (16 of 18).
        let prod = s
            .questions
            .iter()
            .find(|q| q.header.starts_with("Avez-vous déjà utilisé"))
            .unwrap();
        assert_eq!(prod.question, Question::YesNo);
        assert_eq!(prod.counts[0], ("yes".into(), 16));
        // Submission ids and dates are not questions.
        assert_eq!(s.questions[0].question, Question::Skipped);
        assert_eq!(s.questions[1].question, Question::Skipped);
    }

    #[test]
    fn sudzilla_nps_matches_the_benchmark_and_comments_give_themes_with_quotes() {
        let (h, rows) = read("sudzilla-conference-en/responses.csv");
        let s = analyse(&h, &rows);
        assert_eq!(s.respondents, 39);
        let q = s.questions.iter().find(|q| q.nps.is_some()).unwrap();
        let n = q.nps.unwrap();
        assert_eq!((n.promoters, n.detractors), (8, 22));
        assert_eq!((n.score * 10.0).round() / 10.0, -35.9);
        // The keynote ratings are scores, not NPS.
        let keynotes: Vec<_> = s
            .questions
            .iter()
            .filter(|q| q.header.contains("keynote"))
            .collect();
        assert_eq!(keynotes.len(), 2);
        assert!(
            keynotes
                .iter()
                .all(|q| matches!(q.question, Question::Score { nps: false, .. }))
        );
        let why = s.questions.iter().find(|q| q.header == "...why?").unwrap();
        assert_eq!(why.question, Question::Comment);
        assert!(!why.themes.is_empty());
        for t in &why.themes {
            assert!(t.count >= 2);
            for quote in &t.quotes {
                assert!(
                    rows.iter().any(|r| r.iter().any(|c| c.trim() == quote)),
                    "a quote is a comment as written: {quote}"
                );
            }
        }
    }

    #[test]
    fn publicodes_splits_by_developers_with_the_groups_own_nps_and_choices() {
        let (h, rows) = read("publicodes-2024-fr/responses.csv");
        let s = analyse(&h, &rows);
        let x = cross_tab(&s, &h, &rows, "développeur").unwrap();
        assert!(x.segment.starts_with("Êtes-vous un développeur"));
        assert!(x.yes_no);
        // Independent count: the rows answering Oui/Non to the developer question.
        let col = h
            .iter()
            .position(|c| c.starts_with("Êtes-vous un développeur"))
            .unwrap();
        let nps_col = h.iter().position(|c| c.starts_with("Globalement")).unwrap();
        for (g, v) in x.values.iter().enumerate() {
            let want = if v == "yes" { "Oui" } else { "Non" };
            let group: Vec<i64> = rows
                .iter()
                .filter(|r| r[col].trim() == want)
                .filter_map(|r| r[nps_col].trim().parse().ok())
                .collect();
            assert_eq!(
                x.sizes[g],
                rows.iter().filter(|r| r[col].trim() == want).count()
            );
            let q = x.questions.iter().find(|q| q.column == nps_col).unwrap();
            assert_eq!(q.answered[g], group.len());
            let mean = group.iter().sum::<i64>() as f64 / group.len() as f64;
            assert!((q.means[g].unwrap() - mean).abs() < 1e-9);
            let net = group.iter().filter(|&&n| n >= 9).count() as f64
                - group.iter().filter(|&&n| n <= 6).count() as f64;
            assert!((q.nps[g].unwrap() - net * 100.0 / group.len() as f64).abs() < 1e-9);
        }
        assert_eq!(x.sizes.iter().sum::<usize>(), 18);
        // A choice question: each group's counts add up to the group's answers.
        let prod = x
            .questions
            .iter()
            .find(|q| q.header.starts_with("Avez-vous déjà utilisé"))
            .unwrap();
        for g in 0..x.values.len() {
            let sum: usize = prod.counts.iter().map(|(_, per)| per[g]).sum();
            assert_eq!(sum, prod.answered[g]);
        }
        // The segment is not crossed with itself; comments and ids are not crossed.
        assert!(x.questions.iter().all(|q| q.column != col));
    }

    #[test]
    fn an_unknown_or_free_text_segment_is_an_error_naming_the_columns() {
        let (h, rows) = read("sudzilla-conference-en/responses.csv");
        let s = analyse(&h, &rows);
        match cross_tab(&s, &h, &rows, "department") {
            Err(SegmentError::NoSuchColumn { asked, columns }) => {
                assert_eq!(asked, "department");
                assert!(columns.iter().any(|c| c == "...why?"), "{columns:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            cross_tab(&s, &h, &rows, "why"),
            Err(SegmentError::NotASegment { .. })
        ));
        // A word of the header finds the column; the breakfast rating splits the answers.
        assert_eq!(find_column(&h, "BREAKFAST"), Some(6));
        let x = cross_tab(&s, &h, &rows, "breakfast").unwrap();
        assert_eq!(
            x.sizes.iter().sum::<usize>(),
            39 - rows.iter().filter(|r| r[6].trim().is_empty()).count()
        );
    }
}
