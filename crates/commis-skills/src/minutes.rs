//! Minutes of a meeting (compte rendu): date, participants, a short extractive summary by
//! topic, decisions, ranked action items (the rest in an annex) and open questions; then a
//! synthesis across meetings with recommendations, rendered as Markdown that keeps its tables
//! and lists.
//!
//! Not for: finding the items ([`crate::actions`], [`crate::refine`]) or writing Word files
//! (the agent hands the Markdown or the [`Minutes`] to `commis-office`).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::actions::{ActionItem, ItemKind, Priority};
use crate::classify::Lang;
use crate::dates::{Date, find_dates};
use crate::summarize::{Sentence, content_words, split_sentences};
use crate::text::fold_lower;

/// Action items shown in a meeting's table; the others go to the annex.
pub const SHOWN_ACTIONS: usize = 8;

/// One topic of a meeting and the sentences that carry its content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Topic {
    /// What the topic is about: the agenda words ("Le planning de l'atelier"), a heading of
    /// written minutes, or the topic's most distinctive words.
    pub title: String,
    /// Content-bearing sentences of the topic, in their order, "Speaker: sentence".
    pub points: Vec<String>,
    /// First line of the topic in the text (1-based).
    pub line: usize,
}

/// The minutes of one meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Minutes {
    /// The meeting date (ISO), from the first lines of the text.
    pub date: Option<String>,
    /// Who attended: the participants line and every speaker.
    pub participants: Vec<String>,
    /// The summary, one entry per topic.
    pub topics: Vec<Topic>,
    /// What was decided.
    pub decisions: Vec<String>,
    /// The action items to show, most urgent first (explicit priority, then deadline).
    pub actions: Vec<ActionItem>,
    /// The other action items, same order.
    pub annex: Vec<ActionItem>,
    /// Questions left open or deferred ("on en reparle la semaine prochaine").
    pub open_questions: Vec<String>,
    /// "Prochaine réunion : mardi 7 mai 2024", when said.
    pub next_meeting: Option<String>,
}

/// Sentences that open an agenda item: "Premier point, le planning.", "Dupont, maintenant.",
/// "Next item: the budget".
static TOPIC_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:bon|alors|ok|okay|so|right|and|et|allez)[,.]?\s+)*(?:(?P<ord>(?:premier|deuxieme|second|troisieme|quatrieme|cinquieme|dernier|autre) point|point suivant|autre chose|(?:first|second|third|next|last|final) (?:point|item|topic)|moving on(?: to)?|let's move on to|passons a|on passe a)\s*[,:.]?\s*(?P<rest>.*)|(?P<now>.{2,40}?),? (?:maintenant|justement|d'abord|now)\s*[.?!]?\s*$)",
    )
    .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

/// Words that defer a question to later.
const DEFERRALS: &[&str] = &[
    "on en reparle",
    "on verra",
    "a voir",
    "reste a voir",
    "reste a definir",
    "a definir",
    "pas encore decide",
    "question ouverte",
    "point ouvert",
    "we'll see",
    "to be decided",
    "to be discussed",
    "tbd",
    "open question",
    "let's discuss it later",
    "come back to",
    "revenir sur",
    "on revient",
];

/// Replies that leave a question unanswered.
const NO_ANSWER: &[&str] = &[
    "je ne sais pas",
    "aucune idee",
    "bonne question",
    "i don't know",
    "no idea",
    "good question",
    "not sure",
    "pas sur",
];

fn meeting_date(text: &str) -> Option<Date> {
    let head: String = text.lines().take(6).collect::<Vec<_>>().join("\n");
    find_dates(&head).first().map(|d| d.date)
}

/// Orders action items for the reader: explicit priority first, then the nearest deadline,
/// then the order they were said in.
pub fn rank_actions(items: &mut [ActionItem]) {
    items.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then_with(|| match (&a.due, &b.due) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then(a.line.cmp(&b.line))
    });
}

fn capitalise(s: &str) -> String {
    let s = s
        .trim()
        .trim_end_matches(['.', ',', ':', ';', '?', '!'])
        .trim();
    let mut cs = s.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().collect::<String>() + cs.as_str(),
        None => String::new(),
    }
}

fn with_speaker(s: &Sentence) -> String {
    match &s.speaker {
        Some(sp) => format!("{sp}: {}", s.text),
        None => s.text.clone(),
    }
}

/// A decision as a statement: without the words that announced it ("Alors on part sur le
/// chêne, c'est validé." → "On part sur le chêne").
fn decision_text(what: &str) -> String {
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:(?:alors|bon|donc|ok|okay|so|well|right|d'accord|parfait)[,.!]?\s+|(?:c'est (?:décidé|decide|validé|valide|acté|acte)|on le note|we agreed|it's decided)\s*:\s*)+")
            .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
    });
    static TAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)[,.;:]?\s*(?:c'est (?:validé|valide|décidé|decide|acté|acte|noté|note)|it's decided|agreed)\s*[.!]?\s*$")
            .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
    });
    let t = LEAD.replace(what.trim(), "");
    let t = TAIL.replace(&t, "");
    capitalise(&t)
}

