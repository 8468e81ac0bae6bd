"""What signing off and submitting the monthly return read (the commands themselves, and the
write, are ``capacity/app/submission.py``), fetching a submitted revision, and what changed
since.

A return is prepared (computed at a log position), signed off by someone with the
``sign_off_return`` permission, who sees its figures and their SHA-256, then submitted: the
submission recomputes the figures and refuses them unless they are exactly the ones signed off
(a change since voids the sign-off). The figures' SHA-256 is of the CSV without the cover's
lines about the submission itself (position, status, revision, who and when).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from capacity.app.submission import ComputedReturn
from projections.digest import LogDigest, log_digest
from projections.exports import parse_csv, to_csv, to_xlsx
from projections.queries import returns as return_rows
from projections.readmodel import ReadModel
from projections.return_document import with_submission

# Cover lines that describe the submission, not the figures: left out of the figures' SHA-256.
NOT_FIGURES = {
    "known_at",
    "status",
    "revision",
    "restatement_reason",
    "submitted_by",
    "submitted_at",
    "signed_off_by",
    "signed_off_at",
}


def figures_sha256(csv_text: str) -> str:
    """The SHA-256 of a return's figures: its CSV without the cover lines in NOT_FIGURES."""
    kept = [
        line
        for line in csv_text.splitlines(keepends=True)
        if not any(line.startswith(f"cover,row,{key},") for key in NOT_FIGURES)
    ]
    return hashlib.sha256("".join(kept).encode("utf-8")).hexdigest()


def prepared(read: ReadModel, programme: str, month: str) -> dict[str, Any]:
    """The return as it stands, to be signed off: its position and its figures' SHA-256."""
    report = read.monthly_return(programme, month)
    return {
        "programme": programme,
        "month": month,
        "position": report["known_at"],
        "figures_sha256": figures_sha256(to_csv(report)),
    }


def sign_off_status(read: ReadModel, programme: str, month: str) -> dict[str, Any]:
    """The standing sign-off (the latest since the last submission) and whether the figures
    as they are now are the ones it signed: ``valid`` False means a change voided it."""
    rows = return_rows.return_records(read.views, programme, month)
    standing: dict[str, Any] | None = None
    for kind, data, _position in rows:
        found = json.loads(data)
        if kind == "ReturnSubmitted":
            standing = None
        elif kind == "ReturnSignedOff":
            standing = found
    now = prepared(read, programme, month)
    if standing is None:
        return {**now, "signed_off": False, "valid": False}
    return {
        **now,
        "signed_off": True,
        "signed_off_by": standing["actor"]["user_id"],
        "signed_off_at": standing.get("at", ""),
        "signed_position": standing["position"],
        "signed_sha256": standing["sha256"],
        "valid": standing["sha256"] == now["figures_sha256"],
    }


# The row key of each section, for the differences between two returns.
ROW_KEYS = {
    "streams": ("funding_stream",),
    "beds": ("group", "place"),
    "schemes": ("scheme_code",),
    "kpis": ("scheme_code", "kpi_code"),
    "flow": ("ods_code",),
    "trajectory": ("month",),
    "forecast": ("funding_stream",),
    "discharges": ("ods_code",),
    "ga_beds": ("ods_code",),
    "virtual_wards": ("scheme_code",),
    "risks": ("scheme_code",),
    "notes": ("about", "note"),
}


class ViewFigures:
    """The read side's half of a sign-off or a submission (``capacity/app/submission.py`` does
    the rest, and the write): the return computed from the views, its files, whether it changed
    since the latest revision, and the log's running digest (continued from the latest digest a
    submission recorded, so only newer events are read)."""

    def __init__(self, read: ReadModel) -> None:
        self.read = read

    def catch_up(self) -> None:
        self.read.projector.run_once()

    def head(self) -> int:
        return self.read.head()

    def figures_sha256(
        self, programme: str, month: str, known_at: int | None = None, generated_at: str = ""
    ) -> tuple[int, str]:
        report = self._report(programme, month, known_at, generated_at)
        return int(report["known_at"]), figures_sha256(to_csv(report))

    def _report(
        self, programme: str, month: str, known_at: int | None, generated_at: str
    ) -> dict[str, Any]:
        if generated_at:
            return self.read.monthly_return(programme, month, generated_at=generated_at)
        return self.read.monthly_return(programme, month, known_at=known_at)

    def for_submission(
        self,
        programme: str,
        month: str,
        revision: int,
        submitted_by: str,
        at: str,
        reason: str,
        signed: tuple[str, str],
    ) -> ComputedReturn:
        read = self.read
        current = read.monthly_return(programme, month, generated_at=at)
        report = with_submission(current, revision, submitted_by, at, reason, signed)
        earlier = read.submissions(programme, month)
        changed = not earlier or bool(diff(earlier[-1]["csv"], to_csv(report)))
        head = read.head()
        digest = log_digest(
            read.projector.application.recorder, head, latest_log_digest(read, head)
        )
        return ComputedReturn(
            known_at=int(report["known_at"]),
            csv=to_csv(report),
            xlsx=to_xlsx(report),
            report_json=json.dumps(report, sort_keys=True, separators=(",", ":")),
            changed=changed,
            log=(read.today().isoformat(), digest.position, digest.hex),
        )

    def submitted(self, programme: str, month: str, revision: int) -> tuple[int, str]:
        stored = self.read.submission(programme, month, revision)
        return int(stored["computed_at_position"]), str(stored["sha256"])


def latest_log_digest(read: ReadModel, upto: int) -> LogDigest | None:
    """The latest log digest a submission recorded at or before ``upto``, if any."""
    rows = return_rows.submissions_newest_first(read.views)
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
