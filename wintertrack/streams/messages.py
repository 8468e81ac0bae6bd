"""The JSON shape of events on ``{prefix}.events``, independent of Kafka."""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.persistence import Notification

SCHEMA_VERSION = b"1"


def plain(value: Any) -> Any:
    """Stored JSON with the library's typed wrappers ({"_type_", "_data_"}) flattened."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            return plain(value["_data_"])
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def event_message(notification: Notification) -> dict[str, Any]:
    state = plain(json.loads(notification.state))
    actor = state.pop("actor", None)
    recorded_at = state.pop("timestamp", None)
    state.pop("originator_topic", None)
    state.pop("class_version", None)
    programme = state.get("programme")
    if programme is None and notification.topic.startswith("wintertrack:Programme."):
        programme = state.get("code")
    return {
        "event_type": notification.topic.split(":", 1)[-1],
        "aggregate_id": str(notification.originator_id),
        "aggregate_version": notification.originator_version,
        "position": notification.id,
        "recorded_at": recorded_at,
        "programme": programme,
        "actor": actor,
        "data": state,
    }


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, sort_keys=True, separators=(",", ":")).encode("utf-8")
