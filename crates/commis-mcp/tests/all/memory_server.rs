//! The MCP client against a real server: the reference memory server from npm, started by
//! `connect_all` the way a user's `[mcp_servers.memory]` config would, its tools called
//! through commis's tool registry and approval gate.

use crate::support;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use commis_agent::bus::EventBus;
use commis_agent::context::RunContext;
use commis_agent::engine::{Engine, Planner, RunRequest, StopHandle};
use commis_agent::interact::NonInteractive;
use commis_agent::tools::{Registry, ToolError};
use commis_core::Lang;
use commis_core::{AccessMode, ActionKind, Grant, Policy, PolicyMode};
use commis_mcp::{ServerConfig, connect_all};
use commis_workspace::Workspace;
use serde_json::json;

/// A run with nobody to ask, as in `commis run --yes` or a scheduled run.
fn unattended_context(home: &Path, folder: &Path, policy: Policy) -> (Engine, RunContext) {
    let engine = Engine::open(home).unwrap();
    let grants = vec![Grant {
        path: folder.to_path_buf(),
        mode: AccessMode::ReadWrite,
    }];
    let run = engine
        .create_run(&RunRequest {
            grants: grants.clone(),
            brief: "use the memory server".into(),
            policy: policy.clone(),
            planner: Planner::Offline,
            stop: StopHandle::default(),
            options: json!({}),
        })
        .unwrap();
    let workspace = Workspace::open(
        grants,
        run.id.clone(),
        engine.store.clone(),
        engine.blobs.clone(),
    )
    .unwrap();
    let (events, _) = tokio::sync::broadcast::channel(256);
    let bus = EventBus::new(engine.store.clone(), run.id.clone(), events);
    let ctx = RunContext::new(
        run,
        engine.store.clone(),
        bus,
        Arc::new(workspace),
        engine.blobs.clone(),
        Arc::new(NonInteractive { accept_plan: true }),
        policy,
        Lang::En,
    );
    (engine, ctx)
}

fn memory_config(script: &Path, memory_file: &Path, allow: &[&str]) -> ServerConfig {
    ServerConfig {
        command: "node".into(),
        args: vec![script.display().to_string()],
        env: BTreeMap::from([(
            "MEMORY_FILE_PATH".to_string(),
            memory_file.display().to_string(),
        )]),
        allow: allow.iter().map(|s| s.to_string()).collect(),
    }
}

