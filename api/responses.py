"""What the JSON routes answer, as declared types: each GET route names one of these (or a
read-side shape from ``projections/shapes.py``) as its ``response_model``, so ``/openapi.json``
documents every answer. Fields keep the order and the value formats the answers have always had
(money as strings in pounds with pence, beds-equivalent as numbers)."""

from __future__ import annotations

from projections.shapes import Dashboard, Shape


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
