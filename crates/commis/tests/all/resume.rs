//! Stop and resume as a person does it: kill -9 during a run, Ctrl-C at a prompt (through a
//! pseudo-terminal) or during a step, twice Ctrl-C; then `commis resume`: no step done
//! twice, no half-written file, a status that tells the truth. Also `--read-only` as a
//! preview, undone runs marked in `history`/`show`, and French runs that stay in French.

use crate::common;

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
        String::from_utf8_lossy(&busy.stderr).contains("un autre processus commis"),
        "{}",
        String::from_utf8_lossy(&busy.stderr)
    );

    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let history = String::from_utf8_lossy(&sb.run(&["history", "--json"]).stdout).to_string();
    let runs: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(
        runs[0]["status"], "interrupted",
        "a killed run shows as interrupted, not running"
    );
    assert_eq!(runs[0]["resume"], format!("commis resume {run_id}"));
    let listing = String::from_utf8_lossy(&sb.run(&["history"]).stdout).to_string();
    assert!(
        listing.contains("interrompue") && listing.contains(&format!("commis resume {run_id}")),
        "{listing}"
    );

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

const BRIEF: &str =
    "Classe ces fichiers par client, fais un catalogue et un tableau récapitulatif des montants";

/// Starts `commis run` on the demo with steps held long enough to interrupt them, and
/// returns once step 2 has started (step 1, the moves, is finished and journaled).
fn start_slow_run(sb: &Sandbox, demo: &std::path::Path) -> (std::process::Child, String) {
    let mut child = sb
        .cmd()
        .args([
            "run",
            demo.to_str().unwrap(),
            BRIEF,
            "--yes",
            "--allow",
            "move",
        ])
        .env("COMMIS_TEST_STEP_DELAY_MS", "5000")
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
    let mut seen = String::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("step 2 never started:\n{seen}"));
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("▶ 2/") {
            break;
        }
    }
    // Keep draining so the child never blocks on a full pipe.
    std::thread::spawn(move || while rx.recv().is_ok() {});
    (child, seen)
}

fn sigint(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "commis did not exit after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn latest_run(sb: &Sandbox) -> serde_json::Value {
    let history = sb.run(&["history", "--json"]);
    let runs: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    runs[0].clone()
}

fn show(sb: &Sandbox, run_id: &str) -> serde_json::Value {
    serde_json::from_slice(&sb.run(&["show", run_id, "--json"]).stdout).unwrap()
}

