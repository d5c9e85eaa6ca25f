//! Action items (who does what, by when, how urgent), decisions and priorities from meeting
//! transcripts and notes, French and English.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::dates::{Date, find_dates};
use crate::summarize::{Sentence, split_sentences};
use crate::text::fold_lower;

/// How urgent an action item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Urgent, a priority, or due today.
    High,
    /// The default.
    Medium,
    /// Explicitly not urgent.
    Low,
}

/// Whether an item is a task someone does or a decision the group took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Someone will do something.
    Task,
    /// The group decided or agreed something.
    Decision,
    /// Someone proposed or required something ("you have to keep it under 12.50", "we could add a screen").
    Proposal,
}

/// One action item or decision found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionItem {
    /// Who does it: the speaker for "I'll...", the person named or addressed otherwise.
    pub who: Option<String>,
    /// What is to be done (or what was decided), from the sentence.
    pub what: String,
    /// The deadline words as said ("avant vendredi", "by Friday", "d'ici le 15").
    pub when: Option<String>,
    /// The deadline as an ISO date, when it can be resolved (explicit date, or relative to the
    /// meeting date found at the top of the text).
    pub due: Option<String>,
    /// How urgent.
    pub priority: Priority,
    /// Task or decision.
    pub kind: ItemKind,
    /// The sentence it was read from, with its speaker.
    pub evidence: String,
    /// 1-based line of the evidence in the text.
    pub line: usize,
}

fn re(p: &str) -> Regex {
    Regex::new(p).unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
}

/// First-person commitments, English and French (matched on accent-folded lower case).
static FIRST_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[\s,;:])(?:i'll|i will|i'm going to|i am going to|i'm gonna|i can take|i'll take|i take care|let me|j'(?:envoie|appelle|ecris|organise|imprime|achete|edite|irai|enverrai|appellerai|y vais|en parle)|je vais|je vois avec|je m'occupe|je m'en occupe|je me charge|j'appelle|je (?:les? |la |l'|leur |lui |vous |te |t'|y |en )*(?:relance|prepare|envoie|renvoie|appelle|rappelle|passe|fais|finis|commande|pose|contacte|verifie|redige|ecris|note|reserve|regarde|transmets|mets|organise|prends|facture|ferai|enverrai|appellerai|passerai|prendrai|relancerai|preparerai))(?-u:\b)",
    )
});

/// Requests to the person addressed, French ("tu factures", "tu peux me les préparer").
static SECOND_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[\s,;:])(?:tu|vous) (?:(?:me|m'|nous|lui|leur|les|le|la|l'|en|y) ?)*(?P<verb>peux|pourrais|pouvez|pourriez|dois|devez|vas|allez|as|avez|es|etes|sais|savez|vois|voyez|crois|croyez|veux|voulez|[a-z]+(?:es|ez))\b",
    )
});

/// Second-person verbs that ask or state, not request.
const NOT_REQUEST_VERBS: &[&str] = &[
    "es",
    "etes",
    "avez",
    "sais",
    "savez",
    "penses",
    "pensez",
    "crois",
    "croyez",
    "veux",
    "voulez",
    "trouves",
    "trouvez",
    "connais",
    "connaissez",
    "vois",
    "voyez",
    "as",
    "aimes",
    "aimez",
    "preferes",
    "preferez",
    "parles",
    "rappelles",
    "souviens",
];

/// Proposals and requirements, English and French.
static PROPOSAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[\s,;:])(?:you have to|you need to|you should|i suggest|i'd suggest|i propose|i would propose|we could|how about|why don't we|what if we|should be|has to be|must be|got to be|will be|would be useful|might be useful|je propose|je suggere|on pourrait|il faudrait|ce serait bien|pourquoi pas)(?-u:\b)",
    )
});

/// Group commitments ("we need to", "il faut", "on doit").
static GROUP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[\s,;:])(?:we need to|we have to|we've got to|we should|we must|we'll|we will|we're going to|we are going to|we're gonna|let's|need to|il faut|il faudra|faut que|on doit|on devra|on va|nous allons|nous devons|il faudrait)(?-u:\b)",
    )
});

/// Explicit markers ("Action :", "TODO", "à faire", "->").
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:->|→|=>|\[ \]|-\s*\[ \])|(?:^|\s)(?:action(?: item)?s?\s*:|todo(?-u:\b)|to do\s*:|a faire\s*:|next steps?\s*:|prochaines? etapes?\s*:)",
    )
});

/// A person named as the doer: "Julie, tu relances", "Sophie passe prendre", "Marc will call",
/// "X s'occupe de", "X doit", "John to send".
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<who>(?-u:\b)[\p{Lu}][\p{Ll}\-]+(?: (?:et|and|&) [\p{Lu}][\p{Ll}\-]+)?)(?:,\s*(?:tu|vous|you)(?: (?:peux|pouvez|can|could))?\s+\p{Ll}|\s+(?:will|is going to|'ll|is gonna|should|needs to|has to|to (?:send|call|prepare|check|write|book|update|finish|contact|follow|draft|review|order)|va|doit|devra|s'occupe|se charge|passe|prepare|prépare|relance|envoie|appelle|commande|pose|finit|fait|contacte|rappelle|vérifie|verifie|rédige|redige|fera|enverra|appellera|passera|posera|prendra)(?-u:\b))",
    )
});

/// Decision phrases.
static DECISION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?-u:\b)(?:c'est decide|on a decide|nous avons decide|il est decide|decision|on retient|on part sur|on garde|on valide|c'est valide|on fait comme ca|d'accord pour|we decided|we've decided|we have decided|it was decided|decided to|decision is|we agreed|we all agree|agreed on|agreed to|we'll go with|let's go with|we're going with|we are going with|we're gonna go with|settled on|the decision|so we'll use|we will use)(?-u:\b)",
    )
});

