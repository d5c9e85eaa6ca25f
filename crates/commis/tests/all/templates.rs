//! Templates saved, listed and run on two folders; a due schedule runs once, then is not due.

use crate::common;

use common::*;

#[test]
fn a_template_runs_on_two_folders_and_a_due_schedule_runs_exactly_once() {
    let (sb, demo) = Sandbox::with_demo();
    let other = sb.folder("mois-suivant");
    copy_dir(&demo.join("A trier"), &other);

    let save = sb.run(&[
        "template",
        "save",
        "tri",
        "Trie ces fichiers par {critere=type} et crée un catalogue",
        "--yes",
        "--allow",
        "move",
        "--output",
        "Rapports/mensuel",
    ]);
    assert!(
        save.status.success(),
        "{}",
        String::from_utf8_lossy(&save.stderr)
    );
    let list = String::from_utf8_lossy(&sb.run(&["template", "list"]).stdout).to_string();
    assert!(
        list.contains("tri") && list.contains("{critere=type}"),
        "{list}"
    );

    for folder in [&demo, &other] {
        let out = sb.run(&[
            "run",
            folder.to_str().unwrap(),
            "--template",
            "tri",
            "--json",
        ]);
        let s = summary(&out);
        assert_eq!(
            s["status"],
            "done",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The template remembers its policy (moves allowed) and its output folder.
        assert!(
            folder.join("Rapports/mensuel/catalogue.xlsx").is_file(),
            "{s}"
        );
        assert!(!s["moved"].as_array().unwrap().is_empty());
    }

    // A missing placeholder value is named, with how to give it.
    sb.run(&[
        "template",
        "save",
        "mensuel",
        "Trie les fichiers de {mois} par type",
    ]);
    let out = sb.run(&["run", other.to_str().unwrap(), "--template", "mensuel"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--set mois="));

    let third = sb.folder("courant");
    std::fs::write(
        third.join("facture.txt"),
        "FACTURE F-1\nFacturé à : SARL Dupont\nTotal TTC : 120,00 €",
    )
    .unwrap();
    let add = sb.run(&[
        "schedule",
        "add",
        "auto",
        "--template",
        "tri",
        "--dir",
        third.to_str().unwrap(),
        "--every",
        "month",
    ]);
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let first = sb.run(&["schedule", "run-due", "--json"]);
    let runs: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(runs[0]["status"], "done");
    let second = sb.run(&["schedule", "run-due", "--json"]);
    let runs: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert!(
        runs.as_array().unwrap().is_empty(),
        "not due again this month: {runs}"
    );
}
