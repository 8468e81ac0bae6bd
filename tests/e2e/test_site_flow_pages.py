"""An acute site's daily flow in Chromium, as the demo lead (against `serve --demo` on
20 November 2022): one click from the home page to the site's flow page; a refused box named
in words; a day double-clicked, reloaded and Back stores one event and the page says what was
stored; a correction shows old -> new. Screenshots, axe-core and 320 px by ``check``."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.support.browser import check, sign_in, tab_to
from tests.support.server import Server, events_after, head

DAY = {
    "core_beds_open": "420",
    "escalation_beds_open": "12",
    "beds_occupied": "425",
    "nctr": "95",
    "nctr_discharged": "31",
    "nctr_discharged_by_5pm": "14",
    "discharges_p0": "70",
    "discharges_p1": "9",
    "discharges_p2": "2",
    "discharges_p3": "1",
}


def _fill(page: Page, day: str, values: dict[str, str]) -> None:
    page.fill("#date", day)
    for name, value in values.items():
        page.fill(f"#{name}", value)


def _reported(server: Server, after: int) -> list[dict[str, object]]:
    return [
        e
        for e in events_after(server, after)
        if e["event_type"] == "SiteDay.FlowReported" and e["data"].get("ods_code") == "RQW"
    ]


def test_a_lead_enters_a_day_of_flow_once_from_the_home_page(
    browser: Browser, server: Server
) -> None:
    page = sign_in(browser, server, "lead")
    assert "Princess Alexandra Hospital" in page.inner_text("#lead-sites")
    page.click("#lead-sites tbody tr[data-site=RQW] a")  # one click from home
    assert "/sites/RQW/flow" in page.url
    check(page, "site-flow")

    start = head(server)
    _fill(page, "2022-11-20", {**DAY, "beds_occupied": ""})
    page.click("#flow-form button[type=submit]")
    page.wait_for_selector("#errors")
    assert "G&A beds occupied: is required" in page.inner_text("#errors")
    assert page.is_visible("#beds_occupied-error")
    check(page, "site-flow-refused")
    assert _reported(server, start) == []

    page.goto(f"{server.url}/sites/RQW/flow")  # Back then returns to this form, not a POST
    _fill(page, "2022-11-20", DAY)
    page.dblclick("#flow-form button[type=submit]")
    page.wait_for_selector("#message")
    assert "Flow for 20 Nov 2022 stored." in page.inner_text("#message")
    page.reload()
    page.go_back()
    page.wait_for_load_state()
    stored = _reported(server, start)
    print(f"\n[site-flow] FlowReported events after double-click, reload, Back: {len(stored)}")
    assert len(stored) == 1
    assert page.locator("#flow-days tbody tr[data-day='2022-11-20']").count() == 1

    page.click("#flow-days tbody tr[data-day='2022-11-20'] a")
    assert page.input_value("#beds_occupied") == "425"
    page.fill("#beds_occupied", "428")
    page.fill("#reason", "two late admissions counted")
    page.click("#flow-form button[type=submit]")
    page.wait_for_selector("#confirm")
    assert "425" in page.inner_text("#confirm") and "428" in page.inner_text("#confirm")
    check(page, "site-flow-correction")
    page.click("#store-correction")
    page.wait_for_selector("#message")
    assert "G&A beds occupied 425 → 428" in page.inner_text("#message")
    page.close()


def test_the_site_flow_page_is_usable_with_the_keyboard_alone(
    browser: Browser, server: Server
) -> None:
    page = sign_in(browser, server, "lead")
    tab_to(page, "#lead-sites tbody tr[data-site=RQW] a")  # from the home page
    page.keyboard.press("Enter")
    page.wait_for_url("**/sites/RQW/flow**")
    row = page.locator("#flow-days tbody tr[data-day]").last  # a day the demo reported
    day = row.get_attribute("data-day")
    assert day is not None and day != "2022-11-20"
    occupied = int(row.locator("td").nth(1).inner_text())
    start = head(server)
    tab_to(page, f"#flow-days tbody tr[data-day='{day}'] a")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**correct={day}**")
    tab_to(page, "#beds_occupied")
    page.keyboard.press("Control+A")
    page.keyboard.type(str(occupied - 1))
    tab_to(page, "#reason")
    page.keyboard.type("one patient counted twice")
    tab_to(page, "#flow-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirm")  # old -> new, asked before it is stored
    tab_to(page, "#store-correction")
    page.keyboard.press("Enter")
    page.wait_for_selector("#message")
    said = page.inner_text("#message")
    assert f"G&A beds occupied {occupied} → {occupied - 1}" in said, said
    corrected = [
        e
        for e in events_after(server, start)
        if e["event_type"] == "SiteDay.FlowCorrected" and e["data"]["beds_occupied"] == occupied - 1
    ]
    assert len(corrected) == 1, corrected
    check(page, "site-flow-keyboard")
    page.close()
