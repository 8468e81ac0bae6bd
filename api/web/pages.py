"""The pages: login, the board's dashboard, a scheme's entry form and history, the return."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.routes.schemes import scheme_history
from api.web.chart import delivery_chart
from api.web.session import COOKIE, Sessions
from capacity.application import WinterApplication
from capacity.errors import DomainError, Unauthenticated
from capacity.users import User
from capacity.values import Actor
from projections.exports import to_csv, to_xlsx
from projections.readmodel import ReadModel
from projections.submission import diff_since_latest, submit
from schemes.rules import InputRefused

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
RAG_LABELS = {
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    "not_due": "Not due",
    "n/a": "n/a",
}
templates.env.globals["rag_labels"] = RAG_LABELS


class LoginRequired(Exception):
    """Raised by pages that need a signed-in user; answered with a redirect to /login."""


def _services(request: Request) -> tuple[WinterApplication, ReadModel, Sessions]:
    state = request.app.state
    read: ReadModel = state.read_model
    read.projector.run_once()
    return state.application, read, state.sessions


def _user(request: Request) -> tuple[User, str]:
    application, _, sessions = _services(request)
    cookie = request.cookies.get(COOKIE)
    token = sessions.token_from(cookie)
    if token is None or cookie is None:
        raise LoginRequired
    try:
        return application.authenticate(token), cookie
    except Unauthenticated:
        raise LoginRequired from None


def _programme(request: Request, user: User) -> str:
    wanted = request.query_params.get("programme") or user.programme
    if wanted:
        return wanted
    _, read, _ = _services(request)
    rows = read.views.query("SELECT code FROM v_programme WHERE superseded_at IS NULL")
    return str(rows[0][0]) if rows else "QM7-2022-23"


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    user, cookie = context.pop("_session", (None, None))
    sessions: Sessions = request.app.state.sessions
    context.update(
        user=user,
        csrf=sessions.csrf_for(cookie) if cookie else "",
        rag_labels=RAG_LABELS,
    )
    return templates.TemplateResponse(request, name, context, status_code=status)


def _csrf(request: Request, cookie: str, form: Any) -> None:
    sessions: Sessions = request.app.state.sessions
    if not sessions.csrf_ok(cookie, form.get("csrf")):
        raise InputRefused("csrf", "the form expired or came from elsewhere; reload and try again")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _page(request, "login.html", {"error": None, "next": request.query_params.get("next")})


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    form = await request.form()
    token = str(form.get("token") or "").strip()
    application, _, sessions = _services(request)
    try:
        application.authenticate(token)
    except Unauthenticated as error:
        return _page(request, "login.html", {"error": error.message, "next": None}, status=401)
    target = str(form.get("next") or "/")
    response = RedirectResponse(target if target.startswith("/") else "/", status_code=303)
    response.set_cookie(
        COOKIE, sessions.cookie_for(token), httponly=True, samesite="strict", max_age=43200
    )
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_class=HTMLResponse, response_model=None)
def dashboard(request: Request) -> Response:
    session = _user(request)
    _, read, _ = _services(request)
    programme = _programme(request, session[0])
    as_of_text = request.query_params.get("as_of")
    try:
        as_of = date.fromisoformat(as_of_text) if as_of_text else None
        board = read.dashboard(programme, as_of)
        series = read.delivery_daily(programme, None, date.fromisoformat(board["as_of"]))
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
        },
    )


@router.get("/schemes/{code}", response_class=HTMLResponse, response_model=None)
def scheme_page(request: Request, code: str) -> Response:
    session = _user(request)
    return _scheme(request, session, code, {}, {}, None, 200)


def _scheme(
    request: Request,
    session: tuple[User, str],
    code: str,
    errors: dict[str, str],
    values: dict[str, Any],
    message: str | None,
    status: int,
) -> HTMLResponse:
    application, read, _ = _services(request)
    programme = _programme(request, session[0])
    try:
        scheme = application.get_scheme(programme, code)
        facts = read.facts(programme)
    except DomainError as error:
        return _page(request, "error.html", {"_session": session, "error": error.message}, 404)
    history = scheme_history(application, read, programme, code)
    reports = sorted(facts.schemes[code].daily.items(), reverse=True)
    return _page(
        request,
        "scheme.html",
        {
            "_session": session,
            "scheme": scheme,
            "programme": programme,
            "history": history,
            "reports": reports[:60],
            "errors": errors,
            "values": values,
            "message": message,
        },
        status,
    )


FORM_FIELDS = (
    "beds_equivalent",
    "beds_occupied",
    "patients_supported",
    "hours_delivered",
    "narrative",
)


@router.post("/schemes/{code}/daily", response_class=HTMLResponse, response_model=None)
async def scheme_daily(request: Request, code: str) -> Response:
    session = _user(request)
    application, _, _ = _services(request)
    programme = _programme(request, session[0])
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "csrf"}
    raw: dict[str, Any] = {"date": values.get("date", "")}
    for name in FORM_FIELDS:
        raw[name] = values.get(name) or None
    discharges = {p: values.get(f"discharges_{p}") for p in ("p0", "p1", "p2", "p3")}
    raw["discharges"] = {p: v for p, v in discharges.items() if v} or None
    user, cookie = session
    actor = Actor(user.name, user.role, "web")
    reason = values.get("reason", "").strip()
    try:
        _csrf(request, cookie, form)
        if reason:
            application.correct_daily(actor, programme, code, raw, reason)
            message = f"Correction for {raw['date']} saved."
        else:
            application.report_daily(actor, programme, code, raw)
            message = f"Figures for {raw['date']} saved."
    except InputRefused as error:
        field = error.field.split(".")[0]
        return _scheme(request, session, code, {field: error.reason}, values, None, 422)
    except DomainError as error:
        status = 403 if "may not" in error.message else 409
        return _scheme(
            request, session, code, {error.field or "form": error.message}, values, None, status
        )
    return _scheme(request, session, code, {}, {}, message, 200)


@router.get("/returns/{month}", response_class=HTMLResponse, response_model=None)
def return_page(request: Request, month: str) -> Response:
    session = _user(request)
    return _return(request, session, month, None)


def _return(
    request: Request, session: tuple[User, str], month: str, message: str | None
) -> HTMLResponse:
    _, read, _ = _services(request)
    programme = _programme(request, session[0])
    try:
        report = read.monthly_return(programme, month)
        submissions = read.submissions(programme, month)
        changes = diff_since_latest(read, programme, month)["changes"]
    except (DomainError, InputRefused) as error:
        return _page(request, "error.html", {"_session": session, "error": str(error)}, 404)
    return _page(
        request,
        "return.html",
        {
            "_session": session,
            "report": report,
            "submissions": submissions,
            "changes": changes,
            "programme": programme,
            "month": month,
            "message": message,
        },
    )


@router.get("/returns/{month}/download.{fmt}", response_model=None)
def download(request: Request, month: str, fmt: str) -> Response:
    session = _user(request)
    _, read, _ = _services(request)
    programme = _programme(request, session[0])
    if fmt not in ("csv", "xlsx"):
        return Response("unknown format", status_code=404)
    try:
        report = read.monthly_return(programme, month)
    except (DomainError, InputRefused) as error:
        return Response(str(error), status_code=404)
    name = f"{programme}-{month}-return.{fmt}"
    if fmt == "csv":
        body: str | bytes = to_csv(report)
        media = "text/csv; charset=utf-8"
    else:
        body = to_xlsx(report)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/returns/{month}/submit", response_class=HTMLResponse, response_model=None)
async def submit_page(request: Request, month: str) -> Response:
    session = _user(request)
    user, cookie = session
    form = await request.form()
    application, read, _ = _services(request)
    programme = _programme(request, user)
    try:
        _csrf(request, cookie, form)
        if user.role not in ("finance", "admin"):
            raise InputRefused("role", "only finance submits the return")
        _, revision, position, sha = submit(
            application,
            read,
            Actor(user.name, user.role, "web"),
            programme,
            month,
            str(form.get("reason") or ""),
        )
    except (DomainError, InputRefused) as error:
        return _return(request, session, month, f"Not submitted: {error}")
    return _return(
        request,
        session,
        month,
        f"Submitted revision {revision} (computed at position {position}, SHA-256 {sha[:12]}…)",
    )
