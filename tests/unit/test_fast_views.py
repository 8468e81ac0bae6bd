"""The projector's fast path writes exactly the rows the handlers write from decoded events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity.application import WinterApplication
from capacity.commands import ReportDaily
from capacity.daily_figures import DailyFigures
from capacity.flow_figures import FlowFigures
from capacity.reports import DailyReport, MonthlySpend
from capacity.site import SiteDay
from capacity.spend_figures import SpendFigures
from capacity.values import Actor
from projections.views import HANDLERS
from projections.views.fast import NotFast, build, builders_for
from projections.views.writer import PageWriter
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import make_world

APP = WinterApplication()
FAST = builders_for(APP.mapper)
ACTORS = st.builds(
    Actor,
    st.text(min_size=1, max_size=8),
    st.sampled_from(["lead", "system"]),
    st.sampled_from(["api", "web"]),
    st.none() | st.text(max_size=8),
)
MONEY = st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, places=2)
TEXT = st.none() | st.text(max_size=20)
COUNT = st.none() | st.integers(0, 5000)


def rows(aggregate: Any, position: int = 7) -> tuple[list[Any], list[Any]]:
    """(the handler's writes, the fast path's write) for the aggregate's first event."""
    (event,) = aggregate.collect_events()
    stored = APP.mapper.to_stored_event(event)
    decoded = APP.mapper.to_domain_event(stored)
    writer = PageWriter(None)  # type: ignore[arg-type]
    programme = HANDLERS[type(decoded)](writer, decoded, position)
    slow = [(sql, row, programme) for sql, found in writer.pending.items() for row in found]
    fast = build(FAST[stored.topic], stored.state, str(stored.originator_id), position)
    return slow, [fast]


@settings(max_examples=150, deadline=None)
@given(
    actor=ACTORS,
    beds=st.none() | MONEY,
    hours=st.none() | MONEY,
    counts=st.tuples(COUNT, COUNT),
    discharges=st.none() | st.dictionaries(st.sampled_from(["p0", "p1", "p2"]), st.integers(0, 9)),
    kpis=st.dictionaries(st.text(max_size=4), MONEY | st.dates()),
    narrative=TEXT,
    ref=TEXT,
)
def test_daily_figures_rows_are_the_handlers(
    actor: Actor,
    beds: Decimal | None,
    hours: Decimal | None,
    counts: tuple[int | None, int | None],
    discharges: dict[str, int] | None,
    kpis: dict[str, Any],
    narrative: str | None,
    ref: str | None,
) -> None:
    report = DailyReport.report(
        actor,
        "Q00-2022-23",
        's\u00e9"1',
        date(2022, 11, 3),
        DailyFigures(
            beds_equivalent=beds,
            beds_occupied=counts[0],
            discharges=discharges,
            patients_supported=counts[1],
            hours_delivered=hours,
            kpis=kpis,
            narrative=narrative,
        ),
        source_ref=ref,
    )
    slow, fast = rows(report)
    assert slow == fast


@settings(max_examples=50, deadline=None)
@given(actor=ACTORS, amount=MONEY, counts=st.lists(st.integers(0, 900), min_size=6, max_size=6))
def test_flow_and_spend_rows_are_the_handlers(
    actor: Actor, amount: Decimal, counts: list[int]
) -> None:
    names = ("core_beds_open", "escalation_beds_open", "beds_occupied", "nctr", "nctr_discharged")
    flow = SiteDay.report(
        actor,
        "Q00-2022-23",
        "R0A",
        date(2023, 1, 9),
        FlowFigures(
            **dict(zip(names, counts, strict=False)),
            nctr_discharged_by_5pm=counts[5],
            discharges={"p0": counts[0]},
        ),
    )
    slow, fast = rows(flow)
    assert slow == fast
    spend = MonthlySpend.record(
        actor, "Q00-2022-23", "s001", "2022-12", SpendFigures(amount, "accrual")
    )
    slow, fast = rows(spend)
    assert slow == fast


def test_an_older_class_version_is_left_to_the_mapper() -> None:
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2022-11-03T10:00:00+00:00"},
        "actor": {"_type_": "actor", "_data_": {"user_id": "u", "role": "r", "channel": "c"}},
        "programme": "Q00-2022-23",
        "scheme_code": "s001",
        "on": {"_type_": "date_iso", "_data_": "2022-11-03"},
        "discharges_p0": 2,
    }
    topic = "wintertrack:DailyReport.DailyFiguresReported"
    with pytest.raises(NotFast):
        build(FAST[topic], orjson.dumps(state), "agg", 1)
    state["class_version"] = 2
    state["on"] = {"_type_": "uuid_hex", "_data_": "00" * 16}
    with pytest.raises((NotFast, KeyError)):
        build(FAST[topic], orjson.dumps(state), "agg", 1)


def test_a_sqlite_store_s_hex_ids_are_written_as_the_uuid_writes_them(tmp_path: Path) -> None:
    """A SQLite store hands the projector each id as it stores it (hex text, no dashes); the
    views name the aggregate as the event log's UUID does."""
    world = make_world(date(2023, 1, 15), f"sqlite:///{tmp_path}/w.db")
    world.scheme("s001")
    world.app.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="s001",
            figures={"date": "2022-11-03", "beds_equivalent": 4},
        )
    )
    (event,) = world.app.recorder.select_notifications(world.app.max_position(), 1)
    world.catch_up()
    assert world.read.views.query("SELECT agg FROM v_daily WHERE scheme = 's001'") == [
        (str(event.originator_id),)
    ]


def test_spend_with_a_comment_and_spend_stored_before_comments_build_the_handlers_row() -> None:
    actor = Actor("fin", "finance", "web")
    figures = SpendFigures(Decimal("36000.01"), "actual")
    spend = MonthlySpend.record(actor, "Q00-2022-23", "s001", "2022-12", figures, "paid early")
    (event,) = spend.collect_events()
    stored = APP.mapper.to_stored_event(event)
    writer = PageWriter(None)  # type: ignore[arg-type]
    programme = HANDLERS[type(event)](writer, APP.mapper.to_domain_event(stored), 7)
    slow = [(sql, row, programme) for sql, found in writer.pending.items() for row in found]
    agg = str(stored.originator_id)
    assert [build(FAST[stored.topic], stored.state, agg, 7)] == slow
    version_1 = orjson.loads(stored.state)
    assert version_1.pop("class_version") == 2
    version_1.pop("confirm_comment")  # as version 1 stored it: the row is the same
    assert [build(FAST[stored.topic], orjson.dumps(version_1), agg, 7)] == slow
    version_1["class_version"] = 3  # a version it does not know: left to the mapper
    with pytest.raises(NotFast):
        build(FAST[stored.topic], orjson.dumps(version_1), agg, 7)
