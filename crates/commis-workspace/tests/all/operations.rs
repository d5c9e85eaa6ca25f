//! Everyday behaviour of the operations, beyond escapes and undo.

use crate::common;

use std::fs;
use std::time::{Duration, Instant};

use commis_core::{JournalOp, JournalState, JournalStore};
use commis_workspace::{BatchItem, WorkspaceError, sha256_hex};
use common::Fixture;

#[cfg(target_os = "linux")]
#[test]
fn a_named_pipe_in_the_folder_never_hangs_a_read_and_is_left_alone() {
    let f = Fixture::new();
    let dir = fs::File::open(&f.grant).unwrap();
    rustix::fs::mknodat(
        &dir,
        "pipe",
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
    let ws = f.workspace();
    let start = Instant::now();
    assert!(matches!(
        ws.read("pipe", 10),
        Err(WorkspaceError::NotARegularFile { .. })
    ));
    assert!(ws.hash("pipe").is_err());
    assert!(ws.copy_file("pipe", "copy").is_err());
    assert!(ws.delete("pipe").is_err());
    assert!(ws.move_path("pipe", "moved").is_err());
    assert!(ws.write_file("pipe", b"x", true).is_err());
    assert!(start.elapsed() < Duration::from_secs(5));
    let listed: Vec<String> = ws
        .list("", true)
        .unwrap()
        .into_iter()
        .map(|i| i.path)
        .collect();
    assert!(!listed.contains(&"pipe".to_string()));
}

#[test]
fn reads_larger_than_the_limit_are_refused_with_the_sizes() {
    let f = Fixture::new();
    fs::write(f.grant.join("big.bin"), vec![7u8; 5000]).unwrap();
    let ws = f.workspace();
    match ws.read("big.bin", 4999) {
        Err(WorkspaceError::TooLarge { size, max, .. }) => assert_eq!((size, max), (5000, 4999)),
        other => panic!("{other:?}"),
    }
    assert_eq!(ws.read("big.bin", 5000).unwrap().len(), 5000);
}

#[test]
fn copies_never_overwrite_and_report_what_they_created() {
    let f = Fixture::new();
    let ws = f.workspace();
    let op = ws.copy_file("inner/ok.txt", "copy.txt").unwrap();
    assert_eq!(
        op,
        JournalOp::Create {
            path: "copy.txt".into(),
            after: sha256_hex(b"inside")
        }
    );
    assert!(matches!(
        ws.copy_file("inner/ok.txt", "copy.txt"),
        Err(WorkspaceError::AlreadyExists { .. })
    ));
    assert!(matches!(
        ws.copy_file("inner/ok.txt", "missing/copy.txt"),
        Err(WorkspaceError::ParentMissing { .. })
    ));
}

#[test]
fn listings_are_sorted_and_describe_each_entry() {
    let f = Fixture::new();
    fs::write(f.grant.join("b.txt"), b"bb").unwrap();
    fs::write(f.grant.join("a.txt"), b"a").unwrap();
    let ws = f.workspace();
    let all = ws.list("", true).unwrap();
    let paths: Vec<&str> = all.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["a.txt", "b.txt", "inner", "inner/ok.txt", "inner/sub"]
    );
    assert_eq!(all[1].size, 2);
    assert!(all[2].is_dir);
    assert!(all[0].modified > 1_600_000_000_000);
    let top: Vec<String> = ws
        .list("", false)
        .unwrap()
        .into_iter()
        .map(|i| i.path)
        .collect();
    assert_eq!(top, vec!["a.txt", "b.txt", "inner"]);
    assert_eq!(ws.list("inner/", false).unwrap().len(), 2);
    assert!(matches!(
        ws.list("a.txt", false),
        Err(WorkspaceError::NotADirectory { .. })
    ));
    assert!(ws.exists("a.txt").unwrap());
    assert!(!ws.exists("nope.txt").unwrap());
    assert_eq!(ws.hash("a.txt").unwrap(), sha256_hex(b"a"));
    assert!(ws.metadata("inner").unwrap().is_dir);
}

#[test]
fn making_a_deep_folder_is_one_entry_and_existing_folders_record_nothing() {
    let f = Fixture::new();
    let ws = f.workspace();
    let op = ws.make_dir("x/y/z").unwrap().unwrap();
    assert_eq!(op.leaves().len(), 3);
    assert!(f.grant.join("x/y/z").is_dir());
    assert_eq!(ws.make_dir("x/y").unwrap(), None);
    assert_eq!(
        ws.make_dir("inner/new").unwrap().unwrap(),
        JournalOp::MakeDir {
            path: "inner/new".into()
        }
    );
    let entries = f.journal.entries(&f.run).unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.state == JournalState::Done));
    assert!(matches!(
        ws.make_dir("inner/ok.txt/sub"),
        Err(WorkspaceError::NotADirectory { .. })
    ));
}

#[test]
fn a_rewritten_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    let p = f.grant.join("inner/ok.txt");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
    f.workspace()
        .write_file("inner/ok.txt", b"new", true)
        .unwrap();
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

