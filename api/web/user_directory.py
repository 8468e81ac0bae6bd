"""A read of every user and every token (by id, label, issue date and whether it is revoked),
from the users' and tokens' events: the application keeps no list of users, and the admin's
page and the command line need one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from capacity.application import WinterApplication
from capacity.users import AccessToken, User

TOPICS = (
    User.UserAdded.TOPIC,
    User.ProgrammeGranted.TOPIC,
    User.SessionsEnded.TOPIC,
    AccessToken.TokenIssued.TOPIC,
    AccessToken.TokenRevoked.TOPIC,
)
PAGE = 1000


@dataclass
class UserRow:
    name: str
    role: str
    programme: str | None
    schemes: list[str]
    tokens: int = 0
    revoked: int = 0
    sessions_ended: datetime | None = None

    @property
    def live_tokens(self) -> int:
        return self.tokens - self.revoked


@dataclass
class TokenRow:
    id: str  # the token's record id: what an administrator revokes it by
    user: str
    label: str
    issued_at: datetime
    issued_by: str
    revoked: bool = False
    revoked_reason: str = ""


@dataclass
class Directory:
    users: list[UserRow] = field(default_factory=list)
    tokens: list[TokenRow] = field(default_factory=list)


def directory(application: WinterApplication) -> Directory:
    users: dict[str, UserRow] = {}
    tokens: dict[Any, TokenRow] = {}  # token aggregate id -> row
    by_id: dict[Any, UserRow] = {}  # user aggregate id -> row
    after: int | None = None
    while True:
        page = application.recorder.select_notifications(
            after, PAGE, topics=TOPICS, inclusive_of_start=after is None
        )
        for notification in page:
            event: Any = application.mapper.to_domain_event(notification)
            if isinstance(event, User.UserAdded):
                users[event.name] = UserRow(
                    event.name, event.role, event.programme, list(event.schemes)
                )
                by_id[event.originator_id] = users[event.name]
            elif isinstance(event, User.ProgrammeGranted):
                row = by_id.get(event.originator_id)
                if row is not None:
                    row.programme = f"{row.programme}, {event.programme}"
                    row.schemes += [s for s in event.schemes if s not in row.schemes]
            elif isinstance(event, User.SessionsEnded):
                row = by_id.get(event.originator_id)
                if row is not None:
                    row.sessions_ended = event.at
            elif isinstance(event, AccessToken.TokenIssued):
                tokens[event.originator_id] = TokenRow(
                    str(event.originator_id),
                    event.user,
                    event.label,
                    event.timestamp,
                    event.actor.user_id,
                )
                if event.user in users:
                    users[event.user].tokens += 1
            elif isinstance(event, AccessToken.TokenRevoked):
                token = tokens.get(event.originator_id)
                if token is not None:
                    token.revoked, token.revoked_reason = True, event.reason
                    if token.user in users:
                        users[token.user].revoked += 1
        if len(page) < PAGE:
            break
        after = page[-1].id
    ordered = sorted(tokens.values(), key=lambda t: (t.user, t.issued_at))
    return Directory(sorted(users.values(), key=lambda u: u.name), ordered)


def list_users(application: WinterApplication) -> list[UserRow]:
    return directory(application).users


def list_tokens(application: WinterApplication, user: str | None = None) -> list[TokenRow]:
    return [t for t in directory(application).tokens if user is None or t.user == user]
