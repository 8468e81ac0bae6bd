"""People: revoking tokens, ending a user's sessions, and the sign-in audit (administrators)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.deps import AnyUser, Application, PageSize, Position, SignInReader, actor_of
from api.errors import ERROR_RESPONSES
from api.responses import Revoked, SessionsEnded, SignInRecord
from capacity.signin import SignInService

router = APIRouter(prefix="/api/v1", tags=["people"], responses=ERROR_RESPONSES)


class TokenRevocation(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class SessionsEnd(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/tokens/revoke", response_model=Revoked)
def revoke_token(body: TokenRevocation, user: AnyUser, application: Application) -> dict[str, Any]:
    """Revokes an API token at once, on every instance, with the web sessions opened with it."""
    receipt = application.revoke_token(actor_of(user), body.token, body.reason)
    return {"position": receipt.position}


@router.post("/users/{name}/end-sessions", response_model=SessionsEnded)
def end_sessions(name: str, body: SessionsEnd, user: AnyUser, request: Request) -> dict[str, str]:
    """Ends every web session of a user, on every instance."""
    signin: SignInService = request.app.state.signin
    signin.end_user_sessions(actor_of(user), name, body.reason)
    return {"status": "ended"}


@router.get("/sign-ins", response_model=list[SignInRecord])
def sign_ins(
    user: SignInReader,
    request: Request,
    after: Position = 0,
    limit: PageSize = 100,
) -> list[dict[str, Any]]:
    """Sign-ins, sign-outs, failed attempts, revoked tokens and ended sessions."""
    signin: SignInService = request.app.state.signin
    return signin.audit(actor_of(user), after, limit)
