"""A scheme's KPI values in Chromium, as the demo lead (against `serve --demo` on 20 November
2022): one click from the home page to the KPI page; a refused value named in words; values
double-clicked, reloaded and Back stored once, with the page saying what was stored and the
explain page showing the month's value. Screenshots, axe-core and 320 px by ``check``."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.support.browser import check, sign_in, tab_to
from tests.support.server import Server, events_after, head

CODE = "arc-reablement-we"
HOURS = "kpi_number_of_additional_reablement_hours_pr"
MEAN = f"#kpi-working tr[data-kpi={HOURS.removeprefix('kpi_')}] .kpi-value"


def _corrections(server: Server, after: int) -> int:
    return sum(
        1
        for e in events_after(server, after)
        if e["event_type"] == "DailyReport.DailyFiguresCorrected"
        and HOURS.removeprefix("kpi_") in (e["data"].get("kpis") or {})
    )


def test_a_lead_records_kpi_values_once_from_the_home_page(
    browser: Browser, server: Server
) -> None:
    page = sign_in(browser, server, "lead")
    page.click(f"#lead-schemes tbody tr[data-scheme={CODE}] a.kpi-link")  # one click from home
    assert f"/schemes/{CODE}/kpis" in page.url
    assert "Number of additional reablement hours provided per week" in page.inner_text(
        "#kpi-month"
    )
    check(page, "kpi-page")
    days = page.locator("#kpi-days tbody tr")
    start = head(server)
    page.goto(f"{server.url}/explain/2022-11/schemes/{CODE}")
    before = page.inner_text(MEAN)
    page.goto(f"{server.url}/schemes/{CODE}/kpis")

    page.fill("#date", "2022-11-19")
    page.fill(f"#{HOURS}", "plenty")
    page.click("#kpi-form button[type=submit]")
    page.wait_for_selector("#errors")
    assert "must be a number" in page.inner_text(f"#{HOURS}-error")
    check(page, "kpi-page-refused")

    page.goto(f"{server.url}/schemes/{CODE}/kpis")  # Back then returns to this form
    page.fill("#date", "2022-11-19")
    page.fill(f"#{HOURS}", "84")
    page.dblclick("#kpi-form button[type=submit]")
    page.wait_for_selector("#message")
    assert "KPI values for 19 Nov 2022 stored" in page.inner_text("#message")
    page.reload()
    page.go_back()
    page.wait_for_load_state()
    stored = _corrections(server, start)
    print(f"\n[kpi-page] corrections stored after double-click, reload, Back: {stored}")
    assert stored == 1
    assert days.count() >= 1
    assert "84" in page.inner_text("#kpi-days tbody tr[data-day='2022-11-19']")

    page.click("#kpi-explain")
    hours = page.inner_text(MEAN)
    print(f"[kpi-page] the month's mean hours on the explain page: {before} -> {hours}")
    assert hours != before
    page.close()


def test_the_kpi_page_is_usable_with_the_keyboard_alone(browser: Browser, server: Server) -> None:
    page = sign_in(browser, server, "lead")
    link = f"#lead-schemes tbody tr[data-scheme={CODE}] a.kpi-link"
    tab_to(page, link)  # from the home page, as a keyboard user reaches it
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/schemes/{CODE}/kpis**")
    row = page.locator("#kpi-days tbody tr[data-day]").last  # a day the demo reported
    day = row.get_attribute("data-day")
    assert day is not None and day != "2022-11-19"
    value = "92" if "91" in row.inner_text() else "91"
    start = head(server)
    tab_to(page, "#date")
    page.keyboard.press("Control+A")  # the box may start with a day filled in
    year, month, dom = day.split("-")
    page.keyboard.type(f"{dom}/{month}/{year}")
    tab_to(page, f"#{HOURS}")
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    tab_to(page, "#kpi-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#message, #errors")
    assert page.locator("#errors").count() == 0, page.inner_text("#errors")
    assert "stored" in page.inner_text("#message")
    assert _corrections(server, start) == 1
    assert value in page.inner_text(f"#kpi-days tbody tr[data-day='{day}']")
    check(page, "kpi-page-keyboard")
    page.close()
