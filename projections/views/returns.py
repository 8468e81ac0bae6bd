"""The monthly return submissions view (v_return)."""

from __future__ import annotations

from typing import Any

from projections.views.writer import PageWriter, to_json


def on_return(db: PageWriter, event: Any, pos: int) -> str:
    kind = type(event).__name__
    data = {k: v for k, v in vars(event).items() if k not in ("originator_id", "timestamp")}
    data["actor"] = event.actor.as_dict()
    data["at"] = event.timestamp.isoformat()
    db.insert(
        "INSERT INTO v_return (programme, month, revision, kind, data, position)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (event.programme, event.month, getattr(event, "revision", 0), kind, to_json(data), pos),
    )
    return str(event.programme)
