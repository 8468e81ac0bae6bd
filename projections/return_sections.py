"""The return's sections beyond the month's scheme rows (docs/rules.md §16): the trajectory
M7 to M12 with its forecast, the spend forecast to March, discharges by pathway, G&A beds core
and escalation, virtual wards, and risks and mitigations. Their cells follow the same kinds as
every other section (``projections/return_cells.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from projections.return_cells import Section, columns


@dataclass(frozen=True)
class TrajectoryLine:
    month: str
    financial_month: str
    basis: str
    days: int
    planned_beds_equivalent: Decimal
    delivered_beds_equivalent: Decimal | None
    forecast_beds_equivalent: Decimal | None
    planned_bed_days: Decimal
    delivered_bed_days: Decimal | None
    cumulative_planned_bed_days: Decimal
    cumulative_delivered_bed_days: Decimal | None


@dataclass(frozen=True)
class ForecastLine:
    funding_stream: str
    allocation_gbp: Decimal
    spend_to_date_gbp: Decimal
    straight_line_outturn_gbp: Decimal
    management_forecast_gbp: Decimal | None
    forecast_outturn_gbp: Decimal
    forecast_less_allocation_gbp: Decimal
    method: str


@dataclass(frozen=True)
class DischargeLine:
    ods_code: str
    site_name: str
    days_reported: int
    p0: int
    p1: int
    p2: int
    p3: int
    total: int


@dataclass(frozen=True)
class GaBedsLine:
    ods_code: str
    site_name: str
    days_reported: int
    avg_core_beds_open: Decimal | None
    avg_escalation_beds_open: Decimal | None
    avg_beds_open: Decimal | None


@dataclass(frozen=True)
class VirtualWardLine:
    scheme_code: str
    scheme_name: str
    capacity_beds_equivalent: Decimal | None
    occupied_beds_equivalent: Decimal | None
    occupancy_pct: Decimal | None


@dataclass(frozen=True)
class RiskLine:
    scheme_code: str
    scheme_name: str
    delivery_rag: str
    risk: str
    mitigation: str


MORE_SECTIONS: tuple[Section, ...] = (
    Section(
        "trajectory",
        "Trajectory",
        TrajectoryLine,
        columns(
            TrajectoryLine,
            {
                "month": ("Month", "text"),
                "financial_month": ("Financial month", "text"),
                "basis": ("Basis", "text"),
                "days": ("Days counted", "int"),
                "planned_beds_equivalent": ("Planned beds-equivalent", "beds"),
                "delivered_beds_equivalent": ("Delivered beds-equivalent", "beds"),
                "forecast_beds_equivalent": ("Forecast beds-equivalent", "beds"),
                "planned_bed_days": ("Planned bed-days", "beds"),
                "delivered_bed_days": ("Delivered bed-days", "beds"),
                "cumulative_planned_bed_days": ("Cumulative planned bed-days", "beds"),
                "cumulative_delivered_bed_days": ("Cumulative delivered bed-days", "beds"),
            },
        ),
    ),
    Section(
        "forecast",
        "Forecast",
        ForecastLine,
        columns(
            ForecastLine,
            {
                "funding_stream": ("Funding stream", "text"),
                "allocation_gbp": ("Assigned to schemes £", "money"),
                "spend_to_date_gbp": ("Spend to date £", "money"),
                "straight_line_outturn_gbp": ("Straight-line outturn to March £", "money"),
                "management_forecast_gbp": ("Management forecast £", "money"),
                "forecast_outturn_gbp": ("Forecast outturn to March £", "money"),
                "forecast_less_allocation_gbp": (
                    "Forecast less allocation £ (negative is underspend)",
                    "money",
                ),
                "method": ("Method", "text"),
            },
        ),
    ),
    Section(
        "discharges",
        "Discharges",
        DischargeLine,
        columns(
            DischargeLine,
            {
                "ods_code": ("Site ODS code", "text"),
                "site_name": ("Site", "text"),
                "days_reported": ("Days reported", "int"),
                "p0": ("Pathway 0", "int"),
                "p1": ("Pathway 1", "int"),
                "p2": ("Pathway 2", "int"),
                "p3": ("Pathway 3", "int"),
                "total": ("All pathways", "int"),
            },
        ),
    ),
    Section(
        "ga_beds",
        "G&A beds",
        GaBedsLine,
        columns(
            GaBedsLine,
            {
                "ods_code": ("Site ODS code", "text"),
                "site_name": ("Site", "text"),
                "days_reported": ("Days reported", "int"),
                "avg_core_beds_open": ("Core G&A beds open (average a day)", "avg"),
                "avg_escalation_beds_open": ("Escalation G&A beds open (average a day)", "avg"),
                "avg_beds_open": ("All G&A beds open (average a day)", "avg"),
            },
        ),
    ),
    Section(
        "virtual_wards",
        "Virtual wards",
        VirtualWardLine,
        columns(
            VirtualWardLine,
            {
                "scheme_code": ("Scheme code", "text"),
                "scheme_name": ("Scheme", "text"),
                "capacity_beds_equivalent": ("Capacity (planned beds-equivalent)", "beds"),
                "occupied_beds_equivalent": ("Occupied (delivered beds-equivalent)", "beds"),
                "occupancy_pct": ("Occupancy %", "pct"),
            },
        ),
    ),
    Section(
        "risks",
        "Risks",
        RiskLine,
        columns(
            RiskLine,
            {
                "scheme_code": ("Scheme code", "text"),
                "scheme_name": ("Scheme", "text"),
                "delivery_rag": ("RAG", "text"),
                "risk": ("Risk", "text"),
                "mitigation": ("Mitigation (narrative at month end)", "text"),
            },
        ),
    ),
)
