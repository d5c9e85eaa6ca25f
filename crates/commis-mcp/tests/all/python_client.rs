//! The MCP server seen by a real client: the official Python `mcp` package spawns the server
//! on a granted folder, and tests/python_client.py checks the handshake, the tool list and
//! the calls; this test then checks the folder and undoes the write through the journal.

use crate::support;

use std::path::Path;

const INVOICE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/invoices/invoice2data/AzureInterior.pdf"
);

#[test]
fn python_mcp_client_lists_calls_and_is_refused_unapproved_moves() {
    let Some(python) = support::python_with_mcp() else {
        support::missing("Python with the official `mcp` package is not installed");
        return;
    };
    let server = support::mcp_stdio_example();
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("Clients");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(INVOICE, folder.join("AzureInterior.pdf")).unwrap();
    std::fs::write(folder.join("old.txt"), "à garder\n").unwrap();
    std::fs::write(tmp.path().join("outside.txt"), "not granted\n").unwrap();

    let output = std::process::Command::new(&python)
        .arg(support::crate_dir().join("tests/python_client.py"))
        .arg(&server)
        .arg(&folder)
        .arg(&home)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Python MCP client failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap();

    // What the client saw, as the user relies on it.
    assert_eq!(report["protocol_version"], "2025-11-25", "{report}");
    assert!(
        report["move_refusal"]
            .as_str()
            .unwrap()
            .contains("commis mcp DIR --allow move")
    );

    assert!(!folder.join("x.txt").exists(), "--read-only wrote a file");

    // The write happened in the granted folder, the refused move did not.
    let written = folder.join("notes/bonjour.txt");
    assert_eq!(
        std::fs::read_to_string(&written).unwrap(),
        "Bonjour, commis !\n"
    );
    assert!(folder.join("old.txt").is_file() && !folder.join("new.txt").exists());

    // Each call is a run of its own in the journal: undo reverts the write.
    let run_id = report["write_run_id"].as_str().unwrap();
    let engine = commis_agent::engine::Engine::open(Path::new(&home)).unwrap();
    engine.undo(run_id, false).unwrap();
    assert!(
        !written.exists(),
        "undo did not remove the file written over MCP"
    );
}
