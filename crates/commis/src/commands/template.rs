//! `commis template`.

use super::*;

pub(crate) fn cmd_template(action: TemplateAction) -> Result<ExitCode> {
    let config = Config::load()?;
    let engine = open_engine(&config)?;
    match action {
        TemplateAction::Save {
            name,
            brief,
            yes,
            allow,
            read_only,
            output,
        } => {
            parse_allow(&allow)?;
            let t = templates::Template {
                brief: brief.clone(),
                yes,
                allow,
                read_only,
                provider: None,
                output,
            };
            engine.save_template(&name, &serde_json::to_value(&t)?)?;
            let names: Vec<String> = templates::placeholders(&brief)
                .into_iter()
                .map(|p| match p.default {
                    Some(d) => format!("{}={d}", p.name),
                    None => p.name,
                })
                .collect();
            println!(
                "template {name} saved{}; run it with: commis run DIR --template {name}{}",
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" (placeholders: {})", names.join(", "))
                },
                templates::placeholders(&brief)
                    .iter()
                    .filter(|p| p.default.is_none())
                    .map(|p| format!(" --set {}=…", p.name))
                    .collect::<String>()
            );
        }
        TemplateAction::List => {
            let all = engine.templates()?;
            if all.is_empty() {
                println!(
                    "No templates yet: commis template save NAME \"BRIEF with {{placeholders}}\""
                );
            }
            for t in all {
                let brief = t.body.get("brief").and_then(|b| b.as_str()).unwrap_or("");
                println!("{:<20} {}", t.name, report::one_line(brief, 70));
            }
        }
        TemplateAction::Show { name } => {
            let t = engine.template(&name)?;
            println!("{}", serde_json::to_string_pretty(&t.body)?);
        }
        TemplateAction::Delete { name } => {
            if !engine.delete_template(&name)? {
                bail!("no template named {name} (see `commis template list`)");
            }
            println!("template {name} deleted");
        }
    }
    Ok(ExitCode::SUCCESS)
}
