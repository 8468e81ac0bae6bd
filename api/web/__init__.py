"""Server-rendered pages (jinja2), usable without JavaScript; every asset is served locally."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.web import admin_users, board_tasks, finance_ledger, finance_tasks, pages
from api.web.session import Sessions

HERE = Path(__file__).resolve().parent.parent


def install_web(app: FastAPI, secret_key: str) -> None:
    app.state.sessions = Sessions(secret_key)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(finance_tasks.router)
    app.include_router(finance_ledger.router)
    app.include_router(board_tasks.router)
    app.include_router(admin_users.router)

    @app.exception_handler(pages.LoginRequired)
    async def login_required(request: Request, _: pages.LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
