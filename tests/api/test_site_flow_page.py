"""The acute site flow page through HTTP: a lead stores a day once (the same rendered form
sent twice stores one event), a refusal names the field and stores nothing, a correction is
shown old -> new and stored only when confirmed, and another site's page is refused."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from capacity.site import site_day_id
from projections.event_log import EventLog
from tests.scenarios.ledger import P
from tests.support.api_world import ApiWorld, api_world

DAY = {
    "date": "2022-11-02",
    "core_beds_open": "400",
    "escalation_beds_open": "20",
    "beds_occupied": "410",
    "nctr": "90",
    "nctr_discharged": "30",
    "nctr_discharged_by_5pm": "12",
    "discharges_p0": "60",
    "discharges_p1": "10",
    "discharges_p2": "",
    "discharges_p3": "1",
}
PAGE = f"/sites/RQW/flow?programme={P}"


def _lead(world: ApiWorld) -> TestClient:
    client = TestClient(world.client.app)
    signed = client.post("/login", data={"token": world.tokens["lead"]}, follow_redirects=False)
    assert signed.status_code == 303
    return client


def _form(client: TestClient, page: str = PAGE) -> dict[str, str]:
    html = client.get(page).text
    found = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html)
        for name in ("csrf", "idempotency_key")
    }
    return {k: m.group(1) for k, m in found.items() if m}


def _events(world: ApiWorld, day: str) -> list[str]:
    records = EventLog(world.application).of_aggregate(
        site_day_id(P, "RQW", date.fromisoformat(day))
    )
    return [r["event_type"] for r in records]


def test_a_day_is_stored_once_and_the_page_says_what_was_stored() -> None:
    world = api_world()
    client = _lead(world)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "G&amp;A core beds open" in page.text and 'id="discharges_p3"' in page.text
    form = _form(client)
    first = client.post(PAGE, data={**form, **DAY}, follow_redirects=False)
    assert first.status_code == 303
    shown = client.get(first.headers["location"]).text
    assert "Flow for 2 Nov 2022 stored." in shown
    assert 'data-day="2022-11-02"' in shown
    again = client.post(PAGE, data={**form, **DAY}, follow_redirects=False)
    assert again.status_code == 303
    assert _events(world, "2022-11-02") == ["SiteDay.FlowReported"]
    repeated = client.get(again.headers["location"]).text
    assert "Already recorded" in repeated


def test_a_refusal_names_the_field_and_stores_nothing() -> None:
    world = api_world()
    client = _lead(world)
    bad = {**DAY, "nctr_discharged_by_5pm": "31"}
    got = client.post(PAGE, data={**_form(client), **bad}, follow_redirects=False)
    assert got.status_code == 422
    assert 'id="nctr_discharged_by_5pm-error"' in got.text
    assert "Of those, discharged by 17:00" in got.text
    missing = {**DAY, "beds_occupied": ""}
    got = client.post(PAGE, data={**_form(client), **missing}, follow_redirects=False)
    assert got.status_code == 422 and 'id="beds_occupied-error"' in got.text
    pathway = {**DAY, "discharges_p1": "-3"}
    got = client.post(PAGE, data={**_form(client), **pathway}, follow_redirects=False)
    assert got.status_code == 422 and 'id="discharges_p1-error"' in got.text
    assert _events(world, "2022-11-02") == []


def test_a_correction_starts_from_the_stored_day_and_shows_old_and_new() -> None:
    world = api_world()
    client = _lead(world)
    client.post(PAGE, data={**_form(client), **DAY}, follow_redirects=False)
    start = client.get(f"{PAGE}&correct=2022-11-02")
    assert start.status_code == 200 and 'value="410"' in start.text
    changed = {**DAY, "beds_occupied": "415", "reason": "late admissions counted"}
    form = _form(client, f"{PAGE}&correct=2022-11-02")
    review = client.post(PAGE, data={**form, **changed}, follow_redirects=False)
    assert review.status_code == 200 and 'id="confirm"' in review.text
    assert "G&amp;A beds occupied" in review.text and "415" in review.text
    assert _events(world, "2022-11-02") == ["SiteDay.FlowReported"]  # not yet
    stored = client.post(PAGE, data={**form, **changed, "confirm": "yes"}, follow_redirects=False)
    assert stored.status_code == 303
    said = client.get(stored.headers["location"]).text
    assert "G&amp;A beds occupied 410 → 415" in said
    assert _events(world, "2022-11-02") == ["SiteDay.FlowReported", "SiteDay.FlowCorrected"]
    history = client.get(f"{PAGE}&correct=2022-11-02").text
    assert "reason: late admissions counted" in history


def test_another_site_is_refused() -> None:
    world = api_world()
    client = _lead(world)
    assert client.get(f"/sites/RWG/flow?programme={P}").status_code == 403
    got = client.post(
        f"/sites/RWG/flow?programme={P}", data={**_form(client), **DAY}, follow_redirects=False
    )
    assert got.status_code == 403
    assert EventLog(world.application).of_aggregate(site_day_id(P, "RWG", date(2022, 11, 2))) == []
