//! Deliverables of the offline planner: the report and the deck, built from the plan's facts
//! with commis-office, and written through the same gated tools.

use std::collections::BTreeMap;

use commis_core::{Plan, Step};
use serde_json::{Value, json};

use super::brief::Lang;
use super::steps::{Facts, InvoiceRow, MeetingDigest, fail, invoice_rows, meeting_digests};
use super::{CONFIDENT, kind_label};
use crate::StepFailure;
use crate::context::RunContext;
use crate::tools::{Registry, ToolError};

/// Builds workbook bytes from a JSON spec (the same spec a model sends to create_spreadsheet).
pub fn spreadsheet_bytes(spec: Value) -> Result<Vec<u8>, ToolError> {
    let spec: commis_office::SpreadsheetSpec = serde_json::from_value(spec)
        .map_err(|e| ToolError::Failed(format!("internal spreadsheet spec is invalid: {e}")))?;
    commis_office::build_spreadsheet(&spec).map_err(|e| ToolError::Failed(e.to_string()))
}

/// A deliverable's spec that commis built wrong (a bug), said in the run's language.
fn internal_spec(ctx: &RunContext, what: &str, e: serde_json::Error) -> StepFailure {
    StepFailure::Failed(
        crate::messages::Msg::InternalSpec
            .fill(ctx.lang, &[("what", what), ("detail", &e.to_string())]),
    )
}

/// Figures shared by the report and the deck.
struct Digest {
    lang: Lang,
    out: String,
    files: usize,
    by_kind: BTreeMap<String, usize>,
    doubtful: usize,
    duplicates: usize,
    unreadable: Vec<String>,
    invoices: Vec<InvoiceRow>,
    per_client: Vec<(String, usize, f64)>,
    meetings: Vec<MeetingDigest>,
    own_company: Option<String>,
    /// Files typed invoice or credit note, duplicates included (the folder's view).
    invoice_files: usize,
    /// Of those, copies of another file.
    invoice_duplicates: usize,
    /// Of those, files whose amounts could not be read.
    invoice_unread: usize,
    /// Names of the deliverables the plan's other steps write (notes point only to these).
    deliverables: Vec<String>,
}

/// An amount in euros as a person of that language writes it: `51 338,52 €`, `€51,338.52`.
pub(crate) fn money(v: f64, lang: Lang) -> String {
    let cents = (v * 100.0).round() as i64;
    let (sign, cents) = if cents < 0 {
        ("-", -cents)
    } else {
        ("", cents)
    };
    let units = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push(match lang {
                Lang::Fr => '\u{202f}',
                Lang::En => ',',
            });
        }
        grouped.push(c);
    }
    match lang {
        Lang::Fr => format!("{sign}{grouped},{:02} €", cents % 100),
        Lang::En => format!("{sign}€{grouped}.{:02}", cents % 100),
    }
}

