//! The money deliverables, written into the granted folder through the workspace: an
//! « Impayés » workbook (what clients still owe, with an ageing sheet of SUMIFS formulas),
//! a VAT workbook (collected and deductible VAT per period and rate, formulas over the
//! documents' sheet), revenue per month and client (formulas and a chart), a quotes table
//! linking each quote to the invoices that bill it, and on request one reminder letter per
//! late client (docx, polite, firmer past 60 days) — written, never sent.
//!
//! The figures come from [`super::money::money_report`] and `commis_skills::money`; this
//! module only lays them out. Not for: matching payments (see `commis_skills::payments`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;
use commis_office::{
    CellValue, ChartKind, ChartSpec, ColumnKind, ColumnSpec, DocBlock, DocumentSpec, SheetSpec,
    SpreadsheetSpec, TotalFunction, TotalsSpec, col_letters,
};
use commis_skills::money::{Business, Direction, DocType, LedgerEntry, Period};
use commis_skills::payments::Payment;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::files::write_bytes;
use super::money::{MoneyReport, UnpaidRow, invoice_of, money_report, payments_of};
use super::{Tool, ToolError, parse_input, read_document_text};
use crate::context::RunContext;
use crate::offline::brief::Lang;

pub(super) fn tools() -> Vec<Arc<dyn Tool>> {
    vec![Arc::new(MoneyDeliverables)]
}

/// Days overdue past which a reminder is firm rather than polite.
pub const FIRM_AFTER_DAYS: i64 = 60;

/// The ageing buckets, in order, as the « Impayés » workbook names them.
pub const BUCKETS: [&str; 4] = ["0–30", "31–60", "61–90", "> 90"];

/// The bucket of a number of days overdue.
pub fn bucket_of(days: i64) -> &'static str {
    match days {
        i64::MIN..=30 => BUCKETS[0],
        31..=60 => BUCKETS[1],
        61..=90 => BUCKETS[2],
        _ => BUCKETS[3],
    }
}

/// One quote and the invoices that bill it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QuoteRow {
    pub file: String,
    pub number: Option<String>,
    pub client: Option<String>,
    pub date: Option<String>,
    pub currency: Option<String>,
    pub total_cents: Option<i64>,
    /// Numbers (or files) of the invoices whose text names this quote's number.
    pub invoiced_by: Vec<String>,
    /// What those invoices total, in cents.
    pub invoiced_cents: i64,
}

/// The business as the reminder letters present it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Sender {
    pub name: Option<String>,
    /// Other lines under the name (address, SIRET, VAT number, IBAN...).
    #[serde(default)]
    pub lines: Vec<String>,
}

fn col(header: &str, kind: ColumnKind) -> ColumnSpec {
    ColumnSpec {
        header: header.to_string(),
        kind,
        width: None,
    }
}

fn sheet(name: &str, columns: Vec<ColumnSpec>, rows: Vec<Vec<CellValue>>) -> SheetSpec {
    SheetSpec {
        name: name.to_string(),
        columns,
        rows,
        totals: None,
        table: false,
        freeze_header: true,
        conditional: Vec::new(),
        charts: Vec::new(),
    }
}

fn text(s: impl Into<String>) -> CellValue {
    CellValue::Text(s.into())
}

fn opt(s: &Option<String>) -> CellValue {
    match s {
        Some(s) if !s.is_empty() => CellValue::Text(s.clone()),
        _ => CellValue::Null,
    }
}

fn euros(cents: i64) -> CellValue {
    CellValue::Number(cents as f64 / 100.0)
}

fn build(sheets: Vec<SheetSpec>, lang: Lang, currency: &str) -> Result<Vec<u8>, ToolError> {
    let spec = SpreadsheetSpec {
        sheets,
        sources: Vec::new(),
        locale: match lang {
            Lang::Fr => commis_office::Locale::Fr,
            Lang::En => commis_office::Locale::En,
        },
        currency: currency.to_string(),
    };
    commis_office::build_spreadsheet(&spec).map_err(|e| ToolError::Failed(e.to_string()))
}

/// The one currency of a set of rows, for the workbook's number format ("EUR" when mixed
/// or unknown: the currency column then says which).
fn one_currency<'a>(it: impl Iterator<Item = &'a Option<String>>) -> String {
    let set: BTreeSet<&str> = it.filter_map(|c| c.as_deref()).collect();
    match set.len() {
        1 => set.into_iter().next().unwrap_or("EUR").to_string(),
        _ => "EUR".into(),
    }
}

fn unknown_currency(lang: Lang) -> &'static str {
    lang.pick("(devise non indiquée)", "(currency not stated)")
}

