//! Company and client names: canonical keys, legal forms, mentions in a text, display names.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::text::{
    Span, collapse_spaces, fold_accents, fold_lower, fold_lower_with_map, lines_with_offsets,
};

/// Legal forms, written as word sequences after dots are removed and case folded.
/// Multi-word forms come first so "pvt ltd" is removed as a whole.
const LEGAL_FORMS: &[&str] = &[
    "gmbh co kg",
    "private limited",
    "pvt ltd",
    "sp z o o",
    "spolka akcyjna",
    "spolka z o o",
    "s a r l",
    "s a s",
    "societe anonyme",
    "societe par actions simplifiee",
    "sarl",
    "sasu",
    "sas",
    "sa",
    "eurl",
    "sci",
    "snc",
    "scs",
    "sca",
    "scop",
    "scp",
    "selarl",
    "sel",
    "eirl",
    "ei",
    "gmbh",
    "ag",
    "kg",
    "ohg",
    "ug",
    "ek",
    "gbr",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "plc",
    "pvt",
    "bv",
    "nv",
    "vof",
    "srl",
    "spa",
    "sl",
    "sprl",
    "bvba",
    "asbl",
    "oy",
    "ab",
    "as",
    "aps",
    "kft",
    "sro",
    "pty",
];

/// Words that introduce a company name but are not part of it.
const NAME_PREFIXES: &[&str] = &[
    "societe",
    "ste",
    "ets",
    "etablissements",
    "cabinet",
    "the",
    "company",
    "groupe",
];

/// Legal forms as they appear in text, for finding company names (case-sensitive for the short,
/// ambiguous ones such as "SA", "AG", "AS").
static LEGAL_FORM_RE: &str = r"(?:S\.?A\.?R\.?L\.?|[Ss]arl|SASU|S\.?A\.?S\.?|S\.A\.|SA|EURL|SCI|SNC|SELARL|EIRL|GmbH(?: & Co\.? KG)?|AG|KG|Ltd\.?|Limited|LLC|L\.L\.C\.|Inc\.?|Corp\.?|Corporation|PLC|plc|Pvt\.? Ltd\.?|Private Limited|B\.V\.|BV|N\.V\.|NV|S\.r\.l\.|SRL|S\.p\.A\.|SpA|S\.L\.|Oy|AB|A/S|ApS|Pty\.? Ltd\.?|spółka akcyjna|sp\. z o\.o\.)";

/// Removes dots between single letters ("s.a.r.l." -> "sarl") and turns other punctuation into spaces.
fn tokenize_for_key(name: &str) -> Vec<String> {
    let folded = fold_lower(name);
    let mut cleaned = String::with_capacity(folded.len());
    let mut run = 0usize; // letters since the last non-letter
    for c in folded.chars() {
        if c.is_alphanumeric() {
            cleaned.push(c);
            run += 1;
        } else if c == '.' && run == 1 {
            // dot after a single letter: part of an abbreviation, drop it
            run = 0;
        } else if c == '&' {
            cleaned.push_str(" & ");
            run = 0;
        } else {
            cleaned.push(' ');
            run = 0;
        }
    }
    // Abbreviations written with dots leave their letters glued ("sarl"); written with spaces
    // after removal ("s a r l") they are matched by the multi-word forms.
    cleaned.split_whitespace().map(str::to_string).collect()
}

fn strip_forms(tokens: &mut Vec<String>) {
    let mut changed = true;
    while changed && tokens.len() > 1 {
        changed = false;
        for form in LEGAL_FORMS {
            let f: Vec<&str> = form.split(' ').collect();
            if tokens.len() <= f.len() {
                continue;
            }
            if tokens[tokens.len() - f.len()..]
                .iter()
                .zip(&f)
                .all(|(a, b)| a == b)
            {
                tokens.truncate(tokens.len() - f.len());
                changed = true;
                break;
            }
            if tokens[..f.len()].iter().zip(&f).all(|(a, b)| a == b) {
                tokens.drain(..f.len());
                changed = true;
                break;
            }
        }
        // Trailing "&", "co", "and co" left after a form ("Dupont & Co").
        while tokens.len() > 1
            && matches!(
                tokens.last().map(String::as_str),
                Some("&" | "co" | "et" | "cie")
            )
        {
            tokens.pop();
            changed = true;
        }
        if tokens.len() > 1 && NAME_PREFIXES.contains(&tokens[0].as_str()) {
            tokens.remove(0);
            changed = true;
        }
    }
}

