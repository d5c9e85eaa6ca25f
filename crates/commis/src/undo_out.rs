//! What `commis undo` prints: what was put back, every conflict with where the user's
//! version is, the flag that overrides, and whether the folder was checked afterwards. In
//! the run's language; `--json` gives the same as one object.

use commis_agent::offline::brief::Lang;
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

fn reason(k: &ConflictKind, lang: Lang) -> String {
    match (k, lang) {
        (ConflictKind::Changed, Lang::Fr) => "modifié depuis le run".into(),
        (ConflictKind::Changed, Lang::En) => "changed since the run".into(),
        (ConflictKind::Occupied, Lang::Fr) => "un autre fichier occupe cet emplacement".into(),
        (ConflictKind::Occupied, Lang::En) => "another file is in its place".into(),
        (ConflictKind::Missing, Lang::Fr) => {
            "n'est plus là où le run l'avait laissé (déplacé ou supprimé depuis), et commis n'en a pas de copie".into()
        }
        (ConflictKind::Missing, Lang::En) => {
            "is no longer where the run left it (moved or deleted since), and commis has no copy of it".into()
        }
        (ConflictKind::Unsupported(what), Lang::Fr) => format!("ce qui s'y trouve n'est pas un fichier que commis remplace ({what})"),
        (ConflictKind::Unsupported(what), Lang::En) => format!("what is there is not a file commis replaces ({what})"),
    }
}

/// The lines printed for one undone run.
pub fn render(r: &UndoReport, lang: Lang, forced: bool) -> Vec<String> {
    let mut out = Vec::new();
    let (removed, restored, moved) = (r.removed.len(), r.restored.len(), r.moved_back.len());
    out.push(match (lang, r.complete) {
        (Lang::Fr, true) => format!(
            "Run {} annulé : {removed} fichier(s) retiré(s), {restored} restauré(s), {moved} remis à leur place ; dossier vérifié.",
            r.run
        ),
        (Lang::En, true) => format!(
            "Run {} undone: {removed} file(s) removed, {restored} restored, {moved} moved back; folder checked.",
            r.run
        ),
        (Lang::Fr, false) => format!(
            "Run {} annulé en partie : {removed} fichier(s) retiré(s), {restored} restauré(s), {moved} remis à leur place.",
            r.run
        ),
        (Lang::En, false) => format!(
            "Run {} partly undone: {removed} file(s) removed, {restored} restored, {moved} moved back.",
            r.run
        ),
    });
    if !r.dirs_removed.is_empty() || !r.dirs_recreated.is_empty() {
        out.push(match lang {
            Lang::Fr => format!(
                "  Dossiers : {} retiré(s), {} recréé(s).",
                r.dirs_removed.len(),
                r.dirs_recreated.len()
            ),
            Lang::En => format!(
                "  Folders: {} removed, {} recreated.",
                r.dirs_removed.len(),
                r.dirs_recreated.len()
            ),
        });
    }
    for d in &r.dirs_kept {
        out.push(match lang {
            Lang::Fr => format!("  Dossier conservé (il contient d'autres fichiers) : {d}"),
            Lang::En => format!("  Folder kept (other files are in it): {d}"),
        });
    }
    if !r.temp_files_removed.is_empty() {
        out.push(match lang {
            Lang::Fr => format!(
                "  Fichiers temporaires d'une interruption retirés : {}",
                r.temp_files_removed.join(", ")
            ),
            Lang::En => format!(
                "  Temporary files of an interruption removed: {}",
                r.temp_files_removed.join(", ")
            ),
        });
    }
    let left: Vec<_> = r.conflicts.iter().filter(|c| !c.restored).collect();
    let kept: Vec<_> = r.conflicts.iter().filter(|c| c.restored).collect();
    for c in &kept {
        let at = c.kept_at.as_deref().unwrap_or("-");
        out.push(match (lang, c.kept_at.is_some() && c.kept_at.as_deref() != Some(&c.path)) {
            (Lang::Fr, true) => format!(
                "  Restauré malgré le conflit : {} ({}) ; votre version est conservée sous « {at} ».",
                c.path,
                reason(&c.kind, lang)
            ),
            (Lang::En, true) => format!(
                "  Restored despite the conflict: {} ({}); your version is kept as \"{at}\".",
                c.path,
                reason(&c.kind, lang)
            ),
            (Lang::Fr, false) => format!("  Restauré malgré le conflit : {} ({}).", c.path, reason(&c.kind, lang)),
            (Lang::En, false) => format!("  Restored despite the conflict: {} ({}).", c.path, reason(&c.kind, lang)),
        });
    }
    if !left.is_empty() {
        out.push(match (lang, forced) {
            (Lang::Fr, false) => format!("  {} conflit(s), laissé(s) tel(s) quel(s) :", left.len()),
            (Lang::En, false) => format!("  {} conflict(s), left as they are:", left.len()),
            (Lang::Fr, true) => format!(
                "  {} changement(s) impossible(s) à annuler, même avec --force :",
                left.len()
            ),
            (Lang::En, true) => format!(
                "  {} change(s) that cannot be undone, even with --force:",
                left.len()
            ),
        });
        for c in &left {
            let kept = match (&c.kept_at, lang) {
                (Some(at), Lang::Fr) => format!(" ; votre version reste à « {at} »"),
                (Some(at), Lang::En) => format!("; your version stays at \"{at}\""),
                (None, _) => String::new(),
            };
            out.push(format!("    {} — {}{kept}", c.path, reason(&c.kind, lang)));
        }
        if !forced {
            out.push(match lang {
                Lang::Fr => format!(
                    "  Le reste est annulé ; le run reste annulable. Pour remplacer aussi ces fichiers par leur version d'origine (la vôtre est gardée à côté, renommée « … (version conservée) ») : commis undo {} --force",
                    r.run
                ),
                Lang::En => format!(
                    "  The rest is undone; the run stays undoable. To also put these files back as they were (yours is kept beside, renamed \"… (kept version)\"): commis undo {} --force",
                    r.run
                ),
            });
        }
    }
    for m in &r.mismatches {
        out.push(match lang {
            Lang::Fr => format!(
                "  Vérification : {} devrait être {} mais est {} — le dossier ne correspond pas au journal.",
                m.path, m.expected, m.found
            ),
            Lang::En => format!(
                "  Check: {} should be {} but is {} — the folder does not match the journal.",
                m.path, m.expected, m.found
            ),
        });
    }
    out
}

/// The message for an undo refused because later runs changed the same files.
pub fn newer_first(run: &str, newer: &[commis_workspace::NewerRun], lang: Lang) -> String {
    let list = newer
        .iter()
        .map(|n| format!("{} ({})", n.run, n.paths.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let first = newer.first().map(|n| n.run.to_string()).unwrap_or_default();
    match lang {
        Lang::Fr => format!(
            "Impossible d'annuler le run {run} maintenant : des runs plus récents ont modifié les mêmes fichiers : {list}. Annulez-les d'abord (commis undo {first}, du plus récent au plus ancien), ou tout d'un coup dans le bon ordre : commis undo {run} --cascade"
        ),
        Lang::En => format!(
            "Cannot undo run {run} yet: later runs changed the same files: {list}. Undo them first (commis undo {first}, newest first), or all of them in order: commis undo {run} --cascade"
        ),
    }
}