fn entity(name: &str) -> serde_json::Value {
    json!({"entities": [{"name": name, "entityType": "client", "observations": ["pays ses factures à 30 jours"]}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_server_tools_run_through_the_gate_and_are_refused_without_approval() {
    let Some(script) = support::memory_server() else {
        support::missing("node or the npm package @modelcontextprotocol/server-memory is missing");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("Clients");
    std::fs::create_dir_all(&folder).unwrap();
    let memory_file = tmp.path().join("memory.jsonl");

    let mut servers = BTreeMap::new();
    servers.insert(
        "memory".to_string(),
        memory_config(&script, &memory_file, &[]),
    );
    servers.insert(
        "missing".to_string(),
        ServerConfig {
            command: "commis-no-such-mcp-server".into(),
            ..ServerConfig::default()
        },
    );
    let (tools, warnings) = connect_all(&servers).await;

    // A server that cannot start is a warning, and the others still work.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("missing") && warnings[0].contains("commis-no-such-mcp-server"),
        "{warnings:?}"
    );
    let names: Vec<&str> = tools.iter().map(|t| t.name()).collect();
    for wanted in [
        "memory__create_entities",
        "memory__read_graph",
        "memory__search_nodes",
    ] {
        assert!(names.contains(&wanted), "{wanted} not in {names:?}");
    }
    let create = tools
        .iter()
        .find(|t| t.name() == "memory__create_entities")
        .unwrap();
    assert_eq!(create.input_schema()["type"], "object");
    assert!(create.description().contains("MCP server memory"));

    let mut registry = Registry::standard();
    for tool in &tools {
        registry.add(tool.clone());
    }
    assert!(
        registry
            .specs()
            .iter()
            .any(|s| s.name == "memory__read_graph")
    );

    // Nobody to approve, nothing allowed: the call is refused and never reaches the server.
    let (_, ctx) = unattended_context(&tmp.path().join("home-a"), &folder, Policy::yes([]));
    let refused = registry
        .call(&ctx, "memory__create_entities", entity("Dupont SARL"))
        .await;
    assert!(
        matches!(&refused, Err(ToolError::Refused(reason)) if reason.contains("--allow network")),
        "{refused:?}"
    );
    let stored = std::fs::read_to_string(&memory_file).unwrap_or_default();
    assert!(
        !stored.contains("Dupont SARL"),
        "refused call reached the server: {stored}"
    );

    // With network actions allowed, the call goes through and the gate records it.
    let (engine, ctx) = unattended_context(
        &tmp.path().join("home-b"),
        &folder,
        Policy::yes([ActionKind::Network]),
    );
    let created = registry
        .call(&ctx, "memory__create_entities", entity("Dupont SARL"))
        .await
        .unwrap();
    assert_eq!(created["server"], "memory");
    assert!(
        created["text"].as_str().unwrap().contains("Dupont SARL"),
        "{created}"
    );
    let graph = registry
        .call(&ctx, "memory__read_graph", json!({}))
        .await
        .unwrap();
    assert!(
        graph["text"].as_str().unwrap().contains("30 jours"),
        "{graph}"
    );
    assert!(
        std::fs::read_to_string(&memory_file)
            .unwrap()
            .contains("Dupont SARL")
    );
    let approvals = engine.store.approvals(&ctx.run.id).unwrap();
    assert!(
        approvals.iter().any(|a| a.kind == "network"
            && a.description
                .starts_with("call MCP tool memory.create_entities with {")
            && a.answer.as_deref() == Some("yes")),
        "{approvals:?}"
    );

    // A remote error is a failed tool call carrying the server's message.
    let bad = registry
        .call(
            &ctx,
            "memory__create_entities",
            json!({"entities": "not a list"}),
        )
        .await;
    assert!(matches!(bad, Err(ToolError::Failed(_))), "{bad:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_tools_skip_the_question_except_in_read_only_runs() {
    let Some(script) = support::memory_server() else {
        support::missing("node or the npm package @modelcontextprotocol/server-memory is missing");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("Clients");
    std::fs::create_dir_all(&folder).unwrap();
    let memory_file = tmp.path().join("memory.jsonl");
    let servers = BTreeMap::from([(
        "memory".to_string(),
        memory_config(&script, &memory_file, &["read_graph", "no_such_tool"]),
    )]);
    let (tools, warnings) = connect_all(&servers).await;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("no_such_tool"), "{warnings:?}");
    let mut registry = Registry::standard();
    for tool in tools {
        registry.add(tool);
    }

    let (_, ctx) = unattended_context(&tmp.path().join("home-a"), &folder, Policy::yes([]));
    let graph = registry.call(&ctx, "memory__read_graph", json!({})).await;
    assert!(graph.is_ok(), "{graph:?}");
    let create = registry
        .call(&ctx, "memory__create_entities", entity("Martin"))
        .await;
    assert!(matches!(create, Err(ToolError::Refused(_))), "{create:?}");

    let (_, ctx) = unattended_context(
        &tmp.path().join("home-b"),
        &folder,
        Policy::new(PolicyMode::ReadOnly),
    );
    let graph = registry.call(&ctx, "memory__read_graph", json!({})).await;
    assert!(matches!(graph, Err(ToolError::Refused(_))), "{graph:?}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_that_is_not_an_mcp_server_is_a_warning_quoting_its_stderr() {
    let servers = BTreeMap::from([(
        "broken".to_string(),
        ServerConfig {
            command: "sh".into(),
            args: vec!["-c".into(), "echo 'missing API token' >&2; exit 3".into()],
            ..ServerConfig::default()
        },
    )]);
    let (tools, warnings) = connect_all(&servers).await;
    assert!(tools.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("broken") && warnings[0].contains("missing API token"),
        "{warnings:?}"
    );
}

/// The processes whose command line contains `marker`.
#[cfg(target_os = "linux")]
fn processes_with(marker: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|cmdline| String::from_utf8_lossy(cmdline).contains(marker))
        .count()
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_stop_when_their_tools_are_dropped() {
    let Some(script) = support::memory_server() else {
        support::missing("node or the npm package @modelcontextprotocol/server-memory is missing");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let marker = format!("commis-lifecycle-{}", std::process::id());
    let mut config = memory_config(&script, &tmp.path().join("memory.jsonl"), &[]);
    config.args.push(marker.clone());
    let servers = BTreeMap::from([("memory".to_string(), config)]);
    let (tools, warnings) = connect_all(&servers).await;
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(processes_with(&marker), 1, "the server did not start once");
    drop(tools);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while processes_with(&marker) > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server outlived the run's tools"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
