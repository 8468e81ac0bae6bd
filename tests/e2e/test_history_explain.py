"""In Chromium: the history reads as sentences and filters by kind; every dashboard figure opens
its working; a lead enters a day's figures by keyboard alone, and a refusal moves focus to the
error summary. Each page checked by axe-core at WCAG 2.2 AA and at 320 px."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page

from tests.support.browser import check, sign_in
from tests.support.server import Server, events_after, head

SCHEME = "hct-bridging-enh"


def _figure(page: Page, selector: str) -> float:
    text = page.inner_text(selector)
    found = re.search(r"-?[\d,]+\.?\d*", text)
    assert found, text
    return float(found.group(0).replace(",", ""))


def test_a_board_member_opens_the_working_behind_each_figure(
    browser: Browser, server: Server
) -> None:
    board = sign_in(browser, server, "board")
    total = _figure(board, "#delivered-month")
    board.focus("#explain-total")
    board.keyboard.press("Enter")
    board.wait_for_selector("#counted")
    assert round(_figure(board, "#total-sum strong"), 1) == total
    check(board, "explain-system-total")

    board.click(f"#counted tr[data-scheme='{SCHEME}'] a")
    board.wait_for_selector("#days")
    days = board.locator("#days tbody tr").count()
    assert days == 19  # 1 to 19 November: the full days before the server's today, the 20th
    assert "over 19 days" in board.inner_text("#delivered-working")
    assert "days reported" in board.inner_text("#completeness-working")
    trail = board.locator("#days ul.trail li").first.inner_text()
    assert "reported beds-equivalent" in trail and "event" in trail
    check(board, "explain-scheme-month")

    board.click("#spend-link")
    board.wait_for_selector("#months")
    assert "Spend to date £" in board.inner_text("#spend-working")
    assert board.locator("#months tbody tr").count() == 2  # October and November
    check(board, "explain-scheme-spend")

    answer = board.goto(f"{server.url}/explain/2030-01")
    assert answer is not None and answer.status == 422
    answer = board.goto(f"{server.url}/explain/not-a-month")
    assert answer is not None and answer.status == 422
    answer = board.goto(f"{server.url}/explain/2022-11/schemes/no-such-scheme")
    assert answer is not None and answer.status == 404
    board.close()


def test_history_reads_as_sentences_and_filters_by_kind(browser: Browser, server: Server) -> None:
    lead = sign_in(browser, server, "lead")
    lead.goto(f"{server.url}/schemes/{SCHEME}")
    latest = lead.locator("#history li").all_inner_texts()
    assert 0 < len(latest) <= 10
    assert all("{" not in line and " — " in line for line in latest), latest
    lead.click("#full-history")
    lead.wait_for_selector("#history-filter")
    assert lead.locator("#history-lines li").count() == 25
    assert "Page 1 of" in lead.inner_text("nav.pager")
    lead.select_option("#kind", "spend")
    lead.click("#history-filter button[type=submit]")
    kinds = {
        k
        for k in lead.locator("#history-lines li").evaluate_all(
            "items => items.map(i => i.dataset.kind)"
        )
    }
    assert kinds == {"spend"}
    assert "spend £" in lead.inner_text("#history-lines")
    check(lead, "history-spend")
    lead.select_option("#kind", "")
    lead.click("#history-filter button[type=submit]")
    lead.click("#older")
    assert "Page 2 of" in lead.inner_text("nav.pager")
    lead.close()


def test_a_lead_enters_a_day_by_keyboard_and_the_error_summary_takes_focus(
    browser: Browser, server: Server
) -> None:
    lead = sign_in(browser, server, "lead")
    before = head(server)
    lead.goto(f"{server.url}/schemes/{SCHEME}")
    lead.fill("#date", "2022-11-20")  # (Tab steps through a date field's own day/month/year)
    lead.focus("#beds_equivalent")
    order = []
    for _ in range(3):
        lead.keyboard.press("Tab")
        order.append(lead.evaluate("document.activeElement.id"))
    assert order == ["beds_occupied", "discharges_p0", "discharges_p1"]  # the form's order
    lead.focus("#beds_equivalent")
    lead.keyboard.type("lots")
    lead.keyboard.press("Enter")
    lead.wait_for_selector("#errors")
    assert lead.evaluate("document.activeElement.id") == "errors"
    assert "beds_equivalent" in lead.inner_text("#errors")
    lead.keyboard.press("Tab")  # the summary's link to the field comes next
    assert lead.evaluate("document.activeElement.getAttribute('href')") == "#beds_equivalent"
    lead.keyboard.press("Enter")
    assert lead.evaluate("document.activeElement.id") == "beds_equivalent"
    outline = lead.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    check(lead, "lead-daily-refused")
    assert events_after(server, before) == []

    lead.fill("#beds_equivalent", "")
    lead.keyboard.type("7.5")
    lead.keyboard.press("Enter")
    lead.wait_for_selector("#message")
    assert "Figures for 20 Nov 2022 saved" in lead.inner_text("#message")
    stored = [e["event_type"] for e in events_after(server, before)]
    assert stored == ["DailyReport.DailyFiguresReported"]
    lead.close()
