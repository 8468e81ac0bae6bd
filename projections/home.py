"""What each role's home page starts from: a lead's schemes and their reporting today, and the
finance team's month due (its spend still to enter and its return).

The sitrep for a day is due by 11:00 the next morning (docs/rules.md §5): on the morning of
``today`` a lead owes yesterday's figures, "due by 11:00" before then and "overdue" after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Literal

from projections.arithmetic import status_on
from projections.facts import ProgrammeFacts, SchemeFacts
from schemes.deadlines import deadline
from schemes.months import YearMonth, financial_month_label

DUE_BY = time(11, 0)
Reporting = Literal["reported", "due", "overdue", "not_live", "paused", "from_beds", "not_needed"]
REPORTING_TEXT: dict[str, str] = {
    "reported": "Reported",
    "due": "Due by 11:00",
    "overdue": "Overdue (was due by 11:00)",
    "not_live": "Not live yet",
    "paused": "Paused or closed",
    "from_beds": "Counted from beds open (occupancy optional)",
    "not_needed": "No daily figure needed",
}


@dataclass(frozen=True)
class SchemeToday:
    code: str
    name: str
    state: Reporting
    day: date  # the day whose figures are owed (yesterday)
    missing: tuple[date, ...]  # days of that month with no figures, oldest first

    @property
    def state_text(self) -> str:
        return REPORTING_TEXT[self.state]


@dataclass(frozen=True)
class LeadHome:
    programme: str
    day: date
    schemes: tuple[SchemeToday, ...]

    @property
    def owed(self) -> int:
        return sum(1 for s in self.schemes if s.state in ("due", "overdue"))


def _needs_daily(scheme: SchemeFacts) -> bool:
    return scheme.measure == "reported"


def _missing(p: ProgrammeFacts, scheme: SchemeFacts, day: date) -> tuple[date, ...]:
    """Days of ``day``'s month, up to ``day``, on which the live scheme owed figures and has
    none."""
    if scheme.went_live_on is None or not _needs_daily(scheme):
        return ()
    first = max(YearMonth.of(day).first_day, scheme.went_live_on, p.period_start)
    days = [first + timedelta(days=n) for n in range((day - first).days + 1)]
    return tuple(d for d in days if d not in scheme.daily and status_on(scheme, d) == "active")


def scheme_today(p: ProgrammeFacts, scheme: SchemeFacts, today: date, now: time) -> SchemeToday:
    day = today - timedelta(days=1)
    state: Reporting
    if scheme.measure == "beds_open":
        state = "from_beds"
    elif not _needs_daily(scheme):
        state = "not_needed"
    elif scheme.went_live_on is None or scheme.went_live_on > day:
        state = "not_live"
    elif status_on(scheme, day) != "active":
        state = "paused"
    elif day in scheme.daily:
        state = "reported"
    else:
        state = "due" if now < DUE_BY else "overdue"
    return SchemeToday(scheme.code, scheme.name, state, day, _missing(p, scheme, day))


def lead_home(p: ProgrammeFacts, codes: list[str], today: date, now: time) -> LeadHome:
    """The lead's schemes in this programme, those owing figures first."""
    order = {
        "overdue": 0,
        "due": 1,
        "reported": 2,
        "paused": 3,
        "not_live": 4,
        "from_beds": 5,
        "not_needed": 6,
    }
    found = [scheme_today(p, p.schemes[c], today, now) for c in codes if c in p.schemes]
    found.sort(key=lambda s: (order[s.state], s.name))
    return LeadHome(p.code, today - timedelta(days=1), tuple(found))


@dataclass(frozen=True)
class SpendOwed:
    code: str
    name: str
    funding_stream: str
    allocation_gbp: Decimal


@dataclass(frozen=True)
class FinanceHome:
    programme: str
    month: YearMonth | None  # the latest month ended inside the programme period
    deadline: date | None  # the day that month's return is due at the region
    spend_owed: tuple[SpendOwed, ...]  # schemes holding money with no spend for the month

    @property
    def financial_month(self) -> str:
        return financial_month_label(self.month) if self.month else ""


def month_due(p: ProgrammeFacts, today: date) -> YearMonth | None:
    """The latest month of the programme that has ended by ``today``."""
    last = YearMonth.of(today).previous()
    if last.last_day < p.period_start:
        return None
    end = YearMonth.of(p.period_end)
    return end if last.first_day > end.first_day else last


def finance_home(p: ProgrammeFacts, today: date) -> FinanceHome:
    month = month_due(p, today)
    if month is None:
        return FinanceHome(p.code, None, None, ())
    owed = tuple(
        SpendOwed(s.code, s.name, s.funding_stream, s.allocation_gbp)
        for s in sorted(p.schemes.values(), key=lambda s: s.name)
        if s.allocation_gbp > 0
        and (s.planned_start or p.period_start) <= month.last_day
        and str(month) not in s.spend
    )
    return FinanceHome(p.code, month, deadline(month), owed)
