"""The region's JSON answers as declared types: each ICB's returns for a month, the month's
totals, and the winters compared. An ICB that has not returned has only its name and status,
and its row is served without the fields it does not have (``response_model_exclude_unset``)."""

from __future__ import annotations

from typing import Any

from api.responses import Number
from projections.shapes import Shape


class ReceivedRevision(Shape):
    revision: int
    kind: str
    reason: str
    submitted_by: str
    submitted_at: str
    signed_off_by: str
    signed_off_at: str
    sha256: str
    artefacts: dict[str, dict[str, Any]]


class IcbReturn(Shape):
    """An ICB's latest return of the month (or ``missing``/``not_due`` and nothing else)."""

    icb_code: str
    icb_name: str
    programme: str | None = None
    status: str
    revision: int | None = None
    revisions: list[ReceivedRevision] = []
    submitted_at: str | None = None
    first_submitted_at: str | None = None
    sha256: str | None = None
    # as the ICB's signed message carried them: a whole number stays whole
    bed_target: int | None = None
    delivered_beds_equivalent: Number | None = None
    planned_beds_equivalent: Number | None = None
    spend_to_date_gbp: str | None = None
    spend_in_month_gbp: str | None = None
    allocation_gbp: str | None = None
    by_stream: dict[str, dict[str, str]] | None = None
    rag: str | None = None


class RegionTotals(Shape):
    icbs: int
    submitted: int
    resubmitted: int
    late: int
    missing: int
    not_due: int
    bed_target: int
    delivered_beds_equivalent: float
    planned_beds_equivalent: float
    spend_to_date_gbp: str
    allocation_gbp: str
    by_stream: dict[str, dict[str, str]]
    rag: str | None


class Tracker(Shape):
    """Who has submitted the month's return, late or missing, and the roll-up."""

    region: str
    region_name: str
    month: str
    deadline: str
    deadline_passed: bool
    icbs: list[IcbReturn]
    totals: RegionTotals


class LatestReturn(IcbReturn):
    """An ICB's latest return of any month, with that month."""

    month: str | None = None


class WinterCell(Shape):
    month: str
    status: str
    programme: str | None
    revision: int | None
    bed_target: int | None
    delivered_beds_equivalent: Number | None
    planned_beds_equivalent: Number | None
    rag: str | None


class WinterIcb(Shape):
    icb_code: str
    icb_name: str
    programmes: list[str]
    months: list[WinterCell]


class WinterMonthName(Shape):
    month: str
    financial_month: str


class WinterTotal(Shape):
    month: str
    bed_target: int
    delivered_beds_equivalent: float
    planned_beds_equivalent: float
    rag: str | None


class RegionWinter(Shape):
    winter: str
    months: list[WinterMonthName]
    icbs: list[WinterIcb]
    totals: list[WinterTotal]


class RegionOverview(Shape):
    region: str
    region_name: str
    deadline_working_day: int
    deadline_rule: str
    deadline_text: str
    icbs: list[LatestReturn]
    months: list[Tracker]
    winters: list[RegionWinter]
