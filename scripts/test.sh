#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what the tests need (idempotent, quiet),
# checks formatting and lints, runs every Rust test, then the browser and MCP suites.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export CI=${CI:-}
# The sandbox escape suite must really run here, not merely check that commis refuses.
export COMMIS_REQUIRE_SANDBOX=${COMMIS_REQUIRE_SANDBOX:-1}

step() { printf '\n== %s\n' "$*"; }

step "test dependencies"
for deps in scripts/test-deps-*.sh; do
    [ -f "$deps" ] || continue
    echo "-- $deps"
    bash "$deps" >/dev/null
done
if [ -x "$repo/.venv/bin/python" ]; then
    export COMMIS_PYTHON="$repo/.venv/bin/python"
fi

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "rust tests"
# A failing Rust test must not skip the fuzz and browser suites: the status is read here.
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee /tmp/commis-cargo-test.log
rust_status=${PIPESTATUS[0]}
set -e

extra_status=0
step "fuzzing every document parser for a short budget (stable toolchain)"
bash scripts/test-fuzz.sh || extra_status=1

if [ -f scripts/test-web.sh ]; then
    step "web UI in headless Chromium"
    bash scripts/test-web.sh || extra_status=1
fi

passed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) s += $i } END { print s + 0 }' /tmp/commis-cargo-test.log)
failed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^failed/) s += $i } END { print s + 0 }' /tmp/commis-cargo-test.log)
echo
echo "rust: ${passed:-0} passed, ${failed:-0} failed"
if [ "$rust_status" -ne 0 ] || [ "$extra_status" -ne 0 ]; then
    exit 1
fi
