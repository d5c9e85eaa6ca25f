//! commis-skills: pure, deterministic text skills that the offline planner uses and that
//! models can call as tools.
//!
//! Every function takes text (already extracted from documents by `commis-docs`) and returns
//! plain serializable values: amounts, dates, company names and their canonical keys, document
//! types, client assignments, invoice fields, extractive summaries, action items, and
//! standard file names. French and English first, tolerant of case, accents and layout noise.
//!
//! Not for: reading files (no I/O here), calling a model, or deciding what to do with the
//! results (that is the agent's job). Results carry a confidence and a human-readable reason
//! so the caller can ask the user instead of guessing.
//!
//! Modules: [`amounts`], [`dates`], [`entities`] (company names), [`classify`] (document
//! types), [`clients`] (who each document belongs to), [`invoice`] (fields from text or
//! Factur-X XML), [`summarize`], [`actions`] (action items, decisions, priorities), [`slug`]
//! (standard file names), and [`tools`], which offers all of them to a model as JSON tools.
//! Measured accuracy on the real fixtures is printed by `cargo test -p commis-skills -- --nocapture`.

#![warn(missing_docs)]

pub mod actions;
pub mod amounts;
pub mod classify;
pub mod clients;
pub mod dates;
pub mod entities;
pub mod invoice;
mod meeting_tools;
pub mod minutes;
pub mod money;
pub mod payments;
pub mod refine;
pub mod slug;
pub mod summarize;
pub mod survey;
pub mod tables;
pub mod text;
pub mod tools;

pub use actions::{
    ActionItem, ItemKind, Priority, action_items, candidate_items, decisions, priorities,
};
pub use amounts::{Amount, AmountRole, FoundAmount, find_amounts, parse_amount};
pub use classify::{Classified, DocKind, Lang, doc_type, doc_type_for_owner};
pub use clients::{ClientAssignment, DocInput, assign_clients, detect_own_company};
pub use dates::{Date, FoundDate, find_dates, parse_date};
pub use entities::{
    CompanyMention, PartyRole, display_name, find_companies, normalize_company, strip_legal_form,
};
pub use invoice::{Evidence, InvoiceFields, InvoiceSource, extract_invoice, from_cii_xml};
pub use slug::standard_name;
pub use summarize::{Sentence, extractive_summary, split_sentences};
pub use text::Span;

/// What can go wrong in a skill that parses structured input.
#[derive(Debug, thiserror::Error)]
pub enum SkillError {
    /// The Factur-X/ZUGFeRD XML could not be parsed.
    #[error(
        "the invoice XML is not well-formed ({0}); check that it is the CII attachment of a Factur-X/ZUGFeRD PDF"
    )]
    Xml(String),
    /// A tool was called with an input it cannot use.
    #[error("tool {tool}: {message}; check the input against the tool's schema")]
    BadInput {
        /// The tool called.
        tool: String,
        /// What is wrong with the input.
        message: String,
    },
    /// No skill has this tool name.
    #[error("no skill tool named \"{0}\"; see commis_skills::tools::tools() for the list")]
    UnknownTool(String),
    /// The XML parsed but is not a Cross Industry Invoice.
    #[error(
        "the XML is not a Cross Industry Invoice (root element <{0}>); only Factur-X/ZUGFeRD CII is supported, not UBL"
    )]
    NotCii(String),
}
