//! The catalogue of user-facing messages that are not tied to one tool: run outcomes, stop
//! and resume, read-only previews, undo marks, the audit report's headings and the CLI's
//! lines. One key, a French and an English text; front ends pick by the brief's language so
//! a French run never shows an English sentence. Not for the offline planner's step texts
//! (they live beside the steps) nor for the web UI (its own table in `app.js`).

use crate::offline::brief::Lang;

/// One message of the catalogue. Placeholders are `{name}`, filled by [`fill`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    StoppedAsAsked,
    StoppedWhilePlanning,
    StoppedAtPrompt,
    PlanWaitsForAnswers,
    PlanRejected,
    PlanDeferred,
    StepFailed,
    WaitingForApproval,
    StepRestarted,
    ResumePlanningAgain,
    ResumeAskingAgain,
    AskUserWaits,
    AlreadyFinished,
    Busy,
    ReadOnlyDone,
    ReadOnlyTooLarge,
    ReadOnlyRefuses,
    StopRequested,
    ForcedStop,
    ForcedStopEvent,
    Interrupted,
    ResumeHint,
    Undone,
    PartlyUndone,
    HistoryEmpty,
    UndoSummary,
    WouldCreate,
    WouldModify,
    WouldMove,
    WouldDelete,
    PreviewContent,
    PendingQuestions,
    ReportTitle,
    ReportBrief,
    ReportFolder,
    ReportProvider,
    ReportStatus,
    ReportStarted,
    ReportUpdated,
    ReportTokens,
    ReportPlan,
    ReportAccepted,
    ReportNotAccepted,
    ReportNoPlan,
    ReportQuestion,
    ReportResult,
    ReportFilesRead,
    ReportDecisions,
    ReportChanges,
    ReportApprovals,
    ReportWarnings,
    ReportUndo,
    ReportWritten,
    ReportCreated,
    ReportModified,
    ReportMoved,
    ReportDeleted,
    ReportMadeDir,
    ReportBatch,
    ReportApprovalLine,
    ReportAnsweredAt,
    ReportNoAnswer,
}

