//! Extractive summaries: the most informative sentences of a text, in their original order.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::text::fold_lower;

/// One sentence of a text, with its speaker when the text is a transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    /// Speaker of the turn ("Marc", "Project Manager"), for "Speaker: text" lines.
    pub speaker: Option<String>,
    /// The sentence, cleaned of transcription marks ({vocalsound}, {disfmarker}).
    pub text: String,
    /// 1-based line of the text it comes from.
    pub line: usize,
}

static SPEAKER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*)?(?P<who>[\p{Lu}][\p{L}.'’\-]*(?: [\p{L}.'’\-]+){0,3})\s*(?:\([^)]{0,30}\))?\s*:\s+(?P<text>\S.*)$")
        .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

static MARKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{[^}]*\}|\[[a-z ]+\]|<[a-z ]+>")
        .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

/// Labels that look like "Speaker:" but are fields.
const FIELD_LABELS: &[&str] = &[
    "date",
    "objet",
    "subject",
    "from",
    "to",
    "cc",
    "présents",
    "presents",
    "participants",
    "absents",
    "lieu",
    "total",
    "client",
    "contact",
    "adresse",
    "address",
    "tél",
    "tel",
    "email",
    "note",
    "notes",
    "attendees",
    "agenda",
    "ordre du jour",
    "re",
    "budget",
    "référence",
    "reference",
    "demande",
    "remarque",
    "échéance",
    "action",
    "actions",
    "todo",
    "décision",
    "décisions",
    "decision",
    "decisions",
    "objet",
];

/// Abbreviations after which a dot does not end a sentence.
const ABBREV: &[&str] = &[
    "m", "mm", "mme", "mlle", "me", "dr", "mr", "mrs", "ms", "st", "ste", "no", "n", "cf", "etc",
    "ex", "vs", "p", "e.g", "i.e", "approx", "tél", "tel", "av", "bd",
];

fn clean_transcript_text(s: &str) -> String {
    let s = MARKS.replace_all(s, " ");
    // Transcribed speech puts spaces before punctuation: "okay , so ." -> "okay, so."
    let mut out = crate::text::collapse_spaces(&s);
    // French typography keeps its space before "?" and "!"; only "," and "." are glued back.
    for p in [" ,", " ."] {
        out = out.replace(p, &p[1..]);
    }
    out = out.replace(" '", "'").replace(" n't", "n't");
    out.trim().to_string()
}

