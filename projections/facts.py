"""Loads one programme's facts from the views, as known at an event-log position."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from capacity.errors import ProgrammeNotFound
from capacity.flow_figures import FlowFigures
from capacity.programme import allocations_on
from projections.db import ViewDatabase
from projections.reported_day import ReportedDay, reported_day, reported_flow
from projections.schema import KNOWN_AT


@dataclass
class SchemeFacts:
    code: str
    name: str
    category: str
    place: str
    provider: str | None
    funding_stream: str
    allocation_gbp: Decimal
    measure: str
    planned_beds_equivalent: Decimal | None
    place_split: dict[str, Decimal] | None
    counts_toward_target: bool
    planned_start: date | None
    kpis: list[dict[str, Any]]
    lead: str | None
    narrative: str
    went_live_on: date | None
    bed_changes: list[tuple[date, int]] = field(default_factory=list)
    status_changes: list[tuple[date, str]] = field(default_factory=list)
    diversions: list[tuple[date, Decimal]] = field(default_factory=list)
    daily: dict[date, ReportedDay] = field(default_factory=dict)
    spend: dict[str, Decimal] = field(default_factory=dict)
    spend_basis: dict[str, str] = field(default_factory=dict)
    # (effective date, position, text) of every narrative update; None: dated before we kept it
    narratives: list[tuple[date | None, int, str]] = field(default_factory=list)


@dataclass
class ProgrammeFacts:
    code: str
    icb_code: str
    icb_name: str
    region_code: str
    winter: str
    period_start: date
    period_end: date
    bed_target: int
    allocations: dict[str, Decimal]
    known_at: int
    schemes: dict[str, SchemeFacts] = field(default_factory=dict)
    opening_allocations: dict[str, Decimal] = field(default_factory=dict)
    # (effective date, stream, amount) in recorded order: see allocations_on.
    allocation_changes: list[tuple[date, str, Decimal]] = field(default_factory=list)
    funds_received: dict[str, Decimal] = field(default_factory=dict)
    # (received on, stream, amount); empty in views written before receipts were dated
    funds_receipts: list[tuple[date, str, Decimal]] = field(default_factory=list)
    # (month, stream, amount, note, by) as finance entered them, in recorded order
    management_forecasts: list[tuple[str, str, Decimal, str, str]] = field(default_factory=list)
    # when the latest daily report or spend figure known at the position was recorded
    as_at: str = ""
    # figures written by the demo's own users (wintertrack/demo.py): marked on every page,
    # file and return as synthetic
    synthetic: bool = False
    sites: dict[str, tuple[str, str]] = field(default_factory=dict)
    flow: dict[tuple[str, date], FlowFigures] = field(default_factory=dict)

    def allocations_on(self, day: date) -> dict[str, Decimal]:
        """The allocations in force on a day (revisions by effective date)."""
        if not self.allocation_changes:
            return dict(self.allocations)
        return allocations_on(self.opening_allocations, self.allocation_changes, day)

    def funds_received_by(self, day: date) -> dict[str, Decimal]:
        """Funds received on or before a day, by stream (undated totals count whenever)."""
        if not self.funds_receipts:
            return dict(self.funds_received)
        found: dict[str, Decimal] = {}
        for on, stream, amount in self.funds_receipts:
            if on <= day:
                found[stream] = found.get(stream, Decimal(0)) + amount
        return found

    def funds_received_dates(self, day: date) -> dict[str, list[date]]:
        """The days funds arrived on or before ``day``, by stream."""
        found: dict[str, list[date]] = {}
        for on, stream, _ in sorted(self.funds_receipts):
            if on <= day:
                found.setdefault(stream, []).append(on)
        return found


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


DEMO_USER = "demo-lead"  # wintertrack/demo.py's lead: whose reports are generated


def _as_at(db: ViewDatabase, programme: str, known_at: int) -> str:
    latest = [
        str(found)
        for table in ("v_daily", "v_spend")
        for (found,) in db.query(
            f"SELECT MAX(recorded_at) FROM {table} WHERE programme = ? AND position <= ?",
            (programme, known_at),
        )
        if found
    ]
    return max(latest, default="")


def load_facts(db: ViewDatabase, programme: str, known_at: int) -> ProgrammeFacts:
    at = (known_at, known_at)
    rows = db.query(f"SELECT data FROM v_programme WHERE code = ? AND {KNOWN_AT}", (programme, *at))
    if not rows:
        raise ProgrammeNotFound(f"unknown programme '{programme}'", field="programme")
    p = orjson.loads(rows[0][0])
    facts = ProgrammeFacts(
        code=programme,
        icb_code=p["icb_code"],
        icb_name=p["icb_name"],
        region_code=p["region_code"],
        winter=p["winter"],
        period_start=date.fromisoformat(p["period_start"]),
        period_end=date.fromisoformat(p["period_end"]),
        bed_target=int(p["bed_target"]),
        allocations={k: Decimal(v) for k, v in p["allocations"].items()},
        opening_allocations={
            k: Decimal(v) for k, v in (p.get("opening_allocations") or p["allocations"]).items()
        },
        allocation_changes=[
            (date.fromisoformat(d), k, Decimal(v)) for d, k, v in p.get("allocation_changes") or []
        ],
        funds_received={k: Decimal(v) for k, v in (p.get("funds_received") or {}).items()},
        funds_receipts=[
            (date.fromisoformat(d), k, Decimal(v)) for d, k, v in p.get("funds_receipts") or []
        ],
        known_at=known_at,
        as_at=_as_at(db, programme, known_at),
        management_forecasts=[
            (m, k, Decimal(v), note, by)
            for m, k, v, note, by in p.get("management_forecasts") or []
        ],
        synthetic=bool(
            db.query(
                "SELECT 1 FROM v_daily WHERE programme = ? AND position <= ? "
                "AND actor LIKE ? LIMIT 1",
                (programme, known_at, f"%{DEMO_USER}%"),
            )
        ),
    )
    query = f"SELECT code, data FROM v_scheme WHERE programme = ? AND {KNOWN_AT} ORDER BY position"
    for code, data in db.query(query, (programme, *at)):
        s = orjson.loads(data)
        split = s.get("place_split")
        facts.schemes[code] = SchemeFacts(
            code=code,
            name=s["name"],
            category=s["category"],
            place=s["place"],
            provider=s.get("provider"),
            funding_stream=s["funding_stream"],
            allocation_gbp=Decimal(s["allocation_gbp"]),
            measure=s["measure"],
            planned_beds_equivalent=_dec(s.get("planned_beds_equivalent")),
            place_split={k: Decimal(str(v)) for k, v in split.items()} if split else None,
            counts_toward_target=bool(s["counts_toward_target"]),
            planned_start=_day(s.get("planned_start")),
            kpis=list(s.get("kpis") or []),
            lead=s.get("lead"),
            narrative=s.get("narrative") or "",
            went_live_on=_day(s.get("went_live_on")),
        )
    schemes = facts.schemes
    _narratives(db, programme, known_at, schemes)
    for scheme, day, change in db.query(
        "SELECT scheme, day, change FROM v_bed_change WHERE programme = ? AND position <= ? "
        "ORDER BY position",
        (programme, known_at),
    ):
        schemes[scheme].bed_changes.append((date.fromisoformat(day), int(change)))
    for scheme, day, status in db.query(
        "SELECT scheme, day, status FROM v_status_change WHERE programme = ? AND position <= ? "
        "ORDER BY position",
        (programme, known_at),
    ):
        schemes[scheme].status_changes.append((date.fromisoformat(day), status))
    for scheme, amount, decided_on in db.query(
        "SELECT scheme, amount_gbp, decided_on FROM v_diversion WHERE programme = ? AND "
        "position <= ? ORDER BY position",
        (programme, known_at),
    ):
        schemes[scheme].diversions.append((date.fromisoformat(decided_on), Decimal(amount)))
    for scheme, day, data in db.query(
        f"SELECT scheme, day, data FROM v_daily WHERE programme = ? AND {KNOWN_AT}",
        (programme, *at),
    ):
        schemes[scheme].daily[date.fromisoformat(day)] = reported_day(orjson.loads(data))
    for scheme, month, amount, basis in db.query(
        f"SELECT scheme, month, amount_gbp, basis FROM v_spend WHERE programme = ? AND {KNOWN_AT}",
        (programme, *at),
    ):
        schemes[scheme].spend[month] = Decimal(amount)
        schemes[scheme].spend_basis[month] = basis
    for ods, name, place in db.query(
        "SELECT ods, name, place FROM v_site WHERE programme = ? AND position <= ?",
        (programme, known_at),
    ):
        facts.sites[ods] = (name, place)
    for ods, day, data in db.query(
        f"SELECT ods, day, data FROM v_flow WHERE programme = ? AND {KNOWN_AT}",
        (programme, *at),
    ):
        facts.flow[(ods, date.fromisoformat(day))] = reported_flow(orjson.loads(data))
    return facts


def _narratives(
    db: ViewDatabase, programme: str, known_at: int, schemes: dict[str, SchemeFacts]
) -> None:
    """Every version of a scheme whose narrative changed: the return shows the narrative as it
    stood at the end of its month, not today's (docs/rules.md §12)."""
    last: dict[str, str] = {}
    for code, data, position in db.query(
        "SELECT code, data, position FROM v_scheme WHERE programme = ? AND position <= ? "
        "ORDER BY position",
        (programme, known_at),
    ):
        version = orjson.loads(data)
        text = version.get("narrative") or ""
        if code in schemes and text != last.get(code, ""):
            schemes[code].narratives.append((_day(version.get("narrative_on")), position, text))
        last[code] = text
