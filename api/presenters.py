"""Plain-value views of aggregates, shaped as the API contract names them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from capacity.programme import Programme
from capacity.scheme import Scheme


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def scheme_public(scheme: Scheme) -> dict[str, Any]:
    planned = scheme.planned_beds_equivalent
    return {
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
        "code": programme.code,
        "icb_code": programme.icb_code,
        "icb_name": programme.icb_name,
        "region_code": programme.region_code,
        "winter": programme.winter,
        "period_start": programme.period_start.isoformat(),
        "period_end": programme.period_end.isoformat(),
        "bed_target": programme.bed_target,
        "allocations": {s: money(v) for s, v in programme.allocations.items()},
    }
