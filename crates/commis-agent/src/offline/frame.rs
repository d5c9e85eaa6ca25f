//! Brief understanding as a structured frame. A brief is cut into clauses; each clause gets
//! its actions, its scope (document types, folders, extensions, clients, a period), its
//! exclusions, its grouping, its destination, a naming pattern and deliverable parameters.
//! Every word is accounted for: a clause with a word that is neither understood nor filler
//! is listed as not done, whole, rather than done more widely than asked. Not for: looking
//! at the folder (see `analysis`) or deciding which files move (see `scope`).

use serde::{Deserialize, Serialize};

use super::brief::{Lang, fold};

/// Something the offline planner can do for a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Sort,
    Rename,
    Duplicates,
    Catalogue,
    Table,
    Summaries,
    ActionItems,
    Report,
    Deck,
    /// Clean a table (CSV, XLSX, ODS) into a cleaned workbook with its journal.
    Clean,
    /// Consolidate tables of the same shape into one workbook with a summary.
    Consolidate,
    /// Synthesize survey responses.
    Survey,
    /// « Impayés »: what clients still owe, with its ageing.
    Unpaid,
    /// One reminder letter per late client.
    Reminders,
    /// Collected and deductible VAT per period.
    Vat,
    /// Revenue per month and client.
    Revenue,
    /// Quotes and the invoices that bill them.
    Quotes,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Sort => "sort",
            Action::Rename => "rename",
            Action::Duplicates => "duplicates",
            Action::Catalogue => "catalogue",
            Action::Table => "table",
            Action::Summaries => "summaries",
            Action::ActionItems => "actions",
            Action::Report => "report",
            Action::Deck => "deck",
            Action::Clean => "clean",
            Action::Consolidate => "consolidate",
            Action::Survey => "survey",
            Action::Unpaid => "unpaid",
            Action::Reminders => "reminders",
            Action::Vat => "vat",
            Action::Revenue => "revenue",
            Action::Quotes => "quotes",
        }
    }

    /// Actions that move or rename the user's files.
    pub fn moves_files(self) -> bool {
        matches!(self, Action::Sort | Action::Rename | Action::Duplicates)
    }
}

/// One level of folders a sort creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Client,
    Type,
    Year,
    Quarter,
    Month,
}

impl Group {
    fn name(self) -> &'static str {
        match self {
            Group::Client => "client",
            Group::Type => "type",
            Group::Year => "year",
            Group::Quarter => "quarter",
            Group::Month => "month",
        }
    }
}

/// A period named by the brief, resolved later against today or the documents' dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    /// Months `from..=to` of a year (the documents' year when none is said).
    Months {
        year: Option<i32>,
        from: u32,
        to: u32,
    },
    Year {
        year: i32,
    },
    /// A period relative to today.
    Relative {
        what: Relative,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relative {
    LastWeek,
    ThisMonth,
    LastMonth,
    ThisQuarter,
    LastQuarter,
    ThisYear,
    LastYear,
}

impl Period {
    /// A short stable form, for plans and tests: `2024-03`, `m03`, `2024-Q1`, `2024`, `last_quarter`.
    pub fn label(self) -> String {
        match self {
            Period::Months { year, from, to } => {
                let y = year.map(|y| format!("{y}-")).unwrap_or_else(|| "m".into());
                if from == to {
                    format!("{y}{from:02}")
                } else if (to - from) == 2 && from % 3 == 1 && year.is_some() {
                    format!("{y}Q{}", from / 3 + 1)
                } else {
                    format!("{y}{from:02}..{to:02}")
                }
            }
            Period::Year { year } => year.to_string(),
            Period::Relative { what } => match what {
                Relative::LastWeek => "last_week",
                Relative::ThisMonth => "this_month",
                Relative::LastMonth => "last_month",
                Relative::ThisQuarter => "this_quarter",
                Relative::LastQuarter => "last_quarter",
                Relative::ThisYear => "this_year",
                Relative::LastYear => "last_year",
            }
            .into(),
        }
    }
}

/// Which files a clause is about. Empty lists mean "no restriction".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Document classes: `invoice`, `sales_invoice`, `supplier_invoice`, `quote`,
    /// `credit_note`, `meeting`, `client_note`, `email`, `spreadsheet`, `bank_statement`,
    /// `image`, `contract`, `receipt`, `purchase_order`, `letter`, `report`, `presentation`.
    pub kinds: Vec<String>,
    /// Folders of the granted folder, as the survey names them.
    pub folders: Vec<String>,
    /// File extensions, lower case, without the dot.
    pub exts: Vec<String>,
    /// Client names, as the survey names them.
    pub clients: Vec<String>,
    /// Files named by the brief (paths relative to the granted folder), for table jobs.
    #[serde(default)]
    pub files: Vec<String>,
    pub period: Option<Period>,
    pub not_kinds: Vec<String>,
    pub not_folders: Vec<String>,
    pub not_exts: Vec<String>,
    pub not_clients: Vec<String>,
}

impl Scope {
    pub fn is_whole_folder(&self) -> bool {
        *self == Scope::default()
    }
}

/// A piece of a user-given file name pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Piece {
    Date,
    Year,
    Month,
    Client,
    Number,
    Type,
    /// Only inside a date (`JJ`, `DD`); folded into [`Piece::Date`].
    Day,
    Sep(String),
}

/// The format a deliverable is asked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Word,
    Excel,
    Pdf,
    Markdown,
    Csv,
    Powerpoint,
}

/// One clause of the brief, understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    pub text: String,
    pub actions: Vec<Action>,
    pub scope: Scope,
    pub group: Vec<Group>,
    /// A folder the user named for the result (« dans un dossier Devis »).
    pub dest: Option<String>,
    pub pattern: Option<Vec<Piece>>,
    /// Duplicates listed in a file, not moved.
    pub list_only: bool,
    pub slides: Option<u32>,
    pub format: Option<Format>,
    /// Survey: the column the answers are crossed with (« par service »).
    #[serde(default)]
    pub segment: Option<String>,
    /// Survey: a synthesis report is asked.
    #[serde(default)]
    pub survey_report: bool,
    /// Survey: a deck is asked.
    #[serde(default)]
    pub survey_deck: bool,
}

/// A part of the brief that will not be done, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotDone {
    pub text: String,
    pub why: String,
}

/// What the offline planner understood of a brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub lang: Lang,
    /// The language asked for the deliverables, when the brief names one.
    pub out_lang: Option<Lang>,
    pub clauses: Vec<Clause>,
    pub not_done: Vec<NotDone>,
}

impl Frame {
    pub fn actions(&self) -> Vec<Action> {
        let mut all: Vec<Action> = self
            .clauses
            .iter()
            .flat_map(|c| c.actions.iter().copied())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// A compact, stable description of the frame, for the corpus and for logs:
    /// `sort(by=client>year,kinds=invoice) ; table(period=2024-03) ; !1`, or `refuse`.
    pub fn signature(&self) -> String {
        if self.clauses.is_empty() {
            return "refuse".into();
        }
        let mut parts = Vec::new();
        for c in &self.clauses {
            for a in &c.actions {
                let mut kv: Vec<String> = Vec::new();
                if !c.group.is_empty() {
                    let g: Vec<&str> = c.group.iter().map(|g| g.name()).collect();
                    kv.push(format!("by={}", g.join(">")));
                }
                let s = &c.scope;
                let list = |k: &str, v: &[String], kv: &mut Vec<String>| {
                    if !v.is_empty() {
                        let mut v = v.to_vec();
                        v.sort();
                        kv.push(format!("{k}={}", v.join("+")));
                    }
                };
                list("kinds", &s.kinds, &mut kv);
                list("folder", &s.folders, &mut kv);
                list("ext", &s.exts, &mut kv);
                list("client", &s.clients, &mut kv);
                let names: Vec<String> = s
                    .files
                    .iter()
                    .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
                    .collect();
                list("file", &names, &mut kv);
                if let Some(p) = s.period {
                    kv.push(format!("period={}", p.label()));
                }
                let mut not: Vec<String> = s
                    .not_kinds
                    .iter()
                    .chain(&s.not_folders)
                    .chain(&s.not_exts)
                    .chain(&s.not_clients)
                    .cloned()
                    .collect();
                not.sort();
                if !not.is_empty() {
                    kv.push(format!("not={}", not.join("+")));
                }
                if let Some(d) = &c.dest {
                    kv.push(format!("dest={d}"));
                }
                if let (Action::Rename, Some(p)) = (a, &c.pattern) {
                    kv.push(format!("pattern={}", pattern_label(p)));
                }
                if *a == Action::Duplicates && c.list_only {
                    kv.push("list".into());
                }
                if let (Action::Deck, Some(n)) = (a, c.slides) {
                    kv.push(format!("slides={n}"));
                }
                if let Some(f) = c.format {
                    kv.push(format!("format={f:?}").to_lowercase());
                }
                if *a == Action::Survey {
                    if let Some(seg) = &c.segment {
                        kv.push(format!("segment={seg}"));
                    }
                    if c.survey_report {
                        kv.push("report".into());
                    }
                    if c.survey_deck {
                        kv.push("deck".into());
                    }
                }
                kv.sort();
                parts.push(if kv.is_empty() {
                    a.name().to_string()
                } else {
                    format!("{}({})", a.name(), kv.join(","))
                });
            }
        }
        if let Some(l) = self.out_lang {
            parts.push(format!("lang={l:?}").to_lowercase());
        }
        if !self.not_done.is_empty() {
            parts.push(format!("!{}", self.not_done.len()));
        }
        parts.join(" ; ")
    }
}

pub fn pattern_label(p: &[Piece]) -> String {
    p.iter()
        .map(|x| match x {
            Piece::Date => "date".to_string(),
            Piece::Year => "year".into(),
            Piece::Month => "month".into(),
            Piece::Client => "client".into(),
            Piece::Number => "number".into(),
            Piece::Type => "type".into(),
            Piece::Day => "day".into(),
            Piece::Sep(s) => s.clone(),
        })
        .collect()
}

/// Names the brief may refer to, taken from the folder's survey.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    /// Folders (relative paths) of the granted folder.
    pub folders: Vec<String>,
    /// Client names found in the documents.
    pub clients: Vec<String>,
    /// Table files (CSV, TSV, XLSX, XLS, ODS), paths relative to the granted folder.
    pub tables: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone)]
pub(super) struct Tok {
    pub(super) orig: String,
    pub(super) f: String,
    /// Inside parentheses or quotes.
    nested: bool,
    /// A clause may end before this token.
    boundary: bool,
    /// The previous clause ended with a colon (« Rapport d'avril : … »).
    after_colon: bool,
    quoted: bool,
    /// « classe-les », "rename them": the files of the clause before.
    pronoun: bool,
    /// « trie-le », "sort it": one thing, the deliverable of the clause before.
    singular: bool,
}

pub(super) fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut cur_o = String::new();
    let mut depth = 0i32;
    let mut in_quote = false;
    let mut boundary = false;
    let mut colon = false;
    let mut colon_at: Vec<usize> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let flush = |cur_o: &mut String, toks: &mut Vec<Tok>, depth: i32, q: bool, b: &mut bool| {
        if !cur_o.is_empty() {
            let f = fold(cur_o).trim().to_string();
            // fold maps each character to one character: the original words split at the
            // same places (« Fais-moi » → « Fais », « moi »).
            let folded: Vec<char> = fold(cur_o).chars().collect();
            let mut origs: Vec<String> = Vec::new();
            let mut word = String::new();
            for (k, c) in cur_o.chars().enumerate() {
                if folded.get(k).is_some_and(|x| *x == ' ') {
                    if !word.is_empty() {
                        origs.push(std::mem::take(&mut word));
                    }
                } else {
                    word.push(c);
                }
            }
            if !word.is_empty() {
                origs.push(word);
            }
            for (i, part) in f.split_whitespace().enumerate() {
                toks.push(Tok {
                    orig: origs.get(i).cloned().unwrap_or_else(|| part.to_string()),
                    f: part.to_string(),
                    nested: depth > 0,
                    boundary: *b && i == 0,
                    after_colon: false,
                    quoted: q,
                    pronoun: part == "them",
                    singular: false,
                });
            }
            let lower = cur_o.to_lowercase();
            if ["-les", "-le", "-la", "-leur"]
                .iter()
                .any(|p| lower.ends_with(p))
                && let Some(t) = toks.last_mut()
            {
                t.pronoun = true;
                t.singular = lower.ends_with("-le") || lower.ends_with("-la");
            }
            if !f.trim().is_empty() {
                *b = false;
            }
            cur_o.clear();
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if colon && !c.is_whitespace() && c != ':' {
            colon_at.push(toks.len());
            colon = false;
        }
        match c {
            '(' | '[' => {
                flush(&mut cur_o, &mut toks, depth, in_quote, &mut boundary);
                depth += 1;
            }
            ')' | ']' => {
                flush(&mut cur_o, &mut toks, depth, in_quote, &mut boundary);
                // « 1) trie… 2) fais… »: a list marker ends a clause.
                if depth == 0 && !in_quote {
                    boundary = true;
                }
                depth = (depth - 1).max(0);
            }
            '+' => {
                flush(&mut cur_o, &mut toks, depth, in_quote, &mut boundary);
                if depth == 0 && !in_quote {
                    boundary = true;
                }
            }
            '«' | '"' | '“' | '”' | '»' => {
                flush(&mut cur_o, &mut toks, depth, in_quote, &mut boundary);
                in_quote = match c {
                    '«' | '“' => true,
                    '»' | '”' => false,
                    _ => !in_quote,
                };
            }
            ',' | ';' | '!' | '?' | '\n' | ':' => {
                flush(&mut cur_o, &mut toks, depth, in_quote, &mut boundary);
                if depth == 0 && !in_quote {
                    boundary = true;
                    colon = c == ':';
                }
            }
            '.' if chars.get(i + 1).is_none_or(|n| n.is_whitespace()) => {
                flush(&mut cur_o, &mut toks, depth, in_quote, &mut boundary);
                if depth == 0 && !in_quote {
                    boundary = true;
                }
            }
            '\'' | '’' => {
                // « d'avril », « l'année » : the elided article is a word of its own.
                cur_o.push(' ');
                flush(&mut cur_o, &mut toks, depth, in_quote, &mut boundary);
            }
            c if c.is_whitespace() => flush(&mut cur_o, &mut toks, depth, in_quote, &mut boundary),
            c => cur_o.push(c),
        }
    }
    flush(&mut cur_o, &mut toks, depth, in_quote, &mut boundary);
    for k in colon_at {
        if let Some(t) = toks.get_mut(k) {
            t.after_colon = true;
        }
    }
    // Words that join clauses are boundaries too. « plus » joins only before an article
    // (« un tableau plus une présentation »), not in « les plus récents ».
    for k in 0..toks.len() {
        let next = toks.get(k + 1).map(|t| t.f.clone()).unwrap_or_default();
        let t = &mut toks[k];
        if t.nested || t.quoted {
            continue;
        }
        let joins = match t.f.as_str() {
            "puis" | "then" | "ensuite" | "et" | "and" | "enfin" | "finally" | "lastly" => true,
            "plus" => matches!(
                next.as_str(),
                "un" | "une" | "a" | "an" | "des" | "le" | "la" | "les" | "l"
            ),
            "ainsi" => next == "que",
            "after" => next == "that",
            "apres" => matches!(next.as_str(), "ca" | "cela" | "quoi"),
            _ => false,
        };
        if joins {
            t.boundary = true;
        }
    }
    toks
}

// ---------------------------------------------------------------------------------------
// Word lists

