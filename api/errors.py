"""One place that maps domain errors to HTTP status codes, with ``{"detail": …}`` bodies."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from capacity.errors import (
    Conflict,
    DomainError,
    Forbidden,
    LooksWrong,
    NotFound,
    Unauthenticated,
)
from schemes.rules import InputRefused

log = logging.getLogger("wintertrack.api")

STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
)


class ErrorBody(BaseModel):
    detail: Any


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No bearer token, or an unknown or revoked one"},
    403: {"model": ErrorBody, "description": "Wrong role, or someone else's scheme"},
    404: {"model": ErrorBody, "description": "Unknown programme, scheme, site or report"},
    409: {
        "model": ErrorBody,
        "description": "Duplicate, changed meanwhile, or figures that look wrong and need a "
        "confirm_comment (the detail names that field)",
    },
    413: {"model": ErrorBody, "description": "The request body is over the limit"},
    415: {"model": ErrorBody, "description": "A body that is not application/json"},
    422: {"model": ErrorBody, "description": "Invalid input: names the field and the reason"},
}


def field_error(field: str, reason: str, where: str = "body") -> list[dict[str, object]]:
    """Shaped like FastAPI's own validation errors, so clients read one format for every 422."""
    return [{"loc": [where, *field.split(".")], "msg": reason, "type": "value_error"}]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputRefused)
    async def refused(_: Request, error: InputRefused) -> JSONResponse:
        return JSONResponse(
            status_code=422, content={"detail": field_error(error.field, error.reason)}
        )

    @app.exception_handler(DomainError)
    async def domain(_: Request, error: DomainError) -> JSONResponse:
        if isinstance(error, LooksWrong):  # names the field to send the confirming comment in
            detail = field_error(error.field or "confirm_comment", error.message)
            return JSONResponse(status_code=409, content={"detail": detail})
        for kind, status in STATUS:
            if isinstance(error, kind):
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                return JSONResponse(
                    status_code=status, content={"detail": error.message}, headers=headers
                )
        log.warning("unmapped domain error: %s", error)
        return JSONResponse(status_code=422, content={"detail": error.message})
