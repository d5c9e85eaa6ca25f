//! Matching precision and recall on generated books: invoices of a small business and the
//! bank lines that pay them (in full, in part, grouped, with a typo in the number, in a
//! foreign currency, or not at all), with the true pairs known. Seeds 1–40 are the set
//! the matcher was written against; seeds 1001–1040 are held out (figures reported, never
//! tuned on). `cargo test -p commis-skills --test all invoice_accuracy::payments -- --nocapture`
//! prints the figures reported in docs/QUALITY.md.

use std::collections::BTreeSet;

use commis_skills::money::{Business, LedgerEntry, RawInvoice, type_invoice};
use commis_skills::payments::{Payment, match_payments};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CLIENTS: &[&str] = &[
    "Boulangerie Martin",
    "Garage Petit",
    "Cabinet Roux",
    "Hôtel Duval",
    "Atelier Bois",
    "Ferme Blanc",
    "Pharmacie Leroy",
    "Studio Nguyen",
    "Transports Moreau",
    "Librairie Faure",
];

struct Book {
    invoices: Vec<LedgerEntry>,
    payments: Vec<Payment>,
    truth: BTreeSet<(usize, usize)>,
}

fn typo(number: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = number.chars().collect();
    let digits: Vec<usize> = (0..c.len()).filter(|i| c[*i].is_ascii_digit()).collect();
    let i = digits[rng.below(digits.len() as u64) as usize];
    c[i] = if c[i] == '0' {
        'O'
    } else {
        char::from(b'0' + ((c[i] as u8 - b'0' + 1) % 10))
    };
    c.into_iter().collect()
}

/// `hard`: more grouped payments without numbers, typos and foreign currencies.
fn book(seed: u64, hard: bool) -> Book {
    let mut rng = Rng(seed);
    let us = Business {
        name: Some("Atelier Lemoine".into()),
        ..Business::default()
    };
    let mut invoices = Vec::new();
    for i in 0..30 {
        let client = CLIENTS[rng.below(CLIENTS.len() as u64) as usize];
        let foreign = rng.below(100) < if hard { 20 } else { 5 };
        let currency = if foreign {
            ["GBP", "USD"][rng.below(2) as usize]
        } else {
            "EUR"
        };
        let cents = 5_000 + rng.below(300_000) as i64;
        let day = 1 + rng.below(27);
        let month = 1 + rng.below(3);
        let raw = RawInvoice {
            file: format!("f{i}.pdf"),
            issuer: Some("Atelier Lemoine".into()),
            buyer: Some(client.into()),
            number: Some(format!("F-2026-{:03}", 100 + i + seed % 7 * 30)),
            total: Some(format!("{}.{:02}", cents / 100, cents % 100)),
            vat: Some("0".into()),
            currency: Some(currency.into()),
            date: Some(format!("2026-{month:02}-{day:02}")),
            due_date: Some(format!("2026-{:02}-{day:02}", month + 1)),
            source: "text".into(),
            ..RawInvoice::default()
        };
        invoices.push(type_invoice(&raw, &us));
    }
    let mut payments = Vec::new();
    let mut truth = BTreeSet::new();
    let mut used = vec![false; invoices.len()];
    let pay_date = |e: &LedgerEntry, rng: &mut Rng| {
        let d = e.date.clone().unwrap_or_default();
        let month: u32 = d[5..7].parse().unwrap_or(1);
        format!(
            "2026-{:02}-{:02}",
            month + 1 + rng.below(2) as u32,
            1 + rng.below(27)
        )
    };
    for ii in 0..invoices.len() {
        if used[ii] {
            continue;
        }
        used[ii] = true;
        let e = invoices[ii].clone();
        let total = e.total_cents.unwrap_or(0);
        let number = e.number.clone().unwrap_or_default();
        let client = e.counterpart.clone().unwrap_or_default().to_uppercase();
        let roll = rng.below(100);
        let (grouped_share, typo_share) = if hard { (30, 25) } else { (10, 10) };
        let mut p = Payment {
            date: pay_date(&e, &mut rng),
            amount_cents: total,
            currency: e.currency.clone(),
            label: String::new(),
            ..Payment::default()
        };
        if roll < 15 {
            continue; // unpaid
        } else if roll < 15 + grouped_share {
            // Grouped with the next open invoice of the same client, when there is one.
            let other = (ii + 1..invoices.len()).find(|j| {
                !used[*j]
                    && invoices[*j].counterpart == e.counterpart
                    && invoices[*j].currency == e.currency
            });
            if let Some(j) = other {
                used[j] = true;
                p.amount_cents = total + invoices[j].total_cents.unwrap_or(0);
                let with_numbers = rng.below(2) == 0 && !hard;
                p.label = if with_numbers {
                    format!(
                        "VIR {client} FACT {} {}",
                        number,
                        invoices[j].number.clone().unwrap_or_default()
                    )
                } else {
                    format!("VIR SEPA {client}")
                };
                truth.insert((payments.len(), ii));
                truth.insert((payments.len(), j));
                payments.push(p);
                continue;
            }
            p.label = format!("VIR {client} {number}");
        } else if roll < 15 + grouped_share + typo_share {
            p.label = format!("VIR {client} REF {}", typo(&number, &mut rng));
        } else if roll < 15 + grouped_share + typo_share + 10 {
            p.amount_cents = total / 2;
            p.label = format!("ACOMPTE {number}");
        } else if roll < 15 + grouped_share + typo_share + 20 {
            p.label = format!("VIREMENT {client}");
        } else {
            p.label = format!("VIR SEPA {client} FACTURE {number}");
        }
        truth.insert((payments.len(), ii));
        payments.push(p);
    }
    // Noise: card payments and direct debits going out, a refund coming in.
    for k in 0..8 {
        payments.push(Payment {
            date: format!("2026-02-{:02}", 1 + k),
            amount_cents: -(1_000 + rng.below(50_000) as i64),
            currency: Some("EUR".into()),
            label: format!("CB MAGASIN {k}"),
            ..Payment::default()
        });
    }
    payments.push(Payment {
        date: "2026-03-03".into(),
        amount_cents: 1_999,
        currency: Some("EUR".into()),
        label: "REMBOURSEMENT ASSURANCE".into(),
        ..Payment::default()
    });
    Book {
        invoices,
        payments,
        truth,
    }
}

