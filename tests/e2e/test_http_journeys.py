"""Through a real server process and HTTP: a lead reports and corrects, the board sees it,
finance downloads and submits the return."""

from __future__ import annotations

import hashlib

import httpx

from projections.exports import parse_csv
from tests.support.server import Server

P = "QM7-2022-23"
SCHEME = "hct-bridging-enh"


def delivered_on(server: Server, day: str) -> float:
    series = httpx.get(
        f"{server.url}/api/v1/programmes/{P}/delivery/daily",
        params={"from": day, "to": day},
        headers=server.headers("board"),
    ).json()
    return float(series["days"][0]["delivered_beds_equivalent"])


def test_lead_reports_and_corrects_and_the_board_sees_it(server: Server) -> None:
    before = delivered_on(server, "2022-11-20")
    url = f"{server.url}/api/v1/programmes/{P}/schemes/{SCHEME}/daily"
    body = {"date": "2022-11-20", "beds_equivalent": 9, "discharges": {"p1": 2}}
    created = httpx.post(url, json=body, headers=server.headers("lead"))
    assert created.status_code == 201, created.text
    assert delivered_on(server, "2022-11-20") == before + 9  # read-your-writes
    again = httpx.post(url, json=body, headers=server.headers("lead"))
    assert again.status_code == 409
    corrected = httpx.put(
        f"{url}/2022-11-20",
        json={**body, "beds_equivalent": 7, "reason": "recount"},
        headers=server.headers("lead"),
    )
    assert corrected.status_code == 200, corrected.text
    assert delivered_on(server, "2022-11-20") == before + 7
    history = httpx.get(
        f"{server.url}/api/v1/programmes/{P}/schemes/{SCHEME}/history",
        headers=server.headers("board"),
    ).json()
    assert history[0]["event"] == "Scheme.SchemeRegistered"
    correction = next(h for h in history if h["event"] == "DailyFiguresCorrected")
    assert correction["who"] == "imc-lead" and correction["channel"] == "api"
    assert correction["changes"]["beds_equivalent"] == {"old": "9", "new": "7"}
    assert correction["changes"]["reason"] == "recount"
    refused = httpx.post(
        f"{server.url}/api/v1/programmes/{P}/schemes/nightingale-ward-pah/daily",
        json=body,
        headers=server.headers("lead"),
    )
    assert refused.status_code == 403


