"""The return as CSV and XLSX: deterministic bytes, no formulas, formula injection neutralised."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from projections.returns import MONEY_COLUMNS, SCHEME_COLUMNS

CSV_COLUMNS: tuple[str, ...] = (
    "programme",
    "month",
    "financial_month",
    "known_at",
    *SCHEME_COLUMNS,
)
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
GBP_FORMAT = '"£"#,##0.00'


def neutralise(value: Any) -> Any:
    """Spreadsheet formula injection: text that a spreadsheet would run is made plain text."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def _xlsx_text(value: Any) -> Any:
    """Text recorded before control characters were refused still opens: they are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def kpi_text(kpis: dict[str, Any]) -> str:
    return ";".join(f"{code}={value:g}" for code, value in kpis.items())


def csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "kpis":
        return kpi_text(value)
    if isinstance(value, float):
        return f"{value:.1f}" if column == "completeness_pct" else f"{value:.2f}"
    if column in MONEY_COLUMNS:
        return str(value)
    return str(neutralise(value))


def to_csv(report: dict[str, Any]) -> str:
    """One header row, then a row per scheme. Excludes ``generated_at`` so the bytes depend only
    on the event-log position (a resubmitted revision hashes the same)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report["schemes"]:
        lead = [report["programme"], report["month"], report["financial_month"], report["known_at"]]
        writer.writerow([*lead, *(csv_cell(c, row[c]) for c in SCHEME_COLUMNS)])
    return out.getvalue()


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([_xlsx_text(neutralise(v)) for v in values])
    sheet.freeze_panes = "A2"
    for column, name in enumerate(header, start=1):
        width = max(len(name), *(len(str(r[column - 1] or "")) for r in rows)) if rows else 12
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = min(width + 2, 60)
        if name.endswith("_gbp"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = GBP_FORMAT


FIXED = datetime(2000, 1, 1)
MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _moment(generated_at: str | None) -> datetime:
    """The workbook's timestamps: when the return was generated (naive UTC), else a fixed day."""
    try:
        moment = datetime.fromisoformat(str(generated_at))
    except ValueError:
        return FIXED
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def workbook_bytes(workbook: Workbook, generated_at: str | None) -> bytes:
    """Saves with fixed timestamps (document properties and every zip entry), so the same
    content always gives the same bytes and the same SHA-256."""
    moment = _moment(generated_at)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "Wintertrack"
    first = io.BytesIO()
    workbook.save(first)
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(first.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" when saving
                data = MODIFIED.sub(rf"\g<1>{moment.isoformat()}Z\g<2>".encode(), data)
            target.writestr(entry, data)
    return out.getvalue()


def _number(column: str, value: Any) -> Any:
    return float(value) if column in MONEY_COLUMNS and value is not None else value


def to_xlsx(report: dict[str, Any]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    cover = [
        ["icb_code", report["icb_code"]],
        ["region_code", report["region_code"]],
        ["programme", report["programme"]],
        ["month", report["month"]],
        ["financial_month", report["financial_month"]],
        ["financial_year", report["financial_year"]],
        ["known_at", report["known_at"]],
        ["generated_at", report["generated_at"]],
    ]
    _sheet(workbook, "Cover", ["field", "value"], cover)
    summary = report["summary"]
    summary_rows: list[list[Any]] = [
        ["all", "bed_target", summary["bed_target"]],
        ["all", "planned_beds_equivalent", summary["planned_beds_equivalent"]],
        ["all", "delivered_beds_equivalent", summary["delivered_beds_equivalent"]],
    ]
    for key in ("allocation_gbp", "spend_in_month_gbp", "spend_to_date_gbp"):
        summary_rows.append(["all", key, float(summary[key])])
    for stream, figures in summary["by_stream"].items():
        for key, value in figures.items():
            summary_rows.append([stream, key, float(value)])
    _sheet(workbook, "Summary", ["funding_stream", "measure", "value"], summary_rows)
    summary_sheet = workbook["Summary"]
    for row in summary_sheet.iter_rows(min_row=2):
        if str(row[1].value).endswith("_gbp"):
            row[2].number_format = GBP_FORMAT
    scheme_rows = [
        [kpi_text(r[c]) if c == "kpis" else _number(c, r[c]) for c in SCHEME_COLUMNS]
        for r in report["schemes"]
    ]
    _sheet(workbook, "Schemes", list(SCHEME_COLUMNS), scheme_rows)
    kpi_rows = [
        [r["scheme_code"], code, value]
        for r in report["schemes"]
        for code, value in r["kpis"].items()
    ]
    _sheet(workbook, "KPIs", ["scheme_code", "kpi_code", "value"], kpi_rows)
    return workbook_bytes(workbook, report.get("generated_at"))
