//! A French run speaks French everywhere a person looks — terminal lines, the `--json`
//! summary's message, the audit report — even when things go wrong: files that vanished
//! between plan and run, unreadable documents, hard-linked files, a run resumed read-only
//! that would write, a locked folder, an undo in conflict or with nothing left to undo, a
//! folder that cannot be granted. Every output is checked with the message catalogue's
//! detector of English words, after the names of the user's files are set aside.

use crate::common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use common::*;

const SORT_BRIEF: &str =
    "Classe ces fichiers par client, fais un catalogue et un tableau récapitulatif des montants";
const CATALOGUE_BRIEF: &str = "Fais un catalogue de ces fichiers";

/// Every file and folder name under `root`, with their relative paths: what a message may
/// quote from the user's folder (names are the user's words, in any language).
fn names_in(root: &Path, names: &mut BTreeSet<String>) {
    fn walk(root: &Path, dir: &Path, names: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            names.insert(entry.file_name().to_string_lossy().to_string());
            if let Ok(rel) = path.strip_prefix(root) {
                names.insert(rel.to_string_lossy().to_string());
            }
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                walk(root, &path, names);
            }
        }
    }
    names.insert(root.display().to_string());
    walk(root, root, names);
}

/// What the user reads, without the data quoted from their files: names of files and
/// folders, document contents shown in a preview, progress bars (they show file names cut).
fn messages_of(text: &str, names: &BTreeSet<String>) -> String {
    let mut by_length: Vec<&String> = names.iter().collect();
    by_length.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut kept = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('│') || line.contains('█') || line.contains('░') {
            continue;
        }
        let mut line = line.to_string();
        for n in &by_length {
            if !n.is_empty() {
                line = line.replace(n.as_str(), " ");
            }
        }
        kept.push_str(&line);
        kept.push('\n');
    }
    kept
}

/// Fails on any English word in `text` (file names set aside), naming the line.
#[track_caller]
fn assert_french(what: &str, text: &str, names: &BTreeSet<String>) {
    for line in messages_of(text, names).lines() {
        let english = commis_agent::messages::english_words(line);
        assert!(
            english.is_empty(),
            "{what}: English {english:?} in a French run:\n{line}\n--- whole output ---\n{text}"
        );
    }
}

/// Checks stdout, stderr and (when stdout ends with one) the JSON summary's message.
#[track_caller]
fn assert_output_french(what: &str, out: &Output, names: &BTreeSet<String>) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut human = String::new();
    for line in stdout.lines() {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) if v.is_object() => {
                for key in ["message"] {
                    if let Some(m) = v.get(key).and_then(|m| m.as_str()) {
                        human.push_str(m);
                        human.push('\n');
                    }
                }
            }
            _ => {
                human.push_str(line);
                human.push('\n');
            }
        }
    }
    assert_french(&format!("{what} (stdout)"), &human, names);
    assert_french(&format!("{what} (stderr)"), &stderr, names);
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run_id_of(out: &Output) -> String {
    summary(out)["run_id"].as_str().unwrap().to_string()
}

/// The audit report, in Markdown and HTML, checked like the terminal.
fn assert_report_french(sb: &Sandbox, run_id: &str, names: &BTreeSet<String>) {
    let md = sb.run(&["show", run_id]);
    assert!(md.status.success(), "{}", text(&md));
    assert_output_french("show", &md, names);
    let html_path = sb.dir.path().join(format!("{run_id}.html"));
    let written = sb.run(&["show", run_id, "--report", html_path.to_str().unwrap()]);
    assert!(written.status.success(), "{}", text(&written));
    let mut names = names.clone();
    names.insert(html_path.display().to_string());
    assert_output_french("show --report", &written, &names);
    let html = std::fs::read_to_string(&html_path).unwrap();
    // Markup aside, the words of the page.
    let mut words = String::new();
    let mut in_tag = false;
    for c in html.split("</style>").last().unwrap_or("").chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                words.push(' ');
            }
            _ if !in_tag => words.push(c),
            _ => {}
        }
    }
    let words = words
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    assert_french("html report", &words, &names);
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
}

