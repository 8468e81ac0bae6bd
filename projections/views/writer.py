"""Writing one page of view rows: buffered inserts, compact JSON for row values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from projections.db import ViewDatabase


def to_json(value: Any) -> str:
    """Compact, key-sorted JSON for view rows; money and beds-equivalent as exact strings."""
    return orjson.dumps(value, default=_plain, option=orjson.OPT_SORT_KEYS).decode()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


class PageWriter:
    """Writes one page's rows inside its transaction: INSERTs are buffered and sent with one
    ``executemany`` per statement; any read or update flushes them first, so each handler sees
    every row written before it."""

    def __init__(self, db: ViewDatabase) -> None:
        self.db = db
        self.pending: dict[str, list[tuple[Any, ...]]] = {}

    def insert(self, sql: str, row: tuple[Any, ...]) -> None:
        self.pending.setdefault(sql, []).append(row)

    def flush(self) -> None:
        for sql, rows in self.pending.items():
            self.db.executemany(sql, rows)
        self.pending.clear()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.flush()
        self.db.execute(sql, params)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self.flush()
        return self.db.query(sql, params)


def supersede(db: PageWriter, table: str, where: str, params: tuple[Any, ...], pos: int) -> None:
    db.execute(
        f"UPDATE {table} SET superseded_at = ? WHERE {where} AND superseded_at IS NULL",
        (pos, *params),
    )


def supersede_current(
    db: PageWriter, table: str, columns: str, agg: str, pos: int
) -> tuple[Any, ...]:
    """Marks an aggregate's current row superseded at ``pos`` and returns ``columns`` of it, in
    one statement (a correction's lookup and update together)."""
    rows = db.query(
        f"UPDATE {table} SET superseded_at = ? WHERE agg = ? AND superseded_at IS NULL"
        f" RETURNING {columns}",
        (pos, agg),
    )
    return tuple(rows[0])
