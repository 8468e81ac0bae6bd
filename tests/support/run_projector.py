"""Runs the projector over a store, slowly, printing each committed position (crash tests)."""

from __future__ import annotations

import sys
import time
from typing import Any

from capacity.application import WinterApplication
from projections.db import ViewDatabase
from projections.projector import Projector
from wintertrack.config import event_store_env


class SlowProjector(Projector):
    def apply(self, db: Any, notification: Any) -> str | None:
        programme = super().apply(db, notification)
        time.sleep(0.002)
        return programme


def main() -> None:
    store, page_size = sys.argv[1], int(sys.argv[2])
    app = WinterApplication(env=event_store_env(store))
    projector = SlowProjector(app, ViewDatabase(store), page_size=page_size)
    projector.run_once(lambda n, position: print(position, flush=True))


if __name__ == "__main__":
    main()
