//! The audit report of a run (`commis show RUN [--report FILE]`): brief, plan as accepted,
//! every file read, every change with before/after hashes, every approval with its time and
//! answer, and tokens — for the user's records.

use anyhow::Result;
use commis_agent::engine::ApprovalRecord;
use commis_agent::engine::{Engine, UndoState};
use commis_agent::messages::{self, Msg};
use commis_core::Lang;
use commis_core::{Event, EventKind, JournalEntry, JournalOp, Plan, Run, TokenUsage};
use serde::Serialize;

/// Everything known about one run.
#[derive(Debug, Serialize)]
pub struct Audit {
    pub run: Run,
    pub plan: Option<Plan>,
    pub plan_accepted: bool,
    pub files_read: Vec<String>,
    pub decisions: Vec<(String, String, String)>,
    pub warnings: Vec<String>,
    pub journal: Vec<JournalEntry>,
    pub approvals: Vec<ApprovalRecord>,
    pub tokens: TokenUsage,
    pub events: Vec<Event>,
    /// Whether `commis undo` reverted the run's changes (all, some, none).
    pub undo: UndoState,
}

pub fn one_line(s: &str, n: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= n {
        flat
    } else {
        format!("{}…", flat.chars().take(n - 1).collect::<String>())
    }
}

fn time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = commis_core::run::civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

fn describe(op: &JournalOp, lang: Lang) -> Vec<String> {
    op.leaves()
        .into_iter()
        .map(|leaf| match leaf {
            JournalOp::Create { path, after } => {
                Msg::ReportCreated.fill(lang, &[("path", path), ("hash", short(after))])
            }
            JournalOp::Modify {
                path,
                before,
                after,
            } => Msg::ReportModified.fill(
                lang,
                &[
                    ("path", path),
                    ("before", short(before)),
                    ("after", short(after)),
                ],
            ),
            JournalOp::Move { from, to, hash } => {
                let hash = hash
                    .as_deref()
                    .map(|h| format!(" (sha256 {})", short(h)))
                    .unwrap_or_default();
                Msg::ReportMoved.fill(lang, &[("from", from), ("to", to), ("hash", &hash)])
            }
            JournalOp::Delete { path, before } => {
                Msg::ReportDeleted.fill(lang, &[("path", path), ("hash", short(before))])
            }
            JournalOp::MakeDir { path } => Msg::ReportMadeDir.fill(lang, &[("path", path)]),
            JournalOp::Batch { label, .. } => Msg::ReportBatch.fill(lang, &[("label", label)]),
        })
        .collect()
}

impl Audit {
    pub fn load(engine: &Engine, run_id: &str) -> Result<Audit> {
        let run = engine.run_as_shown(run_id)?;
        let plan = engine.plan(&run.id)?;
        let events = engine.trace(&run.id, 0)?;
        let colon = Engine::brief_lang(&run.brief).pick(" :", ":");
        let mut files_read = Vec::new();
        let mut decisions = Vec::new();
        let mut warnings = Vec::new();
        for e in &events {
            match &e.kind {
                EventKind::FileRead { path } if !files_read.contains(path) => {
                    files_read.push(path.clone())
                }
                EventKind::Decision {
                    subject,
                    decision,
                    reason,
                    ..
                } => decisions.push((subject.clone(), decision.clone(), reason.clone())),
                EventKind::Warning { path, message } => warnings.push(format!(
                    "{}{message}",
                    path.as_ref()
                        .map(|p| format!("{p}{colon} "))
                        .unwrap_or_default()
                )),
                _ => {}
            }
        }
        let journal = engine.changes(&run.id)?;
        Ok(Audit {
            undo: engine.undo_state(&run.id)?,
            approvals: engine.approvals(&run.id)?,
            tokens: engine.tokens(&run.id)?,
            plan_accepted: plan.as_ref().is_some_and(|(_, a)| *a),
            plan: plan.map(|(p, _)| p),
            run,
            files_read,
            decisions,
            warnings,
            journal,
            events,
        })
    }

