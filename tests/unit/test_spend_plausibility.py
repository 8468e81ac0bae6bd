"""Warnings that ask, for spend (docs/rules.md §13a): a month's spend more than a set share
(default 50%) above the month's profile is held back until confirmed with a comment, which is
kept with the event and said in the history; exactly the share above is stored as it is."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from eventsourcing.persistence import StoredEvent

from api.history import scheme_history
from capacity.application import WinterApplication
from capacity.errors import LooksWrong
from capacity.plausibility import spend_doubts
from capacity.reports import MonthlySpend, spend_id
from projections.arithmetic import profile_by_month
from schemes.months import YearMonth
from tests.scenarios.ledger import ADMIN, PROGRAMME, TODAY, P, scheme_spec
from tests.support.world import World, make_world
from wintertrack.bootstrap import build_application
from wintertrack.config import Settings

NOV = YearMonth(2022, 11)


def world() -> World:
    # £120,000.00 from November to March: £24,000.00 a month, so 50% above is £36,000.00
    w = make_world(TODAY)
    w.scheme("bridging", planned_start=date(2022, 11, 1), allocation_gbp=Decimal("120000.00"))
    return w


def spend_events(app: WinterApplication, month: str) -> list[dict[str, object]]:
    return [json.loads(s.state) for s in app.recorder.select_events(spend_id(P, "bridging", month))]


@pytest.mark.parametrize(
    ("amount", "asks"),
    [("36000.00", False), ("36000.01", True), ("35999.99", False), ("100000.00", True)],
)
def test_spend_more_than_half_above_the_months_profile_asks(amount: str, asks: bool) -> None:
    found = spend_doubts(Decimal(amount), NOV, Decimal("24000.00"), Decimal("0.50"))
    assert bool(found) is asks
    if asks:
        assert found == [
            f"£{Decimal(amount):,.2f} is more than 50% above the profile of £24,000.00 "
            "for M8 (Nov 2022)"
        ]


def test_a_month_with_no_profile_is_not_compared() -> None:
    assert spend_doubts(Decimal("5000.00"), YearMonth(2022, 10), Decimal(0), Decimal("0.5")) == []


def test_exactly_half_above_is_stored_without_a_word() -> None:
    w = world()
    w.app.record_spend(ADMIN, P, "bridging", "2022-11", "36000.00", "actual")
    [stored] = spend_events(w.app, "2022-11")
    assert stored["class_version"] == 2 and stored["confirm_comment"] is None


def test_just_above_is_held_for_a_comment_then_stored_with_it() -> None:
    w = world()
    before = w.app.max_position()
    with pytest.raises(LooksWrong) as held:
        w.app.record_spend(ADMIN, P, "bridging", "2022-11", "36000.01", "actual")
    assert held.value.field == "confirm_comment"
    assert "this spend looks wrong: £36,000.01 is more than 50% above the profile of " in str(
        held.value
    )
    assert w.app.max_position() == before  # nothing stored
    with pytest.raises(LooksWrong):  # a blank comment confirms nothing
        w.app.record_spend(
            ADMIN, P, "bridging", "2022-11", "36000.01", "actual", confirm_comment=" "
        )
    assert w.app.max_position() == before

    comment = "two months of agency invoices paid together"
    w.app.record_spend(
        ADMIN, P, "bridging", "2022-11", "36000.01", "actual", confirm_comment=comment
    )
    [stored] = spend_events(w.app, "2022-11")
    assert stored["confirm_comment"] == comment


def test_a_correction_above_the_profile_asks_too_and_history_says_both() -> None:
    w = world()
    w.app.record_spend(ADMIN, P, "bridging", "2022-11", "20000.00", "actual")
    with pytest.raises(LooksWrong):
        w.app.correct_spend(ADMIN, P, "bridging", "2022-11", "50000.00", "actual", "invoice in")
    w.app.correct_spend(
        ADMIN,
        P,
        "bridging",
        "2022-11",
        "50000.00",
        "actual",
        "invoice in",
        confirm_comment="the December invoice came early",
    )
    assert [e["confirm_comment"] for e in spend_events(w.app, "2022-11")] == [
        None,
        "the December invoice came early",
    ]
    w.catch_up()
    said = [
        e.text for e in scheme_history(w.app, w.read, P, "bridging") if e.event == "SpendCorrected"
    ]
    assert len(said) == 1
    assert (
        "(correction: invoice in) (confirmed as right: the December invoice came early)" in said[0]
    )


def test_the_write_side_checks_against_the_profile_the_views_show() -> None:
    """After a diversion the profile re-spreads from the diversion's month (§9): the check
    reads the same rule, so January's profile is £10,000.00 here, not £20,000.00."""
    w = make_world(date(2023, 2, 10))
    w.scheme("a", planned_start=date(2022, 10, 1), allocation_gbp=Decimal("120000.00"))
    w.scheme("b", planned_start=date(2022, 10, 1), allocation_gbp=Decimal("60000.00"))
    w.app.divert_funding(ADMIN, P, "a", "b", "30000.00", "UEC-9", "2023-01-15")
    w.catch_up()
    facts = w.read.facts(P)
    shown = profile_by_month(facts, facts.schemes["a"], date(2023, 2, 10))[YearMonth(2023, 1)]
    assert shown == Decimal("10000.00")
    with pytest.raises(LooksWrong, match=re.escape("the profile of £10,000.00 for M10 (Jan")):
        w.app.record_spend(ADMIN, P, "a", "2023-01", "15000.01", "actual")
    w.app.record_spend(ADMIN, P, "a", "2023-01", "15000.00", "actual")
    # b received the £30,000.00: £60,000.00 left over three months
    with pytest.raises(LooksWrong, match=re.escape("the profile of £20,000.00 for M10 (Jan")):
        w.app.record_spend(ADMIN, P, "b", "2023-01", "30000.01", "actual")
    w.app.record_spend(ADMIN, P, "b", "2023-01", "30000.00", "actual")


