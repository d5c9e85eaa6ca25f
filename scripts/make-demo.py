#!/usr/bin/env python3
"""Generate the commis demo folder: the files of a small French joinery business.

What it writes
    OUTDIR/                      35 documents of "Atelier Lemoine SARL" (menuiserie et
                                 agencement, Lyon), spring 2024, deliberately messy:
                                 invoices, quotes and a credit note as PDF or DOCX, two
                                 supplier invoices (one in English), client notes
                                 (.txt/.md/.docx, one .txt in Windows-1252), three meeting
                                 transcripts and one set of minutes, two bank exports
                                 (Windows-1252, ';', decimal comma), a client list export
                                 (UTF-8 with BOM), a follow-up workbook with formulas, a
                                 logo PNG, two e-mails (.eml), and one byte-identical
                                 duplicate. Client names appear in variants
                                 ("SARL Dupont Bâtiment", "DUPONT BATIMENT", ...).
    OUTDIR.expected.json         the ground truth, next to the folder (not inside it, so
                                 it is not catalogued): for every file its type, canonical
                                 client, duplicate, and for invoices/quotes/credit notes
                                 the fields an extractor should find; for transcripts and
                                 minutes the planted action items; under "money" what
                                 the money questions must answer at the last bank line's
                                 date (unpaid invoices and their ageing, invoices paid
                                 late, VAT and net revenue per month, quotes and the
                                 invoices that bill them).

How to regenerate
    python3 scripts/make-demo.py examples/demo-pme
    python3 scripts/make-demo.py OUTDIR --expected PATH.json

Python 3 standard library, plus poppler's pdftoppm and Pillow for the scans: the
documents of Scans/ are what a scanner and a phone give, pictures without a text layer
(two image-only PDFs and one phone photo, JPEG, turned a quarter), so reading them needs
OCR (scripts/test-deps-ocr.sh installs all three). The output is byte-identical from run
to run on the same versions of those: every date is fixed, zip entries carry fixed
timestamps and a fixed order, the scans' skew, blur and grain come from a generator
seeded with the file's path.
The document contents and the ground truth are written from the same data below, so they
cannot drift apart. Files the generator does not know are left alone (and listed).
"""

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import struct
import sys
import zipfile
import zlib
from email.header import Header
import quopri

# ---------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------

MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def d(s):
    return dt.date.fromisoformat(s)


def date_num(x):
    return x.strftime("%d/%m/%Y")


def date_long(x):
    day = "1er" if x.day == 1 else str(x.day)
    return f"{day} {MOIS[x.month - 1]} {x.year}"


def date_en(x):
    return f"{MONTHS[x.month - 1]} {x.day}, {x.year}"


def eur(cents, symbol=True):
    """French money format: 1 234,56 €."""
    neg = cents < 0
    cents = abs(cents)
    units, rest = divmod(cents, 100)
    s = f"{units:,}".replace(",", " ") + f",{rest:02d}"
    if neg:
        s = "-" + s
    return s + (" €" if symbol else "")


def eur_en(cents):
    neg = cents < 0
    units, rest = divmod(abs(cents), 100)
    return ("-" if neg else "") + f"€{units:,}.{rest:02d}"


def qty_fr(q):
    """Quantities are kept in tenths to stay exact: 15 -> '1,5'."""
    units, tenth = divmod(q, 10)
    return str(units) if tenth == 0 else f"{units},{tenth}"


def qty_en(q):
    units, tenth = divmod(q, 10)
    return str(units) if tenth == 0 else f"{units}.{tenth}"


def money(cents):
    return round(cents / 100, 2)


def vat_of(net_cents, rate_pct=20):
    # round half up on cents, as invoicing software does
    return (net_cents * rate_pct + 50) // 100


# ---------------------------------------------------------------------------
# The business
# ---------------------------------------------------------------------------

OWN = {
    "name": "Atelier Lemoine",
    "legal": "Atelier Lemoine SARL",
    "activity": "Menuiserie – Agencement – Mobilier sur mesure",
    "capital": "SARL au capital de 20 000 €",
    "address": ["18 rue des Artisans", "69007 Lyon"],
    "phone": "04 72 55 18 40",
    "email": "contact@atelier-lemoine.fr",
    "siret": "812 345 678 00019",
    "vat": "FR27 812345678",
    "iban": "FR76 1027 8073 0000 0204 5670 123",
    "bic": "CRRHFRPPXXX",
}

CLIENTS = {
    "dupont": {
        "name": "Dupont Bâtiment",
        "variants": ["SARL Dupont Bâtiment", "Dupont Bâtiment SARL", "DUPONT BATIMENT",
                     "Dupont"],
        "contact": "M. Pierre Dupont",
        "address": ["45 avenue Jean Jaurès", "69007 Lyon"],
    },
    "lefevre": {
        "name": "Boulangerie Lefèvre",
        "variants": ["Boulangerie Lefèvre", "BOULANGERIE LEFEVRE", "Lefèvre"],
        "contact": "Mme Claire Lefèvre",
        "address": ["3 place de la Croix-Rousse", "69004 Lyon"],
    },
    "moreau": {
        "name": "Cabinet Moreau & Associés",
        "variants": ["Cabinet Moreau & Associés", "Moreau & Associés",
                     "SELARL CABINET MOREAU ET ASSOCIES", "CABINET MOREAU & ASSOCIES",
                     "Moreau"],
        "contact": "Me Antoine Moreau",
        "address": ["112 cours Lafayette", "69003 Lyon"],
    },
    "petit": {
        "name": "Garage Petit",
        "variants": ["GARAGE PETIT SAS", "SAS Garage Petit",
                     "Garage Petit"],
        "contact": "M. Luc Petit",
        "address": ["8 route de Vienne", "69200 Vénissieux"],
    },
    "mairie": {
        "name": "Mairie de Saint-Aubin",
        "variants": ["MAIRIE DE SAINT-AUBIN", "Commune de Saint-Aubin",
                     "Mairie de St-Aubin", "Mairie de Saint-Aubin", "Mairie St-Aubin",
                     "MAIRIE ST AUBIN"],
        "contact": "Service technique – M. Bernard Fabre",
        "address": ["1 place de la République", "69890 Saint-Aubin"],
    },
    "tilleuls": {
        "name": "Hôtel Les Tilleuls",
        "variants": ["Hôtel Les Tilleuls", "SAS Hôtel Les Tilleuls", "HOTEL LES TILLEULS",
                     "SAS HOTEL LES TILLEULS", "Tilleuls"],
        "contact": "Mme Isabelle Garnier, directrice",
        "address": ["27 quai Saint-Vincent", "69001 Lyon"],
    },
}

# Line items: (description, quantity in tenths, unit, unit price in cents)
H = 5200  # hourly rate for fitting

INVOICES = [
    dict(path="Facture F2024-028 Mairie St Aubin.pdf", number="F2024-028", client="mairie",
         as_written="MAIRIE DE SAINT-AUBIN", date="2024-03-01", due="2024-03-31",
         date_style="num", subject="Bancs et jardinières – parc de la mairie",
         items=[("Banc en chêne massif 180 cm, finition huilée", 40, "u", 68500),
                ("Jardinière en mélèze 120 × 40 cm", 60, "u", 24500),
                ("Livraison et pose", 10, "forfait", 38000)]),
    dict(path="A trier/F2024-029_moreau.pdf", number="F2024-029", client="moreau",
         as_written="Cabinet Moreau & Associés", date="2024-03-05", due="2024-04-04",
         date_style="long", subject="Habillage mural – salle de réunion",
         items=[("Panneaux acoustiques bois, chêne clair", 140, "m²", 14200),
                ("Tablette murale en noyer 240 cm", 10, "u", 52000),
                ("Main-d'œuvre pose", 120, "h", H)]),
    dict(path="facture lefevre mars.pdf", number="F2024-030", client="lefevre",
         as_written="Boulangerie Lefèvre", date="2024-03-07", due="2024-04-06",
         date_style="num", subject="Agencement vitrine et étagères",
         items=[("Étagères murales en hêtre, 150 cm", 60, "u", 16500),
                ("Vitrine réfrigérée – habillage bois", 10, "u", 135000),
                ("Plan de travail chêne 3 m", 10, "u", 89000),
                ("Pose", 80, "h", H)]),
    dict(path="FACTURE dupont final(2).pdf", number="F2024-031", client="dupont",
         as_written="SARL Dupont Bâtiment", date="2024-03-12", due="2024-04-11",
         date_style="num", subject="Résidence Les Érables – menuiseries intérieures",
         items=[("Bloc-porte intérieur chêne 83 cm", 120, "u", 31500),
                ("Plinthes chêne 70 mm", 860, "ml", 950),
                ("Placard coulissant sur mesure", 30, "u", 124000),
                ("Main-d'œuvre pose", 320, "h", H)]),
    dict(path="Scans/scan0001.pdf", number="F2024-032", client="tilleuls",
         as_written="Hôtel Les Tilleuls", date="2024-03-14", due="2024-04-13",
         date_style="long", subject="Bar de la réception", scan="pdf",
         items=[("Comptoir de bar en chêne et laiton", 10, "u", 420000),
                ("Étagères rétroéclairées", 30, "u", 38000),
                ("Pose et réglages", 100, "h", H)]),
    dict(path="facture_F2024-033.pdf", number="F2024-033", client="dupont",
         as_written="Dupont Bâtiment SARL", date="2024-03-19", due="2024-04-18",
         date_style="num", subject="Villa Monplaisir – habillages",
         items=[("Habillage de trémie en chêne", 10, "u", 115000),
                ("Main courante chêne", 140, "ml", 6800),
                ("Déplacement", 10, "forfait", 4500)]),
    dict(path="Facture Garage Petit 22-03-2024.pdf", number="F2024-034", client="petit",
         as_written="GARAGE PETIT SAS", date="2024-03-22", due="2024-04-21",
         date_style="long", subject="Acompte – comptoir d'accueil (devis D2024-014)",
         items=[("Acompte 40 % sur devis D2024-014", 10, "forfait", 248800)]),
    dict(path="Scans/IMG_20240402_091532.jpg", number="F2024-035", client="tilleuls",
         as_written="SAS Hôtel Les Tilleuls", date="2024-03-28", due="2024-04-27",
         date_style="num", subject="Acompte – têtes de lit (devis D2024-013)", scan="photo",
         items=[("Acompte 30 % sur devis D2024-013", 10, "forfait", 424800)]),
    dict(path="FACT-036 mairie.pdf", number="F2024-036", client="mairie",
         as_written="Commune de Saint-Aubin", date="2024-04-04", due="2024-05-04",
         date_style="num", subject="École élémentaire – reprise des portes",
         items=[("Reprise de portes intérieures (rabotage)", 70, "u", 9500),
                ("Remplacement de serrures", 70, "u", 4850),
                ("Main-d'œuvre", 60, "h", H)]),
    dict(path="A trier/Facture n°37 Boulangerie Lefèvre.pdf", number="F2024-037",
         client="lefevre", as_written="BOULANGERIE LEFEVRE", date="2024-04-10",
         due="2024-05-10", date_style="long", subject="Banquette du salon de thé",
         items=[("Banquette en hêtre avec coffre 220 cm", 10, "u", 168000),
                ("Table bistrot plateau chêne", 40, "u", 21000)]),
    dict(path="F2024-038.pdf", number="F2024-038", client="moreau",
         as_written="Moreau & Associés", date="2024-04-16", due="2024-05-16",
         date_style="num", subject="Acompte – bibliothèque (devis D2024-012)",
         items=[("Acompte 30 % sur devis D2024-012", 10, "forfait", 318360)]),
]

DUPLICATES = [("A trier/facture_F2024-033 (1).pdf", "facture_F2024-033.pdf")]