/// Splits one paragraph into sentences.
fn split_paragraph(p: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = p.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &(bi, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        let next = chars.get(i + 1).map(|x| x.1);
        let next2 = chars.get(i + 2).map(|x| x.1);
        let ends = match next {
            None => true,
            Some(n) if n.is_whitespace() => next2.is_none_or(|c| {
                c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '«' | '(' | '-' | '–')
            }),
            _ => false,
        };
        if !ends {
            continue;
        }
        if c == '.' {
            let word: String = p[start..bi]
                .rsplit(|ch: char| ch.is_whitespace())
                .next()
                .unwrap_or("")
                .to_lowercase();
            if ABBREV.contains(&word.trim_start_matches(['(', '"']))
                || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
            {
                continue;
            }
        }
        let end = bi + c.len_utf8();
        let s = p[start..end].trim();
        if !s.is_empty() {
            out.push(s.to_string());
        }
        start = end;
    }
    let rest = p[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

/// A looser test than a full transcript: most lines are "Name: text" with two or more names.
fn looks_like_turns(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut names: HashSet<String> = HashSet::new();
    let mut turns = 0;
    for l in &lines {
        if let Some(c) = SPEAKER_LINE.captures(l) {
            let who = c
                .name("who")
                .map(|m| m.as_str().trim().to_lowercase())
                .unwrap_or_default();
            if !FIELD_LABELS.contains(&who.as_str()) {
                names.insert(who);
                turns += 1;
            }
        }
    }
    names.len() >= 2 && turns >= 3 && turns * 2 >= lines.len()
}

/// Splits a text into sentences, French and English, reading "Speaker: text" transcript lines
/// as turns and bullet lines as sentences of their own.
pub fn split_sentences(text: &str) -> Vec<Sentence> {
    let transcript = crate::classify::is_transcript(text) || looks_like_turns(text);
    let mut out = Vec::new();
    let mut para = String::new();
    let mut para_line = 0;
    let flush = |para: &mut String, line: usize, out: &mut Vec<Sentence>| {
        if !para.trim().is_empty() {
            for s in split_paragraph(&clean_transcript_text(para)) {
                out.push(Sentence {
                    speaker: None,
                    text: s,
                    line,
                });
            }
        }
        para.clear();
    };
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut para, para_line, &mut out);
            continue;
        }
        if transcript && let Some(c) = SPEAKER_LINE.captures(line) {
            let who = c
                .name("who")
                .map(|m| m.as_str().trim().to_string())
                .unwrap_or_default();
            if !FIELD_LABELS.contains(&who.to_lowercase().as_str()) {
                flush(&mut para, para_line, &mut out);
                let body = clean_transcript_text(c.name("text").map_or("", |m| m.as_str()));
                for s in split_paragraph(&body) {
                    out.push(Sentence {
                        speaker: Some(who.clone()),
                        text: s,
                        line: line_no,
                    });
                }
                continue;
            }
        }
        let is_bullet = line.starts_with(['-', '*', '•', '–', '>'])
            || line.chars().next().is_some_and(|c| c.is_ascii_digit()) && line.contains(". ");
        let is_heading = line.starts_with('#')
            || line.chars().count() < 60
                && !line.ends_with(['.', ',', ';', ':'])
                && !para.is_empty()
                && para.ends_with(['.', ':']);
        if is_bullet || is_heading || line.starts_with('#') {
            flush(&mut para, para_line, &mut out);
            let cleaned = line.trim_start_matches(['-', '*', '•', '–', '>', '#', ' ']);
            for s in split_paragraph(&clean_transcript_text(cleaned)) {
                out.push(Sentence {
                    speaker: None,
                    text: s,
                    line: line_no,
                });
            }
            continue;
        }
        // A line continues the paragraph only when the previous one was wrapped prose: long and
        // unfinished, or followed by a lowercase start. Table rows and short lines stand alone.
        let continues = !para.is_empty() && {
            let last_len = para.rsplit('\n').next().map_or(0, |l| l.chars().count());
            let prev_open = !para.ends_with(['.', '!', '?', ':']);
            let lower_start = line.chars().next().is_some_and(char::is_lowercase);
            prev_open && (last_len >= 50 || lower_start) && !raw.contains("   ")
        };
        if !continues {
            flush(&mut para, para_line, &mut out);
        }
        if para.is_empty() {
            para_line = line_no;
        } else {
            para.push('\n');
        }
        para.push_str(line);
    }
    flush(&mut para, para_line, &mut out);
    out
}

