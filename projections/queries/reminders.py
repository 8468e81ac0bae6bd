"""``v_reminder``: chase reminders emailed to leads."""

from __future__ import annotations

from typing import Any

from projections.db import ViewDatabase


def reminder_rows(views: ViewDatabase, programme: str, day: str) -> list[tuple[Any, ...]]:
    """(lead, email, schemes, sent_at) of the reminders for a reporting day, in sent order."""
    return views.query(
        "SELECT lead, email, schemes, sent_at FROM v_reminder WHERE programme = ? AND day = ? "
        "ORDER BY position",
        (programme, day),
    )
