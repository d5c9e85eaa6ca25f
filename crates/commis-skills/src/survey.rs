//! Survey responses summed up: each column read as a question of a kind (a 0–10 score, NPS
//! when it asks for a recommendation, a yes/no or checkbox column, a single choice or scale, a
//! free-text comment), its answers counted, scores averaged, the NPS computed over those who
//! answered, and the frequent themes of the comments found (extractive: a word's count and
//! verbatim quotes, never a rewording). Pure: the tool writes the workbook.
//!
//! [`cross_tab`] splits the answers by a segment column (a choice or a yes/no question): the
//! count, mean and NPS of each score and the distribution of each choice, per segment value.
//!
//! Not for: cleaning the table (see `tables`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use thiserror::Error;

use crate::Lang;
use crate::text::fold_lower;

/// What a column of answers is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Question {
    /// A 0–10 (or 1–5…) score; `nps` when the question asks whether one would recommend.
    Score {
        /// The NPS is computed on it.
        nps: bool,
        /// Lowest score given.
        min: i64,
        /// Highest score given.
        max: i64,
    },
    /// Yes/no, true/false: a ticked box of a multiple-choice question, or a yes/no question.
    YesNo,
    /// One answer among a few (a scale, a single choice), with the answers seen.
    Choice {
        /// The answers seen, most frequent first.
        answers: Vec<String>,
    },
    /// Free text.
    Comment,
    /// Not a question: timestamps, identifiers, empty columns.
    Skipped,
}

/// One column's summary.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionSummary {
    /// Column index in the table.
    pub column: usize,
    /// The question as its column header says it.
    pub header: String,
    /// What kind of question it is.
    pub question: Question,
    /// Respondents who answered.
    pub answered: usize,
    /// Count of each answer, most frequent first (scores: in score order).
    pub counts: Vec<(String, usize)>,
    /// Mean, for scores.
    pub mean: Option<f64>,
    /// Promoters (9–10), passives (7–8), detractors (0–6) and the NPS, for NPS questions.
    pub nps: Option<Nps>,
    /// Frequent themes, for comments.
    pub themes: Vec<Theme>,
}

/// Net promoter score of a 0–10 question.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Nps {
    /// Answers of 9 or 10.
    pub promoters: usize,
    /// Answers of 7 or 8.
    pub passives: usize,
    /// Answers of 0 to 6.
    pub detractors: usize,
    /// (promoters − detractors) / answered × 100.
    pub score: f64,
}

/// A word that comes back in the comments, with how many comments use it and some of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theme {
    /// The word, lower case and without accents.
    pub word: String,
    /// Comments that use it.
    pub count: usize,
    /// Some of those comments, as written.
    pub quotes: Vec<String>,
}

/// The whole survey.
#[derive(Debug, Clone, Serialize)]
pub struct Survey {
    /// Rows with at least one answer.
    pub respondents: usize,
    /// One summary per column, in column order.
    pub questions: Vec<QuestionSummary>,
}

/// Most distinct answers a column may have to be read as a choice.
const MAX_CHOICES: usize = 12;
const MAX_THEMES: usize = 6;
const MAX_QUOTES: usize = 3;

/// A yes/no answer (`oui`, `true`, `x`…), or `None` when the text is not one.
pub fn yes_no(v: &str) -> Option<bool> {
    match fold_lower(v.trim()).as_str() {
        "true" | "vrai" | "oui" | "yes" | "x" => Some(true),
        "false" | "faux" | "non" | "no" => Some(false),
        _ => None,
    }
}

fn is_meta(header: &str) -> bool {
    let h = fold_lower(header);
    [
        "timestamp",
        "horodat",
        "submitted",
        "submission",
        "date",
        "e-mail",
        "email",
        "courriel",
        "identifiant",
    ]
    .iter()
    .any(|w| h.contains(w))
        || h == "id"
}

fn asks_recommendation(header: &str) -> bool {
    let h = fold_lower(header);
    h.contains("recommand") || h.contains("recommend") || h.contains("nps")
}

/// Reads `header` and `rows` (one row per respondent, blank rows ignored) as a survey.
pub fn analyse(header: &[String], rows: &[Vec<String>]) -> Survey {
    let rows: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    let mut questions = Vec::new();
    for (col, h) in header.iter().enumerate() {
        let answers: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.get(col))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        questions.push(summarise(col, h, &answers));
    }
    // Without a recommendation question, the first 0–10 score (the overall rating surveys
    // open with) is the one the NPS is computed on.
    if !questions.iter().any(|q| q.nps.is_some())
        && let Some(q) = questions
            .iter_mut()
            .find(|q| matches!(q.question, Question::Score { max, .. } if max > 5))
    {
        if let Question::Score { nps, .. } = &mut q.question {
            *nps = true;
        }
        q.nps = Some(nps_of(&q.counts));
    }
    Survey {
        respondents: rows.len(),
        questions,
    }
}

