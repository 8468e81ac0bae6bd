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
from api.web.session import COOKIE, MAX_AGE, Sessions, safe_next
from capacity.application import WinterApplication
from capacity.errors import DomainError, Forbidden, Unauthenticated
from capacity.policy import permits
from capacity.signin import SignInService, TooManyAttempts
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
    """The signed-in user and their session id, checked against the store on every request."""
    signin: SignInService = request.app.state.signin
    cookie = request.cookies.get(COOKIE)
    try:
        return signin.user_of(cookie), str(cookie)
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
        oidc=request.app.state.oidc is not None,
    )
    return templates.TemplateResponse(request, name, context, status_code=status)


def _csrf(request: Request, cookie: str, form: Any) -> None:
    sessions: Sessions = request.app.state.sessions
    if not sessions.csrf_ok(cookie, form.get("csrf")):
        raise InputRefused("csrf", "the form expired or came from elsewhere; reload and try again")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    wanted = safe_next(request.query_params.get("next"))
    return _page(request, "login.html", {"error": None, "next": wanted})


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    """Token sign-in (the demo, and people without an organisation account): the token is
    checked once and never stored in the cookie, which holds only a new session's id."""
    form = await request.form()
    token = str(form.get("token") or "").strip()
    signin: SignInService = request.app.state.signin
    target = safe_next(str(form.get("next") or "/"))
    try:
        session_id, _ = signin.with_token(token, _address(request))
    except TooManyAttempts as error:
        context = {"error": str(error), "next": target}
        page = _page(request, "login.html", context, status=429)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    except Unauthenticated as error:
        return _page(request, "login.html", {"error": error.message, "next": target}, status=401)
    return signed_in(request, session_id, target)


def signed_in(request: Request, session_id: str, target: str) -> RedirectResponse:
    sessions: Sessions = request.app.state.sessions
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="strict" if not sessions.secure else "lax",
        secure=sessions.secure,
        max_age=MAX_AGE,
    )
    return response


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    """Ends the session on the server, not only in this browser."""
    signin: SignInService = request.app.state.signin
    signin.sign_out(request.cookies.get(COOKIE))
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
    """A scheme's figures and history; its lead also gets the entry form, and with
    ``?correct=YYYY-MM-DD`` the form starts from that day's stored figures."""
    session = _user(request)
    day = request.query_params.get("correct")
    if not day:
        return _scheme(request, session, code, {}, {}, None, 200)
    application, _, _ = _services(request)
    programme = _programme(request, session[0])
    try:
        stored = _stored_day(application, programme, code, day)
    except (DomainError, InputRefused, ValueError) as error:
        return _scheme(request, session, code, {"date": str(error)}, {"date": day}, None, 404)
    values = {"date": day, **{k: _text(v) for k, v in stored.items()}}
    return _scheme(request, session, code, {}, values, None, 200)


def _scheme(
    request: Request,
    session: tuple[User, str],
    code: str,
    errors: dict[str, str],
    values: dict[str, Any],
    message: str | None,
    status: int,
    confirm: list[tuple[str, str, str]] | None = None,
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
    user = session[0]
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
            "can_report": permits(user, "report_daily", programme, code),
            "can_correct": permits(user, "correct_daily", programme, code),
            "confirm": confirm,
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


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _stored_day(
    application: WinterApplication, programme: str, code: str, day: str
) -> dict[str, Any]:
    """The day's stored figures, flattened the way the form spells them."""
    report = application.get_daily_report(programme, code, date.fromisoformat(day))
    figures = dict(report.figures)
    flat = {name: figures.get(name) for name in FORM_FIELDS}
    for p, value in (figures.get("discharges") or {}).items():
        flat[f"discharges_{p}"] = value
    return flat


def _from_form(values: dict[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {"date": values.get("date", "")}
    for name in FORM_FIELDS:
        raw[name] = values.get(name) or None
    discharges = {p: values.get(f"discharges_{p}") for p in ("p0", "p1", "p2", "p3")}
    raw["discharges"] = {p: v for p, v in discharges.items() if v} or None
    return raw


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
async def scheme_daily(request: Request, code: str) -> Response:
    """A new day's figures, or (with a reason) a correction: first shown as old -> new per
    field, stored only when confirmed."""
    session = _user(request)
    application, _, _ = _services(request)
    programme = _programme(request, session[0])
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "csrf"}
    user, cookie = session
    actor = Actor(user.name, user.role, "web")
    reason = values.get("reason", "").strip()
    command = "correct_daily" if reason else "report_daily"
    try:
        _csrf(request, cookie, form)
        application.authorise(actor, command, programme, code)
        if not reason:
            application.report_daily(actor, programme, code, _from_form(values))
            return _scheme(
                request, session, code, {}, {}, f"Figures for {values.get('date')} saved.", 200
            )
        stored = _stored_day(application, programme, code, values.get("date", ""))
        merged = _merged(stored, values)
        changes = [
            (name, _text(old), merged.get(name, ""))
            for name, old in stored.items()
            if _text(old) != merged.get(name, "")
        ]
        if values.get("confirm") != "yes":
            return _scheme(request, session, code, {}, merged, None, 200, changes)
        application.correct_daily(actor, programme, code, _from_form(merged), reason)
        said = "; ".join(f"{n} {o or '(none)'} → {v or '(none)'}" for n, o, v in changes)
        message = f"Correction for {values.get('date')} saved: {said or 'no figure changed'}"
    except Forbidden as error:
        return _scheme(request, session, code, {"form": error.message}, {}, None, 403)
    except InputRefused as error:
        field = error.field.split(".")[0]
        return _scheme(request, session, code, {field: error.reason}, values, None, 422)
    except ValueError:
        return _scheme(request, session, code, {"date": "must be a date"}, values, None, 422)
    except DomainError as error:
        return _scheme(
            request, session, code, {error.field or "form": error.message}, values, None, 409
        )
    return _scheme(request, session, code, {}, {}, message, 200)


@router.get("/returns/{month}", response_class=HTMLResponse, response_model=None)
def return_page(request: Request, month: str) -> Response:
    session = _user(request)
    return _return(request, session, month, None)


def _return(
    request: Request,
    session: tuple[User, str],
    month: str,
    message: str | None,
    status: int = 200,
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
            "can_submit": permits(session[0], "submit_return", programme),
        },
        status,
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
        actor = Actor(user.name, user.role, "web")
        application.authorise(actor, "submit_return", programme)
        _, revision, position, sha = submit(
            application,
            read,
            actor,
            programme,
            month,
            str(form.get("reason") or ""),
        )
    except Forbidden as error:
        return _return(request, session, month, f"Not submitted: {error}", 403)
    except (DomainError, InputRefused) as error:
        return _return(request, session, month, f"Not submitted: {error}")
    return _return(
        request,
        session,
        month,
        f"Submitted revision {revision} (computed at position {position}, SHA-256 {sha[:12]}…)",
    )
