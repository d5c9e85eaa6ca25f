//! Bank statements: every format parses the real samples to the transactions their
//! upstream projects assert (MT940: wolph/mt940; CAMT: genkgo/camt and our sums of the
//! Subite files; OFX: ofxparse; CSV: csv2ofx's converted output), and the French bank
//! layouts (synthetic files) to the lines written in them.

use super::common::{fixture, read_fixture};
use commis_docs::{BankTransaction, Document, Format, Limits};
use serde_json::Value;

/// A decimal string with trailing zeros (and a trailing dot) removed: "-9.00" → "-9".
fn norm(amount: &str) -> String {
    let a = amount.trim();
    let a = a.strip_prefix('+').unwrap_or(a);
    if !a.contains('.') {
        return if a == "-0" {
            "0".to_string()
        } else {
            a.to_string()
        };
    }
    let t = a.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" || t.is_empty() {
        "0".to_string()
    } else {
        t.to_string()
    }
}

/// Cents from a decimal string ("-1234.5" → -123450), for sums.
fn cents(amount: &str) -> i64 {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let neg = int.starts_with('-');
    let int: i64 = int.trim_start_matches(['-', '+']).parse().unwrap_or(0);
    let frac: String = frac.chars().chain("00".chars()).take(2).collect();
    let v = int * 100 + frac.parse::<i64>().unwrap_or(0);
    if neg { -v } else { v }
}

fn json(rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap()
}

const MT940_FILES: [&str; 22] = [
    "betterplace/amount_formats",
    "betterplace/sepa_mt9401",
    "betterplace/sepa_snippet",
    "betterplace/sepa_snippet_broken",
    "betterplace/with_binary_character",
    "cmxl/mt940",
    "cmxl/statement_details",
    "jejik/abnamro",
    "jejik/generic",
    "jejik/ing",
    "jejik/postfinance",
    "jejik/rabobank-iban",
    "jejik/rabobank",
    "jejik/sns",
    "self-provided/february_30",
    "self-provided/gv_codes",
    "self-provided/malformed_details",
    "self-provided/mt942",
    "self-provided/multiline",
    "self-provided/raphaelm",
    "self-provided/sparkassen",
    "self-provided/transaction_details_wrapped",
];

