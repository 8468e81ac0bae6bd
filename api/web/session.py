"""Web sessions: a random session id in an HttpOnly, SameSite cookie (the session itself is
recorded server-side, see ``capacity/signin.py``), CSRF tokens, and safe return paths."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import unquote

COOKIE = "wt_session"
FLASH = "wt_done"  # what a write stored, shown once by the page it redirects to
MAX_AGE = 12 * 60 * 60  # the browser forgets the cookie when the session's absolute limit ends


class Sessions:
    def __init__(self, secret_key: str, secure: bool = False) -> None:
        self._secret = secret_key.encode()
        self.secure = secure

    def csrf_for(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()

    def seal(self, text: str) -> str:
        """``text`` signed, so a page shows only what this service said."""
        body = base64.urlsafe_b64encode(text.encode()).decode()
        return body + "." + hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()

    def unseal(self, value: str | None) -> str | None:
        body, _, mac = (value or "").partition(".")
        wanted = hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()
        if not body or not hmac.compare_digest(wanted, mac):
            return None
        try:
            return base64.urlsafe_b64decode(body.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            return None

    def csrf_ok(self, session_id: str | None, submitted: str | None) -> bool:
        if not session_id or not submitted:
            return False
        return hmac.compare_digest(self.csrf_for(session_id), submitted)


SAFE_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9\-._~/?=&%+:@,;]*$")


def safe_next(value: str | None) -> str:
    """A same-site path to return to after sign-in, or "/": never another host (``//host``,
    ``/\\host``, a scheme, or any of those percent-encoded or with control characters)."""
    if not value:
        return "/"
    decoded = value
    for _ in range(3):  # encoded, double-encoded ...
        decoded = unquote(decoded)
    for candidate in (value, decoded):
        if not SAFE_PATH.match(candidate) or any(ord(c) < 32 or c == "\\" for c in candidate):
            return "/"
    return value
