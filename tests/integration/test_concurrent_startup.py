"""Services started together on one empty PostgreSQL database all come up: table creation is
serialised (an advisory lock), where it used to fail with "tuple concurrently updated"."""

from __future__ import annotations

import threading
from typing import Any

from capacity.application import WinterApplication
from projections.db import ViewDatabase
from projections.projector import Projector
from wintertrack.config import event_store_env
from wintertrack.streams.relay import Relay

STARTS = 8


def test_services_started_together_create_their_tables_once(postgres_url: str) -> None:
    gate = threading.Barrier(STARTS)
    failures: list[BaseException] = []
    started: list[Any] = []

    def start(n: int) -> None:
        try:
            gate.wait(timeout=30)
            application = WinterApplication(env=event_store_env(postgres_url))
            views = ViewDatabase(postgres_url)
            # Every other start is a relay (its own tracking table), the rest the projector.
            if n % 2:
                started.append(Relay(application, views, "127.0.0.1:9", "wt"))
            else:
                started.append(Projector(application, views))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=start, args=(n,)) for n in range(STARTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(started) == STARTS
    views = ViewDatabase(postgres_url)
    assert views.query("SELECT position FROM v_tracking") == [(0,)]
