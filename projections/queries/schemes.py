"""``v_scheme`` and the scheme's dated changes: ``v_bed_change``, ``v_status_change``,
``v_diversion``."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase
from projections.schema import KNOWN_AT

Rows = list[tuple[Any, ...]]


def schemes_known_at(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(code, data) of each scheme's version current at the position, in registration order."""
    query = f"SELECT code, data FROM v_scheme WHERE programme = ? AND {KNOWN_AT} ORDER BY position"
    return db.query(query, (programme, known_at, known_at))


def scheme_versions(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(code, data, position) of every version of every scheme up to the position."""
    return db.query(
        "SELECT code, data, position FROM v_scheme WHERE programme = ? AND position <= ? "
        "ORDER BY position",
        (programme, known_at),
    )


def bed_changes(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(scheme, day, change) of every bed opened or closed, in recorded order."""
    return db.query(
        "SELECT scheme, day, change FROM v_bed_change WHERE programme = ? AND position <= ? "
        "ORDER BY position",
        (programme, known_at),
    )


def status_changes(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(scheme, day, status) of every status change, in recorded order."""
    return db.query(
        "SELECT scheme, day, status FROM v_status_change WHERE programme = ? AND position <= ? "
        "ORDER BY position",
        (programme, known_at),
    )


def diversions(db: ViewDatabase, programme: str, known_at: int) -> Rows:
    """(scheme, amount_gbp, decided_on) of both sides of every diversion, in recorded order."""
    return db.query(
        "SELECT scheme, amount_gbp, decided_on FROM v_diversion WHERE programme = ? AND "
        "position <= ? ORDER BY position",
        (programme, known_at),
    )


def scheme_bed_changes(db: ViewDatabase, programme: str, scheme: str, known_at: int) -> Rows:
    """(day, change, bed_type, reason, position) of one scheme, by day."""
    return db.query(
        "SELECT day, change, bed_type, reason, position FROM v_bed_change WHERE programme = ? "
        "AND scheme = ? AND position <= ? ORDER BY day, position",
        (programme, scheme, known_at),
    )


def scheme_status_changes(db: ViewDatabase, programme: str, scheme: str, known_at: int) -> Rows:
    """(day, status, position) of one scheme, by day."""
    return db.query(
        "SELECT day, status, position FROM v_status_change WHERE programme = ? AND scheme = ? "
        "AND position <= ? ORDER BY day, position",
        (programme, scheme, known_at),
    )


def diversions_between(db: ViewDatabase, programme: str, after: int, upto: int) -> Rows:
    """(scheme, amount_gbp, counterpart, decision_ref, decided_on, position) recorded after one
    position and at or before another."""
    return db.query(
        "SELECT scheme, amount_gbp, counterpart, decision_ref, decided_on, position "
        "FROM v_diversion WHERE programme = ? AND position > ? AND position <= ?",
        (programme, after, upto),
    )


def decided_status_changes_between(db: ViewDatabase, programme: str, after: int, upto: int) -> Rows:
    """(scheme, day, status, position) of the status changes the board decided: a go-live
    (recorded by the scheme's lead with a new scheme version at the same position) is not one."""
    return db.query(
        "SELECT scheme, day, status, position FROM v_status_change c WHERE programme = ? "
        "AND position > ? AND position <= ? AND NOT EXISTS (SELECT 1 FROM v_scheme s "
        "WHERE s.programme = c.programme AND s.code = c.scheme AND s.position = c.position)",
        (programme, after, upto),
    )


def scheme_codes(db: ViewDatabase, programme: str, known_at: int) -> list[str]:
    """The programme's schemes in the order they were registered."""
    rows = db.query(
        "SELECT code FROM v_scheme WHERE programme = ? AND position <= ? GROUP BY code "
        "ORDER BY MIN(position)",
        (programme, known_at),
    )
    return [str(row[0]) for row in rows]
