"""ICBs to their region through a real Kafka-protocol broker (tansu) and real SQLite stores.

Three ICB stores, each with its own relay; one region store with ``wintertrack region follow``
as a subprocess, SIGKILLed mid-stream and restarted. QM7 submits October on time and restates
it, QH8 is late for October, QUE never submits (nor do the three ICBs with no store). A
tampered message and a redelivered one are on the topic too. The test prints its counts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer

from api.main import create_app
from capacity.application import WinterApplication
from capacity.commands import AddUser
from capacity.signing import public_text
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from projections.region import tracker
from tests.support.broker import Broker
from tests.support.region import ADMIN, SUBMISSIONS, TODAY, Y61, Icb, follow, received, sign_with
from tests.support.streams import read_topic
from wintertrack.config import event_store_env
from wintertrack.streams.region import outgoing
from wintertrack.streams.relay import Relay


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_returns_reach_the_region_once_each_and_byte_identical(
    tmp_path: Path, engine: str, request: pytest.FixtureRequest
) -> None:
    # The region's own store on each engine (the ICBs' stores stay SQLite files).
    region_store = (
        str(request.getfixturevalue("postgres_url"))
        if engine == "postgresql"
        else f"sqlite:///{tmp_path}/region.db"
    )
    with Broker(tmp_path) as broker:
        icbs = {code: Icb(tmp_path, code) for code in ("QM7", "QH8", "QUE")}
        for code, month, when, reason in SUBMISSIONS:
            icbs[code].submit(month, when, reason)
        published = 0
        catalogue = tmp_path / "y61.json"  # the region lists each ICB's public key
        keyed = Y61.with_keys({c: [public_text(i.key)] for c, i in icbs.items()})
        catalogue.write_text(keyed.model_dump_json())
        for icb in icbs.values():  # each ICB's own relay, against its own store
            relay = Relay(icb.app, icb.views, broker.bootstrap, "winter", signing_key=icb.key)
            while relay.publish_page():
                pass
            published += relay.returns_published
            relay.close()
        assert published == len(SUBMISSIONS)

        # poison and a redelivery on the same topic
        qm7 = icbs["QM7"]
        last = qm7.app.recorder.select_notifications(0, 100_000)
        genuine = [m for n in last if (m := outgoing(qm7.app, n, qm7.key)) is not None]
        key, value, _ = genuine[-1]
        tampered = json.loads(value)
        xlsx = bytearray(base64.b64decode(tampered["artefacts"]["xlsx"]["base64"]))
        xlsx[100] ^= 0xFF
        tampered["artefacts"]["xlsx"]["base64"] = base64.b64encode(bytes(xlsx)).decode()
        producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
        broken = json.dumps(tampered).encode()  # signed by QM7, but an artefact is corrupt
        producer.send(
            "winter.returns", key=key, value=broken, headers=[("signature", sign_with(qm7, broken))]
        )
        producer.send("winter.returns", key=b"QH8-2022-23", value=b"{not json")
        producer.send("winter.returns", key=key, value=genuine[0][1], headers=genuine[0][2])
        producer.flush()
        sent = published + 3

        env = {
            **os.environ,
            "WINTERTRACK_STORE": region_store,
            "WINTERTRACK_KAFKA_BOOTSTRAP": broker.bootstrap,
            "WINTERTRACK_KAFKA_TOPIC_PREFIX": "winter",
        }
        victim = follow(env, catalogue)
        assert victim.stdout is not None
        before = [json.loads(victim.stdout.readline()) for _ in range(2)]
        victim.send_signal(signal.SIGKILL)  # mid-stream: two polls stored and committed
        victim.wait(timeout=30)
        stored_at_kill = sum(received(region_store).values())
        again = follow(env, catalogue)
        assert again.stdout is not None
        after: dict[str, int] = {}
        deadline = time.monotonic() + 120
        while sum(after.values()) + sum(before[-1].values()) < sent:
            assert time.monotonic() < deadline, "the follower did not catch up"
            after = json.loads(again.stdout.readline())
        again.terminate()
        again.wait(timeout=30)
        dead = read_topic(broker.bootstrap, "winter.returns.dlq")

    counts = received(region_store)
    expected = {(f"{c}-2022-23", m, r) for c, m, r in [
        ("QM7", "2022-10", 1), ("QM7", "2022-10", 2), ("QM7", "2022-11", 1),
        ("QH8", "2022-10", 1), ("QH8", "2022-11", 1),
    ]}  # fmt: skip
    assert set(counts) == expected and set(counts.values()) == {1}, counts
    reasons = sorted(d["reason"] for d in dead)
    assert len(dead) == 2 and any(r.startswith("artefacts.xlsx.sha256") for r in reasons)
    assert any(r.startswith("message: not JSON") for r in reasons)

    region_app = WinterApplication(env=event_store_env(region_store), today=lambda: TODAY)
    region_read = ReadModel(Projector(region_app, ViewDatabase(region_store)), lambda: TODAY)
    _, token = region_app.run_command(
        AddUser(actor=ADMIN, name="eoe-team", role="region", programme="Y61", schemes=[])
    )
    _, icb_token = region_app.run_command(
        AddUser(actor=ADMIN, name="icb-finance", role="finance", programme=None, schemes=[])
    )
    client = TestClient(create_app(region_app, region_read, "secret", follow=False))
    auth = {"Authorization": f"Bearer {token}"}
    october = client.get("/api/v1/regions/Y61/submissions/2022-10", headers=auth).json()
    statuses = {i["icb_code"]: (i["status"], i["revision"]) for i in october["icbs"]}
    assert statuses == {
        "QHG": ("missing", None),
        "QUE": ("missing", None),
        "QM7": ("resubmitted", 2),
        "QH8": ("late", 1),
        "QMM": ("missing", None),
        "QJG": ("missing", None),
    }
    assert october["deadline"] == "2022-11-14"
    assert october["totals"]["missing"] == 4 and october["totals"]["bed_target"] == 240
    november = client.get("/api/v1/regions/Y61/submissions/2022-11", headers=auth).json()
    assert {i["icb_code"]: i["status"] for i in november["icbs"]}["QH8"] == "submitted"

    # every artefact downloaded from the region is byte-identical to what the ICB submitted
    checked = 0
    for programme, month, revision in sorted(expected):
        icb = icbs[programme[:3]]
        base = f"/api/v1/regions/Y61/submissions/{month}/{icb.code}/revisions/{revision}"
        csv = client.get(f"{base}/csv", headers=auth)
        xlsx = client.get(f"{base}/xlsx", headers=auth)
        original_csv = icb.read.submission(icb.programme, month, revision)
        assert csv.content == original_csv["csv"].encode("utf-8")
        assert hashlib.sha256(csv.content).hexdigest() == original_csv["sha256"]
        assert csv.headers["X-Wintertrack-Sha256"] == original_csv["sha256"]
        original_xlsx = icb.submitted_xlsx(month, revision)
        assert hashlib.sha256(xlsx.content).hexdigest() == hashlib.sha256(original_xlsx).hexdigest()
        assert xlsx.headers["X-Wintertrack-Sha256"] == hashlib.sha256(original_xlsx).hexdigest()
        checked += 2
    rollup = client.get("/api/v1/regions/Y61/submissions/2022-10/rollup?format=csv", headers=auth)
    assert rollup.status_code == 200 and rollup.text.count("\n") == 1 + 6 + 1

    # who may do what: an ICB user may not read the region; a region user writes nowhere
    other = {"Authorization": f"Bearer {icb_token}"}
    assert client.get("/api/v1/regions/Y61", headers=other).status_code == 403
    assert client.get("/api/v1/regions/Y61/submissions/2022-10", headers=other).status_code == 403
    assert client.get("/api/v1/regions/Y61", headers=auth).status_code == 200
    assert client.get("/api/v1/regions/Y62", headers=auth).status_code == 403
    assert client.get("/api/v1/regions/Y61/submissions/2022-13", headers=auth).status_code == 422
    icb_app, icb_read = qm7.app, qm7.read
    _, region_in_icb = icb_app.run_command(
        AddUser(actor=ADMIN, name="eoe-team", role="region", programme="Y61", schemes=[])
    )
    icb_client = TestClient(create_app(icb_app, icb_read, "secret", follow=False))
    as_region = {"Authorization": f"Bearer {region_in_icb}"}
    writes = [
        (f"/api/v1/programmes/{qm7.programme}/schemes/imc-beds-enh/daily", {"date": "2022-12-06"}),
        (f"/api/v1/programmes/{qm7.programme}/returns/2022-11/submit", {}),
        (f"/api/v1/programmes/{qm7.programme}/bed-target", {"bed_target": 1, "reason": "x"}),
    ]
    for path, body in writes:
        assert icb_client.post(path, json=body, headers=as_region).status_code == 403, path

    # the region rebuilds from its own store alone
    fresh = ViewDatabase(f"sqlite:///{tmp_path}/rebuilt.db")
    Projector(region_app, fresh).run_once()
    assert tracker(fresh, Y61, "2022-10", TODAY) == tracker(
        region_read.views, Y61, "2022-10", TODAY
    )

    duplicates = before[-1]["duplicate"] + after["duplicate"]
    assert duplicates >= 1
    print(
        f"\n[region on {engine}] returns_published={published}, messages_on_topic={sent}, "
        f"stored_before_sigkill={stored_at_kill}, received={sum(counts.values())}, "
        f"dlq={len(dead)}, duplicates_removed={duplicates}, "
        f"missing={len(expected - set(counts))}, artefacts_byte_identical={checked}, "
        f"icbs_missing_october={october['totals']['missing']}"
    )
