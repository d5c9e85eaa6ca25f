//! The executors of offline steps. Each one works through the same tools and gate as a
//! model would, so confinement, approvals and the journal apply alike.

use std::collections::BTreeMap;

use commis_core::{EventKind, Plan, Step};
use serde_json::{Value, json};

use super::analysis::{Analysis, FileFacts};
use super::brief::Lang;
use super::{CONFIDENT, INVOICE_KINDS, MEETING_KINDS, kind_label};
use crate::StepFailure;
use crate::context::RunContext;
use crate::messages::Msg;
use crate::tools::{ChangeLine, Registry, ToolError};

/// A tool error as a step outcome in the run's language: a stop stays a stop.
pub(super) fn fail(ctx: &RunContext) -> impl Fn(ToolError) -> StepFailure + '_ {
    move |e| match e {
        ToolError::Stopped => StepFailure::Stopped,
        other => StepFailure::Failed(other.localized(ctx.lang)),
    }
}

/// The plan's language and output folder, as the planner chose them.
pub(super) fn lang_and_output(ctx: &RunContext, plan: &Plan) -> (Lang, String) {
    let lang = plan
        .context
        .get("lang")
        .and_then(|l| serde_json::from_value(l.clone()).ok())
        .unwrap_or(ctx.lang);
    let out = plan
        .context
        .get("output_dir")
        .and_then(|o| o.as_str())
        .unwrap_or_else(|| super::output_dir(lang))
        .to_string();
    (lang, out)
}

/// The plan's shared facts, re-read from the plan (never from memory of an earlier step).
pub(super) struct Facts {
    pub(super) analysis: Analysis,
    pub(super) lang: Lang,
    pub(super) out: String,
    /// original path → (path now, applied?)
    moved: BTreeMap<String, String>,
}

impl Facts {
    /// The plan's facts, narrowed to the scope the brief gave its report and deck.
    pub(super) fn load(ctx: &RunContext, plan: &Plan) -> Result<Facts, StepFailure> {
        let mut facts = Facts::load_all(ctx, plan)?;
        facts.narrow(plan.context.get("scope_files"));
        Ok(facts)
    }

    /// The plan's facts, narrowed to the files a step's clause is about.
    pub(super) fn for_step(
        ctx: &RunContext,
        plan: &Plan,
        step: &Step,
    ) -> Result<Facts, StepFailure> {
        let mut facts = Facts::load_all(ctx, plan)?;
        facts.narrow(step.params.get("files"));
        Ok(facts)
    }

    /// Keeps only the listed files (original paths); no list keeps them all.
    fn narrow(&mut self, files: Option<&Value>) {
        if let Some(list) = files.and_then(|v| v.as_array()) {
            let keep: std::collections::BTreeSet<&str> =
                list.iter().filter_map(|v| v.as_str()).collect();
            self.analysis
                .files
                .retain(|f| keep.contains(f.path.as_str()));
        }
    }

    fn load_all(ctx: &RunContext, plan: &Plan) -> Result<Facts, StepFailure> {
        let analysis = Analysis::from_context(&plan.context)
            .ok_or_else(|| StepFailure::Failed(Msg::PlanLostSurvey.text(ctx.lang).into()))?;
        let (lang, out) = lang_and_output(ctx, plan);
        let mut moved = BTreeMap::new();
        for s in plan
            .steps
            .iter()
            .filter(|s| s.kind.as_deref() == Some("reorganize"))
        {
            let changes: Vec<ChangeLine> = s
                .params
                .get("changes")
                .and_then(|c| serde_json::from_value(c.clone()).ok())
                .unwrap_or_default();
            for c in changes {
                // Where the file is now: moved only if the move really happened.
                let at_target = ctx.workspace.exists(&c.to).unwrap_or(false);
                let at_source = ctx.workspace.exists(&c.from).unwrap_or(false);
                if at_target && !at_source {
                    moved.insert(c.from, c.to);
                }
            }
        }
        Ok(Facts {
            analysis,
            lang,
            out,
            moved,
        })
    }

    fn now(&self, original: &str) -> String {
        self.moved
            .get(original)
            .cloned()
            .unwrap_or_else(|| original.to_string())
    }

    fn of_kinds(&self, kinds: &[&str]) -> Vec<&FileFacts> {
        self.analysis
            .files
            .iter()
            .filter(|f| kinds.contains(&f.kind.as_str()) && f.duplicate_of.is_none())
            .collect()
    }

    fn pick<'a>(&self, fr: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(fr, en)
    }
}

async fn ensure_dir(ctx: &RunContext, registry: &Registry, dir: &str) -> Result<(), StepFailure> {
    registry
        .call(ctx, "make_dir", json!({ "path": dir }))
        .await
        .map(|_| ())
        .map_err(fail(ctx))
}

async fn write(ctx: &RunContext, path: &str, bytes: &[u8]) -> Result<(), StepFailure> {
    crate::tools::files_write(ctx, path, bytes, true)
        .await
        .map(|_| ())
        .map_err(fail(ctx))
}