/// « Impayés »: one row per sale not fully paid (amount due = total − paid, as a formula;
/// the bucket as a formula of the days overdue) and an « Ancienneté » sheet whose cells are
/// SUMIFS/COUNTIFS over it, one column per currency.
pub fn unpaid_workbook(
    report: &MoneyReport,
    as_of: &str,
    lang: Lang,
) -> Result<Vec<u8>, ToolError> {
    let name = lang.pick("Impayés", "Unpaid");
    let headers = match lang {
        Lang::Fr => [
            "Facture",
            "Client",
            "Échéance",
            "Jours de retard",
            "Devise",
            "Total TTC",
            "Déjà payé",
            "Reste dû",
            "Tranche",
            "Paiements rapprochés",
            "Fichier",
        ],
        Lang::En => [
            "Invoice",
            "Client",
            "Due date",
            "Days overdue",
            "Currency",
            "Total",
            "Paid",
            "Amount due",
            "Bucket",
            "Matched payments",
            "File",
        ],
    };
    let kinds = [
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Date,
        ColumnKind::Integer,
        ColumnKind::Text,
        ColumnKind::Number,
        ColumnKind::Number,
        ColumnKind::Number,
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Text,
    ];
    let columns: Vec<ColumnSpec> = headers.iter().zip(kinds).map(|(h, k)| col(h, k)).collect();
    let mut rows = Vec::new();
    for (i, u) in report.unpaid.iter().enumerate() {
        let r = i + 2;
        rows.push(vec![
            opt(&u.number),
            opt(&u.counterpart),
            opt(&u.due_date),
            CellValue::Number(u.days_overdue as f64),
            text(
                u.currency
                    .clone()
                    .unwrap_or_else(|| unknown_currency(lang).into()),
            ),
            euros(u.total_cents),
            euros(u.paid_cents),
            text(format!("=F{r}-G{r}")),
            text(format!(
                "=IF(D{r}<=30,\"{}\",IF(D{r}<=60,\"{}\",IF(D{r}<=90,\"{}\",\"{}\")))",
                BUCKETS[0], BUCKETS[1], BUCKETS[2], BUCKETS[3]
            )),
            text(u.payments.join(" | ")),
            text(u.file.clone()),
        ]);
    }
    let mut unpaid = sheet(name, columns, rows);
    unpaid.totals = Some(TotalsSpec {
        label: Some(lang.pick("Total", "Total").into()),
        columns: vec![headers[7].to_string()],
        function: TotalFunction::Sum,
    });
    let last = report.unpaid.len().max(1) + 1;
    let currencies: Vec<String> = report
        .unpaid
        .iter()
        .map(|u| {
            u.currency
                .clone()
                .unwrap_or_else(|| unknown_currency(lang).into())
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let currencies = if currencies.is_empty() {
        vec!["EUR".to_string()]
    } else {
        currencies
    };
    let range = |c: &str| format!("'{name}'!${c}$2:${c}${last}");
    let mut age_cols = vec![col(
        lang.pick("Retard (jours)", "Days overdue"),
        ColumnKind::Text,
    )];
    for c in &currencies {
        age_cols.push(col(c, ColumnKind::Number));
    }
    age_cols.push(col(
        lang.pick("Nombre de factures", "Invoices"),
        ColumnKind::Integer,
    ));
    let mut age_rows = Vec::new();
    for (bi, b) in BUCKETS.iter().enumerate() {
        let r = bi + 2;
        let mut row = vec![text(*b)];
        for (ci, _) in currencies.iter().enumerate() {
            let head = col_letters(ci as u32 + 1);
            row.push(text(format!(
                "=SUMIFS({},{},$A{r},{},{head}$1)",
                range("H"),
                range("I"),
                range("E")
            )));
        }
        row.push(text(format!("=COUNTIFS({},$A{r})", range("I"))));
        age_rows.push(row);
    }
    let mut ageing = sheet(
        lang.pick("Ancienneté", "Ageing"),
        age_cols.clone(),
        age_rows,
    );
    ageing.totals = Some(TotalsSpec {
        label: Some(lang.pick("Total", "Total").into()),
        columns: age_cols.iter().skip(1).map(|c| c.header.clone()).collect(),
        function: TotalFunction::Sum,
    });
    ageing.charts = vec![ChartSpec {
        kind: ChartKind::Bar,
        title: match lang {
            Lang::Fr => format!("Reste dû par ancienneté au {as_of}"),
            Lang::En => format!("Amount due by age at {as_of}"),
        },
        categories_column: age_cols[0].header.clone(),
        values_columns: currencies.clone(),
        anchor: None,
    }];
    let currency = one_currency(report.unpaid.iter().map(|u| &u.currency));
    build(vec![ageing, unpaid], lang, &currency)
}

/// The VAT rate of an entry in hundredths of a percent: its lines' when it has some, else
/// the usual French rate its VAT and net imply (within a cent).
fn rates_of(e: &LedgerEntry) -> Vec<(Option<i64>, i64, i64)> {
    if !e.vat_parts.is_empty() {
        return e
            .vat_parts
            .iter()
            .map(|v| (Some(v.rate_bp), v.base_cents, v.vat_cents))
            .collect();
    }
    let (net, vat) = (e.net_cents.unwrap_or(0), e.vat_cents.unwrap_or(0));
    let rate = [2000_i64, 1000, 850, 550, 210, 0]
        .into_iter()
        .find(|r| (net * r / 10_000 - vat).abs() <= 1 && (net != 0 || vat == 0));
    vec![(rate, net, vat)]
}

fn rate_label(rate: Option<i64>, lang: Lang) -> String {
    match rate {
        Some(bp) if bp % 100 == 0 => format!("{} %", bp / 100),
        Some(bp) => match lang {
            Lang::Fr => format!("{},{} %", bp / 100, (bp % 100) / 10),
            Lang::En => format!("{}.{} %", bp / 100, (bp % 100) / 10),
        },
        None => lang.pick("taux inconnu", "rate unknown").into(),
    }
}

/// Entries that count in VAT and revenue: a known direction, a date, amounts to trust.
fn counted(e: &LedgerEntry) -> bool {
    e.direction != Direction::Unknown && e.date.is_some() && !e.amounts_to_check()
}

/// VAT workbook: a « Pièces » sheet (one row per document and rate: period, sale or
/// purchase, rate, base, VAT) and a « TVA » sheet per period and rate whose collected,
/// deductible and net VAT are SUMIFS formulas over it.
pub fn vat_workbook(
    entries: &[LedgerEntry],
    period: Period,
    lang: Lang,
) -> Result<Vec<u8>, ToolError> {
    let french = lang == Lang::Fr;
    let docs_name = lang.pick("Pièces", "Documents");
    let sale = Direction::Sale.label(french).to_string();
    let purchase = Direction::Purchase.label(french).to_string();
    let doc_headers = match lang {
        Lang::Fr => [
            "Période", "Sens", "Devise", "Taux", "Base HT", "TVA", "Pièce", "Type", "Tiers",
            "Fichier",
        ],
        Lang::En => [
            "Period",
            "Direction",
            "Currency",
            "Rate",
            "Net base",
            "VAT",
            "Number",
            "Type",
            "Counterpart",
            "File",
        ],
    };
    let doc_kinds = [
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Number,
        ColumnKind::Number,
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Text,
    ];
    let mut doc_rows = Vec::new();
    let mut keys: BTreeSet<(String, String, Option<i64>)> = BTreeSet::new();
    for e in entries.iter().filter(|e| counted(e)) {
        let Some(p) = e
            .date
            .as_deref()
            .and_then(|d| commis_skills::money::period_of(d, period, french))
        else {
            continue;
        };
        let cur = e
            .currency
            .clone()
            .unwrap_or_else(|| unknown_currency(lang).into());
        for (rate, base, vat) in rates_of(e) {
            keys.insert((p.clone(), cur.clone(), rate));
            doc_rows.push(vec![
                text(p.clone()),
                text(e.direction.label(french)),
                text(cur.clone()),
                text(rate_label(rate, lang)),
                euros(base),
                euros(vat),
                opt(&e.number),
                text(e.doc_type.label(french)),
                opt(&e.counterpart),
                text(e.file.clone()),
            ]);
        }
    }
    let last = doc_rows.len().max(1) + 1;
    let range = |c: &str| format!("'{docs_name}'!${c}$2:${c}${last}");
    let vat_headers = match lang {
        Lang::Fr => [
            "Période",
            "Devise",
            "Taux",
            "Base HT ventes",
            "TVA collectée",
            "Base HT achats",
            "TVA déductible",
            "TVA nette due",
        ],
        Lang::En => [
            "Period",
            "Currency",
            "Rate",
            "Sales net base",
            "Collected VAT",
            "Purchases net base",
            "Deductible VAT",
            "Net VAT due",
        ],
    };
    let mut vat_rows = Vec::new();
    for (i, (p, cur, rate)) in keys.iter().enumerate() {
        let r = i + 2;
        let sum = |value: &str, dir: &str| {
            format!(
                "=SUMIFS({},{},$A{r},{},$B{r},{},$C{r},{},\"{dir}\")",
                range(value),
                range("A"),
                range("C"),
                range("D"),
                range("B")
            )
        };
        vat_rows.push(vec![
            text(p.clone()),
            text(cur.clone()),
            text(rate_label(*rate, lang)),
            text(sum("E", &sale)),
            text(sum("F", &sale)),
            text(sum("E", &purchase)),
            text(sum("F", &purchase)),
            text(format!("=E{r}-G{r}")),
        ]);
    }
    let vat_cols: Vec<ColumnSpec> = vat_headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            col(
                h,
                if i < 3 {
                    ColumnKind::Text
                } else {
                    ColumnKind::Number
                },
            )
        })
        .collect();
    let mut vat = sheet(lang.pick("TVA", "VAT"), vat_cols.clone(), vat_rows);
    // Totals only when one currency: never a sum across currencies.
    if keys.iter().map(|k| &k.1).collect::<BTreeSet<_>>().len() <= 1 {
        vat.totals = Some(TotalsSpec {
            label: Some(lang.pick("Total", "Total").into()),
            columns: vat_cols.iter().skip(3).map(|c| c.header.clone()).collect(),
            function: TotalFunction::Sum,
        });
    }
    let docs = sheet(
        docs_name,
        doc_headers
            .iter()
            .zip(doc_kinds)
            .map(|(h, k)| col(h, k))
            .collect(),
        doc_rows,
    );
    let currency = one_currency(entries.iter().map(|e| &e.currency));
    build(vec![vat, docs], lang, &currency)
}

