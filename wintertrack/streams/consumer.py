"""What the daily-figures ingest and the region's follower share: a consumer that handles each
record, sends one it rejects to its dead-letter topic with the reason and the payload, and
commits the offsets only once every record of a poll is stored or dead-lettered."""

from __future__ import annotations

import json
import threading

from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord

from capacity.daily_import import reason
from capacity.errors import DomainError
from schemes.rules import InputRefused


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def rejected(error: InputRefused | DomainError) -> Rejected:
    """A refusal of the application as the reason a message is dead-lettered."""
    return Rejected(reason(error))


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


class DeadLetteringConsumer:
    """Subclasses set the clients, ``dlq`` and ``counts`` and say how one record is stored."""

    consumer: KafkaConsumer
    producer: KafkaProducer
    dlq: str
    counts: dict[str, int]

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

    def handle(self, record: ConsumerRecord) -> None:
        try:
            outcome = self.process(record)
        except Rejected as refused:
            outcome = "rejected"
            dead = {
                "reason": refused.reason,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "payload": record.value.decode("utf-8", errors="replace"),
            }
            self.producer.send(self.dlq, key=record.key, value=json.dumps(dead).encode())
            self.producer.flush(timeout=30)
            self.on_rejected(refused)
        self.counts[outcome] += 1

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            batches = self.consumer.poll(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    self.handle(record)
            if batches:
                self.consumer.commit()  # only after every record of the poll is stored or DLQ'd
                self.on_commit()
                print(json.dumps(self.counts), flush=True)
            self.on_poll(bool(batches))

    def close(self) -> None:
        self.consumer.close()
        self.producer.close(timeout=5)
