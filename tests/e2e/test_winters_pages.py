"""Two winters in one store, in headless Chromium against ``wintertrack serve --demo --winters``
(QM7's 2022/23 winter complete and the illustrative 2023/24 one to 15 December 2023): the
dashboard's winters compared month by month (table and chart), the programme picker by keyboard,
and no figure of one winter on the other's pages. Checked by axe-core at WCAG 2.2 AA and at
320 px; screenshots in test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from tests.support.browser import check, sign_in
from tests.support.server import Server, start_server

OLD, NEW = "QM7-2022-23", "QM7-2023-24"


@pytest.fixture(scope="module")
def winters_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        Path(tmp_path_factory.mktemp("winters")), demo_date="2023-12-16", extra_args=["--winters"]
    )
    yield running
    running.stop()


def api(server: Server, path: str, role: str = "board") -> Any:
    found = httpx.get(f"{server.url}{path}", headers=server.headers(role), timeout=30)
    assert found.status_code == 200, found.text
    return found.json()


def test_dashboard_compares_winters_and_switches_between_them(
    browser: Browser, winters_server: Server
) -> None:
    compared = api(winters_server, f"/api/v1/programmes/{NEW}/winters")
    assert [w["programme"] for w in compared["winters"]] == [OLD, NEW]
    old, new = compared["winters"]
    assert (old["bed_target"], new["bed_target"]) == (141, 120)
    assert [m["financial_month"] for m in new["months"]] == ["M7", "M8", "M9", "M10", "M11", "M12"]
    assert all(m["delivered_beds_equivalent"] is not None for m in old["months"])
    started = [m["delivered_beds_equivalent"] is not None for m in new["months"]]
    assert started == [True] * 3 + [False] * 3
    for winter in (old, new):  # each month's figure is that programme's own delivery figure
        for m in winter["months"][:3]:
            month = api(
                winters_server,
                f"/api/v1/programmes/{winter['programme']}/delivery?month={m['month']}"
                f"&as_of={compared['as_of']}",
            )
            assert m["delivered_beds_equivalent"] == month["delivered_beds_equivalent"]

    page = sign_in(browser, winters_server, "board")  # the winter running on the demo's day
    assert page.locator("h1 + p.meta").inner_text().startswith(f"Programme {NEW}")
    rows = page.locator("#winters-table tbody tr")
    assert rows.count() == 2
    first = page.locator(f"tr[data-programme='{OLD}'] td[data-month='2022-10'] a.delivered")
    assert first.inner_text().startswith(f"{old['months'][0]['delivered_beds_equivalent']:.1f}")
    blank = page.locator(f"tr[data-programme='{NEW}'] td[data-month='2024-01']").inner_text()
    assert "not started" in blank
    assert page.locator("#winters-chart svg").count() == 1
    check(page, "winters-dashboard")

    # The picker, by keyboard only: focus the select, choose 2022/23, submit.
    page.focus("#programme-choice")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/dashboard?programme={OLD}")
    assert page.locator("h1 + p.meta").inner_text().startswith(f"Programme {OLD}")
    assert page.locator("#programme-choice").input_value() == OLD
    check(page, "winters-dashboard-2022-23")

    # The explain link behind a month of the other winter names that winter's programme.
    page.click(f"tr[data-programme='{NEW}'] td[data-month='2023-11'] a.delivered")
    page.wait_for_load_state()
    assert NEW in page.url and "/explain/2023-11" in page.url
    check(page, "winters-explain-2023-11")


def test_bad_programme_codes_are_refused_not_failed(winters_server: Server) -> None:
    for path in (
        "/api/v1/programmes/NOPE/winters",
        "/api/v1/programmes/QM7-2099-00/winters",
        "/api/v1/programmes/%3Cscript%3E/winters",
    ):
        found = httpx.get(winters_server.url + path, headers=winters_server.headers("admin"))
        assert found.status_code == 404, (path, found.text)
        assert "programme" in found.text
        # a board user bound to its programmes is refused any other, known or not
        found = httpx.get(winters_server.url + path, headers=winters_server.headers("board"))
        assert found.status_code == 403, (path, found.text)
        assert "programme" in found.text
    found = httpx.get(
        f"{winters_server.url}/api/v1/programmes/{NEW}/winters?known_at=999999999",
        headers=winters_server.headers("board"),
    )
    assert found.status_code == 422 and "known_at" in found.text
