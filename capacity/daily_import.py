"""Daily figures in bulk (a CSV or spreadsheet from a provider, through the command line or a
lead's upload): the one column layout, and the checks and storing every bulk channel shares.

Rows are validated exactly as the API validates one report. A row already stored with the same
figures is skipped (so a re-run or re-upload stores nothing twice); a row whose day already holds
different figures is refused (send a correction instead).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from capacity.commands import ImportDaily
from capacity.daily_figures import CELLS, DailyFigures, from_cells
from capacity.errors import DomainError, DuplicateDailyReport
from capacity.reports import DailyReport, daily_report_id
from capacity.values import Actor
from schemes.rules import InputRefused

if TYPE_CHECKING:
    from capacity.application import WinterApplication

# The file's columns: the scheme and day, then the figures as flat cells.
COLUMNS: tuple[str, ...] = ("scheme_code", "date", *CELLS)
Validator = Callable[[str, Mapping[str, Any]], tuple[date, DailyFigures]]
Batch = list[tuple[date, str, DailyFigures, str]]


def row_to_report(row: Mapping[str, str]) -> dict[str, Any]:
    """A row as the API's JSON body: empty cells are 'not given'."""
    return {"date": row.get("date") or None, **from_cells(row)}


def check_row(
    app: WinterApplication,
    validate: Validator,
    programme: str,
    row: Mapping[str, str],
    seen: set[tuple[str, date]],
) -> tuple[str, date, DailyFigures, bool]:
    """(scheme, day, cleaned figures, already stored with the same figures); raises
    InputRefused or DomainError with the reason the row cannot be stored."""
    scheme = row.get("scheme_code") or ""
    if not scheme:
        raise InputRefused("scheme_code", "is required")
    day, cleaned = validate(scheme, row_to_report(row))
    if (scheme, day) in seen:
        raise InputRefused("date", f"{scheme} appears twice for {day} in this file")
    seen.add((scheme, day))
    return scheme, day, cleaned, already_stored(app, programme, scheme, day, cleaned)


def reason(error: InputRefused | DomainError) -> str:
    if isinstance(error, InputRefused):
        return str(error)
    return f"{error.field}: {error.message}" if error.field else error.message


def already_stored(
    app: WinterApplication, programme: str, scheme: str, day: date, cleaned: DailyFigures
) -> bool:
    report_id = daily_report_id(programme, scheme, day)
    if report_id not in app.repository:
        return False
    report: object = app.repository.get(report_id)
    assert isinstance(report, DailyReport)
    if report.same_figures(cleaned):
        return True
    raise DuplicateDailyReport(
        f"{scheme} already has different figures for {day.isoformat()}; send a correction",
        field="date",
    )


def store(app: WinterApplication, actor: Actor, programme: str, batch: Batch) -> tuple[int, int]:
    """Stores a batch atomically: (stored, found already stored by another writer meanwhile)."""
    if not batch:
        return 0, 0
    try:
        app.run_command(ImportDaily(actor=actor, programme=programme, reports=list(batch)))
        return len(batch), 0
    except DuplicateDailyReport:
        stored = already = 0
        for item in batch:  # someone stored some of these meanwhile: the rest one by one
            try:
                app.run_command(ImportDaily(actor=actor, programme=programme, reports=[item]))
                stored += 1
            except DuplicateDailyReport:
                already += 1
        return stored, already
