//! Benchmark driver, mirroring shared/peers/pdf_text.py and xlsx_read.py:
//! `extract_bench pdf DIR` reads every PDF under DIR and prints
//! {"files", "chars", "errors"}; `extract_bench xlsx FILE` reads every cell of a
//! workbook and prints {"cells", "sum"}.

use commis_docs::{CellKind, Limits};
use std::path::{Path, PathBuf};

fn pdfs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            pdfs_under(&path, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
        {
            out.push(path);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let limits = Limits::default();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("pdf"), Some(dir)) => {
            let mut files = Vec::new();
            pdfs_under(Path::new(dir), &mut files);
            let (mut ok, mut chars, mut errors) = (0, 0usize, 0);
            for f in files {
                match commis_docs::read_path(&f, &limits) {
                    Ok(doc) => {
                        ok += 1;
                        chars += doc
                            .blocks
                            .iter()
                            .map(|b| b.text.chars().count() + 1)
                            .sum::<usize>();
                    }
                    Err(_) => errors += 1,
                }
            }
            println!("{{\"files\": {ok}, \"chars\": {chars}, \"errors\": {errors}}}");
        }
        (Some("xlsx"), Some(file)) => match commis_docs::read_path(Path::new(file), &limits) {
            Ok(doc) => {
                let (mut cells, mut sum) = (0usize, 0f64);
                for cell in doc.tables.iter().flat_map(|t| t.rows.iter().flatten()) {
                    if cell.kind != CellKind::Empty {
                        cells += 1;
                    }
                    if cell.kind == CellKind::Number {
                        sum += cell.number.unwrap_or(0.0);
                    }
                }
                println!("{{\"cells\": {cells}, \"sum\": {:.2}}}", sum);
            }
            Err(e) => {
                eprintln!("{file}: {e}");
                std::process::exit(1);
            }
        },
        _ => {
            eprintln!("usage: extract_bench pdf DIR | extract_bench xlsx FILE");
            std::process::exit(2);
        }
    }
}