/// Revenue (net of VAT, credit notes negative) per month: a « Ventes » sheet, one row per
/// sale, and a « CA par mois » sheet of SUMIFS per month and client with a chart. Sales in
/// another currency than the most common one are listed, not added.
pub fn revenue_workbook(entries: &[LedgerEntry], lang: Lang) -> Result<Vec<u8>, ToolError> {
    let french = lang == Lang::Fr;
    let sales: Vec<&LedgerEntry> = entries
        .iter()
        .filter(|e| counted(e) && e.direction == Direction::Sale)
        .collect();
    let mut by_cur: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for e in &sales {
        *by_cur.entry(e.currency.clone()).or_default() += 1;
    }
    let main = by_cur
        .iter()
        .max_by_key(|(_, n)| **n)
        .and_then(|(c, _)| c.clone())
        .unwrap_or_else(|| "EUR".into());
    let data_name = lang.pick("Ventes", "Sales");
    let headers = match lang {
        Lang::Fr => [
            "Mois", "Client", "Devise", "HT", "TTC", "Pièce", "Type", "Fichier",
        ],
        Lang::En => [
            "Month", "Client", "Currency", "Net", "Total", "Number", "Type", "File",
        ],
    };
    let mut rows = Vec::new();
    let mut months = BTreeSet::new();
    let mut clients: BTreeMap<String, i64> = BTreeMap::new();
    let no_client = lang.pick("(client non identifié)", "(client not identified)");
    for e in &sales {
        let m = e
            .date
            .as_deref()
            .and_then(|d| commis_skills::money::period_of(d, Period::Month, french))
            .unwrap_or_default();
        let client = e.counterpart.clone().unwrap_or_else(|| no_client.into());
        let cur = e
            .currency
            .clone()
            .unwrap_or_else(|| unknown_currency(lang).into());
        if cur == main {
            months.insert(m.clone());
            *clients.entry(client.clone()).or_default() += e.net_cents.unwrap_or(0).abs();
        }
        rows.push(vec![
            text(m),
            text(client),
            text(cur),
            euros(e.net_cents.unwrap_or(0)),
            euros(e.total_cents.unwrap_or(0)),
            opt(&e.number),
            text(e.doc_type.label(french)),
            text(e.file.clone()),
        ]);
    }
    // At most 8 client columns (the largest); the others together.
    let mut ranked: Vec<(String, i64)> = clients.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let others = lang.pick("Autres clients", "Other clients");
    let shown: Vec<String> = if ranked.len() > 8 {
        ranked.iter().take(7).map(|c| c.0.clone()).collect()
    } else {
        ranked.iter().map(|c| c.0.clone()).collect()
    };
    let last = rows.len().max(1) + 1;
    let range = |c: &str| format!("'{data_name}'!${c}$2:${c}${last}");
    let mut sum_cols = vec![col(headers[0], ColumnKind::Text)];
    for c in &shown {
        sum_cols.push(col(c, ColumnKind::Number));
    }
    if ranked.len() > shown.len() {
        sum_cols.push(col(others, ColumnKind::Number));
    }
    let total_label = lang.pick("Total HT", "Net total");
    sum_cols.push(col(total_label, ColumnKind::Number));
    let n_series = sum_cols.len() - 2;
    let mut sum_rows = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let r = i + 2;
        let mut row = vec![text(m.clone())];
        let month_total = format!(
            "SUMIFS({},{},$A{r},{},\"{main}\")",
            range("D"),
            range("A"),
            range("C")
        );
        for k in 0..shown.len() {
            let head = col_letters(k as u32 + 1);
            row.push(text(format!(
                "=SUMIFS({},{},$A{r},{},{head}$1,{},\"{main}\")",
                range("D"),
                range("A"),
                range("B"),
                range("C")
            )));
        }
        if ranked.len() > shown.len() {
            row.push(text(format!(
                "={month_total}-SUM(B{r}:{}{r})",
                col_letters(shown.len() as u32)
            )));
        }
        row.push(text(format!("={month_total}")));
        sum_rows.push(row);
    }
    let title = match lang {
        Lang::Fr => format!("Chiffre d'affaires HT par mois ({main})"),
        Lang::En => format!("Net revenue per month ({main})"),
    };
    let mut summary = sheet(
        lang.pick("CA par mois", "Revenue by month"),
        sum_cols.clone(),
        sum_rows,
    );
    summary.totals = Some(TotalsSpec {
        label: Some(lang.pick("Total", "Total").into()),
        columns: sum_cols.iter().skip(1).map(|c| c.header.clone()).collect(),
        function: TotalFunction::Sum,
    });
    summary.charts = vec![ChartSpec {
        kind: ChartKind::Bar,
        title,
        categories_column: headers[0].into(),
        values_columns: sum_cols
            .iter()
            .skip(1)
            .take(n_series)
            .map(|c| c.header.clone())
            .collect(),
        anchor: None,
    }];
    let kinds = [
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Number,
        ColumnKind::Number,
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Text,
    ];
    let data = sheet(
        data_name,
        headers.iter().zip(kinds).map(|(h, k)| col(h, k)).collect(),
        rows,
    );
    build(vec![summary, data], lang, &main)
}

