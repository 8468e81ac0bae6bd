"""Typed dependencies: the application, the read side and the acting user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request

from api.observe import actor
from capacity.application import WinterApplication
from capacity.errors import Unauthenticated
from capacity.policy import refusal
from capacity.users import User
from capacity.values import Actor
from projections.freshness import freshness
from projections.readmodel import ReadModel


def get_application(request: Request) -> WinterApplication:
    application: WinterApplication = request.app.state.application
    return application


Application = Annotated[WinterApplication, Depends(get_application)]


def get_read_model(request: Request) -> ReadModel:
    """The read side, caught up with every write already acknowledged (read-your-writes)."""
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
