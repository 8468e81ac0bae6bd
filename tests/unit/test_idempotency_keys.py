"""Idempotency keys are kept beside the event log, not in it: one API write stores its domain
events only, and keys a store kept in the log before are still honoured. That a key and its
command's events are stored together or not at all, on every store:
``tests/integration/test_idempotency_stores.py``."""

from __future__ import annotations

from datetime import date

import pytest

from capacity.commands import ReportDaily
from tests.scenarios.ledger import ADMIN, P
from tests.support.api_world import api_world
from tests.support.world import make_world

DAY = {"date": "2022-11-02", "beds_equivalent": 4}


def test_one_api_write_with_a_key_stores_one_event_and_no_plumbing() -> None:
    world = api_world()
    before = world.application.max_position()
    answer = world.client.post(
        f"/api/v1/programmes/{P}/schemes/own/daily",
        json=DAY,
        headers={**world.headers("lead"), "Idempotency-Key": "one-write"},
    )
    assert answer.status_code == 201, answer.text
    stored = world.application.recorder.select_notifications(before, 100, inclusive_of_start=False)
    print(f"events per API write with an Idempotency-Key: {len(stored)}")
    assert [n.topic for n in stored] == ["wintertrack:DailyReport.DailyFiguresReported"]


def test_an_older_stores_idempotency_records_are_honoured_and_hidden_from_readers() -> None:
    from capacity.errors import IdempotencyKeyReused
    from capacity.users import IdempotencyRecord
    from projections.event_log import EventLog

    world = make_world(date(2023, 1, 15))
    world.scheme("keyed")
    app = world.app
    first = app.run_command(ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY))
    legacy = IdempotencyRecord.use(ADMIN, "old", "f" * 64, {"scheme": "keyed"})
    legacy.note_position(ADMIN, first.position)
    app.save(legacy)  # what a store written before keys moved beside the log holds
    again = app.run_command(
        ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures={**DAY, "date": "2022-11-03"})
    )
    with pytest.raises(IdempotencyKeyReused):  # the old key is still known
        app.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY),
            idempotency_key="old",
        )
    page = EventLog(app).page(first.position, 1)
    assert [e["position"] for e in page] == [again.position]  # the legacy events are skipped
