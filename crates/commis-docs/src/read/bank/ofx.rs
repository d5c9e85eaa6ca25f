//! OFX / QFX bank and credit-card statements, in both the SGML form of OFX 1.x (leaf
//! elements without end tags) and the XML form of OFX 2.x.

use super::{Dec, one_line, parse_decimal, yyyymmdd_prefix};
use crate::error::DocError;
use crate::model::{BankStatement, BankTransaction, BlockKind, Document, Format, Place};
use crate::textdecode;

/// Whether text is an OFX file: the SGML header or an `<OFX>` element near the start.
pub(crate) fn looks_like_ofx(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_uppercase();
    head.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with("OFXHEADER")
        || head.contains("<?OFX ")
        || head.contains("<OFX>")
}

/// One `<TAG>` in file order, with the text that follows it up to the next tag.
enum Token {
    Open(String, String),
    Close(String),
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = match text.find('<') {
        Some(i) => &text[i..],
        None => return out,
    };
    while let Some(stripped) = rest.strip_prefix('<') {
        let Some(end) = stripped.find('>') else {
            break;
        };
        let tag = stripped[..end].trim();
        let after = &stripped[end + 1..];
        let next = after.find('<').unwrap_or(after.len());
        let value = decode_entities(after[..next].trim());
        if let Some(name) = tag.strip_prefix('/') {
            out.push(Token::Close(name.trim().to_ascii_uppercase()));
        } else if !tag.starts_with('?') && !tag.starts_with('!') {
            let name = tag
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches('/')
                .to_ascii_uppercase();
            out.push(Token::Open(name, value));
        }
        rest = &after[next..];
    }
    out
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[derive(Default)]
struct TxDraft {
    date: Option<String>,
    user_date: Option<String>,
    amount: Option<Dec>,
    amount_raw: Option<String>,
    name: Option<String>,
    memo: Option<String>,
    fitid: Option<String>,
    refnum: Option<String>,
    checknum: Option<String>,
    currency: Option<String>,
}

pub(crate) fn read(bytes: &[u8]) -> Result<Document, DocError> {
    let mut doc = Document::new(Format::Ofx);
    let decoded = textdecode::decode(bytes);
    doc.metadata.encoding = Some(decoded.encoding.to_string());
    let toks = tokens(&decoded.text);
    if !toks
        .iter()
        .any(|t| matches!(t, Token::Open(n, _) if n == "OFX"))
    {
        return Err(DocError::corrupt("OFX", "no <OFX> element"));
    }
    let mut stack: Vec<String> = Vec::new();
    let mut statement: Option<BankStatement> = None;
    let mut tx: Option<TxDraft> = None;
    let mut discarded = 0usize;
    let mut status_error: Option<String> = None;
    let mut in_ledger = false;
    let mut in_acct = false;
    for t in &toks {
        match t {
            Token::Open(name, value) if value.is_empty() => {
                match name.as_str() {
                    "STMTRS" | "CCSTMTRS" => {
                        statement = Some(BankStatement {
                            source: "ofx".to_string(),
                            ..BankStatement::default()
                        });
                    }
                    "STMTTRN" => tx = Some(TxDraft::default()),
                    "LEDGERBAL" => in_ledger = true,
                    "BANKACCTFROM" | "CCACCTFROM" => in_acct = true,
                    _ => {}
                }
                stack.push(name.clone());
            }
            Token::Open(name, value) => {
                // A leaf: SGML leaves have no end tag; XML ones get a Close we ignore.
                if let Some(d) = tx.as_mut() {
                    match name.as_str() {
                        "DTPOSTED" => d.date = yyyymmdd_prefix(value),
                        "DTUSER" => d.user_date = yyyymmdd_prefix(value),
                        "TRNAMT" => {
                            d.amount_raw = Some(value.clone());
                            d.amount =
                                parse_decimal(value, value.contains(',') && !value.contains('.'));
                        }
                        "NAME" | "PAYEE" => d.name = Some(one_line(value)),
                        "MEMO" => d.memo = Some(one_line(value)),
                        "FITID" => d.fitid = Some(value.clone()),
                        "REFNUM" => d.refnum = Some(value.clone()),
                        "CHECKNUM" => d.checknum = Some(value.clone()),
                        "CURSYM" => d.currency = Some(value.clone()),
                        _ => {}
                    }
                } else if let Some(st) = statement.as_mut() {
                    match name.as_str() {
                        "CURDEF" => st.currency = Some(value.clone()),
                        "ACCTID" if in_acct => st.account = Some(value.clone()),
                        "DTSTART" => st.period_start = yyyymmdd_prefix(value),
                        "DTEND" => st.period_end = yyyymmdd_prefix(value),
                        "BALAMT" if in_ledger => {
                            st.closing_balance =
                                parse_decimal(value, value.contains(',') && !value.contains('.'))
                                    .map(Dec::to_text);
                        }
                        _ => {}
                    }
                } else if name == "SEVERITY" && value.eq_ignore_ascii_case("ERROR") {
                    status_error = Some("the bank's server reported an error".to_string());
                } else if name == "MESSAGE" && status_error.is_some() {
                    status_error = Some(format!("the bank's server reported: {value}"));
                }
            }
            Token::Close(name) => {
                if let Some(pos) = stack.iter().rposition(|n| n == name) {
                    stack.truncate(pos);
                }
                match name.as_str() {
                    "STMTTRN" => {
                        if let Some(d) = tx.take() {
                            match finish(d, statement.as_ref()) {
                                Some(t) => {
                                    if let Some(st) = statement.as_mut() {
                                        st.transaction_count += 1;
                                    }
                                    doc.transactions.push(t);
                                }
                                None => discarded += 1,
                            }
                        }
                    }
                    "LEDGERBAL" => in_ledger = false,
                    "BANKACCTFROM" | "CCACCTFROM" => in_acct = false,
                    "STMTRS" | "CCSTMTRS" => {
                        if let Some(st) = statement.take() {
                            // Lines read before the account was known get it now.
                            let n = st.transaction_count;
                            let len = doc.transactions.len();
                            for t in &mut doc.transactions[len - n..] {
                                t.account = t.account.take().or(st.account.clone());
                                t.currency = t.currency.take().or(st.currency.clone());
                            }
                            doc.statements.push(st);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(st) = statement.take() {
        doc.statements.push(st);
    }
    if discarded > 0 {
        doc.warnings.push(format!(
            "{discarded} transaction(s) without a valid date or amount were skipped"
        ));
    }
    if let Some(e) = status_error
        && doc.statements.is_empty()
    {
        doc.warnings.push(e);
    }
    doc.title = doc
        .statements
        .first()
        .and_then(|s| s.account.as_ref())
        .map(|a| format!("Bank statement {a}"));
    doc.push_block(
        BlockKind::Paragraph,
        super::mt940::statement_text(&doc),
        Place::default(),
    );
    Ok(doc)
}

fn finish(d: TxDraft, st: Option<&BankStatement>) -> Option<BankTransaction> {
    let date = d.date.or(d.user_date)?;
    let amount = d.amount?;
    let _ = d.amount_raw;
    let label = match (&d.name, &d.memo) {
        (Some(n), Some(m)) if m.contains(n.as_str()) => m.clone(),
        (Some(n), Some(m)) if !m.is_empty() => format!("{n} {m}"),
        (Some(n), _) => n.clone(),
        (None, Some(m)) => m.clone(),
        (None, None) => String::new(),
    };
    Some(BankTransaction {
        date,
        value_date: None,
        amount: amount.to_text(),
        currency: d.currency.or_else(|| st.and_then(|s| s.currency.clone())),
        label,
        reference: d.refnum.or(d.checknum.filter(|c| c != "0")).or(d.fitid),
        counterparty: d.name,
        account: st.and_then(|s| s.account.clone()),
    })
}
