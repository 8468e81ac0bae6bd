"""Hostile producers against a real Kafka-protocol broker: poison records never stop a consumer.

One ``wintertrack ingest`` process, 1,000 valid daily messages interleaved with the ten kinds of
poison: every valid message stored once, every poison on the dead-letter topic with its reason
and counted by reason on ``/metrics``, and the process still the one that was started. The same
for ``wintertrack region follow``, with forged returns too (signed with a key the region does
not list, with another ICB's key, for another ICB's programme, keyed by another programme, a
revision gap, a replay): only the genuine returns are stored, once each.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from api.main import create_app
from api.metrics import Metrics
from capacity.application import WinterApplication
from capacity.commands import AddUser
from capacity.signing import generate, public_text, sign
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from projections.region import MEDIA_TYPES
from tests.scenarios.ledger import P
from tests.support.broker import Broker
from tests.support.poison import nan_json, poison
from tests.support.region import ADMIN, Y61, Icb, follow, received
from tests.support.streams import (
    cli_env,
    many_events,
    read_topic,
    report,
    reports_by_source,
    wait_for,
    wintertrack,
)
from wintertrack.config import event_store_env
from wintertrack.streams.region import outgoing

pytestmark = pytest.mark.postgres
SCHEMES, DAYS = 20, 50


GENUINE = {("QM7-2022-23", "2022-10"), ("QM7-2022-23", "2022-11"), ("QHG-2022-23", "2022-10")}


class Sent(NamedTuple):
    key: bytes
    value: bytes | None
    headers: list[tuple[str, bytes]]


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
                "beds_equivalent": 4 + (n + day) % 2,  # never double or half the day before
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
        wait_for(lambda: done() or process.poll() is not None, timeout=300)
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


def _returns(icb: Icb) -> dict[tuple[str, int], tuple[bytes, dict[str, Any]]]:
    """The ICB's signed return messages by (month, revision): (key, decoded value)."""
    found = {}
    for n in icb.app.recorder.select_notifications(0, 100_000):
        message = outgoing(icb.app, n, icb.key)
        if message is not None:
            value = json.loads(message[1])
            found[(value["month"], value["revision"])] = (message[0], value)
    return found


