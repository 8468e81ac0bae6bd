"""Every route in the OpenAPI document x every role x own/other scheme -> the expected status."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api_world import api_world

P = "QM7-2022-23"
ROLES = ("admin", "board", "finance", "lead", "lead_other", None)
ALL_OK = {"admin": 200, "board": 200, "finance": 200, "lead": 200, "lead_other": 200}


def writes(ok: int, *roles: str) -> dict[str, int]:
    """Roles that may write get ``ok``; admin always may; everyone else 403."""
    allowed = {"admin", *roles}
    return {
        r: (ok if r in allowed else 403)
        for r in ("admin", "board", "finance", "lead", "lead_other")
    }


DAILY = {"date": "2022-11-02", "beds_equivalent": 5}
MATRIX: dict[tuple[str, str], tuple[dict[str, Any] | None, dict[str, int]]] = {
    ("get", "/healthz"): (None, {**ALL_OK, "anon": 200}),
    ("get", "/readyz"): (None, {**ALL_OK, "anon": 200}),
    ("post", "/api/v1/programmes"): (
        {
            "code": "QM7-2023-24",
            "icb_code": "QM7",
            "icb_name": "HWE",
            "region_code": "Y61",
            "winter": "2023/24",
            "period_start": "2023-10-01",
            "period_end": "2024-03-31",
            "bed_target": 100,
            "allocations": {"revenue": "1000"},
        },
        writes(201),
    ),
    ("get", "/api/v1/programmes/{programme}"): (None, ALL_OK),
    ("get", "/api/v1/programmes/{programme}/about"): (None, ALL_OK),
    ("post", "/api/v1/programmes/{programme}/bed-target"): (
        {"bed_target": 150, "reason": "NHSE revised ask"},
        writes(200, "board"),
    ),
    ("post", "/api/v1/programmes/{programme}/allocations"): (
        {"funding_stream": "revenue", "amount_gbp": "7600000.00", "reason": "top-up"},
        writes(200, "finance"),
    ),
    ("post", "/api/v1/programmes/{programme}/funds-received"): (
        {"funding_stream": "revenue", "amount_gbp": "7500000.00", "received_on": "2022-09-30"},
        writes(201, "finance"),
    ),
    ("post", "/api/v1/programmes/{programme}/management-forecasts"): (
        {
            "funding_stream": "revenue",
            "month": "2022-12",
            "amount_gbp": "7000000.00",
            "note": "two schemes will not recruit",
        },
        writes(201, "finance"),
    ),
    ("post", "/api/v1/programmes/{programme}/schemes/{scheme}/narrative"): (
        {"narrative": "Fourth bed open from Monday"},
        writes(200, "lead"),
    ),
    ("post", "/api/v1/programmes/{programme}/diversions"): (
        {
            "from_scheme": "other",
            "to_scheme": "own",
            "amount_gbp": "10.00",
            "decision_ref": "UEC-1",
            "decided_on": "2022-12-01",
        },
        writes(201, "board"),
    ),
    ("post", "/api/v1/programmes/{programme}/schemes"): (
        {
            "code": "new",
            "name": "New",
            "category": "acute",
            "place": "WE",
            "funding_stream": "revenue",
            "allocation_gbp": "1.00",
            "measure": "none",
        },
        writes(201),
    ),
    ("get", "/api/v1/programmes/{programme}/schemes"): (None, ALL_OK),
    ("get", "/api/v1/programmes/{programme}/schemes/{scheme}"): (None, ALL_OK),
    ("post", "/api/v1/programmes/{programme}/schemes/{scheme}/mobilise"): (
        {"went_live_on": "2022-11-01"},
        writes(200, "lead"),
    ),
    ("post", "/api/v1/programmes/{programme}/schemes/{scheme}/beds"): (
        {"date": "2022-11-01", "change": 2, "bed_type": "core", "reason": "open"},
        writes(201, "lead"),
    ),
    ("post", "/api/v1/programmes/{programme}/schemes/{scheme}/status"): (
        {"action": "pause", "on": "2022-12-01", "reason": "review"},
        writes(200, "board"),
    ),
    ("get", "/api/v1/programmes/{programme}/schemes/{scheme}/history"): (None, ALL_OK),
    ("post", "/api/v1/programmes/{programme}/schemes/{scheme}/daily"): (
        DAILY,
        writes(201, "lead"),
    ),
    ("put", "/api/v1/programmes/{programme}/schemes/{scheme}/daily/{day}"): (
        {"date": "2022-11-01", "beds_equivalent": 6, "reason": "typo"},
        writes(200, "lead"),
    ),
    ("post", "/api/v1/programmes/{programme}/schemes/{scheme}/spend"): (
        {"month": "2022-11", "amount_gbp": "10.00", "basis": "actual"},
        writes(201, "finance"),
    ),
    ("put", "/api/v1/programmes/{programme}/schemes/{scheme}/spend/{month}"): (
        {"amount_gbp": "12.00", "basis": "accrual", "reason": "invoice"},
        writes(200, "finance"),
    ),
    ("post", "/api/v1/programmes/{programme}/sites"): (
        {"ods_code": "RWH", "name": "Lister Hospital", "place": "ENH"},
        writes(201),
    ),
    ("post", "/api/v1/programmes/{programme}/sites/{ods}/flow"): (
        {
            "date": "2022-11-02",
            "core_beds_open": 400,
            "escalation_beds_open": 0,
            "beds_occupied": 380,
            "nctr": 50,
            "nctr_discharged": 10,
            "nctr_discharged_by_5pm": 5,
        },
        writes(201, "lead"),
    ),
    ("put", "/api/v1/programmes/{programme}/sites/{ods}/flow/{day}"): (
        {
            "date": "2022-11-01",
            "core_beds_open": 400,
            "escalation_beds_open": 0,
            "beds_occupied": 381,
            "nctr": 50,
            "nctr_discharged": 10,
            "nctr_discharged_by_5pm": 5,
            "reason": "late",
        },
        writes(200, "lead"),
    ),
    ("get", "/api/v1/programmes/{programme}/dashboard"): (None, ALL_OK),
    ("get", "/api/v1/programmes/{programme}/delivery"): (None, ALL_OK),
    ("get", "/api/v1/programmes/{programme}/delivery/daily"): (None, ALL_OK),
    ("get", "/api/v1/programmes/{programme}/winters"): (None, ALL_OK),
    ("get", "/api/v1/programmes/{programme}/explain/delivery"): (None, ALL_OK),
    ("get", "/api/v1/programmes/{programme}/explain/schemes/{scheme}/delivery"): (None, ALL_OK),
    ("get", "/api/v1/programmes/{programme}/explain/schemes/{scheme}/spend"): (None, ALL_OK),
    ("get", "/api/v1/programmes/{programme}/returns/{month}"): (
        None,
        writes(200, "board", "finance"),
    ),
    ("post", "/api/v1/programmes/{programme}/returns/{month}/submit"): (
        None,
        writes(201, "finance"),
    ),
    ("get", "/api/v1/programmes/{programme}/returns/{month}/sign-off"): (
        None,
        writes(200, "board", "finance"),
    ),
    # The figures named are not the return's (a position the views have not reached): a
    # permitted signer is refused the input, anyone else the command.
    ("post", "/api/v1/programmes/{programme}/returns/{month}/sign-off"): (
        {"position": 999999, "sha256": "0" * 64},
        writes(422, "finance"),
    ),
    ("get", "/api/v1/programmes/{programme}/returns/{month}/submissions"): (
        None,
        writes(200, "board", "finance"),
    ),
    ("get", "/api/v1/programmes/{programme}/returns/{month}/submissions/{revision}"): (
        None,
        writes(200, "board", "finance"),
    ),
    ("get", "/api/v1/programmes/{programme}/returns/{month}/diff"): (
        None,
        writes(200, "board", "finance"),
    ),
    ("get", "/api/v1/programmes/{programme}/board-papers"): (
        None,
        writes(200, "board", "finance"),
    ),
    # no paper prepared yet: the draft, as it would be prepared now
    ("get", "/api/v1/programmes/{programme}/board-papers/{month}"): (
        None,
        writes(200, "board", "finance"),
    ),
    ("post", "/api/v1/programmes/{programme}/board-papers/{month}/prepare"): (
        {"title": "Winter schemes", "agenda_item": "12", "author": "A", "signed_off_by": "D"},
        writes(201, "board", "finance"),
    ),
    # nothing prepared to sign off: 422 naming the revision, once the signer is allowed
    ("post", "/api/v1/programmes/{programme}/board-papers/{month}/sign-off"): (
        {"revision": 1},
        writes(422, "finance"),
    ),
    ("get", "/api/v1/events"): (None, writes(200)),
    ("post", "/api/v1/tokens/revoke"): ({"token": "wt_unknown", "reason": "left"}, writes(404)),
    ("post", "/api/v1/users/{name}/end-sessions"): ({"reason": "left the trust"}, writes(200)),
    ("get", "/api/v1/sign-ins"): (None, writes(200)),
    # the region's reads: region users (none here) and administrators only
    ("get", "/api/v1/regions/{region}"): (None, writes(200)),
    ("get", "/api/v1/regions/{region}/submissions/{month}"): (None, writes(200)),
    ("get", "/api/v1/regions/{region}/submissions/{month}/rollup"): (None, writes(200)),
    # "board" is not an artefact name: 422 naming it, once the reader is allowed
    ("get", "/api/v1/regions/{region}/submissions/{month}/{icb}/revisions/{revision}/{name}"): (
        None,
        writes(422),
    ),
}
QUERIES: dict[str, dict[str, str]] = {
    # 2022-10 is submitted already: this is a restatement
    "/api/v1/programmes/{programme}/returns/{month}/submit": {
        "reason": "restated",
        "resubmit_unchanged": "true",
    },
    "/api/v1/programmes/{programme}/delivery": {"month": "2022-11"},
    "/api/v1/programmes/{programme}/explain/delivery": {"month": "2022-11"},
    "/api/v1/programmes/{programme}/explain/schemes/{scheme}/delivery": {"month": "2022-11"},
    "/api/v1/programmes/{programme}/explain/schemes/{scheme}/spend": {"month": "2022-11"},
}


def test_every_route_in_the_openapi_document_has_an_entry() -> None:
    world = api_world()
    paths = world.client.get("/openapi.json").json()["paths"]
    routes = {(method, path) for path, item in paths.items() for method in item}
    assert routes == set(MATRIX), "add the new route to MATRIX with its expected statuses"


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0].upper()} {r[1]}")
def test_route_by_role(route: tuple[str, str]) -> None:
    method, template = route
    body, expected = MATRIX[route]
    for role in ROLES:
        world = api_world()  # every role meets the same state
        own = role != "lead_other"
        path = template.format(
            programme=P,
            scheme="own" if own else "other",
            ods="RQW" if own else "RWG",
            day="2022-11-01",
            month="2022-10",
            revision=1,
            name="board",
            region="Y61",
            icb="QM7",
        )
        token_role = "lead" if role == "lead_other" else role
        response = world.client.request(
            method,
            path,
            json=body,
            params=QUERIES.get(template),
            headers=world.headers(token_role),
        )
        wanted = expected.get("anon", 401) if role is None else expected[role]
        assert response.status_code == wanted, (role, response.status_code, response.text[:300])
