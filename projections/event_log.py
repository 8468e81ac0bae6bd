"""The event log as plain records: one serialiser for every reader of stored events (the audit
API, a scheme's history, the Kafka relay), and the reads that page through the log."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from capacity.application import WinterApplication
from capacity.idempotency import LEGACY_TOPIC_PREFIX, EventPositions
from projections.digest import Stored


def is_domain_event(topic: str) -> bool:
    """False for plumbing no reader of the log wants: the idempotency records stores kept in
    the log before keys moved beside it (``capacity/idempotency.py``)."""
    return not topic.startswith(LEGACY_TOPIC_PREFIX)


def plain(value: Any) -> Any:
    """Stored JSON with the library's typed wrappers ({"_type_", "_data_"}) flattened."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            return plain(value["_data_"])
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def event_record(stored: Stored, position: int | None = None) -> dict[str, Any]:
    """``{event_type, aggregate_id, aggregate_version, position, recorded_at, programme, actor,
    data}`` for one stored event (a notification carries its own position)."""
    state = plain(json.loads(stored.state))
    actor = state.pop("actor", None)
    recorded_at = state.pop("timestamp", None)
    state.pop("originator_topic", None)
    state.pop("class_version", None)
    programme = state.get("programme")
    if programme is None and stored.topic.startswith("wintertrack:Programme."):
        programme = state.get("code")
    return {
        "event_type": stored.topic.split(":", 1)[-1],
        "aggregate_id": str(stored.originator_id),
        "aggregate_version": stored.originator_version,
        "position": getattr(stored, "id", position),
        "recorded_at": recorded_at,
        "programme": programme,
        "actor": actor,
        "data": state,
    }


class EventLog:
    """Reads of the log for people and downstream systems (never for the domain's decisions)."""

    def __init__(self, application: WinterApplication) -> None:
        self.application = application

    def page(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` domain events after ``after``; skipped plumbing never makes a page
        look like the end of the log (an empty page means the end)."""
        found: list[dict[str, Any]] = []
        while len(found) < limit:
            notifications = self.application.recorder.select_notifications(
                after, limit - len(found), inclusive_of_start=False
            )
            if not notifications:
                break
            found += [event_record(n) for n in notifications if is_domain_event(n.topic)]
            after = notifications[-1].id
        return found

    def of_aggregate(self, aggregate_id: UUID) -> list[dict[str, Any]]:
        """The aggregate's events with their event-log positions (None where the store cannot
        tell them)."""
        recorder = self.application.recorder
        stored = recorder.select_events(aggregate_id)
        positions: list[int | None] = [None] * len(stored)
        if isinstance(recorder, EventPositions):
            found = recorder.event_positions(aggregate_id)
            if len(found) == len(stored):
                positions = list(found)
        return [
            event_record(s, position)
            for s, position in zip(stored, positions, strict=True)
            if is_domain_event(s.topic)
        ]
