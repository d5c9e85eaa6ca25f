//! Kill -9 during a run, then `commis resume`: no step done twice, no half-written file.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

#[test]
fn a_run_killed_mid_step_resumes_at_the_unfinished_step_without_redoing_finished_ones() {
    let (sb, demo) = Sandbox::with_demo();
    let mut child = sb
        .cmd()
        .args([
            "run",
            demo.to_str().unwrap(),
            "Classe ces fichiers par client, fais un catalogue et un tableau récapitulatif des montants",
            "--yes",
            "--allow",
            "move",
        ])
        // A testing knob: each step waits this long after it starts, so the kill lands mid-run.
        .env("COMMIS_TEST_STEP_DELAY_MS", "1500")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = String::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the run printed nothing");
        seen.push_str(&line);
        seen.push('\n');
        // Step 2 has started: step 1 (the moves) is finished and journaled.
        if line.contains("▶ 2/") {
            break;
        }
        assert!(Instant::now() < deadline, "step 2 never started:\n{seen}");
    }
    let history = String::from_utf8_lossy(&sb.run(&["history", "--json"]).stdout).to_string();
    let runs: serde_json::Value = serde_json::from_str(&history).unwrap();
    let run_id = runs[0]["id"].as_str().unwrap().to_string();
    // While the first process still drives the run, a second one may not.
    let busy = sb.run(&["resume", &run_id]);
    assert!(!busy.status.success());
    assert!(
        String::from_utf8_lossy(&busy.stderr).contains("another commis process"),
        "{}",
        String::from_utf8_lossy(&busy.stderr)
    );

    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let history = String::from_utf8_lossy(&sb.run(&["history", "--json"]).stdout).to_string();
    let runs: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(runs[0]["status"], "running", "a killed run is left running");

    let out = sb.run(&["resume", &run_id, "--json"]);
    let s = summary(&out);
    assert_eq!(
        s["status"],
        "done",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Each step started and finished as recorded; step 1 ran exactly once.
    let show: serde_json::Value =
        serde_json::from_slice(&sb.run(&["show", &run_id, "--json"]).stdout).unwrap();
    let events = show["events"].as_array().unwrap();
    let finished = |n: u64| {
        events
            .iter()
            .filter(|e| e["type"] == "step_finished" && e["step"] == n && e["status"] == "done")
            .count()
    };
    assert_eq!(finished(1), 1, "the sorting step ran once");
    assert_eq!(finished(2), 1);
    assert_eq!(finished(3), 1);
    let batches = show["journal"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["op"]["op"] == "batch" && e["state"] == "done")
        .count();
    assert_eq!(batches, 1, "the moves were applied once");
    // No half-written file: no temp files left, and every deliverable is a complete zip.
    for (path, _) in tree(&demo) {
        assert!(!path.contains(".commis-tmp"), "temp file left: {path}");
    }
    for f in [
        "Livrables/catalogue.xlsx",
        "Livrables/recapitulatif-factures.xlsx",
    ] {
        let bytes = std::fs::read(demo.join(f)).unwrap();
        assert!(
            bytes.starts_with(b"PK") && bytes.windows(4).any(|w| w == b"PK\x05\x06"),
            "{f} is complete"
        );
    }
    // And the whole run is still undoable.
    let undo = sb.run(&["undo", &run_id]);
    assert!(
        undo.status.success(),
        "{}",
        String::from_utf8_lossy(&undo.stderr)
    );
}

const SORT_AND_DECK: &str = "Classe ces fichiers par client, crée un tableau récapitulatif des montants et produis une présentation de 8 slides";

