"""Explain any number: the working behind a system total, a scheme's month and its spend."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import PageProgramme, Reads, Session, SignedIn
from api.web.common import PageGate, render_page
from capacity.errors import DomainError
from projections.explain import explain_delivery, explain_spend, explain_system
from projections.readmodel import ReadModel
from schemes.months import YearMonth
from schemes.rules import InputRefused

router = APIRouter(include_in_schema=False)


def _when(request: Request, read: ReadModel, month: str) -> tuple[YearMonth, date]:
    """The month asked for and the day to compute it as of (today unless ``as_of`` says)."""
    ym = YearMonth.parse(month)
    text = request.query_params.get("as_of")
    try:
        day = date.fromisoformat(text) if text else read.today()
    except ValueError:
        raise InputRefused("as_of", "must be a date, YYYY-MM-DD") from None
    return ym, day


def _working(
    request: Request,
    session: Session,
    read: ReadModel,
    programme: str,
    month: str,
    build: Any,
    template: str,
) -> Response:
    context: dict[str, Any] = {"_session": session, "programme": programme}
    try:
        ym, day = _when(request, read, month)
        facts = read.facts(programme)
        if not (YearMonth.of(facts.period_start) <= ym <= YearMonth.of(facts.period_end)):
            raise InputRefused("month", f"{ym} is outside the programme period")
        context["w"] = build(read, facts, ym, day)
    except InputRefused as error:
        context["error"] = f"{error.field}: {error.reason}"
        return render_page(request, "error.html", context, 422)
    except (DomainError, KeyError):
        context["error"] = "no such programme or scheme"
        return render_page(request, "error.html", context, 404)
    context["as_of"] = request.query_params.get("as_of", "")
    return render_page(request, template, context)


@router.get(
    "/explain/{month}",
    dependencies=[Depends(PageGate("read_dashboard"))],
    response_class=HTMLResponse,
    response_model=None,
)
def explain_total(
    request: Request,
    month: str,
    session: SignedIn,
    read: Reads,
    programme: PageProgramme,
) -> Response:
    return _working(
        request,
        session,
        read,
        programme,
        month,
        lambda read, p, ym, day: explain_system(p, ym, day, read.through(day)),
        "explain_system.html",
    )


@router.get(
    "/explain/{month}/schemes/{code}",
    dependencies=[Depends(PageGate("read_dashboard"))],
    response_class=HTMLResponse,
    response_model=None,
)
def explain_scheme(
    request: Request,
    month: str,
    code: str,
    session: SignedIn,
    read: Reads,
    programme: PageProgramme,
) -> Response:
    return _working(
        request,
        session,
        read,
        programme,
        month,
        lambda read, p, ym, day: explain_delivery(read.views, p, code, ym, day, read.through(day)),
        "explain_scheme.html",
    )


@router.get(
    "/explain/{month}/schemes/{code}/spend",
    dependencies=[Depends(PageGate("read_dashboard"))],
    response_class=HTMLResponse,
    response_model=None,
)
def explain_scheme_spend(
    request: Request,
    month: str,
    code: str,
    session: SignedIn,
    read: Reads,
    programme: PageProgramme,
) -> Response:
    return _working(
        request,
        session,
        read,
        programme,
        month,
        lambda read, p, ym, day: explain_spend(read.views, p, code, ym, day),
        "explain_spend.html",
    )
