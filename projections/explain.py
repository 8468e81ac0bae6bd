"""How a number was computed: the days, the reports and corrections, and the events (with their
positions in the log) behind a scheme's month, its spend to date, and a system total.

Each explanation is built with the same functions as the figure it explains (`scheme_month`,
`delivered_on`, `planned_on`, `profile_by_month`), so the sum it shows is the figure shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import orjson

from projections.arithmetic import (
    DEFAULT_RAG,
    ZERO,
    SchemeMonth,
    beds_open_on,
    delivered_on,
    planned_on,
    profile_by_month,
    scheme_month,
    status_on,
)
from projections.db import ViewDatabase
from projections.facts import ProgrammeFacts, SchemeFacts
from projections.queries import figures as figure_rows
from projections.queries import schemes as scheme_rows
from projections.rounding import adds_up, pct_for_rag
from schemes.months import YearMonth, months_in_period, window_days

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Trail:
    """One stored event behind a figure: where it is in the log and what it said."""

    position: int
    recorded_at: str
    said: str


@dataclass(frozen=True)
class DayWorking:
    day: date
    status: str
    planned: Decimal
    delivered: Decimal | None
    how: str
    trail: list[Trail] = field(default_factory=list)


@dataclass(frozen=True)
class DeliveryWorking:
    """A scheme's planned and delivered beds-equivalent for a month, day by day."""

    scheme: SchemeFacts
    month: YearMonth
    as_of: date
    known_at: int
    days: list[DayWorking]
    planned_sum: Decimal
    delivered_sum: Decimal
    result: SchemeMonth
    bed_changes: list[Trail]
    status_changes: list[Trail]

    @property
    def rag_pct(self) -> Decimal | None:
        """Delivered as a percentage of planned, to the precision its RAG needs."""
        if not self.planned_sum:
            return None
        ratio = self.delivered_sum / self.planned_sum
        return pct_for_rag(ratio, DEFAULT_RAG.green, DEFAULT_RAG.amber)


def _trails(db: ViewDatabase, p: ProgrammeFacts, code: str) -> dict[date, list[Trail]]:
    """Every version of every daily report for the scheme known at the position, by day."""
    found: dict[date, list[Trail]] = {}
    rows = figure_rows.scheme_daily_versions(db, p.code, code, p.known_at)
    for day, data, at, position in rows:
        figures = orjson.loads(data)
        shown = reported_said(figures)
        seen = found.setdefault(date.fromisoformat(day), [])
        said = f"corrected to {shown} ({figures['reason']})" if seen else f"reported {shown}"
        if seen and "reason" not in figures:
            said = f"corrected to {shown}"
        seen.append(Trail(int(position), str(at), said))
    return found


def reported_said(figures: dict[str, object]) -> str:
    """What a day's report said, in words. A beds-open scheme reports beds, not a
    beds-equivalent: its figure is counted from the beds open, never read as zero."""
    value = figures.get("beds_equivalent")
    if value is not None:
        return f"beds-equivalent {value}"
    beds = [
        f"{figures[key]} {label}"
        for key, label in (("beds_open", "beds open"), ("beds_occupied", "beds occupied"))
        if figures.get(key) is not None
    ]
    if beds:
        return ", ".join(beds) + " (the beds-equivalent is counted from beds open)"
    return "the day, with the beds-equivalent counted from beds open"


def _bed_kind(kind: str) -> str:
    return "DTA" if kind == "dta" else kind.replace("_", " ")


def beds_said(n: int, kind: str) -> str:
    return f"{abs(n)} {_bed_kind(kind)} bed{'' if abs(n) == 1 else 's'}"


def _changes(db: ViewDatabase, p: ProgrammeFacts, code: str) -> tuple[list[Trail], list[Trail]]:
    beds = [
        Trail(int(pos), day, f"{'opened' if n > 0 else 'closed'} {beds_said(n, kind)} ({why})")
        for day, n, kind, why, pos in scheme_rows.scheme_bed_changes(db, p.code, code, p.known_at)
    ]
    statuses = [
        Trail(int(pos), day, f"{status} from {day}")
        for day, status, pos in scheme_rows.scheme_status_changes(db, p.code, code, p.known_at)
    ]
    return beds, statuses


def _how(scheme: SchemeFacts, day: date, status: str, trail: list[Trail]) -> str:
    if scheme.measure == "none":
        return "not measured in beds-equivalent"
    if status in ("paused", "closed"):
        return f"{status}: counts 0"
    if scheme.measure == "beds_open":
        return f"{beds_open_on(scheme, day)} beds open"
    if not trail:
        return "no report: counts 0" if status == "active" else "not live: counts 0"
    return "as reported" if len(trail) == 1 else "as corrected"