#[test]
fn a_second_run_on_the_same_folder_is_refused_naming_the_first_and_wait_runs_it_after() {
    let (sb, demo) = Sandbox::with_demo();
    let dir = demo.to_str().unwrap();
    let mut first = sb
        .cmd()
        .args(["run", dir, SORT_AND_DECK, "--yes", "--allow", "move"])
        .env("COMMIS_TEST_STEP_DELAY_MS", "1500")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = first.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The first run holds the folder once its first step has started.
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the first run printed nothing");
        if line.contains("▶ 1/") {
            break;
        }
    }
    let history: serde_json::Value =
        serde_json::from_slice(&sb.run(&["history", "--json"]).stdout).unwrap();
    let first_id = history[0]["id"].as_str().unwrap().to_string();

    let refused = sb.run(&["run", dir, SORT_AND_DECK, "--yes", "--allow", "move"]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains(&first_id), "{message}");
    assert!(
        message.contains("déjà utilisé") && message.contains("--wait"),
        "{message}"
    );

    // With --wait the next run starts once the first is done, and both complete.
    let waited = sb.run(&[
        "run",
        dir,
        SORT_AND_DECK,
        "--yes",
        "--allow",
        "move",
        "--wait",
        "--json",
    ]);
    let s = summary(&waited);
    assert_eq!(
        s["status"],
        "done",
        "{}",
        String::from_utf8_lossy(&waited.stderr)
    );
    assert!(first.wait().unwrap().success());
    let history: serde_json::Value =
        serde_json::from_slice(&sb.run(&["history", "--json"]).stdout).unwrap();
    let first_status = history
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == first_id.as_str())
        .map(|r| r["status"].clone());
    assert_eq!(first_status, Some(serde_json::json!("done")));
    // The second run found the folder already sorted: it moved nothing the first had moved.
    assert_eq!(s["moved"].as_array().map(Vec::len), Some(0), "{s}");
}

#[test]
fn undo_restores_what_is_not_in_conflict_says_where_the_users_version_is_and_force_keeps_it_beside()
{
    let (sb, demo) = Sandbox::with_demo();
    let before = tree(&demo);
    let out = sb.run(&[
        "run",
        demo.to_str().unwrap(),
        SORT_AND_DECK,
        "--yes",
        "--allow",
        "move",
        "--json",
    ]);
    let s = summary(&out);
    let run_id = s["run_id"].as_str().unwrap().to_string();
    // The user reworks the deck afterwards.
    let deck = demo.join("Livrables/presentation.pptx");
    std::fs::write(&deck, b"my own deck").unwrap();

    let undo = sb.run(&["undo", &run_id]);
    assert_eq!(undo.status.code(), Some(3), "conflicts left: exit 3");
    let text = String::from_utf8_lossy(&undo.stdout);
    assert!(text.contains("annulé en partie"), "{text}");
    assert!(text.contains("Livrables/presentation.pptx"), "{text}");
    assert!(
        text.contains(&format!("commis undo {run_id} --force")),
        "{text}"
    );
    // Everything else is back: the sorted files, the spreadsheet gone; the deck untouched.
    assert_eq!(std::fs::read(&deck).unwrap(), b"my own deck");
    let mut now = tree(&demo);
    now.remove("Livrables/presentation.pptx");
    now.remove("Livrables");
    assert_eq!(now, before);
    let history = String::from_utf8_lossy(&sb.run(&["history"]).stdout).to_string();
    assert!(history.contains("partly undone"), "{history}");

    let forced = sb.run(&["undo", &run_id, "--force", "--json"]);
    assert_eq!(
        forced.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let report = summary(&forced);
    assert_eq!(report["complete"], true);
    let conflict = &report["conflicts"][0];
    assert_eq!(conflict["path"], "Livrables/presentation.pptx");
    assert_eq!(
        conflict["kept_at"],
        "Livrables/presentation (version conservée).pptx"
    );
    assert_eq!(
        std::fs::read(demo.join("Livrables/presentation (version conservée).pptx")).unwrap(),
        b"my own deck"
    );
    let mut now = tree(&demo);
    now.remove("Livrables/presentation (version conservée).pptx");
    now.remove("Livrables");
    assert_eq!(now, before);
}
