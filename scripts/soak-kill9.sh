#!/usr/bin/env bash
# Kill -9 soak: a benchmark, not a test (issue 15). Runs the demo brief with the offline
# planner (--yes --allow move) on fresh copies of examples/demo-pme, kills it with SIGKILL at
# random and at targeted moments, then resumes and undoes it, and checks every time that:
#   - the resumed run ends `done` and wrote each deliverable once (one journaled write per
#     file in Livrables/, no copy beside it);
#   - no commis temporary file (.commis-tmp-*) is left, after resume and after undo;
#   - after undo the folder is byte-identical to the original (files, names, empty folders),
#     and undo exits 0 (every change undone, folder checked).
# Kill moments, in turn: random (uniform over the run), while a temporary file exists, during
# the batch of moves, during undo. The targeted ones use COMMIS_SOAK_DELAY_MS, a knob read by
# commis-workspace that holds each write (temp file in place), each batch item and each undo
# action a few milliseconds so the kill lands there; it is unset in normal use.
#   ./scripts/soak-kill9.sh [RUNS]        (default 120; SOAK_KEEP=1 keeps the work folder)
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-120}
bin=${COMMIS_BIN:-$repo/target/debug/commis}
[ -x "$bin" ] || cargo build --quiet -p commis --manifest-path "$repo/Cargo.toml"
work=$(mktemp -d "${TMPDIR:-/tmp}/commis-soak.XXXXXX")
# A private copy: a rebuild while the soak runs must not swap the binary under it.
cp "$bin" "$work/commis"
bin="$work/commis"
brief="Classe ces fichiers par client, crée un tableau récapitulatif des montants et produis une présentation de 8 slides"
original="$repo/examples/demo-pme"
declare -A tried passed hits
fails=0
planning=0

debris() { find "$1" -name '.commis-tmp-*' 2>/dev/null | head -1; }

last_run_id() {
    COMMIS_HOME="$1" "$bin" history --json 2>/dev/null |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["id"] if r else "")'
}

# Each deliverable journaled (done/pending) at most once, and nothing but the two files.
written_once() {
    COMMIS_HOME="$1" "$bin" show "$2" --json 2>/dev/null | python3 -c '
import json, sys, collections
show = json.load(sys.stdin)
count = collections.Counter()
def leaves(op):
    return [l for o in op.get("ops", []) for l in leaves(o)] if op["op"] == "batch" else [op]
for e in show["journal"]:
    if e["state"] in ("done", "pending"):
        for l in leaves(e["op"]):
            if l["op"] in ("create", "modify") and l["path"].startswith("Livrables/"):
                count[l["path"]] += 1
twice = [p for p, n in count.items() if n > 1]
sys.exit(1 if twice else 0)' && [ "$(ls "$3/Livrables" 2>/dev/null | wc -l)" -le 2 ]
}

fail() {
    echo "FAIL run $i ($mode): $1" | tee -a "$work/failures.log"
    fails=$((fails + 1))
}

# Random kills land anywhere in an uninterrupted run, whose length depends on the machine's
# load: measure one first.
mkdir -p "$work/baseline"
cp -r "$original" "$work/baseline/demo-pme"
start=$(date +%s.%N)
COMMIS_HOME="$work/baseline/state" "$bin" run "$work/baseline/demo-pme" "$brief" --provider offline --yes --allow move --json >/dev/null 2>&1
span=$(python3 -c "print(max(0.5, $(date +%s.%N) - $start))")
rm -rf "$work/baseline"
echo "an uninterrupted run takes ${span}s here; random kills land in [0.02, ${span}]s"

