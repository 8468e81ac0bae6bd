"""UK input in headless Chromium against a real ``wintertrack serve --demo`` on 20 Jan 2023:
amounts typed with a pound sign and thousands separators ("31,250.00", "£1,000") and days typed
as 16/01/2023 are accepted on the forms, whatever the browser's locale; an impossible day is
refused in words. The lead's day entry (from "copy the day before's figures") and the finance
spend sheet are done with the keyboard alone. Beds occupied 40 with 4 open is held back, on the
web and the API, until a comment confirms it. Pages are checked by axe-core and at 320 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from tests.support.browser import check, sign_in, tab_to
from tests.support.server import Server, events_after, head, start_server

P = "QM7-2022-23"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(Path(tmp_path_factory.mktemp("server")), demo_date="2023-01-20")
    yield running
    running.stop()


def test_funds_accept_pounds_with_commas_and_a_uk_date(browser: Browser, server: Server) -> None:
    finance = sign_in(browser, server, "finance")
    before = head(server)
    finance.goto(f"{server.url}/finance/funds")
    assert finance.get_attribute("#received_on", "type") == "text"  # never the locale's picker
    assert "16/01/2023" in finance.inner_text("#received_on-hint")
    finance.select_option("#funding_stream", "revenue")
    finance.fill("#amount_gbp", "£1,000")
    finance.fill("#received_on", "31/02/2023")
    finance.click("form.card button[type=submit]")
    refused = finance.inner_text("#received_on-error")
    assert "real date" in refused and "16/01/2023" in refused, refused
    check(finance, "uk-input-funds-refused")
    assert events_after(server, before) == []
    finance.fill("#amount_gbp", "£1,000")
    finance.fill("#received_on", "16/01/2023")
    finance.click("form.card button[type=submit]")
    assert "Recorded £1,000.00 received for revenue" in finance.inner_text("#message")
    stored = [
        e for e in events_after(server, before) if e["event_type"] == "Programme.FundsReceived"
    ]
    assert len(stored) == 1, stored
    assert "2023-01-16" in str(stored[0]) and "1000.00" in str(stored[0]), stored[0]
    finance.close()


def test_a_diversion_takes_a_uk_amount_and_date(browser: Browser, server: Server) -> None:
    board = sign_in(browser, server, "board")
    before = head(server)
    board.goto(f"{server.url}/board/diversions")
    board.select_option("#from_scheme", "smart-ed-specialist-review-whth")
    board.select_option("#to_scheme", "imc-beds-enh")
    board.fill("#amount_gbp", "£1,000.00")
    board.fill("#decision_ref", "UEC board minute 23/007")
    board.fill("#decided_on", "16/01/2023")
    board.click("#diversion-form button[type=submit]")
    assert "Diverted £1,000.00 from" in board.inner_text("#message")
    kinds = [e["event_type"] for e in events_after(server, before)]
    assert kinds.count("Scheme.FundingDivertedOut") == 1, kinds
    board.close()


def test_the_spend_sheet_by_keyboard_with_thousands_separators(
    browser: Browser, server: Server
) -> None:
    finance = sign_in(browser, server, "finance")
    before = head(server)
    finance.goto(f"{server.url}/finance/spend?month=2023-01")
    empty = finance.evaluate(
        "() => [...document.querySelectorAll('input[id^=amount-]')]"
        ".find((box) => box.value === '').id"
    )
    code = empty.removeprefix("amount-")
    check(finance, "uk-input-spend")
    tab_to(finance, f"#{empty}")
    finance.keyboard.type("31,250.00")
    finance.keyboard.press("Enter")  # submits the sheet from the box, no mouse
    row = finance.locator(f'#results [data-scheme="{code}"]')
    assert "recorded £31,250.00" in row.inner_text()
    kinds = [e["event_type"] for e in events_after(server, before)]
    assert kinds.count("MonthlySpend.SpendRecorded") == 1, kinds
    finance.close()


def test_a_lead_copies_the_day_before_and_saves_it_by_keyboard(
    browser: Browser, server: Server
) -> None:
    lead = sign_in(browser, server, "lead")
    check(lead, "uk-input-home-lead")
    link = lead.locator("a.copy-yesterday").first
    href = link.get_attribute("href")
    assert href is not None and "copy=" in href
    code = href.split("/schemes/")[1].split("?")[0]
    day = href.split("copy=")[1]
    tab_to(lead, f'a.copy-yesterday[href="{href}"]')
    lead.keyboard.press("Enter")
    lead.wait_for_selector("#copied")
    year, month, dom = day.split("-")
    assert lead.input_value("#date") == f"{dom}/{month}/{year}"
    assert lead.input_value("#beds_equivalent") != ""  # the day before's figure, to review
    check(lead, "uk-input-copied-day")
    before = head(server)
    tab_to(lead, "form.card button[type=submit]")
    lead.keyboard.press("Enter")
    lead.wait_for_selector("#message")
    assert "saved" in lead.inner_text("#message")
    stored = [
        e for e in events_after(server, before) if e["event_type"].endswith("FiguresReported")
    ]
    assert len(stored) == 1 and code in str(stored[0]) and day in str(stored[0]), stored
    lead.close()


def test_occupied_40_with_4_open_asks_for_a_comment_then_keeps_it(
    browser: Browser, server: Server
) -> None:
    url = f"{server.url}/api/v1/programmes/{P}/schemes/imc-beds-enh/daily"
    figures = {"date": "2023-01-20", "beds_occupied": 40}
    before = head(server)
    held = httpx.post(url, json=figures, headers=server.headers("lead"), timeout=30)
    assert held.status_code == 409, held.text
    assert "confirm_comment" in held.text and "beds occupied (40)" in held.text
    assert events_after(server, before) == []  # the API holds it back too

    lead = sign_in(browser, server, "lead")
    before = head(server)  # after signing in, which records a session
    lead.goto(f"{server.url}/schemes/imc-beds-enh")
    lead.fill("#date", "20/01/2023")
    lead.fill("#beds_occupied", "40")
    lead.click("form.card button[type=submit]")
    question = lead.inner_text("#confirm_comment-error")
    assert "beds occupied (40) is more than the" in question and "20 Jan 2023" in question
    assert lead.input_value("#beds_occupied") == "40"  # the figures are kept to confirm
    check(lead, "warning-asks-for-a-comment")
    assert events_after(server, before) == []
    comment = "escalation beds used overnight; the bed change follows"
    lead.fill("#confirm_comment", comment)
    lead.click("form.card button[type=submit]")
    assert "Figures for 20 Jan 2023 saved" in lead.inner_text("#message")
    stored = [e for e in events_after(server, before) if e["event_type"].endswith("Reported")]
    assert len(stored) == 1 and comment in str(stored[0]), stored
    lead.goto(f"{server.url}/schemes/imc-beds-enh/history")
    assert f"confirmed as right: {comment}" in lead.inner_text("main")
    lead.close()
