"""Every page people use, checked by axe-core at WCAG 2.2 AA (0 violations) and for sideways
scrolling at 320 px, as each role sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.test_browser import sign_in
from tests.e2e.test_finance_board_pages import check
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