/// Canonical key of a company name: same key for "SARL Dupont", "Dupont SARL", "DUPONT" and
/// "Dupont s.a.r.l.". Legal forms, accents, case and punctuation are removed.
pub fn normalize_company(name: &str) -> String {
    let mut tokens = tokenize_for_key(name);
    strip_forms(&mut tokens);
    // Articles, conjunctions and abbreviations vary between spellings of one name:
    // "Cabinet Moreau & Associés" / "MOREAU ET ASSOCIES", "Mairie St-Aubin" / "Mairie de Saint-Aubin".
    let kept: Vec<String> = tokens
        .iter()
        .filter(|t| {
            !matches!(
                t.as_str(),
                "&" | "et"
                    | "and"
                    | "und"
                    | "en"
                    | "de"
                    | "du"
                    | "des"
                    | "d"
                    | "la"
                    | "le"
                    | "les"
                    | "l"
                    | "of"
                    | "the"
                    | "van"
                    | "von"
            )
        })
        .map(|t| match t.as_str() {
            "st" => "saint".to_string(),
            "ste" => "sainte".to_string(),
            "commune" | "ville" => "mairie".to_string(),
            _ => t.clone(),
        })
        .collect();
    if kept.is_empty() {
        tokens.join(" ")
    } else {
        kept.join(" ")
    }
}

/// The name without its legal form, in its original spelling: "SARL Dupont" -> "Dupont",
/// "Coolblue B.V." -> "Coolblue".
pub fn strip_legal_form(name: &str) -> String {
    static START: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(r"^(?i:soci[ée]t[ée]\s+)?{LEGAL_FORM_RE}\s+"))
            .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
    });
    static END: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r",?\s+(?:{LEGAL_FORM_RE}|(?i:s\.?a\.?r\.?l\.?|sas|eurl|gmbh|ltd\.?|inc\.?|llc))\s*$"
        ))
        .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
    });
    let mut s = collapse_spaces(name);
    for _ in 0..2 {
        let t = END.replace(&s, "").to_string();
        let t = START.replace(&t, "").to_string();
        if t.trim().is_empty() {
            break;
        }
        s = t.trim().trim_end_matches([',', '-']).trim().to_string();
    }
    s
}

/// Which side of a document a company is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// Issues the document: seller, supplier, sender ("Émetteur", "From", "Sold by").
    Issuer,
    /// Receives it: the client, buyer, addressee ("Client :", "Facturé à", "Bill to").
    Client,
    /// Mentioned, side unknown (legal form, e-mail domain, "Société X").
    Unknown,
}

/// A company name found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompanyMention {
    /// The name as written (trimmed, spaces collapsed).
    pub name: String,
    /// Its canonical key (see [`normalize_company`]).
    pub key: String,
    /// Where the name is in the text.
    pub span: Span,
    /// What told us it is a company: "Facturé à", "legal form", "e-mail domain", ...
    pub cue: String,
    /// Which side of the document it is on, as far as the cue tells.
    pub role: PartyRole,
}

/// Label cues that introduce a party, with the side they mean. Matched accent- and
/// case-insensitively at the start of a cell, followed by ":" or the name.
const CUES: &[(&str, PartyRole)] = &[
    ("facture a", PartyRole::Client),
    ("facturee a", PartyRole::Client),
    ("factured a", PartyRole::Client),
    ("adresse de facturation", PartyRole::Client),
    ("bill to", PartyRole::Client),
    ("billed to", PartyRole::Client),
    ("invoice to", PartyRole::Client),
    ("invoiced to", PartyRole::Client),
    ("sold to", PartyRole::Client),
    ("ship to", PartyRole::Client),
    ("destinataire", PartyRole::Client),
    ("client", PartyRole::Client),
    ("cliente", PartyRole::Client),
    ("customer", PartyRole::Client),
    ("acheteur", PartyRole::Client),
    ("buyer", PartyRole::Client),
    ("attn", PartyRole::Client),
    ("a l'attention de", PartyRole::Client),
    ("nabywca", PartyRole::Client),
    ("kunde", PartyRole::Client),
    ("factuuradres", PartyRole::Client),
    ("emetteur", PartyRole::Issuer),
    ("fournisseur", PartyRole::Issuer),
    ("prestataire", PartyRole::Issuer),
    ("vendeur", PartyRole::Issuer),
    ("vendu par", PartyRole::Issuer),
    ("sold by", PartyRole::Issuer),
    ("seller", PartyRole::Issuer),
    ("supplier", PartyRole::Issuer),
    ("vendor", PartyRole::Issuer),
    ("from", PartyRole::Issuer),
    ("de la part de", PartyRole::Issuer),
    ("sprzedawca", PartyRole::Issuer),
    ("titulaire du compte", PartyRole::Issuer),
    ("service provider", PartyRole::Issuer),
    ("lieferant", PartyRole::Issuer),
    ("societe", PartyRole::Unknown),
];

