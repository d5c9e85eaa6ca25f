//! Journal and undo: what a user relies on when they type `commis undo RUN`.

use crate::common;

use std::fs;

use commis_core::{AccessMode, Grant, JournalOp, JournalState, JournalStore};
use commis_workspace::{BatchItem, WorkspaceError, sha256_hex, undo_run};
use common::{Fixture, copy_tree, tree};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/invoices");

/// A granted folder filled with real documents.
fn filled() -> Fixture {
    let f = Fixture::new();
    copy_tree(std::path::Path::new(FIXTURES), &f.grant.join("docs"));
    fs::create_dir(f.grant.join("empty")).unwrap();
    f
}

fn some_file(f: &Fixture) -> String {
    let mut files: Vec<String> = tree(&f.grant)
        .into_iter()
        .filter(|(p, k)| p.starts_with("docs/") && k.starts_with("file:"))
        .map(|(p, _)| p)
        .collect();
    files.sort();
    assert!(files.len() >= 3, "fixtures missing: {files:?}");
    files.remove(0)
}

fn states(f: &Fixture) -> Vec<JournalState> {
    f.journal
        .entries(&f.run)
        .unwrap()
        .into_iter()
        .map(|e| e.state)
        .collect()
}

#[test]
fn undo_after_every_kind_of_change_restores_the_folder_byte_for_byte() {
    let f = filled();
    let before = tree(&f.grant);
    let ws = f.workspace();
    let doc = some_file(&f);

    ws.write_file("notes.md", b"# new", false).unwrap();
    ws.write_file("inner/ok.txt", b"rewritten", true).unwrap();
    ws.write_file("inner/ok.txt", b"rewritten twice", true)
        .unwrap();
    ws.make_dir("out/2024/march").unwrap();
    ws.copy_file(&doc, "out/2024/copy.pdf").unwrap();
    ws.move_path("notes.md", "out/notes.md").unwrap();
    ws.write_file("out/notes.md", b"# edited after the move", true)
        .unwrap();
    ws.move_path("inner/sub", "out/sub-moved").unwrap();
    ws.delete(&doc).unwrap();
    ws.delete("empty").unwrap();
    let listing = ws.list("docs", true).unwrap();
    let pdfs: Vec<String> = listing
        .iter()
        .filter(|i| !i.is_dir)
        .map(|i| i.path.clone())
        .take(2)
        .collect();
    let mut items = vec![BatchItem::MakeDir {
        path: "Clients/ACME".into(),
    }];
    for (i, p) in pdfs.iter().enumerate() {
        items.push(BatchItem::Move {
            from: p.clone(),
            to: format!("Clients/ACME/{i}-{}", p.rsplit('/').next().unwrap()),
        });
    }
    let batch = ws.apply_batch("sort by client", items).unwrap();
    assert!(batch.skipped.is_empty());
    assert!(matches!(batch.op, JournalOp::Batch { ref ops, .. } if ops.len() == 4));
    assert_ne!(tree(&f.grant), before);
    assert!(states(&f).iter().all(|s| *s == JournalState::Done));

    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert_eq!(tree(&f.grant), before, "undo did not restore the folder");
    assert!(states(&f).iter().all(|s| *s == JournalState::Undone));
    assert_eq!(report.entries_undone, states(&f).len());
    assert!(report.restored.contains(&"inner/ok.txt".to_string()));
    assert!(report.restored.contains(&doc));
    assert!(report.dirs_recreated.contains(&"empty".to_string()));

    // Undoing twice changes nothing and says so.
    match undo_run(&f.run, f.journal.as_ref(), &f.blobs, false) {
        Err(WorkspaceError::NothingToUndo { reason, .. }) => {
            assert_eq!(reason, commis_workspace::NothingToUndo::AlreadyUndone)
        }
        other => panic!("second undo: {other:?}"),
    }
    assert_eq!(tree(&f.grant), before);
}

