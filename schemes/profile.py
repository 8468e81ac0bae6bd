"""A scheme's spend profile (docs/rules.md §7): its allocation in a straight line over the
months from its planned start month to the end of the winter.

One rule for both sides: the views show spend against it, and recording spend more than a set
share above the month's profile asks for a confirming comment (docs/rules.md §13a).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from schemes.months import YearMonth, months_in_period
from schemes.pennies import even_split

ZERO = Decimal(0)


def profile_months(
    period_start: date, period_end: date, planned_start: date | None
) -> list[YearMonth]:
    """The months a scheme's allocation is spread over: from its planned start month (the
    whole period without one; the last month when it starts after the period)."""
    months = months_in_period(period_start, period_end)
    if planned_start is not None:
        start = YearMonth.of(planned_start)
        months = [m for m in months if m >= start] or months[-1:]
    return months


def straight_line(
    months: list[YearMonth],
    allocation_gbp: Decimal,
    diversions: Iterable[tuple[date, Decimal]],
    as_of: date,
) -> dict[YearMonth, Decimal]:
    """The profile of each month, to the penny (the odd pennies in the earliest months), so the
    months add to the allocation. ``diversions``: (decided on, signed amount) of the money
    diverted in and out; one decided by ``as_of`` re-profiles what is left from its own month
    on, and earlier months keep theirs."""
    changes = [(YearMonth.of(d), a) for d, a in diversions if d <= as_of]
    profile: dict[YearMonth, Decimal] = {}
    profiled = ZERO
    for n, month in enumerate(months):
        allocation = allocation_gbp + sum((a for m, a in changes if m <= month), ZERO)
        profile[month] = even_split(allocation - profiled, len(months) - n)[0]
        profiled += profile[month]
    return profile