    /// The run's language: the brief's.
    pub fn lang(&self) -> Lang {
        Engine::brief_lang(&self.run.brief)
    }

    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let r = &self.run;
        let lang = self.lang();
        let t = |m: Msg| m.text(lang);
        // French puts a space before a colon.
        let c = lang.pick(" :", ":");
        md.push_str(&format!(
            "# {}\n\n",
            Msg::ReportTitle.fill(lang, &[("run", r.id.as_str())])
        ));
        md.push_str(&format!("- {}{c} {}\n", t(Msg::ReportBrief), r.brief));
        for g in &r.grants {
            md.push_str(&format!(
                "- {}{c} `{}` ({})\n",
                t(Msg::ReportFolder),
                g.path.display(),
                messages::access_mode(g.mode, lang)
            ));
        }
        md.push_str(&format!(
            "- {}{c} {}{}\n",
            t(Msg::ReportProvider),
            r.provider,
            r.model
                .as_ref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        ));
        let status = match r.status {
            commis_core::RunStatus::Interrupted | commis_core::RunStatus::Stopped => format!(
                "{} — {}",
                messages::run_status(r.status, lang),
                Msg::ResumeHint.fill(lang, &[("run", r.id.as_str())])
            ),
            other => messages::run_status(other, lang).to_string(),
        };
        let undo = self
            .undo
            .label(lang)
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        md.push_str(&format!(
            "- {}{c} {status}{undo}\n- {}{c} {}\n- {}{c} {}\n",
            t(Msg::ReportStatus),
            t(Msg::ReportStarted),
            time(r.created_at),
            t(Msg::ReportUpdated),
            time(r.updated_at)
        ));
        if let Some(label) = self.undo.label(lang) {
            md.push_str(&format!("- {}{c} {label}\n", t(Msg::ReportUndo)));
        }
        md.push_str(&format!(
            "- {}\n\n",
            Msg::ReportTokens.fill(
                lang,
                &[
                    ("input", &self.tokens.input.to_string()),
                    ("output", &self.tokens.output.to_string())
                ]
            )
        ));
        md.push_str(&format!(
            "## {} ({})\n\n",
            t(Msg::ReportPlan),
            if self.plan_accepted {
                t(Msg::ReportAccepted)
            } else {
                t(Msg::ReportNotAccepted)
            }
        ));
        match &self.plan {
            Some(plan) => {
                for s in &plan.steps {
                    md.push_str(&format!(
                        "{}. **{}** — {}",
                        s.number,
                        s.title,
                        messages::step_status(s.status, lang)
                    ));
                    if !s.description.is_empty() {
                        md.push_str(&format!(
                            "  \n   {}",
                            s.description.replace('\n', "  \n   ")
                        ));
                    }
                    if let Some(n) = &s.note {
                        md.push_str(&format!(
                            "  \n   _{}{c}_ {}",
                            t(Msg::ReportResult),
                            n.replace('\n', "  \n   ")
                        ));
                    }
                    md.push('\n');
                }
                if !plan.questions.is_empty() {
                    md.push_str(&format!("\n### {}\n\n", t(Msg::PendingQuestions)));
                }
                for q in &plan.questions {
                    md.push_str(&format!("- {}{c} {q}\n", t(Msg::ReportQuestion)));
                }
            }
            None => md.push_str(&format!("{}\n", t(Msg::ReportNoPlan))),
        }
        md.push_str(&format!(
            "\n## {} ({})\n\n",
            t(Msg::ReportFilesRead),
            self.files_read.len()
        ));
        for f in &self.files_read {
            md.push_str(&format!("- `{f}`\n"));
        }
        md.push_str(&format!(
            "\n## {} ({})\n\n",
            t(Msg::ReportDecisions),
            self.decisions.len()
        ));
        for (subject, decision, reason) in &self.decisions {
            md.push_str(&format!(
                "- `{subject}` → {decision}{}\n",
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(" — {reason}")
                }
            ));
        }
        md.push_str(&format!(
            "\n## {} ({})\n\n",
            t(Msg::ReportChanges),
            self.journal.len()
        ));
        for e in &self.journal {
            for line in describe(&e.op, lang) {
                md.push_str(&format!(
                    "- {} [{}] {line}\n",
                    time(e.at),
                    messages::journal_state(e.state, lang)
                ));
            }
        }
        md.push_str(&format!(
            "\n## {} ({})\n\n",
            t(Msg::ReportApprovals),
            self.approvals.len()
        ));
        for a in &self.approvals {
            let at = a
                .answered_at
                .map(|t| Msg::ReportAnsweredAt.fill(lang, &[("time", &time(t))]))
                .unwrap_or_default();
            md.push_str(&format!(
                "- {}\n",
                Msg::ReportApprovalLine.fill(
                    lang,
                    &[
                        ("id", &a.id.to_string()),
                        ("kind", &messages::action_kind_named(&a.kind, lang)),
                        ("what", &one_line(&a.description, 120)),
                        ("asked", &time(a.asked_at)),
                        (
                            "answer",
                            &a.answer
                                .as_deref()
                                .map(|x| messages::approval_answer(x, lang))
                                .unwrap_or_else(|| t(Msg::ReportNoAnswer).to_string())
                        ),
                        (
                            "by",
                            &a.by
                                .as_deref()
                                .map(|x| messages::approval_by(x, lang))
                                .unwrap_or_else(|| "-".to_string())
                        ),
                        ("at", &at),
                    ]
                )
            ));
        }
        if !self.warnings.is_empty() {
            md.push_str(&format!(
                "\n## {} ({})\n\n",
                t(Msg::ReportWarnings),
                self.warnings.len()
            ));
            for w in &self.warnings {
                md.push_str(&format!("- {w}\n"));
            }
        }
        md
    }

    pub fn to_html(&self) -> String {
        let md = self.to_markdown();
        let title = escape(&Msg::ReportTitle.fill(self.lang(), &[("run", self.run.id.as_str())]));
        let mut html = format!(
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}}h1{{color:#1d4e89}}h2{{border-bottom:1px solid #d9e2ec;padding-bottom:.2rem;margin-top:2rem}}code{{background:#f0f4f8;padding:0 .2rem;border-radius:3px}}li{{margin:.15rem 0}}</style></head><body>\n",
            match self.lang() {
                Lang::Fr => "fr",
                Lang::En => "en",
            }
        );
        let mut in_list = false;
        for line in md.lines() {
            let escaped = escape(line);
            let inline = code_spans(&bold(&escaped));
            if let Some(h) = line.strip_prefix("# ") {
                html.push_str(&format!("<h1>{}</h1>\n", escape(h)));
            } else if let Some(h) = line.strip_prefix("## ") {
                if in_list {
                    html.push_str("</ul>\n");
                    in_list = false;
                }
                html.push_str(&format!("<h2>{}</h2>\n", escape(h)));
            } else if line.starts_with("- ")
                || line.chars().next().is_some_and(|c| c.is_ascii_digit())
            {
                if !in_list {
                    html.push_str("<ul>\n");
                    in_list = true;
                }
                let item = inline.trim_start_matches("- ");
                html.push_str(&format!("<li>{}</li>\n", item.trim_end_matches("  ")));
            } else if line.trim().is_empty() {
                if in_list {
                    html.push_str("</ul>\n");
                    in_list = false;
                }
            } else {
                html.push_str(&format!("<p>{inline}</p>\n"));
            }
        }
        if in_list {
            html.push_str("</ul>\n");
        }
        html.push_str("</body></html>\n");
        html
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn wrap_pairs(s: &str, marker: &str, open: &str, close: &str) -> String {
    let parts: Vec<&str> = s.split(marker).collect();
    if parts.len() < 3 {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            let closing = i % 2 == 0;
            if i == parts.len() - 1 && i % 2 == 1 {
                out.push_str(marker);
            } else {
                out.push_str(if closing { close } else { open });
            }
        }
        out.push_str(p);
    }
    out
}

fn bold(s: &str) -> String {
    wrap_pairs(s, "**", "<strong>", "</strong>")
}

fn code_spans(s: &str) -> String {
    wrap_pairs(s, "`", "<code>", "</code>")
}
