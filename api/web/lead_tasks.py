"""A lead's tasks on their own scheme: bed openings and closures, go-live, the month's
narrative. Each write calls the same application method as the JSON API, with channel ``web``;
the page is offered only to those the policy allows on this scheme."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Page
from api.web.common import PageGate, uk_form
from api.web.task_kit import Task, history_of
from api.wording import count, day, words
from capacity.commands import ChangeBeds, MobiliseScheme, UpdateNarrative
from capacity.policy import permits
from projections import listings

router = APIRouter(include_in_schema=False)
BED_TYPES = [
    (t, words(t)[:1].upper() + words(t)[1:])
    for t in ("core", "escalation", "community", "mental_health", "dta", "virtual")
]
COMMANDS = {"beds": "change_beds", "mobilise": "mobilise_scheme", "narrative": "update_narrative"}


def _task(page: Page, code: str) -> tuple[Task, bool]:
    task = Task(page, "update_narrative", "Scheme tasks", code)
    allowed = all(permits(task.user, c, task.programme, code) for c in COMMANDS.values())
    return task, allowed


def _page(
    task: Task,
    code: str,
    message: str | None,
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    scheme = listings.scheme(task.read, task.programme, code)
    context: dict[str, Any] = {
        "scheme": scheme,
        "bed_types": BED_TYPES,
        "message": message,
        "errors": errors,
        "values": values,
    }
    return task.render("lead_tasks.html", context, status)


@router.get(
    "/schemes/{code}/tasks",
    dependencies=[Depends(PageGate("update_narrative"))],
    response_class=HTMLResponse,
    response_model=None,
)
def tasks(request: Request, page: Page, code: str) -> Response:
    task, allowed = _task(page, code)
    return _page(task, code, None, {}, {}) if allowed else task.forbidden()


async def _submit(
    request: Request, page: Page, code: str, act: Callable[[Task, dict[str, str]], str]
) -> Response:
    task, allowed = _task(page, code)
    if not allowed:
        return task.forbidden()
    form = await request.form()
    values = uk_form(form)
    message, errors, status = task.attempt(form, lambda: act(task, values))
    if message is not None:
        here = f"/schemes/{code}/tasks?programme={task.programme}"
        return task.done(message, here, history=history_of(task, code))
    return _page(task, code, message, errors, values if errors else {}, status)


@router.post("/schemes/{code}/tasks/beds", response_class=HTMLResponse, response_model=None)
async def beds(request: Request, page: Page, code: str) -> Response:
    def act(task: Task, v: dict[str, str]) -> str:
        receipt = task.application.run_command(
            ChangeBeds(
                actor=task.actor,
                programme=task.programme,
                scheme=code,
                on=v.get("date", ""),
                change=v.get("change", ""),
                bed_type=v.get("bed_type", ""),
                reason=v.get("reason", ""),
            ),
            idempotency_key=v.get("idempotency_key") or None,
        )
        beds = count(v.get("change", ""), f"{words(v.get('bed_type', ''))} bed")
        said = f"Recorded a change of {beds} on {day(v.get('date', ''))}."
        return task.outcome(receipt, said)

    return await _submit(request, page, code, act)


@router.post("/schemes/{code}/tasks/mobilise", response_class=HTMLResponse, response_model=None)
async def mobilise(request: Request, page: Page, code: str) -> Response:
    def act(task: Task, v: dict[str, str]) -> str:
        receipt = task.application.run_command(
            MobiliseScheme(
                actor=task.actor,
                programme=task.programme,
                scheme=code,
                went_live_on=v.get("went_live_on", ""),
            ),
            idempotency_key=v.get("idempotency_key") or None,
        )
        return task.outcome(receipt, f"Recorded go-live on {day(v.get('went_live_on', ''))}.")

    return await _submit(request, page, code, act)


@router.post("/schemes/{code}/tasks/narrative", response_class=HTMLResponse, response_model=None)
async def narrative(request: Request, page: Page, code: str) -> Response:
    def act(task: Task, v: dict[str, str]) -> str:
        receipt = task.application.run_command(
            UpdateNarrative(
                actor=task.actor,
                programme=task.programme,
                scheme=code,
                narrative=v.get("narrative", ""),
            ),
            idempotency_key=v.get("idempotency_key") or None,
        )
        return task.outcome(receipt, "Narrative saved.")

    return await _submit(request, page, code, act)
