//! From cue matches to action items worth reading: every spoken action gets an owner who
//! attended, questions, hypotheticals, refusals and back-channel turns are dropped, and the
//! same task said twice (the request, the acceptance, the recap) becomes one item.
//!
//! Not for: finding the cues (that is [`crate::actions`]), nor laying out minutes
//! ([`crate::minutes`]).

use std::collections::HashSet;

use crate::actions::{ActionItem, ItemKind};
use crate::summarize::{Sentence, content_words};
use crate::text::fold_lower;

/// Transcription fillers that carry no content ("um", "yeah", "euh").
const FILLERS: &[&str] = &[
    "um",
    "uh",
    "umm",
    "hmm",
    "mm",
    "mmm",
    "mm-hmm",
    "uh-huh",
    "yeah",
    "yep",
    "okay",
    "ok",
    "right",
    "euh",
    "ben",
    "bah",
    "hein",
    "ouais",
    "voila",
    "like",
    "know",
    "mean",
    "just",
    "gonna",
    "think",
    "sort",
    "kind",
    "thing",
    "things",
    "actually",
    "really",
    "well",
    "maybe",
    "probably",
    "stuff",
    "something",
    "anyway",
    "mean",
    "guess",
    "sure",
    "good",
    "great",
];

/// Content stems of a phrase: content words without fillers or elided articles, cut to four
/// letters so "relance"/"relancer" and "pose"/"poses" count as one.
pub(crate) fn stems(s: &str) -> HashSet<String> {
    content_words(s)
        .into_iter()
        .map(|w| {
            let w = w
                .split_once('\'')
                .filter(|(a, _)| a.chars().count() <= 2)
                .map_or(w.as_str(), |(_, b)| b)
                .to_string();
            w
        })
        .filter(|w| w.chars().count() >= 3 && !FILLERS.contains(&w.as_str()))
        .map(|w| w.chars().take(4).collect())
        .collect()
}

/// Share of the smaller stem set found in the other (0 when either is empty).
pub(crate) fn overlap(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let small = a.len().min(b.len());
    if small == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / small as f64
}

/// The people of a meeting: the names on its "Participants :" / "Présents :" / "Attendees:"
/// line and every speaker of the transcript.
pub fn participants(text: &str, sentences: &[Sentence]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().take(12) {
        let Some((label, rest)) = line.split_once(':') else {
            continue;
        };
        let label = fold_lower(label.trim());
        if ![
            "participants",
            "presents",
            "present",
            "attendees",
            "present:",
            "participants presents",
            "etaient presents",
        ]
        .contains(&label.as_str())
        {
            continue;
        }
        // "Marc (gérant), Julie (administration)" / "Marc, Julie (et Kevin, intérimaire)".
        for token in rest.split(|c: char| !(c.is_alphabetic() || c == '-' || c == '\'')) {
            let starts_upper = token.chars().next().is_some_and(char::is_uppercase);
            if starts_upper && token.chars().count() >= 2 && !out.iter().any(|o| o == token) {
                out.push(token.to_string());
            }
        }
    }
    for s in sentences {
        if let Some(sp) = &s.speaker
            && !out.iter().any(|o| o == sp)
        {
            out.push(sp.clone());
        }
    }
    out
}

/// The names in an owner ("Thomas et Karim" → Thomas, Karim), folded.
fn owner_names(who: &str) -> Vec<String> {
    fold_lower(who)
        .replace(" et ", ",")
        .replace(" and ", ",")
        .replace(" & ", ",")
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn same_owner(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            let (a, b) = (owner_names(a), owner_names(b));
            a.iter().any(|x| b.contains(x))
        }
        _ => false,
    }
}

/// Whether everyone in the owner attended (when the meeting says who attended).
fn attended(who: &str, people: &[String]) -> bool {
    if people.is_empty() {
        return true;
    }
    let folded: Vec<String> = people.iter().map(|p| fold_lower(p)).collect();
    owner_names(who).iter().all(|n| {
        folded
            .iter()
            .any(|p| p == n || p.split_whitespace().any(|w| w == n))
    })
}

/// The sentence an item was read from (its own, not the context prepended to the evidence).
fn own_sentence(item: &ActionItem) -> String {
    let ev = item.evidence.as_str();
    // Evidence is "Speaker: sentence" possibly preceded by the sentence it answers.
    match ev.rfind(": ") {
        Some(i) if ev[..i].split_whitespace().count() <= 3 => ev[i + 2..].to_string(),
        _ => ev.to_string(),
    }
}

/// Said under a condition ("si ça empire", "if we", "au cas où"): not a commitment.
fn is_hypothetical(folded: &str) -> bool {
    let f = folded.trim_start_matches(|c: char| !c.is_alphanumeric());
    [
        "si ", "s'il", "s'ils", "if ", "au cas", "in case", "what if", "suppose", "unless",
        "a moins",
    ]
    .iter()
    .any(|p| f.starts_with(p))
        || [
            " would ",
            " could ",
            " might ",
            " pourrait ",
            " pourrions ",
            " faudrait ",
            " serait ",
        ]
        .iter()
        .any(|p| folded.contains(p))
            && !folded.contains("could you")
            && !folded.contains("would you")
}

