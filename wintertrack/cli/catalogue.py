"""`wintertrack catalogue …` and `wintertrack schemes …`: the scheme catalogue."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated

import typer
from rich.table import Table

from api.presenters import scheme_public
from capacity.application import WinterApplication
from capacity.commands import LoadCatalogue
from capacity.errors import DomainError
from schemes.catalogue import load_catalogue
from schemes.rules import InputRefused
from wintertrack.bootstrap import build_application
from wintertrack.cli.common import ProgrammeOpt, cli_actor, err, fail, out

app = typer.Typer(help="Scheme catalogues.", no_args_is_help=True)
schemes_app = typer.Typer(help="Schemes of a programme.", no_args_is_help=True)


@app.command("load")
def catalogue_load(
    source: Annotated[str, typer.Argument(help="A catalogue JSON file, or hwe-2022-23")],
    programme: ProgrammeOpt,
) -> None:
    """Loads a scheme catalogue (opening its programme when the catalogue carries one)."""
    application = build_application()
    try:
        catalogue = load_catalogue(source)
        receipt, added, present = application.run_command(
            LoadCatalogue(actor=cli_actor(), catalogue=catalogue, programme=programme)
        )
    except (DomainError, InputRefused, OSError) as error:
        raise fail(error) from None
    out.print(
        f"{programme}: {added} scheme(s) registered, {present} already present "
        f"(event-log position {receipt.position})",
        highlight=False,
    )
    for line, agrees in catalogue_summary(application, programme):
        console, text = (out, line) if agrees else (err, f"[yellow]warning:[/yellow] {line}")
        console.print(text, highlight=False, soft_wrap=True)


@schemes_app.command("list")
def schemes_list(
    programme: ProgrammeOpt,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON")] = False,
) -> None:
    """Lists the schemes of a programme."""
    application = build_application()
    try:
        schemes = []
        for code in application.scheme_codes(programme):
            scheme = application.get_scheme(programme, code)
            provenance = application.get_provenance(programme, code)
            schemes.append(scheme_public(scheme, provenance, scheme.kpis, scheme.place_split))
    except DomainError as error:
        raise fail(error) from None
    if as_json:
        print(json.dumps(schemes, indent=2))
        return
    table = Table(title=f"Schemes of {programme}")
    for column in ("code", "category", "place", "stream", "allocation", "beds/day", "counts"):
        table.add_column(column)
    for s in schemes:
        table.add_row(
            s["code"],
            s["category"],
            s["place"],
            s["funding_stream"],
            f"£{Decimal(s['allocation_gbp']):,.2f}",
            "" if s["planned_beds_equivalent"] is None else f"{s['planned_beds_equivalent']:g}",
            "yes" if s["counts_toward_target"] else "no",
        )
    out.print(table)


def catalogue_summary(application: WinterApplication, code: str) -> list[tuple[str, bool]]:
    """The programme's counted beds-equivalent against its bed target, and the money its
    schemes hold against each allocation: (line, whether they agree)."""
    programme = application.get_programme(code)
    schemes = [application.get_scheme(code, s) for s in programme.scheme_codes]
    counted = sum(
        (s.planned_beds_equivalent or Decimal(0) for s in schemes if s.counts_toward_target),
        Decimal(0),
    )
    lines = [
        (
            f"beds-equivalent counted toward the target: {counted:g} "
            f"against a bed target of {programme.bed_target}",
            counted == programme.bed_target,
        )
    ]
    held: dict[str, Decimal] = {}
    for scheme in schemes:
        held[scheme.funding_stream] = held.get(scheme.funding_stream, Decimal(0)) + (
            scheme.allocation_gbp
        )
    for stream in sorted(set(held) | set(programme.allocations)):
        committed = held.get(stream, Decimal(0))
        allocated = programme.allocations.get(stream, Decimal(0))
        gap = allocated - committed
        state = (
            "fully committed"
            if gap == 0
            else (f"£{gap:,.2f} unassigned" if gap > 0 else f"over-committed by £{-gap:,.2f}")
        )
        lines.append(
            (f"{stream}: schemes hold £{committed:,.2f} of £{allocated:,.2f} ({state})", gap == 0)
        )
    return lines
