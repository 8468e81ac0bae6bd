"""A poll's daily messages checked one by one and stored together (the in-memory store; the
same against a real broker and PostgreSQL in tests/integration/test_ingest_batches.py)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from kafka.consumer.fetcher import ConsumerRecord
from pydantic import ValidationError

from capacity.application import WinterApplication
from tests.scenarios.ledger import ADMIN, P
from tests.support.streams import many_events
from wintertrack.config import Settings
from wintertrack.streams.consumer import Rejected
from wintertrack.streams.daily_batch import DailyBatch
from wintertrack.streams.ingest import Throughput, batches

SIZES = (10, 20, 30, 40, 50, 150, 1, 1, 1, 1)


def record(offset: int, value: bytes) -> ConsumerRecord:
    return ConsumerRecord(
        "winter.daily-figures", 0, -1, offset, 0, 0, None, value, [], None, -1, len(value), -1
    )


def message(scheme: str, day: str, source: str, **figures: object) -> bytes:
    body = {"programme": P, "scheme_code": scheme, "date": day, "source_message_id": source}
    return json.dumps(body | figures).encode()


@pytest.fixture
def app() -> WinterApplication:
    application = WinterApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: date(2023, 1, 15)
    )
    many_events(application, schemes=3, days=1)  # s00-s02 reported 0, 1, 2 on 1 Oct 2022
    return application


def sources(app: WinterApplication) -> Counter[str]:
    found: Counter[str] = Counter()
    for n in app.recorder.select_notifications(1, 100_000):
        if n.topic.endswith("DailyFiguresReported"):
            found[json.loads(n.state)["source_ref"]] += 1
    return found


def run(app: WinterApplication, payloads: list[bytes]) -> tuple[DailyBatch, list[object]]:
    batch = DailyBatch(app)
    for index, payload in enumerate(payloads):
        try:
            outcome = batch.add(index, payload)
        except Rejected as refused:
            outcome = refused
        if outcome is not None:
            batch.outcomes[index] = outcome
    return batch, [batch.store()[i] for i in range(len(payloads))]


def test_one_refused_message_leaves_the_others_stored_once_in_one_transaction(
    app: WinterApplication,
) -> None:
    payloads = [message("s01", f"2022-10-{d:02d}", f"m-{d}", beds_equivalent=1) for d in (2, 3)]
    payloads.insert(1, message("s01", "2022-10-09", "bad", beds_equivalent=-4))
    payloads.append(message("s02", "2022-10-02", "m-s02", beds_equivalent=2))
    batch, outcomes = run(app, payloads)
    assert outcomes[0] == outcomes[2] == outcomes[3] == "stored"
    refused = outcomes[1]
    assert isinstance(refused, Rejected) and refused.reason.startswith("beds_equivalent")
    assert batch.transactions == 1
    assert sources(app) == Counter({"bulk": 3, "m-2": 1, "m-3": 1, "m-s02": 1})


def test_the_same_message_twice_in_a_poll_or_again_later_is_a_duplicate(
    app: WinterApplication,
) -> None:
    first = message("s00", "2022-10-02", "m-1", beds_equivalent=4)
    other = message("s00", "2022-10-02", "m-other", beds_equivalent=4)
    _, outcomes = run(app, [first, first, other])
    assert outcomes[:2] == ["stored", "duplicate"]
    assert isinstance(outcomes[2], Rejected) and "send a correction" in outcomes[2].reason
    _, again = run(app, [first])  # a redelivery after a crash before the offsets' commit
    assert again == ["duplicate"]
    assert sources(app)["m-1"] == 1


def test_figures_that_look_wrong_against_the_day_before_in_the_same_poll_need_a_comment(
    app: WinterApplication,
) -> None:
    day_before = message("s00", "2022-10-02", "m-2", beds_equivalent=4)
    doubled = message("s00", "2022-10-03", "m-3", beds_equivalent=9)
    confirmed = message(
        "s00", "2022-10-03", "m-3c", beds_equivalent=9, confirm_comment="ward reopened"
    )
    _, outcomes = run(app, [day_before, doubled])
    assert outcomes[0] == "stored"
    assert isinstance(outcomes[1], Rejected) and outcomes[1].reason.startswith("confirm_comment")
    _, kept = run(app, [confirmed])
    assert kept == ["stored"]
    stored = app.get_daily_report(P, "s00", date(2022, 10, 3))
    assert stored.source_ref == "m-3c"


def test_a_day_stored_by_another_writer_meanwhile_refuses_only_that_message(
    app: WinterApplication,
) -> None:
    payloads = [message("s01", f"2022-10-{d:02d}", f"m-{d}", beds_equivalent=1) for d in (2, 3, 4)]
    batch = DailyBatch(app)
    for index, payload in enumerate(payloads):
        assert batch.add(index, payload) is None
    app.report_daily(ADMIN, P, "s01", {"date": "2022-10-03", "beds_equivalent": 1})
    outcomes = batch.store()
    assert outcomes[0] == outcomes[2] == "stored"
    assert isinstance(outcomes[1], Rejected) and "already reported" in outcomes[1].reason
    assert batch.transactions == 1  # the others retried whole, once the stored day was out
    assert sources(app)["m-2"] == sources(app)["m-4"] == 1 and "m-3" not in sources(app)


def test_throughput_counts_the_messages_of_the_last_window() -> None:
    rate = Throughput(window=10)
    rate.samples[0] = (100.0, 0)
    rate.add(500, now=101.0)
    rate.add(500, now=102.0)
    assert rate.rate(now=102.0) == pytest.approx(1000 / 2)
    assert rate.rate(now=111.5) == pytest.approx(500 / 10.5)  # counted from 101 s on
    assert rate.rate(now=200.0) == 0.0


def test_batches_are_cut_by_records_and_by_bytes() -> None:
    records = [record(offset, b"x" * size) for offset, size in enumerate(SIZES)]
    cut = [[len(r.value) for r in batch] for batch in batches(records, 3, 100)]
    assert cut == [[10, 20, 30], [40, 50], [150], [1, 1, 1], [1]]


@pytest.mark.parametrize(
    ("name", "value"),
    [("INGEST_BATCH_RECORDS", "0"), ("INGEST_BATCH_BYTES", "1000"), ("INGEST_BATCH_RECORDS", "x")],
)
def test_batch_settings_refuse_sizes_that_cannot_work(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"WINTERTRACK_{name}", value)
    with pytest.raises(ValidationError, match=name.lower()):
        Settings()
