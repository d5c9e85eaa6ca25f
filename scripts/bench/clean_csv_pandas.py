#!/usr/bin/env python3
"""Peer of commis's streaming CSV cleaner (pandas): read, strip, parse dates and amounts,
drop duplicates, write. clean_csv_pandas.py IN.csv OUT.csv -- prints one JSON line."""
import json, sys
import pandas as pd

df = pd.read_csv(sys.argv[1], sep=";", encoding="cp1252", dtype=str)
for c in df.columns:
    df[c] = df[c].str.strip()
df["Date"] = pd.to_datetime(df["Date"], format="%d/%m/%Y", errors="coerce").dt.strftime("%Y-%m-%d")
a = df["Montant"].str.replace("€", "", regex=False).str.replace(" ", "", regex=False)
neg = a.str.startswith("(")
a = a.str.strip("()").str.replace(",", ".", regex=False)
df["Montant"] = pd.to_numeric(a, errors="coerce").where(~neg, -pd.to_numeric(a, errors="coerce"))
before = len(df)
df = df.drop_duplicates()
df.to_csv(sys.argv[2], index=False, sep=";")
print(json.dumps({"rows_in": before, "rows_out": len(df)}))