QUOTES = [
    dict(path="A trier/devis_moreau_v3 DEF.docx", number="D2024-012", client="moreau",
         as_written="Cabinet Moreau & Associés", date="2024-03-27", valid="2024-04-26",
         fmt="docx", version="v3", subject="Bibliothèque sur mesure – bureau de Me Moreau",
         items=[("Bibliothèque chêne massif 4,20 × 2,60 m", 10, "u", 785000),
                ("Échelle de bibliothèque sur rail laiton", 10, "u", 129000),
                ("Éclairage LED intégré", 10, "forfait", 64000),
                ("Livraison et pose", 160, "h", H)]),
    dict(path="Devis Hotel Tilleuls - chambres.pdf", number="D2024-013", client="tilleuls",
         as_written="HOTEL LES TILLEULS", date="2024-03-15", valid="2024-04-14", fmt="pdf",
         subject="Têtes de lit et chevets – 12 chambres",
         items=[("Tête de lit capitonnée, cadre chêne 160 cm", 120, "u", 69000),
                ("Chevet suspendu en chêne", 240, "u", 18500),
                ("Pose (forfait par chambre)", 120, "u", 12000)]),
    dict(path="devis garage petit.docx", number="D2024-014", client="petit",
         as_written="SAS Garage Petit", date="2024-03-04", valid="2024-04-03", fmt="docx",
         subject="Comptoir d'accueil et présentoirs",
         items=[("Comptoir d'accueil stratifié et chêne 3,20 m", 10, "u", 398000),
                ("Présentoir mural", 40, "u", 31000),
                ("Livraison et pose", 10, "forfait", 100000)]),
    dict(path="DEVIS-2024-015 Mairie St Aubin.pdf", number="D2024-015", client="mairie",
         as_written="Mairie de St-Aubin", date="2024-04-08", valid="2024-06-07", fmt="pdf",
         subject="Rayonnages de la médiathèque municipale",
         items=[("Rayonnage double face hêtre 180 cm", 100, "u", 82000),
                ("Bac à albums sur roulettes", 40, "u", 46000),
                ("Banque de prêt", 10, "u", 345000),
                ("Livraison et pose", 240, "h", H)]),
    dict(path="A trier/devis_dupont_escalier.pdf", number="D2024-016", client="dupont",
         as_written="DUPONT BATIMENT", date="2024-04-18", valid="2024-05-18", fmt="pdf",
         subject="Escalier quart tournant en chêne – maison de M. Dupont",
         items=[("Escalier quart tournant chêne, 14 marches", 10, "u", 690000),
                ("Garde-corps chêne et inox", 45, "ml", 29000),
                ("Pose", 180, "h", H)]),
]

CREDIT_NOTES = [
    dict(path="Avoir A2024-003 Lefèvre.pdf", number="A2024-003", client="lefevre",
         as_written="Boulangerie Lefèvre", date="2024-03-27", ref="F2024-030",
         subject="Avoir sur facture F2024-030 – étagères non livrées",
         items=[("Étagères murales en hêtre non livrées", 20, "u", -16500)]),
]

SUPPLIER_INVOICES = [
    dict(path="Scans/scan0003.pdf", lang="fr", number="FBR-24-0412", scan="pdf",
         issuer="Bois & Panneaux du Rhône", date="2024-03-22", due="2024-04-21",
         items=[("Plateau chêne massif 1er choix 40 mm", 15, "m³", 245000),
                ("Contreplaqué bouleau 18 mm 250 × 125", 200, "u", 6840),
                ("Tourillons hêtre (boîte de 1000)", 30, "u", 2490),
                ("Transport", 10, "forfait", 8500)]),
    dict(path="invoice_BOT-2024-117.pdf", lang="en", number="BOT-2024-117",
         issuer="Baltic Oak Trading Ltd", date="2024-03-20", due="2024-04-19",
         items=[("European oak boards, kiln dried, 27 mm, A/B", 18, "m³", 210000),
                ("Oak veneered MDF panel 19 mm", 240, "pcs", 3850),
                ("Pallets & handling", 10, "lot", 15600)]),
]


def totals(items, vat_rate=20):
    net = sum(q * p // 10 for _, q, _, p in items)
    for _, q, _, p in items:
        assert (q * p) % 10 == 0, "line totals must be whole cents"
    vat = vat_of(net, vat_rate) if net >= 0 else -vat_of(-net, vat_rate)
    return net, vat, net + vat


# ---------------------------------------------------------------------------
# A small PDF writer (PDF 1.4, standard Helvetica fonts, WinAnsiEncoding)
# ---------------------------------------------------------------------------

# Advance widths (1/1000 em) of Helvetica, from its standard metrics, for right-aligned
# text. Helvetica-Bold is a few percent wider on letters; digits, spaces and punctuation
# (what amounts are made of) have the same widths in both.
HELV_W = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz",
    [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278]
    + [556] * 10
    + [278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
       500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611,
       278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
       222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500]))
HELV_W.update({"€": 556, "é": 556, "è": 556, "à": 556, "É": 667, "°": 400, "²": 333,
               "³": 333, "×": 584, "–": 556})


def text_width(s, size, bold=False):
    w = sum(HELV_W.get(c, 556) for c in s) * size / 1000
    return w * 1.05 if bold and not all(c in "0123456789 ,.-€" for c in s) else w


def pdf_lit(s):
    """A PDF literal string in WinAnsi bytes; non-ASCII bytes octal-escaped."""
    out = []
    for b in s.encode("cp1252"):
        if b in (0x28, 0x29, 0x5C):
            out.append("\\" + chr(b))
        elif b < 0x20 or b > 0x7E:
            out.append(f"\\{b:03o}")
        else:
            out.append(chr(b))
    return "(" + "".join(out) + ")"


def pdf_text_string(s):
    """A PDF text string for /Info: UTF-16BE with BOM, as hex."""
    return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"


class Page:
    def __init__(self):
        self.ops = []

    def text(self, x, y, s, bold=False, size=10):
        font = "/F2" if bold else "/F1"
        self.ops.append(f"BT {font} {size} Tf {x:.2f} {y:.2f} Td {pdf_lit(s)} Tj ET")

    def text_r(self, xr, y, s, bold=False, size=10):
        self.text(xr - text_width(s, size, bold), y, s, bold, size)

    def line(self, x1, y1, x2, y2, width=0.5):
        self.ops.append(f"{width} w {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")

    def band(self, x, y, w, h, gray=0.9):
        self.ops.append(f"q {gray} g {x:.2f} {y:.2f} {w:.2f} {h:.2f} re f Q")

    def content(self):
        return ("\n".join(self.ops) + "\n").encode("ascii")


def pdf_bytes(page, info, compress=True):
    stream = page.content()
    objs = []
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                b"/Encoding /WinAnsiEncoding >>")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
                b"/Encoding /WinAnsiEncoding >>")
    if compress:
        data = zlib.compress(stream, 9)
        objs.append(f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode()
                    + data + b"\nendstream")
    else:
        objs.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream
                    + b"endstream")
    entries = []
    for key in ("Title", "Author", "Subject", "Creator", "Producer"):
        if key in info:
            entries.append(f"/{key} {pdf_text_string(info[key])}")
    entries.append(f"/CreationDate (D:{info['created']})")
    entries.append(f"/ModDate (D:{info['created']})")
    objs.append(("<< " + " ".join(entries) + " >>").encode("ascii"))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objs) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    file_id = hashlib.md5(bytes(out)).hexdigest().upper()
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info {len(objs)} 0 R "
            f"/ID [<{file_id}> <{file_id}>] >>\nstartxref\n{xref_at}\n%%EOF\n").encode()
    return bytes(out)


# ---------------------------------------------------------------------------
# Scans: a text PDF rasterised, skewed, blurred and grained, kept as pictures only
# ---------------------------------------------------------------------------

def rasterise(pdf, dpi):
    """The page of a one-page PDF as a grey Pillow image (pdftoppm)."""
    import subprocess
    import tempfile
    from PIL import Image
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.pdf")
        with open(src, "wb") as fh:
            fh.write(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", src,
                        os.path.join(tmp, "page")], check=True)
        with Image.open(os.path.join(tmp, "page.png")) as im:
            return im.convert("L")


def age(im, seed, angle, blur, grain):
    """Skew, blur and grain, drawn from a generator seeded with `seed`."""
    import random
    from PIL import Image, ImageChops, ImageFilter
    rng = random.Random(seed)
    im = im.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    im = im.filter(ImageFilter.GaussianBlur(blur))
    noise = Image.frombytes("L", im.size, rng.randbytes(im.size[0] * im.size[1]))
    noise = noise.point(lambda v: v * grain // 255)
    return ImageChops.add(im, noise, 1.0, -grain // 2)


def scanned_pdf(pdf, path, info):
    """What a scanner gives for a printed page: a 200 dpi grey JPEG in a PDF, no text."""
    im = age(rasterise(pdf, 200), path, 0.8, 0.6, 22)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=75)
    jpeg = buf.getvalue()
    w, h = im.size
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
            f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace "
            f"/DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpeg)} >>\n"
            f"stream\n".encode() + jpeg + b"\nendstream"]
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    objs.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    entries = [f"/{k} {pdf_text_string(info[k])}" for k in ("Creator", "Producer") if k in info]
    entries.append(f"/CreationDate (D:{info['created']})")
    entries.append(f"/ModDate (D:{info['created']})")
    objs.append(("<< " + " ".join(entries) + " >>").encode("ascii"))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objs) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    file_id = hashlib.md5(bytes(out)).hexdigest().upper()
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info {len(objs)} 0 R "
            f"/ID [<{file_id}> <{file_id}>] >>\nstartxref\n{xref_at}\n%%EOF\n").encode()
    return bytes(out)