/// Deadline phrases; the first match is reported as `when`.
static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    let days = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday";
    re(&format!(
        r"(?:avant|d'ici|pour|by|before|until|jusqu'au|au plus tard|no later than|d'ici a)\s+(?:le |la |l'|the |this |next |ce |cette )?(?:(?:{days})(?: \d{{1,2}})?(?: prochain| matin| soir| apres-midi)?|\d{{1,2}}(?:er)?(?: [a-z]+)?|fin (?:du|de la) (?:mois|semaine|journee)|end of (?:the )?(?:month|week|day)|demain|tomorrow|la semaine prochaine|next week|lundi prochain|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)|(?-u:\b)(?:aujourd'hui|today|tonight|ce soir|cet apres-midi|ce matin|this afternoon|this morning|demain|tomorrow|(?:{days})(?: \d{{1,2}})?(?: prochain| matin| soir)?|la semaine prochaine|next week|asap|des que possible|au plus vite|dans la journee|end of (?:the )?(?:month|week)|fin du mois|fin de la semaine|next meeting|prochaine reunion|le \d{{1,2}}(?:er)? (?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre))(?-u:\b)"
    ))
});

const HIGH: &[&str] = &[
    "une priorite",
    "la priorite",
    "priorite numero",
    "urgent",
    "asap",
    "au plus vite",
    "des que possible",
    "priorite numero un",
    "en priorite",
    "top priority",
    "high priority",
    "critical",
    "critique",
    "immediatement",
    "tout de suite",
    "right away",
    "immediately",
    "c'est prioritaire",
    "priority",
];
const LOW: &[&str] = &[
    "pas urgent",
    "not urgent",
    "no rush",
    "pas presse",
    "quand tu peux",
    "when you can",
    "when you have time",
    "quand tu auras le temps",
    "rien ne presse",
    "low priority",
    "sans urgence",
];
const ACK: &[&str] = &[
    "oui",
    "ok",
    "okay",
    "d'accord",
    "parfait",
    "tres bien",
    "ca marche",
    "yes",
    "yeah",
    "great",
    "good",
    "sure",
    "fine",
    "merci",
    "super",
    "entendu",
    "note",
];

fn priority_of(folded: &str) -> Option<Priority> {
    if LOW.iter().any(|w| folded.contains(w)) {
        Some(Priority::Low)
    } else if HIGH.iter().any(|w| folded.contains(w)) {
        Some(Priority::High)
    } else {
        None
    }
}

/// Sentences that are questions or past reports are not commitments.
fn is_not_commitment(folded: &str, text: &str) -> bool {
    let t = text.trim();
    (t.ends_with('?') && !folded.contains(", tu ") && !folded.contains(", vous "))
        || folded.starts_with("j'ai ")
        || folded.contains(" j'ai fait")
        || folded.contains("je l'ai ")
        || folded.contains("did you")
        || folded.contains("i don't know")
        || folded.chars().filter(|c| c.is_alphabetic()).count() < 12
}

/// Finds the meeting date: the first date in the first lines of the text.
fn meeting_date(text: &str) -> Option<Date> {
    let head: String = text.lines().take(6).collect::<Vec<_>>().join("\n");
    find_dates(&head).first().map(|d| d.date)
}

const WEEKDAYS: [(&str, u32); 14] = [
    ("lundi", 0),
    ("mardi", 1),
    ("mercredi", 2),
    ("jeudi", 3),
    ("vendredi", 4),
    ("samedi", 5),
    ("dimanche", 6),
    ("monday", 0),
    ("tuesday", 1),
    ("wednesday", 2),
    ("thursday", 3),
    ("friday", 4),
    ("saturday", 5),
    ("sunday", 6),
];

/// Resolves deadline words against the meeting date.
fn resolve_when(when: &str, sentence: &str, meeting: Option<Date>) -> Option<Date> {
    if let Some(d) = find_dates(sentence).first() {
        return Some(d.date);
    }
    let m = meeting?;
    let w = fold_lower(when);
    if w.contains("aujourd'hui")
        || w.contains("today")
        || w.contains("ce soir")
        || w.contains("tonight")
        || w.contains("ce matin")
        || w.contains("apres-midi")
        || w.contains("this afternoon")
        || w.contains("this morning")
        || w.contains("dans la journee")
    {
        return Some(m);
    }
    if w.contains("demain") || w.contains("tomorrow") {
        return m.add_days(1);
    }
    if w.contains("fin du mois") || w.contains("end of the month") || w.contains("end of month") {
        return Some(m.end_of_month());
    }
    if w.contains("fin de la semaine") || w.contains("end of the week") || w.contains("end of week")
    {
        return m.add_days(i64::from(4u32.saturating_sub(m.weekday())));
    }
    for (name, wd) in WEEKDAYS {
        if w.contains(name) {
            let mut ahead = (i64::from(wd) - i64::from(m.weekday())).rem_euclid(7);
            if ahead == 0 {
                ahead = 7;
            }
            // "mardi 2 avril": an explicit day of the month wins over the weekday.
            if let Some(day) = w.split_whitespace().find_map(|t| t.parse::<u32>().ok()) {
                return day_of_month_after(m, day);
            }
            return m.add_days(ahead);
        }
    }
    // "le 2 avril", "avant le 30 avril": a day and a month, in the meeting's year (or the next).
    if let Some(d) = day_and_month(&w, m) {
        return Some(d);
    }
    // "le 15", "pour le 17", "avant le 20": that day of this month, or of the next.
    let day = w
        .split(|c: char| !c.is_ascii_digit())
        .find_map(|t| t.parse::<u32>().ok().filter(|d| (1..=31).contains(d)))?;
    day_of_month_after(m, day)
}