/// Consumer mail providers: their domain says nothing about the company.
const MAIL_PROVIDERS: &[&str] = &[
    "gmail",
    "googlemail",
    "yahoo",
    "hotmail",
    "outlook",
    "live",
    "msn",
    "icloud",
    "me",
    "mac",
    "aol",
    "orange",
    "wanadoo",
    "laposte",
    "sfr",
    "free",
    "neuf",
    "bbox",
    "numericable",
    "gmx",
    "web",
    "protonmail",
    "proton",
    "example",
    "fake",
    "mail",
    "email",
    "yandex",
    "zoho",
    "tutanota",
    "ymail",
    "via",
];

static EMAIL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@(?P<d>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*)\.[A-Za-z]{2,}")
        .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

static FORM_AFTER_RE: LazyLock<Regex> = LazyLock::new(|| {
    let word = r"(?:[\p{Lu}0-9][\p{L}0-9&'’\-\.]*|&|de|du|des|la|le|et|von|van|der|of|and)";
    Regex::new(&format!(r"(?P<name>[\p{{Lu}}0-9][\p{{L}}0-9&'’\-\.]*(?:[ ]{word}){{0,5}}),?[ ](?P<form>{LEGAL_FORM_RE})(?:[\s,;:)]|$)"))
        .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

static FORM_BEFORE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s(])(?P<form>SARL|SAS|SASU|EURL|SCI|SNC|SELARL|Sarl|Société|Societe|Ste|Sté)[ ](?P<name>[\p{Lu}][\p{L}0-9&'’\-]*(?:[ ][\p{Lu}&][\p{L}0-9&'’\-]*){0,4})")
        .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
});

fn cell_end(line: &str, from: usize) -> usize {
    let rest = &line[from..];
    [rest.find('\t'), rest.find("  ")]
        .into_iter()
        .flatten()
        .min()
        .map_or(line.len(), |i| from + i)
}

fn clean_name(s: &str) -> String {
    let t = s
        .trim()
        .trim_matches(|c: char| {
            matches!(c, ',' | ';' | ':' | '-' | '–' | '|' | '*' | '"' | '«' | '»')
        })
        .trim();
    collapse_spaces(t)
}

fn plausible_name(name: &str) -> bool {
    let key = normalize_company(name);
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    // A value holding its own label ("Your order: PO-2024-031", "Ship To:") is another field.
    if letters < 2 || key.is_empty() || name.chars().count() > 80 || name.contains(':') {
        return false;
    }
    // Labels, amounts and dates are not names.
    let lower = fold_lower(name);
    let stop = [
        "date", "total", "invoice", "facture", "page", "tel", "phone", "email", "adresse",
        "address", "n°", "no", "number",
    ];
    if stop.iter().any(|s| lower == *s) {
        return false;
    }
    name.chars().next().is_some_and(|c| c.is_alphanumeric()) && party_name_problem(name).is_none()
}

/// Words of labels, amounts and terms that a page prints next to names; a name made with
/// one of them (and no legal form) is a label read as a value.
const LABEL_WORDS: &[&str] = &[
    "total",
    "amount",
    "due",
    "subtotal",
    "montant",
    "echeance",
    "balance",
    "payment",
    "paiement",
    "tva",
    "vat",
    "tax",
    "ttc",
    "ht",
    "invoice",
    "facture",
    "date",
    "contact",
    "name",
    "nom",
    "address",
    "adresse",
    "phone",
    "tel",
    "email",
    "page",
    "number",
    "numero",
    "days",
    "jours",
    "tage",
    "order",
    "commande",
    "reference",
    "iban",
    "bic",
    "siret",
    "qty",
    "quantity",
    "price",
    "prix",
    "buyer",
    "seller",
    "acheteur",
    "vendeur",
    "kaufer",
    "verkaufer",
    "customer",
    "client",
    "attn",
    "tav",
    "rechnung",
    "betrag",
    "summe",
];

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    "januar",
    "februar",
    "marz",
    "juni",
    "juli",
    "oktober",
    "dezember",
];

