//! The integration tests of commis, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod common;

mod demo_run;
mod french;
mod layout;
mod model_e2e;
mod resume;
mod templates;
