"""Idempotency keys, kept beside the event log rather than in it.

A write with a key stores a :class:`KeyRecord` in the same transaction as the command's events
(the recorder receives it as the ``idempotency`` keyword of ``insert_events``): a crash can never
keep the events without the key or the key without the events, and the key row carries the
event-log position the command reached. The keys are plumbing: they are not events, so the
relay, the projector and the event API never see them.

Every recorder the application uses must implement :class:`KeyStore`: the in-memory one is
here; the SQLite and PostgreSQL ones are in ``wintertrack/recorders.py``. Stores written before
keys moved out of the log still hold ``IdempotencyRecord`` events (``capacity/users.py``); they
stay readable and are still honoured on a retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

KEY_TABLE = "wintertrack_idempotency_keys"
LEGACY_TOPIC_PREFIX = "wintertrack:IdempotencyRecord."


def fingerprint(command: str, request: Mapping[str, Any]) -> str:
    """The SHA-256 a key is stored with: the command's name and its request as sorted JSON
    (values that are not JSON as their text). Stored with every key: never change it."""
    body = json.dumps({"command": command, **request}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class KeyRecord:
    """One used key: whose, the request's fingerprint, the result and the position reached."""

    user: str
    key: str
    request_sha256: str
    result: dict[str, str] = field(default_factory=dict)
    position: int = 0

    def at(self, position: int) -> KeyRecord:
        return replace(self, position=position)

    def row(self) -> tuple[str, str, str, str, int]:
        return (self.user, self.key, self.request_sha256, json.dumps(self.result), self.position)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> KeyRecord:
        user, key, sha, result, position = row
        return cls(str(user), str(key), str(sha), dict(json.loads(result)), int(position))


@runtime_checkable
class KeyStore(Protocol):
    """A recorder that stores a ``KeyRecord`` atomically with the events of the same call to
    ``insert_events(events, idempotency=record)``."""

    def select_key(self, user: str, key: str) -> KeyRecord | None: ...


@runtime_checkable
class EventPositions(Protocol):
    """A recorder that tells the event-log positions of one aggregate's events, in version
    order (the library's ``select_events`` reads the events without them)."""

    def event_positions(self, originator_id: UUID) -> list[int]: ...


class KeyedPOPOApplicationRecorder(POPOApplicationRecorder):
    """The in-memory recorder with keys: the events and the key are checked and stored under
    one lock, so a refused key stores no events and refused events store no key."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[tuple[str, str], KeyRecord] = {}

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        record: KeyRecord | None = kwargs.pop("idempotency", None)
        if record is None:
            return super().insert_events(stored_events, **kwargs)
        with self._database_lock:
            if (record.user, record.key) in self._keys:
                raise IntegrityError(f"idempotency key already used: {record.key!r}")
            self._assert_uniqueness(stored_events, **kwargs)
            self._insert_key(record)  # checked first: a failure here stores no events
            ids = list(self._update_table(stored_events, **kwargs) or [])
            position = max(ids, default=len(self._stored_events))
            self._keys[(record.user, record.key)] = record.at(position)
        self._notify_listeners()
        return ids

    def _insert_key(self, record: KeyRecord) -> None:
        self._keys[(record.user, record.key)] = record

    def select_key(self, user: str, key: str) -> KeyRecord | None:
        with self._database_lock:
            return self._keys.get((user, key))

    def event_positions(self, originator_id: UUID) -> list[int]:
        with self._database_lock:  # a notification id is the row's index in the list, from 1
            index = self._stored_events_index.get(str(originator_id), {})
            return [index[version] + 1 for version in sorted(index)]