/// Why `name`, read from a document as a party (client, supplier), is not one: a label
/// ("Buyer contact name"), an amount or date phrase ("TOTAL AMOUNT DUE ON August 3",
/// "Net 30 days") or a piece of a sentence ("Verschulden der QualityHosting"). `None` when
/// it reads as a name.
pub fn party_name_problem(name: &str) -> Option<&'static str> {
    let folded = fold_lower(name);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Some("no letters");
    }
    let has_form = words.iter().any(|w| {
        LEGAL_FORMS
            .iter()
            .any(|f| !f.contains(' ') && f.len() > 2 && w == f)
    }) || {
        let dotless = folded.replace('.', "");
        LEGAL_FORMS
            .iter()
            .any(|f| dotless.ends_with(&format!(" {f}")))
    };
    let has_digit = words.iter().any(|w| w.bytes().all(|b| b.is_ascii_digit()));
    if has_digit && words.iter().any(|w| MONTHS.contains(w)) {
        return Some("a date");
    }
    if !has_form && words.iter().any(|w| LABEL_WORDS.contains(w)) {
        return Some("a label or a term of payment");
    }
    let original: Vec<&str> = name.split_whitespace().collect();
    if original.len() >= 7 {
        return Some("a sentence");
    }
    // "Verschulden der X": a noun and an article, the start of a German sentence.
    if original.len() >= 3 && matches!(original[1], "der" | "die" | "das" | "dem" | "den") {
        return Some("a sentence");
    }
    let lowercase_words = original
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase) && w.len() > 2)
        .count();
    if lowercase_words >= 3 {
        return Some("a sentence");
    }
    None
}

/// Whether `name` reads as a party's name (see [`party_name_problem`]).
pub fn looks_like_party_name(name: &str) -> bool {
    party_name_problem(name).is_none()
}

/// Finds company names in a text from their cues: legal forms ("Dupont SARL", "Coolblue B.V."),
/// labels ("Client :", "Facturé à", "Bill to", "Destinataire", "Émetteur", "From", "Sold by"),
/// "Société X", and company e-mail domains. Mentions are in text order; one name may appear
/// several times with different cues.
pub fn find_companies(text: &str) -> Vec<CompanyMention> {
    let mut out: Vec<CompanyMention> = Vec::new();
    let lines = lines_with_offsets(text);
    for (li, (line_start, line)) in lines.iter().enumerate() {
        // Label cues, read cell by cell: pdftotext layout separates columns by 2+ spaces.
        let (folded, map) = fold_lower_with_map(line);
        {
            for (cue, role) in CUES {
                let mut from = 0;
                while let Some(pos) = folded[from..].find(cue) {
                    let start = from + pos;
                    let end = start + cue.len();
                    from = end;
                    let at_cell_start = start == 0
                        || folded[..start].ends_with("  ")
                        || folded[..start].trim_end().is_empty()
                        || folded[..start].ends_with(". ")
                        || folded[..start].ends_with("| ")
                        || folded[..start].ends_with("- ")
                        || folded[..start].ends_with("\u{2013} ")
                        || folded[..start].ends_with('\t')
                        // Markdown headings, bold and bullets: "# Client", "**Client :**", "- Client :".
                        || folded[..start].trim_start().trim_start_matches(['#', '*', '-', '>', ' ']).is_empty();
                    if !at_cell_start
                        || folded[end..]
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_alphanumeric())
                    {
                        continue;
                    }
                    let (start, end) = (map[start], map[end]);
                    let rest = &line[end..];
                    let trimmed = rest.trim_start_matches([' ', '\t']);
                    let has_colon = trimmed.starts_with(':');
                    let after = trimmed.trim_start_matches(':').trim_start();
                    // "Client" alone in running text is not a label: it needs a colon, or to be a cell.
                    let is_cell_label = rest.trim().is_empty() || rest.starts_with("  ");
                    if !has_colon
                        && !is_cell_label
                        && !matches!(
                            *cue,
                            "facture a"
                                | "facturee a"
                                | "bill to"
                                | "billed to"
                                | "invoice to"
                                | "sold by"
                                | "vendu par"
                                | "attn"
                                | "societe"
                                | "a l'attention de"
                        )
                    {
                        continue;
                    }
                    if *cue == "from" && !has_colon {
                        continue;
                    }
                    let value_start = line.len() - after.len();
                    let gap = &line[end..value_start];
                    let same_cell = !gap.contains("   ") && (!gap.ends_with("  ") || has_colon);
                    let same_line_value =
                        (!after.is_empty() && same_cell && !has_colon_only(after)).then(|| {
                            let ce = cell_end(line, value_start);
                            (line[value_start..ce].to_string(), line_start + value_start)
                        });
                    // The next cell being another label ("Bill to:  Ship To:"), the value is below.
                    let same_line_value = same_line_value
                        .filter(|(v, _)| !v.contains(':'))
                        .map(|(v, at)| (clean_name(&v), at));
                    let (name, name_start) = if let Some(v) = same_line_value {
                        v
                    } else {
                        // The value is below the label, in the same column.
                        match value_below(&lines, li, start) {
                            Some((off, v)) => (v, off),
                            None => continue,
                        }
                    };
                    let name = trim_trailing_noise(&name);
                    if !plausible_name(&name) {
                        continue;
                    }
                    let abs = text[name_start..]
                        .find(name.as_str())
                        .map_or(name_start, |i| name_start + i);
                    out.push(CompanyMention {
                        key: normalize_company(&name),
                        span: Span::new(abs, abs + name.len()),
                        cue: cue_display(cue),
                        role: *role,
                        name,
                    });
                }
            }
        }
        for c in FORM_AFTER_RE.captures_iter(line) {
            let (Some(n), Some(f)) = (c.name("name"), c.name("form")) else {
                continue;
            };
            let name = clean_name(&line[n.start()..f.end()]);
            let core = clean_name(n.as_str());
            if !plausible_name(&core) || core.chars().all(|c| c.is_ascii_digit() || c == ' ') {
                continue;
            }
            let name = drop_leading_lowercase_words(&name);
            out.push(CompanyMention {
                key: normalize_company(&name),
                span: Span::new(line_start + n.start(), line_start + f.end()),
                cue: "legal form".into(),
                role: PartyRole::Unknown,
                name,
            });
        }
        for c in FORM_BEFORE_RE.captures_iter(line) {
            let (Some(f), Some(n)) = (c.name("form"), c.name("name")) else {
                continue;
            };
            let name = clean_name(&line[f.start()..n.end()]);
            let core = n.as_str();
            if matches!(core, "Au" | "Capital") || !plausible_name(core) {
                continue;
            }
            let is_societe =
                fold_lower(f.as_str()).starts_with("soc") || f.as_str().starts_with("St");
            out.push(CompanyMention {
                key: normalize_company(&name),
                span: Span::new(line_start + f.start(), line_start + n.end()),
                cue: if is_societe {
                    "Société".into()
                } else {
                    "legal form".into()
                },
                role: PartyRole::Unknown,
                name,
            });
        }
    }
    for c in EMAIL_RE.captures_iter(text) {
        let Some(d) = c.name("d") else { continue };
        let domain = d.as_str().rsplit('.').next().unwrap_or(d.as_str());
        if MAIL_PROVIDERS.contains(&domain.to_lowercase().as_str()) || domain.len() < 3 {
            continue;
        }
        let name = domain
            .split(['-', '_'])
            .map(title_case)
            .collect::<Vec<_>>()
            .join(" ");
        out.push(CompanyMention {
            key: normalize_company(&name),
            span: Span::new(d.start(), d.end()),
            cue: "e-mail domain".into(),
            role: PartyRole::Unknown,
            name,
        });
    }
    // Remove exact duplicates (same span and key) produced by overlapping cues.
    out.sort_by_key(|m| (m.span.start, m.span.end));
    out.dedup_by(|a, b| a.span == b.span && a.key == b.key);
    out.retain(|m| !m.key.is_empty());
    out
}

