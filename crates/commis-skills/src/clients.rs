//! Which client each document belongs to: the counterpart of the business, not the business.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::classify::{DocKind, doc_type};
use crate::entities::{PartyRole, display_name, find_companies, normalize_company};
use crate::text::{describe_location, fold_lower};

/// One document to assign: its id (usually the path), file name, extracted text and, if known, its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocInput {
    /// Caller's identifier, echoed back (usually the relative path).
    pub id: String,
    /// File name, used as a cue ("facture lefevre mars.pdf").
    pub file_name: String,
    /// Extracted text.
    pub text: String,
    /// Document type when already classified; classified here when `None`.
    pub kind: Option<DocKind>,
}

/// The client of one document, with how sure we are and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientAssignment {
    /// The document's id, as given.
    pub id: String,
    /// Display name of the client, `None` when the document has no single client.
    pub client: Option<String>,
    /// Canonical key of the client (see [`normalize_company`]); empty when no client.
    pub key: String,
    /// 0 to 1; below 0.6 the planner should ask instead of deciding.
    pub confidence: f32,
    /// Why, in English, quoting the document ("« Facturé à : SARL Dupont » on line 12").
    pub reason: String,
    /// The same reason in French.
    pub reason_fr: String,
    /// True when confidence is below 0.6.
    pub needs_review: bool,
}

/// Kinds that are about several clients or none: they are not filed under one client.
fn is_multi_client(kind: DocKind) -> bool {
    matches!(
        kind,
        DocKind::DataExport
            | DocKind::BankStatement
            | DocKind::Spreadsheet
            | DocKind::MeetingTranscript
            | DocKind::MeetingNotes
            | DocKind::Image
            | DocKind::Presentation
            | DocKind::Report
    )
}

/// Words too common in client names to identify one on their own.
const GENERIC: &[&str] = &[
    "hotel",
    "mairie",
    "garage",
    "boulangerie",
    "cabinet",
    "societe",
    "restaurant",
    "pharmacie",
    "saint",
    "sainte",
    "batiment",
    "services",
    "service",
    "group",
    "groupe",
    "france",
    "associes",
    "conseil",
    "immobilier",
    "atelier",
    "entreprise",
    "company",
    "international",
    "trading",
    "solutions",
    "holding",
    "industries",
    "agence",
    "bureau",
    "maison",
    "commerce",
    "sarl",
    "sas",
];

/// A client seen in the documents, with its spellings.
#[derive(Debug, Clone)]
struct Cluster {
    key: String,
    variants: Vec<String>,
}

impl Cluster {
    fn distinctive_tokens(&self) -> Vec<String> {
        let toks: Vec<String> = self
            .key
            .split(' ')
            .filter(|t| t.len() >= 4 && !GENERIC.contains(t))
            .map(str::to_string)
            .collect();
        if toks.is_empty() {
            self.key
                .split(' ')
                .filter(|t| t.len() >= 3)
                .map(str::to_string)
                .collect()
        } else {
            toks
        }
    }
}

fn tokens(key: &str) -> HashSet<&str> {
    key.split(' ').filter(|t| !t.is_empty()).collect()
}

/// Whether `small`'s words are all in `big` and at least one of them is distinctive.
fn key_within(small: &str, big: &str) -> bool {
    let (s, b) = (tokens(small), tokens(big));
    !s.is_empty() && s.is_subset(&b) && s.iter().any(|t| t.len() >= 4 && !GENERIC.contains(t))
}

