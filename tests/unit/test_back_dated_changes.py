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
