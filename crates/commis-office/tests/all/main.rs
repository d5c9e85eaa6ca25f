//! The integration tests of commis-office, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod packages;
mod real_clients;
mod workbook;