def phone_photo(pdf, path):
    """What a phone gives: a 150 dpi photo of the page, held sideways (turned a quarter,
    no EXIF orientation), skewed, soft, grainy, on warm paper, strongly compressed."""
    from PIL import Image
    im = age(rasterise(pdf, 150), path, -1.6, 0.9, 30)
    im = im.transpose(Image.Transpose.ROTATE_90)
    warm = Image.merge("RGB", (im, im.point(lambda v: v * 246 // 255),
                               im.point(lambda v: v * 226 // 255)))
    buf = io.BytesIO()
    warm.save(buf, "JPEG", quality=62)
    return buf.getvalue()


def as_scanned(pdf, item, info):
    if item.get("scan") == "photo":
        return phone_photo(pdf, item["path"])
    if item.get("scan") == "pdf":
        return scanned_pdf(pdf, item["path"], info)
    return pdf


def pdf_created(date, hour=9, minute=30):
    return f"{date:%Y%m%d}{hour:02d}{minute:02d}00+01'00'"


def own_header(p):
    p.text(50, 790, "ATELIER LEMOINE", bold=True, size=16)
    p.text(50, 774, OWN["activity"], size=9)
    p.text(50, 760, OWN["address"][0], size=9)
    p.text(50, 748, OWN["address"][1], size=9)
    p.text(50, 736, f"Tél. {OWN['phone']} – {OWN['email']}", size=9)


def client_block(p, label, client_key, as_written, y=690):
    c = CLIENTS[client_key]
    p.text(330, y, label, bold=True)
    p.text(330, y - 15, as_written, bold=True)
    p.text(330, y - 29, c["contact"])
    p.text(330, y - 43, c["address"][0])
    p.text(330, y - 57, c["address"][1])


def items_table(p, items, y_top, neg_ok=False):
    """Draws the table of lines; returns the y below it."""
    p.band(45, y_top - 5, 505, 18)
    p.text(50, y_top, "Désignation", bold=True)
    p.text(318, y_top, "Qté", bold=True)
    p.text(352, y_top, "Unité", bold=True)
    p.text_r(470, y_top, "P.U. HT", bold=True)
    p.text(492, y_top, "Montant", bold=True)
    y = y_top - 20
    for desc, q, unit, price in items:
        assert 50 + text_width(desc, 10) < 300, f"description too wide for its column: {desc}"
        p.text(50, y, desc)
        p.text_r(335, y, qty_fr(q))
        p.text(352, y, unit)
        p.text_r(470, y, eur(price))
        p.text_r(545, y, eur(q * price // 10))
        y -= 16
    p.line(45, y + 8, 550, y + 8)
    return y - 10


def totals_block(p, net, vat, total, y, ttc_label="Total TTC"):
    # label and amount in one string: how most invoicing tools print their totals
    p.text_r(545, y, f"Total HT : {eur(net)}")
    p.text_r(545, y - 15, f"TVA 20 % : {eur(vat)}")
    p.band(355, y - 35, 195, 16)
    p.text_r(545, y - 30, f"{ttc_label} : {eur(total)}", bold=True)
    return y - 50


def legal_footer(p, with_payment=True):
    y = 120
    if with_payment:
        p.text(50, y, "Conditions de paiement : 30 jours date de facture, par virement.", size=8)
        p.text(50, y - 11, f"IBAN : {OWN['iban']} – BIC : {OWN['bic']}", size=8)
        p.text(50, y - 22, "Pénalités de retard : 3 fois le taux d'intérêt légal. Indemnité "
               "forfaitaire pour frais de recouvrement : 40 €.", size=8)
        y -= 33
    p.line(50, 70, 545, 70, 0.3)
    p.text(50, 58, f"Atelier Lemoine SARL – {OWN['capital'].replace('SARL au capital', 'capital')}"
           f" – SIRET {OWN['siret']} – TVA intracommunautaire {OWN['vat']}", size=7)
    p.text(50, 48, "RCS Lyon 812 345 678 – APE 1623Z – Assurance décennale : Mutuelle des "
           "Artisans, contrat n° 44 871 203", size=7)


def invoice_pdf(inv):
    date, due = d(inv["date"]), d(inv["due"])
    net, vat, total = totals(inv["items"])
    p = Page()
    own_header(p)
    p.text(400, 790, "FACTURE", bold=True, size=20)
    p.text(400, 770, f"N° {inv['number']}", bold=True, size=11)
    if inv["date_style"] == "long":
        p.text(400, 755, f"Date : {date_long(date)}")
        p.text(400, 741, f"Échéance : {date_long(due)}")
    else:
        p.text(400, 755, f"Date : {date_num(date)}")
        p.text(400, 741, f"Échéance : {date_num(due)}")
    client_block(p, "Facturé à :", inv["client"], inv["as_written"])
    p.text(50, 610, f"Objet : {inv['subject']}", bold=True)
    y = items_table(p, inv["items"], 580)
    totals_block(p, net, vat, total, y)
    legal_footer(p)
    info = {"Author": "Atelier Lemoine", "Producer": "Atelier Lemoine facturation 2.3",
            "created": pdf_created(date, 17, 45)}
    if not inv.get("scan"):
        info["Title"] = f"Facture {inv['number']}"
        info["Subject"] = inv["subject"]
        info["Creator"] = "Atelier Lemoine facturation"
    else:
        info = {"Producer": "Scanner Brother MFC-L2710DW", "Creator": "ControlCenter4",
                "created": pdf_created(date + dt.timedelta(days=3), 8, 12)}
    pdf = pdf_bytes(p, info, compress=not inv["number"].endswith(("028", "031")))
    return as_scanned(pdf, inv, info)


def quote_pdf(q):
    date, valid = d(q["date"]), d(q["valid"])
    net, vat, total = totals(q["items"])
    p = Page()
    own_header(p)
    p.text(400, 790, "DEVIS", bold=True, size=20)
    p.text(400, 770, f"N° {q['number']}", bold=True, size=11)
    p.text(400, 755, f"Date : {date_num(date)}")
    p.text(400, 741, f"Valable jusqu'au {date_num(valid)}")
    client_block(p, "Client :", q["client"], q["as_written"])
    p.text(50, 610, f"Objet : {q['subject']}", bold=True)
    y = items_table(p, q["items"], 580)
    y = totals_block(p, net, vat, total, y)
    p.text(50, y, "Acompte de 30 % à la commande, solde à la livraison.", size=9)
    p.text(50, y - 13, "Délai de fabrication : 4 à 6 semaines après acceptation.", size=9)
    p.text(330, y - 40, "Bon pour accord, date et signature :", bold=True, size=9)
    legal_footer(p, with_payment=False)
    info = {"Title": f"Devis {q['number']}", "Author": "Sophie Roux",
            "Subject": q["subject"], "Creator": "Atelier Lemoine facturation",
            "Producer": "Atelier Lemoine facturation 2.3",
            "created": pdf_created(date, 11, 20)}
    return pdf_bytes(p, info)


def credit_note_pdf(a):
    date = d(a["date"])
    net, vat, total = totals(a["items"])
    p = Page()
    own_header(p)
    p.text(400, 790, "AVOIR", bold=True, size=20)
    p.text(400, 770, f"N° {a['number']}", bold=True, size=11)
    p.text(400, 755, f"Date : {date_num(date)}")
    p.text(400, 741, f"Facture d'origine : {a['ref']}")
    client_block(p, "Client :", a["client"], a["as_written"])
    p.text(50, 610, f"Objet : {a['subject']}", bold=True)
    y = items_table(p, a["items"], 580)
    y = totals_block(p, net, vat, total, y, ttc_label="Total TTC de l'avoir")
    p.text(50, y, f"Ce montant sera déduit de votre règlement de la facture {a['ref']}.",
           size=9)
    legal_footer(p, with_payment=False)
    info = {"Title": f"Avoir {a['number']}", "Author": "Julie Martin",
            "Creator": "Atelier Lemoine facturation",
            "Producer": "Atelier Lemoine facturation 2.3",
            "created": pdf_created(date, 14, 5)}
    return pdf_bytes(p, info)


def supplier_fr_pdf(s):
    date, due = d(s["date"]), d(s["due"])
    net, vat, total = totals(s["items"])
    p = Page()
    p.text(50, 792, "BOIS & PANNEAUX DU RHÔNE", bold=True, size=15)
    p.text(50, 777, "Négoce de bois et panneaux pour professionnels", size=9)
    p.text(50, 765, "ZI des Grandes Terres – 12 rue de l'Industrie", size=9)
    p.text(50, 753, "69740 Genas – Tél. 04 78 90 12 34", size=9)
    p.text(50, 741, "SIRET 398 765 432 00027 – TVA FR55 398765432", size=9)
    p.text(50, 700, f"FACTURE n° {s['number']}", bold=True, size=13)
    p.text(50, 684, f"Genas, le {date_long(date)}")
    p.text(50, 670, f"Date d'échéance : {date_num(due)}")
    p.text(50, 656, "Votre commande : bon n° BC-2024-019 du 13/03/2024")
    p.text(330, 700, "Client :", bold=True)
    p.text(330, 685, "ATELIER LEMOINE SARL", bold=True)
    p.text(330, 671, OWN["address"][0])
    p.text(330, 657, OWN["address"][1])
    p.text(330, 643, "Code client : 411LEM")
    y = items_table(p, s["items"], 600)
    p.text(360, y, "Montant HT")
    p.text_r(545, y, eur(net))
    p.text(360, y - 15, "TVA (20%)")
    p.text_r(545, y - 15, eur(vat))
    p.band(355, y - 35, 195, 16)
    p.text(360, y - 30, "Net à payer", bold=True)
    p.text_r(545, y - 30, eur(total), bold=True)
    p.text(50, 110, "Règlement à 30 jours par virement. Escompte pour paiement anticipé : "
           "néant.", size=8)
    p.text(50, 99, "IBAN FR76 3000 4028 1700 0101 2345 678 – BNP Paribas Lyon Est", size=8)
    info = {"Producer": "Scanner Brother MFC-L2710DW", "Creator": "ControlCenter4",
            "created": pdf_created(date + dt.timedelta(days=5), 8, 3)}
    return as_scanned(pdf_bytes(p, info), s, info)


def supplier_en_pdf(s):
    date, due = d(s["date"]), d(s["due"])
    net, _, _ = totals(s["items"])
    p = Page()
    p.text(50, 792, "Baltic Oak Trading Ltd", bold=True, size=16)
    p.text(50, 777, "Krasta iela 52, Riga, LV-1003, Latvia", size=9)
    p.text(50, 765, "VAT reg. no. LV40003987654 – sales@balticoak.lv", size=9)
    p.text(400, 792, "INVOICE", bold=True, size=20)
    p.text(400, 772, f"Invoice No.: {s['number']}")
    p.text(400, 758, f"Invoice date: {date_en(date)}")
    p.text(400, 744, f"Due date: {date_en(due)}")
    p.text(50, 700, "Bill to:", bold=True)
    p.text(50, 685, "Atelier Lemoine SARL", bold=True)
    p.text(50, 671, "18 rue des Artisans")
    p.text(50, 657, "69007 Lyon, France")
    p.text(50, 643, f"VAT no. {OWN['vat']}")
    p.text(330, 700, "Your order: PO-2024-031 (March 13, 2024)")
    p.text(330, 686, "Incoterm: DAP Lyon")
    y_top = 600
    p.band(45, y_top - 5, 505, 18)
    p.text(50, y_top, "Description", bold=True)
    p.text(318, y_top, "Qty", bold=True)
    p.text(352, y_top, "Unit", bold=True)
    p.text(405, y_top, "Unit price", bold=True)
    p.text(500, y_top, "Amount", bold=True)
    y = y_top - 20
    for desc, q, unit, price in s["items"]:
        assert 50 + text_width(desc, 10) < 300, f"description too wide for its column: {desc}"
        p.text(50, y, desc)
        p.text_r(335, y, qty_en(q))
        p.text(352, y, unit)
        p.text_r(470, y, eur_en(price))
        p.text_r(545, y, eur_en(q * price // 10))
        y -= 16
    p.line(45, y + 8, 550, y + 8)
    y -= 10
    p.text_r(545, y, f"Subtotal: {eur_en(net)}")
    p.text_r(545, y - 15, f"VAT 0% (reverse charge): {eur_en(0)}")
    p.band(325, y - 35, 225, 16)
    p.text_r(545, y - 30, f"Total due (EUR): {eur_en(net)}", bold=True)
    p.text(50, 130, "VAT reverse charge – Article 196 of Council Directive 2006/112/EC.",
           size=8)
    p.text(50, 119, "Payment: bank transfer within 30 days. IBAN LV80 BANK 0000 4351 9500 1 "
           "– SWIFT HABALV22", size=8)
    p.text(50, 108, "Thank you for your business!", size=8)
    info = {"Title": f"Invoice {s['number']}", "Author": "Baltic Oak Trading Ltd",
            "Creator": "Microsoft Word", "Producer": "Microsoft: Print To PDF",
            "created": pdf_created(date, 15, 2)}
    return pdf_bytes(p, info)


# ---------------------------------------------------------------------------
# Zip-based Office files (DOCX, XLSX)
# ---------------------------------------------------------------------------

def xml_esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def zip_bytes(parts, when):
    """parts: list of (name, text); written in the given order with a fixed timestamp."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in parts:
            zi = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            z.writestr(zi, text.encode("utf-8"), compresslevel=6)
    return buf.getvalue()


XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def core_props(title, creator, when):
    stamp = f"{when:%Y-%m-%d}T09:00:00Z"
    return (XML_DECL +
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/'
            'dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{xml_esc(title)}</dc:title><dc:creator>{xml_esc(creator)}</dc:creator>"
            f"<cp:lastModifiedBy>{xml_esc(creator)}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>")


def app_props(app):
    return (XML_DECL +
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/docPropsVTypes"><Application>{app}</Application></Properties>')


ROOT_RELS = (XML_DECL +
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
             'relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
             '2006/relationships/officeDocument" Target="{main}"/>'
             '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
             'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
             '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
             '2006/relationships/extended-properties" Target="docProps/app.xml"/>'
             "</Relationships>")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

DOCX_STYLES = (XML_DECL + f'<w:styles xmlns:w="{W_NS}">'
               '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" '
               'w:hAnsi="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:lang w:val="fr-FR"/>'
               '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120"/>'
               '</w:pPr></w:pPrDefault></w:docDefaults>'
               '<w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
               '<w:name w:val="Normal"/><w:qFormat/></w:style>'
               '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/>'
               '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>'
               '<w:rPr><w:b/><w:sz w:val="40"/></w:rPr></w:style>'
               '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
               '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>'
               '<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/>'
               '<w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:color w:val="5B3A1E"/>'
               '<w:sz w:val="32"/></w:rPr></w:style>'
               '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/>'
               '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>'
               '<w:pPr><w:keepNext/><w:spacing w:before="200" w:after="80"/>'
               '<w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr>'
               '</w:style>'
               '<w:style w:type="paragraph" w:styleId="ListParagraph">'
               '<w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:qFormat/>'
               '<w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:style>'
               '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
               '<w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
               '<w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" '
               'w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
               '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>'
               '<w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders>'
               '<w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
               '<w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
               '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
               '<w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
               '<w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
               '<w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
               '</w:tblBorders></w:tblPr></w:style>'
               "</w:styles>")


def w_run(text, bold=False):
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_esc(text)}</w:t></w:r>'


def w_par(runs, style=None, align=None):
    ppr = ""
    if style or align:
        ppr = "<w:pPr>"
        if style:
            ppr += f'<w:pStyle w:val="{style}"/>'
        if align:
            ppr += f'<w:jc w:val="{align}"/>'
        ppr += "</w:pPr>"
    if isinstance(runs, str):
        runs = [(runs, False)]
    return "<w:p>" + ppr + "".join(w_run(t, b) for t, b in runs) + "</w:p>"


def w_table(rows, widths, header=True, right_cols=()):
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" '
           'w:type="auto"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
           'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
           f"<w:tblGrid>{grid}</w:tblGrid>"]
    for r, row in enumerate(rows):
        out.append("<w:tr>")
        for c, cell in enumerate(row):
            bold = header and r == 0
            align = "right" if c in right_cols and r > 0 else None
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/></w:tcPr>'
                       + w_par([(cell, bold)], align=align) + "</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def docx_bytes(blocks, title, creator, when):
    body = "".join(blocks)
    document = (XML_DECL + f'<w:document xmlns:w="{W_NS}" xmlns:r="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships"><w:body>' + body +
                '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" '
                'w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" '
                'w:gutter="0"/></w:sectPr></w:body></w:document>')
    content_types = (XML_DECL +
                     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                     'content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                     'package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/word/document.xml" ContentType="application/vnd.'
                     'openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                     '<Override PartName="/word/styles.xml" ContentType="application/vnd.'
                     'openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
                     '<Override PartName="/docProps/core.xml" ContentType="application/vnd.'
                     'openxmlformats-package.core-properties+xml"/>'
                     '<Override PartName="/docProps/app.xml" ContentType="application/vnd.'
                     'openxmlformats-officedocument.extended-properties+xml"/>'
                     "</Types>")
    doc_rels = (XML_DECL +
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
                'org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                "</Relationships>")
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", ROOT_RELS.replace("{main}", "word/document.xml")),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", doc_rels),
        ("word/styles.xml", DOCX_STYLES),
        ("docProps/core.xml", core_props(title, creator, when)),
        ("docProps/app.xml", app_props("Microsoft Office Word")),
    ]
    return zip_bytes(parts, when)


def quote_docx(q):
    date, valid = d(q["date"]), d(q["valid"])
    net, vat, total = totals(q["items"])
    c = CLIENTS[q["client"]]
    blocks = [
        w_par([("ATELIER LEMOINE", True)]),
        w_par(f"{OWN['activity']} – {OWN['address'][0]}, {OWN['address'][1]} – "
              f"Tél. {OWN['phone']}"),
        w_par(f"DEVIS N° {q['number']}" + (f" ({q['version']})" if q.get("version") else ""),
              style="Title"),
        w_par([("Date : ", True), (date_long(date), False)]),
        w_par([("Validité : ", True), (f"jusqu'au {date_num(valid)}", False)]),
        w_par("Client", style="Heading1"),
        w_par([(q["as_written"], True)]),
        w_par(c["contact"]),
        w_par(f"{c['address'][0]}, {c['address'][1]}"),
        w_par("Objet", style="Heading1"),
        w_par(q["subject"]),
        w_par("Détail de la prestation", style="Heading1"),
    ]
    rows = [["Désignation", "Qté", "Unité", "P.U. HT", "Montant"]]
    for desc, qt, unit, price in q["items"]:
        rows.append([desc, qty_fr(qt), unit, eur(price), eur(qt * price // 10)])
    rows.append(["Total HT", "", "", "", eur(net)])
    rows.append(["TVA 20 %", "", "", "", eur(vat)])
    rows.append(["Total TTC", "", "", "", eur(total)])
    blocks.append(w_table(rows, [4300, 700, 900, 1600, 1800], right_cols=(1, 3, 4)))
    blocks += [
        w_par("Conditions", style="Heading2"),
        w_par("Acompte de 30 % à la commande, solde à la livraison. Délai de fabrication : "
              "4 à 6 semaines après acceptation du devis."),
        w_par("Bon pour accord, date et signature :"),
        w_par(f"{OWN['legal']} – SIRET {OWN['siret']} – TVA {OWN['vat']}"),
    ]
    return docx_bytes(blocks, f"Devis {q['number']}", "Sophie Roux", date)


# ---------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------

S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def col_letter(i):
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i]


def excel_serial(x):
    return (x - dt.date(1899, 12, 30)).days


def num_repr(v):
    r = repr(float(v))
    return r[:-2] if r.endswith(".0") else r


def xlsx_suivi():
    when = d("2024-04-12")
    header = ["Client", "Affaire", "Réf.", "Montant HT", "TVA", "Montant TTC", "Statut",
              "Prochaine action", "Date"]
    rows = [
        ("Dupont", "Escalier maison M. Dupont", "D2024-016", 914100, "Devis à envoyer",
         "Prendre les cotes (Sophie)", "2024-04-11"),
        ("Moreau", "Bibliothèque bureau", "D2024-012", 1061200, "Accepté",
         "Facturer l'acompte", "2024-04-16"),
        ("Tilleuls", "Têtes de lit 12 chambres", "D2024-013", 1416000, "Posé",
         "Relancer acompte F2024-035", "2024-04-09"),
        ("Garage Petit", "Comptoir d'accueil", "D2024-014", 622000, "Posé",
         "Facturer le solde", "2024-04-11"),
        ("Mairie St-Aubin", "Rayonnages médiathèque", "D2024-015", 1473800,
         "Appel d'offres", "Déposer le dossier", "2024-04-17"),
        ("Lefèvre", "Banquette salon de thé", "F2024-037", 252000, "Facturé",
         "Attendre règlement", "2024-05-10"),
    ]
    strings = []
    index = {}

    def sst(s):
        if s not in index:
            index[s] = len(strings)
            strings.append(s)
        return index[s]

    def c_str(ref, s, style=0):
        st = f' s="{style}"' if style else ""
        return f'<c r="{ref}" t="s"{st}><v>{sst(s)}</v></c>'

    def c_num(ref, v, style=0):
        st = f' s="{style}"' if style else ""
        return f'<c r="{ref}"{st}><v>{num_repr(v)}</v></c>'

    def c_f(ref, formula, cached, style):
        return f'<c r="{ref}" s="{style}"><f>{formula}</f><v>{num_repr(cached)}</v></c>'

    xml_rows = []
    cells = [c_str(f"{col_letter(i)}1", h, 1) for i, h in enumerate(header)]
    xml_rows.append(f'<row r="1">{"".join(cells)}</row>')
    total_net = total_vat = 0
    for n, (client, affaire, ref, net, statut, action, date) in enumerate(rows, start=2):
        vat = vat_of(net)
        total_net += net
        total_vat += vat
        cells = [c_str(f"A{n}", client), c_str(f"B{n}", affaire), c_str(f"C{n}", ref),
                 c_num(f"D{n}", net / 100, 2),
                 c_f(f"E{n}", f"ROUND(D{n}*0.2,2)", vat / 100, 2),
                 c_f(f"F{n}", f"D{n}+E{n}", (net + vat) / 100, 2),
                 c_str(f"G{n}", statut), c_str(f"H{n}", action),
                 c_num(f"I{n}", excel_serial(d(date)), 3)]
        xml_rows.append(f'<row r="{n}">{"".join(cells)}</row>')
    last = len(rows) + 1
    t = last + 1
    cells = [c_str(f"A{t}", "TOTAL", 1),
             c_f(f"D{t}", f"SUM(D2:D{last})", total_net / 100, 4),
             c_f(f"E{t}", f"SUM(E2:E{last})", total_vat / 100, 4),
             c_f(f"F{t}", f"SUM(F2:F{last})", (total_net + total_vat) / 100, 4)]
    xml_rows.append(f'<row r="{t}">{"".join(cells)}</row>')
    widths = [16, 28, 11, 14, 12, 14, 16, 28, 12]
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths))
    sheet = (XML_DECL + f'<worksheet xmlns="{S_NS}" xmlns:r="http://schemas.openxmlformats.'
             f'org/officeDocument/2006/relationships"><dimension ref="A1:I{t}"/>'
             '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
             'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
             f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
             f'<sheetData>{"".join(xml_rows)}</sheetData>'
             f'<autoFilter ref="A1:I{last}"/></worksheet>')
    sst_xml = (XML_DECL + f'<sst xmlns="{S_NS}" count="{len(strings)}" '
               f'uniqueCount="{len(strings)}">' +
               "".join(f"<si><t>{xml_esc(s)}</t></si>" for s in strings) + "</sst>")
    styles = (XML_DECL + f'<styleSheet xmlns="{S_NS}">'
              '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00\\ &quot;€&quot;"/>'
              '</numFmts>'
              '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
              '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
              '<fills count="2"><fill><patternFill patternType="none"/></fill>'
              '<fill><patternFill patternType="gray125"/></fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
              '</borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
              '</cellStyleXfs>'
              '<cellXfs count="5">'
              '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
              '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
              'applyNumberFormat="1"/>'
              '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
              'applyNumberFormat="1"/>'
              '<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" '
              'applyNumberFormat="1" applyFont="1"/>'
              '</cellXfs>'
              '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
              '</cellStyles></styleSheet>')
    workbook = (XML_DECL + f'<workbook xmlns="{S_NS}" xmlns:r="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships">'
                '<bookViews><workbookView/></bookViews>'
                '<sheets><sheet name="Suivi chantiers" sheetId="1" r:id="rId1"/></sheets>'
                '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
                f'hidden="1">\'Suivi chantiers\'!$A$1:$I${last}</definedName></definedNames>'
                '<calcPr calcId="191029"/></workbook>')
    wb_rels = (XML_DECL +
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
               'relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
               'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
               '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
               'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
               '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/'
               'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
               "</Relationships>")
    content_types = (XML_DECL +
                     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                     'content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                     'package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
                     'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                     '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                     '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                     'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                     '<Override PartName="/xl/styles.xml" ContentType="application/vnd.'
                     'openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                     '<Override PartName="/docProps/core.xml" ContentType="application/vnd.'
                     'openxmlformats-package.core-properties+xml"/>'
                     '<Override PartName="/docProps/app.xml" ContentType="application/vnd.'
                     'openxmlformats-officedocument.extended-properties+xml"/>'
                     "</Types>")
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", ROOT_RELS.replace("{main}", "xl/workbook.xml")),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", wb_rels),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", sst_xml),
        ("xl/styles.xml", styles),
        ("docProps/core.xml", core_props("Tableau de suivi des chantiers", "Julie Martin",
                                         when)),
        ("docProps/app.xml", app_props("Microsoft Excel")),
    ]
    return zip_bytes(parts, when), (total_net, total_vat)


# ---------------------------------------------------------------------------
# PNG
# ---------------------------------------------------------------------------

def png_logo():
    w = h = 64
    wood, dark = (181, 134, 84), (74, 46, 24)
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        for x in range(w):
            in_l = (14 <= x < 24 and 10 <= y < 54) or (14 <= x < 50 and 44 <= y < 54)
            grain = 8 if (y // 4) % 2 == 0 else 0
            r, g, b = dark if in_l else (wood[0] - grain, wood[1] - grain, wood[2] - grain)
            raw += bytes((r, g, b))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))


# ---------------------------------------------------------------------------
# Texts: notes, transcripts, minutes, e-mails
# ---------------------------------------------------------------------------

NOTE_DUPONT = """Dupont Bâtiment – notes de suivi
================================

02/04/2024 – Appel avec M. Dupont (Pierre) : il veut un devis pour un escalier quart
tournant en chêne pour sa maison de Caluire, avant le 30 avril (rendez-vous avec sa
banque début mai). Budget évoqué : autour de 10 000 € HT. Garde-corps chêne + inox.
  -> Sophie passe prendre les cotes sur place.

28/03/2024 – Relance paiement F2024-031 (11 977,20 € TTC, échéance 11/04/2024).
M. Dupont dit que le virement part "la semaine prochaine". F2024-033 (2 576,40 € TTC)
bien reçue de leur côté.

12/03/2024 – Résidence Les Érables : largeur d'un placard réduite de 5 cm à la demande
du client. Accepté sans surcoût, mais désormais toute modification passe par un avenant.

Contacts
- Pierre Dupont, gérant : 06 12 34 56 78 – p.dupont@dupont-batiment.fr
- Compta : Mme Nadia Roche – compta@dupont-batiment.fr
- Adresse : DUPONT BATIMENT, 45 avenue Jean Jaurès, 69007 Lyon
"""

NOTE_LEFEVRE = """# Boulangerie Lefèvre

**Contact :** Mme Claire Lefèvre (gérante) – 04 78 28 11 90
**Adresse :** 3 place de la Croix-Rousse, 69004 Lyon

## Historique

- **07/03/2024** : facture F2024-030 (agencement vitrine et étagères), 4 375,20 € TTC.
- **14/03/2024** : pose des étagères par Thomas. Seulement 4 étagères sur 6 : la cliente
  a annulé les 2 dernières.
- **27/03/2024** : avoir A2024-003 de 396,00 € TTC envoyé pour les 2 étagères non livrées.
- **29/03/2024** : règlement reçu (3 979,20 €, facture moins avoir).
- **02/04/2024** : Mme Lefèvre veut une banquette avec coffre pour le salon de thé et
  4 tables bistrot. Prix donné au téléphone, accepté. Facturé le 10 avril (F2024-037).

## Remarques

- Cliente fidèle, paie rapidement. Préfère être appelée après 14 h (fournée le matin).
- Lui proposer un entretien des plans de travail (huile dure) en septembre.
"""

NOTE_MOREAU_CP1252 = """RAPPEL - Cabinet Moreau et Associés
Vendredi 22/03 - 10 h 15 - pris par Julie

Me Moreau a appelé pendant que Sophie était en pose.
Il veut savoir si l'échelle motorisée peut être retirée du devis D2024-012
et combien ça change. Il préfère une échelle sur rail classique.
Il demande aussi si la pose peut se faire un samedi (cabinet fermé).

-> Répondre avant le 27 mars.
-> Sophie au courant : oui (SMS envoyé).
Tél. direct : 04 72 61 30 05
"""


def visit_note_docx():
    when = d("2024-03-11")
    rows = [["Chambres", "Lit", "Remarque"],
            ["101 à 104", "160 × 200", "Prises à déplacer (électricien de l'hôtel)"],
            ["105 à 110", "160 × 200", "Mur en biais côté fenêtre : cotes à reprendre"],
            ["111 et 112", "180 × 200", "Suites : tête de lit plus large, même modèle"]]
    blocks = [
        w_par("Visite client – Hôtel Les Tilleuls", style="Title"),
        w_par([("Date : ", True), (date_long(when) + ", 14 h 30", False)]),
        w_par([("Présents : ", True),
               ("Mme Isabelle Garnier (directrice), Sophie Roux (Atelier Lemoine)", False)]),
        w_par("Demande", style="Heading1"),
        w_par("L'hôtel rénove ses 12 chambres pendant la basse saison. Mme Garnier veut des "
              "têtes de lit capitonnées avec un cadre en chêne massif et des chevets suspendus, "
              "dans le même esprit que le bar de la réception livré en mars."),
        w_par("Elle souhaite du chêne français et une finition à l'huile naturelle. Les chambres "
              "peuvent être bloquées à partir du 2 avril, trois jours maximum."),
        w_par("Relevé", style="Heading1"),
        w_table(rows, [2000, 1800, 5800]),
        w_par("Suites à donner", style="Heading1"),
        w_par("– Envoyer le devis avant le 15 mars (Sophie)."),
        w_par("– Vérifier le stock de chêne en 40 mm avec Karim."),
        w_par("– Budget indicatif annoncé par la cliente : 15 000 € HT."),
    ]
    return docx_bytes(blocks, "Visite Hôtel Les Tilleuls", "Sophie Roux", when)


# Transcripts: the speaker turns, and the action items planted in them.
TRANSCRIPTS = [
    dict(path="CR reunion 12-03.txt", date="2024-03-12", crlf=True, lines="""\
Réunion d'équipe – Atelier Lemoine
Date : mardi 12 mars 2024, 8 h 00 – atelier
Participants : Marc (gérant), Julie (administration), Karim (atelier), Sophie (conception), Thomas (pose)
Transcription automatique – non relue

Marc : Bon, on commence, il est déjà huit heures cinq. Tout le monde a son café ?
Karim : Oui, vas-y.
Marc : Premier point, le planning de l'atelier. Karim, on en est où sur les placards pour Dupont ?
Karim : Les trois placards sont montés, il reste les façades. Normalement c'est fini jeudi.
Marc : Parfait. Et la facture est partie ?
Julie : Je l'ai faite ce matin, la F2024-031, onze mille neuf cent soixante-dix-sept euros TTC. Je l'envoie à Pierre Dupont aujourd'hui.
Marc : Très bien.
Sophie : Par contre, chez Dupont ils ont encore changé la largeur d'un placard, j'ai reçu un mail hier soir.
Karim : Ah non, encore ? On a déjà débité les panneaux.
Sophie : Cinq centimètres de moins. Ça se rattrape avec la joue de finition, je pense.
Karim : Bon, ça ira. Mais c'est la dernière fois qu'on modifie sans papier.
Marc : D'accord. On le note : à partir de maintenant, toute modification après validation des plans passe par un avenant signé. C'est décidé.
Julie : Je prépare un modèle d'avenant, alors.
Marc : Oui, merci. Ce n'est pas urgent, pour la fin du mois.
Julie : Ça marche.
Marc : Deuxième point, le bois. Karim ?
Karim : Il ne nous reste presque plus de chêne en 40. Pour les Tilleuls et pour Moreau il en faut au moins un mètre cube et demi.
Marc : Il faut commander le chêne avant le 20, sinon on ne tiendra pas les délais des Tilleuls.
Karim : Je m'en occupe, j'appelle Bois et Panneaux du Rhône demain matin.
Marc : C'est urgent, hein. S'ils n'ont pas le stock, tu prends chez Baltic Oak, même si c'est plus long.
Karim : Oui, j'ai vu avec eux, ils livrent en deux semaines à peu près.
Sophie : Pour les Tilleuls, la directrice préfère le chêne français, elle me l'a redit hier à la visite.
Marc : Alors on part sur le chêne français pour les Tilleuls, c'est acté. Le Baltic, on le garde pour les panneaux plaqués.
Thomas : Et pour les chevets, c'est le même bois ?
Sophie : Oui, même bois, même finition, huile naturelle.
Thomas : D'accord.
Marc : Troisième point, les devis en attente. Julie ?
Julie : Alors, on a le devis du Garage Petit, le comptoir d'accueil, envoyé le 4 mars. Toujours pas de réponse.
Marc : Six mille deux cents HT, ce n'est pas rien. Il faut le relancer.
Julie : Je m'occupe de relancer Garage Petit d'ici vendredi.
Marc : Merci. Et Moreau ?
Sophie : Maître Moreau veut revoir la bibliothèque, il trouve l'échelle trop chère. Je fais une nouvelle version.
Marc : Tu peux lui envoyer quand ?
Sophie : Je finis les plans de la bibliothèque Moreau pour lundi prochain, et le devis suit.
Marc : D'accord.
Thomas : Moi j'ai une question sur la boulangerie.
Marc : Vas-y.
Thomas : Les étagères chez Mme Lefèvre, je les pose quand ? Elle m'a appelé deux fois.
Karim : Elles sont prêtes, vernies depuis vendredi.
Marc : Alors Thomas, tu poses les étagères chez Lefèvre jeudi matin.
Thomas : Jeudi, OK. Il y en a combien ? Sur le bon il y en a six.
Karim : Il y en a quatre de prêtes. Les deux autres, elle les a annulées.
Julie : Ah. Alors la facture n'est pas bonne, j'en ai facturé six.
Marc : Bon, on verra ça après la pose.
Marc : Dernier point, la mairie de Saint-Aubin. Ils préparent un appel d'offres pour les rayonnages de la médiathèque.
Sophie : C'est un gros morceau, ça.
Marc : Oui, quinze mille euros peut-être. J'appelle la mairie de Saint-Aubin avant la fin du mois pour avoir le cahier des charges.
Julie : Au fait, ils nous ont payé les bancs ?
Marc : Pas encore, c'est un mandat administratif, ça prend du temps. L'échéance est au 31.
Karim : Et côté machines, la scie à format fait un bruit bizarre depuis lundi.
Marc : On en reparle la semaine prochaine. Si ça empire, tu arrêtes la machine.
Karim : D'accord.
Marc : Je récapitule. Karim commande le chêne avant le 20, c'est la priorité numéro un. Julie relance Garage Petit d'ici vendredi et prépare le modèle d'avenant. Sophie finit les plans Moreau pour lundi. Thomas pose chez Lefèvre jeudi. Et moi j'appelle la mairie.
Sophie : Ça marche.
Thomas : Ça roule.
Marc : Merci à tous, bonne journée.
[Fin de la transcription]
""",
         decisions=["Toute modification après validation des plans passe par un avenant signé.",
                    "Chêne français pour l'hôtel Les Tilleuls ; Baltic Oak réservé aux panneaux "
                    "plaqués."],
         priorities=["Commander le chêne avant le 20 (priorité numéro un, urgent)."],
         actions=[
             ("Karim", "Commander le chêne (1,5 m³ en 40 mm) chez Bois & Panneaux du Rhône",
              "avant le 20", "2024-03-20", "high"),
             ("Julie", "Relancer Garage Petit pour le devis du comptoir d'accueil (D2024-014)",
              "d'ici vendredi", "2024-03-15", "normal"),
             ("Julie", "Préparer un modèle d'avenant", "pour la fin du mois", "2024-03-31",
              "low"),
             ("Sophie", "Finir les plans de la bibliothèque Moreau (nouvelle version du devis)",
              "pour lundi prochain", "2024-03-18", "normal"),
             ("Thomas", "Poser les étagères chez Boulangerie Lefèvre", "jeudi matin",
              "2024-03-14", "normal"),
             ("Marc", "Appeler la mairie de Saint-Aubin pour le cahier des charges de la "
              "médiathèque", "avant la fin du mois", "2024-03-31", "normal"),
         ]),
    dict(path="transcription réunion atelier 26-03.txt", date="2024-03-26", lines="""\
Transcription – réunion atelier du mardi 26 mars 2024
Présents : Marc, Julie, Karim, Sophie, Thomas

Marc : Bonjour à tous. On fait court aujourd'hui, j'ai un rendez-vous à dix heures.
Julie : D'accord.
Marc : Les paiements d'abord. Julie ?
Julie : Moreau a payé la F2024-029 le 20, trois mille sept cent cinquante-huit euros quarante. La mairie, toujours rien, mais c'est normal.
Marc : Et Dupont ?
Julie : Dupont Bâtiment n'a pas payé la 031, et on leur a envoyé la 033 la semaine dernière. Ça fait plus de quatorze mille euros en tout.
Marc : Bon. Je relance Dupont Bâtiment moi-même d'ici la fin de la semaine, c'est urgent. Pierre, je le connais, ça ira plus vite si c'est moi.
Julie : Très bien.
Julie : Autre chose : la boulangerie Lefèvre. Comme Karim l'avait dit, il y a deux étagères facturées en trop sur la 030.
Marc : Alors on fait un avoir.
Julie : J'envoie l'avoir à la boulangerie Lefèvre demain. Trois cent trente euros HT, trois cent quatre-vingt-seize TTC.
Marc : Parfait.
Karim : Côté bois, le chêne de Bois et Panneaux est bien arrivé vendredi. Par contre la commande Baltic Oak a du retard.
Marc : Combien de retard ?
Karim : Ils ont envoyé un mail hier, ils parlent du 3 avril au lieu du 27 mars.
Sophie : Ça bloque quoi ?
Karim : Les panneaux plaqués pour Moreau. Pas les Tilleuls, heureusement.
Marc : Karim, tu les appelles pour avoir une date ferme.
Karim : Je les appelle cet après-midi. Ils parlent anglais, Sophie, tu pourras m'aider ?
Sophie : Pas de souci.
Marc : Les Tilleuls, justement. On en est où ?
Sophie : Mme Garnier a validé le devis des têtes de lit, elle a répondu par mail hier. On peut facturer l'acompte de trente pour cent.
Julie : Je fais la facture d'acompte des Tilleuls jeudi.
Marc : Et la pose ?
Karim : Les têtes de lit seront prêtes pour le 2 avril, les chevets aussi.
Marc : Alors Thomas et Karim, vous posez aux Tilleuls le mardi 2 avril. Il faudra prévenir l'hôtel, ils bloquent les chambres.
Thomas : Je préviens la réception de l'hôtel, je les appelle demain.
Marc : Merci. Moreau, la version 3 ?
Sophie : Elle est prête. J'ai enlevé l'échelle motorisée, on reste sur une échelle sur rail classique. Dix mille six cent douze euros HT.
Marc : Tu l'envoies quand ?
Sophie : J'envoie la v3 à Maître Moreau avant jeudi.
Marc : Parfait. Et le Garage Petit, Julie, tu les as relancés ?
Julie : Oui, vendredi. M. Petit a signé le devis hier, il veut la pose mi-avril.
Marc : Excellent. Alors c'est décidé : on lance la fabrication du comptoir du Garage Petit dès cette semaine.
Karim : Ça va faire beaucoup. Tilleuls, Moreau et Garage Petit en même temps.
Marc : Je sais. On prend un intérimaire pour trois semaines, c'est décidé. Julie, tu appelles l'agence d'intérim ?
Julie : Je vois avec l'agence d'ici mercredi.
Thomas : Un intérimaire qui sait poser, si possible.
Marc : Oui, un poseur de préférence.
Sophie : Et la mairie ? Tu as eu le cahier des charges ?
Marc : Oui, je l'ai eu. Date limite de remise des offres le 19 avril. On en reparle la semaine prochaine, ce sera la priorité d'avril.
Karim : Dernière chose : la scie à format. Le bruit est toujours là.
Marc : Il faudra la faire réviser, mais pas avant la fin des Tilleuls.
Karim : D'accord, on voit ça en avril.
Marc : Récapitulatif. Moi, Dupont. Julie, l'avoir Lefèvre demain, la facture d'acompte des Tilleuls jeudi, et l'intérim. Karim, Baltic Oak cet après-midi. Sophie, la v3 Moreau avant jeudi. Thomas, tu préviens l'hôtel, et pose aux Tilleuls le 2 avril avec Karim.
Thomas : Ça marche.
Marc : Merci, bonne journée.
""",
         decisions=["Lancer la fabrication du comptoir du Garage Petit dès cette semaine.",
                    "Prendre un intérimaire (poseur) pour trois semaines.",
                    "Révision de la scie à format après le chantier des Tilleuls."],
         priorities=["Relance de Dupont Bâtiment (urgent).",
                     "Appel d'offres de la mairie : priorité d'avril."],
         actions=[
             ("Marc", "Relancer Dupont Bâtiment pour le paiement des factures F2024-031 et "
              "F2024-033", "d'ici la fin de la semaine", "2024-03-29", "high"),
             ("Julie", "Envoyer l'avoir à la boulangerie Lefèvre (2 étagères, 396,00 € TTC)",
              "demain", "2024-03-27", "normal"),
             ("Karim", "Appeler Baltic Oak pour obtenir une date de livraison ferme",
              "cet après-midi", "2024-03-26", "normal"),
             ("Julie", "Faire la facture d'acompte de l'hôtel Les Tilleuls", "jeudi",
              "2024-03-28", "normal"),
             ("Thomas", "Prévenir la réception de l'hôtel Les Tilleuls de la pose", "demain",
              "2024-03-27", "normal"),
             ("Thomas, Karim", "Poser les têtes de lit et les chevets aux Tilleuls",
              "le mardi 2 avril", "2024-04-02", "normal"),
             ("Sophie", "Envoyer la v3 du devis à Maître Moreau", "avant jeudi", "2024-03-28",
              "normal"),
             ("Julie", "Appeler l'agence d'intérim pour un poseur", "d'ici mercredi",
              "2024-03-27", "normal"),
         ]),
    dict(path="A trier/Réunion hebdo 09 avril (transcript).txt", date="2024-04-09", lines="""\
Réunion hebdo – 09/04/2024
Présents : Marc, Julie, Karim, Sophie, Thomas (et Kevin, intérimaire, en fin de réunion)
Enregistrement transcrit automatiquement

Marc : Allez, on y va. D'abord, bravo pour les Tilleuls, Mme Garnier est ravie. Elle m'a appelé vendredi.
Thomas : Merci. Les suites, c'était long, mais ça rend bien.
Karim : Le chêne français, ça change tout, franchement.
Julie : Petit souci par contre : les Tilleuls n'ont pas encore réglé l'acompte, la F2024-035, cinq mille quatre-vingt-dix-sept euros soixante.
Marc : Ça, c'est urgent, on a avancé tout le bois. Julie, tu relances les Tilleuls aujourd'hui.
Julie : Je les appelle aujourd'hui, et je leur renvoie la facture par mail.
Marc : Dupont, maintenant. J'ai eu Pierre au téléphone, il paie la 031 cette semaine. Et il a un autre projet : un escalier pour sa maison.
Sophie : Un escalier en chêne ?
Marc : Oui, un quart tournant. Il veut le devis avant le 30 avril, il voit sa banque début mai.
Sophie : Je prépare le devis de l'escalier pour M. Dupont. Je passe prendre les cotes jeudi.
Marc : Très bien.
Thomas : Tu as besoin de la camionnette jeudi ?
Sophie : Non, je prends ma voiture.
Marc : La mairie maintenant. Date limite le 19 avril.
Julie : J'ai commencé le dossier : Kbis, attestations URSSAF, assurance décennale. Il manque le mémoire technique.
Sophie : Je peux écrire le mémoire technique, j'ai les photos des chantiers.
Marc : D'accord. Sophie, tu donnes le mémoire technique à Julie pour le 15. Julie, tu prépares le dossier complet de la mairie pour le 17, comme ça on a deux jours de marge.
Julie : Pour le 17, c'est noté.
Karim : Et on met quel prix ?
Marc : On reste autour de quatorze mille sept cents HT. On ne descend pas en dessous, c'est décidé.
Karim : Bon. Côté atelier, la scie à format, je ne peux plus attendre.
Marc : Oui, maintenant que les Tilleuls sont finis. Karim, tu fais réviser la scie avant le 15, c'est une priorité.
Karim : J'appelle le technicien demain.
Thomas : Le comptoir du Garage Petit, on le pose quand ?
Karim : Il est presque fini. Il sera prêt mercredi soir.
Marc : Alors Thomas, tu poses le comptoir chez Garage Petit jeudi 11, avec l'intérimaire.
Thomas : OK pour jeudi.
Julie : Il faudra facturer le solde du Garage Petit après la pose.
Marc : Oui, tu factures le solde dès que Thomas confirme la pose.
Julie : D'accord.
Marc : Dernier point, l'argent. J'ai rendez-vous avec le banquier le 16 avril pour le prêt de la plaqueuse de chants.
Julie : Il te faut le bilan 2023 et le prévisionnel.
Marc : Tu peux me les préparer pour le 15 ?
Julie : Oui, le 15 au matin.
Sophie : On aura la plaqueuse quand, si le prêt passe ?
Marc : Pas avant mai. On verra.
Marc : Bon, les priorités de la semaine. Un : l'acompte des Tilleuls. Deux : le dossier de la mairie. Trois : la pose chez Garage Petit. Le reste passe après.
Julie : Et Moreau ? Le devis v3 est signé, je facture l'acompte quand ?
Marc : Quand les panneaux Baltic seront là. Ils arrivent quand, Karim ?
Karim : Livrés hier, enfin.
Marc : Alors tu peux facturer l'acompte Moreau la semaine prochaine.
Julie : Je le fais mardi prochain.
Kevin : Bonjour, désolé, le tram était en panne.
Marc : Pas de souci Kevin. Tu es avec Thomas jeudi chez Garage Petit.
Kevin : Ça marche.
Marc : Merci à tous.
""",
         decisions=["Prix de l'offre pour la médiathèque : autour de 14 700 € HT, pas en dessous.",
                    "Facturer l'acompte Moreau une fois les panneaux Baltic livrés."],
         priorities=["1. Acompte des Tilleuls (urgent)", "2. Dossier de la mairie",
                     "3. Pose chez Garage Petit"],
         actions=[
             ("Julie", "Relancer l'hôtel Les Tilleuls pour l'acompte F2024-035 et renvoyer la "
              "facture", "aujourd'hui", "2024-04-09", "high"),
             ("Sophie", "Préparer le devis de l'escalier pour M. Dupont", "avant le 30 avril",
              "2024-04-30", "normal"),
             ("Sophie", "Prendre les cotes de l'escalier chez M. Dupont", "jeudi",
              "2024-04-11", "normal"),
             ("Sophie", "Écrire le mémoire technique pour le dossier de la mairie",
              "pour le 15", "2024-04-15", "normal"),
             ("Julie", "Préparer le dossier complet de l'appel d'offres de la mairie",
              "pour le 17", "2024-04-17", "high"),
             ("Karim", "Faire réviser la scie à format", "avant le 15", "2024-04-15", "high"),
             ("Thomas", "Poser le comptoir chez Garage Petit avec l'intérimaire", "jeudi 11",
              "2024-04-11", "normal"),
             ("Julie", "Facturer le solde du Garage Petit", "dès que Thomas confirme la pose",
              None, "normal"),
             ("Julie", "Préparer le bilan 2023 et le prévisionnel pour le banquier",
              "le 15 au matin", "2024-04-15", "normal"),
             ("Julie", "Facturer l'acompte du devis Moreau", "mardi prochain", "2024-04-16",
              "normal"),
         ]),
]

MINUTES = dict(path="Compte-rendu réunion 23-04.docx", date="2024-04-23",
               actions=[("Julie", "Relancer Dupont Bâtiment pour la facture F2024-033",
                         "30/04/2024", "2024-04-30", "normal"),
                        ("Sophie", "Relancer M. Dupont sur le devis de l'escalier D2024-016",
                         "03/05/2024", "2024-05-03", "normal"),
                        ("Karim", "Commander la plaqueuse de chants", "15/05/2024",
                         "2024-05-15", "normal"),
                        ("Marc", "Prévenir les clients de la fermeture d'août", "31/05/2024",
                         "2024-05-31", "low")])


def minutes_docx(m):
    when = d(m["date"])
    rows = [["Qui", "Action", "Échéance"]]
    for who, what, when_text, _, _ in m["actions"]:
        rows.append([who, what, when_text])
    blocks = [
        w_par("Compte rendu – réunion d'équipe du 23 avril 2024", style="Title"),
        w_par([("Présents : ", True), ("Marc Lemoine, Julie Martin, Karim Benali, Sophie Roux, "
                                       "Thomas Girard", False)]),
        w_par([("Rédigé par : ", True), ("Julie Martin", False)]),
        w_par("Points abordés", style="Heading1"),
        w_par("Médiathèque de Saint-Aubin", style="Heading2"),
        w_par("Dossier déposé le 17 avril (devis D2024-015, 14 738,00 € HT). Résultat attendu "
              "fin mai."),
        w_par("Garage Petit", style="Heading2"),
        w_par("Comptoir posé le 11 avril, client satisfait. Solde à facturer."),
        w_par("Dupont Bâtiment", style="Heading2"),
        w_par("Facture F2024-031 réglée le 12 avril. Facture F2024-033 (2 576,40 € TTC) toujours "
              "en attente. Devis de l'escalier D2024-016 envoyé le 18 avril."),
        w_par("Investissement", style="Heading2"),
        w_par("Prêt accordé pour la plaqueuse de chants (rendez-vous banque du 16 avril)."),
        w_par("Décisions", style="Heading1"),
        w_par("– Fermeture de l'atelier du 5 au 18 août 2024."),
        w_par("– Achat de la plaqueuse de chants en mai."),
        w_par("Actions", style="Heading1"),
        w_table(rows, [1400, 6200, 2000]),
        w_par([("Prochaine réunion : ", True), ("mardi 7 mai 2024, 8 h.", False)]),
    ]
    return docx_bytes(blocks, "Compte rendu réunion 23 avril 2024", "Julie Martin", when)


def email_hotel():
    subject = "Re: Devis D2024-013 - têtes de lit et chevets"
    body = """Bonjour Madame Roux,

Je vous confirme notre accord pour le devis D2024-013 (têtes de lit et chevets
pour les 12 chambres), d'un montant de 16 992,00 € TTC. Vous trouverez le devis
signé en pièce jointe de mon précédent message.

Pouvez-vous nous adresser la facture d'acompte ? Notre comptable souhaite la
recevoir avant la fin du mois.

Pour la pose, nous bloquerons les chambres 101 à 112 à partir du mardi 2 avril.
Merci de prévenir la réception la veille de votre arrivée.

Bien cordialement,

Isabelle Garnier
Directrice
HOTEL LES TILLEULS
27 quai Saint-Vincent, 69001 Lyon
04 78 39 52 10

> Le 15 mars 2024 à 11:32, Sophie Roux <sophie.roux@atelier-lemoine.fr> a écrit :
> Madame,
> Suite à notre visite du 11 mars, veuillez trouver ci-joint notre devis
> D2024-013. Nous restons à votre disposition pour en discuter.
> Sophie Roux – Atelier Lemoine
"""
    qp = quopri.encodestring(body.encode("utf-8")).decode("ascii")
    headers = [
        "Return-Path: <direction@hotel-lestilleuls.fr>",
        "From: Isabelle Garnier <direction@hotel-lestilleuls.fr>",
        "To: Sophie Roux <sophie.roux@atelier-lemoine.fr>",
        "Cc: contact@atelier-lemoine.fr",
        "Subject: " + Header(subject, "utf-8").encode(),
        "Date: Mon, 25 Mar 2024 09:42:17 +0100",
        "Message-ID: <20240325094217.4F2A1@hotel-lestilleuls.fr>",
        "In-Reply-To: <20240315113205.91C7@atelier-lemoine.fr>",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + qp.replace("\n", "\r\n")).encode("ascii")


def email_baltic():
    body = """Dear Mr Benali,

We are sorry to inform you that the shipment for your order PO-2024-031
(invoice BOT-2024-117, EUR 4,860.00) has been delayed. Our haulier had
a breakdown at the Polish border.

The new estimated delivery date in Lyon is April 3, 2024 instead of
March 27, 2024. We will send you the tracking number as soon as the
truck leaves Kaunas.

As a gesture, the pallet and handling charge will be credited on your
next order.

Please accept our apologies for the inconvenience.

Best regards,

Laura Ozola
Sales & Logistics
Baltic Oak Trading Ltd
Krasta iela 52, Riga, LV-1003, Latvia
+371 6 700 1234
"""
    headers = [
        "From: Laura Ozola <sales@balticoak.lv>",
        "To: Karim Benali <atelier@atelier-lemoine.fr>",
        "Subject: Delivery delay - order PO-2024-031 / invoice BOT-2024-117",
        "Date: Mon, 25 Mar 2024 16:05:41 +0200",
        "Message-ID: <a71c3e90-2024-0325@balticoak.lv>",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="us-ascii"',
        "Content-Transfer-Encoding: 7bit",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("ascii")


# ---------------------------------------------------------------------------
# CSV exports
# ---------------------------------------------------------------------------

def bank_csv(invoice_totals, credit_total):
    def fr(c):
        return f"{c // 100},{c % 100:02d}" if c >= 0 else "-" + fr(-c)

    # (date, value date, label, debit cents, credit cents)
    ops = [
        ("01/03/2024", "01/03/2024", "PRLV SEPA SCI DES TANNEURS LOYER ATELIER MARS", 145000, 0),
        ("04/03/2024", "04/03/2024", "CB BRICO PRO VENISSIEUX 02/03", 12745, 0),
        ("06/03/2024", "06/03/2024",
         "VIR SEPA RECU /DE SAS HOTEL LES TILLEULS /MOTIF FACTURE F2024-025", 0, 234000),
        ("08/03/2024", "08/03/2024", "PRLV SEPA URSSAF RHONE-ALPES COTISATIONS FÉVRIER",
         218400, 0),
        ("11/03/2024", "11/03/2024", "CB STATION AVIA LYON 7 09/03", 8620, 0),
        ("15/03/2024", "15/03/2024", "PRLV SEPA DGFIP TVA FÉVRIER 2024", 341200, 0),
        ("18/03/2024", "18/03/2024", "VIR SEPA EMIS /A BOIS ET PANNEAUX DU RHONE FBR-24-0398",
         287640, 0),
        ("20/03/2024", "20/03/2024",
         "VIR SEPA RECU /DE SELARL CABINET MOREAU ET ASSOCIES /REF F2024-029", 0,
         invoice_totals["F2024-029"]),
        ("20/03/2024", "20/03/2024", "ÉCHÉANCE PRÊT MATÉRIEL N° 4471", 61238, 0),
        ("25/03/2024", "25/03/2024", "COTISATION ASSURANCE DÉCENNALE MUTUELLE DES ARTISANS",
         34217, 0),
        ("28/03/2024", "28/03/2024",
         "VIR SEPA RECU /DE TRESOR PUBLIC MAIRIE ST AUBIN /MANDAT 2024-0118 F2024-028", 0,
         invoice_totals["F2024-028"]),
        ("29/03/2024", "29/03/2024",
         "VIR SEPA RECU /DE BOULANGERIE LEFEVRE /FACT 030 MOINS AVOIR", 0,
         invoice_totals["F2024-030"] + credit_total),
        ("29/03/2024", "29/03/2024", "VIR SEPA EMIS SALAIRES MARS 2024", 892000, 0),
        ("31/03/2024", "31/03/2024", "FRAIS TENUE DE COMPTE ET CARTE BUSINESS", 1850, 0),
    ]
    balance = 1845237
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["Date opération", "Date valeur", "Libellé", "Débit", "Crédit", "Solde"])
    for date, value, label, debit, credit in ops:
        balance += credit - debit
        w.writerow([date, value, label, fr(debit) if debit else "",
                    fr(credit) if credit else "", fr(balance)])
    return out.getvalue().encode("cp1252")


# The second bank export pays the March–April invoices in various ways, so the unpaid table
# has something to say at its last line's date (AS_OF): paid in full on time, one paid late,
# one partly paid, some not paid at all. (date, label, debit cents, credit: an invoice number
# paid in full, or (number, cents) for a part)
AS_OF = "2024-06-14"
BANK_Q2 = [
    ("05/04/2024", "PRLV SEPA SCI DES TANNEURS LOYER ATELIER AVRIL", 145000, None),
    ("12/04/2024", "VIR SEPA RECU /DE SAS HOTEL LES TILLEULS /MOTIF FACTURE F2024-032", 0,
     "F2024-032"),
    ("19/04/2024", "VIR SEPA RECU /DE GARAGE PETIT SAS /ACOMPTE F2024-034 1ER VERSEMENT", 0,
     ("F2024-034", 150000)),
    ("22/04/2024", "VIR SEPA EMIS /A BOIS ET PANNEAUX DU RHONE FBR-24-0412", "FBR-24-0412",
     None),
    ("25/04/2024", "VIR SEPA RECU /DE SAS HOTEL LES TILLEULS /FACT F2024-035 ACOMPTE", 0,
     "F2024-035"),
    ("06/05/2024", "PRLV SEPA URSSAF RHONE-ALPES COTISATIONS AVRIL", 218400, None),
    ("08/05/2024", "VIR SEPA RECU /DE BOULANGERIE LEFEVRE /F2024-037", 0, "F2024-037"),
    ("15/05/2024", "PRLV SEPA DGFIP TVA AVRIL 2024", 298600, None),
    ("21/05/2024", "VIR SEPA RECU /DE SARL DUPONT BATIMENT /REGLEMENT F2024-033", 0,
     "F2024-033"),
    ("31/05/2024", "VIR SEPA EMIS SALAIRES MAI 2024", 892000, None),
    ("14/06/2024", "FRAIS TENUE DE COMPTE ET CARTE BUSINESS", 1850, None),
]


def bank_csv_q2(invoice_totals, supplier_totals):
    def fr(c):
        return f"{c // 100},{c % 100:02d}" if c >= 0 else "-" + fr(-c)

    balance = 1400887
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["Date opération", "Date valeur", "Libellé", "Débit", "Crédit", "Solde"])
    for date, label, debit, paid in BANK_Q2:
        if isinstance(debit, str):
            debit = supplier_totals[debit]
        if paid is None:
            credit = 0
        elif isinstance(paid, tuple):
            credit = paid[1]
        else:
            credit = invoice_totals[paid]
        balance += credit - debit
        w.writerow([date, date, label, fr(debit) if debit else "",
                    fr(credit) if credit else "", fr(balance)])
    return out.getvalue().encode("cp1252")


def money_truth(invoice_totals, credit_total):
    """What the money questions must answer on this folder, at AS_OF: what each client still
    owes and how late, the ageing, the VAT per month and the quotes never invoiced."""
    as_of = d(AS_OF)
    paid = {"F2024-028": invoice_totals["F2024-028"], "F2024-029": invoice_totals["F2024-029"],
            "F2024-030": invoice_totals["F2024-030"] + credit_total}
    paid_on = {"F2024-028": "2024-03-28", "F2024-029": "2024-03-20", "F2024-030": "2024-03-29"}
    for date, _, _, p in BANK_Q2:
        if p is None:
            continue
        number, cents = p if isinstance(p, tuple) else (p, invoice_totals[p])
        paid[number] = paid.get(number, 0) + cents
        paid_on[number] = dt.datetime.strptime(date, "%d/%m/%Y").date().isoformat()
    # the credit note settles part of the invoice it refers to
    credited = {a["ref"]: -totals(a["items"])[2] for a in CREDIT_NOTES}
    unpaid, late_paid = [], []
    ageing = {"0-30": 0, "31-60": 0, "61-90": 0, ">90": 0}
    for inv in INVOICES:
        n = inv["number"]
        due_amount = invoice_totals[n] - credited.get(n, 0)
        got = paid.get(n, 0)
        rest = due_amount - got
        assert rest >= 0, n
        if rest == 0:
            if paid_on[n] > inv["due"]:
                late_paid.append({"number": n, "due_date": inv["due"], "paid_on": paid_on[n],
                                  "days_late": (d(paid_on[n]) - d(inv["due"])).days})
            continue
        days = max(0, (as_of - d(inv["due"])).days)
        bucket = "0-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 \
            else ">90"
        ageing[bucket] += rest
        unpaid.append({"number": n, "file": inv["path"], "client": CLIENTS[inv["client"]]["name"],
                       "due_date": inv["due"], "days_overdue": days,
                       "total": money(invoice_totals[n]), "paid": money(got),
                       "remaining": money(rest), "state": "partial" if got else "unpaid"})
    unpaid.sort(key=lambda u: (-u["days_overdue"], u["file"]))
    # VAT per month: collected on sales (credit notes negative), deductible on purchases
    vat = {}
    for docs, direction in ((INVOICES, "sale"), (CREDIT_NOTES, "sale")):
        for doc in docs:
            net, v, _ = totals(doc["items"])
            key = (doc["date"][:7], direction, 2000)
            b, x = vat.get(key, (0, 0))
            vat[key] = (b + net, x + v)
    for s in SUPPLIER_INVOICES:
        rate = 20 if s["lang"] == "fr" else 0
        net, v, _ = totals(s["items"], vat_rate=rate)
        key = (s["date"][:7], "purchase", rate * 100)
        b, x = vat.get(key, (0, 0))
        vat[key] = (b + net, x + v)
    vat_rows = [{"month": m, "direction": dr, "rate_bp": r, "base": money(b), "vat": money(x)}
                for (m, dr, r), (b, x) in sorted(vat.items())]
    revenue = {}
    for docs in (INVOICES, CREDIT_NOTES):
        for doc in docs:
            net, _, _ = totals(doc["items"])
            revenue[doc["date"][:7]] = revenue.get(doc["date"][:7], 0) + net
    billed = {}
    for inv in INVOICES:
        for q in QUOTES:
            if q["number"] in inv["subject"]:
                billed.setdefault(q["number"], []).append(inv["number"])
    quotes = [{"number": q["number"], "file": q["path"], "client": CLIENTS[q["client"]]["name"],
               "total": money(totals(q["items"])[2]), "invoiced_by": billed.get(q["number"], [])}
              for q in QUOTES]
    # Every bank line that pays a document of the folder, and what it pays (the March export's
    # lines are those of bank_csv; lines paying documents not in the folder have none).
    matches = [
        {"date": "2024-03-20", "amount": money(invoice_totals["F2024-029"]), "number": "F2024-029"},
        {"date": "2024-03-28", "amount": money(invoice_totals["F2024-028"]), "number": "F2024-028"},
        {"date": "2024-03-29", "amount": money(invoice_totals["F2024-030"] + credit_total),
         "number": "F2024-030"},
    ]
    supplier_totals = {x["number"]: totals(x["items"], vat_rate=20 if x["lang"] == "fr" else 0)[2]
                       for x in SUPPLIER_INVOICES}
    for date, _, debit, p in BANK_Q2:
        iso = dt.datetime.strptime(date, "%d/%m/%Y").date().isoformat()
        if isinstance(debit, str):
            matches.append({"date": iso, "amount": -money(supplier_totals[debit]),
                            "number": debit})
        elif p is not None:
            number, cents = p if isinstance(p, tuple) else (p, invoice_totals[p])
            matches.append({"date": iso, "amount": money(cents), "number": number})
    return {
        "as_of": AS_OF,
        "bank_matches": matches,
        "statements": ["export_banque_mars.csv", "export_banque_avril-juin.csv"],
        "unpaid": unpaid,
        "ageing_eur": {k: money(v) for k, v in ageing.items()},
        "paid_late": late_paid,
        "vat_by_month": vat_rows,
        "revenue_net_by_month": {k: money(v) for k, v in sorted(revenue.items())},
        "quotes": quotes,
        "quotes_not_invoiced": [q["number"] for q in quotes if not q["invoiced_by"]],
    }


def clients_csv():
    rows = [
        ("C0012", "DUPONT BATIMENT", "SARL", "478 221 904 00031", "45 avenue Jean Jaurès",
         "69007", "Lyon", "Pierre Dupont", "p.dupont@dupont-batiment.fr", "06 12 34 56 78",
         "2019-05-14"),
        ("C0027", "BOULANGERIE LEFEVRE", "EURL", "530 118 276 00014",
         "3 place de la Croix-Rousse", "69004", "Lyon", "Claire Lefèvre",
         "boulangerie.lefevre@orange.fr", "04 78 28 11 90", "2020-09-02"),
        ("C0031", "CABINET MOREAU & ASSOCIES", "SELARL", "442 903 117 00028",
         "112 cours Lafayette", "69003", "Lyon", "Antoine Moreau", "a.moreau@moreau-avocats.fr",
         "04 72 61 30 05", "2021-01-19"),
        ("C0034", "GARAGE PETIT", "SAS", "389 504 662 00019", "8 route de Vienne", "69200",
         "Vénissieux", "Luc Petit", "garage.petit@wanadoo.fr", "04 78 70 22 15", "2021-06-30"),
        ("C0040", "MAIRIE DE SAINT-AUBIN", "Collectivité", "216 901 234 00010",
         "1 place de la République", "69890", "Saint-Aubin", "Bernard Fabre",
         "services.techniques@saint-aubin.fr", "04 74 00 12 00", "2022-03-08"),
        ("C0043", "HOTEL LES TILLEULS", "SAS", "801 447 390 00025", "27 quai Saint-Vincent",
         "69001", "Lyon", "Isabelle Garnier", "direction@hotel-lestilleuls.fr",
         "04 78 39 52 10", "2022-11-21"),
    ]
    out = io.StringIO()
    w = csv.writer(out, delimiter=",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["code_client", "raison_sociale", "forme_juridique", "siret", "adresse",
                "code_postal", "ville", "contact", "email", "telephone", "client_depuis"])
    for r in rows:
        w.writerow(r)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------

def fields_of(doc, issuer, client_as_written, date, due, net, vat, total):
    return {"issuer": issuer, "client": client_as_written, "number": doc["number"],
            "date": date, "due_date": due, "net": money(net), "vat": money(vat),
            "total": money(total), "currency": "EUR"}


def action_list(actions):
    return [{"who": who, "what": what, "when": when, "when_text": when_text,
             "priority": prio} for who, what, when_text, when, prio in actions]


MONEY = {}


def build():
    """Returns ({relative path: bytes}, {relative path: ground truth}, mtimes)."""
    files, truth, mtimes = {}, {}, {}

    def add(path, data, entry, when):
        assert path not in files, path
        files[path] = data
        entry = dict(entry)
        entry["path"] = path
        entry.setdefault("client", None)
        entry.setdefault("duplicate_of", None)
        truth[path] = entry
        mtimes[path] = when

    invoice_totals = {}
    for inv in INVOICES:
        net, vat, total = totals(inv["items"])
        invoice_totals[inv["number"]] = total
        add(inv["path"], invoice_pdf(inv),
            {"type": "invoice", "client": CLIENTS[inv["client"]]["name"],
             "fields": fields_of(inv, OWN["legal"], inv["as_written"], inv["date"], inv["due"],
                                 net, vat, total)},
            d(inv["date"]))
    for dup, orig in DUPLICATES:
        entry = dict(truth[orig])
        entry["duplicate_of"] = orig
        add(dup, files[orig], entry, mtimes[orig] + dt.timedelta(days=9))
    for q in QUOTES:
        net, vat, total = totals(q["items"])
        data = quote_docx(q) if q["fmt"] == "docx" else quote_pdf(q)
        f = fields_of(q, OWN["legal"], q["as_written"], q["date"], None, net, vat, total)
        f["valid_until"] = q["valid"]
        add(q["path"], data, {"type": "quote", "client": CLIENTS[q["client"]]["name"],
                              "fields": f}, d(q["date"]))
    credit_total = 0
    for a in CREDIT_NOTES:
        net, vat, total = totals(a["items"])
        credit_total += total
        f = fields_of(a, OWN["legal"], a["as_written"], a["date"], None, net, vat, total)
        f["refers_to"] = a["ref"]
        add(a["path"], credit_note_pdf(a),
            {"type": "credit_note", "client": CLIENTS[a["client"]]["name"], "fields": f},
            d(a["date"]))
    for s in SUPPLIER_INVOICES:
        net, vat, total = totals(s["items"], vat_rate=20 if s["lang"] == "fr" else 0)
        data = supplier_fr_pdf(s) if s["lang"] == "fr" else supplier_en_pdf(s)
        bill_to = "ATELIER LEMOINE SARL" if s["lang"] == "fr" else OWN["legal"]
        add(s["path"], data,
            {"type": "supplier_invoice", "language": s["lang"],
             "fields": fields_of(s, s["issuer"], bill_to, s["date"], s["due"], net, vat,
                                 total)},
            d(s["date"]) + dt.timedelta(days=5))

    # amounts quoted in prose must match the documents they talk about
    for number, text in (("F2024-031", NOTE_DUPONT), ("F2024-033", NOTE_DUPONT),
                         ("F2024-030", NOTE_LEFEVRE)):
        assert eur(invoice_totals[number]) in text, number
    assert eur(invoice_totals["F2024-030"] + credit_total) in NOTE_LEFEVRE
    assert eur(-credit_total) in NOTE_LEFEVRE
    add("notes client Dupont.txt", NOTE_DUPONT.encode("utf-8"),
        {"type": "client_note", "client": CLIENTS["dupont"]["name"]}, d("2024-04-02"))
    add("Boulangerie Lefevre notes.md", NOTE_LEFEVRE.encode("utf-8"),
        {"type": "client_note", "client": CLIENTS["lefevre"]["name"]}, d("2024-04-02"))
    add("A trier/Moreau rappel.txt",
        NOTE_MOREAU_CP1252.replace("\n", "\r\n").encode("cp1252"),
        {"type": "client_note", "client": CLIENTS["moreau"]["name"],
         "encoding": "windows-1252"}, d("2024-03-22"))
    add("A trier/visite Hôtel Tilleuls.docx", visit_note_docx(),
        {"type": "client_note", "client": CLIENTS["tilleuls"]["name"]}, d("2024-03-11"))

    for t in TRANSCRIPTS:
        text = t["lines"]
        n_lines = text.count("\n")
        assert 40 <= n_lines <= 120, (t["path"], n_lines)
        for who, _, when_text, _, _ in t["actions"]:
            assert when_text in text, (t["path"], when_text)
        if t.get("crlf"):
            text = text.replace("\n", "\r\n")
        add(t["path"], text.encode("utf-8"),
            {"type": "meeting_transcript", "meeting_date": t["date"],
             "decisions": t["decisions"], "priorities": t["priorities"],
             "action_items": action_list(t["actions"])}, d(t["date"]))
    add(MINUTES["path"], minutes_docx(MINUTES),
        {"type": "meeting_minutes", "meeting_date": MINUTES["date"],
         "action_items": action_list(MINUTES["actions"])}, d(MINUTES["date"]))

    add("export_banque_mars.csv", bank_csv(invoice_totals, credit_total),
        {"type": "bank_statement", "encoding": "windows-1252"}, d("2024-04-01"))
    supplier_totals = {x["number"]: totals(x["items"], vat_rate=20 if x["lang"] == "fr" else 0)[2]
                       for x in SUPPLIER_INVOICES}
    add("export_banque_avril-juin.csv", bank_csv_q2(invoice_totals, supplier_totals),
        {"type": "bank_statement", "encoding": "windows-1252"}, d(AS_OF))
    MONEY.update(money_truth(invoice_totals, credit_total))
    add("A trier/clients_export_2024.csv", clients_csv(),
        {"type": "data_export", "encoding": "utf-8-sig"}, d("2024-04-03"))
    xlsx, _ = xlsx_suivi()
    add("Copie de tableau suivi.xlsx", xlsx, {"type": "spreadsheet"}, d("2024-04-12"))
    add("logo atelier.png", png_logo(), {"type": "image"}, d("2023-09-01"))
    add("A trier/Re_ Devis D2024-013 têtes de lit.eml", email_hotel(),
        {"type": "email", "client": CLIENTS["tilleuls"]["name"]}, d("2024-03-25"))
    add("Baltic Oak - delivery delay.eml", email_baltic(),
        {"type": "email", "language": "en"}, d("2024-03-25"))
    return files, truth, mtimes


def ground_truth(truth):
    entries = []
    for path in sorted(truth):
        e = truth[path]
        ordered = {"path": path, "type": e["type"], "client": e["client"],
                   "duplicate_of": e["duplicate_of"]}
        for k in sorted(e):
            if k not in ordered:
                ordered[k] = e[k]
        entries.append(ordered)
    return {
        "about": ("Ground truth for examples/demo-pme, written by scripts/make-demo.py from "
                  "the same data as the documents. 'client' is the canonical client name; "
                  "fields.client is the name exactly as written on the document; amounts are "
                  "in euros (credit notes negative); dates are ISO; action item 'when' is the "
                  "resolved ISO date (null if relative to an event), 'when_text' the words "
                  "used."),
        "own_company": {"name": OWN["name"], "legal_name": OWN["legal"],
                        "siret": OWN["siret"], "vat_number": OWN["vat"],
                        "city": "Lyon"},
        "clients": [{"name": c["name"], "variants": sorted(set(c["variants"] + [c["name"]]))}
                    for c in CLIENTS.values()],
        "suppliers": [s["issuer"] for s in SUPPLIER_INVOICES],
        "files": entries,
        "money": MONEY,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", help="folder to write the documents into (e.g. examples/demo-pme)")
    ap.add_argument("--expected", help="ground truth JSON path (default: OUTDIR.expected.json)")
    args = ap.parse_args()
    outdir = os.path.normpath(args.outdir)
    expected = args.expected or outdir + ".expected.json"

    files, truth, mtimes = build()
    for path, data in sorted(files.items()):
        full = os.path.join(outdir, *path.split("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as fh:
            fh.write(data)
        stamp = dt.datetime.combine(mtimes[path], dt.time(9, 0, tzinfo=dt.timezone.utc)).timestamp()
        os.utime(full, (stamp, stamp))
    with open(expected, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(ground_truth(truth), fh, ensure_ascii=False, indent=2)
        fh.write("\n")

    known = set(files)
    extra = []
    for root, _, names in os.walk(outdir):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), outdir).replace(os.sep, "/")
            if rel not in known:
                extra.append(rel)
    total = sum(len(b) for b in files.values())
    print(f"wrote {len(files)} files ({total // 1024} KiB) to {outdir} and {expected}")
    if extra:
        print("note: files not produced by this generator were left in place:",
              ", ".join(sorted(extra)), file=sys.stderr)


if __name__ == "__main__":
    main()
