"""The working behind a figure, as JSON: the same explanations the pages show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DashboardReader, Reads
from api.errors import ERROR_RESPONSES
from api.responses import (
    CountedWorking,
    ExplainDay,
    ExplainDelivery,
    ExplainSpend,
    ExplainSpendMonth,
    ExplainSystem,
    NotCountedWorking,
)
from api.responses import Trail as TrailEntry
from capacity.errors import SchemeNotFound
from projections.explain import Trail, explain_delivery, explain_spend, explain_system
from projections.facts import ProgrammeFacts
from projections.readmodel import ReadModel
from projections.returns import gbp
from schemes.months import YearMonth
from schemes.rules import InputRefused

router = APIRouter(
    prefix="/api/v1/programmes/{programme}/explain", tags=["board"], responses=ERROR_RESPONSES
)
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", examples=["2022-11"])]
AsOf = Annotated[date | None, Query(description="Valid date (default today)")]


def _exact(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _trail(trail: list[Trail]) -> list[TrailEntry]:
    return [TrailEntry(position=t.position, recorded_at=t.recorded_at, said=t.said) for t in trail]


def _facts(read: ReadModel, programme: str, month: str, scheme: str | None) -> ProgrammeFacts:
    p = read.facts(programme)
    ym = YearMonth.parse(month)
    if not (YearMonth.of(p.period_start) <= ym <= YearMonth.of(p.period_end)):
        raise InputRefused("month", f"{ym} is outside the programme period")
    if scheme is not None and scheme not in p.schemes:
        raise SchemeNotFound(f"unknown scheme '{scheme}'", field="scheme")
    return p


@router.get("/delivery", response_model=ExplainSystem)
def system_total(
    programme: str, user: DashboardReader, read: Reads, month: Month, as_of: AsOf = None
) -> ExplainSystem:
    """A month's system total: each counted scheme's daily average, summed."""
    day = as_of or read.today()
    w = explain_system(
        _facts(read, programme, month, None), YearMonth.parse(month), day, read.through(day)
    )
    return ExplainSystem(
        month=str(w.month),
        as_of=w.as_of.isoformat(),
        known_at=w.known_at,
        bed_target=w.bed_target,
        planned_beds_equivalent=_exact(w.planned),
        delivered_beds_equivalent=_exact(w.delivered),
        counted=[
            CountedWorking(
                scheme_code=m.code, planned=_exact(m.planned), delivered=_exact(m.delivered)
            )
            for m in w.counted
        ],
        not_counted=[
            NotCountedWorking(scheme_code=m.code, delivered=_exact(m.delivered))
            for m in w.not_counted
        ],
    )


@router.get("/schemes/{scheme}/delivery", response_model=ExplainDelivery)
def scheme_delivery(
    programme: str,
    scheme: str,
    user: DashboardReader,
    read: Reads,
    month: Month,
    as_of: AsOf = None,
) -> ExplainDelivery:
    """A scheme's month, day by day, with the reports and corrections behind each day."""
    p = _facts(read, programme, month, scheme)
    day = as_of or read.today()
    w = explain_delivery(read.views, p, scheme, YearMonth.parse(month), day, read.through(day))
    return ExplainDelivery(
        scheme_code=scheme,
        month=str(w.month),
        as_of=w.as_of.isoformat(),
        known_at=w.known_at,
        window_days=w.result.window_days,
        planned_sum=_exact(w.planned_sum),
        delivered_sum=_exact(w.delivered_sum),
        planned_beds_equivalent=_exact(w.result.planned),
        delivered_beds_equivalent=_exact(w.result.delivered),
        rag=w.result.rag,
        days_reported=w.result.days_reported,
        completeness=_exact(w.result.completeness),
        days=[
            ExplainDay(
                date=d.day.isoformat(),
                status=d.status,
                planned=_exact(d.planned),
                delivered=_exact(d.delivered),
                how=d.how,
                events=_trail(d.trail),
            )
            for d in w.days
        ],
        bed_changes=_trail(w.bed_changes),
        status_changes=_trail(w.status_changes),
    )


@router.get("/schemes/{scheme}/spend", response_model=ExplainSpend)
def scheme_spend(
    programme: str,
    scheme: str,
    user: DashboardReader,
    read: Reads,
    month: Month,
    as_of: AsOf = None,
) -> ExplainSpend:
    """Spend and profile month by month to the month asked for, with the entries behind them."""
    p = _facts(read, programme, month, scheme)
    w = explain_spend(read.views, p, scheme, YearMonth.parse(month), as_of or read.today())
    return ExplainSpend(
        scheme_code=scheme,
        month=str(w.month),
        known_at=w.known_at,
        spend_to_date_gbp=gbp(w.spend_to_date),
        profile_to_date_gbp=gbp(w.profile_to_date),
        variance_gbp=gbp(w.result.variance),
        allocation_gbp=gbp(w.result.allocation),
        months=[
            ExplainSpendMonth(
                month=str(m.month),
                spend_gbp=gbp(m.spend),
                profile_gbp=gbp(m.profile),
                events=_trail(m.trail),
            )
            for m in w.months
        ],
    )
