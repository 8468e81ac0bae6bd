"""A scheme's state on a date, from its dated changes: one rule for the write and read sides.

Changes take effect on their effective date whatever order they were recorded in: a pause dated
1 December that is recorded after a resume dated 20 December still sits before it. Changes on
the same date keep the order they were recorded in (the later one wins). See docs/rules.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def status_on(initial: str, changes: Iterable[tuple[date, str]], day: date | None) -> str:
    """The status in force on ``day`` (None: after every change)."""
    status = initial
    for on, changed_to in sorted(changes, key=lambda change: change[0]):
        if day is None or on <= day:
            status = changed_to
    return status


def beds_open_on(changes: Iterable[tuple[date, int]], day: date) -> int:
    """Beds open at the end of ``day``: openings minus closures dated on or before it."""
    return sum(change for on, change in changes if on <= day)
