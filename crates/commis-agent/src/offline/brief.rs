//! Brief understanding for the offline planner: rules and patterns, French and English,
//! tolerant of accents, case and small typos. A brief is cut into clauses; every clause
//! must be understood, or the brief is declared unsupported (never half-guessed).

use serde::{Deserialize, Serialize};

/// The language a brief is written in, which is also the language of our answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// Picks between the French and English variant of a message.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

/// How files are to be sorted into folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Type,
    Client,
    Date,
    Project,
}

/// One thing the brief asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "intent", rename_all = "snake_case")]
pub enum Intent {
    Sort { by: SortKey },
    Rename,
    Duplicates,
    Catalogue,
    InvoiceTable,
    Summaries,
    ActionItems,
    Report,
    Deck { slides: Option<u32> },
}

/// What the offline planner understood of a brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Understanding {
    pub lang: Lang,
    pub intents: Vec<Intent>,
    /// Clauses that matched nothing we can do.
    pub not_understood: Vec<String>,
}

/// Lowercases, folds accents and keeps letters, digits and spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' | 'Á' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'í' | 'Î' | 'Ï' => 'i',
            'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' => 'o',
            'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ç' | 'Ç' => 'c',
            'œ' | 'Œ' => 'o',
            c if c.is_alphanumeric() => c.to_ascii_lowercase(),
            _ => ' ',
        };
        out.push(c);
    }
    out
}

fn words(text: &str) -> Vec<String> {
    fold(text).split_whitespace().map(str::to_string).collect()
}

/// Damerau-free Levenshtein distance, bounded: enough to forgive one slip of the finger.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// True when `word` starts with one of the stems, allowing one typo on stems of 5+ letters
/// (but never when the word is spelled right for another request: "recommandations" is not
/// a misspelt "renommer").
fn matches_stem(word: &str, stems: &[&str]) -> bool {
    let known_elsewhere = || {
        ALL_STEMS
            .iter()
            .flat_map(|list| list.iter())
            .any(|stem| word.starts_with(stem))
    };
    stems.iter().any(|stem| {
        if word.starts_with(stem) {
            return true;
        }
        if stem.len() >= 5 && word.len() >= stem.len() - 1 && !known_elsewhere() {
            let n = stem.chars().count();
            let head: String = word.chars().take(n).collect();
            let head_short: String = word.chars().take(n.saturating_sub(1)).collect();
            return distance(&head, stem) <= 1 || distance(&head_short, stem) <= 1;
        }
        false
    })
}

fn any_word(ws: &[String], stems: &[&str]) -> bool {
    ws.iter().any(|w| matches_stem(w, stems))
}