/// Who does what a sentence commits to, and by when: the person named ("Julie, tu
/// relances..."), the speaker for a first-person commitment ("je relance", "I'll send"), the
/// person addressed (`addressee`, who spoke just before) for a request ("tu factures"); the
/// deadline words as said and resolved against `meeting` ("vendredi" said on Tuesday 12 March
/// 2024 is 2024-03-15). An owner who is not among `participants` (when given) is not returned.
pub fn resolve_owner_and_date(
    sentence: &str,
    speaker: Option<&str>,
    addressee: Option<&str>,
    participants: &[String],
    meeting: Option<Date>,
) -> (Option<String>, Option<String>, Option<String>) {
    let folded = fold_lower(sentence);
    let named = NAMED
        .captures(sentence)
        .and_then(|c| c.name("who").map(|m| m.as_str().to_string()))
        .filter(|w| !is_not_a_person(w));
    let request = SECOND_PERSON
        .captures(&folded)
        .and_then(|c| c.name("verb"))
        .is_some_and(|v| !NOT_REQUEST_VERBS.contains(&v.as_str()));
    let who = named
        .or_else(|| {
            FIRST_PERSON
                .is_match(&folded)
                .then(|| speaker.map(str::to_string))
                .flatten()
        })
        .or_else(|| request.then(|| addressee.map(str::to_string)).flatten())
        .filter(|w| {
            participants.is_empty()
                || participants.iter().any(|p| {
                    fold_lower(p)
                        .split_whitespace()
                        .any(|x| fold_lower(w).contains(x))
                })
        });
    let when = DEADLINE
        .find(&folded)
        .map(|m| original_slice(sentence, &folded, m.start(), m.end()));
    let due = when
        .as_deref()
        .and_then(|w| resolve_when(w, sentence, meeting))
        .map(|d| d.to_iso());
    (who, when, due)
}

fn day_and_month(w: &str, m: Date) -> Option<Date> {
    static DM: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?P<d>\d{1,2})(?:er)? (?P<m>janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|january|february|march|april|may|june|july|august|september|october|november|december)(?-u:\b)",
        )
    });
    let c = DM.captures(w)?;
    let day: u32 = c.name("d")?.as_str().parse().ok()?;
    let probe = crate::dates::parse_date(&format!("{day} {} {}", c.name("m")?.as_str(), m.year))?;
    // A date long past in the meeting's year is next year's ("avant le 15 janvier", said in December).
    if probe < m && m.days_since_epoch() - probe.days_since_epoch() > 180 {
        Date::new(m.year + 1, probe.month, probe.day)
    } else {
        Some(probe)
    }
}

fn day_of_month_after(m: Date, day: u32) -> Option<Date> {
    if day >= m.day {
        Date::new(m.year, m.month, day)
    } else if m.month == 12 {
        Date::new(m.year + 1, 1, day)
    } else {
        Date::new(m.year, m.month + 1, day)
    }
}

/// Strips the commitment words in front of the task: "Je relance Dupont" -> "Relance Dupont".
fn task_text(text: &str) -> String {
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)^(?:(?:bon|ok|okay|alors|donc|so|and|et|oui|yes|yeah|right|well|d'accord|parfait|tres bien|très bien)[,.!]?\s+)*(?:moi,?\s+)?(?:i'll|i will|i'm going to|i'm gonna|we'll|we will|we need to|we have to|we should|let's|je vais|je m'occupe de|je me charge de|on va|il faut|il faudra|on doit|nous allons)\s+",
        )
    });
    // The doer is reported apart, so "Julie, tu relances X" / "Je relance X" read "Relance X";
    // kept when a pronoun follows ("tu les appelles"), which would read oddly on its own.
    static SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)^(?:(?:alors|bon|donc|et|ok|so|and)[,]?\s+)*(?:[\p{Lu}][\p{L}\-]+(?: (?:et|and) [\p{Lu}][\p{L}\-]+)?,\s*)?(?P<subj>je |j'|tu |vous )(?P<rest>(?:[^lmty]|l[^e']|le[^s ]|m[^e']|t[^e']|y[^ ]).*)$",
        )
    });
    static TAIL: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i),?\s*(?:c'est (?:urgent|decide|décidé|une priorité|une priorite|la priorité numéro un)|it's urgent|that's urgent)\s*[.!]?$",
        )
    });
    let t = LEAD.replace(text.trim(), "").to_string();
    let t = match SUBJECT.captures(&t) {
        Some(c) => {
            let rest = c.name("rest").map_or("", |m| m.as_str());
            let second_person = c
                .name("subj")
                .is_some_and(|m| m.as_str().eq_ignore_ascii_case("tu "));
            // "tu relances" -> "relance": the imperative of -er verbs drops the final s.
            match rest.split_once(' ') {
                Some((verb, tail)) if second_person && verb.ends_with("es") => {
                    format!("{} {tail}", &verb[..verb.len() - 1])
                }
                _ => rest.to_string(),
            }
        }
        None => t,
    };
    let t = TAIL.replace(&t, "").to_string();
    let t = t.trim().trim_end_matches(['.', '!']).trim();
    let mut cs = t.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().collect::<String>() + cs.as_str(),
        None => String::new(),
    }
}

/// Finds action items and decisions in a meeting transcript or notes.
///
/// Cues (French and English): first-person commitments ("I'll...", "je relance..."), a named
/// doer ("Marc will...", "Julie, tu relances...", "Sophie s'occupe de..."), group duties
/// ("we need to", "il faut"), explicit markers ("Action:", "TODO", "à faire", "->"), decisions
/// ("we decided", "c'est décidé"). Deadlines ("avant vendredi", "d'ici le 15", "by Friday") are
/// kept as said and resolved to a date against the meeting date when possible; urgency words set
/// the priority, also when said in the acknowledging reply ("Oui, ce n'est pas urgent").
///
/// Spoken items are then kept only when they are real actions: an owner who attended the
/// meeting (named, the speaker, or the person addressed), not a question, a hypothetical, a
/// refusal or a back-channel turn; the same task said twice (request, acceptance, recap) is
/// one item. Items read from an "Actions" table or list are kept as written.
pub fn action_items(text: &str) -> Vec<ActionItem> {
    let sentences = split_sentences(text);
    let (structured, spoken) = candidate_items_split(text, &sentences);
    let people = crate::refine::participants(text, &sentences);
    crate::refine::refine(spoken, structured, &people, &sentences)
}

