//! The offline planner: the common office briefs with no model and no network. It reads the
//! folder once (see [`analysis`]), turns the brief's intents into numbered steps with their
//! parameters — the change set of moves and renames is listed line by line in the plan — and
//! runs each step with the same tools a model would use. A brief outside its repertoire gets
//! an honest `unsupported`, never a fake result.

pub mod analysis;
pub mod brief;
pub(crate) mod deliver;
pub mod frame;
pub mod scope;
mod steps;
mod table_jobs;

use std::collections::BTreeSet;

use commis_core::{Plan, Step};
use serde_json::json;

use crate::context::RunContext;
use crate::tools::ChangeLine;
use crate::{StepFailure, Unplannable};
use analysis::{Analysis, FileFacts};
use brief::Lang;
use frame::{Action, Clause, Frame, Group, NotDone, Piece, Vocab};
use scope::Day;

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
         résumer des réunions et en extraire les actions, rédiger un rapport et produire une présentation ; \
         et, à partir des factures et des relevés bancaires, le tableau des impayés, les lettres de relance, \
         la TVA collectée et déductible par mois ou trimestre, le chiffre d'affaires par mois et les devis non facturés.",
        "Without a model, commis can: sort files (by client, type or date), rename them to a standard \
         pattern, find duplicates, build a catalogue, a summary workbook of invoices with formulas and \
         totals per client, summarize meetings and extract action items, write a report and a deck; \
         and, from the invoices and bank statements, the unpaid invoices, reminder letters, collected and \
         deductible VAT per month or quarter, revenue per month and the quotes not invoiced.",
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

