"""People: users, their emails and API tokens, and checking a token."""

from __future__ import annotations

import secrets

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from capacity.app.core import Change, Command, Receipt, WinterCore
from capacity.errors import (
    AlreadyExists,
    Conflict,
    NotFound,
    Unauthenticated,
)
from capacity.policy import ROLES
from capacity.users import (
    AccessToken,
    EmailIndex,
    User,
    email_index_id,
    token_id,
)
from capacity.values import Actor
from schemes.regions import load_region
from schemes.rules import (
    InputRefused,
    check_email,
    check_text,
)


class PeopleCommands(WinterCore):
    def add_user(
        self,
        actor: Actor,
        name: str,
        role: str,
        programme: str | None = None,
        schemes: list[str] | None = None,
        email: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[Receipt, str]:
        """Adds a user and issues a first token; the token is returned once and never stored.
        An email lets the person sign in with their organisation's account (OIDC)."""
        token = "wt_" + secrets.token_urlsafe(32)

        def act() -> Change:
            return self._new_user(actor, token, name, role, programme, schemes, email)

        request = {"name": name, "role": role, "p": programme, "s": schemes, "e": email}
        command = Command(actor, "add_user", request=request)
        return self.run_command(command, act, idempotency_key), token

    def _new_user(
        self,
        actor: Actor,
        token: str,
        name: str,
        role: str,
        programme: str | None,
        schemes: list[str] | None,
        email: str | None,
    ) -> Change:
        if role not in ROLES:
            raise InputRefused("role", "must be one of " + ", ".join(ROLES))
        name = check_text("name", name.strip(), max_len=100)
        if not name:
            raise InputRefused("name", "is required")
        codes = list(schemes or [])
        if role == "lead" and not codes:
            raise InputRefused("scheme", "a lead must be bound to at least one scheme")
        if codes and programme is None:
            raise InputRefused("programme", "is required when binding schemes")
        if role == "region":  # bound to a region, named where a programme would be
            if programme is None or codes:
                raise InputRefused("programme", "a region user is bound to a region, e.g. Y61")
            load_region(programme)
        elif programme is not None:
            found = self.get_programme(programme)
            known = set(found.scheme_codes) | set(found.site_codes)
            for code in codes:
                if code not in known:
                    raise InputRefused("scheme", f"unknown scheme or site '{code}' in {programme}")
        user = User.add(actor, name, role, programme, codes)
        grant = AccessToken.issue(actor, name, token)
        aggregates: list[Aggregate] = [user, grant]
        if email:
            address = check_email(email)
            if email_index_id(address) in self.repository:
                raise AlreadyExists(f"another user has the email {address}", field="email")
            user.set_email(actor, address)
            aggregates.append(EmailIndex.claim(actor, address, name))
        return Change(aggregates, AlreadyExists(f"user {name} already exists", field="name"))

    def grant_programme(
        self, actor: Actor, name: str, programme: str, schemes: list[str] | None = None
    ) -> Receipt:
        """Lets a user bound to a programme act in another one too (the ICB's next winter),
        on the schemes or sites named (a lead needs at least one)."""

        def act() -> Change:
            user = self.get_user(name)
            if user.role == "region" or user.programme is None:
                raise InputRefused(
                    "name", f"user {name} is not bound to a programme, so needs no grant"
                )
            found = self.get_programme(programme)
            codes = list(schemes or [])
            if user.role == "lead" and not codes:
                raise InputRefused("scheme", "a lead must be bound to at least one scheme")
            known = set(found.scheme_codes) | set(found.site_codes)
            for code in codes:
                if code not in known:
                    raise InputRefused("scheme", f"unknown scheme or site '{code}' in {programme}")
            if programme in user.programmes and set(codes) <= set(user.schemes):
                raise InputRefused("programme", f"user {name} already acts in {programme}")
            user.grant_programme(actor, programme, codes)
            return Change([user], Conflict(f"user {name} changed meanwhile; try again"))

        return self.run_command(Command(actor, "grant_programme"), act)

    def user_by_email(self, email: str) -> User | None:
        record = email_index_id(email)
        if record not in self.repository:
            return None
        index: Aggregate = self.repository.get(record)
        assert isinstance(index, EmailIndex)
        return self.get_user(index.user)

    def issue_token(self, actor: Actor, name: str) -> tuple[Receipt, str]:
        token = "wt_" + secrets.token_urlsafe(32)

        def act() -> Change:
            self.get_user(name)
            return Change(
                [AccessToken.issue(actor, name, token)], Conflict("token clash; try again")
            )

        return self.run_command(Command(actor, "issue_token"), act), token

    def revoke_token(
        self, actor: Actor, token: str, reason: str, *, idempotency_key: str | None = None
    ) -> Receipt:
        def act() -> Change:
            grant = self._get(
                AccessToken, token_id(token), NotFound("no such token", field="token")
            )
            grant.revoke(actor, reason)
            return Change([grant], Conflict("token changed meanwhile"))

        command = Command(actor, "revoke_token", request={"token": token, "why": reason})
        return self.run_command(command, act, idempotency_key)

    def authenticate(self, token: str) -> User:
        if not token or len(token) > 200:
            raise Unauthenticated("missing or malformed bearer token")
        try:
            grant: Aggregate = self.repository.get(token_id(token))
        except AggregateNotFoundError:
            raise Unauthenticated("unknown bearer token") from None
        assert isinstance(grant, AccessToken)
        if grant.revoked:
            raise Unauthenticated("this token has been revoked")
        return self.get_user(grant.user)