/// The title an agenda cue gives its topic ("Premier point, le planning de l'atelier." →
/// "Le planning de l'atelier"), if the sentence is one.
fn topic_cue(text: &str) -> Option<String> {
    let folded = fold_lower(text);
    let c = TOPIC_CUE.captures(&folded)?;
    let (start, end) = if let Some(rest) = c.name("rest") {
        (rest.start(), rest.end())
    } else {
        let now = c.name("now")?;
        // "Combien de retard maintenant ?" is a question, not an agenda item.
        if text.trim_end().ends_with('?') || now.as_str().split_whitespace().count() > 6 {
            return None;
        }
        (now.start(), now.end())
    };
    // Folding keeps one character per character, so map back by characters.
    let title: String = text
        .chars()
        .skip(folded[..start].chars().count())
        .take(folded[start..end].chars().count())
        .collect();
    // "Premier point, le planning. Karim, on en est où ?": keep the first clause.
    let title = title
        .split(['.', '?', '!'])
        .next()
        .unwrap_or("")
        .to_string();
    Some(capitalise(&title)).filter(|t| t.chars().count() >= 2)
}

/// Headings of written minutes that start the decisions or actions lists, not a topic.
fn is_section_heading(line: &str) -> bool {
    let h = fold_lower(line.trim().trim_matches(['#', '*', ':', ' ']));
    [
        "decisions",
        "decisions prises",
        "actions",
        "action items",
        "a faire",
        "next steps",
        "prochaines etapes",
        "points abordes",
        "ordre du jour",
        "agenda",
        "qui",
        "action",
        "echeance",
    ]
    .contains(&h.as_str())
}

/// Topic boundaries as (sentence index, title).
fn segment(sentences: &[Sentence], skip: &HashSet<usize>) -> Vec<(usize, String)> {
    let mut cues: Vec<(usize, String)> = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        if skip.contains(&s.line) {
            continue;
        }
        if let Some(t) = topic_cue(&s.text) {
            cues.push((i, t));
            continue;
        }
        // Written minutes: a short unpunctuated line followed by prose is a heading.
        let t = s.text.trim();
        let next_is_prose = sentences
            .get(i + 1)
            .is_some_and(|n| n.text.ends_with('.') && n.text.split_whitespace().count() > 3);
        if s.speaker.is_none()
            && !t.ends_with(['.', '?', '!', ':'])
            && t.split_whitespace().count() <= 6
            && t.chars().next().is_some_and(char::is_uppercase)
            && next_is_prose
            && !is_section_heading(t)
        {
            cues.push((i, capitalise(t)));
        }
    }
    if cues.len() >= 2 {
        // What was said before the first agenda item is a topic too (news, thanks, a warm-up).
        let before: Vec<usize> = (0..cues[0].0)
            .filter(|&i| !skip.contains(&sentences[i].line))
            .collect();
        if before
            .iter()
            .filter(|&&i| content_words(&sentences[i].text).len() >= 4)
            .count()
            >= 3
        {
            let title = keywords_title(sentences, &before, 2);
            if !title.is_empty() {
                cues.insert(0, (before[0], title));
            }
        }
        return cues;
    }
    lexical_segments(sentences, skip)
}

/// The `n` most frequent content words of some sentences, as a title ("Tilleuls, acompte").
fn keywords_title(sentences: &[Sentence], idx: &[usize], n: usize) -> String {
    let mut tf: HashMap<String, (usize, usize)> = HashMap::new();
    for (order, &i) in idx.iter().enumerate() {
        for w in content_words(&sentences[i].text) {
            if w.chars().count() >= 5 && !crate::refine::FILLERS.contains(&w.as_str()) {
                tf.entry(w).or_insert((0, order)).0 += 1;
            }
        }
    }
    let mut best: Vec<(String, (usize, usize))> = tf.into_iter().collect();
    best.sort_by(|a, b| {
        b.1.0
            .cmp(&a.1.0)
            .then(a.1.1.cmp(&b.1.1))
            .then(a.0.cmp(&b.0))
    });
    // Keep the words as written (accents, capitals) by finding them in the text.
    let words: Vec<String> = best
        .iter()
        .take(n)
        .filter_map(|(w, _)| {
            idx.iter().find_map(|&i| {
                sentences[i]
                    .text
                    .split(|c: char| !c.is_alphanumeric() && c != '-')
                    .find(|t| fold_lower(t).trim_end_matches('s') == w.trim_end_matches('s'))
                    .map(str::to_string)
            })
        })
        .collect();
    capitalise(&words.join(", "))
}

