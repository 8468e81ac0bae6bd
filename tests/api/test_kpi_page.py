"""A scheme's KPI page through HTTP: the month lists each KPI with its target and how the month
adds it up; values recorded on a reported day are stored once (the same rendered form sent
twice), shown on the month, in the scheme's history and on the explain page; a refused value
names its KPI's box and stores nothing; a day with no report is refused naming the date."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from tests.scenarios.ledger import P
from tests.support.api_world import ApiWorld, api_world

PAGE = f"/schemes/own/kpis?programme={P}"


def _lead(world: ApiWorld) -> TestClient:
    client = TestClient(world.client.app)
    signed = client.post("/login", data={"token": world.tokens["lead"]}, follow_redirects=False)
    assert signed.status_code == 303
    return client


def _form(client: TestClient, page: str) -> dict[str, str]:
    html = client.get(page).text
    found = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html)
        for name in ("csrf", "idempotency_key")
    }
    return {k: m.group(1) for k, m in found.items() if m}


def _stored(world: ApiWorld) -> dict[str, object]:
    report = world.application.get_daily_report(P, "own", date(2022, 11, 1))
    return dict(report.figures["kpis"])


def test_values_on_a_reported_day_are_stored_once_and_shown() -> None:
    world = api_world()
    client = _lead(world)
    month = client.get(f"{PAGE}&month=2022-11")
    assert month.status_code == 200
    row = re.search(r'<tr data-kpi="hours">.*?</tr>', month.text, re.S)
    assert row and "91" in row.group(0) and "added up over the month" in row.group(0)
    form = _form(client, f"{PAGE}&month=2022-11")
    data = {**form, "date": "2022-11-01", "kpi_hours": "12.5"}
    first = client.post(PAGE, data=data, follow_redirects=False)
    assert first.status_code == 303 and "month=2022-11" in first.headers["location"]
    shown = client.get(first.headers["location"]).text
    assert "KPI values for 1 Nov 2022 stored: hours 12.5." in shown
    assert re.search(r'<tr data-day="2022-11-01">.*?12\.5', shown, re.S)
    again = client.post(PAGE, data=data, follow_redirects=False)
    assert "Already recorded" in client.get(again.headers["location"]).text
    assert str(_stored(world)["hours"]) == "12.5"
    report = world.application.get_daily_report(P, "own", date(2022, 11, 1))
    assert report.figures["beds_equivalent"] is not None  # the day's figures kept
    history = client.get(f"/schemes/own/history?programme={P}").text
    assert "KPI values entered" in history


def test_a_refused_value_names_its_box_and_an_unreported_day_names_the_date() -> None:
    world = api_world()
    client = _lead(world)
    form = _form(client, PAGE)
    bad = client.post(
        PAGE, data={**form, "date": "2022-11-01", "kpi_hours": "lots"}, follow_redirects=False
    )
    assert bad.status_code == 422 and 'id="kpi_hours-error"' in bad.text
    assert _stored(world) == {}
    form = _form(client, PAGE)
    missing = client.post(
        PAGE, data={**form, "date": "2022-11-05", "kpi_hours": "3"}, follow_redirects=False
    )
    assert missing.status_code == 422 and 'id="date-error"' in missing.text
    assert "no figures are stored for 5 Nov 2022" in missing.text


def test_another_leads_scheme_is_refused() -> None:
    world = api_world()
    client = _lead(world)
    assert client.get(f"/schemes/other/kpis?programme={P}").status_code == 403


def test_the_explain_page_shows_the_months_kpi_values() -> None:
    world = api_world()
    client = _lead(world)
    form = _form(client, PAGE)
    client.post(PAGE, data={**form, "date": "2022-11-01", "kpi_hours": "12.5"})
    explained = client.get(f"/explain/2022-11/schemes/own?programme={P}")
    assert explained.status_code == 200
    row = re.search(r'<tr data-kpi="hours">.*?</tr>', explained.text, re.S)
    assert row and "12.5" in row.group(0) and "added up" in row.group(0)
    assert "/schemes/own/kpis" in explained.text


def test_the_home_page_and_the_scheme_page_link_to_the_kpi_page() -> None:
    world = api_world()
    client = _lead(world)
    assert f'href="/schemes/own/kpis?programme={P}"' in client.get(f"/?programme={P}").text
    assert 'id="scheme-kpis"' in client.get(f"/schemes/own?programme={P}").text
    assert f'href="/sites/RQW/flow?programme={P}"' in client.get(f"/?programme={P}").text
