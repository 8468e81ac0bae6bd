"""Text no person types (control characters, lone surrogates) and months no winter has are
refused with the field named, store nothing, and never reach a spreadsheet as a 500."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.scenarios.ledger import ADMIN, P
from tests.support.api_world import api_world

WORLD = api_world()
BASE = f"/api/v1/programmes/{P}"
PROGRAMME = {
    "code": "QXX-2022-23",
    "icb_code": "QXX",
    "icb_name": "NHS Test\x01 ICB",
    "region_code": "Y61",
    "winter": "2022/23",
    "period_start": "2022-10-01",
    "period_end": "2023-03-31",
    "bed_target": 10,
    "allocations": {"revenue": "1000.00"},
}
SCHEME: dict[str, Any] = {
    "code": "hostile",
    "name": "Hostile",
    "category": "community",
    "place": "WE",
    "funding_stream": "revenue",
    "allocation_gbp": "10.00",
    "measure": "reported",
    "planned_beds_equivalent": "1",
    "counts_toward_target": True,
    "kpis": [{"code": "k", "name": "Hours\x1b[2J", "unit": "hours", "aggregation": "sum"}],
}
DAILY = {"date": "2022-11-02", "beds_equivalent": 1, "narrative": "ok\x00"}
CASES = [
    ("admin", "/api/v1/programmes", PROGRAMME, "icb_name", "U+0001"),
    ("admin", f"{BASE}/schemes", SCHEME, "kpis.0.name", "U+001B"),
    ("lead", f"{BASE}/schemes/own/daily", DAILY, "narrative", "U+0000"),
    (
        "lead",
        f"{BASE}/schemes/own/narrative",
        {"narrative": "line\x0bbreak"},
        "narrative",
        "U+000B",
    ),
    (
        "admin",
        f"{BASE}/sites",
        {"ods_code": "RC9", "name": "Luton\x7f", "place": "SW"},
        "name",
        "U+007F",
    ),
]


@pytest.mark.parametrize(("role", "path", "body", "field", "found"), CASES)
def test_control_characters_are_refused_naming_the_field(
    role: str, path: str, body: dict[str, Any], field: str, found: str
) -> None:
    before = WORLD.application.max_position()
    response = WORLD.client.post(path, json=body, headers=WORLD.headers(role))
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert ".".join(str(part) for part in error["loc"][1:]) == field
    assert found in error["msg"]
    assert WORLD.application.max_position() == before


def test_a_lone_surrogate_is_refused_not_a_500() -> None:
    before = WORLD.application.max_position()
    raw = b'{"narrative": "half a character \\ud800"}'
    response = WORLD.client.post(
        f"{BASE}/schemes/own/narrative",
        content=raw,
        headers={**WORLD.headers("lead"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "narrative"] and "unicode" in error["msg"]
    assert WORLD.application.max_position() == before


def test_tabs_and_line_breaks_are_kept() -> None:
    response = WORLD.client.post(
        f"{BASE}/schemes/own/narrative",
        json={"narrative": "Ward 7:\tbeds open\r\nstaffed to 12"},
        headers=WORLD.headers("lead"),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("month", ["0000-01", "1999-12", "2100-01"])
def test_months_outside_the_centurys_winters_are_refused(month: str) -> None:
    for path in (f"{BASE}/delivery?month={month}&as_of=2022-12-01", f"{BASE}/returns/{month}"):
        response = WORLD.client.get(path, headers=WORLD.headers("board"))
        assert response.status_code == 422, (path, response.text)
        assert "month" in response.text and "2000-2099" in response.text


def test_text_stored_before_the_rule_still_exports_to_xlsx() -> None:
    """A narrative with a control character written straight to the event store (as an older
    version could have) is dropped from the cell, not a failed download."""
    scheme = WORLD.application.get_scheme(P, "other")
    scheme.update_narrative(ADMIN, "legacy\x01 text", scheme.went_live_on)
    WORLD.application.save(scheme)
    response = WORLD.client.get(
        f"{BASE}/returns/2022-10?format=xlsx", headers=WORLD.headers("finance")
    )
    assert response.status_code == 200, response.text[:300]
    cells = [
        c.value
        for row in load_workbook(io.BytesIO(response.content))["Schemes"].iter_rows()
        for c in row
    ]
    assert "legacy text" in cells
