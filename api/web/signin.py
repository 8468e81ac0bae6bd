"""Signing in with a token, and signing out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.common import client_address, render_page
from api.web.session import COOKIE, MAX_AGE, Sessions, safe_next
from capacity.errors import Unauthenticated
from capacity.signin import SignInService, TooManyAttempts

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    wanted = safe_next(request.query_params.get("next"))
    return render_page(request, "login.html", {"error": None, "next": wanted})


# The API's refusals name a bearer token; a person at the sign-in page pasted an access token.
SIGN_IN_WORDS = {
    "missing or malformed bearer token": "Enter your access token.",
    "unknown bearer token": (
        "That access token is not recognised: check it was copied whole, "
        "or ask your administrator for a new one."
    ),
    "this token has been revoked": (
        "That access token has been withdrawn: ask your administrator for a new one."
    ),
}


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    """Token sign-in (the demo, and people without an organisation account): the token is
    checked once and never stored in the cookie, which holds only a new session's id."""
    form = await request.form()
    token = str(form.get("token") or "").strip()
    signin: SignInService = request.app.state.signin
    target = safe_next(str(form.get("next") or "/"))
    try:
        session_id, _ = signin.with_token(token, client_address(request))
    except TooManyAttempts as error:
        context = {"error": str(error), "next": target}
        page = render_page(request, "login.html", context, status=429)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    except Unauthenticated as error:
        said = SIGN_IN_WORDS.get(error.message, error.message)
        return render_page(request, "login.html", {"error": said, "next": target}, status=401)
    return signed_in(request, session_id, target)


@router.get("/login/link/{secret}", response_class=HTMLResponse)
def link_form(request: Request, secret: str) -> HTMLResponse:
    """A one-time link opens a page with one button, and only pressing it spends the link: a
    mail scanner or a browser fetching the link ahead does not sign anyone in."""
    signin: SignInService = request.app.state.signin
    reason = signin.link_refused_because(secret)
    context = {"error": reason, "secret": None if reason else secret}
    return render_page(request, "login_link.html", context, status=401 if reason else 200)


@router.post("/login/link", response_model=None)
async def login_with_link(request: Request) -> Response:
    form = await request.form()
    secret = str(form.get("secret") or "").strip()
    signin: SignInService = request.app.state.signin
    try:
        session_id, _ = signin.with_link(secret, client_address(request))
    except TooManyAttempts as error:
        page = render_page(request, "login_link.html", {"error": str(error), "secret": None}, 429)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    except Unauthenticated as error:
        context = {"error": error.message, "secret": None}
        return render_page(request, "login_link.html", context, status=401)
    return signed_in(request, session_id, "/")


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
