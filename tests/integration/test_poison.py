"""Hostile producers against a real Kafka-protocol broker: poison records never stop a consumer.

One ``wintertrack ingest`` process, 1,000 valid daily messages interleaved with the ten kinds of
poison: every valid message stored once, every poison on the dead-letter topic with its reason
and counted by reason on ``/metrics``, and the process still the one that was started.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from api.metrics import Metrics
from capacity.application import WinterApplication
from projections.db import ViewDatabase
from projections.projector import Projector
from tests.integration.test_streams import (
    _wait_for,
    cli_env,
    report,
    reports_by_source,
    wintertrack,
)
from tests.scenarios.ledger import P
from tests.support.broker import Broker
from tests.support.poison import nan_json, poison
from tests.support.streams import many_events, read_topic
from wintertrack.config import event_store_env

pytestmark = pytest.mark.postgres
SCHEMES, DAYS = 20, 50


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    with Broker(tmp_path) as running:
        yield running


def daily(
    source: str,
    programme: str = P,
    overflow: object = None,
    unknown: bool = False,
    wrong_types: bool = False,
    padding: str = "",
) -> bytes:
    message: dict[str, object] = {
        "programme": programme,
        "scheme_code": "nope" if unknown else "s00",
        "date": "2022-10-02",
        "source_message_id": source,
        "beds_equivalent": 1 if overflow is None else overflow,
    }
    if wrong_types:
        message["beds_occupied"] = [1, 2]
    if padding:
        message["narrative"] = padding
    return nan_json(message)


def test_poison_never_stops_the_ingest(postgres_url: str, broker: Broker) -> None:
    application = WinterApplication(env=event_store_env(postgres_url))
    many_events(application, schemes=SCHEMES, days=1)
    kinds = poison(lambda **changes: daily("poison", **changes))
    producer = KafkaProducer(
        bootstrap_servers=broker.bootstrap, acks="all", max_request_size=4 * 1024 * 1024
    )
    topic = "winter.daily-figures"
    valid = 0
    for day in range(DAYS):
        for n in range(SCHEMES):
            message = {
                "programme": P,
                "scheme_code": f"s{n:02d}",
                "date": f"2022-11-{day + 1:02d}" if day < 30 else f"2022-12-{day - 29:02d}",
                "source_message_id": f"v-{n}-{day}",
                "beds_equivalent": (n + day) % 7,
            }
            producer.send(topic, key=f"s{n:02d}".encode(), value=nan_json(message))
            valid += 1
            if valid % 100 == 50:
                bad = kinds[valid // 100]
                producer.send(topic, key=b"s00", value=bad.value)
    producer.flush()
    assert valid == 1000

    metrics = Metrics(Projector(application, ViewDatabase(postgres_url)))

    def dead_by_reason() -> dict[str, float]:
        text = metrics.exposition()[0].decode()
        return {
            s.labels["reason"]: s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name == "wintertrack_ingest_dead_letters"
        }

    def done() -> bool:
        stored = sum(c for s, c in reports_by_source(application).items() if s.startswith("v-"))
        return stored >= valid and sum(dead_by_reason().values()) >= len(kinds)

    env = cli_env(postgres_url, broker)
    process = subprocess.Popen(wintertrack("ingest"), env=env, stdout=subprocess.DEVNULL)
    try:
        _wait_for(lambda: done() or process.poll() is not None, timeout=300)
        restarts = 0 if process.poll() is None else 1  # the process that was started, alive
    finally:
        process.terminate()
        process.wait(timeout=30)

    sources = reports_by_source(application)
    stored = Counter(c for s, c in sources.items() if s.startswith("v-"))
    assert restarts == 0, f"the ingest died having stored {stored[1]} of {valid}"
    dead = read_topic(broker.bootstrap, "winter.daily-figures.dlq")
    by_kind = dict(sorted(Counter(m["kind"] for m in dead).items()))
    report(
        "poison-ingest",
        valid_sent=valid,
        valid_stored_once=stored[1],
        stored_twice=sum(v for k, v in stored.items() if k > 1),
        dead_lettered=len(dead),
        restarts=restarts,
        **{f"dlq_{k}": v for k, v in by_kind.items()},
    )
    assert stored == Counter({1: valid})
    assert "poison" not in sources
    assert len(dead) == len(kinds)
    for bad, letter in zip(kinds, sorted(dead, key=lambda m: m["offset"]), strict=True):
        assert bad.reason in letter["reason"], (bad.name, letter["reason"])
        if bad.value is None:
            assert letter["payload"] is None
        elif "payload" in letter:
            assert letter["payload"].encode() == bad.value  # the original bytes, kept
        else:
            assert bad.value.startswith(b'{"programme": "')  # the non-UTF-8 one, as base64
    assert dead_by_reason() == {k: float(v) for k, v in by_kind.items()}