/// Quotes and the invoices that bill them: one row per quote (amount invoiced and rest to
/// invoice as formulas, a status), then « Devis non facturés » listing those never billed.
pub fn quotes_workbook(quotes: &[QuoteRow], lang: Lang) -> Result<Vec<u8>, ToolError> {
    let headers = match lang {
        Lang::Fr => [
            "Devis",
            "Client",
            "Date",
            "Devise",
            "Total TTC",
            "Facturé",
            "Reste à facturer",
            "Statut",
            "Factures liées",
            "Fichier",
        ],
        Lang::En => [
            "Quote",
            "Client",
            "Date",
            "Currency",
            "Total",
            "Invoiced",
            "Left to invoice",
            "Status",
            "Invoices",
            "File",
        ],
    };
    let kinds = [
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Date,
        ColumnKind::Text,
        ColumnKind::Number,
        ColumnKind::Number,
        ColumnKind::Number,
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Text,
    ];
    let (none, part, all) = match lang {
        Lang::Fr => ("non facturé", "facturé en partie", "facturé"),
        Lang::En => ("not invoiced", "partly invoiced", "invoiced"),
    };
    let mut rows = Vec::new();
    for (i, q) in quotes.iter().enumerate() {
        let r = i + 2;
        rows.push(vec![
            opt(&q.number),
            opt(&q.client),
            opt(&q.date),
            text(
                q.currency
                    .clone()
                    .unwrap_or_else(|| unknown_currency(lang).into()),
            ),
            q.total_cents.map_or(CellValue::Null, euros),
            euros(q.invoiced_cents),
            text(format!("=E{r}-F{r}")),
            text(format!(
                "=IF(F{r}=0,\"{none}\",IF(F{r}<E{r},\"{part}\",\"{all}\"))"
            )),
            text(q.invoiced_by.join(", ")),
            text(q.file.clone()),
        ]);
    }
    let all_sheet = sheet(
        lang.pick("Devis", "Quotes"),
        headers.iter().zip(kinds).map(|(h, k)| col(h, k)).collect(),
        rows,
    );
    let pending: Vec<Vec<CellValue>> = quotes
        .iter()
        .filter(|q| q.invoiced_by.is_empty())
        .map(|q| {
            vec![
                opt(&q.number),
                opt(&q.client),
                opt(&q.date),
                text(
                    q.currency
                        .clone()
                        .unwrap_or_else(|| unknown_currency(lang).into()),
                ),
                q.total_cents.map_or(CellValue::Null, euros),
                text(q.file.clone()),
            ]
        })
        .collect();
    let p_headers = [
        headers[0], headers[1], headers[2], headers[3], headers[4], headers[9],
    ];
    let p_kinds = [
        ColumnKind::Text,
        ColumnKind::Text,
        ColumnKind::Date,
        ColumnKind::Text,
        ColumnKind::Number,
        ColumnKind::Text,
    ];
    let mut pending_sheet = sheet(
        lang.pick("Devis non facturés", "Quotes not invoiced"),
        p_headers
            .iter()
            .zip(p_kinds)
            .map(|(h, k)| col(h, k))
            .collect(),
        pending,
    );
    if quotes
        .iter()
        .map(|q| &q.currency)
        .collect::<BTreeSet<_>>()
        .len()
        <= 1
    {
        pending_sheet.totals = Some(TotalsSpec {
            label: Some(lang.pick("Total", "Total").into()),
            columns: vec![headers[4].into()],
            function: TotalFunction::Sum,
        });
    }
    let currency = one_currency(quotes.iter().map(|q| &q.currency));
    build(vec![pending_sheet, all_sheet], lang, &currency)
}