def test_poison_and_forged_returns_never_stop_the_region_follower(tmp_path: Path) -> None:
    qm7, qhg = Icb(tmp_path, "QM7"), Icb(tmp_path, "QHG")
    qm7.submit("2022-10", datetime(2022, 11, 9, 10, 0, tzinfo=UTC), "")
    qm7.submit("2022-10", datetime(2022, 11, 21, 15, 0, tzinfo=UTC), "ledger corrected")
    qm7.submit("2022-11", datetime(2022, 12, 9, 11, 0, tzinfo=UTC), "")
    qhg.submit("2022-10", datetime(2022, 11, 10, 9, 0, tzinfo=UTC), "")
    mine, theirs = _returns(qm7), _returns(qhg)
    catalogue = tmp_path / "y61.json"
    keyed = Y61.with_keys({"QM7": [public_text(qm7.key)], "QHG": [public_text(qhg.key)]})
    catalogue.write_text(keyed.model_dump_json())
    stranger = generate()

    def changed(value: dict[str, Any], **fields: Any) -> dict[str, Any]:
        copy = json.loads(json.dumps(value))
        for path, new in fields.items():
            *parents, last = path.split("__")
            target = copy
            for part in parents:
                target = target[part]
            target[last] = new
        return copy

    def signed(key: Any, value: dict[str, Any], programme: str = "QM7-2022-23") -> Sent:
        payload = nan_json(value)
        return Sent(programme.encode(), payload, [("signature", sign(key, payload).encode())])

    oct1, oct2, nov1 = mine[("2022-10", 1)], mine[("2022-10", 2)], mine[("2022-11", 1)]
    genuine = {
        "QM7 r1": signed(qm7.key, oct1[1]),
        # QHG names its artefacts to be served as a page from the region's origin: the region
        # serves them under its own names and types
        "QHG r1": signed(
            qhg.key,
            changed(
                theirs[("2022-10", 1)][1],
                artefacts__csv__filename="\u2603<b>.html",
                artefacts__csv__media_type="text/html",
                artefacts__xlsx__media_type="application/javascript",
            ),
            "QHG-2022-23",
        ),
        "QM7 r2": signed(qm7.key, oct2[1]),
        "QM7 Nov r1": signed(qm7.key, nov1[1]),
    }
    kinds = poison(lambda **_: b"")  # the names and reasons; the values are built for returns
    bad = {
        "tombstone": (Sent(b"QM7-2022-23", None, []), kinds[0].reason),
        "non-utf8": (Sent(b"QM7-2022-23", kinds[1].value, []), "not JSON"),
        "non-json": (Sent(b"QM7-2022-23", b"{not json", []), "not JSON"),
        "deep-json": (Sent(b"QM7-2022-23", b"[" * 60_000, []), "nested too deeply"),
        "overflow": (
            signed(qm7.key, changed(nov1[1], programme__allocations__revenue="1E+1000000")),
            "programme.allocations.revenue",
        ),
        "nan": (
            signed(qm7.key, changed(nov1[1], programme__allocations__revenue=float("nan"))),
            "NaN is not a number",
        ),
        "unknown-icb": (
            signed(qm7.key, changed(nov1[1], programme__icb_code="QXX")),
            "QXX is not an ICB of region Y61",
        ),
        "wrong-types": (signed(qm7.key, changed(nov1[1], revision="two")), "revision"),
        "2mb": (Sent(b"QM7-2022-23", b'{"x": "' + b"x" * 2_097_152 + b'"}', []), "Field required"),
        "other-region": (
            signed(qm7.key, changed(nov1[1], programme__region_code="Y62")),
            "programme.region_code: is Y62",
        ),
        "forged: wrong key": (signed(stranger, oct2[1]), "does not verify with any public key"),
        "forged: another ICB's key": (signed(qhg.key, oct2[1]), "any public key of QM7"),
        "forged: another ICB's programme": (
            signed(
                qm7.key,
                changed(theirs[("2022-10", 1)][1], programme__icb_code="QM7"),
                "QHG-2022-23",
            ),
            "QHG-2022-23 is not a programme of QM7",
        ),
        "forged: keyed by another programme": (
            signed(qm7.key, oct2[1], "QHG-2022-23"),
            "key: is 'QHG-2022-23'",
        ),
        "revision gap": (
            signed(qm7.key, changed(nov1[1], revision=3, kind="restatement", reason="x")),
            "the next revision of QM7-2022-23 2022-11 is 2",
        ),
    }
    order = [
        *("QM7 r1", "tombstone", "non-utf8", "QHG r1", "non-json", "deep-json", "overflow"),
        *("nan", "unknown-icb", "wrong-types", "2mb", "other-region", "forged: wrong key"),
        *("forged: another ICB's key", "forged: another ICB's programme"),
        *("forged: keyed by another programme", "QM7 r2", "QM7 Nov r1", "revision gap"),
        "replay",
    ]
    with Broker(tmp_path) as broker:
        producer = KafkaProducer(
            bootstrap_servers=broker.bootstrap, acks="all", max_request_size=4 * 1024 * 1024
        )
        expected: dict[tuple[int, int], str] = {}
        for name in order:
            sent = genuine["QM7 r1"] if name == "replay" else genuine.get(name) or bad[name][0]
            at = producer.send(
                "winter.returns", key=sent.key, value=sent.value, headers=sent.headers
            ).get(timeout=30)
            if name in bad:
                expected[(at.partition, at.offset)] = bad[name][1]
        producer.flush()
        env = {
            **os.environ,
            "WINTERTRACK_STORE": f"sqlite:///{tmp_path}/region.db",
            "WINTERTRACK_KAFKA_BOOTSTRAP": broker.bootstrap,
            "WINTERTRACK_KAFKA_TOPIC_PREFIX": "winter",
        }
        process = follow(env, catalogue)
        assert process.stdout is not None
        counts: dict[str, int] = {}
        restarts = 0
        while sum(counts.values()) < len(order):
            line = process.stdout.readline()
            if not line:
                restarts = 1  # the follower died: a supervisor would have to start it again
                break
            counts = json.loads(line)
        process.terminate()
        process.wait(timeout=30)
        dead = read_topic(broker.bootstrap, "winter.returns.dlq") if restarts == 0 else []

    stored = received(f"sqlite:///{tmp_path}/region.db")
    report(
        "poison-region",
        messages=len(order),
        genuine_stored=sum(stored.values()),
        duplicates=counts.get("duplicate", 0),
        dead_lettered=len(dead),
        forged_stored=sum(v for k, v in stored.items() if k[:2] not in GENUINE),
        restarts=restarts,
    )
    assert restarts == 0, f"the follower died after {counts}"
    assert stored == Counter(
        {
            ("QM7-2022-23", "2022-10", 1): 1,
            ("QM7-2022-23", "2022-10", 2): 1,
            ("QM7-2022-23", "2022-11", 1): 1,
            ("QHG-2022-23", "2022-10", 1): 1,
        }
    )
    assert counts == {"stored": 4, "duplicate": 1, "rejected": len(bad)}
    reasons = {(d["partition"], d["offset"]): d["reason"] for d in dead}
    assert set(reasons) == set(expected)
    for where, fragment in expected.items():
        assert fragment in reasons[where], (fragment, reasons[where])

    region_app = WinterApplication(env=event_store_env(f"sqlite:///{tmp_path}/region.db"))
    read = ReadModel(Projector(region_app, ViewDatabase(f"sqlite:///{tmp_path}/region.db")))
    _, token = region_app.run_command(
        AddUser(actor=ADMIN, name="eoe-team", role="region", programme="Y61", schemes=[])
    )
    client = TestClient(create_app(region_app, read, "secret", follow=False))
    base = "/api/v1/regions/Y61/submissions/2022-10/QHG/revisions/1"
    for name, media in MEDIA_TYPES.items():
        got = client.get(f"{base}/{name}", headers={"Authorization": f"Bearer {token}"})
        assert got.status_code == 200
        assert got.headers["content-type"] == media
        disposition = f'attachment; filename="QHG-2022-23-2022-10-r1.{name}"'
        assert got.headers["content-disposition"] == disposition
