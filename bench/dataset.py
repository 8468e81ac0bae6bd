"""A deterministic synthetic national winter: many ICB programmes, schemes, sites and days.

The same seed always writes the same events (identities are derived from natural codes, values
from a seeded generator), through the application's own batch path.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from capacity.application import WinterApplication
from capacity.daily_import import Batch
from capacity.values import Actor

ACTOR = Actor("bench", "system", "system")
PLACES = ("ENH", "SW", "WE", "HERTS", "HWE")


def programme_code(n: int, year: int) -> str:
    return f"Q{n:02d}-{year}-{(year + 1) % 100:02d}"


def national_winter(
    app: WinterApplication,
    programmes: int = 42,
    schemes: int = 31,
    days: int = 182,
    sites: int = 3,
    winters: int = 1,
    seed: int = 7,
    progress: Callable[[int], None] = lambda n: None,
) -> int:
    """Writes the dataset; returns the number of events in the store."""
    rng = random.Random(seed)
    for w in range(winters):
        year = 2022 + w
        start = date(year, 10, 1)
        for p in range(programmes):
            code = programme_code(p, year)
            _programme(app, code, p, start)
            for s in range(schemes):
                _scheme(app, rng, code, s, start, days)
                progress(days)
            for site in range(sites):
                _site(app, rng, code, p, site, start, days)
            _money(app, rng, code, schemes, start, days)
    return app.max_position()


def _programme(app: WinterApplication, code: str, n: int, start: date) -> None:
    app.open_programme(
        ACTOR,
        {
            "code": code,
            "icb_code": f"Q{n:02d}",
            "icb_name": f"Integrated Care Board {n:02d}",
            "region_code": f"Y{60 + n % 7}",
            "winter": f"{start.year}/{(start.year + 1) % 100:02d}",
            "period_start": start,
            "period_end": date(start.year + 1, 3, 31),
            "bed_target": 140,
            "allocations": {"capital": Decimal("4000000"), "revenue": Decimal("7000000")},
        },
    )


def _scheme(
    app: WinterApplication, rng: random.Random, programme: str, n: int, start: date, days: int
) -> None:
    measure = "reported" if n % 10 < 8 else ("beds_open" if n % 10 == 8 else "none")
    planned = None if measure == "none" else Decimal(rng.randint(2, 15))
    code = f"s{n:03d}"
    app.register_scheme(
        ACTOR,
        programme,
        {
            "code": code,
            "name": f"Scheme {n}",
            "category": "community",
            "place": PLACES[n % 5],
            "provider": None,
            "funding_stream": "revenue",
            "allocation_gbp": Decimal(rng.randint(40, 900) * 1000),
            "measure": measure,
            "planned_beds_equivalent": planned,
            "place_split": None,
            "counts_toward_target": planned is not None,
            "planned_start": None,
            "kpis": [],
            "lead": None,
        },
    )
    app.mobilise_scheme(ACTOR, programme, code, start)
    if measure == "beds_open":
        app.change_beds(ACTOR, programme, code, start, int(planned or 1), "core", "opened")
    batch: Batch = []
    validate = app.daily_validator(ACTOR, programme)
    for offset in range(days):
        day = start + timedelta(days=offset)
        raw: dict[str, Any] = {
            "date": day,
            "beds_occupied": rng.randint(0, 20),
            "discharges": {"p0": rng.randint(0, 6), "p1": rng.randint(0, 3)},
        }
        if measure == "reported":
            raw["beds_equivalent"] = f"{max(0.0, rng.gauss(float(planned or 0), 2)):.1f}"
        _, cleaned = validate(code, raw)
        batch.append((day, code, cleaned, "bench"))
    app.report_daily_batch(ACTOR, programme, batch)
    for offset in rng.sample(range(days), k=min(2, days)):
        day = start + timedelta(days=offset)
        figures = {"date": day, "beds_equivalent": "1.0", "beds_occupied": 1}
        app.correct_daily(ACTOR, programme, code, figures, "late correction")


def _site(
    app: WinterApplication,
    rng: random.Random,
    programme: str,
    n: int,
    site: int,
    start: date,
    days: int,
) -> None:
    ods = f"R{n:02d}{site}"
    app.register_site(ACTOR, programme, ods, f"Acute site {ods}", PLACES[site % 3])
    for offset in range(days):
        core = 400 + 50 * site
        nctr = rng.randint(40, 120)
        discharged = rng.randint(5, 40)
        app.report_flow(
            ACTOR,
            programme,
            ods,
            {
                "date": start + timedelta(days=offset),
                "core_beds_open": core,
                "escalation_beds_open": rng.randint(0, 25),
                "beds_occupied": rng.randint(core - 30, core),
                "nctr": nctr,
                "nctr_discharged": discharged,
                "nctr_discharged_by_5pm": rng.randint(0, discharged),
                "discharges": {"p0": rng.randint(30, 80), "p1": rng.randint(5, 20)},
            },
        )


def _money(
    app: WinterApplication,
    rng: random.Random,
    programme: str,
    schemes: int,
    start: date,
    days: int,
) -> None:
    months = sorted({(start + timedelta(days=o)).strftime("%Y-%m") for o in range(days)})
    if schemes >= 2:  # before any spend: a diversion takes only unspent money
        app.divert_funding(ACTOR, programme, "s000", "s001", "5000", "BOARD-1", start)
    for n in range(schemes):
        for month in months:
            amount = Decimal(rng.randint(1000, 90000))
            app.record_spend(
                ACTOR,
                programme,
                f"s{n:03d}",
                month,
                amount,
                "actual",
                confirm_comment="random figures: some are well above the profile",
            )
