"""Sign-in with the organisation's account: OpenID Connect, authorisation code with PKCE.

The person is sent to the identity provider with a fresh state, nonce and PKCE verifier, kept in
a short-lived signed cookie; on the way back the state must match (once: a replayed callback is
refused), the code is exchanged with the verifier, and the ID token's signature (the provider's
published keys), issuer, audience, expiry and nonce are verified by authlib. The verified email
names a ledger user; the role and schemes come from the ledger, never from the provider.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.jose import JsonWebKey, jwt
from authlib.jose.errors import JoseError
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from itsdangerous import BadSignature, URLSafeTimedSerializer

PENDING = "wt_oidc"
PENDING_MAX_AGE = 600  # seconds a person has to sign in at the provider


class SignInRefused(Exception):
    """The provider's answer cannot be trusted (state, token or claims)."""


@dataclass
class OidcClient:
    issuer: str
    client_id: str
    client_secret: str
    secret_key: str
    _metadata: dict[str, Any] = field(default_factory=dict)
    _used_states: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def _signer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt="wintertrack-oidc")

    def metadata(self) -> dict[str, Any]:
        if not self._metadata:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            found = httpx.get(url, timeout=10)
            found.raise_for_status()
            self._metadata = found.json()
        return self._metadata

    def start(self, redirect_uri: str, next_path: str) -> tuple[str, str]:
        """The provider's authorisation URL, and the signed cookie holding the pending login."""
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        pending = self._signer.dumps(
            {"state": state, "nonce": nonce, "verifier": verifier, "next": next_path}
        )
        return f"{self.metadata()['authorization_endpoint']}?{urlencode(query)}", pending

    def finish(
        self, pending_cookie: str | None, state: str, code: str, redirect_uri: str
    ) -> tuple[str, str]:
        """Checks the callback and the ID token; returns (verified email, next path)."""
        try:
            pending = self._signer.loads(pending_cookie or "", max_age=PENDING_MAX_AGE)
        except BadSignature:
            raise SignInRefused("the sign-in expired or did not start here") from None
        if not state or not hmac.compare_digest(str(pending["state"]), state):
            raise SignInRefused("the sign-in state does not match")
        self._use_once(state)
        meta = self.metadata()
        answer = httpx.post(
            meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": pending["verifier"],
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            timeout=10,
        )
        if answer.status_code != 200 or "id_token" not in answer.json():
            raise SignInRefused("the identity provider did not issue an ID token")
        keys = JsonWebKey.import_key_set(httpx.get(meta["jwks_uri"], timeout=10).json())
        claims = verify_id_token(
            answer.json()["id_token"], keys, self.issuer, self.client_id, pending["nonce"]
        )
        email = claims.get("email")
        if not isinstance(email, str) or claims.get("email_verified") is False:
            raise SignInRefused("the identity provider did not vouch for an email address")
        return email.strip().lower(), str(pending["next"])

    def _use_once(self, state: str) -> None:
        now = time.monotonic()
        with self._lock:
            for old, at in list(self._used_states.items()):
                if now - at > PENDING_MAX_AGE:
                    del self._used_states[old]
            if state in self._used_states:
                raise SignInRefused("this sign-in has already been used")
            self._used_states[state] = now


def verify_id_token(token: str, keys: Any, issuer: str, audience: str, nonce: str) -> Any:
    """The ID token's claims, once its signature, issuer, audience, expiry and nonce check."""
    options = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": audience},
        "exp": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    try:
        claims = jwt.decode(token, keys, claims_options=options)
        claims.validate(leeway=0)
    except (JoseError, ValueError) as error:
        raise SignInRefused(f"the ID token was refused: {error}") from None
    return claims
