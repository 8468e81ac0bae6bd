"""In headless Chromium against a real ``wintertrack serve --demo`` on 16 January 2023: a
return submitted, then the page reloaded and Back pressed, is stored as one revision, and the
page says so; the month in progress is not offered for submission."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from tests.support.browser import sign_in
from tests.support.server import Server, start_server

P = "QM7-2022-23"


@pytest.fixture(scope="module")
def january(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(Path(tmp_path_factory.mktemp("jan")), demo_date="2023-01-16")
    yield running
    running.stop()


def revisions(server: Server, month: str) -> int:
    answer = httpx.get(
        f"{server.url}/api/v1/programmes/{P}/returns/{month}/submissions",
        headers=server.headers("finance"),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return len(answer.json())


def test_submit_reload_and_back_store_one_revision(january: Server, browser: Browser) -> None:
    page = sign_in(browser, january, "finance")
    page.goto(f"{january.url}/returns/2022-12?programme={P}")
    assert "Not yet submitted" in page.inner_text("main")
    before = revisions(january, "2022-12")
    page.click("#sign-off-form button[type=submit]")  # a submission needs a sign-off first
    page.wait_for_selector("#message")
    assert "Signed off these figures" in page.inner_text("#message")
    page.click("form[action^='/returns/2022-12/submit'] button[type=submit]")
    page.wait_for_selector("#message")
    assert "Submitted as revision 1" in page.inner_text("#message")
    page.reload()
    assert "submitted as revision 1" in page.inner_text("main")
    page.go_back()
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "submitted as revision 1" in text and "Not yet submitted" not in text
    after = revisions(january, "2022-12")
    print(f"\n[return-once] revisions before={before} after submit, reload, Back={after}")
    assert (before, after) == (0, 1)


def test_the_month_in_progress_is_not_offered(january: Server, browser: Browser) -> None:
    page = sign_in(browser, january, "finance")
    page.goto(f"{january.url}/returns/2023-01?programme={P}")
    assert page.locator("form[action^='/returns/2023-01/submit']").count() == 0
    assert "has not ended" in page.inner_text("#not-yet")
    refused = httpx.post(
        f"{january.url}/api/v1/programmes/{P}/returns/2023-02/submit",
        headers=january.headers("finance"),
        timeout=30,
    )
    assert refused.status_code == 422 and "M11" in refused.text
