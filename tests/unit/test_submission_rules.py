"""When a return may be submitted and restated, and which spend and corrections are refused,
on the programme's clock (the demo's 16 January 2023)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from capacity.app.submission import sign_off, submit
from projections.submission import ViewFigures
from schemes.rules import InputRefused
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import World, make_world

JAN_16 = date(2023, 1, 16)


@pytest.fixture
def world() -> World:
    w = make_world(JAN_16)
    w.scheme("bridging")
    w.app.report_daily(ADMIN, P, "bridging", {"date": "2022-12-01", "beds_equivalent": 4})
    w.catch_up()
    return w


def signed_submit(world: World, month: str, *args: Any, **kwargs: Any) -> Any:
    """Signs the figures off as they stand, then submits (docs/rules.md §12)."""
    world.catch_up()
    sign_off(world.app, ViewFigures(world.read), ADMIN, P, month)
    return submit(world.app, ViewFigures(world.read), ADMIN, P, month, *args, **kwargs)


def revisions(world: World, month: str) -> int:
    world.catch_up()
    return len(world.read.submissions(P, month))


@pytest.mark.parametrize(("month", "named"), [("2023-01", "M10"), ("2023-02", "M11")])
def test_a_month_that_has_not_ended_is_not_submitted(world: World, month: str, named: str) -> None:
    with pytest.raises(InputRefused) as refused:
        signed_submit(world, month)
    assert refused.value.field == "month"
    assert f"{named} (" in refused.value.reason and "has not ended" in refused.value.reason
    assert "from 1 " in refused.value.reason  # the day it opens
    assert revisions(world, month) == 0


def test_the_month_just_ended_is_submitted(world: World) -> None:
    _, revision, _, _ = signed_submit(world, "2022-12")
    assert revision == 1


def test_a_restatement_without_a_reason_is_refused(world: World) -> None:
    signed_submit(world, "2022-12")
    world.app.report_daily(ADMIN, P, "bridging", {"date": "2022-12-02", "beds_equivalent": 5})
    with pytest.raises(InputRefused) as refused:
        signed_submit(world, "2022-12", "  ")
    assert refused.value.field == "reason" and "required" in refused.value.reason
    assert revisions(world, "2022-12") == 1


def test_a_restatement_that_changes_nothing_is_refused(world: World) -> None:
    signed_submit(world, "2022-12")
    with pytest.raises(InputRefused) as refused:
        signed_submit(world, "2022-12", "checking")
    assert "nothing changed" in refused.value.reason
    assert revisions(world, "2022-12") == 1


def test_a_restatement_with_a_change_and_a_reason_is_stored(world: World) -> None:
    signed_submit(world, "2022-12")
    world.app.report_daily(ADMIN, P, "bridging", {"date": "2022-12-02", "beds_equivalent": 5})
    _, revision, _, _ = signed_submit(world, "2022-12", "late report")
    assert revision == 2


def test_resubmitting_unchanged_needs_saying_so_and_a_reason(world: World) -> None:
    signed_submit(world, "2022-12")
    with pytest.raises(InputRefused):
        signed_submit(world, "2022-12", "", unchanged=True)
    _, revision, _, _ = submit(
        world.app, ViewFigures(world.read), ADMIN, P, "2022-12", "NHSE asked again", unchanged=True
    )
    assert revision == 2


def test_spend_for_a_month_not_started_is_refused_with_the_month_named(world: World) -> None:
    before = world.app.max_position()
    with pytest.raises(InputRefused) as refused:
        world.app.record_spend(ADMIN, P, "bridging", "2023-03", Decimal("10.00"), "accrual")
    assert refused.value.field == "month"
    assert "M12 (March 2023) has not started" in refused.value.reason
    assert world.app.max_position() == before
    world.app.record_spend(ADMIN, P, "bridging", "2023-01", Decimal("10.00"), "accrual")


def test_an_empty_correction_is_refused_and_not_stored(world: World) -> None:
    before = world.app.max_position()
    with pytest.raises(InputRefused) as refused:
        world.app.correct_daily(
            ADMIN, P, "bridging", {"date": "2022-12-01", "beds_equivalent": 4}, "just checking"
        )
    assert "nothing changed" in refused.value.reason
    world.app.record_spend(ADMIN, P, "bridging", "2022-12", Decimal("10.00"), "actual")
    middle = world.app.max_position()
    with pytest.raises(InputRefused):
        world.app.correct_spend(ADMIN, P, "bridging", "2022-12", "10.00", "actual", "same")
    assert world.app.max_position() == middle == before + 1
