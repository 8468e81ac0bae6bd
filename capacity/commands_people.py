"""Commands of people: users, their programmes and tokens, their web sessions, and the chase
reminders emailed to leads.

The aliases are the keys fingerprints were stored with before commands were data: never
rename one (``capacity/commands_base.py``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from capacity.commands_base import Command, Fingerprint, Key, Receipt, Write, flag


def new_token() -> str:
    return "wt_" + secrets.token_urlsafe(32)


@dataclass(frozen=True, kw_only=True)
class AddUser(Command[tuple[Receipt, str]]):
    """A user and a first token, answered with the receipt and the token (shown once, never
    stored). An email lets the person sign in with their organisation's account (OIDC)."""

    name: str
    role: str
    programme: str | None = None
    schemes: list[str] | None = None
    email: str | None = None
    token: str = field(default_factory=new_token, repr=False)

    policy = "add_user"
    scope = (None, None)
    fingerprint = Fingerprint(
        "add_user",
        {
            "name": Key("name"),
            "role": Key("role"),
            "programme": Key("p"),
            "schemes": Key("s"),
            "email": Key("e"),
        },
        frozenset({"token"}),
    )

    def answer(self, receipt: Receipt, outcome: object) -> tuple[Receipt, str]:
        return receipt, self.token


@dataclass(frozen=True, kw_only=True)
class GrantProgramme(Write):
    """Lets a user bound to a programme act in another one too (the ICB's next winter), on the
    schemes or sites named (a lead needs at least one)."""

    name: str
    programme: str
    schemes: list[str] | None = None

    policy = "grant_programme"
    scope = (None, None)


@dataclass(frozen=True, kw_only=True)
class IssueToken(Command[tuple[Receipt, str]]):
    """A new token for an existing user, answered with the receipt and the token (shown once);
    ``label`` says what it is for, e.g. "finance ledger robot"."""

    name: str
    label: str = ""
    token: str = field(default_factory=new_token, repr=False)

    policy = "issue_token"
    scope = (None, None)
    fingerprint = Fingerprint(
        "issue_token", {"name": Key("name"), "label": Key("label")}, frozenset({"token"})
    )

    def answer(self, receipt: Receipt, outcome: object) -> tuple[Receipt, str]:
        return receipt, self.token


@dataclass(frozen=True, kw_only=True)
class RevokeToken(Write):
    """Revokes a token given as its text, or (``by_id``) as the id the token list shows."""

    token: str
    reason: str
    by_id: bool = False

    policy = "revoke_token"
    scope = (None, None)
    fingerprint = Fingerprint(
        "revoke_token", {"token": Key("token"), "reason": Key("why"), "by_id": flag("by_id", True)}
    )


@dataclass(frozen=True, kw_only=True)
class EndSessions(Write):
    """Ends every web session of a user, on every instance, as of ``at``."""

    name: str
    reason: str
    at: datetime

    policy = "end_sessions"
    scope = (None, None)
    fingerprint = Fingerprint(
        "end_sessions", {"name": Key("u"), "reason": Key("r")}, frozenset({"at"})
    )


@dataclass(frozen=True, kw_only=True)
class RecordReminder(Write):
    """That a lead was emailed, at ``sent_at``, the schemes not reported for ``day``."""

    programme: str
    day: date
    lead: str
    email: str
    schemes: list[str]
    sent_at: datetime

    policy = "record_reminder"
