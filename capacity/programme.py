"""The Programme aggregate: one ICB's winter, its bed target and its allocations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.repeats import Confirmable, Decision, check_not_repeated, remember
from capacity.values import FUNDING_STREAMS, Actor, natural_id
from schemes.specs import ProgrammeFields


def programme_id(code: str) -> UUID:
    return natural_id("programme", code)


def allocations_on(
    opening: dict[str, Decimal], changes: list[tuple[date, str, Decimal]], day: date
) -> dict[str, Decimal]:
    """The allocations in force on ``day``: the opening amounts, then every revision effective
    on or before it, in effective-date order (a stable sort keeps recorded order on a tie)."""
    found = dict(opening)
    for effective, stream, amount in sorted(changes, key=lambda c: c[0]):
        if effective <= day:
            found[stream] = amount
    return found


class Programme(Aggregate):
    TOPIC = "wintertrack:Programme"

    class Event(Aggregate.Event):
        actor: Actor

    class ProgrammeOpened(ProgrammeFields, Event, Aggregate.Created):
        """Inherits its fields from ``ProgrammeFields`` (``schemes/specs.py``)."""

        TOPIC = "wintertrack:Programme.ProgrammeOpened"

    Created = ProgrammeOpened  # type: ignore[assignment]

    class BedTargetRevised(Event):
        TOPIC = "wintertrack:Programme.BedTargetRevised"
        bed_target: int
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.bed_target = self.bed_target

    class AllocationRevised(Event):
        """class_version 2 adds ``effective_on`` (None: from the programme's start, which is
        what every version 1 revision meant)."""

        TOPIC = "wintertrack:Programme.AllocationRevised"
        class_version = 2
        stream: str
        amount_gbp: Decimal
        reason: str
        effective_on: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["effective_on"] = None

        def apply(self, aggregate: Any) -> None:
            day = self.effective_on or aggregate.period_start
            aggregate.allocation_changes.append((day, self.stream, self.amount_gbp))
            aggregate.allocations = aggregate.allocations_on(aggregate.period_end)

    class SchemeAdded(Event):
        TOPIC = "wintertrack:Programme.SchemeAdded"
        scheme_code: str

        def apply(self, aggregate: Any) -> None:
            aggregate.scheme_codes.append(self.scheme_code)

    class SiteAdded(Event):
        TOPIC = "wintertrack:Programme.SiteAdded"
        ods_code: str

        def apply(self, aggregate: Any) -> None:
            aggregate.site_codes.append(self.ods_code)

    class FundsReceived(Confirmable, Event):
        TOPIC = "wintertrack:Programme.FundsReceived"
        stream: str
        amount_gbp: Decimal
        received_on: date
        repeat_confirmed: bool

        def apply(self, aggregate: Any) -> None:
            received = aggregate.received.get(self.stream, Decimal("0"))
            aggregate.received[self.stream] = received + self.amount_gbp
            remember(aggregate, "receipts", self.stream, "", self)

    class ManagementForecastRecorded(Event):
        """Finance's forecast outturn to March for a stream, where it differs from the
        straight line, as entered for a month's return."""

        TOPIC = "wintertrack:Programme.ManagementForecastRecorded"
        stream: str
        month: str
        amount_gbp: Decimal
        note: str

    def __init__(
        self,
        code: str,
        icb_code: str,
        icb_name: str,
        region_code: str,
        winter: str,
        period_start: date,
        period_end: date,
        bed_target: int,
        allocations: dict[str, Decimal],
    ) -> None:
        self.code = code
        self.icb_code = icb_code
        self.icb_name = icb_name
        self.region_code = region_code
        self.winter = winter
        self.period_start = period_start
        self.period_end = period_end
        self.bed_target = bed_target
        self.opening_allocations = {
            s: Decimal(allocations.get(s, Decimal("0"))) for s in FUNDING_STREAMS
        }
        # (effective date, stream, amount) in the order recorded; see allocations_on.
        self.allocation_changes: list[tuple[date, str, Decimal]] = []
        self.allocations = dict(self.opening_allocations)
        self.received: dict[str, Decimal] = {}
        self.scheme_codes: list[str] = []
        self.site_codes: list[str] = []

    @classmethod
    def open(cls, actor: Actor, **fields: Any) -> Programme:
        return cls._create(
            cls.ProgrammeOpened, id=programme_id(fields["code"]), actor=actor, **fields
        )

    def revise_bed_target(self, actor: Actor, bed_target: int, reason: str) -> None:
        self.trigger_event(self.BedTargetRevised, actor=actor, bed_target=bed_target, reason=reason)

    def allocations_on(self, day: date) -> dict[str, Decimal]:
        """Each stream's allocation on a day: revisions apply in the order of their effective
        dates, whatever order they were recorded in (same date: the later recorded wins)."""
        return allocations_on(self.opening_allocations, self.allocation_changes, day)

    def revise_allocation(
        self,
        actor: Actor,
        stream: str,
        amount_gbp: Decimal,
        reason: str,
        effective_on: date | None = None,
    ) -> None:
        self.trigger_event(
            self.AllocationRevised,
            actor=actor,
            stream=stream,
            amount_gbp=amount_gbp,
            reason=reason,
            effective_on=effective_on,
        )

    def receive_funds(
        self,
        actor: Actor,
        stream: str,
        amount_gbp: Decimal,
        received_on: date,
        repeat_confirmed: bool = False,
    ) -> None:
        """Records money received; the same stream, amount and day again needs
        ``repeat_confirmed``."""
        new = Decision(stream, amount_gbp, received_on, "", None)
        check_not_repeated(self, "receipts", new, "receipt of funds", repeat_confirmed)
        self.trigger_event(
            self.FundsReceived,
            actor=actor,
            stream=stream,
            amount_gbp=amount_gbp,
            received_on=received_on,
            repeat_confirmed=repeat_confirmed,
        )

    def record_management_forecast(
        self, actor: Actor, stream: str, month: str, amount_gbp: Decimal, note: str
    ) -> None:
        self.trigger_event(
            self.ManagementForecastRecorded,
            actor=actor,
            stream=stream,
            month=month,
            amount_gbp=amount_gbp,
            note=note,
        )

    def add_scheme(self, actor: Actor, scheme_code: str) -> None:
        self.trigger_event(self.SchemeAdded, actor=actor, scheme_code=scheme_code)

    def add_site(self, actor: Actor, ods_code: str) -> None:
        self.trigger_event(self.SiteAdded, actor=actor, ods_code=ods_code)

    def identity(self) -> dict[str, str]:
        """Which winter of which ICB this is, as plain text (for the API and the region)."""
        return {
            "code": self.code,
            "icb_code": self.icb_code,
            "icb_name": self.icb_name,
            "region_code": self.region_code,
            "winter": self.winter,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
        }

    def covers(self, day: date) -> bool:
        return self.period_start <= day <= self.period_end
