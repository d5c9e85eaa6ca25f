//! Property tests: amounts and dates written in French and English styles parse back exactly,
//! and no input makes a parser panic.

use commis_skills::{Date, find_amounts, find_companies, find_dates, parse_amount, parse_date};
use proptest::prelude::*;

/// Groups the digits of `n` by three with `sep`.
fn group(n: u64, sep: &str) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

fn french(cents: i64, sep: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{},{:02} €", group(a / 100, sep), a % 100)
}

fn english(cents: i64) -> String {
    let a = cents.unsigned_abs();
    let body = format!("${}.{:02}", group(a / 100, ","), a % 100);
    if cents < 0 { format!("({body})") } else { body }
}

fn german(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{},{:02} EUR", group(a / 100, "."), a % 100)
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

proptest! {
    #[test]
    fn french_amounts_round_trip(cents in -99_999_999_999i64..99_999_999_999, nbsp in 0usize..4) {
        let sep = [" ", "\u{a0}", "\u{202f}", "\u{2009}"][nbsp];
        let s = french(cents, sep);
        let a = parse_amount(&s).unwrap_or_else(|| panic!("{s} did not parse"));
        prop_assert_eq!(a.cents(), cents, "{}", s);
        prop_assert_eq!(a.currency.as_deref(), Some("EUR"));
    }

    #[test]
    fn english_amounts_round_trip(cents in -99_999_999_999i64..99_999_999_999) {
        let s = english(cents);
        let a = parse_amount(&s).unwrap_or_else(|| panic!("{s} did not parse"));
        prop_assert_eq!(a.cents(), cents, "{}", s);
        prop_assert_eq!(a.currency.as_deref(), Some("USD"));
    }

    #[test]
    fn german_amounts_round_trip(cents in -99_999_999_999i64..99_999_999_999) {
        let s = german(cents);
        let a = parse_amount(&s).unwrap_or_else(|| panic!("{s} did not parse"));
        prop_assert_eq!(a.cents(), cents, "{}", s);
    }

    #[test]
    fn amounts_in_a_sentence_are_found_exactly(cents in 1i64..9_999_999_999) {
        let text = format!("Total TTC : {}\nMerci.", french(cents, "\u{a0}"));
        let found = find_amounts(&text);
        prop_assert_eq!(found.len(), 1, "{}", text);
        prop_assert_eq!(found[0].amount.cents(), cents);
    }

    #[test]
    fn dates_round_trip_in_every_notation(days in 0i64..73_000) {
        let d = Date::from_days_since_epoch(days).unwrap();
        let (y, m, dd) = (d.year, d.month, d.day);
        let forms = [
            d.to_iso(),
            format!("{dd:02}/{m:02}/{y}"),
            format!("{dd}.{m}.{y}"),
            format!("{dd} {} {y}", MONTHS_FR[(m - 1) as usize]),
            format!("{} {dd}, {y}", MONTHS_EN[(m - 1) as usize]),
            format!("{dd} {} {y}", &MONTHS_EN[(m - 1) as usize][..3]),
        ];
        for f in forms {
            prop_assert_eq!(parse_date(&f), Some(d), "{}", f);
        }
        let text = format!("Facture du {}/{}/{y}.", dd, m);
        prop_assert_eq!(find_dates(&text).first().map(|f| f.date), Some(d), "{}", text);
    }

    #[test]
    fn date_arithmetic_is_consistent(days in 0i64..73_000, delta in -1000i64..1000) {
        let d = Date::from_days_since_epoch(days).unwrap();
        prop_assert_eq!(d.days_since_epoch(), days);
        if let Some(e) = d.add_days(delta) {
            prop_assert_eq!(e.days_since_epoch() - d.days_since_epoch(), delta);
            prop_assert_eq!((d.weekday() as i64 + delta).rem_euclid(7), e.weekday() as i64);
        }
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,80}") {
        let _ = parse_amount(&s);
        let _ = parse_date(&s);
        let _ = find_amounts(&s);
        let _ = find_dates(&s);
        let _ = find_companies(&s);
        let _ = commis_skills::extract_invoice(&s);
        let _ = commis_skills::action_items(&s);
        let _ = commis_skills::minutes::minutes(&s, 2);
        let _ = commis_skills::extractive_summary(&s, 3);
        let _ = commis_skills::doc_type("x.pdf", &s);
        let _ = commis_skills::normalize_company(&s);
        let _ = commis_skills::standard_name(Some(&s), Some(&s), &s, Some(&s), &s);
    }

    #[test]
    fn standard_names_are_ascii_without_spaces_or_separators(s in "\\PC{0,40}") {
        let n = commis_skills::standard_name(Some("2024-03-15"), Some(&s), "Facture", Some(&s), "pdf");
        prop_assert!(n.is_ascii() && !n.contains(' ') && !n.contains('/') && !n.contains('\\'), "{}", n);
        prop_assert!(n.ends_with(".pdf"));
    }
}

/// Pieces of invoice and meeting layouts, to build hostile but realistic texts.
const PIECES: &[&str] = &[
    "Total TTC",
    "TVA 20 %",
    "Facturé à :",
    "Bill to:",
    "Client",
    "N°",
    "Facture",
    "Invoice No.",
    "Date :",
    "Échéance",
    "1 234,56 €",
    "€1,234.56",
    "(12.00)",
    "15/03/2024",
    "15 mars 2024",
    "March 15, 2024",
    "SARL Dupont",
    "Dupont SARL",
    "É",
    "ß",
    "œ",
    "€",
    "  ",
    "\t",
    " | ",
    ":",
    "\n",
    "\n\n",
    "Marc : ",
    "Julie, tu ",
    "je relance ",
    "Je m'en occupe. ",
    "Il faut ",
    "Premier point, ",
    " maintenant. ",
    "On verra. ",
    "c'est décidé. ",
    "Présents : ",
    "J'envoie ",
    "l'",
    "avant le 15",
    "Actions",
    "Qui",
    "Échéance",
    "- ",
    "# ",
    "Embedded invoice data (x.xml):\n",
    "grand total: ",
    "issue date: ",
    "@",
    "www.",
    "-",
    ".",
    ",",
    "x",
    "0",
    "99",
];

proptest! {
    #[test]
    fn layout_like_texts_never_panic(idx in proptest::collection::vec(0usize..PIECES.len(), 0..120)) {
        let text: String = idx.iter().map(|&i| PIECES[i]).collect();
        let _ = commis_skills::extract_invoice(&text);
        let _ = commis_skills::action_items(&text);
        let _ = commis_skills::priorities(&text);
        let m = commis_skills::minutes::minutes(&text, 2);
        let _ = commis_skills::minutes::render_markdown("t", &[("m".into(), m)], commis_skills::Lang::Fr);
        let _ = commis_skills::extractive_summary(&text, 4);
        let _ = commis_skills::doc_type("f.pdf", &text);
        let _ = find_companies(&text);
        let docs = vec![commis_skills::DocInput { id: "a".into(), file_name: "a.pdf".into(), text: text.clone(), kind: None }];
        let _ = commis_skills::assign_clients(&docs, None);
    }
}
