//! Which files a clause's scope covers: its document types, folders, extensions, clients
//! and period, resolved against the survey (and today, for « le mois dernier »), and the
//! one-line statement of that scope shown before a plan's change list. Not for: reading
//! briefs (see `frame`).

use super::analysis::{Analysis, FileFacts};
use super::brief::Lang;
use super::frame::{Period, Relative, Scope};

/// A calendar day (year, month, day).
pub type Day = (i32, u32, u32);

/// Today's date from the system clock (UTC).
pub fn today() -> Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> Day {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

fn days_from_civil((y, m, d): Day) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn iso((y, m, d): Day) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn last_day(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (days_from_civil((ny, nm, 1)) - days_from_civil((y, m, 1))) as u32
}

/// A period resolved to inclusive ISO dates, with its name for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub from: String,
    pub to: String,
    pub label: String,
}

fn month_name(m: u32, lang: Lang) -> &'static str {
    commis_skills::minutes::month_name(m, lang)
}

fn months_range(y: i32, from: u32, to: u32, lang: Lang) -> Range {
    let label = if from == to {
        format!("{} {y}", month_name(from, lang))
    } else if from % 3 == 1 && to == from + 2 {
        match lang {
            Lang::Fr => format!("T{} {y}", from / 3 + 1),
            Lang::En => format!("Q{} {y}", from / 3 + 1),
        }
    } else {
        format!("{}–{} {y}", month_name(from, lang), month_name(to, lang))
    };
    Range {
        from: iso((y, from, 1)),
        to: iso((y, to, last_day(y, to))),
        label,
    }
}

/// Resolves a period: relative ones against today, a month without a year against the
/// documents (the latest year that has documents in that month), else today's year.
pub fn resolve(period: Period, files: &[FileFacts], today: Day, lang: Lang) -> Range {
    match period {
        Period::Months { year, from, to } => {
            let y = year.unwrap_or_else(|| {
                files
                    .iter()
                    .filter_map(|f| f.date.as_deref())
                    .filter_map(|d| {
                        let y: i32 = d.get(0..4)?.parse().ok()?;
                        let m: u32 = d.get(5..7)?.parse().ok()?;
                        (from..=to).contains(&m).then_some(y)
                    })
                    .max()
                    .unwrap_or(today.0)
            });
            months_range(y, from, to, lang)
        }
        Period::Year { year } => Range {
            from: iso((year, 1, 1)),
            to: iso((year, 12, 31)),
            label: year.to_string(),
        },
        Period::Relative { what } => {
            let (y, m, _) = today;
            let q = (m - 1) / 3;
            match what {
                Relative::ThisMonth => months_range(y, m, m, lang),
                Relative::LastMonth => {
                    let (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
                    months_range(y, m, m, lang)
                }
                Relative::ThisQuarter => months_range(y, q * 3 + 1, q * 3 + 3, lang),
                Relative::LastQuarter => {
                    let (y, q) = if q == 0 { (y - 1, 3) } else { (y, q - 1) };
                    months_range(y, q * 3 + 1, q * 3 + 3, lang)
                }
                Relative::ThisYear => resolve(Period::Year { year: y }, files, today, lang),
                Relative::LastYear => resolve(Period::Year { year: y - 1 }, files, today, lang),
                Relative::LastWeek => {
                    // Monday to Sunday of the week before this one.
                    let t = days_from_civil(today);
                    let weekday = (t + 3).rem_euclid(7); // 0 = Monday
                    let start = t - weekday - 7;
                    Range {
                        from: iso(civil_from_days(start)),
                        to: iso(civil_from_days(start + 6)),
                        label: lang.pick("la semaine dernière", "last week").to_string(),
                    }
                }
            }
        }
    }
}

/// The document classes a class name of the frame covers.
pub fn kinds_of(class: &str) -> &'static [&'static str] {
    match class {
        "invoice" => &["invoice", "supplier_invoice"],
        "sales_invoice" => &["invoice"],
        "supplier_invoice" => &["supplier_invoice"],
        "quote" => &["quote"],
        "credit_note" => &["credit_note"],
        "meeting" => &["meeting_transcript", "meeting_notes", "meeting_minutes"],
        "client_note" => &["client_note"],
        "email" => &["email"],
        "spreadsheet" => &["spreadsheet", "data_export"],
        "bank_statement" => &["bank_statement"],
        "image" => &["image"],
        "contract" => &["contract"],
        "receipt" => &["receipt"],
        "purchase_order" => &["purchase_order"],
        "letter" => &["letter"],
        "report" => &["report"],
        "presentation" => &["presentation"],
        _ => &[],
    }
}

