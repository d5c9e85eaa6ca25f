//! Choosing who plans: the offline planner, or a model per role built from config,
//! environment and flags (flags win, then environment, then the config file).

use std::str::FromStr;
use std::sync::Arc;

use anyhow::{Context, Result};
use commis_agent::engine::{Engine, Planner};
use commis_agent::model::ModelSetup;
use commis_core::RunSummary;
use commis_llm::{Provider, ProviderConfig, ProviderKind};

use crate::cli::ModelFlags;
use crate::config::{Config, RoleConfig};

/// The provider name in force: flag, config, then the environment's API keys, else offline.
fn provider_name(config: &Config, flags: &ModelFlags) -> String {
    if let Some(p) = flags.provider.clone().or_else(|| config.provider.clone()) {
        return p.trim().to_ascii_lowercase();
    }
    let set = |k: &str| std::env::var(k).is_ok_and(|v| !v.trim().is_empty());
    if set("ANTHROPIC_API_KEY") {
        "anthropic".into()
    } else if set("OPENAI_API_KEY") || set("OPENAI_BASE_URL") {
        "openai".into()
    } else {
        "offline".into()
    }
}

fn build(
    config: &Config,
    kind: ProviderKind,
    model: Option<String>,
    base_url: Option<String>,
    flags: &ModelFlags,
) -> Result<Arc<dyn Provider>> {
    let mut cfg = ProviderConfig::from_env(kind);
    if let Some(stream) = config.stream {
        cfg.stream = stream;
    }
    // The environment (already read by from_env) wins over the config file.
    let env_set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let positive = |secs: f64| {
        (secs.is_finite() && secs > 0.0 && secs < 1e9)
            .then(|| std::time::Duration::from_secs_f64(secs))
    };
    if !env_set(commis_llm::IDLE_TIMEOUT_ENV)
        && let Some(idle) = config.idle_timeout_secs.and_then(positive)
    {
        cfg.timeout = idle;
    }
    if !env_set(commis_llm::DEADLINE_ENV)
        && let Some(deadline) = config.call_deadline_secs.and_then(positive)
    {
        cfg.deadline = deadline;
    }
    if model.is_some() {
        cfg.model = model;
    }
    if base_url.is_some() {
        cfg.base_url = base_url;
    }
    if let Some(script) = &flags.script {
        cfg.script = Some(script.clone());
    }
    commis_llm::from_config(&cfg).map_err(|e| anyhow::anyhow!("{e}"))
}

fn role(
    config: &Config,
    role: &RoleConfig,
    default_kind: ProviderKind,
    default_model: Option<String>,
    flags: &ModelFlags,
    fallback: &Arc<dyn Provider>,
) -> Result<Arc<dyn Provider>> {
    if role.provider.is_none() && role.model.is_none() {
        return Ok(fallback.clone());
    }
    let kind = match &role.provider {
        Some(p) => ProviderKind::from_str(p).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => default_kind,
    };
    build(
        config,
        kind,
        role.model.clone().or(default_model),
        role.base_url.clone(),
        flags,
    )
}

/// Builds the planner for a run.
pub fn planner(config: &Config, flags: &ModelFlags) -> Result<Planner> {
    let name = provider_name(config, flags);
    if name == "offline" || name == "none" {
        return Ok(Planner::Offline);
    }
    let kind = ProviderKind::from_str(&name)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| "choose --provider offline, anthropic, openai or scripted")?;
    let model = flags.model.clone().or_else(|| config.model.clone());
    let main = build(config, kind, model.clone(), config.base_url.clone(), flags)?;
    let mut setup = ModelSetup::single(main.clone());
    if let Some(window) = commis_llm::context_window(main.model()) {
        setup.context_window = window;
    }
    setup.planner = role(config, &config.planner, kind, model.clone(), flags, &main)?;
    setup.worker = role(config, &config.worker, kind, model.clone(), flags, &main)?;
    setup.subagent = role(config, &config.subagent, kind, model, flags, &main)?;
    if let Some(c) = config.concurrency {
        setup.concurrency = c.max(1);
    }
    for (name, p) in &config.prices {
        setup.prices.insert(
            name.clone(),
            commis_llm::Price {
                input_per_mtok: p.input,
                output_per_mtok: p.output,
            },
        );
    }
    Ok(Planner::Model(Arc::new(setup)))
}

/// The estimated cost of a finished run, from the price table.
pub fn estimate_cost(engine: &Engine, summary: &RunSummary) -> Option<f64> {
    let run = engine.stored_run(summary.run_id.as_str()).ok()?;
    let model = run.model?;
    let mut prices = commis_llm::default_prices();
    if let Ok(cfg) = Config::load() {
        for (name, p) in cfg.prices {
            prices.insert(
                name,
                commis_llm::Price {
                    input_per_mtok: p.input,
                    output_per_mtok: p.output,
                },
            );
        }
    }
    commis_llm::estimate_cost(
        &prices,
        &model,
        &commis_llm::Usage {
            input_tokens: summary.tokens.input,
            output_tokens: summary.tokens.output,
        },
    )
}

