"""Typed dependencies: the application, the read side and the acting user, for the JSON API
and the pages alike (a page's user comes from its session cookie, an API caller's from a bearer
token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Header, Path, Query, Request

from api.observe import actor
from api.web.session import COOKIE, Sessions
from capacity.application import WinterApplication
from capacity.errors import Unauthenticated
from capacity.policy import refusal
from capacity.signin import SignInService
from capacity.users import User
from capacity.values import Actor
from projections.freshness import freshness
from projections.readmodel import ReadModel
from projections.winters import default_programme
from schemes.rules import InputRefused


def get_application(request: Request) -> WinterApplication:
    application: WinterApplication = request.app.state.application
    return application


Application = Annotated[WinterApplication, Depends(get_application)]


def get_read_model(request: Request) -> ReadModel:
    """The read side, caught up with every write already acknowledged (read-your-writes). The
    one catch-up before a read: the API's routes and the pages both come through here."""
    read: ReadModel = request.app.state.read_model
    if request.app.state.catch_up:
        read.projector.run_once()
    request.state.as_at = freshness(read.projector)
    return read


Reads = Annotated[ReadModel, Depends(get_read_model)]


def current_user(
    request: Request,
    application: Application,
    authorization: Annotated[str | None, Header()] = None,
) -> User:
    token = None
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    if not token:
        raise Unauthenticated("missing bearer token (Authorization: Bearer …)")
    return _authenticated(request, application, token)


def _authenticated(request: Request, application: WinterApplication, token: str) -> User:
    """Checks the token against the store on every request (the library fast-forwards cached
    aggregates from the store): a revoke is seen on the very next request, on every instance."""
    return application.authenticate(token)


CurrentUser = Annotated[User, Depends(current_user)]


class Allowed:
    """A read route's gate: the decision is the policy table's (``capacity/policy.py``), as it
    is for every write inside the application service. ``policy`` names the row, so the read
    matrix in ``docs/authorisation.md`` is generated from the routes themselves."""

    def __init__(self, policy: str, programme_param: str = "programme") -> None:
        self.policy = policy
        self.programme_param = programme_param

    def __call__(self, request: Request, user: CurrentUser) -> User:
        programme = request.path_params.get(self.programme_param)
        subject = request.path_params.get("scheme")
        refused = refusal(user.role, user, self.policy, programme, subject)
        if refused is not None:
            raise refused
        return user


def allowed(command: str) -> Allowed:
    return Allowed(command)


def actor_of(user: User, channel: str = "api") -> Actor:
    """The acting user, naming the request (``X-Request-ID``) in the events it stores."""
    return actor(user.name, user.role, channel)


# Every integer a client sends is bounded where it enters: a store position is a signed 64-bit
# integer, so a larger one would fail in the database driver rather than in validation.
MAX_POSITION = 2**63 - 1
MAX_REVISION = 1_000_000
Position = Annotated[int, Query(ge=0, le=MAX_POSITION, description="An event-log position")]
PageSize = Annotated[int, Query(ge=1, le=1000)]
Revision = Annotated[int, Path(ge=1, le=MAX_REVISION)]

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]

AnyUser = CurrentUser
EventLogReader = Annotated[User, Depends(allowed("read_event_log"))]
ReturnReader = Annotated[User, Depends(allowed("read_return"))]
ProgrammeReader = Annotated[User, Depends(allowed("read_programme"))]
DashboardReader = Annotated[User, Depends(allowed("read_dashboard"))]
HistoryReader = Annotated[User, Depends(allowed("read_history"))]
SignInReader = Annotated[User, Depends(allowed("read_sign_ins"))]
BoardPaperReader = Annotated[User, Depends(allowed("read_board_paper"))]


# --- pages -----------------------------------------------------------------------------------


class LoginRequired(Exception):
    """Raised by pages that need a signed-in user; answered with a redirect to /login."""


class Session(NamedTuple):
    """The signed-in user of a page and their session id (the cookie)."""

    user: User
    cookie: str


def get_sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


SessionStore = Annotated[Sessions, Depends(get_sessions)]


def get_signin(request: Request) -> SignInService:
    signin: SignInService = request.app.state.signin
    return signin


SignIns = Annotated[SignInService, Depends(get_signin)]


def signed_in(request: Request, signin: SignIns) -> Session:
    """The signed-in user and their session id, checked against the store on every request."""
    cookie = request.cookies.get(COOKIE)
    try:
        return Session(signin.user_of(cookie), str(cookie))
    except Unauthenticated:
        raise LoginRequired from None


SignedIn = Annotated[Session, Depends(signed_in)]


def session_user(session: SignedIn) -> User:
    return session.user


SessionUser = Annotated[User, Depends(session_user)]


def programme_of(request: Request, user: User) -> str:
    """The programme asked for (``?programme=``), else the winter running today among those
    the user acts in (all of them when not bound to one), else their latest."""
    wanted = request.query_params.get("programme")
    if wanted:
        return wanted
    read = get_read_model(request)
    mine = list(getattr(user, "programmes", None) or ([user.programme] if user.programme else []))
    found = default_programme(read.views, read.today(), lambda code: not mine or code in mine)
    return found or user.programme or "QM7-2022-23"


def page_programme(request: Request, user: SessionUser) -> str:
    return programme_of(request, user)


PageProgramme = Annotated[str, Depends(page_programme)]


class CsrfCheck:
    """A page's CSRF check, bound to its session: called with the posted form, inside the
    write's own error handling, so a stale form is refused in words on the form's page."""

    def __init__(self, sessions: Sessions, cookie: str) -> None:
        self.sessions = sessions
        self.cookie = cookie

    def __call__(self, form: Any) -> None:
        if not self.sessions.csrf_ok(self.cookie, form.get("csrf")):
            raise InputRefused(
                "csrf", "the form expired or came from elsewhere; reload and try again"
            )


def csrf_check(session: SignedIn, sessions: SessionStore) -> CsrfCheck:
    return CsrfCheck(sessions, session.cookie)


Csrf = Annotated[CsrfCheck, Depends(csrf_check)]


@dataclass(frozen=True)
class PageContext:
    """What a task page is handed: the request, the signed-in session, the programme, the
    services and the CSRF check."""

    request: Request
    session: Session
    programme: str
    application: WinterApplication
    read: ReadModel
    csrf: CsrfCheck


def page_context(
    request: Request,
    session: SignedIn,
    programme: PageProgramme,
    application: Application,
    read: Reads,
    csrf: Csrf,
) -> PageContext:
    return PageContext(request, session, programme, application, read, csrf)


Page = Annotated[PageContext, Depends(page_context)]
