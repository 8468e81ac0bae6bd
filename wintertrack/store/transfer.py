"""Backup (SQLite's online backup), restore into an empty store, and a resumable copy.

A copy reads the source in position order up to the position it had when the copy started and
writes the target a batch per transaction. Started again on a target that already holds some
events, it carries on only when those events are exactly the source's first ones (same count,
same digest up to the target's last position); any other non-empty target is refused.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from projections.digest import LogDigest
from wintertrack.store.engines import (
    EventStore,
    StoredRow,
    StoreError,
    describe,
    make_self_contained,
    row_fingerprint,
)

BATCH = 20_000  # events per transaction: a copy cut short resumes after its last whole batch


@dataclass
class Outcome:
    """What a backup, restore or copy did: events now in the target, its last position and the
    digest there; ``resumed_from`` is the position a resumed copy carried on after."""

    events: int
    position: int
    digest: str
    copied: int
    resumed_from: int = 0


def backup(store_url: str, file: Path) -> Outcome:
    """A consistent copy of a SQLite store while it is being written (one backup step, which
    reads one snapshot of the WAL database), written under a temporary name and then renamed."""
    if store_url.startswith(("postgresql://", "postgres://")):
        raise StoreError(
            "backup copies a SQLite store; for PostgreSQL use pg_dump "
            "(pg_dump --format=custom --file=FILE DATABASE_URL, see the README)"
        )
    source = EventStore(store_url)  # checks it is a Wintertrack store
    source.close()
    if file.exists():
        raise StoreError(f"{file} already exists: back up to a new file")
    if not file.parent.is_dir():
        raise StoreError(f"{file.parent}: no such directory")
    partial = file.with_name(f".{file.name}.partial")
    partial.unlink(missing_ok=True)
    assert source.path is not None
    src = sqlite3.connect(source.path, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # pages=-1: the whole database in one step, from one read snapshot
        make_self_contained(dst)
    finally:
        dst.close()
        src.close()
    os.replace(partial, file)
    copy = EventStore(f"sqlite:///{file}")
    try:
        done = copy.digest()
    finally:
        copy.close()
    return Outcome(done.events, done.position, done.hex, done.events)


def copy(
    source_url: str,
    target_url: str,
    progress: Callable[[int, int], None] = lambda done, total: None,
    batch: int = BATCH,
    resume: bool = True,
) -> Outcome:
    """Copies every stored event, keeping positions; resumes a copy cut short."""
    if source_url == target_url:
        raise StoreError("the source and the target are the same store")
    source = EventStore(source_url)
    try:
        target = EventStore(target_url, create=True)
    except BaseException:
        source.close()
        raise
    try:
        return _copy(source, target, progress, batch, resume)
    finally:
        source.close()
        target.close()


def _copy(
    source: EventStore,
    target: EventStore,
    progress: Callable[[int, int], None],
    batch: int,
    resume: bool,
) -> Outcome:
    upto = source.max_position()
    total = source.count()
    held = target.count()
    start = LogDigest()
    if held:
        if not resume:
            raise StoreError(
                f"{describe(target.url)} already holds {held:,} events: restore only into an "
                "empty store"
            )
        start = _resume_point(source, target, held)
    progress(start.events, total)
    done = LogDigest(start.events, start.position, start.digest)
    written = 0  # the sum of the copied rows' fingerprints (PostgreSQL targets)
    # a restore (no resuming) into its empty target keeps nothing when it fails
    kept = contextlib.nullcontext() if resume else target.emptied_on_failure()
    with kept:
        with _Writer(target, progress, total) as writer:
            pending: list[StoredRow] = []
            for row in source.rows(start.position, upto):
                done.add(row)
                if target.is_postgres:
                    written += row_fingerprint(row)
                pending.append(row)
                if len(pending) >= batch:
                    writer.write(pending, done.events)
                    pending = []
            writer.write(pending, done.events)
        _check(target, start, done, written)
    return Outcome(done.events, done.position, done.hex, done.events - start.events, start.position)


class _Writer:
    """Writes batches in order, one transaction each. Into PostgreSQL a batch is written on a
    second thread while the next one is read and digested (the server stores it meanwhile); the
    next batch waits for the one before to commit, so the target stays a whole-batch prefix."""

    def __init__(
        self, target: EventStore, progress: Callable[[int, int], None], total: int
    ) -> None:
        self.target, self.progress, self.total = target, progress, total
        self.pool = ThreadPoolExecutor(1) if target.is_postgres else None
        self.inflight: Future[None] | None = None
        self.inflight_events = 0

    def write(self, rows: list[StoredRow], events: int) -> None:
        self.wait()
        if self.pool is None:
            self.target.insert(rows)
            self.progress(events, self.total)
            return
        self.inflight = self.pool.submit(self.target.insert, rows)
        self.inflight_events = events

    def wait(self) -> None:
        if self.inflight is not None:
            inflight, self.inflight = self.inflight, None
            inflight.result()
            self.progress(self.inflight_events, self.total)

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)


def _check(target: EventStore, start: LogDigest, done: LogDigest, written: int) -> None:
    """The target holds exactly what was copied. PostgreSQL: one aggregate query on the server
    compares each copied row's fingerprint (position, id, version, topic, the MD5 of its
    state) with what was sent, and counts every event after the resume point, so an event
    written meanwhile is noticed; the source's digest, taken as it was read, then holds for the
    copy byte for byte. A SQLite target is read back and its digest compared."""
    if target.is_postgres:
        copied = done.events - start.events
        if target.fingerprint(start.position) == (copied, written):
            return
        check = target.digest()  # name what differs
    else:
        check = target.digest()
        if check.hex == done.hex and check.events == done.events:
            return
    raise StoreError(
        f"the copy's digest {check.hex} ({check.events:,} events) differs from the "
        f"source's {done.hex} ({done.events:,} events): was the target written meanwhile?"
    )


def _resume_point(source: EventStore, target: EventStore, held: int) -> LogDigest:
    last = target.max_position()
    mine = target.digest()
    theirs = source.digest(last)
    if mine.events != theirs.events or mine.hex != theirs.hex:
        raise StoreError(
            f"{describe(target.url)} already holds {held:,} events (last position {last:,}) "
            f"that are not the first events of {describe(source.url)}: copy only into an "
            "empty store, or into the target of an interrupted copy of this source"
        )
    return theirs


def restore(file: Path, target_url: str, progress: Callable[[int, int], None]) -> Outcome:
    """Copies a backup file's events into an empty store; a restore that fails leaves it empty."""
    if not file.is_file():
        raise StoreError(f"{file}: no such file")
    return copy(f"sqlite:///{file}", target_url, progress, resume=False)
