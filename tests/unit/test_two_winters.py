"""Two winters of one ICB in one SQLite file store (QM7-2022-23 and QM7-2023-24, the same
scheme code in both): neither winter's figures leak into the other's dashboard, return, working
or history; the winters compare month by month with the right numbers; a user bound to one
winter acts in the other only once granted; and the region shows both winters."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from api.history import scheme_history
from capacity.app.submission import sign_off, submit
from capacity.application import WinterApplication
from capacity.errors import NotYourScheme, ProgrammeNotFound
from capacity.values import Actor
from projections.db import ViewDatabase
from projections.explain import explain_delivery, explain_system
from projections.projector import Projector
from projections.readmodel import ReadModel
from projections.region import overview
from projections.submission import ViewFigures
from projections.winters import compare_winters, default_programme
from schemes.months import YearMonth
from schemes.regions import load_region
from schemes.rules import InputRefused
from tests.scenarios.ledger import ADMIN, PROGRAMME, scheme_spec
from tests.support.world import World, make_world
from wintertrack.region_demo import demo_keys
from wintertrack.streams.region import outgoing, receive

OLD, NEW = "QM7-2022-23", "QM7-2023-24"
LEAD = Actor("jo", "lead", "api")


def _two_winters(tmp_path: Path) -> World:
    world = make_world(date(2023, 11, 20), store=f"sqlite:///{tmp_path}/two.db")
    app = world.app
    app.open_programme(
        ADMIN,
        {
            **PROGRAMME,
            "code": NEW,
            "winter": "2023/24",
            "period_start": date(2023, 10, 1),
            "period_end": date(2024, 3, 31),
            "bed_target": 120,
        },
    )
    for programme, year, beds in ((OLD, 2022, "8"), (NEW, 2023, "3")):
        start = date(year, 11, 1)
        app.register_scheme(ADMIN, programme, scheme_spec("bridging", planned_start=start))
        app.mobilise_scheme(ADMIN, programme, "bridging", start.isoformat())
        for day in range(1, 6):
            figures = {"date": f"{year}-11-{day:02d}", "beds_equivalent": beds}
            app.report_daily(ADMIN, programme, "bridging", figures)
        app.record_spend(
            ADMIN, programme, "bridging", f"{year}-10", f"{year - 2000}00.00", "actual"
        )
    app.correct_daily(
        ADMIN, NEW, "bridging", {"date": "2023-11-02", "beds_equivalent": "4"}, "recount"
    )
    world.catch_up()
    return world


def test_each_winter_sees_only_its_own_figures(tmp_path: Path) -> None:
    world = _two_winters(tmp_path)
    read = world.read
    # Both winters hold a scheme 'bridging'; a day of one winter is refused by the other.
    with pytest.raises(InputRefused) as refused:
        world.app.report_daily(
            ADMIN, OLD, "bridging", {"date": "2023-11-06", "beds_equivalent": "1"}
        )
    assert refused.value.field == "date"

    old = read.dashboard(OLD, date(2022, 11, 6))
    new = read.dashboard(NEW, date(2023, 11, 6))
    assert (old.bed_target, new.bed_target) == (141, 120)
    assert old.headline.delivered == 8.0  # 5 Nov 2022
    assert new.headline.delivered == 3.0  # 5 Nov 2023
    assert old.headline.delivered_month_to_date == pytest.approx(40 / 6, abs=0.01)
    assert new.headline.delivered_month_to_date == pytest.approx(16 / 6, abs=0.01)
    assert old.spend != new.spend

    old_return = read.monthly_return(OLD, "2022-11")["summary"]
    new_return = read.monthly_return(NEW, "2023-11")["summary"]
    assert old_return["delivered_beds_equivalent"] == pytest.approx(40 / 30, abs=0.01)
    # 1-19 Nov 2023: today, the 20th, is not yet a full day (§1).
    assert new_return["delivered_beds_equivalent"] == pytest.approx(16 / 19, abs=0.01)
    with pytest.raises(InputRefused):
        read.monthly_return(OLD, "2023-11")

    working = explain_delivery(
        read.views, read.facts(NEW), "bridging", YearMonth(2023, 11), date(2023, 11, 20)
    )
    said = [t.said for d in working.days for t in d.trail]
    assert said.count("reported beds-equivalent 3") == 5  # never 2022's 8
    assert "corrected to beds-equivalent 4 (recount)" in said
    system = explain_system(read.facts(OLD), YearMonth(2022, 11), date(2022, 11, 30))
    assert float(system.delivered) == pytest.approx(40 / 30, abs=0.01)

    for programme, year in ((OLD, "2022"), (NEW, "2023")):
        history = scheme_history(world.app, read, programme, "bridging")
        dated = [e.changes.get("date") for e in history if e.changes.get("date")]
        assert dated and all(str(d).startswith(year) for d in dated), (programme, dated)


def test_winters_compare_month_by_month(tmp_path: Path) -> None:
    world = _two_winters(tmp_path)
    compared = compare_winters(world.read, NEW, date(2023, 11, 5))
    assert [m.financial_month for m in compared.months] == [
        "M7", "M8", "M9", "M10", "M11", "M12"
    ]  # fmt: skip
    old, new = compared.winters
    assert (old.programme, new.programme) == (OLD, NEW)
    assert [m.month for m in old.months][:2] == ["2022-10", "2022-11"]
    november_old, november_new = old.months[1], new.months[1]
    assert november_old.delivered_beds_equivalent == pytest.approx(40 / 30, abs=0.01)
    assert november_old.bed_target == 141 and november_old.window_days == 30
    assert november_new.delivered_beds_equivalent == pytest.approx(16 / 5, abs=0.01)
    assert november_new.bed_target == 120 and november_new.window_days == 5
    assert november_new.delivered_pct_of_target == pytest.approx(320 / 120, abs=0.1)
    assert [m.delivered_beds_equivalent for m in new.months[2:]] == [None] * 4
    assert new.months[0].delivered_beds_equivalent == 0.0  # October: not live yet
    # The same comparison from either winter; an unknown programme is a 404 naming the field.
    assert compare_winters(world.read, OLD, date(2023, 11, 5)).winters == compared.winters
    with pytest.raises(ProgrammeNotFound) as missing:
        compare_winters(world.read, "QM7-2099-00")
    assert missing.value.field == "programme"


def test_default_winter_and_a_user_granted_the_next_one(tmp_path: Path) -> None:
    world = _two_winters(tmp_path)
    views = world.read.views
    assert default_programme(views, date(2023, 11, 20)) == NEW
    assert default_programme(views, date(2023, 6, 1)) == OLD  # between winters: the latest
    assert default_programme(views, date(2023, 11, 20), lambda c: c == OLD) == OLD
    world.app.add_user(ADMIN, "jo", "lead", OLD, ["bridging"])
    figures = {"date": "2023-11-06", "beds_equivalent": "2"}
    with pytest.raises(NotYourScheme):
        world.app.report_daily(LEAD, NEW, "bridging", figures)
    world.app.grant_programme(ADMIN, "jo", NEW, ["bridging"])
    world.app.report_daily(LEAD, NEW, "bridging", figures)
    assert world.app.get_user("jo").programmes == [OLD, NEW]
    with pytest.raises(InputRefused):  # a lead granted a winter names their schemes in it
        world.app.grant_programme(ADMIN, "jo", OLD, [])
    with pytest.raises(InputRefused):
        world.app.grant_programme(ADMIN, "jo", NEW, ["no-such-scheme"])


def test_the_region_shows_both_winters(tmp_path: Path) -> None:
    world = _two_winters(tmp_path)
    sign_off(world.app, ViewFigures(world.read), ADMIN, OLD, "2022-11")
    submit(world.app, ViewFigures(world.read), ADMIN, OLD, "2022-11")
    sign_off(world.app, ViewFigures(world.read), ADMIN, NEW, "2023-10")
    submit(world.app, ViewFigures(world.read), ADMIN, NEW, "2023-10")
    keys, region = demo_keys(load_region("Y61"))
    region_app = WinterApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    for notification in world.app.recorder.select_notifications(0, 100_000):
        message = outgoing(world.app, notification, keys["QM7"])
        if message is not None:
            key, value, headers = message
            assert receive(region_app, region, value, dict(headers), key) == "stored"
    projector = Projector(region_app, ViewDatabase("memory://"))
    projector.run_once()
    read = ReadModel(projector, today=lambda: date(2023, 11, 20))
    found = overview(read.views, region, date(2023, 11, 20))
    winters = {w["winter"]: w for w in found["winters"]}
    assert set(winters) == {"2022/23", "2023/24"}
    qm7 = {w: next(i for i in winters[w]["icbs"] if i["icb_code"] == "QM7") for w in winters}
    assert qm7["2022/23"]["programmes"] == [OLD] and qm7["2023/24"]["programmes"] == [NEW]
    cells = {c["month"]: c for w in qm7.values() for c in w["months"]}
    assert cells["2022-11"]["status"] != "missing"
    assert cells["2022-11"]["bed_target"] == 141
    assert cells["2022-11"]["delivered_beds_equivalent"] == pytest.approx(40 / 30, abs=0.01)
    assert cells["2023-10"]["bed_target"] == 120
    assert cells["2023-10"]["delivered_beds_equivalent"] == 0.0
    assert set(cells) == {"2022-11", "2023-10"}  # the months someone returned
    other = next(i for i in winters["2023/24"]["icbs"] if i["icb_code"] == "QHG")
    assert all(c["status"] == "missing" for c in other["months"])
