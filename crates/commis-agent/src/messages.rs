//! The catalogue of user-facing messages: run outcomes, stop and resume, read-only previews,
//! undo, the audit report's headings, the CLI's lines, and every error a person can meet —
//! tools' failures, the workspace's refusals (confinement, read-only, locks, undo), documents
//! that cannot be read. One key, a French and an English text; front ends pick by the brief's
//! language so a French run never shows an English sentence. Libraries keep typed errors
//! with an English `Display` for logs and models; the functions below turn those errors into
//! the user's language where it is known. Not for the offline planner's step texts (they
//! live beside the steps) nor for the web UI's own labels (its table in `app.js`).

use commis_core::{AccessMode, ActionKind, JournalState, PlanError, RunStatus, StepStatus};
use commis_docs::DocError;
use commis_llm::LlmError;
use commis_workspace::{
    ConflictKind, GrantProblem, GrantRefusal, LockHolder, NewerRun, NothingToUndo, PathRefusal,
    WorkspaceError,
};

use crate::offline::brief::Lang;
use crate::tools::ToolError;

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
    StatusPlanning,
    StatusRunning,
    StatusNeedsInput,
    StatusDone,
    StatusFailed,
    StatusStopped,
    StatusUnsupported,
    StepPending,
    StepRunning,
    StepDone,
    StepFailedWord,
    StepSkipped,
    JournalPending,
    JournalDone,
    JournalAborted,
    JournalUndone,
    AccessReadWrite,
    AccessReadOnly,
    KindRead,
    KindCreate,
    KindModify,
    KindMove,
    KindDelete,
    KindExec,
    KindNetwork,
    AnswerYes,
    AnswerNo,
    AnswerStop,
    ByUser,
    ByPolicy,
    ByAllowFlag,
    ByRun,
    ByRule,
    ByOutputFolder,
    ByUnattended,
    ByExecAllowlist,
    ApproveCreate,
    ApproveOverwrite,
    ApproveMakeDir,
    ApproveCopy,
    ApproveMove,
    ApproveDelete,
    ApproveRun,
    ApproveRunIn,
    NobodyToApprove,
    RefusedByUser,
    StoppedByUser,
    ToolUnknown,
    ToolUnknownListed,
    ToolInvalidInput,
    ToolRefused,
    ToolStopped,
    ToolDocument,
    ToolNoStatementLines,
    ToolNoTable,
    ToolNoSuchColumn,
    ToolNotASegment,
    ToolNoSheet,
    ToolNoWritableFolder,
    TechnicalFailure,
    LeftInPlace,
    DocCorrupt,
    DocEncrypted,
    DocUnsupported,
    DocTooLarge,
    DocHostile,
    DocIo,
    WsInvalidPath,
    WsOutsideGrant,
    WsHardLinked,
    WsNotFound,
    WsParentMissing,
    WsAlreadyExists,
    WsNotADirectory,
    WsIsADirectory,
    WsDirectoryNotEmpty,
    WsNotARegularFile,
    WsReadOnly,
    WsTooLarge,
    WsCrossGrant,
    WsGrant,
    WsIo,
    WsBlob,
    WsJournal,
    WsChangedSince,
    WsNothingToUndo,
    NothingToUndoAlready,
    NothingToUndoNoChange,
    NewerRunFirst,
    FolderBusy,
    FolderBusyUnknown,
    WaitingFor,
    LockTakenOver,
    TempFilesRemoved,
    KeptVersion,
    PathTooLong,
    PathControlCharacter,
    PathBackslash,
    PathAbsolute,
    PathDrivePrefix,
    PathLookAlike,
    PathInvisible,
    PathEmptyName,
    PathClimbsOut,
    PathNameTooLong,
    PathDotsAndSpaces,
    PathCombiningStart,
    PathTempName,
    PathIsTheFolder,
    PathNeedsFolderName,
    PathNotAGrantedFolder,
    PathIntoItself,
    PathMovedEarlierInBatch,
    PathThroughSymlink,
    PathResolvesOutside,
    PathSymlink,
    GrantNone,
    GrantCannotOpen,
    GrantNotAFolder,
    GrantOverlapsState,
    GrantUnusableName,
    GrantSameName,
    GrantNested,
    GrantJournalPointsAtState,
    GrantMissing,
    GrantNotAFolderPath,
    GrantSystem,
    GrantWholeDisk,
    GrantHomes,
    GrantSystemFolder,
    GrantPseudoFs,
    GrantStateHome,
    IoNotFound,
    IoPermissionDenied,
    IoAlreadyExists,
    IoStorageFull,
    IoReadOnlyFilesystem,
    IoNotADirectory,
    IoIsADirectory,
    IoDirectoryNotEmpty,
    IoTimedOut,
    IoOther,
    StateFolder,
    RunLockFailed,
    NothingToResume,
    ModelFailed,
    PreviewFailed,
    NothingUndone,
    PlanStepMissing,
    PlanBadTransition,
    PlanAlreadyStarted,
    PlanEmpty,
    PlanLostSurvey,
    PlanUnknownStepKind,
    InternalSpec,
    UndoEvent,
    UndoEventPartial,
    LargestContext,
    StillRunningUndo,
    AlreadyRunningHere,
    NoSuchStep,
    Warning,
    NoSuchRun,
    StoreFailed,
    UndoComplete,
    UndoPartial,
    UndoFolders,
    UndoFolderKept,
    UndoTempRemoved,
    UndoRestoredKeptAt,
    UndoRestoredDespite,
    UndoConflictsLeft,
    UndoCannotEvenForced,
    UndoConflictLine,
    UndoConflictLineKept,
    UndoRestHint,
    UndoMismatch,
    ConflictChanged,
    ConflictOccupied,
    ConflictMissing,
    ConflictUnsupported,
    NodeAbsent,
    NodeDirectory,
    NodeUnreachable,
    NodeHardLinked,
    NodeUnreadable,
    NodeSymlink,
    NodeSpecial,
    NodeTempFile,
    PlanProposedTitle,
    RunLabel,
    RunNotLiveHere,
    RunNotWaiting,
    WebAlreadyFinished,
    BriefEmpty,
    BriefTooLong,
    TemplateNeedsValue,
    NotAbsoluteFolder,
    PlanNeedsStepReject,
    StepNeedsTitle,
    StepTwice,
    StepNotProposed,
    NoPreview,
    LlmAuth,
    LlmBadRequest,
    LlmNotFound,
    LlmDidYouMean,
    LlmRateLimited,
    LlmServer,
    LlmTimeout,
    LlmDeadline,
    LlmStreamCut,
    LlmRedirect,
    LlmNetwork,
    LlmDecode,
    LlmScriptExhausted,
    LlmCancelled,
    LlmConfig,
    ModelTooManyTurns,
    ModelNoPlan,
    StoppedDuringPlanning,
    ModelBadArguments,
    CharactersOmitted,
    IoUnknown,
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
        Msg::StatusPlanning,
        Msg::StatusRunning,
        Msg::StatusNeedsInput,
        Msg::StatusDone,
        Msg::StatusFailed,
        Msg::StatusStopped,
        Msg::StatusUnsupported,
        Msg::StepPending,
        Msg::StepRunning,
        Msg::StepDone,
        Msg::StepFailedWord,
        Msg::StepSkipped,
        Msg::JournalPending,
        Msg::JournalDone,
        Msg::JournalAborted,
        Msg::JournalUndone,
        Msg::AccessReadWrite,
        Msg::AccessReadOnly,
        Msg::KindRead,
        Msg::KindCreate,
        Msg::KindModify,
        Msg::KindMove,
        Msg::KindDelete,
        Msg::KindExec,
        Msg::KindNetwork,
        Msg::AnswerYes,
        Msg::AnswerNo,
        Msg::AnswerStop,
        Msg::ByUser,
        Msg::ByPolicy,
        Msg::ByAllowFlag,
        Msg::ByRun,
        Msg::ByRule,
        Msg::ByOutputFolder,
        Msg::ByUnattended,
        Msg::ByExecAllowlist,
        Msg::ApproveCreate,
        Msg::ApproveOverwrite,
        Msg::ApproveMakeDir,
        Msg::ApproveCopy,
        Msg::ApproveMove,
        Msg::ApproveDelete,
        Msg::ApproveRun,
        Msg::ApproveRunIn,
        Msg::NobodyToApprove,
        Msg::RefusedByUser,
        Msg::StoppedByUser,
        Msg::ToolUnknown,
        Msg::ToolUnknownListed,
        Msg::ToolInvalidInput,
        Msg::ToolRefused,
        Msg::ToolStopped,
        Msg::ToolDocument,
        Msg::ToolNoStatementLines,
        Msg::ToolNoTable,
        Msg::ToolNoSuchColumn,
        Msg::ToolNotASegment,
        Msg::ToolNoSheet,
        Msg::ToolNoWritableFolder,
        Msg::TechnicalFailure,
        Msg::LeftInPlace,
        Msg::DocCorrupt,
        Msg::DocEncrypted,
        Msg::DocUnsupported,
        Msg::DocTooLarge,
        Msg::DocHostile,
        Msg::DocIo,
        Msg::WsInvalidPath,
        Msg::WsOutsideGrant,
        Msg::WsHardLinked,
        Msg::WsNotFound,
        Msg::WsParentMissing,
        Msg::WsAlreadyExists,
        Msg::WsNotADirectory,
        Msg::WsIsADirectory,
        Msg::WsDirectoryNotEmpty,
        Msg::WsNotARegularFile,
        Msg::WsReadOnly,
        Msg::WsTooLarge,
        Msg::WsCrossGrant,
        Msg::WsGrant,
        Msg::WsIo,
        Msg::WsBlob,
        Msg::WsJournal,
        Msg::WsChangedSince,
        Msg::WsNothingToUndo,
        Msg::NothingToUndoAlready,
        Msg::NothingToUndoNoChange,
        Msg::NewerRunFirst,
        Msg::FolderBusy,
        Msg::FolderBusyUnknown,
        Msg::WaitingFor,
        Msg::LockTakenOver,
        Msg::TempFilesRemoved,
        Msg::KeptVersion,
        Msg::PathTooLong,
        Msg::PathControlCharacter,
        Msg::PathBackslash,
        Msg::PathAbsolute,
        Msg::PathDrivePrefix,
        Msg::PathLookAlike,
        Msg::PathInvisible,
        Msg::PathEmptyName,
        Msg::PathClimbsOut,
        Msg::PathNameTooLong,
        Msg::PathDotsAndSpaces,
        Msg::PathCombiningStart,
        Msg::PathTempName,
        Msg::PathIsTheFolder,
        Msg::PathNeedsFolderName,
        Msg::PathNotAGrantedFolder,
        Msg::PathIntoItself,
        Msg::PathMovedEarlierInBatch,
        Msg::PathThroughSymlink,
        Msg::PathResolvesOutside,
        Msg::PathSymlink,
        Msg::GrantNone,
        Msg::GrantCannotOpen,
        Msg::GrantNotAFolder,
        Msg::GrantOverlapsState,
        Msg::GrantUnusableName,
        Msg::GrantSameName,
        Msg::GrantNested,
        Msg::GrantJournalPointsAtState,
        Msg::GrantMissing,
        Msg::GrantNotAFolderPath,
        Msg::GrantSystem,
        Msg::GrantWholeDisk,
        Msg::GrantHomes,
        Msg::GrantSystemFolder,
        Msg::GrantPseudoFs,
        Msg::GrantStateHome,
        Msg::IoNotFound,
        Msg::IoPermissionDenied,
        Msg::IoAlreadyExists,
        Msg::IoStorageFull,
        Msg::IoReadOnlyFilesystem,
        Msg::IoNotADirectory,
        Msg::IoIsADirectory,
        Msg::IoDirectoryNotEmpty,
        Msg::IoTimedOut,
        Msg::IoOther,
        Msg::StateFolder,
        Msg::RunLockFailed,
        Msg::NothingToResume,
        Msg::ModelFailed,
        Msg::PreviewFailed,
        Msg::NothingUndone,
        Msg::PlanStepMissing,
        Msg::PlanBadTransition,
        Msg::PlanAlreadyStarted,
        Msg::PlanEmpty,
        Msg::PlanLostSurvey,
        Msg::PlanUnknownStepKind,
        Msg::InternalSpec,
        Msg::UndoEvent,
        Msg::UndoEventPartial,
        Msg::LargestContext,
        Msg::StillRunningUndo,
        Msg::AlreadyRunningHere,
        Msg::NoSuchStep,
        Msg::Warning,
        Msg::NoSuchRun,
        Msg::StoreFailed,
        Msg::UndoComplete,
        Msg::UndoPartial,
        Msg::UndoFolders,
        Msg::UndoFolderKept,
        Msg::UndoTempRemoved,
        Msg::UndoRestoredKeptAt,
        Msg::UndoRestoredDespite,
        Msg::UndoConflictsLeft,
        Msg::UndoCannotEvenForced,
        Msg::UndoConflictLine,
        Msg::UndoConflictLineKept,
        Msg::UndoRestHint,
        Msg::UndoMismatch,
        Msg::ConflictChanged,
        Msg::ConflictOccupied,
        Msg::ConflictMissing,
        Msg::ConflictUnsupported,
        Msg::NodeAbsent,
        Msg::NodeDirectory,
        Msg::NodeUnreachable,
        Msg::NodeHardLinked,
        Msg::NodeUnreadable,
        Msg::NodeSymlink,
        Msg::NodeSpecial,
        Msg::NodeTempFile,
        Msg::PlanProposedTitle,
        Msg::RunLabel,
        Msg::RunNotLiveHere,
        Msg::RunNotWaiting,
        Msg::WebAlreadyFinished,
        Msg::BriefEmpty,
        Msg::BriefTooLong,
        Msg::TemplateNeedsValue,
        Msg::NotAbsoluteFolder,
        Msg::PlanNeedsStepReject,
        Msg::StepNeedsTitle,
        Msg::StepTwice,
        Msg::StepNotProposed,
        Msg::NoPreview,
        Msg::LlmAuth,
        Msg::LlmBadRequest,
        Msg::LlmNotFound,
        Msg::LlmDidYouMean,
        Msg::LlmRateLimited,
        Msg::LlmServer,
        Msg::LlmTimeout,
        Msg::LlmDeadline,
        Msg::LlmStreamCut,
        Msg::LlmRedirect,
        Msg::LlmNetwork,
        Msg::LlmDecode,
        Msg::LlmScriptExhausted,
        Msg::LlmCancelled,
        Msg::LlmConfig,
        Msg::ModelTooManyTurns,
        Msg::ModelNoPlan,
        Msg::StoppedDuringPlanning,
        Msg::ModelBadArguments,
        Msg::CharactersOmitted,
        Msg::IoUnknown,
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
                "le mode lecture seule refuse toute action de type « {kind} »",
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
            Msg::StatusPlanning => ("planification", "planning"),
            Msg::StatusRunning => ("en cours", "running"),
            Msg::StatusNeedsInput => ("attend votre réponse", "needs_input"),
            Msg::StatusDone => ("terminée", "done"),
            Msg::StatusFailed => ("échouée", "failed"),
            Msg::StatusStopped => ("arrêtée", "stopped"),
            Msg::StatusUnsupported => ("hors de portée", "unsupported"),
            Msg::StepPending => ("à faire", "pending"),
            Msg::StepRunning => ("en cours", "running"),
            Msg::StepDone => ("faite", "done"),
            Msg::StepFailedWord => ("échouée", "failed"),
            Msg::StepSkipped => ("sautée", "skipped"),
            Msg::JournalPending => ("en cours", "pending"),
            Msg::JournalDone => ("fait", "done"),
            Msg::JournalAborted => ("abandonné", "aborted"),
            Msg::JournalUndone => ("annulé", "undone"),
            Msg::AccessReadWrite => ("lecture et écriture", "ReadWrite"),
            Msg::AccessReadOnly => ("lecture seule", "ReadOnly"),
            Msg::KindRead => ("lecture", "read"),
            Msg::KindCreate => ("création", "create"),
            Msg::KindModify => ("modification", "modify"),
            Msg::KindMove => ("déplacement", "move"),
            Msg::KindDelete => ("suppression", "delete"),
            Msg::KindExec => ("commande", "exec"),
            Msg::KindNetwork => ("accès réseau", "network"),
            Msg::AnswerYes => ("oui", "yes"),
            Msg::AnswerNo => ("non", "no"),
            Msg::AnswerStop => ("arrêt", "stop"),
            Msg::ByUser => ("vous", "user"),
            Msg::ByPolicy => ("le mode choisi", "policy"),
            Msg::ByAllowFlag => ("--allow", "--allow"),
            Msg::ByRun => ("votre accord pour toute la tâche", "run"),
            Msg::ByRule => ("une règle enregistrée", "rule"),
            Msg::ByOutputFolder => ("dossier des livrables", "output folder"),
            Msg::ByUnattended => ("personne pour répondre", "unattended"),
            Msg::ByExecAllowlist => ("liste des commandes autorisées", "exec allowlist"),
            Msg::ApproveCreate => ("créer {path}", "create {path}"),
            Msg::ApproveOverwrite => ("remplacer {path}", "overwrite {path}"),
            Msg::ApproveMakeDir => ("créer le dossier {path}", "create folder {path}"),
            Msg::ApproveCopy => ("copier {from} → {to}", "copy {from} → {to}"),
            Msg::ApproveMove => ("déplacer {from} → {to}", "move {from} → {to}"),
            Msg::ApproveDelete => ("supprimer {path}", "delete {path}"),
            Msg::ApproveRun => ("lancer `{command}`", "run `{command}`"),
            Msg::ApproveRunIn => ("lancer `{command}` dans {dir}", "run `{command}` in {dir}"),
            Msg::NobodyToApprove => (
                "aucune personne pour approuver cette action ({kind}) : relancez de manière interactive ou avec --allow {flag}",
                "nobody to approve this {kind} action: run interactively or add --allow {flag}",
            ),
            Msg::RefusedByUser => ("refusé par l'utilisateur", "refused by the user"),
            Msg::StoppedByUser => (
                "arrêt demandé par l'utilisateur",
                "the user stopped the run",
            ),
            Msg::ToolUnknown => ("outil inconnu : {tool}", "unknown tool {tool}"),
            Msg::ToolUnknownListed => (
                "outil inconnu « {tool} » ; les outils sont : {tools}",
                "unknown tool `{tool}`; the tools are: {tools}",
            ),
            Msg::ToolInvalidInput => (
                "entrée invalide pour l'outil {tool} : {reason}",
                "invalid input for {tool}: {reason}",
            ),
            Msg::ToolRefused => ("refusé : {reason}", "refused: {reason}"),
            Msg::ToolStopped => ("la tâche a été arrêtée", "the run was stopped"),
            Msg::ToolDocument => ("{path} : {reason}", "{path}: {reason}"),
            Msg::ToolNoStatementLines => (
                "{path} : aucune ligne de relevé bancaire trouvée dans ce fichier",
                "{path}: no bank statement lines found in this file",
            ),
            Msg::ToolNoTable => (
                "{path} : aucun tableau à nettoyer",
                "{path}: no table to clean",
            ),
            Msg::ToolNoSuchColumn => (
                "{path} : aucune colonne « {column} » ; les colonnes sont : {columns}",
                "{path}: no column \"{column}\"; the columns are: {columns}",
            ),
            Msg::ToolNotASegment => (
                "la colonne « {column} » ne peut pas répartir les réponses en groupes : choisissez une question à choix ou à réponse oui/non",
                "column \"{column}\" cannot split the answers into groups: choose a choice or yes/no question",
            ),
            Msg::ToolNoSheet => (
                "le classeur n'a aucune feuille",
                "the workbook has no sheet",
            ),
            Msg::ToolNoWritableFolder => (
                "aucun dossier n'est accordé en lecture et écriture",
                "no folder is granted read-write",
            ),
            Msg::TechnicalFailure => ("échec technique ({detail})", "{detail}"),
            Msg::LeftInPlace => (
                "Laissé en place : {path} ({reason})",
                "Left in place: {path} ({reason})",
            ),
            Msg::DocCorrupt => (
                "le fichier est endommagé ou n'est pas un fichier {format} valide ; ouvrez-le et réenregistrez-le, ou demandez-en une nouvelle copie",
                "the file is damaged or not a valid {format} file; open and re-save it, or ask for a new copy",
            ),
            Msg::DocEncrypted => (
                "le fichier est chiffré ou protégé par un mot de passe ; enregistrez-en une copie sans protection pour qu'il soit lu",
                "the file is encrypted or password-protected; save an unprotected copy to read it",
            ),
            Msg::DocUnsupported => (
                "type de fichier non pris en charge ({detected}) ; convertissez-le en PDF, en format Office ou OpenDocument, en CSV ou en texte",
                "unsupported file type ({detected}); convert it to PDF, an Office/OpenDocument format, CSV or text",
            ),
            Msg::DocTooLarge => (
                "le fichier est trop volumineux pour être lu ; découpez-le",
                "the file is too large to read; split it",
            ),
            Msg::DocHostile => (
                "fichier trop volumineux ou piégé : ignoré",
                "file too large or crafted: skipped",
            ),
            Msg::DocIo => (
                "le fichier n'a pas pu être lu ({detail})",
                "the file could not be read ({detail})",
            ),
            Msg::WsInvalidPath => (
                "chemin refusé « {path} » : {reason} ; donnez un chemin relatif au dossier accordé",
                "refused path `{path}`: {reason}; use a path relative to the granted folder",
            ),
            Msg::WsOutsideGrant => (
                "chemin refusé « {path} » : {reason} ; commis ne travaille que dans les dossiers accordés",
                "refused path `{path}`: {reason}; commis only works inside the granted folders",
            ),
            Msg::WsHardLinked => (
                "« {path} » refusé : ce fichier a d'autres liens physiques, son contenu vit aussi à un endroit que commis ne voit pas ; copiez-le d'abord pour en faire un fichier indépendant",
                "refused `{path}`: the file has other hard links, so its content also lives somewhere commis cannot see; copy it to make an independent file first",
            ),
            Msg::WsNotFound => ("« {path} » est introuvable", "`{path}` does not exist"),
            Msg::WsParentMissing => (
                "le dossier de « {path} » n'existe pas ; créez-le d'abord",
                "the folder of `{path}` does not exist; create it first with make_dir",
            ),
            Msg::WsAlreadyExists => (
                "« {path} » existe déjà ; choisissez un autre nom ou demandez explicitement de le remplacer",
                "`{path}` already exists; choose another name or ask explicitly to overwrite it",
            ),
            Msg::WsNotADirectory => (
                "« {path} » n'est pas un dossier",
                "`{path}` is not a folder",
            ),
            Msg::WsIsADirectory => (
                "« {path} » est un dossier, pas un fichier",
                "`{path}` is a folder, not a file",
            ),
            Msg::WsDirectoryNotEmpty => (
                "le dossier « {path} » n'est pas vide ; seuls les dossiers vides peuvent être supprimés",
                "folder `{path}` is not empty; only empty folders can be deleted",
            ),
            Msg::WsNotARegularFile => (
                "« {path} » n'est pas un fichier ordinaire (périphérique, tube ou socket) ; commis n'y touche pas",
                "`{path}` is not a regular file (device, pipe or socket); commis leaves it alone",
            ),
            Msg::WsReadOnly => (
                "« {path} » est dans un dossier accordé en lecture seule ; accordez-le en lecture et écriture pour le modifier",
                "`{path}` is in a folder granted read-only; grant it read-write to change it",
            ),
            Msg::WsTooLarge => (
                "« {path} » fait {size} octets, plus que les {max} octets permis pour cette lecture",
                "`{path}` is {size} bytes, more than the {max} bytes allowed for this read",
            ),
            Msg::WsCrossGrant => (
                "impossible de déplacer « {from} » vers « {to} » : ils sont dans deux dossiers accordés différents ; copiez puis supprimez",
                "cannot move `{from}` to `{to}`: they are in different granted folders; copy then delete instead",
            ),
            Msg::WsGrant => (
                "dossier accordé « {path} » : {reason}",
                "granted folder `{path}`: {reason}",
            ),
            Msg::WsIo => (
                "impossible de {op} « {path} » : {detail}",
                "{op} `{path}` failed: {detail}",
            ),
            Msg::WsBlob => (
                "problème dans les sauvegardes de commis ({detail})",
                "backup store: {detail}",
            ),
            Msg::WsJournal => ("problème dans le journal de commis ({detail})", "{detail}"),
            Msg::WsChangedSince => (
                "annulation impossible : « {path} » a été modifié après la tâche ({n} fichier(s) en tout : {paths}) ; commis undo --force remplace ces versions (elles sont sauvegardées d'abord)",
                "cannot undo: `{path}` was changed after the run ({n} file(s) in all: {paths}); undo again with --force to overwrite those changes (they are backed up first)",
            ),
            Msg::WsNothingToUndo => (
                "rien à annuler pour la tâche {run} : {reason}",
                "nothing to undo for run {run}: {reason}",
            ),
            Msg::NothingToUndoAlready => ("elle a déjà été annulée", "it was already undone"),
            Msg::NothingToUndoNoChange => ("elle n'a modifié aucun fichier", "it changed no file"),
            Msg::NewerRunFirst => (
                "Impossible d'annuler la tâche {run} maintenant : des tâches plus récentes ont modifié les mêmes fichiers : {list}. Annulez-les d'abord (commis undo {first}, de la plus récente à la plus ancienne), ou toutes d'un coup dans le bon ordre : commis undo {run} --cascade",
                "Cannot undo run {run} yet: later runs changed the same files: {list}. Undo them first (commis undo {first}, newest first), or all of them in order: commis undo {run} --cascade",
            ),
            Msg::FolderBusy => (
                "Le dossier {folder} est déjà utilisé par la tâche {run} (processus {pid}, depuis {since}) : une seule tâche par dossier à la fois. Attendez qu'elle se termine (relancez avec --wait pour attendre automatiquement) ou arrêtez-la.",
                "The folder {folder} is already in use by run {run} (process {pid}, since {since}): one run per folder at a time. Wait for it to finish (run again with --wait to wait automatically) or stop it.",
            ),
            Msg::FolderBusyUnknown => (
                "Le dossier {folder} est déjà utilisé par une autre tâche de commis : relancez avec --wait pour attendre qu'elle se termine.",
                "The folder {folder} is already in use by another commis run: run again with --wait to wait for it to finish.",
            ),
            Msg::WaitingFor => ("En attente : {message}", "Waiting: {message}"),
            Msg::LockTakenOver => (
                "La tâche {run} qui utilisait ce dossier s'est interrompue (processus {pid} disparu) : verrou repris.",
                "Run {run}, which was using this folder, died (process {pid} is gone): lock taken over.",
            ),
            Msg::TempFilesRemoved => (
                "Fichiers temporaires laissés par une interruption, retirés (copie dans les sauvegardes de commis) : {files}",
                "Temporary files left by an interruption, removed (copied to commis's backups): {files}",
            ),
            Msg::KeptVersion => ("version conservée", "kept version"),
            Msg::PathTooLong => ("le chemin est trop long", "the path is too long"),
            Msg::PathControlCharacter => (
                "il contient le caractère de contrôle U+{code}",
                "it contains the control character U+{code}",
            ),
            Msg::PathBackslash => (
                "la barre oblique inverse n'est pas un séparateur ici ; utilisez « / »",
                "backslashes are not separators here; use `/`",
            ),
            Msg::PathAbsolute => (
                "les chemins absolus ne sont pas admis",
                "absolute paths are not allowed",
            ),
            Msg::PathDrivePrefix => (
                "les préfixes de lecteur Windows ne sont pas admis",
                "Windows drive prefixes are not allowed",
            ),
            Msg::PathLookAlike => (
                "il contient U+{code}, qui ressemble à un point ou à une barre oblique",
                "it contains U+{code}, which looks like a dot or a slash",
            ),
            Msg::PathInvisible => (
                "il contient le caractère invisible U+{code}",
                "it contains the invisible character U+{code}",
            ),
            Msg::PathEmptyName => (
                "il contient un nom vide (« // » ou « / » final)",
                "it contains an empty name (`//` or a trailing `/`)",
            ),
            Msg::PathClimbsOut => (
                "« .. » sortirait du dossier accordé",
                "`..` would leave the granted folder",
            ),
            Msg::PathNameTooLong => (
                "le nom « {name} » est trop long",
                "the name `{name}` is too long",
            ),
            Msg::PathDotsAndSpaces => (
                "le nom « {name} » n'est fait que de points et d'espaces",
                "the name `{name}` is made of dots and spaces only",
            ),
            Msg::PathCombiningStart => (
                "le nom « {name} » commence par un signe diacritique isolé",
                "the name `{name}` starts with a combining mark",
            ),
            Msg::PathTempName => (
                "les noms qui commencent par « .commis-tmp- » sont les fichiers temporaires de commis",
                "names starting with `.commis-tmp-` are commis's own temporary files",
            ),
            Msg::PathIsTheFolder => (
                "cette opération demande un chemin dans le dossier accordé, pas le dossier lui-même",
                "this operation needs a path inside the granted folder, not the folder itself",
            ),
            Msg::PathNeedsFolderName => (
                "plusieurs dossiers sont accordés ; commencez le chemin par l'un d'eux : {names}",
                "several folders are granted; start the path with one of: {names}",
            ),
            Msg::PathNotAGrantedFolder => (
                "« {name} » n'est pas un dossier accordé (dossiers accordés : {names})",
                "`{name}` is not a granted folder (granted: {names})",
            ),
            Msg::PathIntoItself => (
                "un dossier ne peut pas être déplacé dans lui-même (« {name} »)",
                "a folder cannot be moved into itself (`{name}`)",
            ),
            Msg::PathMovedEarlierInBatch => (
                "il est créé ou déplacé par une ligne précédente du même lot ; déplacez l'original",
                "it is created or moved by an earlier item of this batch; move the original instead",
            ),
            Msg::PathThroughSymlink => (
                "il passe par un lien symbolique, que commis ne suit pas ici",
                "it goes through a symbolic link, which commis does not follow here",
            ),
            Msg::PathResolvesOutside => (
                "il mène hors du dossier accordé (lien symbolique ou point de montage)",
                "it resolves outside the granted folder (symbolic link or mount point)",
            ),
            Msg::PathSymlink => (
                "c'est un lien symbolique, que commis ne suit pas ici",
                "it is a symbolic link, which commis does not follow here",
            ),
            Msg::GrantNone => ("aucun dossier n'a été accordé", "no folder was granted"),
            Msg::GrantCannotOpen => (
                "impossible de l'ouvrir ({detail})",
                "cannot open it ({detail})",
            ),
            Msg::GrantNotAFolder => (
                "impossible de l'ouvrir comme dossier ({detail})",
                "cannot open it as a folder ({detail})",
            ),
            Msg::GrantOverlapsState => (
                "il recouvre le dossier d'état de commis ({home}) ; accordez un dossier qui ne contient pas COMMIS_HOME et n'est pas dedans",
                "it overlaps commis's own state ({home}); grant a folder that neither contains nor lies inside COMMIS_HOME",
            ),
            Msg::GrantUnusableName => (
                "son nom ne peut pas servir dans un chemin ; accordez un dossier au nom simple",
                "its name cannot be used in paths; grant a folder with a plain name",
            ),
            Msg::GrantSameName => (
                "un autre dossier accordé s'appelle aussi « {name} »",
                "another granted folder is also named `{name}`",
            ),
            Msg::GrantNested => (
                "il recouvre le dossier accordé {other} ; n'accordez que le plus grand",
                "it overlaps the granted folder {other}; grant only the outer one",
            ),
            Msg::GrantJournalPointsAtState => (
                "une entrée du journal désigne le dossier d'état de commis ; annulation refusée",
                "a journal entry points at commis's own state folder; refusing to undo",
            ),
            Msg::GrantMissing => (
                "impossible d'ouvrir le dossier {path} : {reason} ; vérifiez le chemin",
                "cannot open the folder {path}: {reason}; check the path",
            ),
            Msg::GrantNotAFolderPath => ("{path} n'est pas un dossier", "{path} is not a folder"),
            Msg::GrantSystem => (
                "{path} est {what} : commis ne travaille que dans vos propres dossiers (documents, projets) ; accordez l'un d'eux",
                "{path} is {what}: commis only works in folders of your own (documents, projects); grant one of those",
            ),
            Msg::GrantWholeDisk => ("le disque entier", "the whole disk"),
            Msg::GrantHomes => (
                "le dossier de tous les utilisateurs",
                "the folder of every user's home",
            ),
            Msg::GrantSystemFolder => ("un dossier du système", "a system folder"),
            Msg::GrantPseudoFs => (
                "sur un pseudo-système de fichiers (proc, sys, dev…)",
                "on a pseudo-filesystem (proc, sys, dev...)",
            ),
            Msg::GrantStateHome => (
                "{path} contient le dossier d'état de commis {home} (ou est dedans) : accordez un autre dossier, ou placez COMMIS_HOME ailleurs",
                "{path} contains commis's own state folder {home} (or is inside it): grant another folder, or set COMMIS_HOME elsewhere",
            ),
            Msg::IoNotFound => ("introuvable", "not found"),
            Msg::IoPermissionDenied => ("permission refusée", "permission denied"),
            Msg::IoAlreadyExists => ("existe déjà", "already exists"),
            Msg::IoStorageFull => ("disque plein", "no space left on the disk"),
            Msg::IoReadOnlyFilesystem => (
                "système de fichiers en lecture seule",
                "read-only file system",
            ),
            Msg::IoNotADirectory => ("n'est pas un dossier", "not a folder"),
            Msg::IoIsADirectory => ("est un dossier", "is a folder"),
            Msg::IoDirectoryNotEmpty => ("dossier non vide", "folder not empty"),
            Msg::IoTimedOut => ("délai dépassé", "timed out"),
            Msg::IoOther => ("erreur du système ({detail})", "{detail}"),
            Msg::StateFolder => (
                "impossible de créer le dossier d'état de commis {path} : {detail} (indiquez un dossier accessible en écriture dans COMMIS_HOME)",
                "cannot create commis's state folder {path}: {detail} (set COMMIS_HOME to a writable folder)",
            ),
            Msg::RunLockFailed => (
                "impossible de verrouiller la tâche ({path} : {detail})",
                "cannot lock the run ({path}: {detail})",
            ),
            Msg::NothingToResume => (
                "la tâche {run} n'a pas de plan accepté à reprendre ; relancez-la avec `commis run`",
                "run {run} has no accepted plan to resume; start it again with `commis run`",
            ),
            Msg::ModelFailed => (
                "le modèle a échoué : {detail}",
                "the model failed: {detail}",
            ),
            Msg::PreviewFailed => (
                "impossible de préparer l'aperçu en lecture seule dans {path} : {detail}",
                "cannot prepare the read-only preview in {path}: {detail}",
            ),
            Msg::NothingUndone => (
                "rien n'a été annulé pour la tâche {run}",
                "nothing was undone for run {run}",
            ),
            Msg::PlanStepMissing => (
                "l'étape {n} n'existe pas dans ce plan",
                "step {n} does not exist in this plan",
            ),
            Msg::PlanBadTransition => (
                "l'étape {n} ne peut pas passer de « {from} » à « {to} »",
                "step {n} cannot go from {from} to {to}",
            ),
            Msg::PlanAlreadyStarted => (
                "l'étape {n} a déjà commencé et ne peut plus être modifiée",
                "step {n} has already started and can no longer be edited",
            ),
            Msg::PlanEmpty => (
                "un plan a besoin d'au moins une étape",
                "a plan needs at least one step",
            ),
            Msg::PlanLostSurvey => (
                "le plan a perdu son inventaire du dossier ; relancez la planification",
                "the plan lost its survey; plan the run again",
            ),
            Msg::PlanUnknownStepKind => (
                "le planificateur hors ligne ne sait pas faire une étape de type « {kind} » ; modifiez le plan ou configurez un modèle",
                "the offline planner cannot run a step of kind `{kind}`; edit the plan or configure a model",
            ),
            Msg::InternalSpec => (
                "erreur interne de commis : la description du {what} est invalide ({detail})",
                "internal {what} spec is invalid: {detail}",
            ),
            Msg::UndoEvent => (
                "annulation : {n} changement(s) défait(s)",
                "undo: {n} change(s) reverted",
            ),
            Msg::UndoEventPartial => (
                "annulation : {n} changement(s) défait(s), {left} laissé(s) en conflit",
                "undo: {n} change(s) reverted, {left} left in conflict",
            ),
            Msg::LargestContext => (
                "plus grand contexte envoyé au modèle : ~{n} jetons",
                "largest context sent to the model: ~{n} tokens",
            ),
            Msg::StillRunningUndo => (
                "la tâche {run} est encore en cours : arrêtez-la d'abord, puis annulez",
                "run {run} is still running: stop it first, then undo",
            ),
            Msg::AlreadyRunningHere => (
                "la tâche {run} est déjà en cours ici",
                "run {run} is already running here",
            ),
            Msg::NoSuchStep => ("étape {n} ?", "step {n}?"),
            Msg::Warning => ("avertissement : {message}", "warning: {message}"),
            Msg::StoreFailed => (
                "problème dans la base de données de commis ({detail})",
                "{detail}",
            ),
            Msg::NoSuchRun => (
                "aucune tâche n'a l'identifiant {run} (voir `commis history`)",
                "no run with id {run} (see `commis history`)",
            ),
            Msg::UndoComplete => (
                "Tâche {run} annulée : {removed} fichier(s) retiré(s), {restored} restauré(s), {moved} remis à leur place ; dossier vérifié.",
                "Run {run} undone: {removed} file(s) removed, {restored} restored, {moved} moved back; folder checked.",
            ),
            Msg::UndoPartial => (
                "Tâche {run} annulée en partie : {removed} fichier(s) retiré(s), {restored} restauré(s), {moved} remis à leur place.",
                "Run {run} partly undone: {removed} file(s) removed, {restored} restored, {moved} moved back.",
            ),
            Msg::UndoFolders => (
                "  Dossiers : {removed} retiré(s), {recreated} recréé(s).",
                "  Folders: {removed} removed, {recreated} recreated.",
            ),
            Msg::UndoFolderKept => (
                "  Dossier conservé (il contient d'autres fichiers) : {path}",
                "  Folder kept (other files are in it): {path}",
            ),
            Msg::UndoTempRemoved => (
                "  Fichiers temporaires d'une interruption retirés : {files}",
                "  Temporary files of an interruption removed: {files}",
            ),
            Msg::UndoRestoredKeptAt => (
                "  Restauré malgré le conflit : {path} ({reason}) ; votre version est conservée sous « {at} ».",
                "  Restored despite the conflict: {path} ({reason}); your version is kept as \"{at}\".",
            ),
            Msg::UndoRestoredDespite => (
                "  Restauré malgré le conflit : {path} ({reason}).",
                "  Restored despite the conflict: {path} ({reason}).",
            ),
            Msg::UndoConflictsLeft => (
                "  {n} conflit(s), laissé(s) tel(s) quel(s) :",
                "  {n} conflict(s), left as they are:",
            ),
            Msg::UndoCannotEvenForced => (
                "  {n} changement(s) impossible(s) à annuler, même avec --force :",
                "  {n} change(s) that cannot be undone, even with --force:",
            ),
            Msg::UndoConflictLine => ("    {path} — {reason}", "    {path} — {reason}"),
            Msg::UndoConflictLineKept => (
                "    {path} — {reason} ; votre version reste à « {at} »",
                "    {path} — {reason}; your version stays at \"{at}\"",
            ),
            Msg::UndoRestHint => (
                "  Le reste est annulé ; la tâche reste annulable. Pour remplacer aussi ces fichiers par leur version d'origine (la vôtre est gardée à côté, renommée « … ({kept}) ») : commis undo {run} --force",
                "  The rest is undone; the run stays undoable. To also put these files back as they were (yours is kept beside, renamed \"… ({kept})\"): commis undo {run} --force",
            ),
            Msg::UndoMismatch => (
                "  Vérification : {path} devrait être {expected} mais est {found} — le dossier ne correspond pas au journal.",
                "  Check: {path} should be {expected} but is {found} — the folder does not match the journal.",
            ),
            Msg::ConflictChanged => ("modifié depuis la tâche", "changed since the run"),
            Msg::ConflictOccupied => (
                "un autre fichier occupe cet emplacement",
                "another file is in its place",
            ),
            Msg::ConflictMissing => (
                "n'est plus là où la tâche l'avait laissé (déplacé ou supprimé depuis), et commis n'en a pas de copie",
                "is no longer where the run left it (moved or deleted since), and commis has no copy of it",
            ),
            Msg::ConflictUnsupported => (
                "ce qui s'y trouve n'est pas un fichier que commis remplace ({what})",
                "what is there is not a file commis replaces ({what})",
            ),
            Msg::NodeAbsent => ("absent", "absent"),
            Msg::NodeDirectory => ("un dossier", "directory"),
            Msg::NodeUnreachable => (
                "inaccessible (un lien symbolique ou un fichier est sur son chemin)",
                "unreachable (a symbolic link or file is on its path)",
            ),
            Msg::NodeHardLinked => (
                "un fichier à liens physiques multiples",
                "a hard-linked file",
            ),
            Msg::NodeUnreadable => ("illisible", "unreadable"),
            Msg::NodeSymlink => ("un lien symbolique", "a symbolic link"),
            Msg::NodeSpecial => ("un fichier spécial", "a special file"),
            Msg::NodeTempFile => (
                "un fichier temporaire d'un processus commis encore actif",
                "a temporary file of a commis process still running",
            ),
            Msg::PlanProposedTitle => (
                "Plan proposé ({n} étape(s)) :",
                "Proposed plan ({n} step(s)):",
            ),
            Msg::RunLabel => ("Tâche", "Run"),
            Msg::RunNotLiveHere => (
                "la tâche {run} n'est pas menée par ce serveur ; rechargez la page (Reprendre pour la continuer)",
                "run {run} is not running in this server; reload the page (use Resume to continue it)",
            ),
            Msg::RunNotWaiting => (
                "la tâche {run} n'attend plus cette réponse ; rechargez la page",
                "run {run} is not waiting for that any more; reload the page",
            ),
            Msg::WebAlreadyFinished => (
                "la tâche {run} est déjà terminée ({status}) ; lancez-en une nouvelle",
                "run {run} is already finished ({status}); start a new run instead",
            ),
            Msg::BriefEmpty => (
                "la consigne est vide : décrivez le résultat voulu",
                "the brief is empty: describe the result you want",
            ),
            Msg::BriefTooLong => (
                "la consigne dépasse {max} caractères ; raccourcissez-la",
                "the brief is longer than {max} characters; shorten it",
            ),
            Msg::TemplateNeedsValue => (
                "la consigne enregistrée demande une valeur pour {name} : remplissez le(s) champ(s) sous la consigne",
                "the template needs a value for {name}: fill in the field(s) under the brief",
            ),
            Msg::NotAbsoluteFolder => (
                "« {path} » n'est pas un chemin de dossier complet ; tapez le chemin entier (par ex. /home/moi/Clients)",
                "`{path}` is not an absolute folder path; type the full path (e.g. /home/me/Clients)",
            ),
            Msg::PlanNeedsStepReject => (
                "un plan a besoin d'au moins une étape ; refusez-le plutôt",
                "a plan needs at least one step; reject it instead",
            ),
            Msg::StepNeedsTitle => (
                "chaque étape a besoin d'un titre",
                "every step needs a title",
            ),
            Msg::StepTwice => ("l'étape {n} apparaît deux fois", "step {n} appears twice"),
            Msg::StepNotProposed => (
                "l'étape {n} n'est pas dans le plan proposé ; rechargez la page",
                "step {n} is not in the proposed plan; reload the page",
            ),
            Msg::NoPreview => (
                "pas d'aperçu pour {path} : {reason}",
                "no preview for {path}: {reason}",
            ),
            Msg::LlmAuth => (
                "{provider} a refusé la clé d'API (HTTP {status}) : {detail} ; vérifiez {env_var}",
                "{provider} rejected the API key (HTTP {status}): {detail}; check {env_var}",
            ),
            Msg::LlmBadRequest => (
                "{provider} a refusé la requête (HTTP {status}) : {detail}",
                "{provider} refused the request (HTTP {status}): {detail}",
            ),
            Msg::LlmNotFound => (
                "modèle inconnu {model} chez {provider}{hint} : {detail} ; vérifiez le nom du modèle (--model) et, pour un serveur local, que le modèle est téléchargé et chargé et que l'adresse de base s'arrête où commence l'API",
                "unknown model {model} at {provider}{hint}: {detail}; check the model name (--model) and, for a local server, that the model is pulled/loaded and the base URL ends where the API starts",
            ),
            Msg::LlmDidYouMean => (" (vouliez-vous dire {model} ?)", " (did you mean {model}?)"),
            Msg::LlmRateLimited => (
                "{provider} limite le nombre de requêtes : {detail} ; attendez une minute ou réduisez la concurrence",
                "{provider} is rate limiting requests: {detail}; wait a minute or lower the concurrency",
            ),
            Msg::LlmServer => (
                "erreur du serveur {provider} (HTTP {status}) : {detail} ; réessayez plus tard",
                "{provider} server error (HTTP {status}): {detail}; try again later",
            ),
            Msg::LlmTimeout => (
                "le modèle n'a rien envoyé pendant {secs} s ; vérifiez qu'il tourne, ou augmentez le délai d'inactivité (idle_timeout_secs dans la configuration, COMMIS_LLM_IDLE_TIMEOUT) pour les modèles locaux lents",
                "the model endpoint sent nothing for {secs} s; check that it is up, or raise the idle timeout (idle_timeout_secs in the config, COMMIS_LLM_IDLE_TIMEOUT) for slow local models",
            ),
            Msg::LlmDeadline => (
                "l'appel au modèle n'a pas fini dans son délai de {secs} s ; augmentez call_deadline_secs dans la configuration ou COMMIS_LLM_DEADLINE pour les longues réponses",
                "the model call did not finish within its {secs} s deadline (keep-alive pings do not count); raise call_deadline_secs in the config or COMMIS_LLM_DEADLINE for long answers",
            ),
            Msg::LlmStreamCut => (
                "la réponse de {provider} s'est interrompue avant la fin ({detail}) ; l'appel a été refait et a encore échoué : réessayez plus tard",
                "the {provider} answer broke off before the end ({detail}); the call was retried and failed again: try again later",
            ),
            Msg::LlmRedirect => (
                "{provider} a répondu par une redirection (HTTP {status}) vers {location} ; commis ne suit pas les redirections des appels au modèle pour que la clé d'API n'aille jamais ailleurs : indiquez l'adresse finale comme adresse de base",
                "{provider} answered with a redirect (HTTP {status}) to {location}; commis does not follow redirects for model calls so that the API key is never sent elsewhere: set the base URL to the final address",
            ),
            Msg::LlmNetwork => (
                "impossible de joindre {provider} à {url} : {detail} ; vérifiez l'adresse de base et votre connexion",
                "could not reach {provider} at {url}: {detail}; check the base URL and your connection",
            ),
            Msg::LlmDecode => (
                "réponse de {provider} illisible : {detail} ; vérifiez que l'adresse de base désigne une API compatible {provider}",
                "could not read the {provider} response: {detail}; check that the base URL points at a {provider}-compatible API",
            ),
            Msg::LlmScriptExhausted => (
                "la conversation enregistrée n'a plus de tours ; ajoutez-en un au fichier de script",
                "the scripted conversation has no more turns; add a turn to the script file",
            ),
            Msg::LlmCancelled => (
                "l'appel au modèle a été annulé",
                "the model call was cancelled",
            ),
            Msg::LlmConfig => (
                "configuration du fournisseur de modèle : {detail}",
                "model provider configuration: {detail}",
            ),
            Msg::ModelTooManyTurns => (
                "le modèle n'a pas fini en {n} tours",
                "the model did not finish within {n} turns",
            ),
            Msg::ModelNoPlan => (
                "Le modèle n'a pas proposé de plan.",
                "The model did not propose a plan.",
            ),
            Msg::StoppedDuringPlanning => {
                ("arrêté pendant la planification", "stopped during planning")
            }
            Msg::ModelBadArguments => (
                "entrée invalide pour {tool} : les arguments doivent être un objet JSON conforme au schéma de l'outil",
                "invalid input for {tool}: the arguments must be a JSON object matching the tool's schema",
            ),
            Msg::CharactersOmitted => ("[… {n} caractères omis]", "[… {n} characters omitted]"),
            Msg::IoUnknown => ("erreur du système", "system error"),
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