/// The NPS of a 0–10 score's counts.
fn nps_of(counts: &[(String, usize)]) -> Nps {
    let (mut promoters, mut passives, mut detractors) = (0, 0, 0);
    for (k, n) in counts {
        match k.parse::<i64>() {
            Ok(9..=10) => promoters += n,
            Ok(7..=8) => passives += n,
            Ok(_) => detractors += n,
            Err(_) => {}
        }
    }
    let answered = (promoters + passives + detractors).max(1);
    Nps {
        promoters,
        passives,
        detractors,
        score: (promoters as f64 - detractors as f64) * 100.0 / answered as f64,
    }
}

fn summarise(column: usize, header: &str, answers: &[&str]) -> QuestionSummary {
    let mut s = QuestionSummary {
        column,
        header: header.trim().to_string(),
        question: Question::Skipped,
        answered: answers.len(),
        counts: Vec::new(),
        mean: None,
        nps: None,
        themes: Vec::new(),
    };
    if answers.is_empty() || is_meta(header) {
        return s;
    }
    let ints: Vec<i64> = answers
        .iter()
        .filter_map(|v| v.parse::<i64>().ok())
        .collect();
    let distinct: BTreeSet<String> = answers.iter().map(|v| v.to_string()).collect();
    if ints.len() == answers.len() && ints.iter().all(|n| (0..=10).contains(n)) {
        let (min, max) = (
            ints.iter().copied().min().unwrap_or(0),
            ints.iter().copied().max().unwrap_or(0),
        );
        let nps = asks_recommendation(header) && max <= 10;
        s.question = Question::Score { nps, min, max };
        let lo = if max > 5 { 0 } else { min.min(1) };
        let hi = if max > 5 { 10 } else { 5 };
        s.counts = (lo..=hi)
            .map(|k| (k.to_string(), ints.iter().filter(|n| **n == k).count()))
            .collect();
        s.mean = Some(ints.iter().sum::<i64>() as f64 / ints.len() as f64);
        if nps {
            s.nps = Some(nps_of(&s.counts));
        }
        return s;
    }
    if answers.iter().all(|v| yes_no(v).is_some()) {
        s.question = Question::YesNo;
        let yes = answers.iter().filter(|v| yes_no(v) == Some(true)).count();
        s.counts = vec![("yes".into(), yes), ("no".into(), answers.len() - yes)];
        return s;
    }
    // A choice repeats its answers; free text rarely does (and is longer).
    let repeated = distinct.len() <= MAX_CHOICES && distinct.len() * 2 <= answers.len();
    let short = distinct.iter().all(|a| a.chars().count() <= 60);
    if repeated && short {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for a in answers {
            *counts.entry(a).or_default() += 1;
        }
        let mut counts: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        s.question = Question::Choice {
            answers: counts.iter().map(|(k, _)| k.clone()).collect(),
        };
        s.counts = counts;
        return s;
    }
    s.question = Question::Comment;
    s.themes = themes(answers);
    s
}

/// Words too common to be a theme (French and English).
const STOP: &[&str] = &[
    "the", "and", "a", "an", "of", "to", "in", "is", "it", "was", "for", "on", "that", "this",
    "with", "but", "not", "be", "are", "very", "so", "too", "i", "we", "you", "they", "my", "our",
    "at", "as", "or", "all", "just", "really", "there", "had", "have", "has", "from", "were", "le",
    "la", "les", "un", "une", "des", "de", "du", "et", "est", "en", "pour", "pas", "que", "qui",
    "dans", "sur", "par", "plus", "tres", "trop", "il", "elle", "on", "nous", "vous", "je", "ce",
    "cette", "ces", "avec", "mais", "ou", "au", "aux", "a", "ai", "sont", "etait", "c", "l", "d",
    "j", "n", "s", "qu", "y", "ne", "se", "son", "sa", "ses", "leur", "leurs",
];

/// The words most comments use, each with its count and a few comments quoted as written.
pub fn themes(comments: &[&str]) -> Vec<Theme> {
    let mut by_word: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, c) in comments.iter().enumerate() {
        let folded = fold_lower(c);
        let words: BTreeSet<String> = folded
            .split(|ch: char| !ch.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3 && !STOP.contains(w))
            .filter(|w| !w.chars().all(|ch| ch.is_ascii_digit()))
            .map(str::to_string)
            .collect();
        for w in words {
            by_word.entry(w).or_default().push(i);
        }
    }
    let mut ranked: Vec<(String, Vec<usize>)> =
        by_word.into_iter().filter(|(_, v)| v.len() >= 2).collect();
    ranked.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(MAX_THEMES)
        .map(|(word, idx)| Theme {
            count: idx.len(),
            quotes: idx
                .iter()
                .take(MAX_QUOTES)
                .map(|&i| comments[i].trim().to_string())
                .collect(),
            word,
        })
        .collect()
}