pub(super) async fn run(ctx: &RunContext, plan: &Plan, step: &Step) -> Result<String, StepFailure> {
    let registry = Registry::standard();
    let kind = step.kind.as_deref().unwrap_or("");
    match kind {
        "reorganize" => reorganize(ctx, &registry, step).await,
        "catalogue" => catalogue(ctx, &registry, plan, step).await,
        "duplicates_list" => duplicates_list(ctx, &registry, plan, step).await,
        "invoice_table" => invoice_table(ctx, &registry, plan, step).await,
        "meetings" => meetings(ctx, &registry, plan, step).await,
        "report" => super::deliver::report(ctx, &registry, plan, step).await,
        "deck" => super::deliver::deck(ctx, &registry, plan, step).await,
        "clean_table" | "consolidate" | "survey" => {
            table_job(ctx, &registry, plan, step, kind).await
        }
        "money_unpaid" | "money_reminders" | "money_vat" | "money_revenue" | "money_quotes" => {
            money(ctx, &registry, plan, step, kind).await
        }
        other => Err(StepFailure::Failed(
            Msg::PlanUnknownStepKind.fill(ctx.lang, &[("kind", other)]),
        )),
    }
}

async fn reorganize(
    ctx: &RunContext,
    registry: &Registry,
    step: &Step,
) -> Result<String, StepFailure> {
    let changes: Vec<ChangeLine> = step
        .params
        .get("changes")
        .and_then(|c| serde_json::from_value(c.clone()).ok())
        .unwrap_or_default();
    // Lines already applied (a resumed run) are skipped: no move is done twice.
    let pending: Vec<ChangeLine> = changes
        .into_iter()
        .filter(|c| {
            !ctx.workspace.exists(&c.to).unwrap_or(false)
                || ctx.workspace.exists(&c.from).unwrap_or(false)
        })
        .collect();
    let lang = ctx.lang;
    if pending.is_empty() {
        return Ok(lang.pick("Rien à déplacer.", "Nothing to move.").into());
    }
    let n = pending.len();
    match registry
        .call(
            ctx,
            "apply_changes",
            json!({"label": step.title, "changes": pending}),
        )
        .await
    {
        Ok(done) => {
            // Files that could not be moved were left out (each reported with its reason).
            let n = done
                .get("applied")
                .and_then(|a| a.as_u64())
                .map_or(n, |a| a as usize);
            Ok(match lang {
                Lang::Fr => format!("{n} fichier(s) déplacé(s) ou renommé(s) en un lot."),
                Lang::En => format!("{n} file(s) moved or renamed as one batch."),
            })
        }
        Err(ToolError::Refused(reason)) => Ok(match lang {
            Lang::Fr => format!("Aucun déplacement : {reason}."),
            Lang::En => format!("Nothing moved: {reason}."),
        }),
        Err(e) => Err(fail(ctx)(e)),
    }
}

