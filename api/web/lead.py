"""A scheme's page: its figures and history, and its lead's entry and correction forms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Page, PageContext, get_read_model
from api.history import scheme_history
from api.history_text import newest_first
from api.observe import actor as web_actor
from api.web.common import PageGate, redirect_done, render_page, submitted_note, uk_form
from api.web.paper import uk_date
from api.web.task_kit import replayed
from capacity.application import WinterApplication
from capacity.commands import CorrectDaily, ReportDaily
from capacity.daily_figures import FIELDS, FORM_CELLS, from_cells, to_cells
from capacity.errors import DomainError, Forbidden
from capacity.plausibility import COMMENT
from capacity.policy import permits
from projections import listings
from projections.readmodel import ReadModel
from schemes.rules import DATE_EXAMPLE, InputRefused, parse_date

router = APIRouter(include_in_schema=False)


@router.get(
    "/schemes/{code}",
    dependencies=[Depends(PageGate("read_history"))],
    response_class=HTMLResponse,
    response_model=None,
)
def scheme_page(request: Request, code: str, page: Page) -> Response:
    """A scheme's figures and history; its lead also gets the entry form, and with
    ``?correct=YYYY-MM-DD`` the form starts from that day's stored figures."""
    if request.query_params.get("copy"):
        return _copied(page, code, request.query_params["copy"])
    day = request.query_params.get("correct")
    if not day:
        return _scheme(page, code, {}, {}, None, 200)
    try:
        stored = _shown_day(page.read, page.programme, code, day)
    except (DomainError, InputRefused, ValueError) as error:
        return _scheme(page, code, {"date": str(error)}, {"date": day}, None, 404)
    values = {"date": day, **{k: _text(v) for k, v in stored.items()}}
    return _scheme(page, code, {}, values, None, 200)


def _copied(page: PageContext, code: str, text: str) -> Response:
    """``?copy=YYYY-MM-DD``: the entry form for that day, filled with the day before's figures
    (for a lead whose figures rarely change); nothing is stored until they save it."""
    read, programme = page.read, page.programme
    try:
        day = parse_date("copy", text)
        stored = _shown_day(read, programme, code, (day - timedelta(days=1)).isoformat())
    except InputRefused as error:
        return _scheme(page, code, {"date": error.reason}, {}, None, 422)
    except DomainError:
        before = day - timedelta(days=1)
        said = f"there are no figures for {before.day} {before:%b %Y} to copy"
        return _scheme(page, code, {"date": said}, {"date": day.isoformat()}, None, 200)
    copied = {k: _text(v) for k, v in stored.items() if k != "narrative"}
    before = day - timedelta(days=1)
    message = (
        f"Filled in with the figures for {before.day} {before:%b %Y}. Check them, change "
        f"what differs, then save them for {day.day} {day:%b %Y}."
    )
    return _scheme(page, code, {}, {"date": day.isoformat(), **copied}, None, 200, note=message)


def _scheme(
    page: PageContext,
    code: str,
    errors: dict[str, str],
    values: dict[str, Any],
    message: str | None,
    status: int,
    confirm: list[tuple[str, str, str]] | None = None,
    note: str | None = None,
) -> HTMLResponse:
    request, session = page.request, page.session
    application, read, programme = page.application, page.read, page.programme
    try:
        scheme = listings.scheme(read, programme, code)
        facts = read.facts(programme)
    except DomainError as error:
        return render_page(
            request, "error.html", {"_session": session, "error": error.message}, 404
        )
    history, _ = newest_first(scheme_history(application, read, programme, code), None, 1, 10)
    reports = sorted(facts.schemes[code].daily.items(), reverse=True)
    user = session.user
    return render_page(
        request,
        "scheme.html",
        {
            "_session": session,
            "scheme": scheme,
            "provenance": scheme.provenance,
            "programme": programme,
            "history": history,
            "reports": reports[:60],
            "errors": errors,
            "values": values,
            "message": message,
            "can_report": permits(user, "report_daily", programme, code),
            "can_correct": permits(user, "correct_daily", programme, code),
            "confirm": confirm,
            "note": note,
            "beds": read.scheme_beds(programme, code),
            "figure_fields": [f for f in FIELDS if f.prompt],
            "clear_cells": FORM_CELLS,
        },
        status,
    )