fn merge_keys(keys: &[(String, String)]) -> Vec<Cluster> {
    // Longest keys first, so short variants ("dupont") join the full name ("dupont batiment").
    let mut sorted: Vec<&(String, String)> = keys.iter().collect();
    sorted.sort_by_key(|(k, _)| std::cmp::Reverse(tokens(k).len()));
    let mut clusters: Vec<Cluster> = Vec::new();
    for (k, name) in sorted {
        let containing: Vec<usize> = clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| c.key == *k || key_within(k, &c.key))
            .map(|(i, _)| i)
            .collect();
        // A short name that fits two clients ("Dupont" for "Dupont Bâtiment" and "Dupont Plomberie") stays apart.
        if containing.len() == 1 {
            clusters[containing[0]].variants.push(name.clone());
        } else if containing.is_empty() {
            clusters.push(Cluster {
                key: k.clone(),
                variants: vec![name.clone()],
            });
        }
    }
    clusters
}

/// Finds the business itself: the company named in the most documents (as issuer, by legal
/// form or by e-mail domain), when it appears in at least two documents and at least a third of them.
pub fn detect_own_company(docs: &[DocInput]) -> Option<String> {
    let mut doc_count: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    let mut with_mentions = 0;
    for d in docs {
        let mentions = find_companies(&d.text);
        if mentions.is_empty() {
            continue;
        }
        with_mentions += 1;
        let mut seen: HashSet<String> = HashSet::new();
        for m in mentions.iter().filter(|m| m.role != PartyRole::Client) {
            if seen.insert(m.key.clone()) {
                let e = doc_count.entry(m.key.clone()).or_insert((0, vec![]));
                e.0 += 1;
                if m.cue != "e-mail domain" {
                    e.1.push(m.name.clone());
                }
            }
        }
    }
    let (key, (n, names)) = doc_count
        .into_iter()
        .max_by_key(|(k, (n, _))| (*n, std::cmp::Reverse(k.clone())))?;
    if n >= 2 && n * 3 >= with_mentions {
        Some(if names.is_empty() {
            key
        } else {
            display_name(&names)
        })
    } else {
        None
    }
}

/// Assigns each document to a client, clustering name variants ("SARL Dupont", "DUPONT",
/// "Dupont Bâtiment") into one client.
///
/// The client is the counterpart of the business: `own_company` when given, else the company
/// named in most documents (see [`detect_own_company`]), is never a client. Suppliers (issuers of
/// invoices addressed to the business) are not clients either. Cues, strongest first: a client
/// label in the document ("Facturé à", "Bill to", "Client :"), a known client in the file name,
/// a known client named in the text. Exports, bank statements and meeting records get no client.
/// Confidence below 0.6 means the planner should ask.
pub fn assign_clients(docs: &[DocInput], own_company: Option<&str>) -> Vec<ClientAssignment> {
    let own_name = own_company
        .map(str::to_string)
        .or_else(|| detect_own_company(docs));
    let own_key = own_name
        .as_deref()
        .map(normalize_company)
        .unwrap_or_default();
    let is_own = |k: &str| {
        !own_key.is_empty() && (k == own_key || key_within(&own_key, k) || key_within(k, &own_key))
    };

    let kinds: Vec<DocKind> = docs
        .iter()
        .map(|d| {
            d.kind
                .unwrap_or_else(|| doc_type(&d.file_name, &d.text).kind)
        })
        .collect();
    let all_mentions: Vec<_> = docs.iter().map(|d| find_companies(&d.text)).collect();

    // Suppliers: issuers of invoices whose client is the business.
    let mut suppliers: HashSet<String> = HashSet::new();
    for (i, d) in docs.iter().enumerate() {
        if matches!(
            kinds[i],
            DocKind::Invoice
                | DocKind::SupplierInvoice
                | DocKind::Quote
                | DocKind::CreditNote
                | DocKind::Receipt
        ) {
            let f = crate::invoice::extract_invoice(&d.text);
            let client_own = f
                .client
                .as_deref()
                .map(normalize_company)
                .is_some_and(|k| is_own(&k));
            if let Some(issuer) = f.issuer.as_deref().map(normalize_company)
                && client_own
                && !is_own(&issuer)
            {
                suppliers.insert(issuer);
            }
        }
    }
    let is_supplier = |k: &str| {
        suppliers
            .iter()
            .any(|s| s == k || key_within(k, s) || key_within(s, k))
    };

    // Every client name seen with a client cue or a legal form, in any document.
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, ms) in all_mentions.iter().enumerate() {
        if is_multi_client(kinds[i]) {
            continue;
        }
        for m in ms {
            let strong = m.role == PartyRole::Client || m.cue == "legal form" || m.cue == "Société";
            if strong && !is_own(&m.key) && !is_supplier(&m.key) && m.key.len() >= 3 {
                seen.push((m.key.clone(), m.name.clone()));
            }
        }
    }
    let clusters = merge_keys(&seen);

    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            assign_one(
                d,
                kinds[i],
                &all_mentions[i],
                &clusters,
                &is_own,
                &is_supplier,
                own_name.as_deref(),
            )
        })
        .collect()
}

