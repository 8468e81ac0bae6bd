"""The acute site and flow views (v_site, v_flow)."""

from __future__ import annotations

from typing import Any

from capacity.flow_figures import NAMES as FLOW_NAMES
from capacity.flow_figures import FlowFigures
from capacity.site import SiteDay
from projections.views.writer import PageWriter, supersede_current, to_json


def on_site(db: PageWriter, event: Any, pos: int) -> str:
    db.insert(
        "INSERT INTO v_site (programme, ods, name, place, position) VALUES (?, ?, ?, ?, ?)",
        (event.programme, event.ods_code, event.name, event.place, pos),
    )
    return str(event.programme)


FLOW = FLOW_NAMES  # the one field list: capacity/flow_figures.py
FLOW_INSERT = (
    "INSERT INTO v_flow (agg, programme, ods, day, data, position) VALUES (?, ?, ?, ?, ?, ?)"
)


def on_flow(db: PageWriter, event: Any, pos: int) -> str:
    data: dict[str, Any] = FlowFigures.as_dict(event)
    agg = str(event.originator_id)
    if isinstance(event, SiteDay.FlowReported):
        key = (event.programme, event.ods_code, event.on.isoformat())
    else:
        key = supersede_current(db, "v_flow", "programme, ods, day", agg, pos)
    db.insert(FLOW_INSERT, (agg, *key, to_json(data), pos))
    return str(key[0])
