"""Every page people use, checked by axe-core at WCAG 2.2 AA (0 violations) and for sideways
scrolling at 320 px, as each role sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.support.browser import check, sign_in
from tests.support.server import Server

PAGES = [
    ("board", "/", "dashboard"),
    ("board", "/about/numbers", "about-numbers"),
    ("board", "/schemes/imc-beds-enh", "scheme-read-only"),
    ("lead", "/schemes/imc-beds-enh", "scheme-lead"),
    ("lead", "/schemes/hct-bridging-enh?correct=2022-11-02", "scheme-correction"),
    ("finance", "/returns/2022-10", "return"),
]


@pytest.mark.parametrize(("role", "path", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_page_is_accessible(
    browser: Browser, server: Server, role: str, path: str, name: str
) -> None:
    page = sign_in(browser, server, role)
    answer = page.goto(f"{server.url}{path}")
    assert answer is not None and answer.status == 200
    check(page, f"a11y-{name}")
    page.close()


def test_sign_in_page_is_accessible(browser: Browser, server: Server) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}/login")
    check(page, "a11y-login")
    page.close()


def test_skip_link_is_the_first_tab_stop_and_moves_to_the_main_content(
    browser: Browser, server: Server
) -> None:
    page = sign_in(browser, server, "board")
    page.goto(f"{server.url}/dashboard")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").is_visible()  # shown when it has the focus
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    check(page, "a11y-skip-link")
    page.close()


def test_spend_sheet_at_320px_labels_every_box(browser: Browser, server: Server) -> None:
    page = sign_in(browser, server, "finance")
    page.goto(f"{server.url}/finance/spend?month=2022-10")
    labels = page.locator("#spend-sheet label.cell-label")
    width = "e => e.getBoundingClientRect().width"
    # At desktop width the column headings say it; the labels are for screen readers only.
    assert labels.first.evaluate(width) <= 1
    page.set_viewport_size({"width": 320, "height": 800})
    assert labels.count() >= 3
    assert all(labels.nth(i).evaluate(width) > 50 for i in range(labels.count()))
    first = labels.first.get_attribute("for")
    assert first and page.locator(f"#{first}").is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    check(page, "a11y-spend-sheet")
    page.close()
