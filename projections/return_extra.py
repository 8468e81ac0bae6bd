"""The return's further sections computed from a programme's facts (docs/rules.md §16)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections.arithmetic import ZERO, SchemeMonth, delivered_on, flow_for, planned_on
from projections.facts import ProgrammeFacts, SchemeFacts
from projections.return_lines import SchemeLine
from projections.return_sections import (
    DischargeLine,
    ForecastLine,
    GaBedsLine,
    RiskLine,
    TrajectoryLine,
    VirtualWardLine,
)
from schemes.months import YearMonth, financial_month_label, months_in_period, window_days

PATHWAYS = ("p0", "p1", "p2", "p3")
STRAIGHT_LINE = "straight line: spend to date plus the profile of the months left"


def trajectory(p: ProgrammeFacts, month: YearMonth, through: date) -> list[TrajectoryLine]:
    """The counted schemes month by month, M7 to M12: planned and delivered beds-equivalent
    (a day, on average) and bed-days, with running totals to the return's month; later months
    are forecast as their plan times the share of planned bed-days delivered to date."""
    counted = [s for s in p.schemes.values() if s.counts_toward_target and s.measure != "none"]
    rows: list[TrajectoryLine] = []
    done_planned = done_delivered = ZERO
    for m in months_in_period(p.period_start, p.period_end):
        last = through if m == month else m.last_day
        days = window_days(m, p.period_start, p.period_end, last)
        planned = sum((planned_on(s, d) for s in counted for d in days), ZERO)
        n = Decimal(len(days)) if days else Decimal(1)
        if m <= month:
            delivered = sum((delivered_on(s, d) or ZERO for s in counted for d in days), ZERO)
            done_planned += planned
            done_delivered += delivered
            basis = "month to date" if m == month and last < m.last_day else "month complete"
            forecast = None
        else:
            delivered = None
            share = done_delivered / done_planned if done_planned else Decimal(1)
            basis = f"forecast: plan times {share * 100:.1f}% delivered to date"
            forecast = planned / n * share
        cumulative_planned = (rows[-1].cumulative_planned_bed_days if rows else ZERO) + planned
        rows.append(
            TrajectoryLine(
                month=str(m),
                financial_month=financial_month_label(m),
                basis=basis,
                days=len(days),
                planned_beds_equivalent=planned / n,
                delivered_beds_equivalent=None if delivered is None else delivered / n,
                forecast_beds_equivalent=forecast,
                planned_bed_days=planned,
                delivered_bed_days=delivered,
                cumulative_planned_bed_days=cumulative_planned,
                cumulative_delivered_bed_days=done_delivered if m <= month else None,
            )
        )
    return rows


def spend_forecast(
    p: ProgrammeFacts, lines: list[SchemeLine], month: YearMonth
) -> list[ForecastLine]:
    """Each stream's spend to March: the straight line, or where finance entered one for the
    month or an earlier one, its latest management forecast with its note; the total adds the
    streams' forecasts."""
    entered: dict[str, tuple[Decimal, str, str, str]] = {}
    for m, stream, amount, note, by in p.management_forecasts:
        if m <= str(month):
            entered[stream] = (amount, note, by, m)
    streams = sorted({x.funding_stream for x in lines} | set(entered))
    rows: list[ForecastLine] = []
    for name in streams:
        mine = [x for x in lines if x.funding_stream == name]
        allocation = sum((x.allocation_gbp for x in mine), ZERO)
        straight = sum((x.forecast_outturn_gbp for x in mine), ZERO)
        management = entered.get(name)
        forecast = management[0] if management else straight
        method = STRAIGHT_LINE
        if management:
            label = financial_month_label(YearMonth.parse(management[3]))
            method = f"management forecast entered for {label} by {management[2]}: {management[1]}"
        rows.append(
            ForecastLine(
                funding_stream=name,
                allocation_gbp=allocation,
                spend_to_date_gbp=sum((x.spend_to_date_gbp for x in mine), ZERO),
                straight_line_outturn_gbp=straight,
                management_forecast_gbp=management[0] if management else None,
                forecast_outturn_gbp=forecast,
                forecast_less_allocation_gbp=forecast - allocation,
                method=method,
            )
        )
    allocation = sum((r.allocation_gbp for r in rows), ZERO)
    forecast = sum((r.forecast_outturn_gbp for r in rows), ZERO)
    rows.append(
        ForecastLine(
            funding_stream="total",
            allocation_gbp=allocation,
            spend_to_date_gbp=sum((r.spend_to_date_gbp for r in rows), ZERO),
            straight_line_outturn_gbp=sum((r.straight_line_outturn_gbp for r in rows), ZERO),
            management_forecast_gbp=None,
            forecast_outturn_gbp=forecast,
            forecast_less_allocation_gbp=forecast - allocation,
            method="the streams' forecasts added",
        )
    )
    return rows


