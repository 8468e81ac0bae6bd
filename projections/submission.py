"""Submitting the monthly return, fetching a submitted revision, and what changed since."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

from capacity.application import Receipt, WinterApplication
from capacity.values import Actor
from projections.exports import to_csv, to_xlsx
from projections.memo import now_iso
from projections.readmodel import ReadModel


def submit(
    application: WinterApplication,
    read: ReadModel,
    actor: Actor,
    programme: str,
    month: str,
    reason: str = "",
    idempotency_key: str | None = None,
) -> tuple[Receipt, int, int, str]:
    """Computes the return at the views' current position and records it as the next revision
    (its CSV, JSON and XLSX exactly as submitted).

    Returns the receipt, the revision, the position it was computed at and the CSV's SHA-256."""
    read.projector.run_once()
    report = read.monthly_return(programme, month, generated_at=now_iso())
    text = to_csv(report)
    receipt, revision = application.submit_return(
        actor,
        programme,
        month,
        report["known_at"],
        text,
        report["generated_at"],
        reason,
        idempotency_key=idempotency_key,
        report_json=json.dumps(report, sort_keys=True, separators=(",", ":")),
        xlsx_b64=base64.b64encode(to_xlsx(report)).decode("ascii"),
    )
    read.projector.run_once()
    stored = read.submission(programme, month, revision)
    return receipt, revision, int(stored["computed_at_position"]), str(stored["sha256"])


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {row["scheme_code"]: row for row in csv.DictReader(io.StringIO(text))}


def diff(submitted_csv: str, current_csv: str) -> list[dict[str, Any]]:
    """Cells that differ between a submitted return and the return now (position aside)."""
    before, after = _rows(submitted_csv), _rows(current_csv)
    changes: list[dict[str, Any]] = []
    for code in sorted(set(before) | set(after)):
        old, new = before.get(code, {}), after.get(code, {})
        for column in sorted(set(old) | set(new)):
            if column == "known_at":
                continue
            if old.get(column) != new.get(column):
                changes.append(
                    {
                        "scheme_code": code,
                        "field": column,
                        "submitted": old.get(column),
                        "current": new.get(column),
                    }
                )
    return changes


def diff_since_latest(read: ReadModel, programme: str, month: str) -> dict[str, Any]:
    submissions = read.submissions(programme, month)
    current = to_csv(read.monthly_return(programme, month))
    if not submissions:
        return {"programme": programme, "month": month, "revision": None, "changes": []}
    latest = submissions[-1]
    return {
        "programme": programme,
        "month": month,
        "revision": latest["revision"],
        "submitted_at_position": latest["computed_at_position"],
        "current_position": read.head(),
        "changes": diff(latest["csv"], current),
    }