/// Every cue match before [`action_items`] filters and merges them: the raw candidates, for
/// callers that want to judge for themselves.
pub fn candidate_items(text: &str) -> Vec<ActionItem> {
    let sentences = split_sentences(text);
    let (mut structured, spoken) = candidate_items_split(text, &sentences);
    structured.extend(spoken);
    structured
}

/// The items read from tables and lists, and the items read from speech.
fn candidate_items_split(text: &str, sentences: &[Sentence]) -> (Vec<ActionItem>, Vec<ActionItem>) {
    let meeting = meeting_date(text);
    let mut out: Vec<ActionItem> = table_actions(text, meeting);
    out.extend(section_items(text, meeting));
    let n_structured = out.len();
    let table_lines: Vec<usize> = out.iter().map(|a| a.line).collect();
    // The last request addressed to someone (index in `out`, line), which a reply may accept.
    let mut last_request: Option<(usize, usize, bool)> = None;
    for (i, s) in sentences.iter().enumerate() {
        if !table_lines.is_empty() && table_lines.iter().any(|&l| s.line >= l && s.line < l + 4) {
            continue;
        }
        let folded = fold_lower(&s.text);
        let first = FIRST_PERSON.is_match(&folded);
        let group = GROUP.is_match(&folded);
        let marker = MARKER.is_match(&folded) || s.text.trim_start().starts_with("->");
        let named = NAMED
            .captures(&s.text)
            .and_then(|c| c.name("who").map(|m| m.as_str().to_string()))
            .filter(|w| !is_not_a_person(w));
        let decision = DECISION.is_match(&folded);
        let request = SECOND_PERSON
            .captures(&folded)
            .and_then(|c| c.name("verb"))
            .is_some_and(|v| !NOT_REQUEST_VERBS.contains(&v.as_str()));
        // The person addressed is whoever spoke just before, when not named.
        let addressee = sentences[..i]
            .iter()
            .rev()
            .find(|p| p.speaker.is_some() && p.speaker != s.speaker)
            .and_then(|p| p.speaker.clone())
            .filter(|_| s.speaker.is_some());
        let proposal = PROPOSAL.is_match(&folded);
        if !(first
            || group
            || marker
            || named.is_some()
            || decision
            || proposal
            || request && addressee.is_some())
        {
            continue;
        }
        let polite_request = [
            "tu peux",
            "tu pourrais",
            "vous pouvez",
            "vous pourriez",
            "can you",
            "could you",
        ]
        .iter()
        .any(|p| folded.starts_with(p) || folded.contains(&format!(", {p}")));
        // "Je m'en occupe." is short but takes the task said just before.
        let accepts = crate::refine::is_bare_acceptance(&folded) && first;
        if is_not_commitment(&folded, &s.text)
            && !marker
            && !decision
            && !polite_request
            && !accepts
        {
            continue;
        }
        // "Julie, tu les as relancés ?" asks about the past: not a task.
        if s.text.trim_end().ends_with('?') && !request && !polite_request && !marker && !first {
            continue;
        }
        let who = if let Some(n) = named.clone() {
            Some(n)
        } else if first {
            s.speaker.clone()
        } else if request {
            addressee.clone()
        } else {
            None
        };
        let mut when = DEADLINE
            .find(&folded)
            .map(|m| original_slice(&s.text, &folded, m.start(), m.end()));
        let mut priority = priority_of(&folded);
        // The reply to a commitment often sets its deadline or urgency: "Oui, pas urgent, pour la fin du mois."
        if let Some(next) = sentences
            .get(i + 1)
            .filter(|n| n.speaker.is_some() && n.speaker != s.speaker && n.line <= s.line + 2)
        {
            let nf = fold_lower(&next.text);
            if ACK.iter().any(|a| nf.starts_with(a)) {
                let next_text = follow_up_text(sentences, i + 1);
                let nf = fold_lower(&next_text);
                if when.is_none() {
                    when = DEADLINE
                        .find(&nf)
                        .map(|m| original_slice(&next_text, &nf, m.start(), m.end()));
                }
                if priority.is_none() {
                    priority = priority_of(&nf);
                }
            }
        }
        let due = when
            .as_deref()
            .and_then(|w| resolve_when(w, &s.text, meeting))
            .map(|d| d.to_iso());
        // Urgency said just before, in the same turn: "Ça, c'est urgent. Julie, tu relances..."
        let priority = priority
            .or_else(|| {
                i.checked_sub(1)
                    .map(|p| &sentences[p])
                    // Only a short remark, not another task of a recap ("Karim commande..., priorité numéro un.").
                    .filter(|p| {
                        p.line == s.line
                            && crate::summarize::content_words(&p.text).len() < 6
                            && !NAMED.is_match(&p.text)
                    })
                    .and_then(|p| priority_of(&fold_lower(&p.text)))
            })
            .unwrap_or(Priority::Medium);
        let kind = if decision && !first && named.is_none() {
            ItemKind::Decision
        } else if proposal && !(first || group || marker || named.is_some() || request) {
            ItemKind::Proposal
        } else {
            ItemKind::Task
        };
        let evidence = match &s.speaker {
            Some(sp) => format!("{sp}: {}", s.text),
            None => s.text.clone(),
        };
        let mut what = task_text(&s.text);
        let mut evidence = evidence;
        // "C'est décidé." / "Je m'en occupe." / "I'll do it.": the substance is the sentence before.
        // Only a bare acceptance points back: "Je m'en occupe", "Je le fais mardi", "I'll do it", "C'est décidé".
        let short = crate::summarize::content_words(&s.text).len() < 3
            && [
                "m'en occupe",
                "m'en charge",
                "je le fais",
                "je la fais",
                "je les fais",
                "je fais ca",
                "i'll do it",
                "i'll take it",
                "i'll handle",
                "i can do it",
                "c'est decide",
                "c'est note",
                "agreed",
                "deal",
                "ca marche",
                "je m'y mets",
            ]
            .iter()
            .any(|p| folded.contains(p));
        // "Tu peux me les préparer ?": the object is named in the sentence before; keep it as evidence.
        if !short
            && request
            && named.is_none()
            && crate::summarize::content_words(&s.text).len() < 6
            && i > 0
        {
            let prev = &sentences[i - 1];
            if let Some(sp) = &prev.speaker {
                evidence = format!("{sp}: {} {evidence}", prev.text);
            }
        }
        if short && i > 0 {
            let prev = &sentences[i - 1];
            if prev.line + 2 >= s.line {
                what = task_text(&prev.text);
                let prev_ev = match &prev.speaker {
                    Some(sp) if prev.line != s.line => format!("{sp}: {}", prev.text),
                    _ => prev.text.clone(),
                };
                evidence = format!("{prev_ev} {evidence}");
            }
        } else if kind == ItemKind::Decision
            && i > 0
            && sentences[i - 1].line == s.line
            && crate::summarize::content_words(&s.text).len() < 5
        {
            // "On reste autour de 14 700. On ne descend pas en dessous, c'est décidé.": the
            // decision is what the same turn said just before.
            let prev = &sentences[i - 1];
            what = format!("{}. {}", task_text(&prev.text), s.text.trim());
            evidence = match &s.speaker {
                Some(sp) => format!("{sp}: {} {}", prev.text, s.text),
                None => format!("{} {}", prev.text, s.text),
            };
        }
        // "Julie, tu relances les Tilleuls." / "Julie : Je les appelle aujourd'hui.": one task, accepted.
        if first
            && kind == ItemKind::Task
            && let Some((idx, _, was_named)) =
                last_request.filter(|(idx, line, _)| *idx + 1 == out.len() && line + 2 >= s.line)
        {
            let prev = &mut out[idx];
            // The reply accepts the request when it comes from the person named, or, for an
            // unnamed "tu ...", when it is a bare acceptance ("Je le fais mardi").
            let accepts = prev.who == s.speaker
                || (!was_named && crate::summarize::content_words(&s.text).len() < 4);
            if accepts && prev.evidence.split(':').next() != s.speaker.as_deref() {
                prev.who = s.speaker.clone().or(prev.who.take());
                // The reply's deadline wins when the request had none or only a vague one.
                if prev.when.is_none() || prev.due.is_none() && due.is_some() {
                    prev.when = when;
                    prev.due = due;
                }
                prev.priority = prev.priority.min(priority);
                if !prev.evidence.contains(&evidence) {
                    prev.evidence = format!("{} {evidence}", prev.evidence);
                }
                last_request = None;
                continue;
            }
        }
        if what.is_empty() {
            continue;
        }
        // "Il faut commander le chêne." / "Karim : Je m'en occupe.": the same task, now owned.
        if let Some(o) = out.iter_mut().find(|o| o.what == what) {
            if o.who.is_none() && who.is_some() {
                o.who = who;
                o.evidence = evidence;
            }
            continue;
        }
        last_request = (kind == ItemKind::Task && (request || named.is_some()) && !first)
            .then_some((out.len(), s.line, named.is_some()));
        out.push(ActionItem {
            who,
            what,
            when,
            due,
            priority,
            kind,
            evidence,
            line: s.line,
        });
    }
    let spoken = out.split_off(n_structured);
    (out, spoken)
}