/// Topic boundaries where the vocabulary changes most (a TextTiling-like cut): for long
/// transcripts without agenda cues. Titles are each topic's most distinctive words.
fn lexical_segments(sentences: &[Sentence], skip: &HashSet<usize>) -> Vec<(usize, String)> {
    let n = sentences.len();
    let words: Vec<Vec<String>> = sentences
        .iter()
        .map(|s| {
            if skip.contains(&s.line) {
                Vec::new()
            } else {
                crate::refine::stems(&s.text).into_iter().collect()
            }
        })
        .collect();
    let k = (n / 90).clamp(1, 6);
    let mut cuts: Vec<usize> = vec![0];
    if k > 1 {
        const W: usize = 20;
        let bag = |r: std::ops::Range<usize>| -> HashMap<&str, f64> {
            let mut m = HashMap::new();
            for ws in &words[r] {
                for w in ws {
                    *m.entry(w.as_str()).or_insert(0.0) += 1.0;
                }
            }
            m
        };
        let cos = |a: &HashMap<&str, f64>, b: &HashMap<&str, f64>| -> f64 {
            let dot: f64 = a
                .iter()
                .map(|(w, x)| x * b.get(w).copied().unwrap_or(0.0))
                .sum();
            let na: f64 = a.values().map(|x| x * x).sum::<f64>().sqrt();
            let nb: f64 = b.values().map(|x| x * x).sum::<f64>().sqrt();
            if na == 0.0 || nb == 0.0 {
                0.0
            } else {
                dot / (na * nb)
            }
        };
        let mut scores: Vec<(usize, f64)> = (W..n.saturating_sub(W))
            .step_by(5)
            .map(|i| (i, cos(&bag(i - W..i), &bag(i..i + W))))
            .collect();
        scores.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
        let min_len = n / (2 * k);
        for (i, _) in scores {
            if cuts.len() >= k {
                break;
            }
            if cuts.iter().all(|&c| c.abs_diff(i) >= min_len) && n - i >= min_len {
                cuts.push(i);
            }
        }
        cuts.sort_unstable();
    }
    // Titles: words frequent in the topic and rare elsewhere.
    let mut df: HashMap<&str, usize> = HashMap::new();
    for ws in &words {
        for w in ws {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for (ci, &start) in cuts.iter().enumerate() {
        let end = cuts.get(ci + 1).copied().unwrap_or(n);
        let mut tf: HashMap<String, usize> = HashMap::new();
        // Show whole words, not stems: count the first full word seen for each stem.
        let mut full: HashMap<String, String> = HashMap::new();
        for s in &sentences[start..end] {
            for w in content_words(&s.text) {
                let stem: String = w.chars().take(4).collect();
                if w.chars().count() >= 4 && !crate::refine::FILLERS.contains(&w.as_str()) {
                    full.entry(stem.clone()).or_insert(w);
                    *tf.entry(stem).or_default() += 1;
                }
            }
        }
        let mut best: Vec<(String, f64)> = tf
            .into_iter()
            .filter(|(_, c)| *c >= 2)
            .map(|(w, c)| {
                let d = df.get(w.as_str()).copied().unwrap_or(1).max(1) as f64;
                let score = c as f64 * ((n as f64) / d).ln();
                (w, score)
            })
            .collect();
        best.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
        let title = best
            .iter()
            .take(3)
            .filter_map(|(w, _)| full.get(w).cloned())
            .collect::<Vec<_>>()
            .join(", ");
        out.push((start, capitalise(&title)));
    }
    out
}

/// The most content-bearing sentences of a topic (fillers, questions and back-channel turns
/// never qualify), in their order.
fn topic_points(sentences: &[Sentence], idx: &[usize], budget: usize) -> Vec<String> {
    let text: String = idx
        .iter()
        .map(|&i| &sentences[i])
        .filter(|s| !s.text.trim_end().ends_with('?'))
        .map(|s| match &s.speaker {
            Some(sp) => format!("{sp}: {}\n", s.text),
            None => format!("{}\n", s.text),
        })
        .collect();
    let mut points = crate::summarize::extractive_summary(&text, budget);
    if points.is_empty() {
        // A short topic of written minutes: its sentences are its content.
        points = idx
            .iter()
            .map(|&i| with_speaker(&sentences[i]))
            .filter(|s| content_words(s).len() >= 3)
            .take(budget)
            .collect();
    }
    points
}

/// Open questions: a question left without an answer, or a point deferred to later (with the
/// sentence that raised it).
fn open_questions(sentences: &[Sentence]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        let f = fold_lower(&s.text);
        if DEFERRALS.iter().any(|d| f.contains(d)) {
            // "Bon, on verra ça après la pose.": the question is what was said just before.
            let raised = i
                .checked_sub(1)
                .map(|p| &sentences[p])
                .filter(|p| p.line + 2 >= s.line && content_words(&p.text).len() >= 3);
            let q = match raised {
                Some(p) if content_words(&s.text).len() < 10 => {
                    format!("{} — {}", with_speaker(p), s.text)
                }
                // "On verra." alone says nothing of what is open.
                _ if content_words(&s.text).len() < 4 => continue,
                _ => with_speaker(s),
            };
            out.push(q);
        } else if s.text.trim_end().ends_with('?')
            && content_words(&s.text).len() >= 4
            && sentences.get(i + 1).is_some_and(|n| {
                let nf = fold_lower(&n.text);
                n.speaker != s.speaker && NO_ANSWER.iter().any(|a| nf.starts_with(a))
            })
        {
            out.push(with_speaker(s));
        }
    }
    out.dedup();
    out
}

/// The minutes of one meeting transcript or set of notes, with at most `shown` action items
/// in the main table (the rest in [`Minutes::annex`]).
pub fn minutes(text: &str, shown: usize) -> Minutes {
    let sentences = split_sentences(text);
    let people = crate::refine::participants(text, &sentences);
    let items = crate::actions::action_items(text);
    let mut actions: Vec<ActionItem> = items
        .iter()
        .filter(|a| a.kind == ItemKind::Task)
        .cloned()
        .collect();
    rank_actions(&mut actions);
    let annex = if actions.len() > shown {
        actions.split_off(shown)
    } else {
        Vec::new()
    };
    let decisions: Vec<String> = items
        .iter()
        .filter(|a| a.kind == ItemKind::Decision)
        .map(|a| decision_text(&a.what))
        .collect();
    // Header lines (title, date, participants) and the lines of written action/decision lists
    // are not summary material: the lists are shown as lists and tables.
    let first_turn = sentences
        .iter()
        .find(|s| s.speaker.is_some())
        .map(|s| s.line);
    let mut skip: HashSet<usize> = HashSet::new();
    for (i, l) in text.lines().enumerate() {
        let f = fold_lower(l);
        let header = i < 4
            && (f.contains("reunion")
                || f.contains("meeting")
                || f.contains("compte rendu")
                || f.contains("transcription")
                || f.contains("presents")
                || f.contains("participants")
                || f.contains("redige")
                || f.contains("enregistrement")
                || f.starts_with("date"));
        let before_turns = first_turn.is_some_and(|t| i + 1 < t);
        if header
            || before_turns
            || f.starts_with("prochaine reunion")
            || f.starts_with("next meeting")
        {
            skip.insert(i + 1);
        }
    }
    let mut in_list = false;
    for (i, l) in text.lines().enumerate() {
        if is_section_heading(l) && !fold_lower(l).contains("points abordes") {
            in_list = true;
        } else if in_list && (l.trim().is_empty() || fold_lower(l).starts_with("prochaine")) {
            in_list = false;
        }
        if in_list {
            skip.insert(i + 1);
        }
    }
    for a in items.iter().filter(|a| !a.evidence.contains(": ")) {
        skip.insert(a.line);
    }
    let bounds = segment(&sentences, &skip);
    let mut topics = Vec::new();
    let budget_total = 10usize;
    let n_topics = bounds.len().max(1);
    for (bi, (start, title)) in bounds.iter().enumerate() {
        let end = bounds.get(bi + 1).map_or(sentences.len(), |b| b.0);
        let idx: Vec<usize> = (*start..end)
            .filter(|&i| !skip.contains(&sentences[i].line))
            .collect();
        if idx.is_empty() {
            continue;
        }
        let budget = (budget_total / n_topics)
            .clamp(1, 3)
            .min(idx.len().div_ceil(4).max(1));
        let mut points = topic_points(&sentences, &idx, budget);
        // The cue sentence itself ("Premier point, le planning.") is the title, not a point.
        points.retain(|p| !p.ends_with(sentences[*start].text.as_str()) || idx.len() == 1);
        if points.is_empty() {
            continue;
        }
        topics.push(Topic {
            title: title.clone(),
            points,
            line: sentences[*start].line,
        });
    }
    let next_meeting = text
        .lines()
        .map(str::trim)
        .find(|l| {
            let f = fold_lower(l);
            f.starts_with("prochaine reunion") || f.starts_with("next meeting")
        })
        .map(|l| l.trim_end_matches('.').to_string());
    Minutes {
        date: meeting_date(text).map(|d| d.to_iso()),
        participants: people,
        topics,
        decisions,
        actions,
        annex,
        open_questions: open_questions(&sentences),
        next_meeting,
    }
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month's name (1 = January) in the language; out-of-range numbers are clamped.
pub fn month_name(month: u32, lang: Lang) -> &'static str {
    let i = (month.clamp(1, 12) - 1) as usize;
    match lang {
        Lang::Fr => MONTHS_FR[i],
        Lang::En => MONTHS_EN[i],
    }
}

/// "12 mars 2024" / "12 March 2024" from an ISO date; the input as is when it is not one.
pub fn long_date(iso: &str, lang: Lang) -> String {
    let parts: Vec<u32> = iso.split('-').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [y, m, d] if (1..=12).contains(m) => format!("{d} {} {y}", month_name(*m, lang)),
        _ => iso.to_string(),
    }
}