/// A run's status as a person reads it (English keeps the contract's word).
pub fn run_status(status: RunStatus, lang: Lang) -> &'static str {
    match status {
        RunStatus::Planning => Msg::StatusPlanning,
        RunStatus::Running => Msg::StatusRunning,
        RunStatus::NeedsInput => Msg::StatusNeedsInput,
        RunStatus::Done => Msg::StatusDone,
        RunStatus::Failed => Msg::StatusFailed,
        RunStatus::Stopped => Msg::StatusStopped,
        RunStatus::Unsupported => Msg::StatusUnsupported,
        RunStatus::Interrupted => Msg::Interrupted,
    }
    .text(lang)
}

/// A step's status as a person reads it.
pub fn step_status(status: StepStatus, lang: Lang) -> &'static str {
    match status {
        StepStatus::Pending => Msg::StepPending,
        StepStatus::Running => Msg::StepRunning,
        StepStatus::Done => Msg::StepDone,
        StepStatus::Failed => Msg::StepFailedWord,
        StepStatus::Skipped => Msg::StepSkipped,
    }
    .text(lang)
}

/// A stored step status (`done`, `failed`…) in words; an unknown one as it is.
fn step_status_named(status: &str, lang: Lang) -> String {
    match serde_json::from_value::<StepStatus>(serde_json::Value::String(status.to_string())) {
        Ok(s) => step_status(s, lang).to_string(),
        Err(_) => status.to_string(),
    }
}

