#!/usr/bin/env bash
# Smoke check of the NHSE return workbook in a real spreadsheet program: writes the M7 and M12
# returns as XLSX from a demo winter, converts each to PDF with LibreOffice (installed when
# missing) and reads every sheet back, the trajectory, forecast and system ones included; then
# writes the board's M7 and M9 papers as PDF to test-output/.
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
generate_winter(build_application(), 'QM7-2022-23', date(2023, 3, 31))
"
# October (M7) and March (M12): each workbook opened by LibreOffice, printed to PDF and every
# sheet read back as CSV, so a missing or empty section fails the smoke check.
for pair in "2022-10 M7" "2023-03 M12"; do
  set -- $pair
  month=$1 label=$2
  .venv/bin/wintertrack return "$month" --programme QM7-2022-23 --format xlsx --out "$work/$label.xlsx"
  libreoffice --headless --convert-to pdf --outdir "$work" "$work/$label.xlsx" >/dev/null 2>&1
  test -s "$work/$label.pdf"
  libreoffice --headless --convert-to \
    'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
    --outdir "$work/$label-sheets" "$work/$label.xlsx" >/dev/null 2>&1
  for sheet in Cover Summary Beds Schemes KPIs "Acute flow" Trajectory Forecast Discharges \
    "G&A beds" Notes; do
    file="$work/$label-sheets/$label-$sheet.csv"
    test "$(wc -l < "$file")" -ge 2 || { echo "$label: sheet $sheet is missing or empty" >&2; exit 1; }
  done
  # Sections that may have no rows in a month still have their sheet and its column labels.
  for sheet in "Virtual wards" Risks; do
    test -s "$work/$label-sheets/$label-$sheet.csv" || { echo "$label: no sheet $sheet" >&2; exit 1; }
  done
  test "$(grep -c '^"\?20[0-9][0-9]-' "$work/$label-sheets/$label-Trajectory.csv")" -eq 6 \
    || { echo "$label: the trajectory does not run M7 to M12" >&2; exit 1; }
  grep -q "$label 2022/23" "$work/$label-sheets/$label-Cover.csv" \
    || { echo "$label: the cover does not name $label 2022/23" >&2; exit 1; }
  echo "converted: $work/$label.pdf ($(stat -c %s "$work/$label.pdf") bytes); sheets (rows):" \
    "$(for f in "$work/$label-sheets"/*.csv; do n=$(basename "$f" .csv); printf '%s %s; ' "${n#"$label"-}" "$(wc -l < "$f")"; done)"
done
# The board's monthly papers for the same months, as the scheduler would write them: kept in
# test-output/ with their page counts and sizes in the closing note.
mkdir -p test-output
notes=()
for pair in "2022-10 M7" "2022-12 M9"; do
  set -- $pair
  month=$1 label=$2
  out="test-output/board-paper-$label.pdf"
  .venv/bin/wintertrack board-paper "$month" --programme QM7-2022-23 --pdf "$out" >/dev/null
  pages=$(.venv/bin/python -c "import sys; from pypdf import PdfReader; print(len(PdfReader(sys.argv[1]).pages))" "$out")
  test "$pages" -ge 3 || { echo "$label board paper: only $pages pages" >&2; exit 1; }
  notes+=("$label $out: $pages pages, $(stat -c %s "$out") bytes")
done
echo "board papers: ${notes[0]}; ${notes[1]}"
