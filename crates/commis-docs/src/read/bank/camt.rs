//! ISO 20022 cash management messages: CAMT.053 (statement), CAMT.052 (intraday
//! report) and CAMT.054 (debit/credit notification), versions 001.02 to 001.08.

use super::{Dec, one_line, parse_decimal, yyyymmdd_prefix};
use crate::error::DocError;
use crate::model::{BankStatement, BankTransaction, Document};
use crate::xml::Element;

/// The message kind when `root` is a CAMT document, from its first element.
pub(crate) fn message_kind(root: &Element) -> Option<(&'static str, &Element)> {
    if root.name != "Document" {
        return None;
    }
    let body = root.elements().next()?;
    let kind = match body.name.as_str() {
        "BkToCstmrStmt" => "camt.053",
        "BkToCstmrAcctRpt" => "camt.052",
        "BkToCstmrDbtCdtNtfctn" => "camt.054",
        _ => return None,
    };
    Some((kind, body))
}

fn text_of(e: Option<&Element>) -> Option<String> {
    e.map(|e| one_line(&e.text())).filter(|s| !s.is_empty())
}

fn date_of(e: Option<&Element>) -> Option<String> {
    let e = e?;
    let inner = e.child("Dt").or_else(|| e.child("DtTm")).unwrap_or(e);
    yyyymmdd_prefix(&inner.text())
}

fn signed_amount(entry: &Element) -> Option<(Dec, Option<String>)> {
    let amt = entry.child("Amt")?;
    let value = parse_decimal(&amt.text(), false)?;
    let ccy = amt.attr("Ccy").map(str::to_string);
    let debit = entry
        .child("CdtDbtInd")
        .is_some_and(|c| c.text().trim() == "DBIT");
    Some((if debit { value.neg() } else { value }, ccy))
}

fn account_of(stmt: &Element) -> Option<String> {
    let id = stmt.child("Acct")?.child("Id")?;
    text_of(id.child("IBAN")).or_else(|| text_of(id.child("Othr").and_then(|o| o.child("Id"))))
}

