"""Real processes: `wintertrack serve` (not projecting itself) and `wintertrack project` on one
store. While the projector is stopped the lag on /metrics rises and /readyz answers 503; after
it restarts the lag returns to 0. A request id reaches the stored event and the JSON log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.server import Server, start_server

P = "QM7-2022-23"


def gauges(server: Server) -> dict[str, float]:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.labels
    }


def until(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def projector(workdir: Path, store: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WINTERTRACK_STORE": store}
    sink = (workdir / "project.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "wintertrack", "project", "--interval", "0.2"],
        env=env,
        stdout=sink,
        stderr=sink,
    )


def test_lag_rises_while_the_projector_is_stopped_and_returns_to_zero(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/wintertrack.db"
    server = start_server(
        tmp_path,
        store=store,
        extra_env={
            "WINTERTRACK_METRICS": "on",
            "WINTERTRACK_SERVE_PROJECTS": "off",
            "WINTERTRACK_READY_MAX_LAG": "0",
        },
    )
    running = projector(tmp_path, store)
    try:
        until(lambda: gauges(server)["wintertrack_projector_lag_events"] == 0)
        assert httpx.get(f"{server.url}/readyz").status_code == 200
        running.terminate()
        running.wait(timeout=10)
        for n in range(3):
            answer = httpx.post(
                f"{server.url}/api/v1/programmes/{P}/schemes/imc-beds-enh/narrative",
                json={"narrative": f"update {n}"},
                headers={**server.headers("lead"), "X-Request-ID": f"obs-test-{n}"},
            )
            assert answer.status_code == 200, answer.text
            assert answer.headers["x-request-id"] == f"obs-test-{n}"
        first = gauges(server)
        time.sleep(1.2)
        later = gauges(server)
        ready = httpx.get(f"{server.url}/readyz")
        board = httpx.get(
            f"{server.url}/api/v1/programmes/{P}/dashboard", headers=server.headers("board")
        )
        assert first["wintertrack_projector_lag_events"] == 3
        assert (
            later["wintertrack_projector_lag_seconds"] > first["wintertrack_projector_lag_seconds"]
        )
        assert ready.status_code == 503 and ready.json()["status"] == "behind"
        assert board.json()["as_at"]["lag_events"] == 3
        assert "lag=3" in board.headers["x-wintertrack-as-at"]
        running = projector(tmp_path, store)
        until(lambda: gauges(server)["wintertrack_projector_lag_events"] == 0)
        after = gauges(server)
        assert after["wintertrack_projector_lag_seconds"] == 0
        assert httpx.get(f"{server.url}/readyz").status_code == 200
        print(
            f"\n[projector-lag] stopped: lag_events={first['wintertrack_projector_lag_events']:.0f}"
            f" lag_seconds={first['wintertrack_projector_lag_seconds']:.2f}"
            f" -> {later['wintertrack_projector_lag_seconds']:.2f}, readyz={ready.status_code};"
            f" restarted: lag_events={after['wintertrack_projector_lag_events']:.0f}"
            f" lag_seconds={after['wintertrack_projector_lag_seconds']:.0f}"
        )
        events = httpx.get(
            f"{server.url}/api/v1/events",
            params={"after": int(after["wintertrack_event_log_position"]) - 1},
            headers=server.headers("admin"),
        ).json()
        assert events[-1]["actor"]["request_id"] == "obs-test-2"
    finally:
        running.terminate()
        running.wait(timeout=10)
        server.stop()
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    logged = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any(e.get("request_id") == "obs-test-2" and e.get("status") == 200 for e in logged)
    projected = (tmp_path / "project.log").read_text().splitlines()
    assert [json.loads(line)["logger"] for line in projected if line.strip()]
