"""Figures: daily reports (one, many, corrections) and monthly spend."""

from __future__ import annotations

from datetime import date
from typing import Any

from capacity.app.core import correction_reason, handles
from capacity.app.reads import WinterReads
from capacity.commands_base import Change
from capacity.commands_figures import (
    CorrectDaily,
    CorrectSpend,
    ImportDaily,
    RecordSpend,
    ReportDaily,
)
from capacity.errors import (
    Conflict,
    DuplicateDailyReport,
    DuplicateSpend,
    ReportNotFound,
)
from capacity.plausibility import COMMENT, SPEND_QUESTION, confirmed
from capacity.reports import DailyReport, MonthlySpend, spend_id
from capacity.spend_figures import SpendFigures
from schemes.months import YearMonth, financial_month_label
from schemes.rules import (
    InputRefused,
    check_month_in_period,
)


@handles(ReportDaily)
def report_daily(app: WinterReads, c: ReportDaily) -> Change:
    day, cleaned = app.prepare_daily(c.actor, c.programme, c.scheme, c.figures)
    comment = confirmed(
        app.daily_doubts(c.programme, c.scheme, day, cleaned), c.figures.get(COMMENT)
    )
    report = DailyReport.report(
        c.actor, c.programme, c.scheme, day, cleaned, c.source_ref, confirm_comment=comment
    )
    duplicate = DuplicateDailyReport(
        f"{c.scheme} already reported figures for {day.isoformat()}; "
        "send a correction (PUT) with a reason instead",
        field="date",
    )
    return Change([report], duplicate, {"scheme": c.scheme, "date": day.isoformat()})


@handles(ImportDaily)
def import_daily(app: WinterReads, c: ImportDaily) -> Change:
    aggregates = [
        DailyReport.report(
            c.actor, c.programme, scheme, day, cleaned, ref, c.comments.get((scheme, day))
        )
        for day, scheme, cleaned, ref in c.reports
    ]
    return Change(aggregates, DuplicateDailyReport("a report in this batch already exists"))


@handles(CorrectDaily)
def correct_daily(app: WinterReads, c: CorrectDaily) -> Change:
    why = correction_reason(c.reason)
    day, cleaned = app.prepare_daily(c.actor, c.programme, c.scheme, c.figures)
    report = app.get_daily_report(c.programme, c.scheme, day)
    if report.same_figures(cleaned):  # a correction that changes nothing is noise
        raise InputRefused("figures", f"nothing changed: these are the figures stored for {day}")
    report.correct(c.actor, why, cleaned)
    changed = Conflict(f"the report for {day.isoformat()} changed meanwhile; reload and try again")
    return Change([report], changed, {"scheme": c.scheme, "date": day.isoformat()})


def clean_spend(
    app: WinterReads, programme_code: str, scheme_code: str, month: Any, amount: Any, basis: Any
) -> tuple[str, SpendFigures]:
    """A scheme's month of spend, checked: (month, figures)."""
    programme = app.get_programme(programme_code)
    app.get_scheme(programme_code, scheme_code)
    ym = month if isinstance(month, YearMonth) else YearMonth.parse(str(month))
    check_month_in_period("month", ym, programme.period_start, programme.period_end)
    today: date = app.today()
    if ym.first_day > today:  # an accrual is for a month under way, not ahead
        raise InputRefused(
            "month",
            f"{financial_month_label(ym)} ({ym.first_day:%B %Y}) has not started: its spend "
            f"can be recorded from {ym.first_day.day} {ym.first_day:%b %Y}",
        )
    return str(ym), SpendFigures.clean(amount, basis)


@handles(RecordSpend)
def record_spend(app: WinterReads, c: RecordSpend) -> Change:
    ym, figures = clean_spend(app, c.programme, c.scheme, c.month, c.amount_gbp, c.basis)
    doubts = app.spend_doubts(c.programme, c.scheme, ym, figures)
    comment = confirmed(doubts, c.confirm_comment, SPEND_QUESTION)
    spend = MonthlySpend.record(c.actor, c.programme, c.scheme, ym, figures, comment)
    duplicate = DuplicateSpend(
        f"spend for {c.scheme} in {ym} is already recorded; correct it with a reason",
        field="month",
    )
    return Change([spend], duplicate, {"scheme": c.scheme, "month": ym})


@handles(CorrectSpend)
def correct_spend(app: WinterReads, c: CorrectSpend) -> Change:
    ym, figures = clean_spend(app, c.programme, c.scheme, c.month, c.amount_gbp, c.basis)
    why = correction_reason(c.reason)
    spend = app._get(
        MonthlySpend,
        spend_id(c.programme, c.scheme, ym),
        ReportNotFound(f"no spend recorded for {c.scheme} in {ym}", field="month"),
    )
    if (spend.amount_gbp, spend.basis) == (figures.amount_gbp, figures.basis):
        raise InputRefused(
            "amount_gbp",
            f"nothing changed: £{figures.amount_gbp:,.2f} ({figures.basis}) is the "
            f"spend stored for {c.scheme} in {ym}",
        )
    doubts = app.spend_doubts(c.programme, c.scheme, ym, figures)
    comment = confirmed(doubts, c.confirm_comment, SPEND_QUESTION)
    spend.correct(c.actor, figures, why, comment)
    changed = Conflict(f"spend for {ym} changed meanwhile; reload and try again")
    return Change([spend], changed, {"scheme": c.scheme, "month": ym})
