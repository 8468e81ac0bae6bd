"""PostgreSQL measurements: import, rebuild and reads, each against a same-run reference.

The large store is the SQLite dataset's event log copied row for row into the library's
PostgreSQL table (the same stored bytes, positions in the same order), so both backends are
measured on the same events.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from bench.measure import Row, app_for, import_reports, rebuild
from wintertrack.config import event_store_env

TABLE = "wintertrack_events"


def connect(store: str) -> psycopg.Connection[Any]:
    env = event_store_env(store)
    return psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        dbname=env["POSTGRES_DBNAME"],
    )


def copy_log(sqlite_db: Path, store: str, progress: Callable[[int], None]) -> int:
    """Copies a SQLite event log into an empty PostgreSQL store (the dataset, not measured)."""
    app_for(store).close()  # creates the library's tables
    source = sqlite3.connect(sqlite_db)
    rows = source.execute(
        "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
    )
    copied = 0
    with connect(store) as conn, conn.cursor() as cursor:
        statement = f"COPY {TABLE} (originator_id, originator_version, topic, state) FROM STDIN"
        with cursor.copy(statement) as copy:
            for originator_id, version, topic, state in rows:
                copy.write_row((originator_id, version, topic, bytes(state)))
                copied += 1
                if copied % 10_000 == 0:
                    progress(10_000)
        conn.commit()
    progress(copied % 10_000)
    return copied


def import_row(store: str, schemes: int, days: int) -> Row:
    """The validated batch import on PostgreSQL against a raw COPY of the same stored rows."""
    events, ours, before = import_reports(app_for(store), schemes, days)
    with connect(store) as conn, conn.cursor() as cursor:
        rows = cursor.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {TABLE} "
            "WHERE notification_id > %s ORDER BY notification_id",
            (before,),
        ).fetchall()
        cursor.execute(
            "CREATE TABLE raw_events (originator_id uuid, originator_version bigint, topic text,"
            " state bytea, notification_id bigserial,"
            " PRIMARY KEY (originator_id, originator_version))"
        )
        conn.commit()
        started = time.perf_counter()
        statement = "COPY raw_events (originator_id, originator_version, topic, state) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        raw = time.perf_counter() - started
    ours_eps, raw_eps = events / ours, len(rows) / raw
    ratio = ours_eps / raw_eps
    return Row(
        "7. PostgreSQL bulk import (validated batch path)",
        f"{events:,} daily reports",
        f"{ours_eps:,.0f} events/s",
        f"raw psycopg COPY {raw_eps:,.0f} rows/s",
        ratio,
        "report the ratio",
        True,
        "the reference stores pre-serialised rows with no validation or domain",
    )


def raw_scan(store: str) -> float:
    with connect(store) as conn, conn.cursor(name="scan") as cursor:
        cursor.itersize = 10_000
        started = time.perf_counter()
        n = 0
        cursor.execute(f"SELECT state FROM {TABLE} ORDER BY notification_id")
        for (state,) in cursor:
            json.loads(state)
            n += 1
    return n / (time.perf_counter() - started)


def rebuild_row(label: str, store: str) -> Row:
    result = rebuild(store)
    ours = result["events"] / result["seconds"]
    raw = raw_scan(store)
    ratio = ours / raw
    return Row(
        "8. PostgreSQL projection rebuild",
        label,
        f"{ours:,.0f} events/s",
        f"raw psycopg scan + JSON decode {raw:,.0f} events/s",
        ratio,
        "report the ratio",
        True,
    )
