"""Spend well above the month's profile asks before it is stored (docs/rules.md §13a), against
a real ``wintertrack serve --demo`` on 20 Jan 2023: the API answers 409 naming
``confirm_comment`` and stores nothing, then 201 with a comment kept in the event and the
history; in Chromium finance types an over-profile figure on the spend sheet, reads the warning
in words, adds a comment and saves, and reload and Back store nothing more; a ledger upload's
review step asks for a comment on each such row and stores it only with one."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from tests.support.browser import check, sign_in, upload
from tests.support.server import Server, events_after, head, start_server

P = "QM7-2022-23"
MONTH = "2023-01"  # under way on the demo's day, and not yet entered


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(Path(tmp_path_factory.mktemp("server")), demo_date="2023-01-20")
    yield running
    running.stop()


def _get(server: Server, path: str, **params: str) -> Any:
    answer = httpx.get(
        f"{server.url}/api/v1/programmes/{P}{path}",
        params=params,
        headers=server.headers("finance"),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def profiled(server: Server, count: int) -> list[tuple[str, Decimal]]:
    """Schemes with a profile for the month and no spend in it yet: (code, the profile)."""
    found = []
    for scheme in _get(server, "/schemes"):
        spend = _get(server, f"/explain/schemes/{scheme['code']}/spend", month=MONTH)
        month = next(m for m in spend["months"] if m["month"] == MONTH)
        if Decimal(month["profile_gbp"]) > 0 and Decimal(month["spend_gbp"]) == 0:
            found.append((scheme["code"], Decimal(month["profile_gbp"])))
        if len(found) == count:
            return found
    raise AssertionError(f"the demo has fewer than {count} schemes with a profile in {MONTH}")


def spend_stored(server: Server, after: int, code: str) -> list[dict[str, Any]]:
    return [
        e
        for e in events_after(server, after)
        if e["event_type"].endswith("SpendRecorded") and e["data"]["scheme_code"] == code
    ]


@pytest.fixture(scope="module")
def schemes(server: Server) -> list[tuple[str, Decimal]]:
    return profiled(server, 5)


def test_the_api_holds_over_profile_spend_until_a_comment_confirms_it(
    server: Server, schemes: list[tuple[str, Decimal]]
) -> None:
    code, profile = schemes[0]
    url = f"{server.url}/api/v1/programmes/{P}/schemes/{code}/spend"
    over = (profile * Decimal("1.5") + Decimal("0.01")).quantize(Decimal("0.01"))
    body = {"month": MONTH, "amount_gbp": str(over), "basis": "actual"}
    before = head(server)
    held = httpx.post(url, json=body, headers=server.headers("finance"), timeout=30)
    assert held.status_code == 409, held.text
    [detail] = held.json()["detail"]
    assert detail["loc"] == ["body", "confirm_comment"]
    assert f"£{over:,.2f} is more than 50% above the profile of £{profile:,.2f}" in detail["msg"]
    assert events_after(server, before) == []  # nothing stored

    comment = "agency invoices for December paid in January"
    stored = httpx.post(
        url,
        json={**body, "confirm_comment": comment},
        headers=server.headers("finance"),
        timeout=30,
    )
    assert stored.status_code == 201, stored.text
    [event] = spend_stored(server, before, code)
    assert event["data"]["confirm_comment"] == comment
    history = _get(server, f"/schemes/{code}/history")
    said = [e["text"] for e in history if e["event"] == "SpendRecorded" and MONTH in str(e)]
    assert any(f"(confirmed as right: {comment})" in text for text in said), said


def test_finance_confirms_over_profile_spend_on_the_sheet(
    browser: Browser, server: Server, schemes: list[tuple[str, Decimal]]
) -> None:
    code, profile = schemes[1]
    over = (profile * 2).quantize(Decimal("0.01"))
    page = sign_in(browser, server, "finance")
    before = head(server)  # after signing in, which records a session
    page.goto(f"{server.url}/finance/spend?month={MONTH}")
    assert page.locator(f"#comment-{code}").count() == 0  # asked only when it looks wrong
    page.fill(f"#amount-{code}", f"£{over:,.2f}")  # typed as people type money
    page.click("form.card:not(.picker) button[type=submit]")
    question = page.inner_text(f"#comment-{code}-error")
    assert f"£{over:,.2f} is more than 50% above the profile of £{profile:,.2f}" in question
    assert "M10 (Jan 2023)" in question and "add a comment saying why" in question
    assert "Comment confirming the amount for" in page.inner_text("#errors")
    assert page.input_value(f"#amount-{code}").replace(",", "") == f"{over}"  # kept to confirm
    check(page, "spend-warning-asks-for-a-comment")
    assert spend_stored(server, before, code) == []

    comment = "winter pressures: extra agency shifts approved by the director"
    page.fill(f"#comment-{code}", comment)
    page.click("form.card:not(.picker) button[type=submit]")
    page.wait_for_selector("#message")
    assert f"recorded £{over:,.2f} (actual)" in page.inner_text(
        f"#results li[data-scheme='{code}']"
    )
    page.reload()
    try:
        page.go_back()  # to the sheet that asked: a form post's answer, which is not re-sent
        page.wait_for_load_state()
    except PlaywrightError as error:
        assert "ERR_CACHE_MISS" in str(error), error  # Chromium will not post it again unasked
    stored = spend_stored(server, before, code)
    said = f"{code}: spend stored after the warning, save, reload, Back: {len(stored)}"
    print(f"\n[spend-warning] {said}")
    assert len(stored) == 1 and stored[0]["data"]["confirm_comment"] == comment

    page.close()
    history = sign_in(browser, server, "finance")  # a fresh tab, away from Chromium's error page
    history.goto(f"{server.url}/schemes/{code}/history")
    assert f"confirmed as right: {comment}" in history.inner_text("main")
    check(history, "spend-warning-comment-in-history")
    history.close()


def test_the_ledger_review_asks_for_a_comment_on_each_row_that_looks_wrong(
    browser: Browser, server: Server, schemes: list[tuple[str, Decimal]]
) -> None:
    (confirmed, c_profile), (left, l_profile), (plain, p_profile) = schemes[2:5]
    rows = [
        (confirmed, c_profile * 3),  # line 2: looks wrong, confirmed with a comment
        (left, l_profile * 3),  # line 3: looks wrong, left without one
        (plain, p_profile),  # line 4: on profile
    ]
    ledger = "scheme,amount_gbp,basis\n" + "".join(
        f'{code},"£{amount:,.2f}",actual\n' for code, amount in rows
    )
    page = sign_in(browser, server, "finance")
    before = head(server)
    upload(page, server, MONTH, "january.csv", ledger.encode(), "text/csv")
    assert "3 rows to store" in page.inner_text("#preview-summary")
    assert "2 of the rows to store look wrong" in page.inner_text("#preview-doubts")
    asked = page.inner_text("label[for=row-2-comment]")
    assert f"more than 50% above the profile of £{c_profile:,.2f}" in asked, asked
    assert page.locator("#row-4-comment").count() == 0
    check(page, "spend-warning-ledger-review")
    assert events_after(server, before) == []  # the review stores nothing

    comment = "quarter's rent invoiced in January"
    page.fill("#row-2-comment", comment)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#results")
    results = page.inner_text("#results")
    assert f"Line 3 {left}: not stored: this spend looks wrong" in results, results
    stored = {
        e["data"]["scheme_code"]: e["data"]["confirm_comment"]
        for e in events_after(server, before)
        if e["event_type"].endswith("SpendRecorded")
    }
    assert stored == {confirmed: comment, plain: None}
    page.close()
