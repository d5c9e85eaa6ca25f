//! The MCP client: the servers the user lists in config become extra tools for the model,
//! each call shown and approved like any network action unless the user allowed it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use commis_agent::context::RunContext;
use commis_agent::tools::{Tool, ToolError};
use commis_core::{ActionKind, PolicyMode};
use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ContentBlock,
    Implementation,
};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

/// How long a server may take to start and answer the handshake and the tool list
/// (`npx` fetching a package the first time is the slow case).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one remote tool call may take before the model is told it timed out.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// Providers accept tool names of at most 64 characters from `[A-Za-z0-9_-]`.
const MAX_TOOL_NAME: usize = 64;
/// The most text of one remote result handed to the model; a server that dumps megabytes
/// must not flood the context.
const MAX_RESULT_CHARS: usize = 100_000;
/// Lines of a server's stderr kept to explain why it failed to start.
const STDERR_TAIL: usize = 20;
/// Environment variables a server inherits from commis; everything else (API keys above
/// all) must be passed explicitly through `env`, so a third-party server sees no secret the
/// user did not give it.
const INHERITED_ENV: &[&str] = &[
    "HOME",
    "PATH",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "TEMP",
    "TMP",
    "APPDATA",
    "LOCALAPPDATA",
    "USERPROFILE",
    "SYSTEMROOT",
    "SYSTEMDRIVE",
    "PATHEXT",
    "COMSPEC",
];

/// One `[mcp_servers.NAME]` table of commis's config: how to start the server, and which of
/// its tools run without asking.
///
/// ```toml
/// [mcp_servers.memory]
/// command = "npx"
/// args = ["-y", "@modelcontextprotocol/server-memory"]
/// env = { MEMORY_FILE_PATH = "/home/me/.commis/memory.jsonl" }
/// allow = ["read_graph", "search_nodes"]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The program to start (looked up in `PATH`).
    pub command: String,
    #[serde(default)]
    pub args: Vec<String>,
    /// Variables added to the server's environment (which otherwise only gets `PATH`,
    /// `HOME` and the like, never commis's API keys).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Tools of this server (their names on the server, or `"*"` for all) that are called
    /// without asking. Read-only runs still refuse them.
    #[serde(default)]
    pub allow: Vec<String>,
}

/// Starts every configured server and returns their tools, plus one warning per server that
/// could not be used. A server that fails never stops the others or the run.
///
/// The servers stay up as long as one of their tools is alive: drop the tools (or the
/// registry holding them) to stop them.
pub async fn connect_all(
    servers: &BTreeMap<String, ServerConfig>,
) -> (Vec<Arc<dyn Tool>>, Vec<String>) {
    let connections = futures_util::future::join_all(
        servers
            .iter()
            .map(|(name, config)| async move { (name, connect(name, config).await) }),
    )
    .await;
    let mut tools: Vec<Arc<dyn Tool>> = Vec::new();
    let mut warnings = Vec::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (name, outcome) in connections {
        match outcome {
            Ok(server) => {
                let allow_all = server.config.allow.iter().any(|a| a == "*");
                for remote in &server.tools {
                    let wanted = tool_name_for(name, &remote.name);
                    let unique = unique_name(wanted, &taken);
                    taken.insert(unique.clone());
                    let description = format!(
                        "[MCP server {name}, tool {}] {}",
                        remote.name,
                        remote.description.as_deref().unwrap_or("")
                    );
                    tools.push(Arc::new(RemoteTool {
                        server: name.clone(),
                        remote_name: remote.name.to_string(),
                        // The registry keys tools by `&'static str`: a remote tool's name
                        // lives as long as the process, a few bytes per tool per connection.
                        name: Box::leak(unique.into_boxed_str()),
                        description: Box::leak(description.trim_end().to_string().into_boxed_str()),
                        schema: Value::Object((*remote.input_schema).clone()),
                        allowed: allow_all || server.config.allow.iter().any(|a| *a == remote.name),
                        connection: server.connection.clone(),
                    }));
                }
                for unknown in server
                    .config
                    .allow
                    .iter()
                    .filter(|a| *a != "*" && !server.tools.iter().any(|t| t.name == **a))
                {
                    warnings.push(format!(
                        "MCP server {name}: `allow` names a tool it does not have: {unknown}"
                    ));
                }
            }
            Err(warning) => warnings.push(warning),
        }
    }
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    (tools, warnings)
}

/// The name the model sees for `tool` of server `server`: `SERVER__TOOL`, with every
/// character providers refuse replaced by `_`, at most 64 characters.
pub fn tool_name_for(server: &str, tool: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let mut name = format!("{}__{}", clean(server), clean(tool));
    name.truncate(MAX_TOOL_NAME);
    name
}

/// Makes `wanted` unique among `taken` (two long names cut to the same 64 characters).
fn unique_name(wanted: String, taken: &BTreeSet<String>) -> String {
    if !taken.contains(&wanted) {
        return wanted;
    }
    (2..)
        .map(|n| {
            let suffix = format!("_{n}");
            let mut base = wanted.clone();
            base.truncate(MAX_TOOL_NAME - suffix.len());
            base + &suffix
        })
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(wanted)
}

