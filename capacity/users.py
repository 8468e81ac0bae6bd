"""Users, their bearer tokens (stored only as SHA-256 hashes) and legacy idempotency records."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from capacity.values import Actor, natural_id


def user_id(name: str) -> UUID:
    return natural_id("user", name)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id(token: str) -> UUID:
    return natural_id("token", token_hash(token))


def idempotency_id(user: str, key: str) -> UUID:
    return natural_id("idempotency", user, key)


class User(Aggregate):
    TOPIC = "wintertrack:User"

    class Event(Aggregate.Event):
        actor: Actor

    class UserAdded(Event, Aggregate.Created):
        TOPIC = "wintertrack:User.UserAdded"
        name: str
        role: str
        programme: str | None
        schemes: list[str]

    Created = UserAdded

    class SessionsEnded(Event):
        """Every web session of the user started before ``at`` stops working."""

        TOPIC = "wintertrack:User.SessionsEnded"
        at: datetime
        reason: str

        def apply(self, aggregate: User) -> None:
            aggregate.sessions_valid_after = self.at

    class ProgrammeGranted(Event):
        """A user bound to a programme also acts in another one (an ICB's next winter), on
        the schemes or sites named here as well as those already assigned."""

        TOPIC = "wintertrack:User.ProgrammeGranted"
        programme: str
        schemes: list[str]

        def apply(self, aggregate: User) -> None:
            if self.programme not in aggregate.programmes:
                aggregate.programmes.append(self.programme)
            aggregate.schemes.extend(s for s in self.schemes if s not in aggregate.schemes)

    def __init__(self, name: str, role: str, programme: str | None, schemes: list[str]) -> None:
        self.name = name
        self.role = role
        self.programme = programme
        # Every programme the user acts in: the one bound at first, then those granted.
        self.programmes: list[str] = [programme] if programme else []
        self.schemes = list(schemes)
        self.sessions_valid_after: datetime | None = None
        self.email: str | None = None

    class EmailSet(Event):
        """The address the organisation's identity provider vouches for (sign-in by OIDC)."""

        TOPIC = "wintertrack:User.EmailSet"
        email: str

        def apply(self, aggregate: User) -> None:
            aggregate.email = self.email

    def set_email(self, actor: Actor, email: str) -> None:
        self.trigger_event(self.EmailSet, actor=actor, email=email)

    def grant_programme(self, actor: Actor, programme: str, schemes: list[str]) -> None:
        self.trigger_event(self.ProgrammeGranted, actor=actor, programme=programme, schemes=schemes)

    def end_sessions(self, actor: Actor, at: datetime, reason: str) -> None:
        self.trigger_event(self.SessionsEnded, actor=actor, at=at, reason=reason[:200])

    @classmethod
    def add(
        cls, actor: Actor, name: str, role: str, programme: str | None, schemes: list[str]
    ) -> User:
        return cls._create(
            cls.UserAdded,
            id=user_id(name),
            actor=actor,
            name=name,
            role=role,
            programme=programme,
            schemes=schemes,
        )


def email_index_id(email: str) -> UUID:
    return natural_id("user-email", email.strip().lower())


class EmailIndex(Aggregate):
    """Which user an email address belongs to: one address, one user."""

    TOPIC = "wintertrack:EmailIndex"

    class Event(Aggregate.Event):
        actor: Actor

    class EmailClaimed(Event, Aggregate.Created):
        TOPIC = "wintertrack:EmailIndex.EmailClaimed"
        email: str
        user: str

    Created = EmailClaimed

    def __init__(self, email: str, user: str) -> None:
        self.email = email
        self.user = user

    @classmethod
    def claim(cls, actor: Actor, email: str, user: str) -> EmailIndex:
        return cls._create(
            cls.EmailClaimed, id=email_index_id(email), actor=actor, email=email, user=user
        )


class AccessToken(Aggregate):
    """A bearer token, known only by its hash; its identity is derived from that hash, and is
    the id an administrator lists and revokes it by (the token itself is shown only once)."""

    TOPIC = "wintertrack:AccessToken"

    class Event(Aggregate.Event):
        actor: Actor

    class TokenIssued(Event, Aggregate.Created):
        """class_version 2 adds ``label`` (what the token is for); version 1 had none."""

        TOPIC = "wintertrack:AccessToken.TokenIssued"
        class_version = 2
        user: str
        token_sha256: str
        label: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["label"] = ""

    Created = TokenIssued

    class TokenRevoked(Event):
        TOPIC = "wintertrack:AccessToken.TokenRevoked"
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.revoked = True

    def __init__(self, user: str, token_sha256: str, label: str) -> None:
        self.user = user
        self.token_sha256 = token_sha256
        self.label = label
        self.revoked = False

    @classmethod
    def issue(cls, actor: Actor, user: str, token: str, label: str = "") -> AccessToken:
        return cls._create(
            cls.TokenIssued,
            id=token_id(token),
            actor=actor,
            user=user,
            token_sha256=token_hash(token),
            label=label,
        )

    def revoke(self, actor: Actor, reason: str) -> None:
        self.trigger_event(self.TokenRevoked, actor=actor, reason=reason)


class IdempotencyRecord(Aggregate):
    """How keys were kept before they moved beside the log (``capacity/idempotency.py``): never
    written now; kept so older stores stay readable and their keys are still honoured."""

    TOPIC = "wintertrack:IdempotencyRecord"

    class Event(Aggregate.Event):
        actor: Actor

    class KeyUsed(Event, Aggregate.Created):
        TOPIC = "wintertrack:IdempotencyRecord.KeyUsed"
        key: str
        request_sha256: str
        result: dict[str, Any]

    Created = KeyUsed

    class PositionNoted(Event):
        TOPIC = "wintertrack:IdempotencyRecord.PositionNoted"
        position: int

        def apply(self, aggregate: Any) -> None:
            aggregate.position = self.position

    def __init__(self, key: str, request_sha256: str, result: dict[str, Any]) -> None:
        self.key = key
        self.request_sha256 = request_sha256
        self.result = result
        self.position: int | None = None

    @classmethod
    def use(
        cls, actor: Actor, key: str, request_sha256: str, result: dict[str, Any]
    ) -> IdempotencyRecord:
        return cls._create(
            cls.KeyUsed,
            id=idempotency_id(actor.user_id, key),
            actor=actor,
            key=key,
            request_sha256=request_sha256,
            result=result,
        )

    def note_position(self, actor: Actor, position: int) -> None:
        self.trigger_event(self.PositionNoted, actor=actor, position=position)