/// A journal entry's state as a person reads it.
pub fn journal_state(state: JournalState, lang: Lang) -> &'static str {
    match state {
        JournalState::Pending => Msg::JournalPending,
        JournalState::Done => Msg::JournalDone,
        JournalState::Aborted => Msg::JournalAborted,
        JournalState::Undone => Msg::JournalUndone,
    }
    .text(lang)
}

/// How a folder is granted.
pub fn access_mode(mode: AccessMode, lang: Lang) -> &'static str {
    match mode {
        AccessMode::ReadWrite => Msg::AccessReadWrite,
        AccessMode::ReadOnly => Msg::AccessReadOnly,
    }
    .text(lang)
}

/// A kind of action, as a noun (English: the word `--allow` takes).
pub fn action_kind(kind: ActionKind, lang: Lang) -> &'static str {
    match kind {
        ActionKind::Read => Msg::KindRead,
        ActionKind::Create => Msg::KindCreate,
        ActionKind::Modify => Msg::KindModify,
        ActionKind::Move => Msg::KindMove,
        ActionKind::Delete => Msg::KindDelete,
        ActionKind::Exec => Msg::KindExec,
        ActionKind::Network => Msg::KindNetwork,
    }
    .text(lang)
}

/// A stored action kind (`create`, `move`…) in words; an unknown one as it is.
pub fn action_kind_named(kind: &str, lang: Lang) -> String {
    match serde_json::from_value::<ActionKind>(serde_json::Value::String(kind.to_string())) {
        Ok(k) => action_kind(k, lang).to_string(),
        Err(_) => kind.to_string(),
    }
}

