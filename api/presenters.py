"""Plain-value views of aggregates, shaped as the API contract names them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from capacity.values import FUNDING_STREAMS
from projections import listings
from projections.facts import ProgrammeFacts
from projections.readmodel import ReadModel
from schemes.catalogue import readings_for
from schemes.rules import kpi_type


def money(value: Decimal) -> str:
    return f"{value:.2f}"


class SchemeShown(Protocol):
    """What the API shows of a scheme: the read side's facts (and, for the command line, the
    write model's aggregate) both have it."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def place(self) -> str: ...
    @property
    def provider(self) -> str | None: ...
    @property
    def funding_stream(self) -> str: ...
    @property
    def allocation_gbp(self) -> Decimal: ...
    @property
    def measure(self) -> str: ...
    @property
    def planned_beds_equivalent(self) -> Decimal | None: ...
    @property
    def counts_toward_target(self) -> bool: ...
    @property
    def planned_start(self) -> date | None: ...
    @property
    def lead(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def current_allocation_gbp(self) -> Decimal: ...
    @property
    def went_live_on(self) -> date | None: ...


class NotesShown(Protocol):
    @property
    def notes(self) -> str: ...
    @property
    def source_refs(self) -> list[str]: ...


def scheme_public(
    scheme: SchemeShown,
    provenance: NotesShown | None,
    kpis: Sequence[Mapping[str, Any]],
    place_split: Mapping[str, Decimal] | None,
) -> dict[str, Any]:
    """``kpis`` with numeric targets as numbers and ``place_split`` in its registered order
    (the facts' ``typed_kpis`` and ``registered_place_split``)."""
    planned = scheme.planned_beds_equivalent
    return {
        "notes": provenance.notes if provenance else "",
        "source_refs": list(provenance.source_refs) if provenance else [],
        "code": scheme.code,
        "name": scheme.name,
        "category": scheme.category,
        "place": scheme.place,
        "provider": scheme.provider,
        "funding_stream": scheme.funding_stream,
        "allocation_gbp": money(scheme.allocation_gbp),
        "measure": scheme.measure,
        "planned_beds_equivalent": float(planned) if planned is not None else None,
        "place_split": ({p: float(v) for p, v in place_split.items()} if place_split else None),
        "counts_toward_target": scheme.counts_toward_target,
        "planned_start": scheme.planned_start.isoformat() if scheme.planned_start else None,
        "kpis": [
            {
                **k,
                "type": kpi_type(k),  # given, or read from the unit for older schemes
                "target": (
                    float(k["target"]) if isinstance(k.get("target"), Decimal) else k.get("target")
                ),
            }
            for k in kpis
        ],
        "lead": scheme.lead,
        "status": scheme.status,
        "current_allocation_gbp": money(scheme.current_allocation_gbp),
        "went_live_on": scheme.went_live_on.isoformat() if scheme.went_live_on else None,
    }


def allocations(programme: ProgrammeFacts) -> dict[str, Decimal]:
    """The allocations in force at the end of the winter, every stream named (0 if never
    allocated), as the write model keeps them."""
    return {s: programme.allocations.get(s, Decimal(0)) for s in FUNDING_STREAMS}


def programme_public(programme: ProgrammeFacts) -> dict[str, Any]:
    return {
        "code": programme.code,
        "icb_code": programme.icb_code,
        "icb_name": programme.icb_name,
        "region_code": programme.region_code,
        "winter": programme.winter,
        "period_start": programme.period_start.isoformat(),
        "period_end": programme.period_end.isoformat(),
        "bed_target": programme.bed_target,
        "allocations": {s: money(v) for s, v in allocations(programme).items()},
    }


def about_numbers(read: ReadModel, programme: str) -> dict[str, Any]:
    """How the target is built: the counted schemes and their sum, the schemes not counted and
    why, and every place the catalogue departs from its source."""
    found = read.facts(programme)
    counted: list[dict[str, Any]] = []
    not_counted: list[dict[str, Any]] = []
    departures: list[dict[str, str]] = []
    for code in listings.scheme_codes(read, programme):
        scheme = found.schemes[code]
        provenance = scheme.provenance
        row = {
            "scheme_code": code,
            "scheme_name": scheme.name,
            "planned_beds_equivalent": (
                float(scheme.planned_beds_equivalent)
                if scheme.planned_beds_equivalent is not None
                else None
            ),
            "notes": provenance.notes if provenance else "",
            "source_refs": list(provenance.source_refs) if provenance else [],
        }
        (counted if scheme.counts_toward_target else not_counted).append(row)
        for reading in provenance.departures if provenance else []:
            refs = ", ".join(provenance.source_refs) if provenance else ""
            departures.append({"scheme_code": code, "reading": reading, "source": refs})
    total = sum(float(r["planned_beds_equivalent"] or 0) for r in counted)
    return {
        "programme": programme,
        "bed_target": found.bed_target,
        "counted_planned_beds_equivalent": total,
        "matches_target": total == found.bed_target,
        "counted": counted,
        "not_counted": not_counted,
        "departures": departures,
        "readings": [r.model_dump() for r in readings_for(programme)],
    }
