"""The month's true figures on 16 January 2023, before anyone has reported that day
(docs/rules.md §1, §4, §10, §15): the month to date counts 1 to 15 January, today apart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from projections.arithmetic import system_daily
from projections.readings import dashboard_reading
from schemes.rules import InputRefused
from tests.support.world import World, make_world
from wintertrack.demo import generate_winter

P = "QM7-2022-23"


@pytest.fixture(scope="module")
def january() -> World:
    world = make_world(date(2023, 1, 16))
    generate_winter(world.app, P, date(2023, 1, 15))
    world.catch_up()
    return world


def test_month_to_date_on_16_january_is_the_figure_for_1_to_15_january(january: World) -> None:
    board = january.read.dashboard(P)
    days = system_daily(january.read.facts(P), date(2023, 1, 1), date(2023, 1, 15))
    assert len(days) == 15
    first_fifteen = sum((d.delivered for d in days), Decimal(0)) / 15
    headline = board.headline
    assert Decimal(str(headline.delivered_month_to_date)) == first_fifteen.quantize(Decimal("0.01"))
    assert headline.month_to_date_through == "2023-01-15"
    assert headline.month_to_date_days == 15
    assert headline.reports_today_so_far == 0  # today is shown apart, not as a zero
    assert headline.delivered_pct_of_plan is not None
    assert headline.delivered_pct_of_target is not None


def test_a_scheme_that_reported_every_day_due_is_complete(january: World) -> None:
    board = january.read.dashboard(P)
    facts = january.read.facts(P)
    full = [
        s
        for s in board.schemes
        if s.completeness_pct is not None
        and all(date(2023, 1, d) in facts.schemes[s.scheme_code].daily for d in range(1, 16))
    ]
    assert full and all(s.completeness_pct == 100.0 for s in full)


def test_the_crisis_centre_in_december_shows_a_percentage_its_red_agrees_with(
    january: World,
) -> None:
    report = january.read.monthly_return(P, "2022-12")
    crisis = next(r for r in report["schemes"] if r["scheme_code"] == "mh-crisis-alternative-herts")
    assert (crisis["planned_beds_equivalent"], crisis["delivered_beds_equivalent"]) == (3.0, 2.1)
    assert (crisis["delivered_pct_of_planned"], crisis["delivery_rag"]) == (69.9, "red")


def test_the_system_row_of_acute_flow_is_the_systems_total(january: World) -> None:
    report = january.read.monthly_return(P, "2022-12")
    flow = {r["ods_code"]: r for r in report["flow"]}
    assert flow["all"]["avg_beds_open"] == 1713.3  # not the average site's 571.1


def test_funds_are_dated_and_the_virtual_ward_money_is_apart(january: World) -> None:
    streams = {r["funding_stream"]: r for r in january.read.monthly_return(P, "2022-10")["streams"]}
    assert streams["revenue"]["funds_received_on"] == "2022-09-30"  # the end of M6
    assert streams["revenue"]["funds_received_gbp"] == streams["revenue"]["nhse_allocation_gbp"]
    headroom = january.read.dashboard(P).headroom
    assert headroom.virtual_ward.allocation_gbp == "4400000.00"
    by_stream = {h.funding_stream: h.headroom_gbp for h in headroom.by_stream}
    assert by_stream == {"capital": "539000.00", "revenue": "-64000.00"}
    assert headroom.headroom_gbp == "475000.00"  # not £4,875,000 with the VW money in


def test_the_past_is_read_two_labelled_ways(january: World) -> None:
    day = date(2023, 1, 12)
    now = dashboard_reading(january.read, P, day, "figures_for")
    assert now.reading.label.startswith("Figures for 12 Jan 2023, as known now")
    # The demo's figures were recorded today (the machine's), long after 12 Jan 2023.
    with pytest.raises(InputRefused) as refused:
        dashboard_reading(january.read, P, day, "as_it_stood")
    assert refused.value.field == "as_of"
    recorded = date.today()
    then = dashboard_reading(january.read, P, recorded, "as_it_stood")
    assert then.reading.label.startswith(
        f"The winter as it stood on {recorded.day} {recorded:%b %Y}"
    )
    assert 0 < then.known_at <= january.read.head()
    with pytest.raises(InputRefused):
        dashboard_reading(january.read, P, day, "whenever")


def test_the_explain_pages_two_decimal_rows_carry_a_rounding_note(january: World) -> None:
    from projections.explain import explain_system
    from schemes.months import YearMonth

    working = explain_system(january.read.facts(P), YearMonth(2022, 12), date(2023, 1, 16))
    assert f"{working.delivered:.2f}" == "133.74"
    assert "the delivered rows as shown add to 133.75" in working.rounding_note
