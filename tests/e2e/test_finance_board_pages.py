"""In headless Chromium against a real ``wintertrack serve --demo``: finance's spend sheet, ledger
upload (bad rows, confirmation, re-upload, XLSX), funds and allocations; the board's diversion,
status change and bed target; the admin's users page; a refused role. Every page is screenshotted,
checked by axe-core at WCAG 2.2 AA and checked for sideways scrolling at 320 px wide."""

from __future__ import annotations

import io

import httpx
from openpyxl import Workbook
from playwright.sync_api import Browser

from capacity.users import token_id
from tests.support.browser import check, sign_in, upload
from tests.support.server import Server, events_after, head

P = "QM7-2022-23"
LEDGER = (
    "scheme,amount_gbp,basis\n"
    "imc-beds-enh,1200.50,actual\n"
    "no-such-scheme,10,actual\n"
    "hct-bridging-enh,lots,actual\n"
    "dta-beds-herts,99,estimate\n"
    "hct-bridging-enh,800,accrual\n"
)


def test_finance_records_and_corrects_spend(browser: Browser, server: Server) -> None:
    finance = sign_in(browser, server, "finance")
    before = head(server)
    finance.goto(f"{server.url}/finance/spend?month=2022-10")
    assert "M7 Oct 2022" in finance.locator("#month-picker").inner_text()
    assert finance.input_value("#amount-imc-beds-enh") != ""  # stored figures are pre-filled
    check(finance, "finance-spend")
    finance.fill("#amount-smart-ed-specialist-review-whth", "100.00")
    finance.fill("#amount-shrodells-refurb", "5000")
    finance.click("form.card:not(.picker) button[type=submit]")
    error = finance.locator("#reason-smart-ed-specialist-review-whth-error")
    assert "required for a correction" in error.inner_text()
    assert (
        "recorded £5,000.00"
        in finance.locator('#results [data-scheme="shrodells-refurb"]').inner_text()
    )
    check(finance, "finance-spend-refused")
    finance.fill(
        "#reason-smart-ed-specialist-review-whth", "ledger posted to the wrong cost centre"
    )
    finance.click("form.card:not(.picker) button[type=submit]")
    row = finance.locator('#results [data-scheme="smart-ed-specialist-review-whth"]')
    assert "corrected to £100.00" in row.inner_text()
    kinds = [e["event_type"] for e in events_after(server, before)]
    assert kinds.count("MonthlySpend.SpendRecorded") == 1, kinds
    assert kinds.count("MonthlySpend.SpendCorrected") == 1, kinds


def test_finance_uploads_a_ledger_then_again_then_an_xlsx(browser: Browser, server: Server) -> None:
    finance = sign_in(browser, server, "finance")
    finance.goto(f"{server.url}/finance/ledger?month=2022-11")
    check(finance, "finance-ledger")
    before = head(server)
    upload(finance, server, "2022-11", "ledger.csv", LEDGER.encode(), "text/csv")
    bad = {
        int(line): finance.locator(f'#bad-rows tr[data-line="{line}"]').inner_text()
        for line in (3, 4, 5)
    }
    assert "unknown scheme" in bad[3]
    assert "amount" in bad[4]
    assert "actual or accrual" in bad[5]
    assert "appears twice" in finance.locator('#bad-rows tr[data-line="6"]').inner_text()
    assert finance.locator("#good-rows tr[data-line]").count() == 1
    check(finance, "finance-ledger-preview")
    finance.click("form.card button[type=submit]")
    # the confirmation redirects to the spend sheet, which lists each row's result
    assert "stored £1,200.50" in finance.locator("#results li", has_text="Line 2 ").inner_text()
    check(finance, "finance-ledger-done")
    stored = [e for e in events_after(server, before) if e["event_type"].startswith("MonthlySpend")]
    assert len(stored) == 1

    again = head(server)
    upload(finance, server, "2022-11", "ledger.csv", LEDGER.encode(), "text/csv")
    assert "0 rows to store, 1 already stored" in finance.inner_text("#preview-summary")
    assert finance.locator("form.card button[type=submit]").is_disabled()
    assert events_after(server, again) == []  # nothing stored twice

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Scheme", "Amount_GBP", "Basis"])
    sheet.append(["dta-beds-herts", 4321.5, "accrual"])
    sheet.append(["pts-vehicles", "not money", "actual"])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    upload(finance, server, "2022-11", "ledger.xlsx", buffer.getvalue(), xlsx)
    assert "amount" in finance.locator('#bad-rows tr[data-line="3"]').inner_text()
    finance.click("form.card button[type=submit]")
    line_2 = finance.locator("#results li", has_text="Line 2 ").inner_text()
    assert "stored £4,321.50 (accrual)" in line_2


