"""The pages of sign-in with the organisation's account (see ``api/web/oidc.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.web.common import client_address, render_page
from api.web.oidc import PENDING, PENDING_MAX_AGE, OidcClient, SignInRefused
from api.web.session import Sessions, safe_next
from api.web.signin import signed_in
from capacity.errors import Unauthenticated
from capacity.signin import SignInService, TooManyAttempts

router = APIRouter(include_in_schema=False)


def _client(request: Request) -> OidcClient | None:
    client: OidcClient | None = request.app.state.oidc
    return client


def _callback_url(request: Request) -> str:
    return str(request.url_for("oidc_callback"))


@router.get("/login/oidc", response_model=None)
def oidc_start(request: Request) -> Response:
    client = _client(request)
    if client is None:
        return render_page(
            request, "error.html", {"error": "organisation sign-in is not set up"}, 404
        )
    target = safe_next(request.query_params.get("next"))
    url, pending = client.start(_callback_url(request), target)
    response = RedirectResponse(url, status_code=303)
    sessions: Sessions = request.app.state.sessions
    response.set_cookie(
        PENDING,
        pending,
        max_age=PENDING_MAX_AGE,
        httponly=True,
        samesite="lax",  # the provider sends the person back with a top-level GET
        secure=sessions.secure,
    )
    return response


@router.get("/login/oidc/callback", name="oidc_callback", response_model=None)
def oidc_callback(request: Request) -> Response:
    client = _client(request)
    if client is None:
        return render_page(
            request, "error.html", {"error": "organisation sign-in is not set up"}, 404
        )
    signin: SignInService = request.app.state.signin
    params = request.query_params
    try:
        email, target = client.finish(
            request.cookies.get(PENDING),
            params.get("state", ""),
            params.get("code", ""),
            _callback_url(request),
        )
        session_id, _ = signin.with_identity(email, client_address(request))
    except SignInRefused as error:
        signin.record_failure(client_address(request), "oidc", str(error))
        return _refused(request, str(error), 400)
    except TooManyAttempts as error:
        refused = _refused(request, str(error), 429)
        refused.headers["Retry-After"] = str(error.retry_after)
        return refused
    except Unauthenticated as error:
        return _refused(
            request, f"{error.message}. Ask your Wintertrack administrator to add you.", 403
        )
    response = signed_in(request, session_id, target)
    response.delete_cookie(PENDING)
    return response


def _refused(request: Request, reason: str, status: int) -> Response:
    page = render_page(request, "signin_refused.html", {"reason": reason}, status)
    page.delete_cookie(PENDING)
    return page
