"""Finance's pages: the monthly spend sheet for every scheme, funds received, allocation
revisions and the index of monthly returns. Every write calls the same application method as
the JSON API, with channel ``web``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Page, Revision
from api.web.common import PageGate, submitted_note, uk_form
from api.web.task_kit import Task, refusal
from api.wording import day, money, words
from capacity.commands import CorrectSpend, ReceiveFunds, RecordSpend, ReviseAllocation
from capacity.errors import DomainError
from capacity.values import FUNDING_STREAMS, SPEND_BASES
from projections import listings
from projections.queries.figures import spend_in_month
from schemes.months import YearMonth, financial_month_label, months_in_period
from schemes.rules import InputRefused

router = APIRouter(include_in_schema=False)
STREAMS = [(s, words(s).capitalize()) for s in FUNDING_STREAMS]
BASES = [(b, b.capitalize()) for b in SPEND_BASES]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def month_options(task: Task) -> list[tuple[str, str]]:
    """The programme's months only, labelled the NHS way: "M8 Nov 2022"."""
    p = task.read.facts(task.programme)
    return [
        (str(m), f"{financial_month_label(m)} {m.first_day:%b %Y}")
        for m in months_in_period(p.period_start, p.period_end)
    ]


def chosen_month(task: Task, wanted: str | None) -> str:
    options = [m for m, _ in month_options(task)]
    if wanted in options:
        return str(wanted)
    today = str(YearMonth.of(task.application.today()))
    return today if today in options else options[-1]


def stored_spend(task: Task, month: str) -> dict[str, tuple[Decimal, str]]:
    rows = spend_in_month(task.read.views, task.programme, month)
    return {str(s): (Decimal(str(a)), str(b)) for s, a, b in rows}


def same_figures(stored: tuple[Decimal, str], amount: str, basis: str) -> bool:
    try:
        return stored == (Decimal(amount).quantize(Decimal("0.01")), basis)
    except InvalidOperation:
        return False


