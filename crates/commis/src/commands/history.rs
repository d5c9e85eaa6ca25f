//! `commis history`.

use super::*;

pub(crate) fn cmd_history(limit: usize, json: bool) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    let runs = engine.runs_as_shown(limit)?;
    if json {
        let mut rows = Vec::new();
        for run in &runs {
            let mut row = serde_json::to_value(run)?;
            let undo = engine.undo_state(&run.id)?;
            row["undo"] = serde_json::to_value(undo)?;
            if resumable(run.status) {
                row["resume"] = serde_json::json!(format!("commis resume {}", run.id));
            }
            rows.push(row);
        }
        println!("{}", serde_json::Value::Array(rows));
        return Ok(ExitCode::SUCCESS);
    }
    let out = Out::new(false);
    if runs.is_empty() {
        // No run to take the language from: the user's locale decides.
        out.line(Msg::HistoryEmpty.text(locale_lang()));
    }
    for run in runs {
        let lang = Engine::brief_lang(&run.brief);
        let folder = run
            .grants
            .first()
            .map(|g| g.path.display().to_string())
            .unwrap_or_default();
        // An undone run says so (the store knows from its journal).
        let undo = engine
            .undo_state(&run.id)?
            .label(lang)
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        out.line(&format!(
            "{}  {:<11} {:<9} {}  {}{undo}",
            run.id,
            status_word(run.status, lang),
            run.provider,
            folder,
            report::one_line(&run.brief, 60)
        ));
        if resumable(run.status) {
            out.line(&format!(
                "    ↳ {}",
                Msg::ResumeHint.fill(lang, &[("run", run.id.as_str())])
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}
