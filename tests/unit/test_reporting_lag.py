"""The system's daily series says which days are not yet fully reported, so reporting lag in the
last days is not read as a collapse in delivery (docs/rules.md §5)."""

from __future__ import annotations

from datetime import date

from api.web.chart import delivery_chart
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import make_world


def test_days_with_missing_reports_are_marked_incomplete() -> None:
    world = make_world(date(2022, 11, 6))
    for code in ("a", "b"):
        world.scheme(code, planned_start=None)
        world.app.mobilise_scheme(ADMIN, P, code, "2022-11-01")
    for day in ("2022-11-01", "2022-11-02", "2022-11-03", "2022-11-04"):
        world.app.report_daily(ADMIN, P, "a", {"date": day, "beds_equivalent": 5})
    for day in ("2022-11-01", "2022-11-02", "2022-11-03"):
        world.app.report_daily(ADMIN, P, "b", {"date": day, "beds_equivalent": 5})
    world.catch_up()
    series = world.read.delivery_daily(P, date(2022, 11, 1), date(2022, 11, 5))
    days = {d.date: (d.reports_in, d.reports_due, d.complete) for d in series.days}
    assert days["2022-11-03"] == (2, 2, True)
    assert days["2022-11-04"] == (1, 2, False)
    assert days["2022-11-05"] == (0, 2, False)
    svg = delivery_chart(series)
    assert "Not yet fully reported" in svg
    complete = world.read.delivery_daily(P, date(2022, 11, 1), date(2022, 11, 3))
    assert "Not yet fully reported" not in delivery_chart(complete)