struct Candidate {
    cluster: usize,
    score: f32,
    reason: String,
    reason_fr: String,
}

fn assign_one(
    d: &DocInput,
    kind: DocKind,
    mentions: &[crate::entities::CompanyMention],
    clusters: &[Cluster],
    is_own: &dyn Fn(&str) -> bool,
    is_supplier: &dyn Fn(&str) -> bool,
    own_name: Option<&str>,
) -> ClientAssignment {
    let none = |conf: f32, reason: String, reason_fr: String| ClientAssignment {
        id: d.id.clone(),
        client: None,
        key: String::new(),
        confidence: conf,
        needs_review: conf < 0.6,
        reason,
        reason_fr,
    };
    if is_multi_client(kind) {
        return none(
            0.9,
            format!(
                "a {} is not about a single client",
                crate::classify::DocKind::label(&kind, crate::classify::Lang::En).to_lowercase()
            ),
            format!(
                "un document de type « {} » ne concerne pas un seul client",
                kind.label(crate::classify::Lang::Fr).to_lowercase()
            ),
        );
    }
    let find_cluster = |key: &str| -> Option<usize> {
        clusters.iter().position(|c| c.key == key).or_else(|| {
            let hits: Vec<usize> = clusters
                .iter()
                .enumerate()
                .filter(|(_, c)| key_within(key, &c.key) || key_within(&c.key, key))
                .map(|(i, _)| i)
                .collect();
            (hits.len() == 1).then(|| hits[0])
        })
    };
    let mut cands: Vec<Candidate> = Vec::new();
    // 1. A client label in the document.
    for m in mentions
        .iter()
        .filter(|m| m.role == PartyRole::Client && !is_own(&m.key) && !is_supplier(&m.key))
    {
        if let Some(ci) = find_cluster(&m.key) {
            let loc = describe_location(&d.text, m.span.start);
            cands.push(Candidate {
                cluster: ci,
                score: 0.9,
                reason: format!("« {} : {} » on {loc}", m.cue, m.name),
                reason_fr: format!(
                    "« {} : {} » à la {}",
                    m.cue,
                    m.name,
                    loc.replace("line", "ligne")
                ),
            });
            break;
        }
    }
    // Supplier invoices addressed to the business: no client.
    let client_is_own = mentions
        .iter()
        .any(|m| m.role == PartyRole::Client && is_own(&m.key));
    if client_is_own && cands.is_empty() {
        let issuer = mentions
            .iter()
            .find(|m| m.role != PartyRole::Client && !is_own(&m.key))
            .map(|m| m.name.clone())
            .unwrap_or_else(|| "a supplier".into());
        return none(
            0.85,
            format!(
                "addressed to {} itself: a purchase from {issuer}, not a client document",
                own_name.unwrap_or("the business")
            ),
            format!(
                "adressé à {} : un achat auprès de {issuer}, pas un document client",
                own_name.unwrap_or("l'entreprise")
            ),
        );
    }
    // 2. A known client in the file name.
    let stem = fold_lower(&d.file_name);
    for (ci, c) in clusters.iter().enumerate() {
        if let Some(tok) = c
            .distinctive_tokens()
            .into_iter()
            .find(|t| word_in(&stem, t))
        {
            cands.push(Candidate {
                cluster: ci,
                score: 0.75,
                reason: format!("the file name contains « {tok} »"),
                reason_fr: format!("le nom du fichier contient « {tok} »"),
            });
        }
    }
    // 3. A known client named in the text (full name, or its distinctive word).
    let folded = fold_lower(&d.text);
    for (ci, c) in clusters.iter().enumerate() {
        let full = c
            .variants
            .iter()
            .filter(|v| v.len() >= 4)
            .find(|v| folded.contains(&fold_lower(v)));
        let count: usize = c
            .distinctive_tokens()
            .iter()
            .map(|t| count_words(&folded, t))
            .max()
            .unwrap_or(0);
        if let Some(v) = full {
            cands.push(Candidate {
                cluster: ci,
                score: 0.62 + 0.04 * (count.min(5) as f32),
                reason: format!("the text names « {v} »"),
                reason_fr: format!("le texte cite « {v} »"),
            });
        } else if count > 0 {
            let tok = c
                .distinctive_tokens()
                .into_iter()
                .next()
                .unwrap_or_default();
            cands.push(Candidate {
                cluster: ci,
                score: 0.5 + 0.04 * (count.min(5) as f32),
                reason: format!("the text mentions « {tok} » {count} time(s)"),
                reason_fr: format!("le texte mentionne « {tok} » {count} fois"),
            });
        }
    }
    if cands.is_empty() {
        let reason = if mentions.iter().any(|m| is_supplier(&m.key)) {
            "only a supplier is named"
        } else {
            "no client name found"
        };
        let reason_fr = if reason.starts_with("only") {
            "seul un fournisseur est cité"
        } else {
            "aucun nom de client trouvé"
        };
        let conf = if reason.starts_with("only") {
            0.75
        } else {
            0.5
        };
        return none(conf, reason.into(), reason_fr.into());
    }
    // Combine the cues per client: the strongest, plus a little for each one that agrees.
    let mut per: BTreeMap<usize, (f32, Vec<String>, Vec<String>, usize)> = BTreeMap::new();
    for c in cands {
        let e = per.entry(c.cluster).or_insert((0.0, vec![], vec![], 0));
        e.0 = e.0.max(c.score);
        e.1.push(c.reason);
        e.2.push(c.reason_fr);
        e.3 += 1;
    }
    let mut ranked: Vec<(usize, f32, Vec<String>, Vec<String>)> = per
        .into_iter()
        .map(|(ci, (s, r, rf, n))| {
            (
                ci,
                (s + 0.08 * (n.saturating_sub(1)) as f32).min(0.98),
                r,
                rf,
            )
        })
        .collect();
    ranked.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    let (ci, mut score, reasons, reasons_fr) = ranked[0].clone();
    let mut reason = reasons.join("; ");
    let mut reason_fr = reasons_fr.join(" ; ");
    if let Some(second) = ranked.get(1)
        && score - second.1 < 0.15
    {
        score = score.min(0.55);
        let other = display_name(&clusters[second.0].variants);
        reason.push_str(&format!("; but « {other} » is also named"));
        reason_fr.push_str(&format!(" ; mais « {other} » est aussi cité"));
    }
    let c = &clusters[ci];
    let score = (score * 100.0).round() / 100.0;
    ClientAssignment {
        id: d.id.clone(),
        client: Some(client_display(c)),
        key: c.key.clone(),
        confidence: score,
        needs_review: score < 0.6,
        reason,
        reason_fr,
    }
}