fn finished_count(show: &serde_json::Value, step: u64) -> usize {
    show["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "step_finished" && e["step"] == step && e["status"] == "done")
        .count()
}

#[test]
fn ctrl_c_during_a_step_stops_the_run_and_resume_finishes_it_without_redoing_a_step() {
    let (sb, demo) = Sandbox::with_demo();
    let before = tree(&sb.dir.path().join("demo-pme"));
    let (mut child, _) = start_slow_run(&sb, &demo);
    sigint(&child);
    let status = wait_exit(&mut child);
    assert_eq!(
        status.code(),
        Some(4),
        "one Ctrl-C ends the run `stopped` (exit 4)"
    );
    let run = latest_run(&sb);
    assert_eq!(run["status"], "stopped");
    let run_id = run["id"].as_str().unwrap().to_string();
    assert_eq!(run["resume"], format!("commis resume {run_id}"));

    let out = sb.run(&["resume", &run_id, "--json"]);
    assert_eq!(
        summary(&out)["status"],
        "done",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = show(&sb, &run_id);
    assert_eq!(finished_count(&shown, 1), 1, "the sorting step ran once");
    assert_eq!(
        finished_count(&shown, 2),
        1,
        "the stopped step restarted once"
    );
    assert_eq!(finished_count(&shown, 3), 1);
    assert!(demo.join("Livrables/recapitulatif-factures.xlsx").is_file());
    // And the stop + resume is one run, undone as one.
    let undo = sb.run(&["undo", &run_id]);
    assert!(
        undo.status.success(),
        "{}",
        String::from_utf8_lossy(&undo.stderr)
    );
    let after = tree(&demo);
    assert_eq!(
        before
            .iter()
            .filter(|(_, h)| *h != "dir")
            .collect::<Vec<_>>(),
        after
            .iter()
            .filter(|(_, h)| *h != "dir")
            .collect::<Vec<_>>(),
        "every file is back as it was"
    );
    let run = latest_run(&sb);
    assert_eq!(run["undo"], "undone");
    let listing = String::from_utf8_lossy(&sb.run(&["history"]).stdout).to_string();
    assert!(listing.contains("(annulée)"), "{listing}");
    let report = String::from_utf8_lossy(&sb.run(&["show", &run_id]).stdout).to_string();
    assert!(
        report.contains("Annulation : annulée") || report.contains("Annulation: annulée"),
        "{report}"
    );
}

#[test]
fn a_second_ctrl_c_aborts_at_once_and_leaves_a_true_status() {
    let (sb, demo) = Sandbox::with_demo();
    let (mut child, _) = start_slow_run(&sb, &demo);
    sigint(&child);
    sigint(&child);
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(4));
    let run = latest_run(&sb);
    assert_eq!(run["status"], "stopped", "never left `running`: {run}");
    let run_id = run["id"].as_str().unwrap().to_string();
    let out = sb.run(&["resume", &run_id, "--json"]);
    assert_eq!(
        summary(&out)["status"],
        "done",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = show(&sb, &run_id);
    assert_eq!(finished_count(&shown, 1), 1);
    assert_eq!(finished_count(&shown, 3), 1);
}

/// Runs `args` of commis in a pseudo-terminal (util-linux `script`), so it prompts as it
/// does for a person; returns the child, whose stdin is the terminal's keyboard.
fn in_terminal(sb: &Sandbox, args: &[&str]) -> std::process::Child {
    let quote = |a: &str| format!("'{}'", a.replace('\'', "'\\''"));
    // `exec`: commis replaces the shell `script` starts, so Ctrl-C reaches commis alone. A
    // shell left in between (dash, when SHELL is unset) dies of the SIGINT itself and the
    // terminal reports 130 whatever commis does.
    let command = std::iter::once(env!("CARGO_BIN_EXE_commis"))
        .chain(args.iter().copied())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    let line = format!("exec {command}");
    std::process::Command::new("script")
        .args(["-qfec", &line, "/dev/null"])
        // As on a machine where SHELL is unset: `script` then starts /bin/sh (dash here).
        .env("SHELL", "/bin/sh")
        .env("COMMIS_HOME", sb.home())
        .env("COMMIS_OCR_CACHE", ocr_cache())
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("COMMIS_CONFIG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) runs commis in a pseudo-terminal")
}

/// Reads the terminal's output until `needle` shows.
fn wait_for(rx: &std::sync::mpsc::Receiver<String>, seen: &mut String, needle: &str) {
    while !seen.contains(needle) {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(chunk) => seen.push_str(&chunk),
            Err(_) => panic!("never saw {needle:?}:\n{seen}"),
        }
    }
}

fn read_terminal(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    use std::io::Read;
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            let _ = tx.send(String::from_utf8_lossy(&buf[..n]).to_string());
        }
    });
    rx
}

#[test]
fn ctrl_c_at_the_plan_prompt_stops_the_run_and_resume_asks_again() {
    use std::io::Write;
    let (sb, demo) = Sandbox::with_demo();
    let before = tree(&demo);
    let mut child = in_terminal(&sb, &["run", demo.to_str().unwrap(), BRIEF]);
    let rx = read_terminal(&mut child);
    let mut seen = String::new();
    wait_for(&rx, &mut seen, "Accepter ce plan ?");
    // Ctrl-C typed at the prompt: the terminal sends SIGINT to commis.
    child.stdin.as_mut().unwrap().write_all(b"\x03").unwrap();
    child.stdin.as_mut().unwrap().flush().unwrap();
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(4), "Ctrl-C at a prompt: exit 4\n{seen}");
    let run = latest_run(&sb);
    assert_eq!(run["status"], "stopped");
    assert_eq!(
        tree(&demo),
        before,
        "nothing changed before the plan was accepted"
    );
    let run_id = run["id"].as_str().unwrap().to_string();

    // Resumed in a terminal: the plan is asked again, accepted, the moves approved.
    let mut child = in_terminal(&sb, &["resume", &run_id]);
    let rx = read_terminal(&mut child);
    let mut seen = String::new();
    wait_for(&rx, &mut seen, "Accepter ce plan ?");
    child.stdin.as_mut().unwrap().write_all(b"o\r").unwrap();
    child.stdin.as_mut().unwrap().flush().unwrap();
    wait_for(&rx, &mut seen, "[t]out ce type");
    child.stdin.as_mut().unwrap().write_all(b"t\r").unwrap();
    child.stdin.as_mut().unwrap().flush().unwrap();
    let status = wait_exit(&mut child);
    while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(200)) {
        seen.push_str(&chunk);
    }
    assert_eq!(status.code(), Some(0), "{seen}");
    assert_eq!(latest_run(&sb)["status"], "done");
    assert!(demo.join("Livrables/catalogue.xlsx").is_file());
}

