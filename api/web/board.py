"""The board's dashboard, with its winters compared month by month and a picker between them."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import (
    PageProgramme,
    Reads,
    Session,
    SignedIn,
    get_read_model,
    programme_of,
)
from api.presenters import about_numbers
from api.web.board_papers import paper_links
from api.web.chart import delivery_chart, winters_chart
from api.web.common import PageGate, render_page
from api.web.home import finance_page, lead_page
from capacity.errors import DomainError
from projections.readings import dashboard_reading
from projections.readmodel import ReadModel
from projections.reminders import reminded_schemes, reminders_sent
from projections.winters import compare_winters
from schemes.rules import InputRefused, parse_date

router = APIRouter(include_in_schema=False)


@router.get(
    "/",
    dependencies=[Depends(PageGate("read_dashboard"))],
    response_class=HTMLResponse,
    response_model=None,
)
def home(request: Request, session: SignedIn) -> Response:
    """Each role lands on its own work: the board on the dashboard, a lead on their schemes,
    finance on the month due, an administrator on the users (on a region's server, the
    region's tracker)."""
    role = session.user.role
    if role == "admin":
        region = request.app.state.region
        where = f"/regions/{region.code}" if region is not None else "/admin/users"
        return RedirectResponse(where, status_code=303)
    read, programme = _reading(request, session)
    if role == "lead":
        return lead_page(request, session, read, programme)
    if role == "finance":
        return finance_page(request, session, read, programme)
    return _dashboard(request, session, read, programme)


@router.get(
    "/dashboard",
    dependencies=[Depends(PageGate("read_dashboard"))],
    response_class=HTMLResponse,
    response_model=None,
)
def dashboard(request: Request, session: SignedIn) -> Response:
    if session.user.role == "region":  # a region user reads their region only
        return RedirectResponse(f"/regions/{session.user.programme}", status_code=303)
    return _dashboard(request, session, *_reading(request, session))


def _reading(request: Request, session: Session) -> tuple[ReadModel, str]:
    """The read side and the programme, asked for only once the page is not a redirect: a
    redirect reads nothing, so its answer carries no as-at."""
    return get_read_model(request), programme_of(request, session.user)


def _dashboard(request: Request, session: Session, read: ReadModel, programme: str) -> Response:
    as_of_text = request.query_params.get("as_of")
    try:
        as_of = parse_date("as_of", as_of_text) if as_of_text else None
        reading = request.query_params.get("reading") or "figures_for"
        board = dashboard_reading(read, programme, as_of, reading)
        series = read.delivery_daily(programme, None, date.fromisoformat(board.as_of))
        winters = compare_winters(read, programme, as_of)
        reported_day = date.fromisoformat(board.as_of) - timedelta(days=1)
        reminders = reminded_schemes(reminders_sent(read.views, programme, reported_day))
    except (DomainError, InputRefused, ValueError) as error:
        return render_page(request, "error.html", {"_session": session, "error": str(error)}, 404)
    return render_page(
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
            "papers": paper_links(read, session.user, programme, board.headline.month),
            "reminders": reminders,
        },
    )


@router.get(
    "/about/numbers",
    dependencies=[Depends(PageGate("read_programme"))],
    response_class=HTMLResponse,
    response_model=None,
)
def about_page(
    request: Request, session: SignedIn, read: Reads, programme: PageProgramme
) -> Response:
    """How the target is built and where the catalogue departs from its source."""
    try:
        about = about_numbers(read, programme)
    except DomainError as error:
        return render_page(
            request, "error.html", {"_session": session, "error": error.message}, 404
        )
    return render_page(request, "about.html", {"_session": session, "about": about})
