//! Briefs that ask for a table job — cleaning a table (« Nettoie l'export clients »),
//! consolidating tables of one shape (« Regroupe les exports en un seul tableau »),
//! synthesizing survey responses (« Synthétise les réponses au questionnaire par service »)
//! — read by a small reader of their own, then planned as steps over the named files.
//!
//! The reader is strict: every word must be a table-job word, a filler, or part of the name
//! of a table file, folder or extension of the granted folder; anything else (another
//! action, a deletion, a file that is not there) leaves the brief to the general reader,
//! which refuses what it does not know. So a qualifier is never dropped and a job never
//! runs on files the brief did not name. Not for: deciding how a table is cleaned (see
//! `commis_skills::tables`).

use super::brief::fold;
use super::frame::{Action, Clause, Frame, Scope, Vocab, detect_lang, is_filler, tokenize};

/// Words that ask for a cleaning.
const CLEAN: &[&str] = &[
    "nettoie",
    "nettoies",
    "nettoyer",
    "nettoyage",
    "netoie",
    "netoyer",
    "clean",
    "cleanup",
    "cleaning",
    "tidy",
    "dedoublonne",
    "dedoublonner",
    "dedupe",
    "deduplicate",
];

/// Words that ask for a consolidation.
const CONSOLIDATE: &[&str] = &[
    "consolide",
    "consolider",
    "consolidation",
    "consolidate",
    "fusionne",
    "fusionner",
    "fusion",
    "merge",
    "combine",
    "compile",
];

/// Words that name a survey.
const SURVEY: &[&str] = &[
    "sondage",
    "sondages",
    "enquete",
    "enquetes",
    "questionnaire",
    "questionnaires",
    "survey",
    "surveys",
    "nps",
];

/// Other words a table-job brief may be made of, besides the reader's fillers.
const TABLE_WORDS: &[&str] = &[
    // French
    "remets",
    "remettre",
    "mets",
    "mettre",
    "propre",
    "corrige",
    "corriger",
    "harmonise",
    "harmoniser",
    "regroupe",
    "regrouper",
    "rassemble",
    "rassembler",
    "seul",
    "seule",
    "tableau",
    "tableaux",
    "fichier",
    "fichiers",
    "export",
    "exports",
    "donnees",
    "colonnes",
    "lignes",
    "doublons",
    "dates",
    "montants",
    "formats",
    "format",
    "telephones",
    "emails",
    "mails",
    "reponses",
    "resultats",
    "synthetise",
    "synthetiser",
    "synthese",
    "analyse",
    "analyser",
    "resume",
    "resumer",
    "fais",
    "faire",
    "moi",
    "me",
    "m",
    "un",
    "une",
    "le",
    "la",
    "les",
    "l",
    "des",
    "de",
    "du",
    "d",
    "mes",
    "mon",
    "ma",
    "ce",
    "cet",
    "cette",
    "ces",
    "au",
    "aux",
    "a",
    "en",
    "et",
    "dans",
    "pour",
    "avec",
    "par",
    "stp",
    "svp",
    "merci",
    "classeur",
    "feuille",
    "feuilles",
    "mensuels",
    "mensuelles",
    "tous",
    "toutes",
    "tout",
    "rapport",
    "presentation",
    "diapos",
    "calcule",
    "croise",
    "croisement",
    "satisfaction",
    "questions",
    // English
    "please",
    "the",
    "a",
    "an",
    "my",
    "this",
    "these",
    "those",
    "of",
    "in",
    "into",
    "and",
    "for",
    "with",
    "by",
    "up",
    "one",
    "single",
    "sheet",
    "sheets",
    "table",
    "tables",
    "file",
    "files",
    "data",
    "workbook",
    "monthly",
    "all",
    "duplicates",
    "responses",
    "answers",
    "results",
    "summarize",
    "summarise",
    "summary",
    "synthesize",
    "analyse",
    "analyze",
    "fix",
    "formatting",
    "report",
    "deck",
    "slides",
    "presentation",
    "compute",
    "score",
];

/// Function words never taken as a file's name words.
const STOP: &[&str] = &[
    "les",
    "des",
    "une",
    "aux",
    "pour",
    "avec",
    "dans",
    "mes",
    "ces",
    "cet",
    "cette",
    "stp",
    "svp",
    "merci",
    "the",
    "and",
    "for",
    "with",
    "this",
    "these",
    "those",
    "all",
    "please",
    "tous",
    "toutes",
    "tout",
    "moi",
    "fais",
    "faire",
    "remets",
    "remettre",
    "mets",
    "mettre",
    "propre",
    "corrige",
    "corriger",
    "fix",
    "regroupe",
    "regrouper",
    "rassemble",
    "rassembler",
    "seul",
    "seule",
    "single",
    "one",
    "into",
];