/// A stored approval answer (`yes`, `no`, `stop`) in words.
pub fn approval_answer(answer: &str, lang: Lang) -> String {
    match answer {
        "yes" => Msg::AnswerYes.text(lang).into(),
        "no" => Msg::AnswerNo.text(lang).into(),
        "stop" => Msg::AnswerStop.text(lang).into(),
        other => other.to_string(),
    }
}

/// Who answered an approval (`user`, `policy`, `--allow`…), in words.
pub fn approval_by(by: &str, lang: Lang) -> String {
    let key = match by {
        "user" => Msg::ByUser,
        "policy" => Msg::ByPolicy,
        "--allow" => Msg::ByAllowFlag,
        "run" => Msg::ByRun,
        "rule" => Msg::ByRule,
        "output folder" => Msg::ByOutputFolder,
        "unattended" => Msg::ByUnattended,
        "exec allowlist" => Msg::ByExecAllowlist,
        other => return other.to_string(),
    };
    key.text(lang).into()
}

/// What the system said about a failed file operation, in words.
pub fn io_error(e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let key = match e.kind() {
        K::NotFound => Msg::IoNotFound,
        K::PermissionDenied => Msg::IoPermissionDenied,
        K::AlreadyExists => Msg::IoAlreadyExists,
        K::StorageFull | K::QuotaExceeded => Msg::IoStorageFull,
        K::ReadOnlyFilesystem => Msg::IoReadOnlyFilesystem,
        K::NotADirectory => Msg::IoNotADirectory,
        K::IsADirectory => Msg::IoIsADirectory,
        K::DirectoryNotEmpty => Msg::IoDirectoryNotEmpty,
        K::TimedOut => Msg::IoTimedOut,
        // English says what the system said; French gives the error's number when known.
        _ => {
            return match (lang, e.raw_os_error()) {
                (Lang::En, _) => Msg::IoOther.fill(lang, &[("detail", &e.to_string())]),
                (Lang::Fr, Some(code)) => {
                    Msg::IoOther.fill(lang, &[("detail", &format!("code {code}"))])
                }
                (Lang::Fr, None) => Msg::IoUnknown.text(lang).into(),
            };
        }
    };
    key.text(lang).into()
}

