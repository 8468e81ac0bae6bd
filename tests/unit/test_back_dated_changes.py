"""Status changes take effect on their effective date, whatever order they arrive in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections.arithmetic import delivered_on
from schemes import lifecycle
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import make_world


def test_a_pause_recorded_after_a_later_resume_sits_before_it() -> None:
    recorded = [(date(2022, 12, 10), "paused"), (date(2022, 12, 20), "active")]
    recorded.append((date(2022, 12, 1), "paused"))  # back-dated, recorded last
    assert lifecycle.status_on("active", recorded, date(2022, 12, 5)) == "paused"
    assert lifecycle.status_on("active", recorded, date(2022, 12, 25)) == "active"
    assert lifecycle.status_on("active", recorded, None) == "active"


def test_changes_on_one_date_keep_their_recorded_order() -> None:
    day = date(2022, 12, 1)
    assert lifecycle.status_on("active", [(day, "paused"), (day, "active")], day) == "active"


def test_back_dated_pause_on_the_ledger_and_in_the_figures() -> None:
    world = make_world(date(2023, 1, 10))
    world.scheme("s1", "beds_open", planned_start=None)
    app = world.app
    app.mobilise_scheme(ADMIN, P, "s1", "2022-11-01")
    app.change_beds(ADMIN, P, "s1", "2022-11-01", 4, "core", "opened")
    app.change_status(ADMIN, P, "s1", "pause", "2022-12-10", "infection control")
    app.change_status(ADMIN, P, "s1", "resume", "2022-12-20", "ward reopened")
    app.change_status(ADMIN, P, "s1", "pause", "2022-12-01", "closed earlier than recorded")
    scheme = app.get_scheme(P, "s1")
    assert scheme.status_on(date(2022, 12, 5)) == "paused"
    assert scheme.status_on(date(2022, 12, 25)) == "active"
    world.catch_up()
    facts = world.read.facts(P).schemes["s1"]
    assert delivered_on(facts, date(2022, 12, 5)) == Decimal("0")
    assert delivered_on(facts, date(2022, 12, 25)) == Decimal("4")


def test_allocation_revisions_apply_by_their_effective_date() -> None:
    world = make_world(date(2023, 1, 10))
    app = world.app
    app.revise_allocation(ADMIN, P, "revenue", "8000000", "NHSE letter", "2022-12-01")
    # Recorded later but dated earlier: in force from November until the December revision.
    app.revise_allocation(ADMIN, P, "revenue", "7800000", "earlier letter", "2022-11-01")
    programme = app.get_programme(P)
    assert programme.allocations["revenue"] == Decimal("8000000")  # at the winter's end
    assert programme.allocations_on(date(2022, 10, 15))["revenue"] == Decimal("7500000")
    assert programme.allocations_on(date(2022, 11, 15))["revenue"] == Decimal("7800000")
    assert programme.allocations_on(date(2022, 12, 15))["revenue"] == Decimal("8000000")
    world.catch_up()

    def revenue_on(day: date) -> str:
        spend = world.read.dashboard(P, as_of=day).spend
        return next(s for s in spend if s.funding_stream == "revenue").programme_allocation_gbp

    assert revenue_on(date(2022, 10, 15)) == "7500000.00"
    assert revenue_on(date(2022, 11, 15)) == "7800000.00"
    assert revenue_on(date(2022, 12, 15)) == "8000000.00"
    for month, amount in (("2022-11", "7800000.00"), ("2022-12", "8000000.00")):
        streams = world.read.monthly_return(P, month)["streams"]
        revenue = next(r for r in streams if r["funding_stream"] == "revenue")
        assert revenue["nhse_allocation_gbp"] == amount, month


def test_an_allocation_revision_without_a_date_covers_the_whole_winter() -> None:
    world = make_world(date(2023, 1, 10))
    world.app.revise_allocation(ADMIN, P, "capital", "4800000", "NHSE letter")
    assert world.app.get_programme(P).allocations_on(date(2022, 10, 1))["capital"] == Decimal(
        "4800000"
    )


def test_an_allocation_revision_dated_outside_the_winter_is_refused() -> None:
    import pytest

    from schemes.rules import InputRefused

    world = make_world(date(2023, 1, 10))
    with pytest.raises(InputRefused) as refused:
        world.app.revise_allocation(ADMIN, P, "capital", "4800000", "letter", "2023-06-01")
    assert refused.value.field == "effective_on"
    assert world.app.get_programme(P).allocation_changes == []