/// Edit distance with transpositions (optimal string alignment).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut prev2: Vec<usize> = prev.clone();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            // Two letters swapped is one slip, not two.
            if i > 0 && j > 0 && *ca == b[j - 1] && a[i - 1] == *cb {
                cur[j + 1] = cur[j + 1].min(prev2[j - 1] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// Action words: (stem, action). A word matches when it starts with the stem, or — for
/// stems of 5+ letters — is one slip of the finger away from a word that does.
const ACTION_WORDS: &[(&str, Action)] = &[
    ("class", Action::Sort),
    ("trie", Action::Sort),
    ("trier", Action::Sort),
    ("tri", Action::Sort),
    ("range", Action::Sort),
    ("ranger", Action::Sort),
    ("rangement", Action::Sort),
    ("reclass", Action::Sort),
    ("reorganis", Action::Sort),
    ("reorganiz", Action::Sort),
    ("categoris", Action::Sort),
    ("categoriz", Action::Sort),
    ("organis", Action::Sort),
    ("organiz", Action::Sort),
    ("sort", Action::Sort),
    ("tidy", Action::Sort),
    ("regroup", Action::Sort),
    ("group", Action::Sort),
    ("repartis", Action::Sort),
    ("arrange", Action::Sort),
    ("deplace", Action::Sort),
    ("move", Action::Sort),
    ("mets", Action::Sort),
    ("met", Action::Sort),
    ("place", Action::Sort),
    ("put", Action::Sort),
    ("file", Action::Sort),
    ("renom", Action::Rename),
    ("rename", Action::Rename),
    ("rebaptis", Action::Rename),
    ("doublon", Action::Duplicates),
    ("duplicat", Action::Duplicates),
    ("dupes", Action::Duplicates),
    ("identiq", Action::Duplicates),
    ("dedoublonn", Action::Duplicates),
    ("dedupl", Action::Duplicates),
    ("dedup", Action::Duplicates),
    ("identical", Action::Duplicates),
    ("catalog", Action::Catalogue),
    ("inventair", Action::Catalogue),
    ("inventor", Action::Catalogue),
    ("index", Action::Catalogue),
    ("listing", Action::Catalogue),
    ("recens", Action::Catalogue),
    ("repertori", Action::Catalogue),
    ("tableau", Action::Table),
    ("table", Action::Table),
    ("recapitul", Action::Table),
    ("recap", Action::Table),
    ("spreadsheet", Action::Table),
    ("classeur", Action::Table),
    ("workbook", Action::Table),
    ("releve", Action::Table),
    ("resum", Action::Summaries),
    ("synthes", Action::Summaries),
    ("synthetis", Action::Summaries),
    ("summar", Action::Summaries),
    ("digest", Action::Summaries),
    ("action", Action::ActionItems),
    ("taches", Action::ActionItems),
    ("tache", Action::ActionItems),
    ("todo", Action::ActionItems),
    ("rapport", Action::Report),
    ("report", Action::Report),
    ("bilan", Action::Report),
    ("memo", Action::Report),
    ("presentation", Action::Deck),
    ("slide", Action::Deck),
    ("diapo", Action::Deck),
    ("deck", Action::Deck),
    ("powerpoint", Action::Deck),
    ("pptx", Action::Deck),
    ("ppt", Action::Deck),
    ("prez", Action::Deck),
];

/// Stems that look like an action word but are not (« recommandations » is not « renommer »).
const NOT_ACTIONS: &[&str] = &[
    "recommand",
    "recommend",
    "tableur",
    "files",
    "filer",
    "placement",
    "metho",
    "metier",
    "meteo",
    "actionnaire",
    "reportage",
    "tribu",
    "tribun",
    "triste",
    "trimestr",
    "classique",
    "putain",
    "groupon",
    "presentes",
    "resumable",
    "indexe",
    "tablette",
    "detail",
    "repertoire",
    "priorit",
    "organism",
    "rapporte",
];

fn action_of(word: &str) -> Option<Action> {
    // « une rangée » is a row; « rangées » is said of files put in order.
    if word.len() < 3 || word == "rangee" || NOT_ACTIONS.iter().any(|s| word.starts_with(s)) {
        return None;
    }
    for (stem, a) in ACTION_WORDS {
        let exact_only = matches!(
            *stem,
            "tri"
                | "met"
                | "mets"
                | "file"
                | "put"
                | "place"
                | "table"
                | "recap"
                | "memo"
                | "deck"
                | "sort"
                | "move"
                | "tidy"
                | "class"
                | "releve"
                | "ppt"
                | "prez"
        );
        if exact_only {
            let ok = match *stem {
                "tri" => word == "tri",
                "met" | "mets" => {
                    word == "met" || word == "mets" || word == "mettre" || word == "mettez"
                }
                "file" => word == "file",
                "put" => word == "put",
                "place" => word == "place" || word == "placer" || word == "placez",
                "table" => word == "table" || word == "tables",
                "recap" => word == "recap" || word == "recaps",
                "memo" => word == "memo",
                "deck" => word == "deck",
                "sort" => word == "sort" || word == "sorting" || word == "sorted",
                "move" => word == "move" || word == "moving",
                "tidy" => word.starts_with("tidy"),
                "class" => word.starts_with("class") && !word.starts_with("classeur"),
                // « relevé des factures »; « relevés » are bank statements.
                "releve" => word == "releve",
                "ppt" => word == "ppt",
                "prez" => word == "prez",
                _ => false,
            };
            if ok {
                return Some(*a);
            }
            continue;
        }
        if word.starts_with(stem) {
            return Some(*a);
        }
    }
    None
}

/// The words a slip of the finger may be corrected to, by meaning: whole words (never
/// stems, so « rebaptise » is not « recap… »). Only content words are here: actions,
/// document kinds, groupings, long month names and exclusions; filler words are not, so a
/// word we do not know is never turned into one we skip.
const LEXICON: &[&[&str]] = &[
    &["classe", "classer", "classez", "classement", "classify"],
    &["trie", "trier", "triez"],
    &["range", "ranger", "rangez"],
    &[
        "organise",
        "organiser",
        "organisez",
        "organize",
        "organiser",
    ],
    &["regroupe", "regrouper", "regroupez"],
    &["arrange", "arranger"],
    &["deplace", "deplacer", "deplacez"],
    &["renomme", "renommer", "renommez", "rename", "renaming"],
    &["rebaptise", "rebaptiser"],
    &["doublon", "doublons", "duplicate", "duplicates"],
    &["catalogue", "catalog", "cataloguer"],
    &["inventaire", "inventory"],
    &["recense", "recenser"],
    &["tableau", "tableaux"],
    &["recapitulatif", "recapitulative"],
    &["spreadsheet", "workbook", "classeur"],
    &[
        "resume",
        "resumer",
        "resumez",
        "resumes",
        "summary",
        "summaries",
    ],
    &["summarize", "summarise"],
    &["synthese", "synthetise", "synthetiser"],
    &["taches", "tache"],
    &["rapport", "rapports", "report"],
    &["presentation", "presentations"],
    &["diapositive", "diapositives", "diapos"],
    &["slides"],
    &["powerpoint"],
    &["facture", "factures", "facturation"],
    &["invoice", "invoices"],
    &["devis"],
    &["avoirs"],
    &["reunion", "reunions"],
    &["meeting", "meetings"],
    &[
        "transcription",
        "transcriptions",
        "transcript",
        "transcripts",
    ],
    &["courriel", "courriels", "emails"],
    &["tableurs"],
    &["contrat", "contrats", "contract", "contracts"],
    &["receipt", "receipts"],
    &["fournisseur", "fournisseurs", "supplier", "suppliers"],
    &["proposition", "propositions"],
    &["estimation", "estimations", "estimate", "estimates"],
    &["quotes", "quotation"],
    &["bancaire", "bancaires"],
    &["client", "clients", "customer", "customers"],
    &["annee", "annees"],
    &["trimestre", "trimestres", "quarter", "quarters"],
    &["semestre", "semestres"],
    &["janvier", "january"],
    &["fevrier", "february"],
    &["juillet"],
    &["septembre", "september"],
    &["octobre", "october"],
    &["novembre", "november"],
    &["decembre", "december"],
    &["hormis"],
    &["excepte", "except", "excepted"],
    &["excluding"],
    &["dernier", "derniere"],
    &["precedent", "precedente", "previous"],
];

/// Real words that are one slip away from a word of the lexicon and mean something else:
/// never corrected (« clause » is not « classe », « devise » is not « devis »).
const NEAR_MISSES: &[&str] = &[
    "clause",
    "clauses",
    "chasse",
    "casse",
    "rance",
    "rangs",
    "rangee",
    "rangees",
    "devise",
    "devises",
    "fracture",
    "fractures",
    "tirer",
    "tries",
    "tried",
    "trieur",
    "anne",
    "annie",
    "annexe",
    "annexes",
    "denier",
    "derniers",
    "dernieres",
    "premiers",
    "premieres",
    "precedents",
    "precedentes",
    "quartier",
    "quartiers",
    "recent",
    "recente",
    "recentes",
    "recents",
    "excerpt",
    "quotas",
    "resort",
    "contact",
    "contacts",
];

/// The word of the lexicon a typed word most likely meant: one slip away (two for long
/// words), same first letter, and no other meaning as close. None when the word is a
/// known near miss or too short to tell.
pub(crate) fn correction(word: &str) -> Option<&'static str> {
    let n = word.chars().count();
    if n < 4
        || NEAR_MISSES.contains(&word)
        || NOT_ACTIONS.iter().any(|s| word.starts_with(s))
        || word.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    let max = if n >= 9 { 2 } else { 1 };
    let first = word.chars().next()?;
    let mut best: Option<(usize, usize, &'static str)> = None; // (distance, group, form)
    let mut tie = false;
    for (g, forms) in LEXICON.iter().enumerate() {
        for form in forms.iter() {
            if form.chars().count() < 5 || !form.starts_with(first) || *form == word {
                continue;
            }
            let d = distance(word, form);
            if d == 0 || d > max {
                continue;
            }
            match best {
                Some((bd, bg, _)) if d == bd && bg != g => tie = true,
                Some((bd, _, _)) if d >= bd => {}
                _ => {
                    best = Some((d, g, form));
                    tie = false;
                }
            }
        }
    }
    if tie {
        return None;
    }
    best.map(|(_, _, f)| f)
}

/// Document-type words → class.
fn kind_of(word: &str) -> Option<&'static str> {
    let k = match word {
        "facture" | "factures" | "fact" | "invoice" | "invoices" | "facturation" | "factur" => {
            "invoice"
        }
        "devis" | "quote" | "quotes" | "quotation" | "quotations" | "estimate" | "estimates"
        | "estimation" | "estimations" | "proposal" | "proposals" => "quote",
        "avoir" | "avoirs" => "credit_note",
        "reunion" | "reunions" | "meeting" | "meetings" | "transcription" | "transcriptions"
        | "transcript" | "transcripts" | "cr" | "minutes" => "meeting",
        "mail" | "mails" | "email" | "emails" | "courriel" | "courriels" | "eml" => "email",
        "tableur" | "tableurs" | "spreadsheets" | "export" | "exports" => "spreadsheet",
        "image" | "images" | "photo" | "photos" | "logo" | "logos" | "picture" | "pictures" => {
            "image"
        }
        "contrat" | "contrats" | "contract" | "contracts" => "contract",
        "recu" | "recus" | "receipt" | "receipts" | "ticket" | "tickets" => "receipt",
        "courrier" | "courriers" | "lettre" | "lettres" | "letter" | "letters" => "letter",
        _ => return None,
    };
    Some(k)
}

fn ext_of(word: &str) -> Option<&'static str> {
    Some(match word {
        "pdf" | "pdfs" => "pdf",
        "docx" | "doc" => "docx",
        "xlsx" | "xls" => "xlsx",
        "csv" => "csv",
        "txt" => "txt",
        "md" => "md",
        "png" => "png",
        "jpg" | "jpeg" => "jpg",
        "odt" => "odt",
        _ => return None,
    })
}

fn format_of(word: &str) -> Option<Format> {
    Some(match word {
        "word" | "docx" => Format::Word,
        "excel" | "xlsx" => Format::Excel,
        "pdf" => Format::Pdf,
        "markdown" | "md" => Format::Markdown,
        "csv" => Format::Csv,
        "powerpoint" | "pptx" => Format::Powerpoint,
        _ => return None,
    })
}

const MONTHS: &[(&str, u32)] = &[
    ("janvier", 1),
    ("janv", 1),
    ("january", 1),
    ("jan", 1),
    ("fevrier", 2),
    ("fev", 2),
    ("february", 2),
    ("feb", 2),
    ("mars", 3),
    ("march", 3),
    ("avril", 4),
    ("avr", 4),
    ("april", 4),
    ("apr", 4),
    ("mai", 5),
    ("may", 5),
    ("juin", 6),
    ("june", 6),
    ("juillet", 7),
    ("july", 7),
    ("aout", 8),
    ("august", 8),
    ("septembre", 9),
    ("sept", 9),
    ("september", 9),
    ("octobre", 10),
    ("october", 10),
    ("novembre", 11),
    ("november", 11),
    ("decembre", 12),
    ("december", 12),
];

fn month_of(word: &str) -> Option<u32> {
    MONTHS.iter().find(|(m, _)| *m == word).map(|(_, n)| *n)
}

fn year_of(word: &str) -> Option<i32> {
    if word.len() == 4 {
        let y: i32 = word.parse().ok()?;
        if (1990..=2100).contains(&y) {
            return Some(y);
        }
    }
    None
}

