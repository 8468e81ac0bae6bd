"""Server-rendered pages (jinja2), usable without JavaScript; every asset is served locally."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.web import (
    admin_users,
    board_papers,
    board_tasks,
    explain,
    finance_ledger,
    finance_tasks,
    history,
    lead_kpis,
    lead_tasks,
    lead_upload,
    pages,
    region,
    signin_oidc,
    site_flow,
)
from api.web.common import PageRefused, _page, templates
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
    app.include_router(pages.router)
    app.include_router(signin_oidc.router)
    app.include_router(finance_tasks.router)
    app.include_router(finance_ledger.router)
    app.include_router(board_tasks.router)
    app.include_router(board_papers.router)
    app.include_router(admin_users.router)
    app.include_router(lead_tasks.router)
    app.include_router(lead_upload.router)
    app.include_router(site_flow.router)
    app.include_router(lead_kpis.router)
    app.include_router(history.router)
    app.include_router(explain.router)
    app.include_router(region.router)
    configured = getattr(app.state, "region", None)
    templates.env.globals["region_code"] = configured.code if configured else "Y61"

    @app.exception_handler(PageRefused)
    async def page_refused(request: Request, refused: PageRefused) -> Response:
        user = refused.session[0]
        if request.url.path == "/" and user.role == "region":  # a region user's home
            return RedirectResponse(f"/regions/{user.programme}", status_code=303)
        return _page(
            request,
            "task_forbidden.html",
            {"_session": refused.session, "error": f"{refused.message} Nothing was shown."},
            403,
        )

    @app.exception_handler(pages.LoginRequired)
    async def login_required(request: Request, _: pages.LoginRequired) -> RedirectResponse:
        wanted = safe_next(request.url.path)
        return RedirectResponse(f"/login?next={quote(wanted)}", status_code=303)
