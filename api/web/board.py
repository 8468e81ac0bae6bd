"""The board's dashboard, with its winters compared month by month and a picker between them."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.presenters import about_numbers
from api.web.chart import delivery_chart, winters_chart
from api.web.common import (
    PageGate,
    _page,
    _programme,
    _services,
    _user,
)
from capacity.errors import DomainError
from projections.readings import dashboard_reading
from projections.winters import compare_winters
from schemes.rules import InputRefused

router = APIRouter(include_in_schema=False)


@router.get(
    "/",
    dependencies=[Depends(PageGate("read_dashboard"))],
    response_class=HTMLResponse,
    response_model=None,
)
def dashboard(request: Request) -> Response:
    session = _user(request)
    if session[0].role == "region":  # a region user's home is their region
        return RedirectResponse(f"/regions/{session[0].programme}", status_code=303)
    _, read, _ = _services(request)
    programme = _programme(request, session[0])
    as_of_text = request.query_params.get("as_of")
    try:
        as_of = date.fromisoformat(as_of_text) if as_of_text else None
        reading = request.query_params.get("reading") or "figures_for"
        board = dashboard_reading(read, programme, as_of, reading)
        series = read.delivery_daily(programme, None, date.fromisoformat(board["as_of"]))
        winters = compare_winters(read, programme, as_of)
    except (DomainError, InputRefused, ValueError) as error:
        return _page(request, "error.html", {"_session": session, "error": str(error)}, 404)
    return _page(
        request,
        "dashboard.html",
        {
            "_session": session,
            "board": board,
            "chart": delivery_chart(series),
            "series": series,
            "programme": programme,
            "winters": winters,
            "winters_chart": winters_chart(winters),
        },
    )


@router.get(
    "/about/numbers",
    dependencies=[Depends(PageGate("read_programme"))],
    response_class=HTMLResponse,
    response_model=None,
)
def about_page(request: Request) -> Response:
    """How the target is built and where the catalogue departs from its source."""
    session = _user(request)
    application, _, _ = _services(request)
    programme = _programme(request, session[0])
    try:
        about = about_numbers(application, programme)
    except DomainError as error:
        return _page(request, "error.html", {"_session": session, "error": error.message}, 404)
    return _page(request, "about.html", {"_session": session, "about": about})
