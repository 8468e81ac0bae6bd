"""Returns from the ICBs to their region on ``{prefix}.returns``.

Outgoing (the ICB's relay): one message per submitted return revision, key = programme code,
headers ``revision``, ``sha256``, ``schema-version`` and, when the relay has the ICB's signing
key, ``signature`` (Ed25519 over the exact value bytes) and ``key-id``. Incoming (``wintertrack
region follow``): each message is verified (the signature against the public keys the region
lists for the ICB named, the key and programme, schema, region, every artefact's SHA-256 against
its bytes, the next revision) and recorded as ``ReturnReceived`` in the region's own store,
idempotent on programme, month and revision; only then is its offset committed. A message that
fails goes to ``{prefix}.returns.dlq`` with the reason and the original payload. ``receive`` is
the one path a message takes into the store, from Kafka or in process (the demo without a
broker).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import Notification
from kafka.consumer.fetcher import ConsumerRecord

from capacity.application import WinterApplication
from capacity.commands import ReceiveReturn
from capacity.errors import DomainError
from capacity.return_message import SCHEMA_VERSION, Sender, parse_message, return_message
from capacity.signing import key_id, public_text, sign
from capacity.values import Actor
from schemes.regions import Region
from schemes.rules import InputRefused
from wintertrack.streams.consumer import (
    DeadLetteringConsumer,
    Rejected,
    dead_letter_producer,
    manual_consumer,
    rejected,
)

log = logging.getLogger("wintertrack.region")
FOLLOW = Actor("region-follow", "system", "kafka")
GROUP = "wintertrack-region"
SUBMITTED = "wintertrack:MonthlyReturn.ReturnSubmitted"
Outgoing = tuple[bytes, bytes, list[tuple[str, bytes]]]


def returns_topic(prefix: str) -> str:
    return f"{prefix}.returns"


def outgoing(
    application: WinterApplication,
    notification: Notification,
    signing_key: Ed25519PrivateKey | None = None,
) -> Outgoing | None:
    """(key, value, headers) for a stored ``ReturnSubmitted`` event, signed with
    ``signing_key`` when given; None for other events."""
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
    if signing_key is not None:
        headers.append(("signature", sign(signing_key, value).encode()))
        headers.append(("key-id", key_id(public_text(signing_key)).encode()))
    return event.programme.encode(), value, headers


def receive(
    application: WinterApplication,
    region: Region,
    payload: bytes,
    headers: dict[str, bytes],
    key: bytes | None,
) -> str:
    """Verifies and records one message: "stored" or "duplicate"; raises Rejected."""
    try:
        message = parse_message(payload)
        if headers.get("sha256", message.sha256.encode()) != message.sha256.encode():
            raise InputRefused("headers.sha256", "does not match the message's sha256")
        signature = headers.get("signature")
        sender = Sender(
            payload,
            signature.decode("ascii", "replace") if signature is not None else None,
            key.decode("utf-8", "replace") if key is not None else None,
        )
        outcome, _ = application.run_command(
            ReceiveReturn(actor=FOLLOW, region=region, message=message, sender=sender)
        )
    except (InputRefused, DomainError) as error:
        raise rejected(error) from None
    return outcome


class RegionFollower(DeadLetteringConsumer):
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
        self.consumer = manual_consumer(
            self.topic,
            bootstrap,
            group,
            max_poll_records,
            # a follower that dies is noticed in seconds, so its partitions move on quickly
            session_timeout_ms=6000,
            heartbeat_interval_ms=1000,
            max_poll_interval_ms=60_000,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
        )
        self.producer = dead_letter_producer(bootstrap)
        self.counts = {"stored": 0, "duplicate": 0, "rejected": 0}
        self.dead_letters = Counter()

    def process(self, record: ConsumerRecord) -> str:
        headers = {k: bytes(v) for k, v in (record.headers or [])}
        return receive(self.application, self.region, record.value, headers, record.key)

    def on_rejected(self, refused: Rejected) -> None:
        log.warning("returns message to the DLQ: %s", refused.reason)
