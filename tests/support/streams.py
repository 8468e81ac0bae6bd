"""Helpers for the stream tests: read a whole topic, a store with many events, the command
line's environment, waiting for a condition and counting what was ingested."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from capacity.application import WinterApplication
from capacity.commands import ImportDaily, OpenProgramme, RegisterScheme
from tests.scenarios.ledger import ADMIN, PROGRAMME, P, scheme_spec
from tests.support.broker import Broker


def read_topic(bootstrap: str, topic: str, timeout_ms: int = 4000) -> list[dict[str, Any]]:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=timeout_ms
    )
    partitions = consumer.partitions_for_topic(topic) or set()
    assignment = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(assignment)
    consumer.seek_to_beginning(*assignment)
    found = []
    for record in consumer:
        found.append(
            {
                "partition": record.partition,
                "offset": record.offset,
                "headers": dict(record.headers),
                **json.loads(record.value),
            }
        )
    consumer.close()
    return found


def stored_keys(application: WinterApplication) -> set[tuple[str, int]]:
    keys: set[tuple[str, int]] = set()
    start = 0
    while True:
        page = application.recorder.select_notifications(start, 5000, inclusive_of_start=False)
        if not page:
            return keys
        keys |= {(str(n.originator_id), n.originator_version) for n in page}
        start = page[-1].id


def many_events(application: WinterApplication, schemes: int = 60, days: int = 166) -> int:
    """Opens the programme and writes at least schemes x days daily reports in batches."""
    application.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
    for n in range(schemes):
        application.run_command(
            RegisterScheme(
                actor=ADMIN, programme=P, spec=scheme_spec(f"s{n:02d}", planned_start=None, kpis=[])
            )
        )
    start = date(2022, 10, 1)
    for n in range(schemes):
        batch = []
        for offset in range(days):
            day = start + timedelta(days=offset)
            _, cleaned = application.prepare_daily(
                ADMIN, P, f"s{n:02d}", {"date": day, "beds_equivalent": (n + offset) % 9}
            )
            batch.append((day, f"s{n:02d}", cleaned, "bulk"))
        application.run_command(ImportDaily(actor=ADMIN, programme=P, reports=batch))
    return application.max_position()


def cli_env(store: str, broker: Broker) -> dict[str, str]:
    return {
        **os.environ,
        "WINTERTRACK_STORE": store,
        "WINTERTRACK_KAFKA_BOOTSTRAP": broker.bootstrap,
        "WINTERTRACK_KAFKA_TOPIC_PREFIX": "winter",
    }


def wintertrack(*args: str) -> list[str]:
    return [sys.executable, "-m", "wintertrack", *args]


def report(label: str, **figures: int) -> None:
    print(f"\n[{label}] " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def reports_by_source(application: WinterApplication) -> Counter[str]:
    found: Counter[str] = Counter()
    start = 0
    while True:
        page = application.recorder.select_notifications(start, 5000, inclusive_of_start=False)
        if not page:
            return found
        for n in page:
            if n.topic.endswith("DailyFiguresReported"):
                found[json.loads(n.state)["source_ref"]] += 1
        start = page[-1].id
