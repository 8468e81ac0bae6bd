#!/usr/bin/env bash
# Smoke check of the NHSE return workbook in a real spreadsheet program: writes the M7 return
# as XLSX from a demo winter and converts it to PDF with LibreOffice (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v libreoffice >/dev/null; then
  echo "installing LibreOffice Calc (Debian package libreoffice-calc-nogui)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
fi
work=$(mktemp -d)
export WINTERTRACK_STORE="sqlite:///$work/wintertrack.db"
.venv/bin/python -c "
from datetime import date
from wintertrack.bootstrap import build_application
from wintertrack.demo import generate_winter
generate_winter(build_application(), 'QM7-2022-23', date(2022, 11, 30))
"
.venv/bin/wintertrack return 2022-10 --programme QM7-2022-23 --format xlsx --out "$work/m7.xlsx"
libreoffice --headless --convert-to pdf --outdir "$work" "$work/m7.xlsx" >/dev/null 2>&1
test -s "$work/m7.pdf"
echo "converted: $work/m7.pdf ($(stat -c %s "$work/m7.pdf") bytes)"