def test_finance_records_funds_and_an_allocation(browser: Browser, server: Server) -> None:
    finance = sign_in(browser, server, "finance")
    before = head(server)
    finance.goto(f"{server.url}/finance/funds")
    check(finance, "finance-funds")
    finance.select_option("#funding_stream", "revenue")
    finance.fill("#amount_gbp", "250000.00")
    finance.fill("#received_on", "2022-11-15")
    finance.click("form.card button[type=submit]")
    assert "Recorded £250,000.00" in finance.inner_text("#message")
    finance.goto(f"{server.url}/finance/allocations")
    check(finance, "finance-allocations")
    finance.select_option("#funding_stream", "revenue")
    finance.fill("#amount_gbp", "7600000")
    finance.click("form.card button[type=submit]")
    assert "is required" in finance.inner_text("#reason-error")
    finance.fill("#reason", "NHSE letter of 1 November")
    finance.click("form.card button[type=submit]")
    assert "£7,600,000.00" in finance.inner_text('#allocations [data-stream="revenue"]')
    kinds = [e["event_type"] for e in events_after(server, before)]
    assert kinds.count("Programme.FundsReceived") == 1, kinds
    assert kinds.count("Programme.AllocationRevised") == 1, kinds
    finance.goto(f"{server.url}/returns?month=2022-10")
    assert finance.get_attribute("#open-return", "href") == "/returns/2022-10"
    check(finance, "finance-returns")


def test_board_diverts_pauses_and_revises_the_target(browser: Browser, server: Server) -> None:
    board = sign_in(browser, server, "board")
    before = head(server)
    board.goto(f"{server.url}/board/diversions")
    check(board, "board-diversions")
    candidate = board.locator('#candidates tr[data-scheme="smart-ed-specialist-review-whth"] a')
    candidate.click()
    assert board.input_value("#from_scheme") == "smart-ed-specialist-review-whth"
    amount = board.input_value("#amount_gbp")
    assert float(amount) > 0
    board.select_option("#to_scheme", "imc-beds-enh")
    board.fill("#decision_ref", "UEC board minute 22/114")
    board.fill("#decided_on", "2022-11-18")
    board.click("#diversion-form button[type=submit]")
    assert "Diverted" in board.inner_text("#message")
    board.goto(f"{server.url}/board/status")
    check(board, "board-status")
    board.select_option("#scheme", "pts-vehicles")
    board.select_option("#action", "pause")
    board.fill("#on", "2022-11-19")
    board.fill("#reason", "vehicles off the road")
    board.click("form.card button[type=submit]")
    assert "paused" in board.inner_text('#statuses [data-scheme="pts-vehicles"] .status')
    board.goto(f"{server.url}/board/bed-target")
    check(board, "board-bed-target")
    board.fill("#bed_target", "150")
    board.fill("#reason", "ten mental health beds now count")
    board.click("form.card button[type=submit]")
    assert board.inner_text("#bed-target") == "150"
    kinds = [e["event_type"] for e in events_after(server, before)]
    for kind in ("Scheme.FundingDivertedOut", "Scheme.FundingDivertedIn", "Scheme.SchemePaused"):
        assert kinds.count(kind) == 1, kinds
    assert kinds.count("Programme.BedTargetRevised") == 1, kinds


