//! Document type from a file's name and content (French and English cues).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::text::fold_lower;

/// The language of user-facing labels: the one language type of commis.
pub use commis_core::Lang;

/// Kinds of office documents a small business keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Invoice issued by the business (facture).
    Invoice,
    /// Invoice received from a supplier (only known once the business's own name is known).
    SupplierInvoice,
    /// Quote or estimate (devis).
    Quote,
    /// Credit note (avoir).
    CreditNote,
    /// Purchase order (bon de commande).
    PurchaseOrder,
    /// Receipt or payment receipt (reçu, ticket).
    Receipt,
    /// Contract or agreement.
    Contract,
    /// Transcript of a meeting, with "Speaker: text" turns.
    MeetingTranscript,
    /// Meeting minutes or notes (compte rendu, procès-verbal).
    #[serde(alias = "meeting_minutes", alias = "minutes")]
    MeetingNotes,
    /// Notes about a client (call, visit, follow-up).
    ClientNote,
    /// Letter or mail.
    Letter,
    /// E-mail message (.eml).
    Email,
    /// Bank statement or bank export.
    BankStatement,
    /// Spreadsheet (xlsx, ods) that is not a recognisable export.
    Spreadsheet,
    /// Tabular data export (csv).
    DataExport,
    /// Report or study.
    Report,
    /// Slide deck.
    Presentation,
    /// Picture or scan without text.
    Image,
    /// Anything else.
    Other,
}

impl DocKind {
    /// All kinds, in a stable order.
    pub const ALL: [DocKind; 19] = [
        DocKind::Invoice,
        DocKind::SupplierInvoice,
        DocKind::Quote,
        DocKind::CreditNote,
        DocKind::PurchaseOrder,
        DocKind::Receipt,
        DocKind::Contract,
        DocKind::MeetingTranscript,
        DocKind::MeetingNotes,
        DocKind::ClientNote,
        DocKind::Letter,
        DocKind::Email,
        DocKind::BankStatement,
        DocKind::Spreadsheet,
        DocKind::DataExport,
        DocKind::Report,
        DocKind::Presentation,
        DocKind::Image,
        DocKind::Other,
    ];