/// Words that ask for a synthesis report, and for a deck.
const REPORT: &[&str] = &["rapport", "report", "synthese", "summary"];
const DECK: &[&str] = &["presentation", "diapos", "deck", "slides"];

/// A word's singular, for matching « exports » with a file named `export_…`.
fn singular(w: &str) -> &str {
    if w.len() > 3 {
        w.strip_suffix('s').unwrap_or(w)
    } else {
        w
    }
}

/// The words of a file's name, folded (`clients_export_2024.csv` → clients, export, 2024, csv).
fn name_words(path: &str) -> Vec<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    fold(name).split_whitespace().map(str::to_string).collect()
}

/// Reads a brief that is only a table job; `None` leaves it to the general reader.
pub(super) fn table_frame(brief: &str, vocab: &Vocab) -> Option<Frame> {
    let toks = tokenize(brief);
    let words: Vec<&str> = toks.iter().map(|t| t.f.as_str()).collect();
    let any = |ws: &[&str]| words.iter().any(|w| ws.contains(w));
    let clean = any(CLEAN)
        || (any(&["remets", "remettre", "mets", "mettre"]) && words.contains(&"propre"))
        || (any(&["corrige", "corriger", "fix"])
            && any(&[
                "doublons",
                "dates",
                "montants",
                "formats",
                "format",
                "formatting",
            ]));
    let regroup = any(&["regroupe", "regrouper", "rassemble", "rassembler"])
        && any(&["seul", "seule", "single", "one"]);
    let consolidate = any(CONSOLIDATE) || regroup;
    let survey = any(SURVEY)
        || (any(&["reponses", "responses", "answers"])
            && any(&["questionnaire", "enquete", "sondage", "survey"]));
    let jobs = [clean, consolidate, survey].iter().filter(|j| **j).count();
    if jobs != 1 {
        return None;
    }
    // « des noms propres », "clean names": a renaming, not a table job.
    if any(&["noms", "nom", "names", "name", "nommage", "naming"]) {
        return None;
    }
    // Which files, folders and extensions the brief names; every other word must be known.
    let mut used = vec![false; words.len()];
    let mut files: Vec<String> = Vec::new();
    let seq_at = |needle: &[String]| -> Option<usize> {
        if needle.is_empty() || needle.len() > words.len() {
            return None;
        }
        (0..=words.len() - needle.len())
            .find(|&i| needle.iter().zip(&words[i..]).all(|(n, w)| n == w))
    };
    // Whole names first (« clients_export_2024.csv »), longest first.
    let mut tables: Vec<&String> = vocab.tables.iter().collect();
    tables.sort_by_key(|p| std::cmp::Reverse(name_words(p).len()));
    for path in &tables {
        let nw = name_words(path);
        let stem = &nw[..nw.len().saturating_sub(1)];
        let hit = seq_at(&nw).map(|i| (i, nw.len())).or_else(|| {
            seq_at(stem)
                .filter(|_| stem.len() >= 2)
                .map(|i| (i, stem.len()))
        });
        if let Some((i, n)) = hit
            && used[i..i + n].iter().all(|u| !u)
        {
            used[i..i + n].iter_mut().for_each(|u| *u = true);
            files.push((*path).clone());
        }
    }
    // Then a file named by its words in any order (« l'export clients »): two words of its
    // name at least, and one file only.
    if files.is_empty() {
        let content: Vec<usize> = (0..words.len())
            .filter(|&i| {
                let w = words[i];
                // Fillers may be file words (« clients »); short function words are not.
                !STOP.contains(&w)
                    && w.len() >= 3
                    && !CLEAN.contains(&w)
                    && !CONSOLIDATE.contains(&w)
                    && !["tableau", "table", "fichier", "file", "donnees", "data"].contains(&w)
            })
            .collect();
        let matches: Vec<(&String, Vec<usize>)> = tables
            .iter()
            .map(|p| {
                let nw: Vec<String> = name_words(p);
                let hits: Vec<usize> = content
                    .iter()
                    .copied()
                    .filter(|&i| nw.iter().any(|n| singular(n) == singular(words[i])))
                    .collect();
                (*p, hits)
            })
            .filter(|(_, hits)| hits.len() >= 2)
            .collect();
        if let [(path, hits)] = matches.as_slice() {
            for &i in hits {
                used[i] = true;
            }
            files.push((*path).clone());
        }
    }
    // Folders named as a whole (« A trier »).
    let mut folders = Vec::new();
    for folder in &vocab.folders {
        let fw: Vec<String> = fold(folder)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if let Some(i) = seq_at(&fw)
            && used[i..i + fw.len()].iter().all(|u| !u)
        {
            used[i..i + fw.len()].iter_mut().for_each(|u| *u = true);
            folders.push(folder.clone());
        }
    }
    let mut exts = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let ext = match *w {
            "csv" => "csv",
            "xlsx" | "excel" => "xlsx",
            "ods" => "ods",
            _ => continue,
        };
        if !used[i] {
            used[i] = true;
            if !exts.contains(&ext.to_string()) {
                exts.push(ext.to_string());
            }
        }
    }
    // « par service », "by team": the survey's segment, as the brief writes it.
    let mut segment = None;
    if survey {
        for (i, w) in words.iter().enumerate() {
            if matches!(*w, "par" | "by")
                && let Some(next) = toks.get(i + 1)
                && !is_filler(&next.f)
            {
                used[i] = true;
                used[i + 1] = true;
                segment = Some(next.orig.clone());
            }
        }
    }
    let known = |w: &str| {
        is_filler(w)
            || TABLE_WORDS.contains(&w)
            || CLEAN.contains(&w)
            || CONSOLIDATE.contains(&w)
            || SURVEY.contains(&w)
    };
    if words.iter().zip(&used).any(|(w, u)| !u && !known(w)) {
        return None;
    }
    files.sort();
    let lang = detect_lang(&toks);
    // What the job runs on when the brief names nothing: a clean or a survey needs one
    // table that can only be the one meant; otherwise the brief is not read as a table job.
    if files.is_empty() && folders.is_empty() && exts.is_empty() {
        if survey {
            let responses: Vec<&String> = vocab
                .tables
                .iter()
                .filter(|p| looks_like_responses(p))
                .collect();
            match responses.as_slice() {
                [one] => files.push((*one).clone()),
                _ => return None,
            }
        } else if clean {
            match vocab.tables.as_slice() {
                [one] => files.push(one.clone()),
                _ => return None,
            }
        } else {
            return None;
        }
    }
    let action = if clean {
        Action::Clean
    } else if consolidate {
        Action::Consolidate
    } else {
        Action::Survey
    };
    Some(Frame {
        lang,
        out_lang: None,
        clauses: vec![Clause {
            text: brief.trim().to_string(),
            actions: vec![action],
            scope: Scope {
                files,
                folders,
                exts,
                ..Scope::default()
            },
            group: Vec::new(),
            dest: None,
            pattern: None,
            list_only: false,
            slides: None,
            format: None,
            segment,
            survey_report: survey && any(REPORT),
            survey_deck: survey && any(DECK),
        }],
        not_done: Vec::new(),
    })
}

