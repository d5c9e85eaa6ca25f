//! Cleans a CSV file with `tables::stream::clean_csv` (the benchmark entry point of
//! docs/PERFORMANCE.md): `clean_csv IN.csv OUT.csv JOURNAL.csv`, prints one JSON line.

use std::fs::File;
use std::io::{BufReader, BufWriter};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: clean_csv IN.csv OUT.csv JOURNAL.csv");
        std::process::exit(2);
    }
    let run = || -> Result<String, Box<dyn std::error::Error>> {
        let input = BufReader::new(File::open(&args[1])?);
        let output = BufWriter::new(File::create(&args[2])?);
        let journal = BufWriter::new(File::create(&args[3])?);
        let report = commis_skills::tables::stream::clean_csv(
            input,
            output,
            journal,
            &commis_skills::tables::CleanOptions::default(),
        )?;
        Ok(serde_json::to_string(&report)?)
    };
    match run() {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("clean_csv: {e}");
            std::process::exit(1);
        }
    }
}
