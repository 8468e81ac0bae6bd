"""Parts of the board's dashboard: spend against allocation by stream, and acute flow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections.arithmetic import (
    ZERO,
    beds_open_on,
    current_allocation,
    flow_for,
    scheme_month,
    status_on,
)
from projections.arithmetic import SchemeMonth as SchemeMonthFigures
from projections.facts import ProgrammeFacts, SchemeFacts
from projections.returns import beds, gbp
from projections.shapes import (
    BedOccupancy,
    Flow,
    FlowFigures,
    Headroom,
    SchemeMonth,
    SiteFlow,
    StreamHeadroom,
    StreamSpend,
    SystemFlow,
    TargetCheck,
)
from schemes.months import YearMonth


def scheme_line(scheme: SchemeFacts, m: SchemeMonthFigures, day: date) -> SchemeMonth:
    """A scheme's line of the month as the dashboard, the delivery read and the board paper
    show it: beds-equivalent to two decimals, percentages to one, money to the penny."""
    return SchemeMonth(
        scheme_code=scheme.code,
        scheme_name=scheme.name,
        place=scheme.place,
        measure=scheme.measure,
        counts_toward_target=scheme.counts_toward_target,
        window_days=m.window_days,
        planned_beds_equivalent=None if scheme.measure == "none" else beds(m.planned),
        delivered_beds_equivalent=beds(m.delivered),
        delivery_rag=m.rag,
        completeness_pct=pct(m.completeness),
        days_reported=m.days_reported,
        place_split={k: beds(v) for k, v in m.place_split.items()} if m.place_split else None,
        allocation_gbp=gbp(m.allocation),
        spend_in_month_gbp=gbp(m.spend_in_month),
        spend_to_date_gbp=gbp(m.spend_to_date),
        profile_to_date_gbp=gbp(m.profile_to_date),
        variance_gbp=gbp(m.variance),
        forecast_outturn_gbp=gbp(m.forecast_outturn),
        status=status_on(scheme, day),
    )


def closed_month(month: YearMonth, day: date) -> YearMonth:
    """The latest month ended on or before ``day``: spend is recorded a month at a time, so
    spend and profile are compared to the same closed month (docs/rules.md §7)."""
    return month if day >= month.last_day else month.previous()


def spend_by_stream(p: ProgrammeFacts, month: YearMonth, day: date) -> list[StreamSpend]:
    """Every funding stream with money or schemes: the programme's allocation, what schemes
    hold, the gap, funds received, and spend against profile to the last closed month."""
    closed = closed_month(month, day)
    allocations = p.allocations_on(day)
    streams: dict[str, dict[str, Decimal]] = {
        stream: {"allocation": ZERO, "to_date": ZERO, "profile": ZERO} for stream in allocations
    }
    for scheme in p.schemes.values():
        m = scheme_month(p, scheme, closed, day)
        s = streams.setdefault(
            scheme.funding_stream, {"allocation": ZERO, "to_date": ZERO, "profile": ZERO}
        )
        s["allocation"] += current_allocation(scheme, day)
        s["to_date"] += m.spend_to_date
        s["profile"] += m.profile_to_date
    received, dates = p.funds_received_by(day), p.funds_received_dates(day)
    return [
        StreamSpend(
            funding_stream=stream,
            programme_allocation_gbp=gbp(allocations.get(stream, ZERO)),
            scheme_allocations_gbp=gbp(s["allocation"]),
            unassigned_gbp=gbp(allocations.get(stream, ZERO) - s["allocation"]),
            funds_received_gbp=gbp(received.get(stream, ZERO)),
            funds_received_on=[d.isoformat() for d in dates.get(stream, [])],
            closed_month=str(closed),
            spend_to_date_gbp=gbp(s["to_date"]),
            profile_to_date_gbp=gbp(s["profile"]),
        )
        for stream, s in sorted(streams.items())
    ]


def headroom(spend: list[StreamSpend]) -> Headroom:
    """Allocations against scheme commitments, positive where money is not yet committed, by
    stream and in total. The virtual-ward stream is shown apart and left out of the total: its
    money was allocated outside winter resilience and no scheme holds it (docs/rules.md §8)."""
    rows = [
        StreamHeadroom(
            funding_stream=s.funding_stream,
            allocation_gbp=s.programme_allocation_gbp,
            committed_gbp=s.scheme_allocations_gbp,
            headroom_gbp=s.unassigned_gbp,
        )
        for s in spend
    ]
    schemes = [r for r in rows if r.funding_stream != "virtual_ward"]
    allocated = sum((Decimal(r.allocation_gbp) for r in schemes), ZERO)
    committed = sum((Decimal(r.committed_gbp) for r in schemes), ZERO)
    return Headroom(
        allocation_gbp=gbp(allocated),
        committed_gbp=gbp(committed),
        headroom_gbp=gbp(allocated - committed),
        by_stream=schemes,
        virtual_ward=next((r for r in rows if r.funding_stream == "virtual_ward"), None),
    )


def flow_summary(p: ProgrammeFacts, window: list[date], yesterday: list[date]) -> Flow:
    """Acute flow per site and for the system: yesterday and the month so far."""

    def figures(days: list[date], ods: str | None) -> FlowFigures:
        f = flow_for(p, days, ods)
        return FlowFigures(
            days=f.days,
            beds_open=f.beds_open,
            occupied=f.occupied,
            occupancy_pct=pct(f.occupancy),
            nctr=f.nctr,
            nctr_not_discharged_by_5pm=f.nctr_not_discharged_by_5pm,
            discharges=f.discharges,
        )

    sites = [
        SiteFlow(
            ods_code=ods,
            name=name,
            place=place,
            yesterday=figures(yesterday, ods),
            month=figures(window, ods),
        )
        for ods, (name, place) in sorted(p.sites.items())
    ]
    return Flow(
        sites=sites,
        system=SystemFlow(yesterday=figures(yesterday, None), month=figures(window, None)),
    )


def pct(value: Decimal | None) -> float | None:
    return None if value is None else float((value * 100).quantize(Decimal("0.1")))


def target_check(p: ProgrammeFacts) -> TargetCheck:
    """The counted schemes' planned beds-equivalent against the bed target (docs/rules.md §6):
    the board sees when they differ, as the catalogue load warns."""
    planned = sum(
        (s.planned_beds_equivalent or ZERO for s in p.schemes.values() if s.counts_toward_target),
        ZERO,
    )
    return TargetCheck(
        bed_target=p.bed_target,
        counted_planned_beds_equivalent=float(planned),
        differs=planned != p.bed_target,
        difference=float(planned - p.bed_target),
    )


def bed_occupancy(scheme: SchemeFacts, day: date) -> BedOccupancy | None:
    """A bedded scheme's beds open at the end of ``day`` beside the beds occupied in its latest
    report on or before it, so an open but empty ward shows (None: not a bedded scheme)."""
    if scheme.measure != "beds_open":
        return None
    reported = [
        (d, r.beds_occupied)
        for d, r in scheme.daily.items()
        if d <= day and r.beds_occupied is not None
    ]
    on, occupied = max(reported) if reported else (None, None)
    return BedOccupancy(
        beds_open=beds_open_on(scheme, day),
        beds_occupied=occupied,
        beds_occupied_on=on.isoformat() if on else None,
        beds_open_that_day=beds_open_on(scheme, on) if on else None,
    )
