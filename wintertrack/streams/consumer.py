"""What the daily-figures ingest and the region's follower share: a consumer that handles each
record, sends one it cannot store to its dead-letter topic with the reason and the payload, and
commits the offsets only once every record of a poll is stored or dead-lettered.

A record never stops the loop: whatever goes wrong with one record (no value, bytes that are
not UTF-8 or JSON, nesting deep enough to exhaust the recursion limit, a number that overflows,
a refusal by the store such as a NUL in text) sends it to the dead-letter topic. Only a failure
of the store or the broker themselves (``STOPS``) ends the loop, before the poll is committed,
so the records are delivered again once the process is restarted; storing is idempotent.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

import psycopg
from eventsourcing.persistence import InterfaceError, InternalError, OperationalError
from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata

from capacity.daily_import import reason
from capacity.errors import DomainError
from schemes.rules import InputRefused

log = logging.getLogger("wintertrack.streams")
T = TypeVar("T")

# failures of the store or the broker, not of the record: the loop stops, committing nothing
STOPS: tuple[type[BaseException], ...] = (
    KafkaError,
    OperationalError,
    InterfaceError,
    InternalError,
    sqlite3.OperationalError,
    psycopg.OperationalError,
    OSError,
    MemoryError,
)
# the dead-letter topic's producer takes a record as large as the consumers fetch
MAX_DEAD_LETTER = 16 * 1024 * 1024


class Rejected(Exception):
    """A record that goes to the dead-letter topic: ``reason`` names the field, ``kind`` is
    the short label ``/metrics`` counts it under."""

    def __init__(self, reason: str, kind: str = "invalid") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


# a dead letter on its way to the broker, and why it was refused
Sent = tuple[FutureRecordMetadata, Rejected]


def rejected(error: InputRefused | DomainError) -> Rejected:
    """A refusal of the application as the reason a message is dead-lettered."""
    return Rejected(reason(error), "invalid" if isinstance(error, InputRefused) else "refused")


def unexpected(error: Exception) -> Rejected:
    """Any other failure of one record, named by its type."""
    if isinstance(error, RecursionError):
        return Rejected("message: is nested too deeply", "too-deep")
    if isinstance(error, ArithmeticError):
        return Rejected(f"message: a number is out of range ({type(error).__name__})", "invalid")
    text = str(error).replace("\n", " ")[:200]
    return Rejected(f"message: could not be stored ({type(error).__name__}: {text})", "failed")


def not_a_number(constant: str) -> object:
    """``json.loads``'s hook for NaN and Infinity, which JSON does not have."""
    raise Rejected(f"message: {constant} is not a number", "invalid")


def manual_consumer(
    topic: str, bootstrap: str, group: str, max_poll_records: int, **settings: int
) -> KafkaConsumer:
    """A consumer in ``group`` that starts from the earliest offset and commits only when told
    (after the records are stored); ``settings`` are further kafka-python options."""
    return KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=max_poll_records,
        **settings,
    )


def dead_letter_producer(bootstrap: str) -> KafkaProducer:
    return KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", retries=5, max_request_size=MAX_DEAD_LETTER
    )


def dead_letter(record: ConsumerRecord, refused: Rejected) -> bytes:
    """The dead-letter message: the reason, where the record was, and its payload (as text when
    it is UTF-8, else as base64, so no byte of it is lost)."""
    dead: dict[str, object] = {
        "reason": refused.reason,
        "kind": refused.kind,
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
    }
    value: bytes | None = record.value
    if value is None:
        dead["payload"] = None
    else:
        try:
            dead["payload"] = value.decode("utf-8")
        except UnicodeDecodeError:
            dead["payload_base64"] = base64.b64encode(value).decode("ascii")
    return json.dumps(dead).encode()


class DeadLetteringConsumer:
    """Subclasses set the clients, ``dlq`` and ``counts`` and say how one record is stored."""

    consumer: KafkaConsumer
    producer: KafkaProducer
    dlq: str
    counts: dict[str, int]
    dead_letters: Counter[str]  # records sent to the dead-letter topic by this process, by kind
    max_value_bytes: int = MAX_DEAD_LETTER

    def process(self, record: ConsumerRecord) -> str:
        """Stores one record: its outcome ("stored", "duplicate"); raises Rejected."""
        raise NotImplementedError

    def on_rejected(self, rejected: Rejected) -> None:
        """Called once a rejected record is on the dead-letter topic."""

    def on_commit(self) -> None:
        """Called once the offsets of a poll's records are committed, before the counts are
        printed."""

    def on_poll(self, polled: bool) -> None:
        """Called after every poll (``polled``: it returned records, now committed)."""

    def check(self, record: ConsumerRecord) -> None:
        """What every record must be before it is parsed."""
        if record.value is None:
            raise Rejected("message: has no value (a tombstone)", "tombstone")
        if len(record.value) > self.max_value_bytes:
            raise Rejected(
                f"message: is {len(record.value):,} bytes, over the limit of "
                f"{self.max_value_bytes:,}",
                "too-large",
            )

    def attempt(self, record: ConsumerRecord, step: Callable[[], T]) -> T | Rejected:
        """``step``'s result for a record that passes ``check``, or why the record is refused."""
        try:
            self.check(record)
            return step()
        except Rejected as refused:
            return refused
        except STOPS:
            raise
        except Exception as error:  # one record's failure, whatever it is, is not the loop's
            log.warning("record %s/%s failed: %r", record.partition, record.offset, error)
            return unexpected(error)

    def handle(self, record: ConsumerRecord) -> None:
        outcome = self.attempt(record, lambda: self.process(record))
        if isinstance(outcome, Rejected):
            self.settle(self.reject(record, outcome))
            outcome = "rejected"
        self.counts[outcome] += 1

    def handle_poll(self, records: list[ConsumerRecord]) -> None:
        """Stores or dead-letters every record of a poll (by default one at a time)."""
        for record in records:
            self.handle(record)

    def reject(self, record: ConsumerRecord, refused: Rejected) -> Sent:
        """Sends the record to the dead-letter topic; ``settle`` waits for the broker."""
        sent = self.producer.send(self.dlq, key=record.key, value=dead_letter(record, refused))
        return sent, refused

    def settle(self, *sent: Sent) -> None:
        """Waits until the broker has every dead letter sent: one it did not take stops the
        loop before the poll is committed."""
        if not sent:
            return
        self.producer.flush(timeout=30)
        for future, refused in sent:
            future.get(timeout=30)
            self.dead_letters[refused.kind] += 1
            self.on_rejected(refused)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            batches = self.consumer.poll(timeout_ms=500)
            self.handle_poll([record for records in batches.values() for record in records])
            if batches:
                self.consumer.commit()  # only after every record of the poll is stored or DLQ'd
                self.on_commit()
                print(json.dumps(self.counts), flush=True)
            self.on_poll(bool(batches))

    def close(self) -> None:
        self.consumer.close()
        self.producer.close(timeout=5)
