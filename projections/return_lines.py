"""The lines of the monthly return, one dataclass per section, and how each cell is written.

Every column has a kind, and the kind alone decides how a cell is written in JSON, CSV, XLSX
and HTML (docs/rules.md §12): ``money`` is exact pounds and pence (a string in JSON and CSV, a
number with an accounting format in XLSX, ``-£1,234.56`` in text); ``beds`` two decimals;
``pct`` and ``avg`` one decimal; ``ragpct``, a percentage beside a RAG, one decimal or as many
more as keep it in the RAG's band; ``date`` ISO 8601; ``bool`` yes or no; ``kpi`` a KPI's value
(a number, or a date for a milestone KPI); ``text`` and ``int`` as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from projections.return_cells import Section, columns
from projections.return_sections import MORE_SECTIONS

LAYOUT = "wintertrack-return/3"  # cells: projections/return_cells.py


@dataclass(frozen=True)
class Cover:
    icb_name: str
    icb_code: str
    region_code: str
    programme: str
    winter: str
    financial_year: str
    financial_month: str
    return_period: str
    month: str
    month_name: str
    period_start: date | None
    period_end: date | None
    bed_target: int
    known_at: int
    as_at: str
    synthetic: bool
    status: str
    revision: int | None
    restatement_reason: str
    submitted_by: str
    submitted_at: str
    signed_off_by: str
    signed_off_at: str
    layout: str


@dataclass(frozen=True)
class StreamLine:
    funding_stream: str
    nhse_allocation_gbp: Decimal
    assigned_to_schemes_gbp: Decimal
    unassigned_gbp: Decimal
    funds_received_gbp: Decimal
    funds_received_on: str
    spend_in_month_gbp: Decimal
    spend_to_date_gbp: Decimal
    forecast_outturn_gbp: Decimal
    variance_gbp: Decimal


@dataclass(frozen=True)
class BedsLine:
    group: str
    place: str
    schemes: int
    target: int | None
    planned_beds_equivalent: Decimal
    delivered_beds_equivalent: Decimal
    delivered_pct_of_planned: Decimal | None
    delivered_pct_of_target: Decimal | None


@dataclass(frozen=True)
class SchemeLine:
    section: str
    place: str
    scheme_code: str
    scheme_name: str
    provider: str
    funding_stream: str
    counts_toward_target: bool
    status: str
    planned_start: date | None
    went_live_on: date | None
    original_allocation_gbp: Decimal
    diverted_in_gbp: Decimal
    diverted_out_gbp: Decimal
    allocation_gbp: Decimal
    spend_in_month_gbp: Decimal
    spend_basis: str
    spend_to_date_gbp: Decimal
    forecast_outturn_gbp: Decimal
    variance_gbp: Decimal
    planned_beds_equivalent: Decimal | None
    delivered_beds_equivalent: Decimal | None
    delivered_pct_of_planned: Decimal | None
    delivery_rag: str
    completeness_pct: Decimal | None
    narrative: str
    narrative_on: date | None


@dataclass(frozen=True)
class KpiLine:
    scheme_code: str
    kpi_code: str
    kpi_name: str
    type: str
    unit: str
    aggregation: str
    target: str
    reports: int
    value: str | None


@dataclass(frozen=True)
class FlowLine:
    ods_code: str
    site_name: str
    place: str
    days_reported: int
    avg_beds_open: Decimal | None
    avg_beds_occupied: Decimal | None
    occupancy_pct: Decimal | None
    avg_nctr: Decimal | None
    avg_nctr_not_discharged_by_5pm: Decimal | None


@dataclass(frozen=True)
class NoteLine:
    about: str
    note: str


COVER = columns(
    Cover,
    {
        "icb_name": ("ICB", "text"),
        "icb_code": ("ICB ODS code", "text"),
        "region_code": ("NHS region code", "text"),
        "programme": ("Programme", "text"),
        "winter": ("Winter", "text"),
        "financial_year": ("Financial year", "text"),
        "financial_month": ("Financial month", "text"),
        "return_period": ("Return", "text"),
        "month": ("Calendar month", "text"),
        "month_name": ("Month", "text"),
        "period_start": ("Period covered from", "date"),
        "period_end": ("Period covered to", "date"),
        "bed_target": ("Bed target (beds-equivalent)", "int"),
        "known_at": ("As at event-log position", "int"),
        "as_at": ("Figures as at (the latest report or spend recorded, UTC)", "text"),
        "synthetic": ("Synthetic figures (a demonstration, not real data)", "bool"),
        "status": ("Status (preview, primary or restatement)", "text"),
        "revision": ("Revision", "int"),
        "restatement_reason": ("Reason for restatement", "text"),
        "submitted_by": ("Submitted by", "text"),
        "submitted_at": ("Submitted at", "text"),
        "signed_off_by": ("Signed off by", "text"),
        "signed_off_at": ("Signed off at", "text"),
        "layout": ("Layout", "text"),
    },
)
MONEY_LABELS = {
    "spend_in_month_gbp": ("Spend in month £", "money"),
    "spend_to_date_gbp": ("Spend to date £", "money"),
    "forecast_outturn_gbp": ("Forecast outturn £", "money"),
    "variance_gbp": ("Variance to profile £ (spend minus profile: negative is behind)", "money"),
}
SECTIONS: tuple[Section, ...] = (
    Section(
        "streams",
        "Summary",
        StreamLine,
        columns(
            StreamLine,
            {
                "funding_stream": ("Funding stream", "text"),
                "nhse_allocation_gbp": ("NHSE allocation £", "money"),
                "assigned_to_schemes_gbp": ("Assigned to schemes £", "money"),
                "unassigned_gbp": ("Unassigned (over-committed if negative) £", "money"),
                "funds_received_gbp": ("Funds received to the month's end £", "money"),
                "funds_received_on": ("Funds received on", "text"),
                **MONEY_LABELS,
            },
        ),
    ),
    Section(
        "beds",
        "Beds",
        BedsLine,
        columns(
            BedsLine,
            {
                "group": ("Group", "text"),
                "place": ("Place", "text"),
                "schemes": ("Schemes", "int"),
                "target": ("Bed target", "int"),
                "planned_beds_equivalent": ("Planned beds-equivalent", "beds"),
                "delivered_beds_equivalent": ("Delivered beds-equivalent", "beds"),
                "delivered_pct_of_planned": ("Delivered % of planned", "pct"),
                "delivered_pct_of_target": ("Delivered % of target", "pct"),
            },
        ),
    ),
    Section(
        "schemes",
        "Schemes",
        SchemeLine,
        columns(
            SchemeLine,
            {
                "section": ("Section", "text"),
                "place": ("Place", "text"),
                "scheme_code": ("Scheme code", "text"),
                "scheme_name": ("Scheme", "text"),
                "provider": ("Provider", "text"),
                "funding_stream": ("Funding stream", "text"),
                "counts_toward_target": ("Counts toward target", "bool"),
                "status": ("Status at month end", "text"),
                "planned_start": ("Planned start", "date"),
                "went_live_on": ("Went live", "date"),
                "original_allocation_gbp": ("Original allocation £", "money"),
                "diverted_in_gbp": ("Diverted in £", "money"),
                "diverted_out_gbp": ("Diverted out £", "money"),
                "allocation_gbp": ("Current allocation £", "money"),
                "spend_in_month_gbp": ("Spend in month £", "money"),
                "spend_basis": ("Spend basis", "text"),
                "spend_to_date_gbp": ("Spend to date £", "money"),
                "forecast_outturn_gbp": ("Forecast outturn £", "money"),
                "variance_gbp": (
                    "Variance to profile £ (spend minus profile: negative is behind)",
                    "money",
                ),
                "planned_beds_equivalent": ("Planned beds-equivalent", "beds"),
                "delivered_beds_equivalent": ("Delivered beds-equivalent", "beds"),
                "delivered_pct_of_planned": ("Delivered % of planned (RAG basis)", "ragpct"),
                "delivery_rag": ("RAG", "text"),
                "completeness_pct": ("Completeness %", "pct"),
                "narrative": ("Narrative at month end", "text"),
                "narrative_on": ("Narrative dated", "date"),
            },
        ),
    ),
    Section(
        "kpis",
        "KPIs",
        KpiLine,
        columns(
            KpiLine,
            {
                "scheme_code": ("Scheme code", "text"),
                "kpi_code": ("KPI code", "text"),
                "kpi_name": ("KPI", "text"),
                "type": ("Type", "text"),
                "unit": ("Unit", "text"),
                "aggregation": ("Month's value is the", "text"),
                "target": ("Target", "kpitarget"),
                "reports": ("Reports in month", "int"),
                "value": ("Value in month", "kpi"),
            },
        ),
    ),
    Section(
        "flow",
        "Acute flow",
        FlowLine,
        columns(
            FlowLine,
            {
                "ods_code": ("Site ODS code", "text"),
                "site_name": ("Site", "text"),
                "place": ("Place", "text"),
                "days_reported": ("Days reported", "int"),
                "avg_beds_open": ("G&A beds open (average a day)", "avg"),
                "avg_beds_occupied": ("G&A beds occupied (average)", "avg"),
                "occupancy_pct": ("G&A occupancy %", "pct"),
                "avg_nctr": ("Not meeting criteria to reside (average)", "avg"),
                "avg_nctr_not_discharged_by_5pm": (
                    "Not meeting criteria to reside, still in at 17:00 (average)",
                    "avg",
                ),
            },
        ),
    ),
    *MORE_SECTIONS,
    Section(
        "notes",
        "Notes",
        NoteLine,
        columns(NoteLine, {"about": ("About", "text"), "note": ("Note", "text")}),
    ),
)
