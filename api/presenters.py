"""Plain-value views of aggregates, shaped as the API contract names them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from capacity.application import WinterApplication
from capacity.programme import Programme
from capacity.provenance import SchemeProvenance
from capacity.scheme import Scheme
from schemes.catalogue import readings_for
from schemes.rules import kpi_type


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def scheme_public(scheme: Scheme, provenance: SchemeProvenance | None = None) -> dict[str, Any]:
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
        "place_split": (
            {p: float(v) for p, v in scheme.place_split.items()} if scheme.place_split else None
        ),
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
            for k in scheme.kpis
        ],
        "lead": scheme.lead,
        "status": scheme.status,
        "current_allocation_gbp": money(scheme.current_allocation_gbp),
        "went_live_on": scheme.went_live_on.isoformat() if scheme.went_live_on else None,
    }


def programme_public(programme: Programme) -> dict[str, Any]:
    return {
        **programme.identity(),
        "bed_target": programme.bed_target,
        "allocations": {s: money(v) for s, v in programme.allocations.items()},
    }


def about_numbers(application: WinterApplication, programme: str) -> dict[str, Any]:
    """How the target is built: the counted schemes and their sum, the schemes not counted and
    why, and every place the catalogue departs from its source."""
    found = application.get_programme(programme)
    counted: list[dict[str, Any]] = []
    not_counted: list[dict[str, Any]] = []
    departures: list[dict[str, str]] = []
    for code in found.scheme_codes:
        scheme = application.get_scheme(programme, code)
        provenance = application.get_provenance(programme, code)
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
