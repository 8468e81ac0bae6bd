"""A scheme's history: every stored event about it, and every figure over time."""

from __future__ import annotations

from typing import Any

from api.history_text import sentence
from api.schemas import (
    HistoryEntry,
)
from capacity.application import WinterApplication
from capacity.reports import spend_id
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
    figures = figure_history(read.views, programme, scheme)
    # The view keeps spend's figures, not a correction's reason or a confirming comment: they
    # are read from the month's own events, which are in the same order as the view's rows.
    for month in {e["changes"]["month"] for e in figures if e["event"].startswith("Spend")}:
        events = EventLog(application).of_aggregate(spend_id(programme, scheme, month))
        entries_of_month = [
            e for e in figures if e["event"].startswith("Spend") and e["changes"]["month"] == month
        ]
        for entry, event in zip(entries_of_month, events, strict=False):
            for said in ("reason", "confirm_comment"):
                if event["data"].get(said):
                    entry["changes"][said] = event["data"][said]
    entries += [HistoryEntry(**e) for e in figures]
    return [_said(e) for e in sorted(entries, key=lambda e: e.at)]


def _said(entry: HistoryEntry) -> HistoryEntry:
    line = sentence(entry)
    return entry.model_copy(
        update={"text": f"{line.when} — {line.text}, {line.by}", "kind": line.kind}
    )


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
