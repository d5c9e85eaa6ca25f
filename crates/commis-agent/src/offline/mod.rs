//! The offline planner: the common office briefs with no model and no network. It reads the
//! folder once (see [`analysis`]), turns the brief's intents into numbered steps with their
//! parameters — the change set of moves and renames is listed line by line in the plan — and
//! runs each step with the same tools a model would use. A brief outside its repertoire gets
//! an honest `unsupported`, never a fake result.

pub mod analysis;
pub mod brief;
mod deliver;
mod steps;

use std::collections::BTreeSet;

use commis_core::{Plan, Step};
use serde_json::json;

use crate::context::RunContext;
use crate::tools::ChangeLine;
use crate::{StepFailure, Unplannable};
use analysis::{Analysis, FileFacts};
use brief::{Intent, Lang, SortKey, Understanding};

/// Where deliverables go, inside the granted folder.
pub fn output_dir(lang: Lang) -> &'static str {
    lang.pick("Livrables", "Deliverables")
}

/// What the offline planner can do, for the unsupported message.
fn repertoire(lang: Lang) -> &'static str {
    lang.pick(
        "Sans modèle, commis sait : classer ou trier les fichiers (par client, par type, par date), \
         les renommer selon un format standard, repérer les doublons, faire un catalogue, \
         un tableau récapitulatif des factures avec formules et totaux par client, \
         résumer des réunions et en extraire les actions, rédiger un rapport et produire une présentation.",
        "Without a model, commis can: sort files (by client, type or date), rename them to a standard \
         pattern, find duplicates, build a catalogue, a summary workbook of invoices with formulas and \
         totals per client, summarize meetings and extract action items, write a report and a deck.",
    )
}

fn how_to_configure(lang: Lang) -> &'static str {
    lang.pick(
        "Pour le reste, configurez un modèle : export ANTHROPIC_API_KEY=… puis --provider anthropic \
         (ou OPENAI_API_KEY / OPENAI_BASE_URL=http://localhost:11434/v1 pour Ollama, puis --provider openai). \
         `commis doctor` vérifie la configuration.",
        "For anything else, configure a model: export ANTHROPIC_API_KEY=… then --provider anthropic \
         (or OPENAI_API_KEY / OPENAI_BASE_URL=http://localhost:11434/v1 for Ollama, then --provider openai). \
         `commis doctor` checks the set-up.",
    )
}

fn unsupported(u: &Understanding) -> String {
    let lang = u.lang;
    let mut msg = String::new();
    if u.intents.is_empty() && u.not_understood.is_empty() {
        msg.push_str(lang.pick("Le brief est vide. ", "The brief is empty. "));
    } else if !u.not_understood.is_empty() {
        let parts: Vec<String> = u
            .not_understood
            .iter()
            .map(|c| format!("« {c} »"))
            .collect();
        msg.push_str(&match lang {
            Lang::Fr => format!(
                "Hors ligne, je ne sais pas faire : {}. Rien n'a été modifié. ",
                parts.join(", ")
            ),
            Lang::En => format!(
                "Offline, I cannot do: {}. Nothing was changed. ",
                parts.join(", ")
            ),
        });
    }
    msg.push_str(repertoire(lang));
    msg.push(' ');
    msg.push_str(how_to_configure(lang));
    msg
}

fn folder_for_kind(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "invoice" | "supplier_invoice" => lang.pick("Factures", "Invoices"),
        "quote" => lang.pick("Devis", "Quotes"),
        "credit_note" => lang.pick("Avoirs", "Credit notes"),
        "purchase_order" => lang.pick("Bons de commande", "Purchase orders"),
        "receipt" => lang.pick("Reçus", "Receipts"),
        "contract" => lang.pick("Contrats", "Contracts"),
        "meeting_transcript" | "meeting_notes" | "meeting_minutes" => {
            lang.pick("Réunions", "Meetings")
        }
        "client_note" => lang.pick("Notes clients", "Client notes"),
        "letter" => lang.pick("Courriers", "Letters"),
        "email" => "E-mails",
        "bank_statement" => lang.pick("Banque", "Bank"),
        "spreadsheet" | "data_export" => {
            lang.pick("Tableaux et exports", "Spreadsheets and exports")
        }
        "report" => lang.pick("Rapports", "Reports"),
        "presentation" => lang.pick("Présentations", "Presentations"),
        "image" => "Images",
        _ => lang.pick("Divers", "Other"),
    }
}