fn progress(ctx: &RunContext, step: &Step, done: usize, total: usize, label: &str) {
    ctx.emit(EventKind::Progress {
        step: step.number,
        done: done as u64,
        total: total as u64,
        label: label.to_string(),
    });
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

async fn catalogue(
    ctx: &RunContext,
    registry: &Registry,
    plan: &Plan,
    step: &Step,
) -> Result<String, StepFailure> {
    let facts = Facts::for_step(ctx, plan, step)?;
    let scoped = step.params.get("files").is_some_and(|v| v.is_array());
    let by_now: BTreeMap<String, &FileFacts> = facts
        .analysis
        .files
        .iter()
        .map(|f| (facts.now(&f.path), f))
        .collect();
    let listing = ctx
        .workspace
        .list("", true)
        .map_err(|e| fail(ctx)(e.into()))?;
    let files: Vec<_> = listing
        .into_iter()
        .filter(|f| !f.is_dir && !f.path.starts_with(&format!("{}/", facts.out)))
        .filter(|f| !scoped || by_now.contains_key(&f.path))
        .collect();
    let lang = facts.lang;
    let headers = [
        facts.pick("Chemin", "Path"),
        facts.pick("Type", "Type"),
        facts.pick("Client", "Client"),
        facts.pick("Date", "Date"),
        facts.pick("Taille (octets)", "Size (bytes)"),
        facts.pick("Empreinte SHA-256", "SHA-256"),
        facts.pick("Remarque", "Note"),
    ];
    let mut rows: Vec<[String; 7]> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        progress(ctx, step, i + 1, files.len(), &f.path);
        let fact = by_now.get(&f.path);
        let note = fact
            .map(|x| {
                let mut n = Vec::new();
                if let Some(d) = &x.duplicate_of {
                    n.push(format!(
                        "{} {}",
                        facts.pick("doublon de", "duplicate of"),
                        facts.now(d)
                    ));
                }
                if let Some(e) = &x.error {
                    n.push(e.clone());
                }
                n.join("; ")
            })
            .unwrap_or_default();
        rows.push([
            f.path.clone(),
            fact.map(|x| kind_label(&x.kind, lang).to_string())
                .unwrap_or_default(),
            fact.and_then(|x| {
                x.client
                    .clone()
                    .filter(|_| x.client_confidence >= CONFIDENT)
            })
            .unwrap_or_default(),
            fact.and_then(|x| x.date.clone()).unwrap_or_default(),
            f.size.to_string(),
            fact.map(|x| x.hash.clone()).unwrap_or_default(),
            note,
        ]);
    }
    ensure_dir(ctx, registry, &facts.out).await?;
    // CSV
    let mut csv = headers
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",");
    csv.push('\n');
    for r in &rows {
        csv.push_str(&r.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        csv.push('\n');
    }
    write(ctx, &format!("{}/catalogue.csv", facts.out), csv.as_bytes()).await?;
    // Markdown
    let mut md = format!(
        "# {}\n\n",
        facts.pick("Catalogue des fichiers", "Catalogue of files")
    );
    md.push_str(&format!(
        "{} {}\n\n",
        rows.len(),
        facts.pick("fichiers.", "files.")
    ));
    md.push_str(&format!(
        "| {} |\n|{}\n",
        headers[..5].join(" | "),
        "---|".repeat(5)
    ));
    for r in &rows {
        md.push_str(&format!(
            "| {} |\n",
            r[..5]
                .iter()
                .map(|c| md_cell(c))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    write(ctx, &format!("{}/catalogue.md", facts.out), md.as_bytes()).await?;
    // Workbook
    let sheet_rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!([
                r[0],
                r[1],
                r[2],
                r[3],
                r[4].parse::<f64>().unwrap_or(0.0),
                r[5],
                r[6]
            ])
        })
        .collect();
    let spec = json!({
        "locale": if lang == Lang::Fr { "fr" } else { "en" },
        "sheets": [{
            "name": facts.pick("Catalogue", "Catalogue"),
            "columns": [
                {"header": headers[0], "kind": "text"},
                {"header": headers[1], "kind": "text"},
                {"header": headers[2], "kind": "text"},
                {"header": headers[3], "kind": "text"},
                {"header": headers[4], "kind": "integer"},
                {"header": headers[5], "kind": "text"},
                {"header": headers[6], "kind": "text"}
            ],
            "rows": sheet_rows,
            "totals": {"label": facts.pick("Total", "Total"), "columns": [headers[4]], "function": "sum"},
            "table": true,
            "freeze_header": true
        }]
    });
    let bytes = super::deliver::spreadsheet_bytes(spec).map_err(fail(ctx))?;
    write(ctx, &format!("{}/catalogue.xlsx", facts.out), &bytes).await?;
    Ok(match lang {
        Lang::Fr => format!(
            "Catalogue de {} fichiers : {}/catalogue.xlsx, .md et .csv.",
            rows.len(),
            facts.out
        ),
        Lang::En => format!(
            "Catalogue of {} files: {}/catalogue.xlsx, .md and .csv.",
            rows.len(),
            facts.out
        ),
    })
}

/// One invoice row of the summary table.
pub(super) struct InvoiceRow {
    pub client: String,
    pub number: String,
    pub date: String,
    pub net: f64,
    pub vat: f64,
    pub total: f64,
    pub file: String,
    pub kind: String,
}

/// The invoices and credit notes of the folder, as rows (credit notes negative).
pub(super) fn invoice_rows(facts: &Facts) -> Vec<InvoiceRow> {
    invoice_rows_of(facts, INVOICE_KINDS)
}

/// The documents of the given kinds that carry amounts, as rows (credit notes negative).
pub(super) fn invoice_rows_of(facts: &Facts, kinds: &[&str]) -> Vec<InvoiceRow> {
    let own = facts
        .analysis
        .own_company
        .as_deref()
        .map(commis_skills::entities::normalize_company);
    let mut rows = Vec::new();
    for f in facts.of_kinds(kinds) {
        let Some(inv) = &f.invoice else { continue };
        // Amounts read by OCR that could not be trusted never reach a total: they are
        // listed apart, « À vérifier » (see `invoices_to_check`).
        if inv.amounts_to_check.is_some() {
            continue;
        }
        // Invoices received from suppliers are not sales: leave them out of the clients' table.
        if let (Some(own), Some(issuer)) = (&own, &inv.issuer)
            && commis_skills::entities::normalize_company(issuer) != *own
            && inv
                .client
                .as_deref()
                .map(commis_skills::entities::normalize_company)
                .as_ref()
                == Some(own)
        {
            continue;
        }
        let sign = if f.kind == "credit_note" { -1.0 } else { 1.0 };
        let fix = |v: f64| if sign < 0.0 { -v.abs() } else { v };
        let total = inv.total.unwrap_or(0.0);
        let net = inv.net.unwrap_or_else(|| total - inv.vat.unwrap_or(0.0));
        let vat = inv.vat.unwrap_or(total - net);
        rows.push(InvoiceRow {
            client: f
                .client
                .clone()
                .filter(|_| f.client_confidence >= CONFIDENT)
                .or(inv.client.clone())
                .unwrap_or_else(|| facts.pick("(inconnu)", "(unknown)").to_string()),
            number: inv.number.clone().unwrap_or_default(),
            date: inv.date.clone().or(f.date.clone()).unwrap_or_default(),
            net: fix(net),
            vat: fix(vat),
            total: fix(total),
            file: facts.now(&f.path),
            kind: f.kind.clone(),
        });
    }
    rows.sort_by(|a, b| {
        a.client
            .cmp(&b.client)
            .then(a.date.cmp(&b.date))
            .then(a.number.cmp(&b.number))
    });
    rows
}

/// A document whose amounts must be checked by a person before they count.
pub(super) struct ToCheckRow {
    pub file: String,
    pub number: String,
    pub date: String,
    /// The total as read (not counted anywhere).
    pub total_read: Option<f64>,
    pub reason: String,
}

/// The documents of the given kinds whose amounts were read by OCR without enough
/// confidence: listed « À vérifier », never summed.
pub(super) fn invoices_to_check(facts: &Facts, kinds: &[&str]) -> Vec<ToCheckRow> {
    facts
        .of_kinds(kinds)
        .into_iter()
        .filter_map(|f| {
            let inv = f.invoice.as_ref()?;
            let reason = inv.amounts_to_check.clone()?;
            Some(ToCheckRow {
                file: facts.now(&f.path),
                number: inv.number.clone().unwrap_or_default(),
                date: inv.date.clone().or(f.date.clone()).unwrap_or_default(),
                total_read: inv.total,
                reason,
            })
        })
        .collect()
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

async fn invoice_table(
    ctx: &RunContext,
    registry: &Registry,
    plan: &Plan,
    step: &Step,
) -> Result<String, StepFailure> {
    let facts = Facts::for_step(ctx, plan, step)?;
    let kinds: Vec<String> = step
        .params
        .get("kinds")
        .and_then(|k| serde_json::from_value(k.clone()).ok())
        .unwrap_or_else(|| INVOICE_KINDS.iter().map(|k| k.to_string()).collect());
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    let rows = invoice_rows_of(&facts, &kinds);
    let to_check = invoices_to_check(&facts, &kinds);
    let lang = facts.lang;
    let sheet = facts.pick("Factures", "Invoices");
    let n = rows.len();
    let mut data = Vec::new();
    let mut sources = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        progress(ctx, step, i + 1, n, &r.file);
        let row = i + 2;
        data.push(json!([
            r.client,
            r.number,
            r.date,
            kind_label(&r.kind, lang),
            round2(r.net),
            round2(r.vat),
            format!("=E{row}+F{row}"),
            r.file
        ]));
        sources.push(json!({"figure": format!("{} {}", kind_label(&r.kind, lang), r.number), "cell": format!("'{sheet}'!G{row}"), "file": r.file}));
        ctx.emit(EventKind::Decision {
            step: Some(step.number),
            subject: r.file.clone(),
            decision: format!("{} {} : {:.2} TTC", r.client, r.number, r.total),
            reason: facts
                .pick(
                    "montants lus dans le document",
                    "amounts read from the document",
                )
                .into(),
        });
    }
    let mut clients: Vec<String> = rows.iter().map(|r| r.client.clone()).collect();
    clients.dedup();
    let last = n + 1;
    let per_client: Vec<Value> = clients
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let r = i + 2;
            json!([
                c,
                format!("=COUNTIF('{sheet}'!A2:A{last},A{r})"),
                format!("=SUMIF('{sheet}'!A2:A{last},A{r},'{sheet}'!E2:E{last})"),
                format!("=SUMIF('{sheet}'!A2:A{last},A{r},'{sheet}'!F2:F{last})"),
                format!("=SUMIF('{sheet}'!A2:A{last},A{r},'{sheet}'!G2:G{last})")
            ])
        })
        .collect();
    let h = |fr: &'static str, en: &'static str| facts.pick(fr, en).to_string();
    let by_client = h("Par client", "By client");
    for t in &to_check {
        ctx.emit(EventKind::Decision {
            step: Some(step.number),
            subject: t.file.clone(),
            decision: format!("{} {}", facts.pick("À vérifier", "To check"), t.number),
            reason: t.reason.clone(),
        });
    }
    let check_rows: Vec<Value> = to_check
        .iter()
        .map(|t| {
            json!([
                t.file,
                t.number,
                t.date,
                t.total_read.map(|v| format!("{v:.2}")).unwrap_or_default(),
                t.reason
            ])
        })
        .collect();
    let mut spec = json!({
        "locale": if lang == Lang::Fr { "fr" } else { "en" },
        "currency": "EUR",
        "sheets": [
            {
                "name": sheet,
                "columns": [
                    {"header": h("Client", "Client"), "kind": "text"},
                    {"header": h("N°", "Number"), "kind": "text"},
                    {"header": h("Date", "Date"), "kind": "date"},
                    {"header": h("Type", "Type"), "kind": "text"},
                    {"header": h("Montant HT", "Net"), "kind": "currency"},
                    {"header": h("TVA", "VAT"), "kind": "currency"},
                    {"header": h("Montant TTC", "Total"), "kind": "currency"},
                    {"header": h("Fichier", "File"), "kind": "text"}
                ],
                "rows": data,
                "totals": {"label": h("Total", "Total"), "columns": [h("Montant HT", "Net"), h("TVA", "VAT"), h("Montant TTC", "Total")], "function": "sum"},
                "table": true,
                "freeze_header": true,
                "conditional": [{"column": h("Montant TTC", "Total"), "rule": {"kind": "negative"}, "style": "red"}]
            },
            {
                "name": by_client,
                "columns": [
                    {"header": h("Client", "Client"), "kind": "text"},
                    {"header": h("Nombre de pièces", "Documents"), "kind": "integer"},
                    {"header": h("Total HT", "Net total"), "kind": "currency"},
                    {"header": h("Total TVA", "VAT total"), "kind": "currency"},
                    {"header": h("Total TTC", "Grand total"), "kind": "currency"}
                ],
                "rows": per_client,
                "totals": {"label": h("Total", "Total"), "columns": [h("Total HT", "Net total"), h("Total TVA", "VAT total"), h("Total TTC", "Grand total")], "function": "sum"},
                "table": false,
                "freeze_header": true,
                "charts": [{"kind": "bar", "title": h("Total TTC par client", "Total per client"), "categories_column": h("Client", "Client"), "values_columns": [h("Total TTC", "Grand total")]}]
            }
        ],
        "sources": sources
    });
    if !check_rows.is_empty()
        && let Some(sheets) = spec.get_mut("sheets").and_then(Value::as_array_mut)
    {
        // Amounts nobody can vouch for are shown as read, as text: never summed.
        sheets.push(json!({
            "name": h("À vérifier", "To check"),
            "columns": [
                {"header": h("Fichier", "File"), "kind": "text"},
                {"header": h("N°", "Number"), "kind": "text"},
                {"header": h("Date", "Date"), "kind": "text"},
                {"header": h("TTC lu (non compté)", "Total as read (not counted)"), "kind": "text"},
                {"header": h("Pourquoi", "Why"), "kind": "text"}
            ],
            "rows": check_rows,
            "table": false,
            "freeze_header": true
        }));
    }
    let bytes = super::deliver::spreadsheet_bytes(spec).map_err(fail(ctx))?;
    ensure_dir(ctx, registry, &facts.out).await?;
    let name = format!(
        "{}/{}",
        facts.out,
        facts.pick("recapitulatif-factures.xlsx", "invoice-summary.xlsx")
    );
    write(ctx, &name, &bytes).await?;
    let grand: f64 = rows.iter().map(|r| r.total).sum();
    let checked = match (to_check.len(), lang) {
        (0, _) => String::new(),
        (k, Lang::Fr) => format!(
            " {k} pièce(s) lue(s) par OCR sans certitude sur les montants, dans la feuille « À vérifier » (hors totaux)."
        ),
        (k, Lang::En) => format!(
            " {k} document(s) read by OCR with uncertain amounts, in the \"To check\" sheet (not in the totals)."
        ),
    };
    Ok(match lang {
        Lang::Fr => format!(
            "{name} : {n} pièce(s), {} client(s), total TTC {}.{checked}",
            clients.len(),
            super::deliver::money(grand, lang)
        ),
        Lang::En => format!(
            "{name}: {n} document(s), {} client(s), grand total {}.{checked}",
            clients.len(),
            super::deliver::money(grand, lang)
        ),
    })
}

