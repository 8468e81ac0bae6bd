"""Request size limits, applied before a body is read.

A JSON body is parsed only after it has been read whole, so a limit checked later would still
let twenty 50 MB requests hold a gigabyte. This ASGI middleware refuses an over-long body from
its ``Content-Length`` before reading anything, and counts the bytes of a body sent without one
(chunked), stopping at the limit. Forms and uploads have their own, larger limit.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_LIMIT = 256 * 1024  # bytes of a JSON request body
FORM_LIMIT = 8 * 1024 * 1024  # bytes of a form or upload (the upload parser has its own rows cap)


class TooLarge(Exception):
    pass


def _limit(scope: Scope) -> int:
    headers = dict(scope.get("headers") or [])
    kind = headers.get(b"content-type", b"").decode("latin-1").lower()
    return FORM_LIMIT if kind.startswith(("multipart/", "application/x-www-form")) else JSON_LIMIT


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {"detail": [{"loc": ["body"], "msg": f"the request body is over {limit:,} bytes"}]}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _limit(scope)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if not started:
                await _refuse(send, limit)


def install(app: Any) -> None:
    app.add_middleware(BodyLimit)
