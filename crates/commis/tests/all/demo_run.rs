//! The README's promise: the demo brief runs offline end to end, prints the contract's JSON
//! summary, and `commis undo` restores the folder byte for byte.

use crate::common;
#[path = "demo_run/hostile.rs"]
mod hostile;

use common::*;

const SEED: &str = "Classe ces fichiers par client, crée un tableau récapitulatif des montants et produis une présentation de 8 slides";

#[test]
fn the_seed_brief_runs_offline_and_undo_restores_the_folder_byte_for_byte() {
    let (sb, demo) = Sandbox::with_demo();
    let before = tree(&demo);
    let out = sb.run(&[
        "run",
        demo.to_str().unwrap(),
        SEED,
        "--provider",
        "offline",
        "--yes",
        "--allow",
        "move",
        "--json",
    ]);
    let s = summary(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(s["status"], "done", "stderr:\n{stderr}");
    assert!(out.status.success());
    for key in [
        "run_id", "created", "modified", "moved", "deleted", "tokens",
    ] {
        assert!(s.get(key).is_some(), "summary lacks {key}");
    }
    let created: Vec<&str> = s["created"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        created.contains(&"Livrables/recapitulatif-factures.xlsx"),
        "{created:?}"
    );
    assert!(
        created.contains(&"Livrables/presentation.pptx"),
        "{created:?}"
    );
    let moved = s["moved"].as_array().unwrap();
    assert!(
        moved.len() >= 25,
        "most files are sorted into client folders: {}",
        moved.len()
    );
    // Every created file exists; every move landed.
    for c in &created {
        assert!(demo.join(c).is_file(), "{c} missing");
    }
    for m in moved {
        assert!(demo.join(m[1].as_str().unwrap()).is_file());
        assert!(!demo.join(m[0].as_str().unwrap()).exists());
    }
    // The deck has exactly the 8 slides asked for.
    let deck = std::fs::read(demo.join("Livrables/presentation.pptx")).unwrap();
    assert_eq!(slide_count(&deck), 8);
    // Progress and the plan were shown (on stderr, since stdout carries JSON).
    assert!(stderr.contains("1/"), "no progress shown:\n{stderr}");

    let run_id = s["run_id"].as_str().unwrap();
    let undo = sb.run(&["undo", run_id]);
    assert!(
        undo.status.success(),
        "{}",
        String::from_utf8_lossy(&undo.stderr)
    );
    assert_eq!(
        tree(&demo),
        before,
        "undo must restore the folder byte for byte"
    );
}

/// Distinct `ppt/slides/slideN.xml` part names in a .pptx (names are stored uncompressed).
fn slide_count(zip: &[u8]) -> usize {
    let needle = b"ppt/slides/slide";
    let mut names = std::collections::BTreeSet::new();
    for i in 0..zip.len().saturating_sub(needle.len()) {
        if &zip[i..i + needle.len()] == needle {
            let rest = &zip[i + needle.len()..];
            let digits: Vec<u8> = rest
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .copied()
                .collect();
            if !digits.is_empty() && rest[digits.len()..].starts_with(b".xml") {
                names.insert(digits);
            }
        }
    }
    names.len()
}

#[test]
fn sorting_by_type_with_a_catalogue_works_in_english_too() {
    let (sb, demo) = Sandbox::with_demo();
    let out = sb.run(&[
        "run",
        demo.to_str().unwrap(),
        "Sort these files by type and build a catalogue",
        "--yes",
        "--allow",
        "move",
        "--json",
    ]);
    let s = summary(&out);
    assert_eq!(
        s["status"],
        "done",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Vec<&str> = s["created"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for f in [
        "Deliverables/catalogue.xlsx",
        "Deliverables/catalogue.md",
        "Deliverables/catalogue.csv",
    ] {
        assert!(created.contains(&f), "{f} not in {created:?}");
    }
    assert!(demo.join("Invoices").is_dir());
    let csv = std::fs::read_to_string(demo.join("Deliverables/catalogue.csv")).unwrap();
    assert!(csv.lines().count() >= 30, "one line per file");
    assert!(
        csv.contains("Invoices/"),
        "the catalogue lists the sorted paths"
    );
}

#[test]
fn without_allow_move_the_moves_wait_for_approval_and_nothing_moves() {
    let (sb, demo) = Sandbox::with_demo();
    let before = tree(&demo);
    let out = sb.run(&[
        "run",
        demo.to_str().unwrap(),
        "Trie ces fichiers par type",
        "--yes",
        "--json",
    ]);
    let s = summary(&out);
    assert_eq!(s["status"], "needs_input");
    assert_eq!(out.status.code(), Some(3));
    assert!(s["moved"].as_array().unwrap().is_empty());
    assert_eq!(tree(&demo), before);
}

#[test]
fn a_brief_beyond_the_offline_planner_is_unsupported_and_changes_nothing() {
    let (sb, demo) = Sandbox::with_demo();
    let before = tree(&demo);
    let out = sb.run(&[
        "run",
        demo.to_str().unwrap(),
        "Traduis tous les devis en allemand et envoie-les par mail",
        "--yes",
        "--json",
    ]);
    let s = summary(&out);
    assert_eq!(s["status"], "unsupported");
    assert_eq!(out.status.code(), Some(5));
    let msg = s["message"].as_str().unwrap();
    assert!(
        msg.contains("ANTHROPIC_API_KEY"),
        "says how to configure a model: {msg}"
    );
    assert!(msg.contains("classer"), "says what it can do: {msg}");
    assert_eq!(tree(&demo), before);
}

#[test]
fn history_show_and_the_audit_report_tell_what_happened() {
    let (sb, demo) = Sandbox::with_demo();
    let out = sb.run(&[
        "run",
        demo.to_str().unwrap(),
        "Trie ces fichiers par type et crée un catalogue",
        "--yes",
        "--allow",
        "move",
        "--json",
    ]);
    let s = summary(&out);
    let run_id = s["run_id"].as_str().unwrap();
    let history = sb.run(&["history"]);
    assert!(String::from_utf8_lossy(&history.stdout).contains(run_id));
    let report = sb.dir.path().join("audit.html");
    let show = sb.run(&["show", run_id, "--report", report.to_str().unwrap()]);
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    let html = std::fs::read_to_string(&report).unwrap();
    // A French brief: the report speaks French.
    for section in [
        "Plan",
        "Fichiers lus",
        "Changements",
        "Approbations",
        "sha256",
    ] {
        assert!(html.contains(section), "report lacks {section}");
    }
    let md = String::from_utf8_lossy(&sb.run(&["show", run_id]).stdout).to_string();
    assert!(
        md.contains("réponse : oui par --allow"),
        "approvals are listed with who answered:\n{md}"
    );
}

#[test]
fn broken_files_get_a_clear_per_file_warning_and_the_run_goes_on() {
    let sb = Sandbox::new();
    let work = sb.folder("dossier");
    let fixtures = repo().join("tests/fixtures");
    std::fs::copy(
        fixtures.join("invoices/facturx/corruptedV2PDF.pdf"),
        work.join("facture-abimee.pdf"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("office/calamine/pass_protected.xlsx"),
        work.join("protege.xlsx"),
    )
    .unwrap();
    std::fs::write(work.join("tronque.docx"), b"PK\x03\x04 not really a zip").unwrap();
    std::fs::write(work.join("latin1.csv"), b"Nom;Montant\nLef\xe8vre;12,50\n").unwrap();
    std::fs::copy(
        fixtures.join("invoices/facturx/zugferd_invoice.pdf"),
        work.join("bonne-facture.pdf"),
    )
    .unwrap();
    let out = sb.run(&[
        "run",
        work.to_str().unwrap(),
        "Trie ces fichiers par type et crée un catalogue",
        "--yes",
        "--allow",
        "move",
        "--json",
    ]);
    let s = summary(&out);
    assert_eq!(
        s["status"],
        "done",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("protege.xlsx") && stderr.contains("mot de passe"),
        "{stderr}"
    );
    let catalogue = std::fs::read_to_string(work.join("Livrables/catalogue.csv")).unwrap();
    assert_eq!(
        catalogue.lines().count(),
        6,
        "every file is catalogued, broken or not:\n{catalogue}"
    );
    // Nothing lost: every original file is still somewhere in the folder, byte for byte.
    let names: Vec<String> = tree(&work).keys().cloned().collect();
    for f in [
        "facture-abimee.pdf",
        "protege.xlsx",
        "tronque.docx",
        "latin1.csv",
        "bonne-facture.pdf",
    ] {
        assert!(names.iter().any(|n| n.ends_with(f)), "{f} lost: {names:?}");
    }
}

#[test]
fn plan_json_ends_with_the_summary_line_in_every_outcome_with_what_was_not_understood() {
    let (sb, demo) = Sandbox::with_demo();
    let before = tree(&demo);
    let out = sb.run(&[
        "plan",
        demo.to_str().unwrap(),
        "Fais la déclaration de TVA",
        "--json",
    ]);
    let s = summary(&out);
    assert_eq!(s["status"], "unsupported", "{s}");
    assert_eq!(out.status.code(), Some(5));
    let not = s["not_understood"].as_array().unwrap();
    assert_eq!(not.len(), 1, "{s}");
    assert!(
        not[0]["why"].as_str().unwrap().contains("déclaration"),
        "{s}"
    );
    // A plan it can make: the plan, then the same summary line last.
    let out = sb.run(&[
        "plan",
        demo.to_str().unwrap(),
        "Range les devis dans un dossier Devis",
        "--json",
    ]);
    let s = summary(&out);
    assert_eq!(s["status"], "needs_input", "{s}");
    assert_eq!(s["not_understood"], serde_json::json!([]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let plan: serde_json::Value =
        serde_json::from_str(stdout.lines().find(|l| l.contains("\"steps\"")).unwrap()).unwrap();
    let changes = plan["steps"][0]["params"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 5, "the five quotes, nothing else");
    assert!(
        changes
            .iter()
            .all(|c| c["to"].as_str().unwrap().starts_with("Devis/"))
    );
    assert_eq!(tree(&demo), before);
}

#[test]
fn a_file_that_cannot_be_moved_is_named_in_the_plan_and_the_rest_of_the_sort_applies() {
    let (sb, demo) = Sandbox::with_demo();
    // A second name outside the folder: commis refuses to move a hard-linked file.
    let stuck = "facture lefevre mars.pdf";
    std::fs::hard_link(demo.join(stuck), sb.dir.path().join("elsewhere.pdf")).unwrap();
    let before = tree(&demo);
    let out = sb.run(&[
        "run",
        demo.to_str().unwrap(),
        SEED,
        "--provider",
        "offline",
        "--yes",
        "--allow",
        "move",
        "--json",
    ]);
    let s = summary(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(s["status"], "done", "stderr:\n{stderr}");
    // The plan said so before anything moved, with the reason.
    assert!(
        stderr.contains("resteront en place") && stderr.contains(stuck),
        "{stderr}"
    );
    assert!(stderr.contains("liens physiques"), "{stderr}");
    assert!(
        demo.join(stuck).is_file(),
        "the stuck file stays where it was"
    );
    assert!(s["moved"].as_array().unwrap().len() >= 25, "{s}");
    let undo = sb.run(&["undo", s["run_id"].as_str().unwrap()]);
    assert!(
        undo.status.success(),
        "{}",
        String::from_utf8_lossy(&undo.stdout)
    );
    assert_eq!(tree(&demo), before);
}

/// The Python with openpyxl, python-pptx and python-docx (COMMIS_PYTHON or <repo>/.venv);
/// `None` skips locally and fails in CI.
fn office_python() -> Option<std::path::PathBuf> {
    let candidate = std::env::var_os("COMMIS_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"));
    let ok = std::process::Command::new(&candidate)
        .args(["-c", "import openpyxl, pptx, docx"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(candidate);
    }
    let msg = "python with openpyxl, python-pptx and python-docx is missing; run scripts/test-deps-office.sh";
    assert!(std::env::var_os("CI").is_none(), "{msg}");
    eprintln!("SKIPPED: {msg}");
    None
}

#[test]
fn the_workbook_deck_and_report_agree_figure_for_figure_with_units_and_none_overflows() {
    let Some(py) = office_python() else { return };
    let (sb, demo) = Sandbox::with_demo();
    let brief = format!("{SEED} et un rapport Word");
    let out = sb.run(&[
        "run",
        demo.to_str().unwrap(),
        &brief,
        "--provider",
        "offline",
        "--yes",
        "--allow",
        "move",
        "--json",
    ]);
    let s = summary(&out);
    assert_eq!(
        s["status"],
        "done",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out_dir = demo.join("Livrables");
    let read = std::process::Command::new(&py)
        .arg(repo().join("crates/commis/tests/demo_run/figures.py"))
        .arg(out_dir.join("recapitulatif-factures.xlsx"))
        .arg(out_dir.join("presentation.pptx"))
        .arg(out_dir.join("rapport.docx"))
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
    let workbook: Vec<f64> = v["workbook"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x.as_f64())
        .collect();
    let in_workbook = |x: f64| workbook.iter().any(|w| (w - x).abs() < 0.005);
    for key in ["deck_money", "report_money"] {
        let shown = v[key].as_array().unwrap();
        assert!(
            shown.len() >= 7,
            "{key}: the total and one per client: {shown:?}"
        );
        for m in shown {
            let value = m["value"].as_f64().unwrap();
            assert!(
                in_workbook(value),
                "{key}: {} is not a figure of the workbook",
                m["text"]
            );
            assert_eq!(m["unit"], true, "{key}: {} has no unit", m["text"]);
        }
    }
    // The grand total and every client's total, identical in all three.
    let totals: Vec<f64> = v["deck_money"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["value"].as_f64())
        .collect();
    for t in &totals {
        assert!(
            v["report_money"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| (m["value"].as_f64().unwrap() - t).abs() < 0.005),
            "{t} is in the deck but not in the report"
        );
    }
    let chart = v["deck_chart"].as_array().unwrap();
    assert!(!chart.is_empty(), "the deck has its chart");
    for c in chart {
        let c = c.as_f64().unwrap();
        assert!(in_workbook(c), "chart value {c} is not in the workbook");
        assert!(
            totals.iter().any(|t| (t - c).abs() < 0.005),
            "chart value {c} is not in the deck's table"
        );
    }
    for f in v["deck_chart_formats"].as_array().unwrap() {
        assert!(f.as_str().unwrap().contains('€'), "chart axis unit: {f}");
    }

    // Layout: every office deliverable rendered by LibreOffice, no text outside its page or
    // drawn over other text (a control deck that overflows on purpose must be caught).
    let on_path = |tool: &str| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .any(|d| d.join(tool).is_file())
    };
    if !on_path("soffice") || !on_path("pdftotext") {
        let msg = "LibreOffice (soffice) and poppler-utils (pdftotext) are needed for the layout check; run scripts/test-deps-office.sh";
        assert!(std::env::var_os("CI").is_none(), "{msg}");
        eprintln!("SKIPPED: {msg}");
        return;
    }
    let created: Vec<std::path::PathBuf> = s["created"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .filter(|c| [".pptx", ".docx", ".xlsx"].iter().any(|e| c.ends_with(e)))
        .map(|c| demo.join(c))
        .collect();
    assert!(created.len() >= 3, "{created:?}");
    let rendered = std::process::Command::new(&py)
        .arg(repo().join("crates/commis/tests/demo_run/overflow.py"))
        .args(&created)
        .output()
        .unwrap();
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let layout: serde_json::Value = serde_json::from_slice(&rendered.stdout).unwrap();
    let caught = layout["control-overflow.pptx"].as_array().unwrap();
    assert!(!caught.is_empty(), "the check must catch the control deck");
    for file in &created {
        let name = file.file_name().unwrap().to_str().unwrap();
        let problems = layout[name].as_array().unwrap();
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}