/// A meeting's summary and action items, as computed for the report and the deck.
pub(super) struct MeetingDigest {
    pub file: String,
    pub summary: Vec<String>,
    pub actions: Vec<commis_skills::actions::ActionItem>,
    /// The full minutes (topics, decisions, ranked actions and annex, open questions).
    pub minutes: commis_skills::minutes::Minutes,
}

pub(super) fn meeting_digests(ctx: &RunContext, facts: &Facts) -> Vec<MeetingDigest> {
    let mut out = Vec::new();
    for f in facts.of_kinds(MEETING_KINDS) {
        let path = facts.now(&f.path);
        let text = match super::analysis::read_text(ctx, &path) {
            Ok(t) => t,
            Err(e) => {
                ctx.emit(EventKind::Warning {
                    path: Some(path.clone()),
                    message: e.localized(ctx.lang),
                });
                continue;
            }
        };
        let minutes = commis_skills::minutes::minutes(&text, commis_skills::minutes::SHOWN_ACTIONS);
        // The topics' sentences leave tables and action lists out of the summary.
        let mut summary: Vec<String> = minutes
            .topics
            .iter()
            .flat_map(|t| t.points.iter().cloned())
            .take(5)
            .collect();
        if summary.is_empty() {
            summary = commis_skills::summarize::extractive_summary(&text, 5);
        }
        out.push(MeetingDigest {
            summary,
            actions: minutes
                .actions
                .iter()
                .chain(&minutes.annex)
                .cloned()
                .collect(),
            minutes,
            file: path,
        });
    }
    out
}