#[test]
fn undo_with_changed_files_restores_the_rest_keeps_the_users_versions_and_stays_undoable() {
    let f = filled();
    let ws = f.workspace();
    let before = tree(&f.grant);
    let doc = some_file(&f);
    ws.write_file("inner/ok.txt", b"by the run", true).unwrap();
    ws.write_file("report.md", b"by the run", false).unwrap();
    ws.move_path(&doc, "moved.pdf").unwrap();
    ws.make_dir("Livrables").unwrap();
    ws.write_file("Livrables/deck.txt", b"deck", false).unwrap();
    // The user edits two of the run's files afterwards.
    fs::write(f.grant.join("inner/ok.txt"), b"by the user").unwrap();
    fs::write(f.grant.join("report.md"), b"user notes").unwrap();

    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert!(!report.complete);
    // Everything not in conflict is undone...
    assert!(f.grant.join(&doc).is_file(), "the move was not undone");
    assert!(!f.grant.join("Livrables").exists());
    // ...the user's versions stay where they are, each conflict says so.
    assert_eq!(
        fs::read(f.grant.join("inner/ok.txt")).unwrap(),
        b"by the user"
    );
    assert_eq!(fs::read(f.grant.join("report.md")).unwrap(), b"user notes");
    let mut conflicts: Vec<(String, Option<String>, bool)> = report
        .conflicts
        .iter()
        .map(|c| (c.path.clone(), c.kept_at.clone(), c.restored))
        .collect();
    conflicts.sort();
    assert_eq!(
        conflicts,
        vec![
            ("inner/ok.txt".into(), Some("inner/ok.txt".into()), false),
            ("report.md".into(), Some("report.md".into()), false),
        ]
    );
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    // The run stays undoable for what is left: the journal still has it.
    let left: Vec<_> = f
        .journal
        .entries(&f.run)
        .unwrap()
        .into_iter()
        .filter(|e| e.state == JournalState::Done)
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");

    // With force: the original comes back, the user's version is kept beside it.
    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, true).unwrap();
    assert!(report.complete, "{report:?}");
    let kept: Vec<(String, String)> = report
        .conflicts
        .iter()
        .map(|c| (c.path.clone(), c.kept_at.clone().unwrap()))
        .collect();
    assert!(kept.contains(&("inner/ok.txt".into(), "inner/ok (kept version).txt".into())));
    assert!(kept.contains(&("report.md".into(), "report (kept version).md".into())));
    assert_eq!(
        fs::read(f.grant.join("inner/ok (kept version).txt")).unwrap(),
        b"by the user"
    );
    assert_eq!(
        fs::read(f.grant.join("report (kept version).md")).unwrap(),
        b"user notes"
    );
    let mut now = tree(&f.grant);
    now.remove("inner/ok (kept version).txt");
    now.remove("report (kept version).md");
    assert_eq!(now, before);
    assert!(f.blobs.has(&sha256_hex(b"by the user")));
    assert!(states(&f).iter().all(|s| *s == JournalState::Undone));
}

#[test]
fn force_lists_what_it_cannot_restore_with_the_reason() {
    let f = filled();
    let ws = f.workspace();
    let doc = some_file(&f);
    ws.move_path(&doc, "moved.pdf").unwrap();
    ws.write_file("new.txt", b"by the run", false).unwrap();
    // The user deletes the moved file: commis never had a copy of it (a move backs up
    // nothing), so it cannot come back.
    fs::remove_file(f.grant.join("moved.pdf")).unwrap();
    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, true).unwrap();
    assert!(!report.complete);
    assert!(!f.grant.join("new.txt").exists(), "the rest was not undone");
    let c = &report.conflicts[0];
    assert_eq!(report.conflicts.len(), 1);
    assert_eq!(c.path, "moved.pdf");
    assert_eq!(c.kind, commis_workspace::ConflictKind::Missing);
    assert!(!c.restored);
    assert_eq!(c.kept_at, None);
}

