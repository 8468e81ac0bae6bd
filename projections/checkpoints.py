"""Checkpoints of the log's chained digest (``projections/digest.py``), kept by the projector.

As it applies each event the projector extends the digest, in the same transaction as the
page's rows, and records it at every 10,000th event and whenever it has caught up with the
head of the log. ``store verify`` recomputes the digest from the events and compares it at
every checkpoint, so an event altered in the store after it was projected is found whether or
not a return was submitted since: between the last checkpoint that still matches and the first
that does not.

The checkpoints live in the views database but are not a view: a rebuild carries them over
(a checkpoint already recorded at a position is never replaced), so evidence recorded before an
event was altered survives the views being rebuilt from the altered log.
"""

from __future__ import annotations

from typing import Any

from projections.digest import LogDigest, Recorder, Row, log_digest

EVERY = 10_000
TABLES = {
    "log_digest_head": "name TEXT PRIMARY KEY, events BIGINT NOT NULL, "
    "position BIGINT NOT NULL, digest TEXT NOT NULL",
    "log_checkpoints": "position BIGINT PRIMARY KEY, events BIGINT NOT NULL, "
    "digest TEXT NOT NULL, recorded DOUBLE PRECISION NOT NULL",
}
HEAD = "views"


def create_tables(db: Any) -> None:
    for table, columns in TABLES.items():
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")


def head(db: Any) -> LogDigest:
    """The digest as far as the projector has applied the log."""
    rows = db.query("SELECT events, position, digest FROM log_digest_head WHERE name = ?", (HEAD,))
    if not rows:
        return LogDigest()
    events, position, digest = rows[0]
    return LogDigest(int(events), int(position), bytes.fromhex(str(digest)))


class Chain:
    """The digest carried through one page's transaction, from the projector's position
    ``tracked``. Views projected before the digest was kept have no head yet: the digest up to
    ``tracked`` is then computed once from the log."""

    def __init__(self, db: Any, tracked: int, recorder: Recorder) -> None:
        self.db = db
        self.done = head(db) if tracked else LogDigest()
        if self.done.position != tracked:
            self.done = log_digest(recorder, upto=tracked)
        self.start = self.done.events

    def add(self, row: Row, now: float) -> None:
        self.done.add(row)
        if self.done.events % EVERY == 0:
            record(self.db, self.done, now)

    def save(self) -> None:
        if self.done.events == self.start:
            return
        self.db.execute("DELETE FROM log_digest_head WHERE name = ?", (HEAD,))
        self.db.execute(
            "INSERT INTO log_digest_head (name, events, position, digest) VALUES (?, ?, ?, ?)",
            (HEAD, self.done.events, self.done.position, self.done.hex),
        )


def record(db: Any, done: LogDigest, now: float) -> None:
    """A checkpoint at ``done.position``, unless one is already recorded there."""
    if db.query("SELECT 1 FROM log_checkpoints WHERE position = ?", (done.position,)):
        return
    db.execute(
        "INSERT INTO log_checkpoints (position, events, digest, recorded) VALUES (?, ?, ?, ?)",
        (done.position, done.events, done.hex, now),
    )


def checkpoints(db: Any) -> list[tuple[int, int, str]]:
    """Every checkpoint as (position, events, digest), in position order."""
    rows = db.query("SELECT position, events, digest FROM log_checkpoints ORDER BY position")
    return [(int(p), int(e), str(d)) for p, e, d in rows]


def carry_over(source: Any, target: Any) -> int:
    """Copies the checkpoints of one views database into another (a rebuild's fresh file)."""
    found = checkpoints(source)
    with target.transaction() as db:
        create_tables(db)
        for position, events, digest in found:
            if not db.query("SELECT 1 FROM log_checkpoints WHERE position = ?", (position,)):
                db.execute(
                    "INSERT INTO log_checkpoints (position, events, digest, recorded) "
                    "VALUES (?, ?, ?, 0)",
                    (position, events, digest),
                )
    return len(found)