fn pick(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}

/// "Haute" / "High": a priority as a reader sees it.
pub fn priority_label(p: Priority, lang: Lang) -> &'static str {
    match p {
        Priority::High => pick(lang, "Haute", "High"),
        Priority::Medium => pick(lang, "Normale", "Normal"),
        Priority::Low => pick(lang, "Basse", "Low"),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ").trim().to_string()
}

/// The deadline as shown: the resolved date in long form with the words said.
fn deadline(a: &ActionItem, lang: Lang) -> String {
    match (&a.due, &a.when) {
        (Some(d), Some(w)) => format!("{} ({w})", long_date(d, lang)),
        (Some(d), None) => long_date(d, lang),
        (None, Some(w)) => w.clone(),
        (None, None) => "—".to_string(),
    }
}

fn action_table(items: &[ActionItem], lang: Lang) -> String {
    let mut md = format!(
        "| {} | {} | {} | {} |\n|---|---|---|---|\n",
        pick(lang, "Priorité", "Priority"),
        pick(lang, "Qui", "Who"),
        pick(lang, "Action", "Action"),
        pick(lang, "Échéance", "Due"),
    );
    for a in items {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            priority_label(a.priority, lang),
            cell(a.who.as_deref().unwrap_or("—")),
            cell(&a.what),
            cell(&deadline(a, lang)),
        ));
    }
    md.push('\n');
    md
}

