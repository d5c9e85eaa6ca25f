//! The integration tests of commis-agent, in one test binary (one module per former test
//! file): linking the dependency graph once instead of once per file.

mod demo_quality;
mod injection;
mod model_loop;
mod output_folder;
mod run_command;
mod tool_escapes;
