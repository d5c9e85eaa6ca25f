#!/bin/sh
# Times commis-docs against the Python libraries agents use today (pypdf, openpyxl)
# on the same files, with hyperfine. Not a test: run by hand, figures go to
# docs/PERFORMANCE.md. Usage: benches/docs/run.sh [PDF_DIR] [XLSX_FILE]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
peers=${PEERS_DIR:-$root/../shared/peers}
pdf_dir=${1:-$root/tests/fixtures/invoices}
xlsx=${2:-$root/tests/fixtures/office/csvkit/ne_1033_data.xlsx}
out=${BENCH_OUT:-$root/target/bench-docs}
mkdir -p "$out"

if ! command -v hyperfine >/dev/null 2>&1; then
    apt-get install -y -qq hyperfine >/dev/null
fi
py=$(sh "$peers/setup.sh" | tail -n 1)

cargo build -q --release -p commis-docs --example extract_bench
bin=$root/target/release/examples/extract_bench

echo "== output (same files, both sides)"
echo "commis-docs pdf : $("$bin" pdf "$pdf_dir")"
echo "pypdf           : $("$py" "$peers/pdf_text.py" "$pdf_dir")"
echo "commis-docs xlsx: $("$bin" xlsx "$xlsx")"
echo "openpyxl        : $("$py" "$peers/xlsx_read.py" "$xlsx")"

hyperfine -N --warmup 3 --export-markdown "$out/pdf.md" --export-json "$out/pdf.json" \
    -n commis-docs "$bin pdf $pdf_dir" \
    -n pypdf "$py $peers/pdf_text.py $pdf_dir"
hyperfine -N --warmup 3 --export-markdown "$out/xlsx.md" --export-json "$out/xlsx.json" \
    -n commis-docs "$bin xlsx $xlsx" \
    -n openpyxl "$py $peers/xlsx_read.py $xlsx"
echo "tables: $out/pdf.md $out/xlsx.md"
