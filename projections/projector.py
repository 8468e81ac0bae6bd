"""Follows the event log into the view tables, a page at a time, exactly once.

Each page's rows and the new tracking position are written in one transaction: a page applied
twice (after a crash between reading and committing) is rolled back or skipped as a whole.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from capacity.application import WinterApplication
from projections import checkpoints
from projections.db import ViewDatabase
from projections.schema import LOOKUP_INDEXES, READ_INDEXES, TABLES
from projections.views import HANDLERS
from projections.views.fast import build, builders_for
from projections.views.writer import PageWriter

NAME = "views"
PAGE_SIZE = 1000  # following live: a page commits within milliseconds
REBUILD_PAGE_SIZE = 10_000  # rebuilding: fewer commits and WAL checkpoints
REBUILD_CACHE_MIB = 32  # rebuilding: SQLite page cache (peak RSS about 100 MB at 1.1M events)


class Projector:
    def __init__(
        self,
        application: WinterApplication,
        views: ViewDatabase,
        page_size: int = PAGE_SIZE,
        read_indexes: bool = True,
        keep_checkpoints: bool = True,
    ) -> None:
        self.application = application
        self.keep_checkpoints = keep_checkpoints  # off for a throwaway replay (``store verify``'s)
        self.views = views
        self.page_size = page_size
        self._advanced = threading.Condition()
        self._fast = builders_for(application.mapper)
        self.on_advance: Callable[[list[str]], None] = lambda programmes: None
        self.create_tables(read_indexes)

    def create_tables(self, read_indexes: bool = True) -> None:
        with self.views.transaction() as db:
            db.lock_schema()
            for table, columns in TABLES.items():
                db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
            for index in LOOKUP_INDEXES + (READ_INDEXES if read_indexes else ()):
                db.execute(index)
            if not db.query("SELECT position FROM v_tracking WHERE name = ?", (NAME,)):
                db.execute("INSERT INTO v_tracking (name, position) VALUES (?, 0)", (NAME,))
            checkpoints.create_tables(db)

    def drop_tables(self) -> None:
        """Drops the views; the digest's head and checkpoints are kept
        (``projections/checkpoints.py``)."""
        with self.views.transaction() as db:
            for table in TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")

    def programme_position(self, programme: str) -> int | None:
        """The position of the latest event that changed this programme's facts."""
        rows = self.views.query(
            "SELECT position FROM v_programme_head WHERE programme = ?", (programme,)
        )
        return int(rows[0][0]) if rows else None

    def position(self) -> int:
        rows = self.views.query("SELECT position FROM v_tracking WHERE name = ?", (NAME,))
        return int(rows[0][0]) if rows else 0

    def run_once(
        self,
        on_page: Callable[[int, int], None] = lambda n, p: None,
        page_size: int | None = None,
    ) -> int:
        """Catches up to the head of the log; returns the number of events applied."""
        applied = 0
        while True:
            start = self.position()
            page = self._read(start, page_size or self.page_size)
            if not page:
                if applied:
                    self._checkpoint()
                return applied
            self.apply_page(page)
            applied += len(page)
            on_page(len(page), page[-1].id)
            with self._advanced:
                self._advanced.notify_all()

    def _read(self, after: int, limit: int) -> Sequence[Notification | Stored]:
        """A page of the log; plain rows where the store offers them (SQLite), which skips
        building a UUID for every event when only its text is written."""
        recorder = self.application.recorder
        rows = getattr(recorder, "select_notification_rows", None)
        if rows is None:
            found: Sequence[Notification] = recorder.select_notifications(
                after, limit, inclusive_of_start=False
            )
            return found
        return [Stored._make(row) for row in rows(after, limit)]

    def apply_page(self, page: Any) -> None:
        lock = " FOR UPDATE" if self.views.is_postgres else ""
        with self.views.transaction() as db:
            # Concurrent projectors serialise here (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
            # row lock), so a page is never applied twice.
            rows = db.query(f"SELECT position FROM v_tracking WHERE name = ?{lock}", (NAME,))
            tracked = int(rows[0][0])
            touched: dict[str, int] = {}
            writer = PageWriter(db)
            for notification in page:
                if notification.id <= tracked:
                    continue  # already applied: redelivery is harmless
                programme = self.apply(writer, notification)
                if programme is not None:
                    touched[programme] = notification.id
            writer.flush()
            for programme, position in touched.items():
                db.execute("DELETE FROM v_programme_head WHERE programme = ?", (programme,))
                db.execute(
                    "INSERT INTO v_programme_head (programme, position) VALUES (?, ?)",
                    (programme, position),
                )
            # Never move backwards: another projector may have applied further meanwhile.
            head = max(page[-1].id, tracked)
            db.execute("UPDATE v_tracking SET position = ? WHERE name = ?", (head, NAME))
        if touched:
            self.on_advance(sorted(touched))

    def _checkpoint(self) -> None:
        """Caught up with the head: the log's digest there is a checkpoint."""
        if self.keep_checkpoints:
            checkpoints.extend(self.views, self.application.recorder, self.position())

    def apply(self, db: PageWriter, notification: Notification | Stored) -> str | None:
        """Applies one event; returns the programme whose facts it changed, if any. Events no
        view reads (sign-ins, users, legacy idempotency records) are skipped undecoded; the
        commonest ones are written straight from their stored JSON (``views/fast.py``)."""
        fast = self._fast.get(notification.topic)
        if fast is not None:
            try:
                agg = _agg(notification.originator_id)
                sql, row, programme = build(fast, notification.state, agg, notification.id)
            except Exception:  # not a shape the fast path knows: the mapper decides
                pass
            else:
                db.insert(sql, row)
                return programme
        if not _handled(notification.topic):
            return None
        event = self.application.mapper.to_domain_event(cast(Notification, notification))
        handler = HANDLERS.get(type(event))
        if handler is None:
            return None
        return handler(db, event, notification.id)

    def rebuild(
        self,
        on_page: Callable[[int, int], None] = lambda n, p: None,
        page_size: int = REBUILD_PAGE_SIZE,
    ) -> int:
        """Rebuilds every view from the whole log. On a SQLite file the views are built in a
        fresh file that then replaces the old one (no DELETE of a million rows; readers in
        other processes switch to it at their next query); elsewhere the tables are dropped and
        rebuilt in place."""
        target = self.views.file
        if target is None:
            self.drop_tables()
            return self._build(self, on_page, page_size)
        fresh = target.with_name(target.name + ".rebuild")
        for stale in (fresh, *_sidecars(fresh)):
            stale.unlink(missing_ok=True)
        views = ViewDatabase(self.views.store_url, fresh)
        building = Projector(self.application, views, read_indexes=False)
        try:
            checkpoints.carry_over(self.views, views)
            applied = self._build(building, on_page, page_size)
            building.views.settle()
        finally:
            building.views.close()
        self.views.close()
        os.replace(fresh, target)
        for sidecar in _sidecars(target):  # the old file's log: it must not meet the new file
            sidecar.unlink(missing_ok=True)
        return applied

    @staticmethod
    def _build(projector: Projector, on_page: Callable[[int, int], None], page_size: int) -> int:
        projector.create_tables(read_indexes=False)
        with projector.views.bulk_writes(REBUILD_CACHE_MIB):
            applied = projector.run_once(on_page, page_size)
        projector.create_tables()  # the read indexes, built once over the finished tables
        return applied

    def wait_until(self, position: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.position() < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._advanced:
                self._advanced.wait(min(remaining, 0.05))
        return True

    def follow(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Polls the notification log (SQLite cannot push); also used on PostgreSQL for one code
        path, with a short interval."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                time.sleep(1.0)
            stop.wait(interval)


class Stored(NamedTuple):
    """A notification as read from a SQLite store: the originator id as stored (hex)."""

    id: int
    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes


_HEX = re.compile("[0-9a-f]{32}")


def _agg(originator_id: UUID | str) -> str:
    """The id's text as ``str(UUID)`` writes it, without building a UUID from stored hex."""
    if type(originator_id) is str and _HEX.fullmatch(originator_id):
        h = originator_id
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return str(originator_id if isinstance(originator_id, UUID) else UUID(originator_id))


_HANDLED: dict[str, bool] = {}


def _handled(topic: str) -> bool:
    """Whether any view reads events stored under this topic (resolved once per topic, so
    renamed topics registered with the library still count)."""
    known = _HANDLED.get(topic)
    if known is None:
        try:
            known = resolve_topic(topic) in HANDLERS
        except Exception:  # a topic this release cannot resolve: the mapper would say why
            known = True
        _HANDLED[topic] = known
    return known


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


# --- handlers: one per event type ---------------------------------------------------------------
