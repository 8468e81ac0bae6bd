"""Winters side by side: an ICB's programmes (one a winter, e.g. QM7-2022-23 and QM7-2023-24)
and each winter month's delivered beds-equivalent against that winter's bed target, M7 October
to M12 March, so the board compares a month with the same month of another winter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from capacity.errors import ProgrammeNotFound
from projections.arithmetic import rag
from projections.db import ViewDatabase
from projections.queries.programmes import open_programmes
from projections.readmodel import ReadModel
from projections.shapes import MonthName, Winter, WinterMonth, Winters
from schemes.months import YearMonth, financial_month_label, window_days
from schemes.rules import InputRefused

# Financial months M7 (October) to M12 (March): the months a winter programme runs.
WINTER_MONTHS = ((10, 0), (11, 0), (12, 0), (1, 1), (2, 1), (3, 1))


@dataclass(frozen=True)
class ProgrammeInfo:
    code: str
    icb_code: str
    icb_name: str
    winter: str
    period_start: date
    period_end: date
    bed_target: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "programme": self.code,
            "icb_code": self.icb_code,
            "winter": self.winter,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "bed_target": self.bed_target,
        }


def programmes(views: ViewDatabase, known_at: int | None = None) -> list[ProgrammeInfo]:
    """Every programme open (as known at a position), by ICB, then winter."""
    rows = open_programmes(views, known_at)
    found = []
    for code, data in rows:
        p = orjson.loads(data)
        found.append(
            ProgrammeInfo(
                code=str(code),
                icb_code=p["icb_code"],
                icb_name=p["icb_name"],
                winter=p["winter"],
                period_start=date.fromisoformat(p["period_start"]),
                period_end=date.fromisoformat(p["period_end"]),
                bed_target=int(p["bed_target"]),
            )
        )
    return sorted(found, key=lambda p: (p.icb_code, p.period_start, p.code))


def default_programme(
    views: ViewDatabase, today: date, allowed: Callable[[str], bool] = lambda _: True
) -> str | None:
    """The programme a page shows when none is asked for: of those the reader may act in, the
    winter running today, else the latest one already started, else the earliest."""
    mine = [p for p in programmes(views) if allowed(p.code)]
    if not mine:
        return None
    running = [p for p in mine if p.period_start <= today <= p.period_end]
    started = [p for p in mine if p.period_start <= today]
    chosen = running or started
    return (chosen[-1] if chosen else min(mine, key=lambda p: p.period_start)).code


def winter_months(start: date) -> list[YearMonth]:
    """M7 to M12 of the financial year a winter starting on ``start`` belongs to."""
    year = start.year if start.month >= 4 else start.year - 1
    return [YearMonth(year + later, month) for month, later in WINTER_MONTHS]


def _month(
    read: ReadModel, p: ProgrammeInfo, ym: YearMonth, day: date, known_at: int | None
) -> WinterMonth:
    window = window_days(ym, p.period_start, p.period_end, day)
    row = WinterMonth(
        month=str(ym),
        financial_month=financial_month_label(ym),
        window_days=len(window),
        days_in_month=len(ym.days()),
        bed_target=p.bed_target,
        delivered_beds_equivalent=None,
        planned_beds_equivalent=None,
        delivered_pct_of_target=None,
        delivered_pct_of_plan=None,
        delivery_rag=None,
    )
    if not window:  # not started yet (as of the day), or outside the programme's period
        return row
    found = read.delivery_month(p.code, str(ym), day, known_at)
    delivered = Decimal(str(found.delivered_beds_equivalent))
    planned = Decimal(str(found.planned_beds_equivalent))
    share = delivered * 100 / p.bed_target if p.bed_target else None
    return row.model_copy(
        update={
            "delivered_beds_equivalent": found.delivered_beds_equivalent,
            "planned_beds_equivalent": found.planned_beds_equivalent,
            "delivered_pct_of_target": (
                None if share is None else float(share.quantize(Decimal("0.1")))
            ),
            "delivered_pct_of_plan": found.delivered_pct_of_plan,
            "delivery_rag": rag(delivered, planned, "reported"),
        }
    )


def compare_winters(
    read: ReadModel, programme: str, as_of: date | None = None, known_at: int | None = None
) -> Winters:
    """Every winter of ``programme``'s ICB, month by month (M7 … M12): delivered against the
    winter's bed target, each month as of ``as_of`` (default today) and known at a position."""
    head = read.head()
    if known_at is not None and not 0 <= known_at <= head:
        raise InputRefused("known_at", f"must be between 0 and {head} (views have reached it)")
    found = {p.code: p for p in programmes(read.views, known_at)}
    chosen = found.get(programme)
    if chosen is None:
        raise ProgrammeNotFound(f"unknown programme '{programme[:40]}'", field="programme")
    day = as_of or read.today()
    winters = [p for p in found.values() if p.icb_code == chosen.icb_code]
    return Winters(
        programme=programme,
        icb_code=chosen.icb_code,
        icb_name=chosen.icb_name,
        as_of=day.isoformat(),
        known_at=head if known_at is None else known_at,
        months=[
            MonthName(financial_month=financial_month_label(ym), name=f"{ym.first_day:%B}")
            for ym in winter_months(chosen.period_start)
        ],
        winters=[
            Winter(
                **p.as_dict(),
                months=[_month(read, p, ym, day, known_at) for ym in winter_months(p.period_start)],
            )
            for p in winters
        ],
    )
