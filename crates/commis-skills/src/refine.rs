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
pub(crate) const FILLERS: &[&str] = &[
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
    "thank",
    "thanks",
    "standing",
    "sorry",
    "anything",
    "everything",
    "nothing",
    "quite",
    "pretty",
    "little",
    "alright",
    "whatever",
    "looking",
    "merci",
];

/// Content stems of a phrase: content words without fillers or elided articles, cut to four
/// letters so "relance"/"relancer" and "pose"/"poses" count as one.
pub(crate) fn stems(s: &str) -> HashSet<String> {
    content_words(s)
        .into_iter()
        .map(|w| {
            w.split_once('\'')
                .filter(|(a, _)| a.chars().count() <= 2)
                .map_or(w.as_str(), |(_, b)| b)
                .to_string()
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
        // "Marc (gérant), Julie (administration)" / "Marc Lemoine, Julie Martin" /
        // "Marc, Julie (et Kevin, intérimaire)": each part's leading capitalised words.
        let rest = rest.replace(" et ", ",").replace(" and ", ",");
        for part in rest.split([',', ';', '(', ')', '/']) {
            let name: Vec<&str> = part
                .split_whitespace()
                .skip_while(|w| ["et", "and", "avec", "with"].contains(w))
                .take_while(|w| w.chars().next().is_some_and(char::is_uppercase))
                .take(3)
                .collect();
            let name = name.join(" ");
            if name.chars().count() >= 2 && !out.contains(&name) {
                out.push(name);
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
pub(crate) fn is_bare_acceptance(folded: &str) -> bool {
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

/// French verb forms said in a meeting and their infinitive, for the irregular ones.
const IRREGULAR: &[(&str, &str)] = &[
    ("envoie", "envoyer"),
    ("envoies", "envoyer"),
    ("envoyez", "envoyer"),
    ("enverrai", "envoyer"),
    ("renvoie", "renvoyer"),
    ("renvoies", "renvoyer"),
    ("appelle", "appeler"),
    ("appelles", "appeler"),
    ("appellerai", "appeler"),
    ("rappelle", "rappeler"),
    ("rappelles", "rappeler"),
    ("fais", "faire"),
    ("fait", "faire"),
    ("faites", "faire"),
    ("ferai", "faire"),
    ("fera", "faire"),
    ("finis", "finir"),
    ("finit", "finir"),
    ("finissez", "finir"),
    ("previens", "prévenir"),
    ("previent", "prévenir"),
    ("prevenez", "prévenir"),
    ("prends", "prendre"),
    ("prend", "prendre"),
    ("prenez", "prendre"),
    ("prendrai", "prendre"),
    ("vois", "voir"),
    ("voit", "voir"),
    ("voyez", "voir"),
    ("ecris", "écrire"),
    ("ecrit", "écrire"),
    ("ecrivez", "écrire"),
    ("mets", "mettre"),
    ("met", "mettre"),
    ("mettez", "mettre"),
    ("transmets", "transmettre"),
    ("transmet", "transmettre"),
    ("achete", "acheter"),
    ("achetes", "acheter"),
    ("dis", "dire"),
    ("dit", "dire"),
    ("lis", "lire"),
    ("lit", "lire"),
    ("pars", "partir"),
    ("part", "partir"),
    ("sors", "sortir"),
    ("suis", "suivre"),
    ("suit", "suivre"),
    ("reponds", "répondre"),
    ("repond", "répondre"),
];

/// Modal and motion verbs dropped before the infinitive they carry ("tu peux facturer").
const MODALS: &[&str] = &[
    "peux", "peut", "pouvez", "pourrais", "pourriez", "dois", "doit", "devez", "vais", "vas", "va",
    "allez", "passe", "passes",
];

/// Object pronouns that stay in front of the verb ("les appeler", "lui envoyer").
const PRONOUNS: &[&str] = &[
    "le", "la", "les", "l'", "lui", "leur", "me", "m'", "y", "en", "nous",
];

/// The infinitive of a French conjugated verb ("relances" → "relancer", "préviens" →
/// "prévenir"), or `None` when the word does not look like one.
fn infinitive(word: &str) -> Option<String> {
    let f = fold_lower(word);
    if let Some((_, inf)) = IRREGULAR.iter().find(|(w, _)| *w == f) {
        return Some((*inf).to_string());
    }
    // Already an infinitive ("peux facturer" once the modal is gone).
    if ["er", "ir", "oir"].iter().any(|e| f.ends_with(e))
        || IRREGULAR.iter().any(|(_, inf)| fold_lower(inf) == f)
    {
        return Some(word.to_string());
    }
    let stem_of = |suffix: &str| word.strip_suffix(suffix).map(str::to_string);
    if f.ends_with("erai") || f.ends_with("eras") {
        return stem_of("ai").or_else(|| stem_of("as"));
    }
    if f.ends_with("es") && f.len() > 4 {
        return stem_of("s").map(|w| format!("{w}r"));
    }
    if f.ends_with("ez") && f.len() > 4 {
        return stem_of("z").map(|w| format!("{w}r"));
    }
    if f.ends_with('e') && f.len() > 3 && !f.ends_with("ee") {
        return Some(format!("{word}r"));
    }
    None
}

/// Rewrites a French spoken task as an instruction starting with an infinitive, without its
/// owner: "Karim, tu les appelles pour avoir une date" → "Les appeler pour avoir une date",
/// "Karim commande le chêne" → "Commander le chêne". Other text comes back unchanged.
pub(crate) fn as_instruction(what: &str, who: Option<&str>) -> String {
    let mut words: Vec<&str> = what.split_whitespace().collect();
    // "Karim, tu ..." / "Thomas et Karim, vous ..." / "Karim commande ...".
    if let Some(w) = who {
        let n = w.split_whitespace().count();
        if words.len() > n
            && fold_lower(&words[..n].join(" ")).trim_end_matches(',') == fold_lower(w)
        {
            words.drain(..n);
        }
    }
    while words.first().is_some_and(|w| {
        ["tu", "vous", "je", "moi", "moi,", "et"].contains(&fold_lower(w).as_str())
    }) {
        words.remove(0);
    }
    // "J'envoie" / "l'envoie": split the elided pronoun off.
    let mut lead: Vec<String> = Vec::new();
    let mut rest: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    if let Some(first) = rest.first().cloned() {
        let f = fold_lower(&first);
        if f.starts_with("j'") {
            // By characters: the original may hold accents or a typographic apostrophe.
            rest[0] = first.chars().skip(2).collect();
        }
    }
    while let Some(first) = rest.first().cloned() {
        let f = fold_lower(&first);
        if MODALS.contains(&f.as_str()) && rest.len() > 1 {
            rest.remove(0);
            continue;
        }
        if PRONOUNS.contains(&f.as_str()) && rest.len() > 1 {
            lead.push(f);
            rest.remove(0);
            continue;
        }
        if let Some(p) = ["l'", "m'", "t'"]
            .iter()
            .find(|p| f.starts_with(**p) && f.len() > 2)
        {
            lead.push((*p).to_string());
            rest[0] = first.chars().skip(2).collect();
        }
        break;
    }
    let Some(verb) = rest.first().and_then(|v| infinitive(v)) else {
        return what.to_string();
    };
    rest[0] = verb;
    let mut out = String::new();
    for p in &lead {
        out.push_str(p);
        if !p.ends_with('\'') {
            out.push(' ');
        }
    }
    out.push_str(&rest.join(" "));
    let out = out.trim_end_matches(['?', ' ', '.']).to_string();
    let out = out.strip_suffix(", alors").unwrap_or(&out).to_string();
    let mut cs = out.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().collect::<String>() + cs.as_str(),
        None => String::new(),
    }
}

/// Whether a sentence reads as French (more French than English glue words).
fn is_french(s: &str) -> bool {
    let f = format!(" {} ", fold_lower(s));
    let count = |ws: &[&str]| ws.iter().filter(|w| f.contains(*w)).count();
    count(&[
        " le ", " la ", " les ", " de ", " du ", " des ", " je ", " tu ", " l'", " d'", " et ",
        " pour ",
    ]) > count(&[
        " the ", " to ", " and ", " of ", " i ", " you ", " we ", " for ", " it ",
    ])
}

/// Whether the turn right after an item's sentence, by someone else, agrees to it.
fn agreed_by_another(item: &ActionItem, sentences: &[Sentence]) -> bool {
    let Some(pos) = sentences.iter().rposition(|s| s.line == item.line) else {
        return false;
    };
    let speaker = sentences[pos].speaker.as_deref();
    sentences[pos + 1..]
        .iter()
        .take_while(|n| n.line <= item.line + 1)
        .find(|n| n.speaker.is_some() && n.speaker.as_deref() != speaker)
        .is_some_and(|n| {
            let f = fold_lower(&n.text);
            [
                "d'accord",
                "ok",
                "oui",
                "ca marche",
                "entendu",
                "tres bien",
                "parfait",
                "agreed",
                "yes",
                "sure",
                "fine",
                "okay",
                "good idea",
                "bonne idee",
            ]
            .iter()
            .any(|a| f.starts_with(a))
        })
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
    sentences: &[Sentence],
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
    for mut item in kept {
        if item.kind == ItemKind::Task && item.who.is_none() && !explicit(&item) {
            // A duty nobody took but another participant agreed to ("Il faudra la faire
            // réviser, mais pas avant la fin des Tilleuls." / "D'accord.") is a decision.
            if agreed_by_another(&item, sentences) {
                item.kind = ItemKind::Decision;
            } else {
                continue;
            }
        }
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
    for item in &mut out {
        if item.kind == ItemKind::Task && is_french(&item.evidence) {
            item.what = as_instruction(&item.what, item.who.as_deref());
        }
    }
    let mut all = structured;
    all.extend(out);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_tasks_read_as_instructions() {
        let cases = [
            (
                "Karim, tu les appelles pour avoir une date ferme",
                Some("Karim"),
                "Les appeler pour avoir une date ferme",
            ),
            (
                "Karim commande le chêne avant le 20",
                Some("Karim"),
                "Commander le chêne avant le 20",
            ),
            (
                "Je l'envoie à Pierre Dupont aujourd'hui",
                Some("Julie"),
                "L'envoyer à Pierre Dupont aujourd'hui",
            ),
            (
                "Préviens la réception de l'hôtel",
                Some("Thomas"),
                "Prévenir la réception de l'hôtel",
            ),
            (
                "Posez aux Tilleuls le mardi 2 avril",
                Some("Thomas et Karim"),
                "Poser aux Tilleuls le mardi 2 avril",
            ),
            (
                "Peux facturer l'acompte Moreau la semaine prochaine",
                Some("Julie"),
                "Facturer l'acompte Moreau la semaine prochaine",
            ),
            (
                "Prépare un modèle d'avenant, alors",
                Some("Julie"),
                "Préparer un modèle d'avenant",
            ),
            (
                "Relancer Garage Petit",
                Some("Julie"),
                "Relancer Garage Petit",
            ),
            (
                "Fais réviser la scie avant le 15",
                Some("Karim"),
                "Faire réviser la scie avant le 15",
            ),
        ];
        for (what, who, want) in cases {
            assert_eq!(as_instruction(what, who), want, "{what}");
        }
    }

    #[test]
    fn participants_come_from_the_header_and_the_speakers() {
        let t = "Réunion\nPrésents : Marc Lemoine, Julie (administration) (et Kevin, intérimaire)\nMarc : Bonjour à tous, on commence.\nSophie : J'ai les plans du projet Moreau.\nMarc : Parfait, montre-les.\nSophie : Les voici, version trois.\n";
        let s = crate::summarize::split_sentences(t);
        assert_eq!(
            participants(t, &s),
            vec!["Marc Lemoine", "Julie", "Kevin", "Marc", "Sophie"]
        );
    }
}
