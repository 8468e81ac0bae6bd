"""Small aggregates for figures reported over the winter: one per scheme-day, one per scheme-month.

Keeping each day's figures in its own aggregate makes a second report for the same day a clean
conflict (the identity already exists) and keeps every aggregate's history short.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.daily_figures import DailyFigures
from capacity.spend_figures import SpendFigures
from capacity.values import PATHWAYS, Actor, natural_id


def daily_report_id(programme: str, scheme: str, day: date) -> UUID:
    return natural_id("daily", programme, scheme, day.isoformat())


def spend_id(programme: str, scheme: str, month: str) -> UUID:
    return natural_id("spend", programme, scheme, month)


class DailyReport(Aggregate):
    """The figures one scheme reported for one day, and every correction of them.

    Both events carry a :class:`DailyFigures`: they inherit its fields, so the stored shape is
    the value object's, in its order (after the day's keys when reported, before the reason
    when corrected)."""

    TOPIC = "wintertrack:DailyReport"

    class Event(Aggregate.Event):
        actor: Actor

    class DayKeys(Event, Aggregate.Created):
        """The day's keys (never stored alone: the base of ``DailyFiguresReported``)."""

        TOPIC = "wintertrack:DailyReport.DayKeys"
        programme: str
        scheme_code: str
        on: date

    class DailyFiguresReported(DailyFigures, DayKeys):
        """class_version 2 nests discharges by pathway; version 1 stored four flat fields.
        Version 3 keeps the comment that confirmed figures which looked wrong
        (``capacity/plausibility.py``); earlier reports were never asked for one."""

        TOPIC = "wintertrack:DailyReport.DailyFiguresReported"
        class_version = 3
        source_ref: str | None
        confirm_comment: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            flat = {p: state.pop(f"discharges_{p}", None) for p in PATHWAYS}
            given = {p: int(v) for p, v in flat.items() if v is not None}
            state["discharges"] = given or None
            state.setdefault("source_ref", None)

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["confirm_comment"] = None

        def apply(self, aggregate: Any) -> None:
            aggregate.figures = self.as_dict()

    # mypy reads the constructor from DailyFigures (the library makes events dataclasses at run
    # time, which mypy does not see), so it takes this for another signature.
    Created = DailyFiguresReported  # type: ignore[assignment]

    class DailyFiguresCorrected(DailyFigures, Event):
        TOPIC = "wintertrack:DailyReport.DailyFiguresCorrected"
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.figures = self.as_dict()
            aggregate.corrections += 1

    def __init__(self, programme: str, scheme_code: str, on: date, source_ref: str | None) -> None:
        self.programme = programme
        self.scheme_code = scheme_code
        self.on = on
        self.source_ref = source_ref
        self.figures: dict[str, Any] = {}  # set by the event, as DailyFigures.as_dict()
        self.corrections = 0

    @classmethod
    def report(
        cls,
        actor: Actor,
        programme: str,
        scheme_code: str,
        on: date,
        figures: DailyFigures,
        source_ref: str | None = None,
        confirm_comment: str | None = None,
    ) -> DailyReport:
        return cls._create(
            cls.DailyFiguresReported,
            id=daily_report_id(programme, scheme_code, on),
            actor=actor,
            programme=programme,
            scheme_code=scheme_code,
            on=on,
            source_ref=source_ref,
            confirm_comment=confirm_comment,
            **figures.as_dict(),
        )

    def correct(self, actor: Actor, reason: str, figures: DailyFigures) -> None:
        self.trigger_event(
            self.DailyFiguresCorrected, actor=actor, reason=reason, **figures.as_dict()
        )

    def same_figures(self, figures: DailyFigures) -> bool:
        return self.figures == figures.as_dict()


class MonthlySpend(Aggregate):
    """What a scheme spent in one month (actual or accrual), and every correction of it."""

    TOPIC = "wintertrack:MonthlySpend"

    class Event(Aggregate.Event):
        actor: Actor

    class MonthKeys(Event, Aggregate.Created):
        """The month's keys (never stored alone: the base of ``SpendRecorded``)."""

        TOPIC = "wintertrack:MonthlySpend.MonthKeys"
        programme: str
        scheme_code: str
        month: str

    class SpendRecorded(SpendFigures, MonthKeys):
        """Version 2 keeps the comment that confirmed spend which looked wrong (more than a set
        share above the month's profile, ``capacity/plausibility.py``); earlier spend was never
        asked for one."""

        TOPIC = "wintertrack:MonthlySpend.SpendRecorded"
        class_version = 2
        confirm_comment: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["confirm_comment"] = None

        def apply(self, aggregate: Any) -> None:
            aggregate.amount_gbp = self.amount_gbp
            aggregate.basis = self.basis

    # mypy reads the constructor from SpendFigures (see DailyReport.Created).
    Created = SpendRecorded  # type: ignore[assignment]

    class SpendCorrected(SpendFigures, Event):
        """Version 2 keeps a confirming comment, as ``SpendRecorded`` does."""

        TOPIC = "wintertrack:MonthlySpend.SpendCorrected"
        class_version = 2
        reason: str
        confirm_comment: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["confirm_comment"] = None

        def apply(self, aggregate: Any) -> None:
            aggregate.amount_gbp = self.amount_gbp
            aggregate.basis = self.basis

    def __init__(self, programme: str, scheme_code: str, month: str) -> None:
        self.programme = programme
        self.scheme_code = scheme_code
        self.month = month
        self.amount_gbp = Decimal("0")  # set by the event
        self.basis = ""

    @classmethod
    def record(
        cls,
        actor: Actor,
        programme: str,
        scheme_code: str,
        month: str,
        spend: SpendFigures,
        confirm_comment: str | None = None,
    ) -> MonthlySpend:
        return cls._create(
            cls.SpendRecorded,
            id=spend_id(programme, scheme_code, month),
            actor=actor,
            programme=programme,
            scheme_code=scheme_code,
            month=month,
            confirm_comment=confirm_comment,
            **spend.as_dict(),
        )

    def correct(
        self, actor: Actor, spend: SpendFigures, reason: str, confirm_comment: str | None = None
    ) -> None:
        self.trigger_event(
            self.SpendCorrected,
            actor=actor,
            reason=reason,
            confirm_comment=confirm_comment,
            **spend.as_dict(),
        )
