"""What the board reads, as declared types: a month's delivery per scheme, the system's days,
the dashboard and the winters compared. The read model builds them, the pages and the board
paper read their attributes, and the API declares them as its response models, so OpenAPI and
mypy see the same fields.

The fields are in the order the JSON answers have always had, and carry the values as written
there: beds-equivalent and percentages as numbers to a decimal place or two, money as strings
in pounds with pence (``projections/returns.py``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    """Read-only, and refusing a field it does not declare: an answer never drops one."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SchemeMonth(Shape):
    """One scheme's line of a month: delivery, completeness and money (docs/rules.md §2 to §8)."""

    scheme_code: str
    scheme_name: str
    place: str
    measure: str
    counts_toward_target: bool
    window_days: int
    planned_beds_equivalent: float | None
    delivered_beds_equivalent: float | None
    delivery_rag: str
    completeness_pct: float | None
    days_reported: int
    place_split: dict[str, float] | None
    allocation_gbp: str
    spend_in_month_gbp: str
    spend_to_date_gbp: str
    profile_to_date_gbp: str
    variance_gbp: str
    forecast_outturn_gbp: str
    status: str


class DeliveryMonth(Shape):
    """The counted schemes' month against plan and target, and every scheme's line."""

    programme: str
    month: str
    as_of: str
    through: str
    window_days: int
    known_at: int
    bed_target: int
    planned_beds_equivalent: float | None
    delivered_beds_equivalent: float | None
    delivered_pct_of_plan: float | None
    delivered_pct_of_target: float | None
    schemes: list[SchemeMonth]


class DeliveryDay(Shape):
    date: str
    delivered_beds_equivalent: float | None
    planned_beds_equivalent: float | None
    target: int
    reports_due: int
    reports_in: int
    complete: bool


class DeliveryDaily(Shape):
    """The system's beds-equivalent day by day, with how many reports were in."""

    programme: str
    known_at: int
    bed_target: int
    days: list[DeliveryDay]


class TargetCheck(Shape):
    bed_target: int
    counted_planned_beds_equivalent: float
    differs: bool
    difference: float


class Headline(Shape):
    """The latest full day and the month to date; today's reports shown apart, "so far"."""

    date: str
    delivered: float | None
    planned: float | None
    month: str
    delivered_month_to_date: float | None
    planned_month_to_date: float | None
    month_to_date_through: str
    month_to_date_days: int
    delivered_pct_of_plan: float | None
    delivered_pct_of_target: float | None
    today: str
    delivered_today_so_far: float | None
    reports_today_so_far: int


class StreamSpend(Shape):
    funding_stream: str
    programme_allocation_gbp: str
    scheme_allocations_gbp: str
    unassigned_gbp: str
    funds_received_gbp: str
    funds_received_on: list[str]
    closed_month: str
    spend_to_date_gbp: str
    profile_to_date_gbp: str


class StreamHeadroom(Shape):
    funding_stream: str
    allocation_gbp: str
    committed_gbp: str
    headroom_gbp: str


class Headroom(Shape):
    allocation_gbp: str
    committed_gbp: str
    headroom_gbp: str
    by_stream: list[StreamHeadroom]
    virtual_ward: StreamHeadroom | None


class DiversionCandidate(Shape):
    scheme_code: str
    reasons: list[str]
    uncommitted_gbp: str


class FlowFigures(Shape):
    days: int
    beds_open: int
    occupied: int
    occupancy_pct: float | None
    nctr: int
    nctr_not_discharged_by_5pm: int
    discharges: dict[str, int]


class SiteFlow(Shape):
    ods_code: str
    name: str
    place: str
    yesterday: FlowFigures
    month: FlowFigures


class SystemFlow(Shape):
    yesterday: FlowFigures
    month: FlowFigures


class Flow(Shape):
    sites: list[SiteFlow]
    system: SystemFlow


class BedOccupancy(Shape):
    """A bedded scheme's beds open at the end of a day beside the beds occupied in its latest
    report on or before it (and the beds open on that report's day)."""

    beds_open: int
    beds_occupied: int | None
    beds_occupied_on: str | None
    beds_open_that_day: int | None


class Reading(Shape):
    """Which of the two readings of a past day (docs/rules.md §1), in words."""

    kind: str
    label: str


class MonthName(Shape):
    financial_month: str
    name: str


class WinterMonth(Shape):
    month: str
    financial_month: str
    window_days: int
    days_in_month: int
    bed_target: int
    delivered_beds_equivalent: float | None
    planned_beds_equivalent: float | None
    delivered_pct_of_target: float | None
    delivered_pct_of_plan: float | None
    delivery_rag: str | None


class Winter(Shape):
    programme: str
    icb_code: str
    winter: str
    period_start: str
    period_end: str
    bed_target: int
    months: list[WinterMonth]


class Winters(Shape):
    """Every winter of an ICB month by month (M7 October to M12 March), each against its own
    bed target; a month not yet started has no figures."""

    programme: str
    icb_code: str
    icb_name: str
    as_of: str
    known_at: int
    months: list[MonthName]
    winters: list[Winter]


class Dashboard(Shape):
    """The board's dashboard. ``reading`` is given only when the day was read one of the two
    named ways, and is then the last field of the answer."""

    programme: str
    icb_name: str
    as_of: str
    known_at: int
    bed_target: int
    target_check: TargetCheck
    headline: Headline
    spend: list[StreamSpend]
    headroom: Headroom
    schemes: list[SchemeMonth]
    chase_list: list[str]
    diversion_candidates: list[DiversionCandidate]
    complete_months: list[str]
    flow: Flow
    reading: Reading | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON answer's values: ``reading`` left out when the day was not read a way."""
        return self.model_dump(mode="json", exclude={"reading"} if self.reading is None else None)
