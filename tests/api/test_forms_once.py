"""Every write form stores once per rendered form and answers with a redirect: the same
rendered form posted twice (a double-click, a reload of the post, Back and send again) stores
one change, and both posts answer 303 to a page that says what was stored. A diversion or a
receipt of funds that repeats one already stored is held back until confirmed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from capacity.programme import Programme, programme_id
from capacity.scheme import Scheme, scheme_id
from capacity.users import token_id
from tests.scenarios.ledger import P
from tests.support.api_world import ApiWorld, api_world


@dataclass(frozen=True)
class Form:
    role: str
    page: str  # the page that renders the form (its one-time key and CSRF token)
    action: str
    data: dict[str, str]


def _board_token(world: ApiWorld) -> str:
    return world.tokens["board"]


FORMS: dict[str, Form] = {
    "daily figures": Form(
        "lead", "/schemes/own", "/schemes/own/daily", {"date": "2022-11-02", "beds_equivalent": "5"}
    ),
    "correction": Form(
        "lead",
        "/schemes/own?correct=2022-11-01",
        "/schemes/own/daily",
        {"date": "2022-11-01", "beds_equivalent": "6", "reason": "typo", "confirm": "yes"},
    ),
    "upload confirm": Form(
        "lead",
        "/upload/daily",
        "/upload/daily/confirm",
        {"row-2-scheme_code": "own", "row-2-date": "2022-11-03", "row-2-beds_equivalent": "2"},
    ),
    "site flow": Form(
        "lead",
        "/sites/RQW/flow",
        "/sites/RQW/flow",
        {
            "date": "2022-11-02",
            "core_beds_open": "400",
            "escalation_beds_open": "20",
            "beds_occupied": "410",
            "nctr": "90",
            "nctr_discharged": "30",
            "nctr_discharged_by_5pm": "12",
            "discharges_p0": "60",
        },
    ),
    "KPI values": Form(
        "lead", "/schemes/own/kpis", "/schemes/own/kpis", {"date": "2022-11-01", "kpi_hours": "3"}
    ),
    "beds": Form(
        "lead",
        "/schemes/own/tasks",
        "/schemes/own/tasks/beds",
        {"date": "2022-11-05", "change": "2", "bed_type": "core", "reason": "ward open"},
    ),
    "go-live": Form(
        "lead", "/schemes/own/tasks", "/schemes/own/tasks/mobilise", {"went_live_on": "2022-11-01"}
    ),
    "narrative": Form(
        "lead",
        "/schemes/own/tasks",
        "/schemes/own/tasks/narrative",
        {"narrative": "Fourth bed open from Monday"},
    ),
    "spend": Form(
        "finance",
        "/finance/spend?month=2022-11",
        "/finance/spend",
        {"month": "2022-11", "amount-own": "10.00", "basis-own": "actual"},
    ),
    "ledger confirm": Form(
        "finance",
        "/finance/ledger",
        "/finance/ledger/confirm",
        {
            "month": "2022-11",
            "row-2-scheme": "own",
            "row-2-amount": "10.00",
            "row-2-basis": "actual",
        },
    ),
    "funds": Form(
        "finance",
        "/finance/funds",
        "/finance/funds",
        {"funding_stream": "capital", "amount_gbp": "100000.00", "received_on": "2023-01-10"},
    ),
    "allocations": Form(
        "finance",
        "/finance/allocations",
        "/finance/allocations",
        {"funding_stream": "revenue", "amount_gbp": "7600000.00", "reason": "top-up"},
    ),
    "diversion": Form(
        "board",
        "/board/diversions",
        "/board/diversions",
        {
            "from_scheme": "other",
            "to_scheme": "own",
            "amount_gbp": "10000.00",
            "decision_ref": "23/017",
            "decided_on": "2023-01-10",
        },
    ),
    "status": Form(
        "board",
        "/board/status",
        "/board/status",
        {"scheme": "other", "action": "pause", "on": "2023-01-10", "reason": "review"},
    ),
    "bed target": Form(
        "board", "/board/bed-target", "/board/bed-target", {"bed_target": "150", "reason": "NHSE"}
    ),
    "return submit": Form("finance", "/returns/2022-12", "/returns/2022-12/submit", {"reason": ""}),
    "user add": Form(
        "admin",
        "/admin/users",
        "/admin/users",
        {"name": "newlead", "role": "lead", "schemes": "own"},
    ),
    "revoke": Form(
        "admin",
        "/admin/users",
        "/admin/tokens/revoke",
        {"token_id": "{board_token_id}", "revoke_reason": "left the trust"},
    ),
    "end sessions": Form(
        "admin",
        "/admin/users",
        "/admin/users/end-sessions",
        {"session_user": "board", "end_reason": "laptop left on a train"},
    ),
}


HISTORY = {"daily figures", "correction", "beds", "go-live", "narrative", "diversion", "status"}


def signed_in(world: ApiWorld, role: str) -> TestClient:
    client = TestClient(world.client.app)
    answer = client.post("/login", data={"token": world.tokens[role]}, follow_redirects=False)
    assert answer.status_code == 303
    return client


def rendered(client: TestClient, page: str) -> dict[str, str]:
    """The hidden fields of the page's first write form: CSRF token and one-time key."""
    sep = "&" if "?" in page else "?"
    html = client.get(f"{page}{sep}programme={P}").text
    fields = {}
    for name in ("csrf", "idempotency_key"):
        found = re.search(rf'name="{name}" value="([^"]*)"', html)
        if found:
            fields[name] = found.group(1)
    assert "csrf" in fields, html[:500]
    return fields


