"""`wintertrack store` throughput, each against a raw reference taken in the same run.

- backup: ``store backup`` (SQLite's online backup, then the digest of the copy) against a raw
  ``sqlite3`` ``Connection.backup`` of the same file;
- copy: ``store copy`` SQLite → PostgreSQL (read, digest, COPY per batch, the target checked
  with one aggregate query of its rows' fingerprints) against a raw read of the SQLite rows
  and a psycopg COPY of them into a plain PostgreSQL table.

Run alone with ``python -m bench.store_ops [--quick] [--size 100k]``; ``bench.run`` includes its
rows (on its large dataset: 1.1M events, or the QUICK one).
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from bench.measure import Row
from wintertrack.store import transfer


def backup_row(label: str, db: Path, workdir: Path) -> Row:
    started = time.perf_counter()
    done = transfer.backup(f"sqlite:///{db}", workdir / f"{db.stem}.backup.db")
    ours = done.events / (time.perf_counter() - started)
    started = time.perf_counter()
    with sqlite3.connect(db) as src, sqlite3.connect(workdir / f"{db.stem}.raw-backup.db") as dst:
        src.backup(dst)
    raw = done.events / (time.perf_counter() - started)
    return Row(
        "11. store backup (SQLite, with the digest of the copy)",
        label,
        f"{ours:,.0f} events/s",
        f"raw sqlite3 .backup {raw:,.0f} events/s",
        ours / raw,
        "report the ratio",
        True,
        "the reference copies pages and reads no event; ours also digests every event",
    )


def copy_row(label: str, db: Path, target: str, raw_target: str) -> Row:
    started = time.perf_counter()
    done = transfer.copy(f"sqlite:///{db}", target)
    ours = done.events / (time.perf_counter() - started)
    started = time.perf_counter()
    source = sqlite3.connect(db)
    rows = source.execute(
        "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
        " ORDER BY rowid"
    )
    with psycopg.connect(raw_target) as conn, conn.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE raw_events (notification_id bigint, originator_id uuid,"
            " originator_version bigint, topic text, state bytea,"
            " PRIMARY KEY (originator_id, originator_version))"
        )
        columns = "notification_id, originator_id, originator_version, topic, state"
        with cursor.copy(f"COPY raw_events ({columns}) FROM STDIN") as copy:
            for position, ident, version, topic, state in rows:
                copy.write_row((position, ident, version, topic, bytes(state)))
        conn.commit()
    source.close()
    raw = done.events / (time.perf_counter() - started)
    return Row(
        "12. store copy SQLite -> PostgreSQL",
        label,
        f"{ours:,.0f} events/s",
        f"raw read + psycopg COPY {raw:,.0f} events/s",
        ours / raw,
        "report the ratio",
        True,
        "ours also digests the source, commits per 20,000 events and checks the target's rows",
    )


def rows(label: str, db: Path, workdir: Path, create_database: Callable[[str], str]) -> list[Row]:
    """``create_database(name) -> URL`` makes an empty PostgreSQL database."""
    return [
        backup_row(label, db, workdir),
        copy_row(label, db, create_database("bench_copy"), create_database("bench_copy_raw")),
    ]


def main() -> None:
    from bench.measure import tmpdir
    from bench.run import build, render
    from tests.support.postgres import PostgresServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--size", default=None, help="a dataset of bench.run.SIZES, e.g. 100k")
    args = parser.parse_args()
    workdir = tmpdir()
    started = time.perf_counter()
    _, db, events = build(args.size or ("quick-large" if args.quick else "1M"), workdir)
    with PostgresServer() as server:
        found = rows(f"{events:,} events", db, workdir, server.create_database)
    print(render(found, args.quick, time.perf_counter() - started))


if __name__ == "__main__":
    main()