impl Msg {
    /// Every key, for the catalogue's own tests.
    pub const ALL: &'static [Msg] = &[
        Msg::StoppedAsAsked,
        Msg::StoppedWhilePlanning,
        Msg::StoppedAtPrompt,
        Msg::PlanWaitsForAnswers,
        Msg::PlanRejected,
        Msg::PlanDeferred,
        Msg::StepFailed,
        Msg::WaitingForApproval,
        Msg::StepRestarted,
        Msg::ResumePlanningAgain,
        Msg::ResumeAskingAgain,
        Msg::AskUserWaits,
        Msg::AlreadyFinished,
        Msg::Busy,
        Msg::ReadOnlyDone,
        Msg::ReadOnlyTooLarge,
        Msg::ReadOnlyRefuses,
        Msg::StopRequested,
        Msg::ForcedStop,
        Msg::ForcedStopEvent,
        Msg::Interrupted,
        Msg::ResumeHint,
        Msg::Undone,
        Msg::PartlyUndone,
        Msg::HistoryEmpty,
        Msg::UndoSummary,
        Msg::WouldCreate,
        Msg::WouldModify,
        Msg::WouldMove,
        Msg::WouldDelete,
        Msg::PreviewContent,
        Msg::PendingQuestions,
        Msg::ReportTitle,
        Msg::ReportBrief,
        Msg::ReportFolder,
        Msg::ReportProvider,
        Msg::ReportStatus,
        Msg::ReportStarted,
        Msg::ReportUpdated,
        Msg::ReportTokens,
        Msg::ReportPlan,
        Msg::ReportAccepted,
        Msg::ReportNotAccepted,
        Msg::ReportNoPlan,
        Msg::ReportQuestion,
        Msg::ReportResult,
        Msg::ReportFilesRead,
        Msg::ReportDecisions,
        Msg::ReportChanges,
        Msg::ReportApprovals,
        Msg::ReportWarnings,
        Msg::ReportUndo,
        Msg::ReportWritten,
        Msg::ReportCreated,
        Msg::ReportModified,
        Msg::ReportMoved,
        Msg::ReportDeleted,
        Msg::ReportMadeDir,
        Msg::ReportBatch,
        Msg::ReportApprovalLine,
        Msg::ReportAnsweredAt,
        Msg::ReportNoAnswer,
    ];

    /// The (French, English) texts.
    fn texts(self) -> (&'static str, &'static str) {
        match self {
            Msg::StoppedAsAsked => (
                "Arrêté à votre demande. Pour continuer : commis resume {run}",
                "Stopped as you asked. To continue: commis resume {run}",
            ),
            Msg::StoppedWhilePlanning => (
                "Arrêté à votre demande pendant la planification. Pour continuer : commis resume {run}",
                "Stopped as you asked, while planning. To continue: commis resume {run}",
            ),
            Msg::StoppedAtPrompt => (
                "Arrêté à votre demande pendant une question. Pour continuer : commis resume {run}",
                "Stopped as you asked, at a prompt. To continue: commis resume {run}",
            ),
            Msg::PlanWaitsForAnswers => (
                "Le plan attend vos réponses : `commis show {run}` les affiche, `commis resume {run}` les pose à nouveau.",
                "The plan is waiting for your answers: `commis show {run}` lists them, `commis resume {run}` asks them again.",
            ),
            Msg::PlanRejected => (
                "Plan refusé : rien n'a été modifié.",
                "Plan rejected: nothing was changed.",
            ),
            Msg::PlanDeferred => (
                "Plan proposé, en attente de votre accord : relancez avec --yes, ou `commis resume {run}` dans un terminal.",
                "Plan proposed, waiting for your acceptance: run again with --yes, or `commis resume {run}` in a terminal.",
            ),
            Msg::StepFailed => (
                "Au moins une étape a échoué : voir `commis show {run}`.",
                "At least one step failed: see `commis show {run}`.",
            ),
            Msg::WaitingForApproval => (
                "Certaines actions attendent votre accord (déplacements, suppressions…) : relancez en mode interactif ou avec --allow.",
                "Some actions are waiting for your approval (moves, deletions…): run interactively or with --allow.",
            ),
            Msg::StepRestarted => (
                "Reprise : l'étape {n} avait été interrompue, elle est relancée depuis le début.",
                "Resuming: step {n} was interrupted and runs again from its start.",
            ),
            Msg::ResumePlanningAgain => (
                "Reprise : la planification avait été interrompue, elle recommence.",
                "Resuming: planning was interrupted and starts again.",
            ),
            Msg::ResumeAskingAgain => (
                "Reprise : {n} question(s) attendent votre réponse.",
                "Resuming: {n} question(s) wait for your answer.",
            ),
            Msg::AskUserWaits => (
                "Une question attend votre réponse : « {question} ». `commis resume {run}` la pose à nouveau.",
                "A question waits for your answer: “{question}”. `commis resume {run}` asks it again.",
            ),
            Msg::AlreadyFinished => (
                "la tâche {run} est déjà terminée ({status}) : rien à reprendre. Lancez-en une nouvelle avec `commis run`.",
                "run {run} is already finished ({status}); nothing to resume. Start a new one with `commis run`.",
            ),
            Msg::Busy => (
                "la tâche {run} est menée en ce moment par un autre processus commis : attendez qu'il finisse, ou arrêtez-le d'abord.",
                "run {run} is being driven by another commis process right now; wait for it to finish, or stop it first.",
            ),
            Msg::ReadOnlyDone => (
                "Mode lecture seule : votre dossier n'a pas été modifié. Voici ce que commis ferait ; les livrables sont en aperçu dans {dir}",
                "Read-only mode: your folder was not changed. Here is what commis would do; the deliverables are previewed in {dir}",
            ),
            Msg::ReadOnlyTooLarge => (
                "Mode lecture seule : le dossier fait plus de {limit} Mo, trop pour en faire une copie d'aperçu ; commis n'a rien modifié et liste seulement ce qu'il lit.",
                "Read-only mode: the folder is larger than {limit} MB, too large for a preview copy; commis changed nothing and only lists what it reads.",
            ),
            Msg::ReadOnlyRefuses => (
                "le mode lecture seule refuse toute action « {kind} »",
                "read-only mode refuses every {kind} action",
            ),
            Msg::StopRequested => (
                "Arrêt demandé : commis s'arrête au prochain point sûr (Ctrl-C encore pour forcer).",
                "Stop requested: commis stops at the next safe point (Ctrl-C again to force).",
            ),
            Msg::ForcedStop => (
                "Arrêt forcé : la tâche {run} est arrêtée ; le journal est à jour. Pour continuer : commis resume {run} · pour annuler : commis undo {run}",
                "Forced stop: run {run} is stopped; the journal is up to date. To continue: commis resume {run} · to undo: commis undo {run}",
            ),
            Msg::ForcedStopEvent => ("arrêt forcé (second Ctrl-C)", "forced stop (second Ctrl-C)"),
            Msg::Interrupted => ("interrompue", "interrupted"),
            Msg::ResumeHint => (
                "reprendre : commis resume {run}",
                "resume: commis resume {run}",
            ),
            Msg::Undone => ("annulée", "undone"),
            Msg::PartlyUndone => ("en partie annulée", "partly undone"),
            Msg::HistoryEmpty => (
                "Aucune tâche pour l'instant. Lancez-en une : commis run DOSSIER \"CONSIGNE\"",
                "No runs yet. Start one with: commis run DIR \"BRIEF\"",
            ),
            Msg::UndoSummary => (
                "Annulé : {n} changement(s) — {removed} fichier(s) retiré(s), {restored} restauré(s), {moved} remis à leur place.",
                "Undone: {n} change(s) — {removed} file(s) removed, {restored} restored, {moved} moved back.",
            ),
            Msg::WouldCreate => ("Créerait", "Would create"),
            Msg::WouldModify => ("Modifierait", "Would modify"),
            Msg::WouldMove => ("Déplacerait", "Would move"),
            Msg::WouldDelete => ("Supprimerait", "Would delete"),
            Msg::PreviewContent => ("Aperçu de {file} :", "Preview of {file}:"),
            Msg::PendingQuestions => ("Questions en attente", "Questions waiting"),
            Msg::ReportTitle => ("Tâche commis {run}", "commis run {run}"),
            Msg::ReportBrief => ("Consigne", "Brief"),
            Msg::ReportFolder => ("Dossier", "Folder"),
            Msg::ReportProvider => ("Modèle", "Provider"),
            Msg::ReportStatus => ("État", "Status"),
            Msg::ReportStarted => ("Début", "Started"),
            Msg::ReportUpdated => ("Dernière mise à jour", "Last update"),
            Msg::ReportTokens => (
                "Jetons : {input} en entrée, {output} en sortie",
                "Tokens: {input} in, {output} out",
            ),
            Msg::ReportPlan => ("Plan", "Plan"),
            Msg::ReportAccepted => ("accepté", "accepted"),
            Msg::ReportNotAccepted => ("non accepté", "not accepted"),
            Msg::ReportNoPlan => ("(aucun plan)", "(no plan)"),
            Msg::ReportQuestion => ("Question", "Question"),
            Msg::ReportResult => ("Résultat", "Result"),
            Msg::ReportFilesRead => ("Fichiers lus", "Files read"),
            Msg::ReportDecisions => ("Décisions", "Decisions"),
            Msg::ReportChanges => ("Changements", "Changes"),
            Msg::ReportApprovals => ("Approbations", "Approvals"),
            Msg::ReportWarnings => ("Avertissements", "Warnings"),
            Msg::ReportUndo => ("Annulation", "Undo"),
            Msg::ReportWritten => ("rapport écrit dans {path}", "report written to {path}"),
            Msg::ReportCreated => (
                "créé `{path}` (sha256 {hash})",
                "created `{path}` (sha256 {hash})",
            ),
            Msg::ReportModified => (
                "modifié `{path}` (sha256 {before} → {after})",
                "modified `{path}` (sha256 {before} → {after})",
            ),
            Msg::ReportMoved => (
                "déplacé `{from}` → `{to}`{hash}",
                "moved `{from}` → `{to}`{hash}",
            ),
            Msg::ReportDeleted => (
                "supprimé `{path}` (sha256 {hash}, gardé dans les sauvegardes)",
                "deleted `{path}` (sha256 {hash}, kept in backups)",
            ),
            Msg::ReportMadeDir => ("dossier créé `{path}`", "created folder `{path}`"),
            Msg::ReportBatch => ("lot {label}", "batch {label}"),
            Msg::ReportApprovalLine => (
                "#{id} {kind} — {what} — demandée {asked}, réponse : {answer} par {by}{at}",
                "#{id} {kind} — {what} — asked {asked}, answer: {answer} by {by}{at}",
            ),
            Msg::ReportAnsweredAt => (" à {time}", " at {time}"),
            Msg::ReportNoAnswer => ("(aucune)", "(none)"),
        }
    }

    /// The text in `lang`, placeholders unfilled.
    pub fn text(self, lang: Lang) -> &'static str {
        let (fr, en) = self.texts();
        lang.pick(fr, en)
    }

    /// The text in `lang` with `{name}` placeholders replaced.
    pub fn fill(self, lang: Lang, args: &[(&str, &str)]) -> String {
        fill(self.text(lang), args)
    }
}

/// Replaces each `{name}` of `template` by its value.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<String> {
        let mut v: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn every_message_exists_in_both_languages_with_the_same_placeholders() {
        for m in Msg::ALL {
            let (fr, en) = m.texts();
            assert!(!fr.trim().is_empty() && !en.trim().is_empty(), "{m:?}");
            assert_eq!(placeholders(fr), placeholders(en), "{m:?}");
        }
    }

    #[test]
    fn french_texts_are_not_english_copies() {
        // Words that only an English sentence has: a French text carrying one was left
        // untranslated. ("Plan" and "Question" are the same word in both languages.)
        let english = [
            " the ", " is ", " was ", " and ", " your ", "nothing", "Stopped", "Undone", "waiting",
            "Resuming",
        ];
        for m in Msg::ALL {
            let fr = format!(" {} ", m.text(Lang::Fr));
            for w in english {
                assert!(!fr.contains(w), "{m:?} has the English word {w:?}: {fr}");
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Msg::ResumeHint.fill(Lang::Fr, &[("run", "20261203-1")]),
            "reprendre : commis resume 20261203-1"
        );
    }
}
