"""The monthly return's JSON answers as declared types: the document (its cover and sections
derived from the same column lists the CSV, XLSX and HTML are written from), its sign-off,
its submissions and the cells changed since the last one."""

from __future__ import annotations

from typing import Any

from pydantic import create_model

from projections.return_cells import Column
from projections.return_lines import COVER, SECTIONS
from projections.shapes import Shape

# How each kind of cell is written in the JSON form (projections/return_cells.py json_cell).
CELL_TYPES: dict[str, Any] = {
    "money": str,
    "date": str,
    "text": str,
    "kpi": str,
    "kpitarget": str,
    "int": int,
    "bool": bool,
    "beds": float,
    "avg": float,
    "pct": float,
    "ragpct": float,
}


def _row(name: str, columns: tuple[Column, ...]) -> type[Shape]:
    fields: dict[str, Any] = {c.key: (CELL_TYPES[c.kind] | None, ...) for c in columns}
    return create_model(name, __base__=Shape, **fields)


ReturnCover = _row("ReturnCover", COVER)


class StreamSummary(Shape):
    programme_allocation_gbp: str
    allocation_gbp: str
    spend_in_month_gbp: str
    spend_to_date_gbp: str


class ReturnSummary(Shape):
    bed_target: int
    planned_beds_equivalent: float | None
    delivered_beds_equivalent: float | None
    allocation_gbp: str
    spend_in_month_gbp: str
    spend_to_date_gbp: str
    by_stream: dict[str, StreamSummary]


_sections: dict[str, Any] = {
    s.key: (list[_row(f"{s.line.__name__}Row", s.columns)], ...)  # type: ignore[misc]
    for s in SECTIONS
}
ReturnAnswer = create_model(
    "ReturnAnswer",
    __base__=Shape,
    __doc__="The month's NHSE return: the cover, the summary, every section's rows, and the "
    "beds, percentage and average cells to 10 decimals under ``exact``.",
    programme=(str, ...),
    icb_code=(str, ...),
    icb_name=(str, ...),
    region_code=(str, ...),
    month=(str, ...),
    financial_month=(str, ...),
    financial_year=(str, ...),
    known_at=(int, ...),
    generated_at=(str, ...),
    layout=(str, ...),
    cover=(ReturnCover, ...),
    summary=(ReturnSummary, ...),
    **_sections,
    exact=(dict[str, list[dict[str, str]]], ...),
)


class SignOffState(Shape):
    """The figures as they stand and the standing sign-off; the ``signed_*`` fields only when
    there is one."""

    programme: str
    month: str
    position: int
    figures_sha256: str
    signed_off: bool
    signed_off_by: str | None = None
    signed_off_at: str | None = None
    signed_position: int | None = None
    signed_sha256: str | None = None
    valid: bool


class Submission(Shape):
    revision: int
    computed_at_position: int
    recorded_at_position: int
    sha256: str
    generated_at: str
    submitted_by: str
    reason: str
    xlsx_sha256: str
    figures_sha256: str
    signed_off_by: str
    signed_off_at: str


class CellChange(Shape):
    section: str
    row: str
    scheme_code: str
    field: str
    submitted: str | None
    current: str | None


class ReturnDiff(Shape):
    """The cells changed since the latest submission (positions only when there is one)."""

    programme: str
    month: str
    revision: int | None
    submitted_at_position: int | None = None
    current_position: int | None = None
    changes: list[CellChange]