/// Header words of an action table, per column role.
const WHO_HEADERS: &[&str] = &[
    "qui",
    "who",
    "responsable",
    "owner",
    "porteur",
    "assigne a",
    "assignee",
    "pilote",
];
const WHAT_HEADERS: &[&str] = &[
    "action",
    "actions",
    "tache",
    "taches",
    "task",
    "quoi",
    "what",
    "a faire",
    "todo",
    "description",
];
const WHEN_HEADERS: &[&str] = &[
    "echeance",
    "deadline",
    "due",
    "due date",
    "date",
    "quand",
    "when",
    "pour le",
    "delai",
    "date limite",
];

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Who,
    What,
    When,
    Other,
}

fn header_role(cell: &str) -> Option<Col> {
    let c = fold_lower(cell.trim().trim_end_matches(':'));
    if WHO_HEADERS.contains(&c.as_str()) {
        Some(Col::Who)
    } else if WHAT_HEADERS.contains(&c.as_str()) {
        Some(Col::What)
    } else if WHEN_HEADERS.contains(&c.as_str()) {
        Some(Col::When)
    } else if c == "priorite" || c == "priority" || c == "statut" || c == "status" {
        Some(Col::Other)
    } else {
        None
    }
}

/// Action tables ("Qui | Action | Échéance"), written as rows of cells or, as Word tables
/// often come out of text extraction, one cell per line.
fn table_actions(text: &str, meeting: Option<Date>) -> Vec<ActionItem> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // Row mode: one line holds all the headers.
        let row_cells: Vec<&str> = crate::text::cells(lines[i].1)
            .into_iter()
            .map(|(_, c)| c)
            .filter(|c| !c.chars().all(|ch| ch == '|'))
            .collect();
        let row_roles: Vec<Option<Col>> = row_cells.iter().map(|c| header_role(c)).collect();
        let (cols, mut j, row_mode) =
            if row_cells.len() >= 2 && row_roles.iter().all(Option::is_some) {
                (
                    row_roles.into_iter().flatten().collect::<Vec<_>>(),
                    i + 1,
                    true,
                )
            } else {
                // Line mode: consecutive lines, each a header cell.
                let mut k = 0;
                while i + k < lines.len()
                    && k < 5
                    && header_role(lines[i + k].1).is_some()
                    && lines[i + k].1.len() < 20
                {
                    k += 1;
                }
                let mut cols: Vec<Col> = lines[i..i + k]
                    .iter()
                    .filter_map(|(_, l)| header_role(l))
                    .collect();
                // A section title ("Actions") above the header cells repeats a role: drop it.
                while cols.len() > 1 && cols[1..].contains(&cols[0]) {
                    cols.remove(0);
                }
                (cols, i + k, false)
            };
        if cols.len() < 2
            || !cols.contains(&Col::What)
            || !(cols.contains(&Col::Who) || cols.contains(&Col::When))
        {
            i += 1;
            continue;
        }
        loop {
            let row: Vec<(usize, String)> = if row_mode {
                let Some((ln, l)) = lines.get(j) else { break };
                if l.chars().all(|c| matches!(c, '-' | '|' | ':' | ' ' | '+')) {
                    j += 1;
                    continue;
                }
                let cs: Vec<String> = crate::text::cells(l)
                    .into_iter()
                    .map(|(_, c)| c.to_string())
                    .filter(|c| c != "|")
                    .collect();
                if cs.len() != cols.len() {
                    break;
                }
                cs.into_iter().map(|c| (*ln, c)).collect()
            } else {
                if j + cols.len() > lines.len() {
                    break;
                }
                lines[j..j + cols.len()]
                    .iter()
                    .map(|(ln, l)| (*ln, l.to_string()))
                    .collect()
            };
            // A row must look like one: a short "who", a date-ish "when".
            let ok = cols.iter().zip(&row).all(|(c, (_, v))| match c {
                Col::Who => v.split_whitespace().count() <= 4 && v.len() <= 40,
                Col::When => v.len() <= 40,
                _ => true,
            });
            if !ok {
                break;
            }
            let get = |c: Col| cols.iter().position(|x| *x == c).map(|p| row[p].1.clone());
            let Some(what) = get(Col::What) else { break };
            let when = get(Col::When);
            let due = when
                .as_deref()
                .and_then(|w| resolve_when(w, w, meeting))
                .map(|d| d.to_iso());
            let folded = fold_lower(
                &row.iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            out.push(ActionItem {
                who: get(Col::Who),
                what: what.clone(),
                when,
                due,
                priority: priority_of(&folded).unwrap_or(Priority::Medium),
                kind: ItemKind::Task,
                evidence: row
                    .iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
                line: row[0].0,
            });
            j += if row_mode { 1 } else { cols.len() };
        }
        i = j.max(i + 1);
    }
    out
}