/// A human label for a document type, as used in file names and tables.
pub fn kind_label(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "invoice" | "supplier_invoice" => lang.pick("Facture", "Invoice"),
        "quote" => lang.pick("Devis", "Quote"),
        "credit_note" => lang.pick("Avoir", "Credit note"),
        "purchase_order" => lang.pick("Bon de commande", "Purchase order"),
        "receipt" => lang.pick("Reçu", "Receipt"),
        "contract" => lang.pick("Contrat", "Contract"),
        "meeting_transcript" => lang.pick("Transcription", "Transcript"),
        "meeting_notes" | "meeting_minutes" => lang.pick("Compte rendu", "Minutes"),
        "client_note" => lang.pick("Note client", "Client note"),
        "letter" => lang.pick("Courrier", "Letter"),
        "email" => "E-mail",
        "bank_statement" => lang.pick("Relevé bancaire", "Bank statement"),
        "spreadsheet" => lang.pick("Tableau", "Spreadsheet"),
        "data_export" => lang.pick("Export", "Data export"),
        "report" => lang.pick("Rapport", "Report"),
        "presentation" => lang.pick("Présentation", "Presentation"),
        "image" => "Image",
        _ => lang.pick("Document", "Document"),
    }
}

/// Below this, which client a file belongs to is shown as a doubt, not decided silently.
pub const CONFIDENT: f32 = 0.6;

fn safe_folder_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let cleaned = cleaned.trim_matches('.').to_string();
    if cleaned.is_empty() {
        "Client".to_string()
    } else {
        cleaned
    }
}

fn split_name(name: &str) -> (&str, &str) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => (stem, ext),
        _ => (name, ""),
    }
}

/// Computes the change set for sorting, renaming and setting duplicates aside.
fn change_set(analysis: &Analysis, intents: &[Intent], lang: Lang) -> Vec<ChangeLine> {
    let sort = intents.iter().find_map(|i| match i {
        Intent::Sort { by } => Some(*by),
        _ => None,
    });
    let rename = intents.contains(&Intent::Rename);
    let dedupe = intents.contains(&Intent::Duplicates);
    let moving: BTreeSet<&str> = analysis.files.iter().map(|f| f.path.as_str()).collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut changes = Vec::new();
    for f in &analysis.files {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        let current_dir = f
            .path
            .rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default();
        let mut reasons: Vec<String> = Vec::new();
        let mut confidence = 1.0f32;
        let dir = if dedupe && f.duplicate_of.is_some() {
            reasons.push(match lang {
                Lang::Fr => format!(
                    "copie identique de {}",
                    f.duplicate_of.as_deref().unwrap_or("?")
                ),
                Lang::En => format!(
                    "identical copy of {}",
                    f.duplicate_of.as_deref().unwrap_or("?")
                ),
            });
            lang.pick("Doublons", "Duplicates").to_string()
        } else {
            match sort {
                None => current_dir.clone(),
                Some(SortKey::Type) => {
                    confidence = f.kind_confidence;
                    reasons.push(f.kind_reason.clone());
                    folder_for_kind(&f.kind, lang).to_string()
                }
                Some(SortKey::Client) => match &f.client {
                    Some(c) if f.client_confidence >= CONFIDENT => {
                        confidence = f.client_confidence;
                        reasons.push(f.client_reason.clone());
                        safe_folder_name(c)
                    }
                    Some(c) => {
                        confidence = f.client_confidence;
                        reasons.push(match lang {
                            Lang::Fr => {
                                format!("client incertain (peut-être {c}) : {}", f.client_reason)
                            }
                            Lang::En => {
                                format!("uncertain client (maybe {c}): {}", f.client_reason)
                            }
                        });
                        lang.pick("À vérifier", "To check").to_string()
                    }
                    None => {
                        reasons.push(
                            lang.pick("aucun client identifié", "no client identified")
                                .to_string(),
                        );
                        lang.pick("Sans client", "No client").to_string()
                    }
                },
                Some(SortKey::Date) => match &f.date {
                    Some(d) if d.len() >= 7 => {
                        reasons.push(match lang {
                            Lang::Fr => format!("date du document : {d}"),
                            Lang::En => format!("document date: {d}"),
                        });
                        format!("{}/{}", &d[..4], &d[..7])
                    }
                    _ => {
                        reasons.push(
                            lang.pick("aucune date trouvée", "no date found")
                                .to_string(),
                        );
                        lang.pick("Sans date", "No date").to_string()
                    }
                },
                Some(SortKey::Project) => current_dir.clone(),
            }
        };
        let new_name = if rename && f.error.is_none() {
            let inv = f.invoice.as_ref();
            let (_, ext) = split_name(name);
            let client = f
                .client
                .as_deref()
                .filter(|_| f.client_confidence >= CONFIDENT);
            let number = inv.and_then(|i| i.number.as_deref());
            let renamed = commis_skills::slug::standard_name(
                f.date.as_deref(),
                client,
                kind_label(&f.kind, lang),
                number,
                ext,
            );
            if renamed != name {
                reasons.push(lang.pick("nom standardisé", "standard name").to_string());
            }
            renamed
        } else {
            name.to_string()
        };
        let mut target = if dir.is_empty() {
            new_name.clone()
        } else {
            format!("{dir}/{new_name}")
        };
        if target == f.path {
            taken.insert(target);
            continue;
        }
        // Never two files on one name, and never onto a file that stays where it is.
        let (stem, ext) = split_name(&new_name);
        let mut n = 2;
        while taken.contains(&target)
            || (moving.contains(target.as_str())
                && target != f.path
                && !changes.iter().any(|c: &ChangeLine| c.from == target))
        {
            let candidate = if ext.is_empty() {
                format!("{stem} ({n})")
            } else {
                format!("{stem} ({n}).{ext}")
            };
            target = if dir.is_empty() {
                candidate
            } else {
                format!("{dir}/{candidate}")
            };
            n += 1;
        }
        taken.insert(target.clone());
        changes.push(ChangeLine {
            from: f.path.clone(),
            to: target,
            reason: reasons
                .into_iter()
                .filter(|r| !r.is_empty())
                .collect::<Vec<_>>()
                .join("; "),
            confidence,
        });
    }
    changes
}

