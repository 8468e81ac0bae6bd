"""A rebuild on a SQLite store builds a fresh views file and swaps it in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from capacity.application import WinterApplication
from capacity.commands import ReviseBedTarget
from projections.db import ViewDatabase
from projections.projector import Projector
from tests.scenarios.ledger import ADMIN
from tests.support.dump import dump
from wintertrack.config import event_store_env
from wintertrack.demo import generate_winter


def test_rebuilt_views_equal_followed_views_and_readers_switch_to_them(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/wt.db"
    app = WinterApplication(env=event_store_env(store))
    generate_winter(app, "QM7-2022-23", date(2022, 11, 10))
    followed = Projector(app, ViewDatabase(store))
    followed.run_once()
    before = dump(followed.views)
    # Another process's reader, with the views file open.
    reader = ViewDatabase(store)
    assert reader.query("SELECT COUNT(*) FROM v_daily")[0][0] > 0
    # Damage the followed views so a rebuild has something to mend.
    with reader.transaction() as db:
        db.execute("DELETE FROM v_daily")
    assert reader.query("SELECT COUNT(*) FROM v_daily")[0][0] == 0

    pages: list[int] = []
    rebuilding = Projector(app, ViewDatabase(store))
    applied = rebuilding.rebuild(lambda n, position: pages.append(position), page_size=500)

    assert applied == app.max_position()
    assert pages[-1] == app.max_position() and len(pages) > 1
    assert dump(rebuilding.views) == before
    assert dump(reader) == before  # the reader switched to the new file at its next query
    assert not (tmp_path / "wt.db.views.rebuild").exists()
    # The swapped-in file follows new events like any other.
    app.run_command(
        ReviseBedTarget(
            actor=ADMIN, programme="QM7-2022-23", bed_target=150, reason="winter plan revised"
        )
    )
    assert rebuilding.run_once() == 1
    assert reader.query("SELECT position FROM v_tracking")[0][0] == app.max_position()