/// Items listed under a "Décisions" or "Actions" heading, one bullet per item:
/// "– Fermeture de l'atelier du 5 au 18 août." / "- Julie : relancer Dupont avant le 30/04".
fn section_items(text: &str, meeting: Option<Date>) -> Vec<ActionItem> {
    static WHO_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^(?P<who>[\p{Lu}][\p{L}\-]+(?: (?:et|and|&) [\p{Lu}][\p{L}\-]+)?)\s*(?::|->|→|–|-)\s+(?P<what>.+)$",
        )
    });
    let mut out = Vec::new();
    let mut section: Option<ItemKind> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let bare = line
            .trim_start_matches(['#', '*', ' '])
            .trim_end_matches(['*', ':', ' ']);
        let heading = fold_lower(bare);
        if line.is_empty() {
            continue;
        }
        if [
            "decisions",
            "decisions prises",
            "decided",
            "releve de decisions",
            "what we decided",
        ]
        .contains(&heading.as_str())
        {
            section = Some(ItemKind::Decision);
            continue;
        }
        if [
            "actions",
            "action items",
            "a faire",
            "todo",
            "to do",
            "next steps",
            "prochaines etapes",
            "taches",
        ]
        .contains(&heading.as_str())
        {
            section = Some(ItemKind::Task);
            continue;
        }
        let Some(kind) = section else { continue };
        let is_bullet = line.starts_with(['-', '–', '•', '*', '·'])
            || line.chars().next().is_some_and(|c| c.is_ascii_digit()) && line.contains(['.', ')']);
        if !is_bullet {
            // The list ends at the first line that is not a bullet.
            section = None;
            continue;
        }
        let body = line.trim_start_matches(|c: char| {
            c.is_ascii_digit() || matches!(c, '-' | '–' | '•' | '*' | '·' | '.' | ')' | ' ')
        });
        let (who, what) = match WHO_PREFIX.captures(body) {
            Some(c) if kind == ItemKind::Task => (
                c.name("who").map(|m| m.as_str().to_string()),
                c.name("what").map_or(body, |m| m.as_str()).to_string(),
            ),
            _ => (None, body.to_string()),
        };
        let folded = fold_lower(&what);
        let when = DEADLINE
            .find(&folded)
            .map(|m| original_slice(&what, &folded, m.start(), m.end()));
        let due = when
            .as_deref()
            .and_then(|w| resolve_when(w, &what, meeting))
            .map(|d| d.to_iso());
        out.push(ActionItem {
            who,
            what: what.trim_end_matches('.').to_string(),
            when,
            due,
            priority: priority_of(&folded).unwrap_or(Priority::Medium),
            kind,
            evidence: line.to_string(),
            line: i + 1,
        });
    }
    out
}

