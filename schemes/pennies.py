"""Splitting money to the penny so that the parts add to the whole (docs/rules.md §15).

Here rather than in the read side because a rule on both sides needs it: the spend profile
(``schemes/profile.py``) is shown by the views and checked when spend is recorded.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal


def apportion(parts: list[Decimal], step: Decimal, whole: Decimal | None = None) -> list[Decimal]:
    """``parts`` rounded to ``step`` so that they add to ``whole`` (by default their own sum)
    rounded to ``step``: each is floored, and the steps left over go to the largest
    remainders (ties to the earlier part)."""
    target = (sum(parts, Decimal(0)) if whole is None else whole).quantize(step)
    floors = [p.quantize(step, rounding=ROUND_FLOOR) for p in parts]
    left = int((target - sum(floors, Decimal(0))) / step)
    order = sorted(range(len(parts)), key=lambda n: (-(parts[n] - floors[n]), n))
    for n in order[: max(left, 0)]:
        floors[n] += step
    return floors


def even_split(amount: Decimal, months: int, step: Decimal = Decimal("0.01")) -> list[Decimal]:
    """An amount in equal parts to the penny, the odd pennies in the earliest parts."""
    return apportion([amount / months] * months, step, amount)