/// Words that carry no request of their own.
const FILLER: &[&str] = &[
    "merci",
    "please",
    "pls",
    "stp",
    "svp",
    "peux",
    "peut",
    "pourrais",
    "pourriez",
    "pouvez",
    "can",
    "could",
    "would",
    "you",
    "tu",
    "vous",
    "les",
    "des",
    "ces",
    "the",
    "these",
    "those",
    "this",
    "that",
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
    "docs",
    "doc",
    "pieces",
    "piece",
    "dossier",
    "folder",
    "dans",
    "in",
    "en",
    "pour",
    "for",
    "to",
    "avec",
    "with",
    "sur",
    "on",
    "tout",
    "tous",
    "toutes",
    "toute",
    "all",
    "every",
    "each",
    "chaque",
    "je",
    "i",
    "veux",
    "voudrais",
    "want",
    "like",
    "aimerais",
    "souhaite",
    "besoin",
    "need",
    "faire",
    "make",
    "do",
    "fais",
    "faites",
    "fait",
    "cree",
    "creer",
    "creez",
    "create",
    "produis",
    "produire",
    "produisez",
    "produce",
    "genere",
    "generer",
    "generate",
    "prepare",
    "preparer",
    "preparez",
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
    "petite",
    "small",
    "short",
    "court",
    "courte",
    "joli",
    "jolie",
    "nice",
    "propre",
    "proprement",
    "clean",
    "clair",
    "claire",
    "clear",
    "nouveau",
    "nouvelle",
    "new",
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
    "qu",
    "c",
    "it",
    "them",
    "leur",
    "leurs",
    "their",
    "chacun",
    "chacune",
    "bien",
    "well",
    "nicely",
    "vite",
    "quickly",
    "rapidement",
    "hello",
    "bonjour",
    "salut",
    "hi",
    "ensemble",
    "together",
    "ecris",
    "ecrire",
    "redige",
    "rediger",
    "redigez",
    "write",
    "draft",
    "dresse",
    "dresser",
    "etablis",
    "etablir",
    "sors",
    "sortir",
    "extrais",
    "extraire",
    "extract",
    "liste",
    "lister",
    "list",
    "trouve",
    "trouver",
    "find",
    "repere",
    "reperer",
    "spot",
    "detect",
    "detecte",
    "identifie",
    "identify",
    "show",
    "montre",
    "affiche",
    "correspondant",
    "correspondants",
    "concerne",
    "concernant",
    "about",
    "ai",
    "j",
    "avons",
    "we",
    "have",
    "got",
    "ont",
    "est",
    "sera",
    "svp",
    "stp",
    "rien",
    "nothing",
    "anything",
    "ok",
    "okay",
    "just",
    "juste",
    "only",
    "uniquement",
    "seulement",
    "seuls",
    "seules",
    "seul",
    "slt",
    "ya",
    "chez",
    "from",
    "at",
    "or",
    "ou",
    "it",
    "its",
    "sa",
    "son",
    "ses",
    "lui",
    "elle",
    "eux",
    "actuel",
    "actuels",
    "current",
    "present",
    "presents",
    "existing",
    "existants",
    "existant",
    "voici",
    "voila",
    "dont",
    "which",
    "what",
    "quoi",
    "ceux",
    "celles",
    "celle",
    "celui",
    "ci",
    "la",
    "là",
    "there",
    "so",
    "donc",
    "alors",
    "si",
    "if",
    "possible",
    "thanks",
    "thank",
    "beaucoup",
    "very",
    "tres",
    "much",
    "sous-dossier",
    "sousdossier",
    "sous-dossiers",
    "subfolder",
    "subfolders",
    "dossiers",
    "folders",
    "repertoires",
    "directory",
    "directories",
    "dir",
    "mettre",
    "mettez",
    "ranges",
    "range",
    "agreable",
    "lisible",
    "readable",
    "detaille",
    "detaillee",
    "detailed",
    "complet",
    "complete",
    "full",
    "global",
    "globale",
    "general",
    "generale",
    "overview",
    "vue",
    "ensemble",
    "chiffres",
    "cles",
    "key",
    "figures",
    "avec",
    "including",
    "incluant",
    "comprenant",
    "contenant",
    "which",
    "some",
    "quelques",
    "few",
    "brief",
    "bref",
    "breve",
    "courts",
    "rapide",
    "quick",
    "nom",
    "noms",
    "name",
    "names",
    "type",
    "types",
    "sorte",
    "kind",
    "kinds",
    "categorie",
    "categories",
    "category",
    "using",
    "en",
    "utilisant",
    "lot",
    "tas",
    "bazar",
    "mess",
    "messy",
    "ce",
    "qu",
    "on",
    "nous",
    "us",
    "mieux",
    "better",
    "correctement",
    "properly",
    "correct",
    "standard",
    "standards",
    "coherent",
    "coherente",
    "consistent",
    "consistently",
    "uniforme",
    "format",
    "formats",
    "convention",
    "nommage",
    "naming",
    "scheme",
    "pattern",
    "forme",
    "modele",
    "parmi",
    "among",
    "sein",
    "une",
    "fois",
    "once",
    "encore",
    "again",
    "bon",
    "bonne",
    "good",
    "nos",
    "vos",
    "votre",
    "your",
    "yours",
    "mien",
    "sien",
    "grace",
    "maintenant",
    "now",
    "aujourd",
    "hui",
    "today",
    "soit",
    "be",
    "etre",
    "will",
    "shall",
    "dois",
    "doit",
    "must",
    "should",
    "faut",
    "il",
    "falloir",
    "want",
    "wanna",
    "let",
    "s",
    "lets",
    "get",
    "go",
    "allez",
    "vas",
    "va",
    "merci",
    "beaucoup",
    "cordialement",
    "regards",
    "ca",
    "cela",
    "ceci",
    "tout",
    "totalement",
    "entierement",
    "entire",
    "whole",
    "la",
    "dedans",
    "inside",
    "within",
    "contenu",
    "content",
    "contents",
    "nouveaux",
    "client",
    "clients",
    "customer",
    "customers",
    "client's",
    "sorties",
    "resultat",
    "e",
    "as",
    "but",
    "mais",
    "celles",
    "celui",
    "ceux",
    "called",
    "named",
    "nomme",
    "appele",
    "intitule",
    "what",
    "ones",
    "one",
    "cherche",
    "chercher",
    "cherchez",
    "recherche",
    "rechercher",
    "search",
    "look",
    "check",
    "verifie",
    "verifier",
    "controle",
    "controler",
    "isole",
    "isoler",
    "aide",
    "aider",
    "aidez",
    "help",
    "occupe",
    "toi",
    "veuillez",
    "voudriez",
    "voulez",
    "veut",
    "voudrait",
    "pourrait",
    "faudrait",
    "serait",
    "sympa",
    "kindly",
    "plait",
    "everything",
    "any",
    "alone",
    "tranquille",
    "tranquilles",
    "environ",
    "max",
    "maximum",
    "realise",
    "realiser",
    "realisez",
    "elabore",
    "elaborer",
    "monte",
    "monter",
    "compile",
    "compiler",
    "enfin",
    "finally",
    "lastly",
    "egalement",
    "quel",
    "quels",
    "quelle",
    "quelles",
    "enumere",
    "hey",
    "coucou",
    "lesquels",
    "lesquelles",
    "set",
];

pub(super) fn is_filler(word: &str) -> bool {
    FILLER.contains(&word) || word.parse::<u64>().is_ok() && word.len() <= 2
}

pub(super) fn detect_lang(toks: &[Tok]) -> Lang {
    Lang::from_words(toks.iter().map(|t| t.f.as_str()))
}

// ---------------------------------------------------------------------------------------
// Clause reading

#[derive(Default)]
struct Reading {
    actions: Vec<Action>,
    scope: Scope,
    group: Vec<Group>,
    dest: Option<String>,
    pattern: Option<Vec<Piece>>,
    list_only: bool,
    no_move: bool,
    slides: Option<u32>,
    format: Option<Format>,
    out_lang: Option<Lang>,
    list_verb: bool,
    /// « liste les fichiers »: a list of files, which is the catalogue when nothing else is asked.
    list_word: bool,
    /// A deliverable asked « dans un tableau », "in a spreadsheet": the sort verb is its.
    into_deliverable: bool,
    unknown: Vec<String>,
    /// Where the unknown words are, for the typo pass.
    unknown_at: Vec<usize>,
    /// A sort word after the deliverable (« tableau des factures classées par client »)
    /// describes the deliverable; it moves nothing.
    sort_after_deliverable: bool,
    /// The clause speaks of the files of the clause before (« classe-les »).
    pronoun: bool,
    /// … or of the one thing it made (« trie-le »).
    singular: bool,
    /// « de côté », "aside".
    aside: bool,
    /// Why an understood part cannot be honoured offline.
    cannot: Vec<String>,
    deck_words: usize,
    table_words: usize,
    summary_words: usize,
    invoice_words: usize,
    meeting_words: usize,
}

/// A file name pattern said in words after « avec », "with": « la date, le client et le
/// numéro ». At least two pieces; the pieces and how many tokens they span.
fn pattern_in_words(toks: &[Tok], i: usize) -> Option<(Vec<Piece>, usize)> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut n = 0;
    let mut last_piece = 0;
    while let Some(t) = toks.get(i + n) {
        let piece = match t.f.as_str() {
            "date" => Some(Piece::Date),
            "client" | "clients" | "customer" => Some(Piece::Client),
            "numero" | "number" | "num" | "reference" | "ref" => Some(Piece::Number),
            "type" => Some(Piece::Type),
            "annee" | "year" => Some(Piece::Year),
            "mois" | "month" => Some(Piece::Month),
            "la" | "le" | "l" | "les" | "du" | "de" | "d" | "et" | "and" | "the" | "its"
            | "son" | "sa" | "puis" | "then" | "leur" | "their" | "facture" | "invoice" => None,
            _ => break,
        };
        n += 1;
        if let Some(p) = piece {
            if !pieces.is_empty() {
                pieces.push(Piece::Sep("_".into()));
            }
            pieces.push(p);
            last_piece = n;
        }
    }
    (pieces
        .iter()
        .filter(|p| !matches!(p, Piece::Sep(_)))
        .count()
        >= 2)
        .then_some((pieces, last_piece))
}

/// "into a Vega folder", "in a new Quotes folder": the span of a destination's name said
/// before the word folder (English word order).
fn name_before_folder(toks: &[Tok]) -> Option<(usize, usize)> {
    let article = |w: &str| matches!(w, "a" | "an" | "the" | "new" | "my" | "our");
    for k in 1..toks.len() {
        if !matches!(toks[k].f.as_str(), "folder" | "directory" | "subfolder") {
            continue;
        }
        let mut j = k;
        while j > 0 && k - j < 3 && !article(&toks[j - 1].f) && !is_filler(&toks[j - 1].f) {
            j -= 1;
        }
        if j == k || j == 0 || !article(&toks[j - 1].f) {
            continue;
        }
        let mut p = j - 1;
        let mut indefinite = false;
        while p > 0 && article(&toks[p].f) {
            indefinite |= matches!(toks[p].f.as_str(), "a" | "an" | "new");
            p -= 1;
        }
        let into = matches!(toks[p].f.as_str(), "into" | "to" | "inside")
            || toks[p].f == "in" && indefinite;
        if into {
            return Some((j, k));
        }
    }
    None
}

/// A word naming files (a kind, a folder, a client, an extension) at `i`.
fn scope_at(toks: &[Tok], i: usize, vocab: &Vocab) -> bool {
    let Some(t) = toks.get(i) else {
        return false;
    };
    kind_of(&t.f).is_some()
        || kind_phrase_at(toks, i).is_some()
        || ext_of(&t.f).is_some()
        || folder_at(toks, i, vocab).is_some()
        || client_at(toks, i, vocab).is_some()
}

/// « sans rien déplacer », « ne déplace rien », "don't move anything" begins at `i`.
fn no_move_at(toks: &[Tok], i: usize) -> bool {
    const NO_MOVE: &[&[&str]] = &[
        &["sans", "rien", "deplacer"],
        &["sans", "les", "deplacer"],
        &["sans", "deplacer"],
        &["sans", "bouger"],
        &["sans", "rien", "bouger"],
        &["ne", "deplace", "rien"],
        &["ne", "deplacez", "rien"],
        &["ne", "bouge", "rien"],
        &["ne", "bougez", "rien"],
        &["without", "moving"],
        &["don", "t", "move"],
        &["dont", "move"],
        &["do", "not", "move"],
        &["ne", "les", "deplace", "pas"],
        &["ne", "les", "bouge", "pas"],
        &["leave", "them", "in", "place"],
        &["laisse", "les", "en", "place"],
        &["en", "place"],
    ];
    NO_MOVE.iter().any(|words| seq(toks, i, words))
}

/// What a set phrase does to the clause it is in.
#[derive(Clone, Copy, PartialEq)]
enum Phrase {
    /// Politeness and joining words that ask nothing (« merci d'avance », "after that").
    Filler,
    /// A sort said in several words (« mets en ordre », "tidy up").
    Sort,
    /// A question about what is there (« y a-t-il », "are there"): shown, not changed.
    Question,
    /// Set aside (« mis à l'écart », "to one side"): the duplicates' folder.
    Aside,
}

const PHRASES: &[(&[&str], Phrase)] = &[
    (&["merci", "d", "avance"], Phrase::Filler),
    (&["merci", "par", "avance"], Phrase::Filler),
    (&["thanks", "in", "advance"], Phrase::Filler),
    (&["thank", "you"], Phrase::Filler),
    (&["s", "il", "te", "plait"], Phrase::Filler),
    (&["s", "il", "vous", "plait"], Phrase::Filler),
    (&["si", "tu", "peux"], Phrase::Filler),
    (&["si", "vous", "pouvez"], Phrase::Filler),
    (&["quand", "tu", "peux"], Phrase::Filler),
    (&["quand", "tu", "as", "le", "temps"], Phrase::Filler),
    (&["if", "you", "can"], Phrase::Filler),
    (&["when", "you", "can"], Phrase::Filler),
    (&["when", "you", "have", "time"], Phrase::Filler),
    (&["after", "that"], Phrase::Filler),
    (&["apres", "ca"], Phrase::Filler),
    (&["apres", "cela"], Phrase::Filler),
    (&["apres", "quoi"], Phrase::Filler),
    (&["ainsi", "que"], Phrase::Filler),
    (&["tout", "d", "abord"], Phrase::Filler),
    (&["d", "abord"], Phrase::Filler),
    (&["first", "of", "all"], Phrase::Filler),
    (&["a", "faire"], Phrase::Filler),
    (&["a", "mener"], Phrase::Filler),
    (&["a", "prendre"], Phrase::Filler),
    (&["to", "take"], Phrase::Filler),
    (&["to", "do"], Phrase::Filler),
    (&["put", "together"], Phrase::Filler),
    (&["write", "up"], Phrase::Filler),
    (&["where", "they", "are"], Phrase::Filler),
    (&["ou", "ils", "sont"], Phrase::Filler),
    (&["ou", "elles", "sont"], Phrase::Filler),
    (&["en", "paix"], Phrase::Filler),
    (&["to", "one", "side"], Phrase::Aside),
    (&["on", "one", "side"], Phrase::Aside),
    (&["to", "the", "side"], Phrase::Aside),
    (&["a", "l", "ecart"], Phrase::Aside),
    (&["tidy", "up"], Phrase::Sort),
    (&["sort", "out"], Phrase::Sort),
    (&["mets", "en", "ordre"], Phrase::Sort),
    (&["met", "en", "ordre"], Phrase::Sort),
    (&["mettre", "en", "ordre"], Phrase::Sort),
    (&["mettez", "en", "ordre"], Phrase::Sort),
    (&["remets", "en", "ordre"], Phrase::Sort),
    (&["mets", "de", "l", "ordre", "dans"], Phrase::Sort),
    (&["mettre", "de", "l", "ordre", "dans"], Phrase::Sort),
    (&["fais", "du", "rangement", "dans"], Phrase::Sort),
    (&["y", "a", "t", "il"], Phrase::Question),
    (&["y", "en", "a", "t", "il"], Phrase::Question),
    (&["est", "ce", "qu", "il", "y", "a"], Phrase::Question),
    (&["il", "y", "a", "t", "il"], Phrase::Question),
    (&["are", "there"], Phrase::Question),
    (&["is", "there"], Phrase::Question),
    (&["do", "i", "have"], Phrase::Question),
    (&["do", "we", "have"], Phrase::Question),
    (&["ai", "je"], Phrase::Question),
    (&["avons", "nous"], Phrase::Question),
];

fn phrase_at(toks: &[Tok], i: usize) -> Option<(Phrase, usize)> {
    PHRASES
        .iter()
        .filter(|(words, _)| seq(toks, i, words))
        .map(|(words, p)| (*p, words.len()))
        .max_by_key(|(_, n)| *n)
}

fn seq(toks: &[Tok], i: usize, words: &[&str]) -> bool {
    words
        .iter()
        .enumerate()
        .all(|(k, w)| toks.get(i + k).is_some_and(|t| t.f == *w))
}

/// Matches a name (folder or client) at `i`; returns how many tokens it spans.
fn name_at(toks: &[Tok], i: usize, name: &str) -> usize {
    let parts: Vec<String> = fold(name).split_whitespace().map(str::to_string).collect();
    if parts.is_empty() {
        return 0;
    }
    let n = parts.len();
    if (0..n).all(|k| toks.get(i + k).is_some_and(|t| t.f == parts[k])) {
        return n;
    }
    0
}

/// Generic words of company names that do not name a client on their own.
const GENERIC_NAME_WORDS: &[&str] = &[
    "les",
    "des",
    "de",
    "du",
    "la",
    "le",
    "et",
    "sarl",
    "sas",
    "sa",
    "eurl",
    "selarl",
    "associes",
    "cabinet",
    "mairie",
    "hotel",
    "garage",
    "boulangerie",
    "saint",
    "st",
    "societe",
    "company",
    "group",
    "groupe",
    "atelier",
    "commune",
    "batiment",
    "petit",
];

fn client_at(toks: &[Tok], i: usize, vocab: &Vocab) -> Option<(String, usize)> {
    // The full name first, then any distinctive word of it.
    for c in &vocab.clients {
        let n = name_at(toks, i, c);
        if n > 0 {
            return Some((c.clone(), n));
        }
    }
    let w = &toks[i].f;
    // « la mairie », « du garage »: a kind of business that only one client is.
    if matches!(
        w.as_str(),
        "mairie" | "boulangerie" | "hotel" | "garage" | "cabinet" | "atelier" | "commune"
    ) && toks
        .get(i.wrapping_sub(1))
        .is_some_and(|p| matches!(p.f.as_str(), "la" | "le" | "l" | "du" | "the"))
        && !toks.get(i + 1).is_some_and(|t| {
            vocab
                .clients
                .iter()
                .any(|c| fold(c).split_whitespace().skip(1).any(|p| p == t.f))
        })
    {
        let owners: Vec<&String> = vocab
            .clients
            .iter()
            .filter(|c| fold(c).split_whitespace().any(|p| p == w))
            .collect();
        if let [only] = owners.as_slice() {
            return Some(((*only).clone(), 1));
        }
    }
    if w.len() < 4 || GENERIC_NAME_WORDS.contains(&w.as_str()) {
        // « Garage Petit », « Mairie de Saint-Aubin »: a generic word followed by the rest.
        for c in &vocab.clients {
            let parts: Vec<String> = fold(c).split_whitespace().map(str::to_string).collect();
            if parts.first() == Some(w) && parts.len() > 1 {
                let mut n = 1;
                while toks
                    .get(i + n)
                    .is_some_and(|t| parts.contains(&t.f) || t.f == "de" || t.f == "st")
                {
                    n += 1;
                }
                if n > 1 {
                    return Some((c.clone(), n));
                }
            }
        }
        return None;
    }
    for c in &vocab.clients {
        let parts: Vec<String> = fold(c).split_whitespace().map(str::to_string).collect();
        if parts.iter().any(|p| {
            p == w && !GENERIC_NAME_WORDS.contains(&p.as_str()) && p.len() >= 4
                || (p.len() >= 6 && w.len() >= 6 && distance(p, w) <= 1)
        }) {
            return Some((c.clone(), 1));
        }
    }
    None
}

