"""A first morning, done as each user does it in Chromium against `serve --demo` (20 November
2022): from sign-in, the main task is a click away on the home page, is completed, and shows
where it should — the lead's missing day leaves their home page, finance's entered spend is on
the month's sheet."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.support.browser import sign_in
from tests.support.server import Server


def test_a_lead_fills_a_missing_day_from_the_home_page(browser: Browser, server: Server) -> None:
    page = sign_in(browser, server, "lead")
    row = page.locator("#lead-schemes tbody tr[data-scheme=hct-bridging-enh]")
    missing = row.locator("td").nth(1).inner_text()
    assert "17 Nov" in missing, missing  # the demo left 17 November unreported
    row.locator("a", has_text="Enter figures").click()  # click 1: the entry form
    page.fill("#date", "2022-11-17")
    page.fill("#beds_equivalent", "6.5")
    page.click("form.card button[type=submit]")  # click 2: saved
    assert "17 Nov 2022 saved" in page.inner_text("#message")
    page.goto(f"{server.url}/")
    after = page.locator("#lead-schemes tbody tr[data-scheme=hct-bridging-enh] td").nth(1)
    assert "17 Nov" not in after.inner_text()
    page.close()


def test_finance_enters_a_months_spend_from_the_home_page(browser: Browser, server: Server) -> None:
    page = sign_in(browser, server, "finance")
    assert page.locator("#spend-owed-list").count() == 1  # what is still to enter, or none
    page.click("text=Enter spend for October")  # click 1: the spend sheet for the month due
    assert "month=2022-10" in page.url
    box = page.locator("input[id^=amount-]").first
    code = (box.get_attribute("id") or "").removeprefix("amount-")
    box.fill("12,500.00")  # typed as people type money
    if page.locator(f"#reason-{code}").count():  # a month already entered is a correction
        page.fill(f"#reason-{code}", "invoice received")
    page.click("form.card:not(.picker) button[type=submit]")  # click 2: saved
    problems = page.locator("#errors").all_inner_texts()
    assert page.locator("#message").count() == 1, problems or page.inner_text("main")[-600:]
    page.goto(f"{server.url}/finance/spend?month=2022-10")
    assert page.locator(f"#amount-{code}").input_value().replace(",", "") in ("12500.00", "12500")
    page.close()
