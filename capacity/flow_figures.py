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
