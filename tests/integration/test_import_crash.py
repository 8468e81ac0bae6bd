"""A bulk import killed part-way keeps every committed row exactly once and no half rows."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from capacity.application import WinterApplication
from capacity.commands import OpenProgramme, RegisterScheme
from projections.event_log import event_record
from tests.scenarios.ledger import ADMIN, PROGRAMME, P, scheme_spec
from wintertrack.config import event_store_env
from wintertrack.importer import HEADER

SCHEMES = 275
DAYS = 182  # 1 Oct 2022 to 31 Mar 2023: 275 x 182 = 50,050 rows
START = date(2022, 10, 1)


def wintertrack() -> list[str]:
    found = shutil.which("wintertrack", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "wintertrack"]


def write_csv(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    rows: dict[tuple[str, str], dict[str, str]] = {}
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        for offset in range(DAYS):
            day = (START + timedelta(days=offset)).isoformat()
            for n in range(SCHEMES):
                row = {
                    "scheme_code": f"s{n:03d}",
                    "date": day,
                    "beds_equivalent": str((n + offset) % 13),
                    "beds_occupied": str((n * 7 + offset) % 40),
                    "discharges_p0": str(offset % 5),
                    "discharges_p1": "" if n % 3 else str(n % 4),
                    "discharges_p2": "",
                    "discharges_p3": "1" if n % 11 == 0 else "",
                    "patients_supported": "",
                    "hours_delivered": f"{(n % 9) * 1.5}",
                    "narrative": "" if n % 5 else f"row {n}/{offset}",
                }
                writer.writerow(row)
                rows[(row["scheme_code"], day)] = row
    return rows


def stored_reports(store: str) -> list[dict[str, object]]:
    app = WinterApplication(env=event_store_env(store))
    found: list[dict[str, object]] = []
    start = 1
    while True:
        page = app.recorder.select_notifications(start, 5000)
        if not page:
            break
        for n in page:
            if n.topic.endswith("DailyFiguresReported"):
                found.append(event_record(n)["data"])
        start = page[-1].id + 1
    app.close()
    return found


def matches(row: dict[str, str], state: dict[str, object]) -> bool:
    def num(value: object) -> str:
        return "" if value is None else str(value)

    discharges = state["discharges"] or {}
    assert isinstance(discharges, dict)
    return (
        num(state["beds_equivalent"]) == row["beds_equivalent"]
        and num(state["beds_occupied"]) == row["beds_occupied"]
        and all(num(discharges.get(p)) == row[f"discharges_{p}"] for p in ("p0", "p1", "p3"))
        and num(state["hours_delivered"]) == row["hours_delivered"]
        and (state["narrative"] or "") == row["narrative"]
    )


@pytest.mark.slow
def test_killed_import_keeps_committed_rows_once_and_rerun_completes(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/wintertrack.db"
    app = WinterApplication(env=event_store_env(store))
    app.run_command(OpenProgramme(actor=ADMIN, spec=PROGRAMME))
    for n in range(SCHEMES):
        app.run_command(
            RegisterScheme(
                actor=ADMIN, programme=P, spec=scheme_spec(f"s{n:03d}", planned_start=None, kpis=[])
            )
        )
    app.close()
    csv_path = tmp_path / "daily.csv"
    rows = write_csv(csv_path)
    assert len(rows) == 50_050
    env = {**os.environ, "WINTERTRACK_STORE": store}
    command = [*wintertrack(), "import", "daily", str(csv_path), "--programme", P]

    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert first.stdout is not None
    committed_line = 0
    for raw in first.stdout:
        line = raw.decode()
        if line.startswith("committed through line"):
            committed_line = int(line.split()[3])
            if committed_line >= 8_000:
                first.send_signal(signal.SIGKILL)
                break
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL, "the import finished before it could be killed"

    reports = stored_reports(store)
    keys = Counter((str(r["scheme_code"]), _day(r["on"])) for r in reports)
    assert max(keys.values()) == 1, "a row was stored twice"
    by_line = list(rows.values())
    for row in by_line[: committed_line - 1]:  # data lines are 2..committed_line
        assert (row["scheme_code"], row["date"]) in keys, "a row reported as stored is missing"
    for state in reports:
        row = rows[(str(state["scheme_code"]), _day(state["on"]))]
        assert matches(row, state), f"row stored with other figures: {row}"
    stored_first = len(reports)
    assert committed_line - 1 <= stored_first < len(rows)

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    summary = rerun.stdout.strip().splitlines()[-1]
    stored, already = int(summary.split()[0]), int(summary.split(", ")[1].split()[0])
    assert (stored, already) == (len(rows) - stored_first, stored_first)
    final = stored_reports(store)
    assert len(final) == len(rows)
    assert len({(str(r["scheme_code"]), _day(r["on"])) for r in final}) == len(rows)
    print(
        f"\n[import-sigkill] rows={len(rows)} killed_after_line={committed_line} "
        f"stored_before_kill={stored_first} rerun_stored={stored} rerun_already={already} "
        f"final={len(final)} duplicates=0"
    )


def _day(value: object) -> str:
    return str(value)
