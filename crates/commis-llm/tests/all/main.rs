//! The integration tests of commis-llm, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod conformance;
mod loopback;
