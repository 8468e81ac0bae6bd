"""Killing the projector part-way through a page, then restarting, gives the same views."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

from capacity.application import WinterApplication
from projections.db import ViewDatabase
from projections.projector import Projector
from tests.support.dump import dump
from wintertrack.config import event_store_env
from wintertrack.demo import generate_winter


def test_killed_projector_resumes_to_the_same_views(tmp_path: Path) -> None:
    crashed, clean = tmp_path / "crashed", tmp_path / "clean"
    crashed.mkdir()
    store = f"sqlite:///{crashed}/wt.db"
    app = WinterApplication(env=event_store_env(store))
    generate_winter(app, "QM7-2022-23", date(2022, 11, 15))
    total = app.max_position()
    app.close()
    clean.mkdir()
    shutil.copy(crashed / "wt.db", clean / "wt.db")

    runner = [sys.executable, "-m", "tests.support.run_projector", store, "200"]
    process = subprocess.Popen(runner, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    first = int(process.stdout.readline())
    process.send_signal(signal.SIGKILL)  # mid-way through the next page
    process.wait(timeout=30)
    views = ViewDatabase(store)
    partial = Projector(WinterApplication(env=event_store_env(store)), views)
    assert first <= partial.position() < total

    subprocess.run(runner, check=True, capture_output=True, timeout=300)
    assert partial.position() == total

    clean_store = f"sqlite:///{clean}/wt.db"
    reference = Projector(
        WinterApplication(env=event_store_env(clean_store)), ViewDatabase(clean_store)
    )
    reference.run_once()
    assert dump(views) == dump(reference.views)
