//! The terminal front end: renders a run's events (plan, progress, decisions, approvals,
//! summary) and asks the user through plain prompts on standard input.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use commis_agent::engine::StopHandle;
use commis_agent::interact::{ApprovalRequest, Interaction, PlanDecision};
use commis_agent::messages::{self, Msg};
use commis_core::Lang;
use commis_core::{ApprovalAnswer, ApprovalScope, Event, EventKind, Plan, Run, RunSummary, Step};
use tokio::sync::broadcast;

/// Colours, when the output is a terminal and NO_COLOR is not set.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn detect(to_stderr: bool) -> Style {
        let tty = if to_stderr {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: tty && !no_color,
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    pub fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    pub fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    pub fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    pub fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    pub fn cyan(&self, t: &str) -> String {
        self.paint("36", t)
    }
}

/// Where human-readable output goes: stdout, or stderr when stdout carries JSON.
#[derive(Clone)]
pub struct Out {
    pub to_stderr: bool,
    pub style: Style,
    /// Whether the last thing written was a progress line to overwrite.
    progress_open: Arc<Mutex<bool>>,
}

impl Out {
    pub fn new(to_stderr: bool) -> Out {
        Out {
            to_stderr,
            style: Style::detect(to_stderr),
            progress_open: Arc::new(Mutex::new(false)),
        }
    }

    fn is_tty(&self) -> bool {
        if self.to_stderr {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        }
    }

    fn write_raw(&self, text: &str) {
        if self.to_stderr {
            let mut e = std::io::stderr().lock();
            let _ = e.write_all(text.as_bytes());
            let _ = e.flush();
        } else {
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(text.as_bytes());
            let _ = o.flush();
        }
    }

    /// Prints a line, closing any open progress line first.
    pub fn line(&self, text: &str) {
        let mut open = self.progress_open.lock().unwrap_or_else(|p| p.into_inner());
        if *open {
            self.write_raw("\r\x1b[2K");
            *open = false;
        }
        self.write_raw(&format!("{text}\n"));
    }

    /// A progress line: redrawn in place on a terminal, printed sparingly otherwise.
    pub fn progress(&self, text: &str, last: bool) {
        if self.is_tty() {
            let mut open = self.progress_open.lock().unwrap_or_else(|p| p.into_inner());
            self.write_raw(&format!("\r\x1b[2K{text}"));
            *open = true;
            if last {
                self.write_raw("\n");
                *open = false;
            }
        } else if last {
            self.line(text);
        }
    }
}

fn bar(done: u64, total: u64, width: usize) -> String {
    let filled = if total == 0 {
        width
    } else {
        ((done as f64 / total as f64) * width as f64).round() as usize
    };
    format!(
        "[{}{}]",
        "█".repeat(filled.min(width)),
        "░".repeat(width - filled.min(width))
    )
}

/// Prints a plan the way a person reads it.
pub fn print_plan(out: &Out, plan: &Plan, lang: Lang) {
    let s = out.style;
    out.line(&s.bold(&Msg::PlanProposedTitle.fill(lang, &[("n", &plan.steps.len().to_string())])));
    if let Some(summary) = &plan.summary {
        out.line(&format!("  {summary}"));
    }
    for step in &plan.steps {
        print_step(out, step, lang);
    }
    for q in &plan.questions {
        out.line(&format!("  {} {q}", s.yellow("?")));
    }
}

fn print_step(out: &Out, step: &Step, lang: Lang) {
    let s = out.style;
    let approval = if step.needs_approval {
        s.yellow(lang.pick("  [approbation requise]", "  [needs approval]"))
    } else {
        String::new()
    };
    let status = match step.status {
        commis_core::StepStatus::Pending => String::new(),
        other => format!(" ({})", messages::step_status(other, lang)),
    };
    out.line(&format!(
        "  {}. {}{}{}",
        step.number,
        s.bold(&step.title),
        status,
        approval
    ));
    if !step.description.is_empty() {
        for l in step.description.lines() {
            out.line(&format!("     {l}"));
        }
    }
    if !step.reads.is_empty() {
        out.line(&s.dim(&format!(
            "     {} {}",
            lang.pick("lit :", "reads:"),
            step.reads.join(", ")
        )));
    }
    if !step.produces.is_empty() {
        out.line(&s.dim(&format!(
            "     {} {}",
            lang.pick("produit :", "produces:"),
            step.produces.join(", ")
        )));
    }
    if let Some(changes) = step.params.get("changes").and_then(|c| c.as_array()) {
        print_changes(out, changes, lang);
    }
}

