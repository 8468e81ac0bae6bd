"""The Kafka edge against a real Kafka-protocol broker and a real PostgreSQL store.

Each test prints the figures its scenario produced (events written, published, received,
duplicates removed, missing) so a run's output documents them.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from api.main import create_app
from api.metrics import Metrics
from capacity.application import WinterApplication
from capacity.commands import AddUser
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from tests.scenarios.ledger import ADMIN, P
from tests.support.broker import Broker
from tests.support.streams import (
    cli_env,
    many_events,
    read_topic,
    report,
    reports_by_source,
    stored_keys,
    wait_for,
    wintertrack,
)
from wintertrack.config import event_store_env
from wintertrack.demo import generate_winter
from wintertrack.streams.relay import Relay

pytestmark = pytest.mark.postgres


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    with Broker(tmp_path) as running:
        yield running


def test_every_event_written_through_the_api_is_published(
    postgres_url: str, broker: Broker
) -> None:
    application = WinterApplication(
        env=event_store_env(postgres_url), today=lambda: date(2022, 11, 5)
    )
    views = ViewDatabase(postgres_url)
    generate_winter(application, P, date(2022, 11, 3))
    read = ReadModel(Projector(application, views), today=lambda: date(2022, 11, 5))
    _, token = application.run_command(
        AddUser(actor=ADMIN, name="lead", role="lead", programme=P, schemes=["imc-beds-enh"])
    )
    client = TestClient(create_app(application, read, "secret", follow=False))
    written = client.post(
        f"/api/v1/programmes/{P}/schemes/imc-beds-enh/daily",
        json={"date": "2022-11-04", "beds_occupied": 3, "narrative": "all open"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert written.status_code == 201, written.text
    relay = Relay(application, views, broker.bootstrap, "winter")
    while relay.publish_page():
        pass
    relay.close()
    messages = read_topic(broker.bootstrap, "winter.events")
    assert {(m["aggregate_id"], m["aggregate_version"]) for m in messages} == stored_keys(
        application
    )
    last = max(messages, key=lambda m: m["position"])
    assert last["event_type"] == "DailyReport.DailyFiguresReported"
    assert last["actor"] == {"user_id": "lead", "role": "lead", "channel": "api"} | {
        "request_id": written.headers["x-request-id"]
    }
    assert last["programme"] == P and last["data"]["narrative"] == "all open"
    assert set(last) >= {
        "event_type",
        "aggregate_id",
        "aggregate_version",
        "position",
        "recorded_at",
        "programme",
        "actor",
        "data",
    }
    assert last["headers"] == {"schema-version": b"1"}
    by_aggregate: dict[str, list[int]] = {}
    for m in sorted(messages, key=lambda m: (m["partition"], m["offset"])):
        by_aggregate.setdefault(m["aggregate_id"], []).append(m["aggregate_version"])
    assert all(v == sorted(v) for v in by_aggregate.values()), "out of order per aggregate"
    report("api-to-events", written=len(stored_keys(application)), received=len(messages))


def test_relay_killed_mid_stream_resumes_without_losing_anything(
    postgres_url: str, broker: Broker
) -> None:
    application = WinterApplication(env=event_store_env(postgres_url))
    written = many_events(application)
    assert written >= 10_000
    env = cli_env(postgres_url, broker)
    first = subprocess.Popen(wintertrack("relay"), env=env, stdout=subprocess.PIPE, text=True)
    assert first.stdout is not None
    killed_at = 0
    for line in first.stdout:
        killed_at = int(line.split()[-1])
        if killed_at >= 3000:
            first.send_signal(signal.SIGKILL)
            break
    first.wait(timeout=30)
    assert 0 < killed_at < written
    subprocess.run(
        wintertrack("relay", "--once"), env=env, check=True, timeout=600, capture_output=True
    )
    messages = read_topic(broker.bootstrap, "winter.events", timeout_ms=6000)
    received = [(m["aggregate_id"], m["aggregate_version"]) for m in messages]
    unique = set(received)
    stored = stored_keys(application)
    assert unique == stored
    report(
        "relay-sigkill",
        written=len(stored),
        killed_after_position=killed_at,
        received=len(received),
        duplicates_removed=len(received) - len(unique),
        missing=len(stored - unique),
    )


def test_broker_outage_loses_nothing_and_writes_never_fail(
    postgres_url: str, broker: Broker
) -> None:
    application = WinterApplication(
        env=event_store_env(postgres_url), today=lambda: date(2022, 12, 1)
    )
    views = ViewDatabase(postgres_url)
    generate_winter(application, P, date(2022, 10, 20))
    _, token = application.run_command(
        AddUser(actor=ADMIN, name="lead", role="lead", programme=P, schemes=["hct-bridging-enh"])
    )
    read = ReadModel(Projector(application, views), today=lambda: date(2022, 12, 1))
    client = TestClient(create_app(application, read, "secret", follow=False))
    relay = Relay(application, views, broker.bootstrap, "winter", page_size=100)
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop, 0.2), daemon=True)
    worker.start()

    def write(day: int) -> int:
        return client.post(
            f"/api/v1/programmes/{P}/schemes/hct-bridging-enh/daily",
            json={"date": f"2022-11-{day:02d}", "beds_equivalent": 4 + day % 3},
            headers={"Authorization": f"Bearer {token}"},
        ).status_code

    statuses = [write(day) for day in range(1, 6)]
    wait_for(lambda: relay.position() == application.max_position())
    before = read_topic(broker.bootstrap, "winter.events")
    broker.stop()
    statuses += [write(day) for day in range(6, 21)]  # the broker is down
    during_outage = application.max_position()
    broker.start()
    statuses += [write(day) for day in range(21, 26)]
    wait_for(lambda: relay.position() == application.max_position(), timeout=90)
    stop.set()
    worker.join(timeout=15)
    after = read_topic(broker.bootstrap, "winter.events")
    assert statuses == [201] * 25, "a write failed while the broker was down"
    received = [(m["aggregate_id"], m["aggregate_version"]) for m in before + after]
    stored = stored_keys(application)
    assert set(received) == stored
    report(
        "broker-outage",
        written=len(stored),
        written_during_outage_up_to=during_outage,
        received=len(received),
        duplicates_removed=len(received) - len(set(received)),
        missing=len(stored - set(received)),
    )


def daily_message(scheme: str, day: str, source: str, **figures: object) -> bytes:
    return json.dumps(
        {"programme": P, "scheme_code": scheme, "date": day, "source_message_id": source, **figures}
    ).encode()


def ingest_until(env: dict[str, str], done: object, timeout: float = 180) -> None:
    process = subprocess.Popen(wintertrack("ingest"), env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(done, timeout)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_ingest_stores_valid_messages_and_dead_letters_poison(
    postgres_url: str, broker: Broker
) -> None:
    application = WinterApplication(env=event_store_env(postgres_url))
    many_events(application, schemes=3, days=1)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    topic = "winter.daily-figures"
    producer.send(topic, key=b"s00", value=b"{not json")
    producer.send(
        topic, key=b"s00", value=daily_message("s00", "2022-11-01", "m-bad", beds_equivalent=-4)
    )
    producer.send(
        topic, key=b"s00", value=daily_message("nope", "2022-11-01", "m-unknown", beds_equivalent=1)
    )
    for n in range(20):
        producer.send(
            topic,
            key=b"s00",
            value=daily_message("s00", f"2022-11-{n + 2:02d}", f"m-{n}", beds_equivalent=4 + n % 2),
        )
    producer.send(
        topic, key=b"s00", value=daily_message("s00", "2022-11-02", "m-0", beds_equivalent=4)
    )  # redelivery
    producer.flush()
    env = cli_env(postgres_url, broker)
    metrics = Metrics(Projector(application, ViewDatabase(postgres_url)))

    def ingest_gauges() -> dict[str, float]:
        text = metrics.exposition()[0].decode()
        return {
            s.name: s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name.startswith("wintertrack_ingest")
        }

    ingest_until(
        env,
        lambda: (
            sum(reports_by_source(application).values()) >= 20 + 3
            and ingest_gauges().get("wintertrack_ingest_dlq_messages") == 3
            and ingest_gauges().get("wintertrack_ingest_consumer_lag") == 0
        ),
    )
    gauges = ingest_gauges()
    assert gauges["wintertrack_ingest_stored_messages"] == 20
    report("ingest-metrics", **{k.removeprefix("wintertrack_"): int(v) for k, v in gauges.items()})
    sources = reports_by_source(application)
    assert all(sources[f"m-{n}"] == 1 for n in range(20))
    dead = read_topic(broker.bootstrap, "winter.daily-figures.dlq")
    reasons = sorted(m["reason"] for m in dead)
    assert len(dead) == 3
    assert any(r.startswith("not JSON") for r in reasons)
    assert any("beds_equivalent" in r for r in reasons)
    assert any("nope" in r for r in reasons)
    assert {m["payload"] for m in dead} >= {"{not json"}


def test_two_ingest_processes_and_a_sigkill_store_each_message_once(
    postgres_url: str, broker: Broker
) -> None:
    application = WinterApplication(env=event_store_env(postgres_url))
    many_events(application, schemes=10, days=1)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    sent = 0
    for n in range(10):
        for day in range(2, 32):
            producer.send(
                "winter.daily-figures",
                key=f"s{n:02d}".encode(),
                value=daily_message(
                    f"s{n:02d}", f"2022-10-{day:02d}", f"k-{n}-{day}", beds_equivalent=n % 9 or 4
                ),
            )
            sent += 1
    producer.flush()
    env = cli_env(postgres_url, broker)
    victim = subprocess.Popen(wintertrack("ingest"), env=env, stdout=subprocess.PIPE, text=True)
    assert victim.stdout is not None
    victim.stdout.readline()  # it has stored and committed at least one poll
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    killed_with = sum(reports_by_source(application).values()) - 10

    def stored() -> int:
        return sum(1 for s in reports_by_source(application) if s.startswith("k-"))

    processes = [
        subprocess.Popen(wintertrack("ingest"), env=env, stdout=subprocess.DEVNULL)
        for _ in range(2)
    ]
    try:
        wait_for(lambda: stored() >= sent, timeout=240)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    sources = reports_by_source(application)
    duplicates = sum(c - 1 for s, c in sources.items() if s.startswith("k-"))
    assert stored() == sent and duplicates == 0
    report(
        "ingest-sigkill-two-consumers",
        sent=sent,
        stored_before_kill=killed_with,
        stored=stored(),
        duplicates=duplicates,
        missing=sent - stored(),
    )
