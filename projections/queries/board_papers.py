"""``v_board_paper``: each preparation of a board paper (with its PDF) and each sign-off."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase

Rows = list[tuple[Any, ...]]


def paper_rows(db: ViewDatabase, programme: str, month: str | None = None) -> Rows:
    """(month, revision, kind, data) of the programme's papers (one month's, when given)."""
    sql = "SELECT month, revision, kind, data FROM v_board_paper WHERE programme = ?"
    args: tuple[str, ...] = (programme,)
    if month is not None:
        sql, args = sql + " AND month = ?", (programme, month)
    return db.query(sql + " ORDER BY position", args)


def prepared_paper(db: ViewDatabase, programme: str, month: str, revision: int) -> Rows:
    """(contents, pdf) of one preparation."""
    return db.query(
        "SELECT contents, pdf FROM v_board_paper WHERE programme = ? AND month = ? "
        "AND revision = ? AND kind = 'Prepared'",
        (programme, month, revision),
    )
