//! Rough timing of the skills on a large synthetic text: `cargo run -p commis-skills --example skills_timing --release`.

use std::time::Instant;

fn main() {
    let mut t = String::from("RELEVE DE COMPTE\nDate opération  Libellé  Débit  Crédit  Solde\n");
    for i in 0..20_000 {
        t.push_str(&format!(
            "{:02}/03/2024  VIR SEPA CLIENT {i} FACTURE F2024-{i:03}  {},{:02} €    1 234,56 €\n",
            i % 28 + 1,
            i % 900 + 10,
            i % 100
        ));
    }
    let mut meeting = String::from("Réunion du 12 mars 2024\n");
    for i in 0..5_000 {
        meeting.push_str(&format!("Marc : Julie, tu relances le client {i} avant vendredi, c'est urgent.\nJulie : Je m'en occupe demain.\n"));
    }
    for (name, text) in [("statement 20k lines", &t), ("meeting 10k turns", &meeting)] {
        let s = Instant::now();
        let a = commis_skills::find_amounts(text).len();
        let t1 = s.elapsed();
        let s = Instant::now();
        let d = commis_skills::find_dates(text).len();
        let t2 = s.elapsed();
        let s = Instant::now();
        let f = commis_skills::extract_invoice(text);
        let t3 = s.elapsed();
        let s = Instant::now();
        let c = commis_skills::doc_type("x.pdf", text);
        let t4 = s.elapsed();
        let s = Instant::now();
        let items = commis_skills::action_items(text).len();
        let t5 = s.elapsed();
        let s = Instant::now();
        let sum = commis_skills::extractive_summary(text, 10).len();
        let t6 = s.elapsed();
        println!(
            "{name} ({} KB): find_amounts {a} in {t1:?}, find_dates {d} in {t2:?}, extract_invoice in {t3:?} (total {:?}), doc_type {:?} in {t4:?}, action_items {items} in {t5:?}, summary {sum} in {t6:?}",
            text.len() / 1024,
            f.total.map(|a| a.value),
            c.kind
        );
    }
}
