//! The brief's language and the text folding shared by the offline planner's readers.
//! What a brief asks is read in [`super::frame`]; this module keeps the small entry point
//! the CLI and the engine use to pick the language of their messages.

pub use commis_core::Lang;
pub use commis_core::lang::fold;

/// What the offline planner understood of a brief (its language and its frame, read
/// without the folder's names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Understanding {
    pub lang: Lang,
    pub frame: super::frame::Frame,
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
