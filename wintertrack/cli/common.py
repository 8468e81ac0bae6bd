"""What every command group shares: consoles, the command-line actor, failing clearly."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console

from capacity.errors import DomainError
from capacity.values import Actor

out = Console()
err = Console(stderr=True)

ProgrammeOpt = Annotated[str, typer.Option("--programme", help="Programme code, e.g. QM7-2022-23")]


def cli_actor(channel: str = "cli") -> Actor:
    return Actor(f"cli:{getpass.getuser()}", "admin", channel)


def fail(error: Exception) -> typer.Exit:
    if isinstance(error, DomainError):
        text = f"{error.field}: {error.message}" if error.field else error.message
    else:
        text = str(error)
    err.print(f"[red]error:[/red] {text}")
    return typer.Exit(code=2)