def test_refusals_through_the_api_name_the_field(server: Server) -> None:
    url = f"{server.url}/api/v1/programmes/{P}/schemes/{SCHEME}/daily"
    cases = [
        ({"date": "2022-11-18", "beds_equivalent": -1}, "beds_equivalent"),
        ({"date": "2022-11-18", "beds_equivalent": 1, "beds_occupied": 2001}, "beds_occupied"),
        ({"date": "2022-11-18", "beds_equivalent": 1, "discharges": {"p0": 10001}}, "p0"),
        ({"date": "2022-09-30", "beds_equivalent": 1}, "date"),
        ({"date": "2022-11-21", "beds_equivalent": 1}, "date"),
        ({"date": "2022-11-18", "beds_equivalent": "many"}, "beds_equivalent"),
        ({"date": "2022-11-18", "beds_equivalent": 1, "kpis": {"nope": 1}}, "nope"),
        ({"date": "2022-11-18", "beds_equivalent": 1, "narrative": "x" * 2001}, "narrative"),
        (
            {"date": "2022-11-18", "beds_equivalent": 1, "narrative": "NHS 943 476 5919"},
            "narrative",
        ),
    ]
    for body, field in cases:
        response = httpx.post(
            url,
            content=_json(body),
            headers={**server.headers("lead"), "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (body, response.text)
        assert field in response.text
    nan = httpx.post(
        url,
        content=b'{"date": "2022-11-18", "beds_equivalent": NaN}',
        headers={**server.headers("lead"), "Content-Type": "application/json"},
    )
    assert nan.status_code == 422 and "beds_equivalent" in nan.text
    spend = httpx.post(
        f"{server.url}/api/v1/programmes/{P}/schemes/{SCHEME}/spend",
        json={"month": "2023-04", "amount_gbp": "100000000.01", "basis": "actual"},
        headers=server.headers("finance"),
    )
    assert spend.status_code == 422


def _json(body: object) -> bytes:
    import json

    return json.dumps(body).encode()


def test_finance_downloads_and_submits_the_return(server: Server) -> None:
    base = f"{server.url}/api/v1/programmes/{P}/returns/2022-10"
    csv_text = httpx.get(base, params={"format": "csv"}, headers=server.headers("finance")).text
    sections = parse_csv(csv_text)
    assert len(sections["schemes"]) == 28
    assert {r["field"]: r["value"] for r in sections["cover"]}["return_period"] == "M7 2022/23"
    xlsx = httpx.get(base, params={"format": "xlsx"}, headers=server.headers("finance"))
    assert xlsx.content[:2] == b"PK"
    unsigned = httpx.post(f"{base}/submit", headers=server.headers("finance"))
    assert unsigned.status_code == 409 and "not signed off" in unsigned.text
    state = httpx.get(f"{base}/sign-off", headers=server.headers("finance")).json()
    assert state["signed_off"] is False
    seen = {"position": state["position"], "sha256": state["figures_sha256"]}
    assert (
        httpx.post(f"{base}/sign-off", json=seen, headers=server.headers("board")).status_code
        == 403
    )
    wrong = httpx.post(
        f"{base}/sign-off", json={**seen, "sha256": "0" * 64}, headers=server.headers("finance")
    )
    assert wrong.status_code == 422 and "sha256" in wrong.text
    signed = httpx.post(f"{base}/sign-off", json=seen, headers=server.headers("finance"))
    assert signed.status_code == 201, signed.text
    submitted = httpx.post(
        f"{base}/submit", headers={**server.headers("finance"), "Idempotency-Key": "m7-first"}
    )
    assert submitted.status_code == 201, submitted.text
    receipt = submitted.json()
    replay = httpx.post(
        f"{base}/submit", headers={**server.headers("finance"), "Idempotency-Key": "m7-first"}
    )
    assert replay.json()["revision"] == receipt["revision"] and replay.json()["replayed"]
    fetched = httpx.get(
        f"{base}/submissions/{receipt['revision']}", headers=server.headers("board")
    )
    assert hashlib.sha256(fetched.content).hexdigest() == receipt["sha256"]
    workbooks = [
        httpx.get(
            f"{base}/submissions/{receipt['revision']}",
            params={"format": "xlsx"},
            headers=server.headers("board"),
        )
        for _ in range(2)
    ]
    assert workbooks[0].content[:2] == b"PK" and workbooks[0].content == workbooks[1].content
    sha = hashlib.sha256(workbooks[0].content).hexdigest()
    assert workbooks[0].headers["X-Wintertrack-Sha256"] == sha
    diff = httpx.get(f"{base}/diff", headers=server.headers("finance")).json()
    assert diff["revision"] == receipt["revision"] and diff["changes"] == []
    kept = httpx.get(f"{base}/submissions", headers=server.headers("board")).json()[-1]
    assert kept["figures_sha256"] == state["figures_sha256"] and kept["signed_off_by"]
    forbidden = httpx.post(f"{base}/submit", headers=server.headers("board"))
    assert forbidden.status_code == 403


def test_pages_send_strangers_to_sign_in(server: Server) -> None:
    for path in ("/", "/schemes/imc-beds-enh", "/returns/2022-10"):
        response = httpx.get(f"{server.url}{path}", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"
    forged = httpx.post(
        f"{server.url}/returns/2022-10/submit",
        follow_redirects=False,
        cookies={"wt_session": "forged"},
    )
    assert forged.status_code == 303


def test_forms_without_the_csrf_token_are_refused(server: Server) -> None:
    with httpx.Client(base_url=server.url) as browser:
        signed_in = browser.post("/login", data={"token": server.tokens["lead"]})
        assert signed_in.status_code in (200, 303)
        cookie = browser.cookies.get("wt_session")
        assert cookie
        response = browser.post(
            "/schemes/hct-bridging-enh/daily",
            data={"date": "2022-11-19", "beds_equivalent": "3"},
        )
        assert response.status_code == 422
        assert "csrf" in response.text