fn has_phrase(folded: &str, phrases: &[&str]) -> bool {
    let padded = format!(
        " {} ",
        folded.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    phrases.iter().any(|p| padded.contains(&format!(" {p} ")))
}

const SORT_VERBS: &[&str] = &[
    "class", "trie", "trier", "tri ", "range", "rang", "organis", "organiz", "sort", "tidy",
    "regroup", "group", "repart", "dispatch", "file ", "arrange",
];
const RENAME: &[&str] = &["renom", "rename", "nomm", "naming", "nommage"];
const DUPLICATES: &[&str] = &["doublon", "duplicat", "duplicate", "dupes", "en double"];
const CATALOGUE: &[&str] = &[
    "catalog",
    "inventair",
    "inventor",
    "index",
    "repertoire",
    "listing",
];
const TABLE: &[&str] = &[
    "tableau",
    "table",
    "recapitul",
    "spreadsheet",
    "classeur",
    "excel",
    "xlsx",
    "montant",
    "amount",
    "totaux",
    "total",
    "chiffr",
];
const INVOICE: &[&str] = &[
    "factur", "invoice", "montant", "amount", "depense", "recette", "achat",
];
const SUMMARY: &[&str] = &["resum", "synthes", "summar", "digest", "recap des reunion"];
const MEETING: &[&str] = &[
    "reunion",
    "meeting",
    "transcri",
    "compte rendu",
    "comptes rendus",
    "notes",
    "call",
    "appel",
    "entretien",
];
const ACTIONS: &[&str] = &[
    "action",
    "tache",
    "todo",
    "to do",
    "suivi",
    "next step",
    "prochaine",
    "priorit",
    "decision",
    "qui fait quoi",
];
const REPORT: &[&str] = &[
    "rapport",
    "report",
    "recommand",
    "bilan",
    "note de synthese",
    "memo",
];
const DECK: &[&str] = &[
    "presentation",
    "slide",
    "diapo",
    "deck",
    "powerpoint",
    "pptx",
    "transparent",
    "keynote",
];
const ALL_STEMS: &[&[&str]] = &[
    SORT_VERBS, RENAME, DUPLICATES, CATALOGUE, TABLE, INVOICE, SUMMARY, MEETING, ACTIONS, REPORT,
    DECK,
];
/// Words that carry no request of their own ("please", "the", "these files"...).
const FILLER: &[&str] = &[
    "merci",
    "please",
    "stp",
    "svp",
    "peux",
    "pourrais",
    "can",
    "could",
    "you",
    "tu",
    "vous",
    "les",
    "des",
    "ces",
    "the",
    "these",
    "this",
    "ce",
    "cet",
    "cette",
    "de",
    "du",
    "la",
    "le",
    "un",
    "une",
    "a",
    "an",
    "of",
    "et",
    "and",
    "puis",
    "then",
    "ensuite",
    "aussi",
    "also",
    "moi",
    "me",
    "my",
    "mes",
    "mon",
    "ma",
    "nos",
    "notre",
    "our",
    "fichier",
    "fichiers",
    "file",
    "files",
    "documents",
    "document",
    "dossier",
    "folder",
    "dans",
    "in",
    "en",
    "pour",
    "for",
    "to",
    "a",
    "avec",
    "with",
    "sur",
    "on",
    "tout",
    "tous",
    "all",
    "every",
    "each",
    "chaque",
    "je",
    "i",
    "veux",
    "want",
    "would",
    "like",
    "voudrais",
    "aimerais",
    "besoin",
    "need",
    "faire",
    "make",
    "do",
    "fais",
    "cree",
    "creer",
    "create",
    "produis",
    "produire",
    "produce",
    "genere",
    "generate",
    "prepare",
    "preparer",
    "build",
    "construis",
    "ajoute",
    "add",
    "donne",
    "give",
    "ici",
    "here",
    "qui",
    "que",
    "is",
    "are",
    "y",
    "il",
    "by",
    "par",
    "selon",
    "according",
    "plus",
    "more",
    "simple",
    "petit",
    "small",
    "short",
    "court",
    "courte",
    "jolie",
    "nice",
    "propre",
    "clean",
    "clair",
    "claire",
    "clear",
    "nouveau",
    "new",
    "lot",
    "sont",
    "ont",
    "sous",
    "into",
    "au",
    "aux",
    "d",
    "l",
    "s",
    "n",
    "j",
    "it",
    "them",
    "les",
    "leur",
    "leurs",
    "their",
    "chacun",
];

fn detect_lang(ws: &[String]) -> Lang {
    const FR: &[&str] = &[
        "les", "des", "ces", "et", "par", "une", "un", "le", "la", "du", "fichiers", "cree",
        "classe", "trie", "produis", "pour", "avec", "resume", "tableau", "factures", "mes",
    ];
    const EN: &[&str] = &[
        "the",
        "these",
        "and",
        "by",
        "a",
        "an",
        "files",
        "create",
        "sort",
        "make",
        "produce",
        "for",
        "with",
        "summarize",
        "table",
        "invoices",
        "my",
        "of",
        "into",
    ];
    let fr = ws.iter().filter(|w| FR.contains(&w.as_str())).count();
    let en = ws.iter().filter(|w| EN.contains(&w.as_str())).count();
    if en > fr { Lang::En } else { Lang::Fr }
}

fn slide_count(folded: &str) -> Option<u32> {
    let ws: Vec<&str> = folded.split_whitespace().collect();
    for (i, w) in ws.iter().enumerate() {
        if let Ok(n) = w.parse::<u32>() {
            let next = ws.get(i + 1).copied().unwrap_or("");
            let after = ws.get(i + 2).copied().unwrap_or("");
            if [next, after]
                .iter()
                .any(|x| matches_stem(x, &["slide", "diapo", "page", "transparent"]))
            {
                return Some(n.clamp(1, 200));
            }
        }
    }
    const NUMBERS: &[(&str, u32)] = &[
        ("trois", 3),
        ("three", 3),
        ("quatre", 4),
        ("four", 4),
        ("cinq", 5),
        ("five", 5),
        ("six", 6),
        ("sept", 7),
        ("seven", 7),
        ("huit", 8),
        ("eight", 8),
        ("neuf", 9),
        ("nine", 9),
        ("dix", 10),
        ("ten", 10),
        ("douze", 12),
        ("twelve", 12),
        ("quinze", 15),
        ("fifteen", 15),
        ("vingt", 20),
        ("twenty", 20),
    ];
    for (i, w) in ws.iter().enumerate() {
        if let Some((_, n)) = NUMBERS.iter().find(|(name, _)| name == w) {
            let next = ws.get(i + 1).copied().unwrap_or("");
            if matches_stem(next, &["slide", "diapo", "transparent"]) {
                return Some(*n);
            }
        }
    }
    None
}

fn sort_key(folded: &str, ws: &[String]) -> SortKey {
    if has_phrase(
        folded,
        &[
            "par client",
            "par clients",
            "by client",
            "by customer",
            "per client",
            "per customer",
            "par societe",
            "by company",
        ],
    ) || (any_word(ws, &["client", "customer"]) && !any_word(ws, &["type"]))
    {
        SortKey::Client
    } else if has_phrase(
        folded,
        &[
            "par date",
            "par mois",
            "par annee",
            "by date",
            "by month",
            "by year",
            "per month",
            "par trimestre",
            "by quarter",
        ],
    ) {
        SortKey::Date
    } else if has_phrase(
        folded,
        &["par projet", "by project", "per project", "par chantier"],
    ) {
        SortKey::Project
    } else {
        SortKey::Type
    }
}

/// Cuts a brief into clauses at punctuation and coordinating words.
fn clauses(brief: &str) -> Vec<String> {
    let mut parts = vec![brief.to_string()];
    for sep in [
        ",",
        ";",
        ".",
        "\n",
        " puis ",
        " then ",
        " et ",
        " and ",
        " ainsi que ",
        " as well as ",
        " + ",
    ] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !fold(p).trim().is_empty())
        .collect()
}

