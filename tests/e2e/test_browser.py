"""In headless Chromium: sign in, submit a daily figure through the form, see a validation
message for a bad value, and see the new figure on the dashboard chart."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.support.browser import SHOTS, sign_in
from tests.support.server import Server


def test_lead_submits_a_figure_and_the_board_sees_it(browser: Browser, server: Server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    lead = sign_in(browser, server, "lead")
    lead.goto(f"{server.url}/schemes/smart-ed-specialist-review-whth")
    lead.fill("#date", "2022-11-20")
    lead.fill("#beds_equivalent", "lots")
    lead.click("form.card button[type=submit]")
    error = lead.locator("#beds_equivalent-error")
    assert "must be a number" in error.inner_text()
    lead.screenshot(path=str(SHOTS / "lead-validation-message.png"), full_page=True)

    lead.fill("#beds_equivalent", "12.5")
    lead.click("form.card button[type=submit]")
    assert "saved" in lead.locator("#message").inner_text()
    lead.screenshot(path=str(SHOTS / "lead-figure-saved.png"), full_page=True)

    board = sign_in(browser, server, "board")
    board.goto(f"{server.url}/?as_of=2022-11-21")
    assert board.locator("#delivery-chart svg").count() == 1
    row = board.locator('#delivery-series tr[data-date="2022-11-20"] .delivered')
    delivered = float(row.text_content() or "nan")
    assert delivered >= 12.5
    assert "141" in board.locator("#delivery-chart figcaption").inner_text()
    board.screenshot(path=str(SHOTS / "board-dashboard.png"), full_page=True)
    assert board.outside == [], "a page asked for something outside the machine"  # type: ignore[attr-defined]


def test_bad_token_is_refused(browser: Browser, server: Server) -> None:
    page = browser.new_page()
    page.goto(f"{server.url}/login")
    page.fill("#token", "wt_not-a-real-token")
    page.click("button[type=submit]")
    assert "That access token is not recognised" in page.locator("#login-error").inner_text()
