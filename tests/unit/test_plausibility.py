"""Warnings that ask: figures that can be true but look wrong (beds occupied above beds open, a
figure more than double or less than half the day before's) are held back until confirmed with
a comment, which is kept with the event and said in the history; old events still load."""

from __future__ import annotations

import json
from datetime import date

import pytest
from eventsourcing.persistence import StoredEvent

from api.history_text import sentence
from api.schemas import HistoryEntry
from capacity.application import WinterApplication
from capacity.commands import ChangeBeds, OpenProgramme, RegisterScheme, ReportDaily
from capacity.errors import LooksWrong, ReportNotFound
from capacity.reports import DailyReport, daily_report_id
from projections.db import ViewDatabase
from projections.history import figure_history
from projections.projector import Projector
from tests.scenarios.ledger import ADMIN, PROGRAMME, TODAY, P, report, scheme_spec


@pytest.fixture
def app() -> WinterApplication:
    app = WinterApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY)
    app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
    app.run_command(
        RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("beds", measure="beds_open"))
    )
    app.run_command(RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("bridging")))
    app.run_command(
        ChangeBeds(
            actor=ADMIN,
            programme=P,
            scheme="beds",
            on="2022-11-01",
            change=4,
            bed_type="core",
            reason="ward 7 opened",
        )
    )
    return app


def test_occupied_40_with_4_open_is_held_for_a_comment_then_stored_with_it(
    app: WinterApplication,
) -> None:
    figures = {"date": "2022-11-02", "beds_occupied": 40}
    with pytest.raises(LooksWrong) as held:
        app.run_command(ReportDaily(actor=ADMIN, programme=P, scheme="beds", figures=figures))
    assert held.value.field == "confirm_comment"
    assert "beds occupied (40) is more than the 4 beds open on 2 Nov 2022" in held.value.message
    with pytest.raises(ReportNotFound):  # nothing was stored
        app.get_daily_report(P, "beds", date(2022, 11, 2))

    comment = "escalation beds in use overnight, not yet recorded as opened"
    app.run_command(
        ReportDaily(
            actor=ADMIN, programme=P, scheme="beds", figures={**figures, "confirm_comment": comment}
        )
    )
    stored = app.recorder.select_events(daily_report_id(P, "beds", date(2022, 11, 2)))
    assert json.loads(stored[0].state)["confirm_comment"] == comment


def test_the_comment_is_said_in_the_history(app: WinterApplication) -> None:
    comment = "escalation beds in use overnight"
    app.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="beds",
            figures={"date": "2022-11-02", "beds_occupied": 40, "confirm_comment": comment},
        )
    )
    projector = Projector(app, ViewDatabase("memory://"))
    projector.run_once()
    entries = figure_history(projector.views, P, "beds")
    assert len(entries) == 1
    line = sentence(HistoryEntry(**entries[0]))
    assert f"confirmed as right: {comment}" in line.text


@pytest.mark.parametrize(("today", "asks"), [(17, True), (16, False), (4, False), (3, True)])
def test_more_than_double_or_less_than_half_the_day_before_asks(
    app: WinterApplication, today: int, asks: bool
) -> None:
    app.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="bridging",
            figures=report("2022-11-02", beds_equivalent=8),
        )
    )
    figures = report("2022-11-03", beds_equivalent=today)
    if not asks:
        app.run_command(ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=figures))
        return
    with pytest.raises(LooksWrong, match="the day before's \\(8\\)"):
        app.run_command(ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=figures))
    app.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="bridging",
            figures={**figures, "confirm_comment": "new staff started"},
        )
    )


def test_figures_that_cannot_be_true_are_still_refused_outright(app: WinterApplication) -> None:
    from schemes.rules import InputRefused

    with pytest.raises(InputRefused):
        app.run_command(
            ReportDaily(
                actor=ADMIN,
                programme=P,
                scheme="beds",
                figures={"date": "2022-11-02", "beds_occupied": -1, "confirm_comment": "x"},
            )
        )


def test_a_version_2_report_loads_with_no_comment(app: WinterApplication) -> None:
    app.run_command(
        ReportDaily(actor=ADMIN, programme=P, scheme="bridging", figures=report("2022-11-02"))
    )
    stored = app.recorder.select_events(daily_report_id(P, "bridging", date(2022, 11, 2)))[0]
    state = json.loads(stored.state)
    assert state.pop("class_version") == 3
    state.pop("confirm_comment")  # as version 2 stored it
    state["class_version"] = 2
    legacy = WinterApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY
    )
    v2_id = daily_report_id(P, "legacy", date(2022, 11, 2))
    legacy.recorder.insert_events([StoredEvent(v2_id, 1, stored.topic, json.dumps(state).encode())])
    loaded = legacy.repository.get(v2_id)
    assert isinstance(loaded, DailyReport)
    assert loaded.figures["beds_equivalent"] == 8
    events = list(legacy.events.get(v2_id))
    assert events[0].confirm_comment is None  # type: ignore[attr-defined]
