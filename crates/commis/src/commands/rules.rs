//! `commis rules`.

use super::*;

pub(crate) fn cmd_rules(action: RulesAction) -> Result<ExitCode> {
    let path = config::config_path();
    let mut cfg = Config::load_from(&path)?;
    match action {
        RulesAction::List => {
            if cfg.rules.is_empty() {
                println!(
                    "No saved rules. They are created by answering \"always in this folder\" to an approval."
                );
            }
            for (i, r) in cfg.rules.iter().enumerate() {
                println!(
                    "{}. always allow {} in {}",
                    i + 1,
                    r.kind,
                    r.folder.display()
                );
            }
        }
        RulesAction::Revoke { number } => {
            if number == 0 || number > cfg.rules.len() {
                bail!("no rule number {number}; see `commis rules list`");
            }
            let r = cfg.rules.remove(number - 1);
            cfg.save_to(&path)?;
            println!("revoked: always allow {} in {}", r.kind, r.folder.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
