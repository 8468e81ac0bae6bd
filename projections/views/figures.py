"""The daily-figure and spend views (v_daily, v_spend): every report and correction."""

from __future__ import annotations

from typing import Any

from capacity.daily_figures import DailyFigures
from capacity.reports import DailyReport, MonthlySpend
from projections.views.writer import PageWriter, supersede, to_json


def on_daily(db: PageWriter, event: Any, pos: int) -> str:
    data = DailyFigures.as_dict(event)
    actor = to_json(event.actor.as_dict())
    agg = str(event.originator_id)
    if isinstance(event, DailyReport.DailyFiguresReported):
        key = (event.programme, event.scheme_code, event.on.isoformat())
    else:
        rows = db.query(
            "SELECT programme, scheme, day FROM v_daily WHERE agg = ? AND superseded_at IS NULL",
            (agg,),
        )
        key = (rows[0][0], rows[0][1], rows[0][2])
        data["reason"] = event.reason
        supersede(db, "v_daily", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_daily (agg, programme, scheme, day, data, actor, recorded_at, position)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (agg, *key, to_json(data), actor, event.timestamp.isoformat(), pos),
    )
    return str(key[0])


def on_spend(db: PageWriter, event: Any, pos: int) -> str:
    agg = str(event.originator_id)
    if isinstance(event, MonthlySpend.SpendRecorded):
        key = (event.programme, event.scheme_code, event.month)
    else:
        rows = db.query(
            "SELECT programme, scheme, month FROM v_spend WHERE agg = ? AND superseded_at IS NULL",
            (agg,),
        )
        key = (rows[0][0], rows[0][1], rows[0][2])
        supersede(db, "v_spend", "agg = ?", (agg,), pos)
    db.insert(
        "INSERT INTO v_spend (agg, programme, scheme, month, amount_gbp, basis, actor,"
        " recorded_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
