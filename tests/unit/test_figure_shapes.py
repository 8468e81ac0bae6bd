"""The value objects' fields are the stored events' fields, in the order they were always stored,
and every channel's list of figures is read from them."""

from __future__ import annotations

from dataclasses import fields

from api.schemas import DailyIn, FlowIn, SpendIn
from capacity.daily_figures import CELLS, FORM_CELLS, NAMES, DailyFigures
from capacity.daily_import import COLUMNS
from capacity.flow_figures import FlowFigures
from capacity.reports import DailyReport, MonthlySpend
from capacity.site import SiteDay
from capacity.spend_figures import SpendFigures

BASE = ["originator_id", "originator_version", "timestamp"]


def names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


def test_stored_events_keep_their_field_order() -> None:
    daily, flow, spend = names(DailyFigures), names(FlowFigures), names(SpendFigures)
    reported = ["originator_topic", "actor", "programme", "scheme_code", "on"]
    assert names(DailyReport.DailyFiguresReported) == [
        *BASE,
        *reported,
        *daily,
        "source_ref",
        "confirm_comment",
    ]
    assert names(DailyReport.DailyFiguresCorrected) == [*BASE, "actor", *daily, "reason"]
    flowed = ["originator_topic", "actor", "programme", "ods_code", "on"]
    assert names(SiteDay.FlowReported) == BASE + flowed + flow
    assert names(SiteDay.FlowCorrected) == [*BASE, "actor", *flow, "reason"]
    spent = ["originator_topic", "actor", "programme", "scheme_code", "month"]
    assert names(MonthlySpend.SpendRecorded) == [*BASE, *spent, *spend, "confirm_comment"]
    assert names(MonthlySpend.SpendCorrected) == [
        *BASE,
        "actor",
        *spend,
        "reason",
        "confirm_comment",
    ]


def test_every_channel_reads_the_one_field_list() -> None:
    assert list(DailyIn.model_fields) == ["date", *NAMES, "confirm_comment"]
    assert list(FlowIn.model_fields) == ["date", *names(FlowFigures)]
    assert list(SpendIn.model_fields) == ["month", *names(SpendFigures), "confirm_comment"]
    assert ("scheme_code", "date", *CELLS) == COLUMNS
    assert set(FORM_CELLS) == set(CELLS)
    assert "kpis" in NAMES and "kpis" not in CELLS
