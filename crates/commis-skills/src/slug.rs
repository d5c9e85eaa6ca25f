//! Standard, stable, ASCII-safe file names: `2024-03-15_Dupont_Facture_F2024-031.pdf`.

use crate::dates::parse_date;
use crate::entities::strip_legal_form;
use crate::text::fold_accents;

/// Longest part kept in a name, in characters.
const MAX_PART: usize = 40;

/// Makes one name part ASCII-safe: accents folded, spaces and separators to '-', nothing
/// that a file system or a shell dislikes.
fn clean_part(s: &str) -> String {
    let folded = fold_accents(s.trim());
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if matches!(
            c,
            '-' | '.' | ' ' | '/' | '\\' | '_' | '\'' | '&' | '+' | ','
        ) && !out.ends_with('-')
            && !out.is_empty()
        {
            out.push('-');
        }
        // Anything else (symbols, non-Latin letters without an ASCII form) is dropped.
    }
    let out = out.trim_matches('-').to_string();
    out.chars()
        .take(MAX_PART)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// "DUPONT BATIMENT" -> "Dupont-Batiment"; names already in mixed case keep their spelling.
/// Short all-caps words (acronyms such as "IBM", "SNCF") stay in capitals.
fn tidy_case(s: &str) -> String {
    if s.chars().any(|c| c.is_lowercase()) {
        return s.to_string();
    }
    s.split(' ')
        .map(|w| {
            if w.chars().count() <= 3 {
                w.to_string()
            } else {
                let mut cs = w.chars();
                match cs.next() {
                    Some(f) => f.to_string() + &cs.as_str().to_lowercase(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds a standard file name from what is known about a document, skipping the parts that
/// are unknown: `standard_name(Some("15/03/2024"), Some("SARL Dupont"), "Facture", Some("F2024-031"), "pdf")`
/// gives `2024-03-15_Dupont_Facture_F2024-031.pdf`.
///
/// The date may be ISO or any format [`parse_date`] reads; the client loses its legal form;
/// accents are folded and spaces become '-', so the same document always gets the same name.
pub fn standard_name(
    date: Option<&str>,
    client: Option<&str>,
    kind_label: &str,
    number: Option<&str>,
    ext: &str,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = date.and_then(parse_date) {
        parts.push(d.to_iso());
    }
    if let Some(c) = client {
        let c = clean_part(&tidy_case(&strip_legal_form(c)));
        if !c.is_empty() {
            parts.push(c);
        }
    }
    let k = clean_part(kind_label);
    if !k.is_empty() {
        parts.push(k);
    }
    if let Some(n) = number {
        let n = clean_part(n);
        // A number already in the name is not repeated ("Facture F2024-031" + "F2024-031").
        if !n.is_empty() && !parts.iter().any(|p| p.eq_ignore_ascii_case(&n)) {
            parts.push(n);
        }
    }
    if parts.is_empty() {
        parts.push("document".into());
    }
    let ext = clean_part(ext.trim_start_matches('.'))
        .to_ascii_lowercase()
        .replace('-', "");
    let stem = parts.join("_");
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_documented_example() {
        assert_eq!(
            standard_name(
                Some("2024-03-15"),
                Some("Dupont"),
                "Facture",
                Some("F2024-031"),
                "pdf"
            ),
            "2024-03-15_Dupont_Facture_F2024-031.pdf"
        );
    }

    #[test]
    fn variants_of_a_client_give_the_same_name() {
        let a = standard_name(
            Some("15/03/2024"),
            Some("SARL Dupont"),
            "Facture",
            Some("F2024-031"),
            ".PDF",
        );
        let b = standard_name(
            Some("2024-03-15"),
            Some("DUPONT"),
            "Facture",
            Some("F2024-031"),
            "pdf",
        );
        let c = standard_name(
            Some("15 mars 2024"),
            Some("Dupont s.a.r.l."),
            "Facture",
            Some("F2024-031"),
            "pdf",
        );
        assert_eq!(a, "2024-03-15_Dupont_Facture_F2024-031.pdf");
        assert_eq!(a, b);
        assert_eq!(a, c);
    }

    #[test]
    fn folds_accents_and_replaces_unsafe_characters() {
        let n = standard_name(
            Some("2024-04-10"),
            Some("Hôtel Les Tilleuls"),
            "Compte rendu",
            Some("N°12/B"),
            "docx",
        );
        assert_eq!(n, "2024-04-10_Hotel-Les-Tilleuls_Compte-rendu_N12-B.docx");
        assert!(n.is_ascii() && !n.contains(' '));
        assert_eq!(
            standard_name(
                None,
                Some("Cabinet Moreau & Associés"),
                "Devis",
                None,
                "pdf"
            ),
            "Cabinet-Moreau-Associes_Devis.pdf"
        );
    }

    #[test]
    fn skips_unknown_parts() {
        assert_eq!(
            standard_name(None, None, "Facture", None, "pdf"),
            "Facture.pdf"
        );
        assert_eq!(
            standard_name(Some("not a date"), None, "", None, "txt"),
            "document.txt"
        );
        assert_eq!(
            standard_name(None, Some("../../etc"), "x", None, ""),
            "etc_x"
        );
    }
}
