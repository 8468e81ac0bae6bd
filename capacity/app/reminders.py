"""Chase reminders: recording that a lead was emailed the schemes they have not reported."""

from __future__ import annotations

from datetime import date, datetime

from capacity.app.core import Change, Command, Receipt, WinterCore
from capacity.errors import Conflict
from capacity.reminders import ChaseDay, chase_day_id
from capacity.values import Actor
from schemes.rules import check_text


class ReminderCommands(WinterCore):
    def reminded_on(self, programme: str, day: date) -> dict[str, datetime]:
        """The leads already reminded for ``day`` and when (the sender's own check)."""
        record_id = chase_day_id(programme, day)
        if not self._exists(record_id):
            return {}
        return dict(self._get(ChaseDay, record_id, Conflict("no chase day")).reminded)

    def record_reminder(
        self,
        actor: Actor,
        programme: str,
        day: date,
        lead: str,
        email: str,
        schemes: list[str],
        sent_at: datetime,
    ) -> Receipt:
        def act() -> Change:
            self.get_programme(programme)
            check_text("email", email, max_len=320)
            record_id = chase_day_id(programme, day)
            chase = (
                self._get(ChaseDay, record_id, Conflict("no chase day"))
                if self._exists(record_id)
                else ChaseDay.open(actor, programme, day)
            )
            chase.record_reminder(actor, lead, email, schemes, sent_at)
            return Change([chase], Conflict("a reminder was recorded meanwhile; run again"))

        return self.run_command(Command(actor, "record_reminder", programme), act)
