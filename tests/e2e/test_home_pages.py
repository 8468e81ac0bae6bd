"""Each role lands on its own work after signing in (in Chromium against `serve --demo`, on the
demo's 20 November 2022): a lead on their schemes, finance on the month due, the board on the
dashboard, an administrator on the users; each main task a click or two away. Every home page
is screenshotted and checked by axe-core (WCAG 2.2 AA) and at 320 px."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.support.browser import check, sign_in
from tests.support.server import Server


def test_a_lead_lands_on_their_schemes_and_reaches_the_entry_form(
    browser: Browser, server: Server
) -> None:
    page = sign_in(browser, server, "lead")
    assert page.url == f"{server.url}/"
    assert page.inner_text("h1") == "Your schemes"
    rows = page.locator("#lead-schemes tbody tr")
    codes = {rows.nth(i).get_attribute("data-scheme") for i in range(rows.count())}
    assert codes == {
        "imc-beds-enh",
        "hct-bridging-enh",
        "smart-ed-specialist-review-whth",
        "arc-reablement-we",
    }
    check(page, "home-lead")
    # one click to the day's entry form
    page.click("#lead-schemes tbody tr[data-scheme=hct-bridging-enh] a")
    assert "/schemes/hct-bridging-enh" in page.url
    assert page.locator("form.card #beds_equivalent").count() == 1
    page.close()


def test_finance_lands_on_the_month_due(browser: Browser, server: Server) -> None:
    page = sign_in(browser, server, "finance")
    assert page.url == f"{server.url}/"
    assert "October 2022 (M7) return" in page.inner_text("#return-due")
    assert "Due at the region by" in page.inner_text("#return-state")
    check(page, "home-finance")
    page.click("text=Enter spend for October")  # one click to the spend sheet
    assert "/finance/spend" in page.url and "month=2022-10" in page.url
    page.close()


def test_the_board_lands_on_the_dashboard_and_an_admin_on_the_users(
    browser: Browser, server: Server
) -> None:
    board = sign_in(browser, server, "board")
    assert board.url == f"{server.url}/"
    assert board.locator("#as-of-picker").count() == 1
    check(board, "home-board")
    board.close()
    admin = sign_in(browser, server, "admin")
    assert admin.url == f"{server.url}/admin/users"
    check(admin, "home-admin")
    admin.close()
