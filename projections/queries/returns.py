"""``v_return``: every sign-off and submission of a programme's monthly returns."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase

Rows = list[tuple[Any, ...]]


def submitted_revisions(db: ViewDatabase, programme: str, month: str) -> Rows:
    """(revision, data, position) of every submitted revision of a month's return."""
    return db.query(
        "SELECT revision, data, position FROM v_return WHERE programme = ? AND month = ? "
        "AND kind = 'ReturnSubmitted' ORDER BY revision",
        (programme, month),
    )


def return_records(db: ViewDatabase, programme: str, month: str) -> Rows:
    """(kind, data, position) of every sign-off and submission of a month, in recorded order."""
    return db.query(
        "SELECT kind, data, position FROM v_return WHERE programme = ? AND month = ? "
        "ORDER BY position",
        (programme, month),
    )


def submissions_newest_first(db: ViewDatabase) -> Rows:
    """(data,) of every submission of every programme, the latest first."""
    return db.query(
        "SELECT data FROM v_return WHERE kind = 'ReturnSubmitted' ORDER BY position DESC"
    )


def all_submissions(db: ViewDatabase) -> Rows:
    """(programme, month, revision, data) of every submission in the store."""
    return db.query(
        "SELECT programme, month, revision, data FROM v_return WHERE kind = 'ReturnSubmitted'"
        " ORDER BY programme, month, revision"
    )
