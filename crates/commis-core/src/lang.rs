//! The language a brief is written in, which is also the language of every answer: one
//! type for the engine and every front end.

use serde::{Deserialize, Serialize};

/// French or English: the languages commis reads briefs in and answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Fr,
    En,
}

/// Words that mark a French brief (accents folded, lowercase).
const FRENCH_WORDS: &[&str] = &[
    "les", "des", "ces", "et", "par", "une", "un", "le", "la", "du", "fichiers", "cree", "classe",
    "trie", "produis", "pour", "avec", "resume", "tableau", "factures", "mes", "fais", "range",
    "renomme", "doublons", "dans", "de", "sans", "sauf", "liste", "trouve", "moi", "rapport",
    "devis", "reunions", "mois", "annee", "dossier",
];

/// Words that mark an English brief.
const ENGLISH_WORDS: &[&str] = &[
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
    "summarise",
    "table",
    "invoices",
    "my",
    "of",
    "into",
    "find",
    "duplicates",
    "rename",
    "list",
    "build",
    "write",
    "please",
    "all",
    "only",
    "folder",
    "month",
    "year",
    "without",
    "except",
    "quotes",
    "meetings",
    "report",
    "deck",
    "workbook",
    "summary",
    "move",
    "put",
    "organize",
    "organise",
    "tidy",
    "catalog",
];

impl Lang {
    /// Picks between the French and English variant of a message.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// The language of a text, cheaply: its common French and English words are counted
    /// (accents folded); English wins only with more of them, so French is the default.
    /// The offline planner counts the same words after correcting typos.
    pub fn detect(text: &str) -> Lang {
        let folded = fold(text);
        Lang::from_words(folded.split_whitespace())
    }

    /// The language of words already folded with [`fold`].
    pub fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Lang {
        let (mut fr, mut en) = (0usize, 0usize);
        for w in words {
            fr += usize::from(FRENCH_WORDS.contains(&w));
            en += usize::from(ENGLISH_WORDS.contains(&w));
        }
        if en > fr { Lang::En } else { Lang::Fr }
    }

    /// The language of the user's locale (LC_ALL, LC_MESSAGES, LANG), for text with no
    /// brief to take it from.
    pub fn from_locale() -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        if locale.starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }
}

/// Lowercases, folds accents and keeps letters, digits and spaces (one character out for
/// each character in, so words split at the same places).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brief_s_language_is_its_common_words() {
        assert_eq!(Lang::detect("Classe ces fichiers par client"), Lang::Fr);
        assert_eq!(Lang::detect("find duplicates"), Lang::En);
        assert_eq!(Lang::detect("Make an invoice summary workbook"), Lang::En);
        assert_eq!(Lang::detect("Crée un tableau de l'année"), Lang::Fr);
        // No word of either list: French, the default.
        assert_eq!(Lang::detect("xyz"), Lang::Fr);
        assert_eq!(fold("Réunion À trier"), "reunion a trier");
    }
}