/// Company web-site and e-mail domains in a text ("azure-interior" from www.azure-interior.com),
/// without consumer mail providers, in order of appearance.
pub fn web_domains(text: &str) -> Vec<String> {
    static WEB_RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:https?://)?www\.(?P<d>[a-z0-9\-]+)\.[a-z]{2,}|[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9\-]+\.)*?(?P<e>[A-Za-z0-9\-]+)\.[A-Za-z]{2,}\b")
            .unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
    });
    let mut out: Vec<String> = Vec::new();
    for c in WEB_RE.captures_iter(text) {
        let Some(d) = c.name("d").or_else(|| c.name("e")) else {
            continue;
        };
        let d = d.as_str().to_lowercase();
        if MAIL_PROVIDERS.contains(&d.as_str()) || out.contains(&d) {
            continue;
        }
        out.push(d);
    }
    out
}

fn has_colon_only(s: &str) -> bool {
    s.trim().is_empty()
}

fn cue_display(cue: &str) -> String {
    match cue {
        "facture a" => "Facturé à",
        "facturee a" => "Facturée à",
        "factured a" => "Facturé à",
        "adresse de facturation" => "Adresse de facturation",
        "bill to" => "Bill to",
        "billed to" => "Billed to",
        "invoice to" => "Invoice to",
        "invoiced to" => "Invoiced to",
        "sold to" => "Sold to",
        "ship to" => "Ship to",
        "destinataire" => "Destinataire",
        "client" => "Client",
        "cliente" => "Cliente",
        "customer" => "Customer",
        "acheteur" => "Acheteur",
        "buyer" => "Buyer",
        "attn" => "ATTN",
        "a l'attention de" => "À l'attention de",
        "emetteur" => "Émetteur",
        "fournisseur" => "Fournisseur",
        "prestataire" => "Prestataire",
        "vendeur" => "Vendeur",
        "vendu par" => "Vendu par",
        "sold by" => "Sold by",
        "seller" => "Seller",
        "supplier" => "Supplier",
        "vendor" => "Vendor",
        "from" => "From",
        "societe" => "Société",
        "titulaire du compte" => "Titulaire du compte",
        "service provider" => "Service Provider",
        other => other,
    }
    .to_string()
}

