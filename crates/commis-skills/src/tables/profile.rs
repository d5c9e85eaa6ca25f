//! What a column holds, from its header and a sample of its values.

use serde::Serialize;

use super::values::{
    PhoneStyle, normalize_french_phone, parse_cell_amount, parse_cell_date, parse_time_of_day,
    strip_date_before_time,
};
use crate::dates::DateOrder;

/// The kind of values of a column, which decides the rules applied to its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// No values.
    Empty,
    /// A row number or code unique to each row; never changed.
    Identifier,
    /// Amounts or decimal numbers.
    Amount,
    /// Dates.
    Date,
    /// Times of day.
    Time,
    /// Phone numbers.
    Phone,
    /// E-mail addresses.
    Email,
    /// Postcodes.
    Postcode,
    /// SIREN numbers.
    Siren,
    /// SIRET numbers.
    Siret,
    /// IBANs.
    Iban,
    /// VAT numbers.
    Vat,
    /// Names of people, companies or places.
    Name,
    /// A small set of repeated values (status, category, city…).
    Category,
    /// Free text.
    Text,
}

/// Header words, split at separators and at lower→upper case changes ("ZipCode" → zip code),
/// lower-cased and accent-folded.
fn header_words(header: &str) -> Vec<String> {
    let mut spaced = String::with_capacity(header.len() + 4);
    let mut prev_lower = false;
    for c in header.chars() {
        if c.is_uppercase() && prev_lower {
            spaced.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        spaced.push(if c.is_alphanumeric() { c } else { ' ' });
    }
    crate::text::fold_lower(&spaced)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

fn has_any(words: &[String], keys: &[&str]) -> bool {
    words.iter().any(|w| keys.contains(&w.as_str()))
}

fn share(values: &[&str], pred: impl Fn(&str) -> bool) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().filter(|v| pred(v)).count() as f64 / values.len() as f64
}

fn is_plain_integer(v: &str) -> bool {
    !v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit())
}

fn looks_like_amount_text(v: &str) -> bool {
    v.contains(['€', '$', '£'])
        || v.ends_with("EUR")
        || (v.starts_with('(') && v.ends_with(')'))
        || v.contains(',') && parse_cell_amount(v).is_some()
        || v.contains('.') && parse_cell_amount(v).is_some()
}

