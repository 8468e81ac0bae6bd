"""Submitting the monthly return, fetching a submitted revision, and what changed since."""

from __future__ import annotations

import json
from typing import Any

from capacity.application import Receipt, WinterApplication
from capacity.values import Actor
from projections.digest import LogDigest, log_digest
from projections.exports import parse_csv, to_csv, to_xlsx
from projections.memo import now_iso
from projections.readmodel import ReadModel
from projections.return_document import with_submission

# The row key of each section, for the differences between two returns.
ROW_KEYS = {
    "streams": ("funding_stream",),
    "beds": ("group", "place"),
    "schemes": ("scheme_code",),
    "kpis": ("scheme_code", "kpi_code"),
    "flow": ("ods_code",),
}


def submit(
    application: WinterApplication,
    read: ReadModel,
    actor: Actor,
    programme: str,
    month: str,
    reason: str = "",
    idempotency_key: str | None = None,
    unchanged: bool = False,
) -> tuple[Receipt, int, int, str]:
    """Computes the return at the views' current position and records it as the next revision,
    its cover naming the revision, who submitted it and when, with the CSV and the workbook
    exactly as submitted.

    Records with it the "as of" day and the running digest of the log at the views' position
    (continued from the latest digest a submission recorded, so only newer events are read).
    A restatement must change the figures unless ``unchanged`` (resubmit them as they are).
    Returns the receipt, the revision, the position it was computed at and the CSV's SHA-256."""
    read.projector.run_once()
    moment = application.clock()  # None: now (demos and tests set the clock)
    at = moment.replace(microsecond=0).isoformat() if moment else now_iso()
    revision = application.next_return_revision(programme, month)
    report = with_submission(
        read.monthly_return(programme, month, generated_at=at), revision, actor.user_id, at, reason
    )
    earlier = read.submissions(programme, month)
    changed = not earlier or bool(diff(earlier[-1]["csv"], to_csv(report)))
    head = read.head()
    digest = log_digest(application.recorder, head, latest_log_digest(read, head))
    receipt, revision = application.submit_return(
        actor,
        programme,
        month,
        report["known_at"],
        to_csv(report),
        at,
        reason,
        xlsx=to_xlsx(report),
        revision=revision,
        idempotency_key=idempotency_key,
        log=(read.today().isoformat(), digest.position, digest.hex),
        report_json=json.dumps(report, sort_keys=True, separators=(",", ":")),
        changed=changed,
        unchanged=unchanged,
    )
    read.projector.run_once()
    stored = read.submission(programme, month, revision)
    return receipt, revision, int(stored["computed_at_position"]), str(stored["sha256"])


def latest_log_digest(read: ReadModel, upto: int) -> LogDigest | None:
    """The latest log digest a submission recorded at or before ``upto``, if any."""
    rows = read.views.query(
        "SELECT data FROM v_return WHERE kind = 'ReturnSubmitted' ORDER BY position DESC"
    )
    for (data,) in rows:
        found = json.loads(data)
        position, digest = found.get("log_position"), found.get("log_digest")
        if position is not None and digest and 0 < position <= upto:
            return LogDigest(0, int(position), bytes.fromhex(digest))
    return None


def _keyed(text: str) -> dict[tuple[str, str], dict[str, str]]:
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for section, found in parse_csv(text).items():
        if section == "cover":
            continue  # position, revision and who submitted: not a change in the figures
        for row in found:
            key = " / ".join(row.get(k, "") for k in ROW_KEYS.get(section, ("scheme_code",)))
            rows[(section, key)] = row
    return rows


def diff(submitted_csv: str, current_csv: str) -> list[dict[str, Any]]:
    """Cells that differ between a submitted return and the return now, section by section."""
    before, after = _keyed(submitted_csv), _keyed(current_csv)
    changes: list[dict[str, Any]] = []
    for section, key in sorted(set(before) | set(after)):
        old, new = before.get((section, key), {}), after.get((section, key), {})
        for column in sorted(set(old) | set(new)):
            if column == "known_at":
                continue
            if old.get(column) != new.get(column):
                changes.append(
                    {
                        "section": section,
                        "row": key,
                        "scheme_code": key,
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
