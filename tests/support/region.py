"""ICBs with their own SQLite stores and signing keys, submitting returns to their region, and
the region's ``wintertrack region follow`` as a process: what the region tests share."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from capacity.app.submission import sign_off, submit
from capacity.application import WinterApplication
from capacity.commands import OpenProgramme
from capacity.returns import MonthlyReturn, return_id
from capacity.signing import generate, sign
from capacity.values import Actor
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from projections.submission import ViewFigures
from schemes.regions import load_region
from wintertrack.config import event_store_env
from wintertrack.demo import generate_winter
from wintertrack.region_demo import correct_a_spend

ADMIN = Actor("ada", "admin", "api")
TODAY = date(2022, 12, 20)
Y61 = load_region("Y61")
# (icb, month, when, reason): QM7 on time then restated, QH8 late for October
SUBMISSIONS = [
    ("QM7", "2022-10", datetime(2022, 11, 9, 10, 0, tzinfo=UTC), ""),
    ("QH8", "2022-10", datetime(2022, 11, 16, 9, 0, tzinfo=UTC), ""),
    ("QM7", "2022-10", datetime(2022, 11, 21, 15, 0, tzinfo=UTC), "ledger corrected"),
    ("QM7", "2022-11", datetime(2022, 12, 9, 11, 0, tzinfo=UTC), ""),
    ("QH8", "2022-11", datetime(2022, 12, 13, 16, 0, tzinfo=UTC), ""),
]


class Icb:
    def __init__(self, workdir: Path, code: str) -> None:
        self.code, self.programme = code, f"{code}-2022-23"
        self.key = generate()  # the ICB's signing key: its relay signs its returns
        self.store = f"sqlite:///{workdir}/{code}.db"
        self.moment: datetime | None = None
        self.app = WinterApplication(
            env=event_store_env(self.store), today=lambda: TODAY, clock=lambda: self.moment
        )
        icb = Y61.icb(code)
        assert icb is not None
        self.app.run_command(
            OpenProgramme(
                actor=ADMIN,
                spec={
                    "code": self.programme,
                    "icb_code": code,
                    "icb_name": icb.name,
                    "region_code": "Y61",
                    "winter": "2022/23",
                    "period_start": date(2022, 10, 1),
                    "period_end": date(2023, 3, 31),
                    "bed_target": 120,
                    "allocations": {"revenue": Decimal("6000000"), "capital": Decimal("1000000")},
                },
            )
        )
        generate_winter(self.app, self.programme, date(2022, 12, 5), seed=len(code) + ord(code[2]))
        self.views = ViewDatabase(self.store)
        self.read = ReadModel(Projector(self.app, self.views), lambda: TODAY)

    def submit(self, month: str, when: datetime, reason: str) -> None:
        self.moment = when
        if reason:  # a restatement changes the return
            correct_a_spend(self.app, self.programme, month, reason)
        sign_off(self.app, ViewFigures(self.read), ADMIN, self.programme, month)
        submit(self.app, ViewFigures(self.read), ADMIN, self.programme, month, reason)

    def submitted_xlsx(self, month: str, revision: int) -> bytes:
        for event in self.app.events.get(return_id(self.programme, month)):
            if isinstance(event, MonthlyReturn.ReturnSubmitted) and event.revision == revision:
                return base64.b64decode(event.xlsx)
        raise AssertionError("no such revision")


def sign_with(icb: Icb, payload: bytes) -> bytes:
    return sign(icb.key, payload).encode()


def received(store: str) -> Counter[tuple[str, str, int]]:
    app = WinterApplication(env=event_store_env(store))
    found: Counter[tuple[str, str, int]] = Counter()
    for n in app.recorder.select_notifications(0, 100_000):
        if n.topic.endswith("ReceivedReturn.ReturnReceived"):
            state = json.loads(n.state)
            found[(state["programme"], state["month"], state["revision"])] += 1
    return found


def follow(env: dict[str, str], catalogue: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "wintertrack", "region", "follow", "--region", str(catalogue)]
    return subprocess.Popen(
        [*command, "--max-poll-records", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
