"""Worked examples of docs/rules.md §1 to §11, each computed by hand in the test."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.scenarios.ledger import ADMIN, P
from tests.support.world import World, make_world


def month_row(world: World, month: str, code: str, as_of: date) -> dict[str, object]:
    world.catch_up()
    view = world.read.delivery_month(P, month, as_of=as_of)
    return next(r for r in view.schemes if r.scheme_code == code)


def days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(count)]


def test_partial_month_with_a_missing_day() -> None:
    # Planned 10 a day from the start; reports of 8 on 1-10 Nov except the 4th; as of 10 Nov
    # seen on the 11th (today itself would count full days only, §1).
    world = make_world(date(2022, 11, 11))
    world.scheme("bridging", planned_start=None)
    for day in days(date(2022, 11, 1), 10):
        if day.day != 4:
            world.app.report_daily(ADMIN, P, "bridging", {"date": day, "beds_equivalent": 8})
    row = month_row(world, "2022-11", "bridging", date(2022, 11, 10))
    assert row.window_days == 10
    assert row.delivered_beds_equivalent == 7.2  # 8 x 9 days / 10
    assert row.planned_beds_equivalent == 10.0
    assert row.delivery_rag == "amber"  # 0.72
    assert row.completeness_pct == 90.0
    assert row.days_reported == 9


def test_planned_start_mid_month_and_beds_opened_then_closed() -> None:
    # Planned 10 from 16 Nov: 15 of 30 days -> 5.0. Beds: 6 from the 16th, 2 closed on the 26th:
    # 6 x 10 days + 4 x 5 days = 80 -> 80 / 30 = 2.67; 2.67 / 5 = 0.53 -> red.
    world = make_world(date(2022, 12, 15))
    world.scheme("ward", "beds_open", planned_start=date(2022, 11, 16))
    world.app.change_beds(ADMIN, P, "ward", "2022-11-16", 6, "core", "opened")
    world.app.change_beds(ADMIN, P, "ward", "2022-11-26", -2, "core", "norovirus")
    row = month_row(world, "2022-11", "ward", date(2022, 12, 15))
    assert row.planned_beds_equivalent == 5.0
    assert row.delivered_beds_equivalent == 2.67
    assert row.delivery_rag == "red"
    october = month_row(world, "2022-10", "ward", date(2022, 12, 15))
    assert october.delivery_rag == "not_due"


def test_paused_days_deliver_nothing() -> None:
    # 10 a day reported 1-10 Dec; paused on the 6th, resumed on the 9th: 3 days at 0 -> 7.0.
    # Seen the next day: the 10th is a full day by then (§1).
    world = make_world(date(2022, 12, 11))
    world.scheme("runners", planned_start=None)
    world.app.mobilise_scheme(ADMIN, P, "runners", "2022-11-01")
    for day in days(date(2022, 12, 1), 10):
        world.app.report_daily(ADMIN, P, "runners", {"date": day, "beds_equivalent": 10})
    world.app.change_status(ADMIN, P, "runners", "pause", "2022-12-06", "staff sickness")
    world.app.change_status(ADMIN, P, "runners", "resume", "2022-12-09", "back")
    row = month_row(world, "2022-12", "runners", date(2022, 12, 10))
    assert row.delivered_beds_equivalent == 7.0
    assert row.delivery_rag == "amber"  # 7 / 10 = 0.70 meets the amber threshold


def test_spend_profile_variance_outturn_and_diversion() -> None:
    # £120,000 from 1 Nov: profile Nov-Mar = 5 months of £24,000.
    world = make_world(date(2023, 1, 10))
    world.scheme("bridging", planned_start=date(2022, 11, 1))
    world.scheme("runners", planned_start=None)
    world.app.record_spend(ADMIN, P, "bridging", "2022-11", "20000.00", "actual")
    world.app.record_spend(ADMIN, P, "bridging", "2022-12", "25000.00", "accrual")
    world.app.correct_spend(ADMIN, P, "bridging", "2022-12", "30000.00", "actual", "invoice")
    december = month_row(world, "2022-12", "bridging", date(2023, 1, 10))
    assert december.spend_in_month_gbp == "30000.00"
    assert december.spend_to_date_gbp == "50000.00"
    assert december.profile_to_date_gbp == "48000.00"
    assert december.variance_gbp == "2000.00"
    assert december.forecast_outturn_gbp == "122000.00"  # 50,000 + (120,000 - 48,000)
    world.app.divert_funding(ADMIN, P, "runners", "bridging", "50000", "UEC-7", "2022-12-07")
    assert month_row(world, "2022-12", "bridging", date(2023, 1, 10)).allocation_gbp == (
        "170000.00"
    )
    assert month_row(world, "2022-11", "runners", date(2023, 1, 10)).allocation_gbp == ("120000.00")
    assert month_row(world, "2022-12", "runners", date(2023, 1, 10)).allocation_gbp == ("70000.00")


def test_correction_is_seen_only_from_its_position_on() -> None:
    world = make_world(date(2022, 12, 1))
    world.scheme("bridging", planned_start=None)
    world.app.report_daily(ADMIN, P, "bridging", {"date": "2022-11-02", "beds_equivalent": 30})
    before = world.catch_up()
    world.app.correct_daily(
        ADMIN, P, "bridging", {"date": "2022-11-02", "beds_equivalent": 15}, "double counted"
    )
    world.catch_up()
    now = world.read.delivery_month(P, "2022-11", as_of=date(2022, 11, 30))
    then = world.read.delivery_month(P, "2022-11", as_of=date(2022, 11, 30), known_at=before)
    assert now.schemes[0].delivered_beds_equivalent == 0.5  # 15 / 30
    assert then.schemes[0].delivered_beds_equivalent == 1.0  # 30 / 30


def test_system_total_counts_only_schemes_toward_the_target() -> None:
    world = make_world(date(2022, 11, 2))
    world.scheme("acute", planned_start=None, planned_beds_equivalent=Decimal("12"))
    world.scheme(
        "mh-beds",
        "beds_open",
        planned_start=None,
        counts_toward_target=False,
        planned_beds_equivalent=Decimal("10"),
    )
    world.app.report_daily(ADMIN, P, "acute", {"date": "2022-11-01", "beds_equivalent": 12})
    world.app.change_beds(ADMIN, P, "mh-beds", "2022-11-01", 10, "mental_health", "open")
    world.catch_up()
    series = world.read.delivery_daily(P, date(2022, 11, 1), date(2022, 11, 1)).model_dump()["days"]
    assert series == [
        {
            "date": "2022-11-01",
            "delivered_beds_equivalent": 12.0,
            "planned_beds_equivalent": 12.0,
            "target": 141,
            # "acute" has no planned start, so no report was due from it yet.
            "reports_due": 0,
            "reports_in": 0,
            "complete": True,
        }
    ]


def test_chase_list_and_diversion_candidates() -> None:
    # As of 2 Jan, Oct-Dec are complete. 'runners' plans 10 a day and delivers 2 in Nov and Dec.
    world = make_world(date(2023, 1, 2))
    world.scheme("runners", planned_start=date(2022, 11, 1))
    world.scheme("bridging", planned_start=date(2022, 11, 1))
    world.app.mobilise_scheme(ADMIN, P, "runners", "2022-11-01")
    for day in days(date(2022, 11, 1), 62):  # 1 Nov to 1 Jan
        world.app.report_daily(ADMIN, P, "runners", {"date": day, "beds_equivalent": 2})
    world.app.record_spend(ADMIN, P, "runners", "2022-11", "1000.00", "actual")
    world.catch_up()
    board = world.read.dashboard(P, as_of=date(2023, 1, 2))
    assert board.chase_list == []  # runners reported 1 Jan; bridging never went live
    candidates = {c.scheme_code: c for c in board.diversion_candidates}
    assert any("red in 2022-11 and 2022-12" in r for r in candidates["runners"].reasons)
    # Profile to December: 2 of 5 months of £120,000 = £48,000; spend £1,000 < half.
    assert any("below half its profile" in r for r in candidates["runners"].reasons)
    assert candidates["runners"].uncommitted_gbp == "119000.00"
    assert any("not mobilised" in r for r in candidates["bridging"].reasons)
    world.today[0] = date(2023, 1, 3)
    world.app.mobilise_scheme(ADMIN, P, "bridging", "2023-01-01")
    world.catch_up()
    assert world.read.dashboard(P, as_of=date(2023, 1, 3)).chase_list == ["bridging", "runners"]


def test_flow_occupancy_and_nctr_by_5pm() -> None:
    world = make_world(date(2022, 11, 3))
    world.app.register_site(ADMIN, P, "RQW", "Princess Alexandra Hospital", "WE")
    flow = {
        "date": "2022-11-02",
        "core_beds_open": 400,
        "escalation_beds_open": 20,
        "beds_occupied": 399,
        "nctr": 60,
        "nctr_discharged": 20,
        "nctr_discharged_by_5pm": 12,
        "discharges": {"p0": 50, "p1": 10},
    }
    world.app.report_flow(ADMIN, P, "RQW", flow)
    world.catch_up()
    site = world.read.dashboard(P, as_of=date(2022, 11, 3)).flow.sites[0]
    assert site.yesterday.occupancy_pct == 95.0  # 399 / 420
    assert site.yesterday.nctr_not_discharged_by_5pm == 48  # 60 - 12
    assert site.yesterday.discharges == {"p0": 50, "p1": 10}


def test_revised_target_and_allocation_reach_the_read_side() -> None:
    world = make_world(date(2022, 11, 3))
    world.app.revise_bed_target(ADMIN, P, 150, "revised ask")
    world.app.revise_allocation(ADMIN, P, "capital", "4000000.00", "capital returned")
    world.catch_up()
    assert world.read.dashboard(P, as_of=date(2022, 11, 3)).bed_target == 150
    assert world.read.facts(P).allocations["capital"] == Decimal("4000000.00")
