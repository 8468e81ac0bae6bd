"""`wintertrack store` against live writers and across engines: a backup taken while a real
server stores daily reports, and a SQLite → PostgreSQL copy killed half-way and resumed. Run
with -s to see the figures."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import psycopg

from tests.support.server import start_server
from tests.support.store_ops import PROGRAMME, figures, open_side, returns_of, store_cli, winter
from wintertrack.store.engines import EventStore

WRITES = 1_000


def _days_to_correct(db: Path) -> list[tuple[str, str]]:
    """(scheme, day) of the demo's beds-equivalent reports, read from the live store."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT state FROM stored_events"
            " WHERE topic = 'wintertrack:DailyReport.DailyFiguresReported'"
        ).fetchall()
    found = []
    for (state,) in rows:
        data = json.loads(state)
        if data.get("beds_equivalent") is not None:
            found.append((data["scheme_code"], data["on"]["_data_"]))
    return sorted(found)


def test_backup_while_a_server_stores_daily_reports(tmp_path: Path) -> None:
    server = start_server(tmp_path, demo_date="2022-11-20")
    db = tmp_path / "wintertrack.db"
    try:
        targets = _days_to_correct(db)
        assert targets
        stored: list[int] = []

        def writer(offset: int) -> None:
            with httpx.Client(base_url=server.url, headers=server.headers("admin")) as client:
                for n in range(offset, WRITES, 4):
                    scheme, day = targets[n % len(targets)]
                    body = {"date": day, "beds_equivalent": f"{n % 9}.5", "reason": f"w{n}"}
                    url = f"/api/v1/programmes/{PROGRAMME}/schemes/{scheme}/daily/{day}"
                    response = client.put(url, json=body, timeout=30)
                    assert response.status_code == 200, response.text
                    stored.append(n)

        writers = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
        for thread in writers:
            thread.start()
        while len(stored) < WRITES // 3:
            time.sleep(0.01)
        backup = tmp_path / "backup.db"
        made = store_cli("backup", str(backup), env={"WINTERTRACK_STORE": f"sqlite:///{db}"})
        during = len(stored)
        for thread in writers:
            thread.join()
    finally:
        server.stop()
    assert made.returncode == 0, made.stderr
    taken = figures(made.stdout, "backup")
    assert len(stored) == WRITES

    live = EventStore(f"sqlite:///{db}")
    final = live.digest()
    prefix = live.digest(taken["position"])
    live.close()
    print(
        f"live: events={final.events} position={final.position} digest={final.hex}; "
        f"{during} of {WRITES} reports stored when the backup finished"
    )
    assert taken["position"] < final.position
    assert (taken["events"], taken["digest"]) == (prefix.events, prefix.hex)

    restored_url = f"sqlite:///{tmp_path}/restored.db"
    restored = store_cli("restore", str(backup), "--to", restored_url)
    assert restored.returncode == 0, restored.stderr
    assert figures(restored.stdout, "restore")["digest"] == taken["digest"]
    assert "wintertrack projections rebuild" in restored.stdout
    rebuilt = subprocess.run(
        [sys.executable, "-m", "wintertrack", "projections", "rebuild"],
        env={**os.environ, "WINTERTRACK_STORE": restored_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"position {taken['position']}" in rebuilt.stdout
    # Nothing half-written: every aggregate's versions run 1..n with no gap, and every
    # aggregate loads.
    versions: dict[str, list[int]] = defaultdict(list)
    side = open_side(restored_url)
    with sqlite3.connect(tmp_path / "restored.db") as conn:
        for ident, version in conn.execute(
            "SELECT originator_id, originator_version FROM stored_events ORDER BY rowid"
        ):
            versions[ident].append(version)
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    assert side.read.dashboard(PROGRAMME).programme == PROGRAMME
    side.close()


def _count(url: str) -> int:
    try:
        with psycopg.connect(url) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM wintertrack_events").fetchone()[0])
    except psycopg.Error:
        return 0


def test_sqlite_to_postgres_copy_killed_half_way_then_resumed(
    tmp_path: Path, postgres_url: str
) -> None:
    source_url = f"sqlite:///{tmp_path}/winter.db"
    side = winter(source_url, extra_programmes=12)
    expected = returns_of(side)
    dashboard = side.read.dashboard(PROGRAMME)
    side.close()
    total = EventStore(source_url).count()
    command = [sys.executable, "-m", "wintertrack", "store", "copy"]
    command += ["--from", source_url, "--to", postgres_url, "--batch", "500"]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while _count(postgres_url) < total // 2 and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = _count(postgres_url)
    print(f"copy: source events={total}; SIGKILLed with {killed_at} copied")
    assert 0 < killed_at < total

    resumed = store_cli("copy", "--from", source_url, "--to", postgres_url)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed after position {killed_at}" in resumed.stdout
    copied = figures(resumed.stdout, "copy resumed")
    print(f"copy: {total} events in {time.monotonic() - started:.1f} s with the kill")
    source = EventStore(source_url)
    source_digest = source.digest()
    source.close()
    assert (copied["events"], copied["digest"]) == (total, source_digest.hex)

    on_postgres = open_side(postgres_url)
    on_postgres.projector.run_once()
    assert on_postgres.read.dashboard(PROGRAMME) == dashboard
    assert returns_of(on_postgres) == expected  # the same bytes for every submitted revision
    on_postgres.close()
    verified = store_cli("verify", "--store", postgres_url)
    print(verified.stdout)
    assert verified.returncode == 0 and "return revisions replayed: 3" in verified.stdout

    back_url = f"sqlite:///{tmp_path}/back.db"
    back = store_cli("copy", "--from", postgres_url, "--to", back_url)
    assert back.returncode == 0, back.stderr
    assert figures(back.stdout, "copy back to SQLite")["digest"] == source_digest.hex
