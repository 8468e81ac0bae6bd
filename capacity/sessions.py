"""Web sessions and the sign-in audit trail.

A session is known only by the SHA-256 of its random id (the id lives in the person's cookie and
nowhere else). It records who signed in, how (a token or the organisation's identity provider),
from where, and when it stops: after an idle spell or at an absolute limit, at sign-out, when an
administrator ends the user's sessions, or when the token it was opened with is revoked. Failed
sign-ins are recorded per address and day, which is also what the rate limit counts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.values import Actor, natural_id

TOUCH_EVERY = timedelta(minutes=5)  # idle expiry is tracked this coarsely: few events


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def session_aggregate_id(session_id: str) -> UUID:
    return natural_id("session", session_hash(session_id))


def audit_id(address: str, day: str) -> UUID:
    return natural_id("sign-in-audit", address, day)


class Session(Aggregate):
    TOPIC = "wintertrack:Session"

    class Event(Aggregate.Event):
        actor: Actor

    class SessionStarted(Event, Aggregate.Created):
        TOPIC = "wintertrack:Session.SessionStarted"
        user: str
        method: str  # token | oidc | link
        token_id: str | None
        address: str
        started_at: datetime
        idle_minutes: int
        absolute_until: datetime

    Created = SessionStarted

    class SessionTouched(Event):
        TOPIC = "wintertrack:Session.SessionTouched"
        at: datetime

        def apply(self, aggregate: Session) -> None:
            aggregate.last_seen = self.at

    class SessionEnded(Event):
        TOPIC = "wintertrack:Session.SessionEnded"
        reason: str
        at: datetime

        def apply(self, aggregate: Session) -> None:
            aggregate.ended = self.reason

    def __init__(
        self,
        user: str,
        method: str,
        token_id: str | None,
        address: str,
        started_at: datetime,
        idle_minutes: int,
        absolute_until: datetime,
    ) -> None:
        self.user = user
        self.method = method
        self.token_id = token_id
        self.address = address
        self.started_at = started_at
        self.last_seen = started_at
        self.idle_minutes = idle_minutes
        self.absolute_until = absolute_until
        self.ended: str | None = None

    @classmethod
    def start(
        cls,
        actor: Actor,
        session_id: str,
        method: str,
        token_id: str | None,
        address: str,
        now: datetime,
        idle: timedelta,
        absolute: timedelta,
    ) -> Session:
        return cls._create(
            cls.SessionStarted,
            id=session_aggregate_id(session_id),
            actor=actor,
            user=actor.user_id,
            method=method,
            token_id=token_id,
            address=address[:100],
            started_at=now,
            idle_minutes=int(idle.total_seconds() // 60),
            absolute_until=now + absolute,
        )

    def expired_because(self, now: datetime) -> str | None:
        if self.ended is not None:
            return self.ended
        if now >= self.absolute_until:
            return "the session reached its time limit"
        if now - self.last_seen >= timedelta(minutes=self.idle_minutes):
            return "the session was idle too long"
        return None

    def needs_touch(self, now: datetime) -> bool:
        return now - self.last_seen >= TOUCH_EVERY

    def touch(self, actor: Actor, now: datetime) -> None:
        self.trigger_event(self.SessionTouched, actor=actor, at=now)

    def end(self, actor: Actor, reason: str, now: datetime) -> None:
        if self.ended is None:
            self.trigger_event(self.SessionEnded, actor=actor, reason=reason[:200], at=now)


class SignInAudit(Aggregate):
    """Failed sign-ins from one address on one day (for the audit and the rate limit)."""

    TOPIC = "wintertrack:SignInAudit"

    class Event(Aggregate.Event):
        actor: Actor

    class AuditOpened(Event, Aggregate.Created):
        TOPIC = "wintertrack:SignInAudit.AuditOpened"
        address: str
        day: str

    Created = AuditOpened

    class SignInFailed(Event):
        TOPIC = "wintertrack:SignInAudit.SignInFailed"
        claimed: str
        reason: str
        at: datetime

        def apply(self, aggregate: SignInAudit) -> None:
            aggregate.failures.append(self.at)

    def __init__(self, address: str, day: str) -> None:
        self.address = address
        self.day = day
        self.failures: list[datetime] = []

    @classmethod
    def open(cls, actor: Actor, address: str, day: str) -> SignInAudit:
        return cls._create(
            cls.AuditOpened, id=audit_id(address, day), actor=actor, address=address, day=day
        )

    def fail(self, actor: Actor, claimed: str, reason: str, now: datetime) -> None:
        self.trigger_event(
            self.SignInFailed, actor=actor, claimed=claimed[:200], reason=reason[:200], at=now
        )

    def failures_since(self, since: datetime) -> list[datetime]:
        return [at for at in self.failures if at >= since]


def link_aggregate_id(secret: str) -> UUID:
    return natural_id("sign-in-link", session_hash(secret))


class SignInLink(Aggregate):
    """A one-time sign-in link: known only by the SHA-256 of its secret (the secret is in the
    link and nowhere else), good once and only until it expires."""

    TOPIC = "wintertrack:SignInLink"

    class Event(Aggregate.Event):
        actor: Actor

    class LinkIssued(Event, Aggregate.Created):
        TOPIC = "wintertrack:SignInLink.LinkIssued"
        user: str
        issued_at: datetime
        expires_at: datetime

    Created = LinkIssued

    class LinkUsed(Event):
        TOPIC = "wintertrack:SignInLink.LinkUsed"
        address: str
        at: datetime

        def apply(self, aggregate: SignInLink) -> None:
            aggregate.used_at = self.at

    def __init__(self, user: str, issued_at: datetime, expires_at: datetime) -> None:
        self.user = user
        self.issued_at = issued_at
        self.expires_at = expires_at
        self.used_at: datetime | None = None

    @classmethod
    def issue(
        cls, actor: Actor, secret: str, user: str, now: datetime, life: timedelta
    ) -> SignInLink:
        return cls._create(
            cls.LinkIssued,
            id=link_aggregate_id(secret),
            actor=actor,
            user=user,
            issued_at=now,
            expires_at=now + life,
        )

    def refused_because(self, now: datetime) -> str | None:
        if self.used_at is not None:
            return "this sign-in link has already been used; ask for a new one"
        if now >= self.expires_at:
            return "this sign-in link has expired; ask for a new one"
        return None

    def use(self, actor: Actor, address: str, now: datetime) -> None:
        self.trigger_event(self.LinkUsed, actor=actor, address=address[:100], at=now)