def _sheet(
    task: Task,
    month: str,
    results: dict[str, str],
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    stored = stored_spend(task, month)
    facts = task.read.facts(task.programme)
    schemes = [facts.schemes[c] for c in listings.scheme_codes(task.read, task.programme)]
    return task.render(
        "finance_spend.html",
        {
            "submitted": submitted_note(task.read, task.programme, month),
            "month": month,
            "months": month_options(task),
            "schemes": schemes,
            "stored": stored,
            "results": results,
            "errors": errors,
            "values": values,
            "bases": BASES,
        },
        status,
    )


@router.get(
    "/finance/spend",
    dependencies=[Depends(PageGate("record_spend"))],
    response_class=HTMLResponse,
    response_model=None,
)
def spend_sheet(request: Request, page: Page) -> Response:
    task = Task(page, "record_spend", "Monthly spend")
    if not task.allowed:
        return task.forbidden()
    return _sheet(task, chosen_month(task, request.query_params.get("month")), {}, {}, {})


@router.post("/finance/spend", response_class=HTMLResponse, response_model=None)
async def spend_submit(request: Request, page: Page) -> Response:
    task = Task(page, "record_spend", "Monthly spend")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = uk_form(form)
    month = chosen_month(task, values.get("month"))
    try:
        task.check_csrf(form)
    except InputRefused as error:
        return _sheet(task, month, {}, dict([refusal(error)]), values, 422)
    stored, key = stored_spend(task, month), values.get("idempotency_key", "")
    note = submitted_note(task.read, task.programme, month)
    results: dict[str, str] = {}
    errors: dict[str, str] = {}
    for code in listings.scheme_codes(task.read, task.programme):
        amount = values.get(f"amount-{code}", "").strip()
        basis = values.get(f"basis-{code}", "actual")
        reason = values.get(f"reason-{code}", "").strip()
        # spend well above the month's profile is stored only with this (capacity/plausibility.py)
        comment = values.get(f"comment-{code}", "").strip() or None
        if not amount or (code in stored and same_figures(stored[code], amount, basis)):
            continue  # an untouched row is not a change
        try:
            if code in stored:
                receipt = task.application.run_command(
                    CorrectSpend(
                        actor=task.actor,
                        programme=task.programme,
                        scheme=code,
                        month=month,
                        amount_gbp=amount,
                        basis=basis,
                        reason=reason,
                        confirm_comment=comment,
                    ),
                    idempotency_key=f"{key}:{code}" if key else None,
                )
                said = f"corrected to £{Decimal(amount):,.2f} ({basis})"
            else:
                receipt = task.application.run_command(
                    RecordSpend(
                        actor=task.actor,
                        programme=task.programme,
                        scheme=code,
                        month=month,
                        amount_gbp=amount,
                        basis=basis,
                        confirm_comment=comment,
                    ),
                    idempotency_key=f"{key}:{code}" if key else None,
                )
                said = f"recorded £{Decimal(amount):,.2f} ({basis})"
            results[code] = task.outcome(receipt, said + (f"; {note}" if note else ""))
        except (InputRefused, DomainError) as error:
            field, reason_text = refusal(error)
            name = {"reason": "reason", "confirm_comment": "comment"}.get(field, "amount")
            errors[f"{name}-{code}"] = reason_text
    task.read.projector.run_once()
    if not errors:
        where = f"/finance/spend?programme={task.programme}&month={month}"
        message = "Saved." if results else "Nothing changed: every row is as stored."
        return task.done(message, where, results=results)
    return _sheet(task, month, results, errors, values, 422)


def _money_page(
    task: Task,
    kind: str,
    message: str | None,
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    programme = task.read.facts(task.programme)
    return task.render(
        f"finance_{kind}.html",
        {
            "streams": STREAMS,
            "message": message,
            "errors": errors,
            "values": values,
            "allocations": programme.allocations,
        },
        status,
    )


@router.get(
    "/finance/funds",
    dependencies=[Depends(PageGate("record_funds_received"))],
    response_class=HTMLResponse,
    response_model=None,
)
def funds_form(request: Request, page: Page) -> Response:
    task = Task(page, "record_funds_received", "Funds received")
    return _money_page(task, "funds", None, {}, {}) if task.allowed else task.forbidden()


@router.post("/finance/funds", response_class=HTMLResponse, response_model=None)
async def funds_submit(request: Request, page: Page) -> Response:
    task = Task(page, "record_funds_received", "Funds received")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    v = uk_form(form)

    def act() -> str:
        receipt = task.application.run_command(
            ReceiveFunds(
                actor=task.actor,
                programme=task.programme,
                funding_stream=v.get("funding_stream", ""),
                amount_gbp=v.get("amount_gbp", ""),
                received_on=v.get("received_on", ""),
                confirm_repeat=v.get("confirm_repeat") == "yes",
            ),
            idempotency_key=v.get("idempotency_key") or None,
        )
        stream = words(v["funding_stream"])
        said = f"Recorded {money(v['amount_gbp'])} received for {stream}."
        return task.outcome(receipt, said)

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message)
    return _money_page(task, "funds", message, errors, v if errors else {}, status)


@router.get(
    "/finance/allocations",
    dependencies=[Depends(PageGate("revise_allocation"))],
    response_class=HTMLResponse,
    response_model=None,
)
def allocation_form(request: Request, page: Page) -> Response:
    task = Task(page, "revise_allocation", "Allocation revision")
    return _money_page(task, "allocations", None, {}, {}) if task.allowed else task.forbidden()


@router.post("/finance/allocations", response_class=HTMLResponse, response_model=None)
async def allocation_submit(request: Request, page: Page) -> Response:
    task = Task(page, "revise_allocation", "Allocation revision")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    v = uk_form(form)

    def act() -> str:
        receipt = task.application.run_command(
            ReviseAllocation(
                actor=task.actor,
                programme=task.programme,
                funding_stream=v.get("funding_stream", ""),
                amount_gbp=v.get("amount_gbp", ""),
                reason=v.get("reason", ""),
                effective_on=v.get("effective_on") or None,
            ),
            idempotency_key=v.get("idempotency_key") or None,
        )
        since = f" from {day(v['effective_on'])}" if v.get("effective_on") else ""
        stream, amount = words(v["funding_stream"]), money(v["amount_gbp"])
        said = f"Allocation for {stream} revised to {amount}{since}."
        return task.outcome(receipt, said)

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message)
    return _money_page(task, "allocations", message, errors, v if errors else {}, status)


@router.get(
    "/returns",
    dependencies=[Depends(PageGate("read_return"))],
    response_class=HTMLResponse,
    response_model=None,
)
def returns_index(request: Request, page: Page) -> Response:
    task = Task(page, "read_return", "Monthly returns")
    if not task.allowed:
        return task.forbidden()
    months: list[dict[str, Any]] = []
    for month, label in month_options(task):
        months.append(
            {
                "month": month,
                "label": label,
                "submissions": task.read.submissions(task.programme, month),
            }
        )
    picked = chosen_month(task, request.query_params.get("month"))
    return task.render("finance_returns.html", {"months": months, "picked": picked})


@router.get(
    "/returns/{month}/revisions/{revision}.{fmt}",
    dependencies=[Depends(PageGate("read_return"))],
    response_model=None,
)
def revision_download(
    request: Request, page: Page, month: str, revision: Revision, fmt: str
) -> Response:
    """A submitted revision as submitted: its CSV, or its workbook."""
    task = Task(page, "read_return", "Submitted return")
    if not task.allowed:
        return task.forbidden()
    if fmt not in ("csv", "xlsx"):
        return Response("unknown format", status_code=404)
    try:
        found = task.read.submission(task.programme, month, revision)
    except (DomainError, InputRefused) as error:
        return Response(str(error), status_code=404)
    name = f"{task.programme}-{month}-r{revision}.{fmt}"
    if fmt == "xlsx" and not found["xlsx"]:
        return Response("this revision was submitted before workbooks were kept", status_code=404)
    body = found["xlsx"] if fmt == "xlsx" else found["csv"]
    media = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
