//! The meeting skills as model-facing tools: decisions of a meeting, who owns a commitment
//! and by when, and the full minutes (compte rendu). [`crate::tools`] lists and dispatches
//! them with the other skills.

use serde_json::{Value, json};

use crate::SkillError;
use crate::actions::ItemKind;
use crate::classify::Lang;
use crate::tools::SkillTool;

/// The meeting tools' descriptors.
pub(crate) fn tools() -> Vec<SkillTool> {
    vec![
        SkillTool {
            name: "meeting_decisions",
            description: "Decisions taken in a meeting transcript or minutes (\"on part sur\", \"c'est validé\", \"we agreed\", \"let's go with\", a \"Décisions\" list), French or English, each with the sentence it was read from and its line.",
            input_schema: json!({"type": "object", "properties": {
                "text": {"type": "string", "description": "Transcript (\"Speaker: text\" lines) or minutes"}
            }, "required": ["text"]}),
        },
        SkillTool {
            name: "resolve_owner_and_date",
            description: "Who owns the commitment in one meeting sentence (the person named, the speaker for \"I'll\"/\"je\", the person addressed for \"tu\"/\"you\") and its deadline resolved against the meeting date (\"vendredi\", \"d'ici la fin du mois\", \"next week\" → ISO date).",
            input_schema: json!({"type": "object", "properties": {
                "sentence": {"type": "string"},
                "speaker": {"type": "string", "description": "Who said the sentence"},
                "addressee": {"type": "string", "description": "Who spoke just before (the person a \"tu\"/\"you\" request is addressed to)"},
                "participants": {"type": "array", "items": {"type": "string"}, "description": "People present; an owner outside this list is not returned"},
                "meeting_date": {"type": "string", "description": "Date of the meeting (ISO or as written)"}
            }, "required": ["sentence"]}),
        },
        SkillTool {
            name: "meeting_minutes",
            description: "Minutes of a meeting (compte rendu): date, participants, extractive summary by topic, decisions, action items ranked by priority and deadline (the rest in an annex), open questions; also as Markdown with tables and lists.",
            input_schema: json!({"type": "object", "properties": {
                "text": {"type": "string"},
                "max_actions": {"type": "integer", "minimum": 1, "default": crate::minutes::SHOWN_ACTIONS},
                "lang": {"type": "string", "enum": ["fr", "en"], "default": "fr"}
            }, "required": ["text"]}),
        },
    ]
}

fn bad(tool: &str, message: impl Into<String>) -> SkillError {
    SkillError::BadInput {
        tool: tool.to_string(),
        message: message.into(),
    }
}

fn text<'a>(tool: &str, input: &'a Value, key: &str) -> Result<&'a str, SkillError> {
    input
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(tool, format!("missing string field \"{key}\"")))
}

/// Runs a meeting tool; `None` when `name` is not one of them.
pub(crate) fn call(name: &str, input: &Value) -> Option<Result<Value, SkillError>> {
    let run = || -> Result<Value, SkillError> {
        match name {
            "meeting_decisions" => {
                let items: Vec<Value> = crate::actions::action_items(text(name, input, "text")?)
                    .into_iter()
                    .filter(|a| a.kind == ItemKind::Decision)
                    .map(|a| json!({"decision": a.what, "evidence": a.evidence, "line": a.line}))
                    .collect();
                Ok(Value::Array(items))
            }
            "resolve_owner_and_date" => {
                let sentence = text(name, input, "sentence")?;
                let opt = |k: &str| {
                    input
                        .get(k)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                };
                let participants: Vec<String> = input
                    .get("participants")
                    .and_then(Value::as_array)
                    .map(|v| {
                        v.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                let meeting =
                    match opt("meeting_date") {
                        Some(d) => Some(crate::dates::parse_date(d).ok_or_else(|| {
                            bad(name, format!("meeting_date \"{d}\" is not a date"))
                        })?),
                        None => None,
                    };
                let (who, when, due) = crate::actions::resolve_owner_and_date(
                    sentence,
                    opt("speaker"),
                    opt("addressee"),
                    &participants,
                    meeting,
                );
                Ok(json!({"who": who, "when": when, "due": due}))
            }
            "meeting_minutes" => {
                let t = text(name, input, "text")?;
                let max = input
                    .get("max_actions")
                    .and_then(Value::as_u64)
                    .unwrap_or(crate::minutes::SHOWN_ACTIONS as u64)
                    .clamp(1, 100) as usize;
                let lang = match input.get("lang").and_then(Value::as_str) {
                    Some("en") => Lang::En,
                    _ => Lang::Fr,
                };
                let m = crate::minutes::minutes(t, max);
                let title = match lang {
                    Lang::Fr => "Compte rendu",
                    Lang::En => "Minutes",
                };
                let md =
                    crate::minutes::render_markdown(title, &[(title.to_string(), m.clone())], lang);
                let mut v = serde_json::to_value(&m).map_err(|e| bad(name, e.to_string()))?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("markdown".into(), Value::String(md));
                }
                Ok(v)
            }
            _ => Err(SkillError::UnknownTool(name.to_string())),
        }
    };
    tools().iter().any(|t| t.name == name).then(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "Réunion du mardi 12 mars 2024\nMarc : Premier point, le bois.\nMarc : Alors on part sur le chêne français, c'est validé.\nMarc : Julie, tu relances le Garage Petit d'ici vendredi.\nJulie : D'accord, je le note.\nMarc : Deuxième point, la mairie.\n";

    #[test]
    fn decisions_tool_returns_only_decisions() {
        let v = crate::tools::call("meeting_decisions", &json!({"text": T})).unwrap();
        let d = v.as_array().unwrap();
        assert_eq!(d.len(), 1, "{v}");
        assert!(
            d[0]["decision"]
                .as_str()
                .unwrap()
                .contains("chêne français")
        );
    }

    #[test]
    fn owner_and_date_are_resolved_against_the_meeting() {
        let v = crate::tools::call(
            "resolve_owner_and_date",
            &json!({"sentence": "Julie, tu relances le Garage Petit d'ici vendredi.", "speaker": "Marc",
                    "participants": ["Marc", "Julie"], "meeting_date": "12/03/2024"}),
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"who": "Julie", "when": "d'ici vendredi", "due": "2024-03-15"})
        );
        let v = crate::tools::call(
            "resolve_owner_and_date",
            &json!({"sentence": "I'll send the quote by the end of the month.", "speaker": "Anna", "meeting_date": "2024-03-13"}),
        )
        .unwrap();
        assert_eq!(v["who"], "Anna");
        assert_eq!(v["due"], "2024-03-31");
        // Someone who was not there does not own the task.
        let v = crate::tools::call(
            "resolve_owner_and_date",
            &json!({"sentence": "Kevin prépare le devis.", "participants": ["Marc", "Julie"]}),
        )
        .unwrap();
        assert_eq!(v["who"], Value::Null);
        let e = crate::tools::call(
            "resolve_owner_and_date",
            &json!({"sentence": "x", "meeting_date": "pas une date"}),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("meeting_date"), "{e}");
    }

    #[test]
    fn minutes_tool_gives_structure_and_markdown() {
        let v = crate::tools::call("meeting_minutes", &json!({"text": T})).unwrap();
        assert_eq!(v["date"], "2024-03-12");
        assert_eq!(v["actions"][0]["who"], "Julie");
        assert!(
            v["markdown"]
                .as_str()
                .unwrap()
                .contains("| Normale | Julie |"),
            "{v}"
        );
    }
}
