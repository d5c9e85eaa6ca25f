#!/usr/bin/env python3
"""Writes a deterministic dirty client/transaction export for the cleaning benchmark.

make_dirty_csv.py ROWS OUT.csv -- semicolon separated, Windows-1252, French dates
(dd/mm/yyyy), amounts with decimal comma, thousands spaces and euro signs, negatives in
parentheses, stray spaces, mixed-case names, e-mails, French phones, and about 2 % exact
duplicate rows.
"""
import random, sys

rows, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(42)
names = ["DUPONT SARL", "martin sas", "Boulangerie Petit", "  Café de la Gare ", "LEROY & FILS",
         "garage moreau", "Pharmacie Bernard", "SCI Les Tilleuls", "BNP services", "Atelier Roux"]
cities = ["Paris", "Lyon", " Marseille", "Toulouse ", "Nantes", "Lille", "Bordeaux"]
with open(out, "w", encoding="cp1252", newline="") as f:
    f.write("Client;Ville;Date;Montant;Téléphone;E-mail;Référence\r\n")
    prev = None
    for i in range(rows):
        if prev is not None and rnd.random() < 0.02:
            f.write(prev)
            continue
        d, m, y = rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(2019, 2025)
        amount = rnd.randint(-50000, 500000) / 100
        if amount < 0 and rnd.random() < 0.5:
            a = "(%s €)" % f"{-amount:,.2f}".replace(",", " ").replace(".", ",")
        else:
            a = f"{amount:,.2f} €".replace(",", " ").replace(".", ",")
        phone = "0%d%08d" % (rnd.randint(1, 7), rnd.randint(0, 99999999))
        if rnd.random() < 0.5:
            phone = ".".join(phone[k:k + 2] for k in range(0, 10, 2))
        name = rnd.choice(names)
        email = " Contact%d@Exemple.FR" % rnd.randint(1, 5000)
        line = f"{name};{rnd.choice(cities)};{d:02d}/{m:02d}/{y};{a};{phone};{email};REF-{i:07d}\r\n"
        f.write(line)
        prev = line
