"""The board's monthly papers view (v_board_paper): each preparation and each sign-off."""

from __future__ import annotations

from typing import Any

from projections.views.writer import PageWriter, to_json


def on_board_paper(db: PageWriter, event: Any, pos: int) -> None:
    data = {k: v for k, v in vars(event).items() if k not in ("originator_id", "timestamp")}
    data["actor"] = event.actor.as_dict()
    data["at"] = event.timestamp.isoformat()
    db.insert(
        "INSERT INTO v_board_paper (programme, month, revision, kind, data, position)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (event.programme, event.month, event.revision, type(event).__name__, to_json(data), pos),
    )
    # None: a paper changes no programme's facts, so the dashboard's memoised reads stand
    return None
