"""Bulk import of daily figures from CSV: bad rows reported by line, good rows kept, re-runs safe.

Rows are validated exactly as the API validates them, then stored in atomic batches. A batch is
only announced as stored after its save commits, so a killed import never half-stores a row, and
a re-run skips every row already stored with the same figures.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from capacity.application import WinterApplication
from capacity.errors import DomainError, DuplicateDailyReport
from capacity.reports import DailyReport, daily_report_id
from capacity.values import Actor
from schemes.rules import InputRefused

HEADER: tuple[str, ...] = (
    "scheme_code",
    "date",
    "beds_equivalent",
    "beds_occupied",
    "discharges_p0",
    "discharges_p1",
    "discharges_p2",
    "discharges_p3",
    "patients_supported",
    "hours_delivered",
    "narrative",
)
BATCH_SIZE = 500


@dataclass
class ImportOutcome:
    stored: int = 0
    already_stored: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    last_committed_line: int = 0


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yields (line number, row) with line numbers as a spreadsheet shows them (header = 1)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in HEADER if c not in (reader.fieldnames or [])]
        if missing:
            raise InputRefused("header", f"missing column(s): {', '.join(missing)}")
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def row_to_report(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the API's JSON body: empty cells are 'not given'."""
    discharges = {p: row[f"discharges_{p}"] for p in ("p0", "p1", "p2", "p3")}
    given = {p: v for p, v in discharges.items() if v != ""}
    report: dict[str, Any] = {k: (row[k] or None) for k in HEADER if not k.startswith("disch")}
    report["discharges"] = given or None
    return report


def count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def import_daily(
    app: WinterApplication,
    actor: Actor,
    programme: str,
    path: Path,
    on_progress: Callable[[int], None] = lambda n: None,
    on_commit: Callable[[ImportOutcome], None] = lambda o: None,
) -> ImportOutcome:
    outcome = ImportOutcome()
    batch: list[tuple[date, str, dict[str, Any], str]] = []
    pending_lines: list[int] = []
    seen: set[tuple[str, date]] = set()

    def flush() -> None:
        if batch:
            _store(app, actor, programme, batch, outcome)
            outcome.last_committed_line = pending_lines[-1]
            batch.clear()
            pending_lines.clear()
            on_commit(outcome)

    validate = app.daily_validator(actor, programme)
    for line, row in read_rows(path):
        on_progress(1)
        try:
            scheme_code = row.get("scheme_code") or ""
            if not scheme_code:
                raise InputRefused("scheme_code", "is required")
            day, cleaned = validate(scheme_code, row_to_report(row))
            if (scheme_code, day) in seen:
                raise InputRefused("date", f"{scheme_code} appears twice for {day} in this file")
            seen.add((scheme_code, day))
            if _already_stored(app, programme, scheme_code, day, cleaned):
                outcome.already_stored += 1
                continue
        except DomainError as error:
            outcome.rejected.append((line, _reason(error)))
            continue
        except InputRefused as error:
            outcome.rejected.append((line, str(error)))
            continue
        batch.append((day, scheme_code, cleaned, f"{path.name}:{line}"))
        pending_lines.append(line)
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    return outcome


def _reason(error: DomainError) -> str:
    return f"{error.field}: {error.message}" if error.field else error.message


def _already_stored(
    app: WinterApplication, programme: str, scheme: str, day: date, cleaned: dict[str, Any]
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


def _store(
    app: WinterApplication,
    actor: Actor,
    programme: str,
    batch: list[tuple[date, str, dict[str, Any], str]],
    outcome: ImportOutcome,
) -> None:
    try:
        app.report_daily_batch(actor, programme, list(batch))
        outcome.stored += len(batch)
    except DuplicateDailyReport:
        # Another writer stored some of these meanwhile: store the rest one by one.
        for item in batch:
            try:
                app.report_daily_batch(actor, programme, [item])
                outcome.stored += 1
            except DuplicateDailyReport:
                outcome.already_stored += 1
