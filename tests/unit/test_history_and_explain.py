"""A scheme's history reads as sentences; every figure on the dashboard can show its working,
and the working adds up to the figure shown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from api.history import scheme_history
from api.history_text import long_date, newest_first
from capacity.values import Actor
from projections.explain import explain_delivery, explain_spend, explain_system
from schemes.months import YearMonth
from tests.scenarios.ledger import ADMIN, P
from tests.support.world import World, make_world

LEAD = Actor("j.lead", "lead", "web")
NOV = YearMonth.parse("2022-11")


def _world() -> World:
    world = make_world(date(2022, 11, 16))
    world.scheme("bridging", planned_start=date(2022, 11, 1), planned_beds_equivalent=Decimal(10))
    world.app.add_user(ADMIN, "j.lead", "lead", P, ["bridging"])
    world.app.mobilise_scheme(ADMIN, P, "bridging", "2022-11-01")
    for day, beds in ((1, "8.4"), (2, "9"), (3, "11"), (5, "10")):
        world.app.report_daily(
            ADMIN, P, "bridging", {"date": f"2022-11-{day:02d}", "beds_equivalent": beds}
        )
    world.app.correct_daily(
        LEAD, P, "bridging", {"date": "2022-11-01", "beds_equivalent": "9.1"}, "miscounted"
    )
    world.app.change_status(ADMIN, P, "bridging", "pause", "2022-11-10", "staff shortage")
    world.app.record_spend(ADMIN, P, "bridging", "2022-10", "1000.00", "actual")
    world.app.correct_spend(ADMIN, P, "bridging", "2022-10", "1200.50", "accrual", "late invoice")
    world.catch_up()
    return world


def test_history_reads_as_sentences_newest_first() -> None:
    world = _world()
    entries = scheme_history(world.app, world.read, P, "bridging")
    lines, pages = newest_first(entries, None, 1, 100)
    texts = [f"{line.when} — {line.text}, {line.by}" for line in lines]
    assert pages == 1
    assert (
        "1 Nov 2022 — beds-equivalent 8.4 → 9.1 (correction: miscounted), j.lead (lead) via the web"
    ) in texts
    assert "10 Nov 2022 — paused (staff shortage), ada (admin) via the API" in texts
    assert (
        "October 2022 — spend £1,000.00 → £1,200.50; basis actual → accrual "
        "(correction: late invoice), ada (admin) via the API"
    ) in texts
    assert not any("{" in t or "'" in t for t in texts), texts  # no dict reprs
    # Every change has its event-log position, the scheme's own events included.
    assert all(line.position for line in lines)
    # Everything was recorded today: newest first by the day each change is about.
    assert [line.when for line in lines] == [
        "10 Nov 2022",  # paused
        "5 Nov 2022",
        "3 Nov 2022",
        "2 Nov 2022",
        "1 Nov 2022",  # the correction of 1 November, recorded after the report
        "1 Nov 2022",  # the report
        "1 Nov 2022",  # went live
        "October 2022",  # spend corrected
        "October 2022",  # spend recorded
        long_date(entries[0].at),  # registered: undated, so last of its day
    ]
    assert "correction" in lines[4].text and lines[6].text == "went live"
    # The API says the same sentence beside the stored values.
    said = {e.text for e in entries}
    assert any("beds-equivalent 8.4 → 9.1 (correction: miscounted)" in s for s in said)


def test_bed_changes_and_status_sit_among_the_figures_of_their_day() -> None:
    """A scheme's own events (beds, status, narrative) are recorded with their positions and
    placed by the day they are about, so the scheme page's latest changes show them."""
    world = make_world(date(2022, 11, 16))
    world.scheme("ward", "beds_open", planned_start=date(2022, 11, 1))
    world.app.mobilise_scheme(ADMIN, P, "ward", "2022-11-01")
    world.app.change_beds(ADMIN, P, "ward", "2022-11-01", 4, "core", "opened")
    world.app.change_beds(ADMIN, P, "ward", "2022-11-12", -1, "core", "infection control")
    world.app.update_narrative(ADMIN, P, "ward", "One bed closed for a deep clean")
    for day in range(1, 16):
        world.app.report_daily(ADMIN, P, "ward", {"date": f"2022-11-{day:02d}", "beds_occupied": 3})
    world.catch_up()
    entries = scheme_history(world.app, world.read, P, "ward")
    assert all(e.position for e in entries)  # the API's history says where each one is
    latest, _ = newest_first(entries, None, 1, 10)
    texts = [f"{line.when} — {line.text}" for line in latest]
    assert texts[:7] == [
        "16 Nov 2022 — narrative: “One bed closed for a deep clean”",
        "15 Nov 2022 — beds occupied 3",
        "14 Nov 2022 — beds occupied 3",
        "13 Nov 2022 — beds occupied 3",
        "12 Nov 2022 — beds occupied 3",
        "12 Nov 2022 — 1 core bed closed (infection control)",
        "11 Nov 2022 — beds occupied 3",
    ]


