"""A plausible winter of figures for the HWE 2022/23 programme (or the illustrative 2023/24
one), for demos and smoke tests.

Deterministic for a given seed: schemes mobilise around their planned start, bedded schemes open
beds in steps (with the odd infection closure), other schemes report beds-equivalent near plan
with some missing days, finance records monthly spend, and the three acute sites report flow.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from capacity.application import WinterApplication
from capacity.commands import (
    ChangeBeds,
    ImportDaily,
    LoadCatalogue,
    MobiliseScheme,
    ReceiveFunds,
    RecordSpend,
    RegisterSite,
    ReportFlow,
)
from capacity.daily_import import Batch
from capacity.values import Actor
from schemes.catalogue import load_catalogue

ADMIN = Actor("demo-admin", "admin", "system")
LEAD = Actor("demo-lead", "system", "system")
FINANCE = Actor("demo-finance", "system", "system")
SITES: tuple[tuple[str, str, str, int], ...] = (
    ("RWH", "Lister Hospital (East and North Hertfordshire NHS Trust)", "ENH", 650),
    ("RWG", "Watford General Hospital (West Hertfordshire Teaching Hospitals)", "SW", 600),
    ("RQW", "Princess Alexandra Hospital (Harlow)", "WE", 420),
)
BATCH = 400
SECOND_WINTER = "QM7-2023-24"  # the illustrative catalogue's programme (schemes/data/)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def generate_winter(
    app: WinterApplication,
    programme_code: str,
    until: date,
    seed: int = 2022,
    progress: Callable[[str], None] = lambda _: None,
    catalogue: str = "hwe-2022-23",
) -> int:
    """Loads the catalogue (when needed) and writes a winter of figures up to ``until``.

    Returns the number of daily reports written."""
    rng = random.Random(seed)
    app.run_command(
        LoadCatalogue(actor=ADMIN, catalogue=load_catalogue(catalogue), programme=programme_code)
    )
    programme = app.get_programme(programme_code)
    if not programme.received:
        # The winter money arrives the day before the winter starts (the end of M6, as the
        # source describes); the virtual-ward money was allocated outside winter resilience.
        for stream, amount in sorted(programme.allocations.items()):
            if stream != "virtual_ward" and amount > 0:
                arrived = programme.period_start - timedelta(days=1)
                app.run_command(
                    ReceiveFunds(
                        actor=FINANCE,
                        programme=programme_code,
                        funding_stream=stream,
                        amount_gbp=amount,
                        received_on=arrived,
                    )
                )
    end = min(until, programme.period_end)
    days = _days(programme.period_start, end)
    written = 0
    for code in programme.scheme_codes:
        scheme = app.get_scheme(programme_code, code)
        progress(code)
        start = scheme.planned_start or programme.period_start
        if scheme.measure == "none" and scheme.planned_start is None:
            start = programme.period_start + timedelta(days=rng.randint(0, 20))
        live = max(start, programme.period_start) + timedelta(days=rng.choice((0, 0, 3, 9, 20)))
        if live > end or scheme.funding_stream == "capital":
            continue
        app.run_command(
            MobiliseScheme(actor=LEAD, programme=programme_code, scheme=code, went_live_on=live)
        )
        planned = float(scheme.planned_beds_equivalent or 0)
        if scheme.measure == "beds_open":
            _open_beds(app, rng, programme_code, code, live, end, planned)
        batch: Batch = []
        validate = app.daily_validator(LEAD, programme_code)
        for day in days:
            if day < live or rng.random() < 0.04:
                continue
            raw = _figures(rng, scheme.measure, planned, day, scheme.kpi_codes)
            _, cleaned = validate(code, raw)
            batch.append((day, code, cleaned, f"demo:{seed}"))
            if len(batch) >= BATCH:
                written += len(batch)
                app.run_command(ImportDaily(actor=LEAD, programme=programme_code, reports=batch))
                batch = []
        if batch:
            written += len(batch)
            app.run_command(ImportDaily(actor=LEAD, programme=programme_code, reports=batch))
        _spend(app, rng, programme_code, code, scheme.allocation_gbp, live, end)
    _flow(app, rng, programme_code, days)
    return written


def _open_beds(
    app: WinterApplication,
    rng: random.Random,
    programme: str,
    code: str,
    live: date,
    end: date,
    planned: float,
) -> None:
    target = max(round(planned), 1)
    first = max(target // 2, 1)
    app.run_command(
        ChangeBeds(
            actor=LEAD,
            programme=programme,
            scheme=code,
            on=live,
            change=first,
            bed_type="core",
            reason="beds opened",
        )
    )
    second = live + timedelta(days=rng.randint(7, 21))
    if target > first and second <= end:
        app.run_command(
            ChangeBeds(
                actor=LEAD,
                programme=programme,
                scheme=code,
                on=second,
                change=target - first,
                bed_type="core",
                reason="fully staffed",
            )
        )
    closure = live + timedelta(days=rng.randint(25, 60))
    if rng.random() < 0.4 and closure + timedelta(days=5) <= end and target >= 2:
        app.run_command(
            ChangeBeds(
                actor=LEAD,
                programme=programme,
                scheme=code,
                on=closure,
                change=-1,
                bed_type="core",
                reason="infection control closure",
            )
        )
        reopen = closure + timedelta(days=rng.randint(3, 5))
        app.run_command(
            ChangeBeds(
                actor=LEAD,
                programme=programme,
                scheme=code,
                on=reopen,
                change=1,
                bed_type="core",
                reason="reopened after deep clean",
            )
        )


def _figures(
    rng: random.Random, measure: str, planned: float, day: date, kpis: set[str]
) -> dict[str, Any]:
    weekend = day.weekday() >= 5
    raw: dict[str, Any] = {
        "date": day.isoformat(),
        "discharges": {
            "p0": rng.randint(0, 3 if weekend else 6),
            "p1": rng.randint(0, 3),
            "p2": rng.randint(0, 1),
        },
    }
    if measure == "reported":
        delivered = max(0.0, rng.gauss(planned * 0.93, planned * 0.15 + 0.3))
        raw["beds_equivalent"] = f"{delivered:.1f}"
    if measure == "beds_open":
        raw["beds_occupied"] = max(0, int(planned) - rng.randint(0, 2))
    if measure == "none":
        raw["patients_supported"] = rng.randint(0, 12)
        raw["hours_delivered"] = f"{rng.uniform(4, 20):.1f}"
    raw["kpis"] = {k: rng.randint(0, 20) for k in sorted(kpis)[:2]}
    return raw


def _spend(
    app: WinterApplication,
    rng: random.Random,
    programme: str,
    code: str,
    allocation: Decimal,
    live: date,
    end: date,
) -> None:
    month = date(live.year, live.month, 1)
    monthly = allocation / 6
    while month <= end:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if following - timedelta(days=1) > end:
            break  # the month is not over yet: finance records it at month end
        amount = (monthly * Decimal(str(rng.uniform(0.6, 1.1)))).quantize(Decimal("0.01"))
        app.run_command(
            RecordSpend(
                actor=FINANCE,
                programme=programme,
                scheme=code,
                month=f"{month:%Y-%m}",
                amount_gbp=amount,
                basis="actual",
            )
        )
        month = following


def _flow(app: WinterApplication, rng: random.Random, programme: str, days: list[date]) -> None:
    registered = set(app.get_programme(programme).site_codes)
    for ods, name, place, core in SITES:
        if ods not in registered:
            app.run_command(
                RegisterSite(actor=ADMIN, programme=programme, ods_code=ods, name=name, place=place)
            )
        for day in days:
            escalation = rng.randint(0, 30)
            occupied = min(core + escalation, int((core + escalation) * rng.uniform(0.9, 1.0)))
            nctr = rng.randint(60, 140)
            discharged = rng.randint(10, min(nctr, 45))
            app.run_command(
                ReportFlow(
                    actor=LEAD,
                    programme=programme,
                    ods_code=ods,
                    figures={
                        "date": day.isoformat(),
                        "core_beds_open": core,
                        "escalation_beds_open": escalation,
                        "beds_occupied": occupied,
                        "nctr": nctr,
                        "nctr_discharged": discharged,
                        "nctr_discharged_by_5pm": rng.randint(0, discharged),
                        "discharges": {
                            "p0": rng.randint(40, 90),
                            "p1": rng.randint(5, 20),
                            "p2": rng.randint(0, 6),
                            "p3": rng.randint(0, 3),
                        },
                    },
                )
            )


def second_winter(app: WinterApplication, until: date) -> int:
    """QM7's illustrative 2023/24 winter beside 2022/23, with figures up to ``until``."""
    return generate_winter(app, SECOND_WINTER, until, seed=2023, catalogue="hwe-2023-24")