impl Digest {
    fn pick<'a>(&self, fr: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(fr, en)
    }

    fn money(&self, v: f64) -> String {
        money(v, self.lang)
    }

    fn date(&self, iso: &str) -> String {
        commis_skills::minutes::long_date(iso, self.lang)
    }

    /// The per-client rows of a table that has room for `room` rows: the largest clients,
    /// then « Autres » for the rest, then the total, so the column always adds up.
    fn client_table(&self, room: usize) -> Vec<Vec<String>> {
        let room = room.max(3);
        let shown = if self.per_client.len() < room {
            self.per_client.len()
        } else {
            room - 2
        };
        let mut rows: Vec<Vec<String>> = self.per_client[..shown]
            .iter()
            .map(|(c, n, t)| vec![c.clone(), n.to_string(), self.money(*t)])
            .collect();
        let rest = &self.per_client[shown..];
        if !rest.is_empty() {
            let n: usize = rest.iter().map(|c| c.1).sum();
            let t: f64 = rest.iter().map(|c| c.2).sum();
            rows.push(vec![
                match self.lang {
                    Lang::Fr => format!("Autres ({} clients)", rest.len()),
                    Lang::En => format!("Others ({} clients)", rest.len()),
                },
                n.to_string(),
                self.money(t),
            ]);
        }
        rows.push(vec![
            self.pick("Total", "Total").to_string(),
            self.invoices.len().to_string(),
            self.money(self.grand_total()),
        ]);
        rows
    }

    /// The chart's categories and values: the largest clients, then « Autres ».
    fn client_chart(&self, bars: usize) -> (Vec<String>, Vec<f64>) {
        let shown = if self.per_client.len() <= bars {
            self.per_client.len()
        } else {
            bars - 1
        };
        let mut cats: Vec<String> = self.per_client[..shown]
            .iter()
            .map(|c| short(&c.0, 26))
            .collect();
        let mut values: Vec<f64> = self.per_client[..shown]
            .iter()
            .map(|c| (c.2 * 100.0).round() / 100.0)
            .collect();
        let rest = &self.per_client[shown..];
        if !rest.is_empty() {
            cats.push(self.pick("Autres", "Others").to_string());
            values.push((rest.iter().map(|c| c.2).sum::<f64>() * 100.0).round() / 100.0);
        }
        (cats, values)
    }

    /// How the folder's invoice files relate to the rows of the summary table.
    fn invoice_reconciliation(&self) -> Option<String> {
        if self.invoice_files == 0 {
            return None;
        }
        let rows = self.invoices.len();
        let mut parts = Vec::new();
        if self.invoice_duplicates > 0 {
            parts.push(match self.lang {
                Lang::Fr => format!("{} doublon(s)", self.invoice_duplicates),
                Lang::En => format!("{} duplicate(s)", self.invoice_duplicates),
            });
        }
        if self.invoice_unread > 0 {
            parts.push(match self.lang {
                Lang::Fr => format!("{} sans montant lisible", self.invoice_unread),
                Lang::En => format!("{} without readable amounts", self.invoice_unread),
            });
        }
        let other = self
            .invoice_files
            .saturating_sub(rows + self.invoice_duplicates + self.invoice_unread);
        if other > 0 {
            parts.push(match self.lang {
                Lang::Fr => format!("{other} reçue(s) de fournisseurs"),
                Lang::En => format!("{other} received from suppliers"),
            });
        }
        let aside = if parts.is_empty() {
            String::new()
        } else {
            format!(" ; {}", parts.join(", "))
        };
        Some(match self.lang {
            Lang::Fr => format!(
                "Factures et avoirs : {} fichier(s), dont {rows} au récapitulatif{aside}",
                self.invoice_files
            ),
            Lang::En => format!(
                "Invoices and credit notes: {} file(s), {rows} in the summary{aside}",
                self.invoice_files
            ),
        })
    }

    /// Speaker notes that name a deliverable only when the run really writes it.
    fn see_also(&self, file: &str, fr: &str, en: &str) -> Option<String> {
        self.deliverables
            .iter()
            .any(|d| d == file)
            .then(|| match self.lang {
                Lang::Fr => format!("{fr} : {}/{file}.", self.out),
                Lang::En => format!("{en}: {}/{file}.", self.out),
            })
    }

    fn grand_total(&self) -> f64 {
        self.invoices.iter().map(|r| r.total).sum()
    }

    fn actions(&self) -> Vec<(&str, &commis_skills::actions::ActionItem)> {
        self.meetings
            .iter()
            .flat_map(|m| m.actions.iter().map(move |a| (m.file.as_str(), a)))
            .collect()
    }

    fn recommendations(&self) -> Vec<String> {
        let mut recs = Vec::new();
        let total = self.grand_total();
        if let Some((client, _, amount)) = self.per_client.iter().max_by(|a, b| a.2.total_cmp(&b.2))
            && total > 0.0
            && *amount / total >= 0.35
        {
            let share = (*amount / total * 100.0).round();
            recs.push(match self.lang {
                Lang::Fr => format!("{client} représente {share} % du montant facturé : suivre de près ce client et diversifier le portefeuille."),
                Lang::En => format!("{client} accounts for {share}% of the amount invoiced: follow this client closely and diversify."),
            });
        }
        let urgent: Vec<String> = self
            .actions()
            .iter()
            .filter(|(_, a)| format!("{:?}", a.priority) == "High")
            .map(|(_, a)| a.what.clone())
            .take(3)
            .collect();
        if !urgent.is_empty() {
            recs.push(match self.lang {
                Lang::Fr => format!("Traiter en priorité : {}.", urgent.join(" ; ")),
                Lang::En => format!("Handle first: {}.", urgent.join("; ")),
            });
        }
        let unowned = self
            .actions()
            .iter()
            .filter(|(_, a)| a.who.is_none())
            .count();
        if unowned > 0 {
            recs.push(match self.lang {
                Lang::Fr => {
                    format!("{unowned} action(s) sans responsable : désigner qui s'en charge.")
                }
                Lang::En => {
                    format!("{unowned} action item(s) without an owner: name who takes them.")
                }
            });
        }
        if self.duplicates > 0 {
            recs.push(match self.lang {
                Lang::Fr => format!(
                    "{} doublon(s) trouvé(s) : les supprimer après vérification.",
                    self.duplicates
                ),
                Lang::En => format!(
                    "{} duplicate(s) found: delete them once checked.",
                    self.duplicates
                ),
            });
        }
        if self.doubtful > 0 {
            recs.push(match self.lang {
                Lang::Fr => format!(
                    "{} fichier(s) au client incertain : les vérifier et les nommer clairement.",
                    self.doubtful
                ),
                Lang::En => format!(
                    "{} file(s) with an uncertain client: check them and name them clearly.",
                    self.doubtful
                ),
            });
        }
        if !self.unreadable.is_empty() {
            recs.push(match self.lang {
                Lang::Fr => format!(
                    "{} fichier(s) illisible(s) (corrompu, protégé…) : à reprendre à la main.",
                    self.unreadable.len()
                ),
                Lang::En => format!(
                    "{} unreadable file(s) (corrupt, protected…): handle them by hand.",
                    self.unreadable.len()
                ),
            });
        }
        recs.push(self.pick(
            "Standardiser les noms de fichiers (date_client_type_numéro) et enregistrer ce brief comme modèle pour le mois prochain.",
            "Standardize file names (date_client_type_number) and save this brief as a template for next month.",
        ).to_string());
        recs
    }
}

