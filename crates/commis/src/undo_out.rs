//! What `commis undo` prints: what was put back, every conflict with where the user's
//! version is, the flag that overrides, and whether the folder was checked afterwards. In
//! the run's language (texts from the message catalogue); `--json` gives the same as one
//! object.

use commis_agent::messages::{Msg, undo_conflict, undo_node};
use commis_core::Lang;
use commis_workspace::{ConflictKind, UndoReport};
use serde_json::json;

/// The exit code of an undo: 0 when every change is undone and the folder checked, 3 when
/// conflicts are left for the user to decide (`--force`), 1 when the final check found the
/// folder different from what undo meant to leave.
pub fn exit_code(reports: &[UndoReport]) -> u8 {
    if reports.iter().any(|r| !r.mismatches.is_empty()) {
        1
    } else if reports.iter().any(|r| !r.complete) {
        3
    } else {
        0
    }
}

pub fn to_json(r: &UndoReport) -> serde_json::Value {
    json!({
        "run_id": r.run,
        "complete": r.complete,
        "entries_undone": r.entries_undone,
        "removed": r.removed,
        "restored": r.restored,
        "moved_back": r.moved_back,
        "dirs_removed": r.dirs_removed,
        "dirs_recreated": r.dirs_recreated,
        "dirs_kept": r.dirs_kept,
        "temp_files_removed": r.temp_files_removed,
        "conflicts": r.conflicts.iter().map(|c| json!({
            "path": c.path,
            "kind": kind_name(&c.kind),
            "expected": c.expected,
            "found": c.found,
            "kept_at": c.kept_at,
            "restored": c.restored,
        })).collect::<Vec<_>>(),
        "mismatches": r.mismatches.iter().map(|m| json!({
            "path": m.path, "expected": m.expected, "found": m.found,
        })).collect::<Vec<_>>(),
    })
}

fn kind_name(k: &ConflictKind) -> &'static str {
    match k {
        ConflictKind::Changed => "changed",
        ConflictKind::Occupied => "occupied",
        ConflictKind::Missing => "missing",
        ConflictKind::Unsupported(_) => "unsupported",
    }
}

/// The lines printed for one undone run.
pub fn render(r: &UndoReport, lang: Lang, forced: bool) -> Vec<String> {
    let mut out = Vec::new();
    let counts = [
        ("run", r.run.to_string()),
        ("removed", r.removed.len().to_string()),
        ("restored", r.restored.len().to_string()),
        ("moved", r.moved_back.len().to_string()),
    ];
    let counts: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    out.push(if r.complete {
        Msg::UndoComplete.fill(lang, &counts)
    } else {
        Msg::UndoPartial.fill(lang, &counts)
    });
    if !r.dirs_removed.is_empty() || !r.dirs_recreated.is_empty() {
        out.push(Msg::UndoFolders.fill(
            lang,
            &[
                ("removed", &r.dirs_removed.len().to_string()),
                ("recreated", &r.dirs_recreated.len().to_string()),
            ],
        ));
    }
    for d in &r.dirs_kept {
        out.push(Msg::UndoFolderKept.fill(lang, &[("path", d)]));
    }
    if !r.temp_files_removed.is_empty() {
        out.push(Msg::UndoTempRemoved.fill(lang, &[("files", &r.temp_files_removed.join(", "))]));
    }
    let left: Vec<_> = r.conflicts.iter().filter(|c| !c.restored).collect();
    let kept: Vec<_> = r.conflicts.iter().filter(|c| c.restored).collect();
    for c in &kept {
        let reason = undo_conflict(&c.kind, lang);
        out.push(match c.kept_at.as_deref().filter(|at| *at != c.path) {
            Some(at) => Msg::UndoRestoredKeptAt
                .fill(lang, &[("path", &c.path), ("reason", &reason), ("at", at)]),
            None => Msg::UndoRestoredDespite.fill(lang, &[("path", &c.path), ("reason", &reason)]),
        });
    }
    if !left.is_empty() {
        let n = left.len().to_string();
        out.push(if forced {
            Msg::UndoCannotEvenForced.fill(lang, &[("n", &n)])
        } else {
            Msg::UndoConflictsLeft.fill(lang, &[("n", &n)])
        });
        for c in &left {
            let reason = undo_conflict(&c.kind, lang);
            out.push(match &c.kept_at {
                Some(at) => Msg::UndoConflictLineKept
                    .fill(lang, &[("path", &c.path), ("reason", &reason), ("at", at)]),
                None => Msg::UndoConflictLine.fill(lang, &[("path", &c.path), ("reason", &reason)]),
            });
        }
        if !forced {
            out.push(Msg::UndoRestHint.fill(
                lang,
                &[
                    ("run", r.run.as_str()),
                    ("kept", Msg::KeptVersion.text(lang)),
                ],
            ));
        }
    }
    for m in &r.mismatches {
        out.push(Msg::UndoMismatch.fill(
            lang,
            &[
                ("path", &m.path),
                ("expected", &undo_node(&m.expected, lang)),
                ("found", &undo_node(&m.found, lang)),
            ],
        ));
    }
    out
}
