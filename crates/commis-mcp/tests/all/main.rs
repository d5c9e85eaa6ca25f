//! The integration tests of commis-mcp, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod support;

mod memory_server;
mod python_client;
