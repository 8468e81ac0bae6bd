"""Diversions (docs/rules.md §9): streams that cannot mix, the unspent balance, and a spend
profile that changes only from the diversion's month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from projections.arithmetic import scheme_month
from schemes.months import YearMonth
from schemes.rules import InputRefused
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import World, make_world


def world() -> World:
    w = make_world(date(2023, 2, 10))
    w.scheme("a", planned_start=date(2022, 10, 1), allocation_gbp=Decimal("120000.00"))
    w.scheme("b", planned_start=date(2022, 10, 1), allocation_gbp=Decimal("60000.00"))
    w.scheme("cap", funding_stream="capital", allocation_gbp=Decimal("500000.00"))
    return w


def test_capital_and_revenue_do_not_mix() -> None:
    w = world()
    before = w.app.max_position()
    for source, target in (("cap", "a"), ("a", "cap")):
        with pytest.raises(InputRefused) as refused:
            w.app.divert_funding(ADMIN, P, source, target, "1000.00", "UEC-7", "2022-12-01")
        message = str(refused.value)
        assert "capital" in message and "revenue" in message
    assert w.app.max_position() == before


def test_no_more_than_the_unspent_balance() -> None:
    w = world()
    for month in ("2022-10", "2022-11", "2022-12"):
        # well above the £20,000.00 profile: stored with the comment that confirms it
        w.app.record_spend(
            ADMIN, P, "a", month, "33000.00", "actual", confirm_comment="agency staff invoices"
        )
    before = w.app.max_position()
    with pytest.raises(InputRefused) as refused:
        w.app.divert_funding(ADMIN, P, "a", "b", "22000.00", "UEC-8", "2023-01-05")
    assert refused.value.field == "amount_gbp" and "£21,000.00 unspent" in str(refused.value)
    assert w.app.max_position() == before
    w.app.divert_funding(ADMIN, P, "a", "b", "21000.00", "UEC-8", "2023-01-05")


def test_the_profile_changes_only_from_the_diversions_month() -> None:
    w = world()
    w.app.divert_funding(ADMIN, P, "a", "b", "30000.00", "UEC-9", "2023-01-15")
    w.catch_up()
    facts = w.read.facts(P)

    def profile(code: str, month: str) -> Decimal:
        m = scheme_month(facts, facts.schemes[code], YearMonth.parse(month), date(2023, 2, 10))
        return m.profile_to_date

    # a: £20,000 a month October to December, then the £30,000 left over three months.
    assert profile("a", "2022-12") == Decimal("60000")
    assert profile("a", "2023-01") == Decimal("70000")
    assert profile("a", "2023-03") == Decimal("90000")
    # b: £10,000 a month to December, then £60,000 left (30,000 + 30,000) over three months.
    assert profile("b", "2022-12") == Decimal("30000")
    assert profile("b", "2023-01") == Decimal("50000")
    assert profile("b", "2023-03") == Decimal("90000")
