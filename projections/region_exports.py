"""The regional roll-up return for a month: one row per ICB and a total, as CSV and as XLSX
with fixed timestamps (the same tracker always gives the same bytes)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook

from projections.exports import GBP_FORMAT, neutralise, plain_sheet, workbook_bytes
from projections.region import STATUSES
from projections.return_document import STREAMS

COLUMNS: tuple[str, ...] = (
    "region",
    "month",
    "deadline",
    "icb_code",
    "icb_name",
    "programme",
    "status",
    "revision",
    "submitted_at",
    "sha256",
    "bed_target",
    "planned_beds_equivalent",
    "delivered_beds_equivalent",
    "delivery_rag",
    "allocation_gbp",
    "spend_to_date_gbp",
    *(f"{s}_{k}" for s in STREAMS for k in ("allocation_gbp", "spend_to_date_gbp")),
)


def _stream_cells(by_stream: dict[str, Any] | None) -> list[Any]:
    cells: list[Any] = []
    for s in STREAMS:
        figures = (by_stream or {}).get(s) or {}
        cells += [figures.get("programme_allocation_gbp"), figures.get("spend_to_date_gbp")]
    return cells


def rollup_rows(tracker: dict[str, Any]) -> list[list[Any]]:
    lead = [tracker["region"], tracker["month"], tracker["deadline"]]
    rows: list[list[Any]] = []
    for r in tracker["icbs"]:
        rows.append(
            [
                *lead,
                r["icb_code"],
                r["icb_name"],
                r["programme"],
                r["status"],
                r["revision"],
                r["submitted_at"],
                r["sha256"],
                r["bed_target"],
                r["planned_beds_equivalent"],
                r["delivered_beds_equivalent"],
                r["rag"],
                r["allocation_gbp"],
                r["spend_to_date_gbp"],
                *_stream_cells(r.get("by_stream")),
            ]
        )
    t = tracker["totals"]
    rows.append(
        [
            *lead,
            "TOTAL",
            f"{t['icbs'] - t['missing'] - t['not_due']} of {t['icbs']} ICBs returned",
            None,
            None,
            None,
            None,
            None,
            t["bed_target"],
            t["planned_beds_equivalent"],
            t["delivered_beds_equivalent"],
            t["rag"],
            t["allocation_gbp"],
            t["spend_to_date_gbp"],
            *_stream_cells(t["by_stream"]),
        ]
    )
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(neutralise(value))


def rollup_csv(tracker: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rollup_rows(tracker):
        writer.writerow([_text(v) for v in row])
    return out.getvalue()


def _stamp(tracker: dict[str, Any]) -> datetime:
    """The workbook's timestamp: the latest submission in it (fixed for the same content), or
    the first of the month when nothing has arrived."""
    times = [r["submitted_at"] for r in tracker["icbs"] if r["submitted_at"]]
    if not times:
        return datetime.fromisoformat(f"{tracker['month']}-01T00:00:00")
    moment = datetime.fromisoformat(max(times))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def rollup_xlsx(tracker: dict[str, Any]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    t = tracker["totals"]
    cover = [
        ["region", tracker["region"]],
        ["region_name", tracker["region_name"]],
        ["month", tracker["month"]],
        ["deadline", tracker["deadline"]],
        *([name, t[name]] for name in ("icbs", *STATUSES)),
    ]
    plain_sheet(workbook, "Cover", ["field", "value"], cover)
    rows = [
        [
            float(v) if c.endswith("_gbp") and v is not None else v
            for c, v in zip(COLUMNS, r, strict=True)
        ]
        for r in rollup_rows(tracker)
    ]
    plain_sheet(workbook, "ICBs", list(COLUMNS), rows)
    sheet = workbook["ICBs"]
    for column, name in enumerate(COLUMNS, start=1):
        if name.endswith("_gbp"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = GBP_FORMAT
    return workbook_bytes(workbook, _stamp(tracker))
