//! The model-facing contract, checked the way the two providers check it when a request
//! arrives: tool names, descriptions and input schemas that Anthropic (`input_schema`) and
//! OpenAI (`function.parameters`) both accept, and a strict form (OpenAI `strict: true`,
//! Anthropic strict tool use: every object closed, every property required, optional ones
//! nullable) that exists for every tool.

use serde_json::{Map, Value, json};

use super::Registry;

const TYPES: &[&str] = &[
    "object", "array", "string", "number", "integer", "boolean", "null",
];

/// Keywords a strict schema may keep; anything else (defaults, formats, bounds, `$schema`)
/// is dropped by [`to_strict`] and documented in the description instead.
const STRICT_KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "description",
    "$ref",
    "$defs",
    "definitions",
    "title",
];

fn all_tools() -> Registry {
    // Every tool a model can be offered, the sub-agent fan-out included.
    Registry::standard()
}

fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// Problems a provider would refuse the schema for, as "tool: path: what".
fn check(root: &Value, schema: &Value, at: &str, problems: &mut Vec<String>) {
    let Some(map) = schema.as_object() else {
        if !schema.is_boolean() {
            problems.push(format!("{at}: a schema must be an object"));
        }
        return;
    };
    if let Some(reference) = map.get("$ref").and_then(Value::as_str)
        && resolve(root, reference).is_none()
    {
        problems.push(format!("{at}: $ref {reference} does not resolve"));
    }
    match map.get("type") {
        None => {}
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) => {}
        Some(Value::Array(ts))
            if ts
                .iter()
                .all(|t| t.as_str().is_some_and(|t| TYPES.contains(&t))) => {}
        Some(other) => problems.push(format!("{at}: unknown type {other}")),
    }
    let is_type = |name: &str| match map.get("type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == name),
        _ => false,
    };
    if is_type("array") && !map.contains_key("items") {
        problems.push(format!(
            "{at}: an array schema needs `items` (OpenAI refuses it)"
        ));
    }
    if let Some(required) = map.get("required") {
        let props = map.get("properties").and_then(Value::as_object);
        for name in required.as_array().into_iter().flatten() {
            let known = name
                .as_str()
                .is_some_and(|n| props.is_some_and(|p| p.contains_key(n)));
            if !known {
                problems.push(format!("{at}: required {name} is not a property"));
            }
        }
    }
    if let Some(props) = map.get("properties") {
        match props.as_object() {
            Some(props) => {
                for (name, sub) in props {
                    check(root, sub, &format!("{at}.{name}"), problems);
                }
            }
            None => problems.push(format!("{at}: `properties` must be an object")),
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = map.get(key).filter(|s| s.is_object()) {
            check(root, sub, &format!("{at}/{key}"), problems);
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for (i, sub) in map
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            check(root, sub, &format!("{at}/{key}[{i}]"), problems);
        }
    }
    for key in ["$defs", "definitions"] {
        for (name, sub) in map
            .get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            check(root, sub, &format!("#/{key}/{name}"), problems);
        }
    }
}

/// `schema` in strict form, or why it has none: objects closed with every property
/// required (the optional ones made nullable), `oneOf` read as `anyOf`, `allOf` of one
/// schema inlined, keywords strict mode does not take dropped.
fn to_strict(schema: &Value, at: &str) -> Result<Value, String> {
    let Some(map) = schema.as_object() else {
        return match schema {
            Value::Bool(true) => Err(format!("{at}: an unconstrained value has no strict form")),
            _ => Err(format!("{at}: not a schema")),
        };
    };
    if let Some(all) = map.get("allOf").and_then(Value::as_array) {
        if all.len() == 1
            && map
                .keys()
                .all(|k| matches!(k.as_str(), "allOf" | "description"))
        {
            let mut inner = to_strict(&all[0], at)?;
            if let (Some(d), Some(o)) = (map.get("description"), inner.as_object_mut()) {
                o.insert("description".into(), d.clone());
            }
            return Ok(inner);
        }
        return Err(format!("{at}: allOf of several schemas has no strict form"));
    }
    let mut out = Map::new();
    for (key, value) in map {
        let key = if key == "oneOf" {
            "anyOf"
        } else {
            key.as_str()
        };
        if !STRICT_KEYWORDS.contains(&key) {
            continue;
        }
        let value = match key {
            "properties" => {
                let props = value.as_object().ok_or(format!("{at}: bad properties"))?;
                let mut strict = Map::new();
                let required: Vec<&str> = map
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for (name, sub) in props {
                    let mut sub = to_strict(sub, &format!("{at}.{name}"))?;
                    if !required.contains(&name.as_str()) {
                        sub = json!({"anyOf": [sub, {"type": "null"}]});
                    }
                    strict.insert(name.clone(), sub);
                }
                Value::Object(strict)
            }
            "items" => to_strict(value, &format!("{at}[]"))?,
            "anyOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, s)| to_strict(s, &format!("{at}|{i}")))
                    .collect::<Result<_, _>>()?,
            ),
            "$defs" | "definitions" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(n, s)| Ok((n.clone(), to_strict(s, &format!("#/{key}/{n}"))?)))
                    .collect::<Result<_, String>>()?,
            ),
            "additionalProperties" => continue,
            _ => value.clone(),
        };
        out.insert(key.to_string(), value);
    }
    let is_object = out.get("type").is_some_and(|t| {
        t == "object" || t.as_array().is_some_and(|a| a.contains(&json!("object")))
    });
    if is_object {
        let names: Vec<Value> = out
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().map(|k| json!(k)).collect())
            .unwrap_or_default();
        // Without `additionalProperties: false` an object is open in JSON Schema: one with no
        // properties is a free-form map, which a closed strict object cannot carry.
        let open = map
            .get("additionalProperties")
            .is_none_or(|a| a.is_object() || *a == json!(true));
        if open && names.is_empty() {
            return Err(format!("{at}: a free-form map has no strict form"));
        }
        out.insert("required".into(), Value::Array(names));
        out.insert("additionalProperties".into(), json!(false));
    }
    Ok(Value::Object(out))
}