/// One meeting's minutes as Markdown under a level-2 heading named `name`.
pub fn render_meeting(name: &str, m: &Minutes, lang: Lang) -> String {
    let mut md = format!("## {name}\n\n");
    if let Some(d) = &m.date {
        md.push_str(&format!(
            "- **{}** {}\n",
            pick(lang, "Date :", "Date:"),
            long_date(d, lang)
        ));
    }
    if !m.participants.is_empty() {
        md.push_str(&format!(
            "- **{}** {}\n",
            pick(lang, "Participants :", "Participants:"),
            m.participants.join(", ")
        ));
    }
    if let Some(n) = &m.next_meeting {
        md.push_str(&format!("- {n}\n"));
    }
    md.push('\n');
    if !m.topics.is_empty() {
        md.push_str(&format!(
            "### {}\n\n",
            pick(lang, "Résumé par thème", "Summary by topic")
        ));
        for t in &m.topics {
            md.push_str(&format!("**{}**\n\n", cell(&t.title)));
            for p in &t.points {
                md.push_str(&format!("- {}\n", p.trim()));
            }
            md.push('\n');
        }
    }
    md.push_str(&format!("### {}\n\n", pick(lang, "Décisions", "Decisions")));
    if m.decisions.is_empty() {
        md.push_str(pick(
            lang,
            "Aucune décision explicite.\n\n",
            "No explicit decision.\n\n",
        ));
    } else {
        for d in &m.decisions {
            md.push_str(&format!("- {d}\n"));
        }
        md.push('\n');
    }
    md.push_str(&format!(
        "### {}\n\n",
        pick(lang, "Actions", "Action items")
    ));
    if m.actions.is_empty() {
        md.push_str(pick(
            lang,
            "Aucune action attribuée.\n\n",
            "No assigned action.\n\n",
        ));
    } else {
        md.push_str(&action_table(&m.actions, lang));
        if !m.annex.is_empty() {
            md.push_str(&match lang {
                Lang::Fr => format!("{} autre(s) action(s) en annexe.\n\n", m.annex.len()),
                Lang::En => format!("{} more action item(s) in the annex.\n\n", m.annex.len()),
            });
        }
    }
    if !m.open_questions.is_empty() {
        md.push_str(&format!(
            "### {}\n\n",
            pick(lang, "Questions ouvertes", "Open questions")
        ));
        for q in &m.open_questions {
            md.push_str(&format!("- {q}\n"));
        }
        md.push('\n');
    }
    md
}

