"""A lead uploads a CSV or XLSX of daily figures: the same columns and rules as
``wintertrack import daily`` (capacity/daily_import.py), a preview listing each bad row with its
line and reason, then the good rows stored on confirmation; a re-upload stores nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import Page
from api.web.common import PageGate
from api.web.task_kit import Task, refusal
from api.web.uploads import MAX_BYTES, UploadRefused, read_upload, row_lines
from capacity.daily_import import COLUMNS, check_row, reason, store
from capacity.errors import DomainError
from schemes.rules import InputRefused

SHOWN = 40  # lines of outcome carried to the page after the redirect (a cookie is small)
router = APIRouter(include_in_schema=False)
TITLE = "Daily figures upload"


@dataclass(frozen=True)
class Checked:
    line: int
    values: dict[str, str]
    problem: str | None
    stored: bool


def _task(page: Page) -> Task:
    return Task(page, "import_daily", TITLE)


def check_upload(task: Task, name: str, data: bytes) -> list[Checked]:
    sheet = read_upload(name, data)
    missing = [c for c in COLUMNS if c not in sheet.columns]
    if missing:
        raise UploadRefused("file", f"missing column(s): {', '.join(missing)}")
    validate = task.application.daily_validator(task.actor, task.programme)
    seen: set[tuple[str, date]] = set()
    checked = []
    for row in sheet.rows:
        values = {c: row.values.get(c, "") for c in COLUMNS}
        try:
            *_, stored = check_row(task.application, validate, task.programme, values, seen)
            checked.append(Checked(row.line, values, None, stored))
        except (InputRefused, DomainError) as error:
            checked.append(Checked(row.line, values, reason(error), False))
    return checked


def _form(task: Task, errors: dict[str, str], status: int = 200) -> HTMLResponse:
    return task.render("lead_upload.html", {"columns": COLUMNS, "errors": errors}, status)


@router.get(
    "/upload/daily",
    dependencies=[Depends(PageGate("import_daily"))],
    response_class=HTMLResponse,
    response_model=None,
)
def upload_form(request: Request, page: Page) -> Response:
    task = _task(page)
    return _form(task, {}) if task.allowed else task.forbidden()


@router.post("/upload/daily/preview", response_class=HTMLResponse, response_model=None)
async def upload_preview(request: Request, page: Page) -> Response:
    task = _task(page)
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    upload = form.get("file")
    try:
        task.check_csrf(form)
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UploadRefused("file", "choose a .csv or .xlsx file to upload")
        data = await upload.read(MAX_BYTES + 1)
        # Parsing a workbook is slow synchronous work: off the event loop.
        rows = await run_in_threadpool(check_upload, task, upload.filename, data)
    except (InputRefused, UploadRefused) as error:
        return _form(task, {error.field: error.reason}, 422)
    context: dict[str, Any] = {
        "filename": upload.filename,
        "columns": COLUMNS,
        "good": [r for r in rows if r.problem is None and not r.stored],
        "stored": [r for r in rows if r.stored],
        "bad": [r for r in rows if r.problem is not None],
    }
    return task.render("lead_upload_preview.html", context)


@router.post("/upload/daily/confirm", response_class=HTMLResponse, response_model=None)
async def upload_confirm(request: Request, page: Page) -> Response:
    task = _task(page)
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    try:
        task.check_csrf(form)
    except InputRefused as error:
        return _form(task, dict([refusal(error)]), 422)
    key = values.get("idempotency_key", "upload")
    lines = row_lines(values)
    validate = task.application.daily_validator(task.actor, task.programme)
    seen: set[tuple[str, date]] = set()
    batch, outcome = [], []
    for line in lines:
        row = {c: values.get(f"row-{line}-{c}", "") for c in COLUMNS}
        try:
            scheme, day, cleaned, stored = check_row(
                task.application, validate, task.programme, row, seen
            )
        except (InputRefused, DomainError) as error:
            outcome.append((line, f"not stored: {reason(error)}"))
            continue
        if stored:
            outcome.append((line, "skipped: already stored with the same figures"))
            continue
        batch.append((day, scheme, cleaned, f"web-upload:{key}:{line}"))
        outcome.append((line, f"stored: {scheme} on {day.isoformat()}"))
    stored_count, already = store(task.application, task.actor, task.programme, batch)
    task.read.projector.run_once()
    summary = f"{stored_count} row(s) stored, {already} found already stored meanwhile."
    shown = [f"Line {line}: {what}" for line, what in outcome[:SHOWN]]
    if len(outcome) > SHOWN:
        shown.append(f"… and {len(outcome) - SHOWN} more line(s)")
    return task.done(summary, "/upload/daily", outcome=shown)