/// Reads the statements of a CAMT message into `doc`.
pub(crate) fn read_into(kind: &str, body: &Element, doc: &mut Document) -> Result<(), DocError> {
    let record_name = match kind {
        "camt.053" => "Stmt",
        "camt.052" => "Rpt",
        _ => "Ntfctn",
    };
    for stmt in body.children_named(record_name) {
        let mut st = BankStatement {
            source: kind.to_string(),
            account: account_of(stmt),
            currency: text_of(stmt.child("Acct").and_then(|a| a.child("Ccy"))),
            ..BankStatement::default()
        };
        if let Some(fr) = stmt.child("FrToDt") {
            st.period_start = fr
                .child("FrDtTm")
                .or_else(|| fr.child("FrDt"))
                .and_then(|d| yyyymmdd_prefix(&d.text()));
            st.period_end = fr
                .child("ToDtTm")
                .or_else(|| fr.child("ToDt"))
                .and_then(|d| yyyymmdd_prefix(&d.text()));
        }
        for bal in stmt.children_named("Bal") {
            let code = bal
                .child("Tp")
                .and_then(|t| t.child("CdOrPrtry"))
                .and_then(|c| c.child("Cd"))
                .map(|c| c.text().trim().to_string())
                .unwrap_or_default();
            let Some((amount, ccy)) = signed_amount(bal) else {
                continue;
            };
            let date = date_of(bal.child("Dt"));
            match code.as_str() {
                "OPBD" | "PRCD" if st.opening_balance.is_none() => {
                    st.opening_balance = Some(amount.to_text());
                    if st.period_start.is_none() {
                        st.period_start = date;
                    }
                    if st.currency.is_none() {
                        st.currency = ccy;
                    }
                }
                "CLBD" => {
                    st.closing_balance = Some(amount.to_text());
                    if st.period_end.is_none() {
                        st.period_end = date;
                    }
                    if st.currency.is_none() {
                        st.currency = ccy;
                    }
                }
                _ => {}
            }
        }
        let mut undated = 0usize;
        for entry in stmt.children_named("Ntry") {
            let Some((amount, ccy)) = signed_amount(entry) else {
                doc.warnings
                    .push("an entry without a readable amount was skipped".to_string());
                continue;
            };
            let booking = date_of(entry.child("BookgDt"));
            let value_date = date_of(entry.child("ValDt"));
            let fallback = st
                .period_end
                .clone()
                .or_else(|| date_of(stmt.child("CreDtTm")));
            let Some(date) = booking.clone().or(value_date.clone()).or_else(|| {
                undated += 1;
                fallback
            }) else {
                doc.warnings
                    .push("an entry without a booking or value date was skipped".to_string());
                continue;
            };
            let details: Vec<&Element> = entry
                .children_named("NtryDtls")
                .flat_map(|d| d.children_named("TxDtls"))
                .collect();
            let debit = amount.units < 0;
            let mut labels: Vec<String> = Vec::new();
            let mut reference = None;
            let mut counterparty = None;
            for tx in &details {
                if let Some(rmt) = tx.child("RmtInf") {
                    for u in rmt.children_named("Ustrd") {
                        if let Some(t) = text_of(Some(u)).filter(|t| t != "NOTPROVIDED") {
                            labels.push(t);
                        }
                    }
                    if reference.is_none() {
                        reference = rmt
                            .children_named("Strd")
                            .filter_map(|s| {
                                text_of(s.child("CdtrRefInf").and_then(|c| c.child("Ref")))
                            })
                            .next();
                    }
                }
                if reference.is_none() {
                    reference = text_of(tx.child("Refs").and_then(|r| r.child("EndToEndId")))
                        .filter(|r| !r.eq_ignore_ascii_case("NOTPROVIDED"));
                }
                if counterparty.is_none()
                    && let Some(parties) = tx.child("RltdPties")
                {
                    let (first, second) = if debit {
                        ("Cdtr", "Dbtr")
                    } else {
                        ("Dbtr", "Cdtr")
                    };
                    let name_of = |role: &str| {
                        parties.child(role).and_then(|p| {
                            text_of(p.child("Nm"))
                                .or_else(|| text_of(p.child("Pty").and_then(|x| x.child("Nm"))))
                        })
                    };
                    // The other side of the payment; our own name is on `second`.
                    let _ = second;
                    counterparty = name_of(first);
                }
            }
            if labels.is_empty()
                && let Some(info) = text_of(entry.child("AddtlNtryInf"))
            {
                labels.push(info);
            }
            if reference.is_none() {
                reference = text_of(entry.child("AcctSvcrRef"))
                    .filter(|r| !r.eq_ignore_ascii_case("NOTPROVIDED"));
            }
            let mut label = labels.join(" ");
            if label.is_empty() {
                label = counterparty.clone().unwrap_or_default();
            }
            st.transaction_count += 1;
            doc.transactions.push(BankTransaction {
                date,
                value_date: value_date.filter(|v| Some(v) != booking.as_ref()),
                amount: amount.to_text(),
                currency: ccy.or(st.currency.clone()),
                label,
                reference,
                counterparty,
                account: st.account.clone(),
            });
        }
        if undated > 0 {
            doc.warnings.push(format!(
                "{undated} entr(y/ies) of {} have no booking date: the statement's date is used",
                st.account.as_deref().unwrap_or("the statement")
            ));
        }
        doc.statements.push(st);
    }
    if doc.statements.is_empty() {
        return Err(DocError::corrupt(
            kind,
            format!("the message holds no {record_name} record"),
        ));
    }
    doc.title = doc
        .statements
        .first()
        .and_then(|s| s.account.as_ref())
        .map(|a| format!("Bank statement {a}"));
    Ok(())
}