fn digest(ctx: &RunContext, plan: &Plan) -> Result<Digest, StepFailure> {
    let facts = Facts::load(ctx, plan)?;
    let (analysis, lang) = (&facts.analysis, facts.lang);
    let mut by_kind = BTreeMap::new();
    for f in &analysis.files {
        *by_kind
            .entry(kind_label(&f.kind, lang).to_string())
            .or_insert(0) += 1;
    }
    let invoices = invoice_rows(&facts);
    let mut per_client: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for r in &invoices {
        let e = per_client.entry(r.client.clone()).or_default();
        e.0 += 1;
        e.1 += r.total;
    }
    let mut per_client: Vec<(String, usize, f64)> = per_client
        .into_iter()
        .map(|(c, (n, t))| (c, n, t))
        .collect();
    per_client.sort_by(|a, b| b.2.total_cmp(&a.2));
    let invoice_like: Vec<_> = analysis
        .files
        .iter()
        .filter(|f| INVOICE_LIKE.contains(&f.kind.as_str()))
        .collect();
    let deliverables = plan
        .steps
        .iter()
        .filter_map(|s| s.kind.as_deref())
        .flat_map(|k| deliverable_names(k, lang))
        .map(str::to_string)
        .collect();
    Ok(Digest {
        invoice_files: invoice_like.len(),
        invoice_duplicates: invoice_like
            .iter()
            .filter(|f| f.duplicate_of.is_some())
            .count(),
        invoice_unread: invoice_like
            .iter()
            .filter(|f| {
                f.duplicate_of.is_none() && f.invoice.is_none() && f.kind != "supplier_invoice"
            })
            .count(),
        deliverables,
        lang,
        out: facts.out.clone(),
        files: analysis.files.len(),
        by_kind,
        doubtful: analysis
            .files
            .iter()
            .filter(|f| f.client.is_some() && f.client_confidence < CONFIDENT)
            .count(),
        duplicates: analysis
            .files
            .iter()
            .filter(|f| f.duplicate_of.is_some())
            .count(),
        unreadable: analysis
            .files
            .iter()
            .filter(|f| f.error.is_some())
            .map(|f| f.path.clone())
            .collect(),
        invoices,
        per_client,
        meetings: meeting_digests(ctx, &facts),
        own_company: analysis.own_company.clone(),
    })
}