fn folder_at(toks: &[Tok], i: usize, vocab: &Vocab) -> Option<(String, usize)> {
    let mut best: Option<(String, usize)> = None;
    for d in &vocab.folders {
        let n = name_at(toks, i, d);
        if n > 0 && best.as_ref().is_none_or(|(_, m)| n > *m) {
            best = Some((d.clone(), n));
        }
    }
    best
}

/// A naming pattern such as `AAAA-MM-JJ_client_numéro` or `YYYY-MM-DD_client_number`.
fn pattern_of(raw: &str) -> Option<Result<Vec<Piece>, String>> {
    let lower = raw.to_lowercase();
    let looks = (lower.contains("aaaa") || lower.contains("yyyy") || lower.contains("annee"))
        || (lower.contains('_') || lower.contains('-'))
            && ["client", "num", "type", "date"]
                .iter()
                .any(|w| lower.contains(w));
    if !looks || raw.chars().count() < 4 {
        return None;
    }
    let mut pieces = Vec::new();
    let mut sep = String::new();
    let mut word = String::new();
    let push_word = |word: &mut String, pieces: &mut Vec<Piece>| -> Result<(), String> {
        if word.is_empty() {
            return Ok(());
        }
        let w = fold(word).trim().to_string();
        let p = match w.as_str() {
            "aaaammjj" | "yyyymmdd" | "date" => Piece::Date,
            "aaaa" | "yyyy" | "annee" | "year" => Piece::Year,
            "mm" | "mois" | "month" => Piece::Month,
            "jj" | "dd" => Piece::Day,
            "client" | "clients" | "customer" => Piece::Client,
            "numero" | "num" | "no" | "number" | "n" | "ref" | "reference" => Piece::Number,
            "type" | "kind" | "nature" => Piece::Type,
            other => return Err(other.to_string()),
        };
        pieces.push(p);
        word.clear();
        Ok(())
    };
    for c in raw.chars() {
        if c.is_alphanumeric() || c == '°' {
            if !sep.is_empty() {
                pieces.push(Piece::Sep(std::mem::take(&mut sep)));
            }
            word.push(c);
        } else {
            if let Err(e) = push_word(&mut word, &mut pieces) {
                return Some(Err(e));
            }
            sep.push(c);
        }
    }
    if let Err(e) = push_word(&mut word, &mut pieces) {
        return Some(Err(e));
    }
    // YYYY-MM-DD → one date piece.
    let mut out: Vec<Piece> = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        if let (
            Some(Piece::Year),
            Some(Piece::Sep(a)),
            Some(Piece::Month),
            Some(Piece::Sep(b)),
            Some(Piece::Day),
        ) = (
            pieces.get(i),
            pieces.get(i + 1),
            pieces.get(i + 2),
            pieces.get(i + 3),
            pieces.get(i + 4),
        ) && a == b
        {
            out.push(Piece::Date);
            i += 5;
            continue;
        }
        if pieces[i] == Piece::Day {
            return Some(Err(fold(raw)));
        }
        out.push(pieces[i].clone());
        i += 1;
    }
    Some(Ok(out))
}

/// Finds a naming pattern in the brief, by its shape, and the text it spans.
fn find_pattern(brief: &str) -> Option<(String, Result<Vec<Piece>, String>)> {
    for raw in brief.split(|c: char| c.is_whitespace() || "«»\"“”(),;".contains(c)) {
        let raw = raw.trim_matches(|c: char| c == '.' || c == ':');
        let upper_ish = raw.contains("AAAA")
            || raw.contains("YYYY")
            || raw.contains("aaaa")
            || raw.contains("yyyy");
        let joined = raw.contains('_') || (raw.matches('-').count() >= 1 && raw.len() > 6);
        if (upper_ish || joined)
            && let Some(p) = pattern_of(raw)
        {
            if !upper_ish && p.is_err() {
                continue;
            }
            return Some((raw.to_string(), p));
        }
    }
    None
}

