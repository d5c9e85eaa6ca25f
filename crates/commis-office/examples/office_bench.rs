//! The benchmark workloads of `benches/office/run.sh`, shaped like the Python peers in
//! `../shared/peers/` (xlsx_write.py, pptx_write.py) so the two can be timed side by side:
//!
//! - `office_bench xlsx ROWS OUT.xlsx`: ROWS invoice rows x 8 columns with VAT and total
//!   formulas, a summary sheet with one SUMIF per client, formats and widths;
//! - `office_bench pptx SLIDES OUT.pptx`: a title slide, bullet slides with notes, one 10x5 table.
//!
//! Unlike the peers, every formula's cached value is computed and stored.

use commis_office::{
    Bullet, CellValue, ColumnKind, ColumnSpec, DeckSpec, SheetSpec, SlideContent, SlideSpec,
    SpreadsheetSpec, Theme, build_presentation, build_spreadsheet,
};

fn column(header: &str, kind: ColumnKind, width: f64) -> ColumnSpec {
    ColumnSpec {
        header: header.into(),
        kind,
        width: Some(width),
    }
}

fn sheet(name: &str, columns: Vec<ColumnSpec>, rows: Vec<Vec<CellValue>>) -> SheetSpec {
    SheetSpec {
        name: name.into(),
        columns,
        rows,
        totals: None,
        table: false,
        freeze_header: false,
        conditional: Vec::new(),
        charts: Vec::new(),
    }
}

fn workbook(rows: usize) -> SpreadsheetSpec {
    let clients = [
        "Dupont SARL",
        "Boulangerie Martin",
        "Cabinet Lefèvre",
        "Garage Renaud",
        "Société Générale",
    ];
    let data = (0..rows)
        .map(|i| {
            let r = i + 2;
            vec![
                // 2024-01-01 is serial 45292; the peer cycles through the year the same way.
                CellValue::Number(45_292.0 + (i % 365) as f64),
                CellValue::Text(clients[i % 5].into()),
                CellValue::Text(format!("F2024-{i:06}")),
                CellValue::Number((100 + (i * 37) % 5000) as f64 + 0.25),
                CellValue::Number(0.2),
                CellValue::Text(format!("=D{r}*E{r}")),
                CellValue::Text(format!("=D{r}+F{r}")),
                CellValue::Text(if i % 3 != 0 { "payée" } else { "en attente" }.into()),
            ]
        })
        .collect();
    let invoices = sheet(
        "Factures",
        vec![
            column("Date", ColumnKind::Date, 12.0),
            column("Client", ColumnKind::Text, 22.0),
            column("Numéro", ColumnKind::Text, 14.0),
            column("Montant HT", ColumnKind::Currency, 14.0),
            column("Taux TVA", ColumnKind::Text, 9.0),
            column("TVA", ColumnKind::Currency, 12.0),
            column("Total TTC", ColumnKind::Currency, 14.0),
            column("Statut", ColumnKind::Text, 12.0),
        ],
        data,
    );
    let summary = sheet(
        "Synthèse",
        vec![
            column("Client", ColumnKind::Text, 22.0),
            column("Total TTC", ColumnKind::Text, 14.0),
        ],
        clients
            .iter()
            .enumerate()
            .map(|(k, c)| {
                vec![
                    CellValue::Text((*c).into()),
                    CellValue::Text(format!("=SUMIF(Factures!B:B,A{},Factures!G:G)", k + 2)),
                ]
            })
            .collect(),
    );
    SpreadsheetSpec {
        sheets: vec![invoices, summary],
        sources: Vec::new(),
        locale: Default::default(),
        currency: "EUR".into(),
    }
}

fn deck(n: usize) -> DeckSpec {
    let mut slides = vec![SlideSpec {
        content: SlideContent::Title {
            title: "Synthèse clients 2024".into(),
            subtitle: Some("Cabinet Martin SARL".into()),
        },
        notes: None,
    }];
    for i in 1..n.saturating_sub(1) {
        slides.push(SlideSpec {
            content: SlideContent::Bullets {
                title: format!("Point {i} : chiffre d'affaires"),
                bullets: vec![Bullet::Nested {
                    text: "Chiffre d'affaires en hausse de 12 %".into(),
                    sub: (0..4).map(|k| format!("Client {k} : 1 234,56 €")).collect(),
                }],
            },
            notes: Some(format!("Notes de l'orateur pour la diapositive {i}.")),
        });
    }
    slides.push(SlideSpec {
        content: SlideContent::Table {
            title: "Tableau".into(),
            header: (0..5).map(|c| format!("0,{c}")).collect(),
            rows: (1..10)
                .map(|r| {
                    (0..5)
                        .map(|c| CellValue::Text(format!("{r},{c}")))
                        .collect()
                })
                .collect(),
        },
        notes: None,
    });
    DeckSpec {
        title: "Synthèse clients 2024".into(),
        subtitle: None,
        theme: Theme::Default,
        locale: Default::default(),
        slides,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(kind), Some(n), Some(out)) = (args.get(1), args.get(2), args.get(3)) else {
        return Err("usage: office_bench xlsx ROWS OUT.xlsx | pptx SLIDES OUT.pptx".into());
    };
    let n: usize = n.parse()?;
    let bytes = match kind.as_str() {
        "xlsx" => build_spreadsheet(&workbook(n))?,
        "pptx" => build_presentation(&deck(n))?,
        other => return Err(format!("unknown workload {other}").into()),
    };
    std::fs::write(out, bytes)?;
    println!("{{\"{kind}\": {n}, \"out\": \"{out}\"}}");
    Ok(())
}