/// Whether a piece of a brief asks for a table job: a cleaning, consolidation or survey
/// word, or duplicate rows (« doublons dans les lignes », "duplicate rows"); a clause about
/// names (« des noms propres ») is a renaming.
fn asks_table_job(text: &str) -> bool {
    let folded = fold(text);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let any = |ws: &[&str]| words.iter().any(|w| ws.contains(w));
    if any(&["noms", "nom", "names", "name", "nommage", "naming"]) {
        return false;
    }
    // « Dédoublonne le dossier », "tidy up the folder by year" are about files.
    const ABOUT_FILES_TOO: &[&str] = &[
        "tidy",
        "dedoublonne",
        "dedoublonner",
        "dedupe",
        "deduplicate",
    ];
    const TABLE_OBJECTS: &[&str] = &[
        "csv",
        "xlsx",
        "excel",
        "tableau",
        "tableaux",
        "table",
        "tables",
        "export",
        "exports",
        "lignes",
        "rows",
        "colonnes",
        "columns",
        "classeur",
        "spreadsheet",
        "spreadsheets",
    ];
    let strong = |w: &&str| CLEAN.contains(w) && !ABOUT_FILES_TOO.contains(w);
    words.iter().any(strong)
        || (any(ABOUT_FILES_TOO) && any(TABLE_OBJECTS))
        || any(CONSOLIDATE)
        || any(SURVEY)
        || (any(&[
            "doublons",
            "doublon",
            "duplicate",
            "duplicates",
            "duplicated",
        ]) && any(&[
            "lignes", "ligne", "rows", "row", "entries", "entrees", "records",
        ]))
}

