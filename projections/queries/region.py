"""``v_received``: a region's store of the returns its ICBs sent."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase

Rows = list[tuple[Any, ...]]


def received_rows(views: ViewDatabase, region: str, month: str | None = None) -> Rows:
    """(programme, icb_code, month, revision, sha256, submitted_at, data, position) of every
    revision received (one month's, when given), oldest first."""
    sql = (
        "SELECT programme, icb_code, month, revision, sha256, submitted_at, data, position "
        "FROM v_received WHERE region = ?"
    )
    params: tuple[Any, ...] = (region,)
    if month is not None:
        sql += " AND month = ?"
        params = (region, month)
    return views.query(sql + " ORDER BY position", params)