fn amount_text(cents: i64, currency: Option<&str>, lang: Lang) -> String {
    let v = cents as f64 / 100.0;
    let s = crate::offline::deliver::money(v, lang);
    match currency {
        Some("EUR") | None => s,
        Some(c) => s.replace('€', c),
    }
}

/// An ISO date as the letter's language writes it (31/01/2026 in French).
fn letter_date(iso: &str, lang: Lang) -> String {
    match (lang, iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Lang::Fr, Some(y), Some(m), Some(d)) if iso.len() == 10 => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

/// One reminder letter to a late client: polite when its most overdue invoice is at most
/// 60 days late, firmer beyond; the business's details, the invoices and amounts due.
pub fn reminder_letter(
    sender: &Sender,
    client: &str,
    rows: &[&UnpaidRow],
    as_of: &str,
    lang: Lang,
) -> DocumentSpec {
    let worst = rows.iter().map(|r| r.days_overdue).max().unwrap_or(0);
    let firm = worst > FIRM_AFTER_DAYS;
    let currency = rows.first().and_then(|r| r.currency.clone());
    let same_currency = rows.iter().all(|r| r.currency == currency);
    let total: i64 = rows.iter().map(|r| r.remaining_cents).sum();
    let me = sender
        .name
        .clone()
        .unwrap_or_else(|| lang.pick("(votre entreprise)", "(your business)").into());
    let mut blocks = Vec::new();
    let mut head = vec![format!("**{me}**")];
    head.extend(sender.lines.iter().cloned());
    blocks.push(DocBlock::Paragraph {
        text: head.join("\n"),
    });
    blocks.push(DocBlock::Paragraph {
        text: match lang {
            Lang::Fr => format!("**{client}**\n\nLe {}", letter_date(as_of, lang)),
            Lang::En => format!("**{client}**\n\n{as_of}"),
        },
    });
    let subject = match (lang, firm) {
        (Lang::Fr, false) => "Objet : rappel de facture(s) arrivée(s) à échéance",
        (Lang::Fr, true) => "Objet : relance – facture(s) impayée(s) depuis plus de 60 jours",
        (Lang::En, false) => "Subject: reminder of invoice(s) now due",
        (Lang::En, true) => "Subject: overdue invoice(s) – more than 60 days late",
    };
    blocks.push(DocBlock::Paragraph {
        text: format!("**{subject}**"),
    });
    let opening = match (lang, firm) {
        (Lang::Fr, false) => {
            "Madame, Monsieur,\n\nSauf erreur ou omission de notre part, le règlement de la ou des factures ci-dessous ne nous est pas encore parvenu. Il s'agit peut-être d'un simple oubli : nous vous remercions de bien vouloir procéder au paiement dans les meilleurs délais."
        }
        (Lang::Fr, true) => {
            "Madame, Monsieur,\n\nMalgré l'échéance dépassée de plus de 60 jours, le règlement de la ou des factures ci-dessous ne nous est toujours pas parvenu. Nous vous demandons de régler ces sommes sous huit jours à compter de la réception de ce courrier. À défaut, nous nous verrons contraints d'appliquer les pénalités de retard et l'indemnité forfaitaire de recouvrement de 40 € prévues par l'article L441-10 du Code de commerce, puis d'engager une procédure de recouvrement."
        }
        (Lang::En, false) => {
            "Dear Sir or Madam,\n\nUnless we are mistaken, we have not yet received payment of the invoice(s) below. This may be an oversight: we would be grateful if you could settle them at your earliest convenience."
        }
        (Lang::En, true) => {
            "Dear Sir or Madam,\n\nThe invoice(s) below are more than 60 days past their due date and remain unpaid. Please settle these amounts within eight days of receiving this letter. Failing that, we will apply the late-payment interest and fixed recovery costs our terms provide for, and start recovery proceedings."
        }
    };
    blocks.push(DocBlock::Paragraph {
        text: opening.into(),
    });
    let header: Vec<String> = match lang {
        Lang::Fr => [
            "Facture",
            "Échéance",
            "Jours de retard",
            "Total TTC",
            "Déjà payé",
            "Reste dû",
        ],
        Lang::En => [
            "Invoice",
            "Due date",
            "Days overdue",
            "Total",
            "Paid",
            "Amount due",
        ],
    }
    .iter()
    .map(|s| s.to_string())
    .collect();
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let c = r.currency.as_deref();
            vec![
                r.number.clone().unwrap_or_else(|| r.file.clone()),
                letter_date(r.due_date.as_deref().unwrap_or_default(), lang),
                r.days_overdue.to_string(),
                amount_text(r.total_cents, c, lang),
                amount_text(r.paid_cents, c, lang),
                amount_text(r.remaining_cents, c, lang),
            ]
        })
        .collect();
    blocks.push(DocBlock::Table {
        header,
        rows: table_rows,
    });
    if same_currency {
        blocks.push(DocBlock::Paragraph {
            text: match lang {
                Lang::Fr => format!(
                    "**Montant total restant dû : {}**",
                    amount_text(total, currency.as_deref(), lang)
                ),
                Lang::En => format!(
                    "**Total amount due: {}**",
                    amount_text(total, currency.as_deref(), lang)
                ),
            },
        });
    }
    blocks.push(DocBlock::Paragraph {
        text: lang
            .pick(
                "Si votre règlement a été effectué entre-temps, nous vous prions de ne pas tenir compte de ce courrier.\n\nNous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.",
                "If you have paid in the meantime, please disregard this letter.\n\nYours faithfully,",
            )
            .into(),
    });
    blocks.push(DocBlock::Paragraph { text: me.clone() });
    DocumentSpec {
        title: lang
            .pick(
                if firm {
                    "Relance de paiement"
                } else {
                    "Rappel de paiement"
                },
                if firm {
                    "Payment demand"
                } else {
                    "Payment reminder"
                },
            )
            .into(),
        subtitle: None,
        locale: match lang {
            Lang::Fr => commis_office::Locale::Fr,
            Lang::En => commis_office::Locale::En,
        },
        blocks,
    }
}

