"""An acute site's daily flow, entered by its lead: a day's beds, occupancy, patients not meeting
the criteria to reside and discharges by pathway; a correction that starts from the stored day
and shows old -> new before storing; and the day's history. The form's boxes are read from
``capacity/flow_figures.py`` and every write calls the same application method as the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Page
from api.web.common import PageGate, uk_form
from api.web.task_kit import LONDON, Task
from capacity.commands import CorrectFlow, ReportFlow
from capacity.errors import DomainError
from capacity.flow_figures import cell_of, form_cells, from_cells, to_cells
from capacity.site import site_day_id
from projections import listings
from projections.event_log import EventLog
from schemes.rules import InputRefused

router = APIRouter(include_in_schema=False)
RECENT = 14  # days shown in the table of reported days


def _task(page: Page, code: str, correcting: bool = False) -> Task:
    policy = "correct_flow" if correcting else "report_flow"
    title = "Correct a site's daily flow" if correcting else "Report a site's daily flow"
    return Task(page, policy, title, code)


def _uk(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _day_history(task: Task, code: str, day: date) -> list[str]:
    """The day's stored events, newest first, as sentences."""
    records = EventLog(task.application).of_aggregate(site_day_id(task.programme, code, day))
    lines = []
    for record in records:
        who = (record["actor"] or {}).get("user_id", "")
        at = ""
        if record["recorded_at"]:
            when = datetime.fromisoformat(str(record["recorded_at"])).astimezone(LONDON)
            at = f"{when:%H:%M} on {_uk(when.date())}"
        if record["event_type"].endswith("FlowCorrected"):
            lines.append(f"{at}: corrected by {who} (reason: {record['data'].get('reason')})")
        else:
            lines.append(f"{at}: reported by {who}")
    return lines[::-1]


def _render(
    task: Task,
    code: str,
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
    confirm: list[tuple[str, str, str]] | None = None,
    correcting: str | None = None,
) -> HTMLResponse:
    try:
        site = listings.site(task.read, task.programme, code)
    except DomainError as error:
        return task.render("error.html", {"error": error.message}, 404)
    facts = task.read.facts(task.programme)
    days = sorted((d for (ods, d) in facts.flow if ods == code), reverse=True)[:RECENT]
    history: list[str] = []
    if correcting:
        try:
            history = _day_history(task, code, date.fromisoformat(correcting))
        except ValueError:
            history = []
    context: dict[str, Any] = {
        "site": site,
        "cells": form_cells(),
        "labels": dict(form_cells()),
        "recent": [(d, facts.flow[(code, d)]) for d in days],
        "errors": errors,
        "values": values,
        "confirm": confirm,
        "correcting": correcting,
        "day_history": history,
        "uk": _uk,
    }
    return task.render("site_flow.html", context, status)


@router.get(
    "/sites/{code}/flow",
    dependencies=[Depends(PageGate("report_flow"))],
    response_class=HTMLResponse,
    response_model=None,
)
def flow_page(request: Request, page: Page, code: str) -> Response:
    """The entry form; with ``?correct=YYYY-MM-DD`` it starts from that day's stored figures."""
    day = request.query_params.get("correct")
    task = _task(page, code, correcting=bool(day))
    if not task.allowed:
        return task.forbidden()
    if not day:
        return _render(task, code, {}, {})
    try:
        stored = to_cells(listings.stored_flow(task.read, task.programme, code, day))
    except (DomainError, ValueError):
        return _render(task, code, {"date": f"no flow is stored for {day}"}, {}, 404)
    return _render(task, code, {}, {"date": day, **stored}, correcting=day)


def _stored(task: Task, code: str, day: str) -> dict[str, str]:
    site_day: Any = task.application.repository.get(
        site_day_id(task.programme, code, date.fromisoformat(day))
    )
    return to_cells(site_day.figures)


@router.post("/sites/{code}/flow", response_class=HTMLResponse, response_model=None)
async def flow_submit(request: Request, page: Page, code: str) -> Response:
    """A new day, or (with a reason) a correction shown as old -> new and stored only once
    confirmed. 303 to the page after storing, which says what was stored."""
    form = await request.form()
    values = {k: v for k, v in uk_form(form).items() if k != "csrf"}
    reason = values.get("reason", "").strip()
    task = _task(page, code, correcting=bool(reason))
    if not task.allowed:
        return task.forbidden()
    day = values.get("date", "").strip()
    key = values.get("idempotency_key") or None
    changes: list[tuple[str, str, str]] = []

    def act() -> str:
        try:
            return store()
        except InputRefused as error:  # a pathway's refusal names its own box
            raise InputRefused(cell_of(error.field), error.reason) from error

    def store() -> str:
        raw = {"date": day, **from_cells(values)}
        if not reason:
            receipt = task.application.run_command(
                ReportFlow(actor=task.actor, programme=task.programme, ods_code=code, figures=raw),
                idempotency_key=key,
            )
            return task.outcome(receipt, f"Flow for {_said_day(day)} stored.")
        try:
            stored = _stored(task, code, day)
        except (KeyError, ValueError, DomainError):
            stored = {}  # the service names what is missing
        changes.extend(
            (label, stored.get(cell, ""), values.get(cell, "").strip())
            for cell, label in form_cells()
            if stored and stored.get(cell, "") != values.get(cell, "").strip()
        )
        if values.get("confirm") != "yes" and stored:
            return ""  # reviewed first: shown below
        receipt = task.application.run_command(
            CorrectFlow(
                actor=task.actor,
                programme=task.programme,
                ods_code=code,
                figures=raw,
                reason=reason,
            ),
            idempotency_key=key,
        )
        said = "; ".join(f"{n} {o or '(none)'} → {v or '(none)'}" for n, o, v in changes)
        return task.outcome(receipt, f"Correction of {_said_day(day)} stored: {said or 'none'}.")

    message, errors, status = task.attempt(form, act)
    if message == "":
        if not changes:
            errors = {"form": "nothing changed: these are the figures stored"}
            return _render(task, code, errors, values, 422, correcting=day)
        return _render(task, code, {}, values, confirm=changes, correcting=day)
    if message is not None:
        here = f"/sites/{quote(code)}/flow?programme={quote(task.programme)}"
        return task.done(message, here)
    return _render(task, code, errors, values, status, correcting=day if reason else None)


def _said_day(day: str) -> str:
    try:
        return _uk(date.fromisoformat(day))
    except ValueError:
        return day
