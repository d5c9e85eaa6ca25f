//! `commis show`.

use super::*;

pub(crate) fn cmd_show(run_id: &str, json: bool, report_path: Option<PathBuf>) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    let audit = report::Audit::load(&engine, run_id)?;
    if let Some(path) = report_path {
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("html" | "htm") => audit.to_html(),
            Some("md" | "markdown") => audit.to_markdown(),
            _ => bail!("--report {}: use a .md or .html file name", path.display()),
        };
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
        eprintln!(
            "{}",
            Msg::ReportWritten.fill(audit.lang(), &[("path", &path.display().to_string())])
        );
        return Ok(ExitCode::SUCCESS);
    }
    if json {
        println!("{}", serde_json::to_string(&audit)?);
    } else {
        print!("{}", audit.to_markdown());
    }
    Ok(ExitCode::SUCCESS)
}
