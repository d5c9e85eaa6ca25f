//! The brief corpus (tests/fixtures/briefs/*.tsv): each brief's expected frame, read over
//! the demo folder and a second folder made here, and for plans a check, independent of the
//! planner's own scope code, that every change touches only files of the expected scope and
//! that no other deliverable is planned. Figures are printed for docs/QUALITY.md:
//! `cargo test -p commis-agent --test all demo_quality::brief_corpus -- --nocapture`.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use commis_agent::engine::{Engine, Planner, RunRequest, StopHandle};
use commis_agent::interact::NonInteractive;
use commis_agent::offline::analysis::{Analysis, FileFacts};
use commis_agent::offline::{build_plan, frame, vocab_of};
use commis_core::{AccessMode, Grant, Policy, PolicyMode};

use super::repo;

/// A second folder, unlike the demo: text documents under Inbox/ and Archives/, a copy,
/// a spreadsheet export and meeting notes, for 2024 and 2025.
pub fn make_second_folder(root: &Path) {
    let invoice = |n: &str, client: &str, date: &str, ht: f64| {
        let tva = (ht * 0.2 * 100.0).round() / 100.0;
        format!(
            "Menuiserie Roux SARL\n12 rue des Lilas, 69003 Lyon\nSIRET 523 456 789 00012\n\nFACTURE N° {n}\nDate : {date}\n\nClient : {client}\n\nDésignation : travaux de menuiserie\n\nTotal HT : {ht:.2} €\nTVA 20 % : {tva:.2} €\nTotal TTC : {:.2} €\n\nPaiement à 30 jours.\n",
            ht + tva
        )
    };
    let files: Vec<(&str, String)> = vec![
        ("Inbox/facture F-2025-101 Durand.txt", invoice("F-2025-101", "Durand Menuiserie", "15/01/2025", 1200.0)),
        ("Inbox/facture F-2025-102 Vega.txt", invoice("F-2025-102", "Vega Conseil", "03/02/2025", 800.0)),
        ("Inbox/devis D-2025-07 Fournil.txt", invoice("D-2025-07", "Le Fournil", "20/02/2025", 2500.0).replace("FACTURE N°", "DEVIS N°").replace("Paiement à 30 jours.", "Devis valable 30 jours. Bon pour accord.")),
        ("Inbox/compte rendu réunion 2025-03-04.txt", "Compte rendu de réunion du 4 mars 2025\nParticipants : Paul, Léa, Marc\n\nOrdre du jour : planning des chantiers.\n\nDécisions :\n- Léa doit envoyer le devis Fournil avant le 10 mars.\n- Marc va commander le bois pour le chantier Durand.\n\nProchaine réunion le 18 mars.\n".to_string()),
        ("Inbox/notes Vega.md", "# Notes client Vega Conseil\n\nAppel du 12/02/2025 avec Vega Conseil : ils souhaitent des étagères pour leurs bureaux. Rappeler fin février.\n".to_string()),
        ("Archives/facture F-2024-090 Durand.txt", invoice("F-2024-090", "Durand Menuiserie", "28/11/2024", 950.0)),
        ("Archives/copie facture F-2024-090.txt", invoice("F-2024-090", "Durand Menuiserie", "28/11/2024", 950.0)),
        ("Archives/facture F-2024-091 Fournil.txt", invoice("F-2024-091", "Le Fournil", "10/12/2024", 430.0)),
        ("Archives/avoir A-2025-01 Vega.txt", invoice("A-2025-01", "Vega Conseil", "30/01/2025", 100.0).replace("FACTURE N°", "AVOIR N°")),
        ("budget 2025.csv", "poste;montant\nbois;12000\noutillage;3000\n".to_string()),
        ("transcription point équipe 2025-03-18.txt", "Transcription de la réunion d'équipe du 18 mars 2025\n\nPaul : On a fini le chantier Durand.\nLéa : Je relance Vega Conseil pour la facture F-2025-102 d'ici vendredi.\nMarc : Il faut réparer la scie avant lundi.\n".to_string()),
    ];
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Surveys a folder through a real (read-only) offline run.
pub async fn survey(dir: &Path) -> Analysis {
    let state = tempfile::tempdir().unwrap();
    let engine = Engine::open(state.path()).unwrap();
    let req = RunRequest {
        grants: vec![Grant {
            path: dir.canonicalize().unwrap(),
            mode: AccessMode::ReadOnly,
        }],
        brief: "Fais un catalogue".into(),
        policy: Policy::new(PolicyMode::ReadOnly),
        planner: Planner::Offline,
        stop: StopHandle::default(),
        options: serde_json::json!({}),
    };
    let summary = engine
        .run(req, Arc::new(NonInteractive { accept_plan: false }))
        .await
        .unwrap();
    let (plan, _) = engine.store.plan(&summary.run_id).unwrap().unwrap();
    Analysis::from_context(&plan.context).unwrap()
}

/// One action of an expected signature, with its parameters.
#[derive(Debug)]
struct Want {
    action: String,
    params: Vec<(String, String)>,
}

impl Want {
    fn get(&self, k: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }
    fn has(&self, k: &str) -> bool {
        self.params.iter().any(|(key, _)| key == k)
    }
}

fn parse_signature(sig: &str) -> Vec<Want> {
    sig.split(" ; ")
        .filter(|p| !p.starts_with('!') && !p.starts_with("lang=") && *p != "refuse")
        .map(|p| match p.split_once('(') {
            Some((a, rest)) => Want {
                action: a.to_string(),
                params: rest
                    .trim_end_matches(')')
                    .split(',')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (k.to_string(), v.to_string()),
                        None => (kv.to_string(), String::new()),
                    })
                    .collect(),
            },
            None => Want {
                action: p.to_string(),
                params: vec![],
            },
        })
        .collect()
}