    /// Singular label for names and tables ("Facture", "Invoice").
    pub fn label(&self, lang: Lang) -> &'static str {
        use DocKind::*;
        match (self, lang) {
            (Invoice, Lang::Fr) => "Facture",
            (Invoice, Lang::En) => "Invoice",
            (SupplierInvoice, Lang::Fr) => "Facture fournisseur",
            (SupplierInvoice, Lang::En) => "Supplier invoice",
            (Quote, Lang::Fr) => "Devis",
            (Quote, Lang::En) => "Quote",
            (CreditNote, Lang::Fr) => "Avoir",
            (CreditNote, Lang::En) => "Credit note",
            (PurchaseOrder, Lang::Fr) => "Bon de commande",
            (PurchaseOrder, Lang::En) => "Purchase order",
            (Receipt, Lang::Fr) => "Reçu",
            (Receipt, Lang::En) => "Receipt",
            (Contract, Lang::Fr) => "Contrat",
            (Contract, Lang::En) => "Contract",
            (MeetingTranscript, Lang::Fr) => "Transcription de réunion",
            (MeetingTranscript, Lang::En) => "Meeting transcript",
            (MeetingNotes, Lang::Fr) => "Compte rendu",
            (MeetingNotes, Lang::En) => "Meeting notes",
            (ClientNote, Lang::Fr) => "Note client",
            (ClientNote, Lang::En) => "Client note",
            (Letter, Lang::Fr) => "Courrier",
            (Letter, Lang::En) => "Letter",
            (Email, Lang::Fr) => "E-mail",
            (Email, Lang::En) => "Email",
            (BankStatement, Lang::Fr) => "Relevé bancaire",
            (BankStatement, Lang::En) => "Bank statement",
            (Spreadsheet, Lang::Fr) => "Tableur",
            (Spreadsheet, Lang::En) => "Spreadsheet",
            (DataExport, Lang::Fr) => "Export de données",
            (DataExport, Lang::En) => "Data export",
            (Report, Lang::Fr) => "Rapport",
            (Report, Lang::En) => "Report",
            (Presentation, Lang::Fr) => "Présentation",
            (Presentation, Lang::En) => "Presentation",
            (Image, Lang::Fr) => "Image",
            (Image, Lang::En) => "Image",
            (Other, Lang::Fr) => "Autre",
            (Other, Lang::En) => "Other",
        }
    }

    /// Folder name for sorting by type ("Factures", "Invoices").
    pub fn folder_name(&self, lang: Lang) -> &'static str {
        use DocKind::*;
        match (self, lang) {
            (Invoice, Lang::Fr) => "Factures",
            (Invoice, Lang::En) => "Invoices",
            (SupplierInvoice, Lang::Fr) => "Factures fournisseurs",
            (SupplierInvoice, Lang::En) => "Supplier invoices",
            (Quote, Lang::Fr) => "Devis",
            (Quote, Lang::En) => "Quotes",
            (CreditNote, Lang::Fr) => "Avoirs",
            (CreditNote, Lang::En) => "Credit notes",
            (PurchaseOrder, Lang::Fr) => "Bons de commande",
            (PurchaseOrder, Lang::En) => "Purchase orders",
            (Receipt, Lang::Fr) => "Reçus",
            (Receipt, Lang::En) => "Receipts",
            (Contract, Lang::Fr) => "Contrats",
            (Contract, Lang::En) => "Contracts",
            (MeetingTranscript, Lang::Fr) | (MeetingNotes, Lang::Fr) => "Réunions",
            (MeetingTranscript, Lang::En) | (MeetingNotes, Lang::En) => "Meetings",
            (ClientNote, Lang::Fr) => "Notes clients",
            (ClientNote, Lang::En) => "Client notes",
            (Letter, Lang::Fr) => "Courriers",
            (Letter, Lang::En) => "Letters",
            (Email, Lang::Fr) => "E-mails",
            (Email, Lang::En) => "Emails",
            (BankStatement, Lang::Fr) => "Banque",
            (BankStatement, Lang::En) => "Bank",
            (Spreadsheet, Lang::Fr) | (DataExport, Lang::Fr) => "Tableaux et exports",
            (Spreadsheet, Lang::En) | (DataExport, Lang::En) => "Spreadsheets and exports",
            (Report, Lang::Fr) => "Rapports",
            (Report, Lang::En) => "Reports",
            (Presentation, Lang::Fr) => "Présentations",
            (Presentation, Lang::En) => "Presentations",
            (Image, Lang::Fr) => "Images",
            (Image, Lang::En) => "Images",
            (Other, Lang::Fr) => "Divers",
            (Other, Lang::En) => "Other",
        }
    }

    /// The kind named by a word a user might type in a brief ("factures", "quotes", "devis").
    pub fn from_word(word: &str) -> Option<DocKind> {
        let w = fold_lower(word.trim());
        let w = w.trim_end_matches('s');
        DocKind::ALL.into_iter().find(|k| {
            [
                k.label(Lang::Fr),
                k.label(Lang::En),
                k.folder_name(Lang::Fr),
                k.folder_name(Lang::En),
            ]
            .iter()
            .any(|l| fold_lower(l).trim_end_matches('s') == w)
        })
    }
}

/// A document type with how sure we are and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classified {
    /// The type.
    pub kind: DocKind,
    /// 0 to 1; below 0.6 the caller should ask or show it as uncertain.
    pub confidence: f32,
    /// Why, in words a user can read ("name says « facture »; « Total TTC » in the text").
    pub reason: String,
}