fn read_clause(toks: &[Tok], vocab: &Vocab) -> Reading {
    let mut r = Reading::default();
    let mut negated = false;
    let mut i = 0;
    let mut after_par = false;
    let mut months: Vec<u32> = Vec::new();
    let mut year: Option<i32> = None;
    let mut quarter: Option<u32> = None;
    let mut half: Option<u32> = None;
    // « du mois dernier et de ce mois-ci »: two periods are not one.
    let mut two_periods = false;
    let mut folder_word = false;
    let mut dest_word = false;
    let mut pending_group_then = false;
    // « par » / "by" must be followed by a grouping we know (« par montant » is not one).
    let mut strict_par = false;
    // « de janvier à mars », « entre janvier et mars »: the months are a range.
    let mut month_range = false;
    let dest_before = name_before_folder(toks);
    while i < toks.len() {
        let t = &toks[i];
        let w = t.f.as_str();
        let next = toks.get(i + 1).map(|t| t.f.as_str()).unwrap_or("");
        if let Some((a, b)) = dest_before
            && a == i
            && r.actions.contains(&Action::Sort)
            && r.dest.is_none()
        {
            let name: Vec<String> = toks[a..b].iter().map(|t| t.orig.clone()).collect();
            r.dest = Some(name.join(" "));
            i = b + 1;
            continue;
        }
        // « renomme-les avec la date, le client et le numéro »: a pattern said in words.
        if r.actions.contains(&Action::Rename)
            && r.pattern.is_none()
            && matches!(
                w,
                "avec" | "with" | "selon" | "using" | "contenant" | "comprenant" | "including"
            )
            && let Some((pieces, n)) = pattern_in_words(toks, i + 1)
        {
            r.pattern = Some(pieces);
            i += 1 + n;
            continue;
        }
        if let Some((p, n)) = phrase_at(toks, i) {
            match p {
                Phrase::Filler
                    if seq(toks, i, &["to", "do"])
                        && toks.get(i.wrapping_sub(1)).is_some_and(|p| {
                            matches!(
                                p.f.as_str(),
                                "les" | "des" | "the" | "a" | "mes" | "my" | "une" | "un"
                            )
                        }) =>
                {
                    // « les to-do », "a to-do list"
                    if !r.actions.contains(&Action::ActionItems) {
                        r.actions.push(Action::ActionItems);
                    }
                    let more = usize::from(
                        toks.get(i + 2)
                            .is_some_and(|t| matches!(t.f.as_str(), "list" | "lists" | "liste")),
                    );
                    i += n + more;
                    continue;
                }
                Phrase::Filler => {}
                Phrase::Aside => r.aside = true,
                Phrase::Sort => {
                    if !r.actions.contains(&Action::Sort) {
                        r.actions.push(Action::Sort);
                    }
                }
                Phrase::Question => r.list_verb = true,
            }
            i += n;
            continue;
        }
        // Exclusions and « don't move » qualifiers.
        if no_move_at(toks, i) {
            r.no_move = true;
            let mut n = 1;
            while toks.get(i + n).is_some_and(|t| {
                matches!(
                    t.f.as_str(),
                    "rien"
                        | "les"
                        | "deplacer"
                        | "bouger"
                        | "deplace"
                        | "bouge"
                        | "moving"
                        | "move"
                        | "t"
                        | "not"
                        | "pas"
                        | "anything"
                        | "them"
                        | "in"
                        | "place"
                        | "en"
                        | "ni"
                        | "renommer"
                        | "renaming"
                        | "or"
                        | "rename"
                )
            }) {
                n += 1;
            }
            i += n;
            continue;
        }
        if seq(toks, i, &["ne", "supprime", "rien"])
            || seq(toks, i, &["sans", "rien", "supprimer"])
            || seq(toks, i, &["sans", "supprimer"])
            || seq(toks, i, &["don", "t", "delete"])
            || seq(toks, i, &["dont", "delete"])
            || seq(toks, i, &["do", "not", "delete"])
            || seq(toks, i, &["without", "deleting"])
            || seq(toks, i, &["n", "efface", "rien"])
        {
            // We never delete: honoured by construction.
            let mut n = 2;
            while toks.get(i + n).is_some_and(|t| {
                matches!(
                    t.f.as_str(),
                    "rien" | "supprimer" | "delete" | "anything" | "deleting" | "supprime"
                )
            }) {
                n += 1;
            }
            i += n;
            continue;
        }
        if matches!(
            w,
            "sauf"
                | "except"
                | "excepte"
                | "exceptes"
                | "exceptee"
                | "exceptees"
                | "excepted"
                | "hormis"
                | "hors"
                | "excluding"
                | "exclus"
                | "exclude"
                | "exclure"
                | "exclue"
                | "exclues"
        ) || seq(toks, i, &["a", "part"])
            || seq(toks, i, &["a", "l", "exception"])
            || seq(toks, i, &["a", "l", "exclusion"])
            || seq(toks, i, &["en", "dehors"])
            || seq(toks, i, &["apart", "from"])
            || seq(toks, i, &["aside", "from"])
            || seq(toks, i, &["not", "including"])
            || seq(toks, i, &["sans", "toucher"])
            || seq(toks, i, &["without", "touching"])
            || seq(toks, i, &["laisse", "de", "cote"])
            || seq(toks, i, &["leave", "aside"])
            || matches!(w, "laisse" | "laissez" | "leave")
            || seq(toks, i, &["mais", "pas"])
            || seq(toks, i, &["but", "not"])
            || seq(toks, i, &["ne", "touche", "pas"])
            || seq(toks, i, &["touche", "pas"])
            || seq(toks, i, &["don", "t", "touch"])
            || seq(toks, i, &["dont", "touch"])
            || seq(toks, i, &["do", "not", "touch"])
            || seq(toks, i, &["pas", "les"])
            || seq(toks, i, &["not", "the"])
            || seq(toks, i, &["leave", "out"])
            || seq(toks, i, &["other", "than"])
            || seq(toks, i, &["autres", "que"])
            || seq(toks, i, &["without", "the"])
            || seq(toks, i, &["sans", "les"])
            || w == "mais" && next == "ne" && !no_move_at(toks, i + 1)
            || matches!(
                w,
                "laissant" | "leaving" | "excluant" | "skip" | "skipping" | "ignore" | "ignoring" | "omit"
            )
            // "everything but the images"
            || w == "but" && (scope_at(toks, i + 1, vocab) || next == "the" && scope_at(toks, i + 2, vocab))
            || seq(toks, i, &["sans", "compter"])
        {
            negated = true;
            let mut n = 1;
            while toks.get(i + n).is_some_and(|t| {
                matches!(
                    t.f.as_str(),
                    "part"
                        | "l"
                        | "exception"
                        | "exclusion"
                        | "dehors"
                        | "de"
                        | "des"
                        | "du"
                        | "d"
                        | "from"
                        | "including"
                        | "toucher"
                        | "touching"
                        | "compter"
                        | "cote"
                        | "aside"
                        | "pas"
                        | "not"
                        | "touche"
                        | "t"
                        | "touch"
                        | "the"
                        | "out"
                        | "than"
                        | "que"
                        | "ne"
                        | "aux"
                        | "au"
                        | "a"
                        | "les"
                        | "la"
                        | "le"
                        | "mais"
                        | "any"
                        | "of"
                        | "pour"
                )
            }) {
                n += 1;
            }
            i += n;
            continue;
        }
        // Language of the deliverables.
        if matches!(w, "en" | "in") && matches!(next, "anglais" | "english" | "francais" | "french")
        {
            r.out_lang = Some(if matches!(next, "anglais" | "english") {
                Lang::En
            } else {
                Lang::Fr
            });
            i += 2;
            continue;
        }
        // Grouping.
        if i == 0
            && matches!(w, "puis" | "then" | "et" | "and" | "ensuite")
            && matches!(
                next,
                "client"
                    | "clients"
                    | "type"
                    | "types"
                    | "annee"
                    | "year"
                    | "mois"
                    | "month"
                    | "trimestre"
                    | "quarter"
                    | "date"
            )
        {
            after_par = true;
            i += 1;
            continue;
        }
        if matches!(w, "par" | "by" | "per" | "chaque" | "each")
            || (w == "puis" || w == "then" || w == "et" || w == "and") && pending_group_then
        {
            after_par = true;
            strict_par = matches!(w, "par" | "by" | "per");
            i += 1;
            continue;
        }
        // « par nom de client », « par ordre de date », "by their year"
        if strict_par
            && matches!(
                w,
                "le" | "la"
                    | "les"
                    | "l"
                    | "leur"
                    | "leurs"
                    | "son"
                    | "sa"
                    | "ses"
                    | "the"
                    | "their"
                    | "its"
                    | "nom"
                    | "noms"
                    | "name"
                    | "ordre"
                    | "order"
                    | "document"
                    | "documents"
                    | "doc"
                    | "file"
                    | "de"
                    | "du"
                    | "d"
                    | "of"
            )
        {
            i += 1;
            continue;
        }
        let group = match w {
            "client" | "clients" | "customer" | "customers" | "societe" | "company" => {
                Some(Group::Client)
            }
            "type" | "types" | "nature" | "categorie" | "categories" | "category" | "kind" => {
                Some(Group::Type)
            }
            "annee" | "annees" | "an" | "year" | "years" | "ans" => Some(Group::Year),
            "trimestre" | "trimestres" | "quarter" | "quarters" => Some(Group::Quarter),
            "mois" | "month" | "months" => Some(Group::Month),
            "date" | "dates" => Some(Group::Year),
            _ => None,
        };
        if strict_par && group.is_none() {
            // Grouped by something we cannot group by: never ignored.
            r.unknown.push(t.orig.clone());
            r.unknown_at.push(i);
        }
        strict_par = false;
        if let Some(g) = group
            && (after_par || pending_group_then || t.nested && !r.group.is_empty())
        {
            if w.starts_with("date") {
                push_group(&mut r.group, Group::Year);
                push_group(&mut r.group, Group::Month);
            } else {
                push_group(&mut r.group, g);
            }
            pending_group_then = true;
            // « par type de document », « par date de facture »
            let mut n = 1;
            while toks.get(i + n).is_some_and(|t| {
                matches!(
                    t.f.as_str(),
                    "de" | "document"
                        | "documents"
                        | "doc"
                        | "fichier"
                        | "facture"
                        | "factures"
                        | "document's"
                        | "file"
                )
            }) && !(g == Group::Type
                && toks
                    .get(i + n + 1)
                    .is_some_and(|t| kind_of(&t.f).is_some() && t.f != "document"))
            {
                n += 1;
                if n > 3 {
                    break;
                }
            }
            i += n;
            continue;
        }
        if matches!(w, "puis" | "then" | "et" | "and" | "ensuite") && pending_group_then {
            i += 1;
            continue;
        }
        after_par = false;
        if !matches!(w, "de" | "du" | "la" | "le" | "l" | "d") {
            pending_group_then = false;
        }
        // Periods.
        let period_at = relative_at(toks, i).is_some()
            || month_of(w).is_some()
            || year_of(w).is_some()
            || quarter_at(toks, i).is_some()
            || half_at(toks, i).is_some()
            || day_of_month(toks, i).is_some();
        if period_at && negated {
            // « sauf celles d'avril »: a period left out is not a period asked for.
            let why = detect_lang(toks)
                .pick("exclure une période", "leaving a period out")
                .to_string();
            if !r.cannot.contains(&why) {
                r.cannot.push(why);
            }
        }
        if let Some((what, n)) = relative_at(toks, i) {
            // « le dernier trimestre 2024 » is the fourth quarter of 2024.
            if what == Relative::LastQuarter
                && toks.get(i + n).is_some_and(|t| year_of(&t.f).is_some())
            {
                quarter = Some(4);
            } else {
                if r.scope
                    .period
                    .is_some_and(|p| p != Period::Relative { what })
                {
                    two_periods = true;
                }
                r.scope.period = Some(Period::Relative { what });
            }
            i += n;
            continue;
        }
        // « l'année 2024 », « du mois de mars », "the month of March"
        if matches!(w, "annee" | "year" | "exercice") && year_of(next).is_some()
            || matches!(w, "mois" | "month")
                && matches!(next, "de" | "d" | "of")
                && toks.get(i + 2).is_some_and(|t| month_of(&t.f).is_some())
        {
            i += if year_of(next).is_some() { 1 } else { 2 };
            continue;
        }
        if matches!(w, "entre" | "between")
            && toks
                .get(i + 1)
                .is_some_and(|t| month_of(&t.f).is_some() || t.f == "le" || t.f == "the")
        {
            month_range = true;
            i += 1;
            continue;
        }
        if let Some((day, n)) = day_of_month(toks, i) {
            // Only a whole month is a period we can honour: « du 1er janvier au 31 mars ».
            let m = toks.get(i + n).and_then(|t| month_of(&t.f)).unwrap_or(1);
            if !(day == 1 || day == last_day_of(m) || m == 2 && day == 29) {
                r.cannot.push(match detect_lang(toks) {
                    Lang::Fr => format!("à partir du jour ({})", t.orig),
                    Lang::En => format!("from a given day ({})", t.orig),
                });
            }
            i += n;
            continue;
        }
        if let Some(m) = month_of(w).filter(|_| !(w == "sept" && slide_word(next))) {
            // The word before the month, past a day (« au 31 mars »).
            let before = if toks
                .get(i.wrapping_sub(1))
                .is_some_and(|p| day_of_month(toks, i - 1).is_some() && p.f != "first")
            {
                i.wrapping_sub(2)
            } else {
                i.wrapping_sub(1)
            };
            if !months.is_empty()
                && toks.get(before).is_some_and(|p| {
                    month_of(&p.f).is_some()
                        || matches!(
                            p.f.as_str(),
                            "a" | "au" | "to" | "through" | "till" | "until" | "jusqu"
                        )
                })
            {
                month_range = true;
            }
            months.push(m);
            // « mars 24 » is a year in French; "March 24" is a day, never guessed.
            if next.len() == 2
                && let Ok(y) = next.parse::<i32>()
            {
                if detect_lang(toks) == Lang::Fr
                    && !slide_word(toks.get(i + 2).map(|t| t.f.as_str()).unwrap_or(""))
                {
                    year = Some(2000 + y);
                } else {
                    r.unknown.push(toks[i + 1].orig.clone());
                    r.unknown_at.push(i + 1);
                }
                i += 1;
            } else if next.len() == 1 && next.parse::<u32>().is_ok() {
                r.unknown.push(toks[i + 1].orig.clone());
                r.unknown_at.push(i + 1);
                i += 1;
            }
            i += 1;
            continue;
        }
        // « 03/2024 »: a month number before a year.
        if w.len() <= 2
            && let Ok(m) = w.parse::<u32>()
            && (1..=12).contains(&m)
            && year_of(next).is_some()
        {
            months.push(m);
            i += 1;
            continue;
        }
        if let Some(y) = year_of(w) {
            if year.is_some_and(|x| x != y) {
                // « 2024 et 2025 », « de décembre 2024 à janvier 2025 »
                let why = detect_lang(toks)
                    .pick("plusieurs années", "several years")
                    .to_string();
                if !r.cannot.contains(&why) {
                    r.cannot.push(why);
                }
            }
            year = Some(y);
            i += 1;
            continue;
        }
        if let Some(q) = quarter_at(toks, i) {
            quarter = Some(q.0);
            i += q.1;
            // « T1 24 »
            if let Some(t) = toks.get(i)
                && t.f.len() == 2
                && let Ok(y) = t.f.parse::<i32>()
            {
                year = Some(2000 + y);
                i += 1;
            }
            continue;
        }
        if let Some(h) = half_at(toks, i) {
            half = Some(h.0);
            i += h.1;
            continue;
        }
        // Folders of the folder, destinations.
        if matches!(w, "dossier" | "folder" | "repertoire" | "sous") {
            folder_word = true;
            if toks.get(i.wrapping_sub(1)).is_some_and(|p| {
                matches!(
                    p.f.as_str(),
                    "un" | "une" | "a" | "nouveau" | "new" | "dedicated"
                )
            }) || toks
                .get(i.wrapping_sub(2))
                .is_some_and(|p| matches!(p.f.as_str(), "dans" | "into" | "vers" | "to"))
                && r.actions.contains(&Action::Sort)
            {
                dest_word = true;
            }
            i += 1;
            continue;
        }
        if matches!(w, "into" | "vers") {
            dest_word = true;
        }
        if let Some((d, n)) = folder_at(toks, i, vocab)
            && (folder_word || t.quoted || !dest_word)
            && !(dest_word && r.actions.contains(&Action::Sort))
        {
            if negated {
                r.scope.not_folders.push(d);
            } else {
                r.scope.folders.push(d);
            }
            folder_word = false;
            i += n;
            continue;
        }
        if dest_word && folder_word && r.dest.is_none() {
            // The folder's name runs to the end of the clause or the next known word,
            // after « appelé », "called", "named".
            let mut name = Vec::new();
            let mut n = 0;
            while toks.get(i + n).is_some_and(|t| {
                !t.quoted
                    && matches!(
                        t.f.as_str(),
                        "called" | "named" | "nomme" | "appele" | "intitule" | "baptise"
                    )
            }) {
                n += 1;
            }
            let skipped = n;
            while let Some(t) = toks.get(i + n) {
                if n > skipped
                    && (is_filler(&t.f) && !t.quoted
                        || action_of(&t.f).is_some()
                        || matches!(
                            t.f.as_str(),
                            "par" | "by" | "sauf" | "except" | "sans" | "without"
                        ))
                {
                    break;
                }
                name.push(t.orig.clone());
                n += 1;
            }
            if !name.is_empty() {
                r.dest = Some(name.join(" "));
                folder_word = false;
                dest_word = false;
                i += n;
                continue;
            }
        }
        // Clients.
        if let Some((c, n)) = client_at(toks, i, vocab) {
            let list = if negated {
                &mut r.scope.not_clients
            } else {
                &mut r.scope.clients
            };
            if !list.contains(&c) {
                list.push(c);
            }
            i += n;
            continue;
        }
        if matches!(
            w,
            "presentations" | "rapports" | "tableaux" | "diapos" | "slides" | "decks"
        ) && r
            .actions
            .iter()
            .any(|a| a.moves_files() || *a == Action::Catalogue)
        {
            push_kind(
                &mut r,
                negated,
                match w {
                    "presentations" | "diapos" | "slides" | "decks" => "presentation",
                    "rapports" => "report",
                    _ => "spreadsheet",
                },
            );
            i += 1;
            continue;
        }
        if negated && (seq(toks, i, &["de", "cote"]) || matches!(w, "aside" | "out")) {
            // « en laissant les e-mails de côté », "leaving the emails aside"
            i += if w == "de" { 2 } else { 1 };
            continue;
        }
        if matches!(
            w,
            "which" | "quels" | "quelles" | "quel" | "quelle" | "lesquels" | "lesquelles"
        ) {
            r.list_verb = true;
        }
        if seq(toks, i, &["en", "double"]) {
            if !r.actions.contains(&Action::Duplicates) {
                r.actions.push(Action::Duplicates);
            }
            i += 2;
            continue;
        }
        // « mets-les de côté »: only duplicates are set aside (see `understand`).
        if seq(toks, i, &["de", "cote"]) || matches!(w, "aside" | "apart") {
            r.aside = true;
            i += if w == "de" { 2 } else { 1 };
            continue;
        }
        if matches!(
            w,
            "liste"
                | "list"
                | "lister"
                | "montre"
                | "show"
                | "affiche"
                | "signale"
                | "indique"
                | "check"
                | "verifie"
                | "verifier"
                | "controle"
                | "controler"
        ) {
            r.list_verb = true;
        }
        if matches!(w, "liste" | "list" | "lister" | "enumere") {
            r.list_word = true;
        }
        // Document kinds said in several words (« notes de frais », « relevés bancaires »).
        if let Some((k, n)) = kind_phrase_at(toks, i) {
            push_kind(&mut r, negated, k);
            if k == "meeting" {
                r.meeting_words += 1;
            }
            i += n;
            continue;
        }
        // « un tableur », « dans un tableur »: the spreadsheet is the deliverable.
        if w == "tableur"
            && toks
                .get(i.wrapping_sub(1))
                .is_some_and(|p| matches!(p.f.as_str(), "un" | "en" | "a"))
        {
            if !r.actions.contains(&Action::Table) {
                r.actions.push(Action::Table);
            }
            r.table_words += 1;
            if (1..=2).any(|k| {
                toks.get(i.wrapping_sub(k))
                    .is_some_and(|p| matches!(p.f.as_str(), "dans" | "en" | "in" | "into"))
            }) {
                r.into_deliverable = true;
            }
            i += 1;
            continue;
        }
        if t.pronoun {
            r.pronoun = true;
            r.singular |= t.singular;
        }
        // Actions.
        if let Some(a) = action_of(w) {
            if a == Action::Sort
                && !r.actions.contains(&Action::Sort)
                && r.actions.iter().any(|a| {
                    matches!(
                        a,
                        Action::Table | Action::Catalogue | Action::Report | Action::Deck
                    )
                })
            {
                r.sort_after_deliverable = true;
            }
            if matches!(
                a,
                Action::Table | Action::Deck | Action::Report | Action::Catalogue
            ) && (1..=2).any(|k| {
                toks.get(i.wrapping_sub(k)).is_some_and(|p| {
                    matches!(p.f.as_str(), "dans" | "in" | "into" | "en" | "sous" | "as")
                })
            }) {
                r.into_deliverable = true;
            }
            match a {
                Action::Deck => r.deck_words += 1,
                Action::Table => r.table_words += 1,
                Action::Summaries => r.summary_words += 1,
                _ => {}
            }
            if !r.actions.contains(&a) {
                r.actions.push(a);
            }
            if a == Action::Duplicates
                && toks.get(i.wrapping_sub(1)).is_some_and(|p| {
                    matches!(
                        p.f.as_str(),
                        "liste"
                            | "list"
                            | "lister"
                            | "montre"
                            | "show"
                            | "signale"
                            | "affiche"
                            | "indique"
                    )
                })
            {
                r.list_only = true;
            }
            i += 1;
            continue;
        }
        if matches!(
            w,
            "liste" | "list" | "lister" | "listing" | "montre" | "show" | "affiche"
        ) && next.starts_with("doublon")
            || next.starts_with("duplicat") && matches!(w, "liste" | "list" | "show")
        {
            r.list_only = true;
        }
        // Document kinds, extensions, formats.
        if let Some(k) = kind_of(w) {
            // « factures d'achat », « factures de vente »
            let (after, skip) = match next {
                "d" | "de" => (toks.get(i + 2).map(|t| t.f.as_str()).unwrap_or(""), 2),
                _ => (next, 1),
            };
            let k = match (k, after) {
                (
                    "invoice",
                    "fournisseur" | "fournisseurs" | "achat" | "achats" | "supplier" | "suppliers"
                    | "recues",
                ) => {
                    i += skip;
                    "supplier_invoice"
                }
                ("invoice", "vente" | "ventes" | "emises") => {
                    i += skip;
                    "sales_invoice"
                }
                ("invoice", "client" | "clients") if skip == 1 => {
                    i += 1;
                    "sales_invoice"
                }
                (k, _) => k,
            };
            if k == "invoice" || k == "sales_invoice" || k == "supplier_invoice" {
                r.invoice_words += 1;
            }
            if k == "meeting" {
                r.meeting_words += 1;
            }
            let list = if negated {
                &mut r.scope.not_kinds
            } else {
                &mut r.scope.kinds
            };
            if !list.iter().any(|x| x == k) {
                list.push(k.to_string());
            }
            i += 1;
            // « de réunion », « d'achat »
            continue;
        }
        if matches!(w, "supplier" | "suppliers" | "fournisseur" | "fournisseurs")
            && kind_of(next) == Some("invoice")
        {
            push_kind(&mut r, negated, "supplier_invoice");
            r.invoice_words += 1;
            i += 2;
            continue;
        }
        if w == "notes" || w == "note" {
            if matches!(next, "client" | "clients" | "de" | "sur")
                || toks.get(i.wrapping_sub(1)).is_some_and(|p| p.f == "client")
            {
                push_kind(&mut r, negated, "client_note");
            } else if matches!(next, "reunion" | "reunions" | "meeting") {
                push_kind(&mut r, negated, "meeting");
                r.meeting_words += 1;
                i += 1;
            } else {
                push_kind(&mut r, negated, "client_note");
            }
            i += 1;
            continue;
        }
        if let Some(e) = ext_of(w) {
            // « les fichiers PDF », "the PDF files", « liste les PDF »: files, not a format.
            // « catalogue en PDF », "as CSV": the deliverable's format.
            let as_format = toks
                .get(i.wrapping_sub(1))
                .is_some_and(|p| matches!(p.f.as_str(), "en" | "in" | "as" | "format"))
                && !r.actions.iter().any(|a| a.moves_files());
            let file_action = !as_format
                && (r
                    .actions
                    .iter()
                    .any(|a| a.moves_files() || *a == Action::Catalogue)
                    || r.list_word
                    || matches!(next, "files" | "fichiers" | "documents" | "docs"));
            let fmt = format_of(w);
            if file_action || fmt.is_none() || negated {
                if negated {
                    r.scope.not_exts.push(e.into());
                } else if !r.scope.exts.iter().any(|x| x == e) {
                    r.scope.exts.push(e.into());
                }
            } else {
                r.format = fmt;
            }
            i += 1;
            continue;
        }
        if let Some(f) = format_of(w) {
            let file_action = r
                .actions
                .iter()
                .any(|a| a.moves_files() || *a == Action::Catalogue);
            if file_action
                && matches!(f, Format::Word | Format::Excel | Format::Powerpoint)
                && matches!(next, "files" | "fichiers" | "documents" | "docs")
                || toks
                    .get(i.wrapping_sub(1))
                    .is_some_and(|p| matches!(p.f.as_str(), "fichiers" | "documents" | "files"))
                    && file_action
            {
                r.scope.exts.push(
                    match f {
                        Format::Word => "docx",
                        Format::Excel => "xlsx",
                        _ => "pptx",
                    }
                    .into(),
                );
            } else if f == Format::Powerpoint {
                if !r.actions.contains(&Action::Deck) {
                    r.actions.push(Action::Deck);
                }
            } else if f == Format::Excel
                && !r
                    .actions
                    .iter()
                    .any(|a| matches!(a, Action::Table | Action::Catalogue | Action::ActionItems))
                && !file_action
            {
                r.actions.push(Action::Table);
                r.table_words += 1;
                r.format = Some(f);
            } else {
                r.format = Some(f);
            }
            i += 1;
            continue;
        }
        // Slide counts.
        if let Ok(n) = w.parse::<u32>()
            && let Some(a) = toks.get(i + 1)
            && matches!(
                a.f.as_str(),
                "slides"
                    | "slide"
                    | "diapos"
                    | "diapositives"
                    | "diapo"
                    | "diapositive"
                    | "pages"
                    | "page"
                    | "transparents"
            )
        {
            r.slides = Some(n.clamp(1, 60));
            if !r.actions.contains(&Action::Deck) && !matches!(a.f.as_str(), "pages" | "page") {
                r.actions.push(Action::Deck);
            }
            i += 2;
            continue;
        }
        if let Some(n) = number_word(w)
            && slide_word(next)
        {
            r.slides = Some(n);
            if !r.actions.contains(&Action::Deck) && !matches!(next, "pages" | "page") {
                r.actions.push(Action::Deck);
            }
            i += 2;
            continue;
        }
        // Column words of the invoice table, meeting words.
        if matches!(
            w,
            "ht" | "tva"
                | "ttc"
                | "vat"
                | "net"
                | "gross"
                | "montant"
                | "montants"
                | "amount"
                | "amounts"
                | "total"
                | "totaux"
                | "totals"
                | "sommes"
                | "formules"
                | "formulas"
                | "formula"
                | "chiffres"
        ) {
            r.table_words += 1;
            if matches!(w, "montant" | "montants" | "amount" | "amounts") {
                r.invoice_words += 1;
            }
            i += 1;
            continue;
        }
        if matches!(
            w,
            "priorites"
                | "priorite"
                | "priorities"
                | "priority"
                | "qui"
                | "decisions"
                | "decision"
                | "items"
                | "item"
                | "suivi"
                | "responsables"
                | "owners"
                | "echeances"
                | "deadlines"
                | "next"
                | "steps"
                | "prochaines"
                | "etapes"
        ) {
            i += 1;
            continue;
        }
        if matches!(
            w,
            "recommandations"
                | "recommandation"
                | "recommendations"
                | "recommendation"
                | "conclusions"
        ) {
            if !r.actions.contains(&Action::Report) && r.actions.is_empty() {
                r.actions.push(Action::Report);
            }
            i += 1;
            continue;
        }
        if matches!(w, "notes" | "speaker") || seq(toks, i, &["notes", "de", "l", "orateur"]) {
            i += 1;
            continue;
        }
        if matches!(w, "orateur" | "intervenant") {
            i += 1;
            continue;
        }
        // « des noms propres », "clean names", « harmonise les noms »: renaming.
        let name_word =
            |x: &str| matches!(x, "nom" | "noms" | "name" | "names" | "nommage" | "naming");
        let good = |x: &str| {
            matches!(
                x,
                "standard"
                    | "standards"
                    | "propres"
                    | "clairs"
                    | "coherents"
                    | "uniformes"
                    | "clean"
                    | "proper"
                    | "consistent"
                    | "better"
                    | "clear"
                    | "meilleurs"
            )
        };
        if name_word(w) && good(next) || good(w) && name_word(next) {
            if !r.actions.contains(&Action::Rename) {
                r.actions.push(Action::Rename);
            }
            i += 2;
            continue;
        }
        if [
            "standardis",
            "standardiz",
            "harmonis",
            "harmoniz",
            "normalis",
            "normaliz",
            "uniformis",
        ]
        .iter()
        .any(|st| w.starts_with(st))
            && toks.iter().any(|t| name_word(&t.f))
        {
            if !r.actions.contains(&Action::Rename) {
                r.actions.push(Action::Rename);
            }
            i += 1;
            continue;
        }
        // « classe le reste », "sort the rest": what the exclusions leave; without one,
        // it means something we do not know.
        if matches!(w, "reste" | "rest" | "else") && (negated || !r.scope.not_kinds.is_empty()) {
            i += 1;
            continue;
        }
        // Words that narrow the files to a date or an age we cannot honour: never skipped
        // (« les nouveaux fichiers », « les factures d'aujourd'hui », "today's invoices").
        let narrows = match w {
            "nouveau" | "nouvelle" | "nouveaux" | "nouvelles" | "new" => {
                !matches!(
                    next,
                    "dossier"
                        | "dossiers"
                        | "folder"
                        | "folders"
                        | "sous"
                        | "repertoire"
                        | "repertoires"
                        | "directory"
                        | "subfolder"
                        | "subfolders"
                ) && (kind_of(next).is_some()
                    || matches!(
                        next,
                        "fichiers" | "files" | "documents" | "docs" | "pieces" | "ones"
                    )
                    || w.ends_with('x')
                    || w.ends_with("les"))
            }
            "aujourd" | "today" | "maintenant" | "now" => {
                toks.get(i.wrapping_sub(1))
                    .is_some_and(|p| matches!(p.f.as_str(), "d" | "de" | "du" | "from" | "of"))
                    || next == "s"
            }
            _ => false,
        };
        if !narrows && (is_filler(w) || matches!(w, "de" | "des" | "du")) {
            i += 1;
            continue;
        }
        // Anything else (a negation we did not recognise, a word we do not know) is never
        // guessed: the clause is not done.
        r.unknown.push(t.orig.clone());
        r.unknown_at.push(i);
        i += 1;
    }
    // « un rapport de 3 pages »: a length we cannot honour (slides are for decks).
    if r.slides.is_some() && !r.actions.contains(&Action::Deck) {
        r.cannot.push(
            detect_lang(toks)
                .pick("une longueur en pages", "a length in pages")
                .into(),
        );
    }
    // Period assembly.
    if two_periods
        || r.scope.period.is_some()
            && (quarter.is_some() || half.is_some() || !months.is_empty() || year.is_some())
    {
        r.cannot.push(
            detect_lang(toks)
                .pick("plusieurs périodes", "several periods")
                .into(),
        );
    }
    if let Some(q) = quarter {
        r.scope.period = Some(Period::Months {
            year,
            from: (q - 1) * 3 + 1,
            to: q * 3,
        });
    } else if let Some(h) = half {
        r.scope.period = Some(Period::Months {
            year,
            from: (h - 1) * 6 + 1,
            to: h * 6,
        });
    } else if !months.is_empty() {
        let mut ms = months.clone();
        ms.sort();
        ms.dedup();
        let from = ms[0];
        let to = ms[ms.len() - 1];
        // « janvier et mars » is two months, not the three from January to March.
        let contiguous = (to - from + 1) as usize == ms.len();
        if !(contiguous || month_range && ms.len() == 2) {
            r.cannot.push(
                detect_lang(toks)
                    .pick(
                        "des mois qui ne se suivent pas",
                        "months that are not consecutive",
                    )
                    .into(),
            );
        }
        r.scope.period = Some(Period::Months { year, from, to });
    } else if let Some(y) = year {
        r.scope.period = Some(Period::Year { year: y });
    }
    r
}