/// A file operation of the workspace (`read`, `move`…) as the verb of a sentence.
fn io_operation(op: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return op.to_string();
    }
    match op {
        "create a temporary file for" => "créer un fichier temporaire pour",
        "create folder" | "recreate folder" => "créer le dossier",
        "delete" => "supprimer",
        "flush" => "enregistrer sur le disque",
        "list" => "lister",
        "lock" | "open the lock" | "write the lock" => "verrouiller",
        "move" | "move back" => "déplacer",
        "open" => "ouvrir",
        "read" => "lire",
        "remove" | "set aside" => "retirer",
        "remove folder" | "remove the emptied folder" => "retirer le dossier",
        "set permissions of" => "régler les permissions de",
        "stat" => "examiner",
        "write" => "écrire",
        _ => "traiter",
    }
    .to_string()
}

/// Why a path was refused, in words.
pub fn path_refusal(r: &PathRefusal, lang: Lang) -> String {
    let code = |c: &u32| format!("{c:04X}");
    match r {
        PathRefusal::TooLong => Msg::PathTooLong.text(lang).into(),
        PathRefusal::ControlCharacter(c) => {
            Msg::PathControlCharacter.fill(lang, &[("code", &code(c))])
        }
        PathRefusal::Backslash => Msg::PathBackslash.text(lang).into(),
        PathRefusal::Absolute => Msg::PathAbsolute.text(lang).into(),
        PathRefusal::DrivePrefix => Msg::PathDrivePrefix.text(lang).into(),
        PathRefusal::LookAlike(c) => Msg::PathLookAlike.fill(lang, &[("code", &code(c))]),
        PathRefusal::Invisible(c) => Msg::PathInvisible.fill(lang, &[("code", &code(c))]),
        PathRefusal::EmptyName => Msg::PathEmptyName.text(lang).into(),
        PathRefusal::ClimbsOut => Msg::PathClimbsOut.text(lang).into(),
        PathRefusal::NameTooLong(name) => Msg::PathNameTooLong.fill(lang, &[("name", name)]),
        PathRefusal::DotsAndSpaces(name) => Msg::PathDotsAndSpaces.fill(lang, &[("name", name)]),
        PathRefusal::CombiningStart(name) => Msg::PathCombiningStart.fill(lang, &[("name", name)]),
        PathRefusal::TempName => Msg::PathTempName.text(lang).into(),
        PathRefusal::IsTheFolder => Msg::PathIsTheFolder.text(lang).into(),
        PathRefusal::NeedsFolderName(names) => {
            Msg::PathNeedsFolderName.fill(lang, &[("names", names)])
        }
        PathRefusal::NotAGrantedFolder { name, granted } => {
            Msg::PathNotAGrantedFolder.fill(lang, &[("name", name), ("names", granted)])
        }
        PathRefusal::IntoItself(name) => Msg::PathIntoItself.fill(lang, &[("name", name)]),
        PathRefusal::MovedEarlierInBatch => Msg::PathMovedEarlierInBatch.text(lang).into(),
        PathRefusal::ThroughSymlink => Msg::PathThroughSymlink.text(lang).into(),
        PathRefusal::ResolvesOutside => Msg::PathResolvesOutside.text(lang).into(),
        PathRefusal::Symlink => Msg::PathSymlink.text(lang).into(),
    }
}

