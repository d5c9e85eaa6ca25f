//! The integration tests of commis-workspace, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod common;

mod escapes;
mod operations;
mod path_properties;
mod undo;
