"""A scheme-day's figures and a site-day's flow as the views hold them, read back into the
write side's value objects (``capacity/daily_figures.py``, ``capacity/flow_figures.py``): the read
side follows the same fields the write side checks, with a daily correction's reason, or the
comment confirming figures that looked wrong, beside them.

The view stores each figure as JSON (``projections/views/figures.py``: Decimals as exact
strings, dates as ISO dates); each kind is read back by the figure table, never a field list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from capacity.daily_figures import FIELDS, DailyFigures, Kind
from capacity.flow_figures import COUNTS as FLOW_COUNTS
from capacity.flow_figures import FlowFigures

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ReportedDay(DailyFigures):
    """The figures standing for a day; ``reason`` when they are a correction."""

    reason: str | None = None
    confirm_comment: str | None = None


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _kpi(value: Any) -> Decimal | date:
    """A milestone KPI was stored as its ISO date; every other KPI as a number."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return date.fromisoformat(value)
    return Decimal(str(value))


_READ: dict[Kind, Callable[[Any], Any]] = {
    "beds_equivalent": _decimal,
    "hours": _decimal,
    "count": lambda v: None if v is None else int(v),
    "text": lambda v: None if v is None else str(v),
    "pathways": lambda v: None if v is None else {str(p): int(n) for p, n in v.items()},
    "kpis": lambda v: {str(code): _kpi(x) for code, x in (v or {}).items()},
}


def reported_day(stored: dict[str, Any]) -> ReportedDay:
    """The figures of one ``v_daily`` row's JSON."""
    figures = {f.name: _READ[f.kind](stored.get(f.name)) for f in FIELDS}
    return ReportedDay(
        **figures, reason=stored.get("reason"), confirm_comment=stored.get("confirm_comment")
    )


def reported_flow(stored: dict[str, Any]) -> FlowFigures:
    """A site-day's flow from one ``v_flow`` row's JSON: its counts and discharges by pathway."""
    discharges = stored.get("discharges") or {}
    return FlowFigures(
        **{name: int(stored[name]) for name in FLOW_COUNTS},
        discharges={str(p): int(n) for p, n in discharges.items()},
    )
