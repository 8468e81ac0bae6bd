"""Finance uploads a ledger extract (CSV or XLSX) for a month: a preview lists each bad row with
its line number and reason, and a confirmation stores the good rows through ``record_spend``.
Rows already stored with the same figures are skipped, so a re-upload stores nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import Page
from api.web.common import PageGate
from api.web.finance_tasks import chosen_month, month_options, same_figures, stored_spend
from api.web.task_kit import Task, refusal
from api.web.uploads import UploadRefused, read_upload, row_lines
from capacity.commands import RecordSpend
from capacity.errors import DomainError
from capacity.spend_figures import SpendFigures
from capacity.values import SPEND_BASES, SpendBasis
from projections import listings
from schemes.rules import InputRefused, check_money

router = APIRouter(include_in_schema=False)
SCHEME_COLUMNS = ("scheme", "scheme_code")
AMOUNT_COLUMNS = ("amount_gbp", "amount")


@dataclass
class LedgerRow:
    line: int
    scheme: str
    amount: str
    basis: str
    problem: str | None = None
    stored: bool = False  # already stored with these figures: skipped on confirmation
    # well above the month's profile: stored only with a comment (capacity/plausibility.py)
    doubt: str | None = None


def _column(values: dict[str, str], names: tuple[str, ...]) -> str:
    return next((values[n] for n in names if n in values), "")


def check_rows(task: Task, month: str, name: str, data: bytes) -> list[LedgerRow]:
    sheet = read_upload(name, data)
    if not any(c in sheet.columns for c in SCHEME_COLUMNS) or not any(
        c in sheet.columns for c in AMOUNT_COLUMNS
    ):
        raise UploadRefused("file", "needs a header row with columns scheme, amount_gbp, basis")
    known = set(listings.scheme_codes(task.read, task.programme))
    stored = stored_spend(task, month)
    seen: set[str] = set()
    rows = []
    for raw in sheet.rows:
        row = LedgerRow(
            raw.line,
            _column(raw.values, SCHEME_COLUMNS),
            _column(raw.values, AMOUNT_COLUMNS).replace("£", "").replace(",", ""),
            (raw.values.get("basis") or "actual").lower(),
        )
        rows.append(row)
        if row.scheme not in known:
            row.problem = f"unknown scheme '{row.scheme[:40]}'"
            continue
        if row.scheme in seen:
            row.problem = f"{row.scheme} appears twice in this file"
            continue
        seen.add(row.scheme)
        try:
            row.amount = str(check_money("amount_gbp", row.amount))
        except InputRefused as error:
            row.problem = f"amount: {error.reason}"
            continue
        if row.basis not in SPEND_BASES:
            row.problem = "basis must be actual or accrual"
        elif row.scheme in stored:
            if same_figures(stored[row.scheme], row.amount, row.basis):
                row.stored = True
            else:
                amount, basis = stored[row.scheme]
                row.problem = (
                    f"already recorded as £{amount:,.2f} ({basis}) for {month}; "
                    "correct it on the spend sheet with a reason"
                )
        if row.problem is None and not row.stored:
            # no problem means the basis was found in SPEND_BASES above
            figures = SpendFigures(Decimal(row.amount), cast(SpendBasis, row.basis))
            found = task.application.spend_doubts(task.programme, row.scheme, month, figures)
            row.doubt = "; ".join(found) or None
    return rows


def _form(task: Task, month: str, errors: dict[str, str], status: int = 200) -> HTMLResponse:
    return task.render(
        "finance_ledger.html",
        {"month": month, "months": month_options(task), "errors": errors},
        status,
    )


@router.get(
    "/finance/ledger",
    dependencies=[Depends(PageGate("record_spend"))],
    response_class=HTMLResponse,
    response_model=None,
)
def ledger_form(request: Request, page: Page) -> Response:
    task = Task(page, "record_spend", "Ledger upload")
    if not task.allowed:
        return task.forbidden()
    return _form(task, chosen_month(task, request.query_params.get("month")), {})


@router.post("/finance/ledger/preview", response_class=HTMLResponse, response_model=None)
async def ledger_preview(request: Request, page: Page) -> Response:
    task = Task(page, "record_spend", "Ledger upload")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    month = chosen_month(task, str(form.get("month") or ""))
    upload = form.get("file")
    try:
        task.check_csrf(form)
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UploadRefused("file", "choose a .csv or .xlsx file to upload")
        # Read one byte past the limit so an oversize file is refused without reading it all.
        data = await upload.read(2_000_001)
        # Parsing a workbook is slow synchronous work: off the event loop.
        rows = await run_in_threadpool(check_rows, task, month, upload.filename, data)
    except (InputRefused, UploadRefused) as error:
        return _form(task, month, {error.field: error.reason}, 422)
    return task.render(
        "finance_ledger_preview.html",
        {
            "month": month,
            "filename": upload.filename,
            "good": [r for r in rows if r.problem is None and not r.stored],
            "stored": [r for r in rows if r.stored],
            "bad": [r for r in rows if r.problem is not None],
            "doubts": [r for r in rows if r.doubt],
        },
    )


@router.post("/finance/ledger/confirm", response_class=HTMLResponse, response_model=None)
async def ledger_confirm(request: Request, page: Page) -> Response:
    task = Task(page, "record_spend", "Ledger upload")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    month = chosen_month(task, values.get("month"))
    try:
        task.check_csrf(form)
    except InputRefused as error:
        return _form(task, month, dict([refusal(error)]), 422)
    key = values.get("idempotency_key", "")
    lines = row_lines(values)
    stored = stored_spend(task, month)
    outcome: list[tuple[int, str, str]] = []
    for line in lines:
        scheme = values.get(f"row-{line}-scheme", "")
        amount = values.get(f"row-{line}-amount", "")
        basis = values.get(f"row-{line}-basis", "")
        if scheme in stored and same_figures(stored[scheme], amount, basis):
            outcome.append((line, scheme, "skipped: already stored with the same figures"))
            continue
        try:
            task.application.run_command(
                RecordSpend(
                    actor=task.actor,
                    programme=task.programme,
                    scheme=scheme,
                    month=month,
                    amount_gbp=amount,
                    basis=basis,
                    confirm_comment=values.get(f"row-{line}-comment", "").strip() or None,
                ),
                idempotency_key=f"{key}:{line}" if key else None,
            )
            outcome.append((line, scheme, f"stored £{Decimal(amount):,.2f} ({basis})"))
        except (InputRefused, DomainError) as error:
            outcome.append((line, scheme, f"not stored: {refusal(error)[1]}"))
    task.read.projector.run_once()
    results = {f"Line {line} {scheme}": text for line, scheme, text in outcome}
    message = f"Ledger for {month}: each row's result below."
    if not outcome:
        message = "Nothing was sent to store."
    where = f"/finance/spend?programme={task.programme}&month={month}"
    return task.done(message, where, results=results)