#[test]
fn mt940_samples_give_the_transactions_wolph_mt940_expects() {
    let mut failures = Vec::new();
    for name in MT940_FILES {
        let doc = read_fixture(&format!("bank/mt940/{name}.sta"));
        assert_eq!(doc.format, Format::Mt940, "{name}");
        let expected = json(&format!("bank/mt940/{name}.expected.json"));
        let want: Vec<(String, String)> = expected["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["date"].as_str().unwrap_or("").to_string(),
                    norm(t["amount"]["amount"].as_str().unwrap_or("")),
                )
            })
            .collect();
        let got: Vec<(String, String)> = doc
            .transactions
            .iter()
            .map(|t| {
                (
                    t.value_date.clone().unwrap_or_else(|| t.date.clone()),
                    norm(&t.amount),
                )
            })
            .collect();
        if got != want {
            failures.push(format!("{name}: got {got:?}\nwant {want:?}"));
        }
        // The closing balance is the last one of the file.
        if let Some(close) =
            expected["statement"]["final_closing_balance"]["amount"]["amount"].as_str()
        {
            // (A later statement may close on an intermediate :62M: balance.)
            let closings: Vec<String> = doc
                .statements
                .iter()
                .filter_map(|s| s.closing_balance.as_deref().map(norm))
                .collect();
            if !closings.contains(&norm(close)) {
                failures.push(format!("{name}: closings {closings:?} want {close}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn mt940_details_give_label_counterparty_and_currency() {
    let doc = read_fixture("bank/mt940/self-provided/february_30.sta");
    let t = &doc.transactions[0];
    assert_eq!(t.date, "2016-03-01");
    assert_eq!(t.value_date.as_deref(), Some("2016-02-29"));
    assert_eq!(t.amount, "-6.00");
    assert_eq!(t.currency.as_deref(), Some("EUR"));
    assert!(t.label.contains("Pauschalen"), "{}", t.label);
    let st = &doc.statements[0];
    assert_eq!(st.account.as_deref(), Some("12345678/1020304050"));
    assert_eq!(st.opening_balance.as_deref(), Some("1200.00"));
    assert_eq!(st.closing_balance.as_deref(), Some("1194.00"));
    let abn = read_fixture("bank/mt940/jejik/abnamro.sta");
    assert_eq!(abn.statements.len(), 2);
    assert!(abn.transactions[0].label.contains("KPN - DIGITENNE"));
}

/// Every `Entry` DTO in a genkgo expected dump: (signed minor units, currency, booking date).
fn genkgo_entries(v: &Value, out: &mut Vec<(i64, String, String)>) {
    match v {
        Value::Object(m) => {
            if m.get("__CLASS__").and_then(Value::as_str) == Some("Genkgo\\Camt\\DTO\\Entry") {
                let amount = m["getAmount"]["getAmount"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                let ccy = m["getAmount"]["getCurrency"]["getCode"]
                    .as_str()
                    .unwrap()
                    .to_string();
                let date = m["getBookingDate"]["0"]
                    .as_str()
                    .or_else(|| m["getValueDate"]["0"].as_str())
                    .unwrap_or("")
                    .chars()
                    .take(10)
                    .collect();
                out.push((amount, ccy, date));
                return;
            }
            for (k, x) in m {
                if k != "getRecord" {
                    genkgo_entries(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| genkgo_entries(x, out)),
        _ => {}
    }
}

#[test]
fn camt_samples_give_the_entries_genkgo_camt_expects() {
    for name in [
        "camt052.v2",
        "camt053.v2.all-balance-types",
        "camt053.v2.five.decimals",
        "camt053.v2.minimal",
        "camt053.v2.multi.statement",
        "camt053.v2.with-account-name",
        "camt053.v3",
        "camt053.v4",
        "camt054.v2",
    ] {
        let doc = read_fixture(&format!("bank/camt/genkgo/{name}.xml"));
        let mut want = Vec::new();
        genkgo_entries(
            &json(&format!("bank/camt/genkgo/{name}.expected.json")),
            &mut want,
        );
        want.sort();
        want.dedup();
        let got: Vec<(i64, String, String)> = doc
            .transactions
            .iter()
            .map(|t| {
                (
                    cents(&t.amount),
                    t.currency.clone().unwrap_or_default(),
                    t.date.clone(),
                )
            })
            .collect();
        // Every entry genkgo decodes (its dump elides repeated records), and exactly
        // as many lines as the message has entries.
        let xml =
            std::fs::read_to_string(fixture(&format!("bank/camt/genkgo/{name}.xml"))).unwrap();
        assert_eq!(
            doc.transactions.len(),
            xml.matches("<Ntry>").count(),
            "{name}"
        );
        for w in &want {
            assert!(got.contains(w), "{name}: {w:?} missing from {got:?}");
        }
    }
}

#[test]
fn camt_statements_balance_as_the_subite_sums_say() {
    for name in ["account_statement", "LT625883379695428516_2024-04-11"] {
        let doc = read_fixture(&format!("bank/camt/subite/{name}.camt053.xml"));
        let summary = json(&format!("bank/camt/subite/{name}.summary.json"));
        let want = summary["statements"].as_array().unwrap();
        assert_eq!(doc.statements.len(), want.len(), "{name}");
        let mut offset = 0;
        for (st, w) in doc.statements.iter().zip(want) {
            assert_eq!(st.account.as_deref(), w["account"].as_str(), "{name}");
            assert_eq!(
                st.transaction_count as u64,
                w["entry_count"].as_u64().unwrap()
            );
            let lines = &doc.transactions[offset..offset + st.transaction_count];
            offset += st.transaction_count;
            let credits: i64 = lines
                .iter()
                .map(|t| cents(&t.amount))
                .filter(|c| *c > 0)
                .sum();
            let debits: i64 = -lines
                .iter()
                .map(|t| cents(&t.amount))
                .filter(|c| *c < 0)
                .sum::<i64>();
            assert_eq!(credits, cents(w["sum_credits"].as_str().unwrap()), "{name}");
            assert_eq!(debits, cents(w["sum_debits"].as_str().unwrap()), "{name}");
            let open = cents(st.opening_balance.as_deref().unwrap());
            let close = cents(st.closing_balance.as_deref().unwrap());
            assert_eq!(
                open,
                cents(w["balances"]["OPBD"]["amount"].as_str().unwrap())
            );
            assert_eq!(
                close,
                cents(w["balances"]["CLBD"]["amount"].as_str().unwrap())
            );
            assert_eq!(open + credits - debits, close, "{name}: balances add up");
        }
    }
}

#[test]
fn camt_without_a_statement_is_refused() {
    let err = commis_docs::read_path(
        &fixture("bank/camt/genkgo/camt053.v2.wrong.xml"),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("Stmt"), "{err}");
}

#[test]
fn ofx_samples_give_what_ofxparse_asserts() {
    let doc = read_fixture("bank/ofx/ofxparse/bank_medium.ofx");
    assert_eq!(doc.format, Format::Ofx);
    let st = &doc.statements[0];
    assert_eq!(st.account.as_deref(), Some("12300 000012345678"));
    assert_eq!(st.currency.as_deref(), Some("CAD"));
    assert_eq!(st.closing_balance.as_deref(), Some("382.34"));
    assert_eq!(st.period_start.as_deref(), Some("2009-04-01"));
    assert_eq!(st.period_end.as_deref(), Some("2009-05-23"));
    assert_eq!(doc.transactions.len(), 3);
    let t = &doc.transactions[0];
    assert_eq!(t.amount, "-6.60");
    assert_eq!(t.counterparty.as_deref(), Some("MCDONALD'S #112"));
    assert_eq!(t.currency.as_deref(), Some("CAD"));
    assert_eq!(t.date, "2009-04-01");

    let multi = read_fixture("bank/ofx/ofxparse/multiple_accounts2.ofx");
    let accounts: Vec<_> = multi
        .statements
        .iter()
        .map(|s| s.account.clone().unwrap())
        .collect();
    assert_eq!(accounts, ["9100", "9200"]);
    let anz = read_fixture("bank/ofx/ofxparse/anzcc.ofx");
    assert_eq!(
        anz.statements[0].account.as_deref(),
        Some("1234123412341234")
    );

    // ofxparse's graceful failures: bad entries are dropped, not invented.
    let missing = read_fixture("bank/ofx/ofxparse/fail_nice/date_missing.ofx");
    assert_eq!(missing.transactions.len(), 0);
    assert!(!missing.warnings.is_empty());
    let bad_amount = read_fixture("bank/ofx/ofxparse/fail_nice/decimal_error.ofx");
    assert_eq!(bad_amount.transactions.len(), 0);
    let empty_balance = read_fixture("bank/ofx/ofxparse/fail_nice/empty_balance.ofx");
    assert_eq!(empty_balance.transactions.len(), 1);
    assert_eq!(empty_balance.statements[0].closing_balance, None);
}

fn pairs(txs: &[BankTransaction]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = txs
        .iter()
        .map(|t| (t.date.clone(), norm(&t.amount)))
        .collect();
    v.sort();
    v
}

#[test]
fn csv_exports_match_csv2ofx_converted_output() {
    for (csv, ofx) in [
        (
            "bank/csv/csv2ofx/gls.csv",
            "bank/csv/csv2ofx/gls.expected.ofx",
        ),
        (
            "bank/csv/csv2ofx/n26-fr.csv",
            "bank/csv/csv2ofx/n26-fr.expected.ofx",
        ),
    ] {
        let doc = read_fixture(csv);
        let expected = read_fixture(ofx);
        assert!(!expected.transactions.is_empty(), "{ofx}");
        assert_eq!(
            pairs(&doc.transactions),
            pairs(&expected.transactions),
            "{csv}"
        );
    }
    // UBS (French headers, Débit/Crédit, apostrophe thousands): the QIF csv2ofx wrote.
    let ubs = read_fixture("bank/csv/csv2ofx/ubs-ch-fr_trimmed.csv");
    let qif = std::fs::read_to_string(fixture("bank/csv/csv2ofx/ubs-ch-fr.expected.qif")).unwrap();
    let mut want: Vec<String> = qif
        .lines()
        .filter_map(|l| l.strip_prefix('T'))
        .filter(|t| t.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
        .map(norm)
        .collect();
    let mut got: Vec<String> = ubs.transactions.iter().map(|t| norm(&t.amount)).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert!(
        ubs.transactions
            .iter()
            .all(|t| t.currency.as_deref() == Some("CHF"))
    );
}

#[test]
fn bank2ynab_exports_are_read_with_their_layouts() {
    let read = |rel: &str| -> Document { read_fixture(&format!("bank/csv/bank2ynab/{rel}")) };
    let boi = read("bankofireland/test_BOI_TransactionExport.csv");
    assert_eq!(boi.transactions[0].amount, "428.03");
    assert_eq!(boi.transactions[2].amount, "-512.00");
    assert_eq!(boi.transactions[0].date, "2017-09-01");
    let bunq = read("bunq/2018-04-14_10-52-13_bunq-transactieoverzicht.csv");
    assert_eq!(
        pairs(&bunq.transactions),
        pairs(&[
            tx("2018-03-01", "-2.56"),
            tx("2018-03-09", "750"),
            tx("2018-03-09", "-18.90"),
        ])
    );
    assert_eq!(
        bunq.transactions[1].counterparty.as_deref(),
        Some("W. KOELEWIJN EO")
    );
    let cb = read("commerzbank/Umsaetze_KtoNr538917600_EUR_02-03-2018_1503.CSV");
    assert_eq!(cb.transactions[0].amount, "-17.22");
    assert_eq!(cb.transactions[0].currency.as_deref(), Some("EUR"));
    assert!(cb.transactions[0].label.contains("REWE"));
    let fd = read("firstdirect/20180226_12345678.csv");
    assert_eq!(pairs(&fd.transactions), pairs(&[tx("2018-02-10", "-5")]));
    let monzo = read("monzo/MonzoDataExport_February2018_2018-02-26_174335.csv");
    assert_eq!(monzo.transactions[0].amount, "-10.00");
    assert_eq!(monzo.transactions[0].currency.as_deref(), Some("GBP"));
    let n26 = read("n26-de/20171001-20171106.csv");
    assert_eq!(n26.transactions[0].amount, "-59.99");
    assert_eq!(n26.transactions[0].currency.as_deref(), Some("EUR"));
    let spk = read("ostseesparkasse/20180226-1000594757-umsatz.CSV");
    assert_eq!(spk.transactions[0].date, "2018-02-22");
    assert_eq!(spk.transactions[0].amount, "-36.99");
    assert_eq!(
        spk.transactions[0].counterparty.as_deref(),
        Some("Vodafone Kabel DeutschlandGmbH")
    );
    let rabo = read("rabobank/CSV_A_20180414_112204.csv");
    assert_eq!(rabo.transactions[0].amount, "-337.49");
    assert_eq!(
        rabo.transactions[0].account.as_deref(),
        Some("NL77RABO0311467415")
    );
    // Swedbank: unsigned amounts with a D/K column; balance rows are not lines.
    let swed = read("swedbank/test_swedebank_statement.xls");
    assert!(
        swed.transactions
            .iter()
            .all(|t| !t.label.starts_with("Opening"))
    );
    assert_eq!(swed.transactions[0].amount, "-15.31");
    assert_eq!(swed.transactions[0].currency.as_deref(), Some("LTL"));
    // Barclaycard: no header at all.
    let bc = read("barclaycard/statement_1.csv");
    assert_eq!(bc.transactions.len(), 1);
    assert_eq!(bc.transactions[0].date, "2018-02-10");
}

fn tx(date: &str, amount: &str) -> BankTransaction {
    BankTransaction {
        date: date.to_string(),
        amount: amount.to_string(),
        ..BankTransaction::default()
    }
}

#[test]
fn french_bank_layouts_are_read_with_signs_and_decimal_commas() {
    let bnp = read_fixture("bank/fr-synthetic/bnp-paribas.csv");
    let got: Vec<(&str, &str)> = bnp
        .transactions
        .iter()
        .map(|t| (t.date.as_str(), t.amount.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-03-02", "1440.00"),
            ("2026-03-03", "-19.99"),
            ("2026-03-04", "-123456.78")
        ]
    );
    assert!(bnp.transactions[0].label.contains("FACTURE F-2026-014"));
    assert_eq!(bnp.transactions[0].account.as_deref(), Some("****1234"));

    let ft = read_fixture("bank/fr-synthetic/fortuneo.csv");
    let got: Vec<(&str, &str)> = ft
        .transactions
        .iter()
        .map(|t| (t.date.as_str(), t.amount.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-03-10", "960.00"),
            ("2026-03-11", "-6.40"),
            ("2026-03-12", "-1250.00")
        ]
    );
    assert_eq!(ft.transactions[1].value_date.as_deref(), Some("2026-03-12"));
    assert!(ft.transactions[0].label.contains("BOULANGERIE MARTIN"));

    let bo = read_fixture("bank/fr-synthetic/boursorama.csv");
    assert_eq!(bo.statements.len(), 2, "two accounts, two statements");
    assert_eq!(bo.transactions[0].amount, "2400.00");
    assert_eq!(bo.transactions[1].amount, "-35.99");
    assert_eq!(bo.statements[0].account.as_deref(), Some("00012345678"));
    assert_eq!(bo.statements[0].transaction_count, 2);

    let ce = read_fixture("bank/fr-synthetic/caisse-epargne.csv");
    let got: Vec<(&str, &str)> = ce
        .transactions
        .iter()
        .map(|t| (t.date.as_str(), t.amount.as_str()))
        .collect();
    assert_eq!(got, [("2026-03-20", "3500.00"), ("2026-03-21", "-45.50")]);
    assert_eq!(
        ce.transactions[0].reference.as_deref(),
        Some("RF18539007547034")
    );
    assert!(ce.transactions[0].label.contains("GARAGE PETIT F-2026-040"));
}

#[test]
fn extract_json_of_a_statement_carries_the_transactions() {
    let doc = read_fixture("bank/fr-synthetic/fortuneo.csv");
    let v: Value = serde_json::from_str(&doc.to_json()).unwrap();
    let t = &v["transactions"][1];
    assert_eq!(t["date"], "2026-03-11");
    assert_eq!(t["amount"], "-6.40");
    assert!(t["label"].as_str().unwrap().contains("SNCF"));
    assert_eq!(v["statements"][0]["period_start"], "2026-03-10");
    assert_eq!(v["statements"][0]["period_end"], "2026-03-12");
    // An ordinary CSV table is not a statement.
    let plain = commis_docs::read_bytes(
        "t.csv",
        b"Date;Client;Montant\n01/02/2026;Duval;12,50\n",
        &Limits::default(),
    )
    .unwrap();
    assert!(plain.transactions.is_empty());
}