/// Function words that carry no topic, French and English (accent-folded).
pub(crate) const STOPWORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "if", "then", "so", "to", "of", "in", "on", "at", "for",
    "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its",
    "this", "that", "these", "those", "there", "here", "we", "you", "they", "he", "she", "i", "me",
    "my", "our", "your", "their", "them", "us", "him", "her", "what", "which", "who", "whom",
    "how", "why", "when", "where", "do", "does", "did", "doing", "have", "has", "had", "not", "no",
    "yes", "yeah", "okay", "ok", "um", "uh", "mm", "hmm", "right", "just", "like", "well", "oh",
    "really", "very", "can", "could", "would", "should", "will", "shall", "might", "must", "about",
    "also", "all", "any", "some", "more", "most", "other", "into", "out", "up", "down", "over",
    "than", "too", "gonna", "wanna", "kind", "sort", "thing", "things", "know", "think", "mean",
    "get", "got", "go", "going", "one", "two", "actually", "maybe", "probably", "lot", "bit",
    "don't", "it's", "that's", "i'm", "we're", "you're", "i'll", "we'll", "let's", "le", "la",
    "les", "un", "une", "des", "du", "de", "d", "l", "et", "ou", "mais", "donc", "or", "ni", "car",
    "que", "qui", "quoi", "dont", "ou", "a", "au", "aux", "en", "dans", "par", "pour", "sur",
    "sous", "avec", "sans", "chez", "ce", "cet", "cette", "ces", "ca", "cela", "il", "elle", "ils",
    "elles", "on", "nous", "vous", "je", "j", "tu", "me", "te", "se", "s", "lui", "leur", "leurs",
    "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos",
    "est", "sont", "etait", "ete", "etre", "avoir", "ai", "as", "avons", "avez", "ont", "fait",
    "faire", "pas", "plus", "ne", "n", "y", "oui", "non", "bon", "bien", "alors", "tres", "tout",
    "tous", "toute", "toutes", "comme", "aussi", "encore", "deja", "va", "vais", "vas", "allez",
    "c", "qu", "si", "ben", "euh", "hein", "voila", "ok", "d'accord", "parfait", "merci",
];

/// Content words of a sentence: lowercase, accent-folded, without stopwords and short tokens,
/// with a crude plural folding so "invoices" and "invoice" count together.
pub(crate) fn content_words(s: &str) -> Vec<String> {
    fold_lower(s)
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\''))
        .filter(|w| {
            w.chars().count() >= 3
                && !STOPWORDS.contains(w)
                && !w.chars().all(|c| c.is_ascii_digit())
        })
        .map(|w| {
            if w.len() > 4 && w.ends_with('s') {
                w[..w.len() - 1].to_string()
            } else {
                w.to_string()
            }
        })
        .collect()
}

/// Words that mark a sentence as a conclusion worth keeping.
const KEY_CUES: &[&str] = &[
    "decid",
    "decision",
    "agree",
    "conclu",
    "priorit",
    "important",
    "budget",
    "price",
    "prix",
    "cost",
    "cout",
    "deadline",
    "retient",
    "valid",
    "next step",
    "prochaine etape",
    "objecti",
    "goal",
    "urgent",
    "total",
    "result",
    "resultat",
    "plan",
];

