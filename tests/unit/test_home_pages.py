"""What each role's home page starts from: a lead's schemes and what they owe at 10:00 and at
11:30, the days missing this month; finance's month due and the spend still to enter."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from capacity.commands import ChangeStatus, MobiliseScheme, RecordSpend, ReportDaily
from projections.home import finance_home, lead_home, month_due
from schemes.months import YearMonth
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import World, make_world

MONDAY = date(2023, 1, 16)


def _world() -> World:
    world = make_world(MONDAY)
    for code in ("ward-a", "ward-b", "ward-c"):
        world.scheme(code, planned_start=date(2022, 11, 1))
    world.scheme("beds", "beds_open", planned_start=date(2022, 11, 1))
    world.scheme("late", planned_start=date(2023, 2, 1))
    for code in ("ward-a", "ward-b", "ward-c", "beds"):
        world.app.run_command(
            MobiliseScheme(actor=ADMIN, programme=P, scheme=code, went_live_on="2023-01-10")
        )
    world.app.run_command(
        ChangeStatus(
            actor=ADMIN,
            programme=P,
            scheme="ward-c",
            action="pause",
            on="2023-01-14",
            reason="staffing",
        )
    )
    for day in range(10, 16):
        if day != 12:
            world.app.run_command(
                ReportDaily(
                    actor=ADMIN,
                    programme=P,
                    scheme="ward-a",
                    figures={"date": f"2023-01-{day:02d}", "beds_equivalent": 5},
                )
            )
    world.app.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="ward-b",
            figures={"date": "2023-01-13", "beds_equivalent": 5},
        )
    )
    world.app.run_command(
        RecordSpend(
            actor=ADMIN,
            programme=P,
            scheme="ward-a",
            month="2022-12",
            amount_gbp="1000.00",
            basis="actual",
        )
    )
    world.catch_up()
    return world


def test_a_leads_schemes_say_what_is_owed_before_and_after_eleven() -> None:
    world = _world()
    facts = world.read.facts(P)
    codes = ["ward-a", "ward-b", "ward-c", "beds", "late"]

    morning = lead_home(facts, codes, MONDAY, time(10, 0))
    state = {s.code: s.state for s in morning.schemes}
    assert state == {
        "ward-a": "reported",
        "ward-b": "due",
        "ward-c": "paused",
        "beds": "from_beds",
        "late": "not_live",
    }
    assert morning.owed == 1 and morning.day == date(2023, 1, 15)
    assert morning.schemes[0].code == "ward-b"  # what is owed comes first

    late = lead_home(facts, codes, MONDAY, time(11, 30))
    assert {s.code: s.state for s in late.schemes}["ward-b"] == "overdue"

    missing = {s.code: [d.day for d in s.missing] for s in morning.schemes}
    assert missing["ward-a"] == [12]
    assert missing["ward-b"] == [10, 11, 12, 14, 15]  # paused days are not owed
    assert missing["ward-c"] == [10, 11, 12, 13]
    assert missing["beds"] == [] and missing["late"] == []


def test_finance_sees_the_month_due_and_the_spend_still_to_enter() -> None:
    world = _world()
    home = finance_home(world.read.facts(P), MONDAY)
    assert home.month == YearMonth(2022, 12) and home.financial_month == "M9"
    assert home.deadline == date(2023, 1, 16)  # the 10th working day of January 2023
    owed = [s.code for s in home.spend_owed]
    assert "ward-a" not in owed and "late" not in owed  # spent; not started by December
    assert owed == ["beds", "ward-b", "ward-c"]
    assert all(s.allocation_gbp == Decimal("120000.00") for s in home.spend_owed)


def test_the_month_due_stays_inside_the_winter() -> None:
    facts = _world().read.facts(P)
    assert month_due(facts, date(2022, 10, 20)) is None  # October has not ended
    assert month_due(facts, date(2022, 11, 1)) == YearMonth(2022, 10)
    assert month_due(facts, date(2023, 6, 1)) == YearMonth(2023, 3)
