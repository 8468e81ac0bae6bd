"""Request bodies checked before anything parses them: by exact media type, by size, and (on the
API) only once the sender has shown a token that is known.

A JSON body is parsed only after it has been read whole, so a limit checked later would still
let twenty 50 MB requests hold a gigabyte. This ASGI middleware decides from the headers alone
whether a body may be read at all (its media type, its declared length, a bearer token on the
API), then reads it itself, counting the bytes of a body sent without a length (chunked) and
stopping at the limit, and hands the application the body it read. The form limit applies only
to the two form media types, and only on the pages: a prefix such as
``application/x-www-form+json`` is neither a form nor JSON, and is refused (415).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from capacity.errors import Unauthenticated

JSON_LIMIT = 256 * 1024  # bytes of a JSON request body
FORM_LIMIT = 8 * 1024 * 1024  # bytes of a form or upload (the upload parser has its own rows cap)
JSON = "application/json"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
API = "/api/"


def media_type(headers: dict[bytes, bytes]) -> str:
    """The media type without its parameters, e.g. ``multipart/form-data``."""
    raw = headers.get(b"content-type", b"").decode("latin-1")
    return raw.split(";", 1)[0].strip().lower()


def _has_body(headers: dict[bytes, bytes]) -> bool:
    declared = headers.get(b"content-length")
    if declared is not None:
        return declared.strip() not in (b"", b"0")
    return b"transfer-encoding" in headers


async def _answer(
    send: Send, status: int, detail: object, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> list[dict[str, object]]:
    return [{"loc": ["body"], "msg": f"the request body is over {limit:,} bytes"}]


def _refusal(scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, object] | int:
    """The status and detail that refuse this body unread, or the byte limit it is read to."""
    kind = media_type(headers)
    api = str(scope.get("path", "")).startswith(API)
    if kind == JSON:
        return JSON_LIMIT
    if kind in FORMS and not api:
        return FORM_LIMIT
    wanted = JSON if api else f"{JSON}, {FORMS[0]} or {FORMS[1]}"
    shown = kind or "none"
    return 415, [{"loc": ["header", "content-type"], "msg": f"must be {wanted}, not {shown}"}]


async def _token_refusal(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
    """Why the API refuses this sender before reading its body, or None for a known token."""
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if not authorization.lower().startswith("bearer ") or not authorization[7:].strip():
        return "missing bearer token (Authorization: Bearer …)"
    application = scope["app"].state.application
    try:
        await run_in_threadpool(application.authenticate, authorization[7:].strip())
    except Unauthenticated as error:
        return error.message
    return None


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if not _has_body(headers):
            await self.app(scope, receive, send)
            return
        decided = _refusal(scope, headers)
        if isinstance(decided, tuple):
            await _answer(send, *decided)
            return
        limit = decided
        declared = headers.get(b"content-length", b"").strip()
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, _too_large(limit))
            return
        if str(scope.get("path", "")).startswith(API):
            reason = await _token_refusal(scope, headers)
            if reason is not None:
                await _answer(send, 401, reason, [(b"www-authenticate", b"Bearer")])
                return
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                await _answer(send, 413, _too_large(limit))
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def install(app: Any) -> None:
    app.add_middleware(BodyLimit)