fn clause_intents(clause: &str) -> Vec<Intent> {
    let folded = fold(clause);
    let ws = words(clause);
    let mut found = Vec::new();
    let has = |stems: &[&str]| any_word(&ws, stems) || has_phrase(&folded, stems);
    if has(DECK) {
        found.push(Intent::Deck {
            slides: slide_count(&folded),
        });
    }
    if has(RENAME) {
        found.push(Intent::Rename);
    }
    if has(DUPLICATES) {
        found.push(Intent::Duplicates);
    }
    if has(CATALOGUE) {
        found.push(Intent::Catalogue);
    }
    if has(REPORT) {
        found.push(Intent::Report);
    }
    let summaries = has(SUMMARY);
    let actions = has(ACTIONS);
    if summaries {
        found.push(Intent::Summaries);
    }
    if actions {
        found.push(Intent::ActionItems);
    }
    let table = has(TABLE);
    let table_of_amounts = table && (has(INVOICE) || !(summaries || actions)) && !has(CATALOGUE);
    let invoice_extraction = has(INVOICE) && has(&["extrai", "extract", "releve", "total"]);
    if table_of_amounts || invoice_extraction {
        found.push(Intent::InvoiceTable);
    }
    if has(SORT_VERBS) && !has(RENAME)
        || (found.is_empty() && has(&["par client", "par type", "by client", "by type"]))
    {
        found.push(Intent::Sort {
            by: sort_key(&folded, &ws),
        });
    }
    if found.is_empty() && has(MEETING) && !ws.is_empty() {
        // "les comptes rendus de réunion" on its own continues the previous request.
        return found;
    }
    found
}

fn is_filler(clause: &str) -> bool {
    let ws = words(clause);
    let meaningful = ws
        .iter()
        .filter(|w| !FILLER.contains(&w.as_str()) && w.parse::<u64>().is_err())
        .filter(|w| !matches_stem(w, MEETING) && !matches_stem(w, INVOICE))
        .count();
    meaningful == 0
}

