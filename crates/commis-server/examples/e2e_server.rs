//! A test server for the browser end-to-end suite (scripts/test-web.sh): copies the demo
//! folder into `WORK_DIR/folder`, keeps commis's state in `WORK_DIR/home`, serves the web
//! UI with the offline planner and prints its address (with the token) as the first line.
//!
//! Usage: `cargo run -p commis-server --example e2e_server -- WORK_DIR`

use std::path::{Path, PathBuf};

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: e2e_server WORK_DIR")?;
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-pme");
    let folder = work.join("folder");
    if !folder.exists() {
        copy_tree(&demo, &folder)?;
    }
    let engine = commis_agent::engine::Engine::open(&work.join("home"))?;
    let mut opts = commis_server::ServeOptions::new(vec![std::fs::canonicalize(&folder)?]);
    opts.open_browser = false;
    let server = commis_server::start(engine, opts).await?;
    println!("{}", server.url());
    println!("folder={}", folder.display());
    server.wait().await?;
    Ok(())
}
