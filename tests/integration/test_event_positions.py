"""A scheme's own events carry their event-log positions on every store, so its history (API
and pages) places bed changes, status and narrative among the figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from api.history import scheme_history
from capacity.commands import ChangeBeds, MobiliseScheme, ReportDaily
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import make_world


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_schemes_own_events_have_their_positions(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = (
        f"sqlite:///{tmp_path}/wintertrack.db"
        if engine == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    world = make_world(date(2022, 11, 16), store=store)
    world.scheme("ward", "beds_open", planned_start=date(2022, 11, 1))
    world.scheme("other")
    world.app.run_command(
        MobiliseScheme(actor=ADMIN, programme=P, scheme="ward", went_live_on="2022-11-01")
    )
    world.app.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="ward",
            figures={"date": "2022-11-01", "beds_occupied": 2},
        )
    )
    opened = world.app.run_command(
        ChangeBeds(
            actor=ADMIN,
            programme=P,
            scheme="ward",
            on="2022-11-02",
            change=4,
            bed_type="core",
            reason="opened",
        )
    )
    world.catch_up()

    entries = scheme_history(world.app, world.read, P, "ward")

    by_event = {e.event.split(".")[-1]: e.position for e in entries}
    assert by_event["BedsOpened"] == opened.position
    positions = [e.position for e in entries]
    assert None not in positions and len(set(positions)) == len(positions)
    assert by_event["SchemeRegistered"] < by_event["SchemeMobilised"]
    assert by_event["SchemeMobilised"] < by_event["DailyFiguresReported"] < opened.position