def explain_delivery(
    db: ViewDatabase,
    p: ProgrammeFacts,
    code: str,
    month: YearMonth,
    as_of: date,
    through: date | None = None,
) -> DeliveryWorking:
    """``through``: the last day counted (default ``as_of``; today's figure counts full days)."""
    last = min(as_of, through or as_of)
    scheme = p.schemes[code]
    reports = _trails(db, p, code)
    days = []
    for day in window_days(month, p.period_start, p.period_end, last):
        status = status_on(scheme, day)
        trail = reports.get(day, [])
        days.append(
            DayWorking(
                day=day,
                status=status,
                planned=planned_on(scheme, day),
                delivered=delivered_on(scheme, day),
                how=_how(scheme, day, status, trail),
                trail=trail,
            )
        )
    beds, statuses = _changes(db, p, code)
    return DeliveryWorking(
        scheme=scheme,
        month=month,
        as_of=as_of,
        known_at=p.known_at,
        days=days,
        planned_sum=sum((d.planned for d in days), ZERO),
        delivered_sum=sum((d.delivered or ZERO for d in days), ZERO),
        result=scheme_month(p, scheme, month, as_of, through=last),
        bed_changes=beds,
        status_changes=statuses,
    )


@dataclass(frozen=True)
class MonthSpend:
    month: YearMonth
    spend: Decimal
    profile: Decimal
    trail: list[Trail]


@dataclass(frozen=True)
class SpendWorking:
    scheme: SchemeFacts
    month: YearMonth
    known_at: int
    months: list[MonthSpend]
    spend_to_date: Decimal
    profile_to_date: Decimal
    result: SchemeMonth
    diversions: list[tuple[date, Decimal]]


def explain_spend(
    db: ViewDatabase, p: ProgrammeFacts, code: str, month: YearMonth, as_of: date
) -> SpendWorking:
    scheme = p.schemes[code]
    trails: dict[str, list[Trail]] = {}
    for m, amount, basis, at, position in figure_rows.scheme_spend_versions(
        db, p.code, code, p.known_at
    ):
        seen = trails.setdefault(m, [])
        verb = "corrected to" if seen else "recorded"
        seen.append(Trail(int(position), str(at), f"{verb} £{Decimal(amount):,.2f} ({basis})"))
    profile = profile_by_month(p, scheme, as_of)
    months = [
        MonthSpend(m, scheme.spend.get(str(m), ZERO), profile.get(m, ZERO), trails.get(str(m), []))
        for m in months_in_period(p.period_start, p.period_end)
        if m <= month
    ]
    return SpendWorking(
        scheme=scheme,
        month=month,
        known_at=p.known_at,
        months=months,
        spend_to_date=sum((m.spend for m in months), ZERO),
        profile_to_date=sum((m.profile for m in months), ZERO),
        result=scheme_month(p, scheme, month, as_of),
        diversions=list(scheme.diversions),
    )


@dataclass(frozen=True)
class SystemWorking:
    """A month's system total: each counted scheme's average, and the schemes left out."""

    month: YearMonth
    as_of: date
    known_at: int
    bed_target: int
    counted: list[SchemeMonth]
    not_counted: list[SchemeMonth]
    names: dict[str, str]
    planned: Decimal
    delivered: Decimal

    @property
    def rounding_note(self) -> str:
        """Said under the table when its two-decimal rows do not add to its total."""
        notes = []
        for what, rows, total in (
            ("planned", [m.planned for m in self.counted], self.planned),
            ("delivered", [m.delivered or ZERO for m in self.counted], self.delivered),
        ):
            if not adds_up(rows, total, HUNDREDTH):
                shown = sum((r.quantize(HUNDREDTH) for r in rows), ZERO)
                notes.append(f"the {what} rows as shown add to {shown:f}")
        if not notes:
            return ""
        return (
            f"Rounding: {' and '.join(notes)}; each row and the total are rounded on their own "
            "from exact figures, and the total is the exact sum."
        )


def explain_system(
    p: ProgrammeFacts, month: YearMonth, as_of: date, through: date | None = None
) -> SystemWorking:
    counted: list[SchemeMonth] = []
    left_out: list[SchemeMonth] = []
    for scheme in sorted(p.schemes.values(), key=lambda s: s.code):
        figures = scheme_month(p, scheme, month, as_of, through=through)
        (counted if scheme.counts_toward_target else left_out).append(figures)
    return SystemWorking(
        month=month,
        as_of=as_of,
        known_at=p.known_at,
        bed_target=p.bed_target,
        counted=counted,
        not_counted=left_out,
        names={s.code: s.name for s in p.schemes.values()},
        planned=sum((m.planned for m in counted), ZERO),
        delivered=sum((m.delivered or ZERO for m in counted), ZERO),
    )