async fn write_out(
    ctx: &RunContext,
    registry: &Registry,
    d: &Digest,
    name: &str,
    bytes: &[u8],
) -> Result<String, StepFailure> {
    registry
        .call(ctx, "make_dir", json!({"path": d.out}))
        .await
        .map_err(fail(ctx))?;
    let path = format!("{}/{name}", d.out);
    crate::tools::files_write(ctx, &path, bytes, true)
        .await
        .map_err(fail(ctx))?;
    Ok(path)
}

/// Kinds counted together when the deck reconciles invoice files with the summary's rows
/// (supplier invoices share the « Facture » label but are not sales).
const INVOICE_LIKE: &[&str] = &["invoice", "credit_note", "supplier_invoice"];

/// The files a step of this kind writes in the output folder (see steps.rs).
fn deliverable_names(kind: &str, lang: Lang) -> Vec<&'static str> {
    match kind {
        "invoice_table" => vec![lang.pick("recapitulatif-factures.xlsx", "invoice-summary.xlsx")],
        "meetings" => vec![
            lang.pick("syntheses-reunions.md", "meeting-summaries.md"),
            lang.pick("actions.xlsx", "action-items.xlsx"),
        ],
        "catalogue" => vec!["catalogue.xlsx"],
        "report" => vec![lang.pick("rapport.docx", "report.docx")],
        _ => Vec::new(),
    }
}

fn title_of(d: &Digest) -> String {
    match (&d.own_company, d.lang) {
        (Some(c), Lang::Fr) => format!("Synthèse — {c}"),
        (Some(c), Lang::En) => format!("Summary — {c}"),
        (None, l) => l.pick("Synthèse du dossier", "Folder summary").to_string(),
    }
}

