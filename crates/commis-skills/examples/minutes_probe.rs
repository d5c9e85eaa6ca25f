//! Prints the minutes of the files given, as Markdown (a probe for reading the output).
fn main() {
    let mut all = Vec::new();
    for p in std::env::args().skip(1) {
        let t = std::fs::read_to_string(&p).unwrap_or_default();
        if std::env::var_os("CANDIDATES").is_some() {
            candidates(&t);
        }
        all.push((p.clone(), commis_skills::minutes::minutes(&t, 8)));
    }
    let lang = commis_skills::Lang::Fr;
    println!(
        "{}",
        commis_skills::minutes::render_markdown("Comptes rendus", &all, lang)
    );
}

#[allow(dead_code)]
fn candidates(t: &str) {
    for a in commis_skills::candidate_items(t) {
        println!(
            "{:?} {:?} {:?} | {} | {}",
            a.kind, a.who, a.priority, a.what, a.evidence
        );
    }
}
