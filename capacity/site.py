"""Acute trust sites and the daily flow they report (beds, occupancy, NCTR, discharges)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.flow_figures import FlowFigures
from capacity.values import Actor, natural_id


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
    """One site's flow figures for one day, and every correction of them.

    Both events carry a :class:`FlowFigures`: they inherit its fields, so the stored shape is
    the value object's (after the day's keys when reported, before the reason when corrected)."""

    TOPIC = "wintertrack:SiteDay"

    class Event(Aggregate.Event):
        actor: Actor

    class FlowKeys(Event, Aggregate.Created):
        """The day's keys (never stored alone: the base of ``FlowReported``)."""

        TOPIC = "wintertrack:SiteDay.FlowKeys"
        programme: str
        ods_code: str
        on: date

    class FlowReported(FlowFigures, FlowKeys):
        TOPIC = "wintertrack:SiteDay.FlowReported"

        def apply(self, aggregate: Any) -> None:
            aggregate.figures = self.as_dict()

    # mypy reads the constructor from FlowFigures (the library makes events dataclasses at run
    # time, which mypy does not see), so it takes this for another signature.
    Created = FlowReported  # type: ignore[assignment]

    class FlowCorrected(FlowFigures, Event):
        TOPIC = "wintertrack:SiteDay.FlowCorrected"
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.figures = self.as_dict()

    def __init__(self, programme: str, ods_code: str, on: date) -> None:
        self.programme = programme
        self.ods_code = ods_code
        self.on = on
        self.figures: dict[str, Any] = {}  # set by the event, as FlowFigures.as_dict()

    @classmethod
    def report(
        cls, actor: Actor, programme: str, ods_code: str, on: date, figures: FlowFigures
    ) -> SiteDay:
        return cls._create(
            cls.FlowReported,
            id=site_day_id(programme, ods_code, on),
            actor=actor,
            programme=programme,
            ods_code=ods_code,
            on=on,
            **figures.as_dict(),
        )

    def correct(self, actor: Actor, reason: str, figures: FlowFigures) -> None:
        self.trigger_event(self.FlowCorrected, actor=actor, reason=reason, **figures.as_dict())
