"""The acute site and flow views (v_site, v_flow)."""

from __future__ import annotations

from typing import Any

from capacity.flow_figures import FlowFigures
from capacity.site import SiteDay
from projections.views.writer import PageWriter, supersede, to_json


def on_site(db: PageWriter, event: Any, pos: int) -> str:
    db.insert(
        "INSERT INTO v_site (programme, ods, name, place, position) VALUES (?, ?, ?, ?, ?)",
        (event.programme, event.ods_code, event.name, event.place, pos),
    )
    return str(event.programme)


def on_flow(db: PageWriter, event: Any, pos: int) -> str:
    data: dict[str, Any] = FlowFigures.as_dict(event)
    agg = str(event.originator_id)
    if isinstance(event, SiteDay.FlowReported):
        key = (event.programme, event.ods_code, event.on.isoformat())
    else:
        rows = db.query(
            "SELECT programme, ods, day FROM v_flow WHERE agg = ? AND superseded_at IS NULL",
            (agg,),
        )
        key = (rows[0][0], rows[0][1], rows[0][2])
        supersede(db, "v_flow", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_flow (agg, programme, ods, day, data, position) VALUES (?, ?, ?, ?, ?, ?)",
        (agg, *key, to_json(data), pos),
    )
    return str(key[0])
