"""People: users, their emails and API tokens, and checking a token."""

from __future__ import annotations

import secrets
from uuid import UUID

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
        grant = AccessToken.issue(actor, name, token, "issued with the user")
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

    def issue_token(
        self,
        actor: Actor,
        name: str,
        label: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> tuple[Receipt, str]:
        """A new token for an existing user (shown once, to hand over); ``label`` says what
        it is for, e.g. "finance ledger robot"."""
        token = "wt_" + secrets.token_urlsafe(32)

        def act() -> Change:
            self.get_user(name)
            cleaned = check_text("label", label.strip(), max_len=100)
            return Change(
                [AccessToken.issue(actor, name, token, cleaned)],
                Conflict("token clash; try again"),
            )

        command = Command(actor, "issue_token", request={"name": name, "label": label})
        return self.run_command(command, act, idempotency_key), token

    def revoke_token(
        self,
        actor: Actor,
        token: str,
        reason: str,
        by_id: bool = False,
        *,
        idempotency_key: str | None = None,
    ) -> Receipt:
        """Revokes a token given as its text, or (``by_id``) as the id the token list shows:
        the token itself is kept nowhere, so an administrator revokes by id."""
        field = "token_id" if by_id else "token"
        missing = NotFound("no such token" if not by_id else "no token has this id", field=field)

        def act() -> Change:
            try:
                grant: Aggregate = self.repository.get(
                    UUID(token.strip()) if by_id else token_id(token)
                )
            except (AggregateNotFoundError, ValueError):
                raise missing from None
            if not isinstance(grant, AccessToken):  # another record's id: not a token's
                raise missing
            if grant.revoked:
                raise InputRefused(field, "this token is already revoked")
            grant.revoke(actor, check_text("reason", reason, max_len=200))
            return Change([grant], Conflict("token changed meanwhile"))

        request = {"token": token, "why": reason, **({"by_id": True} if by_id else {})}
        command = Command(actor, "revoke_token", request=request)
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
