#!/bin/sh
# Installs what commis-office's tests use to read our deliverables back with real clients:
# LibreOffice (headless recalculation and PDF rendering), poppler-utils (pdftoppm), hyperfine
# (benchmarks) and a Python venv with openpyxl, python-pptx and python-docx.
# Idempotent and quiet; prints the venv's python on success. Tests find it through
# COMMIS_PYTHON or the fixed path <repo>/.venv/bin/python.
set -e
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${COMMIS_VENV:-$repo/.venv}

need_apt=""
command -v soffice >/dev/null 2>&1 || need_apt="yes"
command -v pdftoppm >/dev/null 2>&1 || need_apt="yes"
command -v hyperfine >/dev/null 2>&1 || need_apt="yes"
# Carlito has Calibri's metrics: without it LibreOffice renders our decks with a wider font.
if command -v fc-list >/dev/null 2>&1; then
    fc-list | grep -qi carlito || need_apt="yes"
fi
if [ -n "$need_apt" ]; then
    sudo=""
    [ "$(id -u)" = "0" ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq >/dev/null
    $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
        libreoffice-calc libreoffice-impress libreoffice-writer \
        fonts-dejavu-core fonts-liberation2 fonts-crosextra-carlito \
        poppler-utils hyperfine python3-venv >/dev/null
fi

if ! "$venv/bin/python" -c 'import openpyxl, pptx, docx' >/dev/null 2>&1; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check openpyxl python-pptx python-docx
fi
echo "$venv/bin/python"
