//! Cleaning tables: the header and extent of a sheet, tidy cells (whitespace, dates, amounts,
//! phones, e-mails, postcodes, the case of names), checked identifiers (SIREN/SIRET, IBAN,
//! VAT), repairs from the table itself (rare variants of frequent values, values that the
//! other columns of the row determine), duplicates and outliers.
//!
//! Everything is a decision recorded for the user: each changed cell is a [`Correction`]
//! (row, column, before, after, rule) and what the cleaner would not decide alone is a
//! [`ReviewItem`]. [`clean_grid`] works on a table in memory; [`stream::clean_csv`] cleans a
//! CSV of any length from a reader to a writer in bounded memory.
//!
//! Not for: reading workbooks or writing them (the caller reads with commis-docs and writes
//! with commis-office through commis-workspace), nor inventing values: every repair comes from
//! a rule on the cell or from values the same table already holds.

mod clean;
pub mod consolidate;
mod profile;
pub mod stream;
pub mod values;

#[cfg(test)]
mod quality;

pub use clean::{CleanOptions, clean_grid};
pub use profile::{ColumnKind, infer_kind};

use serde::Serialize;

use crate::classify::Lang;

/// One cell of a cleaned table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum CleanValue {
    /// No value.
    Empty,
    /// Text, kept as text (identifiers with leading zeros stay text).
    Text(String),
    /// A number or amount.
    Number(f64),
    /// A date, ISO 8601 ("2024-03-05").
    Date(String),
}

impl CleanValue {
    /// The value as it reads in a CSV cell or a journal.
    pub fn display(&self) -> String {
        match self {
            CleanValue::Empty => String::new(),
            CleanValue::Text(t) | CleanValue::Date(t) => t.clone(),
            CleanValue::Number(n) => format_number(*n),
        }
    }

    /// The value as it reads in a CSV cell, without copying its text.
    pub fn into_display(self) -> String {
        match self {
            CleanValue::Empty => String::new(),
            CleanValue::Text(t) | CleanValue::Date(t) => t,
            CleanValue::Number(n) => format_number(n),
        }
    }

    /// Whether the cell is empty.
    pub fn is_empty(&self) -> bool {
        matches!(self, CleanValue::Empty)
    }
}

/// A number without trailing zeros, with a point as decimal separator ("1234.5", "-12").
pub fn format_number(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if let Some(cents) = exact_cents(v) {
        // Amounts (two decimals at most) without going through float formatting.
        let (units, frac) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
        let sign = if cents < 0 { "-" } else { "" };
        if frac % 10 == 0 {
            format!("{sign}{units}.{}", frac / 10)
        } else {
            format!("{sign}{units}.{frac:02}")
        }
    } else {
        let s = format!("{:.6}", v);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

/// `v` in hundredths when it is exactly the double nearest a number with two decimals.
fn exact_cents(v: f64) -> Option<i64> {
    // Below 1e9 six decimals cannot show the noise of the binary value (15 digits).
    if !v.is_finite() || v.abs() >= 1e9 {
        return None;
    }
    let c = (v * 100.0).round();
    (c / 100.0 == v).then_some(c as i64)
}

/// Why a cell changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Spaces trimmed or collapsed, control characters removed.
    Whitespace,
    /// A date rewritten as ISO 8601.
    Date,
    /// An Excel serial number read as a date.
    ExcelSerial,
    /// A date removed in front of a time of day.
    Time,
    /// An amount read as a number (decimal comma, thousands, currency, parentheses).
    Amount,
    /// A French phone number in the chosen form.
    Phone,
    /// An e-mail address tidied.
    Email,
    /// A postcode that lost its leading zero.
    Postcode,
    /// A name's case aligned with the column's.
    Case,
    /// An identifier (SIREN, SIRET, IBAN, VAT) written compactly.
    Identifier,
    /// A rare spelling replaced by the frequent value of the column it is one typo from.
    ColumnVariant,
    /// A rare word replaced by the frequent word of the column it is one typo from.
    WordVariant,
    /// A value replaced by the one every other row with the same key has.
    SameKey,
    /// An empty cell filled with the value every other row with the same key has.
    FilledFromKey,
    /// A row removed because an identical row comes before it.
    DuplicateRow,
}

impl Rule {
    /// A short label for the journal, in French or English.
    pub fn label(self, lang: Lang) -> &'static str {
        let (fr, en) = match self {
            Rule::Whitespace => ("espaces superflus", "extra spaces"),
            Rule::Date => ("date au format AAAA-MM-JJ", "date as YYYY-MM-DD"),
            Rule::ExcelSerial => (
                "numéro de série Excel lu comme date",
                "Excel serial read as a date",
            ),
            Rule::Time => (
                "date retirée devant l'heure",
                "date removed before the time",
            ),
            Rule::Amount => ("montant lu comme nombre", "amount read as a number"),
            Rule::Phone => ("téléphone normalisé", "phone number normalised"),
            Rule::Email => ("e-mail normalisé", "e-mail normalised"),
            Rule::Postcode => (
                "code postal complété (zéro initial)",
                "postcode padded (leading zero)",
            ),
            Rule::Case => ("casse harmonisée", "case harmonised"),
            Rule::Identifier => (
                "identifiant écrit sans séparateurs",
                "identifier written compactly",
            ),
            Rule::ColumnVariant => (
                "variante rare d'une valeur fréquente",
                "rare variant of a frequent value",
            ),
            Rule::WordVariant => (
                "mot mal orthographié (variante d'un mot fréquent)",
                "misspelt word (variant of a frequent word)",
            ),
            Rule::SameKey => (
                "valeur des autres lignes de même clé",
                "value of the other rows with the same key",
            ),
            Rule::FilledFromKey => (
                "complété d'après les lignes de même clé",
                "filled from the rows with the same key",
            ),
            Rule::DuplicateRow => ("doublon exact supprimé", "exact duplicate removed"),
        };
        match lang {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// Whether the rule only changes how a value is written, not what it says.
    pub fn is_formatting(self) -> bool {
        matches!(
            self,
            Rule::Whitespace
                | Rule::Date
                | Rule::ExcelSerial
                | Rule::Amount
                | Rule::Phone
                | Rule::Email
                | Rule::Postcode
                | Rule::Case
                | Rule::Identifier
                | Rule::Time
        )
    }
}

/// One changed cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    /// Row number in the source (1-based, as a spreadsheet shows it).
    pub row: usize,
    /// Column header.
    pub column: String,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
    /// Why.
    pub rule: Rule,
    /// The column whose value decided, for [`Rule::SameKey`] and [`Rule::FilledFromKey`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_column: Option<String>,
}

/// What the cleaner flagged without deciding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// Not a date the cleaner can read.
    UnreadableDate,
    /// Not a time of day.
    UnreadableTime,
    /// Not an amount.
    UnreadableAmount,
    /// Not a valid e-mail address.
    InvalidEmail,
    /// Too few digits for a phone number.
    InvalidPhone,
    /// Not a postcode.
    InvalidPostcode,
    /// SIREN fails its Luhn check.
    InvalidSiren,
    /// SIRET fails its Luhn check.
    InvalidSiret,
    /// IBAN fails its mod-97 check.
    InvalidIban,
    /// VAT number fails its key or shape.
    InvalidVat,
    /// Far from the other values of the column.
    Outlier,
    /// A negative value where only positive ones make sense.
    ImpossibleValue,
    /// A row that says the same as an earlier one, written differently.
    NearDuplicate,
    /// Rows with the same key disagree and no value has a clear majority.
    KeyConflict,
    /// A totals row under the data, left out of the table.
    TotalsRow,
}