#[test]
fn an_older_run_whose_files_a_newer_run_moved_asks_for_the_newer_first_and_cascade_does_both() {
    let f = filled();
    let before = tree(&f.grant);
    let doc = some_file(&f);
    let older = f.workspace();
    older.make_dir("Clients").unwrap();
    older.move_path(&doc, "Clients/facture.pdf").unwrap();
    older
        .write_file("Clients/notes.txt", b"notes", false)
        .unwrap();
    let newer_run = commis_core::RunId("20261124-000000-0002".into());
    let newer = commis_workspace::Workspace::open(
        vec![Grant {
            path: f.grant.clone(),
            mode: AccessMode::ReadWrite,
        }],
        newer_run.clone(),
        f.journal.clone(),
        f.blobs.clone(),
    )
    .unwrap();
    newer.make_dir("Archive").unwrap();
    newer
        .move_path("Clients/facture.pdf", "Archive/facture.pdf")
        .unwrap();
    let after_both = tree(&f.grant);
    let later_of =
        |run: &commis_core::RunId| -> commis_workspace::Result<Vec<commis_core::JournalEntry>> {
            let other = if *run == f.run { &newer_run } else { &f.run };
            Ok(f.journal.entries(other)?)
        };
    let opts = commis_workspace::UndoOptions {
        later: later_of(&f.run).unwrap(),
        force: true,
        ..Default::default()
    };
    match commis_workspace::undo_run_with(&f.run, f.journal.as_ref(), &f.blobs, &opts) {
        Err(WorkspaceError::NewerRunFirst { newer, .. }) => {
            assert_eq!(newer.len(), 1);
            assert_eq!(newer[0].run, newer_run);
            assert!(newer[0].paths.contains(&"Clients/facture.pdf".to_string()));
        }
        other => panic!("expected NewerRunFirst, got {other:?}"),
    }
    assert_eq!(tree(&f.grant), after_both, "a refused undo changed files");
    let message = WorkspaceError::NewerRunFirst {
        run: f.run.clone(),
        newer: vec![],
    }
    .to_string();
    assert!(message.contains("--cascade"), "{message}");

    let reports = commis_workspace::undo_cascade(
        &f.run,
        f.journal.as_ref(),
        &f.blobs,
        &commis_workspace::UndoOptions::default(),
        &later_of,
    )
    .unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].run, newer_run, "the newer run is undone first");
    assert!(reports.iter().all(|r| r.complete));
    assert_eq!(tree(&f.grant), before);
}

#[test]
fn undo_removes_the_temporary_files_a_crash_left_and_checks_the_folder() {
    let f = filled();
    let before = tree(&f.grant);
    let ws = f.workspace();
    ws.make_dir("Livrables").unwrap();
    ws.write_file("Livrables/deck.pptx", b"deck", false)
        .unwrap();
    // What a kill -9 during a write leaves: a complete temporary file whose writer is gone.
    let debris = f.grant.join("Livrables/.commis-tmp-4000000-1-0000abcd");
    fs::write(&debris, b"a complete deck").unwrap();
    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert_eq!(
        report.temp_files_removed,
        vec!["Livrables/.commis-tmp-4000000-1-0000abcd".to_string()]
    );
    assert!(
        report.complete && report.mismatches.is_empty(),
        "{report:?}"
    );
    assert_eq!(tree(&f.grant), before);
    assert!(f.blobs.has(&sha256_hex(b"a complete deck")));
}

#[test]
fn a_sort_that_empties_folders_removes_them_and_undo_recreates_them() {
    let f = filled();
    fs::create_dir_all(f.grant.join("A trier/Scans")).unwrap();
    fs::write(f.grant.join("A trier/Scans/scan1.pdf"), b"scan").unwrap();
    fs::write(f.grant.join("A trier/facture.pdf"), b"facture").unwrap();
    fs::create_dir_all(f.grant.join("Kept")).unwrap();
    fs::write(f.grant.join("Kept/a.txt"), b"a").unwrap();
    fs::write(f.grant.join("Kept/b.txt"), b"b").unwrap();
    let before = tree(&f.grant);
    let ws = f.workspace();
    let outcome = ws
        .apply_batch(
            "sort",
            vec![
                BatchItem::MakeDir {
                    path: "Clients/Dupont".into(),
                },
                BatchItem::Move {
                    from: "A trier/Scans/scan1.pdf".into(),
                    to: "Clients/Dupont/scan1.pdf".into(),
                },
                BatchItem::Move {
                    from: "A trier/facture.pdf".into(),
                    to: "Clients/Dupont/facture.pdf".into(),
                },
                BatchItem::Move {
                    from: "Kept/a.txt".into(),
                    to: "Clients/a.txt".into(),
                },
            ],
        )
        .unwrap();
    let mut removed = outcome.removed_dirs.clone();
    removed.sort();
    assert_eq!(
        removed,
        vec!["A trier".to_string(), "A trier/Scans".to_string()]
    );
    assert!(!f.grant.join("A trier").exists());
    assert!(
        f.grant.join("Kept/b.txt").exists(),
        "a folder still in use was removed"
    );
    // One journal entry holds the moves and the removals.
    assert_eq!(f.journal.entries(&f.run).unwrap().len(), 1);
    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert!(report.complete, "{report:?}");
    assert_eq!(tree(&f.grant), before);
}

