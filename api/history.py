"""A scheme's history: every stored event about it, and every figure over time."""

from __future__ import annotations

from typing import Any

from api.schemas import (
    HistoryEntry,
)
from capacity.application import WinterApplication
from capacity.scheme import scheme_id
from projections.event_log import EventLog
from projections.history import figure_history
from projections.readmodel import ReadModel


def scheme_history(
    application: WinterApplication, read: ReadModel, programme: str, scheme: str
) -> list[HistoryEntry]:
    """The scheme's own events and every figure reported for it, oldest first."""
    own = EventLog(application).of_aggregate(scheme_id(programme, scheme))
    entries = [history_entry(record) for record in own]
    entries += [HistoryEntry(**e) for e in figure_history(read.views, programme, scheme)]
    return sorted(entries, key=lambda e: e.at)


def history_entry(record: dict[str, Any]) -> HistoryEntry:
    """One stored event as what, when, who and the values it set."""
    actor = record["actor"] or {}
    return HistoryEntry(
        position=record["position"],
        event=record["event_type"],
        at=str(record["recorded_at"] or ""),
        who=str(actor.get("user_id", "")),
        role=str(actor.get("role", "")),
        channel=str(actor.get("channel", "")),
        changes=record["data"],
    )
