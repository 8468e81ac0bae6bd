"""A scheme's history: every stored event about it, and every figure over time."""

from __future__ import annotations

import json
from typing import Any

from api.schemas import (
    HistoryEntry,
)
from capacity.application import WinterApplication
from capacity.scheme import scheme_id
from projections.history import figure_history
from projections.readmodel import ReadModel


def scheme_history(
    application: WinterApplication, read: ReadModel, programme: str, scheme: str
) -> list[HistoryEntry]:
    """The scheme's own events and every figure reported for it, oldest first."""
    entries = [
        history_entry(stored)
        for stored in application.recorder.select_events(scheme_id(programme, scheme))
    ]
    entries += [HistoryEntry(**e) for e in figure_history(read.views, programme, scheme)]
    return sorted(entries, key=lambda e: e.at)


def history_entry(stored: Any) -> HistoryEntry:
    """One stored event as what, when, who and the values it set."""
    state: dict[str, Any] = json.loads(stored.state)
    actor = state.pop("actor", {}).get("_data_", {})
    at = state.pop("timestamp", {}).get("_data_", "")
    for hidden in ("originator_topic", "class_version"):
        state.pop(hidden, None)
    changes = {
        k: (v["_data_"] if isinstance(v, dict) and "_data_" in v else v) for k, v in state.items()
    }
    return HistoryEntry(
        position=None,
        event=stored.topic.split(":")[-1],
        at=str(at),
        who=str(actor.get("user_id", "")),
        role=str(actor.get("role", "")),
        channel=str(actor.get("channel", "")),
        changes=changes,
    )