fn kind_in(f: &FileFacts, classes: &[String]) -> bool {
    classes
        .iter()
        .any(|c| kinds_of(c).contains(&f.kind.as_str()))
}

fn in_folder(f: &FileFacts, folders: &[String]) -> bool {
    folders
        .iter()
        .any(|d| f.path.starts_with(&format!("{}/", d.trim_end_matches('/'))))
}

fn ext(f: &FileFacts) -> String {
    let name = f.path.rsplit('/').next().unwrap_or(&f.path);
    match name.rsplit_once('.') {
        Some((_, e)) => {
            let e = e.to_lowercase();
            match e.as_str() {
                "jpeg" => "jpg".into(),
                "doc" => "docx".into(),
                "xls" => "xlsx".into(),
                _ => e,
            }
        }
        None => String::new(),
    }
}

fn client_is(f: &FileFacts, clients: &[String]) -> bool {
    let own = f
        .client
        .as_deref()
        .filter(|_| f.client_confidence >= super::CONFIDENT)
        .or(f.invoice.as_ref().and_then(|i| i.client.as_deref()));
    match own {
        Some(c) => {
            let key = commis_skills::entities::normalize_company(c);
            clients
                .iter()
                .any(|x| commis_skills::entities::normalize_company(x) == key)
        }
        None => false,
    }
}

fn date_of(f: &FileFacts) -> Option<&str> {
    f.invoice
        .as_ref()
        .and_then(|i| i.date.as_deref())
        .or(f.date.as_deref())
}

