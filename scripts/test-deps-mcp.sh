#!/bin/sh
# Installs what commis-mcp's tests use to talk to real MCP peers:
# - a Python venv with the official `mcp` client package (pinned), in crates/commis-mcp/.venv;
# - the reference memory server from npm (pinned by tests/npm/package-lock.json), in
#   crates/commis-mcp/tests/npm/node_modules (no global install).
# Idempotent and quiet. Needs python3 (with venv) and node/npm; installs them with apt-get
# when missing. Tests find the venv through COMMIS_MCP_PYTHON or the fixed path above.
set -e
repo=$(cd "$(dirname "$0")/.." && pwd)
crate=$repo/crates/commis-mcp
venv=${COMMIS_MCP_VENV:-$crate/.venv}
mcp_version=2.3.0

need_apt=""
command -v node >/dev/null 2>&1 || need_apt="$need_apt nodejs"
command -v npm >/dev/null 2>&1 || need_apt="$need_apt npm"
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt="$need_apt python3-venv"
if [ -n "$need_apt" ]; then
    sudo=""
    [ "$(id -u)" = "0" ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq >/dev/null
    # shellcheck disable=SC2086
    $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $need_apt >/dev/null
fi

if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('mcp') != '$mcp_version')" >/dev/null 2>&1; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "mcp==$mcp_version"
fi

if [ ! -f "$crate/tests/npm/node_modules/@modelcontextprotocol/server-memory/dist/index.js" ]; then
    npm ci --prefix "$crate/tests/npm" --no-audit --no-fund --loglevel=error >/dev/null
fi
echo "$venv/bin/python"
