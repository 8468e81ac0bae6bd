"""`wintertrack user …`: users and their bearer tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from capacity.errors import DomainError
from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application
from wintertrack.cli.common import _actor, _fail, out

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
        _, token = application.add_user(_actor(), name, role, programme, scheme or [], email=email)
    except (DomainError, InputRefused) as error:
        raise _fail(error) from None
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
        receipt = application.grant_programme(_actor(), name, programme, scheme or [])
    except (DomainError, InputRefused) as error:
        raise _fail(error) from None
    out.print(
        f"user {name} may now act in {programme} too (event-log position {receipt.position})",
        highlight=False,
    )