impl ReviewReason {
    /// A short explanation, in French or English.
    pub fn label(self, lang: Lang) -> &'static str {
        let (fr, en) = match self {
            ReviewReason::UnreadableDate => ("date illisible", "unreadable date"),
            ReviewReason::UnreadableTime => ("heure illisible", "unreadable time"),
            ReviewReason::UnreadableAmount => ("montant illisible", "unreadable amount"),
            ReviewReason::InvalidEmail => ("e-mail invalide", "invalid e-mail"),
            ReviewReason::InvalidPhone => ("téléphone incomplet", "incomplete phone number"),
            ReviewReason::InvalidPostcode => ("code postal invalide", "invalid postcode"),
            ReviewReason::InvalidSiren => {
                ("SIREN invalide (clé de Luhn)", "invalid SIREN (Luhn check)")
            }
            ReviewReason::InvalidSiret => {
                ("SIRET invalide (clé de Luhn)", "invalid SIRET (Luhn check)")
            }
            ReviewReason::InvalidIban => {
                ("IBAN invalide (clé mod 97)", "invalid IBAN (mod 97 check)")
            }
            ReviewReason::InvalidVat => ("numéro de TVA invalide", "invalid VAT number"),
            ReviewReason::Outlier => ("valeur atypique", "outlier"),
            ReviewReason::ImpossibleValue => (
                "valeur impossible (négative)",
                "impossible value (negative)",
            ),
            ReviewReason::NearDuplicate => ("doublon probable", "probable duplicate"),
            ReviewReason::KeyConflict => (
                "valeurs contradictoires pour la même clé",
                "conflicting values for the same key",
            ),
            ReviewReason::TotalsRow => (
                "ligne de total exclue du tableau",
                "totals row left out of the table",
            ),
        };
        match lang {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

/// One thing to check by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewItem {
    /// Row number in the source (1-based).
    pub row: usize,
    /// Column header, when one cell is concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The value concerned (or the row, abridged).
    pub value: String,
    /// Why.
    pub reason: ReviewReason,
    /// More context ("same as row 12", "median 120").
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// A cleaned table with its journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CleanedTable {
    /// Column headers (tidied; empty ones named "Colonne N" / "Column N").
    pub header: Vec<String>,
    /// What each column holds.
    pub kinds: Vec<ColumnKind>,
    /// The cleaned rows.
    pub rows: Vec<Vec<CleanValue>>,
    /// For each cleaned row, its row number in the source.
    pub source_rows: Vec<usize>,
    /// The header's row number in the source (0 when the table had none).
    pub header_row: usize,
    /// Every changed cell, in order.
    pub corrections: Vec<Correction>,
    /// What to check by hand.
    pub review: Vec<ReviewItem>,
}
