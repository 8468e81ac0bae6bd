"""A scheme's KPI values by month, entered by its lead. KPI values are stored on the day's
report (``kpis: {code: value}``, as the API and Kafka send them): the page lists each KPI with
its target and how the month adds it up, the days with values, and records values on a day
already reported (a correction of that day, so the history keeps who changed what and why)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Page
from api.web.common import PageGate, uk_form
from api.web.task_kit import Task
from capacity.commands import CorrectDaily
from capacity.daily_figures import from_cells, to_cells
from capacity.errors import DomainError
from projections import listings
from projections.arithmetic import kpi_values
from schemes.months import YearMonth
from schemes.rules import InputRefused, kpi_type

router = APIRouter(include_in_schema=False)
HOW = {
    "sum": "added up over the month",
    "mean": "the average of the days reported",
    "latest": "the latest value reported",
}
HINT = {
    "date": "a date, as YYYY-MM-DD",
    "money": "pounds and pence",
    "percent": "a percentage, 0 to 100",
}
DEFAULT_REASON = "KPI values entered"


def _uk(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _month(task: Task) -> YearMonth:
    asked = task.request.query_params.get("month")
    return YearMonth.parse(asked) if asked else YearMonth.of(task.read.today())


def _render(
    task: Task,
    code: str,
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    try:
        scheme = listings.scheme(task.read, task.programme, code)
        month = _month(task)
    except (DomainError, InputRefused) as error:
        text = error.message if isinstance(error, DomainError) else f"{error.reason}"
        return task.render("error.html", {"error": text}, 404)
    facts = task.read.facts(task.programme).schemes[code]
    window = [d for d in month.days() if d <= task.read.today()]
    totals = kpi_values(facts, window)
    kpis = [
        {
            "code": str(k["code"]),
            "name": str(k.get("name") or k["code"]),
            "type": kpi_type(k),
            "target": k.get("target"),
            "unit": k.get("unit") or "",
            "how": HOW.get(str(k.get("aggregation", "latest")), "the latest value reported"),
            "value": totals.get(str(k["code"])),
            "hint": HINT.get(kpi_type(k), "a number"),
        }
        for k in scheme.typed_kpis
    ]
    days = [  # each value as it was stored, not formatted as the month's value is
        (d, {code: str(value) for code, value in facts.daily[d].kpis.items()})
        for d in sorted(window, reverse=True)
        if d in facts.daily and facts.daily[d].kpis
    ]
    context: dict[str, Any] = {
        "scheme": scheme,
        "month": month,
        "month_label": f"{month.first_day:%B %Y}",
        "kpis": kpis,
        "days": days,
        "errors": errors,
        "values": values,
        "uk": _uk,
        "show": _show,
    }
    return task.render("lead_kpis.html", context, status)


def _show(value: Any) -> str:
    if isinstance(value, date):
        return _uk(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return "" if value is None else str(value)


@router.get(
    "/schemes/{code}/kpis",
    dependencies=[Depends(PageGate("correct_daily"))],
    response_class=HTMLResponse,
    response_model=None,
)
def kpi_page(request: Request, page: Page, code: str) -> Response:
    """The month's KPIs (``?month=YYYY-MM``, by default this month) and the entry form."""
    task = Task(page, "correct_daily", "Enter a scheme's KPI values", code)
    return _render(task, code, {}, {}) if task.allowed else task.forbidden()


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


@router.post("/schemes/{code}/kpis", response_class=HTMLResponse, response_model=None)
async def kpi_submit(request: Request, page: Page, code: str) -> Response:
    """Records the boxes filled in on the day's report; a day with no report is refused, naming
    the date (its figures come first). 303 to the month, which shows what was stored."""
    task = Task(page, "correct_daily", "Enter a scheme's KPI values", code)
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: v for k, v in uk_form(form).items() if k != "csrf"}
    day = values.get("date", "").strip()
    given = {
        k.removeprefix("kpi_"): v.strip()
        for k, v in values.items()
        if k.startswith("kpi_") and v.strip()
    }

    def act() -> str:
        try:
            return store()
        except InputRefused as error:  # a KPI's refusal names its own box
            field = error.field
            if field.startswith("kpis."):
                field = "kpi_" + field.removeprefix("kpis.")
            raise InputRefused(field, error.reason) from error

    def store() -> str:
        if not given:
            raise InputRefused("form", "fill in at least one KPI value")
        try:
            on = date.fromisoformat(day)
        except ValueError:
            raise InputRefused("date", "must be a date, as YYYY-MM-DD") from None
        try:
            report = task.application.get_daily_report(task.programme, code, on)
        except DomainError:
            raise InputRefused(
                "date", f"no figures are stored for {_uk(on)}: enter the day's figures first"
            ) from None
        cells = {k: _text(v) for k, v in to_cells(report.figures).items()}
        raw = {"date": day, **from_cells(cells)}
        stored = {k: _text(v) for k, v in (report.figures.get("kpis") or {}).items()}
        raw["kpis"] = {**stored, **given}
        reason = values.get("reason", "").strip() or DEFAULT_REASON
        receipt = task.application.run_command(
            CorrectDaily(
                actor=task.actor, programme=task.programme, scheme=code, figures=raw, reason=reason
            ),
            idempotency_key=values.get("idempotency_key") or None,
        )
        said = ", ".join(f"{k} {v}" for k, v in given.items())
        return task.outcome(receipt, f"KPI values for {_uk(on)} stored: {said}.")

    message, errors, status = task.attempt(form, act)
    if message is not None:
        month = day[:7]
        here = f"/schemes/{quote(code)}/kpis?programme={quote(task.programme)}&month={month}"
        return task.done(message, here)
    return _render(task, code, errors, values, status)
