"""Cleaning of reported figures: the checks the API, CSV import and Kafka ingest all share (a
daily report's figures as a whole: ``capacity/daily_figures.py``).

Each function takes raw values (from JSON, a CSV cell or a message) and returns typed values, or
raises ``InputRefused`` naming the field and the reason. Nothing is stored before this passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from capacity.programme import Programme
from capacity.scheme import Scheme
from capacity.values import BED_TYPES, PATHWAYS
from schemes.rules import (
    MAX_BEDS,
    MAX_DISCHARGES,
    InputRefused,
    check_count,
    check_date_in_period,
    check_kpi_value,
    check_number,
    kpi_type,
    parse_date,
)

MAX_PATIENTS = 100_000
MAX_HOURS = Decimal("100000")


def given(raw: Mapping[str, Any], name: str) -> bool:
    value = raw.get(name)
    return value is not None and not (isinstance(value, str) and value.strip() == "")


def clean_day(field: str, raw: Any, programme: Programme, today: date) -> date:
    day = raw if isinstance(raw, date) else parse_date(field, raw)
    return check_date_in_period(field, day, programme.period_start, programme.period_end, today)


def clean_discharges(field: str, raw: Any) -> dict[str, int] | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise InputRefused(field, "must be an object with pathways p0, p1, p2, p3")
    unknown = sorted(set(raw) - set(PATHWAYS))
    if unknown:
        raise InputRefused(f"{field}.{unknown[0]}", "unknown pathway (expected p0, p1, p2 or p3)")
    return {
        p: check_count(f"{field}.{p}", raw[p], MAX_DISCHARGES) for p in PATHWAYS if given(raw, p)
    } or None


def clean_kpis(field: str, raw: Any, scheme: Scheme) -> dict[str, Decimal | date]:
    """KPI values by code: numbers, or ISO dates for a milestone (``date``) KPI."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputRefused(field, "must be an object of KPI code to value")
    types = {str(k["code"]): kpi_type(k) for k in scheme.kpis}
    cleaned: dict[str, Decimal | date] = {}
    for code, value in raw.items():
        if code not in types:
            raise InputRefused(f"{field}.{code}", f"unknown KPI code for scheme {scheme.code}")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        cleaned[str(code)] = check_kpi_value(f"{field}.{code}", types[code], value)
    return cleaned


def check_hours(field: str, raw: Any, maximum: Decimal = MAX_HOURS) -> Decimal:
    hours = check_number(field, raw)
    if hours > maximum:
        raise InputRefused(field, f"must be at most {maximum} (got {hours})")
    return hours


def clean_bed_change(raw_change: Any, bed_type: Any) -> tuple[int, str]:
    if isinstance(raw_change, bool) or raw_change is None:
        raise InputRefused("change", "must be a whole number of beds, e.g. 4 or -2")
    change = int(check_number("change", raw_change, allow_negative=True))
    if Decimal(str(raw_change)) != change or change == 0:
        raise InputRefused("change", "must be a non-zero whole number of beds, e.g. 4 or -2")
    if abs(change) > MAX_BEDS:
        raise InputRefused("change", f"must be at most {MAX_BEDS} beds (got {change})")
    if bed_type not in BED_TYPES:
        raise InputRefused("bed_type", f"must be one of {', '.join(BED_TYPES)}")
    return change, str(bed_type)