/// The name to show for a client: the best-spelled variant without its legal form.
fn client_display(c: &Cluster) -> String {
    // Prefer the fullest spelling (most words), then the best written one.
    let max_tokens = c
        .variants
        .iter()
        .map(|v| tokens(&normalize_company(v)).len())
        .max()
        .unwrap_or(0);
    let full: Vec<String> = c
        .variants
        .iter()
        .filter(|v| tokens(&normalize_company(v)).len() == max_tokens)
        .map(|v| crate::entities::strip_legal_form(v))
        .collect();
    display_name(&full)
}

fn word_in(hay: &str, w: &str) -> bool {
    count_words(hay, w) > 0
}

fn count_words(hay: &str, w: &str) -> usize {
    let mut n = 0;
    let mut from = 0;
    while let Some(pos) = hay[from..].find(w) {
        let s = from + pos;
        let e = s + w.len();
        let before_ok = s == 0
            || !hay[..s]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric());
        let after_ok = !hay[e..].chars().next().is_some_and(|c| c.is_alphanumeric());
        if before_ok && after_ok {
            n += 1;
        }
        from = e;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, text: &str) -> DocInput {
        DocInput {
            id: id.into(),
            file_name: id.into(),
            text: text.into(),
            kind: None,
        }
    }

    #[test]
    fn clusters_variants_and_skips_own_company() {
        let docs = vec![
            doc(
                "f1.pdf",
                "ATELIER LEMOINE\nFACTURE N° F1\nFacturé à : SARL Dupont Bâtiment\nTotal TTC : 10,00 €\nAtelier Lemoine SARL – SIRET",
            ),
            doc(
                "f2.pdf",
                "ATELIER LEMOINE\nFACTURE N° F2\nFacturé à : DUPONT BATIMENT SARL\nTotal TTC : 12,00 €\nAtelier Lemoine SARL",
            ),
            doc(
                "f3.pdf",
                "ATELIER LEMOINE\nDEVIS N° D3\nClient : SAS Garage Petit\nTotal TTC : 12,00 €\nAtelier Lemoine SARL",
            ),
            doc(
                "notes dupont.txt",
                "Appel avec M. Dupont : il veut un escalier.",
            ),
        ];
        let a = assign_clients(&docs, None);
        assert_eq!(a[0].key, a[1].key);
        assert_eq!(a[0].client.as_deref(), Some("Dupont Bâtiment"), "{a:?}");
        assert!(a[0].reason.contains("Facturé à"), "{}", a[0].reason);
        assert!(a[0].confidence >= 0.8);
        assert_eq!(a[2].client.as_deref(), Some("Garage Petit"));
        assert_eq!(a[3].key, a[0].key, "{:?}", a[3]);
        assert!(a.iter().all(|x| x.key != "atelier lemoine"));
    }

    #[test]
    fn own_company_is_detected_from_repetition() {
        let docs = vec![
            doc("a", "Atelier Lemoine SARL\nFacturé à : Alpha SAS"),
            doc("b", "Atelier Lemoine SARL\nFacturé à : Beta SARL"),
            doc("c", "contact@atelier-lemoine.fr\nBill to: Gamma Ltd"),
        ];
        assert_eq!(
            detect_own_company(&docs).as_deref(),
            Some("Atelier Lemoine SARL")
        );
    }

    #[test]
    fn ambiguous_documents_are_flagged_for_review() {
        let docs = vec![
            doc("f1", "Facturé à : Alpha Conseil SARL"),
            doc("f2", "Facturé à : Beta Travaux SAS"),
            doc(
                "note.txt",
                "Réunion avec Alpha Conseil et Beta Travaux sur le chantier commun.",
            ),
        ];
        let a = assign_clients(&docs, Some("Moi SARL"));
        assert!(a[2].needs_review, "{:?}", a[2]);
        assert!(a[2].confidence < 0.6);
    }

    #[test]
    fn exports_and_transcripts_have_no_client() {
        let docs = vec![DocInput {
            id: "x.csv".into(),
            file_name: "x.csv".into(),
            text: "a,b\n1,2".into(),
            kind: None,
        }];
        let a = assign_clients(&docs, Some("Moi"));
        assert_eq!(a[0].client, None);
        assert!(!a[0].needs_review);
    }
}