#[test]
fn read_only_is_a_preview_that_ends_done_and_changes_nothing() {
    let (sb, demo) = Sandbox::with_demo();
    let before = tree(&demo);
    let out = sb
        .cmd()
        .args([
            "run",
            demo.to_str().unwrap(),
            BRIEF,
            "--read-only",
            "--yes",
            "--json",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let s = summary(&out);
    let human = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(s["status"], "done", "{human}");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        tree(&demo),
        before,
        "a read-only run writes nothing in the folder"
    );
    for key in ["created", "modified", "moved", "deleted"] {
        assert_eq!(s[key], serde_json::json!([]), "{key}: nothing was changed");
    }
    let preview = &s["preview"];
    assert!(!preview["moved"].as_array().unwrap().is_empty(), "{s}");
    let dir = std::path::PathBuf::from(preview["dir"].as_str().unwrap());
    assert!(
        dir.starts_with(sb.home()),
        "the preview lives under COMMIS_HOME"
    );
    assert!(
        preview["created"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "Livrables/recapitulatif-factures.xlsx"),
        "{s}"
    );
    assert!(
        dir.join("demo-pme/Livrables/recapitulatif-factures.xlsx")
            .is_file()
    );
    // The person sees what would change and what the deliverables hold, in French.
    assert!(human.contains("Déplacerait"), "{human}");
    assert!(human.contains("Aperçu de Livrables/"), "{human}");
    assert!(
        s["message"].as_str().unwrap().contains("lecture seule"),
        "{s}"
    );
}

/// Words that only an English sentence carries (the French texts never do).
const ENGLISH: &[&str] = &[
    " the ",
    " is ",
    " was ",
    " nothing ",
    "Stopped",
    "Resuming",
    "Read-only",
    "read-only mode",
    "already finished",
    "Brief:",
    "Files read",
    "Decisions (",
    "Changes (",
    "Approvals (",
    "Tokens:",
    "Undone",
    "interrupted",
    "Proposed plan",
    "Plan accepted",
    "refused:",
];

fn assert_french(what: &str, text: &str) {
    for line in text.lines() {
        let padded = format!(" {line} ");
        for w in ENGLISH {
            assert!(
                !padded.contains(w),
                "{what}: English {w:?} in a French run: {line}"
            );
        }
    }
}

#[test]
fn a_french_run_speaks_french_from_start_to_resume_error_and_report() {
    let (sb, demo) = Sandbox::with_demo();
    // A read-only preview: outcome, would-be changes, refusals.
    let out = sb
        .cmd()
        .args(["run", demo.to_str().unwrap(), BRIEF, "--read-only", "--yes"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_french("run --read-only", &String::from_utf8_lossy(&out.stdout));
    assert_french(
        "run --read-only (stderr)",
        &String::from_utf8_lossy(&out.stderr),
    );
    let run_id = latest_run(&sb)["id"].as_str().unwrap().to_string();
    // Resuming a finished run: the refusal is French.
    let again = sb.run(&["resume", &run_id]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr).to_string();
    assert!(err.contains("déjà terminée"), "{err}");
    assert_french("resume of a finished run", &err);
    // The audit report's headings.
    let report = String::from_utf8_lossy(&sb.run(&["show", &run_id]).stdout).to_string();
    assert!(report.contains("## Fichiers lus"), "{report}");
    assert_french("show", &report);
    // A stopped run in the history.
    let (mut child, _) = start_slow_run(&sb, &demo);
    sigint(&child);
    wait_exit(&mut child);
    let listing = String::from_utf8_lossy(&sb.run(&["history"]).stdout).to_string();
    assert!(listing.contains("reprendre : commis resume"), "{listing}");
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
    assert!(text.contains("annulée en partie"), "{text}");
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
    assert!(history.contains("en partie annulée"), "{history}");

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
