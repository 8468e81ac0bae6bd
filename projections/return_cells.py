"""How each kind of cell of the return is written in its JSON form (docs/rules.md §12)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

PENNY, HUNDREDTH, TENTH = Decimal("0.01"), Decimal("0.01"), Decimal("0.1")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str


@dataclass(frozen=True)
class Section:
    key: str  # the JSON key and the CSV section name
    title: str  # the XLSX sheet and the HTML heading
    line: type
    columns: tuple[Column, ...]


def columns(line: type, spec: dict[str, tuple[str, str]]) -> tuple[Column, ...]:
    names = [f.name for f in fields(line)]
    assert names == list(spec), f"{line.__name__}: columns and fields differ"
    return tuple(Column(key, label, kind) for key, (label, kind) in spec.items())


def json_cell(kind: str, value: Any) -> Any:
    """A cell as it is written in the JSON form, the one the other formats are checked against."""
    if value is None:
        return None
    if kind == "money":
        return f"{Decimal(value).quantize(PENNY):.2f}"
    if kind == "beds":
        return float(Decimal(value).quantize(HUNDREDTH))
    if kind in ("pct", "avg"):
        return float(Decimal(value).quantize(TENTH))
    if kind == "ragpct":  # already to the precision its RAG needs (projections/rounding.py)
        return float(value)
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def gbp_text(value: Any) -> str:
    """Money for people to read: ``£1,234.56``, ``-£1,234.56``."""
    amount = Decimal(str(value)).quantize(PENNY)
    return f"{'-' if amount < 0 else ''}£{abs(amount):,.2f}"


def kpi_target(target: Any, kind: str) -> str:
    """A KPI's target as text: a number (exact pence for money), its words, or TBC."""
    if target is None or (isinstance(target, str) and not target.strip()):
        return "TBC"
    try:
        number = Decimal(str(target))
    except InvalidOperation:
        return str(target)
    return kpi_value(number, kind) or "TBC"


def kpi_value(value: Decimal | date | None, kind: str) -> str | None:
    """A KPI's month value as exact text: pence for money, ISO for dates, else a plain number
    to two decimals at most (5,525,000 is ``5525000``, never ``5.525e+06``)."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if kind == "money":
        return f"{value.quantize(PENNY):.2f}"
    rounded = value.quantize(HUNDREDTH)
    return f"{rounded.normalize():f}" if rounded != 0 else "0"
