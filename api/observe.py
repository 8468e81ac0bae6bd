"""Every request observed: an id (``X-Request-ID``, a sane client-supplied one kept), one JSON
log line, request counts and latency by route template and status, and the views' freshness
(``X-Wintertrack-As-At``) on responses that read them.

The request id is also carried into the events the request stores: the actor of every command
built from a request (``actor``) names it, so a stored event leads back to its log line.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from capacity.values import Actor
from projections.freshness import Freshness

log = logging.getLogger("wintertrack.http")
REQUEST_ID: ContextVar[str | None] = ContextVar("wintertrack_request_id", default=None)
SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,99}$")


def request_id_from(supplied: str | None) -> str:
    """The client's id when it is short plain text (a proxy's or a caller's trace id), else a
    fresh one: ids go into logs and stored events, so nothing else is accepted."""
    if supplied and SANE_ID.match(supplied):
        return supplied
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return REQUEST_ID.get()


def actor(name: str, role: str, channel: str = "api") -> Actor:
    """The actor of a command made by this request, carrying its request id."""
    return Actor(name, role, channel, request_id=current_request_id())


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/api/v1/programmes/{programme}/dashboard``), so
    metrics have one series per route, not per URL; ``unmatched`` for anything else."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class Observed:
    """Pure ASGI middleware (the request id context reaches threadpool endpoints)."""

    def __init__(self, app: ASGIApp, metrics: Any = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = None
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                supplied = value.decode("latin-1")
        rid = request_id_from(supplied)
        token = REQUEST_ID.set(rid)
        started = time.perf_counter()
        status = [500]

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode("latin-1")))
                fresh = scope.get("state", {}).get("as_at")
                if isinstance(fresh, Freshness):
                    headers.append((b"x-wintertrack-as-at", fresh.header().encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            REQUEST_ID.reset(token)
            seconds = time.perf_counter() - started
            template = route_template(scope)
            if self.metrics is not None:
                self.metrics.observe_request(scope["method"], template, status[0], seconds)
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status[0],
                extra={
                    "request_id": rid,
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": template,
                    "status": status[0],
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