def test_admin_adds_a_user_and_revokes_the_token(browser: Browser, server: Server) -> None:
    admin = sign_in(browser, server, "admin")
    admin.goto(f"{server.url}/admin/users")
    check(admin, "admin-users")
    admin.fill("#name", "new-lead")
    admin.select_option("#role", "lead")
    admin.click("form.card:has(#name) button[type=submit]")
    assert "a lead must be bound" in admin.inner_text("#errors")
    admin.check("#scheme-imc-beds-enh")
    admin.click("form.card:has(#name) button[type=submit]")
    token = admin.inner_text("#token-value")
    check(admin, "admin-user-added")
    api = f"{server.url}/api/v1/programmes/{P}"
    assert httpx.get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert admin.inner_text('#users [data-user="new-lead"] .live') == "1"
    admin.goto(f"{server.url}/admin/users")
    admin.select_option("#token_id", str(token_id(token)))
    admin.fill("#revoke_reason", "left the team")
    admin.click("form.card:has(#token_id) button[type=submit]")
    assert "revoked" in admin.inner_text("#message")
    assert admin.inner_text('#users [data-user="new-lead"] .live') == "0"
    assert httpx.get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_board_gets_a_403_page_on_a_finance_form(browser: Browser, server: Server) -> None:
    board = sign_in(browser, server, "board")
    board.goto(f"{server.url}/board/status")
    csrf = board.get_attribute("input[name=csrf]", "value")
    before = head(server)
    response = board.goto(f"{server.url}/finance/spend")
    assert response is not None and response.status == 403
    assert "only finance or admin" in board.inner_text("#forbidden")
    check(board, "board-refused-finance")
    posted = board.request.post(
        f"{server.url}/finance/funds",
        form={
            "csrf": csrf or "",
            "funding_stream": "revenue",
            "amount_gbp": "1",
            "received_on": "2022-11-15",
            "idempotency_key": "web-board-try",
        },
    )
    assert posted.status == 403
    assert events_after(server, before) == []


def test_finance_upload_by_keyboard_moves_focus_to_the_error_summary(
    browser: Browser, server: Server
) -> None:
    finance = sign_in(browser, server, "finance")
    finance.goto(f"{server.url}/finance/ledger?month=2022-11")
    finance.focus("#month")
    finance.keyboard.press("Tab")
    assert finance.evaluate("document.activeElement.id") == "file"
    finance.keyboard.press("Tab")
    assert finance.evaluate("document.activeElement.textContent") == "Preview upload"
    finance.keyboard.press("Enter")
    finance.wait_for_selector("#errors")
    assert finance.evaluate("document.activeElement.id") == "errors"
    assert "choose a .csv or .xlsx file" in finance.inner_text("#errors")
    finance.keyboard.press("Tab")  # the summary's link to the field comes next
    assert finance.evaluate("document.activeElement.getAttribute('href')") == "#file"
    check(finance, "finance-ledger-refused")


def test_a_form_without_its_csrf_token_stores_nothing(browser: Browser, server: Server) -> None:
    finance = sign_in(browser, server, "finance")
    before = head(server)
    posted = finance.request.post(
        f"{server.url}/finance/funds",
        form={"funding_stream": "capital", "amount_gbp": "5", "received_on": "2022-11-15"},
    )
    assert posted.status == 422
    assert "the form expired" in posted.text()
    assert events_after(server, before) == []


def test_the_returns_index_lists_a_submitted_revision_with_its_download(
    browser: Browser, server: Server
) -> None:
    finance = sign_in(browser, server, "finance")
    finance.goto(f"{server.url}/returns/2022-10")
    finance.click("#sign-off-form button[type=submit]")  # a submission needs a sign-off
    assert "Signed off by" in finance.inner_text("#sign-off-state")
    check(finance, "finance-return-signed-off")
    finance.click("form[action^='/returns/2022-10/submit'] button[type=submit]")
    finance.goto(f"{server.url}/returns")
    finance.select_option("#month", "2022-10")
    finance.click("#return-picker button[type=submit]")
    assert finance.get_attribute("#open-return", "href") == "/returns/2022-10"
    link = finance.locator('#revisions tr[data-month="2022-10"] a').first
    assert "revision 1 of 2022-10" in link.inner_text()
    check(finance, "finance-returns-submitted")
    download = finance.request.get(f"{server.url}{link.get_attribute('href')}")
    assert download.status == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "smart-ed-specialist-review-whth" in download.text()