/// Checks the set-up; prints one line per check. Returns whether everything needed is there.
pub async fn doctor() -> bool {
    let mut ok = true;
    let mut line = |good: bool, needed: bool, text: String| {
        let mark = if good {
            "ok  "
        } else if needed {
            "FAIL"
        } else {
            "note"
        };
        if !good && needed {
            ok = false;
        }
        println!("[{mark}] {}", crate::redact(&text));
    };
    let home = crate::config::state_home();
    match Engine::open(&home) {
        Ok(_) => line(
            true,
            true,
            format!("state folder {} (COMMIS_HOME)", home.display()),
        ),
        Err(e) => line(false, true, format!("state folder {}: {e}", home.display())),
    }
    let cfg_path = crate::config::config_path();
    match Config::load_from(&cfg_path) {
        Ok(cfg) => {
            line(
                true,
                true,
                format!(
                    "configuration {}",
                    if cfg_path.exists() {
                        cfg_path.display().to_string()
                    } else {
                        format!("{} (not created yet: defaults apply)", cfg_path.display())
                    }
                ),
            );
            let flags = ModelFlags {
                provider: None,
                model: None,
                script: None,
            };
            let name = provider_name(&cfg, &flags);
            line(
                true,
                true,
                format!(
                    "provider: {name}{}",
                    if name == "offline" {
                        " (built-in planner, no network; set ANTHROPIC_API_KEY or OPENAI_API_KEY/OPENAI_BASE_URL to use a model)"
                    } else {
                        ""
                    }
                ),
            );
            match name.as_str() {
                "anthropic" => {
                    let key = std::env::var("ANTHROPIC_API_KEY").is_ok_and(|v| !v.is_empty());
                    line(key, true, "ANTHROPIC_API_KEY is set".to_string());
                }
                "openai" => {
                    let key = std::env::var("OPENAI_API_KEY").is_ok_and(|v| !v.is_empty());
                    let base = std::env::var("OPENAI_BASE_URL").unwrap_or_default();
                    let local = base.contains("localhost") || base.contains("127.0.0.1");
                    line(
                        key || local,
                        true,
                        format!(
                            "OPENAI_API_KEY {} (OPENAI_BASE_URL={})",
                            if key {
                                "is set"
                            } else {
                                "is not set (fine for a local server)"
                            },
                            if base.is_empty() { "default" } else { &base }
                        ),
                    );
                }
                _ => {}
            }
        }
        Err(e) => line(false, true, format!("configuration: {e:#}")),
    }
    if let Ok(cfg) = Config::load_from(&cfg_path) {
        let flags = ModelFlags {
            provider: None,
            model: None,
            script: None,
        };
        let name = provider_name(&cfg, &flags);
        if let Ok(kind) = ProviderKind::from_str(&name)
            && kind != ProviderKind::Scripted
        {
            let mut pc = ProviderConfig::from_env(kind);
            pc.model = cfg.model.clone().or(pc.model);
            if cfg.base_url.is_some() {
                pc.base_url = cfg.base_url.clone();
            }
            match commis_llm::check_endpoint(&pc).await {
                Ok(check) => line(
                    check.model_available != Some(false),
                    true,
                    format!(
                        "{} answers at {}{}",
                        check.provider,
                        check.url,
                        match check.model_available {
                            Some(true) => format!("; model {} is available", check.model),
                            Some(false) => format!("; model {} is NOT in its list", check.model),
                            None => String::new(),
                        }
                    ),
                ),
                Err(e) => line(false, true, format!("model endpoint: {e}")),
            }
        }
    }
    match commis_sandbox::probe() {
        Ok(c) => line(c.usable, false, format!("{c}")),
        Err(e) => line(
            false,
            false,
            format!("command sandbox unavailable: {e} (run_command will refuse)"),
        ),
    }
    match commis_docs::ocr::engine() {
        Some(e) => line(
            e.pdftoppm.is_some(),
            false,
            match &e.pdftoppm {
                Some(_) => format!(
                    "OCR: {} ({}) at {} reads pictures and scanned PDFs",
                    e.version,
                    e.languages,
                    e.tesseract.display()
                ),
                None => format!(
                    "OCR: {} reads pictures, but scanned PDFs need poppler's pdftoppm ({})",
                    e.version,
                    commis_docs::ocr::INSTALL_HINT
                ),
            },
        ),
        None => line(
            false,
            false,
            format!(
                "OCR: Tesseract not found: scans and photos of invoices are not read ({})",
                commis_docs::ocr::INSTALL_HINT
            ),
        ),
    }
    let soffice = which("soffice").or_else(|| which("libreoffice"));
    line(soffice.is_some(), false, match soffice {
        Some(p) => format!("LibreOffice found at {p} (PDF export, previews)"),
        None => "LibreOffice not found: PDF export and slide previews are unavailable (apt-get install libreoffice)".into(),
    });
    ok
}

fn which(cmd: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(cmd))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}