#[test]
fn a_deliverable_written_before_a_crash_is_not_written_again_on_resume() {
    let f = filled();
    let ws = f.workspace();
    ws.make_dir("Livrables").unwrap();
    ws.write_file("Livrables/deck.pptx", b"first attempt", true)
        .unwrap();
    drop(ws);
    // The process dies; `resume` opens the run again and the step writes its deck again
    // (a new timestamp inside makes other bytes).
    let resumed = f.workspace();
    let op = resumed
        .write_file("Livrables/deck.pptx", b"second attempt", true)
        .unwrap();
    assert!(matches!(op, JournalOp::Create { .. }), "{op:?}");
    assert_eq!(
        fs::read(f.grant.join("Livrables/deck.pptx")).unwrap(),
        b"first attempt"
    );
    let creates = f
        .journal
        .entries(&f.run)
        .unwrap()
        .iter()
        .filter(|e| {
            e.op.leaves()
                .iter()
                .any(|l| matches!(l, JournalOp::Create { .. } | JournalOp::Modify { .. }))
        })
        .count();
    assert_eq!(creates, 1, "the deliverable was written twice");
    // Within one process a run may still rewrite its own file.
    resumed
        .write_file("Livrables/deck.pptx", b"revised", true)
        .unwrap();
    resumed
        .write_file("Livrables/deck.pptx", b"revised again", true)
        .unwrap();
    assert_eq!(
        fs::read(f.grant.join("Livrables/deck.pptx")).unwrap(),
        b"revised again"
    );
}

#[test]
fn a_crash_between_journaling_and_acting_undoes_cleanly() {
    let f = filled();
    let before = tree(&f.grant);
    let root = fs::canonicalize(&f.grant).unwrap();
    // Entries recorded Pending, then "the process died": nothing was done.
    for op in [
        JournalOp::Create {
            path: "never.txt".into(),
            after: sha256_hex(b"never"),
        },
        JournalOp::Delete {
            path: "inner/ok.txt".into(),
            before: f.blobs.put(b"inside").unwrap(),
        },
        JournalOp::Move {
            from: "inner/ok.txt".into(),
            to: "moved.txt".into(),
            hash: Some(sha256_hex(b"inside")),
        },
        JournalOp::MakeDir {
            path: "never-made".into(),
        },
    ] {
        f.journal.begin(&f.run, &root, &op).unwrap();
    }
    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert_eq!(report.never_applied, 4);
    assert_eq!(report.entries_undone, 0);
    assert_eq!(tree(&f.grant), before);
    assert!(states(&f).iter().all(|s| *s == JournalState::Aborted));
}

#[test]
fn a_pending_change_that_did_happen_is_undone_too() {
    let f = filled();
    let before = tree(&f.grant);
    let root = fs::canonicalize(&f.grant).unwrap();
    let old = f.blobs.put(b"inside").unwrap();
    f.journal
        .begin(
            &f.run,
            &root,
            &JournalOp::Modify {
                path: "inner/ok.txt".into(),
                before: old,
                after: sha256_hex(b"new"),
            },
        )
        .unwrap();
    // The write happened, the process died before marking the entry Done.
    fs::write(f.grant.join("inner/ok.txt"), b"new").unwrap();
    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert_eq!(report.entries_undone, 1);
    assert_eq!(tree(&f.grant), before);
}

