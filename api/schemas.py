"""API request and response models, separate from the events they lead to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from capacity.daily_figures import FIELDS, Kind
from capacity.flow_figures import COUNTS as FLOW_COUNTS
from capacity.plausibility import MAX_COMMENT
from capacity.values import PATHWAYS, SpendBasis
from schemes.specs import Category, Measure, Place
from schemes.specs import FundingStream as Stream

# Pounds and pence below £10bn, finite: refused by the parser before any arithmetic can
# overflow (each field adds its own ceiling; the domain's is £100m, docs/rules.md §13).
Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2, allow_inf_nan=False)]
Text = str
KpiValue = Decimal | date  # a number, or an ISO date for a milestone (date) KPI


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Allocations(Strict):
    capital: Money = Field(default=Decimal("0"), ge=0, le=100_000_000)
    revenue: Money = Field(default=Decimal("0"), ge=0, le=100_000_000)
    virtual_ward: Money = Field(default=Decimal("0"), ge=0, le=100_000_000)


class ProgrammeCreate(Strict):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$", examples=["QM7-2022-23"])
    icb_code: str = Field(pattern=r"^[A-Z0-9]{3,5}$", examples=["QM7"])
    icb_name: str = Field(min_length=1, max_length=200)
    region_code: str = Field(pattern=r"^[A-Z0-9]{3}$", examples=["Y61"])
    winter: str = Field(pattern=r"^\d{4}/\d{2}$", examples=["2022/23"])
    period_start: date
    period_end: date
    bed_target: int = Field(ge=0, le=100_000)
    allocations: Allocations


class ProgrammePublic(BaseModel):
    code: str
    icb_code: str
    icb_name: str
    region_code: str
    winter: str
    period_start: date
    period_end: date
    bed_target: int
    allocations: dict[str, str]
    reconciliation: list[dict[str, str]] = []


class KpiIn(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name: str = Field(min_length=1, max_length=300)
    unit: str = Field(default="count", max_length=20)
    type: Literal["count", "hours", "percent", "money", "date"] | None = None
    target: Decimal | str | None = None
    aggregation: Literal["sum", "mean", "latest"] = "latest"


class SchemeCreate(Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1, max_length=300)
    category: Category
    place: Place
    provider: str | None = Field(default=None, max_length=300)
    funding_stream: Stream
    allocation_gbp: Money = Field(ge=0, le=100_000_000)
    measure: Measure
    planned_beds_equivalent: Decimal | None = Field(default=None, ge=0, le=2000)
    place_split: dict[Place, Decimal] | None = None
    counts_toward_target: bool = False
    planned_start: date | None = None
    kpis: list[KpiIn] = Field(default_factory=list, max_length=50)
    lead: str | None = Field(default=None, max_length=200)


class KpiPublic(BaseModel):
    code: str
    name: str
    unit: str
    type: str = "count"
    target: float | str | None
    aggregation: str


class SchemePublic(BaseModel):
    code: str
    name: str
    category: str
    place: str
    provider: str | None
    funding_stream: str
    allocation_gbp: str
    measure: str
    planned_beds_equivalent: float | None
    place_split: dict[str, float] | None
    counts_toward_target: bool
    planned_start: date | None
    kpis: list[KpiPublic]
    lead: str | None
    status: str
    current_allocation_gbp: str
    went_live_on: date | None
    notes: str = Field("", description="The catalogue's notes: readings of its source")
    source_refs: list[str] = Field(default_factory=list, description="Where each figure came from")
    beds_open: int | None = Field(None, description="Bedded schemes: beds open today")
    beds_occupied: int | None = Field(
        None,
        description="Bedded schemes: beds occupied in the latest report (an open but empty "
        "ward shows as open beds with 0 occupied)",
    )
    beds_occupied_on: date | None = Field(None, description="The day beds_occupied was reported")


class Receipt(BaseModel):
    position: int = Field(description="Event-log position reached by this write")
    ids: dict[str, str] = {}
    replayed: bool = Field(False, description="True when an Idempotency-Key retry was answered")


class Mobilise(Strict):
    went_live_on: date


class BedChange(Strict):
    date: date
    change: int = Field(description="+n opens beds, -n closes them")
    bed_type: Literal["core", "escalation", "community", "mental_health", "dta", "virtual"]
    reason: str = Field(default="", max_length=2000)


if TYPE_CHECKING:  # what mypy sees; at run time these models are built from the value objects

    class Discharges(Strict):
        pass

    class DailyIn(Strict):
        date: date
        confirm_comment: str | None

    class FlowIn(Strict):
        date: date

else:
    Discharges = create_model(
        "Discharges",
        __base__=Strict,
        __module__=__name__,
        **{p: (int | None, None) for p in PATHWAYS},
    )
    # How the API types each kind of daily figure; the figures, their names and their order
    # come from the one table (capacity/daily_figures.py).
    FIGURE_TYPES: dict[Kind, Any] = {
        "beds_equivalent": Decimal,
        "count": int,
        "hours": Decimal,
        "pathways": Discharges,
        "kpis": dict[str, KpiValue],
        "text": str,
    }
    DailyIn = create_model(
        "DailyIn",
        __base__=Strict,
        __module__=__name__,
        date=(date, ...),
        **{f.name: (FIGURE_TYPES[f.kind] | None, None) for f in FIELDS},
        # figures that look wrong (capacity/plausibility.py) are stored only with a comment
        confirm_comment=(str | None, Field(None, max_length=MAX_COMMENT)),
    )
    # A site's day of flow: every count required (capacity/flow_figures.py), discharges not.
    FlowIn = create_model(
        "FlowIn",
        __base__=Strict,
        __module__=__name__,
        date=(date, ...),
        **{name: (int, ...) for name in FLOW_COUNTS},
        discharges=(Discharges | None, None),
    )


class DailyCorrection(DailyIn):
    reason: str


class SpendIn(Strict):
    month: str = Field(examples=["2022-10"])
    amount_gbp: Money
    basis: SpendBasis
    # spend well above the month's profile (capacity/plausibility.py) is stored only with one
    confirm_comment: str | None = Field(None, max_length=MAX_COMMENT)


class SpendCorrection(Strict):
    amount_gbp: Money
    basis: SpendBasis
    reason: str
    confirm_comment: str | None = Field(None, max_length=MAX_COMMENT)


class StatusChange(Strict):
    action: Literal["pause", "resume", "close"]
    on: date
    reason: str = Field(max_length=2000)


class DiversionIn(Strict):
    from_scheme: str
    to_scheme: str
    amount_gbp: Money
    decision_ref: str = Field(min_length=1, max_length=200)
    decided_on: date
    confirm_repeat: bool = False  # store it although it looks like one already recorded


class SiteCreate(Strict):
    ods_code: str
    name: str = Field(min_length=1, max_length=200)
    place: Place


class FlowCorrection(FlowIn):
    reason: str


class HistoryEntry(BaseModel):
    position: int | None
    event: str
    at: str
    who: str
    role: str
    channel: str
    changes: dict[str, object]
    # The entry as a sentence ("12 Nov 2022 — beds-equivalent 8.4 → 9.1 (correction: …)")
    # and its kind (figures, spend, beds, status, money, plan, narrative).
    text: str = ""
    kind: str = ""


class BedTargetRevision(Strict):
    bed_target: int = Field(ge=0, le=100_000)
    reason: str = Field(min_length=1, max_length=2000)


class AllocationRevision(Strict):
    funding_stream: Stream
    amount_gbp: Money
    reason: str = Field(min_length=1, max_length=2000)
    effective_on: date | None = Field(
        default=None, description="From this day (default: the whole winter)"
    )


class FundsReceivedIn(Strict):
    funding_stream: Stream
    amount_gbp: Money
    received_on: date
    confirm_repeat: bool = False  # store it although it looks like one already recorded


class ManagementForecastIn(Strict):
    funding_stream: Stream
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="The return it is entered for")
    amount_gbp: Money = Field(description="Forecast outturn to March")
    note: str = Field(min_length=1, max_length=2000, description="Why it differs")


class NarrativeIn(Strict):
    narrative: str = Field(max_length=2000)


def daily_body(body: DailyIn) -> dict[str, Any]:
    raw = body.model_dump(exclude={"reason"})
    raw["date"] = body.date.isoformat()
    return raw
