//! The integration tests of commis-server, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod http;
mod questions;
