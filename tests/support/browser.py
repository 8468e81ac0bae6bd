"""Headless Chromium for the browser tests (Debian's chromium, driven by Playwright): signing
in as a role, and the checks every page passes (axe-core, no sideways scroll at 320 px)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.server import Server

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
AXE = Axe()
WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make deps` (installs Debian's chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def sign_in(browser: Browser, server: Server, role: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    page.goto(f"{server.url}/login")
    page.fill("#token", server.tokens[role])
    page.click("button[type=submit]")
    # Each role lands on its own home page (an administrator on the users page).
    page.wait_for_url(lambda url: url.startswith(server.url) and "/login" not in url)
    page.outside = outside  # type: ignore[attr-defined]
    return page


def check(page: Page, name: str) -> None:
    """Screenshot, axe-core at WCAG 2.2 AA (0 violations), and no sideways scroll at 320 px."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    result = AXE.run(page, options=WCAG_22_AA)
    assert result.violations_count == 0, f"{name}: {result.generate_report()}"
    page.set_viewport_size({"width": 320, "height": 800})
    try:
        wide = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(SHOTS / f"{name}-320px.png"), full_page=True)
        assert wide <= 320, f"{name} scrolls sideways at 320 px ({wide} px wide)"
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def tab_to(page: Page, selector: str, limit: int = 300) -> None:
    """Presses Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def upload(page: Page, server: Server, month: str, name: str, data: bytes, mime: str) -> None:
    page.goto(f"{server.url}/finance/ledger?month={month}")
    page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#preview-summary")