async fn meetings(
    ctx: &RunContext,
    registry: &Registry,
    plan: &Plan,
    step: &Step,
) -> Result<String, StepFailure> {
    let facts = Facts::for_step(ctx, plan, step)?;
    let digests = meeting_digests(ctx, &facts);
    let want_summaries = step
        .params
        .get("summaries")
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    let want_actions = step
        .params
        .get("actions")
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    let lang = facts.lang;
    let skills_lang: commis_skills::Lang = lang;
    let mut action_rows = Vec::new();
    let mut all = Vec::new();
    for (i, d) in digests.iter().enumerate() {
        progress(ctx, step, i + 1, digests.len(), &d.file);
        let mut m = d.minutes.clone();
        if !want_summaries {
            m.topics.clear();
        }
        if !want_actions {
            m.actions.clear();
            m.annex.clear();
        }
        for a in m.actions.iter().chain(&m.annex) {
            action_rows.push(json!([
                a.who.clone().unwrap_or_default(),
                a.what,
                a.due
                    .as_deref()
                    .map(|d| commis_skills::minutes::long_date(d, skills_lang))
                    .or_else(|| a.when.clone())
                    .unwrap_or_default(),
                commis_skills::minutes::priority_label(a.priority, skills_lang),
                d.file
            ]));
            ctx.emit(EventKind::Decision {
                step: Some(step.number),
                subject: d.file.clone(),
                decision: format!("{}: {}", a.who.as_deref().unwrap_or("?"), a.what),
                reason: a.evidence.clone(),
            });
        }
        all.push((d.file.clone(), m));
    }
    // One Markdown text renders both files, so the Word minutes keep the same tables and lists.
    let title = facts.pick("Comptes rendus de réunion", "Meeting minutes");
    let md = commis_skills::minutes::render_markdown(title, &all, skills_lang);
    ensure_dir(ctx, registry, &facts.out).await?;
    let md_name = format!(
        "{}/{}",
        facts.out,
        facts.pick("syntheses-reunions.md", "meeting-summaries.md")
    );
    write(ctx, &md_name, md.as_bytes()).await?;
    let locale = match lang {
        Lang::Fr => commis_office::Locale::Fr,
        Lang::En => commis_office::Locale::En,
    };
    let docx = commis_office::build_docx(&commis_office::spec_from_markdown(&md, locale))
        .map_err(|e| fail(ctx)(ToolError::Failed(e.to_string())))?;
    let docx_name = format!(
        "{}/{}",
        facts.out,
        facts.pick("comptes-rendus-reunions.docx", "meeting-minutes.docx")
    );
    write(ctx, &docx_name, &docx).await?;
    let n_actions = action_rows.len();
    let n_decisions: usize = all.iter().map(|(_, m)| m.decisions.len()).sum();
    if want_actions {
        let h = |fr: &'static str, en: &'static str| facts.pick(fr, en).to_string();
        let spec = json!({
            "locale": if lang == Lang::Fr { "fr" } else { "en" },
            "sheets": [{
                "name": h("Actions", "Actions"),
                "columns": [
                    {"header": h("Qui", "Who"), "kind": "text"},
                    {"header": h("Quoi", "What"), "kind": "text", "width": 60},
                    {"header": h("Quand", "When"), "kind": "text"},
                    {"header": h("Priorité", "Priority"), "kind": "text"},
                    {"header": h("Source", "Source"), "kind": "text"}
                ],
                "rows": action_rows,
                "table": true,
                "freeze_header": true
            }]
        });
        let bytes = super::deliver::spreadsheet_bytes(spec).map_err(fail(ctx))?;
        let name = format!(
            "{}/{}",
            facts.out,
            facts.pick("actions.xlsx", "action-items.xlsx")
        );
        write(ctx, &name, &bytes).await?;
    }
    Ok(match lang {
        Lang::Fr => format!(
            "{} réunion(s) résumée(s), {n_decisions} décision(s), {n_actions} action(s) extraite(s) : {docx_name}, {md_name}.",
            digests.len()
        ),
        Lang::En => format!(
            "{} meeting(s) summarized, {n_decisions} decision(s), {n_actions} action item(s) extracted: {docx_name}, {md_name}.",
            digests.len()
        ),
    })
}