def post(client: TestClient, action: str, data: dict[str, str]) -> tuple[int, str]:
    answer = client.post(f"{action}?programme={P}", data=data, follow_redirects=False)
    return answer.status_code, answer.headers.get("location", "")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_same_rendered_form_posted_twice_stores_once(name: str) -> None:
    form = FORMS[name]
    world = api_world()
    client = signed_in(world, form.role)
    fields = rendered(client, form.page)
    board_token_id = str(token_id(world.tokens["board"]))  # the users page revokes by id
    data = {k: v.format(board_token_id=board_token_id) for k, v in form.data.items()}
    before = world.application.max_position()
    first = post(client, form.action, {**data, **fields})
    after_first = world.application.max_position()
    shown = client.get(first[1]).text if first[0] == 303 else ""  # says what was stored
    second = post(client, form.action, {**data, **fields})
    after_second = world.application.max_position()
    again = client.get(second[1]).text if second[0] == 303 else ""
    print(
        f"\n[forms-once] {name}: statuses {first[0]},{second[0]} events "
        f"first={after_first - before} second={after_second - after_first}"
    )
    assert after_first > before, (name, first)
    assert after_second == after_first, f"{name}: the second post stored again"
    assert first[0] == 303 and second[0] == 303, (name, first, second)
    assert 'id="message"' in shown, (name, shown[:300])
    if name in HISTORY:  # with a link to the change in the scheme's history
        assert 'id="in-history"' in shown, (name, shown[:300])
    if name not in ("upload confirm", "ledger confirm", "spend"):
        assert "Already recorded at" in again, (name, again[:300])
    else:  # row by row: each row's key replays, so nothing is stored twice
        assert 'id="message"' in again, (name, again[:300])


def _hold(
    world: ApiWorld, role: str, page: str, data: dict[str, str]
) -> Callable[[dict[str, str]], tuple[int, str, int]]:
    client = signed_in(world, role)

    def send(extra: dict[str, str]) -> tuple[int, str, int]:
        fields = rendered(client, page)  # a new rendered form each time: a new key
        before = world.application.max_position()
        answer = client.post(f"{page}?programme={P}", data={**data, **fields, **extra})
        return answer.status_code, answer.text, world.application.max_position() - before

    return send


def test_a_repeated_diversion_is_held_until_confirmed() -> None:
    world = api_world()
    send = _hold(world, "board", "/board/diversions", FORMS["diversion"].data)
    assert send({})[2] == 2  # out of one scheme, into the other
    status, page, stored = send({})
    assert (status, stored) == (409, 0)
    assert "this looks like the diversion recorded at" in page
    assert "record it again?" in page and 'name="confirm_repeat"' in page
    other = {**FORMS["diversion"].data, "decision_ref": "23/099"}
    same_money_and_day = _hold(world, "board", "/board/diversions", other)
    assert same_money_and_day({})[:3:2] == (409, 0)  # another reference, same decision
    assert send({"confirm_repeat": "yes"})[2] == 2
    target = world.application.repository.get(scheme_id(P, "own"))
    assert isinstance(target, Scheme)
    assert target.diverted_in == 20000
    diversions = [
        e
        for e in world.application.repository.event_store.get(scheme_id(P, "other"))
        if type(e).__name__ == "FundingDivertedOut"
    ]
    assert [e.repeat_confirmed for e in diversions] == [False, True]


def test_a_repeated_receipt_of_funds_is_held_until_confirmed() -> None:
    world = api_world()
    send = _hold(world, "finance", "/finance/funds", FORMS["funds"].data)
    assert send({})[2] == 1
    status, page, stored = send({})
    assert (status, stored) == (409, 0)
    assert "this looks like the receipt of funds recorded at" in page
    assert send({"confirm_repeat": "yes"})[2] == 1
    programme = world.application.repository.get(programme_id(P))
    assert isinstance(programme, Programme)
    assert programme.received["capital"] == 200000


def test_the_api_holds_a_repeated_diversion_too() -> None:
    world = api_world()
    body = {
        "from_scheme": "other",
        "to_scheme": "own",
        "amount_gbp": "10.00",
        "decision_ref": "UEC-1",
        "decided_on": "2022-12-01",
    }
    url = f"/api/v1/programmes/{P}/diversions"
    headers = world.headers("board")
    assert world.client.post(url, json=body, headers=headers).status_code == 201
    held = world.client.post(url, json=body, headers=headers)
    assert held.status_code == 409 and "record it again" in held.text
    confirmed = {**body, "confirm_repeat": True}
    assert world.client.post(url, json=confirmed, headers=headers).status_code == 201


def test_the_same_rendered_sign_off_posted_twice_signs_off_once() -> None:
    """The return's sign-off form carries the page's one-time key like every other form."""
    world = api_world()
    client = signed_in(world, "finance")
    page = client.get(f"/returns/2022-11?programme={P}").text
    fields = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
        for name in ("csrf", "idempotency_key", "position", "sha256")
    }
    before = world.application.max_position()
    first = post(client, "/returns/2022-11/sign-off", fields)
    after_first = world.application.max_position()
    second = post(client, "/returns/2022-11/sign-off", fields)
    again = client.get(second[1]).text
    print(
        f"\n[forms-once] sign-off: statuses {first[0]},{second[0]} events "
        f"first={after_first - before} second={world.application.max_position() - after_first}"
    )
    assert first[0] == 303 and second[0] == 303, (first, second)
    assert after_first > before
    assert world.application.max_position() == after_first, "the second post signed off again"
    assert "Already recorded" in again
