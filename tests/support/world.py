"""A tracker wired on the in-memory store with its views, for tests of the read side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from capacity.application import WinterApplication
from capacity.commands import OpenProgramme, RegisterScheme
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from tests.scenarios.ledger import ADMIN, PROGRAMME, P, scheme_spec


@dataclass
class World:
    app: WinterApplication
    projector: Projector
    read: ReadModel
    today: list[date]

    def catch_up(self) -> int:
        self.projector.run_once()
        return self.projector.position()

    def scheme(self, code: str, measure: str = "reported", **overrides: Any) -> None:
        self.app.run_command(
            RegisterScheme(actor=ADMIN, programme=P, spec=scheme_spec(code, measure, **overrides))
        )


def make_world(
    today: date,
    store: str = "memory://",
    page_size: int = 1000,
    clock: Callable[[], datetime | None] = lambda: None,
) -> World:
    """``clock``: the application's clock, when a return is submitted (None: now)."""
    day = [today]
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if store != "memory://":
        from wintertrack.config import event_store_env

        env = event_store_env(store)
    app = WinterApplication(env=env, today=lambda: day[0], clock=clock)
    projector = Projector(app, ViewDatabase(store), page_size=page_size)
    read = ReadModel(projector, today=lambda: day[0])
    if app.max_position() == 0:
        app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
    return World(app, projector, read, day)
