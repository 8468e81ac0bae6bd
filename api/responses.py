"""What the JSON routes answer, as declared types: each GET route names one of these (or a
read-side shape from ``projections/shapes.py``) as its ``response_model``, so ``/openapi.json``
documents every answer. Fields keep the order and the value formats the answers have always had
(money as strings in pounds with pence, beds-equivalent as numbers).

Answers whose rows differ in which fields they carry (a region's ICB that has not returned, a
return that is not signed off) are served with ``response_model_exclude_unset``: a field a row
does not have is left out, as it always was, rather than written as null.
"""

from __future__ import annotations

from typing import Any

from projections.shapes import Dashboard, Shape

# A sum that is a whole 0 when nothing is summed, and a float otherwise.
Number = int | float


class AsAt(Shape):
    """How fresh the views behind an answer are (``projections/freshness.py``)."""

    position: int
    recorded_at: str | None
    age_seconds: float | None
    head: int
    lag_events: int
    lag_seconds: float
    text: str


class DashboardAnswer(Dashboard):
    as_at: AsAt


class Health(Shape):
    status: str


class Readiness(Shape):
    """``ready`` (200), or ``warming``, ``behind`` or ``unavailable`` (503)."""

    status: str
    store_position: int | None = None
    views_position: int | None = None
    projection_lag: int | None = None
    max_lag: int | None = None
    detail: str | None = None


# --- how the bed target is built ----------------------------------------------------------------


class CountedScheme(Shape):
    scheme_code: str
    scheme_name: str
    planned_beds_equivalent: float | None
    notes: str
    source_refs: list[str]


class Departure(Shape):
    scheme_code: str
    reading: str
    source: str


class SourceReading(Shape):
    topic: str
    reading: str
    source: str


class About(Shape):
    programme: str
    bed_target: int
    counted_planned_beds_equivalent: Number
    matches_target: bool
    counted: list[CountedScheme]
    not_counted: list[CountedScheme]
    departures: list[Departure]
    readings: list[SourceReading]


# --- the working behind a figure --------------------------------------------------------------


class Trail(Shape):
    position: int
    recorded_at: str
    said: str


class CountedWorking(Shape):
    scheme_code: str
    planned: str | None
    delivered: str | None


class NotCountedWorking(Shape):
    scheme_code: str
    delivered: str | None


class ExplainSystem(Shape):
    """A month's system total: each counted scheme's daily average, summed; exact decimals."""

    month: str
    as_of: str
    known_at: int
    bed_target: int
    planned_beds_equivalent: str | None
    delivered_beds_equivalent: str | None
    counted: list[CountedWorking]
    not_counted: list[NotCountedWorking]


class ExplainDay(Shape):
    date: str
    status: str
    planned: str | None
    delivered: str | None
    how: str
    events: list[Trail]


class ExplainDelivery(Shape):
    scheme_code: str
    month: str
    as_of: str
    known_at: int
    window_days: int
    planned_sum: str | None
    delivered_sum: str | None
    planned_beds_equivalent: str | None
    delivered_beds_equivalent: str | None
    rag: str
    days_reported: int
    completeness: str | None
    days: list[ExplainDay]
    bed_changes: list[Trail]
    status_changes: list[Trail]


class ExplainSpendMonth(Shape):
    month: str
    spend_gbp: str
    profile_gbp: str
    events: list[Trail]


class ExplainSpend(Shape):
    scheme_code: str
    month: str
    known_at: int
    spend_to_date_gbp: str
    profile_to_date_gbp: str
    variance_gbp: str
    allocation_gbp: str
    months: list[ExplainSpendMonth]


# --- the audit logs -----------------------------------------------------------------------------


class EventRecord(Shape):
    """One stored event as the relay publishes it; ``data`` is the event's own fields."""

    event_type: str
    aggregate_id: str
    aggregate_version: int
    position: int | None
    recorded_at: str | None
    programme: str | None
    actor: dict[str, Any] | None
    data: dict[str, Any]


class SignInRecord(Shape):
    position: int
    event: str
    at: str
    who: str
    role: str
    address: str | None
    method: str | None
    claimed: str | None
    reason: str | None


class Revoked(Shape):
    position: int


class SessionsEnded(Shape):
    status: str


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEXT: dict[str, Any] = {"schema": {"type": "string"}}
_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
# A file download: a CSV or an XLSX workbook, byte for byte (``response_class=Response``).
FILES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file", "content": {"text/csv": _TEXT, _XLSX: _BINARY}}
}
# The return in JSON (its response model), or as a file with ``format=csv|xlsx``.
JSON_OR_FILES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The return", "content": {"text/csv": _TEXT, _XLSX: _BINARY}}
}
