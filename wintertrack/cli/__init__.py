"""The ``wintertrack`` command line: one module per command group, composed here."""

from __future__ import annotations

import sys

import typer

from wintertrack.cli import (
    board_papers,
    catalogue,
    chase,
    imports,
    projections,
    region,
    returns,
    serve,
    store,
    streams,
    users,
)

app = typer.Typer(help="Wintertrack: winter capacity and flow tracker.", no_args_is_help=True)
app.add_typer(users.app, name="user")
app.add_typer(catalogue.app, name="catalogue")
app.add_typer(catalogue.schemes_app, name="schemes")
app.add_typer(imports.app, name="import")
app.add_typer(projections.app, name="projections")
app.add_typer(store.app, name="store")
app.add_typer(region.app, name="region")
app.command("demo")(serve.demo)
app.command("serve")(serve.serve)
app.command("return")(returns.monthly_return)
app.command("board-paper")(board_papers.board_paper)
app.command("relay")(streams.relay_command)
app.command("ingest")(streams.ingest_command)
app.command("project")(projections.project_command)
app.command("chase")(chase.chase_command)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
