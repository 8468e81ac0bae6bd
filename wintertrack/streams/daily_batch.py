"""A poll's daily-figures messages, checked one by one and stored together.

Each message is validated exactly as the API validates a report (the API's request model, then
the application's bulk validator, the figures that look wrong against the day before — in the
batch or stored) and either refused, found already stored, or held for the batch. The held
reports are stored in one transaction per programme through the path the CSV import uses
(``report_daily_batch``). A refusal only the store can make (another writer stored the same day
meanwhile, a value the database will not take) never sinks the others: the reports stored
meanwhile are taken out and the rest retried whole; any other failure is split in halves until
the one record that fails is found, and only that record is refused.

Storing is idempotent on (scheme, day, source_message_id): a message delivered again (after a
crash between the store's commit and the offsets', or a rebalance between two ingest processes)
is found stored with its own source and counted as a duplicate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from api.schemas import DailyIn, daily_body
from capacity.application import WinterApplication
from capacity.daily_figures import DailyFigures
from capacity.daily_import import Validator
from capacity.errors import DomainError, DuplicateDailyReport
from capacity.plausibility import COMMENT, confirmed, scheme_doubts
from capacity.reports import DailyReport, daily_report_id
from capacity.scheme import Scheme
from capacity.values import Actor
from schemes.rules import InputRefused, parse_date
from wintertrack.streams.consumer import STOPS, Rejected, not_a_number, rejected, unexpected

INGEST = Actor("kafka-ingest", "system", "kafka")
Outcome = str | Rejected  # "stored", "duplicate", or the reason it goes to the dead-letter topic


@dataclass(frozen=True)
class Held:
    """A valid report waiting for the batch's transaction; ``index`` is its place in the poll."""

    index: int
    programme: str
    scheme: str
    day: date
    figures: DailyFigures
    source: str
    comment: str | None


def parse(payload: bytes) -> tuple[str, str, str, dict[str, Any]]:
    """(programme, scheme, source_message_id, the API's report body) of a message; raises
    Rejected naming the field."""
    try:
        message = json.loads(payload, parse_constant=not_a_number)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Rejected(f"not JSON: {error}", "not-json") from None
    if not isinstance(message, dict):
        raise Rejected("message must be a JSON object")
    for required in ("programme", "scheme_code", "date", "source_message_id"):
        if not isinstance(message.get(required), str) or not message[required]:
            raise Rejected(f"{required}: is required (text)")
    body = {
        k: v
        for k, v in message.items()
        if k not in ("programme", "scheme_code", "source_message_id")
    }
    try:
        body = daily_body(DailyIn.model_validate(body))  # the API's own request model
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "message"
        raise Rejected(f"{field}: {first['msg']}") from None
    parse_date("date", message["date"])
    return message["programme"], message["scheme_code"], message["source_message_id"][:200], body


