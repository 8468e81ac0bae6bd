"""Kafka ingest throughput and latency, and the 11:00 deadline burst, on PostgreSQL.

Both run real processes: ``wintertrack serve`` (measure.Server) and, for Kafka, two
``wintertrack ingest`` processes in one consumer group against the ``tansu`` broker.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from kafka import KafkaProducer

from bench.measure import Row, Server, app_for, p
from bench.postgres import TABLE, connect

PROGRAMME = "Q00-2022-23"


def reports_stored(store: str, after: int) -> int:
    with connect(store) as conn:
        found = conn.execute(
            f"SELECT COUNT(*) FROM {TABLE} WHERE notification_id > %s AND topic LIKE %s",
            (after, "%DailyFiguresReported"),
        ).fetchone()
    return int(found[0]) if found else 0


def _message(scheme: str, day: date, n: int) -> bytes:
    return json.dumps(
        {
            "programme": PROGRAMME,
            "scheme_code": scheme,
            "date": day.isoformat(),
            "source_message_id": f"{scheme}-{day.isoformat()}",
            "beds_equivalent": 1 + n % 2,  # steady: the day before was 1.0 (no doubts)
        }
    ).encode()


def kafka_rows(
    store: str, bootstrap: str, workdir: Path, schemes: int, days: int, at_once: int = 1302
) -> list[Row]:
    """Two ``wintertrack ingest`` processes: the messages per second they store from a backlog
    of ``schemes`` x ``days`` reports, then how long ``at_once`` more reports, produced at
    once, take to be visible in the API (watched through four schemes' histories)."""
    from bench.dataset import national_winter

    app = app_for(store)
    national_winter(app, programmes=1, schemes=schemes, days=1, sites=0)
    before = app.max_position()
    app.close()
    reported = [f"s{n:03d}" for n in range(schemes) if n % 10 < 8]
    server = Server(store, workdir)
    env = {
        **os.environ,
        "WINTERTRACK_STORE": store,
        "WINTERTRACK_KAFKA_BOOTSTRAP": bootstrap,
        "WINTERTRACK_KAFKA_TOPIC_PREFIX": "bench",
        "PYTHONPATH": os.getcwd(),
    }
    log = (workdir / "ingest.log").open("w")
    ingests = [
        subprocess.Popen(
            [sys.executable, "-m", "wintertrack", "ingest"], env=env, stdout=log, stderr=log
        )
        for _ in range(2)
    ]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    start = date(2022, 10, 1)
    try:
        # Warm-up: the consumer group forms (the first join can take ~20 s on tansu).
        producer.send(
            "bench.daily-figures", value=_message(reported[0], start + timedelta(days=1), 0)
        )
        producer.flush()
        _wait_stored(store, before, 1, 120)
        base = reports_stored(store, before)
        backlog = [
            (code, start + timedelta(days=offset)) for offset in range(2, days) for code in reported
        ]
        started = time.perf_counter()
        for n, (code, day) in enumerate(backlog):
            producer.send("bench.daily-figures", key=code.encode(), value=_message(code, day, n))
        producer.flush()
        _wait_stored(store, before, base + len(backlog), 3600)
        rate = len(backlog) / (time.perf_counter() - started)
        later = -(-at_once // len(reported))  # days after the backlog for ``at_once`` reports
        burst = [
            (code, start + timedelta(days=offset))
            for offset in range(days, days + later)
            for code in reported
        ][:at_once]
        waits = _visible(server, producer, burst, set(reported[:4]))
    finally:
        producer.close()
        for ingest in ingests:
            ingest.terminate()
            ingest.wait(timeout=30)
        server.stop()
    return [
        Row(
            "9. Kafka ingest, two processes",
            f"{len(backlog):,} messages",
            f"{rate:,.0f} messages/s stored",
            "1,500 messages/s",
            rate / 1500,
            ">= 1,500 messages/s",
            rate >= 1500,
        ),
        Row(
            "9. Kafka produce -> visible in the API",
            f"{len(burst):,} messages at once, {len(waits):,} watched",
            f"p50 {p(waits, 50):,.0f} ms, p99 {p(waits, 99):,.0f} ms",
            "2,000 ms",
            p(waits, 99) / 2000,
            "p99 <= 2 s",
            p(waits, 99) <= 2000,
            "watched through the scheme history (a view) by one polling client",
        ),
    ]


def _wait_stored(store: str, before: int, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while reports_stored(store, before) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the ingest stored fewer than {count:,} reports in {timeout} s")
        time.sleep(0.05)


def _visible(
    server: Server, producer: KafkaProducer, burst: list[tuple[str, date]], watched: set[str]
) -> list[float]:
    """Produces ``burst`` at once; seconds from each watched message's send until the API's
    history of its scheme shows it."""
    produced: dict[tuple[str, str], float] = {}
    seen: dict[tuple[str, str], float] = {}
    done = threading.Event()

    def watch() -> None:
        with httpx.Client(timeout=30) as client:
            while not done.is_set():
                for code in watched:
                    url = f"{server.url}/api/v1/programmes/{PROGRAMME}/schemes/{code}/history"
                    for entry in client.get(url, headers=server.headers).json():
                        key = (code, str(entry.get("changes", {}).get("date")))
                        if key in produced and key not in seen:
                            seen[key] = time.perf_counter()

    watcher = threading.Thread(target=watch)
    watcher.start()
    for n, (code, day) in enumerate(burst):
        produced[(code, day.isoformat())] = time.perf_counter()
        producer.send("bench.daily-figures", key=code.encode(), value=_message(code, day, n))
    producer.flush()
    deadline = time.monotonic() + 120
    while len(seen) < sum(1 for k in produced if k[0] in watched):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    done.set()
    watcher.join()
    return [seen[k] - produced[k] for k in seen]


def burst_row(store: str, workdir: Path, day: date, window: float, readers: int) -> Row:
    """Every scheme of every programme of the winter containing ``day`` submits that day's
    figures within ``window`` seconds (ten minutes, compressed) while board users read."""
    year = day.year - 1 if day.month < 10 else day.year
    server = Server(store, workdir)
    with connect(store) as conn:
        before = int(conn.execute(f"SELECT MAX(notification_id) FROM {TABLE}").fetchone()[0])  # type: ignore[index]
    base = f"{server.url}/api/v1/programmes"
    programmes = [
        f"Q{n:02d}-{year}-{(year + 1) % 100:02d}"
        for n in range(42)
        if httpx.get(
            f"{base}/Q{n:02d}-{year}-{(year + 1) % 100:02d}", headers=server.headers
        ).status_code
        == 200
    ]
    writes = []
    for code in programmes:
        for scheme in httpx.get(f"{base}/{code}/schemes", headers=server.headers).json():
            body: dict[str, Any] = {"date": day.isoformat()}
            if scheme["measure"] == "reported":
                body["beds_equivalent"] = 3
            else:
                body["beds_occupied"] = 4
            writes.append((f"{base}/{code}/schemes/{scheme['code']}/daily", body))
    stop = threading.Event()
    dashboards: list[float] = []
    health: list[float] = []
    acknowledged: list[int] = []
    lock = threading.Lock()

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                url = f"{base}/{rng.choice(programmes)}/dashboard?as_of={day.isoformat()}"
                t0 = time.perf_counter()
                assert client.get(url, headers=server.headers).status_code == 200
                with lock:
                    dashboards.append(time.perf_counter() - t0)

    def healthz() -> None:
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                t0 = time.perf_counter()
                client.get(f"{server.url}/healthz")
                with lock:
                    health.append(time.perf_counter() - t0)
                time.sleep(0.02)

    def writer(share: list[tuple[int, tuple[str, dict[str, Any]]]], start: float) -> None:
        with httpx.Client(timeout=60) as client:
            for n, (url, body) in share:
                delay = start + window * n / len(writes) - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                answer = client.post(
                    url, json=body, headers={**server.headers, "Idempotency-Key": f"burst-{n}"}
                )
                assert answer.status_code == 201, answer.text[:200]
                with lock:
                    acknowledged.append(n)

    background = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    background.append(threading.Thread(target=healthz))
    for thread in background:
        thread.start()
    start = time.perf_counter()
    indexed = list(enumerate(writes))
    writers = [threading.Thread(target=writer, args=(indexed[k::8], start)) for k in range(8)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in background:
        thread.join()
    server.stop()
    stored = reports_stored(store, before)
    lost, duplicated = len(writes) - stored, max(0, stored - len(set(acknowledged)))
    ratio = p(dashboards, 99) / p(health, 99)
    met = ratio <= 3 and lost == 0 and duplicated == 0
    return Row(
        "10. 11:00 deadline burst",
        f"{len(writes):,} schemes in {window:.0f} s, {readers} board readers",
        f"dashboard p50 {p(dashboards, 50):.0f} ms, p99 {p(dashboards, 99):.0f} ms;"
        f" lost {lost}, duplicated {duplicated}",
        f"/healthz alongside p50 {p(health, 50):.0f} ms, p99 {p(health, 99):.0f} ms",
        ratio,
        "p99 <= 3x /healthz p99, none lost",
        met,
    )


def main() -> None:
    """Only the Kafka rows (``make bench-ingest``), on a PostgreSQL server and a broker started
    here: a check that they run, at a size of your choosing; the figures of record come from a
    whole ``make bench`` on a quiet machine."""
    import argparse
    import tempfile

    from bench.run import render
    from tests.support.broker import Broker
    from tests.support.postgres import PostgresServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--schemes", type=int, default=40)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--at-once", type=int, default=1302)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the logs here")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, PostgresServer() as server:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        with Broker(workdir) as broker:
            rows = kafka_rows(
                server.create_database("bench_kafka"),
                broker.bootstrap,
                workdir,
                args.schemes,
                args.days,
                args.at_once,
            )
    print(render(rows, quick=True, seconds=time.perf_counter() - started))


if __name__ == "__main__":
    main()
