#!/usr/bin/env bash
# Kill -9 soak (a benchmark, not a test): N runs of the seed-like brief on a copy of the demo
# folder, each killed at a random moment, then resumed to the end and undone; the folder
# must be byte-identical to its start every time (files and their content).
#   scripts/soak-kill.sh [N] [COMMIS_BINARY]
set -u
N=${1:-50}
BIN=${2:-target/debug/commis}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BRIEF="Classe ces fichiers par client, fais un catalogue et un tableau récapitulatif des montants"
snapshot() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
ok=0; killed_before_run=0; bad=0; interrupted_seen=0
for i in $(seq 1 "$N"); do
  home="$WORK/home-$i"; dir="$WORK/demo-$i"
  cp -r "$ROOT/examples/demo-pme" "$dir"
  before=$(snapshot "$dir")
  delay_ms=$(( RANDOM % 400 ))
  COMMIS_HOME="$home" COMMIS_TEST_STEP_DELAY_MS=$delay_ms NO_COLOR=1 \
    "$BIN" run "$dir" "$BRIEF" --yes --allow move </dev/null >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v r=$RANDOM 'BEGIN{printf "%.2f", r/32768*3.0}')"
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  id=$(COMMIS_HOME="$home" "$BIN" history --json 2>/dev/null | python3 -c 'import json,sys
try:
    r=json.load(sys.stdin); print(r[0]["id"] if r else "")
except Exception: print("")')
  if [ -z "$id" ]; then
    killed_before_run=$((killed_before_run+1))
  else
    status=$(COMMIS_HOME="$home" "$BIN" history --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')
    [ "$status" = interrupted ] && interrupted_seen=$((interrupted_seen+1))
    if [ "$status" != done ]; then
      COMMIS_HOME="$home" "$BIN" resume "$id" --yes --allow move </dev/null >/dev/null 2>&1
    fi
    COMMIS_HOME="$home" "$BIN" undo "$id" >/dev/null 2>&1
  fi
  after=$(snapshot "$dir")
  if [ "$before" = "$after" ]; then ok=$((ok+1)); else bad=$((bad+1)); echo "run $i ($id): folder differs after resume+undo" >&2; diff <(echo "$before") <(echo "$after") | head -5 >&2; fi
  rm -rf "$dir" "$home"
done
echo "runs=$N identical=$ok differing=$bad killed_before_the_run_existed=$killed_before_run shown_interrupted=$interrupted_seen"