/// Keyword cues per kind: (accent-folded lowercase cue, weight). Cues match whole words.
const CUES: &[(DocKind, &[(&str, f32)])] = &[
    (
        DocKind::Invoice,
        &[
            ("facture", 3.0),
            ("invoice", 3.0),
            ("factuur", 3.0),
            ("rechnung", 3.0),
            ("faktura", 3.0),
            ("fact", 1.5),
            ("total ttc", 1.0),
            ("net a payer", 1.5),
            ("amount due", 1.5),
            ("echeance", 1.0),
            ("due date", 1.0),
            ("conditions de paiement", 0.5),
            ("penalites de retard", 1.0),
            ("bill to", 1.0),
            ("facture a", 1.5),
        ],
    ),
    (
        DocKind::Quote,
        &[
            ("devis", 3.5),
            ("quote", 3.0),
            ("quotation", 3.0),
            ("estimate", 2.5),
            ("proposition commerciale", 3.0),
            ("offre de prix", 3.0),
            ("bon pour accord", 2.0),
            ("validite", 1.5),
            ("valable jusqu", 1.5),
            ("offerte", 1.0),
        ],
    ),
    (
        DocKind::CreditNote,
        &[
            ("avoir n", 4.0),
            ("facture d'avoir", 4.0),
            ("credit note", 4.0),
            ("note de credit", 4.0),
            ("creditnota", 4.0),
            ("gutschrift", 4.0),
            ("rembourse", 1.0),
        ],
    ),
    (
        DocKind::PurchaseOrder,
        &[
            ("bon de commande", 4.0),
            ("purchase order", 4.0),
            ("bestellung", 3.0),
        ],
    ),
    (
        DocKind::Receipt,
        &[
            ("recu", 2.5),
            ("receipt", 3.0),
            ("ticket de caisse", 3.0),
            ("payment received", 1.5),
            ("paid", 0.5),
        ],
    ),
    (
        DocKind::Contract,
        &[
            ("contrat", 3.0),
            ("contract", 3.0),
            ("agreement", 2.5),
            ("entre les soussignes", 3.0),
            ("il a ete convenu", 2.0),
            ("article 1", 1.5),
            ("conditions generales", 1.0),
            ("fait en deux exemplaires", 2.0),
            ("the parties", 1.5),
        ],
    ),
    (
        DocKind::MeetingNotes,
        &[
            ("compte rendu", 3.0),
            ("compte-rendu", 3.0),
            ("cr reunion", 3.0),
            ("proces-verbal", 3.0),
            ("proces verbal", 3.0),
            ("minutes", 2.5),
            ("ordre du jour", 2.0),
            ("agenda", 1.0),
            ("participants", 1.5),
            ("presents", 1.5),
            ("attendees", 1.5),
            ("reunion", 1.5),
            ("meeting", 1.5),
            ("decisions", 1.5),
            ("prochaine reunion", 1.5),
            ("next meeting", 1.5),
            ("actions", 1.0),
            ("releve de decisions", 2.0),
        ],
    ),
    (
        DocKind::MeetingTranscript,
        &[
            ("transcription", 1.0),
            ("transcript", 1.0),
            ("speaker", 1.0),
        ],
    ),
    (
        DocKind::ClientNote,
        &[
            ("note client", 3.0),
            ("notes client", 3.0),
            ("notes de suivi", 3.0),
            ("fiche client", 3.0),
            ("visite client", 3.0),
            ("rappel", 2.0),
            ("notes", 1.5),
            ("visite", 1.5),
            ("appel avec", 2.0),
            ("a appele", 2.0),
            ("call with", 2.0),
            ("historique", 1.5),
            ("contact", 1.0),
            ("client", 0.5),
            ("rendez-vous", 1.0),
            ("suivi", 1.0),
        ],
    ),
    (
        DocKind::Letter,
        &[
            ("madame, monsieur", 3.0),
            ("madame monsieur", 3.0),
            ("dear", 2.0),
            ("cordialement", 1.0),
            ("sincerely", 2.0),
            ("veuillez agreer", 3.0),
            ("objet", 1.0),
            ("lettre", 2.0),
            ("courrier", 2.0),
            ("letter", 2.0),
        ],
    ),
    (
        DocKind::BankStatement,
        &[
            ("releve de compte", 4.0),
            ("releve bancaire", 4.0),
            ("bank statement", 4.0),
            ("banque", 2.0),
            ("bank", 1.5),
            ("solde", 1.5),
            ("date valeur", 2.0),
            ("date operation", 2.0),
            ("debit", 1.0),
            ("credit", 0.5),
            ("prlv sepa", 2.0),
            ("vir sepa", 2.0),
            ("balance", 0.5),
        ],
    ),
    (
        DocKind::Report,
        &[
            ("rapport", 3.0),
            ("report", 2.5),
            ("synthese", 2.0),
            ("executive summary", 2.5),
            ("conclusion", 1.0),
            ("recommandations", 1.5),
            ("recommendations", 1.5),
            ("bilan", 1.5),
            ("analyse", 1.0),
            ("etude", 1.5),
        ],
    ),
    (
        DocKind::Presentation,
        &[("presentation", 2.0), ("slides", 2.0), ("diaporama", 2.0)],
    ),
];