#[test]
fn vanished_files_an_undo_in_conflict_and_nothing_left_to_undo_are_said_in_french() {
    let (sb, demo) = Sandbox::with_demo();
    let mut names = BTreeSet::new();
    names_in(&demo, &mut names);
    let dir = demo.to_str().unwrap();

    // Planned, not accepted: nobody at the terminal.
    let planned = sb.run(&["run", dir, SORT_BRIEF, "--json"]);
    assert_eq!(planned.status.code(), Some(3), "{}", text(&planned));
    assert_output_french("plan waiting for acceptance", &planned, &names);
    let run_id = run_id_of(&planned);

    // Two files vanish before the run: one the sort moves, one a step reads.
    std::fs::remove_file(demo.join("FACTURE dupont final(2).pdf")).unwrap();
    std::fs::remove_file(demo.join("CR reunion 12-03.txt")).unwrap();
    let resumed = sb.run(&["resume", &run_id, "--yes", "--allow", "move", "--json"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed));
    let shown = text(&resumed);
    assert!(
        shown.contains("Laissé en place : FACTURE dupont final(2).pdf")
            && shown.contains("introuvable"),
        "{shown}"
    );
    names_in(&demo, &mut names);
    assert_output_french("resume with vanished files", &resumed, &names);
    assert_report_french(&sb, &run_id, &names);

    // The user edits a deliverable, then undoes the run: conflict, said in French.
    std::fs::write(demo.join("Livrables/catalogue.md"), "mes notes").unwrap();
    let undo = sb.run(&["undo", &run_id]);
    assert_eq!(undo.status.code(), Some(3), "{}", text(&undo));
    assert!(text(&undo).contains("--force"), "{}", text(&undo));
    names_in(&demo, &mut names);
    assert_output_french("undo with a conflict", &undo, &names);
    let forced = sb.run(&["undo", &run_id, "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    names_in(&demo, &mut names);
    assert_output_french("undo --force", &forced, &names);
    let again = sb.run(&["undo", &run_id]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("déjà été annulée"),
        "{}",
        text(&again)
    );
    assert_output_french("undo of an undone run", &again, &names);
    let history = sb.run(&["history"]);
    assert_output_french("history", &history, &names);
    assert_report_french(&sb, &run_id, &names);
}

/// A small folder made here: a meeting note, a damaged PDF, a file hard-linked from outside
/// the folder, and a file to sort.
fn small_folder(sb: &Sandbox, name: &str) -> std::path::PathBuf {
    let dir = sb.folder(name);
    std::fs::write(
        dir.join("notes réunion 12 mars.txt"),
        "Réunion du 12 mars avec la boulangerie Lefèvre.\nDécision : livrer le devis vendredi.\nAction : Paul envoie le devis avant vendredi.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("facture abîmée.pdf"),
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage without xref",
    )
    .unwrap();
    let outside = sb
        .folder("ailleurs")
        .join(format!("original de {name}.txt"));
    std::fs::write(&outside, "contenu partagé").unwrap();
    std::fs::hard_link(&outside, dir.join("copie liée.txt")).unwrap();
    std::fs::write(
        dir.join("devis boulangerie.txt"),
        "DEVIS D2024-020\nClient : Boulangerie Lefèvre\nTotal TTC : 1 200,00 €\n",
    )
    .unwrap();
    dir
}

#[test]
fn unreadable_files_a_read_only_resume_a_locked_folder_and_refused_folders_are_said_in_french() {
    let sb = Sandbox::new();
    let dir_path = small_folder(&sb, "Dossier client");
    let dir = dir_path.to_str().unwrap();
    let mut names = BTreeSet::new();
    names_in(&dir_path, &mut names);
    names_in(&sb.dir.path().join("ailleurs"), &mut names);

    // Unreadable documents and a hard-linked file: warnings and the catalogue's notes.
    let done = sb.run(&["run", dir, CATALOGUE_BRIEF, "--yes", "--json"]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    let shown = text(&done);
    assert!(shown.contains("endommagé"), "{shown}");
    assert!(shown.contains("liens physiques"), "{shown}");
    let catalogue = std::fs::read_to_string(dir_path.join("Livrables/catalogue.csv")).unwrap();
    assert!(catalogue.contains("endommagé"), "{catalogue}");
    names_in(&dir_path, &mut names);
    assert_output_french("catalogue with unreadable files", &done, &names);
    let run_id = run_id_of(&done);
    assert_report_french(&sb, &run_id, &names);
    let undo = sb.run(&["undo", &run_id]);
    assert_eq!(undo.status.code(), Some(0), "{}", text(&undo));
    assert_output_french("undo", &undo, &names);

    // A run planned, then resumed read-only: every write is refused, in French.
    let planned = sb.run(&["run", dir, SORT_BRIEF, "--json"]);
    assert_eq!(planned.status.code(), Some(3), "{}", text(&planned));
    assert_output_french("plan", &planned, &names);
    let run_id = run_id_of(&planned);
    let read_only = sb.run(&["resume", &run_id, "--read-only", "--yes", "--json"]);
    let shown = text(&read_only);
    assert!(shown.contains("lecture seule refuse"), "{shown}");
    assert_output_french("read-only resume that would write", &read_only, &names);
    assert_report_french(&sb, &run_id, &names);

    // A folder another run is using: refused for a second run and for an undo.
    let mut slow = sb
        .cmd()
        .args(["run", dir, CATALOGUE_BRIEF, "--yes"])
        .env("COMMIS_TEST_STEP_DELAY_MS", "60000")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = slow.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the slow run printed nothing");
        if line.contains("▶ 1/") {
            break;
        }
    }
    let history: serde_json::Value =
        serde_json::from_slice(&sb.run(&["history", "--json"]).stdout).unwrap();
    let slow_id = history[0]["id"].as_str().unwrap().to_string();
    let busy = sb.run(&["run", dir, CATALOGUE_BRIEF, "--yes"]);
    assert!(!busy.status.success());
    assert!(text(&busy).contains("déjà utilisé"), "{}", text(&busy));
    assert_output_french("second run on a locked folder", &busy, &names);
    let busy_undo = sb.run(&["undo", &slow_id]);
    assert!(!busy_undo.status.success());
    assert!(
        text(&busy_undo).contains("déjà utilisé"),
        "{}",
        text(&busy_undo)
    );
    assert_output_french("undo on a locked folder", &busy_undo, &names);
    let busy_resume = sb.run(&["resume", &slow_id]);
    assert!(!busy_resume.status.success());
    assert_output_french("resume of a run driven elsewhere", &busy_resume, &names);
    slow.kill().unwrap();
    slow.wait().unwrap();
    std::thread::spawn(move || while rx.recv().is_ok() {});

    // The folder itself vanished between the plan and its acceptance.
    let gone = small_folder(&sb, "Dossier parti");
    names_in(&gone, &mut names);
    let planned = sb.run(&["run", gone.to_str().unwrap(), SORT_BRIEF, "--json"]);
    assert_eq!(planned.status.code(), Some(3), "{}", text(&planned));
    names_in(&gone, &mut names);
    let run_id = run_id_of(&planned);
    std::fs::rename(&gone, sb.dir.path().join("Dossier renommé")).unwrap();
    names.insert(sb.dir.path().join("Dossier renommé").display().to_string());
    let resumed = sb.run(&["resume", &run_id, "--yes"]);
    assert!(!resumed.status.success());
    assert!(text(&resumed).contains("introuvable"), "{}", text(&resumed));
    assert_output_french("resume after the folder vanished", &resumed, &names);

    // Folders that cannot be granted.
    let disk = sb.run(&["run", "/", CATALOGUE_BRIEF]);
    assert!(!disk.status.success());
    assert!(text(&disk).contains("disque entier"), "{}", text(&disk));
    assert_output_french("granting the whole disk", &disk, &names);
    let missing = sb.dir.path().join("Dossier absent");
    names.insert(missing.display().to_string());
    let absent = sb.run(&["run", missing.to_str().unwrap(), CATALOGUE_BRIEF]);
    assert!(!absent.status.success());
    assert!(text(&absent).contains("introuvable"), "{}", text(&absent));
    assert_output_french("granting a missing folder", &absent, &names);
}

#[test]
fn an_english_run_meeting_the_same_problems_stays_english() {
    let sb = Sandbox::new();
    let dir_path = small_folder(&sb, "Client folder");
    let out = sb.run(&[
        "run",
        dir_path.to_str().unwrap(),
        "Make a catalogue of these files",
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("damaged"), "{shown}");
    assert!(shown.contains("hard links"), "{shown}");
    assert!(
        !shown.contains("endommagé") && !shown.contains("terminée"),
        "{shown}"
    );
    let busy = sb.run(&["run", "/", "Make a catalogue of these files"]);
    assert!(text(&busy).contains("the whole disk"), "{}", text(&busy));
}
