"""The daily-figure and spend views (v_daily, v_spend): every report and correction."""

from __future__ import annotations

from typing import Any

from capacity.daily_figures import NAMES as DAILY_NAMES
from capacity.daily_figures import DailyFigures
from capacity.reports import DailyReport, MonthlySpend
from projections.views.writer import PageWriter, supersede_current, to_json

FIGURES = DAILY_NAMES  # the one field list: capacity/daily_figures.py
DAILY_INSERT = (
    "INSERT INTO v_daily (agg, programme, scheme, day, data, actor, recorded_at, position)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
SPEND_INSERT = (
    "INSERT INTO v_spend (agg, programme, scheme, month, amount_gbp, basis, actor,"
    " recorded_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def on_daily(db: PageWriter, event: Any, pos: int) -> str:
    data = DailyFigures.as_dict(event)
    actor = to_json(event.actor.as_dict())
    agg = str(event.originator_id)
    if isinstance(event, DailyReport.DailyFiguresReported):
        key = (event.programme, event.scheme_code, event.on.isoformat())
        if event.confirm_comment:  # figures that looked wrong, confirmed in these words
            data["confirm_comment"] = event.confirm_comment
    else:
        key = supersede_current(db, "v_daily", "programme, scheme, day", agg, pos)
        data["reason"] = event.reason
    db.insert(
        DAILY_INSERT,
        (agg, *key, to_json(data), actor, event.timestamp.isoformat(), pos),
    )
    return str(key[0])


def on_spend(db: PageWriter, event: Any, pos: int) -> str:
    agg = str(event.originator_id)
    if isinstance(event, MonthlySpend.SpendRecorded):
        key = (event.programme, event.scheme_code, event.month)
    else:
        key = supersede_current(db, "v_spend", "programme, scheme, month", agg, pos)
    db.insert(
        SPEND_INSERT,
        (
            agg,
            *key,
            str(event.amount_gbp),
            event.basis,
            to_json(event.actor.as_dict()),
            event.timestamp.isoformat(),
            pos,
        ),
    )
    return str(key[0])