/// The names in an owner ("Thomas et Karim" → ["Thomas", "Karim"]).
fn owners(who: &str) -> Vec<String> {
    who.replace(" et ", ",")
        .replace(" and ", ",")
        .replace(" & ", ",")
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Recommendations drawn from several meetings' minutes: what to do first, who carries too
/// much, what lacks a deadline, what keeps coming back, what to put on the next agenda.
pub fn recommendations(meetings: &[(String, Minutes)], lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let all: Vec<&ActionItem> = meetings
        .iter()
        .flat_map(|(_, m)| m.actions.iter().chain(&m.annex))
        .collect();
    let urgent: Vec<&ActionItem> = all
        .iter()
        .copied()
        .filter(|a| a.priority == Priority::High)
        .collect();
    if !urgent.is_empty() {
        let list = urgent
            .iter()
            .take(4)
            .map(|a| format!("{} ({})", a.what, a.who.as_deref().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(" ; ");
        out.push(match lang {
            Lang::Fr => format!("Traiter en premier les actions prioritaires : {list}."),
            Lang::En => format!("Do the high-priority items first: {list}."),
        });
    }
    let mut load: HashMap<String, usize> = HashMap::new();
    for a in &all {
        for o in owners(a.who.as_deref().unwrap_or("")) {
            *load.entry(o).or_default() += 1;
        }
    }
    if let Some((who, n)) = load.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        && *n * 3 > all.len()
        && all.len() >= 6
    {
        out.push(match lang {
            Lang::Fr => format!(
                "{who} porte {n} actions sur {} : vérifier la charge ou en déléguer une partie.",
                all.len()
            ),
            Lang::En => format!(
                "{who} carries {n} of {} action items: check the workload or hand some over.",
                all.len()
            ),
        });
    }
    let undated = all.iter().filter(|a| a.due.is_none()).count();
    if undated > 0 {
        out.push(match lang {
            Lang::Fr => format!("{undated} action(s) sans échéance : leur fixer une date."),
            Lang::En => format!("{undated} action item(s) without a deadline: give them a date."),
        });
    }
    // A subject that comes back in the actions of several meetings is stuck.
    let mut seen_in: HashMap<String, HashSet<usize>> = HashMap::new();
    for (mi, (_, m)) in meetings.iter().enumerate() {
        for a in m.actions.iter().chain(&m.annex) {
            for w in a.what.split(|c: char| !c.is_alphanumeric() && c != '-') {
                if w.chars().next().is_some_and(char::is_uppercase)
                    && w.chars().count() >= 4
                    && !a.what.starts_with(w)
                {
                    seen_in.entry(w.to_string()).or_default().insert(mi);
                }
            }
        }
    }
    let mut recurring: Vec<(String, usize)> = seen_in
        .into_iter()
        .filter(|(_, s)| s.len() >= 2)
        .map(|(w, s)| (w, s.len()))
        .collect();
    recurring.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if !recurring.is_empty() {
        let list = recurring
            .iter()
            .take(3)
            .map(|(w, n)| match lang {
                Lang::Fr => format!("{w} ({n} réunions)"),
                Lang::En => format!("{w} ({n} meetings)"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        out.push(match lang {
            Lang::Fr => format!("Sujets qui reviennent d'une réunion à l'autre : {list} ; désigner un responsable et une date de clôture."),
            Lang::En => format!("Subjects that come back from meeting to meeting: {list}; name one owner and a closing date."),
        });
    }
    let open: usize = meetings.iter().map(|(_, m)| m.open_questions.len()).sum();
    if open > 0 {
        out.push(match lang {
            Lang::Fr => format!(
                "Inscrire les {open} question(s) ouverte(s) à l'ordre du jour de la prochaine réunion."
            ),
            Lang::En => format!("Put the {open} open question(s) on the next meeting's agenda."),
        });
    }
    out
}

/// Minutes of several meetings as one Markdown document: a synthesis across meetings (actions
/// per person, next deadlines, decisions, recommendations), each meeting's minutes, and the
/// annex of the action items not shown in the meetings' tables.
pub fn render_markdown(title: &str, meetings: &[(String, Minutes)], lang: Lang) -> String {
    let mut md = format!("# {title}\n\n");
    if meetings.is_empty() {
        md.push_str(pick(
            lang,
            "Aucune transcription ni compte rendu trouvé.\n",
            "No transcript or minutes found.\n",
        ));
        return md;
    }
    md.push_str(&format!(
        "## {}\n\n",
        pick(lang, "Synthèse des réunions", "Across the meetings")
    ));
    let all: Vec<(&str, &ActionItem)> = meetings
        .iter()
        .flat_map(|(n, m)| {
            m.actions
                .iter()
                .chain(&m.annex)
                .map(move |a| (n.as_str(), a))
        })
        .collect();
    let n_decisions: usize = meetings.iter().map(|(_, m)| m.decisions.len()).sum();
    md.push_str(&match lang {
        Lang::Fr => format!(
            "{} réunion(s), {} décision(s), {} action(s) attribuée(s).\n\n",
            meetings.len(),
            n_decisions,
            all.len()
        ),
        Lang::En => format!(
            "{} meeting(s), {} decision(s), {} assigned action item(s).\n\n",
            meetings.len(),
            n_decisions,
            all.len()
        ),
    });
    // Actions per person.
    let mut per: Vec<(String, usize, usize, Option<String>)> = Vec::new();
    for (_, a) in &all {
        for o in owners(a.who.as_deref().unwrap_or("")) {
            let row = match per.iter().position(|r| r.0 == o) {
                Some(i) => &mut per[i],
                None => {
                    per.push((o.clone(), 0, 0, None));
                    let last = per.len() - 1;
                    &mut per[last]
                }
            };
            row.1 += 1;
            if a.priority == Priority::High {
                row.2 += 1;
            }
            if let Some(d) = &a.due
                && row.3.as_ref().is_none_or(|x| d < x)
            {
                row.3 = Some(d.clone());
            }
        }
    }
    if !per.is_empty() {
        per.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        md.push_str(&format!(
            "### {}\n\n| {} | {} | {} | {} |\n|---|---:|---:|---|\n",
            pick(lang, "Actions par personne", "Action items per person"),
            pick(lang, "Qui", "Who"),
            pick(lang, "Actions", "Items"),
            pick(lang, "Prioritaires", "High priority"),
            pick(lang, "Première échéance", "First deadline"),
        ));
        for (who, n, high, first) in &per {
            md.push_str(&format!(
                "| {} | {n} | {high} | {} |\n",
                cell(who),
                first
                    .as_deref()
                    .map_or("—".to_string(), |d| long_date(d, lang))
            ));
        }
        md.push('\n');
    }
    let decided: Vec<(&str, &Option<String>, &String)> = meetings
        .iter()
        .flat_map(|(n, m)| m.decisions.iter().map(move |d| (n.as_str(), &m.date, d)))
        .collect();
    if !decided.is_empty() {
        md.push_str(&format!(
            "### {}\n\n",
            pick(lang, "Décisions prises", "Decisions taken")
        ));
        for (name, date, d) in decided {
            let when = date
                .as_deref()
                .map_or_else(|| name.to_string(), |x| long_date(x, lang));
            md.push_str(&format!("- {d} ({when})\n"));
        }
        md.push('\n');
    }
    let recs = recommendations(meetings, lang);
    if !recs.is_empty() {
        md.push_str(&format!(
            "### {}\n\n",
            pick(lang, "Recommandations", "Recommendations")
        ));
        for (i, r) in recs.iter().enumerate() {
            md.push_str(&format!("{}. {r}\n", i + 1));
        }
        md.push('\n');
    }
    for (name, m) in meetings {
        md.push_str(&render_meeting(name, m, lang));
    }
    let annex: Vec<(&str, &ActionItem)> = meetings
        .iter()
        .flat_map(|(n, m)| m.annex.iter().map(move |a| (n.as_str(), a)))
        .collect();
    if !annex.is_empty() {
        md.push_str(&format!(
            "## {}\n\n| {} | {} | {} | {} | {} |\n|---|---|---|---|---|\n",
            pick(
                lang,
                "Annexe — autres actions",
                "Annex — other action items"
            ),
            pick(lang, "Réunion", "Meeting"),
            pick(lang, "Priorité", "Priority"),
            pick(lang, "Qui", "Who"),
            pick(lang, "Action", "Action"),
            pick(lang, "Échéance", "Due"),
        ));
        for (name, a) in annex {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                cell(name),
                priority_label(a.priority, lang),
                cell(a.who.as_deref().unwrap_or("—")),
                cell(&a.what),
                cell(&deadline(a, lang)),
            ));
        }
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    const CR: &str = "Réunion d'équipe – Atelier\nDate : mardi 12 mars 2024\nParticipants : Marc (gérant), Julie (administration), Karim (atelier)\n\n\
Marc : Bon, on commence. Tout le monde a son café ?\n\
Karim : Oui.\n\
Marc : Premier point, le planning de l'atelier. Karim, on en est où ?\n\
Karim : Les trois placards Dupont sont montés, il reste les façades à poser. Normalement c'est fini jeudi.\n\
Julie : Je prépare la facture des placards Dupont, je l'envoie vendredi.\n\
Marc : Deuxième point, le bois. Il ne reste presque plus de chêne en quarante millimètres pour les Tilleuls.\n\
Marc : Il faut commander le chêne avant le 20, c'est urgent.\n\
Karim : Je m'en occupe.\n\
Marc : Alors on part sur le chêne français pour les Tilleuls, c'est validé.\n\
Karim : La scie à format fait un bruit bizarre depuis lundi.\n\
Marc : On en reparle la semaine prochaine.\n\
Julie : Ouais.\n\
Marc : Je récapitule. Karim commande le chêne avant le 20. Julie envoie la facture Dupont vendredi.\n";

    #[test]
    fn minutes_have_date_people_topics_decisions_ranked_actions_and_open_questions() {
        let m = minutes(CR, SHOWN_ACTIONS);
        assert_eq!(m.date.as_deref(), Some("2024-03-12"));
        assert_eq!(m.participants, vec!["Marc", "Julie", "Karim"]);
        let titles: Vec<&str> = m.topics.iter().map(|t| t.title.as_str()).collect();
        assert!(titles.contains(&"Le planning de l'atelier"), "{titles:?}");
        assert!(titles.contains(&"Le bois"), "{titles:?}");
        assert!(
            m.topics
                .iter()
                .flat_map(|t| &t.points)
                .all(|p| !p.ends_with("Ouais.") && !p.ends_with('?')),
            "{:?}",
            m.topics
        );
        assert!(
            m.decisions.iter().any(|d| d.contains("chêne français")),
            "{:?}",
            m.decisions
        );
        // Said three times (duty, acceptance, recap): one action, Karim's, urgent, due the 20th, first.
        let chene: Vec<_> = m
            .actions
            .iter()
            .filter(|a| a.what.contains("chêne"))
            .collect();
        assert_eq!(chene.len(), 1, "{:#?}", m.actions);
        assert_eq!(m.actions[0].who.as_deref(), Some("Karim"));
        assert_eq!(m.actions[0].priority, Priority::High);
        assert_eq!(m.actions[0].due.as_deref(), Some("2024-03-20"));
        let facture: Vec<_> = m
            .actions
            .iter()
            .filter(|a| a.what.contains("facture"))
            .collect();
        assert_eq!(facture.len(), 1, "{:#?}", m.actions);
        assert_eq!(facture[0].due.as_deref(), Some("2024-03-15"));
        assert!(
            m.open_questions.iter().any(|q| q.contains("scie")),
            "{:?}",
            m.open_questions
        );
    }

    #[test]
    fn actions_beyond_the_cap_go_to_the_annex_in_rank_order() {
        let m = minutes(CR, 1);
        assert_eq!(m.actions.len(), 1);
        assert_eq!(m.actions[0].priority, Priority::High);
        assert!(!m.annex.is_empty());
    }

    #[test]
    fn markdown_keeps_tables_and_lists() {
        let m = minutes(CR, 1);
        let md = render_markdown("Comptes rendus", &[("CR 12-03".into(), m)], Lang::Fr);
        assert!(
            md.contains(
                "| Priorité | Qui | Action | Échéance |\n|---|---|---|---|\n| Haute | Karim |"
            ),
            "{md}"
        );
        assert!(md.contains("20 mars 2024"), "{md}");
        assert!(md.contains("## Annexe — autres actions"), "{md}");
        assert!(md.contains("### Recommandations\n\n1. "), "{md}");
        assert!(
            md.contains("- **Participants :** Marc, Julie, Karim"),
            "{md}"
        );
        // Every table row is on its own line with as many cells as its header.
        for block in md.split("\n\n").filter(|b| b.starts_with('|')) {
            let widths: HashSet<usize> = block
                .lines()
                .map(|l| l.replace("\\|", "").matches('|').count())
                .collect();
            assert_eq!(widths.len(), 1, "ragged table: {block}");
        }
    }

    #[test]
    fn written_minutes_keep_headings_as_topics_and_lists_out_of_the_summary() {
        let t = "Compte rendu – réunion d'équipe du 23 avril 2024\nPrésents : Marc Lemoine, Julie Martin\nPoints abordés\nMédiathèque de Saint-Aubin\nDossier déposé le 17 avril pour le devis des rayonnages. Résultat attendu fin mai.\nGarage Petit\nComptoir posé le 11 avril, client satisfait. Solde à facturer.\nDécisions\n– Fermeture de l'atelier du 5 au 18 août 2024.\nActions\nQui\nAction\nÉchéance\nJulie\nRelancer Dupont Bâtiment pour la facture F2024-033\n30/04/2024\nProchaine réunion : mardi 7 mai 2024, 8 h.";
        let m = minutes(t, SHOWN_ACTIONS);
        let titles: Vec<&str> = m.topics.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            vec!["Médiathèque de Saint-Aubin", "Garage Petit"],
            "{:?}",
            m.topics
        );
        assert!(
            m.topics
                .iter()
                .flat_map(|t| &t.points)
                .all(|p| !p.contains("30/04/2024")),
            "a table row was flattened into the summary: {:?}",
            m.topics
        );
        assert_eq!(
            m.decisions,
            vec!["Fermeture de l'atelier du 5 au 18 août 2024"]
        );
        assert_eq!(m.actions.len(), 1);
        assert_eq!(
            m.next_meeting.as_deref(),
            Some("Prochaine réunion : mardi 7 mai 2024, 8 h")
        );
    }
}