/// The Word + Markdown report.
pub(super) async fn report(
    ctx: &RunContext,
    registry: &Registry,
    plan: &Plan,
    _step: &Step,
) -> Result<String, StepFailure> {
    let d = digest(ctx, plan)?;
    let mut blocks = vec![
        json!({"type": "toc"}),
        json!({"type": "heading", "level": 1, "text": d.pick("Vue d'ensemble", "Overview")}),
        json!({"type": "paragraph", "text": match d.lang {
            Lang::Fr => format!("Le dossier contient **{}** fichiers. Ce rapport a été produit hors ligne par commis à partir du contenu des documents.", d.files),
            Lang::En => format!("The folder holds **{}** files. This report was produced offline by commis from the documents' content.", d.files),
        }}),
        json!({"type": "table", "header": [d.pick("Type de document", "Document type"), d.pick("Nombre", "Count")],
               "rows": d.by_kind.iter().map(|(k, n)| vec![k.clone(), n.to_string()]).collect::<Vec<_>>()}),
    ];
    if !d.invoices.is_empty() {
        blocks.push(json!({"type": "heading", "level": 1, "text": d.pick("Montants facturés", "Amounts invoiced")}));
        blocks.push(json!({"type": "paragraph", "text": match d.lang {
            Lang::Fr => format!("{} pièce(s) pour un total TTC de **{}**.", d.invoices.len(), d.money(d.grand_total())),
            Lang::En => format!("{} document(s) for a grand total of **{}**.", d.invoices.len(), d.money(d.grand_total())),
        }}));
        blocks.push(json!({"type": "table", "header": [d.pick("Client", "Client"), d.pick("Pièces", "Documents"), d.pick("Total TTC", "Total")],
            "rows": d.client_table(usize::MAX)}));
    }
    if !d.meetings.is_empty() {
        blocks.push(json!({"type": "heading", "level": 1, "text": d.pick("Réunions", "Meetings")}));
        for m in &d.meetings {
            blocks.push(json!({"type": "heading", "level": 2, "text": m.file}));
            blocks.push(json!({"type": "bullets", "items": m.summary}));
        }
        let actions = d.actions();
        if !actions.is_empty() {
            blocks.push(
                json!({"type": "heading", "level": 1, "text": d.pick("Actions", "Action items")}),
            );
            blocks.push(json!({"type": "table", "header": [d.pick("Qui", "Who"), d.pick("Quoi", "What"), d.pick("Quand", "When"), d.pick("Priorité", "Priority")],
                "rows": actions.iter().map(|(_, a)| vec![a.who.clone().unwrap_or_else(|| "—".into()), a.what.clone(), a.when.clone().unwrap_or_else(|| "—".into()), commis_skills::minutes::priority_label(a.priority, d.lang).to_string()]).collect::<Vec<_>>()}));
        }
    }
    blocks.push(json!({"type": "heading", "level": 1, "text": d.pick("Recommandations", "Recommendations")}));
    blocks.push(json!({"type": "numbered", "items": d.recommendations()}));
    let spec = json!({"title": title_of(&d), "locale": locale(d.lang), "blocks": blocks});
    let spec: commis_office::DocumentSpec = serde_json::from_value(spec)
        .map_err(|e| internal_spec(ctx, d.pick("rapport", "report"), e))?;
    let docx = commis_office::build_docx(&spec)
        .map_err(|e| fail(ctx)(ToolError::Failed(e.to_string())))?;
    let md = commis_office::build_markdown(&spec);
    let docx_path = write_out(
        ctx,
        registry,
        &d,
        d.pick("rapport.docx", "report.docx"),
        &docx,
    )
    .await?;
    let md_path = write_out(
        ctx,
        registry,
        &d,
        d.pick("rapport.md", "report.md"),
        md.as_bytes(),
    )
    .await?;
    Ok(match d.lang {
        Lang::Fr => format!(
            "Rapport : {docx_path} et {md_path} ({} recommandation(s)).",
            d.recommendations().len()
        ),
        Lang::En => format!(
            "Report: {docx_path} and {md_path} ({} recommendation(s)).",
            d.recommendations().len()
        ),
    })
}

/// The deck, with exactly the number of slides asked for.
pub(super) async fn deck(
    ctx: &RunContext,
    registry: &Registry,
    plan: &Plan,
    step: &Step,
) -> Result<String, StepFailure> {
    let d = digest(ctx, plan)?;
    let wanted = step
        .params
        .get("slides")
        .and_then(|v| v.as_u64())
        .unwrap_or(8)
        .clamp(1, 200) as usize;
    let slides = deck_slides(&d, wanted);
    let n = slides.len();
    let shorter = if n < wanted {
        match d.lang {
            Lang::Fr => format!(
                " ({wanted} demandées : le dossier n'a pas de quoi en remplir davantage sans remplissage)"
            ),
            Lang::En => {
                format!(" ({wanted} asked for: the folder holds no more to show without padding)")
            }
        }
    } else {
        String::new()
    };
    let spec = json!({"title": title_of(&d), "theme": "default", "locale": locale(d.lang), "slides": slides});
    let spec: commis_office::DeckSpec = serde_json::from_value(spec)
        .map_err(|e| internal_spec(ctx, d.pick("diaporama", "deck"), e))?;
    let bytes = commis_office::build_presentation(&spec)
        .map_err(|e| fail(ctx)(ToolError::Failed(e.to_string())))?;
    let path = write_out(ctx, registry, &d, "presentation.pptx", &bytes).await?;
    Ok(match d.lang {
        Lang::Fr => format!("Présentation de {n} diapositives : {path}{shorter}."),
        Lang::En => format!("{n}-slide deck: {path}{shorter}."),
    })
}

/// Slides stay within these so the deck builder never has to continue one on a new slide:
/// the user asked for a number of slides and gets exactly that.
const MAX_ROWS: usize = 7;
const MAX_BULLETS: usize = 6;

fn locale(lang: Lang) -> &'static str {
    lang.pick("fr", "en")
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>().trim_end())
    }
}

