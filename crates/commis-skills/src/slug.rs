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

/// Words a file name carries that say nothing about the document: copy markers, articles,
/// and the generic names cameras, scanners and office suites give.
const NOISE_WORDS: &[&str] = &[
    "copie",
    "copy",
    "re",
    "fwd",
    "tr",
    "invoice",
    "transcript",
    "n",
    "no",
    "of",
    "de",
    "du",
    "des",
    "le",
    "la",
    "les",
    "l",
    "d",
    "et",
    "the",
    "a",
    "an",
    "and",
    "pour",
    "for",
    "avec",
    "with",
    "sans",
    "nouveau",
    "new",
    "document",
    "doc",
    "fichier",
    "file",
    "img",
    "image",
    "scan",
    "dsc",
    "untitled",
    "sans-titre",
];

fn name_tokens(s: &str) -> Vec<String> {
    fold_accents(s)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A new name for a file that keeps what its old name said. Builds [`standard_name`] from
/// the facts, then appends the old name's meaningful words (subject, version, project:
/// `devis_moreau_v3 DEF.docx` keeps `v3-DEF`) that the standard parts do not already say.
/// When the facts hold nothing specific (no date, client or number: only a type such as
/// « Image » or « Document »), the original name is kept: a generic name would be less
/// informative than the one the user chose.
pub fn informative_name(
    original: &str,
    date: Option<&str>,
    client: Option<&str>,
    kind_label: &str,
    number: Option<&str>,
    ext: &str,
) -> String {
    let has_date = date.and_then(parse_date).is_some();
    let has_client = client.is_some_and(|c| !clean_part(&strip_legal_form(c)).is_empty());
    let has_number = number.is_some_and(|n| !clean_part(n).is_empty());
    if !has_date && !has_client && !has_number {
        return original.to_string();
    }
    let standard = standard_name(date, client, kind_label, number, ext);
    let ext_clean = ext.trim_start_matches('.');
    let stem = if !ext_clean.is_empty()
        && original
            .to_lowercase()
            .ends_with(&format!(".{}", ext_clean.to_lowercase()))
    {
        &original[..original.len() - ext_clean.len() - 1]
    } else {
        original
    };
    // What the standard name already says (and the raw client's words, e.g. its legal form).
    let mut covered: Vec<String> = name_tokens(&standard)
        .into_iter()
        .chain(client.map(name_tokens).unwrap_or_default())
        .chain(number.map(name_tokens).unwrap_or_default())
        .chain(name_tokens(kind_label))
        .map(|t| t.to_lowercase())
        .collect();
    if let Some(d) = date.and_then(parse_date) {
        covered.extend(name_tokens(&d.to_iso()));
    }
    let mut kept: Vec<String> = Vec::new();
    for token in name_tokens(stem) {
        let lower = token.to_lowercase();
        let short_number = token.chars().all(|c| c.is_ascii_digit()) && token.len() <= 2;
        if short_number
            || NOISE_WORDS.contains(&lower.as_str())
            || covered.contains(&lower)
            || kept.iter().any(|k| k.eq_ignore_ascii_case(&token))
            || token.chars().count() == 1
            // Plural/singular or abbreviation of a covered word ("factures", "FACT" for
            // "Facture"; "St" for "Saint").
            || covered.iter().any(|c| {
                (c.len() > 3 && (lower == format!("{c}s") || format!("{lower}s") == *c))
                    || (lower.len() >= 3 && c.len() > lower.len() && c.starts_with(&lower))
                    || (matches!(lower.as_str(), "st" | "ste") && c.starts_with("saint"))
            })
        {
            continue;
        }
        kept.push(token);
        if kept.len() == 5 {
            break;
        }
    }
    if kept.is_empty() {
        return standard;
    }
    let extra = clean_part(&kept.join(" "));
    let (std_stem, std_ext) = match standard.rsplit_once('.') {
        Some((s, e)) if !ext_clean.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (standard.clone(), String::new()),
    };
    format!("{std_stem}_{extra}{std_ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_only_renames_keep_the_original_name() {
        for (original, kind, ext) in [
            ("logo atelier.png", "Image", "png"),
            ("rapport.docx", "Rapport", "docx"),
            ("reunion_kickoff.txt", "Transcription", "txt"),
            ("pres_client.pptx", "Présentation", "pptx"),
        ] {
            assert_eq!(
                informative_name(original, None, None, kind, None, ext),
                original
            );
        }
    }

    #[test]
    fn renames_keep_the_meaningful_words_of_the_old_name() {
        assert_eq!(
            informative_name(
                "devis_moreau_v3 DEF.docx",
                Some("2024-03-27"),
                Some("Cabinet Moreau & Associés"),
                "Devis",
                None,
                "docx"
            ),
            "2024-03-27_Cabinet-Moreau-Associes_Devis_v3-DEF.docx"
        );
        assert_eq!(
            informative_name(
                "reunion_kickoff.txt",
                Some("2024-03-26"),
                None,
                "Transcription",
                None,
                "txt"
            ),
            "2024-03-26_Transcription_reunion-kickoff.txt"
        );
        // What the standard parts already say is not repeated; copy numbers are dropped.
        assert_eq!(
            informative_name(
                "facture_F2024-033 (1).pdf",
                Some("2024-03-19"),
                Some("Dupont Bâtiment"),
                "Facture",
                Some("F2024-033"),
                "pdf"
            ),
            "2024-03-19_Dupont-Batiment_Facture_F2024-033.pdf"
        );
    }

    #[test]
    fn a_renamed_file_never_loses_a_word_of_its_old_name_that_said_something() {
        let old = "budget_FINAL_v2 - Copie.xlsx";
        let new = informative_name(old, Some("2024-04-01"), None, "Tableau", None, "xlsx");
        for word in ["budget", "FINAL", "v2"] {
            assert!(new.contains(word), "{new} lost {word}");
        }
        assert!(!new.to_lowercase().contains("copie"), "{new}");
    }

    #[test]
    fn abbreviations_of_what_the_name_already_says_are_not_repeated() {
        assert_eq!(
            informative_name(
                "FACT-036 mairie St Aubin.pdf",
                Some("2024-04-04"),
                Some("Mairie de Saint-Aubin"),
                "Facture",
                Some("F2024-036"),
                "pdf"
            ),
            "2024-04-04_Mairie-de-Saint-Aubin_Facture_F2024-036.pdf"
        );
    }

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
