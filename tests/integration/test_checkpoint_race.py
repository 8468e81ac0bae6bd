"""Two servers on one PostgreSQL store extend the log's digest at the same moment: the second
waits for the first and then keeps the further head, rather than failing its reader's request
on the head row both tried to insert."""

from __future__ import annotations

import threading

from projections import checkpoints
from projections.db import ViewDatabase
from projections.digest import LogDigest


def test_two_projectors_moving_the_head_at_once_both_succeed(postgres_url: str) -> None:
    first, second = ViewDatabase(postgres_url), ViewDatabase(postgres_url)
    with first.transaction() as db:
        checkpoints.create_tables(db)
    inside = threading.Event()
    failures: list[BaseException] = []

    def later() -> None:
        inside.wait(10)
        try:
            with second.transaction() as db:  # blocks on the first's row until it commits
                checkpoints.move_head(db, LogDigest(5, 5, bytes(32)))
        except BaseException as error:  # the failure is what this test reports
            failures.append(error)

    racer = threading.Thread(target=later)
    racer.start()
    with first.transaction() as db:
        checkpoints.move_head(db, LogDigest(9, 9, bytes.fromhex("ab" * 32)))
        inside.set()
        racer.join(1.0)  # the second is now waiting on the row this transaction inserted
    racer.join(10)
    assert failures == []
    # the head only moves forward: the earlier position the second brought does not win
    assert checkpoints.head(first) == LogDigest(9, 9, bytes.fromhex("ab" * 32))
    with second.transaction() as db:
        checkpoints.move_head(db, LogDigest(12, 12, bytes(32)))
    assert checkpoints.head(first).position == 12