/// Lists the byte-identical copies in a file of the output folder; nothing moves.
async fn duplicates_list(
    ctx: &RunContext,
    registry: &Registry,
    plan: &Plan,
    step: &Step,
) -> Result<String, StepFailure> {
    let facts = Facts::for_step(ctx, plan, step)?;
    let lang = facts.lang;
    let dupes: Vec<&FileFacts> = facts
        .analysis
        .files
        .iter()
        .filter(|f| f.duplicate_of.is_some())
        .collect();
    let mut md = format!(
        "# {}\n\n",
        facts.pick(
            "Doublons (contenu identique)",
            "Duplicates (identical content)"
        )
    );
    if dupes.is_empty() {
        md.push_str(facts.pick("Aucun doublon.\n", "No duplicates.\n"));
    } else {
        md.push_str(&format!(
            "| {} | {} |\n|---|---|\n",
            facts.pick("Copie", "Copy"),
            facts.pick("Identique à", "Same as")
        ));
        for f in &dupes {
            md.push_str(&format!(
                "| {} | {} |\n",
                md_cell(&facts.now(&f.path)),
                md_cell(&facts.now(f.duplicate_of.as_deref().unwrap_or("?")))
            ));
        }
        md.push_str(facts.pick(
            "\nAucun fichier n'a été déplacé ni supprimé.\n",
            "\nNo file was moved or deleted.\n",
        ));
    }
    ensure_dir(ctx, registry, &facts.out).await?;
    let name = format!(
        "{}/{}",
        facts.out,
        facts.pick("doublons.md", "duplicates.md")
    );
    write(ctx, &name, md.as_bytes()).await?;
    Ok(match lang {
        Lang::Fr => format!(
            "{} doublon(s) listé(s) dans {name} ; rien n'a bougé.",
            dupes.len()
        ),
        Lang::En => format!(
            "{} duplicate(s) listed in {name}; nothing moved.",
            dupes.len()
        ),
    })
}