/// After the general reader: a table job it cannot do is never replaced by a job it can.
/// Every clause that asks for a table job is not done, and so are the report, deck,
/// summaries and duplicates of such a brief (their subject may be that table job: « dedupe »
/// next to a table means its rows, not the folder's files).
pub(super) fn guard(mut frame: Frame, brief: &str) -> Frame {
    if !asks_table_job(brief) {
        return frame;
    }
    let lang = frame.lang;
    let why = lang.pick(
        "un travail sur un tableau (nettoyage, consolidation, enquête) que je ne sais pas faire tel qu'il est demandé : rien d'autre n'est fait à sa place",
        "a table job (cleaning, consolidation, survey) I cannot do as asked: nothing else is done in its place",
    );
    let clauses = std::mem::take(&mut frame.clauses);
    for c in clauses {
        let about_it = asks_table_job(&c.text)
            || c.actions.iter().any(|a| {
                matches!(
                    a,
                    Action::Report | Action::Deck | Action::Summaries | Action::Duplicates
                )
            });
        if about_it {
            frame.not_done.push(super::frame::NotDone {
                text: c.text,
                why: why.to_string(),
            });
        } else {
            frame.clauses.push(c);
        }
    }
    if frame.clauses.is_empty() && frame.not_done.is_empty() {
        frame.not_done.push(super::frame::NotDone {
            text: brief.trim().to_string(),
            why: why.to_string(),
        });
    }
    frame
}

/// A table whose name says it holds survey responses.
pub(super) fn looks_like_responses(path: &str) -> bool {
    name_words(path).iter().any(|w| {
        SURVEY.contains(&w.as_str())
            || matches!(
                w.as_str(),
                "reponses" | "responses" | "avis" | "satisfaction" | "feedback"
            )
    })
}

/// Whether a file is a table the table jobs read.
pub(super) fn is_table(path: &str) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("csv" | "tsv" | "xlsx" | "xlsm" | "xls" | "ods")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocab {
        Vocab {
            folders: vec!["A trier".into(), "Scans".into()],
            clients: vec![],
            tables: vec![
                "A trier/clients_export_2024.csv".into(),
                "Copie de tableau suivi.xlsx".into(),
                "export_banque_mars.csv".into(),
            ],
        }
    }

    fn sig(brief: &str) -> String {
        table_frame(brief, &vocab()).map_or("none".into(), |f| f.signature())
    }

    #[test]
    fn a_named_table_is_cleaned_and_nothing_else() {
        assert_eq!(
            sig("Nettoie le tableau clients_export_2024.csv"),
            "clean(file=clients_export_2024.csv)"
        );
        assert_eq!(
            sig("Remets au propre l'export clients stp"),
            "clean(file=clients_export_2024.csv)"
        );
        assert_eq!(sig("Clean up the CSV files"), "clean(ext=csv)");
        assert_eq!(
            sig("nettoie les fichiers de A trier"),
            "clean(folder=A trier)"
        );
    }

    #[test]
    fn what_is_not_a_table_job_is_left_to_the_general_reader() {
        // The folder itself, names, deletions, a file that is not there, two tables unnamed.
        assert_eq!(sig("Nettoie le dossier"), "none");
        assert_eq!(sig("Give the invoices clean names"), "none");
        assert_eq!(
            sig("Nettoie clients_export_2024.csv et supprime l'original"),
            "none"
        );
        assert_eq!(sig("Nettoie reponses_enquete.csv"), "none");
        assert_eq!(sig("Nettoie le tableau"), "none");
        assert_eq!(sig("Synthétise les réponses au questionnaire"), "none");
    }

    #[test]
    fn a_table_job_that_cannot_be_read_is_not_replaced_by_another_job() {
        let v = vocab();
        for brief in [
            "Tidy up the client export, the rows are a mess",
            "Il y a des doublons dans les lignes de l'export, corrige ça",
            "Fais le NPS du sondage et prépare une présentation",
        ] {
            let f = super::super::frame::understand(brief, &v);
            assert!(
                f.clauses.is_empty() && !f.not_done.is_empty(),
                "{brief}: {}",
                f.signature()
            );
        }
        // A part of the brief that is not about the table job still runs.
        let f = super::super::frame::understand(
            "Classe les factures par client et fais le NPS du sondage",
            &v,
        );
        assert!(
            f.signature().starts_with("sort(by=client"),
            "{}",
            f.signature()
        );
        assert!(f.signature().ends_with("; !1"), "{}", f.signature());
    }

    #[test]
    fn consolidation_and_survey_read_their_files_and_options() {
        assert_eq!(
            sig("Regroupe les exports CSV en un seul tableau"),
            "consolidate(ext=csv)"
        );
        let v = Vocab {
            tables: vec!["reponses_satisfaction.csv".into(), "notes.xlsx".into()],
            ..Vocab::default()
        };
        let f = table_frame(
            "Synthétise le questionnaire par Service, avec un rapport et une présentation",
            &v,
        )
        .map(|f| f.signature());
        assert_eq!(
            f.as_deref(),
            Some("survey(deck,file=reponses_satisfaction.csv,report,segment=Service)")
        );
    }
}
