"""People: users, their emails, programmes and API tokens, and ending their web sessions."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from capacity.app.core import handles
from capacity.app.reads import WinterReads
from capacity.commands_base import Change
from capacity.commands_people import AddUser, EndSessions, GrantProgramme, IssueToken, RevokeToken
from capacity.errors import (
    AlreadyExists,
    Conflict,
    NotFound,
)
from capacity.policy import ROLES
from capacity.users import (
    AccessToken,
    EmailIndex,
    User,
    email_index_id,
    token_id,
)
from schemes.regions import load_region
from schemes.rules import (
    InputRefused,
    check_email,
    check_text,
)


@handles(AddUser)
def add_user(app: WinterReads, c: AddUser) -> Change:
    """A user and their first token (the command carries the token, returned once)."""
    if c.role not in ROLES:
        raise InputRefused("role", "must be one of " + ", ".join(ROLES))
    name = check_text("name", c.name.strip(), max_len=100)
    if not name:
        raise InputRefused("name", "is required")
    codes = list(c.schemes or [])
    if c.role == "lead" and not codes:
        raise InputRefused("scheme", "a lead must be bound to at least one scheme")
    if codes and c.programme is None:
        raise InputRefused("programme", "is required when binding schemes")
    if c.role == "region":  # bound to a region, named where a programme would be
        if c.programme is None or codes:
            raise InputRefused("programme", "a region user is bound to a region, e.g. Y61")
        load_region(c.programme)
    elif c.programme is not None:
        found = app.get_programme(c.programme)
        known = set(found.scheme_codes) | set(found.site_codes)
        for code in codes:
            if code not in known:
                raise InputRefused("scheme", f"unknown scheme or site '{code}' in {c.programme}")
    user = User.add(c.actor, name, c.role, c.programme, codes)
    grant = AccessToken.issue(c.actor, name, c.token, "issued with the user")
    aggregates: list[Aggregate] = [user, grant]
    if c.email:
        address = check_email(c.email)
        if email_index_id(address) in app.repository:
            raise AlreadyExists(f"another user has the email {address}", field="email")
        user.set_email(c.actor, address)
        aggregates.append(EmailIndex.claim(c.actor, address, name))
    return Change(aggregates, AlreadyExists(f"user {name} already exists", field="name"))


@handles(GrantProgramme)
def grant_programme(app: WinterReads, c: GrantProgramme) -> Change:
    user = app.get_user(c.name)
    if user.role == "region" or user.programme is None:
        raise InputRefused("name", f"user {c.name} is not bound to a programme, so needs no grant")
    found = app.get_programme(c.programme)
    codes = list(c.schemes or [])
    if user.role == "lead" and not codes:
        raise InputRefused("scheme", "a lead must be bound to at least one scheme")
    known = set(found.scheme_codes) | set(found.site_codes)
    for code in codes:
        if code not in known:
            raise InputRefused("scheme", f"unknown scheme or site '{code}' in {c.programme}")
    if c.programme in user.programmes and set(codes) <= set(user.schemes):
        raise InputRefused("programme", f"user {c.name} already acts in {c.programme}")
    user.grant_programme(c.actor, c.programme, codes)
    return Change([user], Conflict(f"user {c.name} changed meanwhile; try again"))


@handles(IssueToken)
def issue_token(app: WinterReads, c: IssueToken) -> Change:
    app.get_user(c.name)
    cleaned = check_text("label", c.label.strip(), max_len=100)
    return Change(
        [AccessToken.issue(c.actor, c.name, c.token, cleaned)],
        Conflict("token clash; try again"),
    )


@handles(RevokeToken)
def revoke_token(app: WinterReads, c: RevokeToken) -> Change:
    """The token itself is kept nowhere, so an administrator revokes by the id the list shows."""
    field = "token_id" if c.by_id else "token"
    missing = NotFound("no such token" if not c.by_id else "no token has this id", field=field)
    try:
        grant: Aggregate = app.repository.get(
            UUID(c.token.strip()) if c.by_id else token_id(c.token)
        )
    except (AggregateNotFoundError, ValueError):
        raise missing from None
    if not isinstance(grant, AccessToken):  # another record's id: not a token's
        raise missing
    if grant.revoked:
        raise InputRefused(field, "this token is already revoked")
    grant.revoke(c.actor, check_text("reason", c.reason, max_len=200))
    return Change([grant], Conflict("token changed meanwhile"))


@handles(EndSessions)
def end_sessions(app: WinterReads, c: EndSessions) -> Change:
    user = app.get_user(c.name)
    user.end_sessions(c.actor, c.at, c.reason or "ended by an administrator")
    return Change([user], Conflict(f"user {c.name} changed meanwhile; try again"))
