"""Small shared writers of figures: beds-equivalent to two decimals, money to exact pence.

The monthly return itself is ``projections/return_document.py``."""

from __future__ import annotations

from decimal import Decimal

from projections.arithmetic import money


def beds(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01")))


def gbp(value: Decimal) -> str:
    return f"{money(value):.2f}"