/// A question's answer label as shown to a person (`yes`/`no` in the survey's language).
pub fn answer_label(answer: &str, lang: Lang) -> String {
    match (answer, lang) {
        ("yes", Lang::Fr) => "Oui".into(),
        ("no", Lang::Fr) => "Non".into(),
        ("yes", Lang::En) => "Yes".into(),
        ("no", Lang::En) => "No".into(),
        (a, _) => a.to_string(),
    }
}

/// Why a column cannot split the answers.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SegmentError {
    /// No column header matches the name asked for.
    #[error("no column \"{asked}\" (columns: {})", columns.join(", "))]
    NoSuchColumn {
        /// The name asked for.
        asked: String,
        /// The question columns there are.
        columns: Vec<String>,
    },
    /// The column is a score, a comment or not a question: its answers do not form groups.
    #[error("column \"{column}\" does not split the respondents into groups")]
    NotASegment {
        /// The column's header.
        column: String,
    },
}

/// The answers of one question, per segment value.
#[derive(Debug, Clone, Serialize)]
pub struct CrossQuestion {
    /// Column index in the table.
    pub column: usize,
    /// The question as its header says it.
    pub header: String,
    /// Its kind.
    pub question: Question,
    /// Respondents who answered it, per segment value.
    pub answered: Vec<usize>,
    /// Mean per segment value (scores; `None` where nobody of the group answered).
    pub means: Vec<Option<f64>>,
    /// NPS per segment value (the NPS question; `None` where nobody of the group answered).
    pub nps: Vec<Option<f64>>,
    /// Count of each answer per segment value (choices and yes/no: answers in the order of
    /// the whole survey's counts, `yes`/`no` for yes/no questions).
    pub counts: Vec<(String, Vec<usize>)>,
}

/// The survey's questions split by the answers to one segment question.
#[derive(Debug, Clone, Serialize)]
pub struct CrossTab {
    /// Column index of the segment question.
    pub column: usize,
    /// Its header.
    pub segment: String,
    /// Whether the segment is a yes/no question (values `yes`/`no`).
    pub yes_no: bool,
    /// Its values (answers as written, `yes`/`no` for a yes/no question), most frequent first.
    pub values: Vec<String>,
    /// Respondents in each group.
    pub sizes: Vec<usize>,
    /// Every score, choice and yes/no question but the segment itself.
    pub questions: Vec<CrossQuestion>,
}

