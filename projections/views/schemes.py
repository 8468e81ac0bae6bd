"""The scheme view (v_scheme): registration, status, allocation, diversions, beds."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from capacity.scheme import Scheme, scheme_id
from projections.views.writer import PageWriter, supersede, to_json
from schemes.specs import SCHEME_FIELDS as REGISTERED

SCHEME_FIELDS = ("programme", *REGISTERED)  # the one list: schemes/specs.py


def _scheme_key(
    db: PageWriter, event: Any, agg: str | None = None
) -> tuple[str, str, dict[str, Any]]:
    rows = db.query(
        "SELECT programme, code, data FROM v_scheme WHERE agg = ? AND superseded_at IS NULL",
        (agg or str(event.originator_id),),
    )
    return rows[0][0], rows[0][1], json.loads(rows[0][2])


def _scheme_version(
    db: PageWriter, event: Any, pos: int, changes: dict[str, Any], agg: str | None = None
) -> str:
    agg = agg or str(event.originator_id)
    programme, code, data = _scheme_key(db, event, agg)
    data.update(json.loads(to_json(changes)))
    supersede(db, "v_scheme", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_scheme (agg, programme, code, data, position) VALUES (?, ?, ?, ?, ?)",
        (agg, programme, code, to_json(data), pos),
    )
    return programme


def on_scheme(db: PageWriter, event: Any, pos: int) -> str:
    if isinstance(event, Scheme.SchemeRegistered):
        data = {f: getattr(event, f) for f in SCHEME_FIELDS}
        data.update(narrative="", went_live_on=None, approved_on=None)
        data["kpi_numbers"] = [k["code"] for k in event.kpis if _numeric(k.get("target"))]
        data["place_order"] = list(event.place_split or {})  # the row's keys are sorted
        db.insert(
            "INSERT INTO v_scheme (agg, programme, code, data, position) VALUES (?, ?, ?, ?, ?)",
            (str(event.originator_id), event.programme, event.code, to_json(data), pos),
        )
        return str(event.programme)
    if isinstance(event, Scheme.KpiTargetSet):
        _, _, data = _scheme_key(db, event)
        kpis = [
            {**k, "target": event.target} if k["code"] == event.kpi_code else k
            for k in data["kpis"]
        ]
        numbers = [c for c in data.get("kpi_numbers") or [] if c != event.kpi_code]
        if _numeric(event.target):
            numbers.append(event.kpi_code)
        return _scheme_version(db, event, pos, {"kpis": kpis, "kpi_numbers": numbers})
    elif isinstance(event, Scheme.PlannedStartChanged):
        return _scheme_version(db, event, pos, {"planned_start": event.planned_start})
    elif isinstance(event, Scheme.SchemeApproved):
        return _scheme_version(db, event, pos, {"approved_on": event.approved_on})
    elif isinstance(event, Scheme.NarrativeUpdated):
        changes = {"narrative": event.narrative, "narrative_on": event.on}
        return _scheme_version(db, event, pos, changes)
    elif isinstance(event, Scheme.SchemeMobilised):
        _scheme_version(db, event, pos, {"went_live_on": event.went_live_on})
        return _status(db, event, pos, event.went_live_on, "active")
    if isinstance(event, Scheme.BedsOpened | Scheme.BedsClosed):
        programme, code, _ = _scheme_key(db, event)
        sign = 1 if isinstance(event, Scheme.BedsOpened) else -1
        db.insert(
            "INSERT INTO v_bed_change (programme, scheme, day, change, bed_type, reason, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                programme,
                code,
                event.on.isoformat(),
                sign * event.change,
                event.bed_type,
                event.reason,
                pos,
            ),
        )
        return programme
    if isinstance(event, Scheme.SchemePaused):
        return _status(db, event, pos, event.on, "paused")
    if isinstance(event, Scheme.SchemeResumed):
        return _status(db, event, pos, event.on, "active")
    if isinstance(event, Scheme.SchemeClosed):
        return _status(db, event, pos, event.on, "closed")
    # FundingDivertedOut or FundingDivertedIn
    programme, code, _ = _scheme_key(db, event)
    if isinstance(event, Scheme.FundingDivertedOut):
        amount, counterpart = -event.amount_gbp, event.to_scheme
    else:
        amount, counterpart = event.amount_gbp, event.from_scheme
    db.insert(
        "INSERT INTO v_diversion (programme, scheme, amount_gbp, counterpart, decision_ref,"
        " decided_on, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            programme,
            code,
            str(amount),
            counterpart,
            event.decision_ref,
            event.decided_on.isoformat(),
            pos,
        ),
    )
    return programme


def _numeric(target: Any) -> bool:
    """A KPI target given as a number (kept as text in the row, like every amount) rather than
    as words such as "TBC": the API answers it as a number."""
    return isinstance(target, Decimal)


def on_provenance(db: PageWriter, event: Any, pos: int) -> str:
    """The catalogue's notes and source references join the scheme's row (saved just after
    its registration, in the same transaction)."""
    notes = {"notes": event.notes, "source_refs": list(event.source_refs)}
    agg = str(scheme_id(event.programme, event.scheme))
    return _scheme_version(db, event, pos, {"provenance": notes}, agg)


def _status(db: PageWriter, event: Any, pos: int, on: date, status: str) -> str:
    programme, code, _ = _scheme_key(db, event)
    db.insert(
        "INSERT INTO v_status_change (programme, scheme, day, status, position)"
        " VALUES (?, ?, ?, ?, ?)",
        (programme, code, on.isoformat(), status, pos),
    )
    return programme
