"""The programme view (v_programme): target, allocations and funds received over time."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from capacity.programme import Programme, allocations_on
from projections.views.writer import PageWriter, supersede, to_json
from schemes.specs import PROGRAMME_FIELDS


def _programme_version(db: PageWriter, event: Any, pos: int, changes: dict[str, Any]) -> str:
    agg = str(event.originator_id)
    code = changes.pop("code", None)
    if code is None:
        rows = db.query(
            "SELECT code, data FROM v_programme WHERE agg = ? AND superseded_at IS NULL", (agg,)
        )
        code, data = rows[0][0], json.loads(rows[0][1])
    else:
        data = {}
    data.update(json.loads(to_json(changes)))
    supersede(db, "v_programme", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_programme (agg, code, data, position) VALUES (?, ?, ?, ?)",
        (agg, code, to_json(data), pos),
    )
    return str(code)


def on_programme(db: PageWriter, event: Any, pos: int) -> str:
    if isinstance(event, Programme.ProgrammeOpened):
        opened = {f: getattr(event, f) for f in PROGRAMME_FIELDS}  # the one list: schemes/specs.py
        opened["opening_allocations"] = event.allocations
        return _programme_version(db, event, pos, opened)
    if isinstance(event, Programme.BedTargetRevised):
        return _programme_version(db, event, pos, {"bed_target": event.bed_target})
    rows = db.query(
        "SELECT data FROM v_programme WHERE agg = ? AND superseded_at IS NULL",
        (str(event.originator_id),),
    )
    current = json.loads(rows[0][0])
    if isinstance(event, Programme.ManagementForecastRecorded):
        forecasts = [
            *(current.get("management_forecasts") or []),
            [event.month, event.stream, str(event.amount_gbp), event.note, event.actor.user_id],
        ]
        return _programme_version(db, event, pos, {"management_forecasts": forecasts})
    if isinstance(event, Programme.FundsReceived):
        funds = dict(current.get("funds_received") or {})
        funds[event.stream] = str(Decimal(funds.get(event.stream, "0")) + event.amount_gbp)
        receipts = [
            *(current.get("funds_receipts") or []),
            [event.received_on.isoformat(), event.stream, str(event.amount_gbp)],
        ]
        changed = {"funds_received": funds, "funds_receipts": receipts}
        return _programme_version(db, event, pos, changed)
    # AllocationRevised: every revision with its effective date; "allocations" is what is in
    # force at the end of the winter (revisions in effective-date order).
    opening = current.get("opening_allocations") or current["allocations"]
    day = event.effective_on or date.fromisoformat(current["period_start"])
    changes = [
        *(current.get("allocation_changes") or []),
        [day.isoformat(), event.stream, str(event.amount_gbp)],
    ]
    latest = allocations_on(
        {k: Decimal(v) for k, v in opening.items()},
        [(date.fromisoformat(d), k, Decimal(v)) for d, k, v in changes],
        date.fromisoformat(current["period_end"]),
    )
    return _programme_version(
        db,
        event,
        pos,
        {
            "opening_allocations": opening,
            "allocation_changes": changes,
            "allocations": {k: str(v) for k, v in latest.items()},
        },
    )
