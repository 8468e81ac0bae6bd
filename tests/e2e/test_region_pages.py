"""The region's pages in headless Chromium against ``wintertrack serve --demo --region``: six
synthetic ICBs whose returns arrived through the same receive function as from Kafka. Checked
by axe-core at WCAG 2.2 AA and at 320 px; screenshots in test-output/screenshots/."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import check
from tests.support.server import Server, start_server


@pytest.fixture(scope="module")
def region_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        Path(tmp_path_factory.mktemp("region")),
        demo_date="2023-01-16",
        extra_args=["--region"],
        roles=("admin", "region"),
    )
    yield running
    running.stop()


def sign_in(browser: Browser, server: Server, role: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}/login")
    page.fill("#token", server.tokens[role])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_region_dashboard_and_tracker(browser: Browser, region_server: Server) -> None:
    page = sign_in(browser, region_server, "region")
    assert page.url == f"{region_server.url}/regions/Y61"  # a region user's home
    assert page.locator("#region-icbs tbody tr").count() == 6
    assert "No return received" in page.locator("tr[data-icb=QJG]").inner_text()
    check(page, "region-dashboard")

    page.click("#region-tracker a[href='/regions/Y61/submissions/2022-10']")
    page.wait_for_selector("#submissions")
    statuses = {
        row.get_attribute("data-icb"): row.get_attribute("data-status")
        for row in page.locator("#submissions tbody tr[data-icb]").all()
    }
    assert statuses == {
        "QHG": "submitted",
        "QUE": "submitted",
        "QM7": "submitted",
        "QH8": "resubmitted",
        "QMM": "late",
        "QJG": "missing",
    }
    assert "Suffolk and North East Essex" in page.locator("#non-submitters").inner_text()
    check(page, "region-submissions")

    # keyboard: the month picker works without a mouse
    page.focus("#month")
    page.select_option("#month", "2022-11")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/submissions/2022-10?month=2022-11")
    assert "M8 Nov 2022" in page.locator("h1").inner_text()

    # an artefact downloads byte for byte with the SHA-256 the page shows
    assert page.locator("#artefacts tr[data-icb=QH8][data-revision='2']").count() == 0
    page.goto(f"{region_server.url}/regions/Y61/submissions/2022-10")
    row = page.locator("#artefacts tr[data-icb=QH8][data-revision='2']")
    shown = row.locator("code").nth(1).inner_text()
    href = row.locator("a").nth(1).get_attribute("href")
    assert href is not None and href.endswith(".xlsx")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    xlsx = httpx.get(f"{region_server.url}{href}", cookies=cookies, timeout=30)
    assert xlsx.status_code == 200 and hashlib.sha256(xlsx.content).hexdigest() == shown
    rollup = httpx.get(
        f"{region_server.url}/regions/Y61/submissions/2022-10/rollup.xlsx",
        cookies=cookies,
        timeout=30,
    )
    assert rollup.status_code == 200 and rollup.content[:2] == b"PK"
    page.close()


def test_an_admin_sees_the_region_and_bad_input_is_refused(
    browser: Browser, region_server: Server
) -> None:
    headers = region_server.headers("admin")
    api = f"{region_server.url}/api/v1/regions"
    assert httpx.get(f"{api}/Y61", headers=headers).status_code == 200
    assert httpx.get(f"{api}/Y99", headers=headers).status_code == 404
    bad = httpx.get(f"{api}/Y61/submissions/October", headers=headers)
    assert bad.status_code == 422 and "month" in bad.text
    page = sign_in(browser, region_server, "admin")
    answer = page.goto(f"{region_server.url}/regions/Y61/submissions/2022-13")
    assert answer is not None and answer.status == 422
    page.close()
