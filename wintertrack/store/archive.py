"""The end-of-winter archive: one JSON object a line (``docs/archive-format.md``).

The first line names the format, then one line per event in position order, then an end line
with the count, the last position and the log's digest. An import reads the whole file and
checks it against the end line before it stores anything (each aggregate's versions rising, so
no event can collide with another), then stores the events with their positions into an empty
store: the same log, the same digest. An import that fails while writing removes what it wrote,
so the target is left as empty as it was found and the import can be run again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from projections.digest import LogDigest, decoded_state
from wintertrack.store.engines import EventStore, StoredRow, StoreError, describe

FORMAT = "wintertrack-archive"
VERSION = 1
# The library's JSON transcoder writes exactly this way, so a decoded state is stored again as
# the same bytes.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
BATCH = 5_000


def _timestamp(state: Any) -> str | None:
    stamp = state.get("timestamp") if isinstance(state, dict) else None
    if isinstance(stamp, dict):
        stamp = stamp.get("_data_")
    return stamp if isinstance(stamp, str) else None


def event_line(row: StoredRow) -> str:
    data = decoded_state(row.state)
    record = {
        "position": row.id,
        "topic": row.topic,
        "aggregate_id": str(row.originator_id),
        "aggregate_version": row.originator_version,
        "timestamp": _timestamp(data),
        "data": data,
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def export(store_url: str, file: Path, progress: Callable[[int, int], None]) -> LogDigest:
    """Writes the archive under a temporary name and renames it when complete."""
    if file.exists():
        raise StoreError(f"{file} already exists: export to a new file")
    if not file.parent.is_dir():
        raise StoreError(f"{file.parent}: no such directory")
    source = EventStore(store_url)
    partial = file.with_name(f".{file.name}.partial")
    done = LogDigest()
    try:
        upto, total = source.max_position(), source.count()
        with partial.open("w", encoding="utf-8") as out:
            out.write(json.dumps({"format": FORMAT, "version": VERSION}) + "\n")
            for row in source.rows(0, upto):
                done.add(row)
                out.write(event_line(row) + "\n")
                if done.events % BATCH == 0:
                    progress(done.events, total)
            end = {"end": True, "events": done.events, "last_position": done.position}
            out.write(json.dumps({**end, "digest": done.hex}) + "\n")
        progress(done.events, total)
        os.replace(partial, file)
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return done


def _parse(file: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise StoreError(f"{file} line {number}: not JSON ({error.msg})") from None
            if not isinstance(value, dict):
                raise StoreError(f"{file} line {number}: not a JSON object")
            yield number, value


def event_row(file: Path, number: int, value: dict[str, Any], after: int) -> StoredRow:
    """Line ``number`` of an archive as the stored event it holds, after position ``after``."""
    try:
        position, topic = int(value["position"]), str(value["topic"])
        ident, version = UUID(str(value["aggregate_id"])), int(value["aggregate_version"])
        data = value["data"]
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"{file} line {number}: not an event line ({error!r})") from None
    if position <= after:
        raise StoreError(f"{file} line {number}: position {position} does not follow {after}")
    return StoredRow(position, ident, version, topic, _ENCODER.encode(data).encode("utf-8"))


def rows(file: Path) -> Iterator[StoredRow]:
    """The archive's events; checks the header, the order and the end line as it goes."""
    if not file.is_file():
        raise StoreError(f"{file}: no such file")
    parsed = _parse(file)
    first = next(parsed, None)
    if first is None or first[1].get("format") != FORMAT:
        raise StoreError(f"{file}: not a Wintertrack archive (no {FORMAT!r} first line)")
    if first[1].get("version") != VERSION:
        raise StoreError(f"{file}: archive version {first[1].get('version')} (expected {VERSION})")
    done, end = LogDigest(), None
    versions: dict[UUID, int] = {}  # each aggregate's last version: one entry per aggregate
    for number, value in parsed:
        if end is not None:
            raise StoreError(f"{file} line {number}: events after the end line")
        if value.get("end") is True:
            end = value
            continue
        row = event_row(file, number, value, done.position)
        last = versions.get(row.originator_id, 0)
        if row.originator_version <= last:
            raise StoreError(
                f"{file} line {number}: aggregate {row.originator_id} version "
                f"{row.originator_version} does not follow its version {last}"
            )
        versions[row.originator_id] = row.originator_version
        done.add(row)
        yield row
    if end is None:
        raise StoreError(f"{file}: no end line (the archive is cut short)")
    if (end.get("events"), end.get("digest")) != (done.events, done.hex):
        raise StoreError(
            f"{file}: the end line says {end.get('events')} events with digest "
            f"{end.get('digest')}, the lines hold {done.events} with digest {done.hex}"
        )


def import_archive(file: Path, target_url: str, progress: Callable[[int, int], None]) -> LogDigest:
    """Checks the whole archive first, then stores it into an empty store."""
    total = sum(1 for _ in rows(file))
    target = EventStore(target_url, create=True)
    try:
        held = target.count()
        if held:
            raise StoreError(
                f"{describe(target_url)} already holds {held:,} events: import only into an "
                "empty store"
            )
        with target.emptied_on_failure():
            pending: list[StoredRow] = []
            stored = 0
            for row in rows(file):
                pending.append(row)
                if len(pending) >= BATCH:
                    target.insert(pending)
                    stored += len(pending)
                    progress(stored, total)
                    pending = []
            target.insert(pending)
        progress(total, total)
        return target.digest()
    finally:
        target.close()
