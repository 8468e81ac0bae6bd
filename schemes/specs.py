"""A programme and a scheme as they are opened and registered: the one list of their fields.

Every channel fills the same fields: the API's ``ProgrammeCreate`` and ``SchemeCreate``, the
catalogue's ``ProgrammeSpec`` and ``CatalogueScheme`` (each adds its own limits and checks);
``ProgrammeOpened`` and ``SchemeRegistered`` inherit them, so the stored shape is this one, in
this order; the views copy them by these names. ``tests/unit/test_specs.py`` holds the
channels to it. A field is added here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Literal

Category = Literal["acute", "community", "mental_health", "voluntary"]
Place = Literal["ENH", "SW", "WE", "HERTS", "HWE"]
FundingStream = Literal["capital", "revenue", "virtual_ward"]
Measure = Literal["beds_open", "reported", "none"]


@dataclass(frozen=True)
class ProgrammeFields:
    """One ICB's winter as it is opened."""

    code: str
    icb_code: str
    icb_name: str
    region_code: str
    winter: str
    period_start: date
    period_end: date
    bed_target: int
    allocations: dict[str, Decimal]


@dataclass(frozen=True)
class SchemeFields:
    """A scheme as it is registered (KPIs as plain dicts: code, name, unit, type, target,
    aggregation)."""

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


PROGRAMME_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ProgrammeFields))
SCHEME_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(SchemeFields))