/// A table job (clean, consolidate, survey) through the same functions as the tools, on the
/// files the plan names (where earlier steps moved them), writing into the output folder.
async fn table_job(
    ctx: &RunContext,
    registry: &Registry,
    plan: &Plan,
    step: &Step,
    kind: &str,
) -> Result<String, StepFailure> {
    let facts = Facts::load_all(ctx, plan)?;
    let strings = |key: &str| -> Vec<String> {
        step.params
            .get(key)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    };
    let dir_of = |p: &str| p.rsplit_once('/').map(|(d, _)| d.to_string());
    let mut lines = Vec::new();
    match kind {
        "clean_table" => {
            let files = strings("files");
            let outputs = strings("outputs");
            for (i, (file, output)) in files.iter().zip(&outputs).enumerate() {
                let path = facts.now(file);
                progress(ctx, step, i + 1, files.len(), &path);
                if let Some(d) = dir_of(output) {
                    ensure_dir(ctx, registry, &d).await?;
                }
                let req: crate::tools::tables::CleanTableRequest =
                    serde_json::from_value(json!({ "path": path, "output": output }))
                        .map_err(|e| StepFailure::Failed(e.to_string()))?;
                let done = crate::tools::tables::clean_table_file(ctx, req)
                    .await
                    .map_err(fail(ctx))?;
                lines.push(match facts.lang {
                    Lang::Fr => format!(
                        "{path} → {} : {} correction(s), {} cellule(s) à vérifier",
                        done.output, done.corrections, done.review
                    ),
                    Lang::En => format!(
                        "{path} → {}: {} correction(s), {} cell(s) to check",
                        done.output, done.corrections, done.review
                    ),
                });
            }
        }
        "consolidate" => {
            let files: Vec<String> = strings("files").iter().map(|f| facts.now(f)).collect();
            let output = step
                .params
                .get("output")
                .and_then(Value::as_str)
                .unwrap_or("consolidation.xlsx")
                .to_string();
            if let Some(d) = dir_of(&output) {
                ensure_dir(ctx, registry, &d).await?;
            }
            progress(ctx, step, 1, 1, &output);
            let req: crate::tools::consolidate::ConsolidateRequest =
                serde_json::from_value(json!({ "paths": files, "output": output }))
                    .map_err(|e| StepFailure::Failed(e.to_string()))?;
            let done = crate::tools::consolidate::consolidate_files(ctx, req)
                .await
                .map_err(fail(ctx))?;
            lines.push(match facts.lang {
                Lang::Fr => format!(
                    "{} : {} ligne(s) de {} fichier(s)",
                    done.output,
                    done.rows,
                    files.len()
                ),
                Lang::En => format!(
                    "{}: {} row(s) from {} file(s)",
                    done.output,
                    done.rows,
                    files.len()
                ),
            });
        }
        _ => {
            let file = step
                .params
                .get("file")
                .and_then(Value::as_str)
                .map(|f| facts.now(f))
                .unwrap_or_default();
            let mut req = step.params.clone();
            req["path"] = json!(file);
            if let Some(d) = req.get("output").and_then(Value::as_str).and_then(dir_of) {
                ensure_dir(ctx, registry, &d).await?;
            }
            progress(ctx, step, 1, 1, &file);
            let req: crate::tools::survey::SurveyRequest =
                serde_json::from_value(req).map_err(|e| StepFailure::Failed(e.to_string()))?;
            let done = crate::tools::survey::summarize_survey_file(ctx, req)
                .await
                .map_err(fail(ctx))?;
            lines.push(format!("{file} → {}", done.output));
        }
    }
    Ok(lines.join("\n"))
}

