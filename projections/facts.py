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
from projections.queries import figures as figure_rows
from projections.queries import flow as flow_rows
from projections.queries import programmes as programme_rows
from projections.queries import schemes as scheme_rows
from projections.reported_day import ReportedDay, reported_day, reported_flow
from schemes import lifecycle


@dataclass(frozen=True)
class SchemeNotes:
    """The catalogue's notes on a scheme and its source references (capacity/provenance.py)."""

    notes: str
    source_refs: list[str]

    @property
    def departures(self) -> list[str]:
        """The readings where the catalogue departs from its source ("Resolved: ...")."""
        return [part.strip() for part in self.notes.split("Resolved:")[1:] if part.strip()]


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
    provenance: SchemeNotes | None = None
    # the KPIs whose target is a number (the row keeps every target as text)
    kpi_numbers: frozenset[str] = frozenset()
    place_order: tuple[str, ...] = ()  # the places of place_split as registered

    @property
    def registered_place_split(self) -> dict[str, Decimal] | None:
        """The split by place in the order the scheme was registered with."""
        if self.place_split is None:
            return None
        order = [p for p in self.place_order if p in self.place_split]
        return {
            p: self.place_split[p] for p in [*order, *sorted(set(self.place_split) - set(order))]
        }

    @property
    def typed_kpis(self) -> list[dict[str, Any]]:
        """The KPIs with numeric targets as numbers, as the scheme recorded them."""
        return [
            {**k, "target": Decimal(k["target"])} if k["code"] in self.kpi_numbers else k
            for k in self.kpis
        ]

    @property
    def current_allocation_gbp(self) -> Decimal:
        """The registered allocation with every diversion in and out, whatever its date."""
        return self.allocation_gbp + sum((amount for _, amount in self.diversions), Decimal(0))

    @property
    def status(self) -> str:
        """The status after every change, whatever its date (the write model's ``status``):
        live from go-live, which the view records as a change to active."""
        changes = list(self.status_changes)
        if self.went_live_on is not None and (self.went_live_on, "active") in changes:
            changes.remove((self.went_live_on, "active"))
        initial = "active" if self.went_live_on is not None else "planned"
        return lifecycle.status_on(initial, changes, None)


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


def _notes(found: dict[str, Any] | None) -> SchemeNotes | None:
    return SchemeNotes(found["notes"], list(found["source_refs"])) if found else None


DEMO_USER = "demo-lead"  # wintertrack/demo.py's lead: whose reports are generated


def _as_at(db: ViewDatabase, programme: str, known_at: int) -> str:
    return max(figure_rows.latest_recorded_at(db, programme, known_at), default="")


def load_facts(db: ViewDatabase, programme: str, known_at: int) -> ProgrammeFacts:
    rows = programme_rows.programme_known_at(db, programme, known_at)
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
        synthetic=figure_rows.any_daily_by(db, programme, known_at, DEMO_USER),
    )
    for code, data in scheme_rows.schemes_known_at(db, programme, known_at):
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
            provenance=_notes(s.get("provenance")),
            kpi_numbers=frozenset(s.get("kpi_numbers") or ()),
            place_order=tuple(s.get("place_order") or ()),
        )
    schemes = facts.schemes
    _narratives(db, programme, known_at, schemes)
    for scheme, day, change in scheme_rows.bed_changes(db, programme, known_at):
        schemes[scheme].bed_changes.append((date.fromisoformat(day), int(change)))
    for scheme, day, status in scheme_rows.status_changes(db, programme, known_at):
        schemes[scheme].status_changes.append((date.fromisoformat(day), status))
    for scheme, amount, decided_on in scheme_rows.diversions(db, programme, known_at):
        schemes[scheme].diversions.append((date.fromisoformat(decided_on), Decimal(amount)))
    for scheme, day, data in figure_rows.daily_known_at(db, programme, known_at):
        schemes[scheme].daily[date.fromisoformat(day)] = reported_day(orjson.loads(data))
    for scheme, month, amount, basis in figure_rows.spend_known_at(db, programme, known_at):
        schemes[scheme].spend[month] = Decimal(amount)
        schemes[scheme].spend_basis[month] = basis
    for ods, name, place in flow_rows.sites(db, programme, known_at):
        facts.sites[ods] = (name, place)
    for ods, day, data in flow_rows.flow_known_at(db, programme, known_at):
        facts.flow[(ods, date.fromisoformat(day))] = reported_flow(orjson.loads(data))
    return facts


def _narratives(
    db: ViewDatabase, programme: str, known_at: int, schemes: dict[str, SchemeFacts]
) -> None:
    """Every version of a scheme whose narrative changed: the return shows the narrative as it
    stood at the end of its month, not today's (docs/rules.md §12)."""
    last: dict[str, str] = {}
    for code, data, position in scheme_rows.scheme_versions(db, programme, known_at):
        version = orjson.loads(data)
        text = version.get("narrative") or ""
        if code in schemes and text != last.get(code, ""):
            schemes[code].narratives.append((_day(version.get("narrative_on")), position, text))
        last[code] = text
