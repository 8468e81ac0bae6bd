"""The scheme catalogue format (pydantic-validated) and the built-in catalogues: HWE 2022/23
(from the ICB's board papers) and an illustrative, synthetic HWE 2023/24 for a second winter.

Also reads the reference catalogue shape (``id``, ``funding``, ``beds_equivalent_per_day``,
``other_kpis``) and maps it onto ours.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemes.rules import InputRefused, kpi_type
from schemes.specs import Category, Measure, Place
from schemes.specs import FundingStream as Stream

BUILT_IN = {
    "hwe-2022-23": "hwe-2022-23.json",
    # Made up, to show two winters side by side: not NHS England's or the ICB's figures.
    "hwe-2023-24": "hwe-2023-24-illustrative.json",
}


# Annotations of the source ("(sic)", "(Appendix: ...)") belong in a scheme's notes
ANNOTATION = re.compile(r"\((sic|appendix\b[^)]*)\)", re.IGNORECASE)


class Kpi(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name: str = Field(min_length=1, max_length=300)
    unit: str = "count"
    type: Literal["count", "hours", "percent", "money", "date"] | None = None
    target: Decimal | str | None = None
    aggregation: Literal["sum", "mean", "latest"] = "latest"

    @model_validator(mode="after")
    def _typed(self) -> Kpi:
        """Every KPI has a type; one not given is read from its unit (``gbp`` is money)."""
        if self.type is None:
            self.type = kpi_type({"unit": self.unit})  # type: ignore[assignment]
        if self.type == "date" and self.aggregation != "latest":
            raise ValueError("a date KPI (a milestone) can only report its latest value")
        return self


class CatalogueScheme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1, max_length=300)
    category: Category
    place: Place
    provider: str | None = None
    funding_stream: Stream
    allocation_gbp: Decimal = Field(ge=0, le=100_000_000, decimal_places=2)
    measure: Measure
    planned_beds_equivalent: Decimal | None = Field(default=None, ge=0, le=2000)
    place_split: dict[Place, Decimal] | None = None
    counts_toward_target: bool = False
    planned_start: date | None = None
    kpis: list[Kpi] = Field(default_factory=list)
    lead: str | None = None
    notes: str = ""
    source_lines: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CatalogueScheme:
        if ANNOTATION.search(self.name):
            raise ValueError(
                "name carries an annotation ('(sic)', '(Appendix: ...)'): put it in notes, "
                "so it never reaches a return"
            )
        if self.measure == "none" and self.planned_beds_equivalent is not None:
            raise ValueError("measure 'none' cannot plan beds-equivalent")
        if self.counts_toward_target and self.planned_beds_equivalent is None:
            raise ValueError("counts_toward_target needs planned_beds_equivalent")
        if self.place_split is not None and sum(self.place_split.values()) != (
            self.planned_beds_equivalent or 0
        ):
            raise ValueError("place_split must add up to planned_beds_equivalent")
        if len({k.code for k in self.kpis}) != len(self.kpis):
            raise ValueError("KPI codes must be unique within a scheme")
        return self


class ProgrammeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    icb_code: str
    icb_name: str
    region_code: str
    winter: str
    period_start: date
    period_end: date
    bed_target: int = Field(ge=0)
    allocations: dict[Stream, Decimal]


class Reading(BaseModel):
    """How the catalogue reads its source where the source is silent or contradicts itself,
    with the source lines it reads (listed on "About these numbers")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic: str = Field(min_length=1, max_length=100)
    reading: str = Field(min_length=1, max_length=2000)
    source: str = Field(min_length=1, max_length=200)


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(default="", max_length=2000)
    programme: ProgrammeSpec | None = None
    readings: list[Reading] = Field(default_factory=list)
    schemes: list[CatalogueScheme]

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        codes = [s.code for s in self.schemes]
        if len(set(codes)) != len(codes):
            raise ValueError("scheme codes must be unique")
        return self

    def planned_toward_target(self) -> Decimal:
        return sum(
            (
                s.planned_beds_equivalent or Decimal(0)
                for s in self.schemes
                if s.counts_toward_target
            ),
            Decimal(0),
        )

    def allocation_by_stream(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for s in self.schemes:
            totals[s.funding_stream] = totals.get(s.funding_stream, Decimal(0)) + s.allocation_gbp
        return totals


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "kpi"


def _from_reference(entries: list[dict[str, Any]]) -> dict[str, Any]:
    schemes = []
    for entry in entries:
        beds = entry.get("beds_equivalent_per_day")
        kpis: list[dict[str, Any]] = []
        seen: set[str] = set()
        for kpi in entry.get("other_kpis") or []:
            code = _slug(str(kpi["name"]))
            while code in seen:
                code = f"{code[:37]}_{len(seen)}"
            seen.add(code)
            kpis.append({"code": code, "name": kpi["name"], "target": kpi.get("target")})
        schemes.append(
            {
                "code": entry["id"],
                "name": entry["name"],
                "category": entry["category"],
                "place": entry["place"],
                "provider": entry.get("provider"),
                "funding_stream": entry["funding"],
                "allocation_gbp": entry["allocation_gbp"],
                "measure": "reported" if beds is not None else "none",
                "planned_beds_equivalent": beds,
                "counts_toward_target": beds is not None,
                "planned_start": entry.get("planned_start"),
                "kpis": kpis,
                "notes": entry.get("notes", ""),
                "source_lines": entry.get("source_lines", []),
            }
        )
    return {"schemes": schemes}


def parse_catalogue(data: Any) -> Catalogue:
    if isinstance(data, list):
        data = _from_reference(data)
    try:
        return Catalogue.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "catalogue"
        raise InputRefused(field, first["msg"]) from None


def readings_for(programme: str) -> list[Reading]:
    """The readings of the built-in catalogue that opens ``programme`` (none for others)."""
    for name in BUILT_IN:
        found = load_catalogue(name)
        if found.programme is not None and found.programme.code == programme:
            return list(found.readings)
    return []


def load_catalogue(source: str | Path) -> Catalogue:
    """``hwe-2022-23`` or ``hwe-2023-24`` (illustrative) loads a built-in catalogue; anything
    else is a JSON file path."""
    if isinstance(source, str) and source in BUILT_IN:
        text = resources.files("schemes").joinpath("data", BUILT_IN[source]).read_text("utf-8")
    else:
        path = Path(source)
        if not path.is_file():
            raise InputRefused("catalogue", f"no such file or built-in catalogue: {source}")
        text = path.read_text("utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputRefused("catalogue", f"not valid JSON: {error}") from None
    return parse_catalogue(data)