/// A money deliverable (« Impayés », relances, TVA, chiffre d'affaires, devis) from the
/// survey's typed invoices, the folder's bank statements and its quotes.
async fn money(
    ctx: &RunContext,
    registry: &Registry,
    plan: &Plan,
    step: &Step,
    kind: &str,
) -> Result<String, StepFailure> {
    use crate::tools::money_books::{
        MoneyDeliverable, MoneyInputs, QuoteRow, Sender, link_quotes, write_money,
    };
    let facts = Facts::load_all(ctx, plan)?;
    let lang = facts.lang;
    let which = match kind {
        "money_unpaid" => MoneyDeliverable::Unpaid,
        "money_reminders" => MoneyDeliverable::Reminders,
        "money_vat" => MoneyDeliverable::Vat,
        "money_revenue" => MoneyDeliverable::Revenue,
        _ => MoneyDeliverable::Quotes,
    };
    let mut invoices = super::analysis::ledger(&facts.analysis, None);
    for e in &mut invoices {
        // The survey's client (one name for all the variants written on the documents).
        if let Some(c) = facts
            .analysis
            .files
            .iter()
            .find(|f| f.path == e.file && f.client_confidence >= CONFIDENT)
            .and_then(|f| f.client.clone())
            && !e.counterpart_to_check
        {
            e.counterpart = Some(c);
        }
        e.file = facts.now(&e.file);
    }
    let mut lines = Vec::new();
    if matches!(
        which,
        MoneyDeliverable::Unpaid | MoneyDeliverable::Reminders
    ) {
        let statements = facts.of_kinds(&["bank_statement"]);
        for (i, f) in statements.iter().enumerate() {
            let path = facts.now(&f.path);
            progress(ctx, step, i + 1, statements.len(), &path);
            let doc = crate::tools::read_document_text(ctx, &path).map_err(fail(ctx))?;
            lines.extend(crate::tools::money::payments_of(&doc));
        }
    }
    let mut quotes = Vec::new();
    if which == MoneyDeliverable::Quotes {
        for f in facts.of_kinds(&["quote"]) {
            let inv = f.invoice.clone().unwrap_or_default();
            quotes.push(QuoteRow {
                file: facts.now(&f.path),
                number: inv.number.clone(),
                client: f.client.clone().or(inv.client.clone()),
                date: inv.date.clone().or(f.date.clone()),
                currency: inv.currency.clone(),
                total_cents: inv.total.map(|t| (t * 100.0).round() as i64),
                invoiced_by: Vec::new(),
                invoiced_cents: 0,
            });
        }
        quotes.sort_by(|a, b| a.number.cmp(&b.number).then(a.file.cmp(&b.file)));
        let mut texts = Vec::new();
        for e in invoices.iter().filter(|e| {
            e.direction == commis_skills::money::Direction::Sale
                && e.doc_type == commis_skills::money::DocType::Invoice
        }) {
            let doc = crate::tools::read_document_text(ctx, &e.file).map_err(fail(ctx))?;
            texts.push((
                e.number.clone().unwrap_or_else(|| e.file.clone()),
                e.total_cents,
                doc.plain_text(),
            ));
        }
        link_quotes(&mut quotes, &texts);
    }
    let as_of = lines
        .iter()
        .map(|l| l.date.clone())
        .max()
        .unwrap_or_default();
    let period = if step.params.get("period").and_then(|p| p.as_str()) == Some("quarter") {
        commis_skills::money::Period::Quarter
    } else {
        commis_skills::money::Period::Month
    };
    // The business's details for the letters, from one of its own invoices with a text layer.
    let mut sender = Sender {
        name: facts.analysis.own_company.clone(),
        lines: Vec::new(),
    };
    if which == MoneyDeliverable::Reminders
        && let Some(name) = sender.name.clone()
    {
        for e in invoices.iter().filter(|e| {
            e.direction == commis_skills::money::Direction::Sale
                && e.doc_type == commis_skills::money::DocType::Invoice
        }) {
            let Ok(doc) = crate::tools::read_document_text(ctx, &e.file) else {
                continue;
            };
            if doc.ocr.is_some() {
                continue;
            }
            sender.lines = crate::tools::money_books::sender_lines(&doc.plain_text(), &name);
            if !sender.lines.is_empty() {
                break;
            }
        }
    }
    let inputs = MoneyInputs {
        invoices,
        lines,
        quotes,
        as_of,
        period,
        sender,
    };
    ensure_dir(ctx, registry, &facts.out).await?;
    let out = write_money(ctx, &inputs, &[which], &facts.out, true, lang)
        .await
        .map_err(fail(ctx))?;
    for path in &out.written {
        ctx.emit(EventKind::Decision {
            step: Some(step.number),
            subject: path.clone(),
            decision: facts.pick("écrit", "written").into(),
            reason: match lang {
                Lang::Fr => format!(
                    "{} facture(s) en attente de paiement au {}",
                    out.report.unpaid.len(),
                    out.as_of
                ),
                Lang::En => format!(
                    "{} invoice(s) awaiting payment at {}",
                    out.report.unpaid.len(),
                    out.as_of
                ),
            },
        });
    }
    Ok(match lang {
        Lang::Fr => format!("Écrit : {}", out.written.join(", ")),
        Lang::En => format!("Written: {}", out.written.join(", ")),
    })
}
