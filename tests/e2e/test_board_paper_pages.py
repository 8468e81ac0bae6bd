"""In headless Chromium against a real ``wintertrack serve --demo`` (as of 20 Nov 2022): the
board's home page links this month's paper and the earlier month's; the cover form is refused
with the field named, then prepared (answered 303, so a reload never prepares twice); finance
signs it off; the API serves its contents and the very PDF kept. Every page is checked by
axe-core at WCAG 2.2 AA and for sideways scrolling at 320 px."""

from __future__ import annotations

import hashlib

import httpx
from playwright.sync_api import Browser

from tests.support.browser import check, sign_in
from tests.support.server import Server

P = "QM7-2022-23"
MONTH = "2022-11"
API = f"/api/v1/programmes/{P}/board-papers/{MONTH}"


def test_the_board_prepares_and_finance_signs_off_the_months_paper(
    browser: Browser, server: Server
) -> None:
    board = sign_in(browser, server, "board")
    link = board.locator("#this-month-paper")
    assert "M8 (November 2022)" in link.inner_text()
    assert "not prepared" in board.locator("#board-papers").inner_text()
    assert "M7 (October 2022)" in board.locator("#earlier-papers").inner_text()
    link.focus()
    board.keyboard.press("Enter")  # reachable from the keyboard
    board.wait_for_url(f"{server.url}/board/papers/{MONTH}?programme={P}")
    assert "No M8 (November 2022), 2022/23 paper" in board.inner_text("#paper-status")
    assert board.locator("#sign-off").count() == 0  # the board prepares; finance signs off
    check(board, "board-paper-form")

    # A cover without its agenda item: refused, the field named, nothing kept.
    board.fill("#title", "Winter schemes: delivery and spend, November 2022")
    board.fill("#author", "Head of UEC Planning")
    board.fill("#signed_off_by", "Chief Finance Officer")
    board.select_option("#purpose", "discussion")
    board.click("#prepare button[type=submit]")
    assert "Agenda item is required on the cover" in board.inner_text("#errors")
    assert board.input_value("#title") == "Winter schemes: delivery and spend, November 2022"
    check(board, "board-paper-form-refused")
    assert (
        httpx.get(
            f"{server.url}/api/v1/programmes/{P}/board-papers", headers=server.headers("board")
        ).json()
        == []
    )

    board.fill("#agenda_item", "12.1")
    board.click("#prepare button[type=submit]")
    board.wait_for_url(f"{server.url}/board/papers/{MONTH}?programme={P}&prepared=1")
    assert "Revision 1 of the 2022-11 paper is prepared" in board.inner_text("#message")
    board.reload()  # the page after the write is a GET: a reload prepares nothing
    assert board.locator("#paper-revisions tbody tr").count() == 1
    check(board, "board-paper-prepared")
    board.click("#paper-html")
    board.wait_for_selector("#appendix-schemes")
    assert "12.1" in board.inner_text("#cover")
    assert board.locator("#schemes tbody tr").count() == 28
    check(board, "board-paper-html")

    finance = sign_in(browser, server, "finance")
    finance.goto(f"{server.url}/board/papers/{MONTH}?programme={P}")
    finance.click("#sign-off button[type=submit]")
    finance.wait_for_url(f"{server.url}/board/papers/{MONTH}?programme={P}&signed=1")
    assert "signed off by icb-finance" in finance.inner_text("#paper-status")
    assert finance.locator("#sign-off").count() == 0
    check(finance, "board-paper-signed-off")

    # The API: what the paper says, and the PDF kept byte for byte.
    headers = server.headers("finance")
    found = httpx.get(f"{server.url}{API}", headers=headers, timeout=60).json()
    assert found["status"] == "signed off" and found["revision"] == 1
    assert found["contents"]["cover"]["agenda_item"] == "12.1"
    assert len(found["contents"]["schemes"]) == 28
    pdf = httpx.get(
        f"{server.url}{API}", headers={**headers, "Accept": "application/pdf"}, timeout=60
    )
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == found["sha256"]
    again = httpx.get(f"{server.url}{API}", params={"format": "pdf"}, headers=headers, timeout=60)
    assert again.content == pdf.content
    page_pdf = httpx.get(
        f"{server.url}/board/papers/{MONTH}/paper.pdf",
        params={"programme": P, "revision": 1},
        cookies=dict((c["name"], c["value"]) for c in finance.context.cookies()),
        timeout=60,
    )
    assert page_pdf.content == pdf.content

    board.goto(f"{server.url}/")
    assert "revision 1 signed off" in board.inner_text("#board-papers")


def test_refusals_store_nothing_and_never_answer_500(browser: Browser, server: Server) -> None:
    board = sign_in(browser, server, "board")
    board.goto(f"{server.url}/board/papers/{MONTH}?programme={P}")
    csrf = board.input_value("#prepare input[name=csrf]")
    cover = {
        "title": "Winter schemes",
        "agenda_item": "12",
        "author": "Head of UEC Planning",
        "signed_off_by": "Chief Finance Officer",
        "csrf": csrf,
    }
    before = httpx.get(
        f"{server.url}/api/v1/programmes/{P}/board-papers", headers=server.headers("board")
    ).json()
    not_a_month = board.request.post(
        f"{server.url}/board/papers/2022-13/prepare?programme={P}", form=cover
    )
    assert not_a_month.status == 404 and "month" in not_a_month.text()
    outside = board.request.post(
        f"{server.url}/board/papers/2021-01/prepare?programme={P}", form=cover
    )
    assert outside.status == 422 and "outside the programme period" in outside.text()
    forged = board.request.post(
        f"{server.url}/board/papers/{MONTH}/prepare?programme={P}", form={**cover, "csrf": "x"}
    )
    assert forged.status == 422 and "the form expired" in forged.text()
    signed_by_board = board.request.post(
        f"{server.url}/board/papers/{MONTH}/sign-off?programme={P}",
        form={"csrf": csrf, "revision": "1"},
    )
    assert signed_by_board.status == 403  # sign-off is finance's, as for the return
    after = httpx.get(
        f"{server.url}/api/v1/programmes/{P}/board-papers", headers=server.headers("board")
    ).json()
    assert after == before
    lead = sign_in(browser, server, "lead")  # the dashboard a lead reads offers no papers
    lead.goto(f"{server.url}/dashboard?programme={P}")
    assert lead.locator("#delivery-chart").count() == 1
    assert lead.locator("#board-papers").count() == 0
    answer = lead.goto(f"{server.url}/board/papers/{MONTH}?programme={P}")
    assert answer is not None and answer.status == 403
