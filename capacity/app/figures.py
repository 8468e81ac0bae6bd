"""Figures: daily reports (one, many, corrections) and monthly spend."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from capacity.app.core import Change, Command, Receipt, WinterCore, correction_reason
from capacity.daily_figures import DailyFigures
from capacity.errors import (
    Conflict,
    DuplicateDailyReport,
    DuplicateSpend,
    ReportNotFound,
)
from capacity.plausibility import (
    COMMENT,
    SPEND_ABOVE_PROFILE,
    SPEND_QUESTION,
    confirmed,
    scheme_doubts,
    spend_doubts,
)
from capacity.reports import DailyReport, MonthlySpend, spend_id
from capacity.scheme import Scheme
from capacity.spend_figures import SpendFigures
from capacity.values import Actor
from schemes.months import YearMonth, financial_month_label
from schemes.profile import profile_months, straight_line
from schemes.rules import (
    InputRefused,
    check_month_in_period,
)


class FigureCommands(WinterCore):
    # spend more than this share above the month's profile asks for a comment (the settings'
    # WINTERTRACK_SPEND_ABOVE_PROFILE, set by wintertrack/bootstrap.py)
    spend_above_profile: Decimal = SPEND_ABOVE_PROFILE

    def prepare_daily(
        self, actor: Actor, programme_code: str, scheme_code: str, raw: Mapping[str, Any]
    ) -> tuple[date, DailyFigures]:
        """Validates a daily report exactly as every channel must; returns its day and figures."""
        programme = self.get_programme(programme_code)
        scheme = self.get_scheme(programme_code, scheme_code)
        day = self._day(programme, "date", raw.get("date"))
        return day, DailyFigures.clean(raw, scheme)

    def daily_doubts(
        self, programme: str, scheme_code: str, day: date, figures: DailyFigures
    ) -> list[str]:
        """What looks wrong in a day's figures against the scheme's beds open that day (for a
        scheme with beds) and the figures of the day before."""
        scheme = self.get_scheme(programme, scheme_code)
        try:
            before = self.get_daily_report(programme, scheme_code, day - timedelta(days=1))
        except ReportNotFound:
            return scheme_doubts(scheme, day, figures, None)
        return scheme_doubts(scheme, day, figures, before.figures)

    def daily_validator(
        self, actor: Actor, programme_code: str
    ) -> Callable[[str, Mapping[str, Any]], tuple[date, DailyFigures]]:
        """Validates many reports for one programme, loading each aggregate once (bulk paths)."""
        programme = self.get_programme(programme_code)
        schemes: dict[str, Scheme] = {}

        def validate(scheme_code: str, raw: Mapping[str, Any]) -> tuple[date, DailyFigures]:
            scheme = schemes.get(scheme_code)
            if scheme is None:
                self.authorise(actor, "import_daily", programme_code, scheme_code)
                scheme = self.get_scheme(programme_code, scheme_code)
                schemes[scheme_code] = scheme
            day = self._day(programme, "date", raw.get("date"))
            return day, DailyFigures.clean(raw, scheme)

        return validate

    def report_daily(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        raw: Mapping[str, Any],
        *,
        source_ref: str | None = None,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            day, cleaned = self.prepare_daily(actor, programme, scheme, raw)
            comment = confirmed(
                self.daily_doubts(programme, scheme, day, cleaned), raw.get(COMMENT)
            )
            report = DailyReport.report(
                actor, programme, scheme, day, cleaned, source_ref, confirm_comment=comment
            )
            duplicate = DuplicateDailyReport(
                f"{scheme} already reported figures for {day.isoformat()}; "
                "send a correction (PUT) with a reason instead",
                field="date",
            )
            return Change([report], duplicate, {"scheme": scheme, "date": day.isoformat()})

        request = {"p": programme, "s": scheme, **raw}
        command = Command(actor, "report_daily", programme, scheme, "daily", request)
        return self.run_command(command, act, idempotency_key)

    def report_daily_batch(
        self,
        actor: Actor,
        programme: str,
        reports: list[tuple[date, str, DailyFigures, str]],
        comments: Mapping[tuple[str, date], str] | None = None,
    ) -> int:
        """Stores many validated reports (day, scheme, figures, source ref) in one atomic save,
        with the comments confirming figures that looked wrong, by (scheme, day)."""
        if not reports:
            return self.max_position()
        confirming = comments or {}

        def act() -> Change:
            aggregates = [
                DailyReport.report(
                    actor, programme, scheme, day, cleaned, ref, confirming.get((scheme, day))
                )
                for day, scheme, cleaned, ref in reports
            ]
            return Change(aggregates, DuplicateDailyReport("a report in this batch already exists"))

        schemes = tuple(sorted({scheme for _, scheme, _, _ in reports}))
        return self.run_command(Command(actor, "import_daily", programme, schemes), act).position

    def correct_daily(
        self,
        actor: Actor,
        programme: str,
        scheme: str,
        raw: Mapping[str, Any],
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            why = correction_reason(reason)
            day, cleaned = self.prepare_daily(actor, programme, scheme, raw)
            report = self.get_daily_report(programme, scheme, day)
            if report.same_figures(cleaned):  # a correction that changes nothing is noise
                raise InputRefused(
                    "figures", f"nothing changed: these are the figures stored for {day}"
                )
            report.correct(actor, why, cleaned)
            changed = Conflict(
                f"the report for {day.isoformat()} changed meanwhile; reload and try again"
            )
            return Change([report], changed, {"scheme": scheme, "date": day.isoformat()})

        request = {"p": programme, "s": scheme, "why": reason, **raw}
        command = Command(actor, "correct_daily", programme, scheme, "daily_correct", request)
        return self.run_command(command, act, idempotency_key)

    def _clean_spend(
        self, programme_code: str, scheme_code: str, month: Any, amount: Any, basis: Any
    ) -> tuple[str, SpendFigures]:
        """A scheme's month of spend, checked: (month, figures)."""
        programme = self.get_programme(programme_code)
        self.get_scheme(programme_code, scheme_code)
        ym = month if isinstance(month, YearMonth) else YearMonth.parse(str(month))
        check_month_in_period("month", ym, programme.period_start, programme.period_end)
        if ym.first_day > self.today():  # an accrual is for a month under way, not ahead
            raise InputRefused(
                "month",
                f"{financial_month_label(ym)} ({ym.first_day:%B %Y}) has not started: its spend "
                f"can be recorded from {ym.first_day.day} {ym.first_day:%b %Y}",
            )
        return str(ym), SpendFigures.clean(amount, basis)

    def spend_doubts(
        self, programme_code: str, scheme_code: str, month: str, figures: SpendFigures
    ) -> list[str]:
        """What looks wrong in a month's spend: more than the set share above the month's
        profile as it stands today (the profile the dashboard shows, ``schemes/profile.py``)."""
        programme = self.get_programme(programme_code)
        scheme = self.get_scheme(programme_code, scheme_code)
        ym = YearMonth.parse(month)
        months = profile_months(programme.period_start, programme.period_end, scheme.planned_start)
        diversions = scheme.__dict__.get("diversions", [])  # missing on older snapshots
        profile = straight_line(months, scheme.allocation_gbp, diversions, self.today())
        found = profile.get(ym, Decimal(0))
        return spend_doubts(figures.amount_gbp, ym, found, self.spend_above_profile)

    def record_spend(
        self,
        actor: Actor,
        programme_code: str,
        scheme_code: str,
        month: Any,
        amount_gbp: Any,
        basis: Any,
        *,
        idempotency_key: str | None = None,
        confirm_comment: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            ym, figures = self._clean_spend(programme_code, scheme_code, month, amount_gbp, basis)
            doubts = self.spend_doubts(programme_code, scheme_code, ym, figures)
            comment = confirmed(doubts, confirm_comment, SPEND_QUESTION)
            spend = MonthlySpend.record(actor, programme_code, scheme_code, ym, figures, comment)
            duplicate = DuplicateSpend(
                f"spend for {scheme_code} in {ym} is already recorded; correct it with a reason",
                field="month",
            )
            return Change([spend], duplicate, {"scheme": scheme_code, "month": ym})

        request = _spend_request(programme_code, scheme_code, month, amount_gbp, basis)
        if confirm_comment:  # only when given: keys stored before comments still replay
            request["c"] = confirm_comment
        command = Command(actor, "record_spend", programme_code, scheme_code, "spend", request)
        return self.run_command(command, act, idempotency_key)

    def correct_spend(
        self,
        actor: Actor,
        programme_code: str,
        scheme_code: str,
        month: Any,
        amount_gbp: Any,
        basis: Any,
        reason: str,
        *,
        idempotency_key: str | None = None,
        confirm_comment: str | None = None,
    ) -> Receipt:
        def act() -> Change:
            ym, figures = self._clean_spend(programme_code, scheme_code, month, amount_gbp, basis)
            why = correction_reason(reason)
            spend = self._get(
                MonthlySpend,
                spend_id(programme_code, scheme_code, ym),
                ReportNotFound(f"no spend recorded for {scheme_code} in {ym}", field="month"),
            )
            if (spend.amount_gbp, spend.basis) == (figures.amount_gbp, figures.basis):
                raise InputRefused(
                    "amount_gbp",
                    f"nothing changed: £{figures.amount_gbp:,.2f} ({figures.basis}) is the "
                    f"spend stored for {scheme_code} in {ym}",
                )
            doubts = self.spend_doubts(programme_code, scheme_code, ym, figures)
            comment = confirmed(doubts, confirm_comment, SPEND_QUESTION)
            spend.correct(actor, figures, why, comment)
            changed = Conflict(f"spend for {ym} changed meanwhile; reload and try again")
            return Change([spend], changed, {"scheme": scheme_code, "month": ym})

        request = _spend_request(programme_code, scheme_code, month, amount_gbp, basis)
        request["r"] = reason
        if confirm_comment:  # only when given, as for record_spend
            request["c"] = confirm_comment
        command = Command(
            actor, "correct_spend", programme_code, scheme_code, "spend_correct", request
        )
        return self.run_command(command, act, idempotency_key)


def _spend_request(
    programme: str, scheme: str, month: Any, amount_gbp: Any, basis: Any
) -> dict[str, Any]:
    """A spend command's fingerprint (stored with idempotency keys: never change it)."""
    return {"p": programme, "s": scheme, "m": str(month), "a": str(amount_gbp), "b": basis}