/// (true positives, predicted pairs, true pairs, payments sent to check).
fn score(seeds: std::ops::RangeInclusive<u64>, hard: bool) -> (usize, usize, usize, usize) {
    let (mut tp, mut predicted, mut actual, mut to_check) = (0, 0, 0, 0);
    for seed in seeds {
        let b = book(seed, hard);
        let m = match_payments(&b.payments, &b.invoices);
        let got: BTreeSet<(usize, usize)> =
            m.matches.iter().map(|x| (x.payment, x.invoice)).collect();
        tp += got.intersection(&b.truth).count();
        predicted += got.len();
        actual += b.truth.len();
        to_check += m.ambiguous.len();
    }
    (tp, predicted, actual, to_check)
}

fn report(name: &str, s: (usize, usize, usize, usize)) -> (f64, f64) {
    let p = s.0 as f64 / s.1.max(1) as f64;
    let r = s.0 as f64 / s.2.max(1) as f64;
    println!(
        "{name}: precision {:.3} ({}/{}), recall {:.3} ({}/{}), {} payment(s) to check",
        p, s.0, s.1, r, s.0, s.2, s.3
    );
    (p, r)
}

#[test]
fn payments_matching_precision_and_recall_on_generated_books() {
    let (p, r) = report("standard, tuned-on seeds 1-40", score(1..=40, false));
    assert!(
        p >= 0.97 && r >= 0.85,
        "standard: precision {p}, recall {r}"
    );
    let (p, r) = report(
        "standard, held-out seeds 1001-1040",
        score(1001..=1040, false),
    );
    assert!(
        p >= 0.95 && r >= 0.8,
        "standard held out: precision {p}, recall {r}"
    );
    let (p, r) = report("hard, tuned-on seeds 1-40", score(1..=40, true));
    assert!(p >= 0.9 && r >= 0.7, "hard: precision {p}, recall {r}");
    let (p, r) = report("hard, held-out seeds 1001-1040", score(1001..=1040, true));
    assert!(
        p >= 0.9 && r >= 0.7,
        "hard held out: precision {p}, recall {r}"
    );
}
