# Reads the seed brief's deliverables back with the reference Python readers and prints,
# as JSON, every figure each one shows: money amounts (with their unit), chart values and
# the workbook's cached numbers. Used by demo_run.rs (deliverables_agree_figure_for_figure).
import json
import re
import sys

import docx
import openpyxl
from pptx import Presentation

workbook, deck, report = sys.argv[1:4]

MONEY = re.compile(r"(-?\d{1,3}(?:[\u202f\u00a0 ]\d{3})*),(\d{2})(\s?€)?")


def money_in(text):
    out = []
    for m in MONEY.finditer(text):
        units = re.sub(r"[\u202f\u00a0 ]", "", m.group(1))
        value = float(units + "." + m.group(2))
        out.append({"text": m.group(0), "value": value, "unit": bool(m.group(3))})
    return out


numbers = []
wb = openpyxl.load_workbook(workbook, data_only=True)
for ws in wb:
    for row in ws.iter_rows(values_only=True):
        for v in row:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                numbers.append(round(float(v), 2))

deck_texts, chart_values, chart_formats = [], [], []
for slide in Presentation(deck).slides:
    for shape in slide.shapes:
        if shape.has_text_frame:
            deck_texts.append(shape.text_frame.text)
        if shape.has_table:
            for row in shape.table.rows:
                deck_texts.extend(c.text for c in row.cells)
        if shape.has_chart:
            chart_formats.append(shape.chart.value_axis.tick_labels.number_format)
            for plot in shape.chart.plots:
                for series in plot.series:
                    chart_values.extend(round(float(v), 2) for v in series.values if v is not None)

doc = docx.Document(report)
report_texts = [p.text for p in doc.paragraphs]
for table in doc.tables:
    for row in table.rows:
        report_texts.extend(c.text for c in row.cells)

print(json.dumps({
    "workbook": numbers,
    "deck_money": [m for t in deck_texts for m in money_in(t)],
    "deck_chart": chart_values,
    "deck_chart_formats": chart_formats,
    "report_money": [m for t in report_texts for m in money_in(t)],
}, ensure_ascii=False))