/// Rough costs, for docs/PERFORMANCE.md:
/// `cargo test -p commis-workspace --release --test all operations:: -- --ignored --nocapture`
#[test]
#[ignore]
fn measure_journaled_writes_and_undo() {
    let f = Fixture::new();
    let ws = f.workspace();
    let n = 2000;
    let payload = vec![b'x'; 16 * 1024];
    let t = Instant::now();
    for i in 0..n {
        ws.write_file(&format!("f{i}.bin"), &payload, false)
            .unwrap();
    }
    let write = t.elapsed();
    let t = Instant::now();
    for i in 0..n {
        ws.write_file(&format!("f{i}.bin"), b"rewritten", true)
            .unwrap();
    }
    let rewrite = t.elapsed();
    let t = Instant::now();
    let listed = ws.list("", true).unwrap().len();
    let list = t.elapsed();
    let t = Instant::now();
    let snap = ws.snapshot().unwrap();
    let snapshot = t.elapsed();
    let t = Instant::now();
    let report = commis_workspace::undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    let undo = t.elapsed();
    assert_eq!(report.entries_undone, 2 * n);
    println!(
        "{n} new 16 KiB files: {:.0} µs/file; {n} overwrites with backup: {:.0} µs/file; \
         list of {listed}: {:?}; snapshot of {} files: {:?}; undo of {} entries: {:?}",
        write.as_micros() as f64 / n as f64,
        rewrite.as_micros() as f64 / n as f64,
        list,
        snap.file_count(),
        snapshot,
        2 * n,
        undo
    );
}

#[test]
fn a_batch_drops_the_files_it_cannot_move_with_their_reasons_and_moves_the_rest() {
    let f = Fixture::new();
    let g = &f.grant;
    fs::write(g.join("facture.pdf"), b"ok").unwrap();
    fs::write(g.join("bad\nname.pdf"), b"newline").unwrap();
    fs::write(g.join("linked.pdf"), b"linked").unwrap();
    fs::hard_link(g.join("linked.pdf"), f.outside.join("linked-copy.pdf")).unwrap();
    let long_a = format!("{}-a.pdf", "x".repeat(200));
    let long_b = format!("{}-b.pdf", "x".repeat(200));
    fs::write(g.join(&long_a), b"a").unwrap();
    fs::write(g.join(&long_b), b"b").unwrap();
    let truncated = format!("Clients/{}.pdf", "x".repeat(120));
    let items = vec![
        BatchItem::MakeDir {
            path: "Clients".into(),
        },
        BatchItem::Move {
            from: "facture.pdf".into(),
            to: "Clients/facture.pdf".into(),
        },
        BatchItem::Move {
            from: "bad\nname.pdf".into(),
            to: "Clients/bad name.pdf".into(),
        },
        BatchItem::Move {
            from: "linked.pdf".into(),
            to: "Clients/linked.pdf".into(),
        },
        // Two long names shortened to the same one: the second collides.
        BatchItem::Move {
            from: long_a.clone(),
            to: truncated.clone(),
        },
        BatchItem::Move {
            from: long_b.clone(),
            to: truncated.clone(),
        },
    ];
    let ws = f.workspace();
    // Known before anything changes, so a plan can show them.
    let foreseen = ws.check_batch(&items).unwrap();
    assert_eq!(foreseen.len(), 3, "{foreseen:?}");
    let outcome = ws.apply_batch("sort", items).unwrap();
    let reasons: Vec<String> = outcome
        .skipped
        .iter()
        .map(|s| s.reason.to_string())
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("U+000A"), "{reasons:?}");
    assert!(reasons[1].contains("hard links"), "{reasons:?}");
    assert!(reasons[2].contains("already exists"), "{reasons:?}");
    assert!(g.join("Clients/facture.pdf").is_file());
    assert_eq!(fs::read(g.join(&truncated)).unwrap(), b"a");
    assert!(g.join("bad\nname.pdf").exists() && g.join("linked.pdf").exists());
    assert!(g.join(&long_b).exists());
    // Undo puts back what was applied.
    let report = commis_workspace::undo_run(&f.run, f.journal.as_ref(), &f.blobs, false).unwrap();
    assert!(report.complete);
    assert!(g.join("facture.pdf").is_file() && g.join(&long_a).is_file());
}

#[test]
fn orphaned_temporary_files_are_removed_but_a_live_writers_are_kept() {
    let f = Fixture::new();
    let dead = f.grant.join("inner/.commis-tmp-4000000-1-0000abcd");
    let live = f.grant.join(format!(
        "inner/.commis-tmp-{}-1-0000abcd",
        std::process::id()
    ));
    fs::write(&dead, b"left by a crash").unwrap();
    fs::write(&live, b"being written").unwrap();
    let removed = f.workspace().clean_orphaned_temp_files().unwrap();
    assert_eq!(
        removed,
        vec!["inner/.commis-tmp-4000000-1-0000abcd".to_string()]
    );
    assert!(!dead.exists() && live.exists());
}
