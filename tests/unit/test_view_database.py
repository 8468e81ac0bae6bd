"""The views database's bulk-write mode is scoped to the rebuild and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

from projections.db import ViewDatabase


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