/// "dupont sarl au capital" style tails and leading lowercase words are not part of a name.
fn trim_trailing_noise(name: &str) -> String {
    let mut words: Vec<&str> = name.split(' ').collect();
    while words.len() > 1 {
        let last = words[words.len() - 1];
        let lower = fold_lower(last);
        if [
            "au", "capital", "de", "du", "-", "–", "|", "tel", "tél", "siret", "rcs",
        ]
        .contains(&lower.as_str())
            || last.chars().all(|c| c.is_ascii_digit())
        {
            words.pop();
        } else {
            break;
        }
    }
    clean_name(&words.join(" "))
}

fn drop_leading_lowercase_words(name: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let first_upper = words
        .iter()
        .position(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .unwrap_or(0);
    words[first_upper..].join(" ")
}

fn title_case(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
        None => String::new(),
    }
}

/// The first non-empty line below `li` whose text starts near `col`: the value of a label
/// written above it.
fn value_below(lines: &[(usize, &str)], li: usize, label_at: usize) -> Option<(usize, String)> {
    let label_line = lines[li].1;
    for next in lines.iter().skip(li + 1).take(3) {
        let (start, line) = *next;
        if line.trim().is_empty() {
            continue;
        }
        let (bstart, cell) = crate::text::aligned_cell(label_line, label_at, line, 12)?;
        // Another label ("Payment Terms:") sits between the label and its value: look further.
        if cell.trim_end().ends_with(':') {
            continue;
        }
        return Some((start + bstart, clean_name(cell)));
    }
    None
}

/// The best spelling to show among variants of one name: a mixed-case spelling beats ALL CAPS,
/// accents beat no accents, and the most frequent spelling wins ties.
pub fn display_name(variants: &[String]) -> String {
    // Spellings that differ only by case or accents are one spelling, written different ways.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for v in variants {
        let v = collapse_spaces(v);
        if v.is_empty() {
            continue;
        }
        let k = fold_lower(&v);
        match groups.iter_mut().find(|(gk, _)| *gk == k) {
            Some((_, members)) => members.push(v),
            None => groups.push((k, vec![v])),
        }
    }
    let abbreviated = |v: &str| {
        v.split(|c: char| !c.is_alphanumeric()).any(|w| {
            matches!(
                fold_lower(w).as_str(),
                "st" | "ste" | "cie" | "ets" | "sce" | "dept" | "bd" | "av"
            )
        })
    };
    let is_mixed =
        |v: &str| v.chars().any(|c| c.is_lowercase()) && v.chars().any(|c| c.is_uppercase());
    // The spelling used most, unabbreviated ("Mairie de Saint-Aubin" over "Mairie de St-Aubin").
    // Words shared by several spellings say which one is usual ("Mairie" in two of three).
    let words_of = |k: &str| -> Vec<String> {
        k.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let consensus = |k: &str| -> usize {
        let ws = words_of(k);
        let shared: usize = ws
            .iter()
            .map(|w| {
                groups
                    .iter()
                    .filter(|(gk, _)| words_of(gk).contains(w))
                    .count()
            })
            .sum();
        shared * 100 / ws.len().max(1)
    };
    let Some((_, members)) = groups.iter().max_by_key(|(k, m)| {
        (
            usize::from(!abbreviated(k)),
            m.len(),
            consensus(k),
            usize::from(m.iter().any(|v| is_mixed(v))),
            std::cmp::Reverse(k.len()),
        )
    }) else {
        return String::new();
    };
    // Within it, the best written: mixed case, then accents, then no dots, then the most frequent.
    let count = |v: &String| members.iter().filter(|m| *m == v).count();
    let best = members
        .iter()
        .max_by_key(|v| {
            (
                usize::from(is_mixed(v)),
                usize::from(fold_accents(v) != **v),
                usize::from(!v.contains('.')),
                count(v),
            )
        })
        .cloned()
        .unwrap_or_default();
    if is_mixed(&best) || !best.chars().any(char::is_alphabetic) {
        best
    } else {
        title_case_name(&best)
    }
}

