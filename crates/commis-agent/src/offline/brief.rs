//! The brief's language and the text folding shared by the offline planner's readers.
//! What a brief asks is read in [`super::frame`]; this module keeps the small entry point
//! the CLI and the engine use to pick the language of their messages.

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

impl From<Lang> for commis_skills::Lang {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::Fr => commis_skills::Lang::Fr,
            Lang::En => commis_skills::Lang::En,
        }
    }
}

/// What the offline planner understood of a brief (its language and its frame, read
/// without the folder's names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Understanding {
    pub lang: Lang,
    pub frame: super::frame::Frame,
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

/// Reads a brief without looking at the folder (enough for its language).
pub fn understand(brief: &str) -> Understanding {
    let frame = super::frame::understand(brief, &super::frame::Vocab::default());
    Understanding {
        lang: frame.lang,
        frame,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_of_a_brief_is_its_words() {
        assert_eq!(understand("Classe ces fichiers par client").lang, Lang::Fr);
        assert_eq!(understand("find duplicates").lang, Lang::En);
        assert_eq!(
            understand("Make an invoice summary workbook").lang,
            Lang::En
        );
        assert_eq!(fold("Réunion À trier"), "reunion a trier");
    }
}