/// Whether `schema` obeys the strict rules: every object closed, every property required.
fn strict_problems(schema: &Value, at: &str, problems: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            let is_object = map.get("type").is_some_and(|t| t == "object");
            if is_object {
                if map.get("additionalProperties") != Some(&json!(false)) {
                    problems.push(format!("{at}: object not closed"));
                }
                let props: Vec<&String> = map
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|p| p.keys().collect())
                    .unwrap_or_default();
                let required: Vec<&str> = map
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                if props.iter().any(|p| !required.contains(&p.as_str())) {
                    problems.push(format!("{at}: a property is not required"));
                }
            }
            for (key, sub) in map {
                if key != "enum" && key != "const" {
                    strict_problems(sub, &format!("{at}/{key}"), problems);
                }
            }
        }
        Value::Array(items) => {
            for (i, sub) in items.iter().enumerate() {
                strict_problems(sub, &format!("{at}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

#[test]
fn every_tool_schema_is_accepted_by_both_function_calling_formats() {
    let registry = all_tools();
    let mut problems = Vec::new();
    for spec in registry.specs() {
        let name_ok = !spec.name.is_empty()
            && spec.name.len() <= 64
            && spec
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            problems.push(format!("{}: a name both APIs refuse", spec.name));
        }
        if spec.description.trim().is_empty() {
            problems.push(format!("{}: no description", spec.name));
        }
        let schema = &spec.input_schema;
        if schema.get("type") != Some(&json!("object")) {
            problems.push(format!(
                "{}: the input schema is not `type: object`",
                spec.name
            ));
        }
        for key in ["oneOf", "anyOf", "allOf", "enum", "not"] {
            if schema.get(key).is_some() {
                problems.push(format!(
                    "{}: `{key}` at the top level (OpenAI refuses it)",
                    spec.name
                ));
            }
        }
        let mut found = Vec::new();
        check(schema, schema, "", &mut found);
        problems.extend(found.into_iter().map(|p| format!("{}: {p}", spec.name)));
        // What goes on the wire is what was checked.
        let req = commis_llm::ChatRequest {
            system: String::new(),
            messages: vec![commis_llm::Message::user_text("x")],
            tools: vec![spec.clone()],
            max_tokens: 1,
            temperature: None,
        };
        let anthropic = commis_llm::anthropic::request_body("m", &req, false);
        let openai = commis_llm::openai::request_body("m", &req, false);
        assert_eq!(&anthropic["tools"][0]["input_schema"], schema);
        assert_eq!(&openai["tools"][0]["function"]["parameters"], schema);
    }
    assert!(registry.names().len() >= 17, "{:?}", registry.names());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_tool_schema_has_a_strict_form() {
    let mut problems = Vec::new();
    for spec in all_tools().specs() {
        match to_strict(&spec.input_schema, "") {
            Ok(strict) => {
                let mut found = Vec::new();
                strict_problems(&strict, "", &mut found);
                check(&strict, &strict, "", &mut found);
                problems.extend(found.into_iter().map(|p| format!("{}: {p}", spec.name)));
            }
            Err(why) => problems.push(format!("{}: {why}", spec.name)),
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_checks_catch_what_the_apis_refuse() {
    let mut found = Vec::new();
    let bad = json!({"type": "object", "required": ["x"], "properties": {
        "list": {"type": "array"}, "r": {"$ref": "#/$defs/missing"}}});
    check(&bad, &bad, "", &mut found);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(to_strict(&json!({"type": "object", "additionalProperties": true}), "").is_err());
    assert!(to_strict(&json!({"type": "object"}), "").is_err());
    let strict = to_strict(
        &json!({"type": "object", "required": ["a"], "properties": {
            "a": {"type": "string", "format": "date"}, "b": {"type": "integer", "minimum": 0}}}),
        "",
    )
    .unwrap();
    assert_eq!(strict["required"], json!(["a", "b"]));
    assert_eq!(strict["additionalProperties"], json!(false));
    assert_eq!(strict["properties"]["b"]["anyOf"][1]["type"], "null");
    assert!(strict["properties"]["a"].get("format").is_none());
}

#[test]
fn a_result_that_is_not_an_object_is_wrapped() {
    assert_eq!(super::as_object(json!([1, 2])), json!({"result": [1, 2]}));
    assert_eq!(super::as_object(json!({"ok": true})), json!({"ok": true}));
}