/// Words that name a document type in a file name or a heading (accent-folded, lower case).
const TITLE_WORDS: &[(DocKind, &[&str])] = &[
    (
        DocKind::CreditNote,
        &[
            "avoir",
            "credit note",
            "note de credit",
            "gutschrift",
            "creditnota",
        ],
    ),
    (
        DocKind::Invoice,
        &[
            "facture", "invoice", "factuur", "rechnung", "faktura", "fact", "fac", "inv",
        ],
    ),
    (
        DocKind::Quote,
        &[
            "devis",
            "quote",
            "quotation",
            "estimate",
            "offre",
            "proposition",
        ],
    ),
    (
        DocKind::PurchaseOrder,
        &["bon de commande", "purchase order", "bdc", "po"],
    ),
    (
        DocKind::Receipt,
        &["recu", "receipt", "ticket", "payment receipt"],
    ),
    (
        DocKind::Contract,
        &["contrat", "contract", "agreement", "convention"],
    ),
    (
        DocKind::MeetingNotes,
        &[
            "compte rendu",
            "compte-rendu",
            "cr",
            "proces-verbal",
            "pv",
            "minutes",
            "reunion",
            "meeting",
        ],
    ),
    (DocKind::MeetingTranscript, &["transcription", "transcript"]),
    (
        DocKind::ClientNote,
        &["notes", "note", "rappel", "visite", "suivi", "fiche client"],
    ),
    (DocKind::Letter, &["courrier", "lettre", "letter"]),
    (
        DocKind::Report,
        &["rapport", "report", "synthese", "bilan", "etude"],
    ),
    (
        DocKind::BankStatement,
        &[
            "releve de compte",
            "releve bancaire",
            "bank statement",
            "releve",
        ],
    ),
];

/// Byte position of `word` as a whole word in `hay`.
fn find_word(hay: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = hay[from..].find(word) {
        let s = from + pos;
        let e = s + word.len();
        let before_ok = s == 0
            || !hay[..s]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric());
        let after_ok = !hay[e..].chars().next().is_some_and(|c| c.is_alphabetic());
        if before_ok && after_ok {
            return Some(s);
        }
        from = e;
    }
    None
}

static SPEAKER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*)?(?P<who>[\p{Lu}][\p{L}.'\-]*(?: [\p{L}.'\-]+){0,3})\s*(?:\([^)]{0,20}\))?\s*:\s+\S")
        .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

/// Speakers that are field labels, not people.
const NOT_SPEAKERS: &[&str] = &[
    "date",
    "total",
    "objet",
    "subject",
    "from",
    "to",
    "cc",
    "client",
    "contact",
    "adresse",
    "address",
    "tel",
    "tél",
    "email",
    "présents",
    "participants",
    "absents",
    "lieu",
    "note",
    "notes",
    "iban",
    "bic",
    "siret",
    "tva",
    "vat",
    "re",
    "attendees",
    "agenda",
    "ordre du jour",
    "décisions",
    "decisions",
    "actions",
    "action",
    "budget",
    "échéance",
    "total ht",
    "total ttc",
    "montant",
    "page",
    "référence",
    "reference",
    "n°",
    "remarque",
    "demande",
];