/// A live session with one server, shared by its tools.
struct Connection {
    service: RunningService<RoleClient, ClientConfig>,
}

/// A started server and what it offers.
struct Connected {
    config: ServerConfig,
    tools: Vec<rmcp::model::Tool>,
    connection: Arc<Connection>,
}

async fn connect(name: &str, config: &ServerConfig) -> Result<Connected, String> {
    let mut command = tokio::process::Command::new(&config.command);
    command.args(&config.args).env_clear();
    for key in INHERITED_ENV {
        if let Some(value) = std::env::var_os(key) {
            command.env(key, value);
        }
    }
    command.envs(&config.env);
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "MCP server {name}: cannot start `{}`: {e} (check `command` in [mcp_servers.{name}] of commis's config)",
                config.command
            )
        })?;
    // The server's stderr is its log: kept out of the terminal, at debug level in ours, and
    // its last lines explain a failed start.
    let tail = Arc::new(Mutex::new(VecDeque::new()));
    if let Some(stderr) = stderr {
        let (tail, server) = (tail.clone(), name.to_string());
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::debug!(server = %server, "{line}");
                let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });
    }
    let failed = |what: &str, reason: String| {
        // Give the stderr reader a moment to catch the server's last words.
        let tail = tail.clone();
        let name = name.to_string();
        let what = what.to_string();
        async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let tail = tail.lock().unwrap_or_else(|p| p.into_inner());
            let said = if tail.is_empty() {
                String::new()
            } else {
                format!(
                    "; it said: {}",
                    tail.iter().cloned().collect::<Vec<_>>().join(" | ")
                )
            };
            format!("MCP server {name}: {what}: {reason}{said}; its tools are not available")
        }
    };
    let client_info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("commis", env!("CARGO_PKG_VERSION")),
    );
    let service = match tokio::time::timeout(STARTUP_TIMEOUT, client_info.serve(transport)).await {
        Ok(Ok(service)) => service,
        Ok(Err(e)) => return Err(failed("the MCP handshake failed", e.to_string()).await),
        Err(_) => {
            return Err(failed(
                "no answer to the MCP handshake",
                format!("waited {} s", STARTUP_TIMEOUT.as_secs()),
            )
            .await);
        }
    };
    let tools = match tokio::time::timeout(STARTUP_TIMEOUT, service.list_all_tools()).await {
        Ok(Ok(tools)) => tools,
        Ok(Err(e)) => return Err(failed("listing its tools failed", e.to_string()).await),
        Err(_) => {
            return Err(failed(
                "no answer to tools/list",
                format!("waited {} s", STARTUP_TIMEOUT.as_secs()),
            )
            .await);
        }
    };
    tracing::info!(server = name, tools = tools.len(), "MCP server connected");
    Ok(Connected {
        config: config.clone(),
        tools,
        connection: Arc::new(Connection { service }),
    })
}

/// One tool of a user-configured MCP server, offered to the model as `SERVER__TOOL`.
pub struct RemoteTool {
    server: String,
    remote_name: String,
    name: &'static str,
    description: &'static str,
    schema: Value,
    allowed: bool,
    connection: Arc<Connection>,
}

impl RemoteTool {
    /// The configured name of the server this tool belongs to.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The tool's name on its server.
    pub fn remote_name(&self) -> &str {
        &self.remote_name
    }

    /// Whether the user's `allow` list lets it run without asking.
    pub fn allowed(&self) -> bool {
        self.allowed
    }
}

