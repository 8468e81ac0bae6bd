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

from capacity.values import Actor, natural_id

FIGURE_FIELDS: tuple[str, ...] = (
    "beds_equivalent",
    "beds_occupied",
    "discharges",
    "patients_supported",
    "hours_delivered",
    "kpis",
    "narrative",
)


def daily_report_id(programme: str, scheme: str, day: date) -> UUID:
    return natural_id("daily", programme, scheme, day.isoformat())


def spend_id(programme: str, scheme: str, month: str) -> UUID:
    return natural_id("spend", programme, scheme, month)


class DailyReport(Aggregate):
    """The figures one scheme reported for one day, and every correction of them."""

    TOPIC = "wintertrack:DailyReport"

    class Event(Aggregate.Event):
        actor: Actor

    class DailyFiguresReported(Event, Aggregate.Created):
        """class_version 2 nests discharges by pathway; version 1 stored four flat fields."""

        TOPIC = "wintertrack:DailyReport.DailyFiguresReported"
        class_version = 2
        programme: str
        scheme_code: str
        on: date
        beds_equivalent: Decimal | None
        beds_occupied: int | None
        discharges: dict[str, int] | None
        patients_supported: int | None
        hours_delivered: Decimal | None
        kpis: dict[str, Decimal | date]
        narrative: str | None
        source_ref: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            flat = {p: state.pop(f"discharges_{p}", None) for p in ("p0", "p1", "p2", "p3")}
            given = {p: int(v) for p, v in flat.items() if v is not None}
            state["discharges"] = given or None
            state.setdefault("source_ref", None)

    Created = DailyFiguresReported

    class DailyFiguresCorrected(Event):
        TOPIC = "wintertrack:DailyReport.DailyFiguresCorrected"
        beds_equivalent: Decimal | None
        beds_occupied: int | None
        discharges: dict[str, int] | None
        patients_supported: int | None
        hours_delivered: Decimal | None
        kpis: dict[str, Decimal | date]
        narrative: str | None
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.figures = {f: getattr(self, f) for f in FIGURE_FIELDS}
            aggregate.corrections += 1

    def __init__(
        self,
        programme: str,
        scheme_code: str,
        on: date,
        beds_equivalent: Decimal | None,
        beds_occupied: int | None,
        discharges: dict[str, int] | None,
        patients_supported: int | None,
        hours_delivered: Decimal | None,
        kpis: dict[str, Decimal | date],
        narrative: str | None,
        source_ref: str | None,
    ) -> None:
        self.programme = programme
        self.scheme_code = scheme_code
        self.on = on
        self.source_ref = source_ref
        self.figures: dict[str, Any] = {
            "beds_equivalent": beds_equivalent,
            "beds_occupied": beds_occupied,
            "discharges": discharges,
            "patients_supported": patients_supported,
            "hours_delivered": hours_delivered,
            "kpis": kpis,
            "narrative": narrative,
        }
        self.corrections = 0

    @classmethod
    def report(
        cls, actor: Actor, programme: str, scheme_code: str, on: date, **figures: Any
    ) -> DailyReport:
        return cls._create(
            cls.DailyFiguresReported,
            id=daily_report_id(programme, scheme_code, on),
            actor=actor,
            programme=programme,
            scheme_code=scheme_code,
            on=on,
            **figures,
        )

    def correct(self, actor: Actor, reason: str, **figures: Any) -> None:
        self.trigger_event(self.DailyFiguresCorrected, actor=actor, reason=reason, **figures)

    def same_figures(self, figures: dict[str, Any]) -> bool:
        return all(self.figures.get(f) == figures.get(f) for f in FIGURE_FIELDS)


class MonthlySpend(Aggregate):
    """What a scheme spent in one month (actual or accrual), and every correction of it."""

    TOPIC = "wintertrack:MonthlySpend"

    class Event(Aggregate.Event):
        actor: Actor

    class SpendRecorded(Event, Aggregate.Created):
        TOPIC = "wintertrack:MonthlySpend.SpendRecorded"
        programme: str
        scheme_code: str
        month: str
        amount_gbp: Decimal
        basis: str

    Created = SpendRecorded

    class SpendCorrected(Event):
        TOPIC = "wintertrack:MonthlySpend.SpendCorrected"
        amount_gbp: Decimal
        basis: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.amount_gbp = self.amount_gbp
            aggregate.basis = self.basis

    def __init__(
        self, programme: str, scheme_code: str, month: str, amount_gbp: Decimal, basis: str
    ) -> None:
        self.programme = programme
        self.scheme_code = scheme_code
        self.month = month
        self.amount_gbp = amount_gbp
        self.basis = basis

    @classmethod
    def record(
        cls,
        actor: Actor,
        programme: str,
        scheme_code: str,
        month: str,
        amount_gbp: Decimal,
        basis: str,
    ) -> MonthlySpend:
        return cls._create(
            cls.SpendRecorded,
            id=spend_id(programme, scheme_code, month),
            actor=actor,
            programme=programme,
            scheme_code=scheme_code,
            month=month,
            amount_gbp=amount_gbp,
            basis=basis,
        )

    def correct(self, actor: Actor, amount_gbp: Decimal, basis: str, reason: str) -> None:
        self.trigger_event(
            self.SpendCorrected, actor=actor, amount_gbp=amount_gbp, basis=basis, reason=reason
        )
