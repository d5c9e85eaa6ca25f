//! Native chart parts (DrawingML charts) with their data embedded as a small workbook, so that
//! PowerPoint's "Edit data" and LibreOffice's chart editor work on them.

use super::{ChartKind, Palette, SeriesSpec};
use crate::OfficeError;
use crate::package::esc;
use rust_xlsxwriter::Workbook;

/// The embedded workbook: categories in column A, one series per following column.
pub(crate) fn embedded_workbook(
    categories: &[String],
    series: &[SeriesSpec],
) -> Result<Vec<u8>, OfficeError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Sheet1")?;
    for (i, c) in categories.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, c)?;
    }
    for (s, ser) in series.iter().enumerate() {
        let col = s as u16 + 1;
        ws.write_string(0, col, &ser.name)?;
        for (i, v) in ser.values.iter().enumerate() {
            ws.write_number(i as u32 + 1, col, *v)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn col(i: usize) -> String {
    crate::xlsx::formula::col_letters(i as u32)
}

fn str_cache(values: &[String]) -> String {
    let mut s = format!(r#"<c:strCache><c:ptCount val="{}"/>"#, values.len());
    for (i, v) in values.iter().enumerate() {
        s.push_str(&format!(r#"<c:pt idx="{i}"><c:v>{}</c:v></c:pt>"#, esc(v)));
    }
    s.push_str("</c:strCache>");
    s
}

fn num_cache(values: &[f64]) -> String {
    let mut s = format!(
        r#"<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{}"/>"#,
        values.len()
    );
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() {
            s.push_str(&format!(r#"<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>"#));
        }
    }
    s.push_str("</c:numCache>");
    s
}

fn fill(color: &str) -> String {
    format!(r#"<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr>"#)
}

fn text_props(size: u32, color: &str, bold: bool) -> String {
    format!(
        r#"<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}" b="{}"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill><a:latin typeface="Calibri"/></a:defRPr></a:pPr><a:endParaRPr lang="fr-FR"/></a:p></c:txPr>"#,
        u8::from(bold)
    )
}

/// The number format of the value axis: grouped digits, then the first series' unit
/// (quoted, after a no-break space) when it has one.
fn value_format(series: &[SeriesSpec]) -> String {
    match series.first().and_then(|s| s.unit.as_deref()) {
        Some(unit) if !unit.trim().is_empty() => {
            let unit = unit.trim().replace('"', "");
            format!("#,##0\u{a0}\"{unit}\"")
        }
        _ => "#,##0".to_string(),
    }
}

/// The chart part XML; `rid` is the relationship id of the embedded workbook.
pub(crate) fn chart_xml(
    kind: ChartKind,
    categories: &[String],
    series: &[SeriesSpec],
    p: &Palette,
    rid: &str,
) -> String {
    let n = categories.len();
    let last = n + 1;
    let mut sers = String::new();
    let series_used: &[SeriesSpec] = if kind == ChartKind::Pie {
        &series[..series.len().min(1)]
    } else {
        series
    };
    for (i, s) in series_used.iter().enumerate() {
        let c = col(i + 1);
        let color = p.series[i % p.series.len()];
        let tx = format!(
            r#"<c:tx><c:strRef><c:f>Sheet1!${c}$1</c:f>{}</c:strRef></c:tx>"#,
            str_cache(std::slice::from_ref(&s.name))
        );
        let cat = format!(
            r#"<c:cat><c:strRef><c:f>Sheet1!$A$2:$A${last}</c:f>{}</c:strRef></c:cat>"#,
            str_cache(categories)
        );
        let val = format!(
            r#"<c:val><c:numRef><c:f>Sheet1!${c}$2:${c}${last}</c:f>{}</c:numRef></c:val>"#,
            num_cache(&s.values)
        );
        let body = match kind {
            ChartKind::Bar => format!(
                r#"{tx}{}<c:invertIfNegative val="0"/>{cat}{val}"#,
                fill(color)
            ),
            ChartKind::Line => format!(
                r#"{tx}<c:spPr><a:ln w="34925" cap="rnd"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill><a:round/></a:ln></c:spPr><c:marker><c:symbol val="circle"/><c:size val="7"/>{}</c:marker>{cat}{val}<c:smooth val="0"/>"#,
                fill(color)
            ),
            ChartKind::Pie => {
                let mut points = String::new();
                for k in 0..n {
                    points.push_str(&format!(
                        r#"<c:dPt><c:idx val="{k}"/><c:bubble3D val="0"/><c:spPr><a:solidFill><a:srgbClr val="{}"/></a:solidFill><a:ln w="19050"><a:solidFill><a:srgbClr val="{}"/></a:solidFill></a:ln></c:spPr></c:dPt>"#,
                        p.series[k % p.series.len()],
                        p.bg
                    ));
                }
                format!(
                    r#"{tx}{points}<c:dLbls><c:numFmt formatCode="0%" sourceLinked="0"/><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{}<c:dLblPos val="inEnd"/><c:showLegendKey val="0"/><c:showVal val="0"/><c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="1"/><c:showBubbleSize val="0"/><c:showLeaderLines val="0"/></c:dLbls>{cat}{val}"#,
                    text_props(1400, "FFFFFF", true)
                )
            }
        };
        sers.push_str(&format!(
            r#"<c:ser><c:idx val="{i}"/><c:order val="{i}"/>{body}</c:ser>"#
        ));
    }
    let axis_text = text_props(1200, p.muted, false);
    let value_format = esc(&value_format(series));
    let axes = format!(
        r##"<c:catAx><c:axId val="50010"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="low"/><c:spPr><a:ln w="9525"><a:solidFill><a:srgbClr val="{grid}"/></a:solidFill></a:ln></c:spPr>{axis_text}<c:crossAx val="50020"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx><c:valAx><c:axId val="50020"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="{grid}"/></a:solidFill></a:ln></c:spPr></c:majorGridlines><c:numFmt formatCode="{value_format}" sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:spPr><a:ln><a:noFill/></a:ln></c:spPr>{axis_text}<c:crossAx val="50010"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>"##,
        grid = p.grid
    );
    let plot = match kind {
        ChartKind::Bar => format!(
            r#"<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>{sers}<c:gapWidth val="60"/><c:overlap val="-10"/><c:axId val="50010"/><c:axId val="50020"/></c:barChart>{axes}"#
        ),
        ChartKind::Line => format!(
            r#"<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{sers}<c:marker val="1"/><c:axId val="50010"/><c:axId val="50020"/></c:lineChart>{axes}"#
        ),
        ChartKind::Pie => format!(
            r#"<c:pieChart><c:varyColors val="1"/>{sers}<c:firstSliceAng val="0"/></c:pieChart>"#
        ),
    };
    let show_legend = kind == ChartKind::Pie || series_used.len() > 1;
    let legend = if show_legend {
        format!(
            r#"<c:legend><c:legendPos val="{}"/><c:overlay val="0"/>{}</c:legend>"#,
            if kind == ChartKind::Pie { "r" } else { "b" },
            text_props(1300, p.text, false)
        )
    } else {
        String::new()
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><c:date1904 val="0"/><c:roundedCorners val="0"/><c:chart><c:autoTitleDeleted val="1"/><c:plotArea><c:layout/>{plot}<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr></c:plotArea>{legend}<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{}<c:externalData r:id="{rid}"><c:autoUpdate val="0"/></c:externalData></c:chartSpace>"#,
        text_props(1200, p.text, false)
    )
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn series(unit: Option<&str>) -> Vec<SeriesSpec> {
        vec![SeriesSpec {
            name: "Total".into(),
            values: vec![1.0, 2.0],
            unit: unit.map(str::to_string),
        }]
    }

    #[test]
    fn the_value_axis_shows_the_series_unit() {
        assert_eq!(value_format(&series(Some("€"))), "#,##0\u{a0}\"€\"");
        assert_eq!(value_format(&series(None)), "#,##0");
        assert_eq!(value_format(&series(Some(" "))), "#,##0");
    }
}
