//! commis-office turns structured specs into the deliverables a user receives: workbooks with
//! live formulas (xlsx), slide decks (pptx), and reports (docx, Markdown, HTML, and PDF through
//! LibreOffice when it is installed).
//!
//! Every builder returns the file's BYTES: the caller writes them through the journaled
//! workspace layer, so this crate never touches user files. It knows nothing of agents either:
//! the model-facing tools and the offline planner both fill the same serde specs, whose
//! `json_schema()` is the tools' input schema.
//!
//! Not for reading documents (that is commis-docs), nor for deciding what to put in them.

#![warn(missing_docs)]

pub mod doc;
mod error;
mod package;
pub mod pptx;
pub mod xlsx;

pub use doc::{
    DocBlock, DocumentSpec, blocks_from_markdown, build_docx, build_html, build_markdown,
    docx_to_pdf, office_to_pdf, spec_from_markdown,
};
pub use error::OfficeError;
pub use pptx::{
    Bullet, DeckSpec, KeyFigure, SeriesSpec, SlideContent, SlideSpec, Theme, build_presentation,
};
pub use xlsx::{
    CellValue, ChartKind, ChartSpec, ColumnKind, ColumnSpec, ConditionalRule, ConditionalSpec,
    Highlight, SheetSpec, SourceSpec, SpreadsheetSpec, TotalFunction, TotalsSpec, add_sheet,
    append_rows, build_spreadsheet, col_letters,
};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Language and number conventions of a deliverable: labels, date and currency formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// French: dates dd/mm/yyyy, "1 234,56 €", French labels (Total, Sources, Sommaire...).
    #[default]
    #[serde(alias = "FR", alias = "Fr", alias = "fr-FR", alias = "fr_FR")]
    Fr,
    /// English: ISO dates yyyy-mm-dd, "€1,234.56", English labels.
    #[serde(
        alias = "EN",
        alias = "En",
        alias = "en-GB",
        alias = "en-US",
        alias = "en_US"
    )]
    En,
}

impl Locale {
    pub(crate) fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::Fr => fr,
            Locale::En => en,
        }
    }
}

/// The JSON schema of a spec type, as given to a model as a tool's input schema.
pub(crate) fn schema_of<T: JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_has_a_documented_json_schema() {
        for (schema, field) in [
            (SpreadsheetSpec::json_schema(), "sheets"),
            (DeckSpec::json_schema(), "slides"),
            (DocumentSpec::json_schema(), "blocks"),
        ] {
            let text = schema.to_string();
            assert!(schema["properties"][field].is_object(), "{field}: {text}");
            assert!(
                text.contains("\"description\""),
                "{field} has no descriptions"
            );
        }
        let deck = DeckSpec::json_schema().to_string();
        assert!(deck.contains("key_figures") && deck.contains("two_columns"));
        assert!(
            !deck.contains("\"data\""),
            "image bytes are not part of the schema"
        );
    }
}
