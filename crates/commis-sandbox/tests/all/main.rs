//! The integration tests of commis-sandbox, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod escapes;
mod parser_confinement;
