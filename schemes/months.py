"""NHS financial months: M1 = April ... M7 = October ... M12 = March; years labelled 2022/23."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from schemes.rules import InputRefused

MIN_YEAR, MAX_YEAR = 2000, 2099  # winters this tracker can hold; keeps date arithmetic safe


@dataclass(frozen=True, order=True)
class YearMonth:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, field: str = "month") -> YearMonth:
        parts = str(text).strip().split("-")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
            raise InputRefused(field, f"must be YYYY-MM, e.g. 2022-10 (got {str(text)[:20]!r})")
        year, month = int(parts[0]), int(parts[1])
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InputRefused(field, f"must be a month in {MIN_YEAR}-{MAX_YEAR} (got {text!r})")
        if not 1 <= month <= 12:
            raise InputRefused(field, f"must be YYYY-MM with a month 01-12 (got {text!r})")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> YearMonth:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.last_day.day)]

    def next(self) -> YearMonth:
        return YearMonth(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> YearMonth:
        return YearMonth(self.year - (self.month == 1), (self.month - 2) % 12 + 1)


def _ym(value: date | YearMonth) -> YearMonth:
    return value if isinstance(value, YearMonth) else YearMonth.of(value)


def financial_month(value: date | YearMonth) -> int:
    return (_ym(value).month - 4) % 12 + 1


def financial_month_label(value: date | YearMonth) -> str:
    return f"M{financial_month(value)}"


def financial_year(value: date | YearMonth) -> str:
    ym = _ym(value)
    start = ym.year if ym.month >= 4 else ym.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def months_in_period(start: date, end: date) -> list[YearMonth]:
    months: list[YearMonth] = []
    current, last = YearMonth.of(start), YearMonth.of(end)
    while current <= last:
        months.append(current)
        current = current.next()
    return months


def window_days(month: YearMonth, period_start: date, period_end: date, as_of: date) -> list[date]:
    """Days of the month inside the programme period and not after ``as_of``."""
    return [d for d in month.days() if period_start <= d <= period_end and d <= as_of]
