//! Brief templates: the `{name}` and `{name=default}` placeholders of a saved brief, and
//! filling them from values (`commis run --template T --set k=v`, the web UI's fields). A
//! placeholder name is letters, digits, `_` or `-`; any other text between braces is left as
//! written.

use std::collections::BTreeMap;

use serde::Serialize;

/// One placeholder of a template, as the page shows it (an input, prefilled with the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placeholder {
    pub name: String,
    pub default: Option<String>,
}

/// A piece of a brief: plain text or a placeholder.
enum Piece<'a> {
    Text(&'a str),
    Slot {
        name: &'a str,
        default: Option<&'a str>,
    },
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Splits a brief into text and placeholders; braces that hold no valid name stay text.
fn pieces(brief: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = brief;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        let inner = &after[..close];
        let (name, default) = match inner.split_once('=') {
            Some((n, d)) => (n.trim(), Some(d)),
            None => (inner.trim(), None),
        };
        if is_name(name) {
            out.push(Piece::Text(&rest[..open]));
            out.push(Piece::Slot { name, default });
        } else {
            // Keep the brace and look for the next one inside what follows it.
            out.push(Piece::Text(&rest[..open + 1]));
            rest = after;
            continue;
        }
        rest = &after[close + 1..];
    }
    out.push(Piece::Text(rest));
    out
}

/// The placeholders of a brief, each once, in order of first appearance (the first
/// default given for a name wins).
pub fn placeholders(brief: &str) -> Vec<Placeholder> {
    let mut out: Vec<Placeholder> = Vec::new();
    for piece in pieces(brief) {
        if let Piece::Slot { name, default } = piece {
            match out.iter_mut().find(|p| p.name == name) {
                Some(p) if p.default.is_none() => p.default = default.map(str::to_string),
                Some(_) => {}
                None => out.push(Placeholder {
                    name: name.to_string(),
                    default: default.map(str::to_string),
                }),
            }
        }
    }
    out
}

/// Fills every placeholder from `values` (an empty value counts as none), then from its
/// default; the error names the placeholders that have neither.
pub fn fill(brief: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    let known = placeholders(brief);
    let mut out = String::with_capacity(brief.len());
    let mut missing: Vec<&str> = Vec::new();
    for piece in pieces(brief) {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Slot { name, .. } => {
                let given = values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
                let default = known
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.default.as_deref());
                match given.or(default) {
                    Some(v) => out.push_str(v),
                    None => {
                        if !missing.contains(&name) {
                            missing.push(name);
                        }
                    }
                }
            }
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn placeholders_come_once_in_order_with_their_defaults() {
        let p =
            placeholders("Rapport de {mois} pour {client=tous les clients}, {mois=mars} encore");
        assert_eq!(
            p,
            vec![
                Placeholder {
                    name: "mois".into(),
                    default: Some("mars".into())
                },
                Placeholder {
                    name: "client".into(),
                    default: Some("tous les clients".into())
                },
            ]
        );
    }

    #[test]
    fn braces_that_are_not_placeholders_stay_as_written() {
        assert!(placeholders("un {} vide, {deux mots}, {ouvert").is_empty());
        assert_eq!(
            fill("un {} vide, {deux mots} et {x}", &values(&[("x", "1")])).unwrap(),
            "un {} vide, {deux mots} et 1"
        );
        assert_eq!(
            placeholders("{{mois}}")[0].name,
            "mois",
            "the inner braces hold the name"
        );
    }

    #[test]
    fn values_then_defaults_fill_the_brief() {
        let brief = "Rapport de {mois} pour {client=tous les clients} ({mois})";
        assert_eq!(
            fill(brief, &values(&[("mois", " avril ")])).unwrap(),
            "Rapport de avril pour tous les clients (avril)"
        );
        assert_eq!(
            fill(brief, &values(&[("mois", "mai"), ("client", "Dupont")])).unwrap(),
            "Rapport de mai pour Dupont (mai)"
        );
    }

    #[test]
    fn a_placeholder_without_value_or_default_is_named() {
        let err = fill("{mois} et {annee} et {mois}", &values(&[("mois", "  ")])).unwrap_err();
        assert_eq!(err, "mois, annee");
    }
}
