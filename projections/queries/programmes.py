"""``v_programme``: a programme's versions, one row per change."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase
from projections.schema import KNOWN_AT

Rows = list[tuple[Any, ...]]


def programme_known_at(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(data,) of the programme's version current at the position."""
    return db.query(
        f"SELECT data FROM v_programme WHERE code = ? AND {KNOWN_AT}",
        (programme, known_at, known_at),
    )


def open_programmes(db: ViewDatabase, known_at: int | None = None) -> Rows:
    """(code, data) of every programme's current version (as known at a position)."""
    if known_at is None:
        return db.query("SELECT code, data FROM v_programme WHERE superseded_at IS NULL")
    return db.query(f"SELECT code, data FROM v_programme WHERE {KNOWN_AT}", (known_at, known_at))


def programme_codes(db: ViewDatabase) -> list[str]:
    return [
        str(row[0]) for row in db.query("SELECT code FROM v_programme WHERE superseded_at IS NULL")
    ]


def programme_versions(db: ViewDatabase, programme: str, upto: int) -> Rows:
    """(data, position) of every version up to a position, oldest first."""
    return db.query(
        "SELECT data, position FROM v_programme WHERE code = ? AND position <= ? ORDER BY position",
        (programme, upto),
    )
