//! `commis undo`.

use super::*;

pub(crate) fn cmd_undo(run_id: &str, force: bool, cascade: bool, json: bool) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    let run = engine.stored_run(run_id)?;
    let lang = Engine::brief_lang(&run.brief);
    let result = if cascade {
        engine.undo_cascade(run_id, force)
    } else {
        engine.undo(run_id, force).map(|r| vec![r])
    };
    let reports = match result {
        Ok(r) => r,
        Err(e) => bail!("{}", e.localized(lang)),
    };
    if json {
        let all: Vec<serde_json::Value> = reports.iter().map(undo_out::to_json).collect();
        // The requested run's report is the last line, like a run's summary.
        for r in &all {
            println!("{r}");
        }
    } else {
        let out = Out::new(false);
        for r in &reports {
            for line in undo_out::render(r, lang, force) {
                out.line(&line);
            }
        }
    }
    Ok(ExitCode::from(undo_out::exit_code(&reports)))
}