/// The business's details as its own invoice shows them: the lines under its name at the
/// top (activity, address, telephone), then its SIRET/VAT line and its IBAN line. At most
/// eight lines of at most 160 characters; nothing when the name is not found.
pub fn sender_lines(invoice_text: &str, name: &str) -> Vec<String> {
    let fold = |s: &str| commis_skills::text::fold_lower(s);
    let key = fold(name);
    if key.trim().is_empty() {
        return Vec::new();
    }
    let lines: Vec<&str> = invoice_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let key = key.trim().to_string();
    let is_name = |l: &str| {
        let f = fold(l);
        let f = f.trim();
        f.len() >= 4
            && (f == key || key.starts_with(&format!("{f} ")) || f.starts_with(&format!("{key} ")))
    };
    if let Some(i) = lines.iter().position(|l| is_name(l)) {
        for l in lines.iter().skip(i + 1).take(4) {
            let f = fold(l);
            if ["factur", "devis", "avoir", "client", "date"]
                .iter()
                .any(|w| f.contains(w))
            {
                break;
            }
            out.push(l.to_string());
        }
    }
    for l in &lines {
        let f = fold(l);
        if (f.contains("siret") || f.contains("iban")) && !out.iter().any(|o| o == l) {
            out.push(l.to_string());
        }
    }
    out.into_iter()
        .filter(|l| l.chars().count() <= 160)
        .take(8)
        .collect()
}

/// A file name made of a client's name (letters, digits and dashes).
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in commis_skills::text::fold_accents(s).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "client".into() } else { out }
}

/// The unpaid rows grouped per late client (at least one day overdue), most overdue first.
pub fn late_clients(report: &MoneyReport) -> Vec<(String, Vec<&UnpaidRow>)> {
    let mut by: BTreeMap<String, Vec<&UnpaidRow>> = BTreeMap::new();
    for u in report.unpaid.iter().filter(|u| u.days_overdue > 0) {
        let who = u.counterpart.clone().unwrap_or_default();
        if who.is_empty() {
            continue;
        }
        by.entry(who).or_default().push(u);
    }
    let mut out: Vec<(String, Vec<&UnpaidRow>)> = by.into_iter().collect();
    out.sort_by(|a, b| {
        let worst = |v: &[&UnpaidRow]| v.iter().map(|r| r.days_overdue).max().unwrap_or(0);
        worst(&b.1).cmp(&worst(&a.1)).then(a.0.cmp(&b.0))
    });
    out
}