/// The sentences of the same turn after `i`, joined (a reply often spans two sentences).
fn follow_up_text(sentences: &[Sentence], i: usize) -> String {
    let line = sentences[i].line;
    sentences[i..]
        .iter()
        .take_while(|s| s.line == line)
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The original text for a byte range found in its folded form (same char count per char
/// except for rare ligatures, so map by characters).
fn original_slice(original: &str, folded: &str, start: usize, end: usize) -> String {
    let (f, map) = crate::text::fold_lower_with_map(original);
    if f == folded && end < map.len() {
        return original[map[start]..map[end]].to_string();
    }
    folded[start..end].to_string()
}

/// Capitalised words that start sentences but are not people.
fn is_not_a_person(w: &str) -> bool {
    const NOT: &[&str] = &[
        "Je",
        "On",
        "Il",
        "Elle",
        "Nous",
        "Vous",
        "Ils",
        "Ce",
        "Ca",
        "Ça",
        "Cela",
        "Le",
        "La",
        "Les",
        "Un",
        "Une",
        "Et",
        "Mais",
        "Donc",
        "Alors",
        "Bon",
        "Oui",
        "Non",
        "Si",
        "It",
        "He",
        "She",
        "We",
        "They",
        "This",
        "That",
        "The",
        "And",
        "But",
        "So",
        "Yes",
        "No",
        "There",
        "What",
        "Which",
        "Who",
        "Then",
        "If",
        "Okay",
        "Well",
        "Right",
        "Yeah",
        "Tout",
        "Rien",
        "Personne",
        "Chacun",
        "Quelqu",
        "Everyone",
        "Someone",
        "Nobody",
        "Everybody",
        "Qui",
        "Que",
        "Quand",
        "Comment",
        "Pourquoi",
        "Où",
        "Tu",
        "Moi",
        "Toi",
        "Lui",
        "Aujourd",
        "Demain",
        "Hier",
        "Maintenant",
        "Now",
        "Today",
        "Tomorrow",
        "Normalement",
        "Sinon",
        "Ensuite",
        "Puis",
        "Après",
    ];
    NOT.contains(&w) || w.len() < 2
}

/// The priorities stated in a text ("priorité numéro un", "urgent", "top priority", numbered
/// priority lists), strongest first, without duplicates.
pub fn priorities(text: &str) -> Vec<String> {
    static ORDINAL: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^(?:(?P<w>un|une|deux|trois|quatre|cinq|one|two|three|four|five|premier|premierement|deuxiemement|troisiemement|first|second|third|secondly|thirdly)(?-u:\b)|(?P<n>\d{1,2})[.)])\s*[:.),\-]?\s*",
        )
    });
    let sentences = split_sentences(text);
    let mut scored: Vec<(u8, usize, String)> = Vec::new();
    // An announced list: "Les priorités de la semaine. Un : ... Deux : ... Trois : ..."
    let mut i = 0;
    while i < sentences.len() {
        let f = fold_lower(&sentences[i].text);
        if f.contains("priorites") || f.contains("priorities") {
            let mut rank = 0;
            let mut j = i + 1;
            while let Some(next) = sentences.get(j).filter(|n| n.line <= sentences[i].line + 8) {
                let nf = fold_lower(&next.text);
                let Some(m) = ORDINAL.find(&nf) else { break };
                rank += 1;
                let item = crate::text::collapse_spaces(&original_slice(
                    &next.text,
                    &nf,
                    m.end(),
                    nf.len(),
                ));
                scored.push((
                    5,
                    i * 100 + rank,
                    format!("{rank}. {}", item.trim_end_matches('.')),
                ));
                j += 1;
            }
            if rank > 0 {
                i = j;
                continue;
            }
        }
        i += 1;
    }
    for (i, s) in sentences.iter().enumerate() {
        let f = fold_lower(&s.text);
        let score = if f.contains("priorite numero un")
            || f.contains("top priority")
            || f.contains("first priority")
            || f.contains("priorite absolue")
        {
            4
        } else if f.contains("urgent") && !f.contains("pas urgent") && !f.contains("not urgent")
            || f.contains("asap")
            || f.contains("au plus vite")
        {
            3
        } else if f.contains("priorit")
            || f.contains("en premier")
            || f.contains("d'abord") && f.len() > 30
            || f.contains("first of all")
            || f.contains("most important")
            || f.contains("le plus important")
        {
            2
        } else if f.contains("important") && !f.contains("pas important") {
            1
        } else {
            0
        };
        if score == 0 || f.chars().filter(|c| c.is_alphabetic()).count() < 10 {
            continue;
        }
        let mut t = match &s.speaker {
            Some(sp) => format!("{sp}: {}", s.text),
            None => s.text.clone(),
        };
        // "Ce sera la priorité d'avril." needs the sentence before to say what "ce" is.
        let anaphoric = [
            "ce sera",
            "c'est",
            "ca sera",
            "it's",
            "that's",
            "it will be",
            "this is",
        ]
        .iter()
        .any(|a| f.starts_with(a) || f.contains(&format!(", {a}")));
        if anaphoric && i > 0 && crate::summarize::content_words(&s.text).len() < 8 {
            t = format!("{} {t}", sentences[i - 1].text);
        }
        if !scored.iter().any(|(_, _, x)| *x == t) {
            scored.push((score, i, t));
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, _, t) in scored {
        if !out.iter().any(|o| o.contains(&t) || t.contains(o.as_str())) {
            out.push(t);
        }
    }
    out
}