#[async_trait]
impl Tool for RemoteTool {
    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> &'static str {
        self.description
    }

    fn input_schema(&self) -> Value {
        self.schema.clone()
    }

    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let arguments = match input {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                return Err(ToolError::InvalidInput {
                    tool: self.name.to_string(),
                    reason: format!("expected a JSON object of arguments, got {other}"),
                });
            }
        };
        let shown = format!(
            "call MCP tool {}.{} with {}",
            self.server,
            self.remote_name,
            abbreviate(&Value::Object(arguments.clone()).to_string(), 300)
        );
        // An allow-list entry skips the question, never read-only mode: the remote server
        // may change things commis cannot journal.
        if !self.allowed || ctx.policy().mode == PolicyMode::ReadOnly {
            ctx.gate(ActionKind::Network, shown, vec![]).await?;
        }
        let params = CallToolRequestParams::new(self.remote_name.clone()).with_arguments(arguments);
        let result = tokio::time::timeout(
            CALL_TIMEOUT,
            self.connection.service.peer().call_tool(params),
        )
        .await
        .map_err(|_| {
            ToolError::Failed(format!(
                "MCP server {} did not answer {} within {} s",
                self.server,
                self.remote_name,
                CALL_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| {
            ToolError::Failed(format!(
                "MCP server {}: calling {} failed: {e}",
                self.server, self.remote_name
            ))
        })?;
        result_to_json(&self.server, &self.remote_name, result)
    }
}

/// A remote result as the model reads it: the text, the structured content when there is
/// some, and a description of other content (images, resources) without their bytes.
fn result_to_json(server: &str, tool: &str, result: CallToolResult) -> Result<Value, ToolError> {
    let mut texts = Vec::new();
    let mut others = Vec::new();
    for block in &result.content {
        match block {
            ContentBlock::Text(t) => texts.push(t.text.clone()),
            other => others.push(without_payload(
                serde_json::to_value(other).unwrap_or(Value::Null),
            )),
        }
    }
    let mut text = texts.join("\n");
    let total = text.chars().count();
    if total > MAX_RESULT_CHARS {
        text = text.chars().take(MAX_RESULT_CHARS).collect();
        text.push_str(&format!(
            "\n[… {} more characters cut by commis]",
            total - MAX_RESULT_CHARS
        ));
    }
    if result.is_error == Some(true) {
        return Err(ToolError::Failed(format!(
            "MCP tool {server}.{tool} reported an error: {}",
            if text.is_empty() {
                "(no message)"
            } else {
                &text
            }
        )));
    }
    let mut out = json!({ "server": server, "tool": tool, "text": text });
    if let Some(structured) = result.structured_content {
        out["structured"] = structured;
    }
    if !others.is_empty() {
        out["other_content"] = Value::Array(others);
    }
    Ok(out)
}

/// Drops base64 payloads (images, audio, blobs): the model gets their kind and size.
fn without_payload(mut value: Value) -> Value {
    fn strip(value: &mut Value) {
        if let Value::Object(map) = value {
            for key in ["data", "blob"] {
                if let Some(Value::String(s)) = map.get(key) {
                    let note = format!("({} base64 characters omitted)", s.len());
                    map.insert(key.to_string(), Value::String(note));
                }
            }
            for v in map.values_mut() {
                strip(v);
            }
        }
    }
    strip(&mut value);
    value
}

fn abbreviate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names_are_prefixed_by_the_server_and_safe_for_providers() {
        assert_eq!(tool_name_for("memory", "read_graph"), "memory__read_graph");
        assert_eq!(
            tool_name_for("my files", "fs.read/v2"),
            "my_files__fs_read_v2"
        );
        let long = tool_name_for(&"s".repeat(40), &"t".repeat(40));
        assert_eq!(long.len(), MAX_TOOL_NAME);
    }

    #[test]
    fn names_cut_to_the_same_64_characters_stay_distinct() {
        let mut taken = BTreeSet::new();
        let a = unique_name(tool_name_for(&"s".repeat(40), &"t".repeat(40)), &taken);
        taken.insert(a.clone());
        let b = unique_name(tool_name_for(&"s".repeat(40), &"t".repeat(41)), &taken);
        assert_ne!(a, b);
        assert!(b.len() <= MAX_TOOL_NAME && b.ends_with("_2"), "{b}");
    }

    #[test]
    fn server_config_reads_the_documented_toml_shape_and_rejects_typos() {
        let config: ServerConfig = serde_json::from_value(json!({
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-memory"],
            "env": {"MEMORY_FILE_PATH": "/tmp/m.jsonl"},
            "allow": ["read_graph"]
        }))
        .unwrap();
        assert_eq!(config.command, "npx");
        assert_eq!(config.allow, vec!["read_graph"]);
        let minimal: ServerConfig = serde_json::from_value(json!({"command": "srv"})).unwrap();
        assert!(minimal.args.is_empty() && minimal.env.is_empty() && minimal.allow.is_empty());
        let typo = serde_json::from_value::<ServerConfig>(json!({"command": "srv", "alow": []}));
        assert!(typo.unwrap_err().to_string().contains("alow"));
    }

    #[test]
    fn remote_errors_become_tool_failures_with_the_server_message() {
        let result = CallToolResult::error(vec![ContentBlock::text("entity not found")]);
        let err = result_to_json("memory", "open_nodes", result).unwrap_err();
        assert!(err.to_string().contains("memory.open_nodes"));
        assert!(err.to_string().contains("entity not found"));
    }

    #[test]
    fn huge_remote_results_are_cut_with_a_note() {
        let result = CallToolResult::success(vec![ContentBlock::text("é".repeat(150_000))]);
        let out = result_to_json("dump", "all", result).unwrap();
        let text = out["text"].as_str().unwrap();
        assert!(
            text.ends_with("[… 50000 more characters cut by commis]"),
            "{}",
            &text[text.len() - 60..]
        );
        assert!(text.chars().count() < 100_100);
    }

    #[test]
    fn images_reach_the_model_without_their_bytes() {
        let result = CallToolResult::success(vec![
            ContentBlock::text("a chart"),
            ContentBlock::image("A".repeat(5000), "image/png"),
        ]);
        let out = result_to_json("charts", "draw", result).unwrap();
        assert_eq!(out["text"], "a chart");
        let image = out["other_content"][0].to_string();
        assert!(image.contains("5000 base64 characters omitted"), "{image}");
        assert!(!image.contains("AAAA"));
    }
}