def test_the_share_is_a_setting() -> None:
    settings = Settings(store="memory://", spend_above_profile=Decimal("0.10"))
    app = build_application(settings, today=lambda: TODAY)
    app.open_programme(ADMIN, PROGRAMME)
    app.register_scheme(ADMIN, P, scheme_spec("bridging", allocation_gbp=Decimal("120000.00")))
    app.record_spend(ADMIN, P, "bridging", "2022-11", "26400.00", "actual")  # exactly 10%
    with pytest.raises(LooksWrong, match="more than 10% above"):
        app.record_spend(ADMIN, P, "bridging", "2022-12", "26400.01", "actual")
    with pytest.raises(ValueError, match="a share of zero or more"):
        Settings(store="memory://", spend_above_profile=Decimal("-0.1"))


def test_spend_stored_before_comments_loads_with_none() -> None:
    w = world()
    w.app.record_spend(ADMIN, P, "bridging", "2022-11", "20000.00", "actual")
    w.app.correct_spend(ADMIN, P, "bridging", "2022-11", "21000.00", "actual", "invoice in")
    legacy = WinterApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY
    )
    old_id = spend_id(P, "legacy", "2022-11")
    for stored in w.app.recorder.select_events(spend_id(P, "bridging", "2022-11")):
        state = json.loads(stored.state)
        assert state.pop("class_version") == 2
        state.pop("confirm_comment")  # as version 1 stored it
        data = json.dumps(state).encode()
        legacy.recorder.insert_events(
            [StoredEvent(old_id, stored.originator_version, stored.topic, data)]
        )
    loaded = legacy.repository.get(old_id)
    assert isinstance(loaded, MonthlySpend)
    assert loaded.amount_gbp == Decimal("21000.00")
    assert [e.confirm_comment for e in legacy.events.get(old_id)] == [None, None]  # type: ignore[attr-defined]