/// The test's own reading of a document class (not the planner's).
fn class_has(class: &str, kind: &str) -> bool {
    match class {
        "invoice" => kind == "invoice" || kind == "supplier_invoice",
        "sales_invoice" => kind == "invoice",
        "meeting" => kind.starts_with("meeting_"),
        "spreadsheet" => kind == "spreadsheet" || kind == "data_export",
        other => other == kind,
    }
}

fn norm(s: &str) -> String {
    commis_skills::entities::normalize_company(s)
}

/// True when a file is inside the scope an expected action names.
fn in_expected_scope(w: &Want, f: &FileFacts) -> bool {
    if let Some(names) = w.get("file")
        && !names
            .split('+')
            .any(|n| f.path.rsplit('/').next() == Some(n))
    {
        return false;
    }
    if let Some(kinds) = w.get("kinds")
        && !kinds.split('+').any(|k| class_has(k, &f.kind))
    {
        return false;
    }
    // Several values (`client=A+B`) mean any of them.
    if let Some(d) = w.get("folder")
        && !d.split('+').any(|d| f.path.starts_with(&format!("{d}/")))
    {
        return false;
    }
    if let Some(e) = w.get("ext")
        && !e
            .split('+')
            .any(|e| f.path.to_lowercase().ends_with(&format!(".{e}")))
    {
        return false;
    }
    let client = f
        .client
        .as_deref()
        .or(f.invoice.as_ref().and_then(|i| i.client.as_deref()));
    if let Some(c) = w.get("client")
        && !c.split('+').any(|c| client.map(norm) == Some(norm(c)))
    {
        return false;
    }
    if let Some(not) = w.get("not") {
        for x in not.split('+') {
            let folder = f.path.starts_with(&format!("{x}/"));
            let ext = f.path.to_lowercase().ends_with(&format!(".{x}"));
            let same_client = client.is_some_and(|c| norm(c) == norm(x));
            if class_has(x, &f.kind) || folder || ext || same_client {
                return false;
            }
        }
    }
    if let Some(p) = w.get("period") {
        let date = f
            .invoice
            .as_ref()
            .and_then(|i| i.date.clone())
            .or(f.date.clone())
            .unwrap_or_default();
        if date.len() < 7 {
            return false;
        }
        let (y, m) = (&date[..4], &date[5..7]);
        let ok = if let Some(mm) = p.strip_prefix('m') {
            let (a, b) = mm.split_once("..").unwrap_or((mm, mm));
            (a..=b).contains(&m)
        } else if let Some((yy, q)) = p.split_once("-Q") {
            let q: u32 = q.parse().unwrap_or(0);
            let mm: u32 = m.parse().unwrap_or(0);
            y == yy && mm.div_ceil(3) == q
        } else if p.len() == 4 {
            y == p
        } else if p.len() == 7 {
            &date[..7] == p
        } else {
            true // relative to today: checked by the unit tests of the scope module
        };
        if !ok {
            return false;
        }
    }
    true
}

fn step_kinds_allowed(wants: &[Want]) -> BTreeSet<&'static str> {
    let mut ok = BTreeSet::new();
    for w in wants {
        match w.action.as_str() {
            "sort" | "rename" => {
                ok.insert("reorganize");
            }
            "duplicates" if w.has("list") => {
                ok.insert("duplicates_list");
            }
            "duplicates" => {
                ok.insert("reorganize");
            }
            "catalogue" => {
                ok.insert("catalogue");
            }
            "table" => {
                ok.insert("invoice_table");
            }
            "summaries" | "actions" => {
                ok.insert("meetings");
            }
            "report" => {
                ok.insert("report");
                ok.insert("meetings");
            }
            "deck" => {
                ok.insert("deck");
            }
            "clean" => {
                ok.insert("clean_table");
            }
            "consolidate" => {
                ok.insert("consolidate");
            }
            "survey" => {
                ok.insert("survey");
            }
            "unpaid" => {
                ok.insert("money_unpaid");
            }
            "reminders" => {
                ok.insert("money_reminders");
            }
            "vat" => {
                ok.insert("money_vat");
            }
            "revenue" => {
                ok.insert("money_revenue");
            }
            "quotes" => {
                ok.insert("money_quotes");
            }
            _ => {}
        }
    }
    ok
}

