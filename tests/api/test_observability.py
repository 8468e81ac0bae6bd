"""What an operator sees: /metrics in the Prometheus text format, request ids carried into
the stored events, the views' freshness on reads, /readyz when the views fall behind, and logs
as JSON lines."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.main import create_app
from capacity.commands import ReportDaily
from tests.scenarios.ledger import ADMIN, P
from tests.support.api_world import ApiWorld, api_world
from wintertrack.logs import JsonFormatter

DAILY = f"/api/v1/programmes/{P}/schemes/own/daily"


def _client(world: ApiWorld, **options: object) -> TestClient:
    read = world.client.app.state.read_model  # type: ignore[attr-defined]
    app = create_app(world.application, read, "test-secret-key", follow=False, **options)  # type: ignore[arg-type]
    return TestClient(app)


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def test_metrics_are_off_unless_asked_for() -> None:
    assert api_world().client.get("/metrics").status_code == 404


def test_metrics_count_requests_by_route_and_show_the_views_position() -> None:
    world = api_world()
    client = _client(world, metrics=True)
    board = f"/api/v1/programmes/{P}/dashboard"
    client.post("/login", data={"token": "wt_wrong"})  # a failure: stored, so read it after
    assert client.get(board, headers=world.headers("board")).status_code == 200
    assert client.get(f"/api/v1/programmes/{P}/dashboard").status_code == 401
    found = samples(client.get("/metrics").text)
    route = "/api/v1/programmes/{programme}/dashboard"
    counts = {
        (labels["route"], labels["status"]): value
        for labels, value in found["wintertrack_http_requests_total"]
    }
    assert counts[(route, "200")] == 1 and counts[(route, "401")] == 1
    buckets = [lbl for lbl, _ in found["wintertrack_http_request_duration_seconds_bucket"]]
    assert {"route": route, "method": "GET", "status": "200", "le": "+Inf"} in buckets
    head = world.application.max_position()
    assert found["wintertrack_event_log_position"] == [({}, head)]
    assert found["wintertrack_projector_lag_events"] == [({}, 0)]
    assert found["wintertrack_sign_in_failures_total"][0][1] >= 1


def test_a_request_id_is_returned_and_stored_in_the_event() -> None:
    world = api_world()
    answer = world.client.post(
        DAILY,
        json={"date": "2022-11-03", "beds_equivalent": 2},
        headers={**world.headers("lead"), "X-Request-ID": "trace-4711"},
    )
    assert answer.status_code == 201 and answer.headers["x-request-id"] == "trace-4711"
    events = world.client.get(
        f"/api/v1/events?after={answer.json()['position'] - 1}&limit=1",
        headers=world.headers("admin"),
    ).json()
    assert events[0]["actor"]["request_id"] == "trace-4711"
    old = world.client.get("/api/v1/events?limit=1", headers=world.headers("admin")).json()
    assert "request_id" not in old[0]["actor"]  # events stored without one read as before


@pytest.mark.parametrize("supplied", ["x" * 300, "bad id\r\nInjected: 1", "", "../../etc"])
def test_an_unreasonable_request_id_is_replaced(supplied: str) -> None:
    world = api_world()
    answer = world.client.get("/healthz", headers={"X-Request-ID": supplied})
    rid = answer.headers["x-request-id"]
    assert rid != supplied and len(rid) == 32


def test_reads_say_how_fresh_their_figures_are() -> None:
    world = api_world()
    answer = world.client.get(f"/api/v1/programmes/{P}/dashboard", headers=world.headers("board"))
    head = world.application.max_position()
    assert answer.headers["x-wintertrack-as-at"].startswith(f"position={head}; recorded=")
    as_at = answer.json()["as_at"]
    assert as_at["position"] == head and as_at["lag_events"] == 0
    assert as_at["text"].startswith(f"as at event {head:,}, ")


def test_readyz_answers_503_while_the_views_are_behind() -> None:
    world = api_world()
    client = _client(world, catch_up=False, ready_max_lag=0)
    assert client.get("/readyz").status_code == 200
    world.application.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="own",
            figures={"date": "2022-11-04", "beds_equivalent": 1},
        )
    )
    behind = client.get("/readyz")
    assert behind.status_code == 503 and behind.json()["projection_lag"] == 1
    page = client.get(f"/api/v1/programmes/{P}/dashboard", headers=world.headers("board"))
    assert page.json()["as_at"]["lag_events"] == 1
    world.client.app.state.read_model.projector.run_once()  # type: ignore[attr-defined]
    assert client.get("/readyz").status_code == 200


def test_log_records_are_json_lines_with_the_request_fields() -> None:
    record = logging.makeLogRecord(
        {"name": "wintertrack.http", "msg": "GET / 200", "levelno": 20, "levelname": "INFO"}
    )
    record.request_id = "abc"
    line = JsonFormatter().format(record)
    parsed = json.loads(line)
    assert parsed["request_id"] == "abc" and parsed["message"] == "GET / 200"
    assert "\n" not in line


def test_the_dashboard_page_says_how_fresh_it_is_and_warns_when_behind() -> None:
    world = api_world()
    client = _client(world, catch_up=False)
    client.post("/login", data={"token": world.tokens["board"]})
    world.client.app.state.read_model.projector.run_once()  # type: ignore[attr-defined]
    head = world.application.max_position()
    fresh = client.get(f"/?programme={P}")
    assert f'data-position="{head}">Figures include every change stored up to ' in fresh.text
    assert "These figures are behind" not in fresh.text
    world.application.run_command(
        ReportDaily(
            actor=ADMIN,
            programme=P,
            scheme="own",
            figures={"date": "2022-11-06", "beds_equivalent": 1},
        )
    )
    behind = client.get(f"/?programme={P}")
    assert "These figures are behind" in behind.text
    assert (
        "the latest 1 change " in behind.text and "(1 newer change not yet included)" in behind.text
    )
