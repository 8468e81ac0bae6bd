"""How fresh the views are: the event-log head, the position the views have reached, and how
far behind they are in events and in seconds. Read from the store and the views' tracking row,
so any process sharing them (an API instance that does not project, ``/metrics``) sees the
projector's progress honestly."""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from capacity.application import WinterApplication
from projections.event_log import plain
from projections.projector import Projector


@dataclass(frozen=True)
class Freshness:
    head: int  # the event log's last position
    position: int  # the last position the views have applied
    recorded_at: datetime | None  # when the event at ``position`` was stored
    lag_seconds: float  # age of the oldest event the views have not applied (0 when caught up)
    now: datetime

    @property
    def lag_events(self) -> int:
        return max(self.head - self.position, 0)

    @property
    def age_seconds(self) -> float | None:
        if self.recorded_at is None:
            return None
        return max((self.now - self.recorded_at).total_seconds(), 0.0)

    def header(self) -> str:
        """``X-Wintertrack-As-At``: ``position=2913; recorded=…; lag=0``."""
        recorded = self.recorded_at.isoformat() if self.recorded_at else "none"
        return f"position={self.position}; recorded={recorded}; lag={self.lag_events}"

    def sentence(self) -> str:
        """ "as at event 2,913, 1 second ago" — the line pages print under their figures."""
        age = self.age_seconds
        when = "" if age is None else f", {_duration(age)} ago"
        return f"as at event {self.position:,}{when}"

    def plain(self) -> str:
        """ "include every change stored up to 2 minutes ago" — the pages' footer, in words (the
        event's position is technical detail: it stays in the header and the API)."""
        age = self.age_seconds
        if age is None:
            return "include every change stored so far"
        return f"include every change stored up to {_duration(age)} ago"

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "age_seconds": None if self.age_seconds is None else round(self.age_seconds, 1),
            "head": self.head,
            "lag_events": self.lag_events,
            "lag_seconds": round(self.lag_seconds, 1),
            "text": self.sentence(),
        }


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds" if round(seconds) != 1 else "1 second"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 86400:.0f} days"


def recorded_at(application: WinterApplication, position: int) -> datetime | None:
    """When the event at ``position`` was stored (its own timestamp), or None."""
    if position <= 0:
        return None
    found = application.recorder.select_notifications(position, 1)
    if not found:
        return None
    stamp = plain(json.loads(found[0].state)).get("timestamp")
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# The last (position, recorded_at) read per application: events never change, so each read
# costs two small queries (the log's head, the views' position) until the views move on.
_LAST: weakref.WeakKeyDictionary[WinterApplication, tuple[int, datetime | None]] = (
    weakref.WeakKeyDictionary()
)


def freshness(projector: Projector) -> Freshness:
    application = projector.application
    head = application.max_position()
    position = projector.position()
    now = datetime.now(UTC)
    lag_seconds = 0.0
    if head > position:
        oldest = recorded_at(application, position + 1)
        lag_seconds = (now - oldest).total_seconds() if oldest else 0.0
    last = _LAST.get(application)
    if last is None or last[0] != position:
        last = _LAST[application] = (position, recorded_at(application, position))
    return Freshness(head, position, last[1], max(lag_seconds, 0), now)