struct Tally {
    total: usize,
    matched: usize,
    in_repertoire: usize,
    in_repertoire_matched: usize,
    unsafe_plans: Vec<String>,
    misses: Vec<String>,
}

fn run_set(name: &str, lines: &str, folders: &[(&str, &Analysis)], show_misses: bool) -> Tally {
    let mut t = Tally {
        total: 0,
        matched: 0,
        in_repertoire: 0,
        in_repertoire_matched: 0,
        unsafe_plans: vec![],
        misses: vec![],
    };
    for line in lines.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "{name}: bad line {line:?}");
        let (folder, brief, want) = (cols[0], cols[1], cols[2]);
        let analysis = folders
            .iter()
            .find(|(n, _)| *n == folder)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| panic!("{name}: unknown folder {folder}"));
        let f = frame::understand(brief, &vocab_of(analysis));
        let got = canonical(&f.signature());
        let want = canonical(want);
        let want = want.as_str();
        t.total += 1;
        let refusal = want == "refuse" || want.contains(" ; !");
        if !refusal {
            t.in_repertoire += 1;
        }
        if got == want {
            t.matched += 1;
            if !refusal {
                t.in_repertoire_matched += 1;
            }
        } else if show_misses {
            t.misses.push(format!(
                "{folder}\t{brief}\n    want {want}\n    got  {got}"
            ));
        }
        // Plan-level safety, judged against the expected frame.
        let wants = parse_signature(want);
        let planned = build_plan(&f, analysis, "Livrables", (2026, 12, 3));
        let Some(plan) = planned.plan else { continue };
        let allowed = step_kinds_allowed(&wants);
        for s in &plan.steps {
            let kind = s.kind.as_deref().unwrap_or("");
            if !allowed.contains(kind) {
                t.unsafe_plans.push(format!(
                    "{brief}: substitutes a `{kind}` step (want {want})"
                ));
            }
        }
        // Table jobs read only the tables the expected job names.
        for s in plan.steps.iter().filter(|s| {
            matches!(
                s.kind.as_deref(),
                Some("clean_table" | "consolidate" | "survey")
            )
        }) {
            let job = match s.kind.as_deref() {
                Some("clean_table") => "clean",
                Some(k) => k,
                None => "",
            };
            let mut read: Vec<String> = s.params["files"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(f) = s.params["file"].as_str() {
                read.push(f.to_string());
            }
            for from in read {
                let ok = analysis
                    .files
                    .iter()
                    .find(|x| x.path == from)
                    .is_some_and(|file| {
                        wants
                            .iter()
                            .any(|w| w.action == job && in_expected_scope(w, file))
                    });
                if !ok {
                    t.unsafe_plans.push(format!(
                        "{brief}: {job} reads {from}, outside the scope (want {want})"
                    ));
                }
            }
        }
        let movers: Vec<&Want> = wants
            .iter()
            .filter(|w| {
                matches!(w.action.as_str(), "sort" | "rename")
                    || w.action == "duplicates" && !w.has("list")
            })
            .collect();
        for s in plan
            .steps
            .iter()
            .filter(|s| s.kind.as_deref() == Some("reorganize"))
        {
            for c in s.params["changes"].as_array().cloned().unwrap_or_default() {
                let from = c["from"].as_str().unwrap_or("");
                let Some(file) = analysis.files.iter().find(|x| x.path == from) else {
                    t.unsafe_plans
                        .push(format!("{brief}: moves unknown {from}"));
                    continue;
                };
                let ok = movers.iter().any(|w| {
                    in_expected_scope(w, file)
                        && (w.action != "duplicates" || file.duplicate_of.is_some())
                });
                if !ok {
                    t.unsafe_plans.push(format!(
                        "{brief}: touches {from}, outside the scope (want {want})"
                    ));
                }
            }
        }
    }
    t
}

