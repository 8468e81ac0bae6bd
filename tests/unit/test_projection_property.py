"""For random event sequences: incremental views == rebuilt views == a pandas recomputation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capacity.errors import DomainError
from projections.db import ViewDatabase
from projections.event_log import event_record
from projections.projector import Projector
from schemes.rules import InputRefused
from tests.scenarios.ledger import ADMIN, P
from tests.support.dump import dump
from tests.support.world import make_world

NOV = date(2022, 11, 1)
AS_OF = date(2022, 12, 31)
day = st.integers(0, 29).map(lambda n: NOV + timedelta(days=n))
op = st.one_of(
    st.tuples(st.just("report"), day, st.integers(0, 20)),
    st.tuples(st.just("correct"), day, st.integers(0, 20)),
    st.tuples(st.just("beds"), day, st.integers(-3, 6).filter(bool)),
    st.tuples(st.just("pause"), st.sampled_from(["rep", "bed"]), day),
    st.tuples(st.just("resume"), st.sampled_from(["rep", "bed"]), day),
    st.tuples(st.just("spend"), st.sampled_from(["2022-10", "2022-11"]), st.integers(0, 9999)),
    st.tuples(st.just("respend"), st.sampled_from(["2022-10", "2022-11"]), st.integers(0, 9999)),
)


def run(world: Any, step: tuple[Any, ...]) -> None:
    app, kind = world.app, step[0]
    try:
        if kind == "report":
            app.report_daily(ADMIN, P, "rep", {"date": step[1], "beds_equivalent": step[2]})
        elif kind == "correct":
            app.correct_daily(ADMIN, P, "rep", {"date": step[1], "beds_equivalent": step[2]}, "fix")
        elif kind == "beds":
            app.change_beds(ADMIN, P, "bed", step[1], step[2], "core", "change")
        elif kind in ("pause", "resume"):
            app.change_status(ADMIN, P, step[1], kind, step[2], "status")
        elif kind == "spend":
            app.record_spend(ADMIN, P, "rep", step[1], f"{step[2]}.50", "actual")
        else:
            app.correct_spend(ADMIN, P, "rep", step[1], f"{step[2]}.25", "accrual", "fix")
    except (DomainError, InputRefused):
        pass  # refused commands store nothing; the log stays the only truth


def recompute(world: Any) -> dict[str, Any]:
    """Independent of projections/: straight from the notification log, with pandas."""
    notes = world.app.recorder.select_notifications(1, 100_000)
    rows = []
    for n in notes:
        state = event_record(n)["data"]
        topic = n.topic.split(":")[1]
        rows.append({"pos": n.id, "topic": topic, "originator_id": str(n.originator_id), **state})
    log = pd.DataFrame(rows)

    def events(*topics: str) -> pd.DataFrame:
        frame = log[log["topic"].isin(topics)].copy()
        return frame

    days = [NOV + timedelta(days=n) for n in range(30)]
    daily = events("DailyReport.DailyFiguresReported", "DailyReport.DailyFiguresCorrected")
    latest: dict[str, float] = {}
    if len(daily):
        reported = daily[daily["topic"].str.endswith("Reported")][["originator_id", "on"]]
        on_of = dict(zip(reported["originator_id"], reported["on"], strict=True))
        daily["on"] = daily["originator_id"].map(on_of)
        last = daily.sort_values("pos").groupby("on").tail(1)
        latest = {r["on"]: float(r["beds_equivalent"]) for _, r in last.iterrows()}
    status = events("Scheme.SchemePaused", "Scheme.SchemeResumed")
    scheme_of = {
        r["originator_id"]: r["code"] for _, r in events("Scheme.SchemeRegistered").iterrows()
    }

    def status_on(code: str, d: str) -> str:
        current = "active"
        # By effective date, then the order recorded (docs/rules.md §2).
        ordered = status.sort_values(["on", "pos"]) if len(status) else status
        for _, r in ordered.iterrows() if len(status) else []:
            if scheme_of[r["originator_id"]] == code and r["on"] <= d:
                current = "paused" if r["topic"] == "Scheme.SchemePaused" else "active"
        return current

    beds = events("Scheme.BedsOpened", "Scheme.BedsClosed")
    signed = (
        [
            (r["on"], int(r["change"]) * (1 if r["topic"].endswith("Opened") else -1))
            for _, r in beds.iterrows()
        ]
        if len(beds)
        else []
    )
    rep = bed = 0.0
    for d in (x.isoformat() for x in days):
        if status_on("rep", d) == "active":
            rep += latest.get(d, 0.0)
        if status_on("bed", d) == "active":
            bed += sum(c for on, c in signed if on <= d)
    spend = events("MonthlySpend.SpendRecorded", "MonthlySpend.SpendCorrected")
    spent = Decimal(0)
    if len(spend):
        recorded = spend[spend["topic"].str.endswith("Recorded")]
        month_of = dict(zip(recorded["originator_id"], recorded["month"], strict=True))
        spend["month"] = spend["originator_id"].map(month_of)
        for _, r in spend.sort_values("pos").groupby("month").tail(1).iterrows():
            spent += Decimal(r["amount_gbp"])
    return {
        "rep": round(rep / 30, 2),
        "bed": round(bed / 30, 2),
        "bed_planned": round(5 * 21 / 30, 2),
        "spend_to_date": f"{spent:.2f}",
    }


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(op, min_size=1, max_size=25))
def test_incremental_views_equal_rebuild_and_recompute(steps: list[tuple[Any, ...]]) -> None:
    world = make_world(AS_OF, page_size=3)
    world.scheme("rep", planned_start=None, kpis=[])
    world.scheme(
        "bed",
        "beds_open",
        planned_start=date(2022, 11, 10),
        planned_beds_equivalent=Decimal(5),
        kpis=[],
    )
    world.catch_up()
    for step in steps:
        run(world, step)
        world.catch_up()

    rebuilt = Projector(world.app, ViewDatabase("memory://"), page_size=1000)
    rebuilt.rebuild()
    assert dump(rebuilt.views) == dump(world.projector.views)

    expected = recompute(world)
    view = world.read.delivery_month(P, "2022-11", as_of=AS_OF)
    rows = {r.scheme_code: r for r in view.schemes}
    assert rows["rep"].delivered_beds_equivalent == expected["rep"]
    assert rows["bed"].delivered_beds_equivalent == expected["bed"]
    assert rows["bed"].planned_beds_equivalent == expected["bed_planned"]
    assert rows["rep"].spend_to_date_gbp == expected["spend_to_date"]
