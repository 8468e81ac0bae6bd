"""``v_site`` and ``v_flow``: acute sites and their days of flow."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase
from projections.schema import KNOWN_AT

Rows = list[tuple[Any, ...]]


def sites(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(ods, name, place) of every site registered up to the position."""
    return db.query(
        "SELECT ods, name, place FROM v_site WHERE programme = ? AND position <= ?",
        (programme, known_at),
    )


def flow_known_at(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(ods, day, data) of each site's day as known at the position."""
    return db.query(
        f"SELECT ods, day, data FROM v_flow WHERE programme = ? AND {KNOWN_AT}",
        (programme, known_at, known_at),
    )
