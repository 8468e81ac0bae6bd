"""Returns from the ICBs to their region on ``{prefix}.returns``.

Outgoing (the ICB's relay): one message per submitted return revision, key = programme code,
headers ``revision``, ``sha256`` and ``schema-version``. Incoming (``wintertrack region
follow``): each message is verified (schema, region, every artefact's SHA-256 against its bytes)
and recorded as ``ReturnReceived`` in the region's own store, idempotent on programme, month and
revision; only then is its offset committed. A message that fails goes to
``{prefix}.returns.dlq`` with the reason and the original payload. ``receive`` is the one path
a message takes into the store, from Kafka or in process (the demo without a broker).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from eventsourcing.persistence import Notification
from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord

from capacity.application import WinterApplication
from capacity.errors import DomainError
from capacity.return_message import SCHEMA_VERSION, parse_message, return_message
from capacity.values import Actor
from schemes.regions import Region
from schemes.rules import InputRefused

log = logging.getLogger("wintertrack.region")
FOLLOW = Actor("region-follow", "system", "kafka")
GROUP = "wintertrack-region"
SUBMITTED = "wintertrack:MonthlyReturn.ReturnSubmitted"
Outgoing = tuple[bytes, bytes, list[tuple[str, bytes]]]


def returns_topic(prefix: str) -> str:
    return f"{prefix}.returns"


def outgoing(application: WinterApplication, notification: Notification) -> Outgoing | None:
    """(key, value, headers) for a stored ``ReturnSubmitted`` event; None for other events."""
    if notification.topic != SUBMITTED:
        return None
    event: Any = application.mapper.to_domain_event(notification)
    message = return_message(application.get_programme(event.programme), event)
    if message is None:
        log.warning("%s %s r%s predates XLSX storage", event.programme, event.month, event.revision)
        return None
    value = json.dumps(message, sort_keys=True, separators=(",", ":")).encode("utf-8")
    headers = [
        ("revision", str(event.revision).encode()),
        ("sha256", event.sha256.encode()),
        ("schema-version", str(SCHEMA_VERSION).encode()),
    ]
    return event.programme.encode(), value, headers


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def receive(
    application: WinterApplication,
    region: Region,
    payload: bytes,
    headers: dict[str, bytes] | None = None,
) -> str:
    """Verifies and records one message: "stored" or "duplicate"; raises Rejected."""
    try:
        message = parse_message(payload)
        if headers and headers.get("sha256", message.sha256.encode()) != message.sha256.encode():
            raise InputRefused("headers.sha256", "does not match the message's sha256")
        outcome, _ = application.receive_return(FOLLOW, region, message)
    except InputRefused as error:
        raise Rejected(f"{error.field}: {error.reason}") from None
    except DomainError as error:
        raise Rejected(
            f"{error.field}: {error.message}" if error.field else error.message
        ) from None
    return outcome


class RegionFollower:
    def __init__(
        self,
        application: WinterApplication,
        region: Region,
        bootstrap: str,
        topic_prefix: str,
        group: str = GROUP,
        max_poll_records: int = 50,
    ) -> None:
        self.application = application
        self.region = region
        self.topic = returns_topic(topic_prefix)
        self.dlq = f"{self.topic}.dlq"
        self.consumer = KafkaConsumer(
            self.topic,
            bootstrap_servers=bootstrap,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_poll_records,
            # a follower that dies is noticed in seconds, so its partitions move on quickly
            session_timeout_ms=6000,
            heartbeat_interval_ms=1000,
            max_poll_interval_ms=60_000,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
        )
        self.producer = KafkaProducer(
            bootstrap_servers=bootstrap, acks="all", retries=5, max_request_size=16 * 1024 * 1024
        )
        self.counts = {"stored": 0, "duplicate": 0, "rejected": 0}

    def handle(self, record: ConsumerRecord) -> None:
        headers = {k: bytes(v) for k, v in (record.headers or [])}
        try:
            outcome = receive(self.application, self.region, record.value, headers)
        except Rejected as rejected:
            outcome = "rejected"
            dead = {
                "reason": rejected.reason,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "payload": record.value.decode("utf-8", errors="replace"),
            }
            self.producer.send(self.dlq, key=record.key, value=json.dumps(dead).encode())
            self.producer.flush(timeout=30)
            log.warning("returns message to the DLQ: %s", rejected.reason)
        self.counts[outcome] += 1

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            batches = self.consumer.poll(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    self.handle(record)
            if batches:
                self.consumer.commit()  # only after every record of the poll is stored or DLQ'd
                print(json.dumps(self.counts), flush=True)

    def close(self) -> None:
        self.consumer.close()
        self.producer.close(timeout=5)