/// What OCR did for the survey, for the plan: the scans and pictures read, those whose
/// amounts are to check, and those that could not be read (no OCR engine).
fn ocr_line(analysis: &Analysis, lang: Lang) -> Option<String> {
    let read = analysis.files.iter().filter(|f| f.ocr.is_some()).count();
    let unread = analysis.files.iter().filter(|f| f.unread_scan).count();
    let doubtful = analysis
        .files
        .iter()
        .filter(|f| {
            f.invoice
                .as_ref()
                .is_some_and(|i| i.amounts_to_check.is_some())
        })
        .count();
    let mut parts = Vec::new();
    if read > 0 {
        parts.push(match lang {
            Lang::Fr => format!("{read} scan(s) ou photo(s) lu(s) par OCR"),
            Lang::En => format!("{read} scan(s) or photo(s) read by OCR"),
        });
    }
    if doubtful > 0 {
        parts.push(match lang {
            Lang::Fr => {
                format!("{doubtful} aux montants incertains, « À vérifier » et hors totaux")
            }
            Lang::En => {
                format!("{doubtful} with uncertain amounts, \"To check\" and left out of totals")
            }
        });
    }
    if unread > 0 {
        parts.push(match lang {
            Lang::Fr => format!(
                "{unread} fichier(s) n'ont pas pu être lus (scans ou images : le moteur d'OCR Tesseract n'est pas installé, voir `commis doctor`)"
            ),
            Lang::En => format!(
                "{unread} file(s) could not be read (scans or pictures: the OCR engine Tesseract is not installed, see `commis doctor`)"
            ),
        });
    }
    if parts.is_empty() {
        return None;
    }
    let mut line = parts.join(" ; ");
    if lang == Lang::En {
        line = line.replace(" ; ", "; ");
    }
    line.push('.');
    Some(line)
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

/// The folder of a file, for a sort's grouping keys.
fn group_dir(f: &FileFacts, group: &[Group], lang: Lang) -> (String, Vec<String>, f32) {
    let mut parts = Vec::new();
    let mut reasons = Vec::new();
    let mut confidence = 1.0f32;
    let date = f
        .invoice
        .as_ref()
        .and_then(|i| i.date.clone())
        .or(f.date.clone())
        .filter(|d| d.len() >= 7);
    let mut date_said = false;
    for g in group {
        match g {
            Group::Type => {
                confidence = confidence.min(f.kind_confidence);
                reasons.push(f.kind_reason.clone());
                parts.push(folder_for_kind(&f.kind, lang).to_string());
            }
            Group::Client => match &f.client {
                Some(c) if f.client_confidence >= CONFIDENT => {
                    confidence = confidence.min(f.client_confidence);
                    reasons.push(f.client_reason.clone());
                    parts.push(safe_folder_name(c));
                }
                Some(c) => {
                    confidence = confidence.min(f.client_confidence);
                    reasons.push(match lang {
                        Lang::Fr => {
                            format!("client incertain (peut-être {c}) : {}", f.client_reason)
                        }
                        Lang::En => format!("uncertain client (maybe {c}): {}", f.client_reason),
                    });
                    parts.push(lang.pick("À vérifier", "To check").to_string());
                }
                None => {
                    reasons.push(
                        lang.pick("aucun client identifié", "no client identified")
                            .to_string(),
                    );
                    parts.push(lang.pick("Sans client", "No client").to_string());
                }
            },
            Group::Year | Group::Quarter | Group::Month => match &date {
                Some(d) => {
                    if !date_said {
                        reasons.push(match lang {
                            Lang::Fr => format!("date du document : {d}"),
                            Lang::En => format!("document date: {d}"),
                        });
                        date_said = true;
                    }
                    let year = &d[..4];
                    let month: u32 = d[5..7].parse().unwrap_or(1);
                    let under_year = group.contains(&Group::Year);
                    parts.push(match g {
                        Group::Year => year.to_string(),
                        Group::Quarter if under_year => {
                            lang.pick("T", "Q").to_string() + &((month - 1) / 3 + 1).to_string()
                        }
                        Group::Quarter => {
                            format!("{year}-{}{}", lang.pick("T", "Q"), (month - 1) / 3 + 1)
                        }
                        _ if under_year => d[5..7].to_string(),
                        _ => d[..7].to_string(),
                    });
                }
                None => {
                    if !date_said {
                        reasons.push(
                            lang.pick("aucune date trouvée", "no date found")
                                .to_string(),
                        );
                        date_said = true;
                    }
                    let none = lang.pick("Sans date", "No date").to_string();
                    if parts.last() != Some(&none) {
                        parts.push(none);
                    }
                }
            },
        }
    }
    (parts.join("/"), reasons, confidence)
}

/// A file name from the user's pattern (`AAAA-MM-JJ_client_numéro`); unknown parts are
/// left out with the separator before them.
fn patterned_name(f: &FileFacts, pattern: &[Piece], lang: Lang) -> Option<String> {
    use commis_skills::slug::standard_name;
    let name = f.path.rsplit('/').next().unwrap_or(&f.path);
    let (_, ext) = split_name(name);
    let date = f
        .invoice
        .as_ref()
        .and_then(|i| i.date.clone())
        .or(f.date.clone());
    let iso = date
        .as_deref()
        .map(|d| standard_name(Some(d), None, "", None, ""))
        .filter(|d| d.len() == 10 && d.as_bytes().get(4) == Some(&b'-'));
    let mut out = String::new();
    let mut pending_sep = String::new();
    for p in pattern {
        let part = match p {
            Piece::Sep(s) => {
                pending_sep = s.clone();
                continue;
            }
            Piece::Date => iso.clone(),
            Piece::Year => iso.as_ref().map(|d| d[..4].to_string()),
            Piece::Month => iso.as_ref().map(|d| d[5..7].to_string()),
            Piece::Day => iso.as_ref().map(|d| d[8..10].to_string()),
            Piece::Client => f
                .client
                .as_deref()
                .filter(|_| f.client_confidence >= CONFIDENT)
                .map(|c| standard_name(None, Some(c), "", None, "")),
            Piece::Number => f
                .invoice
                .as_ref()
                .and_then(|i| i.number.as_deref())
                .map(|n| standard_name(None, None, "", Some(n), "")),
            Piece::Type => Some(standard_name(
                None,
                None,
                kind_label(&f.kind, lang),
                None,
                "",
            )),
        };
        if let Some(part) = part.filter(|p| !p.is_empty() && p != "document") {
            if !out.is_empty() {
                out.push_str(&pending_sep);
            }
            out.push_str(&part);
        }
        pending_sep.clear();
    }
    if out.is_empty() {
        return None;
    }
    Some(if ext.is_empty() {
        out
    } else {
        format!("{out}.{}", ext.to_lowercase())
    })
}

/// Computes the change set of the clauses that move or rename files: each file is moved
/// by the first sort clause whose scope covers it, renamed by the first rename clause that
/// covers it; files no clause covers do not move.
fn change_set(
    analysis: &Analysis,
    clauses: &[(&Clause, Vec<&FileFacts>)],
    lang: Lang,
) -> Vec<ChangeLine> {
    let covered =
        |c: &(&Clause, Vec<&FileFacts>), f: &FileFacts| c.1.iter().any(|x| x.path == f.path);
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
        let dedupe = clauses
            .iter()
            .any(|c| c.0.actions.contains(&Action::Duplicates) && !c.0.list_only && covered(c, f));
        let sort = clauses
            .iter()
            .find(|c| c.0.actions.contains(&Action::Sort) && covered(c, f));
        let rename = clauses
            .iter()
            .find(|c| c.0.actions.contains(&Action::Rename) && covered(c, f));
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
        } else if let Some((c, _)) = sort {
            let (grouped, why, conf) = group_dir(f, &c.group, lang);
            reasons.extend(why);
            confidence = conf;
            match (&c.dest, grouped.is_empty()) {
                (Some(d), true) => {
                    reasons.push(match lang {
                        Lang::Fr => format!("dossier demandé : {d}"),
                        Lang::En => format!("folder asked for: {d}"),
                    });
                    safe_folder_name(d)
                }
                (Some(d), false) => format!("{}/{grouped}", safe_folder_name(d)),
                (None, _) => grouped,
            }
        } else {
            current_dir.clone()
        };
        let new_name = match rename {
            Some((c, _)) if f.error.is_none() => {
                let renamed = match &c.pattern {
                    Some(p) => patterned_name(f, p, lang).unwrap_or_else(|| name.to_string()),
                    None => {
                        let (_, ext) = split_name(name);
                        let client = f
                            .client
                            .as_deref()
                            .filter(|_| f.client_confidence >= CONFIDENT);
                        let number = f.invoice.as_ref().and_then(|i| i.number.as_deref());
                        // A data export's first date is a row's, not the file's: not a name part.
                        let date = f
                            .date
                            .as_deref()
                            .filter(|_| !matches!(f.kind.as_str(), "data_export" | "spreadsheet"));
                        commis_skills::slug::informative_name(
                            name,
                            date,
                            client,
                            kind_label(&f.kind, lang),
                            number,
                            ext,
                        )
                    }
                };
                if renamed != name {
                    reasons.push(match &c.pattern {
                        Some(p) => match lang {
                            Lang::Fr => format!("nom au format {}", frame::pattern_label(p)),
                            Lang::En => format!("name in the pattern {}", frame::pattern_label(p)),
                        },
                        None => lang.pick("nom standardisé", "standard name").to_string(),
                    });
                }
                renamed
            }
            _ => name.to_string(),
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

fn count_kind(files: &[&FileFacts], kinds: &[&str]) -> usize {
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

/// The names a brief may use for this folder: its folders and its clients.
pub fn vocab_of(analysis: &Analysis) -> Vocab {
    let mut folders: BTreeSet<String> = BTreeSet::new();
    let mut clients: BTreeSet<String> = BTreeSet::new();
    for f in &analysis.files {
        let mut p = f.path.as_str();
        while let Some((d, _)) = p.rsplit_once('/') {
            folders.insert(d.to_string());
            p = d;
        }
        if let Some(c) = f
            .client
            .as_ref()
            .filter(|_| f.client_confidence >= CONFIDENT)
        {
            clients.insert(c.clone());
        }
    }
    Vocab {
        folders: folders.into_iter().collect(),
        clients: clients.into_iter().collect(),
        tables: analysis
            .files
            .iter()
            .filter(|f| table_jobs::is_table(&f.path))
            .map(|f| f.path.clone())
            .collect(),
    }
}

/// A plan built from a frame, or why there is none.
#[derive(Debug)]
pub struct Planned {
    /// None when nothing of the brief can be done.
    pub plan: Option<Plan>,
    /// Parts of the brief that will not be done (the frame's, plus clauses whose scope is empty).
    pub not_done: Vec<NotDone>,
    pub lang: Lang,
}

fn not_done_line(n: &NotDone, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("non fait : « {} » — {} (il faut un modèle)", n.text, n.why),
        Lang::En => format!("not done: \"{}\" — {} (a model is needed)", n.text, n.why),
    }
}

/// Builds the plan of a frame over a surveyed folder. Pure: no I/O, so the corpus, the
/// terminal editor and the web UI share it.
pub fn build_plan(frame: &Frame, analysis: &Analysis, out: &str, today: Day) -> Planned {
    let lang = frame.out_lang.unwrap_or(frame.lang);
    let n_files = analysis.files.len();
    let mut not_done = frame.not_done.clone();
    let mut steps = Vec::new();
    let mut scope_lines: Vec<String> = Vec::new();
    let mut selected: Vec<(&Clause, Vec<&FileFacts>, Option<scope::Range>)> = Vec::new();
    for c in &frame.clauses {
        let (files, range) = scope::select(&c.scope, analysis, today, lang);
        // Deliverables that sum up the whole folder keep working on an empty scope only
        // when the brief gave none.
        let only_overview = c
            .actions
            .iter()
            .all(|a| matches!(a, Action::Report | Action::Deck));
        if files.is_empty() && !(only_overview && c.scope.is_whole_folder()) {
            not_done.push(NotDone {
                text: c.text.clone(),
                why: match lang {
                    Lang::Fr => format!(
                        "aucun fichier ne correspond ({})",
                        scope::describe(&c.scope, range.as_ref(), 0, lang)
                    ),
                    Lang::En => format!(
                        "no file matches ({})",
                        scope::describe(&c.scope, range.as_ref(), 0, lang)
                    ),
                },
            });
            continue;
        }
        selected.push((c, files, range));
    }
    let paths =
        |files: &[&FileFacts]| -> Vec<String> { files.iter().map(|f| f.path.clone()).collect() };

    // Moves and renames.
    let movers: Vec<(&Clause, Vec<&FileFacts>)> = selected
        .iter()
        .filter(|(c, _, _)| {
            c.actions.iter().any(|a| a.moves_files())
                && !(c.actions == [Action::Duplicates] && c.list_only)
        })
        .map(|(c, f, _)| (*c, f.clone()))
        .collect();
    if !movers.is_empty() {
        let changes = change_set(analysis, &movers, lang);
        let doubtful = changes.iter().filter(|c| c.confidence < CONFIDENT).count();
        let folders: BTreeSet<String> = changes
            .iter()
            .filter_map(|c| c.to.rsplit_once('/').map(|(d, _)| d.to_string()))
            .collect();
        let mut what: Vec<String> = Vec::new();
        for (c, _) in &movers {
            for a in &c.actions {
                what.push(match a {
                    Action::Sort => sort_title(c, lang),
                    Action::Rename => match &c.pattern {
                        Some(p) => match lang {
                            Lang::Fr => format!("renommer au format {}", frame::pattern_label(p)),
                            Lang::En => {
                                format!("rename to the pattern {}", frame::pattern_label(p))
                            }
                        },
                        None => lang
                            .pick(
                                "renommer selon un format standard",
                                "rename to a standard pattern",
                            )
                            .to_string(),
                    },
                    Action::Duplicates if !c.list_only => lang
                        .pick("mettre les doublons de côté", "set duplicates aside")
                        .to_string(),
                    _ => continue,
                });
            }
        }
        what.dedup();
        let mut title = what.join(", ");
        if let Some(first) = title.chars().next() {
            title = first.to_uppercase().collect::<String>() + &title[first.len_utf8()..];
        }
        let moved: BTreeSet<&str> = changes.iter().map(|c| c.from.as_str()).collect();
        let in_scope: BTreeSet<&str> = movers
            .iter()
            .flat_map(|(_, f)| f.iter().map(|x| x.path.as_str()))
            .collect();
        let rest = n_files - moved.len();
        let scope_text = {
            let (c, files) = &movers[0];
            let range = selected
                .iter()
                .find(|(x, _, _)| std::ptr::eq(*x, *c))
                .and_then(|(_, _, r)| r.clone());
            let mut s = if movers.len() == 1 {
                scope::describe(&c.scope, range.as_ref(), files.len(), lang)
            } else {
                match lang {
                    Lang::Fr => format!("{} fichier(s) concerné(s)", in_scope.len()),
                    Lang::En => format!("{} file(s) concerned", in_scope.len()),
                }
            };
            s.push_str(&match (lang, rest) {
                (Lang::Fr, 0) => format!(
                    " — {} changement(s) ; aucun autre fichier dans le dossier",
                    changes.len()
                ),
                (Lang::En, 0) => format!(
                    " — {} change(s); no other file in the folder",
                    changes.len()
                ),
                (Lang::Fr, _) => format!(
                    " — {} changement(s) ; les {rest} autres fichiers ne bougent pas",
                    changes.len()
                ),
                (Lang::En, _) => format!(
                    " — {} change(s); the other {rest} files do not move",
                    changes.len()
                ),
            });
            s
        };
        scope_lines.push(scope_text.clone());
        let description = match lang {
            Lang::Fr => format!(
                "{scope_text}. Vers {} dossier(s), en un seul lot annulable{}. Rien n'est supprimé.",
                folders.len(),
                if doubtful > 0 {
                    format!(" ; {doubtful} fichier(s) au client incertain vont dans « À vérifier »")
                } else {
                    String::new()
                }
            ),
            Lang::En => format!(
                "{scope_text}. Into {} folder(s), as one undoable batch{}. Nothing is deleted.",
                folders.len(),
                if doubtful > 0 {
                    format!("; {doubtful} file(s) with an uncertain client go to \"To check\"")
                } else {
                    String::new()
                }
            ),
        };
        let mut s = step("reorganize", title, description);
        s.reads = vec![format!(
            "{} {}",
            in_scope.len(),
            lang.pick("fichiers", "files")
        )];
        s.produces = folders.iter().take(12).map(|f| format!("{f}/")).collect();
        s.needs_approval = !changes.is_empty();
        s.params = json!({ "changes": changes });
        steps.push(s);
    }
    let find = |a: Action| selected.iter().find(|(c, _, _)| c.actions.contains(&a));
    let scoped = |c: &Clause, files: &[&FileFacts]| -> serde_json::Value {
        if c.scope.is_whole_folder() {
            serde_json::Value::Null
        } else {
            json!(paths(files))
        }
    };
    if let Some((c, files, _)) = selected
        .iter()
        .find(|(c, _, _)| c.actions.contains(&Action::Duplicates) && c.list_only)
    {
        let dupes: Vec<&&FileFacts> = files.iter().filter(|f| f.duplicate_of.is_some()).collect();
        let mut s = step(
            "duplicates_list",
            lang.pick(
                "Lister les doublons (sans rien déplacer)",
                "List the duplicates (nothing moved)",
            )
            .into(),
            match lang {
                Lang::Fr => format!(
                    "{} doublon(s) trouvé(s) par contenu identique, listés dans un fichier ; aucun fichier ne bouge.",
                    dupes.len()
                ),
                Lang::En => format!(
                    "{} duplicate(s) found by identical content, listed in a file; no file moves.",
                    dupes.len()
                ),
            },
        );
        s.produces = vec![format!(
            "{out}/{}",
            lang.pick("doublons.md", "duplicates.md")
        )];
        s.params = json!({ "files": scoped(c, files) });
        steps.push(s);
    }
    if let Some((c, files, range)) = find(Action::Catalogue) {
        let mut s = step(
            "catalogue",
            lang.pick("Construire le catalogue des fichiers", "Build the catalogue of the files").into(),
            lang.pick(
                "Un classeur (une ligne par fichier : chemin, type, client, date, taille, empreinte), en Markdown et en CSV aussi.",
                "A workbook (one row per file: path, type, client, date, size, fingerprint), also as Markdown and CSV.",
            )
            .into(),
        );
        s.reads = vec![scope::describe(&c.scope, range.as_ref(), files.len(), lang)];
        if !c.scope.is_whole_folder() {
            scope_lines.push(format!(
                "{} : {}",
                lang.pick("Catalogue", "Catalogue"),
                s.reads[0]
            ));
        }
        s.produces = vec![
            format!("{out}/catalogue.xlsx"),
            format!("{out}/catalogue.md"),
            format!("{out}/catalogue.csv"),
        ];
        s.params = json!({ "files": scoped(c, files) });
        steps.push(s);
    }
    let wants_report = find(Action::Report).is_some();
    if let Some((c, files, range)) = find(Action::Table) {
        let mut kinds: Vec<&str> = INVOICE_KINDS.to_vec();
        if c.scope.kinds.iter().any(|k| k == "quote") {
            kinds.push("quote");
        }
        let rows: Vec<&FileFacts> = files
            .iter()
            .copied()
            .filter(|f| {
                kinds.contains(&f.kind.as_str())
                    && (c.scope.kinds.is_empty() || scope::covers(&c.scope, range.as_ref(), f))
            })
            .collect();
        let n = rows.len();
        let what = scope::describe(&c.scope, range.as_ref(), n, lang);
        if !c.scope.is_whole_folder() {
            scope_lines.push(format!("{} : {what}", lang.pick("Tableau", "Table")));
        }
        let mut s = step(
            "invoice_table",
            lang.pick(
                "Créer le tableau récapitulatif des montants",
                "Build the summary table of amounts",
            )
            .into(),
            match lang {
                Lang::Fr => format!(
                    "{n} pièce(s) ({what}) : HT, TVA, TTC avec formules, totaux par client (SOMME.SI), graphique, feuille Sources reliant chaque montant à son fichier."
                ),
                Lang::En => format!(
                    "{n} document(s) ({what}): net, VAT, total with formulas, totals per client (SUMIF), a chart, a Sources sheet linking each figure to its file."
                ),
            },
        );
        s.reads = vec![what];
        s.produces = vec![format!(
            "{out}/{}",
            lang.pick("recapitulatif-factures.xlsx", "invoice-summary.xlsx")
        )];
        s.params = json!({ "files": if c.scope.is_whole_folder() && kinds.len() == 2 { serde_json::Value::Null } else { json!(paths(&rows)) }, "kinds": kinds });
        steps.push(s);
    }
    let summaries = find(Action::Summaries);
    let actions = find(Action::ActionItems);
    let all_files: Vec<&FileFacts> = analysis.files.iter().collect();
    // Meetings summed up for a report follow the report's scope (« Rapport d'avril »).
    let meeting_clause = summaries.or(actions).or(find(Action::Report));
    let meeting_files: Vec<&FileFacts> = match meeting_clause {
        Some((_, f, _)) => f.clone(),
        None => all_files.clone(),
    };
    if summaries.is_some()
        || actions.is_some()
        || (wants_report && count_kind(&meeting_files, MEETING_KINDS) > 0)
    {
        let n = count_kind(&meeting_files, MEETING_KINDS);
        let (sum, act) = (
            summaries.is_some() || wants_report,
            actions.is_some() || wants_report,
        );
        let mut s = step(
            "meetings",
            match (sum, act, lang) {
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
        let files = match meeting_clause {
            Some((c, f, range)) if !c.scope.is_whole_folder() => {
                let mut scope = c.scope.clone();
                if scope.kinds.is_empty() {
                    scope.kinds.push("meeting".into());
                }
                scope_lines.push(format!(
                    "{} : {}",
                    lang.pick("Réunions", "Meetings"),
                    scope::describe(&scope, range.as_ref(), count_kind(f, MEETING_KINDS), lang)
                ));
                json!(paths(f))
            }
            _ => serde_json::Value::Null,
        };
        s.produces = vec![
            format!(
                "{out}/{}",
                lang.pick("syntheses-reunions.md", "meeting-summaries.md")
            ),
            format!(
                "{out}/{}",
                lang.pick("comptes-rendus-reunions.docx", "meeting-minutes.docx")
            ),
            format!("{out}/{}", lang.pick("actions.xlsx", "action-items.xlsx")),
        ];
        s.params = json!({"summaries": sum, "actions": act, "files": files});
        steps.push(s);
    }
    if find(Action::Report).is_some() {
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
    if let Some((c, _, _)) = find(Action::Deck) {
        let n = c.slides.unwrap_or(8);
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
        s.produces = vec![format!("{out}/presentation.pptx")];
        s.params = json!({"slides": n});
        steps.push(s);
    }
    table_steps(&selected, out, lang, &mut steps, &mut not_done);
    money_steps(
        analysis,
        out,
        lang,
        &|a| find(a).map(|(c, _, _)| *c),
        &mut steps,
        &mut not_done,
    );
    // Report and deck read the documents of the deliverable clauses' scope, when one is given.
    let overview_scope: Option<Vec<String>> = selected
        .iter()
        .find(|(c, _, _)| {
            c.actions
                .iter()
                .any(|a| matches!(a, Action::Report | Action::Deck))
                && !c.scope.is_whole_folder()
        })
        .map(|(_, f, _)| paths(f));
    if steps.is_empty() {
        return Planned {
            plan: None,
            not_done,
            lang,
        };
    }
    let mut plan = Plan::new(steps);
    let mut summary: Vec<String> = scope_lines;
    summary.extend(not_done.iter().map(|n| not_done_line(n, lang)));
    summary.push(match lang {
        Lang::Fr => format!("{n_files} fichier(s) examiné(s) ; livrables dans « {out}/ »."),
        Lang::En => format!("{n_files} file(s) examined; deliverables in \"{out}/\"."),
    });
    if let Some(line) = ocr_line(analysis, lang) {
        summary.push(line);
    }
    plan.summary = Some(summary.join("\n"));
    plan.context = json!({
        "analysis": analysis,
        "output_dir": out,
        "lang": lang,
        "frame": frame,
        "not_done": not_done,
        "scope_files": overview_scope,
    });
    Planned {
        plan: Some(plan),
        not_done,
        lang,
    }
}

/// The table jobs of the frame (clean, consolidate, survey) as steps over the tables of
/// their clause's scope; a job without the tables it needs is not done, and says why.
fn table_steps(
    selected: &[(&Clause, Vec<&FileFacts>, Option<scope::Range>)],
    out: &str,
    lang: Lang,
    steps: &mut Vec<Step>,
    not_done: &mut Vec<NotDone>,
) {
    for (c, files, _) in selected {
        let tables: Vec<String> = files
            .iter()
            .filter(|f| table_jobs::is_table(&f.path) && f.duplicate_of.is_none())
            .map(|f| f.path.clone())
            .collect();
        let listed = tables.join(", ");
        let stem = |p: &str| {
            let name = p.rsplit('/').next().unwrap_or(p);
            name.rsplit_once('.').map_or(name, |(s, _)| s).to_string()
        };
        for a in &c.actions {
            let missing = |why_fr: &str, why_en: &str, not_done: &mut Vec<NotDone>| {
                not_done.push(NotDone {
                    text: c.text.clone(),
                    why: lang.pick(why_fr, why_en).to_string(),
                });
            };
            match a {
                Action::Clean => {
                    if tables.is_empty() {
                        missing(
                            "aucun tableau (CSV, XLSX, ODS) à nettoyer dans ce qui est désigné",
                            "no table (CSV, XLSX, ODS) to clean in what the brief names",
                            not_done,
                        );
                        continue;
                    }
                    let outputs: Vec<String> = tables
                        .iter()
                        .map(|p| {
                            format!(
                                "{out}/{}{}",
                                stem(p),
                                lang.pick("_nettoye.xlsx", "_cleaned.xlsx")
                            )
                        })
                        .collect();
                    let mut s = step(
                        "clean_table",
                        lang.pick("Nettoyer le tableau", "Clean the table").into(),
                        match lang {
                            Lang::Fr => format!(
                                "{listed} : espaces, encodage, dates (AAAA-MM-JJ), montants, casse des noms, téléphones, e-mails, codes postaux, SIRET/IBAN/TVA vérifiés, doublons ; l'original n'est pas modifié. Classeur nettoyé avec les feuilles « Journal des corrections » (chaque cellule changée, avant/après, règle) et « À vérifier »."
                            ),
                            Lang::En => format!(
                                "{listed}: spaces, encoding, dates (YYYY-MM-DD), amounts, name case, phones, e-mails, postcodes, SIRET/IBAN/VAT checked, duplicates; the original is left as it is. A cleaned workbook with a \"Corrections log\" sheet (every changed cell, before/after, rule) and a \"To check\" sheet."
                            ),
                        },
                    );
                    s.reads = vec![listed.clone()];
                    s.produces = outputs.clone();
                    s.params = json!({ "files": tables, "outputs": outputs });
                    steps.push(s);
                }
                Action::Consolidate => {
                    if tables.len() < 2 {
                        missing(
                            "il faut au moins deux tableaux de même forme pour consolider",
                            "consolidating needs at least two tables of the same shape",
                            not_done,
                        );
                        continue;
                    }
                    let output = format!("{out}/consolidation.xlsx");
                    let mut s = step(
                        "consolidate",
                        lang.pick(
                            "Consolider les tableaux en un seul",
                            "Consolidate the tables into one",
                        )
                        .into(),
                        match lang {
                            Lang::Fr => format!(
                                "{} tableaux ({listed}) : colonnes alignées par nom, fichier source et période ajoutés, feuille « Consolidé » et « Synthèse » (SOMME.SI.ENS par période et catégorie) avec un graphique.",
                                tables.len()
                            ),
                            Lang::En => format!(
                                "{} tables ({listed}): columns aligned by name, source file and period added, a \"Consolidated\" sheet and a \"Summary\" (SUMIFS by period and category) with a chart.",
                                tables.len()
                            ),
                        },
                    );
                    s.reads = vec![listed.clone()];
                    s.produces = vec![output.clone()];
                    s.params = json!({ "files": tables, "output": output });
                    steps.push(s);
                }
                Action::Survey => {
                    let [path] = tables.as_slice() else {
                        missing(
                            "il faut un seul fichier de réponses au questionnaire ; nommez-le",
                            "one file of survey responses is needed; name it",
                            not_done,
                        );
                        continue;
                    };
                    let base = format!("{out}/{}", stem(path));
                    let mut produces = vec![format!(
                        "{base}{}",
                        lang.pick("_synthese.xlsx", "_summary.xlsx")
                    )];
                    if c.survey_report {
                        produces.push(format!(
                            "{base}{}",
                            lang.pick("_synthese.docx", "_summary.docx")
                        ));
                    }
                    if c.survey_deck {
                        produces.push(format!(
                            "{base}{}",
                            lang.pick("_synthese.pptx", "_summary.pptx")
                        ));
                    }
                    let seg = c.segment.as_deref().unwrap_or_default();
                    let mut s = step(
                        "survey",
                        lang.pick(
                            "Synthétiser les réponses au questionnaire",
                            "Summarize the survey responses",
                        )
                        .into(),
                        match lang {
                            Lang::Fr => format!(
                                "{path} : répartition et moyenne de chaque question (formules), NPS (promoteurs, passifs, détracteurs), thèmes des commentaires avec citations{}.",
                                if seg.is_empty() {
                                    String::new()
                                } else {
                                    format!(", tableaux croisés par « {seg} »")
                                }
                            ),
                            Lang::En => format!(
                                "{path}: distribution and mean of each question (formulas), NPS (promoters, passives, detractors), comment themes with quotes{}.",
                                if seg.is_empty() {
                                    String::new()
                                } else {
                                    format!(", cross-tabs by \"{seg}\"")
                                }
                            ),
                        },
                    );
                    s.reads = vec![path.clone()];
                    s.produces = produces.clone();
                    s.params = json!({
                        "file": path,
                        "output": produces[0],
                        "segment": c.segment,
                        "report": c.survey_report,
                        "deck": c.survey_deck,
                    });
                    steps.push(s);
                }
                _ => {}
            }
        }
    }
}

/// The money steps the frame asks for (« Impayés », relances, TVA, chiffre d'affaires,
/// devis), each saying which files it reads and what its table holds. Unpaid invoices and
/// reminders need a bank statement in the folder; without one they are not done.
fn money_steps<'a>(
    analysis: &Analysis,
    out: &str,
    lang: Lang,
    find: &dyn Fn(Action) -> Option<&'a Clause>,
    steps: &mut Vec<Step>,
    not_done: &mut Vec<NotDone>,
) {
    use crate::tools::money_books::{MoneyDeliverable, file_name};
    let of = |kinds: &[&str]| -> Vec<&FileFacts> {
        analysis
            .files
            .iter()
            .filter(|f| kinds.contains(&f.kind.as_str()) && f.duplicate_of.is_none())
            .collect()
    };
    let statements = of(&["bank_statement"]);
    let ledger = analysis::ledger(analysis, None);
    let sales = ledger
        .iter()
        .filter(|e| e.direction == commis_skills::money::Direction::Sale)
        .count();
    let purchases = ledger
        .iter()
        .filter(|e| e.direction == commis_skills::money::Direction::Purchase)
        .count();
    let quotes = of(&["quote"]);
    let names = |files: &[&FileFacts]| -> String {
        files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let bank_read = match lang {
        Lang::Fr => format!(
            "{sales} facture(s) de vente et avoir(s) ; {} relevé(s) bancaire(s) : {}",
            statements.len(),
            names(&statements)
        ),
        Lang::En => format!(
            "{sales} sales invoice(s) and credit note(s); {} bank statement(s): {}",
            statements.len(),
            names(&statements)
        ),
    };
    let no_bank = lang.pick(
        "aucun relevé bancaire dans le dossier : sans relevé, rien ne dit ce qui a été payé",
        "no bank statement in the folder: without one, nothing says what was paid",
    );
    for (action, kind, which) in [
        (Action::Unpaid, "money_unpaid", MoneyDeliverable::Unpaid),
        (
            Action::Reminders,
            "money_reminders",
            MoneyDeliverable::Reminders,
        ),
        (Action::Vat, "money_vat", MoneyDeliverable::Vat),
        (Action::Revenue, "money_revenue", MoneyDeliverable::Revenue),
        (Action::Quotes, "money_quotes", MoneyDeliverable::Quotes),
    ] {
        let Some(c) = find(action) else { continue };
        let quarter = c.group.contains(&Group::Quarter);
        let missing = match action {
            Action::Unpaid | Action::Reminders if statements.is_empty() => Some(no_bank),
            Action::Quotes if quotes.is_empty() => {
                Some(lang.pick("aucun devis dans le dossier", "no quote in the folder"))
            }
            Action::Vat | Action::Revenue if ledger.is_empty() => Some(lang.pick(
                "aucune facture lisible dans le dossier",
                "no readable invoice in the folder",
            )),
            _ => None,
        };
        if let Some(why) = missing {
            not_done.push(NotDone {
                text: c.text.clone(),
                why: why.to_string(),
            });
            continue;
        }
        let (title, description, reads) = match (action, lang) {
            (Action::Unpaid, Lang::Fr) => (
                "Tableau des impayés et ancienneté des créances".to_string(),
                "Classeur « Impayés » : une ligne par facture de vente pas entièrement payée (facture, client, échéance, jours de retard, total, déjà payé, reste dû en formule, tranche, paiements rapprochés avec leur libellé) ; feuille « Ancienneté » : reste dû par tranche 0–30, 31–60, 61–90, > 90 jours (formules SOMME.SI.ENS) et un graphique. Retard compté à la date de la dernière ligne des relevés.".to_string(),
                bank_read.clone(),
            ),
            (Action::Unpaid, Lang::En) => (
                "Unpaid invoices and their ageing".to_string(),
                "\"Unpaid\" workbook: one row per sales invoice not fully paid (invoice, client, due date, days overdue, total, paid, amount due as a formula, bucket, matched payments with their label); \"Ageing\" sheet: amount due per bucket 0-30, 31-60, 61-90, > 90 days (SUMIFS formulas) and a chart. Days counted at the last bank line's date.".to_string(),
                bank_read.clone(),
            ),
            (Action::Reminders, Lang::Fr) => (
                "Lettres de relance pour les clients en retard (écrites, jamais envoyées)".to_string(),
                "Une lettre Word par client en retard de paiement : courtoise, plus ferme au-delà de 60 jours de retard ; le nom de l'entreprise, les factures, échéances et montants restant dus. Rien n'est envoyé.".to_string(),
                bank_read.clone(),
            ),
            (Action::Reminders, Lang::En) => (
                "Reminder letters to late clients (written, never sent)".to_string(),
                "One Word letter per client late in paying: polite, firmer past 60 days late; the business's name, the invoices, due dates and amounts due. Nothing is sent.".to_string(),
                bank_read.clone(),
            ),
            (Action::Vat, Lang::Fr) => (
                format!("TVA collectée et déductible par {}", if quarter { "trimestre" } else { "mois" }),
                format!("Classeur « TVA » : par {} et par taux, base HT et TVA collectée sur les ventes, base HT et TVA déductible sur les achats, TVA nette (formules SOMME.SI.ENS sur la feuille « Pièces », une ligne par pièce et taux). Avoirs en négatif ; jamais de somme entre devises.", if quarter { "trimestre" } else { "mois" }),
                format!("{sales} facture(s) de vente et avoir(s), {purchases} facture(s) d'achat"),
            ),
            (Action::Vat, Lang::En) => (
                format!("Collected and deductible VAT per {}", if quarter { "quarter" } else { "month" }),
                format!("\"VAT\" workbook: per {} and rate, net base and VAT collected on sales, net base and VAT deductible on purchases, net VAT (SUMIFS formulas over the \"Documents\" sheet, one row per document and rate). Credit notes negative; never a sum across currencies.", if quarter { "quarter" } else { "month" }),
                format!("{sales} sales invoice(s) and credit note(s), {purchases} purchase invoice(s)"),
            ),
            (Action::Revenue, Lang::Fr) => (
                "Chiffre d'affaires par mois et par client".to_string(),
                "Classeur : feuille « Ventes » (une ligne par facture de vente ou avoir, HT et TTC) et « CA par mois » : chiffre d'affaires HT par mois et par client en formules SOMME.SI.ENS, totaux et graphique.".to_string(),
                format!("{sales} facture(s) de vente et avoir(s)"),
            ),
            (Action::Revenue, Lang::En) => (
                "Revenue per month and client".to_string(),
                "Workbook: \"Sales\" sheet (one row per sales invoice or credit note, net and gross) and \"Revenue by month\": net revenue per month and client as SUMIFS formulas, totals and a chart.".to_string(),
                format!("{sales} sales invoice(s) and credit note(s)"),
            ),
            (_, Lang::Fr) => (
                "Devis et factures liées ; devis non facturés".to_string(),
                "Classeur : feuille « Devis non facturés » et feuille « Devis » (numéro, client, date, total, montant facturé, reste à facturer et statut en formules, factures qui citent le numéro du devis).".to_string(),
                format!("{} devis : {} ; les factures de vente (pour les numéros de devis cités)", quotes.len(), names(&quotes)),
            ),
            (_, Lang::En) => (
                "Quotes and their invoices; quotes not invoiced".to_string(),
                "Workbook: \"Quotes not invoiced\" sheet and \"Quotes\" sheet (number, client, date, total, amount invoiced, left to invoice and status as formulas, the invoices citing the quote's number).".to_string(),
                format!("{} quote(s): {}; the sales invoices (for the quote numbers they cite)", quotes.len(), names(&quotes)),
            ),
        };
        let mut s = step(kind, title, description);
        s.reads = vec![reads];
        s.produces = vec![match which {
            MoneyDeliverable::Reminders => format!("{out}/{}/", file_name(which, lang)),
            _ => format!("{out}/{}", file_name(which, lang)),
        }];
        s.params = json!({"period": if quarter { "quarter" } else { "month" }});
        steps.push(s);
    }
}

fn sort_title(c: &Clause, lang: Lang) -> String {
    let by: Vec<&str> = c
        .group
        .iter()
        .map(|g| match g {
            Group::Client => lang.pick("client", "client"),
            Group::Type => lang.pick("type", "type"),
            Group::Year => lang.pick("année", "year"),
            Group::Quarter => lang.pick("trimestre", "quarter"),
            Group::Month => lang.pick("mois", "month"),
        })
        .collect();
    let mut t = match lang {
        Lang::Fr => "Classer les fichiers".to_string(),
        Lang::En => "Sort the files".to_string(),
    };
    if let Some(d) = &c.dest {
        t.push_str(&match lang {
            Lang::Fr => format!(" dans « {d}/ »"),
            Lang::En => format!(" into \"{d}/\""),
        });
    }
    if !by.is_empty() {
        t.push_str(&match lang {
            Lang::Fr => format!(" par {}", by.join(" puis ")),
            Lang::En => format!(" by {}", by.join(" then ")),
        });
    }
    t
}

fn unsupported(frame_lang: Lang, not_done: &[NotDone], partial: Option<&Plan>) -> String {
    let lang = frame_lang;
    let mut msg = String::new();
    if not_done.is_empty() && partial.is_none() {
        msg.push_str(lang.pick("Le brief est vide. ", "The brief is empty. "));
    }
    if !not_done.is_empty() {
        let parts: Vec<String> = not_done.iter().map(|n| not_done_line(n, lang)).collect();
        msg.push_str(&parts.join(" ; "));
        msg.push_str(". ");
    }
    if let Some(p) = partial {
        let titles: Vec<String> = p.steps.iter().map(|s| s.title.clone()).collect();
        msg.push_str(&match lang {
            Lang::Fr => format!(
                "Le reste serait fait ({}), mais sans personne pour accepter un plan partiel, rien n'a été modifié : lancez `commis run` dans un terminal, sans --yes, pour le valider. ",
                titles.join(", ")
            ),
            Lang::En => format!(
                "The rest could be done ({}), but with nobody to accept a partial plan, nothing was changed: use `commis run` in a terminal, without --yes, to review it. ",
                titles.join(", ")
            ),
        });
    } else {
        msg.push_str(lang.pick("Rien n'a été modifié. ", "Nothing was changed. "));
    }
    msg.push_str(repertoire(lang));
    msg.push(' ');
    msg.push_str(how_to_configure(lang));
    msg
}

/// Surveys the folder and builds the plan for the brief.
pub async fn plan(ctx: &RunContext) -> Result<Plan, Unplannable> {
    let bare = frame::understand(&ctx.run.brief, &Vocab::default());
    if bare.clauses.is_empty() && bare.not_done.is_empty() {
        return Err(Unplannable::Unsupported(unsupported(bare.lang, &[], None)));
    }
    let out = ctx.output_dir();
    let analysis = analysis::analyze(ctx, std::slice::from_ref(&out))
        .map_err(|e| Unplannable::Failed(e.localized(ctx.lang)))?;
    let frame = frame::understand(&ctx.run.brief, &vocab_of(&analysis));
    let mut planned = build_plan(&frame, &analysis, &out, scope::today());
    leave_out_unmovable(ctx, &mut planned);
    let refusal = match &planned.plan {
        None => Some(unsupported(frame.lang, &planned.not_done, None)),
        // A partial plan needs a person to accept it; unattended runs change nothing.
        Some(p) if !planned.not_done.is_empty() && !ctx.interaction.is_interactive() => {
            Some(unsupported(frame.lang, &planned.not_done, Some(p)))
        }
        Some(_) => None,
    };
    match refusal {
        Some(message) => {
            // Kept with the run, so `commis show` and `plan --json` can say what was not understood.
            let mut kept = planned.plan.unwrap_or_else(|| Plan::new(Vec::new()));
            kept.context = json!({
                "lang": planned.lang,
                "frame": frame,
                "not_done": planned.not_done,
                "unsupported": true,
            });
            let _ = ctx.store.save_plan(&ctx.run.id, &kept, false);
            Err(Unplannable::Unsupported(message))
        }
        None => planned
            .plan
            .ok_or_else(|| Unplannable::Failed("no plan".into())),
    }
}

/// A step the user adds to an offline plan (terminal editor, web UI), read like a brief
/// against the plan's survey: the step it means, or why it cannot be run, at once.
pub fn step_from_text(plan: &Plan, text: &str) -> Result<Step, String> {
    let lang = plan
        .context
        .get("lang")
        .and_then(|l| serde_json::from_value::<Lang>(l.clone()).ok())
        .unwrap_or_else(|| brief::understand(text).lang);
    let Some(analysis) = Analysis::from_context(&plan.context) else {
        // Not an offline plan: the model reads the step's words.
        return Ok(Step::new(text.trim(), ""));
    };
    let out = plan
        .context
        .get("output_dir")
        .and_then(|o| o.as_str())
        .unwrap_or_else(|| output_dir(lang))
        .to_string();
    let mut frame = frame::understand(text, &vocab_of(&analysis));
    frame.lang = lang;
    let planned = build_plan(&frame, &analysis, &out, scope::today());
    if let Some(n) = planned.not_done.first() {
        return Err(not_done_line(n, lang));
    }
    let Some(new) = planned.plan else {
        return Err(lang
            .pick(
                "étape non comprise hors ligne (il faut un modèle)",
                "step not understood offline (a model is needed)",
            )
            .into());
    };
    if new.steps.len() != 1 {
        return Err(lang
            .pick("ajoutez une étape à la fois", "add one step at a time")
            .into());
    }
    let step = new.steps[0].clone();
    let kind = step.kind.as_deref().unwrap_or("");
    if plan.steps.iter().any(|s| s.kind.as_deref() == Some(kind)) {
        return Err(match lang {
            Lang::Fr => format!("le plan a déjà une étape « {} »", step.title),
            Lang::En => format!("the plan already has a \"{}\" step", step.title),
        });
    }
    Ok(step)
}

/// Runs one step of an offline plan.
pub async fn run_step(ctx: &RunContext, plan: &Plan, step: &Step) -> Result<String, StepFailure> {
    steps::run(ctx, plan, step).await
}

/// Files the workspace will refuse to move (a name with a newline, a hard-linked or special
/// file, two names ending up the same) are known at planning time: they are left out of the
/// reorganize step, and its description names them with the reason.
fn leave_out_unmovable(ctx: &RunContext, planned: &mut Planned) {
    let lang = planned.lang;
    let Some(plan) = planned.plan.as_mut() else {
        return;
    };
    for s in plan
        .steps
        .iter_mut()
        .filter(|s| s.kind.as_deref() == Some("reorganize"))
    {
        let Some(mut changes) = s
            .params
            .get("changes")
            .and_then(|c| serde_json::from_value::<Vec<ChangeLine>>(c.clone()).ok())
        else {
            continue;
        };
        let left_out = cannot_move(ctx, &changes);
        if left_out.is_empty() {
            continue;
        }
        changes.retain(|c| !left_out.iter().any(|(from, _)| *from == c.from));
        if let (Some(obj), Ok(kept)) = (s.params.as_object_mut(), serde_json::to_value(&changes)) {
            obj.insert("changes".into(), kept);
        }
        let listed = left_out
            .iter()
            .map(|(f, r)| format!("{} ({r})", f.escape_debug()))
            .collect::<Vec<_>>();
        s.description.push_str(&match lang {
            Lang::Fr => format!(
                " {} fichier(s) resteront en place, impossibles à déplacer : {}.",
                left_out.len(),
                listed.join(" ; ")
            ),
            Lang::En => format!(
                " {} file(s) will stay in place, they cannot be moved: {}.",
                left_out.len(),
                listed.join("; ")
            ),
        });
    }
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
                BatchItem::Move { from, .. } => {
                    Some((from, crate::messages::workspace_error(&s.reason, ctx.lang)))
                }
                BatchItem::MakeDir { .. } => None,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}
