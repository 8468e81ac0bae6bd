"""What the pages need besides their routers: sessions, sign-in, the static files and the
answers to a reader who must sign in or may not see a page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.deps import LoginRequired
from api.web.common import PageRefused, render_page, templates
from api.web.oidc import OidcClient
from api.web.session import Sessions, safe_next
from capacity.signin import SignInService

HERE = Path(__file__).resolve().parent.parent


def install_web(
    app: FastAPI, secret_key: str, secure: bool = False, oidc: OidcClient | None = None
) -> None:
    """``secure``: served over HTTPS, so cookies are marked Secure; ``oidc``: sign-in with the
    organisation's identity provider."""
    app.state.sessions = Sessions(secret_key, secure)
    app.state.signin = SignInService(app.state.application)
    app.state.oidc = oidc
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    configured = getattr(app.state, "region", None)
    templates.env.globals["region_code"] = configured.code if configured else "Y61"

    @app.exception_handler(PageRefused)
    async def page_refused(request: Request, refused: PageRefused) -> Response:
        user = refused.session[0]
        if request.url.path == "/" and user.role == "region":  # a region user's home
            return RedirectResponse(f"/regions/{user.programme}", status_code=303)
        return render_page(
            request,
            "task_forbidden.html",
            {"_session": refused.session, "error": f"{refused.message} Nothing was shown."},
            403,
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> RedirectResponse:
        wanted = safe_next(request.url.path)
        return RedirectResponse(f"/login?next={quote(wanted)}", status_code=303)
