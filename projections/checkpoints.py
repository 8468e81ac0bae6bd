"""Checkpoints of the log's chained digest (``projections/digest.py``), kept by the projector.

Whenever the projector has caught up with the head of the log it extends the digest from where
it last got to, recording it at every 10,000th event and at the position it caught up to.
``store verify`` recomputes the digest from the events and compares it at every checkpoint, so
an event altered in the store after it was digested is found whether or not a return was
submitted since: between the last checkpoint that still matches and the first that does not.

The digest is extended after the pages are committed, not inside them, so applying a page (and
a rebuild) costs no more than before; a store whose views predate the checkpoints has its whole
log digested once, at the first catch-up. The checkpoints and the digest's head live in the
views database but are not views: a rebuild carries them over and never replaces a checkpoint,
so evidence recorded before an event was altered outlives views rebuilt from the altered log.
"""

from __future__ import annotations

import time
from typing import Any

from projections.digest import LogDigest, Recorder, notifications

EVERY = 10_000
TABLES = {
    "log_digest_head": "name TEXT PRIMARY KEY, events BIGINT NOT NULL, "
    "position BIGINT NOT NULL, digest TEXT NOT NULL",
    "log_checkpoints": "position BIGINT PRIMARY KEY, events BIGINT NOT NULL, "
    "digest TEXT NOT NULL, recorded DOUBLE PRECISION NOT NULL",
}
HEAD = "views"
Checkpoint = tuple[int, int, str]  # position, events up to it, the digest there (hex)


def create_tables(db: Any) -> None:
    for table, columns in TABLES.items():
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")


def head(db: Any) -> LogDigest:
    """How far the digest has been extended."""
    rows = db.query("SELECT events, position, digest FROM log_digest_head WHERE name = ?", (HEAD,))
    if not rows:
        return LogDigest()
    events, position, digest = rows[0]
    return LogDigest(int(events), int(position), bytes.fromhex(str(digest)))


def extend(views: Any, recorder: Recorder, upto: int, every: int = EVERY) -> int:
    """Extends the digest to position ``upto``, recording the checkpoints on the way and one
    there; returns the number of checkpoints recorded. Idempotent, and safe with several
    projectors: the head only moves forward."""
    done = head(views)
    if done.position >= upto:
        return 0
    found: list[Checkpoint] = []
    for row in notifications(recorder, done.position, upto):
        done.add(row)
        if done.events % every == 0:
            found.append((done.position, done.events, done.hex))
    if not found or found[-1][0] != done.position:
        found.append((done.position, done.events, done.hex))
    with views.transaction() as db:
        if head(db).position >= done.position:
            return 0  # another projector got there first
        move_head(db, done)
        return sum(record(db, c, time.time()) for c in found)


def move_head(db: Any, done: LogDigest) -> None:
    """The digest's head moved forward to ``done``, never back. One statement, so two
    projectors extending at once (two servers on PostgreSQL) cannot both insert the row."""
    db.execute(
        "INSERT INTO log_digest_head (name, events, position, digest) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET events = excluded.events, "
        "position = excluded.position, digest = excluded.digest "
        "WHERE log_digest_head.position < excluded.position",
        (HEAD, done.events, done.position, done.hex),
    )


def record(db: Any, checkpoint: Checkpoint, now: float) -> int:
    """A checkpoint, unless one is already recorded at its position (1 when recorded)."""
    position, events, digest = checkpoint
    if db.query("SELECT 1 FROM log_checkpoints WHERE position = ?", (position,)):
        return 0
    db.execute(
        "INSERT INTO log_checkpoints (position, events, digest, recorded) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (position) DO NOTHING",  # another projector may record it meanwhile
        (position, events, digest, now),
    )
    return 1


def checkpoints(db: Any) -> list[Checkpoint]:
    """Every checkpoint, in position order."""
    rows = db.query("SELECT position, events, digest FROM log_checkpoints ORDER BY position")
    return [(int(p), int(e), str(d)) for p, e, d in rows]


def carry_over(source: Any, target: Any) -> None:
    """The digest's head and checkpoints of one views database into another (a rebuild's fresh
    file), so the rebuild need not digest the log again and no checkpoint is lost."""
    found, done = checkpoints(source), head(source)
    with target.transaction() as db:
        create_tables(db)
        for checkpoint in found:
            record(db, checkpoint, 0.0)
        if done.events and head(db).position < done.position:
            move_head(db, done)
