"""The JSON shape of events on ``{prefix}.events``, independent of Kafka."""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.persistence import Notification

from projections.event_log import event_record

SCHEMA_VERSION = b"1"


def event_message(notification: Notification) -> dict[str, Any]:
    """The message value: the event log's one record shape (projections/event_log.py)."""
    return event_record(notification)


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, sort_keys=True, separators=(",", ":")).encode("utf-8")
