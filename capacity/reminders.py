"""Chase reminders: which leads were reminded, on which day, of which unreported schemes.

One ``ChaseDay`` per programme and reporting day (the day the sitrep is *for*, i.e. yesterday
at 11:00). A reminder is recorded after the mail server accepted it, so a lead is reminded at
most once a day by every run that sees the record (docs/rules.md §5).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.values import Actor, natural_id


def chase_day_id(programme: str, day: date) -> UUID:
    return natural_id("chase-day", programme, day.isoformat())


class ChaseDay(Aggregate):
    TOPIC = "wintertrack:ChaseDay"

    class Event(Aggregate.Event):
        actor: Actor

    class ChaseDayOpened(Event, Aggregate.Created):
        TOPIC = "wintertrack:ChaseDay.ChaseDayOpened"
        programme: str
        day: date

    Created = ChaseDayOpened

    class ReminderSent(Event):
        """A lead was emailed the schemes they had not reported for ``day``."""

        TOPIC = "wintertrack:ChaseDay.ReminderSent"
        programme: str
        day: date
        lead: str
        email: str
        schemes: list[str]
        sent_at: datetime

        def apply(self, aggregate: ChaseDay) -> None:
            aggregate.reminded[self.lead] = self.sent_at

    def __init__(self, programme: str, day: date) -> None:
        self.programme = programme
        self.day = day
        self.reminded: dict[str, datetime] = {}

    @classmethod
    def open(cls, actor: Actor, programme: str, day: date) -> ChaseDay:
        return cls._create(
            cls.ChaseDayOpened,
            id=chase_day_id(programme, day),
            actor=actor,
            programme=programme,
            day=day,
        )

    def record_reminder(
        self, actor: Actor, lead: str, email: str, schemes: list[str], sent_at: datetime
    ) -> None:
        self.trigger_event(
            self.ReminderSent,
            actor=actor,
            programme=self.programme,
            day=self.day,
            lead=lead,
            email=email,
            schemes=sorted(schemes),
            sent_at=sent_at,
        )