/// Why a granted folder cannot be used, in words.
pub fn grant_problem(p: &GrantProblem, lang: Lang) -> String {
    match p {
        GrantProblem::NoneGranted => Msg::GrantNone.text(lang).into(),
        GrantProblem::CannotOpen { kind, detail } => Msg::GrantCannotOpen.fill(
            lang,
            &[(
                "detail",
                &io_error(&std::io::Error::new(*kind, detail.clone()), lang),
            )],
        ),
        GrantProblem::NotAFolder { kind, detail } => Msg::GrantNotAFolder.fill(
            lang,
            &[(
                "detail",
                &io_error(&std::io::Error::new(*kind, detail.clone()), lang),
            )],
        ),
        GrantProblem::OverlapsState(home) => Msg::GrantOverlapsState.fill(lang, &[("home", home)]),
        GrantProblem::UnusableName => Msg::GrantUnusableName.text(lang).into(),
        GrantProblem::SameName(name) => Msg::GrantSameName.fill(lang, &[("name", name)]),
        GrantProblem::Nested(other) => Msg::GrantNested.fill(lang, &[("other", other)]),
        GrantProblem::JournalPointsAtState => Msg::GrantJournalPointsAtState.text(lang).into(),
    }
}

/// Why a folder cannot be granted at all (the whole disk, a system folder…), in words.
pub fn grant_refusal(r: &GrantRefusal, lang: Lang) -> String {
    match r {
        GrantRefusal::Missing { path, reason, kind } => {
            let reason = io_error(&std::io::Error::new(*kind, reason.clone()), lang);
            Msg::GrantMissing.fill(lang, &[("path", path), ("reason", &reason)])
        }
        GrantRefusal::NotAFolder { path } => Msg::GrantNotAFolderPath.fill(lang, &[("path", path)]),
        GrantRefusal::System { path, what } => {
            let what = match *what {
                "the whole disk" => Msg::GrantWholeDisk.text(lang),
                "the folder of every user's home" => Msg::GrantHomes.text(lang),
                "a system folder" => Msg::GrantSystemFolder.text(lang),
                _ => Msg::GrantPseudoFs.text(lang),
            };
            Msg::GrantSystem.fill(lang, &[("path", path), ("what", what)])
        }
        GrantRefusal::StateHome { path, home } => {
            Msg::GrantStateHome.fill(lang, &[("path", path), ("home", home)])
        }
    }
}

/// The message of a folder another run is using: which run, since when, what to do.
pub fn folder_busy(folder: &std::path::Path, holder: Option<&LockHolder>, lang: Lang) -> String {
    let folder = folder.display().to_string();
    match holder {
        Some(h) => Msg::FolderBusy.fill(
            lang,
            &[
                ("folder", &folder),
                ("run", &h.run_id),
                ("pid", &h.pid.to_string()),
                ("since", &h.since_clock()),
            ],
        ),
        None => Msg::FolderBusyUnknown.fill(lang, &[("folder", &folder)]),
    }
}

