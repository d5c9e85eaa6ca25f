#!/bin/sh
# Installs what OCR needs (issue 20): Tesseract with its French, English and orientation
# data, poppler-utils (pdftoppm rasterises scanned PDF pages), and Pillow in the Python
# venv (scripts/make-demo.py ages the demo's scans with it, scripts/ocr-quality.py builds
# its scanned invoices). Idempotent and quiet; prints the tesseract it found.
set -e
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${COMMIS_VENV:-$repo/.venv}

need_apt=""
command -v tesseract >/dev/null 2>&1 || need_apt="yes"
command -v pdftoppm >/dev/null 2>&1 || need_apt="yes"
if command -v tesseract >/dev/null 2>&1; then
    langs=$(tesseract --list-langs 2>&1 || true)
    for l in fra eng osd; do
        echo "$langs" | grep -qx "$l" || need_apt="yes"
    done
fi
if [ -n "$need_apt" ]; then
    sudo=""
    [ "$(id -u)" = "0" ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq >/dev/null
    $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
        tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng tesseract-ocr-osd \
        poppler-utils python3-venv >/dev/null
fi

if ! "$venv/bin/python" -c 'import PIL' >/dev/null 2>&1; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check Pillow
fi
command -v tesseract
