"""The benchmark generator is deterministic, and the harness runs on a tiny dataset."""

from __future__ import annotations

import json
from pathlib import Path

from bench import measure
from bench.dataset import national_winter
from bench.run import render
from capacity.application import WinterApplication


def events(app: WinterApplication) -> list[tuple[str, int, str, dict[str, object]]]:
    found = []
    for n in app.recorder.select_notifications(1, 100_000):
        state = json.loads(n.state)
        state.pop("timestamp")
        found.append((str(n.originator_id), n.originator_version, n.topic, state))
    return found


def test_generator_is_deterministic() -> None:
    runs = []
    for _ in range(2):
        app = WinterApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        national_winter(app, programmes=2, schemes=3, days=7, sites=1, seed=11)
        runs.append(events(app))
    assert runs[0] == runs[1]
    assert len(runs[0]) > 60


def test_harness_measures_and_renders_on_a_tiny_dataset(tmp_path: Path) -> None:
    row, raw = measure.bulk_import(tmp_path, schemes=2, days=5)
    assert row.ratio > 0 and "events/s" in row.figure
    assert "library's put" in row.reference and raw.ratio > 0
    store = f"sqlite:///{tmp_path}/tiny.db"
    app = measure.app_for(store)
    national_winter(app, programmes=1, schemes=2, days=5, sites=1)
    app.close()
    rebuilt, result = measure.rebuild_rows("tiny", store, tmp_path / "tiny.db")
    assert result["events"] > 0 and result["peak_rss_kb"] > 0
    naive = measure.naive_row(store, tmp_path / "tiny.db", "tiny", "Q00-2022-23", "2022-10")
    table = render([row, rebuilt, naive], quick=True, seconds=1.0)
    assert table.count("\n| ") == 4  # header + three rows
