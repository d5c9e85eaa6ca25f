//! The skills as model-facing tools: JSON-schema descriptors and a JSON dispatcher, so the
//! agent (and its MCP server) can offer them to a model without knowing each function.

use serde::Serialize;
use serde_json::{Value, json};

use crate::SkillError;
use crate::clients::DocInput;

/// A tool a model can call: its name, what it does, and the JSON schema of its input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkillTool {
    /// Tool name, snake_case.
    pub name: &'static str,
    /// What the tool does, for the model.
    pub description: &'static str,
    /// JSON schema of the input object.
    pub input_schema: Value,
}

fn text_schema(extra: Value) -> Value {
    let mut props = json!({"text": {"type": "string", "description": "Document text"}});
    if let (Some(p), Some(e)) = (props.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    json!({"type": "object", "properties": props, "required": ["text"]})
}

/// Every skill offered as a tool.
pub fn tools() -> Vec<SkillTool> {
    let mut all = skill_tools();
    all.extend(crate::meeting_tools::tools());
    all
}

fn skill_tools() -> Vec<SkillTool> {
    vec![
        SkillTool {
            name: "find_amounts",
            description: "Find money amounts in a text (French, English, German notations), each with its label (Total TTC, TVA, Amount due...) and role.",
            input_schema: text_schema(json!({})),
        },
        SkillTool {
            name: "find_dates",
            description: "Find calendar dates in a text (15/03/2024, 15 mars 2024, March 15, 2024...), returned as ISO dates.",
            input_schema: text_schema(json!({})),
        },
        SkillTool {
            name: "find_companies",
            description: "Find company and client names in a text, with their canonical key, the cue that revealed them (Facturé à, Bill to, legal form, e-mail domain) and their side (issuer or client).",
            input_schema: text_schema(json!({})),
        },
        SkillTool {
            name: "normalize_company",
            description: "Canonical key of a company name: 'SARL Dupont', 'Dupont SARL', 'DUPONT' give the same key; also returns the name without its legal form.",
            input_schema: json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
        },
        SkillTool {
            name: "classify_document",
            description: "Document type (invoice, quote, credit_note, meeting_transcript, client_note, bank_statement...) from file name and text, with confidence and reason.",
            input_schema: json!({"type": "object", "properties": {
                "file_name": {"type": "string"}, "text": {"type": "string"},
                "own_company": {"type": "string", "description": "The business's own name, to tell supplier invoices apart"}
            }, "required": ["file_name", "text"]}),
        },
        SkillTool {
            name: "assign_clients",
            description: "Group documents by client (the counterpart, not the business itself), with a confidence and a readable reason for each; confidence below 0.6 means ask the user.",
            input_schema: json!({"type": "object", "properties": {
                "documents": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "string"}, "file_name": {"type": "string"}, "text": {"type": "string"},
                    "kind": {"type": ["string", "null"]}
                }, "required": ["id", "file_name", "text"]}},
                "own_company": {"type": "string"}
            }, "required": ["documents"]}),
        },
        SkillTool {
            name: "extract_invoice",
            description: "Invoice fields (issuer, client, number, date, due date, net, VAT, total, currency) from invoice text, with confidence and evidence per field.",
            input_schema: text_schema(json!({})),
        },
        SkillTool {
            name: "invoice_from_facturx_xml",
            description: "Exact invoice fields from the Factur-X/ZUGFeRD CII XML embedded in a PDF.",
            input_schema: json!({"type": "object", "properties": {"xml": {"type": "string"}}, "required": ["xml"]}),
        },
        SkillTool {
            name: "summarize",
            description: "Extractive summary: the most informative sentences of a text or transcript, in their original order.",
            input_schema: text_schema(
                json!({"max_sentences": {"type": "integer", "minimum": 1, "default": 8}}),
            ),
        },
        SkillTool {
            name: "action_items",
            description: "Action items (who, what, when, due date, priority), decisions and stated priorities from a meeting transcript or notes, French or English.",
            input_schema: text_schema(json!({})),
        },
        SkillTool {
            name: "standard_name",
            description: "Standard ASCII file name such as 2024-03-15_Dupont_Facture_F2024-031.pdf from date, client, type label, number and extension.",
            input_schema: json!({"type": "object", "properties": {
                "date": {"type": "string"}, "client": {"type": "string"}, "kind_label": {"type": "string"},
                "number": {"type": "string"}, "ext": {"type": "string"}
            }, "required": ["kind_label", "ext"]}),
        },
    ]
}

