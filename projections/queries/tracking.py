"""How far the views and the Kafka edge have got: ``v_tracking`` (the views' position), the
relay's and the ingest consumers' own status tables (written by ``wintertrack/streams/``), and a
view's rows page by page for comparing two sets of views."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase

Rows = list[tuple[Any, ...]]


def views_position(db: ViewDatabase) -> Rows:
    """(position,) the views have reached; no row before they were first projected."""
    return db.query("SELECT position FROM v_tracking WHERE name = 'views'")


def rows_between(db: ViewDatabase, table: str, columns: str, after: int, upto: int) -> Rows:
    """A view's rows written after one position and at or before another, in position order."""
    return db.query(
        f"SELECT {columns} FROM {table} WHERE position > ? AND position <= ? ORDER BY position",
        (after, upto),
    )


def relay_position(db: ViewDatabase) -> Rows:
    return db.query("SELECT position FROM relay_tracking WHERE name = 'relay'")


def ingest_status(db: ViewDatabase) -> Rows:
    """(consumer, lag, dlq_total, stored_total, updated) of every ingest consumer."""
    return db.query("SELECT consumer, lag, dlq_total, stored_total, updated FROM ingest_status")


def ingest_rates(db: ViewDatabase) -> Rows:
    """(consumer, messages_per_second, transactions_total, lag_seconds) of every ingest
    consumer, as it last wrote them."""
    return db.query(
        "SELECT consumer, messages_per_second, transactions_total, lag_seconds FROM ingest_rates"
    )


def dead_letter_counts(db: ViewDatabase) -> Rows:
    """(consumer, kind, total) of the messages sent to the dead-letter topic."""
    return db.query("SELECT consumer, kind, total FROM dead_letter_counts")
