"""`wintertrack user …`: users and their bearer tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from capacity.commands import AddUser, GrantProgramme, IssueToken, RevokeToken
from capacity.errors import DomainError
from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application
from wintertrack.cli.common import cli_actor, fail, out

app = typer.Typer(help="Users and their bearer tokens.", no_args_is_help=True)


@app.command("add")
def user_add(
    name: str,
    role: Annotated[
        str, typer.Option(help="admin, board, finance, lead or region (with --programme REGION)")
    ],
    programme: Annotated[str | None, typer.Option(help="Programme code")] = None,
    scheme: Annotated[list[str] | None, typer.Option(help="Scheme code (repeatable)")] = None,
    email: Annotated[
        str | None, typer.Option(help="Organisation email, for sign-in with its account")
    ] = None,
) -> None:
    """Adds a user and prints a new bearer token as the last line (shown once only)."""
    application = build_application()
    try:
        _, token = application.run_command(
            AddUser(
                actor=cli_actor(),
                name=name,
                role=role,
                programme=programme,
                schemes=scheme or [],
                email=email,
            )
        )
    except (DomainError, InputRefused) as error:
        raise fail(error) from None
    out.print(f"user {name} added with role {role}", highlight=False)
    print(token)


@app.command("grant")
def user_grant(
    name: str,
    programme: Annotated[str, typer.Option(help="The other programme, e.g. QM7-2023-24")],
    scheme: Annotated[list[str] | None, typer.Option(help="Scheme code (repeatable)")] = None,
) -> None:
    """Lets a user bound to a programme act in another one too (an ICB's next winter)."""
    application = build_application()
    try:
        receipt = application.run_command(
            GrantProgramme(actor=cli_actor(), name=name, programme=programme, schemes=scheme or [])
        )
    except (DomainError, InputRefused) as error:
        raise fail(error) from None
    out.print(
        f"user {name} may now act in {programme} too (event-log position {receipt.position})",
        highlight=False,
    )


@app.command("tokens")
def user_tokens(
    name: Annotated[str | None, typer.Argument(help="Only this user's tokens")] = None,
) -> None:
    """Lists tokens by id: who holds each, its label, when it was issued, whether revoked."""
    from api.web.user_directory import list_tokens

    for token in list_tokens(build_application(), name):
        state = f"revoked ({token.revoked_reason})" if token.revoked else "live"
        issued = f"{token.issued_at:%d %b %Y %H:%M}"
        label = token.label or "-"
        print(f"{token.id}  {token.user:<16} {issued}  {state:<10} {label}")


@app.command("issue-token")
def user_issue_token(
    name: str,
    label: Annotated[str, typer.Option(help="What the token is for, e.g. 'ledger robot'")] = "",
) -> None:
    """Issues a new token to an existing user; prints it as the last line (shown once only)."""
    application = build_application()
    try:
        _, token = application.run_command(IssueToken(actor=cli_actor(), name=name, label=label))
    except (DomainError, InputRefused) as error:
        raise fail(error) from None
    out.print(f"a new token for {name}", highlight=False)
    print(token)


@app.command("revoke-token")
def user_revoke_token(
    token_id: Annotated[str, typer.Argument(help="The token's id, from `wintertrack user tokens`")],
    reason: Annotated[str, typer.Option(help="Why, for the sign-in audit")],
) -> None:
    """Revokes a token by its id: it stops signing anyone in at once, on every instance."""
    application = build_application()
    try:
        receipt = application.run_command(
            RevokeToken(actor=cli_actor(), token=token_id, reason=reason, by_id=True)
        )
    except (DomainError, InputRefused) as error:
        raise fail(error) from None
    out.print(f"token {token_id} revoked (event-log position {receipt.position})", highlight=False)


@app.command("end-sessions")
def user_end_sessions(
    name: str,
    reason: Annotated[str, typer.Option(help="Why, for the sign-in audit")],
) -> None:
    """Ends every web session of a user, on every instance; their tokens still work."""
    from capacity.signin import SignInService

    application = build_application()
    try:
        SignInService(application).end_user_sessions(cli_actor(), name, reason)
    except (DomainError, InputRefused) as error:
        raise fail(error) from None
    out.print(f"every session of {name} ended", highlight=False)