/// Which money deliverables to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyDeliverable {
    Unpaid,
    Reminders,
    Vat,
    Revenue,
    Quotes,
}

/// What the money step or tool works on, already read.
pub struct MoneyInputs {
    pub invoices: Vec<LedgerEntry>,
    pub lines: Vec<Payment>,
    pub quotes: Vec<QuoteRow>,
    pub as_of: String,
    pub period: Period,
    pub sender: Sender,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct MoneyOutcome {
    pub written: Vec<String>,
    pub as_of: String,
    pub report: MoneyReport,
    pub quotes: Vec<QuoteRow>,
}

/// The file name of a deliverable.
pub fn file_name(d: MoneyDeliverable, lang: Lang) -> &'static str {
    match d {
        MoneyDeliverable::Unpaid => lang.pick("impayes.xlsx", "unpaid.xlsx"),
        MoneyDeliverable::Vat => lang.pick("tva.xlsx", "vat.xlsx"),
        MoneyDeliverable::Revenue => lang.pick("chiffre-affaires.xlsx", "revenue.xlsx"),
        MoneyDeliverable::Quotes => lang.pick("devis.xlsx", "quotes.xlsx"),
        MoneyDeliverable::Reminders => lang.pick("relances", "reminders"),
    }
}

/// Writes the `wanted` deliverables under `out` (a folder of the granted folder).
pub async fn write_money(
    ctx: &RunContext,
    inputs: &MoneyInputs,
    wanted: &[MoneyDeliverable],
    out: &str,
    overwrite: bool,
    lang: Lang,
) -> Result<MoneyOutcome, ToolError> {
    let french = lang == Lang::Fr;
    let report = money_report(
        &inputs.invoices,
        &inputs.lines,
        &inputs.as_of,
        inputs.period,
        french,
    );
    let join = |name: &str| {
        if out.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", out.trim_end_matches('/'))
        }
    };
    if !out.is_empty() {
        super::Registry::standard()
            .call(ctx, "make_dir", serde_json::json!({ "path": out }))
            .await?;
    }
    let mut written = Vec::new();
    let mut wanted = wanted.to_vec();
    wanted.sort();
    wanted.dedup();
    for d in wanted {
        let workbook = match d {
            MoneyDeliverable::Unpaid => unpaid_workbook(&report, &inputs.as_of, lang)?,
            MoneyDeliverable::Vat => vat_workbook(&inputs.invoices, inputs.period, lang)?,
            MoneyDeliverable::Revenue => revenue_workbook(&inputs.invoices, lang)?,
            MoneyDeliverable::Quotes => quotes_workbook(&inputs.quotes, lang)?,
            MoneyDeliverable::Reminders => {
                let dir = join(file_name(d, lang));
                let late = late_clients(&report);
                if !late.is_empty() {
                    super::Registry::standard()
                        .call(ctx, "make_dir", serde_json::json!({ "path": dir }))
                        .await?;
                }
                for (client, rows) in late {
                    let spec = reminder_letter(&inputs.sender, &client, &rows, &inputs.as_of, lang);
                    let bytes = commis_office::build_docx(&spec)
                        .map_err(|e| ToolError::Failed(e.to_string()))?;
                    let path = format!(
                        "{dir}/{}-{}.docx",
                        lang.pick("relance", "reminder"),
                        slug(&client)
                    );
                    write_bytes(ctx, &path, &bytes, overwrite).await?;
                    written.push(path);
                }
                continue;
            }
        };
        let path = join(file_name(d, lang));
        write_bytes(ctx, &path, &workbook, overwrite).await?;
        written.push(path);
    }
    Ok(MoneyOutcome {
        written,
        as_of: inputs.as_of.clone(),
        report,
        quotes: inputs.quotes.clone(),
    })
}

