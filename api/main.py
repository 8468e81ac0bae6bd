"""The FastAPI application: routers, error handlers, health checks, the views follower."""

from __future__ import annotations

import queue
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.requests import Request

from api import limits
from api.errors import install_error_handlers
from api.routes import (
    board,
    events,
    explain,
    people,
    programmes,
    regions,
    reports,
    returns,
    schemes,
    sites,
)
from api.security import SecurityHeaders
from api.web import install_web
from api.web.oidc import OidcClient
from capacity.application import WinterApplication
from projections.readmodel import ReadModel
from schemes.regions import Region


def _warm(
    read_model: ReadModel,
    changed: queue.Queue[list[str]],
    stop: threading.Event,
    warmed: threading.Event,
) -> None:
    """Recomputes the dashboards and returns of programmes whose facts changed, off the
    request path, so the board never waits for them."""
    while not stop.is_set():
        try:
            programmes = set(changed.get(timeout=0.5))
        except queue.Empty:
            continue
        while not changed.empty():
            programmes |= set(changed.get_nowait())
        try:
            read_model.warm(sorted(programmes))
        except Exception:  # warming is an optimisation: reads compute on demand anyway
            continue
        finally:
            warmed.set()


def create_app(
    application: WinterApplication,
    read_model: ReadModel,
    secret_key: str,
    follow: bool = True,
    public_url: str | None = None,
    oidc: OidcClient | None = None,
    region: Region | None = None,
) -> FastAPI:
    """``public_url``: where people reach the service; https makes cookies Secure and adds
    HSTS; ``region``: the region this instance serves (built-in regions are known anyway)."""
    https = bool(public_url and public_url.lower().startswith("https://"))
    stop = threading.Event()
    warmed = threading.Event()  # set once the dashboards have been computed after start-up
    if not follow:
        warmed.set()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        threads: list[threading.Thread] = []
        if follow:
            changed: queue.Queue[list[str]] = queue.Queue()
            read_model.projector.on_advance = changed.put
            threads = [
                threading.Thread(
                    target=read_model.projector.follow, args=(stop,), daemon=True, name="views"
                ),
                threading.Thread(
                    target=_warm, args=(read_model, changed, stop, warmed), daemon=True, name="warm"
                ),
            ]
            changed.put(
                [
                    row[0]
                    for row in read_model.views.query(
                        "SELECT code FROM v_programme WHERE superseded_at IS NULL"
                    )
                ]
            )
            for thread in threads:
                thread.start()
        yield
        stop.set()
        for thread in threads:
            thread.join(timeout=5)

    app = FastAPI(
        title="Wintertrack",
        version="0.1.0",
        description="Winter capacity and flow tracker: beds-equivalent against the target, "
        "spend against allocation, and the monthly NHSE return.",
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load their scripts from a CDN: not here
        redoc_url=None,
    )
    app.state.application = application
    app.state.read_model = read_model
    app.state.region = region
    install_error_handlers(app)
    limits.install(app)
    app.add_middleware(SecurityHeaders, https=https)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        detail = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        try:
            head = application.max_position()
            views = read_model.head()
        except Exception as error:
            return JSONResponse(
                status_code=503, content={"status": "unavailable", "detail": str(error)}
            )
        body: dict[str, Any] = {
            "status": "ready" if warmed.is_set() else "warming",
            "store_position": head,
            "views_position": views,
            "projection_lag": head - views,
        }
        return JSONResponse(body, status_code=200 if warmed.is_set() else 503)

    routers = (programmes, schemes, reports, sites, board, explain, returns, events, people)
    for module in (*routers, regions):
        app.include_router(module.router)
    install_web(app, secret_key, secure=https, oidc=oidc)
    return app
