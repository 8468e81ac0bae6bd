"""A KPI registered without a type reads back with the type its unit implies (never a 500)."""

from __future__ import annotations

from tests.scenarios.ledger import P
from tests.support.api_world import api_world


def test_a_kpi_registered_without_a_type_reads_back_typed() -> None:
    world = api_world()
    spec = {
        "code": "typed-later",
        "name": "A scheme whose KPIs carry no type",
        "category": "community",
        "place": "WE",
        "funding_stream": "revenue",
        "allocation_gbp": "1000.00",
        "measure": "none",
        "kpis": [
            {"code": "calls", "name": "Calls answered", "unit": "count", "type": None},
            {"code": "ward_open", "name": "Ward open", "unit": "date"},
        ],
    }
    made = world.client.post(
        f"/api/v1/programmes/{P}/schemes", json=spec, headers=world.headers("admin")
    )
    assert made.status_code == 201, made.text
    listed = world.client.get(f"/api/v1/programmes/{P}/schemes", headers=world.headers("board"))
    assert listed.status_code == 200, listed.text
    kpis = next(s for s in listed.json() if s["code"] == "typed-later")["kpis"]
    assert [(k["code"], k["type"]) for k in kpis] == [("calls", "count"), ("ward_open", "date")]
