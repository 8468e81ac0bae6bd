"""The stored events of a SQLite file or a PostgreSQL database, read and written row for row.

Reads page through the library's table in position order; writes insert rows with their own
positions (SQLite's ``rowid``, PostgreSQL's ``notification_id``, whose sequence is moved past
them), one transaction per batch, so a target is always a whole-batch prefix of its source.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import md5
from pathlib import Path
from typing import Any
from uuid import UUID

from projections.digest import LogDigest, uuid_of

SQLITE_TABLE = "stored_events"
POSTGRES_TABLE = "wintertrack_events"  # the library's name for the application "Wintertrack"


class StoreError(Exception):
    """A store operation refused, with a message for the operator."""


@dataclass(frozen=True)
class StoredRow:
    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return url


class EventStore:
    """One store's event table. ``create`` makes the library's tables when missing."""

    def __init__(self, url: str, create: bool = False) -> None:
        self.url = url
        self.is_postgres = url.startswith(("postgresql://", "postgres://"))
        if not self.is_postgres and not url.startswith("sqlite:///"):
            raise StoreError(f"{url}: only sqlite:///FILE and postgresql:// stores can be used")
        self.path = None if self.is_postgres else Path(url.removeprefix("sqlite:///"))
        if create:
            _create_tables(url)
        self.conn: Any = self._connect()
        self.table = POSTGRES_TABLE if self.is_postgres else SQLITE_TABLE
        self.key = "notification_id" if self.is_postgres else "rowid"
        if not self._has_table():
            self.close()
            raise StoreError(f"{describe(url)} is not a Wintertrack store (no event table)")

    def _connect(self) -> Any:
        if self.is_postgres:
            import psycopg

            try:
                return psycopg.connect(self.url, connect_timeout=10)
            except psycopg.OperationalError as error:
                first = str(error).strip().splitlines()[0] if str(error).strip() else "failed"
                raise StoreError(f"cannot connect to {describe(self.url)}: {first}") from None
        assert self.path is not None
        if not self.path.is_file():
            raise StoreError(f"{self.path}: no such file")
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: not a SQLite database ({error})") from None
        return conn

    def _has_table(self) -> bool:
        if self.is_postgres:
            sql = "SELECT 1 FROM information_schema.tables WHERE table_name = %s"
        else:
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return bool(self._fetch(sql, (self.table,)))

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.is_postgres:
            with self.conn.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), params)
                rows = list(cur.fetchall())
            self.conn.commit()
            return rows
        return list(self.conn.execute(sql, params).fetchall())

    def close(self) -> None:
        self.conn.close()

    def count(self) -> int:
        return int(self._fetch(f"SELECT COUNT(*) FROM {self.table}")[0][0])

    def max_position(self) -> int:
        found = self._fetch(f"SELECT MAX({self.key}) FROM {self.table}")[0][0]
        return int(found or 0)

    def rows(
        self, after: int = 0, upto: int | None = None, page: int = 5_000
    ) -> Iterator[StoredRow]:
        """The events after ``after`` up to ``upto`` (inclusive), in position order."""
        sql = (
            f"SELECT {self.key}, originator_id, originator_version, topic, state FROM {self.table}"
            f" WHERE {self.key} > ? AND {self.key} <= ? ORDER BY {self.key} LIMIT ?"
        )
        last = upto if upto is not None else 2**62
        while True:
            found = self._fetch(sql, (after, last, page))
            for position, ident, version, topic, state in found:
                yield StoredRow(
                    int(position),
                    ident if isinstance(ident, UUID) else uuid_of(str(ident)),
                    int(version),
                    str(topic),
                    bytes(state),
                )
            if len(found) < page:
                return
            after = int(found[-1][0])

    def digest(self, upto: int | None = None, start: LogDigest | None = None) -> LogDigest:
        done = start or LogDigest()
        return done.add_all(self.rows(done.position, upto))

    def fingerprint(self, after: int) -> tuple[int, int]:
        """(events after the position, the sum of their ``row_fingerprint``), computed by the
        PostgreSQL server in one query: a copy checks what it wrote without reading it back."""
        assert self.is_postgres
        line = (
            "convert_to(notification_id::text || ':' || replace(originator_id::text, '-', '')"
            " || ':' || originator_version::text || ':' || topic || ':', 'UTF8') || state"
        )
        found = self._fetch(
            "SELECT count(*), coalesce(sum(('x' || substr(md5("
            f"{line}), 1, 15))::bit(60)::bigint), 0) FROM {self.table} WHERE {self.key} > ?",
            (after,),
        )[0]
        return int(found[0]), int(found[1])

    def insert(self, rows: Sequence[StoredRow]) -> None:
        """Stores the rows with their positions in one transaction."""
        if not rows:
            return
        if self.is_postgres:
            columns = "originator_id, originator_version, topic, state, notification_id"
            from psycopg.copy import QueuedLibpqWriter

            with self.conn.cursor() as cur:
                # the rows go to the server on a second thread while the next ones are encoded
                writer = QueuedLibpqWriter(cur)
                with cur.copy(f"COPY {self.table} ({columns}) FROM STDIN", writer=writer) as copy:
                    for r in rows:
                        copy.write_row(
                            (r.originator_id, r.originator_version, r.topic, r.state, r.id)
                        )
                cur.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'),"
                    f" GREATEST((SELECT MAX(notification_id) FROM {self.table}), 1))",
                    (self.table,),
                )
            self.conn.commit()
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(
                f"INSERT INTO {self.table} (rowid, originator_id, originator_version, topic, state)"
                " VALUES (?, ?, ?, ?, ?)",
                [(r.id, r.originator_id.hex, r.originator_version, r.topic, r.state) for r in rows],
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def emptied_on_failure(self) -> Iterator[None]:
        """Writes into a store that was empty: any failure removes every event written, so the
        store is left empty (and the failure, if it is the store refusing a row, is named)."""
        try:
            yield
        except BaseException as error:
            if self.is_postgres:
                self.conn.rollback()
            self._remove_all()
            if isinstance(error, StoreError | KeyboardInterrupt):
                raise
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise StoreError(
                f"{describe(self.url)} refused an event ({type(error).__name__}: {first}); "
                "nothing was kept"
            ) from error

    def _remove_all(self) -> None:
        if self.is_postgres:
            with self.conn.cursor() as cur:
                cur.execute(f"DELETE FROM {self.table}")
            self.conn.commit()
            return
        self.conn.execute(f"DELETE FROM {self.table}")


def make_self_contained(copy: sqlite3.Connection) -> None:
    """A copied SQLite store as one file, with no write-ahead log beside it."""
    copy.execute("PRAGMA journal_mode=DELETE")


def _create_tables(url: str) -> None:
    """Lets the library create its tables (and, on PostgreSQL, its types and indexes)."""
    from capacity.application import WinterApplication
    from wintertrack.config import event_store_env

    try:
        application = WinterApplication(env=event_store_env(url))
    except Exception as error:  # the library wraps the drivers' errors in its own
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StoreError(f"cannot open {describe(url)}: {first}") from None
    application.close()


def row_fingerprint(row: StoredRow) -> int:
    """The first 60 bits of the MD5 of the row's position, id (hex), version and topic, then its
    state bytes, as ``EventStore.fingerprint`` computes them on the server (a check against
    accidents in transfer, not against forgery: the log digest is SHA-256)."""
    found = md5(f"{row.id}:{row.originator_id.hex}:{row.originator_version}:{row.topic}:".encode())
    found.update(row.state)
    return int.from_bytes(found.digest()[:8], "big") >> 4


def fingerprint(rows: Iterable[StoredRow]) -> tuple[int, int]:
    count = total = 0
    for row in rows:
        count += 1
        total += row_fingerprint(row)
    return count, total
