"""``{prefix}.events`` carries domain events only: keyed writes store no plumbing, and the
idempotency records an older store still holds are skipped by the relay (real broker, real
PostgreSQL store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.main import create_app
from api.metrics import Metrics
from capacity.application import WinterApplication
from capacity.commands import AddUser, OpenProgramme, RegisterScheme
from capacity.users import IdempotencyRecord
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from tests.scenarios.ledger import ADMIN, PROGRAMME, P, scheme_spec
from tests.support.broker import Broker
from tests.support.streams import read_topic
from wintertrack.config import event_store_env
from wintertrack.streams.relay import Relay

pytestmark = pytest.mark.postgres


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    with Broker(tmp_path) as running:
        yield running


def test_the_events_topic_carries_no_idempotency_plumbing(
    postgres_url: str, broker: Broker
) -> None:
    application = WinterApplication(
        env=event_store_env(postgres_url), today=lambda: date(2023, 1, 15)
    )
    application.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
    application.run_command(
        RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec("keyed", planned_start=None))
    )
    # What a store written by an older release holds: a key kept as events in the log.
    legacy = IdempotencyRecord.use(ADMIN, "old-key", "0" * 64, {"scheme": "keyed"})
    legacy.note_position(ADMIN, 1)
    application.save(legacy)
    _, token = application.run_command(
        AddUser(actor=ADMIN, name="lead", role="lead", programme=P, schemes=["keyed"])
    )
    views = ViewDatabase(postgres_url)
    read = ReadModel(Projector(application, views), today=lambda: date(2023, 1, 15))
    client = TestClient(create_app(application, read, "secret", follow=False))
    before = application.max_position()
    for _ in range(2):  # the second is a retry: it replays and stores nothing
        answer = client.post(
            f"/api/v1/programmes/{P}/schemes/keyed/daily",
            json={"date": "2022-11-04", "beds_equivalent": 3},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"},
        )
        assert answer.status_code == 201, answer.text
    written = application.max_position() - before
    relay = Relay(application, views, broker.bootstrap, "winter", page_size=2)
    while relay.publish_page():
        pass
    relay.close()
    assert relay.position() == application.max_position()
    text = Metrics(Projector(application, views)).exposition()[0].decode()
    relay_gauges = {
        s.name: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("wintertrack_relay")
    }
    assert relay_gauges == {
        "wintertrack_relay_published_position": application.max_position(),
        "wintertrack_relay_lag_events": 0,
    }
    messages = read_topic(broker.bootstrap, "winter.events")
    types = [m["event_type"] for m in messages]
    assert not [t for t in types if t.startswith("IdempotencyRecord")]
    assert types.count("DailyReport.DailyFiguresReported") == 1
    stored = application.recorder.select_notifications(0, 1000)
    assert len(messages) == len(stored) - 2  # the legacy record's two events
    print(f"\n[plumbing] events_per_keyed_write={written}, published={len(messages)}, plumbing=0")
    assert written == 1