/// Document kinds said in several words, longest first where one begins another.
const KIND_PHRASES: &[(&[&str], &str)] = &[
    (&["notes", "de", "frais"], "receipt"),
    (&["note", "de", "frais"], "receipt"),
    (&["expense", "reports"], "receipt"),
    (&["expense", "report"], "receipt"),
    (&["expense", "claims"], "receipt"),
    (&["expenses"], "receipt"),
    (&["justificatifs"], "receipt"),
    (&["justificatif"], "receipt"),
    (&["tickets", "de", "caisse"], "receipt"),
    (&["ticket", "de", "caisse"], "receipt"),
    (&["meeting", "notes"], "meeting"),
    (&["meeting", "minutes"], "meeting"),
    (&["notes", "de", "reunion"], "meeting"),
    (&["notes", "de", "reunions"], "meeting"),
    (&["proces", "verbaux"], "meeting"),
    (&["proces", "verbal"], "meeting"),
    (&["pv"], "meeting"),
    (&["pvs"], "meeting"),
    (&["crs"], "meeting"),
    (&["comptes", "rendus"], "meeting"),
    (&["compte", "rendu"], "meeting"),
    (&["comptes", "rendu"], "meeting"),
    (&["releves", "bancaires"], "bank_statement"),
    (&["releve", "bancaire"], "bank_statement"),
    (&["releves", "de", "compte"], "bank_statement"),
    (&["releve", "de", "compte"], "bank_statement"),
    (&["releves", "de", "banque"], "bank_statement"),
    (&["releve", "de", "banque"], "bank_statement"),
    (&["releves"], "bank_statement"),
    (&["extraits", "de", "compte"], "bank_statement"),
    (&["extraits", "bancaires"], "bank_statement"),
    (&["bank", "statements"], "bank_statement"),
    (&["bank", "statement"], "bank_statement"),
    (&["statements"], "bank_statement"),
    (&["exports", "bancaires"], "bank_statement"),
    (&["export", "bancaire"], "bank_statement"),
    (&["exports", "banque"], "bank_statement"),
    (&["export", "banque"], "bank_statement"),
    (&["bank", "exports"], "bank_statement"),
    (&["bons", "de", "commande"], "purchase_order"),
    (&["bon", "de", "commande"], "purchase_order"),
    (&["purchase", "orders"], "purchase_order"),
    (&["purchase", "order"], "purchase_order"),
    (&["feuilles", "de", "calcul"], "spreadsheet"),
    (&["feuille", "de", "calcul"], "spreadsheet"),
    (&["propositions", "commerciales"], "quote"),
    (&["proposition", "commerciale"], "quote"),
    (&["propositions"], "quote"),
    (&["proposition"], "quote"),
    (&["offres", "de", "prix"], "quote"),
    (&["credit", "notes"], "credit_note"),
    (&["credit", "note"], "credit_note"),
];

fn kind_phrase_at(toks: &[Tok], i: usize) -> Option<(&'static str, usize)> {
    KIND_PHRASES
        .iter()
        .filter(|(words, _)| seq(toks, i, words))
        .max_by_key(|(words, _)| words.len())
        .map(|(words, k)| (*k, words.len()))
}

fn push_kind(r: &mut Reading, negated: bool, k: &str) {
    let list = if negated {
        &mut r.scope.not_kinds
    } else {
        &mut r.scope.kinds
    };
    if !list.iter().any(|x| x == k) {
        list.push(k.to_string());
    }
}

fn push_group(g: &mut Vec<Group>, k: Group) {
    if !g.contains(&k) {
        g.push(k);
    }
}

fn number_word(w: &str) -> Option<u32> {
    const N: &[(&str, u32)] = &[
        ("deux", 2),
        ("two", 2),
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
        ("onze", 11),
        ("eleven", 11),
        ("douze", 12),
        ("twelve", 12),
        ("treize", 13),
        ("thirteen", 13),
        ("quatorze", 14),
        ("fourteen", 14),
        ("quinze", 15),
        ("fifteen", 15),
        ("seize", 16),
        ("sixteen", 16),
        ("vingt", 20),
        ("twenty", 20),
    ];
    N.iter().find(|(n, _)| *n == w).map(|(_, v)| *v)
}

fn slide_word(w: &str) -> bool {
    w.starts_with("slide")
        || w.starts_with("diapo")
        || matches!(w, "pages" | "page" | "transparents")
}

/// A day before a month name (« le 12 mars », « 1er janvier »): the day and its length.
fn day_of_month(toks: &[Tok], i: usize) -> Option<(u32, usize)> {
    let w = toks[i].f.as_str();
    let day = match w {
        "1er" | "premier" | "1st" | "first" => 1,
        _ => {
            let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            if digits.is_empty()
                || digits.len() > 2
                || !matches!(&w[digits.len()..], "" | "th" | "st" | "nd" | "rd" | "er")
            {
                return None;
            }
            digits
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=31).contains(d))?
        }
    };
    toks.get(i + 1)
        .and_then(|t| month_of(&t.f))
        .map(|_| (day, 1))
}

