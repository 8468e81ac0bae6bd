"""A copy into PostgreSQL checks what it wrote with one aggregate query on the server; that
check notices a changed byte and an extra event."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import psycopg
import pytest

from tests.support.postgres import PostgresServer
from tests.support.store_ops import winter
from wintertrack.store import transfer
from wintertrack.store.engines import EventStore, StoreError, fingerprint


def test_the_server_fingerprint_is_the_rows_and_notices_changes(
    tmp_path: Path, postgres_url: str
) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    winter(source_url).close()
    done = transfer.copy(source_url, postgres_url, batch=700)
    source, target = EventStore(source_url), EventStore(postgres_url)
    try:
        assert done.events == source.count() == target.count()
        sent = fingerprint(source.rows())
        assert target.fingerprint(0) == sent
        assert target.fingerprint(done.position - 10) == fingerprint(
            source.rows(done.position - 10)
        )
        tamper(postgres_url)
        assert target.fingerprint(0)[0] == sent[0]
        assert target.fingerprint(0) != sent
    finally:
        source.close()
        target.close()


def test_a_copy_whose_target_changes_while_it_is_written_is_refused(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    winter(source_url).close()
    target_url = postgres_server.create_database(f"t_{uuid4().hex[:12]}")
    tampered: list[int] = []

    def progress(done: int, total: int) -> None:
        if done and not tampered:  # the first batch is committed: someone changes a byte of it
            tamper(target_url)
            tampered.append(done)

    with pytest.raises(StoreError, match="differs from the source"):
        transfer.copy(source_url, target_url, progress, batch=700)
    assert tampered == [700]


def tamper(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE wintertrack_events SET state = state || '\\x20'::bytea"
            " WHERE notification_id = 5"
        )
