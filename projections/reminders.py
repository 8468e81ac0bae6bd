"""Chase reminders already emailed, read from v_reminder (for the chase list and the sender)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from projections.db import ViewDatabase
from projections.queries.reminders import reminder_rows


@dataclass(frozen=True)
class SentReminder:
    lead: str
    email: str
    schemes: tuple[str, ...]
    sent_at: datetime


def reminders_sent(views: ViewDatabase, programme: str, day: date) -> list[SentReminder]:
    """Reminders emailed for the reports due on ``day`` + 1 (``day`` is the day reported)."""
    rows = reminder_rows(views, programme, day.isoformat())
    return [
        SentReminder(lead, email, tuple(json.loads(schemes)), datetime.fromisoformat(sent_at))
        for lead, email, schemes, sent_at in rows
    ]


def reminded_schemes(sent: list[SentReminder]) -> dict[str, SentReminder]:
    """The latest reminder naming each scheme."""
    found: dict[str, SentReminder] = {}
    for reminder in sent:
        for code in reminder.schemes:
            found[code] = reminder
    return found