fn last_day_of(month: u32) -> u32 {
    match month {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// « premier semestre », « S2 », "first half": the half and how many tokens it spans.
fn half_at(toks: &[Tok], i: usize) -> Option<(u32, usize)> {
    let w = toks[i].f.as_str();
    let next = toks.get(i + 1).map(|t| t.f.as_str()).unwrap_or("");
    match w {
        "s1" | "h1" => return Some((1, 1)),
        "s2" | "h2" => return Some((2, 1)),
        _ => {}
    }
    let h = match w {
        "premier" | "1er" | "first" | "1st" => 1,
        "second" | "seconde" | "deuxieme" | "2e" | "2eme" | "2nd" => 2,
        _ => return None,
    };
    if matches!(next, "semestre" | "half") {
        // "the first half of the year"
        let mut n = 2;
        if seq(toks, i + 2, &["of", "the", "year"]) || seq(toks, i + 2, &["de", "l", "annee"]) {
            n += 3;
        }
        Some((h, n))
    } else {
        None
    }
}

fn quarter_at(toks: &[Tok], i: usize) -> Option<(u32, usize)> {
    let w = toks[i].f.as_str();
    let next = toks.get(i + 1).map(|t| t.f.as_str()).unwrap_or("");
    let q = match w {
        "t1" | "q1" => return Some((1, 1)),
        "t2" | "q2" => return Some((2, 1)),
        "t3" | "q3" => return Some((3, 1)),
        "t4" | "q4" => return Some((4, 1)),
        "premier" | "1er" | "first" | "1st" => 1,
        "deuxieme" | "second" | "2e" | "2eme" | "2nd" => 2,
        "troisieme" | "third" | "3e" | "3eme" | "3rd" => 3,
        "quatrieme" | "fourth" | "4e" | "4eme" | "4th" => 4,
        // « trimestre 2 », "quarter 3"
        "trimestre" | "quarter" => {
            return next
                .parse::<u32>()
                .ok()
                .filter(|q| (1..=4).contains(q) && next.len() == 1)
                .map(|q| (q, 2));
        }
        _ => return None,
    };
    if matches!(next, "trimestre" | "quarter") {
        Some((q, 2))
    } else {
        None
    }
}

fn relative_at(toks: &[Tok], i: usize) -> Option<(Relative, usize)> {
    let pairs: &[(&[&str], Relative)] = &[
        (&["le", "dernier", "trimestre"], Relative::LastQuarter),
        (&["dernier", "trimestre"], Relative::LastQuarter),
        (&["trimestre", "dernier"], Relative::LastQuarter),
        (&["trimestre", "precedent"], Relative::LastQuarter),
        (&["trimestre", "passe"], Relative::LastQuarter),
        (&["last", "quarter"], Relative::LastQuarter),
        (&["previous", "quarter"], Relative::LastQuarter),
        (&["ce", "trimestre"], Relative::ThisQuarter),
        (&["trimestre", "en", "cours"], Relative::ThisQuarter),
        (&["this", "quarter"], Relative::ThisQuarter),
        (&["current", "quarter"], Relative::ThisQuarter),
        (&["mois", "dernier"], Relative::LastMonth),
        (&["dernier", "mois"], Relative::LastMonth),
        (&["mois", "precedent"], Relative::LastMonth),
        (&["mois", "passe"], Relative::LastMonth),
        (&["last", "month"], Relative::LastMonth),
        (&["previous", "month"], Relative::LastMonth),
        (&["ce", "mois"], Relative::ThisMonth),
        (&["mois", "en", "cours"], Relative::ThisMonth),
        (&["this", "month"], Relative::ThisMonth),
        (&["mois", "courant"], Relative::ThisMonth),
        (&["current", "month"], Relative::ThisMonth),
        // A template filled with `--set mois=courant`.
        (&["courant"], Relative::ThisMonth),
        (&["semaine", "derniere"], Relative::LastWeek),
        (&["derniere", "semaine"], Relative::LastWeek),
        (&["semaine", "passee"], Relative::LastWeek),
        (&["semaine", "precedente"], Relative::LastWeek),
        (&["previous", "week"], Relative::LastWeek),
        (&["last", "week"], Relative::LastWeek),
        (&["cette", "annee"], Relative::ThisYear),
        (&["this", "year"], Relative::ThisYear),
        (&["annee", "en", "cours"], Relative::ThisYear),
        (&["annee", "derniere"], Relative::LastYear),
        (&["derniere", "annee"], Relative::LastYear),
        (&["annee", "passee"], Relative::LastYear),
        (&["last", "year"], Relative::LastYear),
        (&["previous", "year"], Relative::LastYear),
        (&["annee", "precedente"], Relative::LastYear),
        (&["an", "dernier"], Relative::LastYear),
        (&["an", "passe"], Relative::LastYear),
    ];
    for (words, what) in pairs {
        if seq(toks, i, words) {
            let mut n = words.len();
            if toks.get(i + n).is_some_and(|t| t.f == "ci") {
                n += 1;
            }
            return Some((*what, n));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// The brief

fn has_action_word(seg: &[Tok]) -> bool {
    seg.iter().enumerate().any(|(i, t)| {
        let negated = (i.saturating_sub(3)..i).any(|k| {
            matches!(
                seg[k].f.as_str(),
                "don"
                    | "dont"
                    | "not"
                    | "sans"
                    | "without"
                    | "ne"
                    | "in"
                    | "en"
                    | "leave"
                    | "laisse"
            )
        });
        (action_of(&t.f).is_some() && !(negated && matches!(action_of(&t.f), Some(Action::Sort))))
            || matches!(t.f.as_str(), "powerpoint" | "excel")
    })
}

/// Words a money question may be made of, besides the reader's fillers.
const MONEY_WORDS: &[&str] = &[
    // French
    "fais",
    "faire",
    "fait",
    "moi",
    "me",
    "m",
    "un",
    "une",
    "le",
    "la",
    "les",
    "l",
    "des",
    "de",
    "du",
    "d",
    "mes",
    "mon",
    "ma",
    "pour",
    "par",
    "et",
    "en",
    "au",
    "aux",
    "a",
    "qui",
    "que",
    "qu",
    "quels",
    "quelles",
    "quel",
    "quelle",
    "est",
    "sont",
    "ont",
    "pas",
    "encore",
    "ne",
    "n",
    "ete",
    "non",
    "tableau",
    "tableaux",
    "liste",
    "lister",
    "donne",
    "montre",
    "prepare",
    "genere",
    "cree",
    "creer",
    "produis",
    "calcule",
    "recap",
    "recapitulatif",
    "synthese",
    "etat",
    "suivi",
    "mois",
    "mensuel",
    "mensuelle",
    "trimestre",
    "trimestres",
    "trimestriel",
    "trimestrielle",
    "periode",
    "factures",
    "facture",
    "clients",
    "client",
    "paye",
    "payee",
    "payes",
    "payees",
    "regle",
    "reglee",
    "regles",
    "reglees",
    "impaye",
    "impayee",
    "impayes",
    "impayees",
    "retard",
    "retards",
    "relance",
    "relances",
    "relancer",
    "lettre",
    "lettres",
    "courrier",
    "courriers",
    "rappel",
    "rappels",
    "paiement",
    "paiements",
    "tva",
    "collectee",
    "deductible",
    "chiffre",
    "affaires",
    "devis",
    "facturer",
    "factures",
    "facturation",
    "graphique",
    "ventes",
    "il",
    "y",
    "on",
    "doit",
    "doivent",
    "argent",
    "ecris",
    "redige",
    "ceux",
    "celles",
    "ont",
    "toujours",
    "j",
    "ai",
    "attente",
    "retardataires",
    "mauvais",
    "payeurs",
    "tous",
    "toutes",
    "chaque",
    "depuis",
    "combien",
    "mensuels",
    // English
    "who",
    "hasn",
    "haven",
    "t",
    "has",
    "have",
    "not",
    "yet",
    "paid",
    "show",
    "list",
    "make",
    "build",
    "create",
    "give",
    "a",
    "an",
    "the",
    "of",
    "for",
    "by",
    "per",
    "and",
    "my",
    "which",
    "what",
    "are",
    "is",
    "been",
    "table",
    "summary",
    "invoices",
    "invoice",
    "customers",
    "customer",
    "clients",
    "month",
    "monthly",
    "quarter",
    "quarterly",
    "letters",
    "letter",
    "late",
    "payers",
    "overdue",
    "unpaid",
    "outstanding",
    "reminder",
    "reminders",
    "payment",
    "payments",
    "chart",
    "graph",
    "vat",
    "collected",
    "input",
    "output",
    "revenue",
    "revenues",
    "turnover",
    "sales",
    "quotes",
    "quote",
    "estimates",
    "invoiced",
    "billed",
    "still",
    "me",
    "owe",
    "owes",
    "write",
    "draft",
    "prepare",
    "each",
    "every",
    "to",
    "chase",
    "dunning",
    "that",
    "do",
    "did",
    "i",
];

/// A brief that is only a money question (« Qui ne m'a pas encore payé ? », « TVA collectée
/// et déductible par trimestre », "which quotes have not been invoiced yet?"): its frame.
/// Any word outside the money vocabulary leaves the brief to the general reader (which
/// refuses what it does not know), so a qualifier is never dropped.
fn money_frame(brief: &str) -> Option<Frame> {
    let toks = tokenize(brief);
    let words: Vec<&str> = toks.iter().map(|t| t.f.as_str()).collect();
    if words.is_empty()
        || !words
            .iter()
            .all(|w| MONEY_WORDS.contains(w) || is_filler(w))
    {
        return None;
    }
    // A word of another action (« range », « classe », « présentation ») is not a money
    // question: the general reader takes it.
    if words.iter().any(|w| {
        action_of(w).is_some_and(|a| !matches!(a, Action::Table))
            && !matches!(
                *w,
                "relance"
                    | "relances"
                    | "relancer"
                    | "recap"
                    | "recapitulatif"
                    | "synthese"
                    | "summary"
            )
    }) {
        return None;
    }
    let has = |w: &str| words.contains(&w);
    let any = |ws: &[&str]| ws.iter().any(|w| has(w));
    let seq = |ws: &[&str]| words.windows(ws.len()).any(|x| x == ws);
    let negated_paid = (any(&["pas", "not", "hasn", "haven"])
        && any(&[
            "paye", "payee", "payes", "payees", "regle", "reglee", "regles", "reglees", "paid",
        ]))
        || any(&[
            "impaye",
            "impayee",
            "impayes",
            "impayees",
            "unpaid",
            "overdue",
            "outstanding",
        ])
        || any(&["owe", "owes", "doit", "doivent", "payeurs", "payers"]);
    // « relance » alone could be a call or an e-mail to send: letters are read when the
    // brief says who they are for (late clients, unpaid invoices) or that they are letters.
    const LATE: &[&str] = &[
        "retard",
        "retards",
        "retardataires",
        "late",
        "paiement",
        "payment",
        "clients",
        "client",
        "customers",
        "customer",
        "lettre",
        "lettres",
        "courrier",
        "courriers",
        "letter",
        "letters",
    ];
    const CHASE: &[&str] = &[
        "relance",
        "relances",
        "relancer",
        "reminder",
        "reminders",
        "dunning",
        "chase",
    ];
    const LETTER: &[&str] = &[
        "lettre",
        "lettres",
        "courrier",
        "courriers",
        "rappel",
        "rappels",
        "letter",
        "letters",
    ];
    let letters = (negated_paid || any(LATE))
        && (any(CHASE)
            || any(LETTER)
                && (negated_paid || any(&["retard", "retards", "late", "paiement", "payment"])));
    let quotes = any(&["devis", "quotes", "quote", "estimates"])
        && any(&[
            "facture",
            "factures",
            "facturer",
            "facturation",
            "invoiced",
            "billed",
        ]);
    let vat = any(&["tva", "vat"]);
    let revenue = seq(&["chiffre", "d", "affaires"])
        || any(&["revenue", "revenues", "turnover"])
        || (any(&["ventes", "sales"]) && any(&["mois", "month", "monthly", "mensuel"]));
    // « relances pour les impayés » asks for letters only; a table word asks for the table too.
    // « un tableau des factures et le chiffre d'affaires »: the invoice table is another
    // deliverable, left to the general reader.
    if revenue && !negated_paid && !quotes && any(&["facture", "factures", "invoice", "invoices"]) {
        return None;
    }
    // « Qui ne m'a pas payé ? Et prépare les relances » asks the question too.
    let unpaid = negated_paid
        && (!letters
            || brief.contains('?')
            || any(&[
                "tableau", "tableaux", "liste", "etat", "table", "list", "summary",
            ]));
    let mut actions = Vec::new();
    if unpaid {
        actions.push(Action::Unpaid);
    }
    if letters {
        actions.push(Action::Reminders);
    }
    if vat {
        actions.push(Action::Vat);
    }
    if revenue {
        actions.push(Action::Revenue);
    }
    if quotes {
        actions.push(Action::Quotes);
    }
    if actions.is_empty() {
        return None;
    }
    let mut group = Vec::new();
    if any(&[
        "trimestre",
        "trimestres",
        "trimestriel",
        "trimestrielle",
        "quarter",
        "quarterly",
    ]) {
        group.push(Group::Quarter);
    } else if any(&[
        "mois",
        "mensuel",
        "mensuelle",
        "mensuels",
        "month",
        "monthly",
    ]) {
        group.push(Group::Month);
    }
    Some(Frame {
        lang: detect_lang(&toks),
        out_lang: None,
        clauses: vec![Clause {
            text: brief.trim().to_string(),
            actions,
            scope: Scope::default(),
            group,
            dest: None,
            pattern: None,
            list_only: false,
            slides: None,
            format: None,
            segment: None,
            survey_report: false,
            survey_deck: false,
        }],
        not_done: Vec::new(),
    })
}

/// Reads a brief into a frame, with the folder's names (folders, clients) as vocabulary.
pub fn understand(brief: &str, vocab: &Vocab) -> Frame {
    if let Some(f) = super::table_jobs::table_frame(brief, vocab) {
        return f;
    }
    if let Some(f) = money_frame(brief) {
        return f;
    }
    super::table_jobs::guard(understand_general(brief, vocab), brief)
}

/// The general reader: sorting, renaming, duplicates, catalogue, invoice table, meetings,
/// report and deck.
fn understand_general(brief: &str, vocab: &Vocab) -> Frame {
    // A naming pattern is read from the raw text, then blanked out.
    let pattern = find_pattern(brief);
    let text = match &pattern {
        Some((raw, _)) => brief.replacen(raw.as_str(), " ", 1),
        None => brief.to_string(),
    };
    let mut toks = tokenize(&text);
    // Slips of the finger: a word read as unknown is corrected to the content word it is
    // one slip away from, if there is exactly one (« factrues », « clinet », « anée »).
    let first = read_clause(&toks, vocab);
    for k in first.unknown_at {
        if let Some(c) = toks.get(k).and_then(|t| correction(&t.f)) {
            toks[k].f = c.to_string();
        }
    }
    let lang = detect_lang(&toks);
    // Segments at boundaries; a segment with no action word continues its neighbour.
    let mut segs: Vec<Vec<Tok>> = Vec::new();
    for t in toks {
        if t.boundary || segs.is_empty() {
            segs.push(Vec::new());
        }
        if let Some(s) = segs.last_mut() {
            s.push(t);
        }
    }
    let mut clauses_toks: Vec<Vec<Tok>> = Vec::new();
    let mut leading: Vec<Tok> = Vec::new();
    for mut s in segs {
        // A segment with no action word continues its clause, unless it asks for something
        // of its own that we do not know (« et envoie-le par mail »). A qualifier
        // (« mais … », "except …") stays with its clause, understood or not.
        let seg_reading = read_clause(&s, vocab);
        let qualifier = s
            .iter()
            .find(|t| !matches!(t.f.as_str(), "et" | "and" | "puis" | "then" | "ensuite"))
            .is_some_and(|t| {
                matches!(
                    t.f.as_str(),
                    "mais"
                        | "but"
                        | "sauf"
                        | "except"
                        | "excepte"
                        | "hormis"
                        | "only"
                        | "seulement"
                        | "uniquement"
                        | "sans"
                        | "without"
                        | "not"
                        | "pas"
                        | "ne"
                        | "excluding"
                )
            });
        // « …avec la date, le client et le numéro »: the rest of a name pattern.
        let pattern_rest = seg_reading.unknown_at.iter().all(|k| {
            s.get(*k).is_some_and(|t| {
                matches!(
                    t.f.as_str(),
                    "numero" | "number" | "num" | "reference" | "ref" | "date"
                )
            })
        }) && clauses_toks
            .last()
            .is_some_and(|c| read_clause(c, vocab).actions.contains(&Action::Rename));
        // « par année, mois »: the rest of a grouping.
        let group_rest = seg_reading.unknown_at.iter().all(|k| {
            s.get(*k).is_some_and(|t| {
                matches!(
                    t.f.as_str(),
                    "client"
                        | "clients"
                        | "type"
                        | "types"
                        | "annee"
                        | "mois"
                        | "trimestre"
                        | "year"
                        | "month"
                        | "quarter"
                        | "date"
                )
            })
        }) && clauses_toks
            .last()
            .is_some_and(|c| !read_clause(c, vocab).group.is_empty());
        let own_request = !s.is_empty()
            && !seg_reading.unknown.is_empty()
            && !qualifier
            && !pattern_rest
            && !group_rest;
        // « Range les factures par client, les devis par mois »: the verb is not repeated.
        let own_scope =
            |sc: &Scope| !sc.kinds.is_empty() || !sc.folders.is_empty() || !sc.clients.is_empty();
        let gapped = !has_action_word(&s)
            && own_scope(&seg_reading.scope)
            && !seg_reading.group.is_empty()
            && seg_reading.unknown.is_empty()
            && clauses_toks.last().is_some_and(|c| {
                let prev = read_clause(c, vocab);
                prev.actions == [Action::Sort] && own_scope(&prev.scope) && !prev.group.is_empty()
            });
        if gapped
            && let Some(verb) = clauses_toks
                .last()
                .and_then(|c| c.iter().find(|t| action_of(&t.f) == Some(Action::Sort)))
        {
            let mut verb = verb.clone();
            verb.boundary = false;
            verb.after_colon = false;
            s.insert(0, verb);
        }
        if has_action_word(&s) || own_request && !clauses_toks.is_empty() {
            let mut c = std::mem::take(&mut leading);
            c.extend(s);
            clauses_toks.push(c);
        } else if let Some(last) = clauses_toks.last_mut() {
            last.extend(s);
        } else {
            leading.extend(s);
        }
    }
    if !leading.is_empty() {
        clauses_toks.push(leading);
    }
    let mut frame = Frame {
        lang,
        out_lang: None,
        clauses: Vec::new(),
        not_done: Vec::new(),
    };
    let mut pattern_used = false;
    let mut readings: Vec<(String, Reading)> = Vec::new();
    let mut heading: Option<(Option<Period>, Vec<String>)> = None;
    for ct in clauses_toks {
        let text = ct
            .iter()
            .map(|t| t.orig.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut r = read_clause(&ct, vocab);
        // A heading clause (« Rapport d'avril : tableau des factures et présentation »)
        // gives its period and clients to the clauses after its colon.
        if ct.first().is_some_and(|t| t.after_colon)
            && let Some((_, prev)) = readings.last()
        {
            heading = Some((prev.scope.period, prev.scope.clients.clone()));
        }
        if let Some((period, clients)) = &heading {
            if r.scope.period.is_none() {
                r.scope.period = *period;
            }
            if r.scope.clients.is_empty() {
                r.scope.clients = clients.clone();
            }
        }
        readings.push((text, r));
    }
    let mut prev_scope: Option<Scope> = None;
    let mut prev_made_something = false;
    for (text, mut r) in readings {
        let no_move = r.no_move;
        // « fais un tableau, trie-le par client »: sorting what we made, not the files.
        if r.singular
            && prev_made_something
            && r.actions
                .iter()
                .any(|a| matches!(a, Action::Sort | Action::Rename))
        {
            r.cannot.push(
                lang.pick(
                    "classer ou renommer le livrable lui-même",
                    "sorting or renaming the deliverable itself",
                )
                .into(),
            );
        }
        // « mets les doublons de côté », « trouve les doublons et mets-les de côté »: the
        // duplicates' folder. Anything else set aside is not something we do.
        if r.aside && !r.actions.contains(&Action::Duplicates) {
            let prev_dups = frame
                .clauses
                .last()
                .is_some_and(|c| c.actions.contains(&Action::Duplicates));
            if r.pronoun && prev_dups
                || r.actions.is_empty() && r.scope.is_whole_folder() && prev_dups
            {
                r.actions.retain(|a| *a != Action::Sort);
                r.actions.push(Action::Duplicates);
            } else {
                r.cannot.push(
                    lang.pick(
                        "mettre de côté autre chose que les doublons",
                        "setting aside anything but duplicates",
                    )
                    .into(),
                );
            }
        }
        if !r.actions.is_empty() {
            prev_made_something = r.actions.iter().all(|a| !a.moves_files());
        }
        // « puis classe-les par client »: the files of the clause before.
        if r.pronoun
            && r.scope.is_whole_folder()
            && let Some(p) = &prev_scope
        {
            let period = r.scope.period;
            r.scope = p.clone();
            if period.is_some() {
                r.scope.period = period;
            }
        }
        if !r.actions.is_empty() {
            prev_scope = Some(r.scope.clone());
        }
        // « tableau des factures classées par client »: the sort word describes the table.
        if r.sort_after_deliverable && r.dest.is_none() {
            r.actions.retain(|a| *a != Action::Sort);
        }
        if r.list_verb && r.actions.contains(&Action::Duplicates) {
            r.list_only = true;
        }
        // A summary of invoices or amounts is the invoice table, not meeting summaries.
        if r.actions.contains(&Action::Summaries)
            && (r.table_words > 0 || r.invoice_words > 0)
            && r.meeting_words == 0
        {
            r.actions.retain(|a| *a != Action::Summaries);
            if !r.actions.contains(&Action::Table) {
                r.actions.push(Action::Table);
            }
        }
        // « tableau des actions » is the action list, not a table of amounts.
        if r.actions.contains(&Action::Table)
            && r.actions.contains(&Action::ActionItems)
            && r.invoice_words == 0
        {
            r.actions.retain(|a| *a != Action::Table);
        }
        // « un rapport avec un tableau » : the report has its tables.
        if r.actions.contains(&Action::Report)
            && r.actions.contains(&Action::Table)
            && r.invoice_words == 0
            && r.table_words <= 1
        {
            r.actions.retain(|a| *a != Action::Table);
        }
        if r.actions.contains(&Action::Deck)
            && r.actions.contains(&Action::Table)
            && r.invoice_words == 0
            && r.table_words <= 1
        {
            r.actions.retain(|a| *a != Action::Table);
        }
        // « mets les factures dans un tableau »: the table is what is asked, not a sort.
        if r.into_deliverable
            && r.actions.contains(&Action::Sort)
            && r.group.is_empty()
            && r.dest.is_none()
            && r.actions.len() > 1
        {
            r.actions.retain(|a| *a != Action::Sort);
        }
        // « liste les fichiers », "list the invoices": the catalogue is that list.
        if r.actions.is_empty() && r.list_word && r.unknown.is_empty() {
            r.actions.push(Action::Catalogue);
        }
        // Amounts alone (« les montants des factures ») with a table: nothing more.
        if r.actions.is_empty() && r.table_words > 0 && r.invoice_words > 0 && r.unknown.is_empty()
        {
            r.actions.push(Action::Table);
        }
        if r.actions.contains(&Action::Rename)
            && let Some((raw, p)) = &pattern
        {
            match p {
                Ok(pieces) => r.pattern = Some(pieces.clone()),
                Err(w) => r.cannot.push(format!("{raw} ({w})")),
            }
            pattern_used = true;
        }
        if no_move && r.actions.contains(&Action::Duplicates) {
            r.list_only = true;
        }
        if r.actions.contains(&Action::Sort)
            && r.actions.contains(&Action::Duplicates)
            && r.group.is_empty()
        {
            // « mets les doublons de côté »
            r.actions.retain(|a| *a != Action::Sort);
        }
        if r.actions.contains(&Action::Sort)
            && r.actions.contains(&Action::Rename)
            && r.group.is_empty()
            && r.dest.is_none()
        {
            r.actions.retain(|a| *a != Action::Sort);
        }
        // Words we do not know come first: they are the reason, not a side effect of them.
        let reason = if r.unknown.is_empty() {
            clause_problem(&r, no_move, lang)
        } else {
            None
        };
        if r.actions.is_empty() || !r.unknown.is_empty() || reason.is_some() {
            let why = if let Some(reason) = reason {
                reason
            } else if !r.unknown.is_empty() {
                match lang {
                    Lang::Fr => format!("« {} » n'est pas compris hors ligne", r.unknown.join(" ")),
                    Lang::En => format!("\"{}\" is not understood offline", r.unknown.join(" ")),
                }
            } else {
                lang.pick("aucune action connue", "no known action")
                    .to_string()
            };
            frame.not_done.push(NotDone { text, why });
            continue;
        }
        if r.out_lang.is_some() {
            frame.out_lang = r.out_lang;
        }
        let mut actions = r.actions.clone();
        actions.sort();
        let is_sort = actions.contains(&Action::Sort);
        let mut group = r.group.clone();
        let table_by_client = actions.contains(&Action::Table) && group == [Group::Client];
        if !is_sort && !table_by_client {
            group.clear();
        }
        // « trouve les doublons et mets-les de côté » is one request.
        if let Some(prev) = frame.clauses.last()
            && r.scope.is_whole_folder()
            && actions.iter().all(|a| prev.actions.contains(a))
            && group.is_empty()
            && r.dest.is_none()
        {
            continue;
        }
        if is_sort && group.is_empty() && r.dest.is_none() {
            group.push(Group::Type);
        }
        frame.clauses.push(Clause {
            text,
            actions,
            scope: r.scope,
            group,
            dest: r.dest,
            pattern: r.pattern,
            list_only: r.list_only,
            slides: r.slides,
            format: r.format,
            segment: None,
            survey_report: false,
            survey_deck: false,
        });
    }
    if let Some((raw, _)) = &pattern
        && !pattern_used
    {
        frame.not_done.push(NotDone {
            text: raw.clone(),
            why: lang
                .pick(
                    "un format de nom sans renommage",
                    "a name pattern with no renaming",
                )
                .into(),
        });
    }
    frame
}

/// Why an understood clause cannot be honoured offline, if it cannot.
fn clause_problem(r: &Reading, no_move: bool, lang: Lang) -> Option<String> {
    let say = |fr: &str, en: &str| Some(lang.pick(fr, en).to_string());
    if !r.cannot.is_empty() {
        return Some(match lang {
            Lang::Fr => format!("non pris en charge : {}", r.cannot.join(", ")),
            Lang::En => format!("not supported: {}", r.cannot.join(", ")),
        });
    }
    let moves = r
        .actions
        .iter()
        .any(|a| matches!(a, Action::Sort | Action::Rename));
    if moves && r.list_word && !r.actions.contains(&Action::Duplicates) {
        // « liste les fichiers à renommer »: a list is asked, not the change.
        return say(
            "une liste de fichiers à classer ou renommer",
            "a list of files to sort or rename",
        );
    }
    if moves && no_move {
        return say(
            "classer ou renommer sans rien déplacer se contredit",
            "sorting or renaming without moving anything contradicts itself",
        );
    }
    if r.actions.contains(&Action::Table) {
        if r.group.iter().any(|g| !matches!(g, Group::Client)) {
            return say(
                "le tableau des factures se regroupe par client seulement",
                "the invoice table is grouped by client only",
            );
        }
        let table_kinds = ["invoice", "sales_invoice", "credit_note", "quote"];
        if r.scope
            .kinds
            .iter()
            .any(|k| !table_kinds.contains(&k.as_str()))
        {
            return say(
                "le tableau porte sur les factures, avoirs et devis seulement",
                "the table covers invoices, credit notes and quotes only",
            );
        }
    }
    // Each deliverable comes in the formats it is made in: a format asked that one of the
    // clause's deliverables is not made in is named, never silently replaced.
    if let Some(f) = r.format {
        let made_in = |a: &Action| -> &[Format] {
            match a {
                Action::Table => &[Format::Excel],
                Action::Catalogue => &[Format::Excel, Format::Markdown, Format::Csv],
                Action::Report => &[Format::Word, Format::Markdown],
                Action::Deck => &[Format::Powerpoint],
                Action::Summaries | Action::ActionItems => {
                    &[Format::Word, Format::Markdown, Format::Excel]
                }
                Action::Unpaid | Action::Vat | Action::Revenue | Action::Quotes => &[Format::Excel],
                Action::Reminders => &[Format::Word],
                Action::Sort | Action::Rename | Action::Duplicates => &[],
                Action::Clean | Action::Consolidate => &[Format::Excel],
                Action::Survey => &[Format::Excel, Format::Word, Format::Powerpoint],
            }
        };
        let deliverables: Vec<&Action> = r.actions.iter().filter(|a| !a.moves_files()).collect();
        if deliverables.is_empty() || deliverables.iter().any(|a| !made_in(a).contains(&f)) {
            return say(
                "ce format de livrable n'est pas produit hors ligne",
                "that deliverable format is not produced offline",
            );
        }
    }
    if r.actions.contains(&Action::Sort)
        && r.group.contains(&Group::Client)
        && r.group.len() > 1
        && r.group[0] != Group::Client
    {
        return None;
    }
    if r.actions.contains(&Action::Duplicates) && r.actions.contains(&Action::Rename) {
        return None;
    }
    if (r.actions.contains(&Action::Summaries) || r.actions.contains(&Action::ActionItems))
        && r.scope.kinds.iter().any(|k| k != "meeting")
    {
        return say(
            "les résumés portent sur les réunions seulement",
            "summaries cover meetings only",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(brief: &str) -> String {
        understand(brief, &Vocab::default()).signature()
    }

    #[test]
    fn the_seed_brief_reads_as_three_clauses() {
        assert_eq!(
            sig(
                "Classe ces fichiers par client, crée un tableau récapitulatif des montants et produis une présentation de 8 slides"
            ),
            "sort(by=client) ; table ; deck(slides=8)"
        );
    }

    #[test]
    fn a_sort_key_it_has_no_folders_for_is_not_done_not_dropped() {
        for brief in [
            "Trie les factures par montant",
            "Sort the files by size",
            "Range les fichiers par ordre alphabétique",
            "Classe les devis par chantier",
        ] {
            let f = understand(brief, &Vocab::default());
            assert!(
                f.clauses.iter().all(|c| !c.actions.contains(&Action::Sort)),
                "{brief}: {f:?}"
            );
            assert_eq!(f.not_done.len(), 1, "{brief}");
        }
        // The keys it has stay understood.
        assert_eq!(
            sig("Trie les factures par client"),
            "sort(by=client,kinds=invoice)"
        );
    }

    #[test]
    fn unknown_actions_are_not_done_never_substituted() {
        let f = understand(
            "Envoie le récapitulatif par mail à mon comptable",
            &Vocab::default(),
        );
        assert!(f.clauses.is_empty(), "{f:?}");
        assert_eq!(f.not_done.len(), 1);
        let f = understand("Fais-moi un rapport sur les impayés", &Vocab::default());
        assert!(
            !f.actions().contains(&Action::Unpaid),
            "a report is not replaced by the unpaid table: {f:?}"
        );
    }

    #[test]
    fn money_questions_are_read_as_money_deliverables_and_nothing_else() {
        assert_eq!(sig("Qui ne m'a pas encore payé ?"), "unpaid");
        assert_eq!(
            sig("Qui ne m'a pas encore payé ? Et prépare les relances pour les retards"),
            "unpaid ; reminders"
        );
        assert_eq!(sig("Fais-moi un tableau des impayés"), "unpaid");
        assert_eq!(sig("Prépare les relances pour les retards"), "reminders");
        assert_eq!(
            sig("Fais le tableau des impayés et les relances"),
            "unpaid ; reminders"
        );
        assert_eq!(
            sig("TVA collectée et déductible par trimestre"),
            "vat(by=quarter)"
        );
        assert_eq!(sig("TVA collectée et déductible par mois"), "vat(by=month)");
        assert_eq!(sig("Chiffre d'affaires par mois"), "revenue(by=month)");
        assert_eq!(sig("Quels devis n'ont pas encore été facturés ?"), "quotes");
        assert_eq!(sig("Who hasn't paid me yet?"), "unpaid");
        assert_eq!(sig("Which quotes have not been invoiced yet?"), "quotes");
        // Another action in the brief, or a word outside the money questions: the general
        // reader takes it (and says what it does not do).
        assert_ne!(
            sig("Range les factures par client, les devis par mois"),
            "quotes(by=month)"
        );
        assert_eq!(sig("Déclare la TVA du trimestre"), "refuse");
    }

    #[test]
    fn grouping_in_parentheses_and_then() {
        assert_eq!(
            sig("Classe les fichiers par date (année puis mois)"),
            "sort(by=year>month)"
        );
        assert_eq!(sig("Trie les fichiers par trimestre"), "sort(by=quarter)");
        assert_eq!(
            sig("Sort files by client then year"),
            "sort(by=client>year)"
        );
    }

    #[test]
    fn slips_of_the_finger_are_corrected_to_the_one_content_word_they_are_near() {
        assert_eq!(
            sig("Calsse les factrues par clinet stp"),
            "sort(by=client,kinds=invoice)"
        );
        assert_eq!(sig("Trie les fichier par anée"), "sort(by=year)");
        assert_eq!(sig("fait un tablaeu des fatcures"), "table(kinds=invoice)");
        assert_eq!(correction("recapitulatf"), Some("recapitulatif"));
        // Real words one slip from a content word keep their own meaning.
        for w in [
            "clause",
            "devise",
            "derniers",
            "precedents",
            "contacts",
            "recente",
            "tirer",
        ] {
            assert_eq!(correction(w), None, "{w}");
        }
        // Too short to tell, or a filler word: never a target.
        assert_eq!(correction("moi"), None);
        assert_eq!(correction("vieux"), None);
    }

    #[test]
    fn typo_tolerance_never_turns_an_unknown_verb_into_a_known_one() {
        let mut wrong = Vec::new();
        for verb in [
            "Envoie",
            "Envoyer",
            "Imprime",
            "Imprimer",
            "Supprime",
            "Efface",
            "Archive",
            "Archiver",
            "Compresse",
            "Zippe",
            "Partage",
            "Traduis",
            "Fusionne",
            "Convertis",
            "Calcule",
            "Paye",
            "Relance",
            "Signe",
            "Valide",
            "Scanne",
            "Copie",
            "Exporte",
            "Corrige",
            "Complète",
            "Remplis",
            "Télécharge",
            "Sauvegarde",
            "Chiffre",
            "Ouvre",
            "Publie",
            "Tire",
            "Tirer",
            "Rebrousse",
            "Rapporte-moi",
            "Expédie",
            "Rapatrie",
            "Send",
            "Print",
            "Delete",
            "Remove",
            "Share",
            "Translate",
            "Merge",
            "Convert",
            "Compute",
            "Pay",
            "Sign",
            "Copy",
            "Export",
            "Fix",
            "Fill",
            "Download",
            "Backup",
            "Encrypt",
            "Open",
            "Publish",
            "Forward",
            "Upload",
            "Zip",
            "Compress",
            "Email",
            "Shred",
            "Scan",
            "Clauses",
        ] {
            for brief in [
                format!("{verb} les factures"),
                format!("{verb} the invoices"),
            ] {
                let f = understand(&brief, &Vocab::default());
                if !f.clauses.is_empty() {
                    wrong.push(format!("{brief}: {}", f.signature()));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn qualifiers_that_cannot_be_honoured_are_never_dropped() {
        for brief in [
            // A grouping we do not know.
            "Classe les factures par montant",
            "Trie les fichiers par taille",
            // Periods we cannot honour exactly.
            "Trie les factures des 3 derniers mois",
            "Tableau des factures du 15 mars au 15 avril",
            "Trie les factures de janvier et mars",
            "Range les factures sauf celles de mars",
            "Sort the invoices from March 24",
            // Words that narrow the files.
            "Classe les nouvelles factures par client",
            "Trie les factures d'aujourd'hui",
            "Trie les plus gros fichiers",
        ] {
            assert_eq!(sig(brief), "refuse", "{brief}");
        }
        assert_eq!(
            sig("Tableau des factures du 1er janvier au 31 mars 2024"),
            "table(kinds=invoice,period=2024-Q1)"
        );
        assert_eq!(
            sig("Classe les factures entre janvier et mars par client"),
            "sort(by=client,kinds=invoice,period=m01..03)"
        );
    }

    #[test]
    fn naming_patterns_are_read_from_the_raw_text() {
        assert_eq!(
            sig("Renomme les factures au format AAAA-MM-JJ_client_numéro"),
            "rename(kinds=invoice,pattern=date_client_number)"
        );
    }
}
