"""When a month's return is due at the region, and whether a submission was on time.

docs/rules.md §14: the return for month *m* is due, by the region's rule, on the *n*-th working
day of the month after *m* (by default the 10th; working days are Monday to Friday, skipping
England's bank holidays from the ``holidays`` package, which carries one-off days such as
19 September 2022 and 8 May 2023), or at the end of that month.
A first submission received after the end of that day, London time, is ``late``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

from schemes.months import YearMonth

LONDON = ZoneInfo("Europe/London")
Status = Literal["submitted", "resubmitted", "late", "missing"]


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in a year (substitute days included)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_day_of_month(month: YearMonth, n: int) -> date:
    """The n-th working day of a month (n from 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day, seen = month.first_day, 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


def deadline(month: YearMonth, working_day: int = 10, rule: str = "working_day") -> date:
    """The day the return for ``month`` is due: by the rule ``working_day``, the n-th working
    day of the following month; by ``month_end``, the end of the following month (the source's
    "at the end of each month", read as the first month-end after the month has closed)."""
    if rule == "month_end":
        return month.next().last_day
    return working_day_of_month(month.next(), working_day)


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def status(first_received: datetime | None, revisions: int, due: date) -> Status:
    """missing (nothing received), late (first submission after the due day), resubmitted
    (on time, then restated), or submitted."""
    if first_received is None or revisions == 0:
        return "missing"
    if london_day(first_received) > due:
        return "late"
    return "resubmitted" if revisions > 1 else "submitted"