#[test]
fn deleting_keeps_the_bytes_and_overwriting_needs_consent() {
    let f = filled();
    let ws = f.workspace();
    let doc = some_file(&f);
    let bytes = fs::read(f.grant.join(&doc)).unwrap();
    assert!(matches!(
        ws.write_file(&doc, b"x", false),
        Err(WorkspaceError::AlreadyExists { .. })
    ));
    assert_eq!(fs::read(f.grant.join(&doc)).unwrap(), bytes);
    let op = ws.delete(&doc).unwrap();
    assert_eq!(
        op,
        JournalOp::Delete {
            path: doc.clone(),
            before: sha256_hex(&bytes)
        }
    );
    assert!(!f.grant.join(&doc).exists());
    assert_eq!(f.blobs.get(&sha256_hex(&bytes)).unwrap(), bytes);
    assert!(matches!(
        ws.delete("docs"),
        Err(WorkspaceError::DirectoryNotEmpty { .. })
    ));
    assert!(
        ws.move_path("inner/ok.txt", "docs").is_err(),
        "move clobbered a folder"
    );
    ws.write_file("a.txt", b"a", false).unwrap();
    assert!(matches!(
        ws.move_path("inner/ok.txt", "a.txt"),
        Err(WorkspaceError::AlreadyExists { .. })
    ));
    assert_eq!(fs::read(f.grant.join("a.txt")).unwrap(), b"a");
}

#[test]
fn a_read_only_grant_refuses_every_change_and_records_nothing() {
    let f = filled();
    let before = tree(&f.grant);
    let ws = f.workspace_with(vec![Grant {
        path: f.grant.clone(),
        mode: AccessMode::ReadOnly,
    }]);
    assert_eq!(ws.read("inner/ok.txt", 100).unwrap(), b"inside");
    let refused = [
        ws.write_file("n.txt", b"x", false).err(),
        ws.write_file("inner/ok.txt", b"x", true).err(),
        ws.make_dir("d").err(),
        ws.copy_file("inner/ok.txt", "c.txt").err(),
        ws.move_path("inner/ok.txt", "m.txt").err(),
        ws.delete("inner/ok.txt").err(),
        ws.apply_batch("b", vec![BatchItem::MakeDir { path: "d".into() }])
            .err(),
    ];
    for r in refused {
        assert!(matches!(r, Some(WorkspaceError::ReadOnly { .. })), "{r:?}");
    }
    assert_eq!(tree(&f.grant), before);
    assert!(f.journal.entries(&f.run).unwrap().is_empty());
}

#[test]
fn a_batch_with_one_bad_item_applies_the_rest_and_names_the_bad_one() {
    let f = filled();
    let ws = f.workspace();
    let outcome = ws
        .apply_batch(
            "sort",
            vec![
                BatchItem::MakeDir { path: "A/B".into() },
                BatchItem::Move {
                    from: "inner/ok.txt".into(),
                    to: "A/B/ok.txt".into(),
                },
                BatchItem::Move {
                    from: "does-not-exist".into(),
                    to: "A/x".into(),
                },
            ],
        )
        .unwrap();
    assert_eq!(outcome.skipped.len(), 1);
    assert!(matches!(
        outcome.skipped[0].reason,
        WorkspaceError::NotFound { .. }
    ));
    assert!(f.grant.join("A/B/ok.txt").is_file());
}

#[test]
fn changes_made_behind_commis_back_are_journaled_from_snapshots_and_undone() {
    let f = filled();
    let before = tree(&f.grant);
    let ws = f.workspace();
    let snap = ws.snapshot().unwrap();
    assert!(snap.file_count() >= 4);
    // What a sandboxed command might do.
    let doc = some_file(&f);
    fs::write(f.grant.join("inner/ok.txt"), b"changed by a command").unwrap();
    fs::remove_file(f.grant.join(&doc)).unwrap();
    fs::create_dir_all(f.grant.join("build/out")).unwrap();
    fs::write(f.grant.join("build/out/result.csv"), b"a,b\n1,2\n").unwrap();
    fs::remove_dir(f.grant.join("empty")).unwrap();
    let ops = ws
        .journal_changes_since(&snap, "run_command: make")
        .unwrap();
    assert!(ops.contains(&JournalOp::Create {
        path: "build/out/result.csv".into(),
        after: sha256_hex(b"a,b\n1,2\n")
    }));
    assert!(
        ops.iter()
            .any(|o| matches!(o, JournalOp::Modify { path, .. } if path == "inner/ok.txt"))
    );
    assert!(
        ops.iter()
            .any(|o| matches!(o, JournalOp::Delete { path, .. } if *path == doc))
    );
    undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert_eq!(tree(&f.grant), before);
}