/// Guesses the kind of a column from its header and its (non-empty, tidied) values.
/// `order` is the column's date order, used to recognise slash dates.
pub fn infer_kind(header: &str, values: &[&str], order: DateOrder) -> ColumnKind {
    if values.is_empty() {
        return ColumnKind::Empty;
    }
    let w = header_words(header);
    let date_share = || {
        share(values, |v| {
            parse_cell_date(v, order).is_some()
                || (has_any(&w, &["date", "jour", "echeance", "naissance", "day"])
                    && parse_cell_amount(v)
                        .and_then(super::values::excel_serial_date)
                        .is_some())
        })
    };
    let time_share = || {
        share(values, |v| {
            parse_time_of_day(v).is_some() || strip_date_before_time(v).is_some()
        })
    };
    if has_any(&w, &["iban"]) {
        return ColumnKind::Iban;
    }
    if has_any(&w, &["siret"]) {
        return ColumnKind::Siret;
    }
    if has_any(&w, &["siren"]) {
        return ColumnKind::Siren;
    }
    if (has_any(&w, &["vat"]) && has_any(&w, &["number", "id", "no", "n"]))
        || (has_any(&w, &["tva"])
            && has_any(&w, &["intra", "intracommunautaire", "numero", "n", "no"]))
        || share(values, |v| {
            let c: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            c.len() == 13
                && c.starts_with("FR")
                && c[2..].bytes().all(|b| b.is_ascii_alphanumeric())
        }) >= 0.6
    {
        return ColumnKind::Vat;
    }
    if has_any(&w, &["mail", "email", "courriel", "mel"])
        || share(values, |v| v.contains('@')) >= 0.8
    {
        return ColumnKind::Email;
    }
    if has_any(
        &w,
        &[
            "tel",
            "telephone",
            "phone",
            "mobile",
            "portable",
            "fax",
            "gsm",
        ],
    ) {
        return ColumnKind::Phone;
    }
    if has_any(&w, &["cp", "zip", "zipcode", "postcode", "postal"]) {
        return ColumnKind::Postcode;
    }
    if has_any(&w, &["heure", "time", "hour", "horaire"]) && time_share() >= 0.6 {
        return ColumnKind::Time;
    }
    let dates = date_share();
    if dates >= 0.8
        || (dates >= 0.5 && has_any(&w, &["date", "jour", "echeance", "naissance", "day"]))
    {
        return ColumnKind::Date;
    }
    if time_share() >= 0.8 {
        return ColumnKind::Time;
    }
    let amount_words = [
        "montant", "amount", "prix", "price", "total", "solde", "balance", "debit", "credit",
        "cout", "cost", "ht", "ttc", "tva", "vat", "salaire", "revenue", "somme", "sum", "paid",
        "paye", "eur", "euros", "ca", "chiffre", "valeur", "value", "tarif", "fee", "frais",
    ];
    let numeric = share(values, |v| parse_cell_amount(v).is_some());
    if numeric >= 0.6
        && (has_any(&w, &amount_words) || share(values, looks_like_amount_text) >= 0.3)
    {
        return ColumnKind::Amount;
    }
    if share(values, |v| {
        normalize_french_phone(v, PhoneStyle::French).is_some() && !is_plain_integer(v)
    }) >= 0.8
    {
        return ColumnKind::Phone;
    }
    let mut distinct = std::collections::HashSet::with_capacity(values.len());
    for v in values {
        distinct.insert(*v);
    }
    let distinct_ratio = distinct.len() as f64 / values.len() as f64;
    if share(values, is_plain_integer) >= 0.95 && distinct.len() == values.len() {
        return ColumnKind::Identifier;
    }
    if has_any(
        &w,
        &[
            "nom",
            "name",
            "prenom",
            "client",
            "societe",
            "company",
            "entreprise",
            "raison",
            "contact",
            "fournisseur",
            "supplier",
            "customer",
            "ville",
            "city",
            "commune",
        ],
    ) {
        return ColumnKind::Name;
    }
    if distinct_ratio < 0.5 {
        return ColumnKind::Category;
    }
    ColumnKind::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_headers_and_values() {
        let k = |h: &str, v: &[&str]| infer_kind(h, v, DateOrder::DayFirst);
        assert_eq!(
            k("Date facture", &["01/02/2024", "5 mars 2024"]),
            ColumnKind::Date
        );
        assert_eq!(
            k("Montant TTC", &["1 234,56 €", "12,00"]),
            ColumnKind::Amount
        );
        assert_eq!(
            k("x", &["(12,00)", "1 234,56 €", "3,5"]),
            ColumnKind::Amount
        );
        assert_eq!(k("Téléphone", &["0123456789"]), ColumnKind::Phone);
        assert_eq!(k("ZipCode", &["35233"]), ColumnKind::Postcode);
        assert_eq!(k("Courriel", &["a@b.fr"]), ColumnKind::Email);
        assert_eq!(k("index", &["1", "2", "3"]), ColumnKind::Identifier);
        assert_eq!(
            k("sched_dep_time", &["7:10 a.m.", "12/02/2011 6:55 a.m."]),
            ColumnKind::Time
        );
        assert_eq!(
            k("Raison sociale", &["Dupont SARL", "Martin SAS"]),
            ColumnKind::Name
        );
        assert_eq!(k("N° TVA intracom", &["FR44732829320"]), ColumnKind::Vat);
        assert_eq!(k("TVA", &["20,00", "4,5"]), ColumnKind::Amount);
        assert_eq!(
            k("statut", &["payé", "payé", "impayé", "payé", "payé"]),
            ColumnKind::Category
        );
    }
}
