"""The board's pages: diversions (starting from the dashboard's diversion candidates, with the
uncommitted money pre-filled), scheme status changes and the bed-target revision. Each write
calls the same application method as the JSON API, with channel ``web``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Page
from api.web.common import PageGate, uk_form
from api.web.task_kit import Task, history_of
from api.wording import money
from capacity.commands import ChangeStatus, DivertFunding, ReviseBedTarget
from projections import listings

router = APIRouter(include_in_schema=False)
ACTIONS = [("pause", "Pause"), ("resume", "Resume"), ("close", "Close")]


def _schemes(task: Task) -> list[tuple[str, str]]:
    return [(s.code, f"{s.name} ({s.code})") for s in listings.statuses(task.read, task.programme)]


def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k in ("from_scheme", "amount_gbp")}


def _diversions(
    task: Task,
    message: str | None,
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    board = task.read.dashboard(task.programme, None)
    return task.render(
        "board_diversions.html",
        {
            "candidates": board.diversion_candidates,
            "schemes": _schemes(task),
            "message": message,
            "errors": errors,
            "values": values,
            "today": board.as_of,
        },
        status,
    )


@router.get(
    "/board/diversions",
    dependencies=[Depends(PageGate("divert_funding"))],
    response_class=HTMLResponse,
    response_model=None,
)
def diversion_form(request: Request, page: Page) -> Response:
    task = Task(page, "divert_funding", "Diversion")
    return _diversions(task, None, {}, _form(request)) if task.allowed else task.forbidden()


@router.post("/board/diversions", response_class=HTMLResponse, response_model=None)
async def diversion_submit(request: Request, page: Page) -> Response:
    task = Task(page, "divert_funding", "Diversion")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    v = uk_form(form)

    def act() -> str:
        receipt = task.application.run_command(
            DivertFunding(
                actor=task.actor,
                programme=task.programme,
                from_scheme=v.get("from_scheme", ""),
                to_scheme=v.get("to_scheme", ""),
                amount_gbp=v.get("amount_gbp", ""),
                decision_ref=v.get("decision_ref", ""),
                decided_on=v.get("decided_on", ""),
                confirm_repeat=v.get("confirm_repeat") == "yes",
            ),
            idempotency_key=v.get("idempotency_key") or None,
        )
        said = f"Diverted {money(v['amount_gbp'])} from {v['from_scheme']} to {v['to_scheme']}."
        return task.outcome(receipt, said)

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message, history=history_of(task, v.get("from_scheme", "")))
    return _diversions(task, message, errors, v if errors else {}, status)


def _status(
    task: Task,
    message: str | None,
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    current = listings.statuses(task.read, task.programme)
    return task.render(
        "board_status.html",
        {
            "schemes": _schemes(task),
            "current": current,
            "actions": ACTIONS,
            "message": message,
            "errors": errors,
            "values": values,
        },
        status,
    )


@router.get(
    "/board/status",
    dependencies=[Depends(PageGate("change_status"))],
    response_class=HTMLResponse,
    response_model=None,
)
def status_form(request: Request, page: Page) -> Response:
    task = Task(page, "change_status", "Scheme status")
    return _status(task, None, {}, {}) if task.allowed else task.forbidden()


@router.post("/board/status", response_class=HTMLResponse, response_model=None)
async def status_submit(request: Request, page: Page) -> Response:
    task = Task(page, "change_status", "Scheme status")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    v = uk_form(form)

    def act() -> str:
        receipt = task.application.run_command(
            ChangeStatus(
                actor=task.actor,
                programme=task.programme,
                scheme=v.get("scheme", ""),
                action=v.get("action", ""),
                on=v.get("on", ""),
                reason=v.get("reason", ""),
            ),
            idempotency_key=v.get("idempotency_key") or None,
        )
        return task.outcome(receipt, f"{v['scheme']}: {v['action']} from {v['on']} recorded.")

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message, history=history_of(task, v.get("scheme", "")))
    if "scheme_code" in errors:
        errors["scheme"] = errors.pop("scheme_code")
    return _status(task, message, errors, v if errors else {}, status)


def _target(
    task: Task,
    message: str | None,
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    return task.render(
        "board_target.html",
        {
            "bed_target": task.read.facts(task.programme).bed_target,
            "message": message,
            "errors": errors,
            "values": values,
        },
        status,
    )


@router.get(
    "/board/bed-target",
    dependencies=[Depends(PageGate("revise_bed_target"))],
    response_class=HTMLResponse,
    response_model=None,
)
def target_form(request: Request, page: Page) -> Response:
    task = Task(page, "revise_bed_target", "Bed target")
    return _target(task, None, {}, {}) if task.allowed else task.forbidden()


@router.post("/board/bed-target", response_class=HTMLResponse, response_model=None)
async def target_submit(request: Request, page: Page) -> Response:
    task = Task(page, "revise_bed_target", "Bed target")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    v = uk_form(form)

    def act() -> str:
        receipt = task.application.run_command(
            ReviseBedTarget(
                actor=task.actor,
                programme=task.programme,
                bed_target=v.get("bed_target", ""),
                reason=v.get("reason", ""),
            ),
            idempotency_key=v.get("idempotency_key") or None,
        )
        return task.outcome(receipt, f"Bed target revised to {v['bed_target']}.")

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message)
    return _target(task, message, errors, v if errors else {}, status)
