"""Figures: daily reports (one, many, corrections) and monthly spend."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from capacity.app.core import Receipt, WinterCore
from capacity.daily_figures import DailyFigures
from capacity.errors import (
    Conflict,
    DuplicateDailyReport,
    DuplicateSpend,
    ReportNotFound,
)
from capacity.programme import Programme
from capacity.reports import DailyReport, MonthlySpend, spend_id
from capacity.scheme import Scheme
from capacity.values import Actor
from schemes.months import YearMonth
from schemes.rules import (
    InputRefused,
    check_money,
    check_month_in_period,
    check_text,
)


class FigureCommands(WinterCore):
    def prepare_daily(
        self, actor: Actor, programme_code: str, scheme_code: str, raw: Mapping[str, Any]
    ) -> tuple[date, DailyFigures]:
        """Validates a daily report exactly as every channel must; returns its day and figures."""
        programme = self.get_programme(programme_code)
        scheme = self.get_scheme(programme_code, scheme_code)
        day = self._day(programme, "date", raw.get("date"))
        return day, DailyFigures.clean(raw, scheme)

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
        self.authorise(actor, "report_daily", programme, scheme)
        key, replay = self._idempotent(
            actor, idempotency_key, "daily", {"p": programme, "s": scheme, **raw}
        )
        if replay:
            return replay
        day, cleaned = self.prepare_daily(actor, programme, scheme, raw)
        report = DailyReport.report(actor, programme, scheme, day, cleaned, source_ref)
        return self._commit(
            actor,
            [report],
            DuplicateDailyReport(
                f"{scheme} already reported figures for {day.isoformat()}; "
                "send a correction (PUT) with a reason instead",
                field="date",
            ),
            key,
            {"scheme": scheme, "date": day.isoformat()},
        )

    def report_daily_batch(
        self, actor: Actor, programme: str, reports: list[tuple[date, str, DailyFigures, str]]
    ) -> int:
        """Stores many validated reports (day, scheme, figures, source ref) in one atomic save."""
        if not reports:
            return self.max_position()
        for scheme in sorted({scheme for _, scheme, _, _ in reports}):
            self.authorise(actor, "import_daily", programme, scheme)
        aggregates: list[Aggregate] = [
            DailyReport.report(actor, programme, scheme, day, cleaned, ref)
            for day, scheme, cleaned, ref in reports
        ]
        receipt = self._commit(
            actor, aggregates, DuplicateDailyReport("a report in this batch already exists")
        )
        return receipt.position

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
        key, replay = self._idempotent(
            actor,
            idempotency_key,
            "daily_correct",
            {"p": programme, "s": scheme, "why": reason, **raw},
        )
        self.authorise(actor, "correct_daily", programme, scheme)
        if replay:
            return replay
        why = check_text("reason", reason or "")
        if not why.strip():
            raise InputRefused("reason", "is required for a correction")
        day, cleaned = self.prepare_daily(actor, programme, scheme, raw)
        report = self.get_daily_report(programme, scheme, day)
        report.correct(actor, why, cleaned)
        return self._commit(
            actor,
            [report],
            Conflict(f"the report for {day.isoformat()} changed meanwhile; reload and try again"),
            key,
            {"scheme": scheme, "date": day.isoformat()},
        )

    def _clean_spend(
        self, programme: Programme, month: Any, amount: Any, basis: Any
    ) -> tuple[str, Decimal, str]:
        ym = month if isinstance(month, YearMonth) else YearMonth.parse(str(month))
        check_month_in_period("month", ym, programme.period_start, programme.period_end)
        if basis not in ("actual", "accrual"):
            raise InputRefused("basis", "must be actual or accrual")
        return str(ym), check_money("amount_gbp", amount), str(basis)

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
    ) -> Receipt:
        request = {"p": programme_code, "s": scheme_code, "m": str(month), "a": str(amount_gbp)}
        self.authorise(actor, "record_spend", programme_code, scheme_code)
        key, replay = self._idempotent(actor, idempotency_key, "spend", {**request, "b": basis})
        if replay:
            return replay
        programme = self.get_programme(programme_code)
        self.get_scheme(programme_code, scheme_code)
        ym, amount, kind = self._clean_spend(programme, month, amount_gbp, basis)
        spend = MonthlySpend.record(actor, programme_code, scheme_code, ym, amount, kind)
        return self._commit(
            actor,
            [spend],
            DuplicateSpend(
                f"spend for {scheme_code} in {ym} is already recorded; correct it with a reason",
                field="month",
            ),
            key,
            {"scheme": scheme_code, "month": ym},
        )

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
    ) -> Receipt:
        request = {"p": programme_code, "s": scheme_code, "m": str(month), "a": str(amount_gbp)}
        self.authorise(actor, "correct_spend", programme_code, scheme_code)
        key, replay = self._idempotent(
            actor, idempotency_key, "spend_correct", {**request, "b": basis, "r": reason}
        )
        if replay:
            return replay
        programme = self.get_programme(programme_code)
        self.get_scheme(programme_code, scheme_code)
        ym, amount, kind = self._clean_spend(programme, month, amount_gbp, basis)
        why = check_text("reason", reason or "")
        if not why.strip():
            raise InputRefused("reason", "is required for a correction")
        spend = self._get(
            MonthlySpend,
            spend_id(programme_code, scheme_code, ym),
            ReportNotFound(f"no spend recorded for {scheme_code} in {ym}", field="month"),
        )
        spend.correct(actor, amount, kind, why)
        return self._commit(
            actor,
            [spend],
            Conflict(f"spend for {ym} changed meanwhile; reload and try again"),
            key,
            {"scheme": scheme_code, "month": ym},
        )
