//! JSON: every scalar as a `path: value` field; an array of flat objects as a table.

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{BlockKind, Cell, Document, Format, Place, Table};
use crate::textdecode;
use serde_json::Value;

/// Fields listed before the rest is summarized with a warning.
const MAX_FIELDS: usize = 100_000;

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Document, DocError> {
    let mut doc = Document::new(Format::Json);
    let text = textdecode::decode(bytes).text;
    let value: Value = serde_json::from_str(&text).map_err(|e| DocError::corrupt("JSON", e))?;
    if let Some(table) = as_table(&value) {
        doc.tables.push(table);
        return Ok(doc);
    }
    let mut count = 0usize;
    walk(&value, "$", 0, limits.max_depth, &mut doc, &mut count);
    if count > MAX_FIELDS {
        doc.warnings
            .push(format!("only the first {MAX_FIELDS} fields were listed"));
    }
    Ok(doc)
}

fn walk(
    value: &Value,
    path: &str,
    depth: u32,
    max_depth: u32,
    doc: &mut Document,
    count: &mut usize,
) {
    if depth > max_depth {
        if *count <= MAX_FIELDS {
            doc.warnings.push(format!(
                "{path}: nested deeper than {max_depth} levels, not read"
            ));
        }
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                walk(v, &format!("{path}.{k}"), depth + 1, max_depth, doc, count);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, &format!("{path}[{i}]"), depth + 1, max_depth, doc, count);
            }
        }
        scalar => {
            *count += 1;
            if *count > MAX_FIELDS {
                return;
            }
            let text = match scalar {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            doc.blocks.push(crate::model::Block {
                kind: BlockKind::Field {
                    path: path.to_string(),
                },
                text,
                place: Place::default(),
                ocr: None,
            });
        }
    }
}

/// `[{"a": 1, "b": "x"}, ...]` with scalar values reads best as a table.
fn as_table(value: &Value) -> Option<Table> {
    let items = value.as_array()?;
    if items.is_empty() {
        return None;
    }
    let mut columns: Vec<String> = Vec::new();
    for item in items {
        let obj = item.as_object()?;
        for (k, v) in obj {
            if v.is_object() || v.is_array() {
                return None;
            }
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let mut rows = vec![
        columns
            .iter()
            .map(|c| Cell::text(c.clone()))
            .collect::<Vec<_>>(),
    ];
    for item in items {
        let obj = item.as_object()?;
        rows.push(
            columns
                .iter()
                .map(|c| match obj.get(c) {
                    None | Some(Value::Null) => Cell::empty(),
                    Some(Value::Number(n)) => n
                        .as_f64()
                        .map(Cell::number)
                        .unwrap_or_else(|| Cell::text(n.to_string())),
                    Some(Value::String(s)) => Cell::text(s.clone()),
                    Some(other) => Cell::text(other.to_string()),
                })
                .collect(),
        );
    }
    Some(Table {
        place: Place::default(),
        origin: None,
        rows,
        merged: Vec::new(),
    })
}