/// Folds a number for comparison: upper case, letters and digits only.
fn fold_number(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Links each quote to the invoices whose text names its number. `invoice_texts` holds
/// (invoice number or file, total in cents, text).
pub fn link_quotes(quotes: &mut [QuoteRow], invoice_texts: &[(String, Option<i64>, String)]) {
    for q in quotes.iter_mut() {
        let Some(n) = q
            .number
            .as_deref()
            .map(fold_number)
            .filter(|n| n.len() >= 4)
        else {
            continue;
        };
        for (inv, total, t) in invoice_texts {
            if fold_number(t).contains(&n) && !q.invoiced_by.contains(inv) {
                q.invoiced_by.push(inv.clone());
                q.invoiced_cents += total.unwrap_or(0);
            }
        }
    }
}

/// A quote file read: its number, client, date and total from its text.
pub fn quote_of(path: &str, doc: &commis_docs::Document, business: &Business) -> QuoteRow {
    let t = doc.plain_text();
    let f = commis_skills::extract_invoice(&t);
    let client = f.client.filter(|c| !business.is_us(Some(c), None));
    QuoteRow {
        file: path.into(),
        number: f.number,
        client,
        date: f.date,
        currency: f.currency,
        total_cents: f.total.map(|a| (a.value * 100.0).round() as i64),
        invoiced_by: Vec::new(),
        invoiced_cents: 0,
    }
}

#[derive(Deserialize)]
struct MoneyDeliverablesInput {
    /// Which deliverables: unpaid, reminders, vat, revenue, quotes.
    deliverables: Vec<MoneyDeliverable>,
    #[serde(default)]
    invoices: Vec<String>,
    #[serde(default)]
    statements: Vec<String>,
    #[serde(default)]
    quotes: Vec<String>,
    #[serde(default)]
    business: Option<String>,
    #[serde(default)]
    vat_number: Option<String>,
    /// Lines under the business's name in reminder letters (address, SIRET...).
    #[serde(default)]
    business_details: Vec<String>,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    period: Option<String>,
    /// Folder the files are written into (default: the granted folder's root).
    #[serde(default)]
    output_dir: Option<String>,
    #[serde(default)]
    overwrite: bool,
}

/// The typed invoices, the bank lines and the quotes of a money request.
pub type MoneyFiles = (Vec<LedgerEntry>, Vec<Payment>, Vec<QuoteRow>);

/// Reads the files of a money request through the workspace.
pub fn read_inputs(
    ctx: &RunContext,
    invoices: &[String],
    statements: &[String],
    quotes: &[String],
    business: &Business,
) -> Result<MoneyFiles, ToolError> {
    let mut entries = Vec::new();
    let mut texts = Vec::new();
    for path in invoices {
        let doc = read_document_text(ctx, path)?;
        let e = invoice_of(path, &doc, business);
        if e.doc_type == DocType::Invoice {
            texts.push((
                e.number.clone().unwrap_or_else(|| path.clone()),
                e.total_cents,
                doc.plain_text(),
            ));
        }
        entries.push(e);
    }
    let mut lines = Vec::new();
    for path in statements {
        let doc = read_document_text(ctx, path)?;
        if doc.transactions.is_empty() {
            return Err(ToolError::NoStatementLines { path: path.clone() });
        }
        lines.extend(payments_of(&doc));
    }
    let mut rows = Vec::new();
    for path in quotes {
        let doc = read_document_text(ctx, path)?;
        rows.push(quote_of(path, &doc, business));
    }
    link_quotes(&mut rows, &texts);
    Ok((entries, lines, rows))
}

struct MoneyDeliverables;

#[async_trait]
impl Tool for MoneyDeliverables {
    fn name(&self) -> &'static str {
        "money_deliverables"
    }
    fn description(&self) -> &'static str {
        "Writes money deliverables from invoice, bank statement and quote files, with live formulas: \"unpaid\" (impayes.xlsx: each sale not fully paid with due date, days overdue, amount due, matched payments, and an ageing sheet 0-30/31-60/61-90/>90 days), \"vat\" (tva.xlsx: collected VAT on sales and deductible VAT on purchases per month or quarter and rate), \"revenue\" (chiffre-affaires.xlsx: net revenue per month and client with a chart), \"quotes\" (devis.xlsx: each quote with the invoices that bill it, and the quotes not invoiced), \"reminders\" (one .docx reminder letter per late client, polite then firm past 60 days; written, never sent). Overdue days are counted at as_of (default: the last bank line's date)."
    }
    fn input_schema(&self) -> Value {
        serde_json::json!({
            "type": "object",
            "properties": {
                "deliverables": {"type": "array", "items": {"type": "string", "enum": ["unpaid", "reminders", "vat", "revenue", "quotes"]}},
                "invoices": {"type": "array", "items": {"type": "string"}, "description": "Invoice and credit-note files (sales and purchases)"},
                "statements": {"type": "array", "items": {"type": "string"}, "description": "Bank statement files: CSV export, OFX, MT940, CAMT.053"},
                "quotes": {"type": "array", "items": {"type": "string"}, "description": "Quote files"},
                "business": {"type": "string", "description": "The business's own name: invoices it issued are sales"},
                "vat_number": {"type": "string"},
                "business_details": {"type": "array", "items": {"type": "string"}, "description": "Lines under the business's name in letters (address, SIRET, IBAN)"},
                "as_of": {"type": "string", "description": "YYYY-MM-DD"},
                "period": {"type": "string", "enum": ["month", "quarter"]},
                "output_dir": {"type": "string"},
                "overwrite": {"type": "boolean"}
            },
            "required": ["deliverables"]
        })
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let input: MoneyDeliverablesInput = parse_input(self.name(), input)?;
        let business = Business {
            name: input.business.clone(),
            siret: None,
            vat_id: input.vat_number.clone(),
        };
        let (invoices, lines, quotes) = read_inputs(
            ctx,
            &input.invoices,
            &input.statements,
            &input.quotes,
            &business,
        )?;
        let needs_bank = input
            .deliverables
            .iter()
            .any(|d| matches!(d, MoneyDeliverable::Unpaid | MoneyDeliverable::Reminders));
        if needs_bank && lines.is_empty() {
            return Err(ToolError::InvalidInput {
                tool: self.name().into(),
                reason: "unpaid invoices and reminders need at least one bank statement".into(),
            });
        }
        let as_of = input
            .as_of
            .clone()
            .or_else(|| lines.iter().map(|l| l.date.clone()).max())
            .unwrap_or_else(|| "2100-01-01".into());
        let inputs = MoneyInputs {
            invoices,
            lines,
            quotes,
            as_of,
            period: if input.period.as_deref() == Some("quarter") {
                Period::Quarter
            } else {
                Period::Month
            },
            sender: Sender {
                name: input.business.clone(),
                lines: input.business_details.clone(),
            },
        };
        let out = write_money(
            ctx,
            &inputs,
            &input.deliverables,
            input.output_dir.as_deref().unwrap_or(""),
            input.overwrite,
            ctx.lang,
        )
        .await?;
        serde_json::to_value(&out).map_err(|e| ToolError::Failed(e.to_string()))
    }
}
