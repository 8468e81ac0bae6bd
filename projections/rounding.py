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

# the split to the penny lives below the read side: the write side needs it too
from schemes.pennies import apportion, even_split

__all__ = ["EXACT", "adds_up", "apportion", "band", "even_split", "pct_for_rag"]

EXACT = Decimal("1E-10")  # the workbook's exact cells: far below any figure shown


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
