//! Templates (a brief with `{placeholders}`, its policy and output folder) and scheduled runs
//! of templates (`commis schedule run-due`, for cron or a systemd timer).

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use commis_core::{Millis, now_millis};
use serde::{Deserialize, Serialize};

/// A saved brief. Placeholders are written `{name}` or `{name=default}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub brief: String,
    /// Accept the plan and approve creations and modifications.
    #[serde(default)]
    pub yes: bool,
    /// Kinds allowed without asking (delete, move, exec).
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Where its runs put deliverables, relative to the folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

pub use commis_core::template::placeholders;

/// Fills a brief's placeholders from `values`, then defaults; a missing one is an error
/// naming it and how to give it.
pub fn render(brief: &str, values: &BTreeMap<String, String>) -> Result<String> {
    commis_core::template::fill(brief, values).map_err(|missing| {
        let sets: Vec<String> = missing
            .split(", ")
            .map(|m| format!("--set {m}=VALUE"))
            .collect();
        anyhow::anyhow!(
            "the template needs a value for {{{missing}}}: add {}",
            sets.join(" ")
        )
    })
}

/// Parses `--set key=value` pairs.
pub fn parse_sets(sets: &[String]) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for s in sets {
        let (k, v) = s
            .split_once('=')
            .with_context(|| format!("--set {s}: write it as name=value"))?;
        map.insert(k.trim().to_string(), v.to_string());
    }
    Ok(map)
}

/// How often a schedule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Day,
    Week,
    Month,
}

impl Every {
    pub fn parse(s: &str) -> Result<Every> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" | "daily" | "jour" => Ok(Every::Day),
            "week" | "weekly" | "semaine" => Ok(Every::Week),
            "month" | "monthly" | "mois" => Ok(Every::Month),
            other => bail!("--every {other}: use day, week or month"),
        }
    }

    fn millis(self) -> Millis {
        const DAY: Millis = 86_400_000;
        match self {
            Every::Day => DAY,
            Every::Week => 7 * DAY,
            // A month is "30 days since the last run": simple, and never runs twice a month.
            Every::Month => 30 * DAY,
        }
    }
}

/// A scheduled template run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub template: String,
    pub dir: std::path::PathBuf,
    pub every: Every,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
}

/// Whether a schedule last run at `last` is due at `now`.
pub fn is_due(every: Every, last: Option<Millis>, now: Millis) -> bool {
    match last {
        None => true,
        Some(last) => now - last >= every.millis(),
    }
}

pub fn now() -> Millis {
    now_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_with_their_defaults() {
        let p = placeholders("Rapport de {mois} pour {client=tous les clients}, {mois} encore");
        let names: Vec<(&str, Option<&str>)> = p
            .iter()
            .map(|p| (p.name.as_str(), p.default.as_deref()))
            .collect();
        assert_eq!(
            names,
            vec![("mois", None), ("client", Some("tous les clients"))]
        );
    }

    #[test]
    fn rendering_uses_values_then_defaults_and_names_what_is_missing() {
        let mut v = BTreeMap::new();
        v.insert("mois".to_string(), "mars".to_string());
        assert_eq!(
            render("Rapport de {mois} pour {client=tous}", &v).unwrap(),
            "Rapport de mars pour tous"
        );
        let err = render("Rapport de {annee}", &v).unwrap_err().to_string();
        assert!(err.contains("--set annee=VALUE"), "{err}");
        // Braces that are not placeholders stay as they are.
        assert_eq!(render("un {} vide", &v).unwrap(), "un {} vide");
    }

    #[test]
    fn schedules_are_due_once_per_period() {
        let day = 86_400_000;
        assert!(is_due(Every::Week, None, 0));
        assert!(!is_due(Every::Week, Some(0), 6 * day));
        assert!(is_due(Every::Week, Some(0), 7 * day));
        assert!(is_due(Every::Month, Some(0), 30 * day));
        assert!(Every::parse("fortnight").is_err());
        assert_eq!(parse_sets(&["a=b=c".into()]).unwrap()["a"], "b=c");
    }
}