for i in $(seq 1 "$runs"); do
    modes=(random temp batch undo)
    mode=${modes[$(((i - 1) % 4))]}
    tried[$mode]=$((${tried[$mode]:-0} + 1))
    dir="$work/run$i/demo-pme"
    home="$work/run$i/state"
    mkdir -p "$work/run$i"
    cp -r "$original" "$dir"
    export COMMIS_HOME="$home"
    delay=""
    [ "$mode" != random ] && delay=15
    [ "$mode" = temp ] && delay=40
    if [ "$mode" = undo ]; then
        "$bin" run "$dir" "$brief" --provider offline --yes --allow move --json >/dev/null 2>&1
    else
        COMMIS_SOAK_DELAY_MS=$delay "$bin" run "$dir" "$brief" --provider offline --yes --allow move --json \
            >"$work/run$i/run.out" 2>&1 &
        pid=$!
        case $mode in
        random) sleep "$(python3 -c "import random; print(round(random.uniform(0.02, $span), 3))")" ;;
        temp)
            # Wait for a temporary file (a deliverable being written), then kill.
            for _ in $(seq 1 20000); do
                compgen -G "$dir/Livrables/.commis-tmp-*" >/dev/null && break
                kill -0 $pid 2>/dev/null || break
                sleep 0.002
            done
            ;;
        batch)
            # The batch has begun once the first client folder exists; kill somewhere inside.
            for _ in $(seq 1 3000); do
                [ -d "$dir/Sans client" ] || [ -d "$dir/Boulangerie Lefèvre" ] && break
                kill -0 $pid 2>/dev/null || break
                sleep 0.005
            done
            sleep "$(python3 -c 'import random; print(round(random.uniform(0, 0.4), 3))')"
            ;;
        esac
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        # Where the kill landed, for the report.
        case $mode in
        temp) [ -n "$(debris "$dir")" ] && hits[temp]=$((${hits[temp]:-0} + 1)) ;;
        batch) [ -d "$dir/A trier" ] && [ -d "$dir/Sans client" ] && hits[batch]=$((${hits[batch]:-0} + 1)) ;;
        esac
    fi
    run_id=$(last_run_id "$home")
    if [ -z "$run_id" ]; then
        # Killed before the run was recorded: nothing may have changed.
        if diff -r "$original" "$dir" >/dev/null; then passed[$mode]=$((${passed[$mode]:-0} + 1)); else fail "no run recorded but the folder changed"; fi
        continue
    fi
    status=$(COMMIS_HOME="$home" "$bin" history --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')
    if [ "$status" != done ]; then
        "$bin" resume "$run_id" --json >"$work/run$i/resume.out" 2>&1
        status=$(COMMIS_HOME="$home" "$bin" history --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["status"])')
    fi
    if [ "$status" = planning ] && grep -q "no accepted plan" "$work/run$i/resume.out"; then
        # Killed while planning: nothing was accepted, so nothing may have changed.
        planning=$((planning + 1))
        if diff -r "$original" "$dir" >/dev/null; then passed[$mode]=$((${passed[$mode]:-0} + 1)); else fail "killed while planning but the folder changed"; continue; fi
        [ "${SOAK_KEEP:-0}" = 1 ] || rm -rf "$work/run$i"
        continue
    fi
    [ "$status" = done ] || { fail "status after resume: $status"; continue; }
    [ -z "$(debris "$dir")" ] || { fail "temp file left after resume: $(debris "$dir")"; continue; }
    written_once "$home" "$run_id" "$dir" || { fail "a deliverable was written twice"; continue; }
    if [ "$mode" = undo ]; then
        COMMIS_SOAK_DELAY_MS=15 "$bin" undo "$run_id" >/dev/null 2>&1 &
        pid=$!
        sleep "$(python3 -c 'import random; print(round(random.uniform(0.01, 0.8), 3))')"
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        diff -r "$original" "$dir" >/dev/null 2>&1 || hits[undo]=$((${hits[undo]:-0} + 1))
    fi
    "$bin" undo "$run_id" >"$work/run$i/undo.out" 2>&1
    code=$?
    # An undo killed after its last change already finished the job: a second one has
    # nothing left to do (exit 1 with "already undone").
    if [ $code -ne 0 ] && ! grep -q "already undone" "$work/run$i/undo.out"; then
        fail "undo exited $code: $(head -c 300 "$work/run$i/undo.out")"
        continue
    fi
    [ -z "$(debris "$dir")" ] || { fail "temp file left after undo"; continue; }
    if ! diff -r "$original" "$dir" >"$work/run$i/diff.out" 2>&1; then
        fail "folder differs after undo: $(head -c 300 "$work/run$i/diff.out")"
        continue
    fi
    passed[$mode]=$((${passed[$mode]:-0} + 1))
    [ "${SOAK_KEEP:-0}" = 1 ] || rm -rf "$work/run$i"
done

total=0
ok=0
for m in random temp batch undo; do
    echo "$m: ${passed[$m]:-0}/${tried[$m]:-0} passed${hits[$m]:+ (the kill landed in the targeted moment ${hits[$m]} time(s))}"
    total=$((total + ${tried[$m]:-0}))
    ok=$((ok + ${passed[$m]:-0}))
done
echo "($planning killed while planning: nothing to resume, folder unchanged)"
echo "soak: $ok/$total runs killed with -9, resumed and undone to a byte-identical folder"
[ "$fails" -eq 0 ] && [ "${SOAK_KEEP:-0}" != 1 ] && rm -rf "$work"
[ "$fails" -eq 0 ] || { echo "failures: $work/failures.log"; exit 1; }
