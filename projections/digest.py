"""The running digest of the event log: each event's stored content chained to the previous digest.

``d_0`` is 32 zero bytes and ``d_n = sha256(d_{n-1} || canonical(event n))``, where
``canonical`` is the compact JSON, keys sorted, of the event's position, topic, originator id
(as a dashed UUID), version and its state decoded from the stored JSON bytes. It depends only on
what is stored, never on the engine: a SQLite store and its PostgreSQL copy have the same digest.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, SafeUUID

import orjson

GENESIS = bytes(32)
PAGE = 5_000


class Stored(Protocol):
    """A stored event (the library's ``StoredEvent`` is one)."""

    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...
    @property
    def originator_id(self) -> UUID | str: ...
    @property
    def originator_version(self) -> int: ...


_HEX = re.compile("[0-9a-f]{32}")
_UNKNOWN = SafeUUID.unknown


def uuid_of(text: str) -> UUID:
    """``UUID(text)``; for the lowercase hex a SQLite store keeps, without ``UUID.__init__``'s
    parsing (a copy or a digest reads a million of them)."""
    if not _HEX.fullmatch(text):
        return UUID(text)
    found = object.__new__(UUID)
    object.__setattr__(found, "int", int(text, 16))
    object.__setattr__(found, "is_safe", _UNKNOWN)
    return found


class Row(Stored, Protocol):
    """A stored event with its position (the library's ``Notification`` is one)."""

    @property
    def id(self) -> int: ...


def decoded_state(state: bytes) -> Any:
    """The stored state as JSON values (its bytes as text when they are not JSON)."""
    try:
        return orjson.loads(state)
    except orjson.JSONDecodeError:
        try:
            return json.loads(state)  # integers beyond 64 bits, which orjson refuses
        except ValueError:
            return {"_undecodable_": bytes(state).decode("utf-8", "replace")}


def canonical(
    position: int, topic: str, originator_id: UUID | str, version: int, state: Any
) -> bytes:
    """The bytes one event contributes to the digest (``state`` already decoded)."""
    ident = originator_id if isinstance(originator_id, UUID) else uuid_of(str(originator_id))
    record = {
        "position": position,
        "topic": topic,
        "originator_id": str(ident),
        "originator_version": version,
        "state": state,
    }
    try:
        return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer orjson cannot write
        return json.dumps(
            record, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()


def chain(previous: bytes, row: Row) -> bytes:
    item = canonical(
        row.id, row.topic, row.originator_id, row.originator_version, decoded_state(row.state)
    )
    return hashlib.sha256(previous + item).digest()


@dataclass
class LogDigest:
    """How far a digest has got: events counted, the last position, the digest there."""

    events: int = 0
    position: int = 0
    digest: bytes = GENESIS

    @property
    def hex(self) -> str:
        return self.digest.hex()

    def add(self, row: Row) -> bytes:
        self.digest = chain(self.digest, row)
        self.events += 1
        self.position = row.id
        return self.digest

    def add_all(self, rows: Iterable[Row]) -> LogDigest:
        for row in rows:
            self.add(row)
        return self


class Recorder(Protocol):
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Any = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Any: ...


def notifications(recorder: Recorder, after: int = 0, upto: int | None = None) -> Iterator[Row]:
    """The stored events after ``after`` up to ``upto`` (inclusive), in position order."""
    while True:
        page = recorder.select_notifications(after, PAGE, stop=upto, inclusive_of_start=False)
        if not page:
            return
        yield from page
        after = page[-1].id
        if upto is not None and after >= upto:
            return


def log_digest(
    recorder: Recorder, upto: int | None = None, start: LogDigest | None = None
) -> LogDigest:
    """The digest of the log up to ``upto`` (the head when None), continuing from ``start``."""
    done = start or LogDigest()
    return done.add_all(notifications(recorder, done.position, upto))
