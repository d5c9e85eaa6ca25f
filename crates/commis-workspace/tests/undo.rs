//! Journal and undo: what a user relies on when they type `commis undo RUN`.

mod common;

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
    assert!(matches!(batch, JournalOp::Batch { ref ops, .. } if ops.len() == 4));
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
            assert!(reason.contains("already undone"))
        }
        other => panic!("second undo: {other:?}"),
    }
    assert_eq!(tree(&f.grant), before);
}

#[test]
fn undo_refuses_when_a_file_changed_after_the_run_and_force_overrides_with_a_backup() {
    let f = filled();
    let ws = f.workspace();
    let before = tree(&f.grant);
    ws.write_file("inner/ok.txt", b"by the run", true).unwrap();
    ws.write_file("report.md", b"by the run", false).unwrap();
    // The user edits both afterwards.
    fs::write(f.grant.join("inner/ok.txt"), b"by the user").unwrap();
    fs::write(f.grant.join("report.md"), b"user notes").unwrap();
    let edited = tree(&f.grant);

    match undo_run(&f.run, f.journal.as_ref(), &f.blobs, false) {
        Err(WorkspaceError::ChangedSince { changes, .. }) => {
            let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
            assert_eq!(paths.len(), 2, "{paths:?}");
            assert!(paths.contains(&"inner/ok.txt") && paths.contains(&"report.md"));
        }
        other => panic!("expected ChangedSince, got {other:?}"),
    }
    assert_eq!(tree(&f.grant), edited, "a refused undo changed files");
    assert!(states(&f).iter().all(|s| *s == JournalState::Done));

    let report = undo_run(&f.run, f.journal.as_ref(), &f.blobs, true).unwrap();
    assert_eq!(tree(&f.grant), before);
    assert_eq!(report.overridden.len(), 2);
    // The user's edits were not lost: they are in the backup store.
    assert!(f.blobs.has(&sha256_hex(b"by the user")));
    assert!(f.blobs.has(&sha256_hex(b"user notes")));
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
fn a_batch_with_one_bad_item_changes_nothing() {
    let f = filled();
    let before = tree(&f.grant);
    let ws = f.workspace();
    let err = ws.apply_batch(
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
    );
    assert!(err.is_err());
    assert_eq!(tree(&f.grant), before);
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
    match undo_run(&f.run, f.journal.as_ref(), &f.blobs, false) {
        Err(WorkspaceError::ChangedSince { changes, .. }) => {
            assert_eq!(changes.len(), 1);
            assert_eq!(changes[0].path, doc);
            assert_eq!(changes[0].found, sha256_hex(b"by the user"));
        }
        other => panic!("{other:?}"),
    }
}
