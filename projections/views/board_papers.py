"""The board's monthly papers view (v_board_paper): each preparation and each sign-off."""

from __future__ import annotations

from typing import Any

from projections.views.writer import PageWriter, to_json


def on_board_paper(db: PageWriter, event: Any, pos: int) -> None:
    skip = ("originator_id", "timestamp", "contents", "pdf")
    data = {k: v for k, v in vars(event).items() if k not in skip}
    data["actor"] = event.actor.as_dict()
    data["at"] = event.timestamp.isoformat()
    db.insert(
        "INSERT INTO v_board_paper (programme, month, revision, kind, data, contents, pdf,"
        " position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            event.programme,
            event.month,
            event.revision,
            type(event).__name__,
            to_json(data),
            getattr(event, "contents", ""),
            getattr(event, "pdf", ""),
            pos,
        ),
    )
    # None: a paper changes no programme's facts, so the dashboard's memoised reads stand
    return None
