"""Every row of every view table, for comparing two runs of the projector."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase
from projections.schema import TABLES


def dump(views: ViewDatabase) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(views.query(f"SELECT * FROM {table}")) for table in TABLES}
