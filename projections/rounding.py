"""Rounding that keeps figures adding up (docs/rules.md §15).

A column of rounded figures need not add to its rounded total (three thirds of £50,000 are
£16,666.67 each, £50,000.01 together). Where rounded parts must add to a whole (a spend
profile to its allocation, the exact cells of a workbook to their total) the whole is
apportioned by largest remainder; where parts are shown rounded beside a total rounded on its
own, a rounding note says so. A percentage beside a RAG is shown to the precision at which it
falls in the same band as the exact ratio the RAG was decided on.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

EXACT = Decimal("1E-10")  # the workbook's exact cells: far below any figure shown


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


def adds_up(parts: list[Decimal], whole: Decimal, step: Decimal) -> bool:
    """Whether parts shown rounded to ``step`` add to the whole shown rounded to ``step``."""
    return sum((p.quantize(step) for p in parts), Decimal(0)) == whole.quantize(step)


def band(pct: Decimal, green: Decimal, amber: Decimal) -> str:
    ratio = pct / 100
    return "green" if ratio >= green else "amber" if ratio >= amber else "red"


def pct_for_rag(ratio: Decimal, green: Decimal, amber: Decimal) -> Decimal:
    """``ratio`` as a percentage to one decimal, or more where one decimal would cross a RAG
    threshold (69.96% is shown 69.96, never 70.0, beside a red); truncated past four."""
    exact = ratio * 100
    wanted = band(exact, green, amber)
    for places in range(1, 5):
        shown = exact.quantize(Decimal(1).scaleb(-places))
        if band(shown, green, amber) == wanted:
            return shown
    return exact.quantize(Decimal("0.0001"), rounding=ROUND_FLOOR)
