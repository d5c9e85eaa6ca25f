#!/usr/bin/env bash
# Browser end-to-end tests of the commis web UI (issue 8): installs Debian's Chromium and
# playwright-core (no browser download), builds the test server, and drives the whole
# journey in headless Chromium: open with the token, start a run, edit the plan, accept,
# approve, see the deliverables, undo; plus the refusals (no token, foreign Host, foreign
# Origin). Screenshots of each screen go to docs/screenshots/ (SCREENSHOTS=DIR to change).
# Exits non-zero on any failure; the last line reads "web e2e: N passed, M failed".
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
e2e="$repo/crates/commis-server/e2e"

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        sudo apt-get update -qq >/dev/null
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "the web e2e tests need Node.js and npm (apt-get install -y nodejs npm)" >&2
    exit 1
fi

# playwright-core never downloads a browser; the lock file pins the exact version.
(cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)

cargo build --quiet -p commis-server --example e2e_server --manifest-path "$repo/Cargo.toml"
target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$repo/Cargo.toml" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')

E2E_SERVER="$target_dir/debug/examples/e2e_server" \
SCREENSHOTS="${SCREENSHOTS:-$repo/docs/screenshots}" \
    node "$e2e/run.mjs"
