//! Prints what commis-docs reads from each file given on the command line
//! (`--json` for the full model).

fn main() {
    let mut json = false;
    let limits = commis_docs::Limits::default();
    for arg in std::env::args().skip(1) {
        if arg == "--json" {
            json = true;
            continue;
        }
        match commis_docs::read_path(std::path::Path::new(&arg), &limits) {
            Ok(doc) => {
                println!("=== {arg} [{}]", doc.format);
                if json {
                    println!("{}", doc.to_json());
                } else {
                    print!("{}", doc.plain_text());
                    for w in &doc.warnings {
                        println!("warning: {w}");
                    }
                }
            }
            Err(e) => println!("=== {arg}: error: {e}"),
        }
    }
}
