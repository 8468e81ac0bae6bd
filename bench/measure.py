"""The individual measurements; each returns rows for BENCHMARKS.md with a same-run reference."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from statistics import quantiles
from typing import Any

import httpx
import pandas as pd

from capacity.application import WinterApplication
from capacity.commands import AddUser, ImportDaily, IssueToken
from capacity.values import Actor
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from wintertrack.config import event_store_env

ADMIN = Actor("bench", "admin", "system")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Row:
    measure: str
    dataset: str
    figure: str
    reference: str
    ratio: float
    target: str
    met: bool
    note: str = ""

    def renamed(self, prefix: str) -> Row:
        """The same row with its measure named for another backend."""
        number, _, name = self.measure.partition(" ")
        return Row(f"{number} {prefix}{name}", *self._rest())

    def _rest(self) -> tuple[str, str, str, float, str, bool, str]:
        return (
            self.dataset,
            self.figure,
            self.reference,
            self.ratio,
            self.target,
            self.met,
            self.note,
        )


def app_for(store: str) -> WinterApplication:
    return WinterApplication(env=event_store_env(store), today=lambda: date(2030, 1, 1))


def count_events(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])


# 1. bulk import ---------------------------------------------------------------------------------


def import_reports(app: WinterApplication, schemes: int, days: int) -> tuple[int, float, int]:
    """The validated batch import of ``schemes`` x ``days`` reports; (events, seconds, before)."""
    from bench.dataset import national_winter

    national_winter(app, programmes=1, schemes=schemes, days=1, sites=0)
    programme = "Q00-2022-23"
    before = app.max_position()
    started = time.perf_counter()
    validate = app.daily_validator(ADMIN, programme)
    for n in range(schemes):
        code = f"s{n:03d}"
        batch = []
        for offset in range(1, days):
            day = date(2022, 10, 1) + timedelta(days=offset)
            figures = {"date": day, "beds_equivalent": offset % 9, "beds_occupied": offset % 20}
            _, cleaned = validate(code, figures)
            batch.append((day, code, cleaned, "bench"))
        app.run_command(ImportDaily(actor=ADMIN, programme=programme, reports=batch))
    seconds = time.perf_counter() - started
    events = app.max_position() - before
    app.close()
    return events, seconds, before


def _library_put(workdir: Path, rows: list[Any], batch: int) -> float:
    """The library's own recorder storing the same events, already built and encoded, in the
    same batches: the fair limit of an event-sourced import."""
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(workdir / "put.db")}
    app = WinterApplication(env=env)
    recorder = app.recorder
    events = [StoredEvent(UUID(str(r[0])), r[1], r[2], bytes(r[3])) for r in rows]
    started = time.perf_counter()
    for i in range(0, len(events), batch):
        recorder.insert_events(events[i : i + batch])
    seconds = time.perf_counter() - started
    app.close()
    return len(events) / seconds


def bulk_import(workdir: Path, schemes: int, days: int) -> list[Row]:
    events, ours, before = import_reports(app_for(f"sqlite:///{workdir}/import.db"), schemes, days)
    library_store = f"sqlite:///{workdir}/import-library-recorder.db"
    env = {k: v for k, v in event_store_env(library_store).items() if "RECORDER_TOPIC" not in k}
    library = WinterApplication(env=env, today=lambda: date(2030, 1, 1))
    library_events, library_seconds, _ = import_reports(library, schemes, days)
    with_library = library_events / library_seconds
    source = sqlite3.connect(workdir / "import.db")
    serialized = source.execute(
        "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid > ?",
        (before,),
    ).fetchall()
    put_eps = _library_put(workdir, serialized, days - 1)
    raw_db = sqlite3.connect(workdir / "raw.db")
    raw_db.execute(
        "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT,"
        " state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )
    started = time.perf_counter()
    raw_db.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", serialized)
    raw_db.commit()
    raw = time.perf_counter() - started
    ours_eps, raw_eps = events / ours, len(serialized) / raw
    label = f"{events:,} daily reports"
    return [
        Row(
            "1. bulk import (validated batch path)",
            label,
            f"{ours_eps:,.0f} events/s",
            f"the library's put of the same events, built and encoded, {put_eps:,.0f} events/s",
            ours_eps / put_eps,
            ">= 1.0x the library's put",
            ours_eps / put_eps >= 1.0,
            f"with the library's own recorder: {with_library:,.0f} events/s",
        ),
        Row(
            "1. bulk import vs raw rows",
            label,
            f"{ours_eps:,.0f} events/s",
            f"raw sqlite3 executemany {raw_eps:,.0f} rows/s",
            ours_eps / raw_eps,
            "report the ratio",
            True,
        ),
    ]


# 2 and 5. rebuild speed and memory ---------------------------------------------------------------

REBUILD = """
import json, resource, sys, time
from datetime import date
from capacity.application import WinterApplication
from projections.db import ViewDatabase
from projections.projector import Projector
from wintertrack.config import event_store_env
store = sys.argv[1]
app = WinterApplication(env=event_store_env(store))
projector = Projector(app, ViewDatabase(store))
started = time.perf_counter()
applied = projector.rebuild()
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"events": applied, "seconds": seconds, "peak_rss_kb": peak}))
"""


def rebuild(store: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", REBUILD, store],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def raw_scan(db_path: Path) -> float:
    conn = sqlite3.connect(db_path)
    started = time.perf_counter()
    n = 0
    for (state,) in conn.execute("SELECT state FROM stored_events ORDER BY rowid"):
        json.loads(state)
        n += 1
    return n / (time.perf_counter() - started)


def rebuild_rows(label: str, store: str, db_path: Path) -> tuple[Row, dict[str, Any]]:
    result = rebuild(store)
    ours = result["events"] / result["seconds"]
    raw = raw_scan(db_path)
    ratio = ours / raw
    return Row(
        "2. projection rebuild",
        label,
        f"{ours:,.0f} events/s",
        f"raw sqlite3 scan + JSON decode {raw:,.0f} events/s",
        ratio,
        ">= 0.5x raw scan",
        ratio >= 0.5,
    ), result


def rss_row(small: tuple[str, dict[str, Any]], large: tuple[str, dict[str, Any]]) -> Row:
    ratio = large[1]["peak_rss_kb"] / small[1]["peak_rss_kb"]
    return Row(
        "5. rebuild peak RSS",
        f"{small[0]} vs {large[0]}",
        f"{large[1]['peak_rss_kb'] / 1024:,.0f} MiB at {large[1]['events']:,} events",
        f"{small[1]['peak_rss_kb'] / 1024:,.0f} MiB at {small[1]['events']:,} events",
        ratio,
        "not growing with events (<= 1.2x)",
        ratio <= 1.2,
    )


# 3 and 4. requests through a real server -------------------------------------------------------


class Server:
    def __init__(self, store: str, workdir: Path) -> None:
        app = app_for(store)
        try:
            _, self.token = app.run_command(AddUser(actor=ADMIN, name="bench-admin", role="admin"))
        except Exception:
            _, self.token = app.run_command(IssueToken(actor=ADMIN, name="bench-admin"))
        app.close()
        self.port = free_port()
        env = {
            **os.environ,
            "WINTERTRACK_STORE": store,
            "WINTERTRACK_SECRET_KEY": "bench",
            "PYTHONPATH": os.getcwd(),
        }
        self.log = (workdir / f"server-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wintertrack", "serve", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        while time.monotonic() < deadline + 600:  # ready once its dashboards are warm
            if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                break
            time.sleep(0.5)
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def latencies(
    url: str,
    headers: dict[str, str],
    requests: int,
    workers: int = 4,
    method: str = "GET",
    bodies: list[dict[str, Any]] | None = None,
) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        with httpx.Client(timeout=30) as client:
            for i in counter:
                started = time.perf_counter()
                if method == "GET":
                    response = client.get(url, headers=headers)
                else:
                    response = client.post(url, headers=headers, json=(bodies or [])[i])
                elapsed = time.perf_counter() - started
                assert response.status_code < 300, response.text[:300]
                with lock:
                    timings.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def p(values: list[float], q: int) -> float:
    return quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def request_rows(
    server: Server, label: str, programme: str, month: str, requests: int
) -> tuple[list[Row], dict[str, float]]:
    health = latencies(f"{server.url}/healthz", {}, requests)
    base = f"{server.url}/api/v1/programmes/{programme}"
    rows, p99s = [], {}
    for name, path in (
        ("dashboard", "/dashboard?as_of=2023-01-15"),
        ("return", f"/returns/{month}"),
    ):
        timings = latencies(base + path, server.headers, requests)
        ratio = p(timings, 99) / p(health, 99)
        p99s[name] = p(timings, 99)
        rows.append(
            Row(
                f"3. {name} request",
                label,
                f"p50 {p(timings, 50):.1f} ms, p99 {p(timings, 99):.1f} ms",
                f"/healthz p50 {p(health, 50):.1f} ms, p99 {p(health, 99):.1f} ms",
                ratio,
                "p99 <= 3x /healthz p99",
                ratio <= 3,
            )
        )
    return rows, p99s


def submission_row(server: Server, label: str, programme: str, requests: int) -> Row:
    bodies = [
        {"date": (date(2022, 10, 1) + timedelta(days=i % 182)).isoformat(), "beds_equivalent": 3}
        for i in range(requests)
    ]
    scheme_for = [f"s{(i // 182) % 8:03d}" for i in range(requests)]
    url = f"{server.url}/api/v1/programmes/{programme}/schemes/SCHEME/daily"
    timings: list[float] = []
    started = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for i, body in enumerate(bodies):
            t0 = time.perf_counter()
            response = client.post(
                url.replace("SCHEME", scheme_for[i]),
                json=body,
                headers={**server.headers, "Idempotency-Key": f"b{i}"},
            )
            timings.append(time.perf_counter() - t0)
            assert response.status_code in (201, 409), response.text[:200]
    rate = requests / (time.perf_counter() - started)
    return Row(
        "4. daily-figure submissions over HTTP",
        label,
        f"{rate:,.0f} per second",
        f"p50 {p(timings, 50):.1f} ms, p99 {p(timings, 99):.1f} ms",
        1.0,
        "report the figure",
        True,
        "one client, sequential, Idempotency-Key on each",
    )


# 6. the naive alternative ----------------------------------------------------------------------


def naive_return(db_path: Path, programme: str, month: str) -> float:
    """What a user would otherwise build: read the whole log with pandas on each request."""
    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    frame = pd.read_sql(
        "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid",
        conn,
    )
    states = frame["state"].map(json.loads)
    frame["programme"] = states.map(lambda s: s.get("programme") or s.get("code"))
    frame = frame[frame["programme"] == programme]
    daily = frame[frame["topic"].str.contains("DailyFigures")]
    figures = states[daily.index].map(lambda s: s.get("beds_equivalent"))
    latest = daily.assign(v=figures).groupby("originator_id").tail(1)
    latest["v"].map(lambda v: float(v["_data_"]) if isinstance(v, dict) else 0.0).sum()
    spend = frame[frame["topic"].str.contains("Spend")]
    spend.groupby("originator_id").tail(1)
    return time.perf_counter() - started


def naive_row(store: str, db_path: Path, label: str, programme: str, month: str) -> Row:
    app = app_for(store)
    projector = Projector(app, ViewDatabase(store))
    projector.run_once()
    read = ReadModel(projector, today=lambda: date(2023, 4, 30))
    runs = 5
    started = time.perf_counter()
    for _ in range(runs):
        read.monthly_return(programme, month)
    ours = (time.perf_counter() - started) / runs
    naive = min(naive_return(db_path, programme, month) for _ in range(2))
    ratio = naive / ours
    return Row(
        "6. return vs naive pandas recompute",
        label,
        f"{ours * 1000:.1f} ms per return",
        f"pandas over the whole log {naive * 1000:,.0f} ms",
        ratio,
        ">= 100x faster",
        ratio >= 100,
    )


def tmpdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="wintertrack-bench-"))