/// Speaker turns in a transcript: (speaker, number of turns), only for speakers with 2+ turns.
pub fn speakers(text: &str) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for c in SPEAKER_RE.captures_iter(text) {
        let Some(w) = c.name("who") else { continue };
        let who = w.as_str().trim().to_string();
        if NOT_SPEAKERS.contains(&who.to_lowercase().as_str()) || who.chars().count() > 40 {
            continue;
        }
        if !counts.contains_key(&who) {
            order.push(who.clone());
        }
        *counts.entry(who).or_insert(0) += 1;
    }
    order
        .into_iter()
        .filter_map(|w| counts.get(&w).map(|&n| (w, n)))
        .filter(|(_, n)| *n >= 2)
        .collect()
}

/// Whether a text is a transcript of turns "Speaker: text".
pub fn is_transcript(text: &str) -> bool {
    let sp = speakers(text);
    let turns: usize = sp.iter().map(|(_, n)| n).sum();
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count().max(1);
    sp.len() >= 2 && turns >= 6 && turns * 10 >= lines * 4
}

fn ext_of(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn stem_of(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => base,
    };
    // Separators in file names are spaces for matching: "devis_dupont-escalier" -> "devis dupont escalier".
    fold_lower(stem)
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

fn count_word(hay: &str, cue: &str) -> usize {
    let mut n = 0;
    let mut from = 0;
    while let Some(pos) = hay[from..].find(cue) {
        let s = from + pos;
        let e = s + cue.len();
        let before_ok = s == 0
            || !hay[..s]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric());
        let after_ok = cue.ends_with(' ')
            || !hay[e..].chars().next().is_some_and(|c| c.is_alphanumeric())
            || cue == "avoir n";
        if before_ok && after_ok {
            n += 1;
        }
        from = e;
    }
    n
}