#[test]
fn undo_works_across_several_granted_folders() {
    let f = filled();
    let second = f.base.join("second");
    fs::create_dir(&second).unwrap();
    fs::write(second.join("b.txt"), b"b").unwrap();
    let (b1, b2) = (tree(&f.grant), tree(&second));
    let ws = f.workspace_with(vec![
        Grant {
            path: f.grant.clone(),
            mode: AccessMode::ReadWrite,
        },
        Grant {
            path: second.clone(),
            mode: AccessMode::ReadWrite,
        },
    ]);
    let op = ws.copy_file("grant/inner/ok.txt", "second/ok.txt").unwrap();
    assert!(matches!(op, JournalOp::Create { ref path, .. } if path == "second/ok.txt"));
    ws.delete("second/b.txt").unwrap();
    ws.write_file("grant/new.txt", b"n", false).unwrap();
    undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert_eq!((tree(&f.grant), tree(&second)), (b1, b2));
}

#[test]
fn undo_recreates_folders_removed_since_to_put_deleted_files_back() {
    let f = filled();
    let before = tree(&f.grant);
    let ws = f.workspace();
    ws.delete("inner/ok.txt").unwrap();
    // The user then removes the now-empty folders themselves.
    fs::remove_dir(f.grant.join("inner/sub")).unwrap();
    fs::remove_dir(f.grant.join("inner")).unwrap();
    undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    let mut expected = before;
    expected.remove("inner/sub");
    assert_eq!(tree(&f.grant), expected);
}

#[test]
fn an_interrupted_undo_can_simply_be_run_again() {
    let f = filled();
    let before = tree(&f.grant);
    let ws = f.workspace();
    ws.write_file("inner/ok.txt", b"v2", true).unwrap();
    ws.write_file("new.txt", b"n", false).unwrap();
    // Simulate an undo that died after reverting the newest entry only.
    fs::remove_file(f.grant.join("new.txt")).unwrap();
    undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert_eq!(tree(&f.grant), before);
}

#[test]
fn undo_follows_files_through_moved_folders() {
    let f = filled();
    let before = tree(&f.grant);
    let ws = f.workspace();
    let doc = some_file(&f); // docs/...
    let inside = doc.strip_prefix("docs/").unwrap().to_string();
    ws.apply_batch(
        "archive",
        vec![
            BatchItem::MakeDir {
                path: "archive/2024".into(),
            },
            BatchItem::Move {
                from: "docs".into(),
                to: "archive/2024/docs".into(),
            },
        ],
    )
    .unwrap();
    let moved = format!("archive/2024/docs/{inside}");
    ws.write_file(&moved, b"edited inside the moved folder", true)
        .unwrap();
    ws.write_file("archive/2024/docs/added.txt", b"added", false)
        .unwrap();
    ws.move_path("archive/2024/docs", "archive/docs-renamed")
        .unwrap();
    ws.delete(&format!("archive/docs-renamed/{inside}"))
        .unwrap();
    undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert_eq!(tree(&f.grant), before);
}

#[test]
fn undo_notices_a_change_inside_a_moved_folder() {
    let f = filled();
    let ws = f.workspace();
    let doc = some_file(&f);
    let inside = doc.strip_prefix("docs/").unwrap().to_string();
    ws.write_file(&doc, b"by the run", true).unwrap();
    ws.move_path("docs", "renamed").unwrap();
    fs::write(f.grant.join("renamed").join(&inside), b"by the user").unwrap();
    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert!(!report.complete);
    assert_eq!(report.conflicts.len(), 1);
    // The folder move is undone; the edited file is left as the user made it.
    assert_eq!(report.conflicts[0].path, doc);
    assert_eq!(report.conflicts[0].found, sha256_hex(b"by the user"));
    assert_eq!(fs::read(f.grant.join(&doc)).unwrap(), b"by the user");
}
