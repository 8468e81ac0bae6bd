"""The ingest's batches against a real Kafka-protocol broker and a real PostgreSQL store: a poll's
valid messages stored once, in one transaction, whatever one of them does; and a restart after
the store committed but the offsets did not stores nothing twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client.parser import text_string_to_metric_families

from api.metrics import Metrics
from capacity.application import WinterApplication
from capacity.commands import ReportDaily
from projections.db import ViewDatabase
from projections.projector import Projector
from tests.integration.test_streams import daily_message
from tests.scenarios.ledger import ADMIN, P
from tests.support.broker import Broker
from tests.support.streams import many_events, read_topic, report, reports_by_source, wait_for
from wintertrack.config import event_store_env
from wintertrack.streams.ingest import Ingest

pytestmark = pytest.mark.postgres
TOPIC = "winter.daily-figures"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    with Broker(tmp_path) as running:
        yield running


@pytest.fixture
def application(postgres_url: str) -> WinterApplication:
    app = WinterApplication(env=event_store_env(postgres_url), today=lambda: date(2023, 1, 15))
    many_events(app, schemes=4, days=1)  # s00-s03 reported 0, 1, 2, 3 beds on 1 Oct 2022
    return app


def produce(broker: Broker, messages: list[bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    for value in messages:
        producer.send(TOPIC, key=b"s00", value=value)
    producer.flush()
    producer.close()


def valid(count: int, prefix: str) -> list[bytes]:
    """``count`` reports of s00 from 2 Oct 2022 on, the same figure each day."""
    return [
        daily_message(
            "s00",
            date.fromordinal(date(2022, 10, 2).toordinal() + n).isoformat(),
            f"{prefix}-{n}",
            beds_equivalent=4,
        )
        for n in range(count)
    ]


def poll_all(ingest: Ingest, count: int) -> list[ConsumerRecord]:
    """Every record on the topic, gathered over as many polls as the broker needs."""
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + 120
    while len(records) < count and time.monotonic() < deadline:
        for found in ingest.consumer.poll(timeout_ms=500).values():
            records += found
    assert len(records) == count
    return records


def ingest_gauges(postgres_url: str, application: WinterApplication) -> dict[str, float]:
    text = Metrics(Projector(application, ViewDatabase(postgres_url))).exposition()[0].decode()
    return {
        s.name: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("wintertrack_ingest")
    }


def test_a_batch_with_one_refused_record_stores_the_others_once_and_dead_letters_it(
    postgres_url: str, broker: Broker, application: WinterApplication
) -> None:
    messages = valid(40, "b")
    raced = daily_message("s01", "2022-10-02", "raced", beds_equivalent=1)
    messages.insert(20, raced)
    produce(broker, messages)
    ingest = Ingest(application, broker.bootstrap, "winter", views=ViewDatabase(postgres_url))
    records = poll_all(ingest, len(messages))
    batch = ingest.validate(records)
    # another channel reports the raced day between the checks and the store: only the store
    # can refuse it now
    application.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="s01",
            figures={"date": "2022-10-02", "beds_equivalent": 1},
        )
    )
    ingest.settle(*ingest.store(batch, records))
    ingest.consumer.commit()
    ingest.report_status()
    ingest.close()

    sources = reports_by_source(application)
    dead = read_topic(broker.bootstrap, f"{TOPIC}.dlq")
    gauges = ingest_gauges(postgres_url, application)
    report(
        "ingest-batch-one-refused",
        sent=len(messages),
        stored_once=sum(1 for s, c in sources.items() if (s or "").startswith("b-") and c == 1),
        stored_twice=sum(1 for s, c in sources.items() if (s or "").startswith("b-") and c > 1),
        dead_lettered=len(dead),
        transactions=int(gauges["wintertrack_ingest_transactions"]),
    )
    assert all(sources[f"b-{n}"] == 1 for n in range(40))
    assert "raced" not in sources
    assert [(m["offset"], m["payload"]) for m in dead] == [(20, raced.decode())]
    assert "already reported figures for 2022-10-02" in dead[0]["reason"]
    assert ingest.counts == {"stored": 40, "duplicate": 0, "rejected": 1}
    assert gauges["wintertrack_ingest_transactions"] == 1  # the 40, together, once
    assert gauges["wintertrack_ingest_stored_messages"] == 40
    assert gauges["wintertrack_ingest_dlq_messages"] == 1
    assert gauges["wintertrack_ingest_consumer_lag"] == 0
    assert gauges["wintertrack_ingest_lag_seconds"] == 0  # caught up
    assert gauges["wintertrack_ingest_messages_per_second"] > 0  # 41 handled just now


def test_a_restart_after_the_store_committed_but_not_the_offsets_stores_nothing_twice(
    postgres_url: str, broker: Broker, application: WinterApplication
) -> None:
    messages = valid(60, "r")
    messages.insert(30, daily_message("s00", "2022-10-05", "r-bad", beds_equivalent=-1))
    produce(broker, messages)
    first = Ingest(application, broker.bootstrap, "winter")
    records = poll_all(first, len(messages))
    first.settle(*first.store(first.validate(records), records))
    first.close()  # stops here: stored, dead-lettered, offsets not committed
    assert first.counts == {"stored": 60, "duplicate": 0, "rejected": 1}
    stored_before = sum(reports_by_source(application).values())

    restarted = Ingest(application, broker.bootstrap, "winter", views=ViewDatabase(postgres_url))
    stop = threading.Event()
    worker = threading.Thread(target=restarted.run, args=(stop,), daemon=True)
    worker.start()
    try:
        wait_for(lambda: sum(restarted.counts.values()) >= len(messages), timeout=180)
    finally:
        stop.set()
        worker.join(timeout=30)
        restarted.close()

    sources = reports_by_source(application)
    report(
        "ingest-restart-after-store",
        sent=len(messages),
        stored_by_first=first.counts["stored"],
        stored_by_restarted=restarted.counts["stored"],
        duplicates_on_replay=restarted.counts["duplicate"],
        stored_twice=sum(1 for s, c in sources.items() if (s or "").startswith("r-") and c > 1),
    )
    assert restarted.counts == {"stored": 0, "duplicate": 60, "rejected": 1}
    assert sum(sources.values()) == stored_before
    assert all(sources[f"r-{n}"] == 1 for n in range(60)) and "r-bad" not in sources
