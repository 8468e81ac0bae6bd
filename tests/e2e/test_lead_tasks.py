"""A scheme lead's tasks in Chromium: beds opened and closed, go-live, narrative; offered only
on the lead's own schemes; axe-core at WCAG 2.2 AA and 320 px on the page."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser

from tests.support.browser import check, sign_in
from tests.support.server import Server, events_after

SCHEME = "imc-beds-enh"


def test_a_lead_records_beds_go_live_and_narrative(browser: Browser, server: Server) -> None:
    lead = sign_in(browser, server, "lead")
    lead.goto(f"{server.url}/schemes/{SCHEME}")
    lead.click("#scheme-tasks")
    check(lead, "lead-tasks")
    before = int(httpx.get(f"{server.url}/readyz").json()["store_position"])

    lead.fill("#date", "2022-11-10")
    lead.fill("#change", "3")
    lead.fill("#reason", "winter ward opened")
    lead.click("text=Record the bed change")
    assert "Recorded a change of 3 core beds" in lead.inner_text("#message")
    lead.fill("#date", "2022-11-12")
    lead.fill("#change", "-1")
    lead.fill("#reason", "infection closure")
    lead.click("text=Record the bed change")
    lead.fill("#narrative", "Three beds open from the 10th; one closed for infection control")
    lead.click("text=Save the narrative")
    assert "Narrative saved" in lead.inner_text("#message")
    lead.fill("#change", "lots")
    lead.fill("#date", "2022-11-13")
    lead.click("text=Record the bed change")
    assert "Change must be a number" in lead.inner_text("#errors")
    check(lead, "lead-tasks-error")

    stored = [e["event_type"] for e in events_after(server, before)]
    assert stored.count("Scheme.BedsOpened") == 1 and stored.count("Scheme.BedsClosed") == 1
    assert "Scheme.NarrativeUpdated" in stored
    lead.close()


def test_the_board_gets_no_lead_forms_and_stores_nothing(browser: Browser, server: Server) -> None:
    board = sign_in(browser, server, "board")
    board.goto(f"{server.url}/schemes/{SCHEME}")
    assert board.locator("#scheme-tasks").count() == 0
    answer = board.goto(f"{server.url}/schemes/{SCHEME}/tasks")
    assert answer is not None and answer.status == 403
    before = int(httpx.get(f"{server.url}/readyz").json()["store_position"])
    posted = board.request.post(
        f"{server.url}/schemes/{SCHEME}/tasks/narrative",
        form={"narrative": "board wrote this", "csrf": "x"},
    )
    assert posted.status == 403
    assert int(httpx.get(f"{server.url}/readyz").json()["store_position"]) == before
    board.close()


UPLOAD = (
    "scheme_code,date,beds_equivalent,beds_occupied,discharges_p0,discharges_p1,"
    "discharges_p2,discharges_p3,patients_supported,hours_delivered,narrative\n"
    "hct-bridging-enh,2022-11-01,4,,1,,,,,,\n"  # already stored by the demo: different figures
    "hct-bridging-enh,2022-11-20,5,,2,1,,,9,,from the provider system\n"
    "hct-bridging-enh,2022-11-20,6,,,,,,,,\n"  # the same day twice
    "no-such-scheme,2022-11-20,1,,,,,,,,\n"
    "pts-vehicles,2022-11-20,1,,,,,,,,\n"  # not one of this lead's schemes
    "smart-ed-specialist-review-whth,2022-11-20,-3,,,,,,,,\n"
)


def test_a_lead_uploads_daily_figures_with_a_preview_and_no_duplicates(
    browser: Browser, server: Server, tmp_path: object
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "daily.csv"
    path.write_text(UPLOAD)
    lead = sign_in(browser, server, "lead")
    before = int(httpx.get(f"{server.url}/readyz").json()["store_position"])
    for attempt in range(2):
        lead.goto(f"{server.url}/upload/daily")
        check(lead, "lead-upload") if attempt == 0 else None
        lead.set_input_files("#file", str(path))
        lead.click("text=Preview upload")
        bad = {
            int(r.get_attribute("data-line") or 0): r.inner_text()
            for r in lead.locator("#bad-rows tbody tr").all()
        }
        if attempt == 0:
            check(lead, "lead-upload-preview")
            assert set(bad) == {2, 4, 5, 6, 7}, bad
            assert "different figures" in bad[2] and "twice" in bad[4]
            assert "may not" in bad[6] or "not" in bad[6]
            lead.click("text=Store the good rows (1)")
            assert "1 row(s) stored" in lead.inner_text("#message")
        else:
            assert "0 rows to store, 1 already stored" in lead.inner_text("#preview-summary")
    stored = [e["event_type"] for e in events_after(server, before)]
    assert stored.count("DailyReport.DailyFiguresReported") == 1
    lead.close()
