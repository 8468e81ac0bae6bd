"""Idempotency keys are kept beside the event log, not in it: one API write stores its domain
events only, a retried key replays the first result and stores nothing, and the key and the
command's events are stored together or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from capacity.application import WinterApplication
from capacity.commands import ReportDaily
from capacity.errors import DuplicateDailyReport
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


def _world(store: str) -> WinterApplication:
    world = make_world(__import__("datetime").date(2023, 1, 15), store)
    world.scheme("keyed")
    return world.app


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> WinterApplication:
    store = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/w.db"
    return _world(store)


def test_a_retried_key_returns_the_first_result_and_stores_nothing(
    app: WinterApplication,
) -> None:
    first = app.run_command(
        ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k1"
    )
    head = app.max_position()
    assert first.position == head
    again = app.run_command(
        ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k1"
    )
    assert again.replayed and (again.position, again.ids) == (first.position, first.ids)
    assert app.max_position() == head


def test_a_key_is_not_kept_when_its_events_are_refused(app: WinterApplication) -> None:
    app.run_command(ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY))
    head = app.max_position()
    with pytest.raises(DuplicateDailyReport):
        app.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k2"
        )
    assert app.max_position() == head
    assert app.recorder.select_key(ADMIN.user_id, "k2") is None  # type: ignore[attr-defined]


def _failing_key_insert(app: WinterApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder: Any = app.recorder

    def broken(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError("injected: the key row could not be written")

    monkeypatch.setattr(recorder, "_insert_key", broken)


def test_events_are_not_kept_when_their_key_cannot_be_written(
    app: WinterApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = app.max_position()
    _failing_key_insert(app, monkeypatch)
    with pytest.raises(DuplicateDailyReport):  # an IntegrityError with no key to replay
        app.run_command(
            ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k3"
        )
    monkeypatch.undo()
    assert app.max_position() == head
    assert app.recorder.select_key(ADMIN.user_id, "k3") is None  # type: ignore[attr-defined]
    stored = app.run_command(
        ReportDaily(actor=ADMIN, programme=P, scheme="keyed", figures=DAY), idempotency_key="k3"
    )
    assert not stored.replayed and stored.position > head  # PostgreSQL skips a rolled-back id
    assert len(app.recorder.select_notifications(head, 10, inclusive_of_start=False)) == 1


def test_an_older_stores_idempotency_records_are_honoured_and_hidden_from_readers() -> None:
    from capacity.errors import IdempotencyKeyReused
    from capacity.users import IdempotencyRecord
    from projections.event_log import EventLog

    app = _world("memory://")
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
