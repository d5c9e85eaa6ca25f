//! commis over the Model Context Protocol, both ways.
//!
//! - [`serve_stdio`] serves commis's model-facing tools on stdin/stdout, so Claude Desktop or
//!   any MCP client can read and write documents in one granted folder, through the same
//!   confinement, approval policy and journal as `commis run` (every call is a run of its own,
//!   so `commis undo RUN` reverts it).
//! - [`connect_all`] starts the MCP servers the user lists in commis's config and wraps each of
//!   their tools as a [`commis_agent::tools::Tool`], whose calls pass the approval gate as
//!   network actions unless the user allowed them.
//!
//! Not for: deciding the policy (the CLI builds it from its flags), parsing commis's config
//! file (the CLI owns it; [`ServerConfig`] is the shape of one `[mcp_servers.NAME]` table), or
//! HTTP transports (stdio only: that is what desktop MCP clients launch).

mod client;
pub mod framing;
mod server;

pub use client::{RemoteTool, ServerConfig, connect_all, tool_name_for};
pub use server::{CommisMcpServer, LOOP_ONLY_TOOLS, serve_stdio, server_policy};

/// Why the MCP server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    /// The handshake on stdin/stdout failed (the client closed the pipe or spoke another
    /// protocol).
    #[error(
        "the MCP session on stdin/stdout could not start: {0} (commis mcp must be launched by an MCP client such as Claude Desktop, not run by hand)"
    )]
    Start(String),
    /// The session task ended with a panic or was cancelled.
    #[error("the MCP session ended abnormally: {0}")]
    Session(String),
}
