"""Spend against allocation on the dashboard (docs/rules.md §7, §8): every stream with money,
funds received, and profile compared with spend to the same closed month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.scenarios.ledger import ADMIN, P
from tests.support.world import make_world


def test_streams_funds_received_headroom_and_the_closed_month() -> None:
    world = make_world(date(2023, 1, 16))
    world.scheme("a", planned_start=date(2022, 10, 1), allocation_gbp=Decimal("120000.00"))
    app = world.app
    app.revise_allocation(ADMIN, P, "virtual_ward", "4400000.00", "separate VW money")
    app.record_funds_received(ADMIN, P, "revenue", "2500000.00", "2022-10-03")
    app.record_funds_received(ADMIN, P, "revenue", "500000.00", "2022-12-01")
    for month in ("2022-10", "2022-11", "2022-12"):
        app.record_spend(ADMIN, P, "a", month, "20000.00", "actual")
    world.catch_up()
    board = world.read.dashboard(P, date(2023, 1, 16))
    streams = {s.funding_stream: s for s in board.spend}
    # A stream with money and no schemes is shown, wholly unassigned.
    assert streams["virtual_ward"].programme_allocation_gbp == "4400000.00"
    assert streams["virtual_ward"].unassigned_gbp == "4400000.00"
    assert streams["revenue"].funds_received_gbp == "3000000.00"
    # Mid-January: spend and profile both to the end of December (3 x £20,000), no false gap.
    assert streams["revenue"].closed_month == "2022-12"
    assert streams["revenue"].spend_to_date_gbp == "60000.00"
    assert streams["revenue"].profile_to_date_gbp == "60000.00"
    programme = world.read.facts(P)
    assert streams["revenue"].funds_received_on == ["2022-10-03", "2022-12-01"]
    # The headroom leaves the virtual-ward money, which no scheme holds, apart.
    vw = programme.allocations["virtual_ward"]
    total = sum(programme.allocations.values(), Decimal(0)) - vw
    assert board.headroom.allocation_gbp == f"{total:.2f}"
    assert board.headroom.headroom_gbp == f"{total - Decimal('120000'):.2f}"
    assert board.headroom.virtual_ward.headroom_gbp == f"{vw:.2f}"
    # Funds are counted to the day they arrived: the return for November has October's only.
    november = {r["funding_stream"]: r for r in world.read.monthly_return(P, "2022-11")["streams"]}
    assert november["revenue"]["funds_received_gbp"] == "2500000.00"
    assert november["revenue"]["funds_received_on"] == "2022-10-03"
