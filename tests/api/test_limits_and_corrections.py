"""Bodies over the limit are refused before they are read; a page correction keeps every
figure the lead did not change."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from api.limits import JSON_LIMIT
from capacity.commands import ReportDaily
from tests.scenarios.ledger import ADMIN, P
from tests.support.api_world import api_world

DAY = "2022-11-05"


def test_a_twenty_megabyte_json_body_answers_413_and_stores_nothing() -> None:
    world = api_world()
    before = world.application.max_position()
    body = '{"date": "2022-11-02", "beds_equivalent": 5, "narrative": "' + "x" * 20_000_000 + '"}'
    answer = world.client.post(
        f"/api/v1/programmes/{P}/schemes/own/daily",
        content=body,
        headers={**world.headers("lead"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert f"{JSON_LIMIT:,} bytes" in answer.json()["detail"][0]["msg"]
    assert world.application.max_position() == before
    small = world.client.post(
        f"/api/v1/programmes/{P}/schemes/own/daily",
        json={"date": "2022-11-02", "beds_equivalent": 5},
        headers=world.headers("lead"),
    )
    assert small.status_code == 201


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found
    return found.group(1)


def test_a_page_correction_of_one_figure_keeps_every_other_figure() -> None:
    world = api_world()
    app = world.application
    figures = {
        "date": DAY,
        "beds_equivalent": 8,
        "beds_occupied": 4,
        "discharges": {"p0": 1, "p1": 2},
        "patients_supported": 11,
        "narrative": "Ward 3 open",
    }
    app.run_command(ReportDaily(actor=ADMIN, programme=P, scheme="own", figures=figures))
    world.client.post("/login", data={"token": world.tokens["lead"]})
    start = world.client.get(f"/schemes/own?programme={P}&correct={DAY}")
    assert 'name="beds_occupied" type="text" value="4"' in start.text  # pre-filled
    form = {"csrf": _csrf(start.text), "date": DAY, "beds_equivalent": "9", "reason": "miscount"}

    review = world.client.post(f"/schemes/own/daily?programme={P}", data=form)
    assert review.status_code == 200
    assert "Check the correction" in review.text
    rows = re.findall(r"<tr><td>([a-z ]+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", review.text)
    assert rows == [("beds equivalent", "8", "9")]
    assert app.get_daily_report(P, "own", date(2022, 11, 5)).corrections == 0

    stored = world.client.post(f"/schemes/own/daily?programme={P}", data={**form, "confirm": "yes"})
    assert stored.status_code == 200 and "beds_equivalent 8 → 9" in stored.text
    report = app.get_daily_report(P, "own", date(2022, 11, 5))
    assert report.corrections == 1
    assert report.figures["beds_equivalent"] == Decimal("9")
    assert report.figures["beds_occupied"] == 4
    assert report.figures["discharges"] == {"p0": 1, "p1": 2}
    assert report.figures["patients_supported"] == 11
    assert report.figures["narrative"] == "Ward 3 open"


def test_clearing_a_figure_is_an_explicit_choice() -> None:
    world = api_world()
    app = world.application
    app.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="own",
            figures={"date": DAY, "beds_equivalent": 8, "narrative": "Note"},
        )
    )
    world.client.post("/login", data={"token": world.tokens["lead"]})
    page = world.client.get(f"/schemes/own?programme={P}&correct={DAY}")
    form = {
        "csrf": _csrf(page.text),
        "date": DAY,
        "reason": "note was wrong",
        "clear_narrative": "1",
        "confirm": "yes",
    }
    answer = world.client.post(f"/schemes/own/daily?programme={P}", data=form)
    assert answer.status_code == 200
    report = app.get_daily_report(P, "own", date(2022, 11, 5))
    assert report.figures["narrative"] is None
    assert report.figures["beds_equivalent"] == Decimal("8")
