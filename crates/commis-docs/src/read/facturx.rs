//! Factur-X / ZUGFeRD: the invoice XML embedded in a hybrid invoice PDF, parsed into
//! invoice fields. Handles CII D16B (Factur-X, ZUGFeRD 2.x, XRechnung CII), the
//! older ZUGFeRD 1.0 `CrossIndustryDocument`, and UBL 2.1 invoices (Peppol,
//! XRechnung UBL, Odoo's embedded UBL).

use crate::limits::Limits;
use crate::model::{InvoiceData, InvoiceLine};
use crate::xml::{self, Element};

/// Names under which the standards store the invoice XML.
pub(super) fn is_invoice_xml_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "factur-x.xml"
            | "zugferd-invoice.xml"
            | "zugferd_invoice.xml"
            | "xrechnung.xml"
            | "order-x.xml"
    )
}

/// Parses CII or UBL invoice XML; `None` when it is neither.
pub(super) fn parse_invoice_xml(name: &str, raw: &str, limits: &Limits) -> Option<InvoiceData> {
    let root = xml::parse(raw, limits.max_depth).ok()?;
    match root.name.as_str() {
        "CrossIndustryInvoice" | "CrossIndustryDocument" => parse_cii(name, raw, &root),
        "Invoice" | "CreditNote" => parse_ubl(name, raw, &root),
        _ => None,
    }
}

fn parse_cii(name: &str, raw: &str, root: &Element) -> Option<InvoiceData> {
    let text = |e: Option<&Element>| {
        e.map(|e| e.text().trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut inv = InvoiceData {
        xml_name: name.to_string(),
        raw_xml: raw.to_string(),
        ..InvoiceData::default()
    };
    let context = root
        .child("ExchangedDocumentContext")
        .or_else(|| root.child("SpecifiedExchangedDocumentContext"));
    inv.profile = text(
        context
            .and_then(|c| c.child("GuidelineSpecifiedDocumentContextParameter"))
            .and_then(|g| g.child("ID")),
    );
    let header = root
        .child("ExchangedDocument")
        .or_else(|| root.child("HeaderExchangedDocument"));
    if let Some(h) = header {
        inv.invoice_number = text(h.child("ID"));
        inv.type_code = text(h.child("TypeCode"));
        inv.issue_date = h.child("IssueDateTime").and_then(date_of);
    }
    let tx = root
        .child("SupplyChainTradeTransaction")
        .or_else(|| root.child("SpecifiedSupplyChainTradeTransaction"))?;
    let agreement = tx
        .child("ApplicableHeaderTradeAgreement")
        .or_else(|| tx.child("ApplicableSupplyChainTradeAgreement"));
    if let Some(a) = agreement {
        if let Some(seller) = a.child("SellerTradeParty") {
            inv.seller_name = text(seller.child("Name"));
            for reg in seller.children_named("SpecifiedTaxRegistration") {
                let id = reg.child("ID");
                match id.and_then(|i| i.attr("schemeID")) {
                    Some("VA") if inv.seller_vat_id.is_none() => inv.seller_vat_id = text(id),
                    Some("FC") if inv.seller_tax_id.is_none() => inv.seller_tax_id = text(id),
                    _ => {}
                }
            }
        }
        inv.buyer_name = text(a.child("BuyerTradeParty").and_then(|b| b.child("Name")));
    }
    let settlement = tx
        .child("ApplicableHeaderTradeSettlement")
        .or_else(|| tx.child("ApplicableSupplyChainTradeSettlement"));
    if let Some(s) = settlement {
        inv.currency = text(s.child("InvoiceCurrencyCode"));
        inv.due_date = s
            .child("SpecifiedTradePaymentTerms")
            .and_then(|t| t.child("DueDateDateTime"))
            .and_then(date_of);
        let sum = s
            .child("SpecifiedTradeSettlementHeaderMonetarySummation")
            .or_else(|| s.child("SpecifiedTradeSettlementMonetarySummation"));
        if let Some(sum) = sum {
            let amount = |name: &str| {
                let all: Vec<&Element> = sum.children_named(name).collect();
                // Tax may be given twice (invoice and accounting currency): prefer the invoice's.
                let chosen = all
                    .iter()
                    .find(|e| {
                        inv.currency.is_some() && e.attr("currencyID") == inv.currency.as_deref()
                    })
                    .or_else(|| all.first());
                text(chosen.copied())
            };
            inv.line_total = amount("LineTotalAmount");
            inv.net_total = amount("TaxBasisTotalAmount");
            inv.tax_total = amount("TaxTotalAmount");
            inv.grand_total = amount("GrandTotalAmount");
            inv.due_amount = amount("DuePayableAmount");
        }
    }
    for item in tx.children_named("IncludedSupplyChainTradeLineItem") {
        let price = item
            .find("NetPriceProductTradePrice")
            .and_then(|p| p.child("ChargeAmount"));
        let line = InvoiceLine {
            id: text(item.find("LineID")),
            name: text(
                item.find("SpecifiedTradeProduct")
                    .and_then(|p| p.child("Name")),
            ),
            quantity: text(item.find("BilledQuantity")),
            unit_price: text(price),
            net_amount: text(item.find("LineTotalAmount")),
            tax_rate: text(
                item.find("RateApplicablePercent")
                    .or_else(|| item.find("ApplicablePercent")),
            ),
        };
        inv.lines.push(line);
    }
    Some(inv)
}

/// `<DateTimeString format="102">20241115</DateTimeString>` to "2024-11-15".
fn date_of(el: &Element) -> Option<String> {
    let s = el.find("DateTimeString").unwrap_or(el).text();
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]))
    } else if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