def _sites(p: ProgrammeFacts) -> list[tuple[str, str]]:
    return [(ods, name) for ods, (name, _) in sorted(p.sites.items())]


def discharges(p: ProgrammeFacts, window: list[date]) -> list[DischargeLine]:
    """Discharges by pathway in the month, per site and for the system."""
    rows: list[DischargeLine] = []
    for ods, name in _sites(p):
        f = flow_for(p, window, ods)
        counts = [int(f.discharges.get(k, 0)) for k in PATHWAYS]
        p0, p1, p2, p3 = counts
        rows.append(DischargeLine(ods, name, f.days, p0, p1, p2, p3, sum(counts)))
    totals = [sum(getattr(r, k) for r in rows) for k in PATHWAYS]
    days = max((r.days_reported for r in rows), default=0)
    p0, p1, p2, p3 = totals
    rows.append(
        DischargeLine("all", "All acute sites (system total)", days, p0, p1, p2, p3, sum(totals))
    )
    return rows


def ga_beds(p: ProgrammeFacts, window: list[date]) -> list[GaBedsLine]:
    """G&A beds open, core and escalation, a day on average: per site over the days it
    reported, and for the system the sum of the sites."""
    wanted = set(window)
    rows: list[GaBedsLine] = []
    for ods, name in _sites(p):
        found = [r for (site, day), r in p.flow.items() if site == ods and day in wanted]
        n = len(found)
        core = sum(r.core_beds_open for r in found)
        escalation = sum(r.escalation_beds_open for r in found)
        rows.append(
            GaBedsLine(
                ods,
                name,
                n,
                Decimal(core) / n if n else None,
                Decimal(escalation) / n if n else None,
                Decimal(core + escalation) / n if n else None,
            )
        )

    def total(key: str) -> Decimal | None:
        found = [getattr(r, key) for r in rows if getattr(r, key) is not None]
        return sum(found, ZERO) if found else None

    rows.append(
        GaBedsLine(
            "all",
            "All acute sites (system total)",
            max((r.days_reported for r in rows), default=0),
            total("avg_core_beds_open"),
            total("avg_escalation_beds_open"),
            total("avg_beds_open"),
        )
    )
    return rows


def virtual_wards(months: dict[str, tuple[SchemeFacts, SchemeMonth]]) -> list[VirtualWardLine]:
    """The virtual-ward stream's schemes: capacity (planned) and occupancy (delivered)."""
    rows: list[VirtualWardLine] = []
    for s, m in months.values():
        if s.funding_stream != "virtual_ward":
            continue
        occupancy = m.delivered / m.planned * 100 if m.planned and m.delivered is not None else None
        rows.append(VirtualWardLine(s.code, s.name, m.planned, m.delivered, occupancy))
    return rows


def risks(lines: list[SchemeLine]) -> list[RiskLine]:
    """Schemes red or amber in the month, with the narrative standing at its end."""
    rows: list[RiskLine] = []
    for x in lines:
        if x.delivery_rag not in ("red", "amber") or x.planned_beds_equivalent is None:
            continue
        risk = (
            f"{x.delivery_rag}: delivered {x.delivered_beds_equivalent or ZERO:.2f} of "
            f"{x.planned_beds_equivalent:.2f} beds-equivalent planned a day "
            f"({x.delivered_pct_of_planned}%)"
        )
        mitigation = x.narrative or "no narrative recorded by the month's end"
        rows.append(RiskLine(x.scheme_code, x.scheme_name, x.delivery_rag, risk, mitigation))
    return rows
