"""The first position at which two sets of views disagree.

Every view row carries the position of the event that wrote it, so comparing the live views
(projected as the events were written) with views replayed from the log now, position by
position, names the first event whose stored content no longer says what it said then.
``superseded_at`` is left out: it is the position of a later event, not the row's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from projections.db import ViewDatabase
from projections.queries.tracking import rows_between, views_position
from projections.schema import TABLES

UNTRACKED = ("v_tracking", "v_programme_head")
PAGE = 20_000


def columns(table: str) -> list[str]:
    names = [part.strip().split()[0] for part in TABLES[table].split(",")]
    return [n for n in names if n not in ("superseded_at", "PRIMARY")]


def _position(views: ViewDatabase) -> int:
    rows = views_position(views)
    return int(rows[0][0]) if rows else 0


def _rows(views: ViewDatabase, table: str, upto: int) -> Iterator[tuple[Any, ...]]:
    """(position, the other columns…) in position order, a page of positions at a time."""
    names = [c for c in columns(table) if c != "position"]
    select = ", ".join(["position", *names])
    after = -1
    while after < upto:
        last = min(after + PAGE, upto)
        found = rows_between(views, table, select, after, last)
        yield from (tuple(str(v) for v in row) for row in found)
        after = last


def _grouped(views: ViewDatabase, table: str, upto: int) -> Iterator[tuple[int, list[Any]]]:
    for position, rows in groupby(_rows(views, table, upto), key=lambda r: r[0]):
        yield int(position), sorted(rows)


def first_difference(live: ViewDatabase, replayed: ViewDatabase) -> int | None:
    """The lowest position where any view row differs, up to where both have reached."""
    upto = min(_position(live), _position(replayed))
    first: int | None = None
    for table in TABLES:
        if table in UNTRACKED:
            continue
        a, b = _grouped(live, table, upto), _grouped(replayed, table, upto)
        x, y = next(a, None), next(b, None)
        while x is not None or y is not None:
            if first is not None and min(p[0] for p in (x, y) if p is not None) >= first:
                break  # nothing lower can be found in this table
            if x is not None and y is not None and x == y:
                x, y = next(a, None), next(b, None)
                continue
            here = min(p[0] for p in (x, y) if p is not None)
            first = here if first is None else min(first, here)
            break
    return first