/// True when the file is within the scope (with the period already resolved).
pub fn covers(scope: &Scope, range: Option<&Range>, f: &FileFacts) -> bool {
    if !scope.files.is_empty() && !scope.files.contains(&f.path) {
        return false;
    }
    if !scope.kinds.is_empty() && !kind_in(f, &scope.kinds) {
        return false;
    }
    if kind_in(f, &scope.not_kinds) {
        return false;
    }
    if !scope.folders.is_empty() && !in_folder(f, &scope.folders) {
        return false;
    }
    if in_folder(f, &scope.not_folders) {
        return false;
    }
    let e = ext(f);
    if !scope.exts.is_empty() && !scope.exts.contains(&e) {
        return false;
    }
    if scope.not_exts.contains(&e) {
        return false;
    }
    if !scope.clients.is_empty() && !client_is(f, &scope.clients) {
        return false;
    }
    if !scope.not_clients.is_empty() && client_is(f, &scope.not_clients) {
        return false;
    }
    if let Some(r) = range {
        match date_of(f) {
            Some(d) if d.len() >= 10 => {
                if d[..10] < *r.from.as_str() || d[..10] > *r.to.as_str() {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

/// The files of the survey a scope covers.
pub fn select<'a>(
    scope: &Scope,
    analysis: &'a Analysis,
    today: Day,
    lang: Lang,
) -> (Vec<&'a FileFacts>, Option<Range>) {
    let range = scope
        .period
        .map(|p| resolve(p, &analysis.files, today, lang));
    let files = analysis
        .files
        .iter()
        .filter(|f| covers(scope, range.as_ref(), f))
        .collect();
    (files, range)
}

fn class_label(class: &str, lang: Lang) -> &'static str {
    match class {
        "invoice" => lang.pick("factures", "invoices"),
        "sales_invoice" => lang.pick("factures clients", "sales invoices"),
        "supplier_invoice" => lang.pick("factures fournisseurs", "supplier invoices"),
        "quote" => lang.pick("devis", "quotes"),
        "credit_note" => lang.pick("avoirs", "credit notes"),
        "meeting" => lang.pick("réunions", "meetings"),
        "client_note" => lang.pick("notes clients", "client notes"),
        "email" => "e-mails",
        "spreadsheet" => lang.pick("tableurs et exports", "spreadsheets and exports"),
        "bank_statement" => lang.pick("relevés bancaires", "bank statements"),
        "image" => "images",
        "contract" => lang.pick("contrats", "contracts"),
        "receipt" => lang.pick("reçus", "receipts"),
        "purchase_order" => lang.pick("bons de commande", "purchase orders"),
        "letter" => lang.pick("courriers", "letters"),
        "report" => lang.pick("rapports", "reports"),
        "presentation" => lang.pick("présentations", "presentations"),
        _ => lang.pick("fichiers", "files"),
    }
}

/// « 12 factures de « A trier/ » de mars 2024, sauf devis » — what a scope is, in words.
pub fn describe(scope: &Scope, range: Option<&Range>, n: usize, lang: Lang) -> String {
    let what = if scope.kinds.is_empty() {
        lang.pick("fichier(s)", "file(s)").to_string()
    } else {
        let labels: Vec<&str> = scope.kinds.iter().map(|k| class_label(k, lang)).collect();
        match labels.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                format!("{}{}{last}", rest.join(", "), lang.pick(" et ", " and "))
            }
            _ => labels.join(""),
        }
    };
    let mut s = format!("{n} {what}");
    if !scope.files.is_empty() {
        let f: Vec<String> = scope.files.iter().map(|p| format!("« {p} »")).collect();
        s.push_str(&format!(" : {}", f.join(", ")));
    }
    if !scope.exts.is_empty() {
        s.push_str(&format!(
            " {}",
            scope
                .exts
                .iter()
                .map(|e| e.to_uppercase())
                .collect::<Vec<_>>()
                .join("/")
        ));
    }
    if !scope.folders.is_empty() {
        let f: Vec<String> = scope.folders.iter().map(|d| format!("« {d}/ »")).collect();
        s.push_str(&format!(" {} {}", lang.pick("de", "in"), f.join(", ")));
    }
    if !scope.clients.is_empty() {
        s.push_str(&format!(
            " {} {}",
            lang.pick("du client", "of client"),
            scope.clients.join(", ")
        ));
    }
    if let Some(r) = range {
        s.push_str(&format!(
            " {} {} ({} → {})",
            lang.pick("de", "of"),
            r.label,
            r.from,
            r.to
        ));
    }
    let mut not: Vec<String> = scope
        .not_kinds
        .iter()
        .map(|k| class_label(k, lang).to_string())
        .collect();
    not.extend(scope.not_folders.iter().map(|d| format!("« {d}/ »")));
    not.extend(scope.not_exts.iter().map(|e| e.to_uppercase()));
    not.extend(scope.not_clients.iter().cloned());
    if !not.is_empty() {
        s.push_str(&format!(
            ", {} {}",
            lang.pick("sauf", "except"),
            not.join(", ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips_and_relative_periods_resolve_against_today() {
        for d in [(2024, 2, 29), (2026, 12, 3), (2000, 1, 1), (1999, 12, 31)] {
            assert_eq!(civil_from_days(days_from_civil(d)), d);
        }
        let today = (2026, 12, 3);
        let r = resolve(
            Period::Relative {
                what: Relative::LastQuarter,
            },
            &[],
            today,
            Lang::Fr,
        );
        assert_eq!(
            (r.from.as_str(), r.to.as_str()),
            ("2026-07-01", "2026-09-30")
        );
        let r = resolve(
            Period::Relative {
                what: Relative::LastMonth,
            },
            &[],
            (2026, 1, 10),
            Lang::En,
        );
        assert_eq!(
            (r.from.as_str(), r.to.as_str()),
            ("2025-12-01", "2025-12-31")
        );
        // 2026-12-03 is a Thursday: last week is Mon 23 Nov – Sun 29 Nov.
        let r = resolve(
            Period::Relative {
                what: Relative::LastWeek,
            },
            &[],
            today,
            Lang::Fr,
        );
        assert_eq!(
            (r.from.as_str(), r.to.as_str()),
            ("2026-11-23", "2026-11-29")
        );
    }

    #[test]
    fn a_month_without_year_takes_the_documents_year() {
        let f = FileFacts {
            date: Some("2024-03-12".into()),
            ..Default::default()
        };
        let r = resolve(
            Period::Months {
                year: None,
                from: 3,
                to: 3,
            },
            &[f],
            (2026, 12, 3),
            Lang::Fr,
        );
        assert_eq!(r.from, "2024-03-01");
        assert_eq!(r.to, "2024-03-31");
        assert_eq!(r.label, "mars 2024");
    }
}
