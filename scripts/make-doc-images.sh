#!/usr/bin/env bash
# Regenerates the pictures in docs/images/ from the product's real output: the seed brief
# and a meeting brief run by the real `commis` binary, offline, on a fresh copy of the demo
# folder, and the survey tool on a real survey export; LibreOffice renders the deliverables
# to PDF and pdftoppm turns pages into PNG.
# Nothing here is drawn from a hand-written spec.
#   ./scripts/make-doc-images.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/test-deps-office.sh >/dev/null
cargo build --quiet -p commis
work=$(mktemp -d "${TMPDIR:-/tmp}/commis-images.XXXXXX")
trap 'rm -rf "$work"' EXIT
export COMMIS_HOME="$work/state"
commis="$repo/target/debug/commis"
seed="Classe ces fichiers par client, crée un tableau récapitulatif des montants et produis une présentation de 8 slides"
meetings="Fais un compte rendu des réunions avec les décisions et les actions, et un rapport Word"

run() { # folder brief
    rm -rf "$1"
    cp -r examples/demo-pme "$1"
    "$commis" run "$1" "$2" --provider offline --yes --allow move --json >"$1.json" </dev/null
}
render() { # file -> pdf in $work/pdf
    soffice "-env:UserInstallation=file://$work/lo" --headless --convert-to pdf \
        --outdir "$work/pdf" "$1" >/dev/null 2>&1
}
page() { # pdf page out.png [dpi]
    pdftoppm -png -r "${4:-60}" -f "$2" -l "$2" -singlefile "$1" "${3%.png}"
}

mkdir -p "$work/pdf" docs/images
run "$work/seed" "$seed"
render "$work/seed/Livrables/presentation.pptx"
render "$work/seed/Livrables/recapitulatif-factures.xlsx"
page "$work/pdf/presentation.pdf" 2 docs/images/deck-key-figures.png
page "$work/pdf/presentation.pdf" 3 docs/images/deck-chart.png
page "$work/pdf/presentation.pdf" 4 docs/images/deck-clients.png
page "$work/pdf/recapitulatif-factures.pdf" 1 docs/images/workbook-invoices.png 70

run "$work/meetings" "$meetings"
report=$(find "$work/meetings/Livrables" -name '*.docx' 2>/dev/null | head -n 1)
if [ -n "$report" ]; then
    render "$report"
    page "$work/pdf/$(basename "${report%.docx}").pdf" 1 docs/images/report.png 60
else
    echo "make-doc-images: the meeting brief wrote no .docx; docs/images/report.png kept" >&2
fi
# A survey synthesis from a real export (the French « State of Publicodes 2024 », MIT, see
# tests/fixtures/surveys/PROVENANCE.md) through the real summarize_survey tool, split by the
# developer question: the report's first page, the deck's NPS slide and its first chart.
mkdir -p "$work/survey"
cp tests/fixtures/surveys/publicodes-2024-fr/responses.csv "$work/survey/publicodes.csv"
"$commis" tool summarize_survey "$work/survey" --yes \
    --input '{"path": "publicodes.csv", "segment": "développeur", "report": true, "deck": true}' \
    >"$work/survey.json" </dev/null
cp "$work/survey/publicodes_summary.docx" "$work/survey-report.docx"
cp "$work/survey/publicodes_summary.pptx" "$work/survey-deck.pptx"
render "$work/survey-report.docx"
render "$work/survey-deck.pptx"
page "$work/pdf/survey-report.pdf" 1 docs/images/survey-report.png 60
page "$work/pdf/survey-deck.pdf" 2 docs/images/survey-deck-nps.png
page "$work/pdf/survey-deck.pdf" 3 docs/images/survey-deck-chart.png
echo "docs/images/ regenerated from: $seed"