/// An act done right there in the meeting ("let me just put the top in", "I'll go first",
/// "je vous montre"), an ability or a refusal to act, not a commitment for after it.
fn is_in_meeting_act(folded: &str) -> bool {
    [
        "let me",
        "i'll just",
        "i'm just",
        "i'll go first",
        "i'll start",
        "i'll begin",
        "present myself",
        "introduce myself",
        "i'll leave",
        "tell you",
        "show you",
        "i'll put that",
        "i'll be able to",
        "i'm not gonna",
        "i'm not going to",
        "i'll try",
        "i'll have to",
        "i'm gonna have to",
        "i'll draw",
        "i'm going to draw",
        "je commence",
        "je vous montre",
        "je vous presente",
        "je me presente",
        "je passe la parole",
        "je resume",
        "je recapitule",
    ]
    .iter()
    .any(|p| folded.contains(p))
}

/// A refusal or an answer to a question ("Non, je prends ma voiture"), not a task.
fn is_refusal(folded: &str) -> bool {
    let f = folded.trim_start();
    [
        "non,",
        "non ",
        "no,",
        "no ",
        "nope",
        "pas besoin",
        "not really",
    ]
    .iter()
    .any(|p| f.starts_with(p))
}

/// A question that asks for information ("Tu peux lui envoyer quand ?"), not a request.
fn is_open_question(folded: &str) -> bool {
    folded.trim_end().ends_with('?')
        && [
            "quand", "combien", "comment", "pourquoi", "ou ", "qui ", "quel", "when", "how", "why",
            "where", "what", "which", "est-ce",
        ]
        .iter()
        .any(|w| folded.contains(w))
}

/// A bare acceptance whose substance is the task it answers ("Je m'en occupe", "I'll do it").
fn is_bare_acceptance(folded: &str) -> bool {
    [
        "m'en occupe",
        "m'en charge",
        "je le fais",
        "je la fais",
        "je les fais",
        "c'est note",
        "i'll do it",
        "i'll take it",
        "i'll handle it",
        "i can do it",
        "i'll take care",
    ]
    .iter()
    .any(|p| folded.contains(p))
}

/// Folds `b` into `a`: the stronger priority, the first deadline found, both pieces of evidence.
fn absorb(a: &mut ActionItem, b: &ActionItem) {
    // Only an explicit urgency carries over: a recap that says nothing keeps "pas urgent".
    if b.priority == crate::actions::Priority::High {
        a.priority = b.priority;
    }
    if a.due.is_none() && b.due.is_some() || a.when.is_none() && b.when.is_some() {
        a.when = b.when.clone();
        a.due = b.due.clone();
    }
    if a.who.is_none() {
        a.who = b.who.clone();
    }
    if !a.evidence.contains(&b.evidence) && a.evidence.len() < 600 {
        a.evidence = format!("{} / {}", a.evidence, b.evidence);
    }
}

/// Keeps the spoken items that are real actions and decisions, merged; `structured` items
/// (read from an "Actions" table or list someone wrote) are kept as written.
pub(crate) fn refine(
    spoken: Vec<ActionItem>,
    structured: Vec<ActionItem>,
    people: &[String],
) -> Vec<ActionItem> {
    let mut kept: Vec<ActionItem> = Vec::new();
    let explicit = |a: &ActionItem| {
        let f = fold_lower(&a.evidence);
        f.contains("action:")
            || f.contains("action :")
            || f.contains("todo")
            || f.contains("a faire :")
            || a.evidence.trim_start().starts_with("->")
    };
    for item in spoken {
        if item.kind == ItemKind::Proposal {
            continue;
        }
        let sentence = own_sentence(&item);
        let folded = fold_lower(&sentence);
        let what = fold_lower(&item.what);
        if is_hypothetical(&folded)
            || is_hypothetical(&what)
            || is_refusal(&folded)
            || is_open_question(&folded)
            || item.kind == ItemKind::Task && is_in_meeting_act(&folded)
        {
            continue;
        }
        if item.kind == ItemKind::Task && stems(&item.what).len() < 2 {
            continue;
        }
        if item.kind == ItemKind::Decision && stems(&sentence).len() < 3 {
            continue;
        }
        kept.push(item);
    }
    // An unowned duty ("Il faut commander le chêne") takes the owner of the reply that accepts
    // it or of the request that follows and says the same thing.
    let mut i = 0;
    while i < kept.len() {
        if kept[i].kind == ItemKind::Task && kept[i].who.is_none() {
            let line = kept[i].line;
            let mine = stems(&kept[i].what);
            let partner = (i + 1..kept.len())
                .take_while(|&j| kept[j].line <= line + 2)
                .find(|&j| {
                    kept[j].kind == ItemKind::Task
                        && kept[j].who.is_some()
                        && (is_bare_acceptance(&fold_lower(&own_sentence(&kept[j])))
                            || overlap(&mine, &stems(&kept[j].what)) >= 0.5)
                });
            if let Some(j) = partner {
                let other = kept.remove(j);
                let bare = is_bare_acceptance(&fold_lower(&own_sentence(&other)));
                let a = &mut kept[i];
                if !bare && stems(&other.what).len() > mine.len() {
                    a.what = other.what.clone();
                }
                a.who = other.who.clone();
                absorb(a, &other);
            }
        }
        i += 1;
    }
    let mut out: Vec<ActionItem> = Vec::new();
    for item in kept {
        if item.kind == ItemKind::Task {
            match item.who.as_deref() {
                None if !explicit(&item) => continue,
                Some(w) if !attended(w, people) => continue,
                _ => {}
            }
        }
        let mine = stems(&item.what);
        let dup = out.iter().position(|o| {
            o.kind == item.kind
                && (item.kind == ItemKind::Decision
                    || same_owner(o.who.as_deref(), item.who.as_deref()))
                && overlap(&mine, &stems(&o.what)) >= 0.6
        });
        match dup {
            Some(d) => absorb(&mut out[d], &item),
            None => out.push(item),
        }
    }
    let mut all = structured;
    all.extend(out);
    all
}
