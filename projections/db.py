"""A thin database adapter so the views' SQL runs on SQLite and on PostgreSQL alike.

SQL is written with ``?`` placeholders; on PostgreSQL they become ``%s``. Values are stored as
TEXT (dates as ISO strings, money and beds-equivalent as exact decimal strings, JSON as text).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from uuid import uuid4

# The advisory lock every process takes before creating tables in a PostgreSQL store (the event
# store's recorder takes the same one: wintertrack/recorders.py).
SCHEMA_LOCK = 72_022_023


def create_private(path: Path) -> None:
    """Creates a SQLite file readable and writable by its owner only (0600), before SQLite
    would create it with the umask's usual 0644: the store holds who did what, and the views
    the figures. SQLite gives its -wal and -shm files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


class ViewDatabase:
    def __init__(self, store_url: str, file: Path | None = None) -> None:
        """``file`` puts a SQLite store's views in that file instead of ``{store}.views``."""
        self.store_url = store_url
        self.is_postgres = store_url.startswith(("postgresql://", "postgres://"))
        self.file: Path | None = file
        if file is None and store_url.startswith("sqlite:///"):
            path = Path(store_url.removeprefix("sqlite:///"))
            self.file = path.with_name(path.name + ".views")
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        # An in-memory view database is shared between threads by name, and kept alive by
        # the first connection for as long as this object lives.
        self._memory_name = f"file:wintertrack-views-{uuid4().hex}?mode=memory&cache=shared"
        self._keepalive = self._conn

    @property
    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self.file is not None and self._swapped():
            conn.close()  # a rebuild swapped a new views file in: read that one
            with self._lock:
                self._all.remove(conn)
            conn = None
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._local.inode = self._inode()
            with self._lock:
                self._all.append(conn)
        return conn

    def _inode(self) -> int | None:
        try:
            return os.stat(self.file).st_ino if self.file is not None else None
        except FileNotFoundError:
            return None

    def _swapped(self) -> bool:
        if getattr(self._local, "in_transaction", False):
            return False
        return self._inode() != getattr(self._local, "inode", None)

    def _connect(self) -> Any:
        if self.is_postgres:
            import psycopg

            return psycopg.connect(self.store_url, autocommit=False, connect_timeout=10)
        if self.file is not None:
            create_private(self.file)
            target = str(self.file)
        else:
            target = self._memory_name
        conn = sqlite3.connect(
            target, timeout=30, check_same_thread=False, isolation_level=None, uri=True
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def lock_schema(self) -> None:
        """Inside a transaction that creates tables: on PostgreSQL, wait for any other process
        doing the same (processes started together otherwise race on the catalog: "tuple
        concurrently updated"); SQLite's BEGIN IMMEDIATE already serialises them."""
        if self.is_postgres:
            self.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.is_postgres else sql

    @contextmanager
    def transaction(self) -> Iterator[ViewDatabase]:
        if self.is_postgres:
            self._local.in_transaction = True
            try:
                yield self
                self._conn.commit()
            except BaseException:
                self._conn.rollback()
                raise
            finally:
                self._local.in_transaction = False
        else:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            self._local.in_transaction = True
            try:
                yield self
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                self._local.in_transaction = False

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if self.is_postgres:
            with self._conn.cursor() as cur:
                cur.execute(self._sql(sql), params)
        else:
            self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.is_postgres:
            with self._conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)
        else:
            self._conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.is_postgres:
            alone = not getattr(self._local, "in_transaction", False)
            try:
                with self._conn.cursor() as cur:
                    cur.execute(self._sql(sql), params)
                    rows = list(cur.fetchall())
            except Exception:
                if alone:  # a failed read must not leave this thread's connection aborted
                    self._conn.rollback()
                raise
            if alone:
                self._conn.commit()
            return rows
        return list(self._conn.execute(sql, params).fetchall())

    @contextmanager
    def bulk_writes(self, cache_mib: int) -> Iterator[None]:
        """For a rebuild on SQLite: a larger page cache (its lookups hit random index pages) and
        no fsync at each checkpoint. A killed process loses nothing committed; an operating
        system crash part-way can leave the views file damaged, and the views are derived data:
        delete ``*.views`` and rebuild. On the way out the log is checkpointed and synced, so a
        finished rebuild is as durable as any other write. PostgreSQL is left as configured."""
        if self.is_postgres:
            yield
            return
        conn = self._conn
        (cache,) = conn.execute("PRAGMA cache_size").fetchone()
        (synchronous,) = conn.execute("PRAGMA synchronous").fetchone()
        conn.execute(f"PRAGMA cache_size = {-1024 * int(cache_mib)}")
        conn.execute("PRAGMA synchronous = OFF")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
            conn.execute(f"PRAGMA cache_size = {int(cache)}")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def settle(self) -> None:
        """Folds a SQLite views file's write-ahead log into it and leaves it self-contained
        (journal mode DELETE), so the file alone can be moved into place."""
        if self.file is not None:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.execute("PRAGMA journal_mode=DELETE")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