class DailyBatch:
    """Add each message of a poll, then :meth:`store`; ``outcomes`` holds every message's
    outcome by its place in the poll, and ``transactions`` the saves that committed."""

    def __init__(self, application: WinterApplication, actor: Actor = INGEST) -> None:
        self.application = application
        self.actor = actor
        self.validators: dict[str, Validator] = {}
        self.schemes: dict[tuple[str, str], Scheme] = {}
        self.held: dict[tuple[str, str, date], Held] = {}
        self.outcomes: dict[int, Outcome] = {}
        self.transactions = 0

    def add(self, index: int, payload: bytes) -> str | None:
        """Checks one message: "duplicate" when it is already stored, None when it is held for
        the batch; raises Rejected (or the failure the consumer turns into one).

        Whether the day is already stored is left to the store (which refuses a second report
        of a day) on the way in, so a new message costs no lookup; only a refused one is looked
        up, as a message delivered again is a duplicate whatever has changed since."""
        programme, scheme, source, body = parse(payload)
        try:
            day, figures = self._validator(programme)(scheme, body)
            key = (programme, scheme, day)
            if key in self.held:
                return self._seen(scheme, day, source, self.held[key].source)
            comment = confirmed(self._doubts(programme, scheme, day, figures), body.get(COMMENT))
        except (InputRefused, DomainError) as error:
            stored = self._stored(programme, scheme, parse_date("date", body["date"]))
            if stored is not None:
                return self._seen(scheme, stored.on, source, stored.source_ref)
            raise rejected(error) from None
        self.held[key] = Held(index, programme, scheme, day, figures, source, comment)
        return None

    def _doubts(self, programme: str, code: str, day: date, figures: DailyFigures) -> list[str]:
        """What looks wrong against the day before: held in this batch, or stored."""
        if (programme, code) not in self.schemes:
            self.schemes[programme, code] = self.application.get_scheme(programme, code)
        held = self.held.get((programme, code, day - timedelta(days=1)))
        if held is not None:
            before: dict[str, Any] | None = held.figures.as_dict()
        else:
            stored = self._stored(programme, code, day - timedelta(days=1))
            before = stored.figures if stored is not None else None
        return scheme_doubts(self.schemes[programme, code], day, figures, before)

    def store(self) -> dict[int, Outcome]:
        """Stores the held reports, one transaction per programme; returns their outcomes."""
        by_programme: dict[str, list[Held]] = {}
        for held in self.held.values():
            by_programme.setdefault(held.programme, []).append(held)
        for programme, reports in by_programme.items():
            self._store(programme, reports)
        self.held.clear()
        return self.outcomes

    def _store(self, programme: str, reports: list[Held]) -> None:
        try:
            self.application.report_daily_batch(
                self.actor,
                programme,
                [(h.day, h.scheme, h.figures, h.source) for h in reports],
                {(h.scheme, h.day): h.comment for h in reports if h.comment},
            )
        except STOPS:
            raise
        except Exception as error:  # one report's refusal must not sink the others
            if len(reports) == 1:
                self.outcomes[reports[0].index] = self._refusal(reports[0], error)
                return
            left = [h for h in reports if not self._taken(h)]
            if len(left) < len(reports):
                self._store(programme, left)
                return
            half = len(reports) // 2
            self._store(programme, reports[:half])
            self._store(programme, reports[half:])
            return
        self.transactions += 1
        for held in reports:
            self.outcomes[held.index] = "stored"

    def _taken(self, held: Held) -> bool:
        """Whether another writer stored this report's day meanwhile (its outcome is set)."""
        stored = self._stored(held.programme, held.scheme, held.day)
        if stored is None:
            return False
        try:
            self.outcomes[held.index] = self._seen(
                held.scheme, held.day, held.source, stored.source_ref
            )
        except Rejected as refused:
            self.outcomes[held.index] = refused
        return True

    def _refusal(self, held: Held, error: Exception) -> Outcome:
        if isinstance(error, DuplicateDailyReport) and self._taken(held):
            return self.outcomes[held.index]
        if isinstance(error, InputRefused | DomainError):
            return rejected(error)
        return unexpected(error)

    def _validator(self, programme: str) -> Validator:
        if programme not in self.validators:
            self.validators[programme] = self.application.daily_validator(self.actor, programme)
        return self.validators[programme]

    def _stored(self, programme: str, scheme: str, day: date) -> DailyReport | None:
        report_id = daily_report_id(programme, scheme, day)
        if report_id not in self.application.repository:
            return None
        found: object = self.application.repository.get(report_id)
        assert isinstance(found, DailyReport)
        return found

    @staticmethod
    def _seen(scheme: str, day: date, source: str, stored_source: str | None) -> str:
        """A second message for a day already reported: the same message again is a
        duplicate; another one is refused (a correction is its own command)."""
        if stored_source == source:
            return "duplicate"
        raise Rejected(
            f"date: {scheme} already reported figures for {day.isoformat()}; "
            "send a correction instead"
        )