fn by_kind_bullets(d: &Digest) -> Vec<Value> {
    // Invoices and credit notes get one line that reconciles the files with the summary's
    // rows, so the deck never shows two different counts of the same thing.
    let invoice_labels: Vec<&str> = INVOICE_LIKE.iter().map(|k| kind_label(k, d.lang)).collect();
    let reconciled = d.invoice_reconciliation();
    let mut kinds: Vec<(&String, &usize)> = d
        .by_kind
        .iter()
        .filter(|(k, _)| reconciled.is_none() || !invoice_labels.contains(&k.as_str()))
        .collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1));
    let mut out: Vec<Value> = reconciled.into_iter().map(|r| json!(r)).collect();
    let room = MAX_BULLETS - out.len();
    out.extend(
        kinds
            .iter()
            .take(room - 1)
            .map(|(k, n)| json!(format!("{k} : {n}"))),
    );
    let rest: usize = kinds.iter().skip(room - 1).map(|(_, n)| **n).sum();
    if rest > 0 {
        out.push(json!(match d.lang {
            Lang::Fr => format!("Autres : {rest}"),
            Lang::En => format!("Other: {rest}"),
        }));
    }
    out
}

/// Candidate slides in order of importance; the deck takes exactly `wanted` of them,
/// adding detail slides (per client, per meeting) when more are asked for.
fn deck_slides(d: &Digest, wanted: usize) -> Vec<Value> {
    let mut core: Vec<Value> = Vec::new();
    let mut extra: Vec<Value> = Vec::new();
    let total = d.grand_total();
    let n_actions = d.actions().len();
    core.push(json!({"layout": "title", "title": title_of(d), "subtitle": match d.lang {
        Lang::Fr => format!("{} fichiers analysés par commis", d.files),
        Lang::En => format!("{} files analysed by commis", d.files),
    }, "notes": d.pick("Présentation produite hors ligne à partir des documents du dossier.", "Deck produced offline from the folder's documents.")}));
    core.push(json!({"layout": "key_figures", "title": d.pick("Chiffres clés", "Key figures"), "figures": [
        {"value": d.files.to_string(), "label": d.pick("fichiers", "files")},
        {"value": d.invoices.len().to_string(), "label": d.pick("factures et avoirs", "invoices and credit notes")},
        {"value": d.money(total), "label": d.pick("total TTC", "grand total")},
        {"value": n_actions.to_string(), "label": d.pick("actions", "action items")}
    ], "notes": d.see_also(
        d.pick("recapitulatif-factures.xlsx", "invoice-summary.xlsx"),
        "Les montants viennent des factures elles-mêmes ; chaque chiffre est relié à son fichier dans le classeur",
        "Amounts come from the invoices themselves; each figure links to its file in the workbook",
    ).unwrap_or_else(|| d.pick("Les montants viennent des factures elles-mêmes.", "Amounts come from the invoices themselves.").to_string())}));
    if !d.per_client.is_empty() {
        let (categories, values) = d.client_chart(MAX_ROWS);
        core.push(json!({"layout": "chart", "title": d.pick("Montant TTC par client", "Total per client"), "chart": "bar",
            "categories": categories,
            "series": [{"name": d.pick("Total TTC", "Total"), "values": values, "unit": "€"}],
            "notes": d.pick("Classement des clients par montant facturé TTC, avoirs déduits.", "Clients ranked by amount invoiced, credit notes deducted.")}));
        core.push(json!({"layout": "table", "title": d.pick("Récapitulatif par client", "Summary by client"),
            "header": [d.pick("Client", "Client"), d.pick("Pièces", "Documents"), d.pick("Total TTC", "Total")],
            "rows": d.client_table(MAX_ROWS),
            "notes": d.pick("Avoirs déduits ; la dernière ligne est le total du récapitulatif.", "Credit notes deducted; the last row is the summary's total.")}));
    }
    core.push(json!({"layout": "bullets", "title": d.pick("Contenu du dossier", "What the folder holds"),
        "bullets": by_kind_bullets(d),
        "notes": d.pick("Répartition des documents par type, détectée à partir de leur contenu.", "Documents by type, detected from their content.")}));
    if !d.meetings.is_empty() {
        core.push(json!({"layout": "bullets", "title": d.pick("Réunions : l'essentiel", "Meetings: the gist"),
            "bullets": d.meetings.iter().take(3).map(|m| json!({"text": m.file.rsplit('/').next().unwrap_or(&m.file), "sub": m.summary.iter().take(1).map(|s| short(s, 140)).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            "notes": d.pick("Phrases extraites telles quelles des transcriptions.", "Sentences taken verbatim from the transcripts.")}));
    }
    if n_actions > 0 {
        core.push(json!({"layout": "table", "title": d.pick("Actions à mener", "Action items"),
            "header": [d.pick("Qui", "Who"), d.pick("Quoi", "What"), d.pick("Quand", "When")],
            "rows": d.actions().iter().take(MAX_ROWS).map(|(_, a)| vec![a.who.clone().unwrap_or_else(|| "—".into()), short(&a.what, 90), a.when.clone().unwrap_or_else(|| "—".into())]).collect::<Vec<_>>(),
            "notes": d.see_also(d.pick("actions.xlsx", "action-items.xlsx"), "Liste complète dans le classeur des actions", "Full list in the action items workbook")
                .unwrap_or_else(|| match d.lang {
                    Lang::Fr => format!("{n_actions} action(s) relevée(s) dans les transcriptions."),
                    Lang::En => format!("{n_actions} action item(s) found in the transcripts."),
                })}));
    }
    let recs = json!({"layout": "bullets", "title": d.pick("Recommandations", "Recommendations"),
        "bullets": d.recommendations().into_iter().take(MAX_BULLETS).map(|r| json!(short(&r, 160))).collect::<Vec<_>>(),
        "notes": d.pick("Recommandations déduites des chiffres et des réunions.", "Recommendations drawn from the figures and the meetings.")});
    // Detail slides for longer decks.
    for (client, n, t) in &d.per_client {
        let rows: Vec<Vec<String>> = d
            .invoices
            .iter()
            .filter(|r| &r.client == client)
            .take(MAX_ROWS)
            .map(|r| vec![r.number.clone(), d.date(&r.date), d.money(r.total)])
            .collect();
        extra.push(json!({"layout": "table", "title": client, "header": [d.pick("N°", "Number"), d.pick("Date", "Date"), d.pick("TTC", "Total")], "rows": rows,
            "notes": match d.lang { Lang::Fr => format!("{n} pièce(s), {} au total.", d.money(*t)), Lang::En => format!("{n} document(s), {} in all.", d.money(*t)) }}));
    }
    for m in &d.meetings {
        extra.push(json!({"layout": "bullets", "title": m.file.rsplit('/').next().unwrap_or(&m.file),
            "bullets": m.summary.iter().take(MAX_BULLETS).map(|s| json!(short(s, 160))).collect::<Vec<_>>(),
            "notes": d.pick("Résumé extractif de la réunion.", "Extractive summary of the meeting.")}));
    }
    let mut slides: Vec<Value> = Vec::new();
    if wanted == 1 {
        return vec![core.remove(0)];
    }
    // Title, then as many core slides as fit before the recommendations, then detail.
    let room = wanted - 1;
    slides.extend(core.into_iter().take(room));
    let mut extra = extra.into_iter();
    while slides.len() < room {
        match extra.next() {
            Some(s) => slides.push(s),
            None => break,
        }
    }
    // No padding: with fewer facts than slides asked for, the deck is shorter and the step
    // says so (a transition slide with nothing on it is not a slide anyone wants).
    slides.push(recs);
    slides
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(client: &str, total: f64) -> InvoiceRow {
        InvoiceRow {
            client: client.into(),
            number: format!("F-{client}"),
            date: "2024-03-12".into(),
            net: total / 1.2,
            vat: total - total / 1.2,
            total,
            file: format!("{client}.pdf"),
            kind: "invoice".into(),
        }
    }

    fn digest_of(clients: usize, deliverables: &[&str]) -> Digest {
        let invoices: Vec<InvoiceRow> = (0..clients)
            .map(|i| row(&format!("Client {i}"), 1000.0 + 100.0 * i as f64))
            .collect();
        let mut per_client: Vec<(String, usize, f64)> = invoices
            .iter()
            .map(|r| (r.client.clone(), 1, r.total))
            .collect();
        per_client.sort_by(|a, b| b.2.total_cmp(&a.2));
        Digest {
            lang: Lang::Fr,
            out: "Livrables".into(),
            files: clients + 3,
            by_kind: BTreeMap::from([("Facture".to_string(), clients + 1)]),
            doubtful: 0,
            duplicates: 1,
            unreadable: Vec::new(),
            invoices,
            per_client,
            meetings: Vec::new(),
            own_company: None,
            invoice_files: clients + 1,
            invoice_duplicates: 1,
            invoice_unread: 0,
            deliverables: deliverables.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn cents(money: &str) -> i64 {
        let digits: String = money.chars().filter(char::is_ascii_digit).collect();
        digits.parse().unwrap_or(-1)
    }

    #[test]
    fn a_client_table_cut_to_fit_keeps_an_others_row_and_adds_up() {
        let d = digest_of(10, &[]);
        let rows = d.client_table(MAX_ROWS);
        assert_eq!(rows.len(), MAX_ROWS);
        assert_eq!(rows[MAX_ROWS - 2][0], "Autres (5 clients)");
        assert_eq!(rows[MAX_ROWS - 1][0], "Total");
        let shown: i64 = rows[..MAX_ROWS - 1].iter().map(|r| cents(&r[2])).sum();
        assert_eq!(shown, cents(&rows[MAX_ROWS - 1][2]));
        let pieces: usize = rows[..MAX_ROWS - 1]
            .iter()
            .map(|r| r[1].parse::<usize>().unwrap_or(0))
            .sum();
        assert_eq!(pieces.to_string(), rows[MAX_ROWS - 1][1]);
    }

    #[test]
    fn the_chart_groups_the_smallest_clients_and_carries_the_unit() {
        let d = digest_of(10, &[]);
        let (cats, values) = d.client_chart(MAX_ROWS);
        assert_eq!(cats.len(), MAX_ROWS);
        assert_eq!(cats.last().map(String::as_str), Some("Autres"));
        let sum: f64 = values.iter().sum();
        assert!((sum - d.grand_total()).abs() < 0.01);
        let slides = deck_slides(&d, 8);
        let chart = slides
            .iter()
            .find(|s| s["layout"] == "chart")
            .expect("a chart slide");
        assert_eq!(chart["series"][0]["unit"], "€");
    }

    #[test]
    fn a_deck_is_never_padded_with_empty_slides() {
        let d = digest_of(2, &[]);
        let slides = deck_slides(&d, 12);
        assert!(slides.len() < 12, "{} slides", slides.len());
        assert!(slides.iter().all(|s| s["layout"] != "section"));
        assert_eq!(
            slides.last().map(|s| s["title"].clone()),
            Some(json!("Recommandations"))
        );
    }

    #[test]
    fn notes_name_only_deliverables_the_run_writes() {
        let without = digest_of(3, &[]);
        let with = digest_of(3, &["recapitulatif-factures.xlsx"]);
        let notes = |d: &Digest| {
            deck_slides(d, 8)
                .iter()
                .filter_map(|s| s["notes"].as_str().map(str::to_string))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(!notes(&without).contains(".xlsx"), "{}", notes(&without));
        assert!(notes(&with).contains("Livrables/recapitulatif-factures.xlsx"));
    }

    #[test]
    fn the_folder_slide_reconciles_invoice_files_with_the_summary() {
        let d = digest_of(4, &[]);
        let bullets = by_kind_bullets(&d);
        assert_eq!(
            bullets[0],
            json!("Factures et avoirs : 5 fichier(s), dont 4 au récapitulatif ; 1 doublon(s)")
        );
        assert!(bullets.iter().all(|b| !b.to_string().contains("Facture :")));
    }

    #[test]
    fn dates_read_as_words_in_the_briefs_language() {
        let d = digest_of(1, &[]);
        assert_eq!(d.date("2024-03-12"), "12 mars 2024");
        assert_eq!(d.date("mars 2024"), "mars 2024");
    }
}
