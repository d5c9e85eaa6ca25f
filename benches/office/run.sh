#!/bin/sh
# Times commis-office against the Python peers (../shared/peers) on the same workloads, in one
# run: a 100k-row invoice workbook with formulas (vs openpyxl) and a 100-slide deck (vs
# python-pptx). Needs hyperfine (scripts/test-deps-office.sh installs it).
# Usage: benches/office/run.sh [ROWS] [SLIDES]
set -e
repo=$(cd "$(dirname "$0")/../.." && pwd)
peers=${PEERS_DIR:-$repo/../shared/peers}
rows=${1:-100000}
slides=${2:-100}
py=$(sh "$peers/setup.sh" | tail -n 1)
cargo build --release --quiet --manifest-path "$repo/Cargo.toml" -p commis-office --example office_bench
bin=$repo/target/release/examples/office_bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

hyperfine --warmup 1 --runs "${RUNS:-5}" --style basic --export-markdown "$out/xlsx.md" \
    -n "commis xlsx $rows rows" "$bin xlsx $rows $out/commis.xlsx" \
    -n "openpyxl xlsx $rows rows" "$py $peers/xlsx_write.py $rows $out/openpyxl.xlsx"
hyperfine --warmup 1 --runs "${RUNS:-5}" --style basic --export-markdown "$out/pptx.md" \
    -n "commis pptx $slides slides" "$bin pptx $slides $out/commis.pptx" \
    -n "python-pptx $slides slides" "$py $peers/pptx_write.py $slides $out/python-pptx.pptx"
echo
cat "$out/xlsx.md" "$out/pptx.md"
ls -l "$out"/*.xlsx "$out"/*.pptx
