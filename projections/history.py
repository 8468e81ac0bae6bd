"""A scheme's figures over time: every report, correction and spend entry, old value -> new."""

from __future__ import annotations

import json
from typing import Any

from capacity.daily_figures import NAMES
from capacity.spend_figures import NAMES as SPEND
from projections.db import ViewDatabase
from projections.queries import figures as figure_rows


def _changes(
    old: dict[str, Any] | None, new: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for name in fields:
        before = None if old is None else old.get(name)
        after = new.get(name)
        if before != after:
            changed[name] = {"old": before, "new": after}
    return changed


def figure_history(db: ViewDatabase, programme: str, scheme: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    previous: dict[str, dict[str, Any]] = {}
    for day, data, actor, at, position in figure_rows.daily_history(db, programme, scheme):
        figures, who = json.loads(data), json.loads(actor)
        changes = {"date": day, **_changes(previous.get(day), figures, NAMES)}
        for said in ("reason", "confirm_comment"):
            if said in figures:
                changes[said] = figures[said]
        entries.append(
            _entry(
                position,
                "DailyFiguresCorrected" if day in previous else "DailyFiguresReported",
                at,
                who,
                changes,
            )
        )
        previous[day] = figures
    spent: dict[str, dict[str, Any]] = {}
    for month, amount, basis, actor, at, position in figure_rows.spend_history(
        db, programme, scheme
    ):
        now = {"amount_gbp": amount, "basis": basis}
        changes = {"month": month, **_changes(spent.get(month), now, SPEND)}
        entries.append(
            _entry(
                position,
                "SpendCorrected" if month in spent else "SpendRecorded",
                at,
                json.loads(actor),
                changes,
            )
        )
        spent[month] = now
    return entries


def _entry(
    position: int, event: str, at: str, who: dict[str, str], changes: dict[str, Any]
) -> dict[str, Any]:
    return {
        "position": int(position),
        "event": event,
        "at": at,
        "who": who.get("user_id", ""),
        "role": who.get("role", ""),
        "channel": who.get("channel", ""),
        "changes": changes,
    }