def test_history_filters_by_kind_and_pages() -> None:
    world = _world()
    entries = scheme_history(world.app, world.read, P, "bridging")
    spend, _ = newest_first(entries, "spend", 1, 100)
    assert [line.kind for line in spend] == ["spend", "spend"]
    figures, pages = newest_first(entries, "figures", 1, 2)
    assert pages == 3 and len(figures) == 2  # 4 reports and 1 correction, 2 a page
    last, _ = newest_first(entries, "figures", 3, 2)
    assert len(last) == 1 and last[0].when == "1 Nov 2022"  # the oldest report comes last
    beyond, _ = newest_first(entries, "figures", 99, 2)
    assert beyond == last  # a page past the end shows the last page


def test_a_schemes_month_working_adds_up_to_the_figure_shown() -> None:
    world = _world()
    world.today[0] = date(2022, 11, 17)  # the 16th is a full day (§1)
    p = world.read.facts(P)
    shown = world.read.delivery_month(P, "2022-11", as_of=date(2022, 11, 16)).schemes[0]
    working = explain_delivery(world.read.views, p, "bridging", NOV, date(2022, 11, 16))
    assert len(working.days) == 16
    # 9.1 + 9 + 11 + 0 (no report on the 4th) + 10 + 0 ... ; paused from the 10th counts 0.
    assert working.delivered_sum == Decimal("39.1")
    assert working.planned_sum == Decimal(160)
    assert round(float(working.delivered_sum / 16), 2) == shown.delivered_beds_equivalent
    day1 = working.days[0]
    assert [t.said for t in day1.trail] == [
        "reported beds-equivalent 8.4",
        "corrected to beds-equivalent 9.1 (miscounted)",
    ]
    assert day1.trail[0].position < day1.trail[1].position
    assert working.days[3].how == "no report: counts 0"
    assert (working.days[0].how, working.days[1].how) == ("as corrected", "as reported")
    assert working.days[11].how == "paused: counts 0"
    assert working.result.days_reported == 4
    assert [t.said for t in working.status_changes][-1] == "paused from 2022-11-10"


def test_spend_working_adds_up_and_names_the_correction() -> None:
    world = _world()
    p = world.read.facts(P)
    working = explain_spend(world.read.views, p, "bridging", NOV, date(2022, 11, 16))
    assert working.spend_to_date == Decimal("1200.50") == working.result.spend_to_date
    assert working.profile_to_date == working.result.profile_to_date
    october = working.months[0]
    assert [t.said for t in october.trail] == [
        "recorded £1,000.00 (actual)",
        "corrected to £1,200.50 (accrual)",
    ]


def test_the_system_total_is_the_sum_of_the_counted_schemes() -> None:
    world = _world()
    world.today[0] = date(2022, 11, 17)  # the 16th is a full day (§1)
    world.scheme("mh-ward", "beds_open", counts_toward_target=False, planned_start=None)
    world.catch_up()
    p = world.read.facts(P)
    month = world.read.delivery_month(P, "2022-11", as_of=date(2022, 11, 16))
    working = explain_system(p, NOV, date(2022, 11, 16))
    assert [m.code for m in working.counted] == ["bridging"]
    assert [m.code for m in working.not_counted] == ["mh-ward"]
    assert round(float(working.delivered), 2) == month.delivered_beds_equivalent
    assert round(float(working.planned), 2) == month.planned_beds_equivalent


def test_the_explain_api_gives_the_same_working_and_refuses_bad_input() -> None:
    from tests.support.api_world import api_world

    world = api_world()
    base = f"/api/v1/programmes/{P}"
    board = world.headers("board")
    month = world.client.get(f"{base}/delivery", params={"month": "2022-11"}, headers=board)
    total = world.client.get(f"{base}/explain/delivery", params={"month": "2022-11"}, headers=board)
    assert total.status_code == 200, total.text
    body = total.json()
    assert (
        round(float(body["delivered_beds_equivalent"]), 2)
        == month.json()["delivered_beds_equivalent"]
    )
    own = world.client.get(
        f"{base}/explain/schemes/own/delivery", params={"month": "2022-11"}, headers=board
    ).json()
    assert own["delivered_sum"] == "7" and own["window_days"] == 30
    assert own["days"][0]["events"][0]["said"] == "reported beds-equivalent 7"
    spend = world.client.get(
        f"{base}/explain/schemes/own/spend", params={"month": "2022-11"}, headers=board
    ).json()
    assert spend["spend_to_date_gbp"] == "1000.00"
    assert spend["months"][0]["events"][0]["said"] == "recorded £1,000.00 (actual)"
    refused = world.client.get(
        f"{base}/explain/delivery", params={"month": "2031-01"}, headers=board
    )
    assert refused.status_code == 422 and "month" in refused.text
    missing = world.client.get(
        f"{base}/explain/schemes/nope/delivery", params={"month": "2022-11"}, headers=board
    )
    assert missing.status_code == 404 and "scheme" in missing.text
    anonymous = world.client.get(f"{base}/explain/delivery", params={"month": "2022-11"})
    assert anonymous.status_code == 401
