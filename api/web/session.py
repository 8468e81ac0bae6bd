"""Web sessions: the bearer token in a signed, HttpOnly, SameSite cookie, and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "wt_session"
MAX_AGE = 12 * 60 * 60  # a working day and a half


class Sessions:
    def __init__(self, secret_key: str) -> None:
        self._secret = secret_key.encode()
        self._serializer = URLSafeTimedSerializer(secret_key, salt="wintertrack-session")

    def cookie_for(self, token: str) -> str:
        return self._serializer.dumps(token)

    def token_from(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            token = self._serializer.loads(cookie, max_age=MAX_AGE)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None

    def csrf_for(self, cookie: str) -> str:
        return hmac.new(self._secret, cookie.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, cookie: str | None, submitted: str | None) -> bool:
        if not cookie or not submitted:
            return False
        return hmac.compare_digest(self.csrf_for(cookie), submitted)
