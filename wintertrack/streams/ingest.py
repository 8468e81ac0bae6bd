"""Consumes daily reports from provider systems on ``{prefix}.daily-figures``.

Each poll's messages are validated exactly as the API validates a report; invalid ones go to
``{prefix}.daily-figures.dlq`` with the reason and the original payload, and the rest are stored
as reports from the ``kafka`` channel in one transaction (``daily_batch.py``, through the path
the CSV import uses). Only once the store has committed and the broker has every dead letter are
the offsets committed. Storing is idempotent on (scheme, date, source_message_id), so a message
delivered again (after a crash between the two commits, or a rebalance between two ingest
processes) stores nothing twice. A poll is cut into batches of at most ``batch_records``
messages and ``batch_bytes`` bytes (settings ``WINTERTRACK_INGEST_BATCH_RECORDS`` and
``WINTERTRACK_INGEST_BATCH_BYTES``).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import Counter, deque
from collections.abc import Iterator

from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError

from capacity.application import WinterApplication
from projections.db import ViewDatabase
from wintertrack.streams.consumer import (
    DeadLetteringConsumer,
    Rejected,
    Sent,
    dead_letter_producer,
    manual_consumer,
)
from wintertrack.streams.daily_batch import INGEST, DailyBatch, Outcome

log = logging.getLogger("wintertrack.ingest")
GROUP = "wintertrack-ingest"
MAX_MESSAGE = 64 * 1024  # a daily report with every figure and a full narrative is under 8 KB
BATCH_RECORDS = 500
BATCH_BYTES = 1024 * 1024
RATE_WINDOW = 10.0  # seconds over which /metrics shows messages per second

__all__ = ["INGEST", "Ingest", "batches"]


def batches(
    records: list[ConsumerRecord], max_records: int, max_bytes: int
) -> Iterator[list[ConsumerRecord]]:
    """The records in order, cut so no batch holds more than ``max_records`` records or
    ``max_bytes`` bytes of values (a larger record travels alone)."""
    batch: list[ConsumerRecord] = []
    size = 0
    for record in records:
        length = len(record.value or b"")
        if batch and (len(batch) >= max_records or size + length > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += length
    if batch:
        yield batch


class Throughput:
    """Messages handled per second over the last ``window`` seconds."""

    def __init__(self, window: float = RATE_WINDOW) -> None:
        self.window = window
        self.total = 0
        self.samples: deque[tuple[float, int]] = deque([(time.monotonic(), 0)])

    def add(self, count: int, now: float | None = None) -> None:
        self.total += count
        self.samples.append((time.monotonic() if now is None else now, self.total))

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        while len(self.samples) > 1 and self.samples[1][0] <= now - self.window:
            self.samples.popleft()
        since, counted = self.samples[0]
        return (self.total - counted) / max(now - since, 1e-3) if self.total > counted else 0.0


class Ingest(DeadLetteringConsumer):
    max_value_bytes = MAX_MESSAGE

    def __init__(
        self,
        application: WinterApplication,
        bootstrap: str,
        topic_prefix: str,
        group: str = GROUP,
        views: ViewDatabase | None = None,
        batch_records: int = BATCH_RECORDS,
        batch_bytes: int = BATCH_BYTES,
    ) -> None:
        self.application = application
        self.views = views
        self.batch_records = batch_records
        self.batch_bytes = batch_bytes
        self.consumer_id = f"{group}/{socket.gethostname()}/{os.getpid()}"
        self._reported = 0.0
        self._unreported = False
        self.topic = f"{topic_prefix}.daily-figures"
        self.dlq = f"{self.topic}.dlq"
        self.consumer = manual_consumer(
            self.topic,
            bootstrap,
            group,
            max_poll_records=batch_records,
            max_partition_fetch_bytes=max(batch_bytes, MAX_MESSAGE),
        )
        self.producer = dead_letter_producer(bootstrap)
        self.counts = {"stored": 0, "duplicate": 0, "rejected": 0}
        self.dead_letters = Counter()
        self.transactions = 0  # batches of reports stored, each in one transaction
        self.throughput = Throughput()
        self.newest = 0.0  # when the newest message handled was produced (Unix time)

    def handle_poll(self, records: list[ConsumerRecord]) -> None:
        for batch in batches(records, self.batch_records, self.batch_bytes):
            self.settle(*self.store(self.validate(batch), batch))

    def validate(self, records: list[ConsumerRecord]) -> DailyBatch:
        """Checks each record; the valid ones are held in the batch, the others' outcomes set."""
        batch = DailyBatch(self.application)
        for index, record in enumerate(records):
            outcome = self.attempt(record, lambda: batch.add(index, record.value))  # noqa: B023
            if outcome is not None:
                batch.outcomes[index] = outcome
        return batch

    def store(self, batch: DailyBatch, records: list[ConsumerRecord]) -> list[Sent]:
        """Stores the held reports, counts every record's outcome and sends the refused ones to
        the dead-letter topic (``settle`` waits for the broker to take them)."""
        outcomes: dict[int, Outcome] = batch.store()
        self.transactions += batch.transactions
        sent = []
        for index, record in enumerate(records):
            outcome = outcomes[index]
            if isinstance(outcome, Rejected):
                sent.append(self.reject(record, outcome))
                outcome = "rejected"
            self.counts[outcome] += 1
            self.newest = max(self.newest, record.timestamp / 1000)
        self.throughput.add(len(records))
        return sent

    def on_commit(self) -> None:
        log.info("ingest counts %s", self.counts, extra={"counts": dict(self.counts)})

    def on_poll(self, polled: bool) -> None:
        """Reports at most once a second while messages arrive, and every 5 s when idle (so a
        stopped process shows as one whose row is not updated)."""
        self._unreported = self._unreported or polled
        quiet = time.monotonic() - self._reported
        if quiet > 5 or (self._unreported and quiet > 1):
            self.report_status()

    def report_status(self) -> None:
        """This consumer's lag (end offsets minus positions, over its partitions), counts and
        throughput, in ``ingest_status`` and ``ingest_rates`` in the views database: what
        ``/metrics`` reads."""
        if self.views is None:
            return
        self._reported = time.monotonic()
        self._unreported = False
        try:
            held = list(self.consumer.assignment())
            ends = self.consumer.end_offsets(held) if held else {}
            lag = sum(max(ends[tp] - self.consumer.position(tp), 0) for tp in held if tp in ends)
        except KafkaError as error:
            log.warning("could not measure consumer lag: %s", error)
            return
        # how long the oldest waiting message has waited, at least: the newest one handled
        behind = max(time.time() - self.newest, 0.0) if lag and self.newest else 0.0
        rates = (self.throughput.rate(), self.transactions, behind, self.consumer_id)
        row = (self.counts["stored"], self.counts["rejected"], lag, time.time(), self.consumer_id)
        with self.views.transaction() as db:
            db.lock_schema()
            db.execute(
                "CREATE TABLE IF NOT EXISTS ingest_status (consumer TEXT PRIMARY KEY, "
                "stored_total BIGINT NOT NULL, dlq_total BIGINT NOT NULL, lag BIGINT NOT NULL, "
                "updated DOUBLE PRECISION NOT NULL)"
            )
            db.execute("DELETE FROM ingest_status WHERE consumer = ?", (self.consumer_id,))
            db.execute(
                "INSERT INTO ingest_status (stored_total, dlq_total, lag, updated, consumer) "
                "VALUES (?, ?, ?, ?, ?)",
                row,
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS dead_letter_counts (consumer TEXT NOT NULL, "
                "kind TEXT NOT NULL, total BIGINT NOT NULL, PRIMARY KEY (consumer, kind))"
            )
            db.execute("DELETE FROM dead_letter_counts WHERE consumer = ?", (self.consumer_id,))
            for kind, total in sorted(self.dead_letters.items()):
                db.execute(
                    "INSERT INTO dead_letter_counts (consumer, kind, total) VALUES (?, ?, ?)",
                    (self.consumer_id, kind, total),
                )
            db.execute(
                "CREATE TABLE IF NOT EXISTS ingest_rates (consumer TEXT PRIMARY KEY, "
                "messages_per_second DOUBLE PRECISION NOT NULL, "
                "transactions_total BIGINT NOT NULL, lag_seconds DOUBLE PRECISION NOT NULL)"
            )
            db.execute("DELETE FROM ingest_rates WHERE consumer = ?", (self.consumer_id,))
            db.execute(
                "INSERT INTO ingest_rates (messages_per_second, transactions_total, lag_seconds, "
                "consumer) VALUES (?, ?, ?, ?)",
                rates,
            )