fn str_field<'a>(tool: &str, input: &'a Value, key: &str) -> Result<&'a str, SkillError> {
    input
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| SkillError::BadInput {
            tool: tool.to_string(),
            message: format!("missing string field \"{key}\""),
        })
}

fn opt_str<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn to_value<T: Serialize>(tool: &str, v: T) -> Result<Value, SkillError> {
    serde_json::to_value(v).map_err(|e| SkillError::BadInput {
        tool: tool.to_string(),
        message: e.to_string(),
    })
}

/// Runs the tool `name` on a JSON input and returns its JSON result.
pub fn call(name: &str, input: &Value) -> Result<Value, SkillError> {
    if let Some(result) = crate::meeting_tools::call(name, input) {
        return result;
    }
    match name {
        "find_amounts" => to_value(
            name,
            crate::amounts::find_amounts(str_field(name, input, "text")?),
        ),
        "find_dates" => to_value(
            name,
            crate::dates::find_dates(str_field(name, input, "text")?),
        ),
        "find_companies" => to_value(
            name,
            crate::entities::find_companies(str_field(name, input, "text")?),
        ),
        "normalize_company" => {
            let n = str_field(name, input, "name")?;
            Ok(
                json!({"key": crate::entities::normalize_company(n), "without_legal_form": crate::entities::strip_legal_form(n)}),
            )
        }
        "classify_document" => to_value(
            name,
            crate::classify::doc_type_for_owner(
                str_field(name, input, "file_name")?,
                str_field(name, input, "text")?,
                opt_str(input, "own_company"),
            ),
        ),
        "assign_clients" => {
            let docs: Vec<DocInput> =
                serde_json::from_value(input.get("documents").cloned().unwrap_or(Value::Null))
                    .map_err(|e| SkillError::BadInput {
                        tool: name.to_string(),
                        message: format!("\"documents\": {e}"),
                    })?;
            to_value(
                name,
                crate::clients::assign_clients(&docs, opt_str(input, "own_company")),
            )
        }
        "extract_invoice" => to_value(
            name,
            crate::invoice::extract_invoice(str_field(name, input, "text")?),
        ),
        "invoice_from_facturx_xml" => to_value(
            name,
            crate::invoice::from_cii_xml(str_field(name, input, "xml")?)?,
        ),
        "summarize" => {
            let n = input
                .get("max_sentences")
                .and_then(Value::as_u64)
                .unwrap_or(8)
                .clamp(1, 100) as usize;
            to_value(
                name,
                crate::summarize::extractive_summary(str_field(name, input, "text")?, n),
            )
        }
        "action_items" => {
            let text = str_field(name, input, "text")?;
            Ok(json!({
                "items": to_value(name, crate::actions::action_items(text))?,
                "priorities": crate::actions::priorities(text),
            }))
        }
        "standard_name" => Ok(Value::String(crate::slug::standard_name(
            opt_str(input, "date"),
            opt_str(input, "client"),
            str_field(name, input, "kind_label")?,
            opt_str(input, "number"),
            str_field(name, input, "ext")?,
        ))),
        other => Err(SkillError::UnknownTool(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_described_tool_can_be_called() {
        for t in tools() {
            let input = json!({
                "text": "Facture N° F1\nFacturé à : SARL Dupont\nTotal TTC : 12,00 €\nMarc : Je relance Dupont demain.",
                "name": "SARL Dupont", "file_name": "f.pdf", "xml": "<rsm:CrossIndustryInvoice xmlns:rsm='x'></rsm:CrossIndustryInvoice>",
                "documents": [{"id": "a", "file_name": "a.pdf", "text": "Facturé à : SARL Dupont"}],
                "kind_label": "Facture", "ext": "pdf", "date": "2024-03-15", "client": "Dupont",
                "sentence": "Marc : Je relance Dupont demain."
            });
            assert!(call(t.name, &input).is_ok(), "{} failed", t.name);
            assert_eq!(t.input_schema["type"], "object");
        }
    }

    #[test]
    fn tool_errors_say_what_is_missing() {
        let e = call("extract_invoice", &json!({})).unwrap_err().to_string();
        assert!(e.contains("extract_invoice") && e.contains("text"), "{e}");
        assert!(matches!(
            call("nope", &json!({})),
            Err(SkillError::UnknownTool(_))
        ));
        assert_eq!(
            call(
                "standard_name",
                &json!({"kind_label": "Facture", "ext": "pdf", "client": "SARL Dupont"})
            )
            .unwrap(),
            json!("Dupont_Facture.pdf")
        );
    }
}
