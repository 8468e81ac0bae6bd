"""What every page shares: templates, the signed-in user, the programme, CSRF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.web.session import COOKIE, Sessions
from capacity.application import WinterApplication
from capacity.errors import DomainError, Unauthenticated
from capacity.signin import SignInService
from capacity.users import User
from projections.freshness import freshness
from projections.readmodel import ReadModel
from projections.return_cells import gbp_text
from projections.winters import default_programme
from schemes.rules import InputRefused

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
RAG_LABELS = {
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    "not_due": "Not due",
    "n/a": "n/a",
}
templates.env.globals["rag_labels"] = RAG_LABELS
templates.env.filters["gbp"] = gbp_text


def _plain_number(value: Decimal) -> str:
    """An exact decimal as people write it: 160, 9.1, 185.6 (never 1.6E+2)."""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


templates.env.filters["plain"] = _plain_number


def uk_date(value: date | str | None) -> str:
    """A date as NHS pages write it: 16 Jan 2023."""
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {day:%b %Y}"


templates.env.filters["ukdate"] = uk_date


class LoginRequired(Exception):
    """Raised by pages that need a signed-in user; answered with a redirect to /login."""


def _services(request: Request) -> tuple[WinterApplication, ReadModel, Sessions]:
    state = request.app.state
    read: ReadModel = state.read_model
    if state.catch_up:
        read.projector.run_once()
    request.state.as_at = freshness(read.projector)
    return state.application, read, state.sessions


def _user(request: Request) -> tuple[User, str]:
    """The signed-in user and their session id, checked against the store on every request."""
    signin: SignInService = request.app.state.signin
    cookie = request.cookies.get(COOKIE)
    try:
        return signin.user_of(cookie), str(cookie)
    except Unauthenticated:
        raise LoginRequired from None


def _programme(request: Request, user: User) -> str:
    """The programme asked for (``?programme=``), else the winter running today among those
    the user acts in (all of them when not bound to one), else their latest."""
    wanted = request.query_params.get("programme")
    if wanted:
        return wanted
    _, read, _ = _services(request)
    mine = list(getattr(user, "programmes", None) or ([user.programme] if user.programme else []))
    found = default_programme(read.views, read.today(), lambda code: not mine or code in mine)
    return found or user.programme or "QM7-2022-23"


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    user, cookie = context.pop("_session", (None, None))
    sessions: Sessions = request.app.state.sessions
    context.update(
        user=user,
        csrf=sessions.csrf_for(cookie) if cookie else "",
        rag_labels=RAG_LABELS,
        oidc=request.app.state.oidc is not None,
        as_at=getattr(request.state, "as_at", None),
        ready_max_lag=request.app.state.ready_max_lag,
        synthetic=_synthetic(request, context.get("programme")),
    )
    return templates.TemplateResponse(request, name, context, status_code=status)


def _synthetic(request: Request, programme: Any) -> bool:
    """Whether the page's programme holds the demo's generated figures (marked on every page)."""
    if not isinstance(programme, str) or not programme:
        return False
    read: ReadModel = request.app.state.read_model
    try:
        return read.facts(programme).synthetic
    except (DomainError, InputRefused):
        return False


def _csrf(request: Request, cookie: str, form: Any) -> None:
    sessions: Sessions = request.app.state.sessions
    if not sessions.csrf_ok(cookie, form.get("csrf")):
        raise InputRefused("csrf", "the form expired or came from elsewhere; reload and try again")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