/// Classifies a document from its file name and extracted text.
///
/// The extension decides for images, decks, spreadsheets, CSV exports and e-mails; otherwise
/// cues in the name weigh most, then the title area (first lines), then the body. A transcript
/// is recognised by its "Speaker: text" turns. The reason quotes the cues that decided.
pub fn doc_type(file_name: &str, text: &str) -> Classified {
    let ext = ext_of(file_name);
    let lower_text = fold_lower(text);
    let bankish = [
        "date valeur",
        "date operation",
        "solde",
        "prlv",
        "vir sepa",
        "releve",
        "debit;credit",
        "debit,credit",
    ]
    .iter()
    .filter(|c| lower_text.contains(*c))
    .count();
    let name = stem_of(file_name);
    match ext.as_str() {
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "tif" | "tiff" | "bmp" | "heic" | "svg"
            if text.trim().len() < 40 =>
        {
            return Classified {
                kind: DocKind::Image,
                confidence: 0.95,
                reason: format!("image file (.{ext})"),
            };
        }
        "pptx" | "ppt" | "odp" | "key" => {
            return Classified {
                kind: DocKind::Presentation,
                confidence: 0.95,
                reason: format!("slide deck (.{ext})"),
            };
        }
        "eml" | "msg" => {
            return Classified {
                kind: DocKind::Email,
                confidence: 0.95,
                reason: format!("e-mail message (.{ext})"),
            };
        }
        "csv" | "tsv" | "xlsx" | "xls" | "xlsm" | "ods" | "numbers" => {
            if bankish >= 2
                || name.contains("banque")
                || name.contains("bank")
                || name.contains("releve")
            {
                return Classified {
                    kind: DocKind::BankStatement,
                    confidence: if bankish >= 2 { 0.9 } else { 0.7 },
                    reason: format!(
                        "table (.{ext}) with bank columns (date valeur, solde, débit/crédit)"
                    ),
                };
            }
            let kind = if matches!(ext.as_str(), "csv" | "tsv") || name.contains("export") {
                DocKind::DataExport
            } else {
                DocKind::Spreadsheet
            };
            return Classified {
                kind,
                confidence: 0.85,
                reason: format!("table file (.{ext})"),
            };
        }
        _ => {}
    }
    if text.trim().is_empty() {
        return Classified {
            kind: DocKind::Other,
            confidence: 0.2,
            reason: "no text to read (scan without OCR?)".into(),
        };
    }
    if text.starts_with("From:") && (text.contains("\nSubject:") || text.contains("\nTo:")) {
        return Classified {
            kind: DocKind::Email,
            confidence: 0.9,
            reason: "e-mail headers (From, To, Subject)".into(),
        };
    }
    let head: String = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(12)
        .collect::<Vec<_>>()
        .join("\n");
    let head = fold_lower(&head);
    let mut scores: Vec<(DocKind, f32, Vec<String>)> = Vec::new();
    let heading: String = head.lines().take(6).collect::<Vec<_>>().join("\n");
    // The title word that comes first in the document (its heading) says most.
    let mut title: Option<(usize, DocKind, &str)> = None;
    for (kind, words) in TITLE_WORDS {
        for w in *words {
            if let Some(pos) = find_word(&heading, w)
                && title.is_none_or(|(p, _, _)| pos < p)
            {
                title = Some((pos, *kind, w));
            }
        }
    }
    for (kind, cues) in CUES {
        let mut score = 0.0;
        let mut why = Vec::new();
        if let Some(w) = TITLE_WORDS
            .iter()
            .filter(|(k, _)| k == kind)
            .flat_map(|(_, ws)| ws.iter())
            .find(|w| find_word(&name, w).is_some())
        {
            score += 10.0;
            why.push(format!("name says « {w} »"));
        }
        if let Some((_, k, w)) = title
            && k == *kind
        {
            score += 6.0;
            why.push(format!("title « {w} »"));
        }
        for (cue, w) in *cues {
            let in_head = count_word(&head, cue);
            let in_body = count_word(&lower_text, cue);
            if in_head > 0 {
                score += w;
            }
            if in_body > 0 {
                score += w * (in_body as f32).min(3.0) * 0.5;
                if why.len() < 3 && !why.iter().any(|x| x.contains(cue)) {
                    why.push(format!("« {cue} » in the text"));
                }
            }
        }
        scores.push((*kind, score, why));
    }
    // Transcripts and meeting notes share words; speaker turns decide.
    if is_transcript(text) {
        let sp = speakers(text);
        let names: Vec<&str> = sp.iter().take(4).map(|(s, _)| s.as_str()).collect();
        scores.push((
            DocKind::MeetingTranscript,
            30.0,
            vec![format!(
                "{} speakers take turns ({})",
                sp.len(),
                names.join(", ")
            )],
        ));
    }
    // A quote or credit note is also full of invoice words: they win when named as such.
    scores.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    let (kind, best, why) = scores
        .first()
        .cloned()
        .unwrap_or((DocKind::Other, 0.0, vec![]));
    let second = scores.get(1).map_or(0.0, |s| s.1);
    if best < 2.0 {
        return Classified {
            kind: DocKind::Other,
            confidence: 0.3,
            reason: "no cue for a known document type".into(),
        };
    }
    let margin = (best - second) / best;
    let confidence = (0.5 + 0.5 * margin).min(0.97) * if best >= 6.0 { 1.0 } else { 0.8 };
    let mut why = why;
    why.truncate(3);
    Classified {
        kind,
        confidence: (confidence * 100.0).round() / 100.0,
        reason: why.join("; "),
    }
}

