"""Acute trust sites and the daily flow they report (beds, occupancy, NCTR, discharges)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.values import Actor, natural_id

FLOW_FIELDS: tuple[str, ...] = (
    "core_beds_open",
    "escalation_beds_open",
    "beds_occupied",
    "nctr",
    "nctr_discharged",
    "nctr_discharged_by_5pm",
    "discharges",
)


def site_id(programme: str, ods_code: str) -> UUID:
    return natural_id("site", programme, ods_code)


def site_day_id(programme: str, ods_code: str, day: date) -> UUID:
    return natural_id("flow", programme, ods_code, day.isoformat())


class Site(Aggregate):
    TOPIC = "wintertrack:Site"

    class Event(Aggregate.Event):
        actor: Actor

    class SiteRegistered(Event, Aggregate.Created):
        TOPIC = "wintertrack:Site.SiteRegistered"
        programme: str
        ods_code: str
        name: str
        place: str

    Created = SiteRegistered

    def __init__(self, programme: str, ods_code: str, name: str, place: str) -> None:
        self.programme = programme
        self.ods_code = ods_code
        self.name = name
        self.place = place

    @classmethod
    def register(cls, actor: Actor, programme: str, ods_code: str, name: str, place: str) -> Site:
        return cls._create(
            cls.SiteRegistered,
            id=site_id(programme, ods_code),
            actor=actor,
            programme=programme,
            ods_code=ods_code,
            name=name,
            place=place,
        )


class SiteDay(Aggregate):
    """One site's flow figures for one day, and every correction of them."""

    TOPIC = "wintertrack:SiteDay"

    class Event(Aggregate.Event):
        actor: Actor

    class FlowReported(Event, Aggregate.Created):
        TOPIC = "wintertrack:SiteDay.FlowReported"
        programme: str
        ods_code: str
        on: date
        core_beds_open: int
        escalation_beds_open: int
        beds_occupied: int
        nctr: int
        nctr_discharged: int
        nctr_discharged_by_5pm: int
        discharges: dict[str, int]

    Created = FlowReported

    class FlowCorrected(Event):
        TOPIC = "wintertrack:SiteDay.FlowCorrected"
        core_beds_open: int
        escalation_beds_open: int
        beds_occupied: int
        nctr: int
        nctr_discharged: int
        nctr_discharged_by_5pm: int
        discharges: dict[str, int]
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.figures = {f: getattr(self, f) for f in FLOW_FIELDS}

    def __init__(
        self,
        programme: str,
        ods_code: str,
        on: date,
        core_beds_open: int,
        escalation_beds_open: int,
        beds_occupied: int,
        nctr: int,
        nctr_discharged: int,
        nctr_discharged_by_5pm: int,
        discharges: dict[str, int],
    ) -> None:
        self.programme = programme
        self.ods_code = ods_code
        self.on = on
        self.figures: dict[str, Any] = {
            "core_beds_open": core_beds_open,
            "escalation_beds_open": escalation_beds_open,
            "beds_occupied": beds_occupied,
            "nctr": nctr,
            "nctr_discharged": nctr_discharged,
            "nctr_discharged_by_5pm": nctr_discharged_by_5pm,
            "discharges": discharges,
        }

    @classmethod
    def report(
        cls, actor: Actor, programme: str, ods_code: str, on: date, **figures: Any
    ) -> SiteDay:
        return cls._create(
            cls.FlowReported,
            id=site_day_id(programme, ods_code, on),
            actor=actor,
            programme=programme,
            ods_code=ods_code,
            on=on,
            **figures,
        )

    def correct(self, actor: Actor, reason: str, **figures: Any) -> None:
        self.trigger_event(self.FlowCorrected, actor=actor, reason=reason, **figures)
