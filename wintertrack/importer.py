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

from capacity.application import WinterApplication
from capacity.daily_import import COLUMNS, Batch, check_row, reason, store
from capacity.errors import DomainError
from capacity.values import Actor
from schemes.rules import InputRefused

HEADER = COLUMNS
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
    batch: Batch = []
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
            scheme_code, day, cleaned, stored = check_row(app, validate, programme, row, seen)
        except (DomainError, InputRefused) as error:
            outcome.rejected.append((line, reason(error)))
            continue
        if stored:
            outcome.already_stored += 1
            continue
        batch.append((day, scheme_code, cleaned, f"{path.name}:{line}"))
        pending_lines.append(line)
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    return outcome


def _store(
    app: WinterApplication,
    actor: Actor,
    programme: str,
    batch: Batch,
    outcome: ImportOutcome,
) -> None:
    stored, already = store(app, actor, programme, batch)
    outcome.stored += stored
    outcome.already_stored += already
