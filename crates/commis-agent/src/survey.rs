//! The compact survey a model sees when planning: the folder's tree with types and sizes,
//! and short extracts of a sample of documents. Small on purpose: the context of a 500-file
//! folder must stay close to that of a 10-file one.

use std::collections::BTreeMap;

use crate::context::RunContext;
use crate::tools::{ToolError, read_document_text};

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

fn extension(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| e.len() <= 5 && !e.contains('/'))
        .unwrap_or_else(|| "(none)".to_string())
}

/// Tree, counts by type, and up to `samples` extracts of `chars` characters each. Listings
/// longer than 60 entries are summarized per folder so big folders stay cheap.
pub fn compact_survey(ctx: &RunContext, samples: usize, chars: usize) -> Result<String, ToolError> {
    let files = ctx.workspace.list("", true)?;
    let docs: Vec<_> = files.iter().filter(|f| !f.is_dir).collect();
    let mut by_ext: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for f in &docs {
        let e = by_ext.entry(extension(&f.path)).or_default();
        e.0 += 1;
        e.1 += f.size;
    }
    let mut out = format!(
        "{} files, {} folders.\nBy type:",
        docs.len(),
        files.len() - docs.len()
    );
    for (ext, (n, size)) in &by_ext {
        out.push_str(&format!(" {ext}: {n} ({})", human_size(*size)));
    }
    out.push('\n');
    if docs.len() <= 60 {
        out.push_str("Files:\n");
        for f in &docs {
            out.push_str(&format!("- {} ({})\n", f.path, human_size(f.size)));
        }
    } else {
        let mut by_dir: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for f in &docs {
            let dir = f.path.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
            by_dir.entry(dir.to_string()).or_default().push(&f.path);
        }
        out.push_str("Folders (with a few example names; use list_files for the rest):\n");
        for (dir, names) in by_dir.iter().take(40) {
            let examples: Vec<&str> = names
                .iter()
                .take(3)
                .map(|p| p.rsplit('/').next().unwrap_or(p))
                .collect();
            out.push_str(&format!(
                "- {dir}/: {} files, e.g. {}\n",
                names.len(),
                examples.join(", ")
            ));
        }
        if by_dir.len() > 40 {
            out.push_str(&format!("- … and {} more folders\n", by_dir.len() - 40));
        }
    }
    // Sample evenly across the listing, so each folder is seen.
    let step = (docs.len() / samples.max(1)).max(1);
    let mut shown = 0;
    out.push_str("\nSample extracts:\n");
    for f in docs.iter().step_by(step) {
        if shown >= samples {
            break;
        }
        match read_document_text(ctx, &f.path) {
            Ok(doc) => {
                let text: String = doc
                    .plain_text()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(chars)
                    .collect();
                out.push_str(&format!("--- {} ---\n{}\n", f.path, text));
                shown += 1;
            }
            Err(e) => out.push_str(&format!("--- {} --- (unreadable: {e})\n", f.path)),
        }
    }
    Ok(out)
}
