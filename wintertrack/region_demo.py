"""The region demo: six synthetic East of England ICBs, each with its own store, whose returns
reach the region through the real path — their relays and ``{prefix}.returns`` when a broker
is configured, else the same ``receive`` function in process.

Each ICB's winter is the HWE demo generator under its own code, bed target and seed. One ICB
never submits, one is late for October, one restates October; December is only partly in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capacity.app.submission import sign_off, submit
from capacity.application import WinterApplication
from capacity.errors import DomainError
from capacity.signing import generate, public_text
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel
from projections.submission import ViewFigures
from schemes.deadlines import deadline, is_working_day
from schemes.months import YearMonth
from schemes.regions import Region
from schemes.rules import InputRefused
from wintertrack.demo import ADMIN, generate_winter
from wintertrack.streams.region import outgoing, receive

FINANCE_USER = "icb-finance"
BED_TARGETS = {"QHG": 118, "QUE": 96, "QM7": 141, "QH8": 162, "QMM": 104, "QJG": 88}
NEVER = "QJG"  # never submits
LATE = ("QMM", "2022-10")
RESTATED = ("QH8", "2022-10")


def submitted_at(month: YearMonth, late: bool, offset: int) -> datetime:
    """On time: a working day or more before the deadline; late: two working days after it."""
    day = deadline(month)
    step = 1 if late else -1
    for _ in range(2 if late else 1 + offset % 3):
        day += timedelta(days=step)
        while not is_working_day(day):
            day += timedelta(days=step)
    return datetime.combine(day, time(10, 5 * (offset % 10)), tzinfo=UTC)


def icb_store(region: Region, code: str, until: date, seed: int) -> WinterApplication:
    """An ICB's own (in-memory) store with a winter of figures and its return submissions."""
    moment: list[datetime | None] = [None]
    app = WinterApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        today=lambda: until,
        clock=lambda: moment[0],
    )
    icb = region.icb(code)
    assert icb is not None
    programme = f"{code}-2022-23"
    app.open_programme(
        ADMIN,
        {
            "code": programme,
            "icb_code": code,
            "icb_name": icb.name,
            "region_code": region.code,
            "winter": "2022/23",
            "period_start": date(2022, 10, 1),
            "period_end": date(2023, 3, 31),
            "bed_target": BED_TARGETS.get(code, 100),
            "allocations": {
                "capital": Decimal("1500000"),
                "revenue": Decimal("6200000") + 10000 * (seed - 2022),
                "virtual_ward": Decimal("900000"),
            },
        },
    )
    generate_winter(app, programme, until - timedelta(days=1), seed=seed)
    if code == NEVER:
        return app
    read = ReadModel(Projector(app, ViewDatabase("memory://")), lambda: until)
    month = YearMonth(2022, 10)
    while month.next().first_day <= until:
        at = submitted_at(month, (code, str(month)) == LATE, seed)
        if at.date() <= until:
            moment[0] = at
            sign_off(app, ViewFigures(read), ADMIN, programme, str(month))
            submit(app, ViewFigures(read), ADMIN, programme, str(month))
        restated = at + timedelta(days=3)
        if (code, str(month)) == RESTATED and restated.date() <= until:
            moment[0] = restated
            reason = "spend corrected after ledger close"
            correct_a_spend(app, programme, str(month), reason)
            sign_off(app, ViewFigures(read), ADMIN, programme, str(month))
            submit(app, ViewFigures(read), ADMIN, programme, str(month), reason)
        month = month.next()
    return app


def correct_a_spend(app: WinterApplication, programme: str, month: str, reason: str) -> str:
    """Corrects the first scheme's spend recorded for ``month`` to £1,000.00 (a restatement
    must change the return); returns the scheme corrected."""
    for code in app.scheme_codes(programme):
        try:
            app.correct_spend(ADMIN, programme, code, month, Decimal("1000.00"), "actual", reason)
        except (DomainError, InputRefused):
            continue  # no spend recorded that month, or already £1,000.00
        return code
    raise ValueError(f"no spend recorded in {month} to correct")


def icb_stores(region: Region, until: date) -> dict[str, WinterApplication]:
    return {
        icb.code: icb_store(region, icb.code, until, seed=2022 + n)
        for n, icb in enumerate(region.icbs)
    }


def demo_keys(region: Region) -> tuple[dict[str, Ed25519PrivateKey], Region]:
    """A signing key for each ICB, made at start (never stored), and the region catalogue
    listing their public keys."""
    keys = {icb.code: generate() for icb in region.icbs}
    return keys, region.with_keys({code: [public_text(k)] for code, k in keys.items()})


def deliver_in_process(
    icbs: dict[str, WinterApplication],
    keys: dict[str, Ed25519PrivateKey],
    region_app: WinterApplication,
    region: Region,
) -> dict[str, int]:
    """Every submitted revision of every ICB, signed, through ``receive`` (no broker)."""
    counts = {"published": 0, "stored": 0, "duplicate": 0}
    for code, app in icbs.items():
        for notification in app.recorder.select_notifications(0, 1_000_000):
            message = outgoing(app, notification, keys[code])
            if message is None:
                continue
            key, value, headers = message
            counts["published"] += 1
            counts[receive(region_app, region, value, dict(headers), key)] += 1
    return counts


def publish_to_broker(
    icbs: dict[str, WinterApplication],
    keys: dict[str, Ed25519PrivateKey],
    bootstrap: str,
    prefix: str,
) -> dict[str, int]:
    """Each ICB's own relay publishes its store (events and signed returns) to the broker."""
    from wintertrack.streams.relay import Relay

    published = 0
    for code, app in icbs.items():
        relay = Relay(app, ViewDatabase("memory://"), bootstrap, prefix, signing_key=keys[code])
        while relay.publish_page():
            pass
        published += relay.returns_published
        relay.close()
    return {"published": published}


def load_region_demo(
    region_app: WinterApplication,
    region: Region,
    until: date,
    bootstrap: str | None,
    prefix: str,
    keys: dict[str, Ed25519PrivateKey],
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """``region`` lists the public keys of ``keys`` (``demo_keys``)."""
    icbs = icb_stores(region, until)
    progress(f"{len(icbs)} ICB stores generated to {until}")
    if bootstrap:
        return publish_to_broker(icbs, keys, bootstrap, prefix)
    return deliver_in_process(icbs, keys, region_app, region)
