"""The demo prints a one-time sign-in link per role (in Chromium against `serve --demo`): the
link's button signs the lead in once, lands on their schemes, and the same link is refused
afterwards, in words, on an accessible page."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.support.browser import check
from tests.support.server import Server


def test_the_printed_link_signs_in_once_and_is_refused_the_second_time(
    browser: Browser, server: Server
) -> None:
    assert set(server.links) == {"admin", "board", "finance", "lead"}
    link = server.links["lead"]
    assert link.startswith(f"{server.url}/login/link/")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(link)
    check(page, "sign-in-link")
    page.click("#link-sign-in")
    page.wait_for_url(f"{server.url}/")
    assert page.inner_text("h1") == "Your schemes"
    page.close()

    other = browser.new_context().new_page()
    other.goto(link)
    assert "already been used" in other.inner_text("#login-error")
    check(other, "sign-in-link-used")
    other.goto(f"{server.url}/")  # not signed in: sent to the sign-in page
    assert "/login" in other.url
    other.close()
