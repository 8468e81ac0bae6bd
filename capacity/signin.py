"""Signing people in and out: server-side sessions, the sign-in audit and its rate limit.

Every check reads the store (the library fast-forwards cached aggregates from it), so a sign-out,
a revoked token or an administrator ending a user's sessions is seen by every instance sharing
the store on its very next request.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from capacity.app.core import Change, Command, Receipt
from capacity.errors import Conflict, Unauthenticated
from capacity.sessions import (
    Session,
    SignInAudit,
    SignInLink,
    audit_id,
    link_aggregate_id,
    session_aggregate_id,
    session_hash,
)
from capacity.users import AccessToken, User, token_id
from capacity.values import Actor

if TYPE_CHECKING:
    from capacity.application import WinterApplication


@dataclass(frozen=True)
class SignInLimits:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    window: timedelta = timedelta(minutes=15)
    per_address: int = 10  # failed attempts from one address in the window
    per_credential: int = 10  # failed attempts with one credential (from any address)
    per_user: int = 20  # sign-ins of one user in the window
    link: timedelta = timedelta(hours=12)  # a one-time sign-in link's life


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {retry_after} s")
        self.retry_after = retry_after


class SignInService:
    def __init__(
        self,
        application: WinterApplication,
        limits: SignInLimits | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = application
        self.limits = limits or SignInLimits()
        self.now = now
        self._recent: dict[str, list[datetime]] = {}
        self._failed: dict[str, list[datetime]] = {}  # by credential: a token's id, an email
        self.on_failure: Callable[[], None] = lambda: None  # e.g. a metrics counter

    # --- signing in ------------------------------------------------------------------------

    def with_token(self, token: str, address: str) -> tuple[str, User]:
        """Checks an API token and opens a session; returns the session id (for the cookie).

        A valid token is never refused for what others did from the same address (a hospital's
        shared address): the limits count failures, and only refuse more failures. Tokens are
        256-bit random values, so the limits bound the audit's growth, not guessing."""
        credential = f"token:{token_id(token)}" if token and len(token) <= 200 else "token:?"
        try:
            user = self.app.authenticate(token)
        except Unauthenticated as error:
            self._fail(address, credential, "token", error.message)
            raise
        return self._open(user, "token", str(token_id(token)), address), user

    def with_identity(self, email: str, address: str) -> tuple[str, User]:
        """Opens a session for the ledger user whose email the identity provider verified."""
        user = self.app.user_by_email(email)
        if user is None:
            reason = "no user has this email"
            self._fail(address, f"email:{email}", email, reason)
            raise Unauthenticated(f"no Wintertrack user has the email {email}")
        return self._open(user, "oidc", None, address), user

    def issue_link(self, actor: Actor, name: str) -> str:
        """A one-time sign-in link's secret for the user ``name`` (which must exist); only its
        hash is stored, so the secret is shown this once."""
        user = self.app.get_user(name)
        secret = secrets.token_urlsafe(32)
        link = SignInLink.issue(actor, secret, user.name, self.now(), self.limits.link)
        self.app.save(link)
        return secret

    def link_refused_because(self, secret: str) -> str | None:
        """Why a link would be refused, without using it (the page before the button)."""
        link = self._link(secret)
        if link is None:
            return "this sign-in link is not valid; ask for a new one"
        return link.refused_because(self.now())

    def with_link(self, secret: str, address: str) -> tuple[str, User]:
        """Uses a one-time link and opens a session; the link is spent before the session
        opens, so two clicks racing each other open one session between them."""
        credential = f"link:{session_hash(secret)[:16]}" if len(secret) <= 200 else "link:?"
        link = self._link(secret)
        reason = "this sign-in link is not valid; ask for a new one"
        if link is not None:
            reason = link.refused_because(self.now()) or self._spend(link, address)
        if not reason and link is not None:
            user = self.app.get_user(link.user)
            return self._open(user, "link", None, address), user
        self._fail(address, credential, "sign-in link", reason)
        raise Unauthenticated(reason)

    def _spend(self, link: SignInLink, address: str) -> str:
        """Marks the link used; "" when it was, else why not."""
        user = self.app.get_user(link.user)
        ended = user.sessions_valid_after
        if ended and link.issued_at < ended:
            return "an administrator ended this user's sessions after this link was made"
        link.use(Actor(user.name, user.role, "web"), address, self.now())
        try:
            self.app.save(link)
        except IntegrityError:  # the other click spent it first
            return "this sign-in link has already been used; ask for a new one"
        return ""

    def _link(self, secret: str) -> SignInLink | None:
        if not secret or len(secret) > 200:
            return None
        record = link_aggregate_id(secret)
        if record not in self.app.repository:
            return None
        link: Any = self.app.repository.get(record)
        assert isinstance(link, SignInLink)
        return link

    def _fail(self, address: str, credential: str, claimed: str, reason: str) -> None:
        """Records a failure, or refuses it unrecorded once its address or its credential is
        over the limit (so a flood of failures cannot grow the audit without end)."""
        self._check_rate(address)
        since = self.now() - self.limits.window
        recent = [at for at in self._failed.get(credential, []) if at >= since]
        if len(recent) >= self.limits.per_credential:
            raise TooManyAttempts(self._retry_after(recent))
        if len(self._failed) > 10_000:  # random wrong tokens must not grow this without end
            self._failed = {k: v for k, v in self._failed.items() if v[-1] >= since}
        self._failed[credential] = [*recent, self.now()]
        self.record_failure(address, claimed, reason)

    def _open(self, user: User, method: str, token: str | None, address: str) -> str:
        self._check_user_rate(user.name)
        session_id = secrets.token_urlsafe(32)
        actor = Actor(user.name, user.role, "web")
        session = Session.start(
            actor, session_id, method, token, address, self.now(), *self._spans()
        )
        self.app.save(session)
        return session_id

    def _spans(self) -> tuple[timedelta, timedelta]:
        return self.limits.idle, self.limits.absolute

    # --- each request ----------------------------------------------------------------------

    def user_of(self, session_id: str | None) -> User:
        """The signed-in user, or Unauthenticated with the reason the session stopped."""
        if not session_id or len(session_id) > 100:
            raise Unauthenticated("not signed in")
        record = session_aggregate_id(session_id)
        if record not in self.app.repository:
            raise Unauthenticated("not signed in")
        session: Any = self.app.repository.get(record)
        assert isinstance(session, Session)
        now = self.now()
        reason = session.expired_because(now)
        user = self.app.get_user(session.user)
        if (
            reason is None
            and user.sessions_valid_after
            and session.started_at < (user.sessions_valid_after)
        ):
            reason = "an administrator ended this user's sessions"
        if reason is None and session.token_id is not None:
            grant: Any = self.app.repository.get(UUID(session.token_id))
            if isinstance(grant, AccessToken) and grant.revoked:
                reason = "the token this session was opened with has been revoked"
        if reason is not None:
            raise Unauthenticated(reason)
        if session.needs_touch(now):
            session.touch(Actor(user.name, user.role, "web"), now)
            with suppress(IntegrityError):  # another request touched it meanwhile: as good
                self.app.save(session)
        return user

    # --- signing out -----------------------------------------------------------------------

    def sign_out(self, session_id: str | None) -> None:
        if not session_id or session_aggregate_id(session_id) not in self.app.repository:
            return
        session: Any = self.app.repository.get(session_aggregate_id(session_id))
        session.end(Actor(session.user, "session", "web"), "signed out", self.now())
        self.app.save(session)

    def end_user_sessions(
        self, actor: Actor, name: str, reason: str, idempotency_key: str | None = None
    ) -> Receipt:
        """An administrator ends every session of a user, on every instance; the form's
        one-time key makes a second post of the same form end nothing twice."""

        def act() -> Change:
            user = self.app.get_user(name)
            user.end_sessions(actor, self.now(), reason or "ended by an administrator")
            return Change([user], Conflict(f"user {name} changed meanwhile; try again"))

        command = Command(actor, "end_sessions", request={"u": name, "r": reason})
        return self.app.run_command(command, act, idempotency_key)

    # --- audit and rate limits -------------------------------------------------------------

    AUDITED = (
        "wintertrack:SignInLink.LinkIssued",
        "wintertrack:SignInLink.LinkUsed",
        "wintertrack:Session.SessionStarted",
        "wintertrack:Session.SessionEnded",
        "wintertrack:SignInAudit.SignInFailed",
        "wintertrack:AccessToken.TokenRevoked",
        "wintertrack:User.SessionsEnded",
    )

    def audit(self, actor: Actor, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Sign-ins, sign-outs, failed attempts, revokes and ended sessions, oldest first."""
        self.app.authorise(actor, "read_sign_ins")
        page = self.app.recorder.select_notifications(
            after, limit, topics=self.AUDITED, inclusive_of_start=False
        )
        entries = []
        for notification in page:
            event: Any = self.app.mapper.to_domain_event(notification)
            who = event.actor
            entries.append(
                {
                    "position": notification.id,
                    "event": notification.topic.split(":", 1)[1],
                    "at": event.timestamp.isoformat(),
                    "who": who.user_id,
                    "role": who.role,
                    "address": getattr(event, "address", None),
                    "method": getattr(event, "method", None),
                    "claimed": getattr(event, "claimed", None),
                    "reason": getattr(event, "reason", None),
                }
            )
        return entries

    def record_failure(self, address: str, claimed: str, reason: str) -> None:
        self.on_failure()
        day = self.now().date().isoformat()
        record = audit_id(address, day)
        actor = Actor("anonymous", "anonymous", "web")
        for _ in range(3):
            audit: Any = (
                self.app.repository.get(record)
                if record in self.app.repository
                else SignInAudit.open(actor, address[:100], day)
            )
            audit.fail(actor, claimed, reason, self.now())
            try:
                self.app.save(audit)
                return
            except IntegrityError:
                continue  # another instance recorded one meanwhile: reload and add ours

    def _check_rate(self, address: str) -> None:
        record = audit_id(address, self.now().date().isoformat())
        if record not in self.app.repository:
            return
        audit: Any = self.app.repository.get(record)
        since = self.now() - self.limits.window
        recent = audit.failures_since(since)
        if len(recent) >= self.limits.per_address:
            raise TooManyAttempts(self._retry_after(recent))

    def _check_user_rate(self, name: str) -> None:
        since = self.now() - self.limits.window
        recent = [at for at in self._recent.get(name, []) if at >= since]
        if len(recent) >= self.limits.per_user:
            raise TooManyAttempts(self._retry_after(recent))
        self._recent[name] = [*recent, self.now()]

    def _retry_after(self, recent: list[datetime]) -> int:
        wait = min(recent) + self.limits.window - self.now()
        return max(1, int(wait.total_seconds()) + 1)