/// The refusal of an undo that later runs must come before.
pub fn newer_run_first(run: &str, newer: &[NewerRun], lang: Lang) -> String {
    let list = newer
        .iter()
        .map(|n| format!("{} ({})", n.run, n.paths.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let first = newer.first().map(|n| n.run.to_string()).unwrap_or_default();
    Msg::NewerRunFirst.fill(lang, &[("run", run), ("list", &list), ("first", &first)])
}

/// A refusal or failure of the workspace (confinement, read-only, locks, undo), in words.
pub fn workspace_error(e: &WorkspaceError, lang: Lang) -> String {
    use WorkspaceError as W;
    let path1 = |m: Msg, path: &str| m.fill(lang, &[("path", path)]);
    match e {
        W::InvalidPath { path, reason } => Msg::WsInvalidPath.fill(
            lang,
            &[("path", path), ("reason", &path_refusal(reason, lang))],
        ),
        W::OutsideGrant { path, reason } => Msg::WsOutsideGrant.fill(
            lang,
            &[("path", path), ("reason", &path_refusal(reason, lang))],
        ),
        W::HardLinked { path } => path1(Msg::WsHardLinked, path),
        W::NotFound { path } => path1(Msg::WsNotFound, path),
        W::ParentMissing { path } => path1(Msg::WsParentMissing, path),
        W::AlreadyExists { path } => path1(Msg::WsAlreadyExists, path),
        W::NotADirectory { path } => path1(Msg::WsNotADirectory, path),
        W::IsADirectory { path } => path1(Msg::WsIsADirectory, path),
        W::DirectoryNotEmpty { path } => path1(Msg::WsDirectoryNotEmpty, path),
        W::NotARegularFile { path } => path1(Msg::WsNotARegularFile, path),
        W::ReadOnly { path } => path1(Msg::WsReadOnly, path),
        W::TooLarge { path, size, max } => Msg::WsTooLarge.fill(
            lang,
            &[
                ("path", path),
                ("size", &size.to_string()),
                ("max", &max.to_string()),
            ],
        ),
        W::CrossGrant { from, to } => Msg::WsCrossGrant.fill(lang, &[("from", from), ("to", to)]),
        W::Grant { path, reason } => Msg::WsGrant.fill(
            lang,
            &[
                ("path", &path.display().to_string()),
                ("reason", &grant_problem(reason, lang)),
            ],
        ),
        W::Io { op, path, source } => Msg::WsIo.fill(
            lang,
            &[
                ("op", &io_operation(op, lang)),
                ("path", path),
                ("detail", &io_error(source, lang)),
            ],
        ),
        W::Blob(detail) => Msg::WsBlob.fill(lang, &[("detail", detail)]),
        W::Journal(j) => Msg::WsJournal.fill(lang, &[("detail", &j.to_string())]),
        W::ChangedSince { path, changes } => Msg::WsChangedSince.fill(
            lang,
            &[
                ("path", path),
                ("n", &changes.len().to_string()),
                (
                    "paths",
                    &changes
                        .iter()
                        .map(|c| c.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        ),
        W::NothingToUndo { run, reason } => {
            let reason = match reason {
                NothingToUndo::AlreadyUndone => Msg::NothingToUndoAlready,
                NothingToUndo::NoChange => Msg::NothingToUndoNoChange,
            };
            Msg::WsNothingToUndo.fill(
                lang,
                &[("run", run.as_str()), ("reason", reason.text(lang))],
            )
        }
        W::FolderBusy { folder, holder } => folder_busy(folder, holder.as_ref(), lang),
        W::NewerRunFirst { run, newer } => newer_run_first(run.as_str(), newer, lang),
    }
}

/// Why a document could not be read, in words (the parser's own detail is left to the logs).
pub fn doc_error(e: &DocError, lang: Lang) -> String {
    match e {
        DocError::Corrupt { format, .. } => Msg::DocCorrupt.fill(lang, &[("format", format)]),
        DocError::Encrypted => Msg::DocEncrypted.text(lang).into(),
        DocError::Unsupported { detected } => {
            Msg::DocUnsupported.fill(lang, &[("detected", detected)])
        }
        DocError::TooLarge { .. } => Msg::DocTooLarge.text(lang).into(),
        DocError::Hostile { .. } => Msg::DocHostile.text(lang).into(),
        DocError::Io { reason } => Msg::DocIo.fill(lang, &[("detail", reason)]),
    }
}

/// A plan edit that cannot be done, in words.
pub fn plan_error(e: &PlanError, lang: Lang) -> String {
    match e {
        PlanError::NoSuchStep(n) => Msg::PlanStepMissing.fill(lang, &[("n", &n.to_string())]),
        PlanError::BadTransition { number, from, to } => Msg::PlanBadTransition.fill(
            lang,
            &[
                ("n", &number.to_string()),
                ("from", &step_status_named(from, lang)),
                ("to", &step_status_named(to, lang)),
            ],
        ),
        PlanError::AlreadyStarted(n) => {
            Msg::PlanAlreadyStarted.fill(lang, &[("n", &n.to_string())])
        }
        PlanError::Empty => Msg::PlanEmpty.text(lang).into(),
    }
}

/// What undo found at a path (`absent`, `directory`, a hash, a special file), in words.
pub fn undo_node(described: &str, lang: Lang) -> String {
    let key = match described {
        "absent" => Msg::NodeAbsent,
        "directory" => Msg::NodeDirectory,
        "unreachable (a symbolic link or file is on its path)" => Msg::NodeUnreachable,
        "a hard-linked file" => Msg::NodeHardLinked,
        "unreadable" => Msg::NodeUnreadable,
        "a symbolic link" => Msg::NodeSymlink,
        "a special file" => Msg::NodeSpecial,
        "a temporary file of a commis process still running" => Msg::NodeTempFile,
        hash => return hash.to_string(),
    };
    key.text(lang).into()
}

/// Why undo left a change in conflict, in words.
pub fn undo_conflict(kind: &ConflictKind, lang: Lang) -> String {
    match kind {
        ConflictKind::Changed => Msg::ConflictChanged.text(lang).into(),
        ConflictKind::Occupied => Msg::ConflictOccupied.text(lang).into(),
        ConflictKind::Missing => Msg::ConflictMissing.text(lang).into(),
        ConflictKind::Unsupported(what) => {
            Msg::ConflictUnsupported.fill(lang, &[("what", &undo_node(what, lang))])
        }
    }
}

/// A model call's failure, in words (the provider's own detail is quoted as it came).
pub fn llm_error(e: &LlmError, lang: Lang) -> String {
    let secs = |d: &std::time::Duration| format!("{}", d.as_secs_f64());
    match e {
        LlmError::Auth {
            provider,
            status,
            env_var,
            detail,
        } => Msg::LlmAuth.fill(
            lang,
            &[
                ("provider", provider),
                ("status", &status.to_string()),
                ("detail", detail),
                ("env_var", env_var),
            ],
        ),
        LlmError::BadRequest {
            provider,
            status,
            detail,
        } => Msg::LlmBadRequest.fill(
            lang,
            &[
                ("provider", provider),
                ("status", &status.to_string()),
                ("detail", detail),
            ],
        ),
        LlmError::NotFound {
            provider,
            model,
            detail,
            did_you_mean,
        } => {
            let hint = did_you_mean
                .as_deref()
                .map(|m| Msg::LlmDidYouMean.fill(lang, &[("model", m)]))
                .unwrap_or_default();
            Msg::LlmNotFound.fill(
                lang,
                &[
                    ("provider", provider),
                    ("model", model),
                    ("hint", &hint),
                    ("detail", detail),
                ],
            )
        }
        LlmError::RateLimited {
            provider, detail, ..
        } => Msg::LlmRateLimited.fill(lang, &[("provider", provider), ("detail", detail)]),
        LlmError::Server {
            provider,
            status,
            detail,
        } => Msg::LlmServer.fill(
            lang,
            &[
                ("provider", provider),
                ("status", &status.to_string()),
                ("detail", detail),
            ],
        ),
        LlmError::Timeout { waited } => Msg::LlmTimeout.fill(lang, &[("secs", &secs(waited))]),
        LlmError::Deadline { deadline } => {
            Msg::LlmDeadline.fill(lang, &[("secs", &secs(deadline))])
        }
        LlmError::StreamCut { provider, detail } => {
            Msg::LlmStreamCut.fill(lang, &[("provider", provider), ("detail", detail)])
        }
        LlmError::Redirect {
            provider,
            status,
            location,
        } => Msg::LlmRedirect.fill(
            lang,
            &[
                ("provider", provider),
                ("status", &status.to_string()),
                ("location", location),
            ],
        ),
        LlmError::Network {
            provider,
            url,
            detail,
        } => Msg::LlmNetwork.fill(
            lang,
            &[("provider", provider), ("url", url), ("detail", detail)],
        ),
        LlmError::Decode { provider, detail } => {
            Msg::LlmDecode.fill(lang, &[("provider", provider), ("detail", detail)])
        }
        LlmError::ScriptExhausted => Msg::LlmScriptExhausted.text(lang).into(),
        LlmError::Cancelled => Msg::LlmCancelled.text(lang).into(),
        LlmError::Config { detail } => Msg::LlmConfig.fill(lang, &[("detail", detail)]),
    }
}

/// A tool's failure, in words (what the terminal, the web UI and step notes show).
pub fn tool_error(e: &ToolError, lang: Lang) -> String {
    match e {
        ToolError::Unknown(tool) => Msg::ToolUnknown.fill(lang, &[("tool", tool)]),
        ToolError::InvalidInput { tool, reason } => {
            Msg::ToolInvalidInput.fill(lang, &[("tool", tool), ("reason", reason)])
        }
        ToolError::Refused(reason) => Msg::ToolRefused.fill(lang, &[("reason", reason)]),
        ToolError::Stopped => Msg::ToolStopped.text(lang).into(),
        ToolError::Workspace(w) => workspace_error(w, lang),
        ToolError::Document { path, error } => {
            Msg::ToolDocument.fill(lang, &[("path", path), ("reason", &doc_error(error, lang))])
        }
        ToolError::Unreadable { path, reason } => {
            Msg::ToolDocument.fill(lang, &[("path", path), ("reason", reason)])
        }
        ToolError::NoStatementLines { path } => {
            Msg::ToolNoStatementLines.fill(lang, &[("path", path)])
        }
        ToolError::NoTable { path } => Msg::ToolNoTable.fill(lang, &[("path", path)]),
        ToolError::NoSuchColumn {
            path,
            column,
            columns,
        } => Msg::ToolNoSuchColumn.fill(
            lang,
            &[
                ("path", path),
                ("column", column),
                ("columns", &columns.join(" | ")),
            ],
        ),
        ToolError::NotASegment { column } => Msg::ToolNotASegment.fill(lang, &[("column", column)]),
        ToolError::NoSheet => Msg::ToolNoSheet.text(lang).into(),
        ToolError::NoWritableFolder => Msg::ToolNoWritableFolder.text(lang).into(),
        ToolError::WouldOverwrite { path } => Msg::WsAlreadyExists.fill(lang, &[("path", path)]),
        ToolError::Failed(detail) => Msg::TechnicalFailure.fill(lang, &[("detail", detail)]),
    }
}

/// Words that only an English sentence has — none is French, nor a word commis's French texts
/// borrow ("plan", "question", "stop", "client", "total"...).
const ENGLISH_ONLY: &[&str] = &[
    "the",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "not",
    "cannot",
    "can",
    "does",
    "did",
    "has",
    "have",
    "had",
    "and",
    "with",
    "this",
    "that",
    "these",
    "those",
    "your",
    "you",
    "it",
    "its",
    "of",
    "to",
    "for",
    "from",
    "into",
    "by",
    "at",
    "in",
    "no",
    "file",
    "files",
    "folder",
    "folders",
    "error",
    "errors",
    "failed",
    "fails",
    "refused",
    "refuses",
    "allowed",
    "granted",
    "already",
    "exist",
    "exists",
    "nothing",
    "step",
    "steps",
    "waiting",
    "stopped",
    "done",
    "skipped",
    "pending",
    "approval",
    "approve",
    "denied",
    "unknown",
    "invalid",
    "warning",
    "should",
    "would",
    "could",
    "created",
    "modified",
    "moved",
    "deleted",
    "kept",
    "changed",
    "missing",
    "found",
    "because",
    "please",
    "which",
    "there",
    "here",
    "only",
    "must",
    "will",
    "when",
    "what",
    "where",
    "before",
    "after",
    "than",
    "then",
    "back",
    "left",
    "some",
    "every",
    "need",
    "needs",
    "use",
    "using",
    "path",
    "paths",
    "symbolic",
    "link",
    "outside",
    "inside",
    "damaged",
    "encrypted",
    "unsupported",
    "undone",
    "partly",
    "read",
    "write",
    "locked",
    "busy",
    "process",
    "running",
    "finished",
    "again",
    "start",
    "started",
    "new",
    "other",
    "another",
    "same",
    "more",
    "less",
    "too",
    "large",
    "run",
    "runs",
    "undo",
    "resume",
    "show",
    "wait",
    "failure",
    "check",
    "checked",
    "unreadable",
    "couldn",
    "isn",
    "doesn",
    "won",
    "didn",
    "following",
    "model",
    "provider",
    "request",
    "answer",
    "deadline",
    "reverted",
    "restored",
    "removed",
    "skipped",
];

/// The English-only words in `text`, once its code is set aside: `{placeholders}`,
/// `` `code` ``, command lines (`commis undo RUN --force`), flags (`--allow move`), names in
/// capitals (`COMMIS_HOME`) and `snake_case` identifiers (`call_deadline_secs`). A French text where this finds anything was left untranslated;
/// the catalogue's tests and the CLI's French-run tests use it.
pub fn english_words(text: &str) -> Vec<String> {
    let mut plain = String::with_capacity(text.len());
    let mut in_code = false;
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '`' => in_code = !in_code,
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ if in_code || depth > 0 => {}
            _ => plain.push(c),
        }
    }
    let words: Vec<&str> = plain.split_whitespace().collect();
    let mut found = Vec::new();
    let mut skip_next = 0usize;
    for (i, raw) in words.iter().enumerate() {
        if skip_next > 0 {
            skip_next -= 1;
            continue;
        }
        // `commis undo RUN`, `commis resume RUN`: the command and its run id.
        let bare = raw.trim_start_matches(['(', '«', '"', '\'']);
        if bare == "commis" {
            if let Some(next) = words.get(i + 1)
                && next.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            {
                skip_next = 1;
            }
            continue;
        }
        // `--allow move`: the flag and the action kind it names.
        if bare.starts_with("--") {
            if bare.trim_end_matches([',', '.', ')', ';']) == "--allow" {
                skip_next = 1;
            }
            continue;
        }
        // `snake_case` names are settings and identifiers, not words.
        if raw.contains('_') {
            continue;
        }
        for token in raw.split(|c: char| !c.is_alphanumeric()) {
            if token.is_empty() || token.chars().all(|c| !c.is_lowercase()) {
                continue;
            }
            let lower = token.to_lowercase();
            if ENGLISH_ONLY.contains(&lower.as_str()) {
                found.push(lower);
            }
        }
    }
    found
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
        for m in Msg::ALL {
            let fr = m.text(Lang::Fr);
            assert_eq!(english_words(fr), Vec::<String>::new(), "{m:?}: {fr}");
        }
    }

    #[test]
    fn the_detector_finds_english_and_leaves_french_and_code_alone() {
        assert_eq!(
            english_words("refused path `../x`: `..` would leave the granted folder"),
            [
                "refused", "path", "would", "leave", "the", "granted", "folder"
            ]
            .iter()
            .filter(|w| ENGLISH_ONLY.contains(w))
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
        );
        assert!(
            english_words(
                "Pour continuer : commis resume 20261203-101500-abcd --allow move, `the code`, {path}, COMMIS_HOME"
            )
            .is_empty()
        );
        assert!(!english_words("It was not found.").is_empty());
    }

    /// One of each error a French run can meet, with French-looking values.
    fn every_error() -> Vec<ToolError> {
        use commis_workspace::ChangedFile;
        let p = || "Factures/facture 2024.pdf".to_string();
        let refusals = vec![
            PathRefusal::TooLong,
            PathRefusal::ControlCharacter(10),
            PathRefusal::Backslash,
            PathRefusal::Absolute,
            PathRefusal::DrivePrefix,
            PathRefusal::LookAlike(0x2024),
            PathRefusal::Invisible(0x200B),
            PathRefusal::EmptyName,
            PathRefusal::ClimbsOut,
            PathRefusal::NameTooLong("nom".into()),
            PathRefusal::DotsAndSpaces("..".into()),
            PathRefusal::CombiningStart("é".into()),
            PathRefusal::TempName,
            PathRefusal::IsTheFolder,
            PathRefusal::NeedsFolderName("Clients, Archives".into()),
            PathRefusal::NotAGrantedFolder {
                name: "Autre".into(),
                granted: "Clients".into(),
            },
            PathRefusal::IntoItself("Clients".into()),
            PathRefusal::MovedEarlierInBatch,
            PathRefusal::ThroughSymlink,
            PathRefusal::ResolvesOutside,
            PathRefusal::Symlink,
        ];
        let grants = vec![
            GrantProblem::NoneGranted,
            GrantProblem::CannotOpen {
                kind: std::io::ErrorKind::NotFound,
                detail: "No such file or directory (os error 2)".into(),
            },
            GrantProblem::NotAFolder {
                kind: std::io::ErrorKind::PermissionDenied,
                detail: "Permission denied (os error 13)".into(),
            },
            GrantProblem::OverlapsState("/home/moi/.commis".into()),
            GrantProblem::UnusableName,
            GrantProblem::SameName("Clients".into()),
            GrantProblem::Nested("/home/moi/Clients".into()),
            GrantProblem::JournalPointsAtState,
        ];
        let mut ws: Vec<WorkspaceError> = Vec::new();
        for r in refusals {
            ws.push(WorkspaceError::InvalidPath {
                path: p(),
                reason: r.clone(),
            });
            ws.push(WorkspaceError::OutsideGrant {
                path: p(),
                reason: r,
            });
        }
        for g in grants {
            ws.push(WorkspaceError::Grant {
                path: "/home/moi/Clients".into(),
                reason: g,
            });
        }
        let run = commis_core::RunId::new(0, 1);
        let holder = LockHolder::this_process("20261203-101500-abcd", std::path::Path::new("/d"));
        ws.extend([
            WorkspaceError::HardLinked { path: p() },
            WorkspaceError::NotFound { path: p() },
            WorkspaceError::ParentMissing { path: p() },
            WorkspaceError::AlreadyExists { path: p() },
            WorkspaceError::NotADirectory { path: p() },
            WorkspaceError::IsADirectory { path: p() },
            WorkspaceError::DirectoryNotEmpty { path: p() },
            WorkspaceError::NotARegularFile { path: p() },
            WorkspaceError::ReadOnly { path: p() },
            WorkspaceError::TooLarge {
                path: p(),
                size: 10,
                max: 5,
            },
            WorkspaceError::CrossGrant { from: p(), to: p() },
            WorkspaceError::ChangedSince {
                path: p(),
                changes: vec![ChangedFile {
                    path: p(),
                    expected: "absent".into(),
                    found: "a symbolic link".into(),
                }],
            },
            WorkspaceError::NothingToUndo {
                run: run.clone(),
                reason: NothingToUndo::AlreadyUndone,
            },
            WorkspaceError::NothingToUndo {
                run: run.clone(),
                reason: NothingToUndo::NoChange,
            },
            WorkspaceError::FolderBusy {
                folder: "/home/moi/Clients".into(),
                holder: Some(holder),
            },
            WorkspaceError::FolderBusy {
                folder: "/home/moi/Clients".into(),
                holder: None,
            },
            WorkspaceError::NewerRunFirst {
                run,
                newer: vec![NewerRun {
                    run: commis_core::RunId::new(5, 6),
                    paths: vec![p()],
                    last_entry: 3,
                }],
            },
        ]);
        for kind in [
            std::io::ErrorKind::NotFound,
            std::io::ErrorKind::PermissionDenied,
            std::io::ErrorKind::StorageFull,
            std::io::ErrorKind::ReadOnlyFilesystem,
            std::io::ErrorKind::Other,
        ] {
            for op in ["read", "write", "move", "list", "create folder", "remove"] {
                ws.push(WorkspaceError::Io {
                    op,
                    path: p(),
                    source: std::io::Error::from(kind),
                });
            }
        }
        let mut all: Vec<ToolError> = ws.into_iter().map(ToolError::Workspace).collect();
        for error in [
            DocError::Corrupt {
                format: "PDF".into(),
                reason: "unexpected end of stream".into(),
            },
            DocError::Encrypted,
            DocError::Unsupported {
                detected: "image/png".into(),
            },
            DocError::TooLarge {
                limit: "12 bytes, above the 5 byte limit".into(),
            },
            DocError::Hostile {
                reason: "worker ran out of memory".into(),
            },
        ] {
            all.push(ToolError::Document { path: p(), error });
        }
        all.extend([
            ToolError::Refused(Msg::RefusedByUser.text(Lang::Fr).into()),
            ToolError::Stopped,
            ToolError::NoStatementLines { path: p() },
            ToolError::NoTable { path: p() },
            ToolError::NoSuchColumn {
                path: p(),
                column: "Segment".into(),
                columns: vec!["Note".into(), "Commentaire".into()],
            },
            ToolError::NotASegment {
                column: "Commentaire".into(),
            },
            ToolError::NoSheet,
            ToolError::NoWritableFolder,
            ToolError::WouldOverwrite { path: p() },
        ]);
        all
    }

    #[test]
    fn every_refusal_and_tool_error_is_french_in_a_french_run_and_english_in_an_english_one() {
        for e in every_error() {
            let fr = e.localized(Lang::Fr);
            assert_eq!(english_words(&fr), Vec::<String>::new(), "{e:?}: {fr}");
            let en = e.localized(Lang::En);
            assert!(!english_words(&en).is_empty(), "{e:?} in English: {en}");
        }
        for e in [
            PlanError::NoSuchStep(3),
            PlanError::BadTransition {
                number: 2,
                from: "done",
                to: "running",
            },
            PlanError::AlreadyStarted(1),
            PlanError::Empty,
        ] {
            let fr = plan_error(&e, Lang::Fr);
            assert_eq!(english_words(&fr), Vec::<String>::new(), "{e:?}: {fr}");
        }
        for r in [
            GrantRefusal::Missing {
                path: "/home/moi/Absent".into(),
                reason: "No such file or directory (os error 2)".into(),
                kind: std::io::ErrorKind::NotFound,
            },
            GrantRefusal::NotAFolder {
                path: "/home/moi/a.txt".into(),
            },
            GrantRefusal::System {
                path: "/".into(),
                what: "the whole disk",
            },
            GrantRefusal::System {
                path: "/home".into(),
                what: "the folder of every user's home",
            },
            GrantRefusal::System {
                path: "/etc".into(),
                what: "a system folder",
            },
            GrantRefusal::System {
                path: "/proc".into(),
                what: "on a pseudo-filesystem (proc, sys, dev...)",
            },
            GrantRefusal::StateHome {
                path: "/home/moi".into(),
                home: "/home/moi/.commis".into(),
            },
        ] {
            let fr = grant_refusal(&r, Lang::Fr);
            assert_eq!(english_words(&fr), Vec::<String>::new(), "{r:?}: {fr}");
            assert!(!english_words(&grant_refusal(&r, Lang::En)).is_empty());
        }
        for status in [
            RunStatus::Planning,
            RunStatus::Running,
            RunStatus::NeedsInput,
            RunStatus::Done,
            RunStatus::Failed,
            RunStatus::Stopped,
            RunStatus::Unsupported,
            RunStatus::Interrupted,
        ] {
            // English keeps the contract's word, which scripts read.
            assert_eq!(run_status(status, Lang::En), status.as_str());
        }
    }

    #[test]
    fn model_failures_are_french_in_a_french_run_but_for_the_providers_own_words() {
        let d = || "«surchargé»".to_string();
        let p = || "anthropic".to_string();
        for e in [
            LlmError::Auth {
                provider: p(),
                status: 401,
                env_var: "ANTHROPIC_API_KEY".into(),
                detail: d(),
            },
            LlmError::BadRequest {
                provider: p(),
                status: 400,
                detail: d(),
            },
            LlmError::NotFound {
                provider: p(),
                model: "claude-x".into(),
                detail: d(),
                did_you_mean: Some("claude-y".into()),
            },
            LlmError::RateLimited {
                provider: p(),
                retry_after: None,
                detail: d(),
            },
            LlmError::Server {
                provider: p(),
                status: 503,
                detail: d(),
            },
            LlmError::Timeout {
                waited: std::time::Duration::from_secs(90),
            },
            LlmError::Deadline {
                deadline: std::time::Duration::from_secs(600),
            },
            LlmError::StreamCut {
                provider: p(),
                detail: d(),
            },
            LlmError::Redirect {
                provider: p(),
                status: 301,
                location: "https://exemple.fr/v1".into(),
            },
            LlmError::Network {
                provider: p(),
                url: "https://exemple.fr/v1".into(),
                detail: d(),
            },
            LlmError::Decode {
                provider: p(),
                detail: d(),
            },
            LlmError::ScriptExhausted,
            LlmError::Cancelled,
            LlmError::Config { detail: d() },
        ] {
            let fr = llm_error(&e, Lang::Fr);
            assert_eq!(english_words(&fr), Vec::<String>::new(), "{e:?}: {fr}");
            assert!(!english_words(&llm_error(&e, Lang::En)).is_empty(), "{e:?}");
        }
    }

    #[test]
    fn stored_words_of_the_audit_are_said_in_french() {
        for kind in ActionKind::ALL {
            assert_ne!(action_kind_named(kind.as_str(), Lang::Fr), kind.as_str());
            assert_eq!(action_kind_named(kind.as_str(), Lang::En), kind.as_str());
        }
        for by in [
            "user",
            "policy",
            "run",
            "rule",
            "output folder",
            "unattended",
            "exec allowlist",
        ] {
            let fr = approval_by(by, Lang::Fr);
            assert_eq!(english_words(&fr), Vec::<String>::new(), "{by}: {fr}");
        }
        for node in [
            "absent",
            "directory",
            "unreachable (a symbolic link or file is on its path)",
            "a hard-linked file",
            "unreadable",
            "a symbolic link",
            "a special file",
            "a temporary file of a commis process still running",
        ] {
            let fr = undo_node(node, Lang::Fr);
            assert_eq!(english_words(&fr), Vec::<String>::new(), "{node}: {fr}");
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
