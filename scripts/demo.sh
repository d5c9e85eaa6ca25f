#!/usr/bin/env bash
# Builds commis and runs the seed brief on a fresh copy of the bundled demo folder with the
# offline planner: no API key, no network. In a terminal you review the plan and approve the
# moves; otherwise (CI, pipes) the plan is accepted and moves are allowed up front.
#   ./scripts/demo.sh ["another brief"]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
brief=${1:-"Classe ces fichiers par client, crée un tableau récapitulatif des montants et produis une présentation de 8 slides"}
if ! command -v cargo >/dev/null 2>&1; then
    echo "commis needs Rust (cargo): https://rustup.rs, then run this script again." >&2
    exit 1
fi
cargo build --quiet -p commis --manifest-path "$repo/Cargo.toml"
work=${COMMIS_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/commis-demo.XXXXXX")}
mkdir -p "$work"
rm -rf "$work/demo-pme"
cp -r "$repo/examples/demo-pme" "$work/demo-pme"
export COMMIS_HOME=${COMMIS_HOME:-$work/state}
echo "Demo folder: $work/demo-pme   (state: $COMMIS_HOME)"
flags=(--provider offline)
if [ ! -t 0 ]; then
    flags+=(--yes --allow move)
fi
status=0
"$repo/target/debug/commis" run "$work/demo-pme" "$brief" "${flags[@]}" || status=$?
echo
echo "Look at the result: ls -R \"$work/demo-pme\""
exit $status
