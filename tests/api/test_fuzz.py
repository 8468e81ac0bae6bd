"""Schema-driven fuzzing of every operation in /openapi.json: no 500s, responses match the
schema. Bounded in examples per operation. The store is a real SQLite file, whose 64-bit
integers are what an unbounded position or revision overflows."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.support.api_world import api_world

WORLD = api_world(f"sqlite:///{Path(tempfile.mkdtemp(prefix='fuzz-')) / 'wintertrack.db'}")
REAL_PATH = {
    "programme": "QM7-2022-23",
    "scheme": "own",
    "ods": "RQW",
    "month": "2022-10",
    "day": "2022-11-01",
    "revision": 1,
    "region": "Y61",
    "icb": "QM7",
}
schema = schemathesis.openapi.from_asgi("/openapi.json", WORLD.client.app)
# Valid and invalid data alike: nothing a client can send may produce a 500.
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_responses_match_the_schema(case: schemathesis.Case) -> None:
    # Real codes in the paths, so generated bodies get past the 404s into validation.
    for name, value in REAL_PATH.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    case.call_and_validate(
        headers=WORLD.headers("admin"),
        checks=[not_a_server_error, response_schema_conformance],
    )


def _routes(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    """Every route's methods and path, walking the routers the app includes."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            found |= _routes(inner.routes, prefix + str(getattr(context, "prefix", "")))
        elif isinstance(route, APIRoute):
            found |= {(method, prefix + route.path) for method in route.methods}
    return found


def test_every_api_route_is_fuzzed() -> None:
    """Every API route is in the schema the fuzzer walks: none hidden from it."""
    app: Any = WORLD.client.app
    routes = {(m, p) for m, p in _routes(app.routes) if p.startswith("/api/")}
    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed = {(op.method.upper(), op.path) for op in operations}
    assert len(routes) > 40 and routes <= fuzzed, sorted(routes - fuzzed)
