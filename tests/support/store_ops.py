"""A winter on a real store with submitted returns, and the `wintertrack store` command run as a
process, for the store operation tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from typing import Any

from capacity.app.submission import sign_off, submit
from capacity.application import WinterApplication
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from projections.submission import ViewFigures
from wintertrack.config import event_store_env
from wintertrack.demo import ADMIN, generate_winter

PROGRAMME = "QM7-2022-23"
TODAY = date(2023, 1, 16)
SUBMITTED = (("2022-10", ""), ("2022-11", ""), ("2022-11", "restated after a correction"))


@dataclass
class Side:
    app: WinterApplication
    projector: Projector
    read: ReadModel

    def close(self) -> None:
        self.projector.views.close()
        self.app.close()


def open_side(store: str) -> Side:
    app = WinterApplication(env=event_store_env(store), today=lambda: TODAY)
    projector = Projector(app, ViewDatabase(store))
    return Side(app, projector, ReadModel(projector, today=lambda: TODAY))


def winter(store: str, extra_programmes: int = 0) -> Side:
    """The demo winter to 15 January, October's and November's returns submitted (November
    restated after a correction), and ``extra_programmes`` synthetic programmes of 25 schemes."""
    side = open_side(store)
    generate_winter(side.app, PROGRAMME, date(2023, 1, 15))
    for month, reason in SUBMITTED:
        if reason:
            _correct_one(side.app, reason)
        sign_off(side.app, ViewFigures(side.read), ADMIN, PROGRAMME, month)
        submit(side.app, ViewFigures(side.read), ADMIN, PROGRAMME, month, reason)
    if extra_programmes:
        from bench.dataset import national_winter

        national_winter(side.app, programmes=extra_programmes, schemes=25, days=105, sites=1)
    side.projector.run_once()
    return side


def _correct_one(app: WinterApplication, reason: str) -> None:
    """Corrects one November day of a counted scheme that reports beds-equivalent."""
    from capacity.errors import DomainError

    for code in sorted(app.get_programme(PROGRAMME).scheme_codes):
        scheme = app.get_scheme(PROGRAMME, code)
        if scheme.measure != "reported" or not scheme.counts_toward_target:
            continue
        try:
            raw = {"date": "2022-11-10", "beds_equivalent": "0.5"}
            app.correct_daily(ADMIN, PROGRAMME, code, raw, reason)
            return
        except DomainError:
            continue
    raise AssertionError("no November report to correct")


def returns_of(side: Side) -> dict[tuple[str, int], str]:
    """Every submitted revision's CSV as stored."""
    side.projector.run_once()
    return {
        (month, s["revision"]): s["csv"]
        for month in ("2022-10", "2022-11")
        for s in side.read.submissions(PROGRAMME, month)
    }


def store_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wintertrack", "store", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def figures(text: str, label: str) -> dict[str, Any]:
    """events, position and digest from a command's summary line."""
    import re

    found = re.search(r"([\d,]+) events, last position (\d+), digest ([0-9a-f]{64})", text)
    assert found, f"no summary in: {text}"
    events, position, digest = found.groups()
    result = {"events": int(events.replace(",", "")), "position": int(position), "digest": digest}
    print(f"{label}: events={result['events']} position={position} digest={digest}")
    return result
