"""An acute site's flow on one day: the one value object, checked once.

The API builds it from JSON and the application checks it with :meth:`FlowFigures.clean`; the
events that store it inherit its fields (see ``capacity/site.py``), and the view and the API's
request model read the field list from the dataclass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from capacity.figures import clean_discharges, given
from capacity.values import PATHWAYS
from schemes.rules import MAX_BEDS, InputRefused, check_count


@dataclass(frozen=True)
class FlowFigures:
    """Beds open (core and escalation) and occupied, patients no longer meeting the criteria to
    reside (NCTR), those discharged and those discharged by 17:00, and discharges by pathway.
    The order of the fields is the order they are stored and checked in."""

    core_beds_open: int
    escalation_beds_open: int
    beds_occupied: int
    nctr: int
    nctr_discharged: int
    nctr_discharged_by_5pm: int
    discharges: dict[str, int]

    @classmethod
    def clean(cls, raw: Mapping[str, Any]) -> FlowFigures:
        """Every count is required; raises ``InputRefused`` naming the field."""
        counts: dict[str, int] = {}
        for name in COUNTS:
            if not given(raw, name):
                raise InputRefused(name, "is required")
            counts[name] = check_count(name, raw[name], MAX_BEDS)
        discharges = clean_discharges("discharges", raw.get("discharges")) or {}
        if counts["nctr_discharged_by_5pm"] > counts["nctr_discharged"]:
            raise InputRefused(
                "nctr_discharged_by_5pm", "cannot exceed nctr_discharged (discharged at any time)"
            )
        return cls(**counts, discharges=discharges)

    def as_dict(self) -> dict[str, Any]:
        """The figures by name (an event carrying them answers this too)."""
        return {name: getattr(self, name) for name in NAMES}


NAMES: tuple[str, ...] = tuple(f.name for f in fields(FlowFigures))
# The counts (every field typed ``int``): required, each at most MAX_BEDS.
COUNTS: tuple[str, ...] = tuple(f.name for f in fields(FlowFigures) if f.type == "int")

# How pages name each count (the entry form's labels, the history's sentences); a count added
# to the dataclass needs its label here (a unit test checks every count has one).
LABELS: dict[str, str] = {
    "core_beds_open": "G&A core beds open",
    "escalation_beds_open": "G&A escalation beds open",
    "beds_occupied": "G&A beds occupied",
    "nctr": "Patients not meeting the criteria to reside",
    "nctr_discharged": "Of those, discharged today",
    "nctr_discharged_by_5pm": "Of those, discharged by 17:00",
}
PATHWAY_LABELS: dict[str, str] = {
    "p0": "Discharges on pathway 0 (home, no new support)",
    "p1": "Discharges on pathway 1 (home with support)",
    "p2": "Discharges on pathway 2 (bedded rehabilitation)",
    "p3": "Discharges on pathway 3 (care home)",
}


def form_cells() -> tuple[tuple[str, str], ...]:
    """The entry form's boxes, in the dataclass's order: (cell name, label); the discharges
    figure is a box per pathway (``discharges_p0`` ...)."""
    cells = [(name, LABELS[name]) for name in COUNTS]
    cells += [(f"discharges_{p}", PATHWAY_LABELS[p]) for p in PATHWAYS]
    return tuple(cells)


def from_cells(values: Mapping[str, str]) -> dict[str, Any]:
    """A form's flat boxes as the raw shape :meth:`FlowFigures.clean` checks."""
    raw: dict[str, Any] = {name: values.get(name, "").strip() for name in COUNTS}
    raw = {k: v for k, v in raw.items() if v}
    found = {p: values.get(f"discharges_{p}", "").strip() for p in PATHWAYS}
    raw["discharges"] = {p: v for p, v in found.items() if v}
    return raw


def to_cells(figures: Mapping[str, Any]) -> dict[str, str]:
    """Stored figures (``as_dict``) spelt as the form's boxes."""
    cells = {name: str(figures.get(name, "")) for name in COUNTS}
    for p in PATHWAYS:
        got = (figures.get("discharges") or {}).get(p)
        cells[f"discharges_{p}"] = "" if got is None else str(got)
    return cells


def cell_of(field: str) -> str:
    """The form box a refusal's field names (``discharges.p1`` is ``discharges_p1``)."""
    return field.replace(".", "_")
