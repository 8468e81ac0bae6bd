"""A first morning, done as each user does it in Chromium against `serve --demo` (20 November
2022): from sign-in, the main task is a click away on the home page, is completed, and shows
where it should — the lead's missing day leaves their home page, finance's entered spend leaves
the list still to enter."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.e2e.test_browser import sign_in
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
    assert "Saved" in page.inner_text("#message") or "stored" in page.inner_text("#message")
    page.goto(f"{server.url}/")
    after = page.locator("#lead-schemes tbody tr[data-scheme=hct-bridging-enh] td").nth(1)
    assert "17 Nov" not in after.inner_text()
    page.close()


def test_finance_enters_a_months_spend_from_the_home_page(browser: Browser, server: Server) -> None:
    page = sign_in(browser, server, "finance")
    owed = page.locator("#spend-owed-list li").all_inner_texts()
    assert owed, "the demo leaves October's spend to enter for some schemes"
    page.click("text=Enter spend for October")  # click 1: the spend sheet for the month due
    name = owed[0]
    page.locator("tr", has_text=name).locator("input[id^=amount-]").fill("12,500.00")
    page.click("form.card button[type=submit]")  # click 2: saved, typed as people type money
    assert page.locator("#message").count() == 1, page.inner_text("main")[:400]
    page.goto(f"{server.url}/")
    still = page.locator("#spend-owed-list").inner_text()
    assert name not in still, (name, still)
    page.close()
