"""Event-store recorders tuned for Wintertrack's write pattern, and keeping idempotency keys.

The library's SQLite application recorder inserts a save's events one ``execute`` at a time to
read back each row id. A save holds the database's write lock from its first insert to its
commit, so the ids of one save are consecutive: one ``executemany`` and one ``MAX(rowid)`` give
the same ids for a fraction of the work on a batch of thousands of daily reports.

Both recorders here also keep idempotency keys (``capacity/idempotency.py``) in their own table,
``wintertrack_idempotency_keys``, written in the same database transaction as the events of the
save that used the key, with the position that save reached: both or neither are stored.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from capacity.idempotency import KEY_TABLE, KeyRecord
from projections.db import SCHEMA_LOCK

BATCH_SQLITE_RECORDER = "wintertrack.recorders:BatchSQLiteApplicationRecorder"
KEYED_POSTGRES_RECORDER = "wintertrack.recorders:KeyedPostgresApplicationRecorder"
KEY_COLUMNS = "user_id, key, request_sha256, result, position"


class BatchSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (user_id TEXT NOT NULL, key TEXT NOT NULL, "
            "request_sha256 TEXT NOT NULL, result TEXT NOT NULL, position INTEGER NOT NULL, "
            "PRIMARY KEY (user_id, key))",
        ]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        ids = list(self._insert_batch(c, stored_events) or [])
        record: KeyRecord | None = kwargs.get("idempotency")
        if record is not None:  # same cursor, same transaction as the events
            self._insert_key(c, record.at(max(ids, default=self._max_notification_id(c) or 0)))
        return ids

    def _insert_key(self, c: SQLiteCursor, record: KeyRecord) -> None:
        c.execute(f"INSERT INTO {KEY_TABLE} ({KEY_COLUMNS}) VALUES (?,?,?,?,?)", record.row())

    def select_key(self, user: str, key: str) -> KeyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {KEY_COLUMNS} FROM {KEY_TABLE} WHERE user_id = ? AND key = ?", (user, key)
            )
            row = c.fetchone()
        return KeyRecord.from_row(tuple(row)) if row else None

    def event_positions(self, originator_id: UUID) -> list[int]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {self.events_table_name} WHERE originator_id = ? "
                "ORDER BY originator_version",
                (originator_id.hex,),
            )
            return [int(row[0]) for row in c.fetchall()]

    def select_notification_rows(
        self, after: int, limit: int
    ) -> list[tuple[int, UUID | str, int, str, bytes]]:
        """The notifications after a position as plain tuples (position, originator id, version,
        topic, state), the id as stored (hex text) so a reader converts only what it uses: the
        projector's rebuild reads a million of them."""
        if self.datastore.originator_id_type != "uuid":
            return [
                (n.id, n.originator_id, n.originator_version, n.topic, n.state)
                for n in self.select_notifications(after, limit, inclusive_of_start=False)
            ]
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples, not sqlite3.Row
            c.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (after, limit),
            )
            return c.fetchall()  # type: ignore[no-any-return]

    def _insert_batch(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]
    ) -> Sequence[int] | None:
        if len(stored_events) < 2:
            return super()._insert_events(c, stored_events)
        c.executemany(
            self.insert_events_statement,
            [
                (
                    s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                )
                for s in stored_events
            ],
        )
        c.execute(self.select_max_notification_id_statement)
        last = int(c.fetchone()[0])
        return list(range(last - len(stored_events) + 1, last + 1))


class KeyedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder; a save with a key inserts its events (under the
    library's table lock) and then the key row, in one transaction."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.key_table = SQL("{0}.{1}").format(Identifier(datastore.schema), Identifier(KEY_TABLE))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (user_id text NOT NULL, key text NOT NULL, "
                "request_sha256 text NOT NULL, result text NOT NULL, position bigint NOT NULL, "
                "PRIMARY KEY (user_id, key))"
            ).format(self.key_table)
        )

    def create_table(self) -> None:
        """The library's creation of its types and tables. Its types have no "IF NOT EXISTS":
        a process that loses the race to create one gets a unique violation, so it tries again
        (everything it creates is idempotent the second time)."""
        for attempt in range(1, 11):
            try:
                super().create_table()
                return
            except (IntegrityError, InternalError):
                if attempt == 10:
                    raise
                time.sleep(0.05 * attempt)

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        """The library's table creation, after waiting for any other process creating tables
        in the same database (services started together otherwise race on the catalog:
        "tuple concurrently updated")."""
        curs.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        super()._create_table(curs)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        record: KeyRecord | None = kwargs.pop("idempotency", None)
        if record is None:
            ids_: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids_
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            ids: list[int] = []
            if stored_events:
                self._insert_stored_events(curs, stored_events)  # locks the events table
                ids = list(self._fetch_ids_after_insert_events(curs, stored_events) or [])
                position = max(ids)
            else:
                self._lock_table(curs)
                curs.execute(self.max_notification_id_statement)
                found = curs.fetchone()
                position = int(next(iter(found.values())) or 0) if found else 0
            self._insert_key(curs, record.at(position))
        return ids

    def _insert_key(self, curs: Cursor[DictRow], record: KeyRecord) -> None:
        curs.execute(
            SQL("INSERT INTO {0} (" + KEY_COLUMNS + ") VALUES (%s, %s, %s, %s, %s)").format(
                self.key_table
            ),
            record.row(),
        )

    def event_positions(self, originator_id: UUID) -> list[int]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT notification_id FROM {0}.{1} WHERE originator_id = %s "
                    "ORDER BY originator_version"
                ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                (originator_id,),
            )
            return [int(row["notification_id"]) for row in curs.fetchall()]

    def select_key(self, user: str, key: str) -> KeyRecord | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT " + KEY_COLUMNS + " FROM {0} WHERE user_id = %s AND key = %s").format(
                    self.key_table
                ),
                (user, key),
            )
            row = curs.fetchone()
        return KeyRecord.from_row(tuple(row.values())) if row else None
