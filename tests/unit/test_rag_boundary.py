"""RAG at its boundaries: a scheme that delivers exactly 90 % (or 70 %) of its plan is green (or
amber), whatever day of the month it starts and whatever it plans (docs/rules.md §4)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from projections.arithmetic import scheme_month
from projections.facts import ProgrammeFacts, SchemeFacts
from projections.reported_day import reported_day
from schemes.months import YearMonth

NOVEMBER = YearMonth(2022, 11)


def facts(start: date, planned: int, share: Decimal) -> tuple[ProgrammeFacts, SchemeFacts]:
    scheme = SchemeFacts(
        code="s",
        name="S",
        category="community",
        place="WE",
        provider=None,
        funding_stream="revenue",
        allocation_gbp=Decimal("100000"),
        measure="reported",
        planned_beds_equivalent=Decimal(planned),
        place_split=None,
        counts_toward_target=True,
        planned_start=start,
        kpis=[],
        lead=None,
        narrative="",
        went_live_on=start,
        status_changes=[(start, "active")],
    )
    day = start
    while day <= date(2022, 11, 30):
        scheme.daily[day] = reported_day({"beds_equivalent": Decimal(planned) * share})
        day += timedelta(days=1)
    programme = ProgrammeFacts(
        code="P",
        icb_code="QM7",
        icb_name="HWE",
        region_code="Y61",
        winter="2022/23",
        period_start=date(2022, 10, 1),
        period_end=date(2023, 3, 31),
        bed_target=141,
        allocations={"revenue": Decimal("100000")},
        known_at=1,
        schemes={"s": scheme},
    )
    return programme, scheme


@pytest.mark.parametrize(("share", "expected"), [("0.9", "green"), ("0.7", "amber")])
def test_exactly_at_a_threshold_every_start_day_and_plan(share: str, expected: str) -> None:
    wrong = []
    for start_day in range(1, 31):
        for planned in range(2, 26):
            programme, scheme = facts(date(2022, 11, start_day), planned, Decimal(share))
            month = scheme_month(programme, scheme, NOVEMBER, date(2022, 11, 30))
            if month.rag != expected:
                wrong.append((start_day, planned, month.rag))
    assert wrong == [], f"{len(wrong)} of 720 combinations rated wrongly"


def test_just_below_a_threshold_is_the_next_colour_down() -> None:
    programme, scheme = facts(date(2022, 11, 16), 10, Decimal("0.899"))
    assert scheme_month(programme, scheme, NOVEMBER, date(2022, 11, 30)).rag == "amber"
