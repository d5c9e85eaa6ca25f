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

/// Reference queries that ask about actions, decisions, conclusions or next steps.
fn is_action_query(q: &str) -> bool {
    let q = q.to_lowercase();
    [
        "decid",
        "decision",
        "conclusion",
        "next step",
        "suggest",
        "propos",
        "going to do",
        " do to ",
        "work division",
        "agree",
        "needed",
    ]
    .iter()
    .any(|k| q.contains(k))
}

/// Content words cut to their first four letters, so "relances"/"relancer" and "pose"/"poser" match.
fn words(s: &str) -> HashSet<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 3)
        .map(|w| w.chars().take(4).collect())
        .collect()
}

#[test]
fn qmsum_action_items_cover_the_reference_decision_spans() {
    let (mut hit, mut total) = (0, 0);
    let (mut items_n, mut turns_n) = (0, 0);
    let (mut sum_hit, mut sum_total) = (0usize, 0usize);
    let mut baseline = 0.0f64;
    let (mut span_lines, mut items_in_spans) = (0usize, 0usize);
    let (mut lead_hit, mut lead_total) = (0usize, 0usize);
    for m in QMSUM {
        let text = read(&format!(
            "{ROOT}/tests/fixtures/meetings/qmsum/derived/{m}.transcript.txt"
        ));
        let reference: Value = serde_json::from_str(&read(&format!(
            "{ROOT}/tests/fixtures/meetings/qmsum/derived/{m}.reference.json"
        )))
        .unwrap();
        let items = action_items(&text);
        let lines: HashSet<usize> = items.iter().map(|a| a.line).collect();
        items_n += lines.len();
        turns_n += text.lines().count();
        let (mut mh, mut mt) = (0, 0);
        let n_lines = text.lines().count();
        let k = lines.len();
        // Lines inside any decision/action span, to measure how much the items concentrate there.
        let mut in_spans: HashSet<usize> = HashSet::new();
        for q in reference["specific_queries"].as_array().unwrap() {
            if !is_action_query(q["query"].as_str().unwrap()) {
                continue;
            }
            for span in q["relevant_text_span"].as_array().unwrap() {
                let a: usize = span[0].as_str().unwrap().parse().unwrap();
                let b: usize = span[1].as_str().unwrap().parse().unwrap();
                in_spans.extend(a + 1..=b + 1);
            }
        }
        span_lines += in_spans.len();
        items_in_spans += lines.iter().filter(|l| in_spans.contains(l)).count();
        for q in reference["specific_queries"].as_array().unwrap() {
            if !is_action_query(q["query"].as_str().unwrap()) {
                continue;
            }
            mt += 1;
            // Spans count turns from 0; line N+1 of the transcript is turn N.
            let covered = q["relevant_text_span"]
                .as_array()
                .unwrap()
                .iter()
                .any(|span| {
                    let a: usize = span[0].as_str().unwrap().parse().unwrap();
                    let b: usize = span[1].as_str().unwrap().parse().unwrap();
                    lines.iter().any(|&l| l > a && l <= b + 1)
                });
            if covered {
                mh += 1;
            }
            // Chance baseline: probability that k lines drawn at random hit the spans.
            let span_len: usize = q["relevant_text_span"]
                .as_array()
                .unwrap()
                .iter()
                .map(|span| {
                    let a: usize = span[0].as_str().unwrap().parse().unwrap();
                    let b: usize = span[1].as_str().unwrap().parse().unwrap();
                    b + 1 - a
                })
                .sum();
            let mut miss = 1.0f64;
            for i in 0..k {
                miss *= (n_lines.saturating_sub(span_len + i)) as f64 / (n_lines - i) as f64;
            }
            baseline += 1.0 - miss;
        }
        // Summary: share of the reference summary's words found in a 10-sentence extract.
        let summary = extractive_summary(&text, 10).join(" ");
        let got = words(&summary);
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
        }
        for g in reference["general_queries"].as_array().unwrap() {
            let want = words(g["answer"].as_str().unwrap());
            sum_hit += want.intersection(&got).count();
            sum_total += want.len();
        }
        println!(
            "{m}: {} items on {} turns; decision/action queries covered {mh}/{mt}",
            lines.len(),
            text.lines().count()
        );
        hit += mh;
        total += mt;
    }
    let recall = hit as f64 / total as f64;
    let share = items_n as f64 / turns_n as f64;
    let sum_recall = sum_hit as f64 / sum_total as f64;
    println!(
        "QMSum: decision/action reference spans covered by an extracted item: {hit}/{total} ({:.0}%), items on {:.1}% of turns; \
         the same number of random turns would cover {:.1}/{total} ({:.0}%)",
        100.0 * recall,
        100.0 * share,
        baseline,
        100.0 * baseline / total as f64
    );
    let lift = (items_in_spans as f64 / items_n as f64) / (span_lines as f64 / turns_n as f64);
    println!(
        "QMSum: {:.0}% of extracted items fall in decision/action spans, which hold {:.0}% of turns (lift {lift:.2})",
        100.0 * items_in_spans as f64 / items_n as f64,
        100.0 * span_lines as f64 / turns_n as f64
    );
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
    assert!(recall >= 0.85, "recall fell to {recall:.2}");
    assert!(
        lift >= 1.1,
        "items no longer concentrate on decision/action turns (lift {lift:.2})"
    );
    assert!(
        share <= 0.25,
        "items on too many turns ({share:.2}): the extractor is flagging everything"
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
                println!("  extra in {rel}: {:?} | {} | {}", a.who, a.what, a.evidence);
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
    let (mut d_found, mut d_total, mut p_found, mut p_total) = (0, 0, 0, 0);
    for f in exp["files"].as_array().unwrap() {
        let rel = f["path"].as_str().unwrap();
        let Some(text) = demo_text(rel) else { continue };
        if let Some(ds) = f.get("decisions").and_then(Value::as_array) {
            let got = commis_skills::decisions(&text);
            let all_items: Vec<String> = action_items(&text)
                .into_iter()
                .map(|a| a.evidence)
                .collect();
            for d in ds {
                d_total += 1;
                let want = words(d.as_str().unwrap());
                let hit = got.iter().chain(all_items.iter()).any(|g| {
                    want.intersection(&words(g)).count() as f64 >= 0.4 * want.len() as f64
                });
                if hit {
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
        "demo meetings: decisions found {d_found}/{d_total}, stated priorities found {p_found}/{p_total}"
    );
    assert!(d_found * 10 >= d_total * 7, "decisions {d_found}/{d_total}");
    assert!(
        p_found * 10 >= p_total * 8,
        "priorities {p_found}/{p_total}"
    );
}
