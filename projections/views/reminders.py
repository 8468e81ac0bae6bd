"""The chase reminders view (v_reminder): one row per reminder emailed to a lead."""

from __future__ import annotations

from typing import Any

from projections.views.writer import PageWriter, to_json


def on_reminder(db: PageWriter, event: Any, pos: int) -> str | None:
    db.insert(
        "INSERT INTO v_reminder (programme, day, lead, email, schemes, sent_at, position)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            event.programme,
            event.day.isoformat(),
            event.lead,
            event.email,
            to_json(list(event.schemes)),
            event.sent_at.isoformat(),
            pos,
        ),
    )
    return None  # no figure of the programme changed
