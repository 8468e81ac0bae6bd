"""The return as CSV and XLSX, written from its JSON form (docs/rules.md §12).

Deterministic bytes: the same return gives the same CSV and XLSX (fixed workbook timestamps,
fixed zip entry times and order), with no formulas, and formula injection neutralised.

CSV layout: one file, sections one after another (cover, streams, beds, schemes, kpis, flow).
Every line starts with the section name and a marker: ``columns`` for the line naming the
section's columns, ``row`` for a line of values. The cover's columns are ``field`` and
``value``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from projections.return_cells import Column
from projections.return_lines import COVER, SECTIONS

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# Accounting style: negatives in brackets, e.g. (£1,234.56).
GBP_FORMAT = '"£"#,##0.00_);\\("£"#,##0.00\\);"£"0.00_)'
KIND_FORMATS = {
    "beds": "0.00",
    "pct": "0.0",
    "avg": "0.0",
    "ragpct": "0.0##",
    "date": "yyyy-mm-dd",
}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def neutralise(value: Any) -> Any:
    """Spreadsheet formula injection: text that a spreadsheet would run is made plain text."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def csv_cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "beds":
        return f"{value:.2f}"
    if kind in ("pct", "avg"):
        return f"{value:.1f}"
    if kind == "ragpct":
        return str(value)
    if kind in ("money", "kpi", "date", "int"):
        return str(value)
    return str(neutralise(str(value)))


def to_csv(report: dict[str, Any]) -> str:
    """The sectioned CSV. ``generated_at`` is not in it, so the bytes depend only on the
    event-log position and, once submitted, the submission's cover."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["cover", "columns", "field", "value"])
    for c in COVER:
        writer.writerow(["cover", "row", c.key, csv_cell(c.kind, report["cover"][c.key])])
    for section in SECTIONS:
        writer.writerow([section.key, "columns", *(c.key for c in section.columns)])
        for row in report.get(section.key, []):
            cells = (csv_cell(c.kind, row[c.key]) for c in section.columns)
            writer.writerow([section.key, "row", *cells])
    return out.getvalue()


def parse_csv(text: str) -> dict[str, list[dict[str, str]]]:
    """The sections of a return CSV, each a list of rows keyed by column (for diffs and checks).
    A CSV of the first layout (one header row of scheme columns) reads as ``schemes``."""
    lines = list(csv.reader(io.StringIO(text)))
    if lines and lines[0][:2] != ["cover", "columns"]:
        return {"schemes": [dict(zip(lines[0], r, strict=False)) for r in lines[1:]]}
    sections: dict[str, list[dict[str, str]]] = {}
    headers: dict[str, list[str]] = {}
    for line in lines:
        name, marker, cells = line[0], line[1], line[2:]
        if marker == "columns":
            headers[name] = cells
            sections[name] = []
        else:
            sections[name].append(dict(zip(headers[name], cells, strict=True)))
    return sections


def xlsx_cell(kind: str, value: Any, kpi_type: str = "") -> tuple[Any, str | None]:
    """A cell's value and number format in the workbook: numbers as numbers, dates as dates."""
    if value is None:
        return None, None
    if kind == "money" or (kind == "kpi" and kpi_type == "money"):
        return Decimal(value), GBP_FORMAT
    if kind == "kpi":
        if kpi_type == "date":
            return date.fromisoformat(value), KIND_FORMATS["date"]
        return Decimal(value), "General"
    if kind == "kpitarget":  # a KPI's target: a date or a number where it is one, else words
        try:
            if kpi_type == "date":
                return date.fromisoformat(value), KIND_FORMATS["date"]
            number = Decimal(value)
        except (ValueError, ArithmeticError):
            return ILLEGAL_CHARACTERS_RE.sub("", neutralise(str(value))), None
        return number, (GBP_FORMAT if kpi_type == "money" else "General")
    if kind == "date":
        return date.fromisoformat(value), KIND_FORMATS["date"]
    if kind in KIND_FORMATS:
        return Decimal(str(value)), KIND_FORMATS[kind]
    if kind == "bool":
        return ("yes" if value else "no"), None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)), None
    return value, None


def _sheet(
    workbook: Workbook,
    title: str,
    columns: tuple[Column, ...],
    rows: list[Any],
    exact: list[dict[str, str]] | None = None,
) -> None:
    """``exact``: each row's exact figures, written in place of the rounded ones so that the
    display format rounds and the spreadsheet's own sums add up (docs/rules.md §15)."""
    sheet = workbook.create_sheet(title)
    sheet.append([c.label for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for n, column in enumerate(columns, start=1):
            kind = column.kind
            if kind == "dynamic":  # the cover: each row names its own kind
                kind = row["kind"]
            shown = row[column.key]
            if exact is not None and column.key in exact[r - 2]:
                shown = exact[r - 2][column.key]
            value, fmt = xlsx_cell(kind, shown, row.get("type", ""))
            cell = sheet.cell(r, n, value)
            if fmt:
                cell.number_format = fmt
    sheet.freeze_panes = "A2"
    for n, column in enumerate(columns, start=1):
        longest = max([len(column.label), *(len(str(row[column.key] or "")) for row in rows)])
        sheet.column_dimensions[sheet.cell(1, n).column_letter].width = min(longest + 2, 60)


def to_xlsx(report: dict[str, Any]) -> bytes:
    """One sheet per section, labelled columns, the same cells as the CSV and JSON."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    cover_rows = [{"item": c.label, "value": report["cover"][c.key], "kind": c.kind} for c in COVER]
    cover_columns = (Column("item", "Item", "text"), Column("value", "Value", "dynamic"))
    _sheet(workbook, "Cover", cover_columns, cover_rows)
    for section in SECTIONS:
        exact = report.get("exact", {}).get(section.key)
        _sheet(workbook, section.title, section.columns, report.get(section.key, []), exact)
    stamp = _stamp(report)
    workbook.properties.created = stamp
    workbook.properties.creator = "Wintertrack"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue(), stamp)


def _stamp(report: dict[str, Any]) -> datetime:
    """The workbook's created and modified time: the submission time once submitted, else the
    end of the period covered, so the same return always gives the same bytes."""
    submitted = report["cover"].get("submitted_at") or ""
    if submitted:
        return datetime.fromisoformat(submitted).replace(tzinfo=None, microsecond=0)
    day = report["cover"].get("period_end") or f"{report['month']}-01"
    return datetime.fromisoformat(f"{day}T00:00:00")


def _fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """openpyxl stamps the save time into the package and every zip entry: rewritten fixed."""
    modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            body = source.read(name)
            if name == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + modified + rb"\g<2>",
                    body,
                )
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, body)
    return out.getvalue()


def plain_sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    """A sheet of plain rows under a bold header (money columns, ``*_gbp``, as pounds)."""
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", neutralise(v)) if isinstance(v, str) else v
                for v in values
            ]
        )
    sheet.freeze_panes = "A2"
    for column, name in enumerate(header, start=1):
        width = max(len(name), *(len(str(r[column - 1] or "")) for r in rows)) if rows else 12
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = min(width + 2, 60)
        if name.endswith("_gbp"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = GBP_FORMAT


def workbook_bytes(workbook: Workbook, stamp: datetime) -> bytes:
    """Saves with fixed timestamps and zip order, so the same content gives the same bytes."""
    workbook.properties.created = stamp
    workbook.properties.creator = "Wintertrack"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue(), stamp)
