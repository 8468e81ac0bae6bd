"""The Scheme aggregate: one funded winter scheme, its beds, status, money moves and narrative.

Daily figures and monthly spend live in their own small aggregates (``reports.py``), one per
scheme-day and scheme-month, so a scheme's own history stays short however long the winter."""

from __future__ import annotations

from bisect import insort
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.errors import Conflict, InvalidTransition
from capacity.repeats import Confirmable, Decision, check_not_repeated, divert, remember
from capacity.values import Actor, natural_id
from schemes import lifecycle
from schemes.rules import InputRefused, check_divertible
from schemes.specs import SchemeFields


def scheme_id(programme: str, code: str) -> UUID:
    return natural_id("scheme", programme, code)


class Scheme(Aggregate):
    TOPIC = "wintertrack:Scheme"

    class Event(Aggregate.Event):
        actor: Actor

    class SchemeKeys(Event, Aggregate.Created):
        """The scheme's programme (never stored alone: the base of ``SchemeRegistered``)."""

        TOPIC = "wintertrack:Scheme.SchemeKeys"
        programme: str

    class SchemeRegistered(SchemeFields, SchemeKeys):
        """Inherits the registered fields from ``SchemeFields`` (``schemes/specs.py``), after
        the programme, as it always stored them."""

        TOPIC = "wintertrack:Scheme.SchemeRegistered"

    Created = SchemeRegistered  # type: ignore[assignment]

    class SchemeApproved(Event):
        TOPIC = "wintertrack:Scheme.SchemeApproved"
        approved_on: date
        decision_ref: str

        def apply(self, aggregate: Any) -> None:
            aggregate.approved_on = self.approved_on

    class KpiTargetSet(Event):
        TOPIC = "wintertrack:Scheme.KpiTargetSet"
        kpi_code: str
        target: Decimal | str | None
        reason: str

        def apply(self, aggregate: Any) -> None:
            for kpi in aggregate.kpis:
                if kpi["code"] == self.kpi_code:
                    kpi["target"] = self.target

    class PlannedStartChanged(Event):
        TOPIC = "wintertrack:Scheme.PlannedStartChanged"
        planned_start: date | None
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.planned_start = self.planned_start

    class SchemeMobilised(Event):
        TOPIC = "wintertrack:Scheme.SchemeMobilised"
        went_live_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.went_live_on = self.went_live_on

    class BedsOpened(Event):
        TOPIC = "wintertrack:Scheme.BedsOpened"
        on: date
        change: int
        bed_type: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            insort(aggregate.bed_changes, (self.on, self.change))

    class BedsClosed(Event):
        TOPIC = "wintertrack:Scheme.BedsClosed"
        on: date
        change: int
        bed_type: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            insort(aggregate.bed_changes, (self.on, -self.change))

    class FundingDivertedOut(Confirmable, Event):
        TOPIC = "wintertrack:Scheme.FundingDivertedOut"
        amount_gbp: Decimal
        to_scheme: str
        decision_ref: str
        decided_on: date
        repeat_confirmed: bool

        def apply(self, aggregate: Any) -> None:
            divert(aggregate, self.decided_on, -self.amount_gbp)
            remember(aggregate, "diversions_out", self.to_scheme, self.decision_ref, self)

    class FundingDivertedIn(Event):
        TOPIC = "wintertrack:Scheme.FundingDivertedIn"
        amount_gbp: Decimal
        from_scheme: str
        decision_ref: str
        decided_on: date

        def apply(self, aggregate: Any) -> None:
            divert(aggregate, self.decided_on, self.amount_gbp)

    class SchemePaused(Event):
        TOPIC = "wintertrack:Scheme.SchemePaused"
        on: date
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status_changes.append((self.on, "paused"))

    class SchemeResumed(Event):
        TOPIC = "wintertrack:Scheme.SchemeResumed"
        on: date
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status_changes.append((self.on, "active"))

    class SchemeClosed(Event):
        TOPIC = "wintertrack:Scheme.SchemeClosed"
        on: date
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status_changes.append((self.on, "closed"))

    class NarrativeUpdated(Event):
        TOPIC = "wintertrack:Scheme.NarrativeUpdated"
        narrative: str
        on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.narrative = self.narrative

    def __init__(
        self,
        programme: str,
        code: str,
        name: str,
        category: str,
        place: str,
        provider: str | None,
        funding_stream: str,
        allocation_gbp: Decimal,
        measure: str,
        planned_beds_equivalent: Decimal | None,
        place_split: dict[str, Decimal] | None,
        counts_toward_target: bool,
        planned_start: date | None,
        kpis: list[dict[str, Any]],
        lead: str | None,
    ) -> None:
        self.programme = programme
        self.code = code
        self.name = name
        self.category = category
        self.place = place
        self.provider = provider
        self.funding_stream = funding_stream
        self.allocation_gbp = allocation_gbp
        self.measure = measure
        self.planned_beds_equivalent = planned_beds_equivalent
        self.place_split = place_split
        self.counts_toward_target = counts_toward_target
        self.planned_start = planned_start
        self.kpis = [dict(k) for k in kpis]
        self.lead = lead
        self.approved_on: date | None = None
        self.went_live_on: date | None = None
        self.bed_changes: list[tuple[date, int]] = []
        self.status_changes: list[tuple[date, str]] = []
        self.diverted_in = Decimal("0")
        self.diverted_out = Decimal("0")
        self.narrative = ""

    # --- queries -------------------------------------------------------------------------

    @property
    def current_allocation_gbp(self) -> Decimal:
        return self.allocation_gbp + self.diverted_in - self.diverted_out

    @property
    def kpi_codes(self) -> set[str]:
        return {str(k["code"]) for k in self.kpis}

    def status_on(self, day: date | None = None) -> str:
        """planned → active → paused ↔ active → closed, by effective date (schemes/lifecycle.py)."""
        live = self.went_live_on is not None and (day is None or self.went_live_on <= day)
        return lifecycle.status_on("active" if live else "planned", self.status_changes, day)

    @property
    def status(self) -> str:
        return self.status_on(None)

    def beds_open_on(self, day: date) -> int:
        return lifecycle.beds_open_on(self.bed_changes, day)

    # --- commands ------------------------------------------------------------------------

    @classmethod
    def register(cls, actor: Actor, **fields: Any) -> Scheme:
        return cls._create(
            cls.SchemeRegistered,
            id=scheme_id(fields["programme"], fields["code"]),
            actor=actor,
            **fields,
        )

    def approve(self, actor: Actor, approved_on: date, decision_ref: str) -> None:
        self.trigger_event(
            self.SchemeApproved, actor=actor, approved_on=approved_on, decision_ref=decision_ref
        )

    def set_kpi_target(
        self, actor: Actor, kpi_code: str, target: Decimal | str | None, reason: str
    ) -> None:
        if kpi_code not in self.kpi_codes:
            raise InputRefused("kpi_code", f"unknown KPI '{kpi_code}' for scheme {self.code}")
        self.trigger_event(
            self.KpiTargetSet, actor=actor, kpi_code=kpi_code, target=target, reason=reason
        )

    def change_planned_start(self, actor: Actor, planned_start: date | None, reason: str) -> None:
        self.trigger_event(
            self.PlannedStartChanged, actor=actor, planned_start=planned_start, reason=reason
        )

    def mobilise(self, actor: Actor, went_live_on: date) -> None:
        if self.went_live_on is not None:
            raise InvalidTransition(
                f"scheme {self.code} already went live on {self.went_live_on.isoformat()}",
                field="went_live_on",
            )
        self.check_not_closed("went_live_on")
        self.trigger_event(self.SchemeMobilised, actor=actor, went_live_on=went_live_on)

    def open_beds(self, actor: Actor, on: date, change: int, bed_type: str, reason: str) -> None:
        self.check_not_closed("date")
        self.trigger_event(
            self.BedsOpened, actor=actor, on=on, change=change, bed_type=bed_type, reason=reason
        )

    def close_beds(self, actor: Actor, on: date, change: int, bed_type: str, reason: str) -> None:
        self.check_beds_stay_non_negative(on, change)
        self.trigger_event(
            self.BedsClosed, actor=actor, on=on, change=change, bed_type=bed_type, reason=reason
        )

    def divert_out(
        self,
        actor: Actor,
        amount_gbp: Decimal,
        to_scheme: str,
        decision_ref: str,
        decided_on: date,
        spent_gbp: Decimal = Decimal("0"),
        repeat_confirmed: bool = False,
    ) -> None:
        """Takes money away, never more than is unspent; a repeat needs ``repeat_confirmed``."""
        check_divertible(self.code, amount_gbp, self.current_allocation_gbp, spent_gbp)
        new = Decision(to_scheme, amount_gbp, decided_on, decision_ref, None)
        check_not_repeated(self, "diversions_out", new, "diversion", repeat_confirmed)
        self.trigger_event(
            self.FundingDivertedOut,
            actor=actor,
            amount_gbp=amount_gbp,
            to_scheme=to_scheme,
            decision_ref=decision_ref,
            decided_on=decided_on,
            repeat_confirmed=repeat_confirmed,
        )

    def divert_in(
        self,
        actor: Actor,
        amount_gbp: Decimal,
        from_scheme: str,
        decision_ref: str,
        decided_on: date,
    ) -> None:
        self.check_not_closed("to_scheme")
        self.trigger_event(
            self.FundingDivertedIn,
            actor=actor,
            amount_gbp=amount_gbp,
            from_scheme=from_scheme,
            decision_ref=decision_ref,
            decided_on=decided_on,
        )

    def pause(self, actor: Actor, on: date, reason: str) -> None:
        if self.status_on(on) not in ("active", "planned"):
            raise InvalidTransition(f"scheme {self.code} is {self.status_on(on)}", field="action")
        self.trigger_event(self.SchemePaused, actor=actor, on=on, reason=reason)

    def resume(self, actor: Actor, on: date, reason: str) -> None:
        if self.status_on(on) != "paused":
            raise InvalidTransition(
                f"scheme {self.code} is {self.status_on(on)}, not paused", field="action"
            )
        self.trigger_event(self.SchemeResumed, actor=actor, on=on, reason=reason)

    def close(self, actor: Actor, on: date, reason: str) -> None:
        self.check_not_closed("action")
        self.trigger_event(self.SchemeClosed, actor=actor, on=on, reason=reason)

    def update_narrative(self, actor: Actor, narrative: str, on: date) -> None:
        self.trigger_event(self.NarrativeUpdated, actor=actor, narrative=narrative, on=on)

    # --- checks --------------------------------------------------------------------------

    def check_not_closed(self, field: str) -> None:
        if self.status == "closed":
            raise InvalidTransition(f"scheme {self.code} is closed", field=field)

    def check_beds_stay_non_negative(self, on: date, closing: int) -> None:
        days = sorted({on} | {d for d, _ in self.bed_changes if d >= on})
        for day in days:
            if self.beds_open_on(day) - closing < 0:
                raise Conflict(
                    f"cannot close {closing} beds on {on.isoformat()}: only "
                    f"{self.beds_open_on(day)} open on {day.isoformat()}",
                    field="change",
                )