/// "MAIRIE DE SAINT-AUBIN" -> "Mairie de Saint-Aubin": capitalised words, small French and
/// English words in lower case.
fn title_case_name(s: &str) -> String {
    const SMALL: &[&str] = &[
        "de", "du", "des", "la", "le", "les", "et", "d", "l", "of", "and", "the", "en", "au", "aux",
    ];
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let mut first = true;
    let flush = |word: &mut String, out: &mut String, first: &mut bool| {
        if word.is_empty() {
            return;
        }
        let lower = word.to_lowercase();
        if !*first && SMALL.contains(&lower.as_str()) {
            out.push_str(&lower);
        } else {
            out.push_str(&title_case(word));
        }
        *first = false;
        word.clear();
    };
    for c in s.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut first);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut first);
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn labels_amounts_and_sentences_are_not_party_names() {
        for bad in [
            "TOTAL AMOUNT DUE ON August 3",
            "Buyer contact name",
            "Verschulden der QualityHosting",
            "Net 30 days",
            "Montant TTC",
            "Date d'échéance",
            "payable within thirty days of the invoice",
        ] {
            assert!(!looks_like_party_name(bad), "{bad}");
        }
        for good in [
            "Kunden AG Mitte",
            "Papierflieger-Vertriebs-GmbH",
            "Amazon Web Services, Inc.",
            "Boulangerie Martin",
            "Total SA",
            "Maison du Pain",
            "Atelier Duval",
        ] {
            assert!(looks_like_party_name(good), "{good}");
        }
    }

    use super::*;

    #[test]
    fn legal_form_variants_share_one_key() {
        let k = normalize_company("SARL Dupont");
        assert_eq!(k, "dupont");
        for v in [
            "Dupont SARL",
            "DUPONT",
            "Dupont s.a.r.l.",
            "Dupont S.A.R.L",
            "dupont, sarl",
            "Société Dupont",
            "Dupont SAS",
            "Ets Dupont",
        ] {
            assert_eq!(normalize_company(v), k, "{v}");
        }
    }

    #[test]
    fn keys_fold_accents_and_foreign_forms() {
        assert_eq!(
            normalize_company("Pâtisserie Étoile EURL"),
            "patisserie etoile"
        );
        assert_eq!(normalize_company("Lieferant GmbH"), "lieferant");
        assert_eq!(normalize_company("Coolblue B.V."), "coolblue");
        assert_eq!(
            normalize_company("Amazon Web Services, Inc."),
            "amazon web services"
        );
        assert_eq!(
            normalize_company("WS Retail Services Pvt. Ltd."),
            "ws retail services"
        );
        assert_eq!(normalize_company("QualityHosting AG"), "qualityhosting");
        assert_eq!(
            normalize_company("Polski Koncern Naftowy ORLEN spółka akcyjna"),
            "polski koncern naftowy orlen"
        );
        assert_eq!(
            normalize_company("Polski Koncern Naftowy ORLEN S.A."),
            "polski koncern naftowy orlen"
        );
        assert_eq!(normalize_company("Acme Ltd"), normalize_company("ACME LLC"));
        assert_eq!(normalize_company("Dupont & Co"), "dupont");
        assert_eq!(
            normalize_company("SELARL CABINET MOREAU ET ASSOCIES"),
            normalize_company("Cabinet Moreau & Associés")
        );
        assert_eq!(
            normalize_company("Mairie St-Aubin"),
            normalize_company("Commune de Saint-Aubin")
        );
        assert_eq!(
            normalize_company("SAS HOTEL LES TILLEULS"),
            normalize_company("Hôtel Les Tilleuls")
        );
    }

    #[test]
    fn a_bare_legal_form_keeps_its_letters() {
        assert_eq!(normalize_company("SA"), "sa");
    }

    #[test]
    fn strips_legal_form_keeping_spelling() {
        assert_eq!(strip_legal_form("SARL Dupont"), "Dupont");
        assert_eq!(strip_legal_form("Dupont s.a.r.l."), "Dupont");
        assert_eq!(strip_legal_form("Coolblue B.V."), "Coolblue");
        assert_eq!(
            strip_legal_form("Amazon Web Services, Inc."),
            "Amazon Web Services"
        );
        assert_eq!(strip_legal_form("Boulangerie Martin"), "Boulangerie Martin");
    }

    #[test]
    fn finds_companies_from_label_cues() {
        let t = "Émetteur : Atelier Lumière SAS\nFacturé à : SARL Dupont\nBill to: Acme Ltd\nClient :\n";
        let m = find_companies(t);
        let client: Vec<_> = m
            .iter()
            .filter(|m| m.role == PartyRole::Client)
            .map(|m| (m.name.as_str(), m.cue.as_str()))
            .collect();
        assert!(client.contains(&("SARL Dupont", "Facturé à")), "{m:?}");
        assert!(client.contains(&("Acme Ltd", "Bill to")), "{m:?}");
        let issuer: Vec<_> = m
            .iter()
            .filter(|m| m.role == PartyRole::Issuer)
            .map(|m| m.key.as_str())
            .collect();
        assert_eq!(issuer, vec!["atelier lumiere"]);
        let d = m.iter().find(|m| m.cue == "Facturé à").unwrap();
        assert_eq!(&t[d.span.start..d.span.end], "SARL Dupont");
    }

    #[test]
    fn finds_companies_from_each_cue() {
        let cases = [
            (
                "Destinataire : Mairie de Saint-Aubin",
                "Destinataire",
                PartyRole::Client,
            ),
            ("From: Baltic Oak Trading Ltd", "From", PartyRole::Issuer),
            (
                "Sold By : WS Retail Services Pvt. Ltd.,",
                "Sold by",
                PartyRole::Issuer,
            ),
            ("ATTN: iViveLabs Limited", "ATTN", PartyRole::Client),
            ("Client : Boulangerie Lefèvre", "Client", PartyRole::Client),
            ("Customer: Acme Corp", "Customer", PartyRole::Client),
            (
                "Fournisseur : Bois & Panneaux du Rhône",
                "Fournisseur",
                PartyRole::Issuer,
            ),
        ];
        for (text, cue, role) in cases {
            let m = find_companies(text);
            assert!(
                m.iter().any(|m| m.cue == cue && m.role == role),
                "{text}: {m:?}"
            );
        }
    }

    #[test]
    fn client_word_in_running_text_is_not_a_cue() {
        let m = find_companies("Le client est content de la pose.");
        assert!(m.iter().all(|m| m.cue != "Client"), "{m:?}");
    }

    #[test]
    fn finds_companies_from_legal_forms_and_societe() {
        let t = "Merci de votre confiance. Coolblue B.V. Weena 664\nLa Société Martin Frères a livré.\nQualityHosting AG - Uferweg 40";
        let keys: Vec<_> = find_companies(t).into_iter().map(|m| m.key).collect();
        assert!(keys.contains(&"coolblue".to_string()), "{keys:?}");
        assert!(keys.contains(&"martin freres".to_string()), "{keys:?}");
        assert!(keys.contains(&"qualityhosting".to_string()), "{keys:?}");
    }

    #[test]
    fn finds_company_from_email_domain_but_not_webmail() {
        let t = "Contact: jean@dupont-batiment.fr, perso: jean.dupont@gmail.com";
        let m = find_companies(t);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].key, "dupont batiment");
        assert_eq!(m[0].cue, "e-mail domain");
    }

    #[test]
    fn reads_value_written_below_its_label() {
        let t = "Bill To:            Ship To:\nTaylor Riddel       Taylor's Store\n";
        let m = find_companies(t);
        assert!(
            m.iter()
                .any(|m| m.name == "Taylor Riddel" && m.role == PartyRole::Client),
            "{m:?}"
        );
    }

    #[test]
    fn display_name_prefers_mixed_case_and_accents() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            display_name(&v(&["DUPONT", "Dupont SARL", "DUPONT"])),
            "Dupont"
        );
        assert_eq!(
            display_name(&v(&["DUPONT SARL", "Dupont SARL"])),
            "Dupont SARL"
        );
        assert_eq!(
            display_name(&v(&["Societe Generale", "Société Générale"])),
            "Société Générale"
        );
        assert_eq!(display_name(&v(&["Acme", "Acme", "ACME"])), "Acme");
        assert_eq!(
            display_name(&v(&[
                "Mairie de St-Aubin",
                "Mairie de St-Aubin",
                "Mairie de Saint-Aubin"
            ])),
            "Mairie de Saint-Aubin"
        );
        assert_eq!(
            display_name(&v(&[
                "Commune de Saint-Aubin",
                "MAIRIE DE SAINT-AUBIN",
                "MAIRIE DE SAINT-AUBIN",
                "Mairie de St-Aubin"
            ])),
            "Mairie de Saint-Aubin"
        );
        assert_eq!(
            display_name(&v(&[
                "BOULANGERIE LEFEVRE",
                "BOULANGERIE LEFEVRE",
                "Boulangerie Lefèvre"
            ])),
            "Boulangerie Lefèvre"
        );
        assert_eq!(display_name(&[]), "");
    }
}
