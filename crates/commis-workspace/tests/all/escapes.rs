//! The escape suite: every trick we know for reaching outside the granted folder, run
//! through every reading and changing operation. None may succeed, and the planted outside
//! files and folders must be untouched afterwards.

use crate::common;

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use commis_core::{AccessMode, Grant};
use commis_workspace::{BatchItem, Workspace};
use common::Fixture;

/// Paths that must be refused by every operation. Each would reach outside the granted
/// folder (or a commis-internal file) if it were accepted.
fn attempts(f: &Fixture) -> Vec<(&'static str, String)> {
    let abs_outside = f.outside.display().to_string();
    let v: Vec<(&'static str, String)> = vec![
        // `..` in all its forms
        ("parent", "..".into()),
        ("parent file", "../outside/secret.txt".into()),
        ("parent twice", "../../etc/passwd".into()),
        (
            "down then up too far",
            "inner/../../outside/secret.txt".into(),
        ),
        ("dot then parent", "./../outside/secret.txt".into()),
        ("deep climb", "inner/sub/../../../outside/secret.txt".into()),
        (
            "grant name then climb",
            "grant/../../outside/secret.txt".into(),
        ),
        ("double slash climb", "inner//../../outside".into()),
        ("parent with trailing slash", "../outside/".into()),
        ("parent with trailing dot", "../outside/.".into()),
        // absolute and Windows-style paths
        ("absolute system file", "/etc/passwd".into()),
        ("absolute outside file", format!("{abs_outside}/secret.txt")),
        ("absolute outside folder", abs_outside.clone()),
        ("double leading slash", "//outside/secret.txt".into()),
        ("url", "file:///etc/passwd".into()),
        ("backslash climb", "..\\outside\\secret.txt".into()),
        ("mixed separators", "inner\\..\\..\\outside".into()),
        ("drive letter", "C:\\Windows\\win.ini".into()),
        ("drive letter forward", "C:/outside".into()),
        ("verbatim prefix", "\\\\?\\C:\\outside".into()),
        ("unc share", "\\\\server\\share\\x".into()),
        // symlinks leading out
        ("symlink to outside file", "link_file".into()),
        ("symlink to outside folder", "link_dir".into()),
        (
            "file through symlinked folder",
            "link_dir/secret.txt".into(),
        ),
        (
            "new file through symlinked folder",
            "link_dir/new.txt".into(),
        ),
        ("absolute symlink folder", "abs_link/secret.txt".into()),
        ("absolute symlink file", "abs_file_link".into()),
        ("inner symlink used as parent", "inner/up/secret.txt".into()),
        ("inner symlink nested new dir", "inner/up/newdir/x".into()),
        ("chain of symlinks", "chain/secret.txt".into()),
        ("symlink to root", "root_link/etc/passwd".into()),
        ("symlinked folder trailing slash", "link_dir/".into()),
        ("symlinked folder trailing dot", "link_dir/.".into()),
        (
            "symlinked folder dot segment",
            "link_dir/./secret.txt".into(),
        ),
        (
            "symlink then climb",
            "link_file/../../outside/secret.txt".into(),
        ),
        // hard link to an outside file
        ("hard link", "hard".into()),
        // Unicode tricks
        (
            "fullwidth dots",
            "\u{FF0E}\u{FF0E}/outside/secret.txt".into(),
        ),
        ("one dot leaders", "\u{2024}\u{2024}/outside".into()),
        (
            "division slash",
            "..\u{2215}outside\u{2215}secret.txt".into(),
        ),
        ("fullwidth solidus", "..\u{FF0F}outside".into()),
        ("fraction slash", "\u{2044}etc\u{2044}passwd".into()),
        (
            "combining over dots",
            "..\u{0338}/outside/secret.txt".into(),
        ),
        ("combining name", ".\u{0301}./outside".into()),
        ("zero width space", "..\u{200B}/outside/secret.txt".into()),
        ("right to left override", "inner/\u{202E}txt.exe".into()),
        ("nul truncation", "../outside/secret.txt\0.pdf".into()),
        ("nul in name", "inner/ok.txt\0".into()),
        ("newline", "inner/\nok.txt".into()),
        ("escape char", "inner/\u{1b}[2J".into()),
        // case tricks
        ("case climb", "../OUTSIDE/secret.txt".into()),
        (
            "case in inner then climb",
            "Inner/../../outside/secret.txt".into(),
        ),
        ("case temp file", ".COMMIS-TMP-x".into()),
        ("temp file", "inner/.commis-tmp-1234".into()),
        // dots and spaces that some layers turn into `..`
        ("three dots", "...".into()),
        ("dot space dot", ". .".into()),
        ("dots then space", ".. /outside".into()),
        ("space then dots", " ../outside".into()),
        // empty names
        ("single slash", "/".into()),
        ("only slashes", "///".into()),
        ("empty name in the middle", "inner//ok.txt".into()),
    ];
    v
}