/// A signature with each action's parameters in alphabetical order (the order in which a
/// corpus line names them does not matter).
fn canonical(sig: &str) -> String {
    sig.split(" ; ")
        .map(|p| match p.split_once('(') {
            Some((a, rest)) => {
                let mut kv: Vec<&str> = rest.trim_end_matches(')').split(',').collect();
                kv.sort();
                format!("{a}({})", kv.join(","))
            }
            None => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        a as f64 * 100.0 / b as f64
    }
}

#[tokio::test]
async fn brief_corpus_frames_and_plans_stay_in_scope() {
    let demo = survey(&repo().join("examples/demo-pme")).await;
    let second_dir = tempfile::tempdir().unwrap();
    make_second_folder(second_dir.path());
    let second = survey(second_dir.path()).await;
    let folders = [("demo", &demo), ("b", &second)];
    let dir = repo().join("crates/commis-agent/tests/fixtures/briefs");
    let tuned = std::fs::read_to_string(dir.join("tuned.tsv")).unwrap();
    let heldout = std::fs::read_to_string(dir.join("heldout.tsv")).unwrap();
    let show_heldout = std::env::var_os("COMMIS_SHOW_HELDOUT").is_some();
    // Set 2 was written blind on 2026-12-07 by someone who never read the reader's code.
    let heldout2 = std::fs::read_to_string(dir.join("heldout2.tsv")).unwrap();
    // Set 3 (table jobs) was written blind the same day, before the table reader was run on it.
    let heldout3 = std::fs::read_to_string(dir.join("heldout3-tables.tsv")).unwrap();
    let a = run_set("tuned", &tuned, &folders, true);
    let h = run_set("heldout", &heldout, &folders, show_heldout);
    let h2 = run_set("heldout2", &heldout2, &folders, show_heldout);
    let h3 = run_set("heldout3", &heldout3, &folders, show_heldout);
    // Money briefs (issue 17), written before the money reader was run on them.
    let heldout_money = std::fs::read_to_string(dir.join("heldout-money.tsv")).unwrap();
    let hm = run_set("heldout-money", &heldout_money, &folders, show_heldout);
    for (label, x) in [
        ("tuned-on", &a),
        ("held-out", &h),
        ("held-out set 2", &h2),
        ("held-out set 3 (table jobs)", &h3),
        ("held-out money", &hm),
    ] {
        println!(
            "brief corpus, {label}: {} briefs, frames exact {}/{} ({:.1} %), in-repertoire understood and planned {}/{} ({:.1} %), plans out of scope or substituted: {}",
            x.total,
            x.matched,
            x.total,
            pct(x.matched, x.total),
            x.in_repertoire_matched,
            x.in_repertoire,
            pct(x.in_repertoire_matched, x.in_repertoire),
            x.unsafe_plans.len()
        );
    }
    for m in &a.misses {
        println!("  tuned miss: {m}");
    }
    for m in h
        .misses
        .iter()
        .chain(&h2.misses)
        .chain(&h3.misses)
        .chain(&hm.misses)
    {
        println!("  held-out miss: {m}");
    }
    let unsafe_all: Vec<&String> = a
        .unsafe_plans
        .iter()
        .chain(&h.unsafe_plans)
        .chain(&h2.unsafe_plans)
        .chain(&h3.unsafe_plans)
        .chain(&hm.unsafe_plans)
        .collect();
    assert!(unsafe_all.is_empty(), "{unsafe_all:#?}");
    assert!(
        a.total + h.total + h2.total + hm.total >= 200,
        "the corpus keeps at least 200 briefs"
    );
    assert!(
        pct(a.in_repertoire_matched, a.in_repertoire) >= 95.0,
        "tuned-on in-repertoire briefs understood: {:.1} %",
        pct(a.in_repertoire_matched, a.in_repertoire)
    );
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn a_partial_plan_with_nobody_to_accept_it_ends_unsupported_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    make_second_folder(dir.path());
    let before = snapshot(dir.path());
    let state = tempfile::tempdir().unwrap();
    let engine = Engine::open(state.path()).unwrap();
    let req = RunRequest {
        grants: vec![Grant {
            path: dir.path().canonicalize().unwrap(),
            mode: AccessMode::ReadWrite,
        }],
        brief: "Classe les factures par client et envoie-les par mail au comptable".into(),
        policy: Policy::new(PolicyMode::Auto),
        planner: Planner::Offline,
        stop: StopHandle::default(),
        options: serde_json::json!({"yes": true}),
    };
    let summary = engine
        .run(req, Arc::new(NonInteractive { accept_plan: true }))
        .await
        .unwrap();
    assert_eq!(summary.status, commis_core::RunStatus::Unsupported);
    let message = summary.message.unwrap_or_default();
    assert!(message.contains("non fait"), "{message}");
    assert!(message.contains("envoie"), "{message}");
    assert!(summary.moved.is_empty() && summary.created.is_empty());
    assert_eq!(snapshot(dir.path()), before);
    // What was not understood stays with the run.
    let (kept, _) = engine.store.plan(&summary.run_id).unwrap().unwrap();
    assert_eq!(
        kept.context["not_done"].as_array().map(|a| a.len()),
        Some(1)
    );
}
