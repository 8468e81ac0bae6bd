"""The views database's bulk-write mode is scoped to the rebuild and leaves nothing behind."""

from __future__ import annotations

import stat
from pathlib import Path

from projections.db import ViewDatabase
from wintertrack.config import event_store_env


def _pragmas(db: ViewDatabase) -> tuple[int, int]:
    [(cache,)] = db.query("PRAGMA cache_size")
    [(synchronous,)] = db.query("PRAGMA synchronous")
    return int(cache), int(synchronous)


def test_bulk_writes_are_scoped_and_end_checkpointed(tmp_path: Path) -> None:
    db = ViewDatabase(f"sqlite:///{tmp_path}/events.db")
    before = _pragmas(db)
    assert before[1] == 1  # NORMAL
    with db.bulk_writes(cache_mib=16):
        assert _pragmas(db) == (-16 * 1024, 0)  # 16 MiB, OFF
        with db.transaction() as tx:
            tx.execute("CREATE TABLE t (n INTEGER)")
            tx.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(1000)])
    assert _pragmas(db) == before
    wal = tmp_path / "events.db.views-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed and truncated
    assert db.query("SELECT count(*) FROM t") == [(1000,)]


def test_a_new_store_and_its_views_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    store = tmp_path / "var" / "wintertrack.db"
    event_store_env(f"sqlite:///{store}")
    views = ViewDatabase(f"sqlite:///{store}")
    views.query("SELECT 1")
    assert views.file is not None
    for path in (store, views.file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
