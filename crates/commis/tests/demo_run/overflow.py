# Renders deliverables with LibreOffice and looks for text that overflows: words outside
# the page, or words drawn over other words (a text box running into its neighbour). A
# control deck that overflows on purpose (made here with python-pptx) must be caught, so
# the check cannot pass by seeing nothing. Prints JSON. Used by demo_run.rs.
import html
import json
import os
import re
import subprocess
import sys
import tempfile

from pptx import Presentation
from pptx.util import Inches, Pt

files = sys.argv[1:]
work = tempfile.mkdtemp(prefix="commis-layout-")

control = os.path.join(work, "control-overflow.pptx")
prs = Presentation()
slide = prs.slides.add_slide(prs.slide_layouts[6])
box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
box.text_frame.word_wrap = True
box.text_frame.text = " ".join(["débordement"] * 120)
for p in box.text_frame.paragraphs:
    for r in p.runs:
        r.font.size = Pt(24)
below = slide.shapes.add_textbox(Inches(1), Inches(2.2), Inches(4), Inches(1))
below.text_frame.text = "Texte voisin qui doit rester lisible"
prs.save(control)

subprocess.run(
    ["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile",
     "--convert-to", "pdf", "--outdir", work, control, *files],
    check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300,
)

WORD = re.compile(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>')


def problems(pdf):
    out = subprocess.run(["pdftotext", "-bbox-layout", pdf, "-"], check=True,
                         capture_output=True, text=True).stdout
    found = []
    for n, page in enumerate(re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S), 1):
        w, h = float(page.group(1)), float(page.group(2))
        words = [(float(a), float(b), float(c), float(d), html.unescape(t))
                 for a, b, c, d, t in WORD.findall(page.group(3))]
        for x0, y0, x1, y1, t in words:
            if x0 < -0.5 or y0 < -0.5 or x1 > w + 0.5 or y1 > h + 0.5:
                found.append(f"page {n}: « {t} » lies outside the page")
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                ix = min(a[2], b[2]) - max(a[0], b[0])
                iy = min(a[3], b[3]) - max(a[1], b[1])
                if ix <= 0 or iy <= 0:
                    continue
                small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
                if small > 0 and ix * iy / small > 0.3:
                    found.append(f"page {n}: « {a[4]} » is drawn over « {b[4]} »")
    return found


report = {}
for f in [control, *files]:
    pdf = os.path.join(work, os.path.splitext(os.path.basename(f))[0] + ".pdf")
    report[os.path.basename(f)] = problems(pdf)
print(json.dumps(report, ensure_ascii=False))
