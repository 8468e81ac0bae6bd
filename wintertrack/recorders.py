"""Event-store recorders tuned for Wintertrack's write pattern (whole batches per save).

The library's SQLite application recorder inserts a save's events one ``execute`` at a time to
read back each row id. A save holds the database's write lock from its first insert to its
commit, so the ids of one save are consecutive: one ``executemany`` and one ``MAX(rowid)`` give
the same ids for a fraction of the work on a batch of thousands of daily reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

BATCH_SQLITE_RECORDER = "wintertrack.recorders:BatchSQLiteApplicationRecorder"


class BatchSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **_: Any,
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
