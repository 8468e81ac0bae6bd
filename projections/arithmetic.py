"""The rules users check by hand (docs/rules.md §1 to §11), as pure functions over facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from capacity.flow_figures import FlowFigures as SiteDayFlow
from projections.facts import ProgrammeFacts, SchemeFacts
from schemes import lifecycle
from schemes import profile as spend_profile
from schemes.months import YearMonth, months_in_period, window_days
from schemes.rules import kpi_type

ZERO = Decimal(0)
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class RagThresholds:
    green: Decimal = Decimal("0.90")
    amber: Decimal = Decimal("0.70")


DEFAULT_RAG = RagThresholds()


def status_on(scheme: SchemeFacts, day: date) -> str:
    return lifecycle.status_on("planned", scheme.status_changes, day)


def beds_open_on(scheme: SchemeFacts, day: date) -> int:
    return lifecycle.beds_open_on(scheme.bed_changes, day)


def delivered_on(scheme: SchemeFacts, day: date) -> Decimal | None:
    """Delivered beds-equivalent on a day; None for measure ``none``."""
    if scheme.measure == "none":
        return None
    if status_on(scheme, day) in ("paused", "closed"):
        return ZERO
    if scheme.measure == "beds_open":
        return Decimal(beds_open_on(scheme, day))
    report = scheme.daily.get(day)
    if report is None or report.beds_equivalent is None:
        return ZERO
    return report.beds_equivalent


def planned_on(scheme: SchemeFacts, day: date) -> Decimal:
    if scheme.planned_beds_equivalent is None or scheme.measure == "none":
        return ZERO
    if scheme.planned_start is not None and day < scheme.planned_start:
        return ZERO
    return scheme.planned_beds_equivalent


def rag(delivered: Decimal, planned: Decimal, measure: str, t: RagThresholds = DEFAULT_RAG) -> str:
    if measure == "none":
        return "n/a"
    if planned == 0:
        return "not_due"
    ratio = delivered / planned
    return "green" if ratio >= t.green else "amber" if ratio >= t.amber else "red"


def current_allocation(scheme: SchemeFacts, on: date) -> Decimal:
    return scheme.allocation_gbp + sum((a for d, a in scheme.diversions if d <= on), ZERO)


def full_days_through(day: date) -> date:
    """The last day a month-to-date figure counts on ``day``: the day before. Daily sitreps
    for a day arrive the next morning, so today is shown apart, "so far" (docs/rules.md §1)."""
    return day - timedelta(days=1)


@dataclass(frozen=True)
class SchemeMonth:
    code: str
    month: str
    window_days: int
    planned: Decimal
    delivered: Decimal | None
    rag: str
    completeness: Decimal | None
    days_reported: int
    place_split: dict[str, Decimal] | None
    kpis: dict[str, Decimal | date]
    allocation: Decimal
    spend_in_month: Decimal
    spend_to_date: Decimal
    profile_to_date: Decimal
    variance: Decimal
    forecast_outturn: Decimal
    # delivered over planned, summed over the window: what the RAG is decided on (None when
    # nothing was planned or the scheme is not measured)
    ratio: Decimal | None = None


def _kpis(scheme: SchemeFacts, window: list[date]) -> dict[str, Decimal | date]:
    """A KPI's value over the window, by its aggregation: ``sum``, ``mean`` of the reports, or
    the ``latest`` report. A ``date`` KPI (a milestone) reports its latest date."""
    values: dict[str, Decimal | date] = {}
    for kpi in scheme.kpis:
        code = str(kpi["code"])
        seen = [
            scheme.daily[d].kpis[code]
            for d in window
            if d in scheme.daily and code in scheme.daily[d].kpis
        ]
        if not seen:
            continue
        if kpi_type(kpi) == "date":
            values[code] = date.fromisoformat(str(seen[-1]))
            continue
        numbers = [Decimal(str(v)) for v in seen]
        how = kpi.get("aggregation", "latest")
        values[code] = (
            sum(numbers, ZERO)
            if how == "sum"
            else (sum(numbers, ZERO) / len(numbers) if how == "mean" else numbers[-1])
        )
    return values


def profile_months(p: ProgrammeFacts, scheme: SchemeFacts) -> list[YearMonth]:
    return spend_profile.profile_months(p.period_start, p.period_end, scheme.planned_start)


def profile_by_month(
    p: ProgrammeFacts, scheme: SchemeFacts, as_of: date
) -> dict[YearMonth, Decimal]:
    """The spend profile (``schemes/profile.py``, the rule the write side checks spend with)."""
    months = profile_months(p, scheme)
    return spend_profile.straight_line(months, scheme.allocation_gbp, scheme.diversions, as_of)


def scheme_month(
    p: ProgrammeFacts,
    scheme: SchemeFacts,
    month: YearMonth,
    as_of: date,
    thresholds: RagThresholds = DEFAULT_RAG,
    through: date | None = None,
) -> SchemeMonth:
    """A scheme's month as of a day. ``through``: the last day the delivery window counts
    (default ``as_of``); the dashboard counts full days only, so today's reports, still
    arriving, do not count as zeros (docs/rules.md §1)."""
    window = window_days(month, p.period_start, p.period_end, min(as_of, through or as_of))
    n = len(window)
    # RAG compares the sums over the window, exactly; the averages are for display only.
    planned_sum = sum((planned_on(scheme, d) for d in window), ZERO)
    delivered_sum = sum((delivered_on(scheme, d) or ZERO for d in window), ZERO)
    planned = planned_sum / n if n else ZERO
    delivered: Decimal | None = None
    if scheme.measure != "none":
        delivered = delivered_sum / n if n else ZERO
    reported = sum(1 for d in window if d in scheme.daily)
    completeness = Decimal(reported) / n if scheme.measure == "reported" and n else None
    split = None
    if scheme.place_split and delivered is not None and scheme.planned_beds_equivalent:
        split = {
            place: delivered * share / scheme.planned_beds_equivalent
            for place, share in scheme.place_split.items()
        }
    allocation = current_allocation(scheme, min(month.last_day, as_of))
    spend_in_month = scheme.spend.get(str(month), ZERO)
    spend_to_date = sum((v for m, v in scheme.spend.items() if m <= str(month)), ZERO)
    profile = profile_by_month(p, scheme, as_of)
    profile_to_date = sum((v for m, v in profile.items() if m <= month), ZERO)
    remaining = sum((v for m, v in profile.items() if m > month), ZERO)
    return SchemeMonth(
        code=scheme.code,
        month=str(month),
        window_days=n,
        planned=planned,
        delivered=delivered,
        rag=rag(delivered_sum, planned_sum, scheme.measure, thresholds),
        completeness=completeness,
        days_reported=reported,
        place_split=split,
        kpis=_kpis(scheme, window),
        allocation=allocation,
        spend_in_month=spend_in_month,
        spend_to_date=spend_to_date,
        profile_to_date=profile_to_date,
        variance=spend_to_date - profile_to_date,
        forecast_outturn=spend_to_date + remaining,
        ratio=delivered_sum / planned_sum if planned_sum and delivered is not None else None,
    )


@dataclass(frozen=True)
class SystemDay:
    day: date
    delivered: Decimal
    planned: Decimal
    target: int
    expected: int = 0  # counted `reported` schemes that should have reported that day
    reported: int = 0  # ... and that have


def _due_on(scheme: SchemeFacts, day: date) -> bool:
    """A `reported` scheme owes a report for a day it is live (docs/rules.md §5)."""
    return scheme.measure == "reported" and status_on(scheme, day) == "active"


def system_daily(p: ProgrammeFacts, start: date, end: date) -> list[SystemDay]:
    counted = [s for s in p.schemes.values() if s.counts_toward_target]
    days: list[SystemDay] = []
    day = max(start, p.period_start)
    while day <= min(end, p.period_end):
        days.append(
            SystemDay(
                day=day,
                delivered=sum((delivered_on(s, day) or ZERO for s in counted), ZERO),
                planned=sum((planned_on(s, day) for s in counted), ZERO),
                target=p.bed_target,
                expected=len(due := [s for s in counted if _due_on(s, day)]),
                reported=sum(1 for s in due if day in s.daily),
            )
        )
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Candidate:
    code: str
    reasons: list[str]
    uncommitted: Decimal


def complete_months(p: ProgrammeFacts, as_of: date) -> list[YearMonth]:
    return [m for m in months_in_period(p.period_start, p.period_end) if m.last_day < as_of]


def diversion_candidates(
    p: ProgrammeFacts, as_of: date, thresholds: RagThresholds = DEFAULT_RAG
) -> list[Candidate]:
    done = complete_months(p, as_of)
    found: list[Candidate] = []
    for scheme in p.schemes.values():
        if status_on(scheme, as_of) == "closed":
            continue
        reasons: list[str] = []
        last_two = [scheme_month(p, scheme, m, as_of, thresholds) for m in done[-2:]]
        if len(last_two) == 2 and all(m.rag == "red" for m in last_two):
            reasons.append(f"red in {last_two[0].month} and {last_two[1].month}")
        start = scheme.planned_start
        live = scheme.went_live_on
        if start and as_of >= start + timedelta(days=30) and (live is None or live > as_of):
            reasons.append(f"not mobilised 30 days after planned start {start.isoformat()}")
        if done:
            latest = scheme_month(p, scheme, done[-1], as_of, thresholds)
            if latest.profile_to_date > 0 and latest.spend_to_date < latest.profile_to_date / 2:
                reasons.append(
                    f"spend £{latest.spend_to_date:,.2f} below half its profile "
                    f"£{latest.profile_to_date:,.2f} to {latest.month}"
                )
        if reasons:
            now = scheme_month(p, scheme, YearMonth.of(min(as_of, p.period_end)), as_of)
            found.append(Candidate(scheme.code, reasons, now.allocation - now.spend_to_date))
    return found


def chase_list(p: ProgrammeFacts, as_of: date) -> list[str]:
    """Reported schemes live yesterday with no report for yesterday (sitrep due by 11:00)."""
    yesterday = as_of - timedelta(days=1)
    if not p.period_start <= yesterday <= p.period_end:
        return []
    return sorted(
        s.code
        for s in p.schemes.values()
        if s.measure == "reported"
        and s.went_live_on is not None
        and s.went_live_on <= yesterday
        and status_on(s, yesterday) == "active"
        and yesterday not in s.daily
    )


@dataclass(frozen=True)
class FlowFigures:
    beds_open: int
    occupied: int
    occupancy: Decimal | None
    nctr: int
    nctr_not_discharged_by_5pm: int
    discharges: dict[str, int] = field(default_factory=dict)
    days: int = 0


def flow_totals(rows: list[SiteDayFlow]) -> FlowFigures:
    beds = sum(r.core_beds_open + r.escalation_beds_open for r in rows)
    occupied = sum(r.beds_occupied for r in rows)
    discharges: dict[str, int] = {}
    for r in rows:
        for pathway, count in r.discharges.items():
            discharges[pathway] = discharges.get(pathway, 0) + count
    return FlowFigures(
        beds_open=beds,
        occupied=occupied,
        occupancy=(Decimal(occupied) / beds) if beds else None,
        nctr=sum(r.nctr for r in rows),
        nctr_not_discharged_by_5pm=sum(r.nctr - r.nctr_discharged_by_5pm for r in rows),
        discharges=dict(sorted(discharges.items())),
        days=len(rows),
    )


def flow_for(p: ProgrammeFacts, days: list[date], ods: str | None = None) -> FlowFigures:
    wanted = set(days)
    rows = [
        data
        for (site, day), data in p.flow.items()
        if day in wanted and (ods is None or site == ods)
    ]
    return flow_totals(rows)


def money(value: Decimal) -> Decimal:
    return value.quantize(PENNY)


def kpi_values(scheme: SchemeFacts, window: list[date]) -> dict[str, Decimal | date]:
    """Each KPI's value over the days of ``window``, by its aggregation (as the month shows)."""
    return _kpis(scheme, window)
