"""A read of every user and how many of their tokens are live, from the users' and tokens'
events: the application keeps no list of users, and the web's admin page needs one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from capacity.application import WinterApplication
from capacity.users import AccessToken, User

TOPICS = (
    User.UserAdded.TOPIC,
    User.ProgrammeGranted.TOPIC,
    User.EmailSet.TOPIC,
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
    email: str | None = None

    @property
    def live_tokens(self) -> int:
        return self.tokens - self.revoked


def list_users(application: WinterApplication) -> list[UserRow]:
    users: dict[str, UserRow] = {}
    owner: dict[Any, str] = {}  # token aggregate id -> user name
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
            elif isinstance(event, User.EmailSet):
                row = by_id.get(event.originator_id)
                if row is not None:
                    row.email = event.email
            elif isinstance(event, AccessToken.TokenIssued):
                owner[event.originator_id] = event.user
                if event.user in users:
                    users[event.user].tokens += 1
            elif isinstance(event, AccessToken.TokenRevoked):
                name = owner.get(event.originator_id)
                if name in users:
                    users[name].revoked += 1
        if len(page) < PAGE:
            break
        after = page[-1].id
    return sorted(users.values(), key=lambda u: u.name)