/// The decisions in a text (the `Decision` items of [`action_items`]), as sentences.
pub fn decisions(text: &str) -> Vec<String> {
    action_items(text)
        .into_iter()
        .filter(|a| a.kind == ItemKind::Decision)
        .map(|a| a.evidence)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FR: &str = "Réunion d'équipe – mardi 12 mars 2024\n\
Marc : Bon, on commence.\n\
Karim : Les placards sont montés. Normalement c'est fini jeudi.\n\
Julie : Je prépare un modèle d'avenant, alors.\n\
Marc : Oui, merci. Ce n'est pas urgent, pour la fin du mois.\n\
Marc : Julie, tu relances le Garage Petit pour le devis d'ici vendredi.\n\
Karim : Je commande le chêne avant le 20, c'est urgent.\n\
Marc : On le note : toute modification passe par un avenant signé. C'est décidé.\n\
Sophie : Est-ce que tu as vu le mail ?\n";

    #[test]
    fn finds_french_tasks_with_who_when_and_priority() {
        let items = action_items(FR);
        let find = |w: &str| {
            items
                .iter()
                .find(|a| a.what.contains(w))
                .unwrap_or_else(|| panic!("no item with {w}: {items:#?}"))
        };
        let avenant = find("modèle d'avenant");
        assert_eq!(avenant.who.as_deref(), Some("Julie"));
        assert_eq!(avenant.priority, Priority::Low);
        assert_eq!(avenant.due.as_deref(), Some("2024-03-31"));
        let relance = find("le Garage Petit");
        assert_eq!(relance.who.as_deref(), Some("Julie"));
        assert_eq!(relance.when.as_deref(), Some("d'ici vendredi"));
        assert_eq!(relance.due.as_deref(), Some("2024-03-15"));
        let chene = find("chêne");
        assert_eq!(chene.who.as_deref(), Some("Karim"));
        assert_eq!(chene.priority, Priority::High);
        assert_eq!(chene.due.as_deref(), Some("2024-03-20"));
        assert!(
            items
                .iter()
                .any(|a| a.kind == ItemKind::Decision && a.evidence.contains("avenant signé"))
        );
        assert!(
            !items.iter().any(|a| a.evidence.contains("Est-ce que")),
            "questions are not tasks"
        );
    }

    #[test]
    fn finds_english_tasks() {
        let t = "Meeting 2024-03-13\nAnna: I'll send the revised quote to Dupont by Friday.\nBob: Yeah.\nAnna: Bob will call the supplier tomorrow, it's urgent.\nBob: We decided to keep the oak finish.\nAction: update the price list\n";
        let items = action_items(t);
        assert!(
            items.iter().any(|a| a.who.as_deref() == Some("Anna")
                && a.what.starts_with("Send the revised quote")
                && a.due.as_deref() == Some("2024-03-15")),
            "{items:#?}"
        );
        assert!(
            items.iter().any(|a| a.who.as_deref() == Some("Bob")
                && a.priority == Priority::High
                && a.due.as_deref() == Some("2024-03-14")),
            "{items:#?}"
        );
        assert!(items.iter().any(|a| a.kind == ItemKind::Decision));
        assert!(
            items
                .iter()
                .any(|a| a.what.contains("update the price list"))
        );
    }

    #[test]
    fn reads_action_tables_in_rows_and_one_cell_per_line() {
        let cells = "Compte rendu du 23 avril 2024\nActions\nQui\nAction\nÉchéance\nJulie\nRelancer Dupont\n30/04/2024\nKarim\nCommander la plaqueuse\n15/05/2024\nProchaine réunion : mardi 7 mai 2024, 8 h.";
        let items = action_items(cells);
        assert_eq!(items.len(), 2, "{items:#?}");
        assert_eq!(items[0].who.as_deref(), Some("Julie"));
        assert_eq!(items[0].what, "Relancer Dupont");
        assert_eq!(items[0].due.as_deref(), Some("2024-04-30"));
        let md = "| Who | Action | Due |\n|---|---|---|\n| Anna | Send the quote | 2024-05-02 |\n| Bob | Call the bank | 03/05/2024 |\n";
        let items = action_items(md);
        assert_eq!(items.len(), 2, "{items:#?}");
        assert_eq!(items[1].who.as_deref(), Some("Bob"));
        assert_eq!(items[1].due.as_deref(), Some("2024-05-03"));
    }

    #[test]
    fn reads_decision_and_action_sections_of_minutes() {
        let t = "Compte rendu du 23 avril 2024\nDécisions\n– Fermeture de l'atelier du 5 au 18 août 2024.\n– Achat de la plaqueuse en mai.\n\n## Actions\n- Julie : relancer Dupont avant le 30/04/2024\n- Karim : commander la plaqueuse, urgent\nProchaine réunion : 7 mai.";
        let items = action_items(t);
        let decisions: Vec<_> = items
            .iter()
            .filter(|a| a.kind == ItemKind::Decision)
            .map(|a| a.what.as_str())
            .collect();
        assert_eq!(
            decisions,
            vec![
                "Fermeture de l'atelier du 5 au 18 août 2024",
                "Achat de la plaqueuse en mai"
            ]
        );
        let julie = items
            .iter()
            .find(|a| a.who.as_deref() == Some("Julie"))
            .unwrap();
        assert_eq!(julie.what, "relancer Dupont avant le 30/04/2024");
        assert_eq!(julie.due.as_deref(), Some("2024-04-30"));
        assert_eq!(
            items
                .iter()
                .find(|a| a.who.as_deref() == Some("Karim"))
                .unwrap()
                .priority,
            Priority::High
        );
    }

    #[test]
    fn priorities_are_ranked() {
        let p = priorities(
            "Marc : Le plus important, c'est la mairie.\nMarc : Commander le chêne, priorité numéro un, c'est urgent.\nJulie : Ok.\n",
        );
        assert!(p[0].contains("priorité numéro un"), "{p:?}");
        assert_eq!(p.len(), 2);
        let listed = priorities(
            "Marc : Bon, les priorités de la semaine. Un : l'acompte des Tilleuls. Deux : le dossier de la mairie. Le reste passe après.\n",
        );
        assert_eq!(
            listed[..2],
            [
                "1. l'acompte des Tilleuls".to_string(),
                "2. le dossier de la mairie".to_string()
            ],
            "{listed:?}"
        );
    }
}
