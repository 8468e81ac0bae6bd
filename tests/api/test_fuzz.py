"""Schema-driven fuzzing of every operation in /openapi.json: no 500s, responses match the
schema. Bounded in examples per operation."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.support.api_world import api_world

WORLD = api_world()
REAL_PATH = {
    "programme": "QM7-2022-23",
    "scheme": "own",
    "ods": "RQW",
    "month": "2022-10",
    "day": "2022-11-01",
    "revision": 1,
}
schema = schemathesis.openapi.from_asgi("/openapi.json", WORLD.client.app)
# Valid and invalid data alike: nothing a client can send may produce a 500.
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)


# Operations that render a PDF (a second or so each) are fuzzed separately, with few examples.
PAPERS = "board papers"


def call(case: schemathesis.Case) -> None:
    # Real codes in the paths, so generated bodies get past the 404s into validation.
    for name, value in REAL_PATH.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    case.call_and_validate(
        headers=WORLD.headers("admin"),
        checks=[not_a_server_error, response_schema_conformance],
    )


@schema.exclude(tag=PAPERS).parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_responses_match_the_schema(case: schemathesis.Case) -> None:
    call(case)


@schema.include(tag=PAPERS).parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_board_papers_no_server_errors_and_responses_match_the_schema(
    case: schemathesis.Case,
) -> None:
    call(case)
