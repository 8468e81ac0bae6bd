"""``v_daily`` and ``v_spend``: every version of a scheme's day and month of figures."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase
from projections.schema import KNOWN_AT

Rows = list[tuple[Any, ...]]
FIGURE_TABLES = ("v_daily", "v_spend")


def daily_known_at(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(scheme, day, data) of each day's report as known at the position."""
    return db.query(
        f"SELECT scheme, day, data FROM v_daily WHERE programme = ? AND {KNOWN_AT}",
        (programme, known_at, known_at),
    )


def spend_known_at(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(scheme, month, amount_gbp, basis) of each month's spend as known at the position."""
    return db.query(
        f"SELECT scheme, month, amount_gbp, basis FROM v_spend WHERE programme = ? AND {KNOWN_AT}",
        (programme, known_at, known_at),
    )


def spend_in_month(db: ViewDatabase, programme: str, month: str) -> Rows:
    """(scheme, amount_gbp, basis) of every scheme's latest spend figure for a month."""
    return db.query(
        "SELECT scheme, amount_gbp, basis FROM v_spend WHERE programme = ? AND month = ? "
        "AND superseded_at IS NULL",
        (programme, month),
    )


def latest_recorded_at(db: ViewDatabase, programme: str, known_at: int) -> list[str]:
    """When the latest daily report and the latest spend figure known at the position were
    recorded (absent tables' figures left out)."""
    return [
        str(found)
        for table in FIGURE_TABLES
        for (found,) in db.query(
            f"SELECT MAX(recorded_at) FROM {table} WHERE programme = ? AND position <= ?",
            (programme, known_at),
        )
        if found
    ]


def latest_positions_before(db: ViewDatabase, end: str) -> list[int]:
    """The position of the latest daily report and spend figure recorded before ``end``."""
    return [
        int(position or 0)
        for table in FIGURE_TABLES
        for (position,) in db.query(
            f"SELECT MAX(position) FROM {table} WHERE recorded_at < ?", (end,)
        )
    ]


def any_daily_by(db: ViewDatabase, programme: str, known_at: int, user: str) -> bool:
    """Whether any daily report up to the position was written by the user."""
    return bool(
        db.query(
            "SELECT 1 FROM v_daily WHERE programme = ? AND position <= ? AND actor LIKE ? LIMIT 1",
            (programme, known_at, f"%{user}%"),
        )
    )


def scheme_daily_versions(db: ViewDatabase, programme: str, scheme: str, known_at: int) -> Rows:
    """(day, data, recorded_at, position) of every version of a scheme's days."""
    return db.query(
        "SELECT day, data, recorded_at, position FROM v_daily WHERE programme = ? AND scheme = ? "
        "AND position <= ? ORDER BY position",
        (programme, scheme, known_at),
    )


def scheme_spend_versions(db: ViewDatabase, programme: str, scheme: str, known_at: int) -> Rows:
    """(month, amount_gbp, basis, recorded_at, position) of every version of a scheme's
    months."""
    return db.query(
        "SELECT month, amount_gbp, basis, recorded_at, position FROM v_spend WHERE programme = ? "
        "AND scheme = ? AND position <= ? ORDER BY position",
        (programme, scheme, known_at),
    )


def daily_history(db: ViewDatabase, programme: str, scheme: str) -> Rows:
    """(day, data, actor, recorded_at, position) of every report and correction."""
    return db.query(
        "SELECT day, data, actor, recorded_at, position FROM v_daily "
        "WHERE programme = ? AND scheme = ? ORDER BY position",
        (programme, scheme),
    )


def spend_history(db: ViewDatabase, programme: str, scheme: str) -> Rows:
    """(month, amount_gbp, basis, actor, recorded_at, position) of every figure and
    correction."""
    return db.query(
        "SELECT month, amount_gbp, basis, actor, recorded_at, position FROM v_spend "
        "WHERE programme = ? AND scheme = ? ORDER BY position",
        (programme, scheme),
    )