type Op = (&'static str, Box<dyn Fn(&Workspace, &str) -> bool>);

/// Every operation, as "did it succeed". Each has the attempted path on one side and, for
/// two-path operations, a legitimate path on the other.
fn operations() -> Vec<Op> {
    let ops: Vec<Op> = vec![
        ("list", Box::new(|w, p| w.list(p, false).is_ok())),
        ("list recursive", Box::new(|w, p| w.list(p, true).is_ok())),
        ("read", Box::new(|w, p| w.read(p, 1 << 20).is_ok())),
        ("metadata", Box::new(|w, p| w.metadata(p).is_ok())),
        ("exists", Box::new(|w, p| w.exists(p).is_ok())),
        ("hash", Box::new(|w, p| w.hash(p).is_ok())),
        (
            "write new",
            Box::new(|w, p| w.write_file(p, b"pwned", false).is_ok()),
        ),
        (
            "write overwrite",
            Box::new(|w, p| w.write_file(p, b"pwned", true).is_ok()),
        ),
        ("make_dir", Box::new(|w, p| w.make_dir(p).is_ok())),
        (
            "copy from",
            Box::new(|w, p| w.copy_file(p, "copy_dst").is_ok()),
        ),
        (
            "copy to",
            Box::new(|w, p| w.copy_file("inner/ok.txt", p).is_ok()),
        ),
        (
            "move from",
            Box::new(|w, p| w.move_path(p, "moved_dst").is_ok()),
        ),
        (
            "move to",
            Box::new(|w, p| w.move_path("inner/ok.txt", p).is_ok()),
        ),
        ("delete", Box::new(|w, p| w.delete(p).is_ok())),
        (
            "batch make_dir",
            Box::new(|w, p| {
                w.apply_batch("t", vec![BatchItem::MakeDir { path: p.into() }])
                    .is_ok_and(|o| o.skipped.is_empty())
            }),
        ),
        (
            "batch move from",
            Box::new(|w, p| {
                w.apply_batch(
                    "t",
                    vec![BatchItem::Move {
                        from: p.into(),
                        to: "batch_dst".into(),
                    }],
                )
                .is_ok_and(|o| o.skipped.is_empty())
            }),
        ),
        (
            "batch move to",
            Box::new(|w, p| {
                w.apply_batch(
                    "t",
                    // Alone: an item left out of a longer batch lets the rest apply.
                    vec![BatchItem::Move {
                        from: "inner/ok.txt".into(),
                        to: p.into(),
                    }],
                )
                .is_ok_and(|o| o.skipped.is_empty())
            }),
        ),
    ];
    ops
}

#[test]
fn no_escape_attempt_succeeds_through_any_operation() {
    let f = Fixture::new();
    if cfg!(target_os = "linux") {
        assert!(
            f.workspace().uses_openat2(),
            "openat2 is unavailable here; the kernel-side checks are not exercised"
        );
    }
    escape_suite(false);
}

#[test]
fn no_escape_attempt_succeeds_without_openat2_either() {
    escape_suite(true);
}

fn escape_suite(portable: bool) {
    let f = Fixture::new();
    f.plant_traps();
    let mut ws = f.workspace();
    if portable {
        ws = ws.with_portable_resolution();
    }
    let outside_before = f.outside_state();
    let grant_before = common::tree(&f.grant);
    let attempts = attempts(&f);
    let ops = operations();
    assert!(attempts.len() >= 30);
    let mut checked = 0;
    let mut escaped = Vec::new();
    for (label, path) in &attempts {
        for (op, run) in &ops {
            if run(&ws, path) {
                escaped.push(format!("{op} on {label} ({path:?})"));
            }
            checked += 1;
            assert_eq!(
                f.outside_state(),
                outside_before,
                "{op} on {label} ({path:?}) changed something outside the granted folder"
            );
        }
    }
    assert!(escaped.is_empty(), "these succeeded: {escaped:#?}");
    assert_eq!(
        common::tree(&f.grant),
        grant_before,
        "a refused operation changed the granted folder"
    );
    println!(
        "escape suite ({}): {} attempts x {} operations = {checked} checks, 0 succeeded",
        if portable { "portable walk" } else { "openat2" },
        attempts.len(),
        ops.len()
    );
}

#[test]
fn the_same_operations_succeed_on_honest_paths() {
    // Guards the suite itself: if every operation failed for everything, it would pass.
    let f = Fixture::new();
    f.plant_traps();
    let ws = f.workspace();
    for (op, run) in operations() {
        let path = match op {
            "list" | "list recursive" => "inner",
            "read" | "metadata" | "exists" | "hash" | "copy from" | "move from" | "delete"
            | "batch move from" => "inner/ok.txt",
            "write overwrite" => "inner/ok.txt",
            "make_dir" | "batch make_dir" => "newdir/deeper",
            _ => "fresh.txt",
        };
        assert!(run(&ws, path), "{op} failed on an honest path");
        // Put things back for the next operation.
        let _ = fs::remove_dir_all(f.grant.join("newdir"));
        let _ = fs::remove_dir_all(f.grant.join("batch_dir"));
        for stray in ["copy_dst", "moved_dst", "batch_dst", "fresh.txt"] {
            let p = f.grant.join(stray);
            if p.exists() {
                if !f.grant.join("inner/ok.txt").exists() {
                    fs::rename(&p, f.grant.join("inner/ok.txt")).unwrap();
                } else {
                    fs::remove_file(p).unwrap();
                }
            }
        }
        if !f.grant.join("inner/ok.txt").exists() {
            fs::write(f.grant.join("inner/ok.txt"), b"inside").unwrap();
        }
    }
}

#[test]
fn symlinks_that_stay_inside_can_be_read_but_never_written_through() {
    let f = Fixture::new();
    std::os::unix::fs::symlink("inner", f.grant.join("alias")).unwrap();
    let ws = f.workspace();
    assert_eq!(ws.read("alias/ok.txt", 100).unwrap(), b"inside");
    assert!(ws.write_file("alias/new.txt", b"x", false).is_err());
    assert!(ws.write_file("alias/ok.txt", b"x", true).is_err());
    assert!(ws.delete("alias/ok.txt").is_err());
    assert!(!f.grant.join("inner/new.txt").exists());
    assert_eq!(fs::read(f.grant.join("inner/ok.txt")).unwrap(), b"inside");
}

#[test]
fn listings_hide_links_leading_out_and_commis_temp_files() {
    let f = Fixture::new();
    f.plant_traps();
    fs::write(f.grant.join("inner/.commis-tmp-123"), b"half").unwrap();
    let ws = f.workspace();
    let names: Vec<String> = ws
        .list("", true)
        .unwrap()
        .into_iter()
        .map(|i| i.path)
        .collect();
    for hidden in [
        "link_file",
        "link_dir",
        "abs_link",
        "abs_file_link",
        "inner/up",
        "chain",
        "root_link",
        "inner/.commis-tmp-123",
    ] {
        assert!(
            !names.iter().any(|n| n == hidden),
            "{hidden} listed: {names:?}"
        );
    }
    assert!(names.iter().any(|n| n == "inner/ok.txt"));
    assert!(!names.iter().any(|n| n.contains("secret")));
}

#[cfg(target_os = "linux")]
#[test]
fn a_folder_swapped_for_a_symlink_mid_operation_never_redirects_anything() {
    race(false);
}

#[cfg(target_os = "linux")]
#[test]
fn a_swapped_folder_never_redirects_the_portable_walk_either() {
    race(true);
}

#[cfg(target_os = "linux")]
fn race(portable: bool) {
    let f = Fixture::new();
    let race = f.grant.join("race");
    fs::create_dir(&race).unwrap();
    fs::write(race.join("ok.txt"), b"inside").unwrap();
    std::os::unix::fs::symlink(&f.outside, f.grant.join("race_swap")).unwrap();
    let mut ws = f.workspace();
    if portable {
        ws = ws.with_portable_resolution();
    }
    let outside_before = f.outside_state();

    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let stop = stop.clone();
        let grant = f.grant.clone();
        std::thread::spawn(move || {
            let dir = fs::File::open(&grant).unwrap();
            let mut swaps = 0u64;
            while !stop.load(Ordering::Relaxed) && swaps < 2_000_000 {
                rustix::fs::renameat_with(
                    &dir,
                    "race",
                    &dir,
                    "race_swap",
                    rustix::fs::RenameFlags::EXCHANGE,
                )
                .unwrap();
                swaps += 1;
            }
            // Leave the real folder at `race`.
            if swaps % 2 == 1 {
                rustix::fs::renameat_with(
                    &dir,
                    "race",
                    &dir,
                    "race_swap",
                    rustix::fs::RenameFlags::EXCHANGE,
                )
                .unwrap();
            }
            swaps
        })
    };

    let mut ok = 0;
    let mut refused = 0;
    for i in 0..1500 {
        let results = [
            ws.write_file(&format!("race/w{i}.txt"), b"x", false)
                .is_ok(),
            ws.make_dir(&format!("race/d{i}")).is_ok(),
            ws.copy_file("race/ok.txt", &format!("race/c{i}.txt"))
                .is_ok(),
            ws.move_path(&format!("race/w{i}.txt"), &format!("race/m{i}.txt"))
                .is_ok(),
            ws.delete(&format!("race/m{i}.txt")).is_ok(),
        ];
        for r in results {
            if r { ok += 1 } else { refused += 1 }
        }
        match ws.read("race/secret.txt", 100) {
            Ok(bytes) => panic!("read through the swapped symlink: {bytes:?}"),
            Err(_) => refused += 1,
        }
        if let Ok(list) = ws.list("race", false) {
            assert!(
                !list.iter().any(|e| e.path.contains("secret")),
                "listed the outside folder through the swapped symlink"
            );
        }
        assert!(ws.delete("race/secret.txt").is_err());
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert_eq!(
        f.outside_state(),
        outside_before,
        "the race changed something outside"
    );
    assert!(swaps > 10, "the swapper barely ran ({swaps} swaps)");
    println!(
        "race (portable: {portable}): {swaps} swaps, {ok} operations succeeded inside, {refused} refused"
    );
}

#[test]
fn with_several_grants_only_their_names_lead_anywhere() {
    let f = Fixture::new();
    let second = f.base.join("second");
    fs::create_dir(&second).unwrap();
    fs::write(second.join("b.txt"), b"b").unwrap();
    let ws = f.workspace_with(vec![
        Grant {
            path: f.grant.clone(),
            mode: AccessMode::ReadWrite,
        },
        Grant {
            path: second.clone(),
            mode: AccessMode::ReadOnly,
        },
    ]);
    let before = f.outside_state();
    assert_eq!(ws.read("second/b.txt", 10).unwrap(), b"b");
    assert_eq!(ws.read("grant/inner/ok.txt", 10).unwrap(), b"inside");
    let roots: Vec<String> = ws
        .list("", false)
        .unwrap()
        .into_iter()
        .map(|i| i.path)
        .collect();
    assert_eq!(roots, vec!["grant", "second"]);
    for p in [
        "outside/secret.txt",
        "grant/../outside/secret.txt",
        "second/../outside/secret.txt",
        "grant/../../outside",
        "Grant/inner/ok.txt",
        "inner/ok.txt",
        "",
    ] {
        assert!(ws.read(p, 100).is_err(), "{p}");
        assert!(ws.write_file(p, b"x", false).is_err(), "{p}");
        assert!(ws.make_dir(p).is_err(), "{p}");
    }
    // Read-only grants refuse every change; moves across grants are refused.
    assert!(ws.write_file("second/new.txt", b"x", false).is_err());
    assert!(ws.delete("second/b.txt").is_err());
    assert!(ws.move_path("grant/inner/ok.txt", "second/ok.txt").is_err());
    assert!(ws.copy_file("second/b.txt", "grant/b.txt").is_ok());
    assert_eq!(f.outside_state(), before);
}

#[test]
fn grants_overlapping_commis_state_are_refused() {
    let f = Fixture::new();
    for path in [f.base.clone(), f.home.clone(), f.home.join("blobs")] {
        let r = Workspace::open(
            vec![Grant {
                path: path.clone(),
                mode: AccessMode::ReadWrite,
            }],
            f.run.clone(),
            f.journal.clone(),
            f.blobs.clone(),
        );
        assert!(r.is_err(), "{} was accepted", path.display());
    }
}