/// Like [`doc_type`], and an invoice issued by someone other than `own_company` becomes a
/// supplier invoice.
pub fn doc_type_for_owner(file_name: &str, text: &str, own_company: Option<&str>) -> Classified {
    let mut c = doc_type(file_name, text);
    if let (DocKind::Invoice, Some(own)) = (c.kind, own_company) {
        let own_key = crate::entities::normalize_company(own);
        let f = crate::invoice::extract_invoice(text);
        let issuer_key = f
            .issuer
            .as_deref()
            .map(crate::entities::normalize_company)
            .unwrap_or_default();
        let client_is_own = f
            .client
            .as_deref()
            .map(crate::entities::normalize_company)
            .is_some_and(|k| k == own_key);
        if !own_key.is_empty()
            && (client_is_own
                || (!issuer_key.is_empty()
                    && issuer_key != own_key
                    && !fold_lower(text).contains(&own_key)))
        {
            c.kind = DocKind::SupplierInvoice;
            c.reason = format!(
                "{}; issued by {} (not {own})",
                c.reason,
                f.issuer.unwrap_or_else(|| "another company".into())
            );
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_decides_for_images_decks_tables_and_mail() {
        assert_eq!(doc_type("logo atelier.png", "").kind, DocKind::Image);
        assert_eq!(doc_type("deck.pptx", "Slide 1").kind, DocKind::Presentation);
        assert_eq!(
            doc_type("clients_export_2024.csv", "code,raison_sociale").kind,
            DocKind::DataExport
        );
        assert_eq!(doc_type("suivi.xlsx", "A;B").kind, DocKind::Spreadsheet);
        assert_eq!(
            doc_type(
                "export_banque_mars.csv",
                "Date opération;Date valeur;Libellé;Débit;Crédit;Solde"
            )
            .kind,
            DocKind::BankStatement
        );
        assert_eq!(
            doc_type("Re_ Devis.eml", "From: a@b.fr\nSubject: Devis").kind,
            DocKind::Email
        );
    }

    #[test]
    fn invoice_quote_and_credit_note_from_content() {
        let inv = doc_type(
            "scan0001.pdf",
            "ATELIER\nFACTURE\nN° F2024-032\nTotal TTC : 12,00 €",
        );
        assert_eq!(inv.kind, DocKind::Invoice, "{inv:?}");
        assert!(inv.reason.contains("facture"), "{}", inv.reason);
        let q = doc_type(
            "doc.pdf",
            "DEVIS N° D2024-014\nValidité : jusqu'au 03/04/2024\nTotal TTC\nBon pour accord",
        );
        assert_eq!(q.kind, DocKind::Quote);
        let a = doc_type(
            "x.pdf",
            "AVOIR N° A2024-003\nSur facture F2024-030\nTotal TTC : -396,00 €",
        );
        assert_eq!(a.kind, DocKind::CreditNote);
        assert_eq!(
            doc_type("Invoice_123.pdf", "Amount due $4.11").kind,
            DocKind::Invoice
        );
    }

    #[test]
    fn name_cues_outweigh_body_words() {
        let body = "ATELIER\nClient : Garage Petit\nComptoir\nQté\nP.U. HT\nTotal HT\nTotal TTC\nsolde sur facture à la livraison";
        assert_eq!(
            doc_type("devis garage petit.docx", body).kind,
            DocKind::Quote
        );
        assert_eq!(
            doc_type("contrat maintenance.pdf", "Entre les soussignés...").kind,
            DocKind::Contract
        );
    }

    #[test]
    fn transcript_is_recognised_by_speaker_turns() {
        let t = "Réunion\nMarc : Bonjour.\nJulie : Salut.\nMarc : On commence.\nKarim : Oui.\nJulie : D'accord.\nKarim : Vas-y.\nMarc : Fin.\n";
        let c = doc_type("reunion.txt", t);
        assert_eq!(c.kind, DocKind::MeetingTranscript, "{c:?}");
        assert!(c.reason.contains("Marc"));
        let notes = "Compte-rendu de réunion\nPrésents : Marc, Julie\nDécisions\n- avenant signé\nActions\n- Julie : relancer Dupont";
        assert_eq!(doc_type("CR.docx", notes).kind, DocKind::MeetingNotes);
    }

    #[test]
    fn invoice_layout_labels_are_not_speakers() {
        assert!(!is_transcript(
            "Date : 12/03/2024\nTotal HT : 10\nTVA : 2\nTotal TTC : 12\nClient : Dupont\nIBAN : FR76"
        ));
    }

    #[test]
    fn client_notes_and_letters() {
        assert_eq!(
            doc_type(
                "Moreau rappel.txt",
                "RAPPEL - Cabinet Moreau\nMe Moreau a appelé"
            )
            .kind,
            DocKind::ClientNote
        );
        assert_eq!(
            doc_type("notes client Dupont.txt", "Dupont – notes de suivi").kind,
            DocKind::ClientNote
        );
        assert_eq!(
            doc_type("courrier.docx", "Madame, Monsieur,\nVeuillez agréer").kind,
            DocKind::Letter
        );
    }

    #[test]
    fn empty_text_is_other_with_low_confidence() {
        let c = doc_type("scan.pdf", "  ");
        assert_eq!(c.kind, DocKind::Other);
        assert!(c.confidence < 0.6);
    }

    #[test]
    fn labels_and_folders_in_both_languages() {
        assert_eq!(DocKind::Invoice.label(Lang::Fr), "Facture");
        assert_eq!(DocKind::Invoice.folder_name(Lang::En), "Invoices");
        assert_eq!(DocKind::Quote.folder_name(Lang::Fr), "Devis");
        assert_eq!(DocKind::from_word("factures"), Some(DocKind::Invoice));
        assert_eq!(DocKind::from_word("Quotes"), Some(DocKind::Quote));
        assert_eq!(
            serde_json::to_string(&DocKind::CreditNote).unwrap(),
            "\"credit_note\""
        );
    }
}

/// The French wording of a [`Classified::reason`] (reasons are written in English from a
/// small set of phrases; this turns each phrase into French, quotes and names unchanged).
pub fn reason_in_french(reason: &str) -> String {
    let mut parts = Vec::new();
    for part in reason.split("; ") {
        let p = part.trim();
        let fr = if let Some(rest) = p.strip_prefix("name says ") {
            format!("le nom contient {rest}")
        } else if let Some(rest) = p.strip_prefix("title ") {
            format!("titre {rest}")
        } else if let Some(cue) = p.strip_suffix(" in the text") {
            format!("{cue} dans le texte")
        } else if let Some((n, rest)) = p.split_once(" speakers take turns ") {
            format!("{n} intervenants se répondent {rest}")
        } else if let Some(rest) = p.strip_prefix("image file ") {
            format!("fichier image {rest}")
        } else if let Some(rest) = p.strip_prefix("slide deck ") {
            format!("présentation {rest}")
        } else if let Some(rest) = p.strip_prefix("e-mail message ") {
            format!("message électronique {rest}")
        } else if let Some(rest) = p.strip_prefix("table file ") {
            format!("fichier tableau {rest}")
        } else if let Some((ext, cols)) = p
            .strip_prefix("table ")
            .and_then(|r| r.split_once(" with bank columns "))
        {
            format!("tableau {ext} aux colonnes bancaires {cols}")
        } else if let Some(rest) = p.strip_prefix("issued by ") {
            let rest = rest.replace("another company", "une autre entreprise");
            match rest.rsplit_once(" (not ") {
                Some((who, own)) => format!("émis par {who} (et non {}", own),
                None => format!("émis par {rest}"),
            }
        } else {
            match p {
                "no text to read (scan without OCR?)" => {
                    "aucun texte lisible (scan sans OCR ?)".to_string()
                }
                "e-mail headers (From, To, Subject)" => {
                    "en-têtes d'e-mail (From, To, Subject)".to_string()
                }
                "no cue for a known document type" => {
                    "aucun indice d'un type de document connu".to_string()
                }
                other => other.to_string(),
            }
        };
        parts.push(fr);
    }
    parts.join(" ; ")
}

#[cfg(test)]
mod french_reason_tests {
    use super::*;

    #[test]
    fn every_reason_phrase_has_a_french_wording() {
        assert_eq!(
            reason_in_french("name says « facture »; title « facture »; « total ttc » in the text"),
            "le nom contient « facture » ; titre « facture » ; « total ttc » dans le texte"
        );
        assert_eq!(
            reason_in_french(
                "« net a payer » in the text; issued by BOIS & PANNEAUX (not Atelier Lemoine SARL)"
            ),
            "« net a payer » dans le texte ; émis par BOIS & PANNEAUX (et non Atelier Lemoine SARL)"
        );
        assert_eq!(
            reason_in_french("5 speakers take turns (Marc, Julie)"),
            "5 intervenants se répondent (Marc, Julie)"
        );
        assert_eq!(
            reason_in_french("image file (.png)"),
            "fichier image (.png)"
        );
        // A French document classified by its own content: every English word is gone.
        let c = doc_type(
            "facture.pdf",
            "FACTURE F-1\nTotal TTC : 120,00 €\nÉchéance : 15/04/2024",
        );
        let fr = reason_in_french(&c.reason);
        assert!(
            !fr.contains("name says") && !fr.contains("in the text"),
            "{fr}"
        );
    }
}