/// Maps a brief to the intents the offline planner can carry out.
pub fn understand(brief: &str) -> Understanding {
    let ws = words(brief);
    let lang = detect_lang(&ws);
    let mut intents: Vec<Intent> = Vec::new();
    let mut not_understood = Vec::new();
    for clause in clauses(brief) {
        let found = clause_intents(&clause);
        if found.is_empty() {
            if !is_filler(&clause) {
                not_understood.push(clause);
            }
            continue;
        }
        for intent in found {
            if !intents.contains(&intent) {
                intents.push(intent);
            }
        }
    }
    // Several sort clauses ("classe par client", "trie") collapse into the most specific one.
    let sorts: Vec<SortKey> = intents
        .iter()
        .filter_map(|i| match i {
            Intent::Sort { by } => Some(*by),
            _ => None,
        })
        .collect();
    if sorts.len() > 1 {
        let keep = if sorts.contains(&SortKey::Client) {
            SortKey::Client
        } else {
            sorts[0]
        };
        intents.retain(|i| !matches!(i, Intent::Sort { by } if *by != keep));
        intents.dedup();
    }
    Understanding {
        lang,
        intents,
        not_understood,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intents(brief: &str) -> Vec<Intent> {
        let u = understand(brief);
        assert!(
            u.not_understood.is_empty(),
            "{brief}: {:?}",
            u.not_understood
        );
        u.intents
    }

    #[test]
    fn the_seed_brief_is_understood_whole() {
        let got = intents(
            "Classe ces fichiers par client, crée un tableau récapitulatif des montants et produis une présentation de 8 slides",
        );
        assert_eq!(
            got,
            vec![
                Intent::Sort {
                    by: SortKey::Client
                },
                Intent::InvoiceTable,
                Intent::Deck { slides: Some(8) }
            ]
        );
        assert_eq!(understand("Classe ces fichiers par client").lang, Lang::Fr);
    }

    #[test]
    fn sorting_by_type_with_a_catalogue_in_both_languages() {
        assert_eq!(
            intents("Trie ces fichiers par type et crée un catalogue"),
            vec![Intent::Sort { by: SortKey::Type }, Intent::Catalogue]
        );
        let u = understand("Sort these files by type and build a catalogue");
        assert_eq!(u.lang, Lang::En);
        assert_eq!(
            u.intents,
            vec![Intent::Sort { by: SortKey::Type }, Intent::Catalogue]
        );
    }

    #[test]
    fn typos_and_missing_accents_are_forgiven() {
        assert_eq!(
            intents("Calsse les fichiers par client et fais une presentaton de 5 diapos"),
            vec![
                Intent::Sort {
                    by: SortKey::Client
                },
                Intent::Deck { slides: Some(5) }
            ]
        );
    }

    #[test]
    fn meeting_briefs_map_to_summaries_actions_and_report() {
        assert_eq!(
            intents(
                "Résume les comptes rendus de réunion, extrais les actions et rédige un rapport avec des recommandations"
            ),
            vec![Intent::Summaries, Intent::ActionItems, Intent::Report]
        );
        assert_eq!(
            intents("Summarize the meeting transcripts and list action items with priorities"),
            vec![Intent::Summaries, Intent::ActionItems]
        );
    }

    #[test]
    fn renaming_and_duplicates() {
        assert_eq!(
            intents("Renomme les fichiers selon un format standard et trouve les doublons"),
            vec![Intent::Rename, Intent::Duplicates]
        );
    }

    #[test]
    fn briefs_beyond_the_repertoire_are_flagged_not_guessed() {
        let u = understand("Traduis ce contrat en allemand");
        assert!(u.intents.is_empty());
        assert_eq!(u.not_understood.len(), 1);
        let u = understand("Classe les factures par client et envoie un mail à chaque client");
        assert_eq!(
            u.intents,
            vec![Intent::Sort {
                by: SortKey::Client
            }]
        );
        assert_eq!(
            u.not_understood,
            vec!["envoie un mail à chaque client".to_string()]
        );
    }
}
