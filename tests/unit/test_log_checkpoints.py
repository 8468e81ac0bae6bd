"""The projector's checkpoints of the log's digest: at every n-th event and where it caught up,
each equal to the digest of the log up to its position, carried over by a rebuild."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from capacity.application import WinterApplication
from capacity.commands import AddUser
from projections import checkpoints
from projections.db import ViewDatabase
from projections.digest import log_digest
from projections.projector import Projector
from tests.scenarios.ledger import P
from wintertrack.config import event_store_env
from wintertrack.demo import ADMIN, generate_winter


def test_checkpoints_every_nth_event_and_at_each_catch_up(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/winter.db"
    app = WinterApplication(env=event_store_env(store))
    generate_winter(app, P, date(2022, 11, 15))
    projector = Projector(app, ViewDatabase(store), keep_checkpoints=False)
    projector.run_once()
    assert checkpoints.checkpoints(projector.views) == []  # kept only when asked
    head = app.max_position()
    assert checkpoints.extend(projector.views, app.recorder, head, every=500) == head // 500 + 1
    found = checkpoints.checkpoints(projector.views)
    assert [events for _, events, _ in found[:-1]] == list(range(500, head + 1, 500))
    assert found[-1][0] == head
    for position, events, digest in found:
        expected = log_digest(app.recorder, upto=position)
        assert (events, digest) == (expected.events, expected.hex)
    assert checkpoints.extend(projector.views, app.recorder, head) == 0  # nothing new

    keeping = Projector(app, projector.views)
    for n in range(3):  # more events, then a catch-up
        app.run_command(
            AddUser(actor=ADMIN, name=f"user-{n}", role="finance", programme=P, schemes=[])
        )
    keeping.run_once()
    latest = checkpoints.checkpoints(keeping.views)[-1]
    assert latest[0] == app.max_position() > head
    assert latest[2] == log_digest(app.recorder).hex

    keeping.rebuild()
    rebuilt = Projector(app, ViewDatabase(store))
    assert checkpoints.checkpoints(rebuilt.views)[: len(found)] == [
        (p, e, d) for p, e, d in found
    ]  # a rebuild keeps every checkpoint
