//! The model-facing tools: one registry, used alike by models, the offline planner,
//! `commis tool` and the MCP server, so every call goes through the same confinement,
//! policy and journal.

pub mod consolidate;
mod deliver;
mod files;
pub mod money;
pub mod money_books;
mod plan;
pub mod survey;
mod survey_docs;
pub mod tables;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use commis_core::EventKind;
use commis_llm::ToolSpec;
use serde::de::DeserializeOwned;
use serde_json::Value;
use thiserror::Error;

use crate::context::RunContext;

pub(crate) use files::write_bytes as files_write;
pub use files::{ChangeLine, read_document_text};

/// Why a tool call failed. The `Display` text goes back to models; people see
/// [`ToolError::localized`], in the run's language.
#[derive(Debug, Error)]
pub enum ToolError {
    #[error("unknown tool {0}")]
    Unknown(String),
    #[error("invalid input for {tool}: {reason}")]
    InvalidInput { tool: String, reason: String },
    /// Refused by the policy or the user; the reason is already in the run's language.
    #[error("refused: {0}")]
    Refused(String),
    #[error("the run was stopped")]
    Stopped,
    #[error(transparent)]
    Workspace(#[from] commis_workspace::WorkspaceError),
    #[error("{path}: {error}")]
    Document {
        path: String,
        error: commis_docs::DocError,
    },
    /// A table or text file whose content could not be parsed (not a document format error).
    #[error("{path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}: no bank statement lines found in this file")]
    NoStatementLines { path: String },
    #[error("{path}: no table to clean")]
    NoTable { path: String },
    #[error("the workbook has no sheet")]
    NoSheet,
    /// A column named in the request that the table does not have.
    #[error("{path}: no column \"{column}\"; the columns are: {}", columns.join(" | "))]
    NoSuchColumn {
        path: String,
        column: String,
        columns: Vec<String>,
    },
    /// A column asked for as a survey segment whose answers do not form groups.
    #[error("column \"{column}\" cannot split the answers: choose a choice or yes/no question")]
    NotASegment { column: String },
    #[error("no folder is granted read-write")]
    NoWritableFolder,
    #[error("{path} already exists; pass overwrite: true to replace it (needs approval)")]
    WouldOverwrite { path: String },
    /// A technical failure (a library's own error); shown with its detail.
    #[error("{0}")]
    Failed(String),
}

impl ToolError {
    /// The failure in the user's language.
    pub fn localized(&self, lang: crate::offline::brief::Lang) -> String {
        crate::messages::tool_error(self, lang)
    }
}

/// One tool: its MCP-shaped descriptor and its behaviour.
#[async_trait]
pub trait Tool: Send + Sync {
    fn name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    fn input_schema(&self) -> Value;
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError>;
}

/// Parses a tool's JSON input into its typed form, with an error that names the tool.
pub(crate) fn parse_input<T: DeserializeOwned>(tool: &str, input: Value) -> Result<T, ToolError> {
    serde_json::from_value(input).map_err(|e| ToolError::InvalidInput {
        tool: tool.to_string(),
        reason: e.to_string(),
    })
}

/// A tool input as the trace keeps it: long strings (a file's whole content) are cut, so the
/// event log stays small and readable.
fn abridged(input: &Value) -> Value {
    const KEEP: usize = 400;
    match input {
        Value::String(s) if s.chars().count() > KEEP => {
            let head: String = s.chars().take(KEEP).collect();
            Value::String(format!("{head}… ({} characters)", s.chars().count()))
        }
        Value::Array(items) => Value::Array(items.iter().map(abridged).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), abridged(v))).collect())
        }
        other => other.clone(),
    }
}

/// A tool result as the contract shapes it: a JSON object (anything else is wrapped as
/// `{"result": ...}`), so models and MCP clients always get the same shape.
pub(crate) fn as_object(value: Value) -> Value {
    if value.is_object() {
        value
    } else {
        serde_json::json!({ "result": value })
    }
}

/// The set of tools a run offers.
#[derive(Clone)]
pub struct Registry {
    tools: BTreeMap<&'static str, Arc<dyn Tool>>,
}

impl Registry {
    /// Every tool of the contract that this build provides.
    pub fn standard() -> Registry {
        let mut registry = Registry {
            tools: BTreeMap::new(),
        };
        for tool in files::tools()
            .into_iter()
            .chain(deliver::tools())
            .chain(plan::tools())
            .chain(tables::tools())
            .chain(consolidate::tools())
            .chain(survey::tools())
            .chain(money::tools())
            .chain(money_books::tools())
        {
            registry.add(tool);
        }
        registry
    }

    pub fn add(&mut self, tool: Arc<dyn Tool>) {
        self.tools.insert(tool.name(), tool);
    }

    /// Keeps only the tools for which `keep` says yes (e.g. no planning tools in a step).
    pub fn filtered(&self, keep: impl Fn(&str) -> bool) -> Registry {
        Registry {
            tools: self
                .tools
                .iter()
                .filter(|(name, _)| keep(name))
                .map(|(k, v)| (*k, v.clone()))
                .collect(),
        }
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.tools.keys().copied().collect()
    }

    pub fn specs(&self) -> Vec<ToolSpec> {
        self.tools
            .values()
            .map(|t| ToolSpec {
                name: t.name().to_string(),
                description: t.description().to_string(),
                input_schema: t.input_schema(),
            })
            .collect()
    }

    /// Calls a tool by name, tracing the call.
    pub async fn call(
        &self,
        ctx: &RunContext,
        name: &str,
        input: Value,
    ) -> Result<Value, ToolError> {
        let tool = self
            .tools
            .get(name)
            .ok_or_else(|| ToolError::Unknown(name.to_string()))?;
        ctx.wait_while_paused().await;
        if ctx.stop_requested() {
            return Err(ToolError::Stopped);
        }
        ctx.emit(EventKind::ToolCalled {
            step: ctx.current_step(),
            tool: name.to_string(),
            input: abridged(&input),
        });
        let result = tool.call(ctx, input).await.map(as_object);
        if let Err(e) = &result {
            ctx.emit(EventKind::ToolFailed {
                tool: name.to_string(),
                error: e.localized(ctx.lang),
            });
        }
        result
    }
}

#[cfg(test)]
mod contract;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traced_inputs_cut_long_strings_but_keep_the_rest() {
        let long = "x".repeat(5000);
        let input =
            serde_json::json!({"path": "a.txt", "content": long, "n": 3, "list": ["short"]});
        let kept = abridged(&input);
        assert_eq!(kept["path"], "a.txt");
        assert_eq!(kept["n"], 3);
        assert_eq!(kept["list"][0], "short");
        let content = kept["content"].as_str().unwrap();
        assert!(
            content.len() < 500 && content.ends_with("(5000 characters)"),
            "{content}"
        );
    }

    #[test]
    fn the_registry_offers_every_contract_tool_with_a_schema() {
        let registry = Registry::standard();
        for name in [
            "list_files",
            "read_document",
            "search_text",
            "write_file",
            "make_dir",
            "copy_file",
            "move_file",
            "delete_file",
            "create_spreadsheet",
            "create_presentation",
            "create_document",
            "run_command",
            "propose_plan",
            "update_plan",
            "ask_user",
            "complete_step",
        ] {
            assert!(registry.names().contains(&name), "{name} missing");
        }
        for spec in registry.specs() {
            assert_eq!(
                spec.input_schema["type"], "object",
                "{} has no object schema",
                spec.name
            );
            assert!(!spec.description.is_empty());
        }
    }
}