fn count_kind(files: &[FileFacts], kinds: &[&str]) -> usize {
    files
        .iter()
        .filter(|f| kinds.contains(&f.kind.as_str()))
        .count()
}

const MEETING_KINDS: &[&str] = &["meeting_transcript", "meeting_notes", "meeting_minutes"];
const INVOICE_KINDS: &[&str] = &["invoice", "credit_note"];

fn step(kind: &str, title: String, description: String) -> Step {
    let mut s = Step::new(title, description);
    s.kind = Some(kind.to_string());
    s
}

/// Surveys the folder and builds the plan for the brief.
pub async fn plan(ctx: &RunContext) -> Result<Plan, Unplannable> {
    let u = brief::understand(&ctx.run.brief);
    let lang = u.lang;
    if u.intents.is_empty() || !u.not_understood.is_empty() {
        return Err(Unplannable::Unsupported(unsupported(&u)));
    }
    if u.intents.contains(&Intent::Sort {
        by: SortKey::Project,
    }) {
        let mut u2 = u.clone();
        u2.not_understood.push(
            lang.pick("classer par projet", "sort by project")
                .to_string(),
        );
        return Err(Unplannable::Unsupported(unsupported(&u2)));
    }
    let out = ctx.output_dir();
    let analysis = analysis::analyze(ctx, std::slice::from_ref(&out))
        .map_err(|e| Unplannable::Failed(e.to_string()))?;
    let n_files = analysis.files.len();
    let mut steps = Vec::new();

    let reorganize = u
        .intents
        .iter()
        .any(|i| matches!(i, Intent::Sort { .. } | Intent::Rename | Intent::Duplicates));
    if reorganize {
        let mut changes = change_set(&analysis, &u.intents, lang);
        // Files the workspace will refuse to move (a name with a newline, a hard-linked or
        // special file, two names ending up the same) are known now: shown, then left out.
        let left_out = cannot_move(ctx, &changes);
        changes.retain(|c| !left_out.iter().any(|(from, _)| *from == c.from));
        let left_out_note = match (left_out.is_empty(), lang) {
            (true, _) => String::new(),
            (false, Lang::Fr) => format!(
                " {} fichier(s) resteront en place, impossibles à déplacer : {}.",
                left_out.len(),
                left_out
                    .iter()
                    .map(|(f, r)| format!("{} ({r})", f.escape_debug()))
                    .collect::<Vec<_>>()
                    .join(" ; ")
            ),
            (false, Lang::En) => format!(
                " {} file(s) will stay in place, they cannot be moved: {}.",
                left_out.len(),
                left_out
                    .iter()
                    .map(|(f, r)| format!("{} ({r})", f.escape_debug()))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        let doubtful = changes.iter().filter(|c| c.confidence < CONFIDENT).count();
        let folders: BTreeSet<String> = changes
            .iter()
            .filter_map(|c| c.to.rsplit_once('/').map(|(d, _)| d.to_string()))
            .collect();
        let what = u
            .intents
            .iter()
            .filter_map(|i| match i {
                Intent::Sort { by } => Some(match (by, lang) {
                    (SortKey::Client, Lang::Fr) => "Classer les fichiers par client",
                    (SortKey::Client, Lang::En) => "Sort the files by client",
                    (SortKey::Type, Lang::Fr) => "Trier les fichiers par type",
                    (SortKey::Type, Lang::En) => "Sort the files by type",
                    (SortKey::Date, Lang::Fr) => "Classer les fichiers par date",
                    (SortKey::Date, Lang::En) => "Sort the files by date",
                    (SortKey::Project, _) => "",
                }),
                Intent::Rename => Some(lang.pick(
                    "renommer selon un format standard",
                    "rename to a standard pattern",
                )),
                Intent::Duplicates => {
                    Some(lang.pick("mettre les doublons de côté", "set duplicates aside"))
                }
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut title = what;
        if let Some(c) = title.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        let description = match lang {
            Lang::Fr => format!(
                "{} déplacement(s) ou renommage(s) vers {} dossier(s), appliqués en un seul lot annulable{}. Rien n'est supprimé.",
                changes.len(),
                folders.len(),
                if doubtful > 0 {
                    format!(" ; {doubtful} fichier(s) au client incertain vont dans « À vérifier »")
                } else {
                    String::new()
                }
            ),
            Lang::En => format!(
                "{} move(s) or rename(s) into {} folder(s), applied as one undoable batch{}. Nothing is deleted.",
                changes.len(),
                folders.len(),
                if doubtful > 0 {
                    format!("; {doubtful} file(s) with an uncertain client go to \"To check\"")
                } else {
                    String::new()
                }
            ),
        };
        let description = description + &left_out_note;
        let mut s = step("reorganize", title, description);
        s.reads = vec![format!("{n_files} {}", lang.pick("fichiers", "files"))];
        s.produces = folders.iter().take(12).map(|f| format!("{f}/")).collect();
        s.needs_approval = !changes.is_empty();
        s.params = json!({ "changes": changes });
        steps.push(s);
    }
    if u.intents.contains(&Intent::Catalogue) {
        let mut s = step(
            "catalogue",
            lang.pick("Construire le catalogue des fichiers", "Build the catalogue of the files").into(),
            lang.pick(
                "Un classeur (une ligne par fichier : chemin, type, client, date, taille, empreinte), en Markdown et en CSV aussi.",
                "A workbook (one row per file: path, type, client, date, size, fingerprint), also as Markdown and CSV.",
            )
            .into(),
        );
        s.reads = vec![format!("{n_files} {}", lang.pick("fichiers", "files"))];
        s.produces = vec![
            format!("{out}/catalogue.xlsx"),
            format!("{out}/catalogue.md"),
            format!("{out}/catalogue.csv"),
        ];
        steps.push(s);
    }
    let wants_report = u.intents.contains(&Intent::Report);
    if u.intents.contains(&Intent::InvoiceTable) {
        let n = count_kind(&analysis.files, INVOICE_KINDS);
        let mut s = step(
            "invoice_table",
            lang.pick(
                "Créer le tableau récapitulatif des montants",
                "Build the summary table of amounts",
            )
            .into(),
            match lang {
                Lang::Fr => format!(
                    "{n} facture(s) et avoir(s) : HT, TVA, TTC avec formules, totaux par client (SOMME.SI), graphique, feuille Sources reliant chaque montant à son fichier."
                ),
                Lang::En => format!(
                    "{n} invoice(s) and credit note(s): net, VAT, total with formulas, totals per client (SUMIF), a chart, a Sources sheet linking each figure to its file."
                ),
            },
        );
        s.reads = vec![
            lang.pick("factures et avoirs", "invoices and credit notes")
                .into(),
        ];
        s.produces = vec![format!(
            "{out}/{}",
            lang.pick("recapitulatif-factures.xlsx", "invoice-summary.xlsx")
        )];
        steps.push(s);
    }
    let summaries = u.intents.contains(&Intent::Summaries);
    let actions = u.intents.contains(&Intent::ActionItems);
    if summaries || actions || (wants_report && count_kind(&analysis.files, MEETING_KINDS) > 0) {
        let n = count_kind(&analysis.files, MEETING_KINDS);
        let mut s = step(
            "meetings",
            match (summaries || wants_report, actions || wants_report, lang) {
                (true, true, Lang::Fr) => {
                    "Résumer les réunions et extraire les actions".to_string()
                }
                (true, true, Lang::En) => {
                    "Summarize the meetings and extract action items".to_string()
                }
                (true, false, Lang::Fr) => "Résumer les réunions".to_string(),
                (true, false, Lang::En) => "Summarize the meetings".to_string(),
                (false, _, Lang::Fr) => "Extraire les actions et priorités".to_string(),
                (false, _, Lang::En) => "Extract action items and priorities".to_string(),
            },
            match lang {
                Lang::Fr => format!(
                    "{n} transcription(s) ou compte(s) rendu(s) : résumé extractif (phrases du texte), actions (qui, quoi, quand), priorités."
                ),
                Lang::En => format!(
                    "{n} transcript(s) or minutes: extractive summary (sentences from the text), action items (who, what, when), priorities."
                ),
            },
        );
        s.reads = vec![
            lang.pick(
                "transcriptions et comptes rendus",
                "transcripts and minutes",
            )
            .into(),
        ];
        s.produces = vec![
            format!(
                "{out}/{}",
                lang.pick("syntheses-reunions.md", "meeting-summaries.md")
            ),
            format!("{out}/{}", lang.pick("actions.xlsx", "action-items.xlsx")),
        ];
        s.params =
            json!({"summaries": summaries || wants_report, "actions": actions || wants_report});
        steps.push(s);
    }
    if wants_report {
        let mut s = step(
            "report",
            lang.pick("Rédiger le rapport avec recommandations", "Write the report with recommendations").into(),
            lang.pick(
                "Rapport Word (titres, tableaux, table des matières) et Markdown : vue d'ensemble, montants, réunions, actions, recommandations.",
                "Word report (headings, tables, table of contents) and Markdown: overview, amounts, meetings, action items, recommendations.",
            )
            .into(),
        );
        s.produces = vec![
            format!("{out}/{}", lang.pick("rapport.docx", "report.docx")),
            format!("{out}/{}", lang.pick("rapport.md", "report.md")),
        ];
        steps.push(s);
    }
    if let Some(slides) = u.intents.iter().find_map(|i| match i {
        Intent::Deck { slides } => Some(*slides),
        _ => None,
    }) {
        let n = slides.unwrap_or(8);
        let mut s = step(
            "deck",
            match lang {
                Lang::Fr => format!("Produire la présentation de {n} diapositives"),
                Lang::En => format!("Produce the {n}-slide deck"),
            },
            lang.pick(
                "Diapositives 16:9 avec notes de l'orateur : titre, chiffres clés, montants par client (graphique), détails, réunions et actions, recommandations.",
                "16:9 slides with speaker notes: title, key figures, amounts per client (chart), details, meetings and actions, recommendations.",
            )
            .into(),
        );
        s.produces = vec![format!(
            "{out}/{}",
            lang.pick("presentation.pptx", "presentation.pptx")
        )];
        s.params = json!({"slides": n});
        steps.push(s);
    }
    if steps.is_empty() {
        return Err(Unplannable::Unsupported(unsupported(&u)));
    }
    let mut plan = Plan::new(steps);
    plan.summary = Some(match lang {
        Lang::Fr => format!("{n_files} fichier(s) examiné(s) ; livrables dans « {out}/ »."),
        Lang::En => format!("{n_files} file(s) examined; deliverables in \"{out}/\"."),
    });
    plan.context =
        json!({ "analysis": analysis, "output_dir": out, "lang": lang, "intents": u.intents });
    Ok(plan)
}

/// Runs one step of an offline plan.
pub async fn run_step(ctx: &RunContext, plan: &Plan, step: &Step) -> Result<String, StepFailure> {
    steps::run(ctx, plan, step).await
}

/// The moves of `changes` the workspace would leave out, with the reason (checked without
/// changing anything, the way `apply_changes` builds its batch).
fn cannot_move(ctx: &RunContext, changes: &[ChangeLine]) -> Vec<(String, String)> {
    use commis_workspace::BatchItem;
    let mut items = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    for c in changes {
        if let Some((parent, _)) = c.to.rsplit_once('/') {
            let mut acc = String::new();
            for part in parent.split('/') {
                if !acc.is_empty() {
                    acc.push('/');
                }
                acc.push_str(part);
                if !dirs.contains(&acc) {
                    dirs.push(acc.clone());
                    items.push(BatchItem::MakeDir { path: acc.clone() });
                }
            }
        }
        items.push(BatchItem::Move {
            from: c.from.clone(),
            to: c.to.clone(),
        });
    }
    match ctx.workspace.check_batch(&items) {
        Ok(skipped) => skipped
            .into_iter()
            // A plan made on a read-only grant (`commis plan`) only shows what a run would do.
            .filter(|s| !matches!(s.reason, commis_workspace::WorkspaceError::ReadOnly { .. }))
            .filter_map(|s| match s.item {
                BatchItem::Move { from, .. } => Some((from, s.reason.to_string())),
                BatchItem::MakeDir { .. } => None,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}