def _note(request: Request, programme: str, values: dict[str, str]) -> str:
    """ "; changes the submitted M8 return …" when the day falls in a submitted month."""
    read = get_read_model(request)
    read.projector.run_once()
    note = submitted_note(read, programme, values.get("date", "")[:7])
    return f" ({note})" if note else ""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _stored_day(
    application: WinterApplication, programme: str, code: str, day: str
) -> dict[str, Any]:
    """The day's stored figures, flattened the way the form spells them."""
    report = application.get_daily_report(programme, code, date.fromisoformat(day))
    return to_cells(report.figures)


def _shown_day(read: ReadModel, programme: str, code: str, day: str) -> dict[str, Any]:
    """The day's figures as the views have them, flattened the way the form spells them."""
    return to_cells(listings.stored_day(read, programme, code, day))


def _from_form(values: dict[str, str]) -> dict[str, Any]:
    comment = {COMMENT: values[COMMENT]} if values.get(COMMENT, "").strip() else {}
    return {"date": values.get("date", ""), **from_cells(values), **comment}


def _merged(stored: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    """A correction changes only what the person changed: a blank field keeps the stored
    figure unless its "clear" box is ticked."""
    merged = dict(values)
    for name, old in stored.items():
        if not values.get(name) and f"clear_{name}" not in values:
            merged[name] = _text(old)
        if f"clear_{name}" in values:
            merged[name] = ""
    return merged


@router.post("/schemes/{code}/daily", response_class=HTMLResponse, response_model=None)
async def scheme_daily(request: Request, code: str, page: Page) -> Response:
    """A new day's figures, or (with a reason) a correction: first shown as old -> new per
    field, stored only when confirmed."""
    application, programme = page.application, page.programme
    form = await request.form()
    values = {k: v for k, v in uk_form(form).items() if k != "csrf"}
    user = page.session.user
    actor = web_actor(user.name, user.role, "web")
    reason = values.get("reason", "").strip()
    command = "correct_daily" if reason else "report_daily"
    key = values.get("idempotency_key") or None
    here = f"/schemes/{code}?programme={quote(programme)}"
    try:
        page.csrf(form)
        application.authorise(actor, command, programme, code)
        if not reason:
            receipt = application.run_command(
                ReportDaily(
                    actor=actor, programme=programme, scheme=code, figures=_from_form(values)
                ),
                idempotency_key=key,
            )
            note = _note(request, programme, values)
            said = (
                replayed(application, receipt)
                or f"Figures for {uk_date(values.get('date'))} saved{note}."
            )
            return redirect_done(request, here, {"message": said})
        stored = _stored_day(application, programme, code, values.get("date", ""))
        merged = _merged(stored, values)
        changes = [
            (name, _text(old), merged.get(name, ""))
            for name, old in stored.items()
            if _text(old) != merged.get(name, "")
        ]
        if values.get("confirm") != "yes":
            if not changes:  # the service refuses it too; say so before the review
                raise InputRefused("figures", "nothing changed: these are the figures stored")
            return _scheme(page, code, {}, merged, None, 200, changes)
        receipt = application.run_command(
            CorrectDaily(
                actor=actor,
                programme=programme,
                scheme=code,
                figures=_from_form(merged),
                reason=reason,
            ),
            idempotency_key=key,
        )
        said = "; ".join(f"{n} {o or '(none)'} → {v or '(none)'}" for n, o, v in changes)
        note = _note(request, programme, values)
        message = f"Correction for {uk_date(values.get('date'))} saved: {said}{note}"
        message = replayed(application, receipt) or message
        return redirect_done(request, here, {"message": message})
    except Forbidden as error:
        return _scheme(page, code, {"form": error.message}, {}, None, 403)
    except InputRefused as error:
        field = error.field.split(".")[0]
        return _scheme(page, code, {field: error.reason}, values, None, 422)
    except ValueError:
        refused = {"date": f"must be a real date, {DATE_EXAMPLE}"}
        return _scheme(page, code, refused, values, None, 422)
    except DomainError as error:
        return _scheme(page, code, {error.field or "form": error.message}, values, None, 409)
