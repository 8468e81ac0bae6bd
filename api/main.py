"""The FastAPI application: routers, error handlers, health checks, the views follower."""

from __future__ import annotations

import queue
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.requests import Request

from api import limits
from api.errors import install_error_handlers
from api.metrics import Metrics
from api.observe import Observed
from api.responses import Health, Readiness
from api.routers import ROUTERS
from api.security import SecurityHeaders
from api.web.install import install_web
from api.web.oidc import OidcClient
from capacity.application import WinterApplication
from projections.queries.programmes import programme_codes
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
    metrics: bool = False,
    catch_up: bool = True,
    ready_max_lag: int = 1000,
) -> FastAPI:
    """``public_url``: where people reach the service; https makes cookies Secure and adds
    HSTS; ``region``: the region this instance serves (built-in regions are known anyway).
    ``metrics`` serves ``GET /metrics``. ``catch_up``: reads first apply what the log holds
    beyond the views (read-your-writes); off when a separate ``wintertrack project`` keeps
    them. ``/readyz`` answers 503 while the views are more than ``ready_max_lag`` events
    behind."""
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
            changed.put(programme_codes(read_model.views))
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
    app.state.catch_up = catch_up
    app.state.ready_max_lag = ready_max_lag
    observed = Metrics(read_model.projector) if metrics else None
    install_error_handlers(app)
    limits.install(app)
    app.add_middleware(SecurityHeaders, https=https)
    app.add_middleware(Observed, metrics=observed)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        detail = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.get("/healthz", tags=["health"], response_model=Health)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], response_model=Readiness)
    def readyz() -> JSONResponse:
        try:
            head = application.max_position()
            views = read_model.head()
        except Exception as error:
            return JSONResponse(
                status_code=503, content={"status": "unavailable", "detail": str(error)}
            )
        lag = max(head - views, 0)
        status = "ready" if warmed.is_set() else "warming"
        if lag > ready_max_lag:
            status = "behind"
        body: dict[str, Any] = {
            "status": status,
            "store_position": head,
            "views_position": views,
            "projection_lag": lag,
            "max_lag": ready_max_lag,
        }
        return JSONResponse(body, status_code=200 if status == "ready" else 503)

    if observed is not None:

        @app.get("/metrics", tags=["health"], include_in_schema=False)
        def prometheus() -> Response:
            body, content_type = observed.exposition()
            return Response(body, media_type=content_type)

    install_web(app, secret_key, secure=https, oidc=oidc)
    for router in ROUTERS:
        app.include_router(router)
    if observed is not None:
        app.state.signin.on_failure = observed.sign_in_failed
    return app
