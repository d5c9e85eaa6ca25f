//! The integration tests of commis-skills, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod demo_pme;
mod invoice_accuracy;
mod meetings;
mod properties;