static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--verbose`: plans show every line of their change lists.
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Lines shown per destination folder before the rest is folded.
const FOLD_AFTER: usize = 3;

/// The change list grouped by destination folder; long groups are folded unless
/// `--verbose`. Lines keep their numbers, so `x N L` still names the right one.
fn print_changes(out: &Out, changes: &[serde_json::Value], lang: Lang) {
    let s = out.style;
    let verbose = VERBOSE.load(std::sync::atomic::Ordering::Relaxed);
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let to = c.get("to").and_then(|v| v.as_str()).unwrap_or("?");
        let dir = to
            .rsplit_once('/')
            .map(|(d, _)| d)
            .unwrap_or(".")
            .to_string();
        match groups.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, v)) => v.push(i),
            None => groups.push((dir, vec![i])),
        }
    }
    let mut folded = 0;
    for (dir, idx) in &groups {
        out.line(&format!(
            "     {} ({})",
            s.cyan(&format!("{dir}/")),
            idx.len()
        ));
        let shown = if verbose {
            idx.len()
        } else {
            idx.len().min(FOLD_AFTER)
        };
        for &i in &idx[..shown] {
            let c = &changes[i];
            let from = c.get("from").and_then(|v| v.as_str()).unwrap_or("?");
            let to = c.get("to").and_then(|v| v.as_str()).unwrap_or("?");
            let name = to.rsplit('/').next().unwrap_or(to);
            let reason = c.get("reason").and_then(|v| v.as_str()).unwrap_or("");
            let conf = c.get("confidence").and_then(|v| v.as_f64()).unwrap_or(1.0);
            let conf_text = format!("{:.0} %", conf * 100.0);
            let conf_text = if conf < 0.6 {
                s.yellow(&conf_text)
            } else {
                s.dim(&conf_text)
            };
            out.line(&format!(
                "       {:>3}) {from} → {} {} {}",
                i + 1,
                s.cyan(name),
                conf_text,
                s.dim(reason)
            ));
        }
        if shown < idx.len() {
            folded += idx.len() - shown;
            out.line(&s.dim(&match lang {
                Lang::Fr => format!("            … et {} autre(s)", idx.len() - shown),
                Lang::En => format!("            … and {} more", idx.len() - shown),
            }));
        }
    }
    if folded > 0 {
        out.line(&s.dim(lang.pick(
            "     (--verbose affiche toutes les lignes)",
            "     (--verbose shows every line)",
        )));
    }
}

/// Prints the end-of-run summary.
pub fn print_summary(out: &Out, summary: &RunSummary, lang: Lang) {
    let s = out.style;
    let word = messages::run_status(summary.status, lang);
    let status = match summary.status {
        commis_core::RunStatus::Done => s.green(word),
        commis_core::RunStatus::Failed => s.red(word),
        _ => s.yellow(word),
    };
    out.line("");
    out.line(&format!(
        "{} {} — {status}",
        s.bold(Msg::RunLabel.text(lang)),
        summary.run_id
    ));
    if let Some(m) = &summary.message {
        out.line(&format!("  {m}"));
    }
    let section = |title: &str, items: Vec<String>| {
        if !items.is_empty() {
            out.line(&format!(
                "  {} ({}){}",
                title,
                items.len(),
                lang.pick(" :", ":")
            ));
            for i in items {
                out.line(&format!("    {i}"));
            }
        }
    };
    section(lang.pick("Créés", "Created"), summary.created.clone());
    section(lang.pick("Modifiés", "Modified"), summary.modified.clone());
    section(
        lang.pick("Déplacés", "Moved"),
        summary
            .moved
            .iter()
            .map(|(a, b)| format!("{a} → {b}"))
            .collect(),
    );
    section(lang.pick("Supprimés", "Deleted"), summary.deleted.clone());
    if !summary.questions.is_empty() {
        section(
            Msg::PendingQuestions.text(lang),
            summary.questions.iter().map(|q| format!("? {q}")).collect(),
        );
    }
    if let Some(preview) = &summary.preview {
        section(Msg::WouldCreate.text(lang), preview.created.clone());
        section(Msg::WouldModify.text(lang), preview.modified.clone());
        section(
            Msg::WouldMove.text(lang),
            preview
                .moved
                .iter()
                .map(|(a, b)| format!("{a} → {b}"))
                .collect(),
        );
        section(Msg::WouldDelete.text(lang), preview.deleted.clone());
        print_preview_contents(out, preview, lang);
    }
    if summary.tokens.input + summary.tokens.output > 0 {
        let cost = summary
            .cost_usd
            .map(|c| format!(", ~${c:.4}"))
            .unwrap_or_default();
        out.line(&format!(
            "  {}{cost}",
            Msg::ReportTokens.fill(
                lang,
                &[
                    ("input", &summary.tokens.input.to_string()),
                    ("output", &summary.tokens.output.to_string())
                ]
            )
        ));
    }
    if !summary.created.is_empty()
        || !summary.moved.is_empty()
        || !summary.modified.is_empty()
        || !summary.deleted.is_empty()
    {
        out.line(&s.dim(&format!(
            "  {} commis undo {}",
            lang.pick("Tout annuler :", "Undo everything:"),
            summary.run_id
        )));
    }
}

/// Shows what each deliverable of a read-only preview contains (its first lines, as
/// `commis extract` reads them), so the user sees the result without it being written.
fn print_preview_contents(out: &Out, preview: &commis_core::Preview, lang: Lang) {
    const LINES: usize = 12;
    let root = std::path::Path::new(&preview.dir);
    // One grant: its copy is the only folder of the preview; several: paths carry its name.
    let base = match std::fs::read_dir(root) {
        Ok(entries) => {
            let dirs: Vec<_> = entries.flatten().filter(|e| e.path().is_dir()).collect();
            if dirs.len() == 1 {
                dirs[0].path()
            } else {
                root.to_path_buf()
            }
        }
        Err(_) => return,
    };
    for file in &preview.created {
        let path = base.join(file);
        let Ok(doc) = commis_docs::read_path(&path, &commis_docs::Limits::default()) else {
            continue;
        };
        let text = doc.plain_text();
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            continue;
        }
        out.line(&format!(
            "  {}",
            out.style
                .bold(&Msg::PreviewContent.fill(lang, &[("file", file)]))
        ));
        for l in lines.iter().take(LINES) {
            out.line(&format!("    │ {}", truncate_end(l, 100)));
        }
        if lines.len() > LINES {
            out.line(&format!("    │ … (+{})", lines.len() - LINES));
        }
        out.line(&format!("    → {}", path.display()));
    }
}

fn truncate_end(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// Renders live events until the run finishes.
pub async fn render_events(
    mut rx: broadcast::Receiver<Event>,
    out: Out,
    lang: Lang,
    total_steps: Arc<Mutex<usize>>,
) {
    let started = std::time::Instant::now();
    let s = out.style;
    let mut tokens = (0u64, 0u64);
    loop {
        let event = match rx.recv().await {
            Ok(e) => e,
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let elapsed = started.elapsed().as_secs();
        match event.kind {
            EventKind::PlanAccepted { plan } => {
                *total_steps.lock().unwrap_or_else(|p| p.into_inner()) = plan.steps.len();
                out.line(&s.green(lang.pick("Plan accepté.", "Plan accepted.")));
            }
            EventKind::StepStarted { step, title } => {
                let n = *total_steps.lock().unwrap_or_else(|p| p.into_inner());
                out.line(&format!(
                    "{} {}/{} {}  {}",
                    s.cyan("▶"),
                    step,
                    n,
                    s.bold(&title),
                    s.dim(&format!("{elapsed}s"))
                ));
            }
            EventKind::Progress {
                done, total, label, ..
            } => {
                let tok = if tokens.0 + tokens.1 > 0 {
                    format!("  {} tok", tokens.0 + tokens.1)
                } else {
                    String::new()
                };
                out.progress(
                    &format!(
                        "    {} {done}/{total} {}  {}{tok}",
                        bar(done, total, 20),
                        truncate(&label, 40),
                        s.dim(&format!("{elapsed}s"))
                    ),
                    done >= total,
                );
            }
            EventKind::Decision {
                subject,
                decision,
                reason,
                ..
            } => {
                let why = if reason.is_empty() {
                    String::new()
                } else {
                    format!("  {}", s.dim(&format!("({reason})")))
                };
                out.line(&format!("    · {subject} → {decision}{why}"));
            }
            EventKind::StepFinished { step, status, note } => {
                let mark = match status {
                    commis_core::StepStatus::Done => s.green("✓"),
                    commis_core::StepStatus::Failed => s.red("✗"),
                    _ => s.yellow("–"),
                };
                out.line(&format!(
                    "  {mark} {} {step} {}",
                    lang.pick("étape", "step"),
                    note.map(|n| s.dim(&shown(&first_line(&n), lang)))
                        .unwrap_or_default()
                ));
            }
            EventKind::ApprovalGiven { by, .. } if by != "user" => {}
            EventKind::ApprovalRefused { reason, .. } => {
                out.line(&format!(
                    "    {} {reason}",
                    s.yellow(lang.pick("refusé :", "refused:"))
                ));
            }
            EventKind::Warning { path, message } => {
                out.line(&format!(
                    "    {} {}{}",
                    s.yellow("!"),
                    path.map(|p| format!("{p}{} ", lang.pick(" :", ":")))
                        .unwrap_or_default(),
                    shown(&message, lang)
                ));
            }
            EventKind::Message { text } => out.line(&format!("  {}", s.dim(&shown(&text, lang)))),
            EventKind::Tokens { input, output } => {
                tokens.0 += input;
                tokens.1 += output;
            }
            EventKind::RunFinished { .. } => return,
            _ => {}
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let tail: String = s
            .chars()
            .rev()
            .take(n - 1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{tail}")
    }
}

/// An event's text as one terminal line shows it: bounded (the store has it all) and without
/// anything shaped like a key.
fn shown(text: &str, lang: Lang) -> String {
    crate::redact(&commis_agent::bounded::bounded_in(
        text,
        commis_agent::bounded::LINE_CHARS,
        lang,
    ))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

/// Asks the user on the terminal. A stop (Ctrl-C) ends any prompt at once.
pub struct TerminalInteraction {
    pub out: Out,
    pub lang: Lang,
    pub stop: StopHandle,
}

/// Reads one line of standard input, or `None` at its end or when the run is stopped
/// (Ctrl-C): a prompt never keeps a stopped run waiting.
async fn read_line(stop: &StopHandle) -> Option<String> {
    if stop.is_stopped() {
        return None;
    }
    let read = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        match std::io::stdin().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim().to_string()),
        }
    });
    tokio::pin!(read);
    loop {
        tokio::select! {
            r = &mut read => return r.ok().flatten(),
            _ = tokio::time::sleep(std::time::Duration::from_millis(50)) => {
                if stop.is_stopped() {
                    // The blocked read is abandoned; the process exits without waiting for it.
                    return None;
                }
            }
        }
    }
}

impl TerminalInteraction {
    fn prompt(&self, text: &str) {
        self.out.line(text);
    }

    /// Applies one edit command to the plan; returns an error message for the user.
    fn edit(&self, plan: &mut Plan, command: &str) -> Result<(), String> {
        let plan_error = |e: commis_core::PlanError| messages::plan_error(&e, self.lang);
        let mut parts = command.splitn(3, ' ');
        let verb = parts.next().unwrap_or("");
        let num = |p: Option<&str>| -> Result<u32, String> {
            p.and_then(|x| x.trim().parse().ok()).ok_or_else(|| {
                self.lang
                    .pick("numéro attendu", "a number was expected")
                    .to_string()
            })
        };
        match verb {
            "d" | "del" => {
                plan.remove(num(parts.next())?).map_err(plan_error)?;
            }
            "t" | "title" => {
                let n = num(parts.next())?;
                let title = parts.next().unwrap_or("").trim().to_string();
                if title.is_empty() {
                    return Err(self.lang.pick("titre vide", "empty title").into());
                }
                plan.reword(n, Some(title), None).map_err(plan_error)?;
            }
            "m" | "move" => {
                let n = num(parts.next())?;
                let to = num(parts.next())?;
                plan.reorder(n, to).map_err(plan_error)?;
            }
            "a" | "add" => {
                let title = command
                    .split_once(' ')
                    .map(|(_, t)| t)
                    .unwrap_or("")
                    .trim()
                    .to_string();
                if title.is_empty() {
                    return Err(self.lang.pick("titre vide", "empty title").into());
                }
                // Read like a brief: a step the offline planner cannot run is refused now,
                // with the reason, not accepted and failed later.
                let step = commis_agent::step_from_text(plan, &title)?;
                plan.insert(u32::MAX, step);
            }
            "x" | "drop" => {
                let n = num(parts.next())?;
                let line = num(parts.next())? as usize;
                let step = plan
                    .steps
                    .iter_mut()
                    .find(|s| s.number == n)
                    .ok_or_else(|| Msg::NoSuchStep.fill(self.lang, &[("n", &n.to_string())]))?;
                let changes = step
                    .params
                    .get_mut("changes")
                    .and_then(|c| c.as_array_mut())
                    .ok_or_else(|| {
                        self.lang
                            .pick(
                                "cette étape n'a pas de liste de changements",
                                "this step has no change list",
                            )
                            .to_string()
                    })?;
                if line == 0 || line > changes.len() {
                    return Err(format!("1..={}", changes.len()));
                }
                changes.remove(line - 1);
            }
            _ => {
                return Err(self
                    .lang
                    .pick("commande inconnue", "unknown command")
                    .into());
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Interaction for TerminalInteraction {
    fn is_interactive(&self) -> bool {
        true
    }

    async fn review_plan(&self, _run: &Run, plan: &Plan) -> PlanDecision {
        let mut plan = plan.clone();
        print_plan(&self.out, &plan, self.lang);
        loop {
            self.prompt(&self.out.style.bold(self.lang.pick(
                "Accepter ce plan ? [o]ui / [m]odifier / [n]on",
                "Accept this plan? [y]es / [e]dit / [n]o",
            )));
            let Some(answer) = read_line(&self.stop).await else {
                return PlanDecision::Defer;
            };
            match answer.to_lowercase().as_str() {
                "" | "o" | "oui" | "y" | "yes" => return PlanDecision::Accept(plan),
                "n" | "non" | "no" => return PlanDecision::Reject,
                "m" | "e" | "edit" | "modifier" => {
                    self.prompt(self.lang.pick(
                        "Commandes : t N titre (renommer) · d N (supprimer) · m N P (déplacer en position P) · a titre (ajouter) · x N L (retirer la ligne L des changements de l'étape N) · ok",
                        "Commands: t N title (reword) · d N (delete) · m N P (move to position P) · a title (add) · x N L (drop line L of step N's changes) · ok",
                    ));
                    loop {
                        let Some(cmd) = read_line(&self.stop).await else {
                            return PlanDecision::Defer;
                        };
                        if cmd.is_empty() || cmd == "ok" {
                            break;
                        }
                        match self.edit(&mut plan, &cmd) {
                            Ok(()) => print_plan(&self.out, &plan, self.lang),
                            Err(e) => self.prompt(&self.out.style.red(&e)),
                        }
                    }
                }
                _ => {}
            }
        }
    }

    async fn answer(&self, question: &str) -> Option<String> {
        self.prompt(&format!("{} {question}", self.out.style.yellow("?")));
        read_line(&self.stop).await.filter(|a| !a.is_empty())
    }

    async fn approve(&self, request: &ApprovalRequest) -> ApprovalAnswer {
        let s = self.out.style;
        self.prompt(&format!(
            "{} {} ({}) : {}",
            s.yellow("?"),
            s.bold(self.lang.pick("Approbation requise", "Approval needed")),
            messages::action_kind(request.kind, self.lang),
            request.description
        ));
        loop {
            self.prompt(self.lang.pick(
                "  [o]ui / [n]on / [t]out ce type pour cette tâche / [p]toujours dans ce dossier / [s]top",
                "  [y]es / [n]o / [a]ll of this kind for this run / al[w]ays in this folder / [s]top",
            ));
            let Some(answer) = read_line(&self.stop).await else {
                if self.stop.is_stopped() {
                    return ApprovalAnswer::Stop;
                }
                return ApprovalAnswer::No;
            };
            return match answer.to_lowercase().as_str() {
                "o" | "oui" | "y" | "yes" => ApprovalAnswer::Yes(ApprovalScope::Once),
                "n" | "non" | "no" => ApprovalAnswer::No,
                "t" | "tout" | "a" | "all" => ApprovalAnswer::Yes(ApprovalScope::Run),
                "p" | "toujours" | "w" | "always" => ApprovalAnswer::Yes(ApprovalScope::Always {
                    folder: request.folder.clone(),
                }),
                "s" | "stop" => ApprovalAnswer::Stop,
                _ => continue,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ui() -> TerminalInteraction {
        TerminalInteraction {
            out: Out::new(true),
            lang: Lang::En,
            stop: StopHandle::default(),
        }
    }

    fn plan() -> Plan {
        let mut sort = Step::new("Sort", "");
        sort.params = serde_json::json!({"changes": [
            {"from": "a.pdf", "to": "X/a.pdf"},
            {"from": "b.pdf", "to": "Y/b.pdf"}
        ]});
        Plan::new(vec![
            sort,
            Step::new("Catalogue", ""),
            Step::new("Deck", ""),
        ])
    }

    #[test]
    fn plan_edits_from_the_terminal_reword_move_add_delete_and_drop_changes() {
        let t = ui();
        let mut p = plan();
        t.edit(&mut p, "t 2 Full catalogue").unwrap();
        assert_eq!(p.steps[1].title, "Full catalogue");
        t.edit(&mut p, "m 3 1").unwrap();
        assert_eq!(p.steps[0].title, "Deck");
        t.edit(&mut p, "a Report").unwrap();
        assert_eq!(p.steps.last().unwrap().title, "Report");
        t.edit(&mut p, "d 4").unwrap();
        assert_eq!(p.steps.len(), 3);
        let sort = p.steps.iter().find(|s| s.title == "Sort").unwrap().number;
        t.edit(&mut p, &format!("x {sort} 1")).unwrap();
        let changes = p.step(sort).unwrap().params["changes"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0]["from"], "b.pdf");
    }

    #[test]
    fn a_step_added_to_an_offline_plan_is_read_like_a_brief_and_refused_at_once_if_it_cannot_run() {
        let t = ui();
        let mut p = plan();
        p.context = serde_json::json!({
            "analysis": {"files": [{"path": "Q.pdf", "size": 1, "hash": "x", "kind": "quote",
                "kind_confidence": 1.0, "kind_reason": "", "client_confidence": 0.0,
                "client_reason": ""}]},
            "lang": "en",
            "output_dir": "Deliverables"
        });
        let before = p.clone();
        let err = t
            .edit(&mut p, "a Send the table to my accountant")
            .unwrap_err();
        assert!(err.contains("not done"), "{err}");
        assert_eq!(p, before);
        t.edit(&mut p, "a Write a report").unwrap();
        assert_eq!(p.steps.last().unwrap().kind.as_deref(), Some("report"));
    }

    #[test]
    fn bad_edit_commands_are_explained_and_change_nothing() {
        let t = ui();
        let mut p = plan();
        let before = p.clone();
        assert!(t.edit(&mut p, "x 1 9").is_err());
        assert!(
            t.edit(&mut p, "x 2 1")
                .unwrap_err()
                .contains("no change list")
        );
        assert!(t.edit(&mut p, "t 2").is_err());
        assert!(t.edit(&mut p, "zap").unwrap_err().contains("unknown"));
        assert!(t.edit(&mut p, "d nine").unwrap_err().contains("number"));
        assert_eq!(p, before);
    }
}