/// The `max_sentences` most informative sentences of a text, in their original order.
///
/// Sentences are scored by the weight (frequency in the text times rarity across sentences)
/// of their content words, with a bonus for conclusion words ("decided", "priorité", "budget")
/// and for the opening; near-duplicates are skipped, and filler turns ("Yeah.", "Okay.", "D'accord.")
/// never qualify. Transcript sentences come back as "Speaker: sentence".
pub fn extractive_summary(text: &str, max_sentences: usize) -> Vec<String> {
    let sentences = split_sentences(text);
    if sentences.is_empty() || max_sentences == 0 {
        return Vec::new();
    }
    let words: Vec<Vec<String>> = sentences.iter().map(|s| content_words(&s.text)).collect();
    let mut tf: HashMap<&str, f32> = HashMap::new();
    let mut df: HashMap<&str, f32> = HashMap::new();
    for ws in &words {
        let mut seen = HashSet::new();
        for w in ws {
            *tf.entry(w.as_str()).or_insert(0.0) += 1.0;
            if seen.insert(w.as_str()) {
                *df.entry(w.as_str()).or_insert(0.0) += 1.0;
            }
        }
    }
    let n = sentences.len() as f32;
    let weight = |w: &str| -> f32 {
        let t = tf.get(w).copied().unwrap_or(0.0);
        let d = df.get(w).copied().unwrap_or(1.0);
        // Words said once are noise; words in every sentence are glue.
        if t < 2.0 {
            0.3
        } else {
            (1.0 + t.ln()) * (1.0 + (n / d).ln())
        }
    };
    let mut scored: Vec<(usize, f32)> = Vec::new();
    for (i, ws) in words.iter().enumerate() {
        let distinct: HashSet<&str> = ws.iter().map(String::as_str).collect();
        if distinct.len() < 4 {
            continue;
        }
        let sum: f32 = distinct.iter().map(|w| weight(w)).sum();
        let mut score = sum / (distinct.len() as f32).powf(0.6);
        let folded = fold_lower(&sentences[i].text);
        if KEY_CUES.iter().any(|c| folded.contains(c)) {
            score *= 1.25;
        }
        if (i as f32) < n * 0.1 {
            score *= 1.1;
        }
        if sentences[i].text.ends_with('?') {
            score *= 0.7;
        }
        scored.push((i, score));
    }
    scored.sort_by(|a, b| {
        b.1.partial_cmp(&a.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.0.cmp(&b.0))
    });
    let mut chosen: Vec<usize> = Vec::new();
    for (i, _) in scored {
        if chosen.len() >= max_sentences {
            break;
        }
        let wi: HashSet<&str> = words[i].iter().map(String::as_str).collect();
        let redundant = chosen.iter().any(|&j| {
            let wj: HashSet<&str> = words[j].iter().map(String::as_str).collect();
            let inter = wi.intersection(&wj).count() as f32;
            let union = wi.union(&wj).count().max(1) as f32;
            inter / union > 0.5
        });
        if !redundant {
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|i| {
            let t = crate::text::truncate_chars(&sentences[i].text, 400);
            match &sentences[i].speaker {
                Some(sp) => format!("{sp}: {t}"),
                None => t,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_french_and_english_sentences_with_abbreviations() {
        let s = split_sentences(
            "M. Dupont a appelé. Il veut un devis ! Is it ready? Yes, see p. 3 of the report.",
        );
        let t: Vec<_> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            t,
            vec![
                "M. Dupont a appelé.",
                "Il veut un devis !",
                "Is it ready?",
                "Yes, see p. 3 of the report."
            ]
        );
    }

    #[test]
    fn reads_transcript_turns_and_cleans_marks() {
        let t = "A: Okay , so {vocalsound} we start .\nB: Yeah .\nA: The budget is fixed . We agreed .\nB: Right .\nA: Fine .\nB: Good .\n";
        let s = split_sentences(t);
        assert_eq!(s[0].speaker.as_deref(), Some("A"));
        assert_eq!(s[0].text, "Okay, so we start.");
        assert_eq!(s[2].text, "The budget is fixed.");
        assert_eq!(s[2].line, 3);
    }

    #[test]
    fn summary_keeps_order_skips_filler_and_respects_the_limit() {
        let mut t = String::new();
        for i in 0..6 {
            t.push_str(&format!("Marc: Yeah.\nJulie: Okay.\nMarc: The oak delivery for the hotel project is late by {i} weeks again.\n"));
        }
        t.push_str("Julie: We decided that the hotel project budget stays at fifteen thousand euros for the oak furniture.\n");
        t.push_str(
            "Marc: The painting of the workshop walls needs a new colour chosen by the team.\n",
        );
        let s = extractive_summary(&t, 3);
        assert!(s.len() <= 3);
        assert!(
            s.iter()
                .all(|x| !x.ends_with("Yeah.") && !x.ends_with("Okay."))
        );
        assert!(s.iter().any(|x| x.contains("decided")), "{s:?}");
        let pos: Vec<usize> = s
            .iter()
            .map(|x| t.find(x.split_once(": ").unwrap().1).unwrap())
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "original order: {s:?}");
    }

    #[test]
    fn empty_text_gives_empty_summary() {
        assert!(extractive_summary("", 5).is_empty());
        assert!(extractive_summary("Ok.", 5).is_empty());
    }
}