/// The column `name` designates: same letters and digits (case and accents aside), else the
/// one header that contains them.
pub fn find_column(header: &[String], name: &str) -> Option<usize> {
    let key = |h: &str| -> String {
        fold_lower(h)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    };
    let want = key(name);
    if want.is_empty() {
        return None;
    }
    let keys: Vec<String> = header.iter().map(|h| key(h)).collect();
    if let Some(i) = keys.iter().position(|k| *k == want) {
        return Some(i);
    }
    let mut containing = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| want.chars().count() >= 3 && k.contains(&want));
    match (containing.next(), containing.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// Splits the answers of `rows` by the segment column named `name`. Answers are grouped as a
/// spreadsheet's COUNTIFS would (case aside), so the workbook's formulas find the same groups.
pub fn cross_tab(
    survey: &Survey,
    header: &[String],
    rows: &[Vec<String>],
    name: &str,
) -> Result<CrossTab, SegmentError> {
    let questions_kept = || {
        survey
            .questions
            .iter()
            .filter(|q| q.question != Question::Skipped)
    };
    let Some(col) = find_column(header, name) else {
        return Err(SegmentError::NoSuchColumn {
            asked: name.to_string(),
            columns: questions_kept().map(|q| q.header.clone()).collect(),
        });
    };
    let seg = survey
        .questions
        .iter()
        .find(|q| q.column == col)
        .filter(|q| matches!(q.question, Question::Choice { .. } | Question::YesNo))
        .ok_or_else(|| SegmentError::NotASegment {
            column: header.get(col).map_or(String::new(), |h| h.trim().into()),
        })?;
    let yes_no_seg = seg.question == Question::YesNo;
    let values: Vec<String> = seg.counts.iter().map(|(k, _)| k.clone()).collect();
    let rows: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    // The group of each row, if it answered the segment question.
    let group_of = |r: &Vec<String>| -> Option<usize> {
        let v = r.get(col).map(|v| v.trim()).filter(|v| !v.is_empty())?;
        if yes_no_seg {
            let k = if yes_no(v)? { "yes" } else { "no" };
            values.iter().position(|x| x == k)
        } else {
            values
                .iter()
                .position(|x| x.to_lowercase() == v.to_lowercase())
        }
    };
    let groups: Vec<Option<usize>> = rows.iter().map(|r| group_of(r)).collect();
    let n = values.len();
    let mut sizes = vec![0; n];
    for g in groups.iter().flatten() {
        sizes[*g] += 1;
    }
    let mut questions = Vec::new();
    for q in questions_kept().filter(|q| q.column != col) {
        let answers: Vec<(usize, &str)> = rows
            .iter()
            .zip(&groups)
            .filter_map(|(r, g)| {
                let v = r
                    .get(q.column)
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())?;
                Some(((*g)?, v))
            })
            .collect();
        let mut cq = CrossQuestion {
            column: q.column,
            header: q.header.clone(),
            question: q.question.clone(),
            answered: vec![0; n],
            means: vec![None; n],
            nps: vec![None; n],
            counts: Vec::new(),
        };
        for (g, _) in &answers {
            cq.answered[*g] += 1;
        }
        match &q.question {
            Question::Score { nps, .. } => {
                let mut sum = vec![0i64; n];
                let mut net = vec![0i64; n];
                for (g, v) in &answers {
                    let Ok(x) = v.parse::<i64>() else { continue };
                    sum[*g] += x;
                    net[*g] += match x {
                        9.. => 1,
                        7..=8 => 0,
                        _ => -1,
                    };
                }
                for g in 0..n {
                    let a = cq.answered[g];
                    if a > 0 {
                        cq.means[g] = Some(sum[g] as f64 / a as f64);
                        if *nps {
                            cq.nps[g] = Some(net[g] as f64 * 100.0 / a as f64);
                        }
                    }
                }
            }
            Question::YesNo => {
                let mut yes = vec![0; n];
                for (g, v) in &answers {
                    if yes_no(v) == Some(true) {
                        yes[*g] += 1;
                    }
                }
                let no = (0..n).map(|g| cq.answered[g] - yes[g]).collect();
                cq.counts = vec![("yes".into(), yes), ("no".into(), no)];
            }
            Question::Choice { .. } => {
                cq.counts = q
                    .counts
                    .iter()
                    .map(|(a, _)| {
                        let mut per = vec![0; n];
                        for (g, v) in &answers {
                            if v.to_lowercase() == a.to_lowercase() {
                                per[*g] += 1;
                            }
                        }
                        (a.clone(), per)
                    })
                    .collect();
            }
            Question::Comment | Question::Skipped => continue,
        }
        questions.push(cq);
    }
    Ok(CrossTab {
        column: col,
        segment: seg.header.clone(),
        yes_no: yes_no_seg,
        values,
        sizes,
        questions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut lines = csv
            .lines()
            .map(|l| l.split(';').map(str::to_string).collect());
        let header = lines.next().unwrap_or_default();
        (header, lines.collect())
    }

    #[test]
    fn scores_choices_yes_no_and_comments_are_told_apart() {
        let (h, rows) = table(
            "Horodatage;Recommanderiez-vous l'atelier ?;Satisfaction;Déjà client ?;Commentaire\n\
             01/03/2024;10;Très satisfait;Oui;Délais tenus, équipe sympa\n\
             02/03/2024;9;Satisfait;Non;Bon travail mais délais longs\n\
             03/03/2024;6;Satisfait;Oui;Trop cher\n\
             04/03/2024;8;Très satisfait;Oui;Équipe à l'écoute, délais tenus\n",
        );
        let s = analyse(&h, &rows);
        assert_eq!(s.respondents, 4);
        assert_eq!(s.questions[0].question, Question::Skipped);
        let nps = s.questions[1].nps.unwrap();
        assert_eq!((nps.promoters, nps.passives, nps.detractors), (2, 1, 1));
        assert!((nps.score - 25.0).abs() < 1e-9);
        assert_eq!(s.questions[1].mean, Some(8.25));
        assert!(matches!(s.questions[2].question, Question::Choice { .. }));
        assert_eq!(s.questions[2].counts[0], ("Satisfait".into(), 2));
        assert_eq!(s.questions[3].question, Question::YesNo);
        assert_eq!(s.questions[3].counts[0], ("yes".into(), 3));
        assert_eq!(s.questions[4].question, Question::Comment);
        let top = &s.questions[4].themes[0];
        assert_eq!((top.word.as_str(), top.count), ("delais", 3));
        assert!(!top.quotes.contains(&"Trop cher".to_string()));
        assert!(top.quotes[0].starts_with("Délais tenus"));
    }
}
