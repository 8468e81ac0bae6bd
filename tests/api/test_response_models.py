"""Every JSON read answers exactly its declared response model: the answer validates against it
(no field the model does not name, none of the wrong type) and the model writes the answer back
unchanged, key for key and in the same order. This holds for the routes FastAPI serialises
through the model and for those that answer in JSON directly (the dashboard, the return), so
``/openapi.json`` describes what each route sends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from tests.scenarios.ledger import ADMIN, P
from tests.support.api_world import ApiWorld, api_world

QUERIES = {
    "/delivery": "?month=2022-11",
    "/explain/": "?month=2022-11",
    "/dashboard": "?as_of=2022-11-02",
}


@pytest.fixture(scope="module")
def world() -> ApiWorld:
    found = api_world()
    found.application.add_user(ADMIN, "eoe-team", "region", "Y61", [])
    return found


def _walk(routes: list[Any], prefix: str = "") -> list[tuple[str, APIRoute]]:
    found: list[tuple[str, APIRoute]] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            found += _walk(inner.routes, prefix + str(getattr(context, "prefix", "")))
        elif isinstance(route, APIRoute):
            found.append((prefix + route.path, route))
    return found


def _json_reads(world: ApiWorld) -> list[tuple[str, APIRoute]]:
    app: Any = world.client.app
    return [
        (path, route)
        for path, route in _walk(app.routes)
        if path.startswith(("/api", "/healthz", "/readyz"))
        and "GET" in (route.methods or ())
        and route.response_model is not None
    ]


def _url(path: str) -> str:
    url = path.format(programme=P, scheme="own", region="Y61", month="2022-10")
    return url + next((q for part, q in QUERIES.items() if part in url), "")


def test_each_json_read_answers_exactly_its_response_model(world: ApiWorld) -> None:
    checked = []
    for path, route in _json_reads(world):
        answer = world.client.get(_url(path), headers=world.headers("admin"))
        assert answer.status_code == 200, (path, answer.text[:300])
        body = answer.json()
        declared = TypeAdapter(route.response_model)
        parsed = declared.validate_python(body)
        written = declared.dump_python(parsed, mode="json", exclude_unset=True)
        assert json.dumps(written) == json.dumps(body), path  # same keys, order and values
        checked.append(path)
    assert len(checked) >= 20  # every JSON read with a model, the health checks among them


def test_the_openapi_document_names_a_schema_for_every_json_answer(world: ApiWorld) -> None:
    document = world.client.get("/openapi.json").json()
    unnamed = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        content = get["responses"]["200"]["content"]
        if "application/json" in content and not content["application/json"]["schema"]:
            unnamed.append(path)
    assert unnamed == []
    dashboard = document["components"]["schemas"]["DashboardAnswer"]["properties"]
    assert {"headline", "schemes", "as_at"} <= set(dashboard)
