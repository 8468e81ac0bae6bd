"""The FastAPI application: routers, error handlers, health checks."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.requests import Request

from api.errors import install_error_handlers
from api.routes import programmes, reports, schemes, sites
from capacity.application import WinterApplication


def create_app(application: WinterApplication) -> FastAPI:
    app = FastAPI(
        title="Wintertrack",
        version="0.1.0",
        description="Winter capacity and flow tracker: beds-equivalent against the target, "
        "spend against allocation, and the monthly NHSE return.",
    )
    app.state.application = application
    install_error_handlers(app)

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
    def readyz() -> dict[str, Any]:
        head = application.max_position()
        return {"status": "ready", "store_position": head}

    for module in (programmes, schemes, reports, sites):
        app.include_router(module.router)
    return app
