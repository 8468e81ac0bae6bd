"""The board papers kept (v_board_paper) and the board's decisions between two positions."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from capacity.errors import NotFound
from projections.db import ViewDatabase
from projections.queries import schemes as scheme_rows
from projections.queries.board_papers import paper_rows, prepared_paper
from projections.queries.programmes import programme_versions


@dataclass(frozen=True)
class PaperRecord:
    """One preparation of a month's paper: who, when, at which position, and its sign-off."""

    month: str
    revision: int
    title: str
    prepared_by: str
    prepared_at: str
    position: int  # the figures' event-log position
    as_of: str
    sha256: str
    signed_off_by: str | None
    signed_off_at: str | None


@dataclass(frozen=True)
class Decision:
    """A decision the board recorded: a diversion, a status change or a bed-target change."""

    on: date | None  # None: the change has no date of its own (a bed-target revision)
    kind: str
    scheme_code: str
    detail: str
    reference: str  # the decision's own reference, else its event-log position
    position: int


def paper_records(db: ViewDatabase, programme: str, month: str | None = None) -> list[PaperRecord]:
    """Every preparation of the programme's papers (one month's, when given), oldest first."""
    signed: dict[tuple[str, int], dict[str, Any]] = {}
    prepared: list[dict[str, Any]] = []
    for found_month, revision, kind, data in paper_rows(db, programme, month):
        row = json.loads(data)
        if kind == "SignedOff":
            signed[(found_month, int(revision))] = row
        else:
            prepared.append(row)
    records = []
    for row in prepared:
        key = (str(row["month"]), int(row["revision"]))
        sign = signed.get(key)
        cover, actor = row["cover"], row["actor"]
        records.append(
            PaperRecord(
                month=key[0],
                revision=key[1],
                title=str(cover.get("title", "")),
                prepared_by=str(actor["user_id"]),
                prepared_at=str(row["at"]),
                position=int(row["position"]),
                as_of=str(row["as_of"]),
                sha256=str(row["sha256"]),
                signed_off_by=str(sign["actor"]["user_id"]) if sign else None,
                signed_off_at=str(sign["at"]) if sign else None,
            )
        )
    return sorted(records, key=lambda r: (r.month, r.revision))


def _prepared(db: ViewDatabase, programme: str, month: str, revision: int) -> tuple[str, str]:
    """A preparation's contents (JSON text) and PDF (base64)."""
    rows = prepared_paper(db, programme, month, revision)
    if not rows:
        raise NotFound(f"no revision {revision} of the {month} board paper", field="revision")
    return str(rows[0][0]), str(rows[0][1])


def paper_pdf(db: ViewDatabase, programme: str, month: str, revision: int) -> bytes:
    """The PDF of a preparation byte for byte as it was kept."""
    return base64.b64decode(_prepared(db, programme, month, revision)[1])


def paper_contents_json(db: ViewDatabase, programme: str, month: str, revision: int) -> str:
    return _prepared(db, programme, month, revision)[0]


def decisions_between(db: ViewDatabase, programme: str, after: int, upto: int) -> list[Decision]:
    """Diversions, status changes and bed-target changes recorded after ``after`` and at or
    before ``upto`` (event-log positions), in the order they were recorded."""
    found: list[Decision] = []
    for scheme, amount, counterpart, ref, on, pos in scheme_rows.diversions_between(
        db, programme, after, upto
    ):
        if amount.startswith("-"):
            continue  # each diversion has two rows: the paper lists the money arriving
        detail = f"£{Decimal(amount):,.2f} diverted from {counterpart}"
        found.append(Decision(date.fromisoformat(on), "Diversion", scheme, detail, ref, int(pos)))
    for scheme, on, status, pos in scheme_rows.decided_status_changes_between(
        db, programme, after, upto
    ):
        found.append(
            Decision(
                date.fromisoformat(on), "Status", scheme, f"now {status}", f"event {pos}", int(pos)
            )
        )
    found += _target_changes(db, programme, after, upto)
    return sorted(found, key=lambda d: d.position)


def _target_changes(db: ViewDatabase, programme: str, after: int, upto: int) -> list[Decision]:
    rows = programme_versions(db, programme, upto)
    found, previous = [], None
    for data, pos in rows:
        target = json.loads(data).get("bed_target")
        if previous is not None and target != previous and int(pos) > after:
            detail = f"bed target {previous} → {target}"
            found.append(Decision(None, "Bed target", "", detail, f"event {pos}", int(pos)))
        previous = target
    return found