/// UBL 2.1 `Invoice` / `CreditNote`.
fn parse_ubl(name: &str, raw: &str, root: &Element) -> Option<InvoiceData> {
    let text = |e: Option<&Element>| {
        e.map(|e| e.text().trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let party_name = |party: Option<&Element>| {
        let party = party?.child("Party")?;
        text(party.child("PartyName").and_then(|p| p.child("Name"))).or_else(|| {
            text(
                party
                    .child("PartyLegalEntity")
                    .and_then(|p| p.child("RegistrationName")),
            )
        })
    };
    let mut inv = InvoiceData {
        xml_name: name.to_string(),
        raw_xml: raw.to_string(),
        ..InvoiceData::default()
    };
    inv.profile = text(root.child("CustomizationID"));
    inv.invoice_number = text(root.child("ID"));
    inv.type_code = text(
        root.child("InvoiceTypeCode")
            .or_else(|| root.child("CreditNoteTypeCode")),
    );
    inv.issue_date = text(root.child("IssueDate"));
    inv.due_date = text(root.child("DueDate")).or_else(|| {
        text(
            root.child("PaymentMeans")
                .and_then(|p| p.child("PaymentDueDate")),
        )
    });
    inv.currency = text(root.child("DocumentCurrencyCode"));
    let supplier = root.child("AccountingSupplierParty");
    inv.seller_name = party_name(supplier);
    if let Some(party) = supplier.and_then(|s| s.child("Party")) {
        for scheme in party.children_named("PartyTaxScheme") {
            let id = text(scheme.child("CompanyID"));
            let is_vat =
                scheme.path(&["TaxScheme", "ID"]).map(|e| e.text()) == Some("VAT".to_string());
            if is_vat && inv.seller_vat_id.is_none() {
                inv.seller_vat_id = id;
            } else if inv.seller_tax_id.is_none() {
                inv.seller_tax_id = id;
            }
        }
    }
    inv.buyer_name = party_name(root.child("AccountingCustomerParty"));
    if let Some(total) = root.child("LegalMonetaryTotal") {
        inv.line_total = text(total.child("LineExtensionAmount"));
        inv.net_total = text(total.child("TaxExclusiveAmount"));
        inv.grand_total = text(total.child("TaxInclusiveAmount"));
        inv.due_amount = text(total.child("PayableAmount"));
    }
    inv.tax_total = text(root.child("TaxTotal").and_then(|t| t.child("TaxAmount")));
    for line in root
        .elements()
        .filter(|e| e.name == "InvoiceLine" || e.name == "CreditNoteLine")
    {
        inv.lines.push(InvoiceLine {
            id: text(line.child("ID")),
            name: text(line.child("Item").and_then(|i| i.child("Name"))),
            quantity: text(
                line.child("InvoicedQuantity")
                    .or_else(|| line.child("CreditedQuantity")),
            ),
            unit_price: text(line.child("Price").and_then(|p| p.child("PriceAmount"))),
            net_amount: text(line.child("LineExtensionAmount")),
            tax_rate: text(
                line.child("Item")
                    .and_then(|i| i.find("ClassifiedTaxCategory"))
                    .and_then(|c| c.child("Percent")),
            ),
        });
    }
    Some(inv)
}
